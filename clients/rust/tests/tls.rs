//! `rediss://` against the server's TLS port, with certificates made at test time
//! (rcgen): a CA, a server certificate for localhost/127.0.0.1 and a client certificate.

mod common;

use common::Server;
use diskdb_client::{AsyncCommands, Client, ConnectOptions, Error};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};

struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

fn ca(dir: &Path, name: &str) -> (rcgen::Certificate, KeyPair, PathBuf) {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, format!("diskdb-client test {name}"));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let cert = p.self_signed(&key).unwrap();
    let path = dir.join(format!("{name}.crt"));
    std::fs::write(&path, cert.pem()).unwrap();
    (cert, key, path)
}

fn leaf(dir: &Path, name: &str, ca: &(rcgen::Certificate, KeyPair, PathBuf), names: &[&str], client: bool) -> (PathBuf, PathBuf) {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.extended_key_usages = vec![if client { ExtendedKeyUsagePurpose::ClientAuth } else { ExtendedKeyUsagePurpose::ServerAuth }];
    let cert = p.signed_by(&key, &ca.0, &ca.1).unwrap();
    let (c, k) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    (c, k)
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = ca(d, "ca");
    let other = ca(d, "other-ca");
    let (server_cert, server_key) = leaf(d, "server", &main, &["localhost", "127.0.0.1"], false);
    let (client_cert, client_key) = leaf(d, "client", &main, &[], true);
    Pki { ca: main.2, other_ca: other.2, server_cert, server_key, client_cert, client_key, _dir: dir }
}

fn tls_server(pki: &Pki, auth_clients: &str) -> (Server, u16) {
    let port = common::free_port();
    let s = Server::start_with(&[
        "--tls-port",
        &port.to_string(),
        "--tls-cert-file",
        pki.server_cert.to_str().unwrap(),
        "--tls-key-file",
        pki.server_key.to_str().unwrap(),
        "--tls-ca-cert-file",
        pki.ca.to_str().unwrap(),
        "--tls-auth-clients",
        auth_clients,
    ]);
    (s, port)
}

#[tokio::test]
async fn rediss_with_a_ca_file() {
    let pki = pki();
    let (_s, port) = tls_server(&pki, "no");
    for host in ["localhost", "127.0.0.1"] {
        let mut db = Client::open(&format!("rediss://{host}:{port}/1?ca={}", pki.ca.display())).await.unwrap();
        assert_eq!(db.connection().await.unwrap().transport(), "tls");
        db.set("k", "over tls").await.unwrap();
        assert_eq!(db.get("k").await.unwrap(), Some("over tls".into()));
        // A big value crosses many TLS records.
        let big = "x".repeat(1 << 20);
        db.set("big", &big).await.unwrap();
        assert_eq!(db.get("big").await.unwrap().map(|v| v.len()), Some(1 << 20));
    }
    // RESP3 over TLS.
    let mut db = Client::open(&format!("rediss://localhost:{port}?protocol=3&ca={}", pki.ca.display())).await.unwrap();
    assert_eq!(db.hset("h", "f", "v").await.unwrap(), 1);
    assert_eq!(db.hgetall("h").await.unwrap()["f"], "v");
}

#[tokio::test]
async fn rediss_refuses_an_untrusted_server_and_needs_a_ca() {
    let pki = pki();
    let (_s, port) = tls_server(&pki, "no");
    match Client::open(&format!("rediss://localhost:{port}?ca={}", pki.other_ca.display())).await {
        Err(Error::Io(e)) => assert!(e.to_string().contains("certificate"), "{e}"),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("trusted a certificate from another CA"),
    }
    assert!(matches!(Client::open(&format!("rediss://localhost:{port}")).await, Err(Error::Tls(_))));
}

#[tokio::test]
async fn rediss_with_a_client_certificate() {
    let pki = pki();
    let (_s, port) = tls_server(&pki, "yes");
    let mut o = ConnectOptions::from_url(&format!("rediss://localhost:{port}")).unwrap();
    o.tls_ca_file = Some(pki.ca.clone());
    o.tls_cert_file = Some(pki.client_cert.clone());
    o.tls_key_file = Some(pki.client_key.clone());
    let mut db = Client::connect(o.clone()).await.unwrap();
    assert_eq!(db.ping().await.unwrap(), "PONG");
    // Without the client certificate the server refuses the handshake.
    o.tls_cert_file = None;
    o.tls_key_file = None;
    let r = async { Client::connect(o).await?.ping().await }.await;
    assert!(matches!(r, Err(Error::Io(_))), "{r:?}");
}

//! TLS against the real binary: redis-cli, the `redis` crate's rustls feature and a
//! plain rustls client; certificates made by each test (rcgen): a CA, server and client
//! certificates it signs, a second CA, and expired, wrong-host and self-signed server
//! certificates.

mod common;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{encode, free_port, read_reply, Server, R};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SerialNumber};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned, SupportedProtocolVersion};

/// A certificate and its key, as PEM text and as files.
struct Issued {
    cert: PathBuf,
    key: PathBuf,
    cert_pem: String,
    key_pem: String,
    der: Vec<u8>,
}

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
    issued: Issued,
}

fn write(dir: &Path, name: &str, cert_pem: String, key_pem: String, der: Vec<u8>) -> Issued {
    let (cert, key) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, &key_pem).unwrap();
    Issued { cert, key, cert_pem, key_pem, der }
}

fn make_ca(dir: &Path, name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, format!("DiskDB test {name}"));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let cert = p.self_signed(&key).unwrap();
    let issued = write(dir, name, cert.pem(), key.serialize_pem(), cert.der().to_vec());
    Ca { cert, key, issued }
}

/// A leaf certificate for `names`, signed by `ca` (self-signed without one).
fn leaf(dir: &Path, name: &str, ca: Option<&Ca>, names: &[&str], serial: u64, client: bool, expired: bool) -> Issued {
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.serial_number = Some(SerialNumber::from(serial));
    p.extended_key_usages = vec![if client { ExtendedKeyUsagePurpose::ClientAuth } else { ExtendedKeyUsagePurpose::ServerAuth }];
    if expired {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let cert = match ca {
        Some(ca) => p.signed_by(&key, &ca.cert, &ca.key).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    write(dir, name, cert.pem(), key.serialize_pem(), cert.der().to_vec())
}

/// Every certificate a test needs, in a temporary directory.
struct Pki {
    dir: tempfile::TempDir,
    ca: Ca,
    server: Issued,
    server2: Issued,
    client: Issued,
    other_ca: Ca,
    other_client: Issued,
    expired: Issued,
    wrong_host: Issued,
    self_signed: Issued,
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca = make_ca(d, "ca");
    let other_ca = make_ca(d, "other-ca");
    let host = &["localhost", "127.0.0.1"][..];
    Pki {
        server: leaf(d, "server", Some(&ca), host, 1001, false, false),
        server2: leaf(d, "server2", Some(&ca), host, 1002, false, false),
        client: leaf(d, "client", Some(&ca), &[], 2001, true, false),
        other_client: leaf(d, "other-client", Some(&other_ca), &[], 2002, true, false),
        expired: leaf(d, "expired", Some(&ca), host, 3001, false, true),
        wrong_host: leaf(d, "wrong-host", Some(&ca), &["db.example.com"], 3002, false, false),
        self_signed: leaf(d, "self-signed", None, host, 3003, false, false),
        ca,
        other_ca,
        dir,
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A server with TLS on a free port beside plain TCP; `auth` is tls-auth-clients.
fn tls_server(pki: &Pki, auth: &str, extra: &[&str]) -> (Server, u16) {
    let port = free_port();
    let port_s = port.to_string();
    let mut args = vec![
        "--tls-port",
        &port_s,
        "--tls-cert-file",
        p(&pki.server.cert),
        "--tls-key-file",
        p(&pki.server.key),
        "--tls-ca-cert-file",
        p(&pki.ca.issued.cert),
        "--tls-auth-clients",
        auth,
    ];
    args.extend_from_slice(extra);
    (Server::start_with(&args), port)
}

fn roots(ca_pem: &str) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    roots
}

/// A rustls client configuration trusting `ca`, with a client certificate if given.
fn client_config(ca: &Issued, client: Option<&Issued>, versions: &[&'static SupportedProtocolVersion]) -> Arc<ClientConfig> {
    let b = ClientConfig::builder_with_protocol_versions(versions).with_root_certificates(roots(&ca.cert_pem));
    Arc::new(match client {
        Some(c) => {
            let chain = CertificateDer::pem_slice_iter(c.cert_pem.as_bytes()).map(|c| c.unwrap()).collect();
            b.with_client_auth_cert(chain, PrivateKeyDer::from_pem_slice(c.key_pem.as_bytes()).unwrap()).unwrap()
        }
        None => b.with_no_client_auth(),
    })
}

const BOTH: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];

/// A TLS connection speaking RESP.
struct Tls {
    reader: BufReader<StreamOwned<ClientConnection, TcpStream>>,
}

impl Tls {
    /// Connects and completes the handshake (as far as the client sees it: in TLS 1.3
    /// the server may still refuse the client's certificate on the first read).
    fn connect(port: u16, config: Arc<ClientConfig>, host: &str) -> std::io::Result<Tls> {
        let mut tcp = TcpStream::connect(("127.0.0.1", port))?;
        tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
        let name = ServerName::try_from(host.to_string()).unwrap();
        let mut conn = ClientConnection::new(config, name).map_err(std::io::Error::other)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        Ok(Tls { reader: BufReader::new(StreamOwned::new(conn, tcp)) })
    }

    fn cmd(&mut self, args: &[&str]) -> std::io::Result<R> {
        let s = self.reader.get_mut();
        s.write_all(&encode(args))?;
        s.flush()?;
        read_reply(&mut self.reader)
    }

    fn conn(&self) -> &ClientConnection {
        &self.reader.get_ref().conn
    }

    /// The certificate the server presented.
    fn peer_cert(&self) -> Vec<u8> {
        self.conn().peer_certificates().unwrap()[0].to_vec()
    }
}

/// Connects and PINGs: Ok if the server answered PONG, the error otherwise.
fn ping(port: u16, config: Arc<ClientConfig>, host: &str) -> Result<Tls, String> {
    let mut c = Tls::connect(port, config, host).map_err(|e| e.to_string())?;
    match c.cmd(&["PING"]) {
        Ok(R::Status(s)) if s == "PONG" => Ok(c),
        other => Err(format!("{other:?}")),
    }
}

fn redis_cli(port: u16, args: &[&str]) -> (bool, String) {
    let out = Command::new("redis-cli").args(["-h", "127.0.0.1", "-p", &port.to_string(), "--tls"]).args(args).output().expect("redis-cli");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn redis_cli_tls_with_cacert_and_client_certificate() {
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &[]);
    let ca = p(&pki.ca.issued.cert);
    let (_, out) = redis_cli(port, &["--cacert", ca, "--cert", p(&pki.client.cert), "--key", p(&pki.client.key), "SET", "k", "over-tls"]);
    assert_eq!(out.trim(), "OK");
    // The same key through plain TCP: one server, two transports.
    assert_eq!(server.cli(&["GET", "k"]).trim(), "over-tls");
    // tls-auth-clients yes: no client certificate, no answer.
    let (_, out) = redis_cli(port, &["--cacert", ca, "PING"]);
    assert!(!out.contains("PONG"), "{out}");
    // A client certificate from another CA is refused too.
    let (_, out) = redis_cli(port, &["--cacert", ca, "--cert", p(&pki.other_client.cert), "--key", p(&pki.other_client.key), "PING"]);
    assert!(!out.contains("PONG"), "{out}");
    // redis-cli checks the server's certificate against --cacert.
    let (_, out) = redis_cli(port, &["--cacert", p(&pki.other_ca.issued.cert), "--cert", p(&pki.client.cert), "--key", p(&pki.client.key), "PING"]);
    assert!(!out.contains("PONG"), "{out}");
}

#[test]
fn mutual_tls_accepts_ca_signed_clients_and_refuses_others() {
    let pki = pki();
    let (_server, port) = tls_server(&pki, "yes", &[]);
    for versions in [&[&rustls::version::TLS13][..], &[&rustls::version::TLS12][..]] {
        ping(port, client_config(&pki.ca.issued, Some(&pki.client), versions), "localhost").expect("CA-signed client");
        assert!(ping(port, client_config(&pki.ca.issued, None, versions), "localhost").is_err(), "no client certificate");
        assert!(
            ping(port, client_config(&pki.ca.issued, Some(&pki.other_client), versions), "localhost").is_err(),
            "client certificate from another CA"
        );
    }
}

#[test]
fn optional_client_certificates_are_checked_when_sent() {
    let pki = pki();
    let (_server, port) = tls_server(&pki, "optional", &[]);
    ping(port, client_config(&pki.ca.issued, None, BOTH), "localhost").expect("no certificate is fine");
    ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").expect("a good one too");
    assert!(ping(port, client_config(&pki.ca.issued, Some(&pki.other_client), BOTH), "localhost").is_err());
}

#[test]
fn a_ca_directory_serves_as_well_as_a_ca_file() {
    let pki = pki();
    let cas = pki.dir.path().join("cas");
    std::fs::create_dir(&cas).unwrap();
    std::fs::copy(&pki.other_ca.issued.cert, cas.join("other.pem")).unwrap();
    std::fs::write(cas.join("README"), "not a certificate").unwrap();
    let port = free_port();
    let port_s = port.to_string();
    let _server = Server::start_with(&[
        "--tls-port",
        &port_s,
        "--tls-cert-file",
        p(&pki.server.cert),
        "--tls-key-file",
        p(&pki.server.key),
        "--tls-ca-cert-dir",
        p(&cas),
    ]);
    ping(port, client_config(&pki.ca.issued, Some(&pki.other_client), BOTH), "localhost").expect("a client of the directory's CA");
    assert!(ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").is_err());
}

#[test]
fn tls_auth_clients_no_needs_no_ca() {
    let pki = pki();
    let port = free_port();
    let port_s = port.to_string();
    let _server = Server::start_with(&[
        "--tls-port",
        &port_s,
        "--tls-cert-file",
        p(&pki.server.cert),
        "--tls-key-file",
        p(&pki.server.key),
        "--tls-auth-clients",
        "no",
    ]);
    let mut c = ping(port, client_config(&pki.ca.issued, None, BOTH), "127.0.0.1").unwrap();
    assert_eq!(c.cmd(&["ECHO", "hi"]).unwrap(), R::bulk("hi"));
    let (_, out) = redis_cli(port, &["--cacert", p(&pki.ca.issued.cert), "ECHO", "cli"]);
    assert_eq!(out.trim(), "cli");
}

#[test]
fn large_values_and_pipelines_cross_tls_intact() {
    let pki = pki();
    let (_server, port) = tls_server(&pki, "yes", &[]);
    let mut c = ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").unwrap();
    // Several TLS records each way, and a reply larger than the socket takes at once.
    let big: String = (0..6_000_000u32).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    assert_eq!(c.cmd(&["SET", "big", &big]).unwrap(), R::ok());
    assert_eq!(c.cmd(&["GET", "big"]).unwrap(), R::bulk(&big));
    // 1,000 pipelined commands in one write.
    let mut batch = Vec::new();
    for _ in 0..1000 {
        batch.extend(encode(&["INCR", "n"]));
    }
    let s = c.reader.get_mut();
    s.write_all(&batch).unwrap();
    s.flush().unwrap();
    for i in 1..=1000 {
        assert_eq!(read_reply(&mut c.reader).unwrap(), R::Int(i));
    }
}

#[test]
fn session_caching_resumes_sessions_and_can_be_turned_off() {
    use rustls::HandshakeKind;
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &[]);
    for versions in [&[&rustls::version::TLS13][..], &[&rustls::version::TLS12][..]] {
        // One client configuration keeps its sessions: the second connection resumes.
        let config = client_config(&pki.ca.issued, Some(&pki.client), versions);
        let first = ping(port, config.clone(), "localhost").unwrap();
        assert_eq!(first.conn().handshake_kind(), Some(HandshakeKind::Full));
        let second = ping(port, config, "localhost").unwrap();
        assert_eq!(second.conn().handshake_kind(), Some(HandshakeKind::Resumed), "{versions:?}");
    }
    assert_eq!(server.raw().cmd(&["CONFIG", "SET", "tls-session-caching", "no"]), R::ok());
    for versions in [&[&rustls::version::TLS13][..], &[&rustls::version::TLS12][..]] {
        let config = client_config(&pki.ca.issued, Some(&pki.client), versions);
        ping(port, config.clone(), "localhost").unwrap();
        let again = ping(port, config, "localhost").unwrap();
        assert_eq!(again.conn().handshake_kind(), Some(HandshakeKind::Full), "{versions:?}");
    }
}

/// The `redis` crate with its rustls feature, verifying the server against our CA.
async fn redis_crate(port: u16, pki: &Pki, host: &str, client: bool) -> redis::RedisResult<String> {
    let certs = redis::TlsCertificates {
        client_tls: client.then(|| redis::ClientTlsConfig {
            client_cert: pki.client.cert_pem.clone().into_bytes(),
            client_key: pki.client.key_pem.clone().into_bytes(),
        }),
        root_cert: Some(pki.ca.issued.cert_pem.clone().into_bytes()),
    };
    let client = redis::Client::build_with_tls(format!("rediss://{host}:{port}/"), certs)?;
    let mut con = client.get_multiplexed_async_connection().await?;
    redis::cmd("SET").arg("crate").arg("rustls").query_async::<()>(&mut con).await?;
    redis::cmd("GET").arg("crate").query_async(&mut con).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_crate_rustls_verifies_the_server_certificate() {
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &[]);
    assert_eq!(redis_crate(port, &pki, "localhost", true).await.unwrap(), "rustls");
    assert!(redis_crate(port, &pki, "localhost", false).await.is_err(), "no client certificate");
    // Expired, wrong-host and self-signed server certificates: loaded by CONFIG SET,
    // refused by the client.
    let mut plain = server.raw();
    for bad in [&pki.expired, &pki.wrong_host, &pki.self_signed] {
        let reply = plain.cmd(&["CONFIG", "SET", "tls-cert-file", p(&bad.cert), "tls-key-file", p(&bad.key)]);
        assert_eq!(reply, R::ok());
        let err = redis_crate(port, &pki, "localhost", true).await.expect_err("a bad server certificate");
        assert!(err.to_string().to_lowercase().contains("certificate") || err.is_io_error(), "{err}");
        assert!(ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").is_err());
    }
    assert_eq!(plain.cmd(&["CONFIG", "SET", "tls-cert-file", p(&pki.server.cert), "tls-key-file", p(&pki.server.key)]), R::ok());
    assert_eq!(redis_crate(port, &pki, "localhost", true).await.unwrap(), "rustls");
}

#[test]
fn config_set_reloads_certificates_and_keeps_open_connections() {
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &[]);
    let config = client_config(&pki.ca.issued, Some(&pki.client), BOTH);
    let mut old = ping(port, config.clone(), "localhost").unwrap();
    assert_eq!(old.peer_cert(), pki.server.der);

    let mut plain = server.raw();
    assert_eq!(plain.cmd(&["CONFIG", "SET", "tls-cert-file", p(&pki.server2.cert), "tls-key-file", p(&pki.server2.key)]), R::ok());
    assert_eq!(plain.cmd(&["CONFIG", "GET", "tls-cert-file"]), common::bulks(&["tls-cert-file", p(&pki.server2.cert)]));
    // The open connection goes on; a new one is served the new certificate.
    assert_eq!(old.cmd(&["SET", "a", "1"]).unwrap(), R::ok());
    let new = ping(port, config.clone(), "localhost").unwrap();
    assert_eq!(new.peer_cert(), pki.server2.der);

    // A file that cannot be loaded fails the CONFIG SET with Redis's text, and changes
    // nothing.
    let missing = pki.dir.path().join("missing.crt");
    assert_eq!(
        plain.cmd(&["CONFIG", "SET", "tls-cert-file", p(&missing)]),
        R::err("ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.")
    );
    // A certificate with another certificate's key.
    assert_eq!(
        plain.cmd(&["CONFIG", "SET", "tls-key-file", p(&pki.server.key)]),
        R::err("ERR CONFIG SET failed (possibly related to argument 'tls-key-file') - Unable to update TLS configuration. Check server logs.")
    );
    assert_eq!(plain.cmd(&["CONFIG", "GET", "tls-cert-file"]), common::bulks(&["tls-cert-file", p(&pki.server2.cert)]));
    assert_eq!(ping(port, config.clone(), "localhost").unwrap().peer_cert(), pki.server2.der);
    assert_eq!(old.cmd(&["GET", "a"]).unwrap(), R::bulk("1"));

    // The CA can change too: clients of the other CA get in, ours no longer.
    assert_eq!(plain.cmd(&["CONFIG", "SET", "tls-ca-cert-file", p(&pki.other_ca.issued.cert)]), R::ok());
    ping(port, client_config(&pki.ca.issued, Some(&pki.other_client), BOTH), "localhost").expect("the new CA's client");
    assert!(ping(port, config, "localhost").is_err());
    // The TLS port cannot move while running.
    let other = free_port().to_string();
    assert!(matches!(plain.cmd(&["CONFIG", "SET", "tls-port", &other]), R::Error(e) if e.contains("'tls-port'")));
}

#[test]
fn a_silent_client_never_stalls_others_and_is_dropped_after_the_handshake_timeout() {
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &["--tls-handshake-timeout", "300"]);
    let config = client_config(&pki.ca.issued, Some(&pki.client), BOTH);
    // Several clients connect to the TLS port and send nothing.
    let mut silent: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    // Meanwhile others are served, over TLS and TCP.
    for _ in 0..3 {
        ping(port, config.clone(), "localhost").expect("served while others are silent");
        assert_eq!(server.cli(&["PING"]).trim(), "PONG");
    }
    // The silent ones are closed by the server: EOF (or a reset), not a read timeout.
    for s in &mut silent {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => panic!("expected the server to close the connection: {other:?}"),
        }
    }
    let failures: u64 = server.info_field("stats", "tls_handshake_failures").unwrap().parse().unwrap();
    assert!(failures >= 4, "{failures}");
}

#[test]
fn a_handshake_in_garbage_is_counted_and_logged_and_the_server_goes_on() {
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &[]);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(!String::from_utf8_lossy(&rest).contains("PONG"));
    assert!(common::wait_until(Duration::from_secs(10), || server.info_field("stats", "tls_handshake_failures").as_deref() == Some("1")));
    ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").unwrap();
}

#[test]
fn client_list_shows_tls_clients_like_tcp_ones() {
    let pki = pki();
    let (_server, port) = tls_server(&pki, "yes", &[]);
    let mut c = ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").unwrap();
    let local = c.reader.get_ref().sock.local_addr().unwrap().to_string();
    let R::Bulk(list) = c.cmd(&["CLIENT", "LIST"]).unwrap() else { panic!() };
    let list = String::from_utf8(list).unwrap();
    let line = list.lines().find(|l| l.contains(&format!("addr={local} "))).unwrap_or_else(|| panic!("{list}"));
    assert!(line.contains(&format!(" laddr=127.0.0.1:{port} ")), "{line}");
    assert!(line.contains(" flags=N "), "{line}");
}

#[test]
fn protocols_restrict_the_tls_version() {
    let pki = pki();
    let (server, port) = tls_server(&pki, "yes", &["--tls-protocols", "TLSv1.2"]);
    let only13 = client_config(&pki.ca.issued, Some(&pki.client), &[&rustls::version::TLS13]);
    let only12 = client_config(&pki.ca.issued, Some(&pki.client), &[&rustls::version::TLS12]);
    let both = client_config(&pki.ca.issued, Some(&pki.client), BOTH);
    assert!(ping(port, only13.clone(), "localhost").is_err());
    ping(port, only12.clone(), "localhost").unwrap();
    assert_eq!(ping(port, both.clone(), "localhost").unwrap().conn().protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));

    let mut plain = server.raw();
    assert_eq!(plain.cmd(&["CONFIG", "SET", "tls-protocols", "TLSv1.3"]), R::ok());
    assert!(ping(port, only12.clone(), "localhost").is_err());
    assert_eq!(ping(port, both.clone(), "localhost").unwrap().conn().protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));

    // TLS 1.2 suites by OpenSSL name; an unknown name is refused.
    assert_eq!(plain.cmd(&["CONFIG", "SET", "tls-protocols", "TLSv1.2", "tls-ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305"]), R::ok());
    let c = ping(port, both.clone(), "localhost").unwrap();
    assert_eq!(c.conn().negotiated_cipher_suite().unwrap().suite(), rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    assert!(matches!(plain.cmd(&["CONFIG", "SET", "tls-ciphers", "RC4-MD5"]), R::Error(e) if e.contains("Unable to update TLS configuration")));
    assert!(matches!(plain.cmd(&["CONFIG", "SET", "tls-protocols", "TLSv1.1"]), R::Error(e) if e.contains("'tls-protocols'")));
    // TLS 1.3 suites by IANA name.
    assert_eq!(plain.cmd(&["CONFIG", "SET", "tls-protocols", "TLSv1.3", "tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"]), R::ok());
    let c = ping(port, both, "localhost").unwrap();
    assert_eq!(c.conn().negotiated_cipher_suite().unwrap().suite(), rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
}

/// Runs the binary with `args` until it exits (it must, within a minute).
fn run_to_exit(args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(common::binary())
        .args(["--port", "0", "--dir"])
        .arg(dir.path().join("data"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
            child.stderr.take().unwrap().read_to_string(&mut out).unwrap();
            return (status.code().unwrap_or(-1), out);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("diskdb did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_bad_certificate_or_key_at_start_up_is_an_error_naming_the_file() {
    let pki = pki();
    let bad_key = pki.dir.path().join("bad.key");
    std::fs::write(&bad_key, "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n").unwrap();
    let port = free_port().to_string();
    let base = |cert: &Path, key: &Path| {
        run_to_exit(&["--tls-port", &port, "--tls-cert-file", p(cert), "--tls-key-file", p(key), "--tls-ca-cert-file", p(&pki.ca.issued.cert)])
    };
    let (code, out) = base(&pki.server.cert, &bad_key);
    assert_ne!(code, 0);
    assert!(out.contains(p(&bad_key)), "{out}");
    // A certificate file holding a key, and a key that is not the certificate's.
    let (code, out) = base(&pki.server.key, &pki.server.key);
    assert_ne!(code, 0);
    assert!(out.contains(p(&pki.server.key)), "{out}");
    let (code, out) = base(&pki.server.cert, &pki.server2.key);
    assert_ne!(code, 0);
    assert!(out.contains(p(&pki.server2.key)), "{out}");
    let missing = pki.dir.path().join("nope.crt");
    let (code, out) = base(&missing, &pki.server.key);
    assert_ne!(code, 0);
    assert!(out.contains(p(&missing)), "{out}");
    // tls-auth-clients yes (the default) without a CA: Redis's message.
    let (code, out) = run_to_exit(&["--tls-port", &port, "--tls-cert-file", p(&pki.server.cert), "--tls-key-file", p(&pki.server.key)]);
    assert_ne!(code, 0);
    assert!(out.contains("tls-ca-cert-file or tls-ca-cert-dir"), "{out}");
}

/// Waits until a TLS PING on `port` answers, or the child exits.
fn wait_tls(child: &mut std::process::Child, port: u16, config: Arc<ClientConfig>) -> Tls {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(c) = ping(port, config.clone(), "localhost") {
            return c;
        }
        assert!(child.try_wait().unwrap().is_none(), "diskdb exited");
        assert!(std::time::Instant::now() < deadline, "diskdb did not become ready");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn port_0_leaves_only_tls_and_the_unix_socket() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let sock = dir.path().join("diskdb.sock");
    let mut child = Command::new(common::binary())
        .args(["--port", "0", "--loglevel", "warning", "--dir"])
        .arg(dir.path().join("data"))
        .args(["--unixsocket", p(&sock), "--tls-port", &port.to_string()])
        .args(["--tls-cert-file", p(&pki.server.cert), "--tls-key-file", p(&pki.server.key), "--tls-ca-cert-file", p(&pki.ca.issued.cert)])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut c = wait_tls(&mut child, port, client_config(&pki.ca.issued, Some(&pki.client), BOTH));
    let R::Bulk(info) = c.cmd(&["INFO", "server"]).unwrap() else { panic!() };
    assert!(String::from_utf8_lossy(&info).contains("tcp_port:0\r\n"));
    assert_eq!(c.cmd(&["SET", "via", "tls"]).unwrap(), R::ok());
    let out = Command::new("redis-cli").args(["-s", p(&sock), "GET", "via"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "tls");
    assert_eq!(c.cmd(&["SHUTDOWN"]).ok(), None, "the connection closes");
    assert!(child.wait().unwrap().success());
}

#[test]
fn an_encrypted_pkcs8_key_opens_with_tls_key_file_pass() {
    let pki = pki();
    let enc = pki.dir.path().join("server-enc.key");
    let status = Command::new("openssl")
        .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:s3cret", "-in", p(&pki.server.key), "-out", p(&enc)])
        .status();
    if !status.map(|s| s.success()).unwrap_or(false) {
        eprintln!("openssl is not installed: skipping the encrypted key test");
        return;
    }
    let port = free_port();
    let port_s = port.to_string();
    let common_args = ["--tls-port", &port_s, "--tls-cert-file", p(&pki.server.cert), "--tls-key-file", p(&enc), "--tls-ca-cert-file", p(&pki.ca.issued.cert)];
    let (code, out) = run_to_exit(&common_args);
    assert_ne!(code, 0);
    assert!(out.contains(p(&enc)) && out.contains("tls-key-file-pass"), "{out}");
    let mut wrong = common_args.to_vec();
    wrong.extend(["--tls-key-file-pass", "Wr0ngPa55"]);
    let (code, out) = run_to_exit(&wrong);
    assert_ne!(code, 0);
    assert!(out.contains(p(&enc)), "{out}");
    assert!(!out.contains("Wr0ngPa55"), "the password is never printed: {out}");
    let mut args = common_args.to_vec();
    args.extend(["--tls-key-file-pass", "s3cret"]);
    let _server = Server::start_with(&args);
    let c = ping(port, client_config(&pki.ca.issued, Some(&pki.client), BOTH), "localhost").unwrap();
    assert_eq!(c.peer_cert(), pki.server.der);
}

#[test]
fn only_auth_hello_quit_and_reset_answer_before_auth_over_tls() {
    let pki = pki();
    let (_server, port) = tls_server(&pki, "no", &["--requirepass", "pw"]);
    let mut c = Tls::connect(port, client_config(&pki.ca.issued, None, BOTH), "localhost").unwrap();
    for cmd in [&["GET", "k"][..], &["PING"], &["ACL", "WHOAMI"], &["CLIENT", "ID"], &["SUBSCRIBE", "c"], &["CONFIG", "GET", "port"]] {
        assert_eq!(c.cmd(cmd).unwrap(), R::err("NOAUTH Authentication required."), "{cmd:?}");
    }
    assert_eq!(c.cmd(&["RESET"]).unwrap(), R::Status("RESET".into()));
    assert!(matches!(c.cmd(&["HELLO", "3"]).unwrap(), R::Error(e) if e.starts_with("NOAUTH HELLO must be called")));
    assert_eq!(c.cmd(&["AUTH", "pw"]).unwrap(), R::ok());
    assert_eq!(c.cmd(&["PING"]).unwrap(), R::Status("PONG".into()));
    assert_eq!(c.cmd(&["QUIT"]).unwrap(), R::ok());
}

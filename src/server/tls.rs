//! TLS: the server context built from Redis's `tls-*` directives, its reload on CONFIG
//! SET, the TLS listener and the stream a TLS client is served over.
//!
//! rustls with the `ring` provider; no OpenSSL. The context (certificate, key, client
//! verifier, protocols, cipher suites, session cache) is built once at start-up, where a
//! bad file is an error naming it, and again on every CONFIG SET of a `tls-*` parameter
//! (as Redis reloads its whole SSL_CTX): new handshakes take the new context, connections
//! already established keep theirs, and a context that fails to build leaves the old one
//! in place and fails the CONFIG SET with Redis's error.
//!
//! The accept loop only accepts the TCP connection: the handshake runs in the
//! connection's own task, on its first read ([`TlsConn`]), bounded by
//! `tls-handshake-timeout`, so a client that connects and sends nothing, or a slow or
//! failing handshake, never delays another client. Failures are counted
//! (`tls_handshake_failures` in INFO stats, DiskDB's own field) and logged: every one at
//! debug level, at most one warning per [`WARN_EVERY_MS`].

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::BytesMut;
use parking_lot::RwLock;
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache, WebPkiClientVerifier};
use rustls::{RootCertStore, ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::connection::{make_room, Stream};
use super::listen::{set_keepalive, Accepted, Listener};
use crate::commands::ServerState;
use crate::config::Config;

/// Redis's reason when a TLS context cannot be (re)built by CONFIG SET.
pub const UPDATE_FAILED: &str = "Unable to update TLS configuration. Check server logs.";
/// The parameters whose change rebuilds the context, in the order a CONFIG SET refusal
/// names the first changed one.
const CONTEXT_PARAMS: &[&str] = &[
    "tls-cert-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
    "tls-auth-clients",
    "tls-protocols",
    "tls-ciphers",
    "tls-ciphersuites",
    "tls-prefer-server-ciphers",
    "tls-session-caching",
    "tls-session-cache-size",
];
/// Bytes an idle TLS connection reads into its stack before it allocates: the buffer
/// lives in the connection's task for as long as it waits (a socket's is only there once
/// data has arrived), so it is small; a longer request takes one more read, from
/// rustls's plaintext buffer, not the socket.
const FIRST_READ: usize = 512;
/// At most one warning about failed handshakes per this many milliseconds.
pub const WARN_EVERY_MS: i64 = 10_000;
/// The most sessions the cache holds whatever `tls-session-cache-size` says (rustls
/// allocates the cache's table up front; 0, "no limit" for OpenSSL, means this).
const MAX_SESSION_CACHE: usize = 1 << 20;

/// A directive's current value, as CONFIG GET prints it.
fn param(c: &Config, name: &str) -> String {
    crate::config::directive(name).map(|d| c.value_of(d)).unwrap_or_default()
}

/// `tls-port`: 0 is no TLS listener.
pub fn port(c: &Config) -> u16 {
    param(c, "tls-port").parse().unwrap_or(0)
}

/// `tls-handshake-timeout` (milliseconds; 0: none).
fn handshake_timeout(c: &Config) -> Option<Duration> {
    let ms: u64 = param(c, "tls-handshake-timeout").parse().unwrap_or(10_000);
    (ms > 0).then(|| Duration::from_millis(ms))
}

/// The live TLS context: what new handshakes use. Shared by the TLS listeners and the
/// CONFIG SET hook.
#[derive(Default)]
pub struct Context {
    acceptor: RwLock<Option<TlsAcceptor>>,
    timeout: RwLock<Option<Duration>>,
}

impl Context {
    /// The context for `config`: empty when `tls-port` is 0; an error naming the file
    /// or setting at fault otherwise.
    pub fn start(config: &Config) -> Result<Arc<Context>, String> {
        let ctx = Arc::new(Context::default());
        if port(config) != 0 {
            *ctx.acceptor.write() = Some(TlsAcceptor::from(build(config)?));
        }
        *ctx.timeout.write() = handshake_timeout(config);
        Ok(ctx)
    }

    /// CONFIG SET: rebuilds the context when a `tls-*` file or setting changed and TLS
    /// is on. On a failure the old context stays and the refusal names the first
    /// changed parameter with Redis's reason.
    pub fn reconfigure(&self, old: &Config, new: &Config) -> Result<(), (&'static str, String)> {
        if port(old) != port(new) {
            return Err(("tls-port", "DiskDB cannot change this while running: set it in the config file and restart".into()));
        }
        let changed = CONTEXT_PARAMS.iter().find(|p| param(old, p) != param(new, p));
        let Some(changed) = changed.filter(|_| port(new) != 0) else {
            *self.timeout.write() = handshake_timeout(new);
            return Ok(());
        };
        match build(new) {
            Ok(config) => {
                *self.acceptor.write() = Some(TlsAcceptor::from(config));
                *self.timeout.write() = handshake_timeout(new);
                tracing::info!("TLS configuration reloaded");
                Ok(())
            }
            Err(e) => {
                tracing::warn!("Failed applying new configuration. Possibly related to new {changed} setting: {e}");
                Err((changed, UPDATE_FAILED.into()))
            }
        }
    }

    fn acceptor(&self) -> Option<TlsAcceptor> {
        self.acceptor.read().clone()
    }
}

/// Builds a rustls server configuration from the `tls-*` parameters, as Redis's
/// `tlsConfigure` does; the error names the file or parameter at fault.
pub fn build(c: &Config) -> Result<Arc<ServerConfig>, String> {
    let cert_file = param(c, "tls-cert-file");
    let key_file = param(c, "tls-key-file");
    if cert_file.is_empty() {
        return Err("No tls-cert-file configured!".into());
    }
    if key_file.is_empty() {
        return Err("No tls-key-file configured!".into());
    }
    let chain = load_certs(Path::new(&cert_file))?;
    let key = load_key(Path::new(&key_file), &param(c, "tls-key-file-pass"))?;

    let mut provider = ring_provider();
    provider.cipher_suites = cipher_suites(&param(c, "tls-ciphers"), &param(c, "tls-ciphersuites"))?;
    let versions = protocols(&param(c, "tls-protocols"))?;
    let provider = Arc::new(provider);
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| format!("tls-protocols, tls-ciphers and tls-ciphersuites leave nothing to negotiate: {e}"))?;

    let ca_file = param(c, "tls-ca-cert-file");
    let ca_dir = param(c, "tls-ca-cert-dir");
    let auth = param(c, "tls-auth-clients");
    let builder = if auth == "no" {
        builder.with_no_client_auth()
    } else {
        if ca_file.is_empty() && ca_dir.is_empty() {
            // Redis's text (DiskDB has no tls-cluster nor tls-replication to enable).
            return Err("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!".into());
        }
        let roots = load_roots(&ca_file, &ca_dir)?;
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
        let verifier = if auth == "optional" { verifier.allow_unauthenticated() } else { verifier };
        builder.with_client_cert_verifier(verifier.build().map_err(|e| format!("client certificate verifier: {e}"))?)
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| format!("{cert_file} and {key_file} do not make a certificate and its key: {e}"))?;
    config.ignore_client_order = param(c, "tls-prefer-server-ciphers") == "yes";
    if param(c, "tls-session-caching") == "yes" {
        let size: usize = param(c, "tls-session-cache-size").parse().unwrap_or(20480);
        let size = if size == 0 { MAX_SESSION_CACHE } else { size.min(MAX_SESSION_CACHE) };
        config.session_storage = ServerSessionMemoryCache::new(size);
    } else {
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    Ok(Arc::new(config))
}

/// rustls's `ring` provider. rustls 0.23.48 deprecated it because ring has no
/// post-quantum key exchange (X25519MLKEM768, which aws-lc-rs offers); DiskDB keeps it
/// so as not to compile AWS-LC's C with cmake. Clients negotiate X25519 or P-256/P-384.
#[allow(deprecated)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// Every certificate of a PEM file, in order (the server's first, then its chain).
fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let name = path.display();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read the certificate file {name}: {}", pem_error(e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot read the certificate file {name}: {}", pem_error(e)))?;
    if certs.is_empty() {
        return Err(format!("no certificate (BEGIN CERTIFICATE) in {name}"));
    }
    Ok(certs)
}

fn pem_error(e: rustls_pki_types::pem::Error) -> String {
    match e {
        rustls_pki_types::pem::Error::Io(e) => e.to_string(),
        e => format!("not valid PEM ({e})"),
    }
}

/// The private key of a PEM file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC); an encrypted
/// PKCS#8 key (`BEGIN ENCRYPTED PRIVATE KEY`) is decrypted with `pass`. OpenSSL's
/// legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`) is refused with how to convert.
fn load_key(path: &Path, pass: &str) -> Result<PrivateKeyDer<'static>, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the key file {name}: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(format!(
            "the key file {name} uses OpenSSL's legacy PEM encryption, which DiskDB does not read: \
             convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW`"
        ));
    }
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        if pass.is_empty() {
            return Err(format!("the key file {name} is encrypted: set tls-key-file-pass"));
        }
        let (_, doc) = pkcs8::der::Document::from_pem(&text).map_err(|e| format!("cannot read the key file {name}: {e}"))?;
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes())
            .map_err(|e| format!("cannot read the key file {name}: {e}"))?;
        let plain = info
            .decrypt(pass.as_bytes())
            .map_err(|e| format!("cannot decrypt the key file {name} with tls-key-file-pass: {e}"))?;
        return Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(plain.as_bytes().to_vec())));
    }
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => format!("no private key (BEGIN PRIVATE KEY) in {name}"),
        e => format!("cannot read the key file {name}: {}", pem_error(e)),
    })
}

/// The CA certificates client certificates are checked against: every certificate of
/// `file`, and of every file in `dir` (OpenSSL's hashed names or any other; files that
/// hold no certificate are skipped).
fn load_roots(file: &str, dir: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    let mut add = |path: &Path, strict: bool| -> Result<(), String> {
        let certs = match load_certs(path) {
            Ok(c) => c,
            Err(_) if !strict => return Ok(()),
            Err(e) => return Err(e),
        };
        for cert in certs {
            roots.add(cert).map_err(|e| format!("bad CA certificate in {}: {e}", path.display()))?;
        }
        Ok(())
    };
    if !file.is_empty() {
        add(Path::new(file), true)?;
    }
    if !dir.is_empty() {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read tls-ca-cert-dir {dir}: {e}"))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        paths.sort();
        for p in paths {
            add(&p, false)?;
        }
    }
    if roots.is_empty() {
        return Err(format!("no CA certificate in tls-ca-cert-file {file:?} nor tls-ca-cert-dir {dir:?}"));
    }
    Ok(roots)
}

/// `tls-protocols`: space-separated `TLSv1.2` / `TLSv1.3` (case-insensitive, as
/// Redis); empty is both. TLSv1 and TLSv1.1 are refused: rustls does not speak them.
fn protocols(value: &str) -> Result<Vec<&'static SupportedProtocolVersion>, String> {
    let mut versions = Vec::new();
    for word in value.split_ascii_whitespace() {
        let v = match word.to_ascii_lowercase().as_str() {
            "tlsv1.2" => &rustls::version::TLS12,
            "tlsv1.3" => &rustls::version::TLS13,
            "tlsv1" | "tlsv1.1" => return Err(format!("tls-protocols: {word} is not supported (only TLSv1.2 and TLSv1.3)")),
            _ => return Err(format!("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'. ({word})")),
        };
        if !versions.iter().any(|x: &&SupportedProtocolVersion| x.version == v.version) {
            versions.push(v);
        }
    }
    if versions.is_empty() {
        versions = vec![&rustls::version::TLS13, &rustls::version::TLS12];
    }
    Ok(versions)
}

/// The TLS 1.2 suites rustls has, by OpenSSL's names (what `tls-ciphers` lists).
const TLS12_NAMES: &[(&str, &str)] = &[
    ("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    ("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    ("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
];

/// OpenSSL cipher-string keywords that select every suite rustls offers (rustls has
/// only strong AEAD suites with forward secrecy, all of which these include).
const TLS12_ALL: &[&str] = &["DEFAULT", "ALL", "HIGH", "ECDHE", "EECDH", "AESGCM", "AEAD", "kEECDH", "kECDHE", "TLSv1.2", "SECURE"];

/// The suites of the ring provider left by `tls-ciphers` (TLS 1.2, an OpenSSL cipher
/// list) and `tls-ciphersuites` (TLS 1.3, `:`-separated IANA names); empty keeps all.
/// In `tls-ciphers`, names and keywords add, `!name` and `-name` remove; a name rustls
/// does not have is an error (only names of weaker suites, such as `aNULL` or `RC4`,
/// in a removal are accepted, as there is nothing to remove).
fn cipher_suites(ciphers: &str, ciphersuites: &str) -> Result<Vec<SupportedCipherSuite>, String> {
    let all = rustls::crypto::ring::ALL_CIPHER_SUITES;
    // rustls names TLS 1.3 suites TLS13_*; IANA and OpenSSL name them TLS_*.
    let name_of = |s: &SupportedCipherSuite| s.suite().as_str().unwrap_or_default().replacen("TLS13_", "TLS_", 1);
    let (tls13, tls12): (Vec<_>, Vec<_>) = all.iter().copied().partition(|s| matches!(s, SupportedCipherSuite::Tls13(_)));

    let mut chosen13 = Vec::new();
    if ciphersuites.trim().is_empty() {
        chosen13 = tls13.clone();
    } else {
        for word in ciphersuites.split(':').map(str::trim).filter(|w| !w.is_empty()) {
            let Some(s) = tls13.iter().find(|s| name_of(s).eq_ignore_ascii_case(word)) else {
                return Err(format!("tls-ciphersuites: unknown or unsupported TLS 1.3 suite {word} (DiskDB has {})", tls13.iter().map(name_of).collect::<Vec<_>>().join(":")));
            };
            if !chosen13.iter().any(|c: &SupportedCipherSuite| c.suite() == s.suite()) {
                chosen13.push(*s);
            }
        }
    }

    let mut chosen12: Vec<SupportedCipherSuite> = Vec::new();
    if ciphers.trim().is_empty() {
        chosen12 = tls12.clone();
    } else {
        let lookup = |word: &str| -> Option<Vec<SupportedCipherSuite>> {
            if TLS12_ALL.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                return Some(tls12.clone());
            }
            let iana = TLS12_NAMES.iter().find(|(o, i)| o.eq_ignore_ascii_case(word) || i.eq_ignore_ascii_case(word)).map(|(_, i)| *i)?;
            tls12.iter().find(|s| name_of(s) == iana).map(|s| vec![*s])
        };
        for word in ciphers.split([':', ' ', ',']).map(str::trim).filter(|w| !w.is_empty()) {
            if let Some(rest) = word.strip_prefix(['!', '-']) {
                if let Some(gone) = lookup(rest) {
                    chosen12.retain(|c| !gone.iter().any(|g| g.suite() == c.suite()));
                }
                continue;
            }
            let word = word.strip_prefix('+').unwrap_or(word);
            if word.starts_with("@") {
                continue; // @STRENGTH, @SECLEVEL=n: ordering and levels, nothing to select
            }
            let Some(found) = lookup(word) else {
                return Err(format!("tls-ciphers: unknown or unsupported cipher {word} (DiskDB has {})", TLS12_NAMES.iter().map(|(o, _)| *o).collect::<Vec<_>>().join(":")));
            };
            for s in found {
                if !chosen12.iter().any(|c| c.suite() == s.suite()) {
                    chosen12.push(s);
                }
            }
        }
    }
    chosen13.extend(chosen12);
    Ok(chosen13)
}

/// A TLS listening socket: accepts TCP only; the handshake is the connection's.
pub struct TlsListener {
    pub listener: TcpListener,
    pub state: Arc<ServerState>,
    pub context: Arc<Context>,
}

impl Listener for TlsListener {
    type Stream = TlsConn;
    // Redis has no flag for TLS clients: CLIENT LIST shows them as TCP ones.
    const FLAG: &'static str = "N";

    async fn accept(&self) -> io::Result<Accepted<TlsConn>> {
        loop {
            let (stream, peer) = self.listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let keepalive = self.state.config.read().tcp_keepalive;
            if let Err(e) = set_keepalive(&stream, keepalive) {
                tracing::debug!(error = %e, "cannot set TCP keepalive");
            }
            let Some(acceptor) = self.context.acceptor() else {
                continue; // cannot happen: the listener exists only with a context
            };
            let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
            let conn = TlsConn {
                fd: stream.as_raw_fd(),
                stage: Stage::Handshake { tcp: stream, acceptor, timeout: *self.context.timeout.read() },
                state: self.state.clone(),
                peer: peer.to_string(),
            };
            return Ok(Accepted { stream: conn, addr: peer.to_string(), laddr });
        }
    }
}

enum Stage {
    /// Accepted, handshake not yet run: it runs on the first read.
    Handshake { tcp: TcpStream, acceptor: TlsAcceptor, timeout: Option<Duration> },
    Ready(Box<TlsStream<TcpStream>>),
    /// The handshake failed or was abandoned.
    Closed,
}

/// A TLS client's stream. Its handshake runs in the connection's task on the first
/// read, so the accept loop never waits for it.
pub struct TlsConn {
    fd: RawFd,
    stage: Stage,
    state: Arc<ServerState>,
    peer: String,
}

/// When the last warning about a failed handshake was logged (Unix ms).
static LAST_WARN_MS: AtomicI64 = AtomicI64::new(0);

impl TlsConn {
    async fn handshake(&mut self) -> io::Result<()> {
        let Stage::Handshake { tcp, acceptor, timeout } = std::mem::replace(&mut self.stage, Stage::Closed) else {
            return Ok(());
        };
        let accept = acceptor.accept(tcp);
        let result = match timeout {
            Some(t) => tokio::time::timeout(t, accept).await.unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "handshake timed out"))),
            None => accept.await,
        };
        match result {
            Ok(s) => {
                self.stage = Stage::Ready(Box::new(s));
                Ok(())
            }
            Err(e) => {
                let failures = self.state.stats.tls_handshake_failures.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::debug!(peer = %self.peer, error = %e, "TLS handshake failed");
                let now = crate::types::now_ms();
                let last = LAST_WARN_MS.load(Ordering::Relaxed);
                if now - last >= WARN_EVERY_MS && LAST_WARN_MS.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
                    tracing::warn!(peer = %self.peer, error = %e, failures, "TLS handshake failed (further failures logged at debug level for {} s)", WARN_EVERY_MS / 1000);
                }
                Err(e)
            }
        }
    }

    fn ready(&mut self) -> io::Result<&mut TlsStream<TcpStream>> {
        match &mut self.stage {
            Stage::Ready(s) => Ok(s),
            _ => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

impl AsRawFd for TlsConn {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl AsyncRead for TlsConn {
    fn poll_read(self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().ready() {
            Ok(s) => Pin::new(s).poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for TlsConn {
    fn poll_write(self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut().ready() {
            Ok(s) => Pin::new(s).poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().ready() {
            Ok(s) => Pin::new(s).poll_flush(cx),
            Err(_) => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().ready() {
            Ok(s) => Pin::new(s).poll_shutdown(cx),
            Err(_) => Poll::Ready(Ok(())),
        }
    }
}

impl Stream for TlsConn {
    /// Runs the handshake first if it has not run. TLS may hold decrypted bytes the
    /// socket no longer shows, so an idle TLS connection waits in the TLS read itself
    /// (with a small stack buffer) rather than on socket readiness.
    async fn read_into(&mut self, input: &mut BytesMut) -> io::Result<usize> {
        if matches!(self.stage, Stage::Handshake { .. }) {
            self.handshake().await?;
        }
        let s = self.ready()?;
        if input.capacity() == 0 {
            let mut first = [0u8; FIRST_READ];
            let n = s.read(&mut first).await?;
            input.extend_from_slice(&first[..n]);
            Ok(n)
        } else {
            make_room(input);
            s.read_buf(input).await
        }
    }

    /// Nothing can be sent before the handshake (the max-clients refusal): the
    /// connection is closed without a reply, as a TLS client of Redis sees it.
    fn write_now(&self, _bytes: &[u8]) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(suites: &[SupportedCipherSuite]) -> Vec<String> {
        suites.iter().map(|s| s.suite().as_str().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn protocols_parse_redis_syntax() {
        assert_eq!(protocols("").unwrap().len(), 2);
        assert_eq!(protocols("TLSv1.2").unwrap().iter().map(|v| v.version).collect::<Vec<_>>(), vec![rustls::ProtocolVersion::TLSv1_2]);
        assert_eq!(protocols("tlsv1.3 TLSv1.3").unwrap().len(), 1);
        assert!(protocols("TLSv1.1").unwrap_err().contains("not supported"));
        assert!(protocols("SSLv3").is_err());
    }

    #[test]
    fn cipher_lists_map_openssl_names_and_refuse_unknown_ones() {
        let all = cipher_suites("", "").unwrap();
        assert_eq!(all.len(), 9);
        let only = cipher_suites("ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_256_GCM_SHA384").unwrap();
        assert_eq!(names(&only), vec!["TLS13_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        let removed = cipher_suites("HIGH:!aNULL:!ECDHE-RSA-CHACHA20-POLY1305", "").unwrap();
        assert_eq!(removed.len(), 8);
        assert!(cipher_suites("DES-CBC3-SHA", "").unwrap_err().contains("DES-CBC3-SHA"));
        assert!(cipher_suites("", "TLS_AES_128_CCM_SHA256").unwrap_err().contains("TLS_AES_128_CCM_SHA256"));
    }
}

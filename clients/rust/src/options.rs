//! Connection options and the URLs that carry them.
//!
//! # Format
//! - `redis://[user:password@]host[:port][/db][?protocol=3&timeout=5]`
//! - `rediss://...` the same over TLS; `?ca=/path/ca.pem` (or [`ConnectOptions::tls_ca_file`])
//!   names the CA to trust, `?cert=...&key=...` a client certificate.
//! - `unix:///path/to/diskdb.sock[?db=N&password=...]`
//! - `diskdb+shm:///path/to/diskdb.sock[?db=N]`: attach through that Unix socket and move
//!   requests and replies to shared memory.
//!
//! User names and passwords are percent-decoded.

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq)]
pub enum Addr {
    /// Plain TCP.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// TLS over TCP.
    Tls {
        /// Host name or IP address, also the name checked against the certificate.
        host: String,
        /// TCP port of the server's `tls-port`.
        port: u16,
    },
    /// A Unix domain socket.
    Unix(PathBuf),
    /// DiskDB's shared-memory transport, attached through this Unix socket.
    Shm(PathBuf),
}

/// Everything a connection needs; [`ConnectOptions::from_url`] fills it from a URL.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The server's address and transport.
    pub addr: Addr,
    /// ACL user name (`AUTH user pass`); `None` authenticates as `default`.
    pub username: Option<String>,
    /// Password; `None` skips AUTH.
    pub password: Option<String>,
    /// Database selected after connecting.
    pub db: i64,
    /// `true` switches to RESP3 with `HELLO 3`.
    pub resp3: bool,
    /// `CLIENT SETNAME` after connecting.
    pub client_name: Option<String>,
    /// Limit on establishing the connection (TCP/TLS/socket connect and handshake).
    pub connect_timeout: Option<Duration>,
    /// Limit on each call's wait for its reply; `None` waits as long as the server is
    /// alive (blocking commands need that).
    pub response_timeout: Option<Duration>,
    /// PEM file of CA certificates trusted for `rediss://` (the server's CA).
    pub tls_ca_file: Option<PathBuf>,
    /// PEM client certificate chain for servers with `tls-auth-clients yes`.
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key of [`ConnectOptions::tls_cert_file`].
    pub tls_key_file: Option<PathBuf>,
}

impl ConnectOptions {
    /// Options for `addr` with everything else at its default.
    pub fn new(addr: Addr) -> ConnectOptions {
        ConnectOptions {
            addr,
            username: None,
            password: None,
            db: 0,
            resp3: false,
            client_name: None,
            connect_timeout: Some(Duration::from_secs(10)),
            response_timeout: None,
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
        }
    }

    /// Parses a connection URL (see the module docs for the forms).
    pub fn from_url(url: &str) -> Result<ConnectOptions> {
        let bad = |why: &str| Error::InvalidUrl(format!("{why}: {}", redact(url)));
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("missing scheme"))?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let mut o = match scheme {
            "redis" | "rediss" => {
                let (auth, hostpart) = match rest.rsplit_once('@') {
                    Some((a, h)) => (Some(a), h),
                    None => (None, rest),
                };
                let (hostport, path) = match hostpart.split_once('/') {
                    Some((h, p)) => (h, p),
                    None => (hostpart, ""),
                };
                let (host, port) = split_host_port(hostport).ok_or_else(|| bad("invalid host or port"))?;
                let host = if host.is_empty() { "127.0.0.1".to_string() } else { host };
                let addr = if scheme == "rediss" { Addr::Tls { host, port } } else { Addr::Tcp { host, port } };
                let mut o = ConnectOptions::new(addr);
                if let Some(a) = auth {
                    let (u, p) = match a.split_once(':') {
                        Some((u, p)) => (u, Some(p)),
                        None => (a, None),
                    };
                    // `redis://:pass@host` is a password alone, as in redis-rs / redis-py.
                    if !u.is_empty() {
                        o.username = Some(decode(u).ok_or_else(|| bad("bad percent-encoding"))?);
                    }
                    if let Some(p) = p {
                        o.password = Some(decode(p).ok_or_else(|| bad("bad percent-encoding"))?);
                    } else if o.username.is_some() {
                        // `redis://pass@host`: a lone user part is the password.
                        o.password = o.username.take();
                    }
                }
                if !path.is_empty() {
                    o.db = path.parse().map_err(|_| bad("database must be a number"))?;
                }
                o
            }
            "unix" | "diskdb+shm" => {
                if rest.is_empty() || !rest.starts_with('/') {
                    return Err(bad("expected an absolute socket path"));
                }
                let path = PathBuf::from(decode(rest).ok_or_else(|| bad("bad percent-encoding"))?);
                ConnectOptions::new(if scheme == "unix" { Addr::Unix(path) } else { Addr::Shm(path) })
            }
            _ => return Err(bad("unknown scheme (expected redis, rediss, unix or diskdb+shm)")),
        };
        for kv in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let v = decode(v).ok_or_else(|| bad("bad percent-encoding"))?;
            match k {
                "db" => o.db = v.parse().map_err(|_| bad("db must be a number"))?,
                "protocol" | "resp" => {
                    o.resp3 = match v.as_str() {
                        "3" | "resp3" => true,
                        "2" | "resp2" => false,
                        _ => return Err(bad("protocol must be 2 or 3")),
                    }
                }
                "user" | "username" => o.username = Some(v),
                "password" => o.password = Some(v),
                "name" | "client_name" => o.client_name = Some(v),
                "timeout" | "response_timeout" => o.response_timeout = Some(secs(&v).ok_or_else(|| bad("bad timeout"))?),
                "connect_timeout" => o.connect_timeout = Some(secs(&v).ok_or_else(|| bad("bad connect_timeout"))?),
                "ca" | "ca_file" | "tls_ca_file" => o.tls_ca_file = Some(v.into()),
                "cert" | "tls_cert_file" => o.tls_cert_file = Some(v.into()),
                "key" | "tls_key_file" => o.tls_key_file = Some(v.into()),
                _ => return Err(bad(&format!("unknown option {k:?}"))),
            }
        }
        Ok(o)
    }
}

fn secs(v: &str) -> Option<Duration> {
    let f: f64 = v.parse().ok()?;
    (f.is_finite() && f >= 0.0).then(|| Duration::from_secs_f64(f))
}

fn split_host_port(s: &str) -> Option<(String, u16)> {
    if let Some(rest) = s.strip_prefix('[') {
        // [::1]:6379
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 6379,
            None => return None,
        };
        return Some((h.to_string(), port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok()?)),
        None => Some((s.to_string(), 6379)),
    }
}

fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The URL with its password replaced, for error messages (no secrets in logs).
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = &url[s + 3..at];
            match auth.split_once(':') {
                Some((u, _)) => format!("{}{}:***{}", &url[..s + 3], u, &url[at..]),
                None => format!("{}***{}", &url[..s + 3], &url[at..]),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_scheme() {
        let o = ConnectOptions::from_url("redis://alice:p%40ss@db.local:7000/3?protocol=3").unwrap();
        assert_eq!(o.addr, Addr::Tcp { host: "db.local".into(), port: 7000 });
        assert_eq!((o.username.as_deref(), o.password.as_deref(), o.db, o.resp3), (Some("alice"), Some("p@ss"), 3, true));
        let o = ConnectOptions::from_url("redis://:secret@127.0.0.1").unwrap();
        assert_eq!((o.username, o.password.as_deref()), (None, Some("secret")));
        assert_eq!(o.addr, Addr::Tcp { host: "127.0.0.1".into(), port: 6379 });
        let o = ConnectOptions::from_url("rediss://localhost:6380?ca=/tmp/ca.pem").unwrap();
        assert_eq!(o.addr, Addr::Tls { host: "localhost".into(), port: 6380 });
        assert_eq!(o.tls_ca_file, Some(PathBuf::from("/tmp/ca.pem")));
        let o = ConnectOptions::from_url("unix:///tmp/d.sock?db=2").unwrap();
        assert_eq!((o.addr, o.db), (Addr::Unix("/tmp/d.sock".into()), 2));
        let o = ConnectOptions::from_url("diskdb+shm:///tmp/d.sock").unwrap();
        assert_eq!(o.addr, Addr::Shm("/tmp/d.sock".into()));
        assert_eq!(ConnectOptions::from_url("redis://[::1]:7/1").unwrap().addr, Addr::Tcp { host: "::1".into(), port: 7 });
    }

    #[test]
    fn refuses_bad_urls_without_echoing_passwords() {
        for u in ["localhost:6379", "http://x", "redis://h:notaport", "redis://h/x", "unix://relative", "redis://h?bogus=1"] {
            assert!(ConnectOptions::from_url(u).is_err(), "{u}");
        }
        let e = ConnectOptions::from_url("redis://u:hunter2@h:x").unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
    }
}

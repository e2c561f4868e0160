//! The `/metrics` endpoint: `metrics-port` (0, the default, is off) on `metrics-bind`
//! (default 127.0.0.1).
//!
//! A GET-only HTTP/1.x responder written here rather than hyper: a scrape is one
//! request per connection with no body, and answering it takes one request line, so a
//! parser of that line (below) replaces hyper, http, httparse, hyper-util and their
//! dependencies. It is bounded in every way a client could push it:
//!
//! - the request head may be at most [`MAX_HEAD`] bytes (`431` past it), and must
//!   arrive within [`TIMEOUT`], as must the reply be taken (then the socket is closed);
//! - at most [`MAX_SCRAPES`] connections are served at once; more are closed at accept;
//! - one request per connection (`Connection: close`), no keep-alive, no body read;
//! - anything but `GET`/`HEAD` of `HTTP/1.0` or `HTTP/1.1` is answered `405`/`400`/`505`,
//!   any path but `/metrics` (a query string is ignored) `404`.
//!
//! The page is encoded on a blocking thread ([`super::collect::encode`]): it reads
//! RocksDB properties, which may wait for the database mutex.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::commands::ServerState;
use crate::config::Config;
use crate::server::StartError;

/// The longest request head (request line and headers) read.
pub const MAX_HEAD: usize = 8192;
/// Time a client has to send its request, and then to take the reply.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Scrapes served at once.
pub const MAX_SCRAPES: usize = 16;

fn param(c: &Config, name: &str) -> String {
    crate::config::directive(name).map(|d| c.value_of(d)).unwrap_or_default()
}

/// `metrics-port`: 0 is no metrics endpoint.
pub fn port(c: &Config) -> u16 {
    param(c, "metrics-port").parse().unwrap_or(0)
}

/// Binds `metrics-bind`:`metrics-port`, if the port is set.
pub fn bind(c: &Config) -> Result<Option<TcpListener>, StartError> {
    let port = port(c);
    if port == 0 {
        return Ok(None);
    }
    let host = param(c, "metrics-bind");
    let addr = format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("[{host}]:{port}").parse())
        .map_err(|_| StartError::BadBind { host: host.clone(), reason: "metrics-bind is not an IP address".into() })?;
    let l = crate::server::listen::bind_tcp(addr, 128).map_err(|source| StartError::Listen { addr: addr.to_string(), source })?;
    tracing::info!(%addr, "serving Prometheus metrics at /metrics");
    Ok(Some(l))
}

/// Accepts scrapes until the task is dropped (shutdown aborts it, and with it every
/// scrape in flight: they live in its `JoinSet`).
pub async fn serve(listener: TcpListener, state: Arc<ServerState>) {
    let slots = Arc::new(Semaphore::new(MAX_SCRAPES));
    let mut scrapes = JoinSet::new();
    loop {
        // Reap finished scrapes so the set does not grow.
        while scrapes.try_join_next().is_some() {}
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, as the RESP listeners do.
                tracing::warn!(error = %e, "metrics: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue; // Too many scrapes at once: the connection is closed unanswered.
        };
        let state = state.clone();
        scrapes.spawn(async move {
            let _slot = slot;
            let _ = tokio::time::timeout(TIMEOUT * 2, answer(stream, state)).await;
        });
    }
}

/// What a request asks for, or the status that refuses it.
#[derive(Debug, PartialEq, Eq)]
pub enum Request {
    Metrics { head_only: bool },
    Refused(Status),
}

/// The statuses this server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    BadRequest,
    NotFound,
    MethodNotAllowed,
    HeadTooLarge,
    VersionNotSupported,
}

impl Status {
    fn line(self) -> &'static str {
        match self {
            Status::Ok => "200 OK",
            Status::BadRequest => "400 Bad Request",
            Status::NotFound => "404 Not Found",
            Status::MethodNotAllowed => "405 Method Not Allowed",
            Status::HeadTooLarge => "431 Request Header Fields Too Large",
            Status::VersionNotSupported => "505 HTTP Version Not Supported",
        }
    }
}

/// Where the request head ends in `buf` (after its blank line), if it has arrived.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = memchr::memmem::find(buf, b"\r\n\r\n").map(|i| i + 4);
    let lf = memchr::memmem::find(buf, b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Reads the request line of a complete head: `METHOD SP target SP HTTP/1.x`.
pub fn parse(head: &[u8]) -> Request {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Request::Refused(Status::BadRequest);
    };
    let token = |s: &[u8]| !s.is_empty() && s.iter().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b));
    if !token(method) || !target.starts_with(b"/") || target.iter().any(|b| !b.is_ascii_graphic()) {
        return Request::Refused(Status::BadRequest);
    }
    match version {
        b"HTTP/1.1" | b"HTTP/1.0" => {}
        v if v.starts_with(b"HTTP/") => return Request::Refused(Status::VersionNotSupported),
        _ => return Request::Refused(Status::BadRequest),
    }
    let head_only = match method {
        b"GET" => false,
        b"HEAD" => true,
        _ => return Request::Refused(Status::MethodNotAllowed),
    };
    let path = target.split(|&b| b == b'?').next().unwrap_or_default();
    if path != b"/metrics" {
        return Request::Refused(Status::NotFound);
    }
    Request::Metrics { head_only }
}

/// Serves one connection: reads the head, answers, closes.
async fn answer(mut stream: TcpStream, state: Arc<ServerState>) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let request = loop {
        let n = match tokio::time::timeout(TIMEOUT, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&buf) {
            break parse(&buf[..end]);
        }
        if buf.len() > MAX_HEAD {
            break Request::Refused(Status::HeadTooLarge);
        }
    };
    let (status, body, head_only) = match request {
        Request::Metrics { head_only } => {
            let page = tokio::task::spawn_blocking(move || super::collect::encode(&state)).await;
            match page {
                Ok(Ok(page)) => (Status::Ok, page, head_only),
                _ => return,
            }
        }
        Request::Refused(s) => (s, format!("{}\n", s.line()), false),
    };
    let content_type = if status == Status::Ok { super::collect::CONTENT_TYPE } else { "text/plain; charset=utf-8" };
    let allow = if status == Status::MethodNotAllowed { "Allow: GET, HEAD\r\n" } else { "" };
    let mut out = format!(
        "HTTP/1.1 {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{allow}Connection: close\r\n\r\n",
        status.line(),
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    let _ = tokio::time::timeout(TIMEOUT, async {
        stream.write_all(&out).await?;
        stream.shutdown().await
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_and_head_of_metrics_are_served() {
        assert_eq!(parse(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), Request::Metrics { head_only: false });
        assert_eq!(parse(b"GET /metrics?x=1 HTTP/1.0\n\n"), Request::Metrics { head_only: false });
        assert_eq!(parse(b"HEAD /metrics HTTP/1.1\r\n\r\n"), Request::Metrics { head_only: true });
    }

    #[test]
    fn everything_else_is_refused_with_its_status() {
        let refused = |head: &[u8]| match parse(head) {
            Request::Refused(s) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(b"GET / HTTP/1.1\r\n\r\n"), Status::NotFound);
        assert_eq!(refused(b"GET /metricsx HTTP/1.1\r\n\r\n"), Status::NotFound);
        assert_eq!(refused(b"POST /metrics HTTP/1.1\r\n\r\n"), Status::MethodNotAllowed);
        assert_eq!(refused(b"GET /metrics HTTP/2.0\r\n\r\n"), Status::VersionNotSupported);
        assert_eq!(refused(b"GET /metrics\r\n\r\n"), Status::BadRequest);
        assert_eq!(refused(b"GET  /metrics HTTP/1.1\r\n\r\n"), Status::BadRequest);
        assert_eq!(refused(b"GET metrics HTTP/1.1\r\n\r\n"), Status::BadRequest);
        assert_eq!(refused(b"G(T /metrics HTTP/1.1\r\n\r\n"), Status::BadRequest);
        assert_eq!(refused(b"GET /met\x01rics HTTP/1.1\r\n\r\n"), Status::BadRequest);
        assert_eq!(refused(b"\x16\x03\x01\x02\x00\r\n\r\n"), Status::BadRequest);
        assert_eq!(refused(b"\r\n\r\n"), Status::BadRequest);
    }

    #[test]
    fn the_head_ends_at_the_first_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n"), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nbody"), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
    }
}

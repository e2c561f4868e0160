//! Listening sockets and the one accept loop every transport shares (TCP, the Unix
//! socket, and TLS from `tls.rs`, whose handshake runs in the connection task).
//!
//! Sockets listen with `tcp-backlog` (Redis's default 511), so a burst of connects is
//! queued by the kernel rather than dropped and retried by the client a second later.
//! The accept loop only accepts, registers and spawns: it never awaits a write to a
//! client (the max-clients refusal is a non-blocking write), so no connect waits behind
//! another.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::mpsc;

use super::connection::{self, Stream};
use super::durability::Durability;
use crate::commands::{ClientInfo, ServerState};

/// A connection just accepted, with what CLIENT LIST shows of it.
pub struct Accepted<S> {
    pub stream: S,
    pub addr: String,
    pub laddr: String,
}

/// A listening socket of one transport.
pub trait Listener: Send + 'static {
    type Stream: Stream;
    /// CLIENT LIST's flag for this transport: `N` TCP and TLS (Redis has no TLS flag), `U`
    /// Unix socket.
    const FLAG: &'static str;
    fn accept(&self) -> impl Future<Output = io::Result<Accepted<Self::Stream>>> + Send;
}

/// A TCP listener, and the `tcp-keepalive` its new connections get.
pub struct Tcp {
    pub listener: TcpListener,
    pub state: Arc<ServerState>,
}

impl Listener for Tcp {
    type Stream = TcpStream;
    const FLAG: &'static str = "N";

    async fn accept(&self) -> io::Result<Accepted<TcpStream>> {
        let (stream, peer) = self.listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let keepalive = self.state.config.read().tcp_keepalive;
        if let Err(e) = set_keepalive(&stream, keepalive) {
            tracing::debug!(error = %e, "cannot set TCP keepalive");
        }
        let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
        Ok(Accepted { stream, addr: peer.to_string(), laddr })
    }
}

impl Listener for UnixListener {
    type Stream = UnixStream;
    const FLAG: &'static str = "U";

    async fn accept(&self) -> io::Result<Accepted<UnixStream>> {
        let (stream, _) = UnixListener::accept(self).await?;
        // Redis names Unix clients `path:0`.
        let path = self.local_addr().ok().and_then(|a| a.as_pathname().map(|p| p.display().to_string())).unwrap_or_default();
        let addr = format!("{path}:0");
        Ok(Accepted { stream, laddr: addr.clone(), addr })
    }
}

/// A socket the io_uring engine can take over.
pub trait IntoSocket {
    const UNIX: bool;
    fn into_socket(self) -> io::Result<socket2::Socket>;
}

impl IntoSocket for TcpStream {
    const UNIX: bool = false;
    fn into_socket(self) -> io::Result<socket2::Socket> {
        Ok(self.into_std()?.into())
    }
}

impl IntoSocket for UnixStream {
    const UNIX: bool = true;
    fn into_socket(self) -> io::Result<socket2::Socket> {
        Ok(self.into_std()?.into())
    }
}

/// A listener whose connections are served by the io_uring engine (`io-engine uring`):
/// accepted as by `L`, then handed to the ring.
pub struct OnUring<L>(pub L);

impl<L: Listener + Sync> Listener for OnUring<L>
where
    L::Stream: IntoSocket,
{
    type Stream = super::uring::UringStream;
    const FLAG: &'static str = L::FLAG;

    async fn accept(&self) -> io::Result<Accepted<Self::Stream>> {
        let a = self.0.accept().await?;
        let stream = super::uring::UringStream::new(a.stream.into_socket()?, <L::Stream as IntoSocket>::UNIX)?;
        Ok(Accepted { stream, addr: a.addr, laddr: a.laddr })
    }
}

/// The kernel's cap on listen backlogs, when it can be read.
fn somaxconn() -> Option<u32> {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn").ok()?.trim().parse().ok()
}

/// Redis's warning when the kernel caps `tcp-backlog`.
fn backlog_warning(backlog: u32, somaxconn: Option<u32>) -> Option<String> {
    let cap = somaxconn?;
    (cap < backlog).then(|| {
        format!(
            "WARNING: The TCP backlog setting of {backlog} cannot be enforced because \
             /proc/sys/net/core/somaxconn is set to the lower value of {cap}."
        )
    })
}

/// Warns once at start-up if `somaxconn` caps `backlog`.
pub fn check_backlog(backlog: u32) {
    if let Some(w) = backlog_warning(backlog, somaxconn()) {
        tracing::warn!("{w}");
    }
}

/// Redis's `anetKeepAlive`: probes after `secs` idle seconds, then every third of
/// that, and the connection is dropped after 3 unanswered ones; 0 leaves keepalive off.
pub fn set_keepalive(stream: &TcpStream, secs: u64) -> io::Result<()> {
    if secs == 0 {
        return Ok(());
    }
    let sock = socket2::SockRef::from(stream);
    let idle = Duration::from_secs(secs);
    let interval = Duration::from_secs((secs / 3).max(1));
    sock.set_tcp_keepalive(&socket2::TcpKeepalive::new().with_time(idle).with_interval(interval).with_retries(3))
}

/// An IPv6 socket listens on IPv6 only, so that `bind * ::*` (Redis's default) can bind
/// both wildcard addresses.
pub fn bind_tcp(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(if addr.is_ipv4() { Domain::IPV4 } else { Domain::IPV6 }, Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(backlog.min(i32::MAX as u32) as i32)?;
    socket.set_nonblocking(true)?;
    TcpListener::from_std(socket.into())
}

pub fn bind_unix(path: &Path, backlog: u32) -> io::Result<UnixListener> {
    use socket2::{Domain, SockAddr, Socket, Type};
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.bind(&SockAddr::unix(path)?)?;
    socket.listen(backlog.min(i32::MAX as u32) as i32)?;
    socket.set_nonblocking(true)?;
    UnixListener::from_std(socket.into())
}

/// Registers a client, enforcing `maxclients`; `None` if the server is full.
fn admit(state: &ServerState, addr: String, laddr: String, fd: i64, flag: &'static str) -> Option<Arc<ClientInfo>> {
    state.stats.connections_received.fetch_add(1, Ordering::Relaxed);
    if state.clients.len() >= state.config.read().maxclients {
        state.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    let info = Arc::new(ClientInfo::new(state.next_client_id(), addr, laddr, fd, flag));
    state.clients.insert(info.id, info.clone());
    Some(info)
}

const MAX_CLIENTS_REPLY: &[u8] = b"-ERR max number of clients reached\r\n";

/// Accepts until the task is aborted. Each connection task holds a clone of `live`
/// until it ends, so shutdown can wait for the last one to drop it.
pub async fn accept_loop<L: Listener>(listener: L, state: Arc<ServerState>, durability: Arc<Durability>, live: mpsc::Sender<()>) {
    loop {
        let accepted = match listener.accept().await {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors, most likely: give closing connections a moment.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let fd = accepted.stream.as_raw_fd() as i64;
        let Some(info) = admit(&state, accepted.addr.clone(), accepted.laddr, fd, L::FLAG) else {
            // A fresh socket's send buffer is empty: this write does not wait.
            accepted.stream.write_now(MAX_CLIENTS_REPLY);
            state.audit.record(None, &accepted.addr, "connection_refused", crate::audit::Outcome::Denied, "maxclients");
            continue;
        };
        let (state, durability, live) = (state.clone(), durability.clone(), live.clone());
        tokio::spawn(async move {
            let id = info.id;
            connection::serve(state.clone(), durability, accepted.stream, info).await;
            state.clients.remove(&id);
            drop(live);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backlog_warning_only_when_the_kernel_caps_it() {
        assert_eq!(backlog_warning(511, Some(4096)), None);
        assert_eq!(backlog_warning(511, Some(511)), None);
        assert_eq!(backlog_warning(511, None), None);
        assert_eq!(
            backlog_warning(511, Some(128)).as_deref(),
            Some(
                "WARNING: The TCP backlog setting of 511 cannot be enforced because \
                 /proc/sys/net/core/somaxconn is set to the lower value of 128."
            )
        );
    }
}

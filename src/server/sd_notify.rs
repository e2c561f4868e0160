//! systemd's readiness protocol (sd_notify(3)), as Redis speaks it under
//! `supervised systemd`: one datagram `READY=1` once every socket is bound and served,
//! one `STOPPING=1` when shutdown begins. With that, a `Type=notify` unit starts the
//! units ordered after DiskDB only when clients can connect, and `systemctl stop` knows
//! the server heard it.
//!
//! The protocol is a newline-separated `KEY=value` text sent as one datagram to the
//! Unix socket named by `$NOTIFY_SOCKET` (a path, or an abstract-namespace name written
//! with a leading '@'). That is a dozen lines with the standard library's
//! `UnixDatagram`, so no crate (libsystemd or sd-notify) is linked for it.
//!
//! `supervised` as in Redis: `systemd` notifies, `auto` notifies when `$NOTIFY_SOCKET`
//! is set, `no` (the default) never does; `upstart` (SIGSTOP when ready) is not
//! implemented and is logged as such.

use std::os::unix::net::{SocketAddr, UnixDatagram};

use crate::config::Config;

/// Where readiness goes: nowhere unless supervised by systemd.
pub struct Notifier {
    target: Option<(UnixDatagram, SocketAddr)>,
}

impl Notifier {
    /// Reads `supervised` and `$NOTIFY_SOCKET`; problems are logged, never fatal (a
    /// server that cannot tell systemd it is ready still serves; systemd's start timeout
    /// then reports it).
    pub fn from_config(config: &Config) -> Notifier {
        let none = Notifier { target: None };
        let socket = std::env::var_os("NOTIFY_SOCKET");
        match config.stored("supervised", "no").as_str() {
            "systemd" => {}
            "auto" if socket.is_some() => {}
            "upstart" => {
                tracing::warn!("supervised upstart is not supported: no readiness notification");
                return none;
            }
            _ => return none,
        }
        let Some(name) = socket else {
            tracing::warn!("systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!");
            return none;
        };
        match open(&name.to_string_lossy()) {
            Ok(target) => {
                tracing::info!("supervised by systemd: readiness goes to NOTIFY_SOCKET");
                Notifier { target: Some(target) }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot use NOTIFY_SOCKET: no readiness notification");
                none
            }
        }
    }

    /// Sends one message (`READY=1`, `STOPPING=1`, `STATUS=...`, newline separated);
    /// a failed send is logged at debug level only: systemd may be gone at shutdown.
    pub fn notify(&self, message: &str) {
        if let Some((socket, addr)) = &self.target {
            if let Err(e) = socket.send_to_addr(message.as_bytes(), addr) {
                tracing::debug!(error = %e, "sd_notify send failed");
            }
        }
    }
}

/// An unbound datagram socket and the address of `$NOTIFY_SOCKET`.
fn open(name: &str) -> std::io::Result<(UnixDatagram, SocketAddr)> {
    let addr = if let Some(abstract_name) = name.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        SocketAddr::from_abstract_name(abstract_name.as_bytes())?
    } else if name.starts_with('/') {
        SocketAddr::from_pathname(name)?
    } else {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "neither a path nor an @abstract name"));
    };
    Ok((UnixDatagram::unbound()?, addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_abstract_names_are_sent_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let receiver = UnixDatagram::bind(&path).unwrap();
        let (sender, addr) = open(path.to_str().unwrap()).unwrap();
        sender.send_to_addr(b"READY=1\n", &addr).unwrap();
        let mut buf = [0u8; 64];
        let n = receiver.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\n");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("diskdb-sd-notify-test-{}", std::process::id());
        let receiver = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap();
        let (sender, addr) = open(&format!("@{name}")).unwrap();
        sender.send_to_addr(b"STOPPING=1\n", &addr).unwrap();
        let n = receiver.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1\n");
    }

    #[test]
    fn a_relative_name_is_refused() {
        assert!(open("notify").is_err());
        assert!(open("").is_err());
    }
}

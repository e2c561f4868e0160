//! MONITOR: every command the server runs, streamed to the clients that asked, as Redis
//! 7.0 formats it:
//!
//! ```text
//! +1796551329.891829 [3 127.0.0.1:49226] "SET" "x y" "a\x01\n\"b"
//! +1796551329.904212 [0 unix:/run/diskdb.sock] "GET" "k"
//! ```
//!
//! A line is fed after the command ran (so EXEC follows the commands it ran, and SELECT
//! shows the database it selected), with the arguments as the client sent them, quoted
//! as Redis's `sdscatrepr` quotes. Not fed, as in Redis: `admin` commands (CONFIG,
//! DEBUG, CLIENT LIST ...), commands refused before they ran (unknown, wrong arity,
//! NOAUTH), queued commands until EXEC runs them, and a blocked command's re-runs. The
//! secrets of AUTH and HELLO ... AUTH are `(redacted)`. Scripts (EVAL, FCALL: `skip_monitor`)
//! are fed before they run, and the commands they call follow as `[<db> lua]`.
//!
//! The line is encoded once and queued, by reference count, in every monitor's mailbox
//! (the pub/sub mailbox, under the `replica` class of `client-output-buffer-limit`, as
//! Redis counts monitors as replicas). A monitor's own commands are fed after their own
//! reply, as in Redis: the connection appends that line itself.
//!
//! The hot path pays one atomic load per command while nobody monitors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use parking_lot::RwLock;

use crate::commands::ClientInfo;
use crate::config::value::BufferLimit;
use crate::pubsub::Mailbox;

/// The monitoring clients.
#[derive(Default)]
pub struct Monitors {
    count: AtomicUsize,
    list: RwLock<Vec<Arc<Mailbox>>>,
}

impl Monitors {
    /// Whether anyone monitors.
    pub fn active(&self) -> bool {
        self.count.load(Ordering::Relaxed) > 0
    }

    /// Adds the client owning `mailbox`.
    pub fn add(&self, mailbox: Arc<Mailbox>) {
        let mut list = self.list.write();
        list.push(mailbox);
        self.count.store(list.len(), Ordering::Relaxed);
    }

    /// Removes client `id` (RESET, disconnect).
    pub fn remove(&self, id: u64) {
        let mut list = self.list.write();
        list.retain(|m| m.info.id != id);
        self.count.store(list.len(), Ordering::Relaxed);
    }

    /// Feeds one command run by `client` in database `db` to every monitor but the
    /// client itself, and answers the line when the client is a monitor too (its
    /// connection writes it after the reply).
    pub fn feed(&self, client: &ClientInfo, unix_path: &str, db: usize, argv: &[Bytes], limit: &BufferLimit) -> Option<Bytes> {
        let line = format_line(client, unix_path, db, argv, crate::types::now_us());
        let mut own = None;
        for m in self.list.read().iter() {
            if m.info.id == client.id {
                own = Some(line.clone());
            } else {
                m.push(&line, limit);
            }
        }
        own
    }
}

impl Monitors {
    /// Feeds a command a script called, shown as `[db lua]`, to every monitor.
    pub fn feed_from_script(&self, db: usize, argv: &[Bytes], limit: &BufferLimit) {
        let line = format_line_from(&format!("{db} lua"), argv, crate::types::now_us());
        for m in self.list.read().iter() {
            m.push(&line, limit);
        }
    }
}

/// Arguments shown as `(redacted)`: every argument of AUTH, and the username and
/// password after HELLO's AUTH, as Redis 7.0 redacts them.
fn redacted(argv: &[Bytes]) -> Vec<bool> {
    let mut hide = vec![false; argv.len()];
    if argv[0].eq_ignore_ascii_case(b"auth") {
        hide.iter_mut().skip(1).for_each(|h| *h = true);
    } else if argv[0].eq_ignore_ascii_case(b"hello") {
        let mut i = 2;
        while i < argv.len() {
            if argv[i].eq_ignore_ascii_case(b"auth") {
                for h in hide.iter_mut().skip(i + 1).take(2) {
                    *h = true;
                }
                i += 3;
            } else if argv[i].eq_ignore_ascii_case(b"setname") {
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    hide
}

/// One MONITOR line: `+<secs>.<micros> [<db> <addr>] "arg" ...\r\n`.
pub fn format_line(client: &ClientInfo, unix_path: &str, db: usize, argv: &[Bytes], now_us: i64) -> Bytes {
    let origin = if client.kind_flag == "U" { format!("{db} unix:{unix_path}") } else { format!("{db} {}", client.addr) };
    format_line_from(&origin, argv, now_us)
}

/// A MONITOR line whose bracket holds `origin` (`<db> <addr>`, or `<db> lua`).
fn format_line_from(origin: &str, argv: &[Bytes], now_us: i64) -> Bytes {
    let mut out = BytesMut::with_capacity(48 + argv.iter().map(|a| a.len() + 3).sum::<usize>());
    let (secs, micros) = (now_us.div_euclid(1_000_000), now_us.rem_euclid(1_000_000));
    out.put_slice(format!("+{secs}.{micros:06} [{origin}] ").as_bytes());
    let hide = redacted(argv);
    for (i, arg) in argv.iter().enumerate() {
        if i > 0 {
            out.put_u8(b' ');
        }
        if hide[i] {
            out.put_slice(b"\"(redacted)\"");
        } else {
            quote(arg, &mut out);
        }
    }
    out.put_slice(b"\r\n");
    out.freeze()
}

/// Redis's `sdscatrepr`: a double-quoted string with `\\`, `\"`, `\n`, `\r`, `\t`, `\a`,
/// `\b` escaped and other unprintable bytes as `\xHH`.
pub fn quote(s: &[u8], out: &mut BytesMut) {
    out.put_u8(b'"');
    for &c in s {
        match c {
            b'\\' | b'"' => {
                out.put_u8(b'\\');
                out.put_u8(c);
            }
            b'\n' => out.put_slice(b"\\n"),
            b'\r' => out.put_slice(b"\\r"),
            b'\t' => out.put_slice(b"\\t"),
            0x07 => out.put_slice(b"\\a"),
            0x08 => out.put_slice(b"\\b"),
            0x20..=0x7e => out.put_u8(c),
            _ => out.put_slice(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.put_u8(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(argv: &[&[u8]]) -> String {
        let info = ClientInfo::new(7, "127.0.0.1:5000".into(), "127.0.0.1:6379".into(), 9, "N");
        let argv: Vec<Bytes> = argv.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        String::from_utf8(format_line(&info, "", 3, &argv, 1_796_551_329_000_042).to_vec()).unwrap()
    }

    #[test]
    fn lines_quote_as_redis_does() {
        assert_eq!(
            line(&[b"SET", b"x y", b"a\x01\n\"b\\"]),
            "+1796551329.000042 [3 127.0.0.1:5000] \"SET\" \"x y\" \"a\\x01\\n\\\"b\\\\\"\r\n"
        );
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(line(&[b"auth", b"u", b"pw"]), "+1796551329.000042 [3 127.0.0.1:5000] \"auth\" \"(redacted)\" \"(redacted)\"\r\n");
        assert_eq!(
            line(&[b"HELLO", b"3", b"SETNAME", b"n", b"AUTH", b"u", b"pw"]),
            "+1796551329.000042 [3 127.0.0.1:5000] \"HELLO\" \"3\" \"SETNAME\" \"n\" \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n"
        );
    }

    #[test]
    fn unix_clients_show_the_socket_path() {
        let info = ClientInfo::new(7, "/tmp/s.sock:0".into(), "/tmp/s.sock".into(), 9, "U");
        let l = format_line(&info, "/tmp/s.sock", 0, &[Bytes::from_static(b"PING")], 1_000_000);
        assert_eq!(&l[..], b"+1.000000 [0 unix:/tmp/s.sock] \"PING\"\r\n");
    }
}

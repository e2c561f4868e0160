//! The audit log (`audit-log-file`, off by default; DiskDB's own, beyond Redis): who did
//! what to the server, one JSON object per line:
//!
//! ```text
//! {"time":"2026-12-06T10:31:02.114Z","client_id":7,"addr":"127.0.0.1:50123","user":"default","event":"config_set","outcome":"ok","detail":"maxclients"}
//! ```
//!
//! Events: `auth` (AUTH and HELLO ... AUTH, success or failure, with the user name
//! tried), `acl_denied` (a command, key or channel refused by ACL rules), `acl_change`
//! (ACL SETUSER, DELUSER, LOAD, SAVE), `config_set` (parameter names, never values),
//! `config_rewrite`, `flushdb`, `flushall`, `shutdown`, `debug` (the subcommand),
//! `client_kill`, and `connection_refused` (protected mode, maxclients). A line never
//! holds a password or a value: only names of users, parameters and commands.
//!
//! Lines go to a background thread through a channel, so a command never waits for the
//! file; SIGHUP makes the thread reopen the file (log rotation), as for the log file.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};

use parking_lot::Mutex;

use crate::commands::ClientInfo;

enum Msg {
    Line(String),
    Reopen,
}

/// The audit log's writer, or nothing when it is off.
#[derive(Default)]
pub struct Audit {
    /// Whether a file is open: the one load an unaudited server pays per command.
    on: AtomicBool,
    tx: Mutex<Option<Sender<Msg>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// What happened to the action.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    Ok,
    Failed,
    Denied,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Denied => "denied",
        }
    }
}

impl Audit {
    /// Opens `path` for appending and starts the writer thread. The file is created with
    /// mode 0600: it names users and addresses.
    pub fn start(&self, path: PathBuf) -> std::io::Result<()> {
        let mut file = open_file(&path)?;
        let (tx, rx) = channel::<Msg>();
        let writer = std::thread::Builder::new().name("audit-log".into()).spawn(move || {
            for msg in rx {
                match msg {
                    Msg::Line(line) => {
                        if let Err(e) = file.write_all(line.as_bytes()) {
                            tracing::warn!(error = %e, path = %path.display(), "audit log write failed");
                        }
                    }
                    Msg::Reopen => match open_file(&path) {
                        Ok(f) => file = f,
                        Err(e) => tracing::warn!(error = %e, path = %path.display(), "audit log reopen failed; still writing the old file"),
                    },
                }
            }
        })?;
        *self.tx.lock() = Some(tx);
        *self.writer.lock() = Some(writer);
        self.on.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether lines are written.
    pub fn enabled(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// At shutdown: writes what is queued and closes the file.
    pub fn finish(&self) {
        self.on.store(false, Ordering::Release);
        drop(self.tx.lock().take());
        if let Some(w) = self.writer.lock().take() {
            let _ = w.join();
        }
    }

    /// SIGHUP: reopen the file (after a rotation moved it).
    pub fn reopen(&self) {
        if let Some(tx) = self.tx.lock().as_ref() {
            let _ = tx.send(Msg::Reopen);
        }
    }

    /// Records one event of `client` (None: the server itself or a connection not yet a
    /// client, whose address is then `addr`).
    pub fn record(&self, client: Option<&ClientInfo>, addr: &str, event: &str, outcome: Outcome, detail: &str) {
        if !self.enabled() {
            return;
        }
        let guard = self.tx.lock();
        let Some(tx) = guard.as_ref() else { return };
        let (id, addr, user) = match client {
            Some(c) => (serde_json::json!(c.id), c.addr.clone(), c.user.lock().clone()),
            None => (serde_json::Value::Null, addr.to_string(), String::new()),
        };
        let mut line = serde_json::json!({
            "time": rfc3339_ms(crate::types::now_ms()),
            "client_id": id,
            "addr": addr,
            "user": user,
            "event": event,
            "outcome": outcome.name(),
        });
        if !detail.is_empty() {
            line["detail"] = serde_json::Value::String(detail.to_string());
        }
        let _ = tx.send(Msg::Line(format!("{line}\n")));
    }
}

fn open_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path)
}

/// The UTC calendar date of unix day `days` (days since 1970-01-01, proleptic
/// Gregorian): `(year, month 1-12, day 1-31)`, by Howard Hinnant's days-to-civil. The
/// audit log's and syslog's timestamps both use it.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

/// `2026-12-06T10:31:02.114Z` for unix milliseconds (UTC, proleptic Gregorian).
pub fn rfc3339_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// The audit event of a command that ran, by its full name (`config|set`), and the
/// detail worth keeping: parameter names for CONFIG SET (never values), the user name
/// for AUTH, the subcommand for DEBUG. `None` for commands not audited.
pub fn command_event(full: &str, argv: &[bytes::Bytes]) -> Option<(&'static str, String)> {
    let arg = |i: usize| argv.get(i).map(|a| String::from_utf8_lossy(a).into_owned()).unwrap_or_default();
    Some(match full {
        "auth" => ("auth", if argv.len() > 2 { arg(1) } else { "default".into() }),
        "hello" => {
            let at = argv.iter().position(|a| a.eq_ignore_ascii_case(b"auth"))?;
            ("auth", arg(at + 1))
        }
        "config|set" => ("config_set", argv.iter().skip(2).step_by(2).map(|a| String::from_utf8_lossy(a).to_lowercase()).collect::<Vec<_>>().join(" ")),
        "config|rewrite" => ("config_rewrite", String::new()),
        "flushdb" => ("flushdb", String::new()),
        "flushall" => ("flushall", String::new()),
        "shutdown" => ("shutdown", String::new()),
        "client|kill" => ("client_kill", argv.iter().skip(2).map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>().join(" ")),
        "acl|setuser" | "acl|deluser" => ("acl_change", format!("{} {}", &full[4..], arg(2))),
        "acl|load" | "acl|save" => ("acl_change", full[4..].to_string()),
        _ if full.starts_with("debug") => ("debug", arg(1).to_lowercase()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_796_551_329_891), "2026-12-06T10:02:09.891Z");
        assert_eq!(rfc3339_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    fn argv(a: &[&str]) -> Vec<Bytes> {
        a.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect()
    }

    #[test]
    fn config_set_keeps_names_never_values() {
        let (event, detail) = command_event("config|set", &argv(&["CONFIG", "SET", "requirepass", "s3cret", "MAXCLIENTS", "10"])).unwrap();
        assert_eq!(event, "config_set");
        assert_eq!(detail, "requirepass maxclients");
        let (_, auth) = command_event("auth", &argv(&["AUTH", "alice", "s3cret"])).unwrap();
        assert_eq!(auth, "alice");
        let (_, auth) = command_event("auth", &argv(&["AUTH", "s3cret"])).unwrap();
        assert_eq!(auth, "default");
        let (_, hello) = command_event("hello", &argv(&["HELLO", "3", "AUTH", "bob", "pw"])).unwrap();
        assert_eq!(hello, "bob");
        assert!(command_event("hello", &argv(&["HELLO", "3"])).is_none());
        assert!(command_event("get", &argv(&["GET", "k"])).is_none());
    }
}

//! Log output: `tracing` to standard error or to `logfile`, at the level `loglevel` (and
//! CONFIG SET loglevel) asks for. SIGHUP reopens the file, so log rotation is "move the
//! file, send SIGHUP"; lines are never lost in between, they go to the moved file until
//! the new one is open.
//!
//! With `syslog-enabled yes`, every line also goes to the system log: one RFC 3164
//! datagram per line (`<PRI>Mmm dd hh:mm:ss ident[pid]: message`) to the Unix socket
//! `syslog-socket` (`/dev/log`), under `syslog-ident` and `syslog-facility`, with the
//! severity of its level as Redis maps them (debug -> debug, verbose -> info, notice ->
//! notice, warning -> warning). Hand-written: the format is one line, and the syslog
//! crates bring their own logger plumbing and a connection that must be re-established
//! when the daemon restarts, where an unbound datagram socket just sends to the path.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use tracing_subscriber::fmt::{self, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{self, Config};

/// The open log file, when logging goes to one.
struct LogFile {
    path: PathBuf,
    file: Mutex<File>,
}

static LOG_FILE: OnceLock<LogFile> = OnceLock::new();

/// Hands the subscriber the current file, whichever SIGHUP last opened.
struct Writer(&'static LogFile);

struct Line<'a>(MutexGuard<'a, File>);

impl<'a> MakeWriter<'a> for Writer {
    type Writer = Line<'a>;
    fn make_writer(&'a self) -> Line<'a> {
        Line(self.0.file.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

fn open(path: &PathBuf) -> Result<File, String> {
    OpenOptions::new().create(true).append(true).open(path).map_err(|e| format!("cannot open logfile {}: {e}", path.display()))
}

/// Installs the global subscriber. `RUST_LOG` overrides `loglevel` (and then CONFIG SET
/// loglevel does not apply).
pub fn init(config: &Config) -> Result<(), String> {
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env().ok();
    let filter = from_env.unwrap_or_else(|| tracing_subscriber::EnvFilter::new(config::tracing_filter(&config.loglevel)));
    let (filter, reload) = tracing_subscriber::reload::Layer::new(filter);
    if std::env::var_os("RUST_LOG").is_none() {
        let _ = config::LOGLEVEL_HOOK.set(Box::new(move |level: &str| {
            let _ = reload.modify(|f| *f = tracing_subscriber::EnvFilter::new(config::tracing_filter(level)));
        }));
    }
    let syslog = syslog_layer(config)?;
    let registry = tracing_subscriber::registry().with(filter).with(syslog);
    if config.logfile.is_empty() {
        // Colours only on a terminal: `docker logs`, journald and files get plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
        registry.with(fmt::layer().with_target(false).with_ansi(ansi).with_writer(std::io::stderr)).init();
        return Ok(());
    }
    let path = PathBuf::from(&config.logfile);
    let file = Mutex::new(open(&path)?);
    let log = LOG_FILE.get_or_init(|| LogFile { path, file });
    registry.with(fmt::layer().with_target(false).with_ansi(false).with_writer(Writer(log))).init();
    Ok(())
}

/// The syslog destination, when `syslog-enabled` is yes.
struct Syslog {
    socket: UnixDatagram,
    path: PathBuf,
    ident: String,
    /// The facility code (`user` 1, `local0`..`local7` 16..23).
    facility: u8,
}

static SYSLOG: OnceLock<Syslog> = OnceLock::new();

/// The layer that copies every line to syslog, or none.
fn syslog_layer<S>(config: &Config) -> Result<Option<impl tracing_subscriber::Layer<S>>, String>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    if config.stored("syslog-enabled", "no") != "yes" {
        return Ok(None);
    }
    let facility = match config.stored("syslog-facility", "local0").as_str() {
        "user" => 1,
        local => local.strip_prefix("local").and_then(|n| n.parse::<u8>().ok()).map_or(16, |n| 16 + n.min(7)),
    };
    let socket = UnixDatagram::unbound().map_err(|e| format!("cannot open a socket for syslog: {e}"))?;
    SYSLOG.get_or_init(|| Syslog {
        socket,
        path: PathBuf::from(config.stored("syslog-socket", "/dev/log")),
        ident: config.stored("syslog-ident", "redis"),
        facility,
    });
    Ok(Some(fmt::layer().with_target(false).with_ansi(false).without_time().with_level(false).with_writer(SyslogWriter)))
}

/// Hands the subscriber a [`SyslogLine`] per line, to [`SYSLOG`].
struct SyslogWriter;

/// One syslog message being formatted; sent as one datagram when dropped.
struct SyslogLine {
    to: Option<&'static Syslog>,
    severity: u8,
    text: Vec<u8>,
}

impl<'a> MakeWriter<'a> for SyslogWriter {
    type Writer = SyslogLine;
    fn make_writer(&'a self) -> SyslogLine {
        self.make_line(5)
    }
    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> SyslogLine {
        let severity = match *meta.level() {
            tracing::Level::ERROR => 3,
            tracing::Level::WARN => 4,
            tracing::Level::INFO => 5,
            tracing::Level::DEBUG => 6,
            tracing::Level::TRACE => 7,
        };
        self.make_line(severity)
    }
}

impl SyslogWriter {
    fn make_line(&self, severity: u8) -> SyslogLine {
        SyslogLine { to: SYSLOG.get(), severity, text: Vec::with_capacity(256) }
    }
}

impl Write for SyslogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for SyslogLine {
    fn drop(&mut self) {
        let Some(to) = self.to else { return };
        let message = String::from_utf8_lossy(&self.text);
        let message = message.trim_end();
        if message.is_empty() {
            return;
        }
        let datagram = rfc3164(to.facility, self.severity, &to.ident, std::process::id(), crate::types::now_ms(), message);
        // A missing or full syslog daemon must not stop the server: the line is dropped.
        let _ = to.socket.send_to(datagram.as_bytes(), &to.path);
    }
}

/// An RFC 3164 message: `<PRI>Mmm dd hh:mm:ss ident[pid]: message`, the time in UTC.
fn rfc3164(facility: u8, severity: u8, ident: &str, pid: u32, now_ms: i64, message: &str) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = now_ms.div_euclid(1000);
    let (days, day_secs) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    let (_, month, day) = crate::audit::civil_from_days(days);
    format!(
        "<{}>{} {:>2} {:02}:{:02}:{:02} {ident}[{pid}]: {message}",
        facility as u32 * 8 + severity as u32,
        MONTHS[(month - 1) as usize],
        day,
        day_secs / 3600,
        day_secs % 3600 / 60,
        day_secs % 60
    )
}

/// Reopens `logfile` (SIGHUP). Answers whether there was a file to reopen.
pub fn reopen() -> Result<bool, String> {
    let Some(log) = LOG_FILE.get() else { return Ok(false) };
    let fresh = open(&log.path)?;
    *log.file.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3164_lines() {
        // 2024-02-29 13:05:09 UTC.
        let at = 1_709_211_909_000;
        assert_eq!(rfc3164(16, 5, "diskdb", 42, at, "Ready"), "<133>Feb 29 13:05:09 diskdb[42]: Ready");
        assert_eq!(rfc3164(1, 4, "x", 1, 0, "w"), "<12>Jan  1 00:00:00 x[1]: w");
    }
}

//! Log output: `tracing` to standard error or to `logfile`, at the level `loglevel` (and
//! CONFIG SET loglevel) asks for. SIGHUP reopens the file, so log rotation is "move the
//! file, send SIGHUP"; lines are never lost in between, they go to the moved file until
//! the new one is open.

use std::fs::{File, OpenOptions};
use std::io::Write;
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
    let registry = tracing_subscriber::registry().with(filter);
    if config.logfile.is_empty() {
        registry.with(fmt::layer().with_target(false).with_writer(std::io::stderr)).init();
        return Ok(());
    }
    let path = PathBuf::from(&config.logfile);
    let file = Mutex::new(open(&path)?);
    let log = LOG_FILE.get_or_init(|| LogFile { path, file });
    registry.with(fmt::layer().with_target(false).with_ansi(false).with_writer(Writer(log))).init();
    Ok(())
}

/// Reopens `logfile` (SIGHUP). Answers whether there was a file to reopen.
pub fn reopen() -> Result<bool, String> {
    let Some(log) = LOG_FILE.get() else { return Ok(false) };
    let fresh = open(&log.path)?;
    *log.file.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
    Ok(true)
}

//! Process signals, as Redis treats them: SIGINT and SIGTERM shut down cleanly, SIGHUP
//! never stops the server (a closing terminal or a log-rotation hook sends it) and
//! reopens the log file (and the audit log), SIGPIPE is ignored (a write to a closed socket is an error on
//! that connection only; the Rust runtime sets SIGPIPE to ignored before `main`).

use tokio::signal::unix::{signal, Signal, SignalKind};

/// The handlers, installed before storage is opened so that an early SIGHUP cannot kill
/// the process with the default action.
pub struct Signals {
    int: Signal,
    term: Signal,
    hup: Signal,
    /// Also run on SIGHUP (the audit log's reopen).
    on_hup: Vec<Box<dyn Fn() + Send + Sync>>,
}

impl Signals {
    pub fn install() -> Result<Signals, super::StartError> {
        let on = |kind: SignalKind| signal(kind).map_err(super::StartError::Signals);
        Ok(Signals {
            int: on(SignalKind::interrupt())?,
            term: on(SignalKind::terminate())?,
            hup: on(SignalKind::hangup())?,
            on_hup: Vec::new(),
        })
    }

    /// Runs `f` on every SIGHUP too, after the log file is reopened.
    pub fn on_hangup(&mut self, f: Box<dyn Fn() + Send + Sync>) {
        self.on_hup.push(f);
    }

    /// Waits for a signal that asks the server to stop and answers its name; SIGHUPs on
    /// the way reopen the log file.
    pub async fn stop_requested(&mut self) -> &'static str {
        loop {
            tokio::select! {
                _ = self.int.recv() => return "SIGINT",
                _ = self.term.recv() => return "SIGTERM",
                _ = self.hup.recv() => {
                    match crate::logging::reopen() {
                        Ok(true) => tracing::info!("received SIGHUP, log file reopened"),
                        Ok(false) => tracing::info!("received SIGHUP, ignored (logging to standard error)"),
                        Err(e) => tracing::warn!("received SIGHUP, {e}; still logging to the old file"),
                    }
                    self.on_hup.iter().for_each(|f| f());
                }
            }
        }
    }

    /// After shutdown began: SIGHUP still reopens the log, SIGINT and SIGTERM again are
    /// noted (the shutdown in progress finishes what it does).
    pub async fn during_shutdown(mut self) {
        loop {
            let name = self.stop_requested().await;
            tracing::warn!("received {name} while shutting down; the shutdown in progress goes on");
        }
    }
}

//! Pipelines: many commands in one write and one round trip, optionally wrapped in
//! MULTI/EXEC ([`Pipeline::atomic`]) so they run as one transaction.

use crate::resp::Cmd;
use crate::value::{FromValue, Value};
use crate::error::Result;

/// A batch of commands. Build it with the typed helpers (the same names as on
/// [`crate::AsyncCommands`], returning `&mut Self`) or [`Pipeline::cmd`], then run it
/// with [`Pipeline::query`] or [`Pipeline::query_as`].
///
/// ```no_run
/// # async fn demo(conn: &mut diskdb_client::Connection) -> diskdb_client::Result<()> {
/// use diskdb_client::Pipeline;
/// let (n, v): (i64, Option<String>) = Pipeline::new().incr("hits").get("name").query_as(conn).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    cmds: Vec<Cmd>,
    atomic: bool,
}

impl Pipeline {
    /// An empty, non-atomic pipeline.
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    /// Runs the commands inside MULTI/EXEC: results are EXEC's, and a transaction
    /// aborted by WATCH fails with [`crate::Error::WatchAborted`].
    pub fn atomic(&mut self) -> &mut Self {
        self.atomic = true;
        self
    }

    /// True when [`Pipeline::atomic`] was called.
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// Adds any command.
    pub fn cmd(&mut self, cmd: Cmd) -> &mut Self {
        self.cmds.push(cmd);
        self
    }

    /// The number of commands added (without MULTI/EXEC).
    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Removes every command (the atomic flag stays).
    pub fn clear(&mut self) {
        self.cmds.clear();
    }

    /// The commands as sent, MULTI and EXEC included for atomic pipelines.
    pub(crate) fn commands(&self) -> &[Cmd] {
        &self.cmds
    }

    /// Sends the batch and returns one value per command (error replies included as
    /// [`Value::Error`]).
    pub async fn query(&self, conn: &mut crate::Connection) -> Result<Vec<Value>> {
        conn.run_pipeline(self).await
    }

    /// Like [`Pipeline::query`], converting the list of results (e.g. into a tuple or a
    /// `Vec<T>`).
    pub async fn query_as<T: FromValue>(&self, conn: &mut crate::Connection) -> Result<T> {
        T::from_value(Value::Array(self.query(conn).await?))
    }

    /// For an atomic pipeline, a copy with MULTI and EXEC around the commands.
    pub(crate) fn wrapped(&self) -> Pipeline {
        if !self.atomic {
            return Pipeline { cmds: self.cmds.clone(), atomic: false };
        }
        let mut cmds = Vec::with_capacity(self.cmds.len() + 2);
        cmds.push(Cmd::new("MULTI"));
        cmds.extend(self.cmds.iter().cloned());
        cmds.push(Cmd::new("EXEC"));
        Pipeline { cmds, atomic: true }
    }
}

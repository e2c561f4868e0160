//! The blocking API: the async client driven by a current-thread Tokio runtime that
//! each blocking object owns, for programs without an async runtime of their own. Do not
//! call it from inside an async task (Tokio refuses nested `block_on`).

use crate::error::Result;
use crate::options::ConnectOptions;
use crate::pipeline::Pipeline;
use crate::pubsub::Message;
use crate::resp::{Cmd, ToArgs};
use crate::value::Value;
use crate::AsyncCommands;

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// A blocking, reconnecting client (the blocking twin of [`crate::Client`]).
///
/// ```no_run
/// use diskdb_client::{blocking, Commands};
/// let mut db = blocking::Client::open("redis://127.0.0.1:6380")?;
/// db.set("visits", "1000")?;
/// db.incr("visits")?;
/// let visits = db.get("visits")?;
/// # Ok::<(), diskdb_client::Error>(())
/// ```
pub struct Client {
    rt: tokio::runtime::Runtime,
    inner: crate::Client,
}

impl Client {
    /// Connects to a URL.
    pub fn open(url: &str) -> Result<Client> {
        Client::connect(ConnectOptions::from_url(url)?)
    }

    /// Connects with explicit options.
    pub fn connect(opts: ConnectOptions) -> Result<Client> {
        let rt = runtime()?;
        let inner = rt.block_on(crate::Client::connect(opts))?;
        Ok(Client { rt, inner })
    }

    /// Runs a pipeline (see [`crate::Connection::run_pipeline`]).
    pub fn run_pipeline(&mut self, p: &Pipeline) -> Result<Vec<Value>> {
        self.rt.block_on(self.inner.run_pipeline(p))
    }

    /// Optimistic transaction: WATCH `keys`, `f` reads through the client and queues
    /// writes in the (atomic) pipeline, EXEC; retried while a watched key changed first.
    pub fn transaction<K, F>(&mut self, keys: K, mut f: F) -> Result<Vec<Value>>
    where
        K: ToArgs,
        F: FnMut(&mut Client, &mut Pipeline) -> Result<()>,
    {
        use crate::Commands;
        loop {
            self.send_cmd(Cmd::new("WATCH").arg(&keys))?;
            let mut pipe = Pipeline::new();
            pipe.atomic();
            if let Err(e) = f(self, &mut pipe) {
                let _ = self.send_cmd(Cmd::new("UNWATCH"));
                return Err(e);
            }
            if pipe.is_empty() {
                self.send_cmd(Cmd::new("UNWATCH"))?;
                return Ok(Vec::new());
            }
            match self.run_pipeline(&pipe) {
                Err(crate::Error::WatchAborted) => continue,
                other => return other,
            }
        }
    }

    /// A new connection in subscribed mode.
    pub fn pubsub(&self) -> Result<PubSub> {
        let rt = runtime()?;
        let inner = rt.block_on(crate::Connection::connect(self.inner.options()))?;
        Ok(PubSub { rt, inner: crate::PubSub::new(inner) })
    }
}

impl crate::commands::Commands for Client {
    fn send_cmd(&mut self, cmd: Cmd) -> Result<Value> {
        self.rt.block_on(self.inner.send_cmd(cmd))
    }
}

/// A blocking subscribed connection; [`PubSub::iter`] yields messages as they arrive.
pub struct PubSub {
    rt: tokio::runtime::Runtime,
    inner: crate::PubSub,
}

impl PubSub {
    /// `SUBSCRIBE channel [channel ...]`.
    pub fn subscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        self.rt.block_on(self.inner.subscribe(channels))
    }

    /// `PSUBSCRIBE pattern [pattern ...]`.
    pub fn psubscribe<P: ToArgs>(&mut self, patterns: P) -> Result<()> {
        self.rt.block_on(self.inner.psubscribe(patterns))
    }

    /// `UNSUBSCRIBE channel [channel ...]`.
    pub fn unsubscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        self.rt.block_on(self.inner.unsubscribe(channels))
    }

    /// Waits for the next message.
    pub fn next_message(&mut self) -> Result<Message> {
        self.rt.block_on(self.inner.next_message())
    }

    /// The messages, endlessly (`for msg in ps.iter() { ... }`); ends after an error.
    pub fn iter(&mut self) -> impl Iterator<Item = Result<Message>> + '_ {
        let mut failed = false;
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            let r = self.next_message();
            failed = r.is_err();
            Some(r)
        })
    }
}

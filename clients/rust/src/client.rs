//! [`Client`]: one connection that reconnects by itself. A call that fails with an I/O
//! error returns that error (it may or may not have run); the next call opens a new
//! connection, so a restarted server is picked up without the caller rebuilding anything.

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::options::ConnectOptions;
use crate::pipeline::Pipeline;
use crate::pubsub::PubSub;
use crate::resp::{Cmd, ToArgs};
use crate::value::Value;
use std::future::Future;
use std::pin::Pin;

/// What a [`Connection::transaction`] body returns: a boxed, `Send` future borrowing the
/// connection and the pipeline (`|conn, pipe| Box::pin(async move { ... })`), so the
/// whole transaction can run inside `tokio::spawn`. State shared with the body across
/// attempts goes in an `Arc` cloned into each future.
pub type TxFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// A reconnecting client; the usual entry point.
///
/// ```no_run
/// # async fn demo() -> diskdb_client::Result<()> {
/// use diskdb_client::{AsyncCommands, Client};
/// let mut db = Client::open("redis://127.0.0.1:6380").await?;
/// db.set("visits", 1000).await?;
/// let visits: i64 = db.incr("visits").await?;
/// # Ok(()) }
/// ```
pub struct Client {
    opts: ConnectOptions,
    conn: Option<Connection>,
}

impl Client {
    /// Connects to a URL (fails now if the server cannot be reached).
    pub async fn open(url: &str) -> Result<Client> {
        Client::connect(ConnectOptions::from_url(url)?).await
    }

    /// Connects with explicit options.
    pub async fn connect(opts: ConnectOptions) -> Result<Client> {
        let conn = Connection::connect(&opts).await?;
        Ok(Client { opts, conn: Some(conn) })
    }

    /// The live connection, reopened if the last one broke.
    pub async fn connection(&mut self) -> Result<&mut Connection> {
        if self.conn.as_ref().is_none_or(|c| c.is_broken()) {
            self.conn = None;
            self.conn = Some(Connection::connect(&self.opts).await?);
        }
        Ok(self.conn.as_mut().expect("just connected"))
    }

    /// The options in use.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// Runs a pipeline (see [`Connection::run_pipeline`]).
    pub async fn run_pipeline(&mut self, p: &Pipeline) -> Result<Vec<Value>> {
        self.connection().await?.run_pipeline(p).await
    }

    /// Optimistic transaction: WATCH `keys`, let `f` read what it needs and fill an
    /// atomic pipeline, EXEC; if a watched key changed meanwhile, start again. Returns
    /// EXEC's results. See [`Connection::transaction`].
    pub async fn transaction<K, F>(&mut self, keys: K, f: F) -> Result<Vec<Value>>
    where
        K: ToArgs,
        F: for<'a> FnMut(&'a mut Connection, &'a mut Pipeline) -> TxFuture<'a>,
    {
        self.connection().await?.transaction(keys, f).await
    }

    /// A new connection with the same options, in subscribed mode.
    pub async fn pubsub(&self) -> Result<PubSub> {
        Ok(PubSub::new(Connection::connect(&self.opts).await?))
    }
}

impl crate::commands::AsyncCommands for Client {
    async fn send_cmd(&mut self, cmd: Cmd) -> Result<Value> {
        self.connection().await?.query(&cmd).await
    }
}

impl Connection {
    /// Optimistic transaction with retries: `WATCH keys`, then `f(conn, pipe)` reads
    /// what it needs through `conn` and queues the writes in `pipe` (already atomic);
    /// then EXEC. When a watched key changed before EXEC, everything runs again. An
    /// error from `f` ends it (after UNWATCH).
    ///
    /// ```no_run
    /// # async fn demo(conn: &mut diskdb_client::Connection) -> diskdb_client::Result<()> {
    /// use diskdb_client::AsyncCommands;
    /// conn.transaction("balance", |conn, pipe| Box::pin(async move {
    ///     let b: i64 = conn.get("balance").await?.map_or(0, |s| s.parse().unwrap_or(0));
    ///     pipe.set("balance", b + 10);
    ///     Ok(())
    /// })).await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction<K, F>(&mut self, keys: K, mut f: F) -> Result<Vec<Value>>
    where
        K: ToArgs,
        F: for<'a> FnMut(&'a mut Connection, &'a mut Pipeline) -> TxFuture<'a>,
    {
        loop {
            self.query::<()>(&Cmd::new("WATCH").arg(&keys)).await?;
            let mut pipe = Pipeline::new();
            pipe.atomic();
            if let Err(e) = f(self, &mut pipe).await {
                if !self.is_broken() {
                    let _ = self.query::<()>(&Cmd::new("UNWATCH")).await;
                }
                return Err(e);
            }
            if pipe.is_empty() {
                self.query::<()>(&Cmd::new("UNWATCH")).await?;
                return Ok(Vec::new());
            }
            match self.run_pipeline(&pipe).await {
                Err(Error::WatchAborted) => continue,
                other => return other,
            }
        }
    }
}

//! Pub/sub: a connection in subscribed mode, read as messages one by one
//! ([`PubSub::next_message`]) or as a `Stream` ([`PubSub::into_stream`]).

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::resp::{Cmd, ToArgs};
use crate::value::{FromValue, Value};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A published message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The channel it was published on.
    pub channel: String,
    /// The pattern that matched, for PSUBSCRIBE subscriptions.
    pub pattern: Option<String>,
    /// The message bytes.
    pub payload: Vec<u8>,
}

impl Message {
    /// The payload as text (lossy UTF-8).
    pub fn payload_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.payload)
    }
}

/// A subscribed connection. Made by [`crate::Client::pubsub`] or
/// [`PubSub::new`] from any connection.
///
/// ```no_run
/// # async fn demo() -> diskdb_client::Result<()> {
/// let mut ps = diskdb_client::PubSub::new(diskdb_client::Connection::open("redis://127.0.0.1:6380").await?);
/// ps.subscribe("news").await?;
/// let msg = ps.next_message().await?;
/// println!("{}: {}", msg.channel, msg.payload_str());
/// # Ok(()) }
/// ```
pub struct PubSub {
    conn: Connection,
    pending: VecDeque<Message>,
}

enum Frame {
    Message(Message),
    /// subscribe / psubscribe / unsubscribe / punsubscribe confirmations and pongs.
    Control(String),
}

fn frame(v: Value) -> Result<Frame> {
    let parts = match v {
        Value::Push(p) | Value::Array(p) => p,
        Value::Error(e) => return Err(Error::from_server(e)),
        other => return Err(Error::UnexpectedReply(format!("in subscribed mode: {}", other.describe()))),
    };
    let mut it = parts.into_iter();
    let kind = String::from_value(it.next().unwrap_or(Value::Nil))?;
    match kind.as_str() {
        "message" => Ok(Frame::Message(Message {
            channel: String::from_value(it.next().unwrap_or(Value::Nil))?,
            pattern: None,
            payload: Vec::from_value(it.next().unwrap_or(Value::Nil))?,
        })),
        "pmessage" => Ok(Frame::Message(Message {
            pattern: Some(String::from_value(it.next().unwrap_or(Value::Nil))?),
            channel: String::from_value(it.next().unwrap_or(Value::Nil))?,
            payload: Vec::from_value(it.next().unwrap_or(Value::Nil))?,
        })),
        _ => Ok(Frame::Control(kind)),
    }
}

impl PubSub {
    /// Puts `conn` in subscribed mode (no subscription yet).
    pub fn new(conn: Connection) -> PubSub {
        PubSub { conn, pending: VecDeque::new() }
    }

    async fn next_frame(&mut self) -> Result<Frame> {
        if let Some(p) = self.conn.pushes.pop_front() {
            return frame(p);
        }
        frame(self.conn.read_frame().await?)
    }

    /// Sends `cmd` and waits for `n` confirmations of kind `confirm`, keeping messages
    /// that arrive meanwhile.
    async fn confirm(&mut self, cmd: Cmd, confirm: &str, n: usize) -> Result<()> {
        self.conn.send(std::slice::from_ref(&cmd)).await?;
        let mut left = n;
        while left > 0 {
            match self.next_frame().await? {
                Frame::Message(m) => self.pending.push_back(m),
                Frame::Control(k) if k == confirm => left -= 1,
                Frame::Control(_) => {}
            }
        }
        Ok(())
    }

    /// `SUBSCRIBE channel [channel ...]`, returning once the server confirmed each.
    pub async fn subscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        let cmd = Cmd::new("SUBSCRIBE").arg(channels);
        let n = cmd.args().len() - 1;
        self.confirm(cmd, "subscribe", n).await
    }

    /// `PSUBSCRIBE pattern [pattern ...]`.
    pub async fn psubscribe<P: ToArgs>(&mut self, patterns: P) -> Result<()> {
        let cmd = Cmd::new("PSUBSCRIBE").arg(patterns);
        let n = cmd.args().len() - 1;
        self.confirm(cmd, "psubscribe", n).await
    }

    /// `UNSUBSCRIBE channel [channel ...]`.
    pub async fn unsubscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        let cmd = Cmd::new("UNSUBSCRIBE").arg(channels);
        let n = cmd.args().len() - 1;
        self.confirm(cmd, "unsubscribe", n).await
    }

    /// `PUNSUBSCRIBE pattern [pattern ...]`.
    pub async fn punsubscribe<P: ToArgs>(&mut self, patterns: P) -> Result<()> {
        let cmd = Cmd::new("PUNSUBSCRIBE").arg(patterns);
        let n = cmd.args().len() - 1;
        self.confirm(cmd, "punsubscribe", n).await
    }

    /// The next message (waits for one).
    pub async fn next_message(&mut self) -> Result<Message> {
        if let Some(m) = self.pending.pop_front() {
            return Ok(m);
        }
        loop {
            if let Frame::Message(m) = self.next_frame().await? {
                return Ok(m);
            }
        }
    }

    /// The messages as a `Stream` (`futures::StreamExt::next`, `tokio_stream`, ...).
    /// The stream ends after the first error (the connection is then unusable).
    pub fn into_stream(self) -> MessageStream {
        MessageStream { state: Some(Box::pin(next_owned(self))), done: false }
    }

    /// The underlying connection, for example to leave subscribed mode by hand.
    pub fn into_connection(self) -> Connection {
        self.conn
    }
}

type NextFuture = Pin<Box<dyn Future<Output = (PubSub, Result<Message>)> + Send>>;

async fn next_owned(mut ps: PubSub) -> (PubSub, Result<Message>) {
    let r = ps.next_message().await;
    (ps, r)
}

/// A [`PubSub`] as a `futures_core::Stream` of `Result<Message>`.
pub struct MessageStream {
    state: Option<NextFuture>,
    done: bool,
}

impl futures_core::Stream for MessageStream {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let Some(fut) = self.state.as_mut() else { return Poll::Ready(None) };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((ps, r)) => {
                if r.is_err() {
                    self.done = true;
                    self.state = None;
                } else {
                    self.state = Some(Box::pin(next_owned(ps)));
                }
                Poll::Ready(Some(r))
            }
        }
    }
}

impl MessageStream {
    /// The next message, or `None` after an error ended the stream (a convenience for
    /// callers without a `StreamExt`).
    pub async fn next(&mut self) -> Option<Result<Message>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

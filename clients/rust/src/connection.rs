//! One connection over any transport: the byte pipes ([`Transport`]), the connection
//! setup (HELLO / AUTH / SELECT / CLIENT SETNAME, then SHM.ATTACH for shared memory),
//! and request/reply exchange with pipelining.

use crate::error::{Error, Result};
use crate::options::{Addr, ConnectOptions};
use crate::pipeline::Pipeline;
use crate::resp::{self, Cmd, ToArgs};
use crate::shm::Shm;
use crate::value::{FromValue, Value};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::client::TlsStream;

/// The byte pipe under a connection.
pub(crate) enum Transport {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<TlsStream<TcpStream>>),
    Shm(Box<Shm>),
    /// Only while a Unix socket is being handed over to the shared-memory transport.
    Detached,
}

impl Transport {
    /// Writes all of `buf`; the shared-memory transport may move replies into `rbuf`
    /// meanwhile (see `Shm::write_all`).
    async fn write_all(&mut self, buf: &[u8], rbuf: &mut Vec<u8>) -> Result<()> {
        match self {
            Transport::Tcp(s) => s.write_all(buf).await?,
            Transport::Unix(s) => s.write_all(buf).await?,
            Transport::Tls(s) => {
                s.write_all(buf).await?;
                s.flush().await?
            }
            Transport::Shm(s) => s.write_all(buf, rbuf).await?,
            Transport::Detached => return Err(Error::closed("connection detached")),
        }
        Ok(())
    }

    /// Appends what is available (at least one byte) to `buf`; 0 means end of stream.
    async fn read_some(&mut self, buf: &mut Vec<u8>) -> Result<usize> {
        // Room grows with what is buffered: a reply arriving in many pieces is re-parsed
        // from its start after each read, so reads must get larger as it grows (a
        // logarithmic number of attempts instead of one per 16 KiB).
        if buf.capacity() - buf.len() < 8192 {
            buf.reserve(buf.len().max(16384));
        }
        Ok(match self {
            Transport::Tcp(s) => s.read_buf(buf).await?,
            Transport::Unix(s) => s.read_buf(buf).await?,
            Transport::Tls(s) => s.read_buf(buf).await?,
            Transport::Shm(s) => s.read_some(buf).await?,
            Transport::Detached => return Err(Error::closed("connection detached")),
        })
    }

    fn kind(&self) -> &'static str {
        match self {
            Transport::Tcp(_) => "tcp",
            Transport::Unix(_) => "unix",
            Transport::Tls(_) => "tls",
            Transport::Shm(_) => "shm",
            Transport::Detached => "detached",
        }
    }
}

async fn with_timeout<T>(limit: Option<Duration>, f: impl Future<Output = Result<T>>) -> Result<T> {
    match limit {
        Some(d) => tokio::time::timeout(d, f).await.map_err(|_| Error::Timeout)?,
        None => f.await,
    }
}

/// A single connection to DiskDB (or Redis). Calls take `&mut self`: one request at a
/// time, or many at once with a [`Pipeline`]. For sharing between tasks use a
/// [`crate::Pool`]; for automatic reconnection a [`crate::Client`].
///
/// ```no_run
/// # async fn demo() -> diskdb_client::Result<()> {
/// use diskdb_client::{AsyncCommands, Connection};
/// let mut conn = Connection::open("redis://127.0.0.1:6380").await?;
/// conn.set("greeting", "hello").await?;
/// assert_eq!(conn.get("greeting").await?, Some("hello".to_string()));
/// # Ok(()) }
/// ```
pub struct Connection {
    transport: Transport,
    wbuf: Vec<u8>,
    rbuf: Vec<u8>,
    rpos: usize,
    /// Replies still owed by the server for requests already sent: non-zero at the start
    /// of a call means an earlier call was cancelled mid-way, so the stream is out of step.
    owed: usize,
    broken: bool,
    resp3: bool,
    response_timeout: Option<Duration>,
    /// RESP3 pushes that arrived among ordinary replies (pub/sub on a RESP3 connection).
    pub(crate) pushes: VecDeque<Value>,
    pub(crate) opts: Arc<ConnectOptions>,
}

impl Connection {
    /// Connects to a URL (`redis://`, `rediss://`, `unix://`, `diskdb+shm://`; see
    /// [`ConnectOptions::from_url`]).
    pub async fn open(url: &str) -> Result<Connection> {
        Connection::connect(&ConnectOptions::from_url(url)?).await
    }

    /// Connects with explicit options.
    pub async fn connect(opts: &ConnectOptions) -> Result<Connection> {
        let opts = Arc::new(opts.clone());
        with_timeout(opts.connect_timeout, Connection::connect_inner(opts.clone())).await
    }

    async fn connect_inner(opts: Arc<ConnectOptions>) -> Result<Connection> {
        let transport = match &opts.addr {
            Addr::Tcp { host, port } => {
                let s = TcpStream::connect((host.as_str(), *port)).await?;
                s.set_nodelay(true)?;
                Transport::Tcp(s)
            }
            Addr::Tls { host, port } => {
                let config = crate::tls::client_config(&opts)?;
                let name = rustls_pki_types::ServerName::try_from(host.clone())
                    .map_err(|e| Error::InvalidUrl(format!("TLS server name {host:?}: {e}")))?;
                let s = TcpStream::connect((host.as_str(), *port)).await?;
                s.set_nodelay(true)?;
                let tls = tokio_rustls::TlsConnector::from(config).connect(name, s).await?;
                Transport::Tls(Box::new(tls))
            }
            Addr::Unix(path) | Addr::Shm(path) => Transport::Unix(UnixStream::connect(path).await?),
        };
        let mut conn = Connection {
            transport,
            wbuf: Vec::with_capacity(4096),
            rbuf: Vec::with_capacity(16384),
            rpos: 0,
            owed: 0,
            broken: false,
            resp3: false,
            response_timeout: opts.response_timeout,
            pushes: VecDeque::new(),
            opts: opts.clone(),
        };
        conn.setup().await?;
        if let Addr::Shm(_) = opts.addr {
            let Transport::Unix(sock) = std::mem::replace(&mut conn.transport, Transport::Detached) else {
                unreachable!("shm connections start on a Unix socket")
            };
            conn.transport = Transport::Shm(Box::new(Shm::attach(sock).await?));
        }
        Ok(conn)
    }

    /// HELLO 3 / AUTH, SELECT and CLIENT SETNAME, as the options ask.
    async fn setup(&mut self) -> Result<()> {
        let o = self.opts.clone();
        if o.resp3 {
            let mut c = Cmd::new("HELLO").arg("3");
            if let Some(p) = &o.password {
                c = c.arg("AUTH").arg(o.username.as_deref().unwrap_or("default")).arg(p);
            }
            if let Some(n) = &o.client_name {
                c = c.arg("SETNAME").arg(n);
            }
            self.query::<Value>(&c).await?;
            self.resp3 = true;
        } else {
            if let Some(p) = &o.password {
                let mut c = Cmd::new("AUTH");
                if let Some(u) = &o.username {
                    c = c.arg(u);
                }
                self.query::<()>(&c.arg(p)).await?;
            }
            if let Some(n) = &o.client_name {
                self.query::<()>(&Cmd::new("CLIENT").arg("SETNAME").arg(n)).await?;
            }
        }
        if o.db != 0 {
            self.query::<()>(&Cmd::new("SELECT").arg(o.db)).await?;
        }
        Ok(())
    }

    /// The transport in use: `"tcp"`, `"tls"`, `"unix"` or `"shm"`.
    pub fn transport(&self) -> &'static str {
        self.transport.kind()
    }

    /// True after `HELLO 3` switched the connection to RESP3.
    pub fn is_resp3(&self) -> bool {
        self.resp3
    }

    /// True once an I/O, protocol or timeout error (or a cancelled call) left the
    /// connection unusable; every later call fails at once.
    pub fn is_broken(&self) -> bool {
        self.broken || self.owed != 0
    }

    /// The options this connection was made with.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// Runs one command and converts its reply; error replies become `Err`.
    pub async fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        let v = self.request(std::slice::from_ref(cmd)).await?.pop().unwrap_or(Value::Nil);
        T::from_value(v.into_result()?)
    }

    /// Runs a raw command given as its words, e.g. `conn.cmd(&["CLIENT", "ID"])`.
    pub async fn cmd<A: ToArgs>(&mut self, args: &[A]) -> Result<Value> {
        let mut c = Cmd::default();
        for a in args {
            c.push(a);
        }
        if c.args().is_empty() {
            return Err(Error::InvalidUrl("empty command".into()));
        }
        self.query(&c).await
    }

    /// Runs a pipeline: every command is written at once, then every reply read. Error
    /// replies stay in the result as [`Value::Error`]. Atomic pipelines ([`Pipeline::atomic`])
    /// return EXEC's results, or [`Error::WatchAborted`] when a WATCHed key changed.
    pub async fn run_pipeline(&mut self, p: &Pipeline) -> Result<Vec<Value>> {
        if p.is_empty() {
            return Ok(Vec::new());
        }
        let p = p.wrapped();
        let mut replies = self.request(p.commands()).await?;
        if !p.is_atomic() {
            return Ok(replies);
        }
        // MULTI's +OK, one +QUEUED per command, then EXEC's array (or nil, or EXECABORT).
        let exec = replies.pop().unwrap_or(Value::Nil);
        if let Some(err) = replies.into_iter().find_map(|v| if let Value::Error(e) = v { Some(e) } else { None }) {
            if let Value::Error(x) = &exec {
                return Err(Error::from_server(format!("{x} ({err})")));
            }
            return Err(Error::from_server(err));
        }
        match exec {
            Value::Nil => Err(Error::WatchAborted),
            Value::Array(items) => Ok(items),
            Value::Error(e) => Err(Error::from_server(e)),
            other => Err(Error::UnexpectedReply(format!("EXEC replied {}", other.describe()))),
        }
    }

    /// Writes `cmds` in one go and reads one reply per command.
    pub(crate) async fn request(&mut self, cmds: &[Cmd]) -> Result<Vec<Value>> {
        self.check_usable()?;
        self.wbuf.clear();
        for c in cmds {
            c.encode(&mut self.wbuf);
        }
        self.owed = cmds.len();
        let limit = self.response_timeout;
        let r = with_timeout(limit, async {
            let buf = std::mem::take(&mut self.wbuf);
            let w = self.transport.write_all(&buf, &mut self.rbuf).await;
            self.wbuf = buf;
            w?;
            let mut out = Vec::with_capacity(cmds.len());
            for _ in 0..cmds.len() {
                out.push(self.read_reply().await?);
                self.owed -= 1;
            }
            Ok(out)
        })
        .await;
        if let Err(e) = &r {
            if e.is_connection_error() {
                self.broken = true;
            }
        }
        r
    }

    /// Sends commands without waiting for replies (pub/sub subscriptions).
    pub(crate) async fn send(&mut self, cmds: &[Cmd]) -> Result<()> {
        self.check_usable()?;
        self.wbuf.clear();
        for c in cmds {
            c.encode(&mut self.wbuf);
        }
        let buf = std::mem::take(&mut self.wbuf);
        let r = self.transport.write_all(&buf, &mut self.rbuf).await;
        self.wbuf = buf;
        if r.is_err() {
            self.broken = true;
        }
        r
    }

    fn check_usable(&mut self) -> Result<()> {
        if self.owed != 0 {
            self.broken = true;
        }
        if self.broken {
            return Err(Error::closed("connection unusable after an earlier I/O error or cancelled call"));
        }
        Ok(())
    }

    /// The next reply that is not a RESP3 push (pushes are queued for pub/sub).
    async fn read_reply(&mut self) -> Result<Value> {
        loop {
            match self.read_frame().await? {
                Value::Push(p) => self.pushes.push_back(Value::Push(p)),
                v => return Ok(v),
            }
        }
    }

    /// The next frame of any kind, pushes included.
    pub(crate) async fn read_frame(&mut self) -> Result<Value> {
        let r = async {
            loop {
                if self.rpos < self.rbuf.len() {
                    if let Some((v, n)) = resp::parse(&self.rbuf[self.rpos..])? {
                        self.rpos += n;
                        if self.rpos == self.rbuf.len() {
                            self.rbuf.clear();
                            self.rpos = 0;
                        }
                        return Ok(v);
                    }
                }
                if self.rpos > 0 {
                    self.rbuf.drain(..self.rpos);
                    self.rpos = 0;
                }
                if self.transport.read_some(&mut self.rbuf).await? == 0 {
                    return Err(Error::closed("the server closed the connection"));
                }
            }
        }
        .await;
        if let Err(e) = &r {
            if e.is_connection_error() {
                self.broken = true;
            }
        }
        r
    }
}

impl crate::commands::AsyncCommands for Connection {
    async fn send_cmd(&mut self, cmd: Cmd) -> Result<Value> {
        self.query(&cmd).await
    }
}

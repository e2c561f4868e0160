//! One client connection over any byte stream (TCP, Unix socket, TLS, and the
//! shared-memory rings a Unix-socket client moves to with SHM.ATTACH: `crate::shm`).
//!
//! Pipelining: every complete request in the input buffer is decoded and executed in
//! order, replies collect in one output buffer, and the buffer is written with one flush
//! when no complete request is left (or when it grows past a bound). Under `appendfsync
//! always`, replies that follow a write wait for the group commit before being sent.
//!
//! Buffers exist only while a client has something in flight: a connection waits for
//! its socket to become readable holding no buffer, allocates the input buffer when data
//! arrives, and gives both buffers back once every request it read has been answered
//! (as Redis 7.2's shared query buffer does), so an idle client costs a few hundred
//! bytes of task state and its `ClientInfo`, and a client that sent one large request
//! does not keep its buffer.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::durability::Durability;
use super::throttle;
use crate::commands::blocking::BlockOn;
use crate::commands::context::UNBLOCK_ERROR;
use crate::commands::{execute, ClientInfo, Outcome, ServerState, Session};
use crate::config::value::BufferLimit;
use crate::config::Fsync;
use crate::error::Error;
use crate::protocol::{Decoded, Reply, RequestDecoder};
use crate::types::now_ms;

/// Flush replies early once this much output is pending.
const OUTPUT_FLUSH: usize = 256 * 1024;
/// Room made in the input buffer before a read, and the output buffer's first size.
const READ_CHUNK: usize = 16 * 1024;
/// Bytes an idle connection reads into its thread's buffer ([`FIRST`]) before it allocates.
const FIRST_READ: usize = 4 * 1024;
const OUTPUT_START: usize = 4 * 1024;

thread_local! {
    /// Where an idle connection's first read lands (see `socket_stream!`).
    static FIRST: std::cell::RefCell<[u8; FIRST_READ]> = const { std::cell::RefCell::new([0; FIRST_READ]) };
}

/// Redis 7.0's refusal of a non-local client in protected mode, byte for byte.
const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Redis's protected mode: with `protected-mode yes` and a default user without a
/// password (`nopass`), only loopback and Unix-socket clients are served.
fn protected_mode_denies(state: &ServerState, info: &ClientInfo) -> bool {
    state.config.read().protected_mode && !info.is_local() && state.acl.default_user().read().nopass
}

/// A client's byte stream, as a transport hands it over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::os::fd::AsRawFd + 'static {
    /// Reads what has arrived into `input`, waiting for data first, so that an idle
    /// connection whose `input` is empty holds no buffer while it waits.
    fn read_into(&mut self, input: &mut BytesMut) -> impl std::future::Future<Output = std::io::Result<usize>> + Send;
    /// Writes what the socket takes without waiting, ignoring errors (the max-clients
    /// refusal: nothing may wait in the accept loop).
    fn write_now(&self, bytes: &[u8]);
    /// The Unix socket under this stream, for SHM.ATTACH (which only a Unix-socket
    /// connection may send); other transports give themselves back.
    fn into_unix(self) -> Result<tokio::net::UnixStream, Self>
    where
        Self: Sized,
    {
        Err(self)
    }
}

/// Room made in the input buffer before a read.
pub(super) fn make_room(input: &mut BytesMut) {
    if input.capacity() - input.len() < READ_CHUNK / 4 {
        input.reserve(READ_CHUNK);
    }
}

/// Sockets wait for readiness without a buffer, then read without waiting. An idle
/// connection reads first into its thread's buffer, so a wake-up that finds nothing
/// allocates nothing (tokio reports a new socket ready before anything arrived; `WouldBlock`
/// clears that) and a small request allocates only its own bytes; what does not fit
/// is read into a buffer with room to grow.
macro_rules! socket_stream {
    ($t:ty $(, $($extra:tt)*)?) => {
        impl Stream for $t {
            $($($extra)*)?
            async fn read_into(&mut self, input: &mut BytesMut) -> std::io::Result<usize> {
                loop {
                    self.readable().await?;
                    let read = if input.capacity() == 0 {
                        // The thread's buffer, zeroed once, not a fresh stack array
                        // zeroed on every read of an idle connection (each request at
                        // pipeline depth 1).
                        FIRST.with_borrow_mut(|first| {
                            self.try_read(&mut first[..]).map(|n| {
                                input.extend_from_slice(&first[..n]);
                                n
                            })
                        })
                    } else {
                        make_room(input);
                        self.try_read_buf(input)
                    };
                    match read {
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        result => return result,
                    }
                }
            }
            fn write_now(&self, bytes: &[u8]) {
                let _ = self.try_write(bytes);
            }
        }
    };
}
socket_stream!(tokio::net::TcpStream);
socket_stream!(tokio::net::UnixStream, fn into_unix(self) -> Result<tokio::net::UnixStream, Self> { Ok(self) });

impl Stream for crate::shm::ShmStream {
    async fn read_into(&mut self, input: &mut BytesMut) -> std::io::Result<usize> {
        crate::shm::ShmStream::read_into(self, input).await
    }
    fn write_now(&self, _bytes: &[u8]) {}
}

pub async fn serve<S: Stream>(state: Arc<ServerState>, durability: Arc<Durability>, mut stream: S, info: Arc<ClientInfo>) {
    if protected_mode_denies(&state, &info) {
        state.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
        state.audit.record(Some(&info), "", "connection_refused", crate::audit::Outcome::Denied, "protected-mode");
        tracing::debug!(client = info.id, addr = %info.addr, "refused by protected mode");
        let _ = stream.write_all(PROTECTED_MODE_DENIED).await;
        let _ = stream.shutdown().await;
        return;
    }
    let authenticated = !state.acl.auth_required();
    let mut session = Session::new(info.clone(), state.acl.default_user(), authenticated);
    if run(&state, &durability, &mut stream, &info, &mut session).await {
        match stream.into_unix() {
            Ok(unix) => attach(&state, &durability, unix, &info, &mut session).await,
            Err(mut stream) => shutdown(&mut stream, &info).await,
        }
    } else {
        shutdown(&mut stream, &info).await;
    }
    if session.tracking.on {
        state.tracking.disable(&info, &session.tracking);
    }
    session.stop_monitor(&state.monitors);
    if let Some(mut sub) = session.pubsub.take() {
        state.pubsub.leave(&mut sub);
    }
    info.mailbox.release();
}

/// Shuts the write side down once the replies are out; a killed client is not waited
/// for (the io_uring engine's shutdown waits for sends a client that stopped reading
/// would never take).
async fn shutdown<S: Stream>(stream: &mut S, info: &ClientInfo) {
    tokio::select! {
        biased;
        _ = stream.shutdown() => {}
        _ = info.killed() => {}
    }
}

/// Gives back a slot of `shm-max-clients` when the attach fails or the session ends.
struct ShmSlot<'a>(&'a ServerState);

impl Drop for ShmSlot<'_> {
    fn drop(&mut self) {
        self.0.shm_clients.fetch_sub(1, Ordering::AcqRel);
    }
}

/// After SHM.ATTACH: hands the client its segment and serves it through the rings,
/// the same session going on; if the segment cannot be made, answers the error on
/// the socket and goes on serving it there.
async fn attach(state: &Arc<ServerState>, durability: &Arc<Durability>, mut unix: tokio::net::UnixStream, info: &Arc<ClientInfo>, session: &mut Session) {
    loop {
        session.shm_attach = false;
        let slot = ShmSlot(state);
        let ring = state.config.read().shm_ring_size;
        match crate::shm::attach(unix, ring).await {
            Ok(mut shm) => {
                info.shm.store(true, Ordering::Relaxed);
                tracing::debug!(client = info.id, ring, "attached to shared memory");
                let again = run(state, durability, &mut shm, info, session).await;
                debug_assert!(!again, "SHM.ATTACH refuses an attached client");
                let _ = shm.shutdown().await;
                info.shm.store(false, Ordering::Relaxed);
                drop(slot);
                return;
            }
            Err((mut sock, e)) => {
                drop(slot);
                tracing::warn!(client = info.id, error = %e, "SHM.ATTACH failed");
                let reply = format!("-ERR cannot create the shared-memory segment: {e}\r\n");
                if sock.write_all(reply.as_bytes()).await.is_err() || !run(state, durability, &mut sock, info, session).await {
                    let _ = sock.shutdown().await;
                    return;
                }
                unix = sock;
            }
        }
    }
}

/// Serves requests on `stream` until the client leaves or is closed (false), or until
/// it sent SHM.ATTACH (true: earlier replies are flushed and `session.shm_attach` is
/// set; the caller moves the session to shared memory).
async fn run<S: Stream>(state: &Arc<ServerState>, durability: &Arc<Durability>, stream: &mut S, info: &Arc<ClientInfo>, session: &mut Session) -> bool {
    let state = state.clone();
    let durability = durability.clone();
    let info = info.clone();
    // This client's own request budget (`maxrequests-per-client`), made on first use.
    let mut budget: Option<throttle::Bucket> = None;
    let mut live = Live::read(&state);
    let mut decoder = RequestDecoder::new(live.max_bulk);
    let mut input = BytesMut::new();
    let mut output = BytesMut::new();

    // Created once: a fresh `Notified` per request would register and unregister a
    // waiter on a mutex shared by every connection.
    let killed = info.killed();
    tokio::pin!(killed);
    let shutdown = state.shutdown.wait();
    tokio::pin!(shutdown);

    'conn: loop {
        if live.is_stale(&state) {
            live = Live::read(&state);
            decoder.set_max_bulk(live.max_bulk);
        }
        // Redis never closes a subscriber for being idle: it is waiting for messages.
        // Nor a monitor, which Redis counts as a replica.
        let idle = if session.subscribed() || session.monitor { 0 } else { live.idle };
        if session.pubsub.is_none() && info.mailbox.waiting() {
            // Another client's tracking redirect made a mailbox for this one.
            session.subscriber();
        }
        let mailbox = session.pubsub.as_ref().map(|p| p.mailbox.clone());
        let attach = async {
            match &mailbox {
                None => info.mailbox.made().await,
                Some(_) => std::future::pending().await,
            }
        };
        let messages = async {
            match &mailbox {
                Some(m) => m.ready().await,
                None => std::future::pending().await,
            }
        };
        let read = async {
            let read = stream.read_into(&mut input);
            if idle > 0 {
                match tokio::time::timeout(Duration::from_secs(idle), read).await {
                    Ok(r) => r.map(Some),
                    Err(_) => Ok(None),
                }
            } else {
                read.await.map(Some)
            }
        };
        let n = tokio::select! {
            biased;
            r = read => match r {
                // A shared-memory client that broke the ring rules (docs/shm-protocol.md).
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    tracing::warn!(client = info.id, addr = %info.addr, error = %e, "closing client");
                    break;
                }
                Ok(Some(0)) | Err(_) => break,
                Ok(Some(n)) => n,
                Ok(None) => {
                    tracing::debug!(client = info.id, "closing idle client");
                    break;
                }
            },
            _ = messages => 0,
            _ = attach => 0,
            _ = &mut killed => break,
            _ = &mut shutdown => break,
        };
        if n == 0 {
            // Woken by published messages: write them, and hold no buffer afterwards.
            if let Some(m) = &mailbox {
                let mut out = BytesMut::new();
                m.take_into(&mut out);
                let mut wrote = false;
                if !flush(&state, &durability, &live, true, &info, stream, &mut out, &mut wrote).await {
                    break;
                }
            }
            continue;
        }
        if live.is_stale(&state) {
            // A CONFIG SET landed while this client was waiting: decode with its limits.
            live = Live::read(&state);
            decoder.set_max_bulk(live.max_bulk);
        }
        state.stats.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
        info.last_active_ms.store(now_ms(), Ordering::Relaxed);

        let mut wrote = false;
        let mut close = false;
        let mut attach = false;
        if output.capacity() == 0 {
            output.reserve(OUTPUT_START);
        }
        // While this batch runs CLIENT LIST shows the whole buffer read, commands being
        // served included, as Redis 7.0 does (it trims the buffer after the batch).
        info.query_buf.store(input.len(), Ordering::Relaxed);
        info.query_buf_free.store(input.capacity() - input.len(), Ordering::Relaxed);
        info.reply_buf.store(output.capacity(), Ordering::Relaxed);
        loop {
            // Redis's limits for a client that has yet to authenticate, per request: an
            // AUTH earlier in the same batch lifts them for what follows it.
            decoder.set_unauthenticated(!session.authenticated && state.acl.auth_required());
            match decoder.decode(&mut input) {
                Ok(Decoded::Command(argv)) => {
                    info.argv_mem.store(argv.iter().map(|a| a.len()).sum(), Ordering::Relaxed);
                    if live.rate_client > 0 || live.rate_global > 0 {
                        if let Err(wait) = throttle::admit(&state.throttle, &mut budget, live.rate_client, live.rate_global) {
                            // Over a rate limit: answer what is answered, then wait
                            // (reading nothing meanwhile) holding no lock.
                            if !flush(&state, &durability, &live, session.subscribed(), &info, stream, &mut output, &mut wrote).await {
                                break 'conn;
                            }
                            state.throttle.throttled.fetch_add(1, Ordering::Relaxed);
                            state.throttle.waiting.fetch_add(1, Ordering::Relaxed);
                            let mut wait = wait;
                            let stopped = loop {
                                tokio::select! {
                                    _ = tokio::time::sleep(wait) => {}
                                    _ = &mut killed => break true,
                                    _ = &mut shutdown => break true,
                                }
                                match throttle::admit(&state.throttle, &mut budget, live.rate_client, live.rate_global) {
                                    Ok(()) => break false,
                                    Err(w) => wait = w,
                                }
                            };
                            state.throttle.waiting.fetch_sub(1, Ordering::Relaxed);
                            if stopped {
                                break 'conn;
                            }
                        }
                    }
                    if state.pause.holds(session, &argv) {
                        // CLIENT PAUSE: earlier replies go out, then this command (and
                        // the pipeline behind it) waits, holding no lock.
                        if !flush(&state, &durability, &live, session.subscribed(), &info, stream, &mut output, &mut wrote).await {
                            break 'conn;
                        }
                        // Redis shows a postponed client as blocked (flag `b`, INFO
                        // blocked_clients).
                        info.blocked.store(true, Ordering::Relaxed);
                        tokio::select! {
                            _ = state.pause.wait(session, &argv) => {}
                            _ = &mut killed => break 'conn,
                            _ = &mut shutdown => break 'conn,
                        }
                        info.blocked.store(false, Ordering::Relaxed);
                    }
                    if let Some((user, pass)) = crate::acl::auth_credentials(&argv) {
                        before_auth(&state, session, &user, &pass).await;
                    }
                    let mut outcome = execute(&state, session, &argv);
                    if session.shm_attach {
                        // The +OK goes with the descriptors (crate::shm::attach).
                        reply_wanted(session);
                        publish_state(session);
                        attach = true;
                        break;
                    }
                    if let Some(block) = outcome.block.take() {
                        // Replies to earlier pipelined commands go out before we sleep.
                        if !flush(&state, &durability, &live, session.subscribed(), &info, stream, &mut output, &mut wrote).await {
                            break 'conn;
                        }
                        let timeout_reply = std::mem::replace(&mut outcome.reply, Reply::Nil);
                        let waited = wait_blocked(&state, session, &argv, block, timeout_reply, stream, &mut input).await;
                        match waited {
                            Some(o) => outcome = o,
                            None => break 'conn,
                        }
                    }
                    if outcome.reply.is_error() {
                        state.count_error(reply_text(&outcome.reply));
                    } else if let Reply::Array(items) = &outcome.reply {
                        // Errors inside EXEC count as the commands' own.
                        if argv[0].eq_ignore_ascii_case(b"exec") {
                            items.iter().filter(|r| r.is_error()).for_each(|r| state.count_error(reply_text(r)));
                        }
                    }
                    // Messages and subscribe confirmations queued meanwhile go first: a
                    // client publishing to itself gets the message before the count.
                    // Pushed frames (messages, confirmations, invalidations) are sent
                    // under CLIENT REPLY OFF too, as Redis 7.0 sends them.
                    if let Some(p) = &session.pubsub {
                        p.mailbox.take_into(&mut output);
                    }
                    if reply_wanted(session) {
                        outcome.reply.encode(session.resp, &mut output);
                    }
                    // Invalidations this client's own command raised follow its reply.
                    for frame in session.tracking_pending.drain(..) {
                        output.extend_from_slice(&frame);
                    }
                    if let Some(own) = session.monitor_echo.take() {
                        // A monitor sees its own command after its reply, as in Redis.
                        output.extend_from_slice(&own);
                    }
                    info.argv_mem.store(0, Ordering::Relaxed);
                    publish_state(session);
                    wrote |= outcome.wrote;
                    if session.close_after_reply || info.is_killed() {
                        close = true;
                        break;
                    }
                    if output.len() >= OUTPUT_FLUSH {
                        if !flush(&state, &durability, &live, session.subscribed(), &info, stream, &mut output, &mut wrote).await {
                            break 'conn;
                        }
                        tokio::task::yield_now().await;
                    }
                }
                Ok(Decoded::Empty) => {}
                Ok(Decoded::Incomplete) => break,
                Err(e) => {
                    state.stats.protocol_errors.fetch_add(1, Ordering::Relaxed);
                    state.count_error(b"ERR");
                    tracing::debug!(client = info.id, error = %e.0, "protocol error");
                    Reply::error(format!("ERR {}", e.0)).encode(session.resp, &mut output);
                    close = true;
                    break;
                }
            }
        }
        if input.len() > live.qbuf_limit {
            tracing::warn!(client = info.id, bytes = input.len(), "closing client: query buffer limit reached");
            close = true;
        }
        if !flush(&state, &durability, &live, session.subscribed(), &info, stream, &mut output, &mut wrote).await || close {
            break;
        }
        if attach {
            if !input.is_empty() {
                // Bytes pipelined after SHM.ATTACH on the socket: the protocol forbids them.
                tracing::debug!(client = info.id, "bytes after SHM.ATTACH on the socket");
                break;
            }
            return true;
        }
        if input.is_empty() {
            // Everything read is answered: give the buffers back until data arrives.
            input = BytesMut::new();
            output = BytesMut::new();
        }
        info.query_buf.store(input.len(), Ordering::Relaxed);
        info.query_buf_free.store(input.capacity() - input.len(), Ordering::Relaxed);
        info.reply_buf.store(output.capacity(), Ordering::Relaxed);
    }
    if session.shm_attach {
        // Attached, then closed before the switch: give the slot back.
        session.shm_attach = false;
        state.shm_clients.fetch_sub(1, Ordering::AcqRel);
    }
    false
}

/// Before AUTH or HELLO ... AUTH: waits out the address's AUTH failure limit, and runs
/// an Argon2id password check on a blocking thread so that it stalls no other client
/// (the command then finds its result in the session).
async fn before_auth(state: &ServerState, session: &mut Session, user: &[u8], pass: &[u8]) {
    if let Some(wait) = state.acl.limiter.delay(&session.info.addr) {
        tokio::time::sleep(wait).await;
    }
    session.argon_proof = None;
    if session.multi.is_none() {
        if let Some(job) = state.acl.argon2_job(user, pass) {
            session.argon_proof = tokio::task::spawn_blocking(job).await.ok().flatten();
        }
    }
}

/// Sleeps until the blocked command can be served, times out, or the client goes away
/// (`None`). Bytes the client sends meanwhile are kept for after the reply.
async fn wait_blocked<S: AsyncRead + AsyncWrite + Unpin>(
    state: &ServerState,
    session: &mut Session,
    argv: &[bytes::Bytes],
    block: BlockOn,
    timeout_reply: Reply,
    stream: &mut S,
    input: &mut BytesMut,
) -> Option<Outcome> {
    let rerun = block.rerun.clone();
    let argv: &[bytes::Bytes] = rerun.as_deref().unwrap_or(argv);
    let mut db = state.store.physical(session.db);
    let mut keys: Vec<(u8, bytes::Bytes)> = block.keys.iter().map(|k| (db, k.clone())).collect();
    let mut waiter = state.blocked.register(&keys);
    // Redis trims the query buffer before a client blocks: only what was pipelined
    // after the blocking command is left in it.
    session.info.query_buf.store(input.len(), Ordering::Relaxed);
    // A CLIENT UNBLOCK that raced with the end of an earlier wait must not end this one.
    session.info.take_unblock();
    session.info.blocked.store(true, Ordering::Release);
    let deadline = block.timeout.map(|t| tokio::time::Instant::now() + t);
    let info = session.info.clone();
    // A write may have landed between the first attempt and registering: try once more
    // before sleeping, so no wake-up can be missed.
    let mut attempt = true;
    session.block_retry = true;
    // A RESP3 subscriber keeps receiving its messages while it waits.
    let mailbox = session.pubsub.as_ref().map(|p| p.mailbox.clone());
    let result = loop {
        // SWAPDB wakes every waiter of the swapped databases: follow the client's logical
        // database to its new physical one before trying again.
        let now_db = state.store.physical(session.db);
        if now_db != db {
            state.blocked.unregister(&waiter, &keys);
            db = now_db;
            keys = block.keys.iter().map(|k| (db, k.clone())).collect();
            waiter = state.blocked.register(&keys);
            attempt = true;
        }
        if attempt {
            let mut o = execute(state, session, argv);
            if o.block.take().is_none() {
                break Some(o);
            }
        }
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let messages = async {
            match &mailbox {
                Some(m) => m.ready().await,
                None => std::future::pending().await,
            }
        };
        let mut deliver = false;
        tokio::select! {
            _ = waiter.notify.notified() => attempt = true,
            _ = sleep => break Some(Outcome { reply: timeout_reply, wrote: false, block: None }),
            r = stream.read_buf(input) => match r {
                Ok(0) | Err(_) => break None,
                Ok(_) => attempt = false,
            },
            _ = info.unblock_requested() => {
                let reply = match info.take_unblock() {
                    UNBLOCK_ERROR => Reply::error(Error::UnblockedByClient.to_string()),
                    _ => timeout_reply,
                };
                break Some(Outcome { reply, wrote: false, block: None });
            }
            _ = messages => {
                deliver = true;
                attempt = false;
            }
            _ = info.killed() => break None,
            _ = state.shutdown.wait() => break None,
        }
        if let (true, Some(m)) = (deliver, &mailbox) {
            let mut out = BytesMut::new();
            m.take_into(&mut out);
            info.out_pending.store(out.len(), Ordering::Relaxed);
            let written = tokio::select! {
                biased;
                r = async { stream.write_all(&out).await?; stream.flush().await } => r.is_ok(),
                _ = info.killed() => false,
            };
            info.out_pending.store(0, Ordering::Relaxed);
            if !written {
                break None;
            }
            state.stats.net_output_bytes.fetch_add(out.len() as u64, Ordering::Relaxed);
        }
    };
    session.block_retry = false;
    state.blocked.unregister(&waiter, &keys);
    session.info.blocked.store(false, Ordering::Release);
    session.info.take_unblock();
    // Served, what is left on these keys is for the next client in line; and a client
    // that leaves without writing (WRONGTYPE on its destination, timeout, disconnect) may
    // have consumed a wake-up meant for the next in line. Either way pass it on: a
    // spurious wake-up only costs that client one more attempt.
    state.blocked.wake(&keys);
    result
}

/// Applies CLIENT REPLY (and SHUTDOWN's silence) to the reply of the command just
/// run: whether to send it. A skip covers one command; `SKIP` arms it for the next.
fn reply_wanted(session: &mut Session) -> bool {
    let wanted = !session.reply_off && !session.reply_skip;
    session.reply_skip = std::mem::take(&mut session.reply_skip_next);
    wanted
}

/// Mirrors the session state other clients see in CLIENT LIST.
fn publish_state(session: &Session) {
    let info = &session.info;
    let multi = session.multi.as_ref().map(|m| m.queued.len() as i64).unwrap_or(-1);
    info.multi.store(multi, Ordering::Relaxed);
    info.watch.store(session.watch.keys.len(), Ordering::Relaxed);
    info.multi_mem.store(session.multi.as_ref().map_or(0, |m| m.mem), Ordering::Relaxed);
}

fn reply_text(r: &Reply) -> &[u8] {
    match r {
        Reply::Error(e) => e,
        _ => b"",
    }
}

/// The settings a connection consults for every batch, copied from the configuration
/// and copied again only after a CONFIG SET (one atomic load per batch, no lock).
struct Live {
    epoch: u64,
    /// `timeout`: idle seconds before the client is closed, 0 never.
    idle: u64,
    max_bulk: usize,
    qbuf_limit: usize,
    fsync_always: bool,
    /// `client-output-buffer-limit`, by class.
    out_limits: [BufferLimit; 3],
    /// `maxrequests-per-client` and `maxrequests-global` (0: none).
    rate_client: u64,
    rate_global: u64,
}

/// Classes of `client-output-buffer-limit` (normal, slave, pubsub).
const NORMAL_CLASS: usize = 0;
const PUBSUB_CLASS: usize = 2;

impl Live {
    fn read(state: &ServerState) -> Live {
        let epoch = state.config_epoch.load(Ordering::Acquire);
        let c = state.config.read();
        Live {
            epoch,
            idle: c.timeout,
            max_bulk: c.proto_max_bulk_len,
            qbuf_limit: c.client_query_buffer_limit,
            fsync_always: c.appendfsync == Fsync::Always,
            out_limits: c.client_output_buffer_limit,
            rate_client: c.maxrequests_per_client,
            rate_global: c.maxrequests_global,
        }
    }

    fn is_stale(&self, state: &ServerState) -> bool {
        state.config_epoch.load(Ordering::Acquire) != self.epoch
    }
}

/// Makes pending writes as durable as the policy asks, then writes the replies.
///
/// A reply past the hard limit of the client's `client-output-buffer-limit` class
/// (`pubsub` for a subscriber, else `normal`) is not sent: the client is closed, as
/// Redis closes it once the reply is queued. (A subscriber's messages are held to the
/// `pubsub` limit, soft limit included, as they are queued: see `crate::pubsub`.)
#[allow(clippy::too_many_arguments)]
async fn flush<S: AsyncWrite + Unpin>(
    state: &ServerState,
    durability: &Durability,
    live: &Live,
    subscriber: bool,
    info: &ClientInfo,
    stream: &mut S,
    output: &mut BytesMut,
    wrote: &mut bool,
) -> bool {
    let fsync_always = live.fsync_always;
    if *wrote {
        let storage = &*state.store.storage;
        let ticket = Durability::ticket(storage);
        let mut done = durability.flushed(storage, ticket).await;
        if done.is_ok() && fsync_always {
            durability.synced(ticket).await;
            done = storage.pending().check();
        }
        if let Err(e) = done {
            // Not in the log: the writes must not be acknowledged.
            tracing::error!(error = %e, "write failed");
            output.clear();
            return false;
        }
        *wrote = false;
    }
    if output.is_empty() {
        return true;
    }
    let hard = live.out_limits[if subscriber { PUBSUB_CLASS } else { NORMAL_CLASS }].hard;
    if hard > 0 && output.len() as u64 >= hard {
        tracing::warn!(
            client = info.id,
            addr = %info.addr,
            bytes = output.len(),
            "Client scheduled to be closed ASAP for overcoming of output buffer limits."
        );
        state.pubsub.limit_disconnections.fetch_add(1, Ordering::Relaxed);
        output.clear();
        return false;
    }
    state.stats.net_output_bytes.fetch_add(output.len() as u64, Ordering::Relaxed);
    info.note_reply_bytes(output.len(), now_ms());
    // Written piece by piece so CLIENT LIST sees what the socket has not taken yet.
    let mut sent = 0;
    let mut ok = true;
    while sent < output.len() {
        info.out_pending.store(output.len() - sent, Ordering::Relaxed);
        // A client that stopped reading may be killed meanwhile (CLIENT KILL, the output
        // buffer limit): stop waiting for its socket then.
        let written = tokio::select! {
            biased;
            r = stream.write(&output[sent..]) => r,
            _ = info.killed() => Ok(0),
        };
        match written {
            Ok(0) | Err(_) => {
                ok = false;
                break;
            }
            Ok(n) => sent += n,
        }
    }
    // TLS may hold encrypted records its socket did not take yet (a no-op for sockets).
    if ok {
        ok = tokio::select! {
            biased;
            r = stream.flush() => r.is_ok(),
            _ = info.killed() => false,
        };
    }
    info.out_pending.store(0, Ordering::Relaxed);
    output.clear();
    ok
}

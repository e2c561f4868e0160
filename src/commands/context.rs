//! What a command can reach: the server-wide [`ServerState`], the calling client's
//! [`Session`], and the command's [`Txn`].

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use dashmap::DashMap;
use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;

use crate::config::Config;
use crate::types::{now_ms, Store, Txn};

/// Per-command counters for INFO commandstats.
#[derive(Default)]
pub struct CommandStats {
    pub calls: AtomicU64,
    pub usec: AtomicU64,
    pub rejected: AtomicU64,
    pub failed: AtomicU64,
}

/// Server-wide counters for INFO stats.
#[derive(Default)]
pub struct ServerStats {
    pub connections_received: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub commands_processed: AtomicU64,
    pub net_input_bytes: AtomicU64,
    pub net_output_bytes: AtomicU64,
    pub protocol_errors: AtomicU64,
    /// TLS handshakes that failed or timed out (DiskDB's own INFO field).
    pub tls_handshake_failures: AtomicU64,
}

/// The `instantaneous_*` figures of INFO stats, computed as Redis does: every
/// [`InstantMetrics::PERIOD_MS`] the sampler records each counter's rate since the previous
/// sample, and a figure is the mean of the last [`InstantMetrics::SAMPLES`] rates.
#[derive(Default)]
pub struct InstantMetrics {
    inner: Mutex<InstantInner>,
}

#[derive(Default)]
struct InstantInner {
    last_ms: i64,
    /// Last readings of commands processed, net input bytes, net output bytes.
    last: [u64; 3],
    /// Per-second rates, a ring of samples per counter.
    rates: [[u64; InstantMetrics::SAMPLES]; 3],
    next: usize,
}

impl InstantMetrics {
    pub const SAMPLES: usize = 16;
    pub const PERIOD_MS: u64 = 100;

    /// Takes one sample of `stats` at `now_ms`.
    pub fn sample(&self, stats: &ServerStats, now_ms: i64) {
        let readings = [
            stats.commands_processed.load(Ordering::Relaxed),
            stats.net_input_bytes.load(Ordering::Relaxed),
            stats.net_output_bytes.load(Ordering::Relaxed),
        ];
        let mut s = self.inner.lock();
        let elapsed = (now_ms - s.last_ms).max(0) as u64;
        if s.last_ms != 0 && elapsed > 0 {
            let i = s.next;
            for (k, reading) in readings.iter().enumerate() {
                // A counter reset by CONFIG RESETSTAT reads as no activity, not as a wrap.
                s.rates[k][i] = reading.saturating_sub(s.last[k]) * 1000 / elapsed;
            }
            s.next = (i + 1) % Self::SAMPLES;
        }
        s.last = readings;
        s.last_ms = now_ms;
    }

    /// `(ops per second, input KB/s, output KB/s)`.
    pub fn read(&self) -> (u64, f64, f64) {
        let s = self.inner.lock();
        let mean = |k: usize| s.rates[k].iter().sum::<u64>() / Self::SAMPLES as u64;
        (mean(0), mean(1) as f64 / 1024.0, mean(2) as f64 / 1024.0)
    }
}

/// A client as other clients see it (CLIENT LIST, CLIENT KILL).
pub struct ClientInfo {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub fd: i64,
    /// `"N"` normal TCP, `"U"` Unix socket.
    pub kind_flag: &'static str,
    pub created_ms: i64,
    pub last_active_ms: AtomicI64,
    pub db: AtomicUsize,
    pub resp: AtomicU8,
    pub name: Mutex<Bytes>,
    pub lib_name: Mutex<Bytes>,
    pub lib_ver: Mutex<Bytes>,
    pub last_cmd: Mutex<String>,
    pub user: Mutex<String>,
    /// Bytes buffered of an incomplete request, and the free room of the buffer that
    /// holds them (0 and 0 while the client is idle: see server::connection).
    pub query_buf: AtomicUsize,
    pub query_buf_free: AtomicUsize,
    /// Commands queued since MULTI, or -1 outside a transaction.
    pub multi: AtomicI64,
    /// Number of WATCHed keys.
    pub watch: AtomicUsize,
    /// Bytes of the arguments of the command being run (or waited on while blocked),
    /// 0 between commands (CLIENT LIST `argv-mem`).
    pub argv_mem: AtomicUsize,
    /// Bytes of the commands queued since MULTI, counted as Redis 7.0 does: their
    /// arguments plus one pointer per argument (`multi-mem`).
    pub multi_mem: AtomicUsize,
    /// Reply bytes encoded but not yet taken by the socket (`obl`, `oll`, `omem`,
    /// `events=rw`).
    pub out_pending: AtomicUsize,
    /// Pub/sub messages queued for the connection and not yet taken by it (counted in
    /// `obl`/`oll`/`omem` with `out_pending`).
    pub out_queued: AtomicUsize,
    /// The reply buffer's size while a batch of requests is served, 0 while idle
    /// (`rbs`), and the most it held in the current 5-second window (`rbp`, reset as
    /// Redis's clientsCron does).
    pub reply_buf: AtomicUsize,
    pub reply_peak: AtomicUsize,
    pub reply_peak_since_ms: AtomicI64,
    /// Waiting in a blocking command.
    pub blocked: AtomicBool,
    /// In MONITOR mode (CLIENT LIST flag `O`).
    pub monitor: AtomicBool,
    /// CLIENT NO-EVICT / NO-TOUCH switches.
    pub no_evict: AtomicBool,
    pub no_touch: AtomicBool,
    /// Attached to the shared-memory transport (CLIENT LIST ` transport=shm`).
    pub shm: AtomicBool,
    /// Pub/sub subscription counts (channels, patterns, shard channels).
    pub sub: AtomicUsize,
    pub psub: AtomicUsize,
    pub ssub: AtomicUsize,
    /// Client-side caching: `crate::tracking` flag bits (CLIENT LIST `t`, `R`, `B`) and
    /// the redirect id (`redir`: -1 while tracking is off, 0 without a redirect).
    pub tracking: AtomicU8,
    pub redir: AtomicI64,
    /// The pub/sub mailbox, once the session has one (or a sender made one for it):
    /// where invalidation messages redirected to this client are queued.
    pub mailbox: crate::pubsub::MailboxSlot,
    killed: AtomicBool,
    kill: Notify,
    /// A CLIENT UNBLOCK request for the blocked command: [`UNBLOCK_NONE`],
    /// [`UNBLOCK_TIMEOUT`] or [`UNBLOCK_ERROR`].
    unblock: AtomicU8,
    unblock_notify: Notify,
}

/// No CLIENT UNBLOCK request pending.
pub const UNBLOCK_NONE: u8 = 0;
/// CLIENT UNBLOCK id TIMEOUT: the blocked command answers its timeout reply.
pub const UNBLOCK_TIMEOUT: u8 = 1;
/// CLIENT UNBLOCK id ERROR: the blocked command answers `-UNBLOCKED ...`.
pub const UNBLOCK_ERROR: u8 = 2;

impl ClientInfo {
    /// Notes `bytes` of replies about to be sent (CLIENT LIST `rbp`).
    pub fn note_reply_bytes(&self, bytes: usize, now_ms: i64) {
        if now_ms - self.reply_peak_since_ms.load(Ordering::Relaxed) >= 5000 {
            self.reply_peak_since_ms.store(now_ms, Ordering::Relaxed);
            self.reply_peak.store(bytes, Ordering::Relaxed);
        } else {
            self.reply_peak.fetch_max(bytes, Ordering::Relaxed);
        }
    }

    /// Whether the client is on the Unix socket or a loopback address: what
    /// `enable-debug-command local` and `enable-protected-configs local` allow.
    pub fn is_local(&self) -> bool {
        self.kind_flag == "U" || self.addr.parse::<std::net::SocketAddr>().is_ok_and(|a| a.ip().is_loopback())
    }

    pub fn new(id: u64, addr: String, laddr: String, fd: i64, kind_flag: &'static str) -> ClientInfo {
        let now = now_ms();
        ClientInfo {
            id,
            addr,
            laddr,
            fd,
            kind_flag,
            created_ms: now,
            last_active_ms: AtomicI64::new(now),
            db: AtomicUsize::new(0),
            resp: AtomicU8::new(2),
            name: Mutex::new(Bytes::new()),
            lib_name: Mutex::new(Bytes::new()),
            lib_ver: Mutex::new(Bytes::new()),
            last_cmd: Mutex::new("NULL".into()),
            user: Mutex::new("default".into()),
            query_buf: AtomicUsize::new(0),
            query_buf_free: AtomicUsize::new(0),
            multi: AtomicI64::new(-1),
            watch: AtomicUsize::new(0),
            argv_mem: AtomicUsize::new(0),
            multi_mem: AtomicUsize::new(0),
            out_pending: AtomicUsize::new(0),
            out_queued: AtomicUsize::new(0),
            reply_buf: AtomicUsize::new(0),
            reply_peak: AtomicUsize::new(0),
            reply_peak_since_ms: AtomicI64::new(0),
            blocked: AtomicBool::new(false),
            monitor: AtomicBool::new(false),
            no_evict: AtomicBool::new(false),
            no_touch: AtomicBool::new(false),
            shm: AtomicBool::new(false),
            sub: AtomicUsize::new(0),
            psub: AtomicUsize::new(0),
            ssub: AtomicUsize::new(0),
            tracking: AtomicU8::new(0),
            redir: AtomicI64::new(-1),
            mailbox: Default::default(),
            killed: AtomicBool::new(false),
            kill: Notify::new(),
            unblock: AtomicU8::new(UNBLOCK_NONE),
            unblock_notify: Notify::new(),
        }
    }

    /// Asks the client's connection to close. Every waiter wakes: a blocked client waits
    /// on this in its blocked wait while the connection loop's own wait stays registered,
    /// and a single wake-up would go to the one that is not being polled.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.kill.notify_waiters();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// CLIENT UNBLOCK: asks the client's blocked command to end with `how`
    /// ([`UNBLOCK_TIMEOUT`] or [`UNBLOCK_ERROR`]). False when the client is not blocked
    /// or an earlier request is still pending (it is being unblocked already).
    pub fn request_unblock(&self, how: u8) -> bool {
        if !self.blocked.load(Ordering::Acquire) {
            return false;
        }
        if self.unblock.compare_exchange(UNBLOCK_NONE, how, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return false;
        }
        self.unblock_notify.notify_one();
        true
    }

    /// Takes the pending CLIENT UNBLOCK request, if any (the blocked wait calls it when
    /// it starts, so a stale request cannot end a later command, and when it ends).
    pub fn take_unblock(&self) -> u8 {
        self.unblock.swap(UNBLOCK_NONE, Ordering::AcqRel)
    }

    /// Resolves when [`ClientInfo::request_unblock`] succeeds; the request stays
    /// pending for [`ClientInfo::take_unblock`].
    pub async fn unblock_requested(&self) {
        while self.unblock.load(Ordering::Acquire) == UNBLOCK_NONE {
            self.unblock_notify.notified().await;
        }
    }

    /// Resolves when [`ClientInfo::kill`] is called.
    pub async fn killed(&self) {
        loop {
            // Created before the check, so a kill between the two is not missed.
            let notified = self.kill.notified();
            if self.is_killed() {
                return;
            }
            notified.await;
        }
    }
}

/// Server shutdown request, raised by SHUTDOWN or a signal.
#[derive(Default)]
pub struct ShutdownSignal {
    requested: AtomicBool,
    notify: Notify,
}

impl ShutdownSignal {
    pub fn trigger(&self) {
        self.requested.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    pub fn is_triggered(&self) -> bool {
        self.requested.load(Ordering::Acquire)
    }

    pub async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_triggered() {
                return;
            }
            notified.await;
        }
    }
}

/// Everything shared by all connections.
pub struct ServerState {
    pub store: Store,
    pub config: RwLock<Config>,
    /// Bumped by every CONFIG SET, so connections re-read the settings they cache only
    /// when one changed.
    pub config_epoch: AtomicU64,
    pub clients: DashMap<u64, Arc<ClientInfo>>,
    next_client_id: AtomicU64,
    pub stats: ServerStats,
    pub instant: InstantMetrics,
    /// One entry per spec in [`super::registry`] order.
    pub command_stats: Vec<CommandStats>,
    /// Latency histograms (per command, WAL syncs) for the Prometheus metrics.
    pub metrics: crate::metrics::Metrics,
    pub shutdown: ShutdownSignal,
    pub started_ms: i64,
    pub run_id: String,
    /// SAVE, BGSAVE, the save points and LASTSAVE.
    pub saves: super::server::save::Saves,
    /// Ports actually bound (for INFO and tests with port 0).
    pub tcp_port: AtomicU64,
    /// Clients blocked on keys.
    pub blocked: super::blocking::Blocked,
    /// Keys watched by clients (WATCH).
    pub watches: super::multi::Watches,
    /// Error replies by their first word (`ERR`, `WRONGTYPE`...), for INFO errorstats.
    pub error_stats: Mutex<std::collections::BTreeMap<String, u64>>,
    /// Whether the active expire cycle runs (DEBUG SET-ACTIVE-EXPIRE turns it off).
    pub active_expire: std::sync::atomic::AtomicBool,
    /// Pub/sub subscriptions and delivery.
    pub pubsub: crate::pubsub::PubSub,
    /// Client-side caching: tracked keys, BCAST prefixes, invalidation.
    pub tracking: crate::tracking::Tracking,
    /// MONITOR clients.
    pub monitors: crate::monitor::Monitors,
    /// CLIENT PAUSE.
    pub pause: super::pause::Pause,
    /// The audit log (off unless `audit-log-file` is set).
    pub audit: crate::audit::Audit,
    /// Request rate limits (`maxrequests-per-client`, `maxrequests-global`).
    pub throttle: crate::server::throttle::Global,
    /// Clients attached to the shared-memory transport, or with an SHM.ATTACH under way
    /// (`shm-max-clients`, INFO `shm_clients`).
    pub shm_clients: AtomicUsize,
    /// The Lua state, script cache, function libraries and the running script.
    pub scripting: crate::scripting::Scripting,
    /// Users, the ACL LOG and the AUTH failure limit.
    pub acl: crate::acl::Acl,
    /// SLOWLOG, the latency monitor and the per-command latency histograms.
    pub diag: crate::diag::Diagnostics,
}

impl ServerState {
    pub fn new(store: Store, config: Config) -> ServerState {
        let run_id: String = (0..40).map(|_| fastrand::alphanumeric().to_ascii_lowercase()).collect();
        let now = now_ms();
        let diag = crate::diag::Diagnostics::new(super::registry().specs.len(), &config);
        ServerState {
            store,
            config: RwLock::new(config),
            config_epoch: AtomicU64::new(0),
            clients: DashMap::new(),
            next_client_id: AtomicU64::new(1),
            stats: ServerStats::default(),
            instant: InstantMetrics::default(),
            command_stats: (0..super::registry().specs.len()).map(|_| CommandStats::default()).collect(),
            metrics: crate::metrics::Metrics::new(super::registry().specs.len()),
            shutdown: ShutdownSignal::default(),
            started_ms: now,
            run_id,
            saves: super::server::save::Saves::new(now / 1000),
            tcp_port: AtomicU64::new(0),
            blocked: Default::default(),
            watches: Default::default(),
            error_stats: Default::default(),
            active_expire: std::sync::atomic::AtomicBool::new(true),
            pubsub: Default::default(),
            tracking: Default::default(),
            monitors: Default::default(),
            pause: Default::default(),
            audit: Default::default(),
            throttle: Default::default(),
            shm_clients: AtomicUsize::new(0),
            scripting: Default::default(),
            acl: Default::default(),
            diag,
        }
    }

    /// Reports keys changed by a committed write: wakes clients blocked on them and
    /// invalidates transactions watching them.
    pub fn touched(&self, keys: &[(u8, Bytes)]) {
        self.touched_by(keys, None);
    }

    /// As [`ServerState::touched`], for the write of a client's command: `current` is
    /// its id and where its own tracking invalidations wait until its reply is out.
    pub fn touched_by(&self, keys: &[(u8, Bytes)], current: Option<(u64, &mut Vec<Bytes>)>) {
        if keys.is_empty() {
            return;
        }
        self.blocked.wake(keys);
        self.watches.touch(keys);
        self.tracking.invalidate(keys, &mut crate::tracking::Sink::new(self, current));
    }

    /// PUBLISH from anywhere in the server (commands, and keyspace notifications
    /// later): queues `message` for the subscribers of `channel` and of the patterns
    /// matching it, under the `pubsub` output buffer limit; returns the receivers.
    pub fn publish(&self, channel: &[u8], message: &[u8]) -> usize {
        let limit = self.config.read().client_output_buffer_limit[PUBSUB_CLASS];
        self.pubsub.publish(channel, message, &limit)
    }

    /// SPUBLISH: as [`ServerState::publish`] for a shard channel.
    pub fn spublish(&self, channel: &[u8], message: &[u8]) -> usize {
        let limit = self.config.read().client_output_buffer_limit[PUBSUB_CLASS];
        self.pubsub.spublish(channel, message, &limit)
    }

    pub fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts an error reply under its code (the text up to the first space).
    pub fn count_error(&self, text: &[u8]) {
        let code = text.split(|&b| b == b' ').next().unwrap_or_default();
        let code = String::from_utf8_lossy(&code[..code.len().min(64)]).into_owned();
        *self.error_stats.lock().entry(code).or_default() += 1;
    }

    /// CONFIG RESETSTAT: zeroes the counters INFO reports.
    pub fn reset_stats(&self) {
        let s = &self.stats;
        for c in [
            &s.connections_received,
            &s.rejected_connections,
            &s.commands_processed,
            &s.net_input_bytes,
            &s.net_output_bytes,
            &s.protocol_errors,
            &s.tls_handshake_failures,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        for c in &self.command_stats {
            c.calls.store(0, Ordering::Relaxed);
            c.usec.store(0, Ordering::Relaxed);
            c.rejected.store(0, Ordering::Relaxed);
            c.failed.store(0, Ordering::Relaxed);
        }
        let k = &self.store.stats;
        k.expired_keys.store(0, Ordering::Relaxed);
        k.evicted_keys.store(0, Ordering::Relaxed);
        k.keyspace_hits.store(0, Ordering::Relaxed);
        k.keyspace_misses.store(0, Ordering::Relaxed);
        let c = &self.store.cache.stats;
        for n in [&c.hits, &c.misses, &c.loads] {
            n.store(0, Ordering::Relaxed);
        }
        self.error_stats.lock().clear();
        self.diag.histograms.reset();
        self.pubsub.limit_disconnections.store(0, Ordering::Relaxed);
        self.throttle.throttled.store(0, Ordering::Relaxed);
    }
}

/// The `pubsub` class of `client-output-buffer-limit` (normal, slave, pubsub).
const PUBSUB_CLASS: usize = 2;
/// The `replica` class, which Redis applies to MONITOR clients.
pub const REPLICA_CLASS: usize = 1;

/// Per-connection state.
pub struct Session {
    pub info: Arc<ClientInfo>,
    /// Logical database selected with SELECT.
    pub db: usize,
    /// Protocol version: 2 or 3.
    pub resp: u8,
    pub authenticated: bool,
    /// The user the connection runs as (the default user until AUTH).
    pub user: Arc<crate::acl::UserCell>,
    /// An Argon2id check that succeeded off the command path, for the AUTH about to
    /// run (see [`crate::acl::Acl::argon2_job`]).
    pub argon_proof: Option<crate::acl::ArgonProof>,
    /// Set by QUIT: close once the reply is written.
    pub close_after_reply: bool,
    /// CLIENT REPLY OFF: no replies at all until CLIENT REPLY ON.
    pub reply_off: bool,
    /// The reply of the command being run is dropped (CLIENT REPLY SKIP, SHUTDOWN).
    pub reply_skip: bool,
    /// CLIENT REPLY SKIP: drop the reply of the next command too.
    pub reply_skip_next: bool,
    /// Whether a blocking command may block now (false inside MULTI/EXEC).
    pub may_block: bool,
    /// True while a blocked command is re-run after a wake-up: a key that now holds
    /// another type is then "not ready" (keep waiting) rather than WRONGTYPE, as Redis
    /// only serves a blocked client from a key of the type it waits for.
    pub block_retry: bool,
    /// Commands queued since MULTI.
    pub multi: Option<super::multi::Multi>,
    /// WATCHed keys and the flag a change to any of them raises.
    pub watch: super::multi::WatchSet,
    /// Pub/sub subscriptions and the mailbox messages wait in; created by the first
    /// subscribe, so other clients carry none.
    pub pubsub: Option<Box<crate::pubsub::Subscriber>>,
    /// CLIENT TRACKING settings.
    pub tracking: crate::tracking::Mode,
    /// Invalidation messages for this client raised by its own command, written after
    /// the command's reply.
    pub tracking_pending: Vec<Bytes>,
    /// In MONITOR mode: fed every command, refused keyspace commands.
    pub monitor: bool,
    /// Running a command for a script's redis.call (MONITOR shows it as `lua`).
    pub in_script: bool,
    /// This monitor's own command, fed after its reply (see [`crate::monitor`]).
    pub monitor_echo: Option<Bytes>,
    /// The EXEC or script running now, whose commands' writes commit as one batch
    /// (see [`super::dispatch::Atomic`]).
    pub atomic: Option<Box<super::dispatch::Atomic>>,
    /// SHM.ATTACH succeeded (a slot of `shm-max-clients` is held): the connection hands
    /// the client its segment and moves it to the shared-memory rings.
    pub shm_attach: bool,
}

impl Session {
    pub fn new(info: Arc<ClientInfo>, user: Arc<crate::acl::UserCell>, authenticated: bool) -> Session {
        Session {
            info,
            db: 0,
            resp: 2,
            authenticated,
            user,
            argon_proof: None,
            close_after_reply: false,
            reply_off: false,
            reply_skip: false,
            reply_skip_next: false,
            may_block: true,
            block_retry: false,
            multi: None,
            watch: Default::default(),
            pubsub: None,
            tracking: Default::default(),
            tracking_pending: Vec::new(),
            monitor: false,
            in_script: false,
            monitor_echo: None,
            atomic: None,
            shm_attach: false,
        }
    }

    /// The client's subscriptions, created on first use.
    pub fn subscriber(&mut self) -> &mut crate::pubsub::Subscriber {
        let info = self.info.clone();
        self.pubsub.get_or_insert_with(|| Box::new(crate::pubsub::Subscriber::with_mailbox(info.mailbox.attach(&info))))
    }

    /// Whether the client has any subscription (RESP2 subscribe mode).
    pub fn subscribed(&self) -> bool {
        self.pubsub.as_ref().is_some_and(|p| p.active())
    }

    pub fn id(&self) -> u64 {
        self.info.id
    }

    /// Leaves MONITOR mode (RESET, disconnect).
    pub fn stop_monitor(&mut self, monitors: &crate::monitor::Monitors) {
        if self.monitor {
            self.monitor = false;
            self.info.monitor.store(false, Ordering::Relaxed);
            monitors.remove(self.info.id);
        }
    }

    pub fn select(&mut self, db: usize) {
        self.db = db;
        self.info.db.store(db, Ordering::Relaxed);
    }
}

/// One command's context.
pub struct Ctx<'a> {
    pub server: &'a ServerState,
    pub session: &'a mut Session,
    pub txn: Txn<'a>,
    /// Set by a blocking command that found nothing to take; its reply is then the
    /// timeout reply. See [`super::blocking`].
    pub block: Option<super::blocking::BlockOn>,
}

impl<'a> Ctx<'a> {
    pub fn store(&self) -> &'a Store {
        &self.server.store
    }

    /// Raises keyspace event `event` of `class` about `key` (see [`crate::notify`]).
    #[inline]
    pub fn notify(&mut self, class: u16, event: &'static str, key: &[u8]) {
        self.txn.notify(class, event, key);
    }

    /// Asks the connection to block on `keys` (ignored where blocking is not allowed,
    /// such as inside MULTI, where the command's own reply stands).
    pub fn block_on(&mut self, keys: Vec<Bytes>, timeout: Option<std::time::Duration>) {
        if self.session.may_block {
            self.block = Some(super::blocking::BlockOn { keys, timeout, rerun: None });
        }
    }

    /// As [`Ctx::block_on`], but a wake-up runs `argv` instead of the command's own
    /// arguments (XREAD resolves `$` once, when it blocks).
    pub fn block_on_rerun(&mut self, keys: Vec<Bytes>, timeout: Option<std::time::Duration>, argv: Vec<Bytes>) {
        if self.session.may_block {
            self.block = Some(super::blocking::BlockOn { keys, timeout, rerun: Some(argv) });
        }
    }
}

//! Configuration: one [`Config`] struct, filled from defaults, then a Redis-style config
//! file (`directive value` per line, `include` for more files), then command-line flags
//! (`--directive value`).
//!
//! Every parameter is declared once in [`DIRECTIVES`] (`table.rs`): Redis 7.0's whole
//! surface and DiskDB's own, each honoured or accepted without effect for a stated
//! reason. The file parser, the CLI, CONFIG GET / SET / REWRITE and the table in
//! diskdb.conf.example (`docs.rs`) all read that list, so they cannot disagree.
//!
//! - `value.rs`: Redis's value syntax and error texts.
//! - `file.rs`: config files, `include`, the command line, CONFIG REWRITE.
//! - `runtime.rs`: what a change does to the running server (memory budget, oom score,
//!   the server's hook).

mod docs;
mod file;
mod runtime;
mod table;
pub mod value;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use docs::config_table;
pub use runtime::{apply_oom_score, MemoryBudget, Runtime};
pub use table::DIRECTIVES;
use value::{BufferLimit, Kind};

/// `io-engine` when not set (the table's default in `table.rs` says the same).
pub const IO_ENGINE_DEFAULT: &str = "epoll";

/// `appendfsync`: when the write-ahead log is forced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    /// Before each reply that follows a write (group commit shares one fsync).
    Always,
    /// Once a second in the background.
    EverySec,
    /// Left to the operating system.
    No,
}

/// `enable-protected-configs`, `enable-debug-command`, `enable-module-command`: who may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    No,
    Yes,
    /// Clients on a loopback address or the Unix socket.
    Local,
}

impl Access {
    pub fn allows(self, local_client: bool) -> bool {
        self == Access::Yes || (self == Access::Local && local_client)
    }

    pub fn name(self) -> &'static str {
        match self {
            Access::No => "no",
            Access::Yes => "yes",
            Access::Local => "local",
        }
    }
}

/// What DiskDB does with a parameter, as the table in diskdb.conf.example says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Acted on: how.
    Honoured(&'static str),
    /// Validated and kept, without effect: why.
    Ignored(&'static str),
}

impl Effect {
    pub fn text(self) -> &'static str {
        match self {
            Effect::Honoured(t) | Effect::Ignored(t) => t,
        }
    }
}

/// The encoding tunables (`hash-max-listpack-entries`...), for OBJECT ENCODING.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoding {
    pub hash_max_listpack_entries: u64,
    pub hash_max_listpack_value: u64,
    /// Positive: entries per list node; -1 to -5: node size 4 KiB to 64 KiB.
    pub list_max_listpack_size: i64,
    pub list_compress_depth: u64,
    pub set_max_intset_entries: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    pub stream_node_max_bytes: u64,
    pub stream_node_max_entries: u64,
    /// `hll-sparse-max-bytes`: past this many bytes a sparse HyperLogLog becomes dense.
    pub hll_sparse_max_bytes: u64,
}

impl Default for Encoding {
    fn default() -> Self {
        Encoding {
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            hll_sparse_max_bytes: 3000,
        }
    }
}

/// What loading the configuration found worth reporting once logging is up.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Parameters and directives the files or flags set that have no effect (the
    /// table in diskdb.conf.example says why), in the order first seen.
    pub without_effect: Vec<&'static str>,
    /// Settings whose absence of effect changes what the server is (a master to
    /// replicate, ACL users, renamed commands...).
    pub warnings: Vec<String>,
    /// Whether a `save` line was read (the first one replaces the default points).
    pub save_read: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: Vec<String>,
    pub port: u16,
    /// `listen()` backlog of the TCP and Unix sockets (capped by the kernel's somaxconn).
    pub tcp_backlog: u32,
    pub unixsocket: Option<PathBuf>,
    pub unixsocketperm: u32,
    pub dir: PathBuf,
    pub databases: usize,
    pub appendfsync: Fsync,
    /// Reported only: the write-ahead log is always on.
    pub appendonly: bool,
    /// Save points `(seconds, changes)`: see `server::durability`.
    pub save: Vec<(i64, i32)>,
    pub requirepass: Option<String>,
    /// The config file's `user` lines (name, then rules), applied at start-up.
    pub acl_users: Vec<Vec<String>>,
    pub maxclients: usize,
    /// Idle seconds before a client is closed; 0 = never.
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub proto_max_bulk_len: usize,
    pub client_query_buffer_limit: usize,
    pub loglevel: String,
    pub logfile: String,
    pub hz: u32,
    pub active_expire_effort: u32,
    /// Tokio worker threads serving clients.
    pub io_threads: usize,
    pub pidfile: Option<PathBuf>,
    /// Bound of block cache + memtables + read cache; 0 = none ([`MemoryBudget`]).
    pub maxmemory: u64,
    /// One of Redis's eight policy names ([`Config::eviction_policy`]).
    pub maxmemory_policy: &'static str,
    /// DiskDB's own: bound of the dataset's size on disk (SST files and memtables); 0 =
    /// none. Over it, `maxmemory-policy` evicts keys or refuses writes (`server::evict`).
    pub maxdisk: u64,
    /// DiskDB's own test hook: a key recount after an unclean shutdown waits, its
    /// snapshot taken, until this is `no` ([`crate::types::recount`]).
    pub key_recount_hold: bool,
    /// Redis's protected mode: without a password, only loopback and Unix-socket clients.
    pub protected_mode: bool,
    /// DiskDB's own rate limits, requests per second (0: none): per client and in all.
    pub maxrequests_per_client: u64,
    pub maxrequests_global: u64,
    /// DiskDB's own shared-memory transport ([`crate::shm`]): most clients attached at
    /// once (0: disabled), and the size of each of a client's two rings.
    pub shm_max_clients: usize,
    pub shm_ring_size: usize,
    /// DiskDB's own audit log ([`crate::audit`]); None: off.
    pub audit_log_file: Option<PathBuf>,
    pub maxmemory_samples: u32,
    pub maxmemory_eviction_tenacity: u32,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    pub block_cache_size: usize,
    pub write_buffer_size: usize,
    /// Bytes of hot collection records kept in memory (`types::cache`); 0 disables.
    pub read_cache_size: usize,
    /// RocksDB's codec for every level but the last: none, snappy, lz4 or zstd.
    pub rocksdb_compression: &'static str,
    /// RocksDB's codec for the last level, where most of the data lives.
    pub rocksdb_bottommost_compression: &'static str,
    /// Where SAVE and BGSAVE put backups; None: `<dir>/backups`.
    pub backup_dir: Option<PathBuf>,
    /// Backups kept after a save (older ones are deleted); 0: all.
    pub backup_keep: u32,
    /// `notify-keyspace-events` as Redis's flag bits ([`value::format_notify`]).
    pub notify_keyspace_events: u16,
    /// `oom-score-adj`: 0 no, 1 relative, 2 absolute.
    pub oom_score_adj: u8,
    pub oom_score_adj_values: [i32; 3],
    pub enable_protected_configs: Access,
    pub enable_debug_command: Access,
    pub enable_module_command: Access,
    /// normal, replica, pubsub.
    pub client_output_buffer_limit: [BufferLimit; 3],
    pub encoding: Encoding,
    /// Parameters without effect, by name, as CONFIG GET prints them (absent: default).
    pub stored: BTreeMap<&'static str, String>,
    /// The file this configuration was read from, for INFO and CONFIG REWRITE.
    pub config_file: Option<PathBuf>,
    pub report: LoadReport,
    /// What a CONFIG SET change does to the running server.
    pub runtime: Runtime,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: vec!["127.0.0.1".into()],
            port: 6380,
            tcp_backlog: 511,
            unixsocket: None,
            unixsocketperm: 0o700,
            dir: PathBuf::from("./diskdb-data"),
            databases: 16,
            appendfsync: Fsync::EverySec,
            appendonly: true,
            save: vec![(3600, 1), (300, 100), (60, 10000)],
            requirepass: None,
            acl_users: Vec::new(),
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            proto_max_bulk_len: 512 << 20,
            client_query_buffer_limit: 1 << 30,
            loglevel: "notice".into(),
            logfile: String::new(),
            hz: 10,
            active_expire_effort: 1,
            io_threads: 1,
            pidfile: None,
            maxmemory: 0,
            maxmemory_policy: "noeviction",
            maxdisk: 0,
            key_recount_hold: false,
            protected_mode: true,
            maxrequests_per_client: 0,
            maxrequests_global: 0,
            shm_max_clients: 64,
            shm_ring_size: 1 << 20,
            audit_log_file: None,
            maxmemory_samples: 5,
            maxmemory_eviction_tenacity: 10,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            block_cache_size: 256 << 20,
            write_buffer_size: 64 << 20,
            read_cache_size: 64 << 20,
            rocksdb_compression: "lz4",
            rocksdb_bottommost_compression: "zstd",
            backup_dir: None,
            backup_keep: 1,
            notify_keyspace_events: 0,
            oom_score_adj: 0,
            oom_score_adj_values: [0, 200, 800],
            enable_protected_configs: Access::No,
            enable_debug_command: Access::No,
            enable_module_command: Access::No,
            client_output_buffer_limit: value::BUFFER_DEFAULTS,
            encoding: Encoding::default(),
            stored: BTreeMap::new(),
            config_file: None,
            report: LoadReport::default(),
            runtime: Runtime::default(),
        }
    }
}

/// Which keys `maxmemory-policy` evicts, and by what score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    NoEviction,
    /// `allkeys-*` (false) or `volatile-*` (true: only keys with a TTL) ...
    Lru { volatile: bool },
    Lfu { volatile: bool },
    Random { volatile: bool },
    /// `volatile-ttl`: the nearest deadline first.
    Ttl,
}

impl Policy {
    pub fn lfu(self) -> bool {
        matches!(self, Policy::Lfu { .. })
    }

    /// Whether only keys with a TTL may go.
    pub fn volatile(self) -> bool {
        matches!(self, Policy::Lru { volatile: true } | Policy::Lfu { volatile: true } | Policy::Random { volatile: true } | Policy::Ttl)
    }
}

impl Config {
    /// Where backups go: `backup-dir`, or `<dir>/backups`.
    pub fn backup_root(&self) -> PathBuf {
        self.backup_dir.clone().unwrap_or_else(|| self.dir.join("backups"))
    }

    /// `maxmemory-policy`, parsed.
    pub fn eviction_policy(&self) -> Policy {
        let volatile = self.maxmemory_policy.starts_with("volatile-");
        match self.maxmemory_policy.rsplit('-').next() {
            Some("lru") => Policy::Lru { volatile },
            Some("lfu") => Policy::Lfu { volatile },
            Some("random") => Policy::Random { volatile },
            Some("ttl") => Policy::Ttl,
            _ => Policy::NoEviction,
        }
    }
}

/// One configuration parameter.
pub struct Directive {
    pub name: &'static str,
    /// For a renamed Redis parameter's old name (`slave-read-only`), the new one.
    pub alias_of: Option<&'static str>,
    /// Whether CONFIG SET may change it while the server runs.
    pub mutable: bool,
    /// CONFIG SET changes it only as `enable-protected-configs` allows.
    pub protected: bool,
    /// A secret: its value never appears in logs or error messages.
    pub sensitive: bool,
    pub kind: Kind,
    pub effect: Effect,
    pub get: fn(&Config) -> String,
    pub set: fn(&mut Config, &str) -> Result<(), String>,
}

impl Directive {
    const fn new(
        name: &'static str,
        kind: Kind,
        effect: Effect,
        get: fn(&Config) -> String,
        set: fn(&mut Config, &str) -> Result<(), String>,
    ) -> Directive {
        Directive { name, alias_of: None, mutable: true, protected: false, sensitive: false, kind, effect, get, set }
    }

    const fn immutable(mut self) -> Directive {
        self.mutable = false;
        self
    }

    const fn protected(mut self) -> Directive {
        self.protected = true;
        self
    }

    const fn sensitive(mut self) -> Directive {
        self.sensitive = true;
        self
    }

    /// The same parameter under its old name.
    const fn alias(mut self, old: &'static str) -> Directive {
        self.alias_of = Some(self.name);
        self.name = old;
        self
    }

    /// The parameter's current name (an alias answers its new one).
    pub fn canonical(&self) -> &'static str {
        self.alias_of.unwrap_or(self.name)
    }

    /// DiskDB's own parameters, beyond Redis's.
    pub fn is_diskdb_own(&self) -> bool {
        matches!(
            self.name,
            "rocksdb-block-cache-size"
                | "rocksdb-write-buffer-size"
                | "read-cache-size"
                | "maxdisk"
                | "key-recount-hold"
                | "maxrequests-per-client"
                | "maxrequests-global"
                | "shm-max-clients"
                | "shm-ring-size"
                | "io-engine"
                | "audit-log-file"
                | "tls-handshake-timeout"
                | "metrics-port"
                | "metrics-bind"
                | "syslog-socket"
                | "rocksdb-compression"
                | "rocksdb-bottommost-compression"
                | "backup-dir"
                | "backup-keep"
        )
    }
}

/// Looks a parameter up by name (case-insensitive), aliases included.
pub fn directive(name: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// Why a CONFIG SET was refused, for Redis's two error shapes.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError {
    /// `Unknown option or number of arguments for CONFIG SET - '<name>'`.
    Unknown(String),
    /// `CONFIG SET failed (possibly related to argument '<name>') - <why>`.
    Failed(String, String),
}

impl Config {
    /// A parameter without effect: its value, or `default` if never set.
    pub fn stored(&self, name: &str, default: &str) -> String {
        self.stored.get(name).cloned().unwrap_or_else(|| default.to_string())
    }

    fn store(&mut self, name: &'static str, value: String) {
        self.stored.insert(name, value);
    }

    /// The value of a directive, as CONFIG GET prints it.
    pub fn value_of(&self, d: &Directive) -> String {
        (d.get)(self)
    }

    /// CONFIG SET of `pairs`, all or nothing, as Redis 7.0 checks them: unknown names
    /// first, then immutable and protected ones (`local_client`: on a loopback address
    /// or the Unix socket, for `enable-protected-configs local`), duplicates (by name:
    /// an old and a new name of one parameter are not, and the later one wins, as in
    /// Redis 7.0), then every value; then the running server applies the
    /// changes ([`Runtime`]), and a refusal there leaves everything as it was.
    pub fn set_many(&mut self, pairs: &[(String, String)], local_client: bool) -> Result<(), SetError> {
        let mut chosen: Vec<(&'static Directive, &str)> = Vec::new();
        let mut refused: Option<SetError> = None;
        for (name, value) in pairs {
            let Some(d) = directive(name) else {
                return Err(refused.unwrap_or_else(|| SetError::Unknown(name.clone())));
            };
            if refused.is_some() {
                continue;
            }
            let failed = |why: &str| Some(SetError::Failed(name.clone(), why.to_string()));
            if !d.mutable {
                refused = failed("can't set immutable config");
            } else if d.protected && !self.enable_protected_configs.allows(local_client) {
                refused = failed("can't set protected config");
            } else if chosen.iter().any(|(c, _)| c.name == d.name) {
                refused = failed("duplicate parameter");
            }
            chosen.push((d, value));
        }
        if let Some(e) = refused {
            return Err(e);
        }
        let mut next = self.clone();
        for (d, value) in &chosen {
            (d.set)(&mut next, value).map_err(|why| SetError::Failed(d.name.to_string(), why))?;
        }
        runtime::apply(self, &next).map_err(|(name, why)| {
            let given = chosen.iter().find(|(d, _)| d.canonical() == name).map(|(d, _)| d.name).unwrap_or(name);
            SetError::Failed(given.to_string(), why)
        })?;
        *self = next;
        Ok(())
    }
}

/// The tracing filter for a Redis `loglevel`.
pub fn tracing_filter(loglevel: &str) -> String {
    // Redis's four levels onto tracing's: debug is the most verbose (trace).
    let level = match loglevel {
        "debug" => "trace",
        "verbose" => "debug",
        "notice" => "info",
        "warning" => "warn",
        _ => "off",
    };
    format!("diskdb={level}")
}

/// Installed by the binary once logging is set up: changes the running log filter.
pub static LOGLEVEL_HOOK: std::sync::OnceLock<Box<dyn Fn(&str) + Send + Sync>> = std::sync::OnceLock::new();

/// Applies a new `loglevel` to the running log output (CONFIG SET loglevel).
pub fn apply_loglevel(loglevel: &str) {
    if let Some(hook) = LOGLEVEL_HOOK.get() {
        hook(loglevel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<(), SetError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        c.set_many(&pairs, true)
    }

    fn failed(name: &str, why: &str) -> Result<(), SetError> {
        Err(SetError::Failed(name.into(), why.into()))
    }

    #[test]
    fn every_name_is_unique_and_aliases_point_at_parameters() {
        let mut seen = std::collections::HashSet::new();
        for d in DIRECTIVES {
            assert!(seen.insert(d.name), "{} twice", d.name);
            if let Some(of) = d.alias_of {
                let target = directive(of).unwrap();
                assert!(target.alias_of.is_none(), "{} aliases an alias", d.name);
                assert_eq!(target.kind, d.kind);
            }
        }
        // Redis 7.0 lists 192 parameters (aliases included); DiskDB adds four.
        assert_eq!(DIRECTIVES.iter().filter(|d| !d.is_diskdb_own()).count(), 192);
    }

    #[test]
    fn defaults_are_valid_values_of_their_own_kind() {
        let defaults = Config::default();
        for d in DIRECTIVES {
            let v = defaults.value_of(d);
            let mut c = Config::default();
            assert_eq!((d.set)(&mut c, &v), Ok(()), "{} {v:?}", d.name);
            assert_eq!(c.value_of(d), v, "{} does not read back", d.name);
        }
    }

    #[test]
    fn bounds_and_texts_are_redis_ones() {
        let mut c = Config::default();
        assert_eq!(set(&mut c, &[("maxclients", "0")]), failed("maxclients", "argument must be between 1 and 4294967295 inclusive"));
        assert_eq!(set(&mut c, &[("maxclients", "x")]), failed("maxclients", "argument couldn't be parsed into an integer"));
        assert_eq!(set(&mut c, &[("databases", "4")]), failed("databases", "can't set immutable config"));
        assert_eq!(set(&mut c, &[("dir", "/tmp")]), failed("dir", "can't set protected config"));
        assert_eq!(set(&mut c, &[("nosuch", "1")]), Err(SetError::Unknown("nosuch".into())));
        assert_eq!(set(&mut c, &[("databases", "1"), ("nosuch", "1")]), failed("databases", "can't set immutable config"));
        assert_eq!(set(&mut c, &[("timeout", "1"), ("TIMEOUT", "2")]), failed("TIMEOUT", "duplicate parameter"));
        assert_eq!(set(&mut c, &[("replica-read-only", "no"), ("slave-read-only", "yes")]), Ok(()));
        assert_eq!(c.stored("replica-read-only", ""), "yes", "the later name wins");
        assert_eq!(set(&mut c, &[("hash-max-ziplist-entries", "64"), ("list-compress-depth", "1")]), Ok(()));
        assert_eq!(c.encoding.hash_max_listpack_entries, 64);
        assert_eq!(c.value_of(directive("hash-max-listpack-entries").unwrap()), "64");
        assert_eq!(set(&mut c, &[("maxmemory", "1gb"), ("maxmemory-policy", "ALLKEYS-LRU")]), Ok(()));
        assert_eq!((c.maxmemory, c.maxmemory_policy), (1 << 30, "allkeys-lru"));
        // All or nothing.
        assert!(set(&mut c, &[("timeout", "5"), ("hz", "x")]).is_err());
        assert_eq!(c.timeout, 0);
    }
}

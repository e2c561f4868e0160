//! Every configuration parameter, declared once: Redis 7.0's 192 (renamed ones as
//! aliases of their new names) and DiskDB's own. The config file, the command line,
//! CONFIG GET / SET / REWRITE and the table in diskdb.conf.example all read this list.
//!
//! Each entry says what DiskDB does with the parameter ([`Effect`]): honoured, or
//! accepted without effect and why. Parameters without effect are still validated with
//! Redis's rules and kept (CONFIG GET answers what was set, CONFIG REWRITE writes it).

use super::value::{self, Kind};
use super::{Access, Directive, Effect, Fsync};

const INT_MIN: i64 = i32::MIN as i64;
const INT_MAX: i64 = i32::MAX as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LLONG_MAX: i64 = i64::MAX;
const MEM_LLONG_MAX: u64 = i64::MAX as u64;
const MB: u64 = 1024 * 1024;

const YES_NO_LOCAL: Kind = Kind::Enum(&[("no", 0), ("yes", 1), ("local", 2)]);
const FSYNC: Kind = Kind::Enum(&[("everysec", 0), ("always", 1), ("no", 2)]);
const LOGLEVEL_NAMES: &[(&str, u8)] = &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
const LOGLEVEL: Kind = Kind::Enum(LOGLEVEL_NAMES);
const POLICY_NAMES: &[(&str, u8)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
const POLICIES: Kind = Kind::Enum(POLICY_NAMES);
const CODEC_NAMES: &[(&str, u8)] = &[("none", 0), ("snappy", 1), ("lz4", 2), ("zstd", 3)];
const CODECS: Kind = Kind::Enum(CODEC_NAMES);
const IO_ENGINES: Kind = Kind::Enum(&[("epoll", 0), ("uring", 1)]);
const OOM_NAMES: &[(&str, u8)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const OOM_ADJ: Kind = Kind::Enum(OOM_NAMES);
const SHUTDOWN: Kind = Kind::Flags(&[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)]);

// Why a parameter has no effect, shared by the parameters of one Redis feature.
const NO_REPLICATION: Effect = Effect::Ignored("no replication: DiskDB runs as one primary, never a replica, and serves no replicas");
const NO_CLUSTER: Effect = Effect::Ignored("no cluster mode: one DiskDB holds every key");
const NO_TLS_CLIENT: Effect = Effect::Ignored("DiskDB makes no outgoing TLS connections (no replication, no cluster bus)");
const NO_RDB: Effect = Effect::Ignored("no RDB snapshots: the data lives in RocksDB's files, written as it changes");
const NO_AOF: Effect = Effect::Ignored(
    "no AOF file: writes go to RocksDB's write-ahead log (see appendfsync), which RocksDB trims itself after memtable flushes",
);
const ALLOCATOR: Effect =
    Effect::Ignored("jemalloc's defragmentation: DiskDB uses mimalloc and keeps values in RocksDB, not in a long-lived heap");
const LAZYFREE: Effect =
    Effect::Ignored("deleting is already cheap: DEL and FLUSH drop metadata records and compaction reclaims the rest in the background");
const SLOWLOG: Effect = Effect::Honoured(
    "SLOWLOG: commands that ran at least this many microseconds (negative: off, 0: all) are logged, the last slowlog-max-len of them",
);
const LATENCY_MONITOR: Effect = Effect::Honoured(
    "LATENCY LATEST/HISTORY/GRAPH/DOCTOR: events (command, fast-command, expire-cycle, wal-sync) that took at least this many milliseconds (0: off)",
);
const LATENCY_TRACKING: Effect = Effect::Honoured(
    "per-command latency histograms: LATENCY HISTOGRAM and INFO latencystats, with these percentiles",
);
const ENCODING: Effect = Effect::Honoured(
    "decides what OBJECT ENCODING reports, as in Redis (DiskDB's records are the same whatever the size); list-compress-depth never changes the encoding name, in Redis either",
);
const STREAM_NODE_ENTRIES: Effect = Effect::Honoured(
    "entries per stream node, as Redis: approximate trimming (MAXLEN ~ / MINID ~) removes whole nodes of this many entries",
);
const STREAM_NODE_BYTES: Effect = Effect::Ignored(
    "DiskDB stores one record per entry; a node ends after stream-node-max-entries entries only, so approximate trimming of large entries can remove different amounts than Redis",
);
const SHUTDOWN_EFFECT: Effect =
    Effect::Ignored("a shutdown is always immediate and keeps everything: there is no replica to wait for");
const SHUTDOWN_SIGNAL: Effect = Effect::Honoured(
    "whether a shutdown on this signal takes a backup first: save does, nosave does not, default does when save points are set and something changed since the last save (the data directory holds every acknowledged write either way); now and force have nothing to skip",
);
const NO_MODULES: Effect = Effect::Ignored("no modules (MODULE, loadmodule)");
const CPU_LIST: Effect = Effect::Ignored("no CPU affinity: DiskDB forks no children, and RocksDB runs its own thread pools");
const SYSLOG: Effect = Effect::Honoured(
    "log lines also go to syslog (RFC 3164 datagrams to syslog-socket, /dev/log by default), with this ident and facility",
);
const PROC_TITLE: Effect = Effect::Ignored("the process title stays as started");

/// A parameter without effect: validated as `kind`, kept in [`Config::stored`].
macro_rules! stored {
    ($name:literal, $kind:expr, $default:literal, $effect:expr) => {
        Directive::new(
            $name,
            $kind,
            $effect,
            |c| c.stored($name, $default),
            |c, v| {
                let v = ($kind).normalize(v)?;
                c.store($name, v);
                Ok(())
            },
        )
    };
    ($name:literal, $kind:expr, $default:literal, $effect:expr, $check:expr) => {
        Directive::new(
            $name,
            $kind,
            $effect,
            |c| c.stored($name, $default),
            |c, v| {
                ($check)(v)?;
                c.store($name, v.to_string());
                Ok(())
            },
        )
    };
}

/// A parameter held in a numeric field of [`Config`]: `number!(name, kind, effect,
/// field as type)`.
macro_rules! number {
    ($name:literal, $kind:expr, $effect:expr, $($field:ident).+ as $t:ty) => {
        Directive::new(
            $name,
            $kind,
            $effect,
            |c| c.$($field).+.to_string(),
            |c, v| ($kind).number(v).map(|n| c.$($field).+ = n as $t),
        )
    };
}

/// An optional path parameter (empty: none), read into and out of `c.$field`.
macro_rules! optional_path {
    ($name:literal, $effect:expr, $field:ident) => {
        Directive::new($name, Kind::Str, $effect, |c| path(&c.$field), |c, v| {
            c.$field = opt_path(v);
            Ok(())
        })
    };
}

fn path(p: &Option<std::path::PathBuf>) -> String {
    p.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
}

fn opt_path(v: &str) -> Option<std::path::PathBuf> {
    (!v.is_empty()).then(|| v.into())
}

fn access(v: &str) -> Result<Access, String> {
    Ok(match YES_NO_LOCAL.choice(v)? {
        0 => Access::No,
        1 => Access::Yes,
        _ => Access::Local,
    })
}

// Parameters with aliases, named so that the alias entries can copy them.
const BUSY_REPLY_THRESHOLD: Directive = stored!("busy-reply-threshold", Kind::Int(0, LLONG_MAX), "5000", Effect::Honoured("milliseconds a script runs before other clients get -BUSY (SCRIPT KILL / FUNCTION KILL then answer)"));
const CLUSTER_REPLICA_NO_FAILOVER: Directive = stored!("cluster-replica-no-failover", Kind::Bool, "no", NO_CLUSTER);
const CLUSTER_REPLICA_VALIDITY_FACTOR: Directive = stored!("cluster-replica-validity-factor", Kind::Int(0, INT_MAX), "10", NO_CLUSTER);
const MIN_REPLICAS_MAX_LAG: Directive = stored!("min-replicas-max-lag", Kind::Int(0, INT_MAX), "10", NO_REPLICATION);
const MIN_REPLICAS_TO_WRITE: Directive = stored!("min-replicas-to-write", Kind::Int(0, INT_MAX), "0", NO_REPLICATION);
const REPL_PING_REPLICA_PERIOD: Directive = stored!("repl-ping-replica-period", Kind::Int(1, INT_MAX), "10", NO_REPLICATION);
const REPLICA_ANNOUNCE_IP: Directive = stored!("replica-announce-ip", Kind::Str, "", NO_REPLICATION);
const REPLICA_ANNOUNCE_PORT: Directive = stored!("replica-announce-port", Kind::Int(0, 65535), "0", NO_REPLICATION);
const REPLICA_IGNORE_MAXMEMORY: Directive = stored!("replica-ignore-maxmemory", Kind::Bool, "yes", NO_REPLICATION);
const REPLICA_LAZY_FLUSH: Directive = stored!("replica-lazy-flush", Kind::Bool, "no", NO_REPLICATION);
const REPLICA_PRIORITY: Directive = stored!("replica-priority", Kind::Int(0, INT_MAX), "100", NO_REPLICATION);
const REPLICA_READ_ONLY: Directive = stored!("replica-read-only", Kind::Bool, "yes", NO_REPLICATION);
const REPLICA_SERVE_STALE_DATA: Directive = stored!("replica-serve-stale-data", Kind::Bool, "yes", NO_REPLICATION);
const REPLICAOF: Directive = Directive::new(
    "replicaof",
    Kind::List,
    Effect::Ignored("no replication: DiskDB starts as a primary (and logs a warning when a master is named)"),
    |c| c.stored("replicaof", ""),
    |c, v| {
        let v = value::parse_replicaof(v)?;
        c.store("replicaof", v);
        Ok(())
    },
)
.immutable();
const HASH_MAX_LISTPACK_ENTRIES: Directive =
    number!("hash-max-listpack-entries", Kind::Int(0, LLONG_MAX), ENCODING, encoding.hash_max_listpack_entries as u64);
const HASH_MAX_LISTPACK_VALUE: Directive =
    number!("hash-max-listpack-value", Kind::Memory(0, MEM_LLONG_MAX), ENCODING, encoding.hash_max_listpack_value as u64);
const LIST_MAX_LISTPACK_SIZE: Directive =
    number!("list-max-listpack-size", Kind::Int(INT_MIN, INT_MAX), ENCODING, encoding.list_max_listpack_size as i64);
const ZSET_MAX_LISTPACK_ENTRIES: Directive =
    number!("zset-max-listpack-entries", Kind::Int(0, LLONG_MAX), ENCODING, encoding.zset_max_listpack_entries as u64);
const ZSET_MAX_LISTPACK_VALUE: Directive =
    number!("zset-max-listpack-value", Kind::Memory(0, MEM_LLONG_MAX), ENCODING, encoding.zset_max_listpack_value as u64);

pub static DIRECTIVES: &[Directive] = &[
    // ---- Network and clients ---------------------------------------------------
    Directive::new(
        "bind",
        Kind::List,
        Effect::Honoured("addresses to listen on; '-' before one makes it optional, '*' is every IPv4 address and '::*' every IPv6 one. CONFIG SET accepts only the current value (changing them needs a restart)"),
        |c| c.bind.join(" "),
        |c, v| value::parse_bind(v).map(|b| c.bind = b),
    ),
    number!(
        "port",
        Kind::Int(0, 65535),
        Effect::Honoured("TCP port; 0 disables TCP. CONFIG SET accepts only the current value (changing it needs a restart)"),
        port as u16
    ),
    number!(
        "tcp-backlog",
        Kind::Int(0, INT_MAX),
        Effect::Honoured("pending connections the kernel queues for TCP and the Unix socket (capped by net.core.somaxconn)"),
        tcp_backlog as u32
    )
    .immutable(),
    optional_path!("unixsocket", Effect::Honoured("path of a Unix socket to listen on as well; empty: none"), unixsocket)
        .immutable(),
    Directive::new(
        "unixsocketperm",
        Kind::Octal,
        Effect::Honoured("permissions of the Unix socket, octal"),
        |c| format!("{:o}", c.unixsocketperm),
        |c, v| value::parse_octal(v).map(|p| c.unixsocketperm = p),
    )
    .immutable(),
    number!(
        "maxclients",
        Kind::Int(1, UINT_MAX),
        Effect::Honoured("most clients connected at once; more are refused with -ERR max number of clients reached"),
        maxclients as usize
    ),
    number!("timeout", Kind::Int(0, INT_MAX), Effect::Honoured("close a client idle for this many seconds; 0: never"), timeout as u64),
    number!(
        "tcp-keepalive",
        Kind::Int(0, INT_MAX),
        Effect::Honoured("TCP keepalive of new client sockets: first probe after this many idle seconds, then every third of it, 3 probes; 0: off"),
        tcp_keepalive as u64
    ),
    Directive::new(
        "requirepass",
        Kind::Str,
        Effect::Honoured("the default user's password (AUTH, HELLO ... AUTH), as Redis: setting it replaces the default user's passwords; empty: nopass. Never logged"),
        |c| c.requirepass.clone().unwrap_or_default(),
        |c, v| {
            c.requirepass = (!v.is_empty()).then(|| v.to_string());
            Ok(())
        },
    )
    .sensitive(),
    number!(
        "proto-max-bulk-len",
        Kind::Memory(MB, MEM_LLONG_MAX),
        Effect::Honoured("largest bulk string a client may send, and so the largest string value"),
        proto_max_bulk_len as usize
    ),
    number!(
        "client-query-buffer-limit",
        Kind::Memory(MB, MEM_LLONG_MAX),
        Effect::Honoured("most bytes buffered for one client's incomplete request"),
        client_query_buffer_limit as usize
    ),
    number!(
        "io-threads",
        Kind::Int(1, 128),
        Effect::Honoured("threads serving clients (each reads, runs and writes); one is fastest on small machines, as RocksDB's own threads take the other cores"),
        io_threads as usize
    )
    .immutable(),
    stored!("io-threads-do-reads", Kind::Bool, "no", Effect::Ignored("every io-threads thread reads and parses as well as it writes"))
        .immutable(),
    Directive::new(
        "protected-mode",
        Kind::Bool,
        Effect::Honoured("as in Redis: while the default user has no password, clients from addresses other than loopback get the DENIED error and are disconnected (Unix-socket clients are local)"),
        |c| value::yes_no_str(c.protected_mode),
        |c, v| value::yes_no(v).map(|b| c.protected_mode = b),
    ),
    number!(
        "maxrequests-per-client",
        Kind::Int(0, LLONG_MAX),
        Effect::Honoured("DiskDB's own: requests per second one client may send; excess requests wait (the socket is not read meanwhile), they never fail; 0: no limit"),
        maxrequests_per_client as u64
    ),
    number!(
        "maxrequests-global",
        Kind::Int(0, LLONG_MAX),
        Effect::Honoured("DiskDB's own: requests per second all clients together may send, shared first come first served; excess requests wait; 0: no limit"),
        maxrequests_global as u64
    ),
    number!(
        "shm-max-clients",
        Kind::Int(0, UINT_MAX),
        Effect::Honoured("DiskDB's own: most clients attached at once to the shared-memory transport (SHM.ATTACH on the Unix socket, docs/shm-protocol.md); more get -ERR max number of shared-memory clients reached; 0: the transport is disabled"),
        shm_max_clients as usize
    ),
    stored!(
        "io-engine",
        IO_ENGINES,
        "epoll",
        Effect::Honoured("DiskDB's own: how TCP and Unix-socket clients are read and written: epoll (a read and a write system call per request batch) or uring (io_uring: multishot receives into a provided-buffer ring, and the replies of every client submitted with one io_uring_enter per loop iteration); uring falls back to epoll with a warning in the log where the kernel lacks or refuses io_uring; TLS and shared-memory clients are not affected. Needs a restart")
    )
    .immutable(),
    Directive::new(
        "shm-ring-size",
        Kind::Memory(4096, 64 * MB),
        Effect::Honoured("DiskDB's own: bytes of each of the two rings (requests, replies) of a client attached with SHM.ATTACH, a power of two from 4096 to 64mb; a new size applies to clients that attach afterwards"),
        |c| c.shm_ring_size.to_string(),
        |c, v| {
            let n = Kind::Memory(4096, 64 * MB).memory(v)?;
            if !n.is_power_of_two() {
                return Err("argument must be a power of two".to_string());
            }
            c.shm_ring_size = n as usize;
            Ok(())
        },
    ),
    optional_path!(
        "audit-log-file",
        Effect::Honoured("DiskDB's own: an audit log, one JSON object per line (authentication, ACL denials and changes, CONFIG SET/REWRITE, FLUSHDB/FLUSHALL, SHUTDOWN, DEBUG, CLIENT KILL, refused connections), reopened on SIGHUP; empty: off"),
        audit_log_file
    )
    .immutable(),
    Directive::new(
        "client-output-buffer-limit",
        Kind::List,
        Effect::Ignored("not enforced: replies are written as they are produced, and there are no replica or Pub/Sub clients yet"),
        |c| value::format_buffer_limits(&c.client_output_buffer_limit),
        |c, v| value::parse_buffer_limits(v, &mut c.client_output_buffer_limit),
    ),
    stored!(
        "maxmemory-clients",
        Kind::MemoryOrPercent,
        "0",
        Effect::Ignored("clients are never evicted for memory: an idle client holds no buffers")
    ),
    stored!(
        "tracking-table-max-keys",
        Kind::Int(0, LLONG_MAX),
        "1000000",
        Effect::Honoured("most keys the client-side caching table tracks; past it keys are dropped and their clients sent an invalidation, as in Redis; 0: no limit")
    ),
    stored!("socket-mark-id", Kind::Int(0, UINT_MAX), "0", Effect::Ignored("sockets are not marked (SO_MARK)")).immutable(),
    stored!("bind-source-addr", Kind::Str, "", NO_REPLICATION),
    // ---- Storage, durability and memory -----------------------------------------
    Directive::new(
        "dir",
        Kind::Str,
        Effect::Honoured("where RocksDB keeps the data (created if missing). CONFIG SET (a protected config) accepts only the current value"),
        |c| c.dir.display().to_string(),
        |c, v| {
            c.dir = v.into();
            Ok(())
        },
    )
    .protected(),
    number!(
        "databases",
        Kind::Int(1, 256),
        Effect::Honoured("number of databases, SELECT 0 to databases-1 (at most 256 in DiskDB)"),
        databases as usize
    )
    .immutable(),
    Directive::new(
        "appendfsync",
        FSYNC,
        Effect::Honoured("when RocksDB's write-ahead log is forced to disk: always (before the reply; concurrent writers share one fsync), everysec, no (when the OS decides). A write is in the log before it is acknowledged under every policy"),
        |c| {
            match c.appendfsync {
                Fsync::EverySec => "everysec",
                Fsync::Always => "always",
                Fsync::No => "no",
            }
            .into()
        },
        |c, v| {
            c.appendfsync = match FSYNC.choice(v)? {
                0 => Fsync::EverySec,
                1 => Fsync::Always,
                _ => Fsync::No,
            };
            Ok(())
        },
    ),
    Directive::new(
        "appendonly",
        Kind::Bool,
        Effect::Honoured("mapped onto RocksDB's write-ahead log, which is always on: every write is logged before it is acknowledged. 'no' is accepted and reported, but writes are still logged (DiskDB never keeps less than asked)"),
        |c| value::yes_no_str(c.appendonly),
        |c, v| value::yes_no(v).map(|b| c.appendonly = b),
    ),
    Directive::new(
        "save",
        Kind::List,
        Effect::Honoured("save points, as in Redis: a background save (BGSAVE: a backup in backup-dir, the WAL synced first) when at least <changes> writes happened and more than <seconds> passed since the last save; save \"\" disables them"),
        |c| value::format_save(&c.save),
        |c, v| value::parse_save(v).map(|s| c.save = s),
    ),
    number!(
        "maxmemory",
        Kind::Memory(0, u64::MAX),
        Effect::Honoured("bounds DiskDB's memory: RocksDB's block cache, its memtables (a write buffer manager) and the read cache together stay within it (the split is described in diskdb.conf.example); 0: each as configured. Never evicts and never refuses writes for memory: the data is on disk (maxdisk bounds that, with maxmemory-policy)"),
        maxmemory as u64
    ),
    Directive::new(
        "maxmemory-policy",
        POLICIES,
        Effect::Honoured("what happens when the dataset outgrows maxdisk (DiskDB's own disk bound; memory is bounded by maxmemory without eviction, the data being on disk): the LRU/LFU/random/ttl policies evict keys as Redis does for maxmemory, scoring them by the access clock behind OBJECT IDLETIME/FREQ; noeviction refuses writes with an OOM error"),
        |c| c.maxmemory_policy.to_string(),
        |c, v| {
            let n = POLICIES.choice(v)?;
            c.maxmemory_policy = value::enum_name(POLICY_NAMES, n);
            Ok(())
        },
    ),
    number!(
        "maxdisk",
        Kind::Memory(0, MEM_LLONG_MAX),
        Effect::Honoured("DiskDB's own: bounds the dataset's size on disk (RocksDB's SST files plus memtables; the write-ahead log and RocksDB's logs come on top); 0: no bound. Over it maxmemory-policy applies, and evicted space is reclaimed by compacting"),
        maxdisk as u64
    ),
    Directive::new(
        "key-recount-hold",
        Kind::Bool,
        Effect::Honoured("DiskDB's own test hook: after an unclean shutdown the keys are recounted in the background; 'yes' at start holds that recount (DBSIZE and INFO keyspace wait) until CONFIG SET key-recount-hold no"),
        |c| value::yes_no_str(c.key_recount_hold),
        |c, v| value::yes_no(v).map(|b| c.key_recount_hold = b),
    ),
    number!("maxmemory-samples", Kind::Int(1, INT_MAX), Effect::Honoured("keys sampled per eviction round, as in Redis (DiskDB samples at most 64)"), maxmemory_samples as u32),
    number!(
        "maxmemory-eviction-tenacity",
        Kind::Int(0, 100),
        Effect::Honoured("how long one eviction round may run before letting writes in (as in Redis: 10 is about 500 us, each step beyond 10 grows it 15%; 100: no limit)"),
        maxmemory_eviction_tenacity as u32
    ),
    number!("lfu-log-factor", Kind::Int(0, INT_MAX), Effect::Honoured("how slowly the LFU counter grows, as in Redis"), lfu_log_factor as u32),
    number!("lfu-decay-time", Kind::Int(0, INT_MAX), Effect::Honoured("minutes per decrement of the LFU counter, as in Redis"), lfu_decay_time as u32),
    number!(
        "rocksdb-block-cache-size",
        Kind::Memory(0, MEM_LLONG_MAX),
        Effect::Honoured("DiskDB's own: RocksDB's block cache, shared by all column families (maxmemory may lower it)"),
        block_cache_size as usize
    )
    .immutable(),
    number!(
        "rocksdb-write-buffer-size",
        Kind::Memory(0, MEM_LLONG_MAX),
        Effect::Honoured("DiskDB's own: RocksDB's memtable size per column family (maxmemory may lower it)"),
        write_buffer_size as usize
    )
    .immutable(),
    number!(
        "read-cache-size",
        Kind::Memory(0, MEM_LLONG_MAX),
        Effect::Honoured("DiskDB's own: memory for windows of hot collections' records, so repeated range reads skip RocksDB; 0 disables it (maxmemory may lower it)"),
        read_cache_size as usize
    ),
    Directive::new(
        "rocksdb-compression",
        CODECS,
        Effect::Honoured("DiskDB's own: RocksDB's codec (none, snappy, lz4, zstd) for every level of every column family but the last; CONFIG SET applies it to table files written from then on (compaction rewrites older ones over time)"),
        |c| c.rocksdb_compression.to_string(),
        |c, v| CODECS.choice(v).map(|n| c.rocksdb_compression = value::enum_name(CODEC_NAMES, n)),
    ),
    Directive::new(
        "rocksdb-bottommost-compression",
        CODECS,
        Effect::Honoured("DiskDB's own: RocksDB's codec for the last level of every column family, where most of the data ends up; CONFIG SET applies it to table files written from then on"),
        |c| c.rocksdb_bottommost_compression.to_string(),
        |c, v| CODECS.choice(v).map(|n| c.rocksdb_bottommost_compression = value::enum_name(CODEC_NAMES, n)),
    ),
    // ---- Backups (SAVE, BGSAVE, save points) ------------------------------------
    optional_path!(
        "backup-dir",
        Effect::Honoured("DiskDB's own: where SAVE, BGSAVE and the save points put backups (RocksDB checkpoints); empty: <dir>/backups. On the data directory's file system the table files are hard-linked, elsewhere copied. CONFIG SET (a protected config) applies to the next save"),
        backup_dir
    )
    .protected(),
    number!(
        "backup-keep",
        Kind::Int(0, INT_MAX),
        Effect::Honoured("DiskDB's own: backups kept; after each successful save the oldest beyond this many are deleted; 0: keep all"),
        backup_keep as u32
    ),
    stored!("dbfilename", Kind::Str, "dump.rdb", NO_RDB, |v| value::check_file_name(v, "dbfilename", "filename")).protected(),
    stored!("rdbcompression", Kind::Bool, "yes", NO_RDB),
    stored!("rdbchecksum", Kind::Bool, "yes", NO_RDB).immutable(),
    stored!("rdb-del-sync-files", Kind::Bool, "no", NO_RDB),
    stored!("rdb-save-incremental-fsync", Kind::Bool, "yes", NO_RDB),
    stored!(
        "stop-writes-on-bgsave-error",
        Kind::Bool,
        "yes",
        Effect::Ignored("writes go on after a failed BGSAVE: the data is in RocksDB whatever the backup's fate (a write RocksDB refuses is never acknowledged)")
    ),
    stored!("appendfilename", Kind::Str, "appendonly.aof", NO_AOF, |v| value::check_file_name(v, "appendfilename", "filename"))
        .immutable(),
    stored!("appenddirname", Kind::Str, "appendonlydir", NO_AOF, |v| value::check_file_name(v, "appenddirname", "dirname"))
        .immutable(),
    stored!("auto-aof-rewrite-percentage", Kind::Int(0, INT_MAX), "100", NO_AOF),
    stored!("auto-aof-rewrite-min-size", Kind::Memory(0, MEM_LLONG_MAX), "67108864", NO_AOF),
    stored!("aof-load-truncated", Kind::Bool, "yes", NO_AOF),
    stored!("aof-use-rdb-preamble", Kind::Bool, "yes", NO_AOF),
    stored!("aof-timestamp-enabled", Kind::Bool, "no", NO_AOF),
    stored!("aof-rewrite-incremental-fsync", Kind::Bool, "yes", NO_AOF),
    stored!("aof-disable-auto-gc", Kind::Bool, "no", NO_AOF),
    stored!("no-appendfsync-on-rewrite", Kind::Bool, "no", NO_AOF),
    stored!(
        "sanitize-dump-payload",
        Kind::Enum(&[("no", 0), ("yes", 1), ("clients", 2)]),
        "no",
        Effect::Ignored("RESTORE always checks a payload's checksum and decodes all of it before storing anything")
    ),
    stored!("activerehashing", Kind::Bool, "yes", Effect::Ignored("no in-memory keyspace to rehash: keys live in RocksDB")),
    stored!("activedefrag", Kind::Bool, "no", ALLOCATOR),
    stored!("active-defrag-ignore-bytes", Kind::Memory(1, MEM_LLONG_MAX), "104857600", ALLOCATOR),
    stored!("active-defrag-threshold-lower", Kind::Int(0, 1000), "10", ALLOCATOR),
    stored!("active-defrag-threshold-upper", Kind::Int(0, 1000), "100", ALLOCATOR),
    stored!("active-defrag-cycle-min", Kind::Int(1, 99), "1", ALLOCATOR),
    stored!("active-defrag-cycle-max", Kind::Int(1, 99), "25", ALLOCATOR),
    stored!("active-defrag-max-scan-fields", Kind::Int(1, LLONG_MAX), "1000", ALLOCATOR),
    stored!("jemalloc-bg-thread", Kind::Bool, "yes", Effect::Ignored("jemalloc's purge thread: DiskDB uses mimalloc")),
    stored!(
        "disable-thp",
        Kind::Bool,
        "yes",
        Effect::Ignored("DiskDB never forks (the reason Redis turns transparent huge pages off), and mimalloc is built without them")
    )
    .immutable(),
    stored!("lazyfree-lazy-eviction", Kind::Bool, "no", LAZYFREE),
    stored!("lazyfree-lazy-expire", Kind::Bool, "no", LAZYFREE),
    stored!("lazyfree-lazy-server-del", Kind::Bool, "no", LAZYFREE),
    stored!("lazyfree-lazy-user-del", Kind::Bool, "no", LAZYFREE),
    stored!("lazyfree-lazy-user-flush", Kind::Bool, "no", LAZYFREE),
    Directive::new(
        "oom-score-adj",
        OOM_ADJ,
        Effect::Honoured("writes /proc/self/oom_score_adj: yes/relative adds the first oom-score-adj-values number to the score DiskDB started with, absolute sets it; no restores the original"),
        |c| value::enum_name(OOM_NAMES, c.oom_score_adj).to_string(),
        |c, v| OOM_ADJ.choice(v).map(|n| c.oom_score_adj = n),
    ),
    Directive::new(
        "oom-score-adj-values",
        Kind::List,
        Effect::Honoured("the adjustments for a primary, a replica and a background child; DiskDB, always a primary without children, uses the first"),
        |c| c.oom_score_adj_values.map(|v| v.to_string()).join(" "),
        |c, v| value::parse_oom_values(v).map(|a| c.oom_score_adj_values = a),
    ),
    // ---- Background tasks and logging -------------------------------------------
    Directive::new(
        "hz",
        Kind::Int(0, INT_MAX),
        Effect::Honoured("active expiry cycles per second, kept within 1 to 500"),
        |c| c.hz.to_string(),
        |c, v| Kind::Int(0, INT_MAX).int(v).map(|n| c.hz = n.clamp(1, 500) as u32),
    ),
    stored!("dynamic-hz", Kind::Bool, "yes", Effect::Ignored("hz stays as configured whatever the number of clients")),
    number!(
        "active-expire-effort",
        Kind::Int(1, 10),
        Effect::Honoured("keys each active expiry cycle may examine per database: 200 at 1, 200 more per step"),
        active_expire_effort as u32
    ),
    Directive::new(
        "loglevel",
        LOGLEVEL,
        Effect::Honoured("debug, verbose, notice or warning (and Redis 7.2's nothing)"),
        |c| c.loglevel.clone(),
        |c, v| {
            let level = if v.eq_ignore_ascii_case("nothing") { "nothing" } else { value::enum_name(LOGLEVEL_NAMES, LOGLEVEL.choice(v)?) };
            c.loglevel = level.to_string();
            Ok(())
        },
    ),
    Directive::new(
        "logfile",
        Kind::Str,
        Effect::Honoured("log file, reopened on SIGHUP; empty: standard error"),
        |c| c.logfile.clone(),
        |c, v| {
            c.logfile = v.to_string();
            Ok(())
        },
    )
    .immutable(),
    stored!("syslog-enabled", Kind::Bool, "no", SYSLOG).immutable(),
    stored!("syslog-ident", Kind::Str, "redis", SYSLOG).immutable(),
    stored!(
        "syslog-facility",
        Kind::Enum(&[
            ("user", 0),
            ("local0", 1),
            ("local1", 2),
            ("local2", 3),
            ("local3", 4),
            ("local4", 5),
            ("local5", 6),
            ("local6", 7),
            ("local7", 8)
        ]),
        "local0",
        SYSLOG
    )
    .immutable(),
    stored!(
        "syslog-socket",
        Kind::Str,
        "/dev/log",
        Effect::Honoured("DiskDB's own: the Unix datagram socket syslog-enabled sends to")
    )
    .immutable(),
    optional_path!("pidfile", Effect::Honoured("write the process id to this file (removed at exit); empty: none"), pidfile)
        .immutable(),
    stored!(
        "daemonize",
        Kind::Bool,
        "no",
        Effect::Ignored("DiskDB stays in the foreground: run it under a service manager (systemd, docker)")
    )
    .immutable(),
    stored!(
        "supervised",
        Kind::Enum(&[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)]),
        "no",
        Effect::Honoured(
            "systemd: READY=1 and STOPPING=1 to $NOTIFY_SOCKET (sd_notify) for a Type=notify unit; auto: the same when NOTIFY_SOCKET is set; upstart: not supported"
        )
    )
    .immutable(),
    stored!("always-show-logo", Kind::Bool, "no", Effect::Ignored("no ASCII-art logo")).immutable(),
    stored!("set-proc-title", Kind::Bool, "yes", PROC_TITLE).immutable(),
    stored!("proc-title-template", Kind::Str, "{title} {listen-addr} {server-mode}", PROC_TITLE, value::check_title_template),
    stored!("crash-log-enabled", Kind::Bool, "yes", Effect::Ignored("no crash report: a panic prints Rust's own")),
    stored!("crash-memcheck-enabled", Kind::Bool, "yes", Effect::Ignored("no memory test after a crash")),
    stored!("ignore-warnings", Kind::Str, "", Effect::Ignored("DiskDB has no start-up warning that this silences")),
    stored!("server_cpulist", Kind::Str, "", CPU_LIST).immutable(),
    stored!("bio_cpulist", Kind::Str, "", CPU_LIST).immutable(),
    stored!("aof_rewrite_cpulist", Kind::Str, "", CPU_LIST).immutable(),
    stored!("bgsave_cpulist", Kind::Str, "", CPU_LIST).immutable(),
    stored!("shutdown-on-sigint", SHUTDOWN, "default", SHUTDOWN_SIGNAL),
    stored!("shutdown-on-sigterm", SHUTDOWN, "default", SHUTDOWN_SIGNAL),
    stored!("shutdown-timeout", Kind::Int(0, INT_MAX), "10", SHUTDOWN_EFFECT),
    stored!("slowlog-log-slower-than", Kind::Int(-1, LLONG_MAX), "10000", SLOWLOG),
    stored!("slowlog-max-len", Kind::Int(0, LLONG_MAX), "128", SLOWLOG),
    stored!("latency-monitor-threshold", Kind::Int(0, LLONG_MAX), "0", LATENCY_MONITOR),
    stored!("latency-tracking", Kind::Bool, "yes", LATENCY_TRACKING),
    Directive::new(
        "latency-tracking-info-percentiles",
        Kind::List,
        LATENCY_TRACKING,
        |c| c.stored("latency-tracking-info-percentiles", "50 99 99.9"),
        |c, v| {
            let ps = value::parse_percentiles(v)?;
            c.store("latency-tracking-info-percentiles", value::format_percentiles(&ps));
            Ok(())
        },
    ),
    // ---- Commands and security --------------------------------------------------
    Directive::new(
        "notify-keyspace-events",
        Kind::Str,
        Effect::Honoured("keyspace notifications: Redis's class letters (K E g $ l s h z x e t m d n A), published on __keyspace@<db>__ and __keyevent@<db>__ with Redis's event names"),
        |c| value::format_notify(c.notify_keyspace_events),
        |c, v| value::parse_notify(v).map(|f| c.notify_keyspace_events = f),
    ),
    Directive::new(
        "enable-protected-configs",
        YES_NO_LOCAL,
        Effect::Honoured("whether CONFIG SET may change protected configs (dir, dbfilename): no, yes, or local (from loopback and Unix socket clients only)"),
        |c| c.enable_protected_configs.name().to_string(),
        |c, v| access(v).map(|a| c.enable_protected_configs = a),
    )
    .immutable(),
    Directive::new(
        "enable-debug-command",
        YES_NO_LOCAL,
        Effect::Honoured("gates DEBUG as in Redis 7: no, yes, or local (loopback and Unix socket clients only)"),
        |c| c.enable_debug_command.name().to_string(),
        |c, v| access(v).map(|a| c.enable_debug_command = a),
    )
    .immutable(),
    Directive::new(
        "enable-module-command",
        YES_NO_LOCAL,
        NO_MODULES,
        |c| c.enable_module_command.name().to_string(),
        |c, v| access(v).map(|a| c.enable_module_command = a),
    )
    .immutable(),
    stored!(
        "aclfile",
        Kind::Str,
        "",
        Effect::Honoured("ACL users file in Redis's format: read at start-up and by ACL LOAD, written by ACL SAVE; not together with `user` lines")
    )
    .immutable(),
    stored!("acllog-max-len", Kind::Int(0, LLONG_MAX), "128", Effect::Honoured("most entries ACL LOG keeps")),
    stored!(
        "acl-pubsub-default",
        Kind::Enum(&[("allchannels", 1), ("resetchannels", 0)]),
        "resetchannels",
        Effect::Honoured("channels a new ACL user starts with")
    ),
    BUSY_REPLY_THRESHOLD,
    BUSY_REPLY_THRESHOLD.alias("lua-time-limit"),
    // ---- Encodings (what OBJECT ENCODING reports) -------------------------------
    HASH_MAX_LISTPACK_ENTRIES,
    HASH_MAX_LISTPACK_ENTRIES.alias("hash-max-ziplist-entries"),
    HASH_MAX_LISTPACK_VALUE,
    HASH_MAX_LISTPACK_VALUE.alias("hash-max-ziplist-value"),
    LIST_MAX_LISTPACK_SIZE,
    LIST_MAX_LISTPACK_SIZE.alias("list-max-ziplist-size"),
    number!("list-compress-depth", Kind::Int(0, INT_MAX), ENCODING, encoding.list_compress_depth as u64),
    number!("set-max-intset-entries", Kind::Int(0, LLONG_MAX), ENCODING, encoding.set_max_intset_entries as u64),
    ZSET_MAX_LISTPACK_ENTRIES,
    ZSET_MAX_LISTPACK_ENTRIES.alias("zset-max-ziplist-entries"),
    ZSET_MAX_LISTPACK_VALUE,
    ZSET_MAX_LISTPACK_VALUE.alias("zset-max-ziplist-value"),
    number!("stream-node-max-bytes", Kind::Memory(0, MEM_LLONG_MAX), STREAM_NODE_BYTES, encoding.stream_node_max_bytes as u64),
    number!("stream-node-max-entries", Kind::Int(0, LLONG_MAX), STREAM_NODE_ENTRIES, encoding.stream_node_max_entries as u64),
    number!(
        "hll-sparse-max-bytes",
        Kind::Memory(0, MEM_LLONG_MAX),
        Effect::Honoured("longest sparse HyperLogLog string, header included: PFADD / PFMERGE past it convert the value to the dense encoding, as Redis"),
        encoding.hll_sparse_max_bytes as u64
    ),
    // ---- Replication ------------------------------------------------------------
    REPLICAOF,
    REPLICAOF.alias("slaveof"),
    stored!("masterauth", Kind::Str, "", NO_REPLICATION).sensitive(),
    stored!("masteruser", Kind::Str, "", NO_REPLICATION),
    REPLICA_ANNOUNCE_IP,
    REPLICA_ANNOUNCE_IP.alias("slave-announce-ip"),
    REPLICA_ANNOUNCE_PORT,
    REPLICA_ANNOUNCE_PORT.alias("slave-announce-port"),
    stored!("replica-announced", Kind::Bool, "yes", NO_REPLICATION),
    stored!("replica-ignore-disk-write-errors", Kind::Bool, "no", NO_REPLICATION),
    REPLICA_IGNORE_MAXMEMORY,
    REPLICA_IGNORE_MAXMEMORY.alias("slave-ignore-maxmemory"),
    REPLICA_LAZY_FLUSH,
    REPLICA_LAZY_FLUSH.alias("slave-lazy-flush"),
    REPLICA_PRIORITY,
    REPLICA_PRIORITY.alias("slave-priority"),
    REPLICA_READ_ONLY,
    REPLICA_READ_ONLY.alias("slave-read-only"),
    REPLICA_SERVE_STALE_DATA,
    REPLICA_SERVE_STALE_DATA.alias("slave-serve-stale-data"),
    MIN_REPLICAS_MAX_LAG,
    MIN_REPLICAS_MAX_LAG.alias("min-slaves-max-lag"),
    MIN_REPLICAS_TO_WRITE,
    MIN_REPLICAS_TO_WRITE.alias("min-slaves-to-write"),
    REPL_PING_REPLICA_PERIOD,
    REPL_PING_REPLICA_PERIOD.alias("repl-ping-slave-period"),
    stored!("repl-backlog-size", Kind::Memory(1, MEM_LLONG_MAX), "1048576", NO_REPLICATION),
    stored!("repl-backlog-ttl", Kind::Int(0, LLONG_MAX), "3600", NO_REPLICATION),
    stored!("repl-disable-tcp-nodelay", Kind::Bool, "no", NO_REPLICATION),
    stored!("repl-diskless-load", Kind::Enum(&[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)]), "disabled", NO_REPLICATION),
    stored!("repl-diskless-sync", Kind::Bool, "yes", NO_REPLICATION),
    stored!("repl-diskless-sync-delay", Kind::Int(0, INT_MAX), "5", NO_REPLICATION),
    stored!("repl-diskless-sync-max-replicas", Kind::Int(0, INT_MAX), "0", NO_REPLICATION),
    stored!("repl-timeout", Kind::Int(1, INT_MAX), "60", NO_REPLICATION),
    stored!(
        "propagation-error-behavior",
        Kind::Enum(&[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)]),
        "ignore",
        Effect::Ignored("no replication nor AOF to propagate writes to")
    ),
    // ---- Cluster ----------------------------------------------------------------
    stored!("cluster-enabled", Kind::Bool, "no", Effect::Ignored("no cluster mode: DiskDB starts standalone (and logs a warning when this is yes)"))
        .immutable(),
    stored!("cluster-config-file", Kind::Str, "nodes.conf", NO_CLUSTER).immutable(),
    stored!("cluster-port", Kind::Int(0, 65535), "0", NO_CLUSTER).immutable(),
    stored!("cluster-node-timeout", Kind::Int(0, LLONG_MAX), "15000", NO_CLUSTER),
    stored!("cluster-announce-ip", Kind::Str, "", NO_CLUSTER),
    stored!("cluster-announce-hostname", Kind::Str, "", NO_CLUSTER, value::check_hostname),
    stored!("cluster-announce-port", Kind::Int(0, 65535), "0", NO_CLUSTER),
    stored!("cluster-announce-bus-port", Kind::Int(0, 65535), "0", NO_CLUSTER),
    stored!("cluster-announce-tls-port", Kind::Int(0, 65535), "0", NO_CLUSTER),
    stored!("cluster-allow-pubsubshard-when-down", Kind::Bool, "yes", NO_CLUSTER),
    stored!("cluster-allow-reads-when-down", Kind::Bool, "no", NO_CLUSTER),
    stored!("cluster-allow-replica-migration", Kind::Bool, "yes", NO_CLUSTER),
    stored!("cluster-link-sendbuf-limit", Kind::Memory(0, u64::MAX), "0", NO_CLUSTER),
    stored!("cluster-migration-barrier", Kind::Int(0, INT_MAX), "1", NO_CLUSTER),
    stored!(
        "cluster-preferred-endpoint-type",
        Kind::Enum(&[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)]),
        "ip",
        NO_CLUSTER
    ),
    CLUSTER_REPLICA_NO_FAILOVER,
    CLUSTER_REPLICA_NO_FAILOVER.alias("cluster-slave-no-failover"),
    CLUSTER_REPLICA_VALIDITY_FACTOR,
    CLUSTER_REPLICA_VALIDITY_FACTOR.alias("cluster-slave-validity-factor"),
    stored!("cluster-require-full-coverage", Kind::Bool, "yes", NO_CLUSTER),
    // ---- TLS --------------------------------------------------------------------
    stored!("tls-port", Kind::Int(0, 65535), "0", Effect::Honoured("TLS port, beside the plain TCP one (port 0 turns that off); 0: no TLS. Listens on bind's addresses. CONFIG SET accepts only the current value (changing it needs a restart)")),
    stored!("tls-cert-file", Kind::Str, "", Effect::Honoured("the server's certificate (PEM, its chain after it); reloaded with the key and CAs on CONFIG SET of any tls-* file or setting: new handshakes use the new ones, open connections stay")),
    stored!("tls-key-file", Kind::Str, "", Effect::Honoured("the server's private key (PEM: PKCS#8, PKCS#1 or SEC1); a bad one stops the start naming the file")),
    stored!("tls-key-file-pass", Kind::Str, "", Effect::Honoured("password of an encrypted PKCS#8 key (BEGIN ENCRYPTED PRIVATE KEY, PBES2 as openssl pkcs8 -topk8 -v2 writes it); OpenSSL's legacy Proc-Type encryption is refused at start with how to convert. Never logged")).sensitive(),
    stored!("tls-client-cert-file", Kind::Str, "", NO_TLS_CLIENT),
    stored!("tls-client-key-file", Kind::Str, "", NO_TLS_CLIENT),
    stored!("tls-client-key-file-pass", Kind::Str, "", NO_TLS_CLIENT).sensitive(),
    stored!("tls-dh-params-file", Kind::Str, "", Effect::Ignored("rustls negotiates only ECDHE key exchanges (X25519, P-256, P-384): there are no DH parameters")),
    stored!("tls-ca-cert-file", Kind::Str, "", Effect::Honoured("CA certificates (PEM) client certificates are checked against (tls-auth-clients yes or optional)")),
    stored!("tls-ca-cert-dir", Kind::Str, "", Effect::Honoured("a directory of CA certificates (PEM files, OpenSSL's hashed names or any), added to tls-ca-cert-file's")),
    stored!("tls-protocols", Kind::Str, "", Effect::Honoured("\"TLSv1.2\", \"TLSv1.3\" or both (empty); TLSv1 and TLSv1.1 are refused: rustls does not speak them")),
    stored!("tls-ciphers", Kind::Str, "", Effect::Honoured("TLS 1.2 suites as an OpenSSL list: the six ECDHE AES-GCM and ChaCha20 suites by OpenSSL or IANA name, keywords (DEFAULT, HIGH...) for all of them, !name to remove; a suite rustls does not have is refused")),
    stored!("tls-ciphersuites", Kind::Str, "", Effect::Honoured("TLS 1.3 suites, ':'-separated: TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256; empty: all")),
    stored!("tls-prefer-server-ciphers", Kind::Bool, "no", Effect::Honoured("the server's suite order wins over the client's")),
    stored!("tls-auth-clients", Kind::Enum(&[("no", 0), ("yes", 1), ("optional", 2)]), "yes", Effect::Honoured("client certificates: yes requires one signed by a tls-ca-cert-file/dir CA, optional checks one if sent, no asks none")),
    stored!("tls-session-caching", Kind::Bool, "yes", Effect::Honoured("session resumption from a server-side cache (TLS 1.2 session ids, TLS 1.3 stateful tickets)")),
    stored!("tls-session-cache-size", Kind::Int(0, INT_MAX), "20480", Effect::Honoured("sessions the cache holds (0, and anything above, is 1048576: rustls allocates the cache up front)")),
    stored!("tls-session-cache-timeout", Kind::Int(0, INT_MAX), "300", Effect::Ignored("rustls's session cache evicts by size only: sessions have no timeout")),
    stored!("tls-cluster", Kind::Bool, "no", NO_CLUSTER),
    stored!("tls-replication", Kind::Bool, "no", NO_REPLICATION),
    stored!(
        "tls-handshake-timeout",
        Kind::Int(0, INT_MAX),
        "10000",
        Effect::Honoured("DiskDB's own: milliseconds a TLS client has to complete its handshake before it is dropped; 0: no limit")
    ),
    // ---- Metrics ----------------------------------------------------------------
    stored!(
        "metrics-port",
        Kind::Int(0, 65535),
        "0",
        Effect::Honoured("DiskDB's own: port of the Prometheus metrics endpoint (GET /metrics, text exposition format); 0: off. Changing it needs a restart")
    )
    .immutable(),
    stored!(
        "metrics-bind",
        Kind::Str,
        "127.0.0.1",
        Effect::Honoured("DiskDB's own: the IP address metrics-port listens on (one address; 0.0.0.0 or :: for all). Changing it needs a restart"),
        |v: &str| v.parse::<std::net::IpAddr>().map(|_| ()).map_err(|_| format!("metrics-bind must be an IP address, not '{v}'"))
    )
    .immutable(),
];

/// Directives only the config file knows (not parameters: CONFIG GET does not list
/// them), with what DiskDB does with them. `include` is read; the others are accepted.
pub const FILE_ONLY: &[(&str, Effect)] = &[
    ("include", Effect::Honoured("reads another file (or every file a glob pattern matches, in sorted order) in place")),
    ("rename-command", Effect::Ignored("commands keep their names (a warning is logged: a renamed-away command is still there)")),
    ("user", Effect::Honoured("an ACL user and its rules, as ACL SETUSER takes them (not together with aclfile)")),
    ("loadmodule", Effect::Ignored("no modules (a warning is logged)")),
    ("list-max-ziplist-entries", Effect::Ignored("deprecated by Redis (ignored by it too)")),
    ("list-max-ziplist-value", Effect::Ignored("deprecated by Redis (ignored by it too)")),
    ("lua-replicate-commands", Effect::Ignored("deprecated by Redis (ignored by it too)")),
];

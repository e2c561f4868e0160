//! INFO: the sections (server, clients, memory, persistence, stats, replication, cpu,
//! modules, commandstats, errorstats, latencystats, cluster, keyspace, and DiskDB's own
//! rocksdb) and their `field:value` lines: every field of Redis 7.0's, in its order
//! (`tests/diagnostics.rs` compares the lists with a real redis-server), with DiskDB's
//! own fields after Redis's in a section.
//! The INFO spec is with the other server commands, at the end of [`super`].

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::commands::connection::REDIS_VERSION;
use crate::commands::context::Ctx;
use crate::commands::registry;
use crate::config;
use crate::error::Result;
use crate::protocol::Reply;
use crate::storage::Cf;
use crate::types::now_ms;

// ---------------------------------------------------------------------------------
// INFO
// ---------------------------------------------------------------------------------

/// Sections of the default INFO, in Redis's order.
const DEFAULT_SECTIONS: &[&str] =
    &["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

/// Sections of `INFO all` (and `everything`, DiskDB having no modules to add).
const ALL_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
    "rocksdb",
];

/// Redis's `bytesToHuman`.
fn human(n: u64) -> String {
    let n = n as f64;
    const K: f64 = 1024.0;
    if n < K {
        format!("{n}B")
    } else if n < K * K {
        format!("{:.2}K", n / K)
    } else if n < K * K * K {
        format!("{:.2}M", n / (K * K))
    } else if n < K * K * K * K {
        format!("{:.2}G", n / (K * K * K))
    } else {
        format!("{:.2}T", n / (K * K * K * K))
    }
}

/// A `/proc/self/status` value in bytes (the file reports kB).
pub(crate) fn proc_status_bytes(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

fn total_system_memory() -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// Bytes used by the files under `dir` (RocksDB's SST, WAL and manifest files).
fn disk_usage(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_usage(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// `(user, system)` CPU seconds of the process (`children`: of its waited-for
/// children), from /proc/self/stat (fields 14-17, in the kernel's fixed 100 Hz ticks).
fn cpu_times(children: bool) -> (String, String) {
    cpu_times_of("/proc/self/stat", children)
}

/// [`cpu_times`] from a `stat` file of /proc (a process's or a thread's).
fn cpu_times_of(path: &str, children: bool) -> (String, String) {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // The command name (field 2) may hold spaces: count fields after its ')', where
    // field 3 is index 0 and utime (field 14) index 11.
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let at = if children { 13 } else { 11 };
    let secs = |i: usize| {
        let ticks: u64 = fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0);
        format!("{}.{:06}", ticks / 100, (ticks % 100) * 10_000)
    };
    (secs(at), secs(at + 1))
}

fn os_name() -> String {
    let read = |p: &str| std::fs::read_to_string(p).map(|s| s.trim().to_string()).unwrap_or_default();
    let name = read("/proc/sys/kernel/ostype");
    let name = if name.is_empty() { std::env::consts::OS.to_string() } else { name };
    format!("{} {} {}", name, read("/proc/sys/kernel/osrelease"), std::env::consts::ARCH)
}

/// Appends `# Title` and the section's `field:value` lines; false for an unknown name.
fn info_section(ctx: &Ctx<'_>, name: &str, out: &mut String) -> bool {
    let server = ctx.server;
    let store = ctx.store();
    let cfg = server.config.read().clone();
    let stats = &server.stats;
    let now = now_ms();
    let title = match name {
        "server" => "Server",
        "clients" => "Clients",
        "memory" => "Memory",
        "persistence" => "Persistence",
        "stats" => "Stats",
        "replication" => "Replication",
        "cpu" => "CPU",
        "modules" => "Modules",
        "commandstats" => "Commandstats",
        "errorstats" => "Errorstats",
        "latencystats" => "Latencystats",
        "cluster" => "Cluster",
        "rocksdb" => "RocksDB",
        "keyspace" => "Keyspace",
        _ => return false,
    };
    let _ = write!(out, "# {title}\r\n");
    let mut line = |k: &str, v: &dyn std::fmt::Display| {
        let _ = write!(out, "{k}:{v}\r\n");
    };
    match name {
        "server" => {
            let uptime = (now - server.started_ms).max(0) / 1000;
            line("redis_version", &REDIS_VERSION);
            line("diskdb_version", &env!("CARGO_PKG_VERSION"));
            line("redis_git_sha1", &"00000000");
            line("redis_git_dirty", &0);
            line("redis_build_id", &"0");
            line("redis_mode", &"standalone");
            line("os", &os_name());
            line("arch_bits", &(usize::BITS));
            line("monotonic_clock", &"POSIX clock_gettime");
            line("multiplexing_api", &"epoll");
            line("atomicvar_api", &"c11-builtin");
            line("gcc_version", &"0.0.0");
            line("process_id", &std::process::id());
            line("process_supervised", &"no");
            line("run_id", &server.run_id);
            line("tcp_port", &server.tcp_port.load(Ordering::Relaxed));
            line("server_time_usec", &(now * 1000));
            line("uptime_in_seconds", &uptime);
            line("uptime_in_days", &(uptime / 86400));
            line("hz", &cfg.hz);
            line("configured_hz", &cfg.hz);
            // Redis's 24-bit seconds clock (LRU_CLOCK_RESOLUTION 1000 ms).
            line("lru_clock", &((now / 1000) & ((1 << 24) - 1)));
            let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default();
            line("executable", &exe);
            let file = cfg.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            line("config_file", &file);
            line("io_threads_active", &0);
            line("storage_engine", &"rocksdb");
        }
        "clients" => {
            let blocked = server.clients.iter().filter(|c| c.blocked.load(Ordering::Relaxed)).count();
            let biggest = server.clients.iter().map(|c| c.query_buf.load(Ordering::Relaxed)).max().unwrap_or(0);
            line("connected_clients", &server.clients.len());
            line("cluster_connections", &0);
            line("maxclients", &cfg.maxclients);
            line("client_recent_max_input_buffer", &biggest);
            line("client_recent_max_output_buffer", &0);
            line("blocked_clients", &blocked);
            line("tracking_clients", &server.tracking.stats().0);
            line("clients_in_timeout_table", &0);
            // DiskDB's own: clients on the shared-memory transport (src/shm).
            line("shm_clients", &server.shm_clients.load(Ordering::Relaxed));
            // CLIENT PAUSE, with the fields later Redis versions report (7.0 has none).
            let (reason, actions, left) = server.pause.info();
            line("paused_reason", &reason);
            line("paused_actions", &actions);
            line("paused_timeout_milliseconds", &left);
        }
        "memory" => {
            let rss = proc_status_bytes("VmRSS:");
            let peak = proc_status_bytes("VmHWM:").max(rss);
            let total = total_system_memory();
            line("used_memory", &rss);
            line("used_memory_human", &human(rss));
            line("used_memory_rss", &rss);
            line("used_memory_rss_human", &human(rss));
            line("used_memory_peak", &peak);
            line("used_memory_peak_human", &human(peak));
            line("used_memory_peak_perc", &format_args!("{:.2}%", if peak > 0 { rss as f64 * 100.0 / peak as f64 } else { 0.0 }));
            // The parts DiskDB can name: RocksDB's caches and memtables, the read cache
            // and the clients' buffers; the dataset itself is on disk.
            let prop = |n: &str| store.storage.property(n).unwrap_or(0);
            let clients_mem: u64 = server
                .clients
                .iter()
                .map(|c| (c.query_buf.load(Ordering::Relaxed) + c.out_pending.load(Ordering::Relaxed) + c.argv_mem.load(Ordering::Relaxed)) as u64)
                .sum();
            let overhead = prop("rocksdb.block-cache-usage")
                + store.storage.property_all("rocksdb.cur-size-all-mem-tables")
                + store.storage.property_all("rocksdb.estimate-table-readers-mem")
                + store.cache.bytes() as u64
                + clients_mem;
            let dataset = rss.saturating_sub(overhead);
            line("used_memory_overhead", &overhead);
            line("used_memory_startup", &0);
            line("used_memory_dataset", &dataset);
            line("used_memory_dataset_perc", &format_args!("{:.2}%", if rss > 0 { dataset as f64 * 100.0 / rss as f64 } else { 0.0 }));
            line("allocator_allocated", &rss);
            line("allocator_active", &rss);
            line("allocator_resident", &rss);
            line("total_system_memory", &total);
            line("total_system_memory_human", &human(total));
            let (scripts, functions, libraries) = server.scripting.counts();
            line("used_memory_lua", &0);
            line("used_memory_vm_eval", &0);
            line("used_memory_lua_human", &human(0));
            line("used_memory_scripts_eval", &0);
            line("number_of_cached_scripts", &scripts);
            line("number_of_functions", &functions);
            line("number_of_libraries", &libraries);
            line("used_memory_vm_functions", &0);
            line("used_memory_vm_total", &0);
            line("used_memory_vm_total_human", &human(0));
            line("used_memory_functions", &0);
            line("used_memory_scripts", &0);
            line("used_memory_scripts_human", &human(0));
            line("maxmemory", &cfg.maxmemory);
            line("maxmemory_human", &human(cfg.maxmemory));
            line("maxmemory_policy", &cfg.maxmemory_policy);
            // mimalloc keeps no jemalloc-style active/resident split: RSS stands for all.
            line("allocator_frag_ratio", &"1.00");
            line("allocator_frag_bytes", &0);
            line("allocator_rss_ratio", &"1.00");
            line("allocator_rss_bytes", &0);
            line("rss_overhead_ratio", &"1.00");
            line("rss_overhead_bytes", &0);
            line("mem_fragmentation_ratio", &"1.00");
            line("mem_fragmentation_bytes", &0);
            line("mem_not_counted_for_evict", &0);
            line("mem_replication_backlog", &0);
            line("mem_total_replication_buffers", &0);
            line("mem_clients_slaves", &0);
            line("mem_clients_normal", &clients_mem);
            line("mem_cluster_links", &0);
            line("mem_aof_buffer", &0);
            line("mem_allocator", &if cfg!(feature = "mimalloc") { "mimalloc" } else { "libc" });
            line("active_defrag_running", &0);
            line("lazyfree_pending_objects", &0);
            line("lazyfreed_objects", &0);
            // The disk bound eviction keeps (types::evict): the dataset's SST files, and
            // the evicted bytes compaction has yet to reclaim.
            let eviction = &store.eviction;
            let used_dataset = eviction.used.load(Ordering::Relaxed);
            line("maxdisk", &cfg.maxdisk);
            line("maxdisk_human", &human(cfg.maxdisk));
            line("used_dataset_disk", &used_dataset);
            line("used_dataset_disk_human", &human(used_dataset));
            line("eviction_reclaiming", &eviction.reclaiming.load(Ordering::Relaxed));
            line("eviction_refusing_writes", &(eviction.refuse_writes.load(Ordering::Relaxed) as u8));
            // The parts maxmemory bounds, as the budget sets them.
            let budget = cfg.memory_budget(Cf::ALL.len());
            let cache = store.storage.property("rocksdb.block-cache-usage").unwrap_or(0);
            line("rocksdb_block_cache_usage", &cache);
            line("rocksdb_block_cache_capacity", &budget.block_cache);
            line("rocksdb_memtables_limit", &budget.write_buffers);
            line("disk_used", &disk_usage(&cfg.dir));
            line("read_cache_bytes", &store.cache.bytes());
            line("read_cache_capacity", &budget.read_cache);
        }
        "persistence" => {
            line("loading", &0);
            line("async_loading", &0);
            server.saves.info(server, &mut line);
            line("aof_enabled", &1);
            line("aof_rewrite_in_progress", &0);
            line("aof_rewrite_scheduled", &0);
            line("aof_last_rewrite_time_sec", &-1);
            line("aof_current_rewrite_time_sec", &-1);
            line("aof_last_bgrewrite_status", &"ok");
            line("aof_rewrites", &0);
            line("aof_rewrites_consecutive_failures", &0);
            // `err` while writing to the data directory fails (the disk is full): write
            // commands are refused with MISCONF meanwhile.
            line("aof_last_write_status", &if store.storage.pending().writes_failing() { "err" } else { "ok" });
            line("aof_last_cow_size", &0);
            line("module_fork_in_progress", &0);
            line("module_fork_last_cow_size", &0);
            let policy = config::directive("appendfsync").map(|d| cfg.value_of(d)).unwrap_or_default();
            line("aof_fsync_policy", &policy);
            line("rocksdb_compactions_running", &store.storage.property("rocksdb.num-running-compactions").unwrap_or(0));
            line("rocksdb_flushes_running", &store.storage.property("rocksdb.num-running-flushes").unwrap_or(0));
        }
        "stats" => {
            let errors: u64 = server.error_stats.lock().values().sum();
            line("total_connections_received", &stats.connections_received.load(Ordering::Relaxed));
            line("total_commands_processed", &stats.commands_processed.load(Ordering::Relaxed));
            let (ops, input_kbps, output_kbps) = server.instant.read();
            line("instantaneous_ops_per_sec", &ops);
            line("total_net_input_bytes", &stats.net_input_bytes.load(Ordering::Relaxed));
            line("total_net_output_bytes", &stats.net_output_bytes.load(Ordering::Relaxed));
            line("total_net_repl_input_bytes", &0);
            line("total_net_repl_output_bytes", &0);
            line("instantaneous_input_kbps", &format_args!("{input_kbps:.2}"));
            line("instantaneous_output_kbps", &format_args!("{output_kbps:.2}"));
            line("instantaneous_input_repl_kbps", &"0.00");
            line("instantaneous_output_repl_kbps", &"0.00");
            line("rejected_connections", &stats.rejected_connections.load(Ordering::Relaxed));
            line("sync_full", &0);
            line("sync_partial_ok", &0);
            line("sync_partial_err", &0);
            line("expired_keys", &store.stats.expired_keys.load(Ordering::Relaxed));
            line("expired_stale_perc", &"0.00");
            line("expired_time_cap_reached_count", &0);
            line("expire_cycle_cpu_milliseconds", &0);
            line("evicted_keys", &store.stats.evicted_keys.load(Ordering::Relaxed));
            line("evicted_clients", &0);
            line("total_eviction_exceeded_time", &0);
            line("current_eviction_exceeded_time", &0);
            line("keyspace_hits", &store.stats.keyspace_hits.load(Ordering::Relaxed));
            line("keyspace_misses", &store.stats.keyspace_misses.load(Ordering::Relaxed));
            let cache = &store.cache.stats;
            line("read_cache_hits", &cache.hits.load(Ordering::Relaxed));
            line("read_cache_misses", &cache.misses.load(Ordering::Relaxed));
            line("read_cache_loads", &cache.loads.load(Ordering::Relaxed));
            // DiskDB's own: Redis counts no failed TLS handshakes.
            line("tls_handshake_failures", &stats.tls_handshake_failures.load(Ordering::Relaxed));
            // DiskDB's own in Redis 7.0 (Redis 7.4 added the same field).
            line(
                "client_output_buffer_limit_disconnections",
                &server.pubsub.limit_disconnections.load(Ordering::Relaxed),
            );
            // DiskDB's own rate limits (server::throttle).
            line("throttled_clients", &server.throttle.waiting.load(Ordering::Relaxed));
            line("total_throttled_requests", &server.throttle.throttled.load(Ordering::Relaxed));
            line("pubsub_channels", &server.pubsub.len(crate::pubsub::Space::Channel));
            line("pubsub_patterns", &server.pubsub.len(crate::pubsub::Space::Pattern));
            line("pubsubshard_channels", &server.pubsub.len(crate::pubsub::Space::Shard));
            line("latest_fork_usec", &0);
            line("total_forks", &0);
            line("migrate_cached_sockets", &0);
            line("slave_expires_tracked_keys", &0);
            line("active_defrag_hits", &0);
            line("active_defrag_misses", &0);
            line("active_defrag_key_hits", &0);
            line("active_defrag_key_misses", &0);
            line("total_active_defrag_time", &0);
            line("current_active_defrag_time", &0);
            let (_, tracked_keys, tracked_items, tracked_prefixes) = server.tracking.stats();
            line("tracking_total_keys", &tracked_keys);
            line("tracking_total_items", &tracked_items);
            line("tracking_total_prefixes", &tracked_prefixes);
            line("unexpected_error_replies", &0);
            line("total_error_replies", &errors);
            line("dump_payload_sanitizations", &0);
            // Every command is one read and one write here (no I/O threads).
            let processed = stats.commands_processed.load(Ordering::Relaxed);
            line("total_reads_processed", &processed);
            line("total_writes_processed", &processed);
            line("io_threaded_reads_processed", &0);
            line("io_threaded_writes_processed", &0);
            line("reply_buffer_shrinks", &0);
            line("reply_buffer_expands", &0);
            line("total_protocol_errors", &stats.protocol_errors.load(Ordering::Relaxed));
            let denied = &server.acl.denied;
            line("acl_access_denied_auth", &denied.auth.load(Ordering::Relaxed));
            line("acl_access_denied_cmd", &denied.cmd.load(Ordering::Relaxed));
            line("acl_access_denied_key", &denied.key.load(Ordering::Relaxed));
            line("acl_access_denied_channel", &denied.channel.load(Ordering::Relaxed));
            // DiskDB's own: AUTH attempts slowed by the per-address failure limit.
            line("acl_auth_throttled", &server.acl.limiter.throttled.load(Ordering::Relaxed));
        }
        "replication" => {
            line("role", &"master");
            line("connected_slaves", &0);
            line("master_failover_state", &"no-failover");
            line("master_replid", &server.diag.replid());
            line("master_replid2", &"0000000000000000000000000000000000000000");
            line("master_repl_offset", &0);
            line("second_repl_offset", &-1);
            line("repl_backlog_active", &0);
            line("repl_backlog_size", &1048576);
            line("repl_backlog_first_byte_offset", &0);
            line("repl_backlog_histlen", &0);
        }
        "cpu" => {
            let (user, sys) = cpu_times(false);
            let (cuser, csys) = cpu_times(true);
            line("used_cpu_sys", &sys);
            line("used_cpu_user", &user);
            line("used_cpu_sys_children", &csys);
            line("used_cpu_user_children", &cuser);
            // The main thread: the one that started the runtime and runs the listeners.
            let (muser, msys) = cpu_times_of(&format!("/proc/self/task/{}/stat", std::process::id()), false);
            line("used_cpu_sys_main_thread", &msys);
            line("used_cpu_user_main_thread", &muser);
        }
        "modules" => {}
        "commandstats" => {
            for ((full, _), st) in registry().specs.iter().zip(&server.command_stats) {
                let calls = st.calls.load(Ordering::Relaxed);
                let rejected = st.rejected.load(Ordering::Relaxed);
                let failed = st.failed.load(Ordering::Relaxed);
                if calls + rejected + failed == 0 {
                    continue;
                }
                let usec = st.usec.load(Ordering::Relaxed);
                let per = if calls > 0 { usec as f64 / calls as f64 } else { 0.0 };
                line(
                    &format!("cmdstat_{full}"),
                    &format_args!(
                        "calls={calls},usec={usec},usec_per_call={per:.2},rejected_calls={rejected},failed_calls={failed}"
                    ),
                );
            }
        }
        "errorstats" => {
            for (code, n) in server.error_stats.lock().iter() {
                line(&format!("errorstat_{code}"), &format_args!("count={n}"));
            }
        }
        "latencystats" => {
            drop(line);
            crate::commands::diag::latencystats(ctx, out);
        }
        "cluster" => {
            line("cluster_enabled", &0);
        }
        "rocksdb" => {
            // RocksDB's own figures: per-column-family ones summed over the families.
            let storage = &store.storage;
            let db = |n: &str| storage.property(n).unwrap_or(0);
            let all = |n: &str| storage.property_all(n);
            let tickers = storage.tickers();
            line("rocksdb_memtable_bytes", &all("rocksdb.cur-size-all-mem-tables"));
            line("rocksdb_memtable_immutable_count", &all("rocksdb.num-immutable-mem-table"));
            line("rocksdb_sst_bytes", &all("rocksdb.total-sst-files-size"));
            line("rocksdb_live_sst_bytes", &all("rocksdb.live-sst-files-size"));
            line("rocksdb_estimated_live_data_bytes", &all("rocksdb.estimate-live-data-size"));
            line("rocksdb_estimated_keys", &all("rocksdb.estimate-num-keys"));
            line("rocksdb_pending_compaction_bytes", &all("rocksdb.estimate-pending-compaction-bytes"));
            line("rocksdb_compactions_running", &db("rocksdb.num-running-compactions"));
            line("rocksdb_flushes_running", &db("rocksdb.num-running-flushes"));
            line("rocksdb_compaction_pending", &all("rocksdb.compaction-pending"));
            line("rocksdb_flush_pending", &all("rocksdb.mem-table-flush-pending"));
            line("rocksdb_block_cache_usage", &db("rocksdb.block-cache-usage"));
            line("rocksdb_block_cache_pinned_usage", &db("rocksdb.block-cache-pinned-usage"));
            line("rocksdb_block_cache_capacity", &db("rocksdb.block-cache-capacity"));
            line("rocksdb_block_cache_hits", &tickers.block_cache_hits);
            line("rocksdb_block_cache_misses", &tickers.block_cache_misses);
            line("rocksdb_table_readers_bytes", &all("rocksdb.estimate-table-readers-mem"));
            line("rocksdb_write_stopped", &db("rocksdb.is-write-stopped"));
            line("rocksdb_write_delayed_rate", &db("rocksdb.actual-delayed-write-rate"));
            line("rocksdb_stall_micros", &tickers.stall_micros);
            line("rocksdb_background_errors", &db("rocksdb.background-errors"));
            line("rocksdb_wal_syncs", &server.diag.wal_syncs.load(Ordering::Relaxed));
        }
        "keyspace" => {
            for db in 0..store.databases() {
                let keys = store.dbsize(db);
                if keys > 0 {
                    let avg_ttl = store.avg_ttl(db, crate::types::now_ms());
                    line(&format!("db{db}"), &format_args!("keys={keys},expires={},avg_ttl={avg_ttl}", store.expires(db)));
                }
            }
        }
        _ => {}
    }
    true
}

/// Whether `INFO ...` (`argv`, the name first) prints the keyspace section.
pub fn shows_keyspace(argv: &[Bytes]) -> bool {
    argv.len() < 2
        || argv[1..].iter().any(|a| ["keyspace", "default", "all", "everything"].iter().any(|s| a.eq_ignore_ascii_case(s.as_bytes())))
}

/// `INFO [section [section ...]]`: `field:value` lines in `# Section` groups (a
/// verbatim string in RESP3). Sections: server, clients, memory, persistence, stats,
/// replication, cpu, modules, commandstats, errorstats, cluster, keyspace, or `default`,
/// `all`, `everything`; unknown ones are ignored. O(N) in the commands and databases.
pub(super) fn info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if shows_keyspace(argv) {
        // After an unclean shutdown: the keyspace section's counts once recounted.
        ctx.store().wait_counts()?;
    }
    let mut wanted: Vec<&str> = Vec::new();
    let requested: Vec<String> = argv[1..].iter().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase()).collect();
    if requested.is_empty() {
        wanted.extend(DEFAULT_SECTIONS);
    }
    for r in &requested {
        match r.as_str() {
            "default" => wanted.extend(DEFAULT_SECTIONS),
            "all" | "everything" => wanted.extend(ALL_SECTIONS),
            s => {
                if let Some(known) = ALL_SECTIONS.iter().find(|k| **k == s) {
                    wanted.push(known);
                }
            }
        }
    }
    // Redis prints sections in its own order, each once.
    let mut out = String::new();
    for section in ALL_SECTIONS.iter().filter(|s| wanted.contains(s)) {
        // Sections are separated by a blank line; none follows the last.
        let start = out.len();
        if start > 0 {
            out.push_str("\r\n");
        }
        if !info_section(ctx, section, &mut out) {
            out.truncate(start);
        }
    }
    Ok(Reply::Verbatim("txt", Bytes::from(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_like_redis() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1536), "1.50K");
        assert_eq!(human(3 * 1024 * 1024), "3.00M");
    }
}

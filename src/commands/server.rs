//! Server commands: INFO, DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, SHUTDOWN, the
//! CONFIG family (GET, SET, RESETSTAT, REWRITE, HELP) and the COMMAND family (COUNT,
//! INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP).
//!
//! COMMAND answers from the command table ([`super::registry`]), with the argument trees,
//! history and key specifications of [`super::docs`], and CONFIG from the directive table
//! ([`crate::config::DIRECTIVES`]), so neither can drift from what the server actually
//! does.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::args;
use super::connection::{help_reply, REDIS_VERSION};
use super::context::Ctx;
use super::docs;
use super::registry;
use super::table::{command, flags::*, CommandSpec};
use crate::config::{self, Fsync};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::storage::Cf;
use crate::types::now_ms;

// ---------------------------------------------------------------------------------
// Keyspace-wide commands
// ---------------------------------------------------------------------------------

/// `DBSIZE`: keys in the selected database. O(1): read from a maintained counter.
fn dbsize(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.store().dbsize(ctx.session.db)))
}

/// Whether a flush runs its space reclamation now (`SYNC`, the default) or in the
/// background (`ASYNC`). Either way the keys are gone when the command returns.
fn flush_mode(argv: &[Bytes]) -> Result<bool> {
    match argv.len() {
        1 => Ok(false),
        2 if args::is(&argv[1], "sync") => Ok(false),
        2 if args::is(&argv[1], "async") => Ok(true),
        _ => Err(Error::Syntax),
    }
}

/// Empties logical databases `dbs`: one range delete per column family each, so the
/// cost does not depend on the number of keys. Watchers of those databases are told.
/// The freed space is compacted now, or by a background thread for `ASYNC`.
fn flush(ctx: &mut Ctx<'_>, dbs: std::ops::Range<usize>, background: bool) -> Result<()> {
    let store = ctx.store();
    let mut physical = Vec::new();
    for db in dbs {
        store.flush_db(db)?;
        let p = store.physical(db);
        ctx.server.watches.touch_db(p);
        physical.push(p);
    }
    // The range deletes went straight to storage, not through the command's Txn (they
    // are applied, and in the WAL file, once flush_db returns): honour the fsync policy
    // here before the reply is sent.
    if ctx.server.config.read().appendfsync == Fsync::Always {
        store.storage.sync_wal()?;
    }
    let mut ranges = Vec::new();
    for p in physical {
        let (from, to) = crate::storage::keys::db_bounds(p);
        for cf in [Cf::Meta, Cf::Expire] {
            ranges.push((cf, from.clone(), to.clone()));
        }
    }
    if background {
        store.storage.compact_later(ranges);
    } else {
        for (cf, from, to) in ranges {
            store.storage.compact(cf, &from, &to);
        }
    }
    Ok(())
}

/// `FLUSHDB [ASYNC|SYNC]`: removes every key of the selected database. O(1) in the
/// number of keys (range deletes). Error: `ERR syntax error`.
fn flushdb(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let background = flush_mode(argv)?;
    let db = ctx.session.db;
    flush(ctx, db..db + 1, background)?;
    Ok(Reply::ok())
}

/// `FLUSHALL [ASYNC|SYNC]`: removes every key of every database. O(databases).
/// Error: `ERR syntax error`.
fn flushall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let background = flush_mode(argv)?;
    let n = ctx.store().databases();
    flush(ctx, 0..n, background)?;
    Ok(Reply::ok())
}

/// `TIME`: `[unix seconds, microseconds]` as bulk strings. O(1).
fn time(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Ok(Reply::Array(vec![
        Reply::bulk_str(&now.as_secs().to_string()),
        Reply::bulk_str(&now.subsec_micros().to_string()),
    ]))
}

/// `LASTSAVE`: unix time of the last completed write-ahead-log sync, DiskDB's
/// equivalent of Redis's last successful save. O(1).
fn lastsave(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.server.last_save.load(Ordering::Relaxed)))
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`: stops the server the orderly way
/// (every acknowledged write is already durable, so SAVE and NOSAVE behave alike, and
/// NOW and FORCE have nothing to skip). Like Redis, no reply: the connection closes.
/// Errors: `ERR syntax error` (unknown option, NOSAVE with SAVE, ABORT with another
/// option), `ERR No shutdown in progress.` for ABORT (a shutdown never waits).
fn shutdown(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (mut save, mut nosave, mut abort, mut other) = (false, false, false, false);
    for a in &argv[1..] {
        if args::is(a, "nosave") {
            nosave = true;
        } else if args::is(a, "save") {
            save = true;
        } else if args::is(a, "now") || args::is(a, "force") {
            other = true;
        } else if args::is(a, "abort") {
            abort = true;
        } else {
            return Err(Error::Syntax);
        }
    }
    if (abort && (save || nosave || other)) || (save && nosave) {
        return Err(Error::Syntax);
    }
    if abort {
        return Err(Error::err("No shutdown in progress."));
    }
    tracing::warn!(client = ctx.session.id(), "User requested shutdown...");
    ctx.server.shutdown.trigger();
    ctx.session.reply_skip = true;
    ctx.session.close_after_reply = true;
    Ok(Reply::ok())
}

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
    "cluster",
    "keyspace",
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
fn proc_status_bytes(field: &str) -> u64 {
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

/// `(user, system)` CPU seconds of `who` (`RUSAGE_SELF` or `RUSAGE_CHILDREN`).
fn cpu_times(who: libc::c_int) -> (String, String) {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut ru) } != 0 {
        return ("0.000000".into(), "0.000000".into());
    }
    let fmt = |t: libc::timeval| format!("{}.{:06}", t.tv_sec, t.tv_usec);
    (fmt(ru.ru_utime), fmt(ru.ru_stime))
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
        "cluster" => "Cluster",
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
            line("redis_mode", &"standalone");
            line("os", &os_name());
            line("arch_bits", &(usize::BITS));
            line("multiplexing_api", &"epoll");
            line("process_id", &std::process::id());
            line("process_supervised", &"no");
            line("run_id", &server.run_id);
            line("tcp_port", &server.tcp_port.load(Ordering::Relaxed));
            line("server_time_usec", &(now * 1000));
            line("uptime_in_seconds", &uptime);
            line("uptime_in_days", &(uptime / 86400));
            line("hz", &cfg.hz);
            line("configured_hz", &cfg.hz);
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
            line("tracking_clients", &0);
            line("clients_in_timeout_table", &0);
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
            line("total_system_memory", &total);
            line("total_system_memory_human", &human(total));
            line("maxmemory", &cfg.maxmemory);
            line("maxmemory_human", &human(cfg.maxmemory));
            line("maxmemory_policy", &cfg.maxmemory_policy);
            line("mem_allocator", &"mimalloc");
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
            line("rdb_changes_since_last_save", &store.stats.dirty.load(Ordering::Relaxed));
            line("rdb_bgsave_in_progress", &0);
            line("rdb_last_save_time", &server.last_save.load(Ordering::Relaxed));
            line("rdb_last_bgsave_status", &"ok");
            line("rdb_saves", &0);
            line("aof_enabled", &1);
            line("aof_rewrite_in_progress", &0);
            line("aof_rewrite_scheduled", &0);
            line("aof_last_write_status", &"ok");
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
            line("instantaneous_input_kbps", &format_args!("{input_kbps:.2}"));
            line("instantaneous_output_kbps", &format_args!("{output_kbps:.2}"));
            line("rejected_connections", &stats.rejected_connections.load(Ordering::Relaxed));
            line("expired_keys", &store.stats.expired_keys.load(Ordering::Relaxed));
            line("evicted_keys", &0);
            line("evicted_clients", &0);
            line("keyspace_hits", &store.stats.keyspace_hits.load(Ordering::Relaxed));
            line("keyspace_misses", &store.stats.keyspace_misses.load(Ordering::Relaxed));
            let cache = &store.cache.stats;
            line("read_cache_hits", &cache.hits.load(Ordering::Relaxed));
            line("read_cache_misses", &cache.misses.load(Ordering::Relaxed));
            line("read_cache_loads", &cache.loads.load(Ordering::Relaxed));
            line("pubsub_channels", &0);
            line("pubsub_patterns", &0);
            line("total_error_replies", &errors);
            line("unexpected_error_replies", &0);
            line("total_protocol_errors", &stats.protocol_errors.load(Ordering::Relaxed));
        }
        "replication" => {
            line("role", &"master");
            line("connected_slaves", &0);
            line("master_failover_state", &"no-failover");
            line("master_replid", &server.run_id);
            line("master_replid2", &"0000000000000000000000000000000000000000");
            line("master_repl_offset", &0);
            line("second_repl_offset", &-1);
            line("repl_backlog_active", &0);
            line("repl_backlog_size", &1048576);
            line("repl_backlog_first_byte_offset", &0);
            line("repl_backlog_histlen", &0);
        }
        "cpu" => {
            let (user, sys) = cpu_times(libc::RUSAGE_SELF);
            let (cuser, csys) = cpu_times(libc::RUSAGE_CHILDREN);
            line("used_cpu_sys", &sys);
            line("used_cpu_user", &user);
            line("used_cpu_sys_children", &csys);
            line("used_cpu_user_children", &cuser);
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
        "cluster" => {
            line("cluster_enabled", &0);
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

/// `INFO [section [section ...]]`: `field:value` lines in `# Section` groups (a
/// verbatim string in RESP3). Sections: server, clients, memory, persistence, stats,
/// replication, cpu, modules, commandstats, errorstats, cluster, keyspace, or `default`,
/// `all`, `everything`; unknown ones are ignored. O(N) in the commands and databases.
fn info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
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

// ---------------------------------------------------------------------------------
// CONFIG
// ---------------------------------------------------------------------------------

/// `CONFIG GET parameter [parameter ...]`: name/value pairs (a map in RESP3) for every
/// directive matching one of the glob patterns (case-insensitive). O(N) in the
/// directives.
fn config_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cfg = ctx.server.config.read().clone();
    let mut seen: Vec<&str> = Vec::new();
    let mut pairs = Vec::new();
    for pattern in &argv[2..] {
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            // A plain name answers under the name as given, as Redis does.
            let name = String::from_utf8_lossy(pattern);
            if let Some(d) = config::directive(&name) {
                if !seen.contains(&d.name) {
                    seen.push(d.name);
                    pairs.push((Reply::Bulk(pattern.clone()), Reply::bulk_str(&cfg.value_of(d))));
                }
            }
            continue;
        }
        for d in config::DIRECTIVES {
            if !seen.contains(&d.name) && crate::glob::matches(pattern, d.name.as_bytes(), true) {
                seen.push(d.name);
                pairs.push((Reply::bulk_str(d.name), Reply::bulk_str(&cfg.value_of(d))));
            }
        }
    }
    Ok(Reply::Map(pairs))
}

/// `CONFIG SET parameter value [parameter value ...]`: all or nothing, checked and
/// applied by [`config::Config::set_many`]. O(N) in the pairs. Errors (Redis's texts):
/// `ERR syntax error` for an odd count,
/// `ERR Unknown option or number of arguments for CONFIG SET - '<p>'`,
/// `ERR CONFIG SET failed (possibly related to argument '<p>') - <reason>` (immutable,
/// protected, duplicate, or an invalid value).
fn config_set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() % 2 != 0 {
        return Err(Error::Syntax);
    }
    let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
    let pairs: Vec<(String, String)> = argv[2..].chunks(2).map(|p| (text(&p[0]), text(&p[1]))).collect();
    let info = &ctx.session.info;
    let local = info.kind_flag == "U" || info.addr.parse::<std::net::SocketAddr>().is_ok_and(|a| a.ip().is_loopback());
    ctx.server.config.write().set_many(&pairs, local).map_err(|e| match e {
        config::SetError::Unknown(p) => Error::err(format!("Unknown option or number of arguments for CONFIG SET - '{p}'")),
        config::SetError::Failed(p, why) => Error::err(format!("CONFIG SET failed (possibly related to argument '{p}') - {why}")),
    })?;
    ctx.server.config_epoch.fetch_add(1, Ordering::Release);
    Ok(Reply::ok())
}

/// `CONFIG RESETSTAT`: zeroes INFO's counters (stats, commandstats, errorstats). O(N)
/// in the commands.
fn config_resetstat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.reset_stats();
    Ok(Reply::ok())
}

/// `CONFIG REWRITE`: writes the running configuration back to the file the server was
/// started with. Errors: `ERR The server is running without a config file`,
/// `ERR Rewriting config file: <reason>`.
fn config_rewrite(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let cfg = ctx.server.config.read().clone();
    let Some(path) = cfg.config_file.clone() else {
        return Err(Error::err("The server is running without a config file"));
    };
    cfg.rewrite(&path).map_err(|e| Error::err(format!("Rewriting config file: {e}")))?;
    Ok(Reply::ok())
}

/// `CONFIG HELP`. O(1).
fn config_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}

// ---------------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------------

fn statuses(items: impl IntoIterator<Item = &'static str>) -> Reply {
    Reply::Set(items.into_iter().map(Reply::status).collect())
}

fn pair(k: &'static str, v: Reply) -> (Reply, Reply) {
    (Reply::bulk_str(k), v)
}

/// One COMMAND INFO entry, Redis 7 shape: name, arity, flags, first key, last key,
/// step, ACL categories, tips, key specs, subcommands.
fn command_entry(full: &str, spec: &'static CommandSpec) -> Reply {
    let (first, last, step) = spec.keys.triple();
    let subs = spec.subcommands.iter().map(|s| command_entry(&format!("{full}|{}", s.name), s)).collect();
    Reply::Array(vec![
        Reply::bulk_str(full),
        Reply::Int(spec.arity as i64),
        statuses(spec.flag_names()),
        Reply::Int(first as i64),
        Reply::Int(last as i64),
        Reply::Int(step as i64),
        statuses(registry().acl_categories(full)),
        registry().docs(full).map_or(Reply::Set(Vec::new()), |d| d.tips.clone()),
        registry().docs(full).map_or(Reply::Set(Vec::new()), |d| d.key_specs.clone()),
        Reply::Set(subs),
    ])
}

/// One COMMAND DOCS entry, in Redis 7's field order: summary, since, group, complexity
/// from the command table, then from [`docs`] `doc_flags`, `deprecated_since`,
/// `replaced_by`, `history` and the argument tree (each left out when empty, as Redis
/// does), then the subcommands' docs.
fn docs_entry(full: &str, spec: &'static CommandSpec) -> Reply {
    let mut fields = vec![
        pair("summary", Reply::bulk_str(spec.summary)),
        pair("since", Reply::bulk_str(spec.since)),
        pair("group", Reply::bulk_str(spec.group)),
        pair("complexity", Reply::bulk_str(spec.complexity)),
    ];
    if let Some(d) = registry().docs(full) {
        fields.extend(d.fields.iter().cloned());
    }
    if !spec.subcommands.is_empty() {
        let subs = spec
            .subcommands
            .iter()
            .map(|s| {
                let name = format!("{full}|{}", s.name);
                (Reply::bulk_str(&name), docs_entry(&name, s))
            })
            .collect();
        fields.push(pair("subcommands", Reply::Map(subs)));
    }
    Reply::Map(fields)
}

/// Looks up a command or `container|sub` by name, returning its full name.
fn find(name: &[u8]) -> Option<(String, &'static CommandSpec)> {
    let reg = registry();
    reg.index_of(name).map(|i| (reg.specs[i].0.clone(), reg.specs[i].1))
}

/// `COMMAND`: COMMAND INFO for every command. O(N) in the commands.
fn command_all(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    Ok(Reply::Array(reg.top_level().map(|s| command_entry(s.name, s)).collect()))
}

/// `COMMAND COUNT`: the number of top-level commands. O(1).
fn command_count(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(registry().top_level().count() as i64))
}

/// `COMMAND INFO [command-name ...]`: one entry per name (nil for an unknown one), or
/// every command without names. Names may be `container|subcommand`. O(N).
fn command_info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() == 2 {
        return command_all(ctx, argv);
    }
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|n| find(n).map(|(full, spec)| command_entry(&full, spec)).unwrap_or(Reply::Nil))
            .collect(),
    ))
}

/// `COMMAND DOCS [command-name ...]`: a map from command name to its documentation
/// (summary, since, group, complexity, arguments, subcommands); unknown names are left
/// out. O(N).
fn command_docs(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    let entries = if argv.len() == 2 {
        reg.top_level().map(|s| (Reply::bulk_str(s.name), docs_entry(s.name, s))).collect()
    } else {
        argv[2..]
            .iter()
            .filter_map(|n| find(n))
            .map(|(full, spec)| (Reply::bulk_str(&full), docs_entry(&full, spec)))
            .collect()
    };
    Ok(Reply::Map(entries))
}

/// `COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]`:
/// names of every command and subcommand (`config|get`). O(N).
/// Error: `ERR syntax error`.
fn command_list(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    let names = reg.specs.iter();
    let chosen: Vec<Reply> = match argv.len() {
        2 => names.map(|(n, _)| Reply::bulk_str(n)).collect(),
        5 if args::is(&argv[2], "filterby") => {
            let value = &argv[4];
            if args::is(&argv[3], "module") {
                Vec::new()
            } else if args::is(&argv[3], "aclcat") {
                names
                    .filter(|(n, _)| reg.acl_categories(n).iter().any(|c| c[1..].as_bytes().eq_ignore_ascii_case(value)))
                    .map(|(n, _)| Reply::bulk_str(n))
                    .collect()
            } else if args::is(&argv[3], "pattern") {
                names
                    .filter(|(n, _)| crate::glob::matches(value, n.as_bytes(), true))
                    .map(|(n, _)| Reply::bulk_str(n))
                    .collect()
            } else {
                return Err(Error::Syntax);
            }
        }
        _ => return Err(Error::Syntax),
    };
    Ok(Reply::Array(chosen))
}

/// Resolves `argv[2..]` (a full command line) to its spec and key positions for
/// GETKEYS. Errors: `ERR Invalid command specified`,
/// `ERR Invalid number of arguments specified for command`,
/// `ERR The command has no key arguments`.
fn keys_of(argv: &[Bytes]) -> Result<(String, &'static CommandSpec, Vec<usize>)> {
    let line = &argv[2..];
    let invalid = || Error::err("Invalid command specified");
    if line[0].contains(&b'|') {
        return Err(invalid());
    }
    let (mut full, mut spec) = find(&line[0]).ok_or_else(invalid)?;
    if !spec.subcommands.is_empty() && line.len() >= 2 {
        let mut name = spec.name.as_bytes().to_vec();
        name.push(b'|');
        name.extend_from_slice(&line[1]);
        (full, spec) = find(&name).ok_or_else(invalid)?;
    }
    if !spec.arity_ok(line.len()) {
        return Err(Error::err("Invalid number of arguments specified for command"));
    }
    let positions = spec.keys.positions(line);
    if positions.is_empty() {
        return Err(Error::err("The command has no key arguments"));
    }
    Ok((full, spec, positions))
}

/// `COMMAND GETKEYS command [arg ...]`: the keys of a full command line. O(N).
fn command_getkeys(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (_, _, positions) = keys_of(argv)?;
    Ok(Reply::Array(positions.into_iter().map(|i| Reply::Bulk(argv[2 + i].clone())).collect()))
}

/// `COMMAND GETKEYSANDFLAGS command [arg ...]`: each key with its access flags, those of
/// the key specification that finds it, as in Redis ([`docs::keys_by_spec`]). Where
/// Redis asks the command instead (flags that vary with the arguments, as SET's with and
/// without GET; keys of an `unknown` specification, as SORT's STORE), the flags are
/// [`flags_by_command`]'s, and failing that RW/RO by the command's flags. O(N).
fn command_getkeysandflags(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (full, spec, positions) = keys_of(argv)?;
    let specs = registry().docs(&full).map_or(&[][..], |d| &d.entry.key_specs[..]);
    let found = if specs.iter().any(|s| s.flags.contains(&"variable_flags")) {
        Vec::new()
    } else {
        docs::keys_by_spec(specs, &argv[2..])
    };
    let guess: &'static [&'static str] = if spec.has(WRITE) {
        &["RW", "update"]
    } else if spec.has(READONLY) {
        &["RO", "access"]
    } else {
        &["RO"]
    };
    Ok(Reply::Array(
        positions
            .into_iter()
            .map(|i| {
                let flags = flags_by_command(&full, &argv[2..], i)
                    .or_else(|| found.iter().find(|(at, _)| *at == i).map(|(_, flags)| *flags))
                    .unwrap_or(guess);
                Reply::Array(vec![Reply::Bulk(argv[2 + i].clone()), statuses(flags.iter().copied())])
            })
            .collect(),
    ))
}

/// The flags of the key at `line[at]` for the commands whose flags Redis 7.0 takes from
/// their own key-finding code (`setGetKeys`, `bitfieldGetKeys`, `sortGetKeys`), because
/// their key specifications have `variable_flags` or an `unknown` search: SET overwrites
/// its key, or reads and updates it with GET; BITFIELD with only GET and OVERFLOW
/// subcommands reads its key; SORT reads its first key and overwrites the STORE key.
fn flags_by_command(full: &str, line: &[Bytes], at: usize) -> Option<&'static [&'static str]> {
    const RO_ACCESS: &[&str] = &["RO", "access"];
    const RW_ACCESS_UPDATE: &[&str] = &["RW", "access", "update"];
    const OW_UPDATE: &[&str] = &["OW", "update"];
    match full {
        "set" if at == 1 => {
            Some(if line.iter().skip(3).any(|a| args::is(a, "get")) { RW_ACCESS_UPDATE } else { OW_UPDATE })
        }
        "bitfield" if at == 1 => {
            let mut i = 2;
            while i < line.len() {
                let left = line.len() - i - 1;
                if args::is(&line[i], "get") && left >= 2 {
                    i += 3;
                } else if args::is(&line[i], "overflow") && left >= 1 {
                    i += 2;
                } else {
                    // SET, INCRBY, or a syntax error: Redis assumes a write.
                    return Some(RW_ACCESS_UPDATE);
                }
            }
            Some(RO_ACCESS)
        }
        "sort" => Some(if at == 1 { RO_ACCESS } else { OW_UPDATE }),
        _ => None,
    }
}

/// `COMMAND HELP`. O(1).
fn command_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all commands.",
            "COUNT",
            "    Return the total number of commands in this server.",
            "LIST",
            "    Return a list of all commands in this server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full command.",
        ],
    ))
}

const ADMIN_CMD: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static CONFIG_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "get", arity: -3, flags: ADMIN_CMD, group: "server", handler: config_get,
        summary: "Get the values of configuration parameters", since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        docs: "parameter(parameter)...
            history 7.0.0:    Added the ability to pass multiple pattern parameters in one call",
    },
    command! {
        name: "set", arity: -4, flags: ADMIN_CMD, group: "server", handler: config_set,
        summary: "Set configuration parameters to the given values", since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        docs: "parameter_value(parameter value)...
            history 7.0.0:    Added the ability to set multiple parameters in one call.
            tips:             request_policy:all_nodes response_policy:all_succeeded",
    },
    command! {
        name: "resetstat", arity: 2, flags: ADMIN_CMD, group: "server", handler: config_resetstat,
        summary: "Reset the stats returned by INFO", since: "2.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "rewrite", arity: 2, flags: ADMIN_CMD, group: "server", handler: config_rewrite,
        summary: "Rewrite the configuration file with the in memory configuration", since: "2.8.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: config_help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
];

static COMMAND_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "count", arity: 2, flags: LOADING | STALE, group: "server", handler: command_count,
        summary: "Get total number of Redis commands", since: "2.8.13", complexity: "O(1)",
        docs: "-
            acl:              @connection",
    },
    command! {
        name: "docs", arity: -2, flags: LOADING | STALE, group: "server", handler: command_docs,
        summary: "Get array of specific Redis command documentation", since: "7.0.0",
        complexity: "O(N) where N is the number of commands to look up",
        docs: "[command-name...]
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "info", arity: -2, flags: LOADING | STALE, group: "server", handler: command_info,
        summary: "Get array of specific Redis command details, or all when no argument is given.", since: "2.8.13",
        complexity: "O(N) where N is the number of commands to look up",
        docs: "[command-name...]
            history 7.0.0:    Allowed to be called with no argument to get info on all commands.
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "list", arity: -2, flags: LOADING | STALE, group: "server", handler: command_list,
        summary: "Get an array of Redis command names", since: "7.0.0",
        complexity: "O(N) where N is the total number of Redis commands",
        docs: "[FILTERBY (MODULE module-name | ACLCAT category |
               PATTERN pattern:pattern)]
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "getkeys", arity: -4, flags: LOADING | STALE, group: "server", handler: command_getkeys,
        summary: "Extract keys given a full Redis command", since: "2.8.13",
        complexity: "O(N) where N is the number of arguments to the command",
        docs: "-
            acl:              @connection",
    },
    command! {
        name: "getkeysandflags", arity: -4, flags: LOADING | STALE, group: "server", handler: command_getkeysandflags,
        summary: "Extract keys and access flags given a full Redis command", since: "7.0.0",
        complexity: "O(N) where N is the number of arguments to the command",
        docs: "-
            acl:              @connection",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: command_help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-
            acl:              @connection",
    },
];

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "dbsize", arity: 1, flags: READONLY | FAST, group: "server", handler: dbsize,
        summary: "Return the number of keys in the selected database", since: "1.0.0", complexity: "O(1)",
        docs: "-
            acl:              @keyspace
            tips:             request_policy:all_shards response_policy:agg_sum",
    },
    command! {
        name: "info", arity: -1, flags: LOADING | STALE, group: "server", handler: info,
        summary: "Get information and statistics about the server", since: "1.0.0", complexity: "O(1)",
        docs: "[section...]
            history 7.0.0:    Added support for taking multiple section arguments.
            acl:              @dangerous
            tips:             nondeterministic_output request_policy:all_shards response_policy:special",
    },
    command! {
        name: "flushdb", arity: -1, flags: WRITE | EXCLUSIVE, group: "server", handler: flushdb,
        summary: "Remove all keys from the current database", since: "1.0.0",
        complexity: "O(N) where N is the number of keys in the selected database",
        docs: "[async(ASYNC@4.0.0 | SYNC@6.2.0)]
            history 4.0.0:    Added the `ASYNC` flushing mode modifier.
            history 6.2.0:    Added the `SYNC` flushing mode modifier.
            acl:              @keyspace @dangerous
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "flushall", arity: -1, flags: WRITE | EXCLUSIVE, group: "server", handler: flushall,
        summary: "Remove all keys from all databases", since: "1.0.0",
        complexity: "O(N) where N is the total number of keys in all databases",
        docs: "[async(ASYNC@4.0.0 | SYNC@6.2.0)]
            history 4.0.0:    Added the `ASYNC` flushing mode modifier.
            history 6.2.0:    Added the `SYNC` flushing mode modifier.
            acl:              @keyspace @dangerous
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "time", arity: 1, flags: LOADING | STALE | FAST, group: "server", handler: time,
        summary: "Return the current server time", since: "2.6.0", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output",
    },
    command! {
        name: "lastsave", arity: 1, flags: LOADING | STALE | FAST, group: "server", handler: lastsave,
        summary: "Get the UNIX time stamp of the last successful save to disk", since: "1.0.0", complexity: "O(1)",
        docs: "-
            acl:              @admin @dangerous
            tips:             nondeterministic_output",
    },
    command! {
        name: "shutdown", arity: -1, flags: ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY,
        group: "server", handler: shutdown,
        summary: "Synchronously save the dataset to disk and then shut down the server", since: "1.0.0",
        complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        docs: "[nosave_save(NOSAVE | SAVE)] [NOW@7.0.0] [FORCE@7.0.0] [ABORT@7.0.0]
            history 7.0.0:    Added the `NOW`, `FORCE` and `ABORT` modifiers.",
    },
    command! {
        name: "config", arity: -2, group: "server", subcommands: CONFIG_SUBCOMMANDS,
        summary: "A container for server configuration commands", since: "2.0.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "command", arity: -1, flags: LOADING | STALE,
        group: "server", handler: command_all, subcommands: COMMAND_SUBCOMMANDS,
        summary: "Get array of Redis command details", since: "2.8.13",
        complexity: "O(N) where N is the total number of Redis commands",
        docs: "-
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
];

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

    #[test]
    fn flush_modes() {
        let a = |v: &[&str]| v.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect::<Vec<_>>();
        assert_eq!(flush_mode(&a(&["flushdb"])), Ok(false));
        assert_eq!(flush_mode(&a(&["flushdb", "ASYNC"])), Ok(true));
        assert_eq!(flush_mode(&a(&["flushdb", "sync"])), Ok(false));
        assert_eq!(flush_mode(&a(&["flushdb", "sync", "async"])), Err(Error::Syntax));
        assert_eq!(flush_mode(&a(&["flushdb", "now"])), Err(Error::Syntax));
    }

    #[test]
    fn getkeys_resolves_from_the_table() {
        let a = |v: &[&str]| v.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect::<Vec<_>>();
        let (_, _, pos) = keys_of(&a(&["command", "getkeys", "del", "a", "b"])).unwrap();
        assert_eq!(pos, vec![1, 2]);
        assert!(keys_of(&a(&["command", "getkeys", "nosuch", "a"])).is_err());
        assert!(keys_of(&a(&["command", "getkeys", "get", "a", "b"])).is_err());
        assert!(keys_of(&a(&["command", "getkeys", "config", "get", "x"])).is_err());
    }
}

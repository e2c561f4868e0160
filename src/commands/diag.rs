//! SLOWLOG, LATENCY and MEMORY: the diagnostics commands, over what [`crate::diag`]
//! records from the dispatch path and what RocksDB reports.
//!
//! MEMORY USAGE means something else for an on-disk store: not heap bytes but the bytes
//! the key takes in RocksDB before compression: its metadata record (and expiry record),
//! plus its sub-records (elements, chunks of a long string), sampled as Redis samples a
//! collection's elements and scaled to the element count.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::connection::help_reply;
use super::context::Ctx;
use super::registry;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::diag::{histogram::Snapshot, latency};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::storage::{keys, Cf};
use crate::types::txn::RECORD_CFS;

// ---------------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------------

/// `SLOWLOG GET [count]`: the newest `count` entries (default 10, -1 all), each
/// `[id, unix time, microseconds, [args...], "ip:port", client name]`. O(N) in the
/// entries returned. Errors: `ERR count should be greater than or equal to -1`.
fn slowlog_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::SubcommandSyntax { sub: String::from_utf8_lossy(&argv[1]).into_owned(), container: "SLOWLOG".into() });
    }
    let count = match argv.get(2) {
        None => 10,
        Some(a) => match super::args::parse_i64_strict(a) {
            Some(-1) => usize::MAX,
            Some(n) if n >= 0 => n as usize,
            _ => return Err(Error::SlowlogCount),
        },
    };
    let mut out = Vec::new();
    ctx.server.diag.slowlog.newest(count, |e| {
        out.push(Reply::Array(vec![
            Reply::Int(e.id as i64),
            Reply::Int(e.time),
            Reply::Int(e.micros as i64),
            Reply::Array(e.argv.iter().cloned().map(Reply::Bulk).collect()),
            Reply::bulk_str(&e.addr),
            Reply::Bulk(e.name.clone()),
        ]));
    });
    Ok(Reply::Array(out))
}

/// `SLOWLOG LEN`: the number of entries. O(1).
fn slowlog_len(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.server.diag.slowlog.len() as i64))
}

/// `SLOWLOG RESET`: forgets every entry. O(N) in the entries.
fn slowlog_reset(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.diag.slowlog.reset();
    Ok(Reply::ok())
}

/// `SLOWLOG HELP`, Redis's text.
fn slowlog_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    ))
}

// ---------------------------------------------------------------------------------
// LATENCY
// ---------------------------------------------------------------------------------

/// `LATENCY LATEST`: per event `[name, unix time of the latest sample, its ms, worst
/// ms]`. O(N) in the events.
fn latency_latest(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let out = ctx.server.diag.latency.with_events(|events| {
        events
            .iter()
            .map(|(name, s)| {
                let last = s.latest();
                Reply::Array(vec![Reply::bulk_str(name), Reply::Int(last.time), Reply::Int(last.ms as i64), Reply::Int(s.max as i64)])
            })
            .collect()
    });
    Ok(Reply::Array(out))
}

/// `LATENCY HISTORY event`: the event's `[unix time, ms]` samples, oldest first (empty
/// for an unknown event). O(1): at most 160 samples.
fn latency_history(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let name = String::from_utf8_lossy(&argv[2]);
    let out = ctx.server.diag.latency.with_events(|events| {
        events.get(name.as_ref()).map_or_else(Vec::new, |s| {
            s.samples().map(|x| Reply::Array(vec![Reply::Int(x.time), Reply::Int(x.ms as i64)])).collect()
        })
    });
    Ok(Reply::Array(out))
}

/// `LATENCY RESET [event ...]`: forgets the named events (all without names); answers
/// how many it forgot. O(N) in the events.
fn latency_reset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let names: Vec<String> = argv[2..].iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    Ok(Reply::Int(ctx.server.diag.latency.reset(&names) as i64))
}

/// `LATENCY GRAPH event`: an ASCII chart of the event's samples (a verbatim string).
/// Errors: `ERR No samples available for event '<event>'`.
fn latency_graph(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let name = String::from_utf8_lossy(&argv[2]).into_owned();
    let now = crate::types::now_ms() / 1000;
    let text = ctx.server.diag.latency.with_events(|events| events.get(&name).map(|s| latency::graph(&name, s, now)));
    let text = text.ok_or(Error::NoLatencySamples(name))?;
    Ok(Reply::Verbatim("txt", Bytes::from(text)))
}

/// `LATENCY DOCTOR`: a report on the events, in Redis's words (a verbatim string).
fn latency_doctor(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let threshold = ctx.server.config.read().stored("latency-monitor-threshold", "0").parse().unwrap_or(0);
    let text = ctx.server.diag.latency.with_events(|events| latency::doctor(events, threshold));
    Ok(Reply::Verbatim("txt", Bytes::from(text)))
}

/// `LATENCY HISTOGRAM [command ...]`: for each command (all that ran, or those named;
/// a container names its subcommands) `{calls, histogram_usec: {µs: cumulative
/// calls}}`. O(N) in the commands.
fn latency_histogram(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    let hist = &ctx.server.diag.histograms;
    let mut wanted: Vec<usize> = Vec::new();
    if argv.len() == 2 {
        wanted.extend(0..reg.specs.len());
    } else {
        for name in &argv[2..] {
            let Some(i) = reg.index_of(name) else { continue };
            wanted.push(i);
            let prefix = format!("{}|", reg.specs[i].0);
            wanted.extend((0..reg.specs.len()).filter(|&j| reg.specs[j].0.starts_with(&prefix)));
        }
    }
    let mut out = Vec::new();
    for i in wanted {
        if let Some(snap) = hist.snapshot(i) {
            out.push((Reply::bulk_str(&reg.specs[i].0), histogram_reply(&snap)));
        }
    }
    Ok(Reply::Map(out))
}

fn histogram_reply(snap: &Snapshot) -> Reply {
    let buckets = snap.cumulative_usec().into_iter().map(|(us, n)| (Reply::Int(us as i64), Reply::Int(n as i64))).collect();
    Reply::Map(vec![
        (Reply::bulk_str("calls"), Reply::Int(snap.total as i64)),
        (Reply::bulk_str("histogram_usec"), Reply::Map(buckets)),
    ])
}

/// `LATENCY HELP`, Redis's text.
fn latency_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    ))
}

/// INFO latencystats: `latency_percentiles_usec_<command>:p50=..,p99=..,p99.9=..` for
/// every command that ran, at the `latency-tracking-info-percentiles`.
pub(super) fn latencystats(ctx: &Ctx<'_>, out: &mut String) {
    let percentiles: Vec<f64> = ctx
        .server
        .config
        .read()
        .stored("latency-tracking-info-percentiles", "50 99 99.9")
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    let reg = registry();
    for (i, (name, _)) in reg.specs.iter().enumerate() {
        let Some(snap) = ctx.server.diag.histograms.snapshot(i) else { continue };
        let _ = write!(out, "latency_percentiles_usec_{name}:");
        for (j, p) in percentiles.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "p{}={:.3}", percentile_label(*p), snap.value_at(*p) as f64 / 1000.0);
        }
        out.push_str("\r\n");
    }
}

/// A percentile as Redis prints it in INFO latencystats: `%f`, trailing zeros and dot
/// trimmed (`50`, `99.9`).
fn percentile_label(p: f64) -> String {
    let s = format!("{p:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

// ---------------------------------------------------------------------------------
// MEMORY
// ---------------------------------------------------------------------------------

/// `MEMORY USAGE key [SAMPLES count]`: the bytes `key` takes in RocksDB (uncompressed):
/// its metadata record and expiry record, plus its sub-records, of which up to `count`
/// per column family are read (default 5, 0: all) and their mean size scaled to the
/// element count. Nil for a missing key. O(N) in the samples. Errors: `ERR syntax
/// error` (an unknown option, a negative count), `ERR value is not an integer or out
/// of range`.
fn memory_usage(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut samples: u64 = 5;
    let mut j = 3;
    while j < argv.len() {
        if argv[j].eq_ignore_ascii_case(b"samples") && j + 1 < argv.len() {
            let n = super::args::parse_i64_strict(&argv[j + 1]).ok_or(Error::NotInteger)?;
            if n < 0 {
                return Err(Error::Syntax);
            }
            samples = if n == 0 { u64::MAX } else { n as u64 };
            j += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    ctx.txn.no_touch = true;
    let key = &argv[2];
    let Some(meta) = ctx.txn.get(key)? else { return Ok(Reply::Nil) };
    let mut bytes = (keys::meta_key(ctx.txn.db, key).len() + meta.encode().len()) as u64;
    if meta.expire_at != 0 {
        bytes += keys::expire_key(ctx.txn.db, meta.expire_at, key).len() as u64;
    }
    if meta.has_records() {
        let prefix = keys::sub_prefix(meta.version).len() as u64;
        // The records a full scan would find in one column family: elements for a
        // collection, chunks for a long string.
        let expected =
            if meta.chunked { meta.size.div_ceil(crate::types::string::CHUNK as u64) } else { meta.size };
        for cf in RECORD_CFS {
            let (mut seen, mut sum) = (0u64, 0u64);
            ctx.txn.sub_scan(cf, meta.version, b"", b"", false, &mut |k, v| {
                seen += 1;
                sum += prefix + k.len() as u64 + v.len() as u64;
                seen < samples
            })?;
            bytes += if seen < samples || seen == 0 { sum } else { sum * expected.max(seen) / seen };
        }
    }
    Ok(Reply::Int(bytes as i64))
}

/// `MEMORY STATS`: Redis's fields, with the process's resident memory standing for
/// the allocator's figures (mimalloc keeps no jemalloc-style counters), then DiskDB's
/// RocksDB figures. O(N) in the databases.
fn memory_stats(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let server = ctx.server;
    let store = &server.store;
    store.wait_counts()?;
    let rss = super::server::info::proc_status_bytes("VmRSS:");
    let peak = super::server::info::proc_status_bytes("VmHWM:").max(rss);
    let prop = |name: &str| store.storage.property(name).unwrap_or(0);
    let int = |n: u64| Reply::Int(n as i64);
    let mut m: Vec<(Reply, Reply)> = Vec::new();
    let mut put = |k: &str, v: Reply| m.push((Reply::bulk_str(k), v));
    let clients_normal: u64 = server
        .clients
        .iter()
        .map(|c| (c.query_buf.load(Ordering::Relaxed) + c.out_pending.load(Ordering::Relaxed) + c.argv_mem.load(Ordering::Relaxed)) as u64)
        .sum();
    let cache = prop("rocksdb.block-cache-usage");
    let memtables = store.storage.property_all("rocksdb.cur-size-all-mem-tables");
    let readers = store.storage.property_all("rocksdb.estimate-table-readers-mem");
    let read_cache = store.cache.bytes() as u64;
    let overhead = clients_normal + cache + memtables + readers + read_cache;
    let keys: u64 = (0..store.databases()).map(|db| store.dbsize(db).max(0) as u64).sum();
    let dataset = rss.saturating_sub(overhead);
    put("peak.allocated", int(peak));
    put("total.allocated", int(rss));
    put("startup.allocated", int(0));
    put("replication.backlog", int(0));
    put("clients.slaves", int(0));
    put("clients.normal", int(clients_normal));
    put("cluster.links", int(0));
    put("aof.buffer", int(0));
    put("lua.caches", int(0));
    put("functions.caches", int(0));
    for db in 0..store.databases() {
        if store.dbsize(db) > 0 {
            put(
                &format!("db.{db}"),
                Reply::Map(vec![
                    (Reply::bulk_str("overhead.hashtable.main"), int(0)),
                    (Reply::bulk_str("overhead.hashtable.expires"), int(0)),
                    (Reply::bulk_str("overhead.hashtable.slot-to-keys"), int(0)),
                ]),
            );
        }
    }
    put("overhead.total", int(overhead));
    put("keys.count", int(keys));
    put("keys.bytes-per-key", int(if keys > 0 { rss / keys } else { 0 }));
    put("dataset.bytes", int(dataset));
    put("dataset.percentage", Reply::Double(if rss > 0 { dataset as f64 * 100.0 / rss as f64 } else { 0.0 }));
    put("peak.percentage", Reply::Double(if peak > 0 { rss as f64 * 100.0 / peak as f64 } else { 0.0 }));
    put("allocator.allocated", int(rss));
    put("allocator.active", int(rss));
    put("allocator.resident", int(rss));
    put("allocator-fragmentation.ratio", Reply::Double(1.0));
    put("allocator-fragmentation.bytes", int(0));
    put("allocator-rss.ratio", Reply::Double(1.0));
    put("allocator-rss.bytes", int(0));
    put("rss-overhead.ratio", Reply::Double(1.0));
    put("rss-overhead.bytes", int(0));
    put("fragmentation", Reply::Double(1.0));
    put("fragmentation.bytes", int(0));
    // DiskDB's own: where the memory of an on-disk store goes.
    put("rocksdb.block-cache", int(cache));
    put("rocksdb.memtables", int(memtables));
    put("rocksdb.table-readers", int(readers));
    put("read-cache", int(read_cache));
    Ok(Reply::Map(m))
}

/// `MEMORY DOCTOR`: Redis's all-clear, or the issues DiskDB can see in its memory:
/// RocksDB's memtables held back by stalled flushes, a block cache past its capacity,
/// a resident size far above what maxmemory allows.
fn memory_doctor(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let server = ctx.server;
    let store = &server.store;
    let cfg = server.config.read().clone();
    let budget = cfg.memory_budget(Cf::ALL.len());
    let prop = |name: &str| store.storage.property(name).unwrap_or(0);
    let rss = super::server::info::proc_status_bytes("VmRSS:");
    let mut issues = Vec::new();
    if store.storage.property_all("rocksdb.cur-size-all-mem-tables") > budget.write_buffers as u64 {
        issues.push(" * Memtables over their limit: RocksDB's memtables hold more than the budget maxmemory gives them; flushes are behind the writes (check INFO rocksdb for stalls).\n");
    }
    if prop("rocksdb.is-write-stopped") > 0 {
        issues.push(" * Writes stopped: RocksDB stopped writes until compaction catches up (see rocksdb_pending_compaction_bytes in INFO rocksdb).\n");
    }
    if cfg.maxmemory > 0 && rss > cfg.maxmemory * 3 / 2 {
        issues.push(" * Resident memory above maxmemory: the process holds more than 1.5 times maxmemory; client buffers or scripts may be the cause (check CLIENT LIST).\n");
    }
    let text = if issues.is_empty() {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".to_string()
    } else {
        let mut s = String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
        for i in issues {
            s.push_str(i);
            s.push('\n');
        }
        s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
        s
    };
    Ok(Reply::Verbatim("txt", Bytes::from(text)))
}

/// `MEMORY MALLOC-STATS`: Redis's answer for an allocator without a stats report
/// (DiskDB runs on mimalloc, not jemalloc).
fn memory_malloc_stats(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Verbatim("txt", Bytes::from_static(b"Stats not supported for the current allocator")))
}

/// `MEMORY PURGE`: OK, as Redis answers on an allocator other than jemalloc.
fn memory_purge(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::ok())
}

/// `MEMORY HELP`, Redis's text.
fn memory_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    ))
}

// ---------------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------------

const ADMIN_INFO: u32 = ADMIN | LOADING | STALE;
const LATENCY_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static SLOWLOG_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: slowlog_help,
        summary: "Show helpful text about the different subcommands", since: "6.2.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "reset", arity: 2, flags: ADMIN_INFO, group: "server", handler: slowlog_reset,
        summary: "Clear all entries from the slow log", since: "2.2.12",
        complexity: "O(N) where N is the number of entries in the slowlog",
        docs: "-
            tips:             request_policy:all_nodes response_policy:all_succeeded",
    },
    command! {
        name: "len", arity: 2, flags: ADMIN_INFO, group: "server", handler: slowlog_len,
        summary: "Get the slow log's length", since: "2.2.12", complexity: "O(1)",
        docs: "-
            tips:             request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
    },
    command! {
        name: "get", arity: -2, flags: ADMIN_INFO, group: "server", handler: slowlog_get,
        summary: "Get the slow log's entries", since: "2.2.12",
        complexity: "O(N) where N is the number of entries returned",
        docs: "[count:integer]
            history 4.0.0:    Added client IP address, port and name to the reply.
            tips:             request_policy:all_nodes nondeterministic_output",
    },
];

static LATENCY_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "graph", arity: 3, flags: LATENCY_FLAGS, group: "server", handler: latency_graph,
        summary: "Return a latency graph for the event.", since: "2.8.13", complexity: "O(1)",
        docs: "event
            tips:             nondeterministic_output request_policy:all_nodes response_policy:special",
    },
    command! {
        name: "doctor", arity: 2, flags: LATENCY_FLAGS, group: "server", handler: latency_doctor,
        summary: "Return a human readable latency analysis report.", since: "2.8.13", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output request_policy:all_nodes response_policy:special",
    },
    command! {
        name: "reset", arity: -2, flags: LATENCY_FLAGS, group: "server", handler: latency_reset,
        summary: "Reset latency data for one or more events.", since: "2.8.13", complexity: "O(1)",
        docs: "[event...]
            tips:             request_policy:all_nodes response_policy:all_succeeded",
    },
    command! {
        name: "histogram", arity: -2, flags: LATENCY_FLAGS, group: "server", handler: latency_histogram,
        summary: "Return the cumulative distribution of latencies of a subset of commands or all.", since: "7.0.0",
        complexity: "O(N) where N is the number of commands with latency information being retrieved.",
        docs: "[command...]
            tips:             nondeterministic_output request_policy:all_nodes response_policy:special",
    },
    command! {
        name: "latest", arity: 2, flags: LATENCY_FLAGS, group: "server", handler: latency_latest,
        summary: "Return the latest latency samples for all events.", since: "2.8.13", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output request_policy:all_nodes response_policy:special",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: latency_help,
        summary: "Show helpful text about the different subcommands.", since: "2.8.13", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "history", arity: 3, flags: LATENCY_FLAGS, group: "server", handler: latency_history,
        summary: "Return timestamp-latency samples for the event.", since: "2.8.13", complexity: "O(1)",
        docs: "event
            tips:             nondeterministic_output request_policy:all_nodes response_policy:special",
    },
];

static MEMORY_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "malloc-stats", arity: 2, group: "server", handler: memory_malloc_stats,
        summary: "Show allocator internal stats", since: "4.0.0",
        complexity: "Depends on how much memory is allocated, could be slow",
        docs: "-
            tips:             nondeterministic_output request_policy:all_shards response_policy:special",
    },
    command! {
        name: "purge", arity: 2, group: "server", handler: memory_purge,
        summary: "Ask the allocator to release memory", since: "4.0.0",
        complexity: "Depends on how much memory is allocated, could be slow",
        docs: "-
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "doctor", arity: 2, group: "server", handler: memory_doctor,
        summary: "Outputs memory problems report", since: "4.0.0", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output request_policy:all_shards response_policy:special",
    },
    command! {
        name: "stats", arity: 2, flags: COUNTS, group: "server", handler: memory_stats,
        summary: "Show memory usage details", since: "4.0.0", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output request_policy:all_shards response_policy:special",
    },
    command! {
        name: "usage", arity: -3, flags: READONLY, keys: Keys::Range { first: 2, last: 2, step: 1 },
        group: "server", handler: memory_usage,
        summary: "Estimate the memory usage of a key", since: "4.0.0", complexity: "O(N) where N is the number of samples.",
        docs: "key#0 [SAMPLES count:integer]
            key 0:            RO, index 2, range 0",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: memory_help,
        summary: "Show helpful text about the different subcommands", since: "4.0.0", complexity: "O(1)",
        docs: "-",
    },
];

pub(crate) static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "slowlog", arity: -2, group: "server", subcommands: SLOWLOG_SUBCOMMANDS,
        summary: "A container for slow log commands", since: "2.2.12", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "latency", arity: -2, group: "server", subcommands: LATENCY_SUBCOMMANDS,
        summary: "A container for latency diagnostics commands", since: "2.8.13", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "memory", arity: -2, group: "server", subcommands: MEMORY_SUBCOMMANDS,
        summary: "A container for memory diagnostics commands", since: "4.0.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
];

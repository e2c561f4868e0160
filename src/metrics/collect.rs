//! The `/metrics` page: every figure, read from where the server already keeps it, in
//! the Prometheus text exposition format (0.0.4) through prometheus-client's
//! [`Collector`]. Nothing here runs on the command path: a scrape reads relaxed
//! atomics, a few RocksDB properties and `/proc`.
//!
//! Names follow Prometheus' conventions: the `diskdb_` prefix, base units as suffixes
//! (`_seconds`, `_bytes`), `_total` on counters; `process_*` are the standard names.
//! The README's "Metrics" section lists them all.

use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use super::{process, HistogramSnapshot};
use crate::commands::{registry, ServerState};

/// The `Content-Type` of the page.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// The whole page.
pub fn encode(state: &Arc<ServerState>) -> Result<String, fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(ServerCollector(state.clone())));
    let mut page = String::with_capacity(32 * 1024);
    prometheus_client::encoding::prometheus_text::encode(&mut page, &registry)?;
    Ok(page)
}

struct ServerCollector(Arc<ServerState>);

impl fmt::Debug for ServerCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerCollector")
    }
}

/// Writes one family at a time (`HELP`, `TYPE`, then its samples).
struct Page<'a> {
    enc: DescriptorEncoder<'a>,
}

impl Page<'_> {
    fn counter(&mut self, name: &str, help: &str, unit: Option<Unit>, value: u64) -> fmt::Result {
        let m = self.enc.encode_descriptor(name, help, unit.as_ref(), MetricType::Counter)?;
        ConstCounter::new(value).encode(m)
    }

    fn counter_f64(&mut self, name: &str, help: &str, unit: Option<Unit>, value: f64) -> fmt::Result {
        let m = self.enc.encode_descriptor(name, help, unit.as_ref(), MetricType::Counter)?;
        ConstCounter::new(value).encode(m)
    }

    fn gauge(&mut self, name: &str, help: &str, unit: Option<Unit>, value: i64) -> fmt::Result {
        let m = self.enc.encode_descriptor(name, help, unit.as_ref(), MetricType::Gauge)?;
        ConstGauge::new(value).encode(m)
    }

    fn gauge_f64(&mut self, name: &str, help: &str, unit: Option<Unit>, value: f64) -> fmt::Result {
        let m = self.enc.encode_descriptor(name, help, unit.as_ref(), MetricType::Gauge)?;
        ConstGauge::new(value).encode(m)
    }

    /// A counter family of one label: `(label value, value)` pairs.
    fn counters(&mut self, name: &str, help: &str, label: &str, samples: &[(String, u64)]) -> fmt::Result {
        let mut m = self.enc.encode_descriptor(name, help, None, MetricType::Counter)?;
        for (value_of_label, v) in samples {
            let labels = [(label, value_of_label.as_str())];
            ConstCounter::new(*v).encode(m.encode_family(&labels)?)?;
        }
        Ok(())
    }

    /// A gauge family of one label.
    fn gauges(&mut self, name: &str, help: &str, label: &str, samples: &[(String, i64)]) -> fmt::Result {
        let mut m = self.enc.encode_descriptor(name, help, None, MetricType::Gauge)?;
        for (value_of_label, v) in samples {
            let labels = [(label, value_of_label.as_str())];
            ConstGauge::new(*v).encode(m.encode_family(&labels)?)?;
        }
        Ok(())
    }

    fn histograms(&mut self, name: &str, help: &str, label: &str, samples: &[(String, HistogramSnapshot)]) -> fmt::Result {
        let mut m = self.enc.encode_descriptor(name, help, Some(&Unit::Seconds), MetricType::Histogram)?;
        for (value_of_label, h) in samples {
            let labels = [(label, value_of_label.as_str())];
            m.encode_family(&labels)?.encode_histogram::<NoLabelSet>(h.sum_seconds, h.count, &h.buckets, None)?;
        }
        Ok(())
    }

    fn histogram(&mut self, name: &str, help: &str, h: &HistogramSnapshot) -> fmt::Result {
        let mut m = self.enc.encode_descriptor(name, help, Some(&Unit::Seconds), MetricType::Histogram)?;
        m.encode_histogram::<NoLabelSet>(h.sum_seconds, h.count, &h.buckets, None)
    }
}

impl Collector for ServerCollector {
    fn encode(&self, enc: DescriptorEncoder) -> fmt::Result {
        let state = &*self.0;
        let mut p = Page { enc };
        build_info(&mut p)?;
        commands(&mut p, state)?;
        server(&mut p, state)?;
        keyspace(&mut p, state)?;
        durability(&mut p, state)?;
        rocksdb(&mut p, state)?;
        if let Some(proc) = process::read() {
            p.counter_f64("process_cpu_seconds", "User and system CPU time spent in seconds.", None, proc.cpu_seconds)?;
            p.gauge("process_resident_memory", "Resident memory size in bytes.", Some(Unit::Bytes), proc.resident_bytes as i64)?;
            p.gauge("process_virtual_memory", "Virtual memory size in bytes.", Some(Unit::Bytes), proc.virtual_bytes as i64)?;
            p.gauge_f64(
                "process_start_time",
                "Start time of the process since unix epoch in seconds.",
                Some(Unit::Seconds),
                proc.start_time_seconds,
            )?;
            p.gauge("process_open_fds", "Number of open file descriptors.", None, proc.open_fds as i64)?;
            p.gauge("process_max_fds", "Maximum number of open file descriptors.", None, proc.max_fds.min(i64::MAX as u64) as i64)?;
            p.gauge("process_threads", "Number of OS threads in the process.", None, proc.threads as i64)?;
        }
        Ok(())
    }
}

fn build_info(p: &mut Page<'_>) -> fmt::Result {
    let mut m = p.enc.encode_descriptor(
        "diskdb_build_info",
        "A metric with a constant '1' value labelled by the DiskDB version and the Redis version it answers as.",
        None,
        MetricType::Gauge,
    )?;
    let labels = [("version", env!("CARGO_PKG_VERSION")), ("redis_version", crate::commands::connection::REDIS_VERSION)];
    ConstGauge::new(1i64).encode(m.encode_family(&labels)?)
}

/// Per command (its name as INFO commandstats prints it: `get`, `config|get`): calls,
/// failures and refusals from INFO's counters, and the latency histogram. Commands
/// never called are left out, as INFO leaves them out.
fn commands(p: &mut Page<'_>, state: &ServerState) -> fmt::Result {
    let (mut calls, mut failed, mut rejected, mut latency) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (idx, ((full, _), st)) in registry().specs.iter().zip(&state.command_stats).enumerate() {
        let n = st.calls.load(Ordering::Relaxed);
        let f = st.failed.load(Ordering::Relaxed);
        let r = st.rejected.load(Ordering::Relaxed);
        if n > 0 {
            calls.push((full.clone(), n));
        }
        if f > 0 {
            failed.push((full.clone(), f));
        }
        if r > 0 {
            rejected.push((full.clone(), r));
        }
        if let Some(h) = state.metrics.command_latency(idx).filter(|h| h.count() > 0) {
            latency.push((full.clone(), h.read()));
        }
    }
    p.counters("diskdb_commands", "Commands processed, by command (INFO commandstats calls).", "cmd", &calls)?;
    p.counters(
        "diskdb_commands_failed",
        "Commands that ran and answered an error, by command (INFO commandstats failed_calls).",
        "cmd",
        &failed,
    )?;
    p.counters(
        "diskdb_commands_rejected",
        "Commands refused before running (arity, ACL, OOM, MULTI...), by command (INFO commandstats rejected_calls).",
        "cmd",
        &rejected,
    )?;
    p.histograms("diskdb_command_duration", "Time to run a command, by command (locks held, storage commit included).", "cmd", &latency)?;
    let errors: Vec<(String, u64)> = state.error_stats.lock().iter().map(|(code, n)| (code.clone(), *n)).collect();
    p.counters(
        "diskdb_errors",
        "Error replies by their first word (INFO errorstats): ERR, WRONGTYPE, NOAUTH...",
        "error",
        &errors,
    )
}

fn server(p: &mut Page<'_>, state: &ServerState) -> fmt::Result {
    let s = &state.stats;
    let load = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    p.counter("diskdb_commands_processed", "Commands processed, all commands together.", None, load(&s.commands_processed))?;
    p.counter("diskdb_connections_received", "Connections accepted.", None, load(&s.connections_received))?;
    p.counter("diskdb_connections_rejected", "Connections refused (maxclients).", None, load(&s.rejected_connections))?;
    p.counter("diskdb_net_input", "Bytes read from clients.", Some(Unit::Bytes), load(&s.net_input_bytes))?;
    p.counter("diskdb_net_output", "Bytes written to clients.", Some(Unit::Bytes), load(&s.net_output_bytes))?;
    p.counter("diskdb_protocol_errors", "Requests that broke the protocol (the connection was closed).", None, load(&s.protocol_errors))?;
    let blocked = state.clients.iter().filter(|c| c.blocked.load(Ordering::Relaxed)).count();
    p.gauge("diskdb_connected_clients", "Clients connected.", None, state.clients.len() as i64)?;
    p.gauge("diskdb_blocked_clients", "Clients waiting in a blocking command (BLPOP, XREAD BLOCK...).", None, blocked as i64)?;
    p.gauge("diskdb_maxclients", "The maxclients limit.", None, state.config.read().maxclients as i64)?;
    let started = state.started_ms as f64 / 1000.0;
    p.gauge_f64("diskdb_start_time", "When the server started, in seconds since the Unix epoch.", Some(Unit::Seconds), started)
}

fn keyspace(p: &mut Page<'_>, state: &ServerState) -> fmt::Result {
    let store = &state.store;
    let per_db = |f: &dyn Fn(usize) -> i64| -> Vec<(String, i64)> { (0..store.databases()).map(|db| (db.to_string(), f(db))).collect() };
    // Left out while the keys are recounted after an unclean shutdown: a scrape does not
    // wait for it, and a partial count would read as a drop.
    if store.counts_ready() {
        p.gauges("diskdb_db_keys", "Keys per database.", "db", &per_db(&|db| store.dbsize(db)))?;
        p.gauges(
            "diskdb_db_keys_expiring",
            "Keys with a time to live per database.",
            "db",
            &per_db(&|db| store.expires(db)),
        )?;
    }
    let k = &store.stats;
    p.counter("diskdb_keyspace_hits", "Key lookups that found the key.", None, k.keyspace_hits.load(Ordering::Relaxed))?;
    p.counter("diskdb_keyspace_misses", "Key lookups that found nothing.", None, k.keyspace_misses.load(Ordering::Relaxed))?;
    p.counter("diskdb_expired_keys", "Keys removed because their time to live ran out.", None, k.expired_keys.load(Ordering::Relaxed))?;
    p.counter("diskdb_evicted_keys", "Keys evicted (maxdisk).", None, k.evicted_keys.load(Ordering::Relaxed))?;
    let c = &store.cache.stats;
    p.counter("diskdb_read_cache_hits", "Reads served by DiskDB's read cache.", None, c.hits.load(Ordering::Relaxed))?;
    p.counter("diskdb_read_cache_misses", "Reads the read cache did not hold.", None, c.misses.load(Ordering::Relaxed))?;
    p.gauge("diskdb_read_cache", "Bytes held by the read cache.", Some(Unit::Bytes), store.cache.bytes() as i64)
}

fn durability(p: &mut Page<'_>, state: &ServerState) -> fmt::Result {
    let pending = state.store.storage.pending();
    let depth = pending.submitted().saturating_sub(pending.applied());
    p.gauge(
        "diskdb_write_behind_queue_batches",
        "Write batches acknowledged to the write-behind queue and not yet applied to RocksDB.",
        None,
        depth as i64,
    )?;
    p.histogram(
        "diskdb_wal_sync_duration",
        "WAL fsyncs (appendfsync always/everysec, save points) and the time each took.",
        &state.metrics.wal_syncs.read(),
    )?;
    p.counter("diskdb_wal_sync_failures", "WAL fsyncs that failed.", None, state.metrics.wal_sync_failures.load(Ordering::Relaxed))?;
    p.gauge(
        "diskdb_write_error",
        "1 while writing to the data directory fails (disk full) and write commands are refused with MISCONF.",
        None,
        pending.writes_failing() as i64,
    )
}

fn rocksdb(p: &mut Page<'_>, state: &ServerState) -> fmt::Result {
    let f = state.store.storage.figures();
    let bytes = |v: u64| v.min(i64::MAX as u64) as i64;
    p.gauge("diskdb_rocksdb_memtable", "Bytes of RocksDB's memtables, active and unflushed, all column families.", Some(Unit::Bytes), bytes(f.memtable_bytes))?;
    p.gauge("diskdb_rocksdb_live_sst", "Bytes of the SST files of the current version, all column families.", Some(Unit::Bytes), bytes(f.sst_live_bytes))?;
    p.gauge("diskdb_rocksdb_sst", "Bytes of all SST files, obsolete ones not yet deleted included.", Some(Unit::Bytes), bytes(f.sst_total_bytes))?;
    p.gauge(
        "diskdb_rocksdb_pending_compaction",
        "Estimated bytes compaction has to rewrite to bring every level under its target size.",
        Some(Unit::Bytes),
        bytes(f.pending_compaction_bytes),
    )?;
    p.gauge("diskdb_rocksdb_block_cache_usage", "Bytes held by the block cache.", Some(Unit::Bytes), bytes(f.block_cache_usage))?;
    p.gauge("diskdb_rocksdb_block_cache_capacity", "The block cache's capacity.", Some(Unit::Bytes), bytes(f.block_cache_capacity))?;
    p.gauge("diskdb_rocksdb_block_cache_pinned", "Bytes of the block cache pinned by readers.", Some(Unit::Bytes), bytes(f.block_cache_pinned))?;
    if let (Some(hits), Some(misses)) = (f.block_cache_hits, f.block_cache_misses) {
        p.counter("diskdb_rocksdb_block_cache_hits", "Block cache lookups that found the block.", None, hits)?;
        p.counter("diskdb_rocksdb_block_cache_misses", "Block cache lookups that read the block from disk.", None, misses)?;
    }
    if let Some(stall) = f.stall_micros {
        p.counter_f64("diskdb_rocksdb_write_stall", "Time writes spent delayed or stopped by RocksDB.", Some(Unit::Seconds), stall as f64 / 1e6)?;
    }
    p.counters(
        "diskdb_rocksdb_write_stalls",
        "Write stalls by RocksDB, by kind: delay (writes slowed) or stop (writes halted).",
        "kind",
        &[("delay".to_string(), f.stalls_delayed), ("stop".to_string(), f.stalls_stopped)],
    )?;
    p.gauge("diskdb_rocksdb_write_stopped", "1 while RocksDB stops writes.", None, f.write_stopped as i64)?;
    p.gauge("diskdb_rocksdb_running_compactions", "Compactions running.", None, f.running_compactions as i64)?;
    p.gauge("diskdb_rocksdb_running_flushes", "Memtable flushes running.", None, f.running_flushes as i64)?;
    p.gauge("diskdb_rocksdb_estimated_records", "RocksDB's estimate of its records (all column families).", None, bytes(f.estimated_records))
}

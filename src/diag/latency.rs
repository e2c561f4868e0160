//! The latency monitor (LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR): for each
//! event class, the last 160 seconds in which it took `latency-monitor-threshold`
//! milliseconds or more (0: off), one sample per second (the worst of that second) and
//! the worst ever, as Redis keeps them.
//!
//! Events: `command` and `fast-command` (commands, by their `fast` flag, from the
//! dispatch path), `expire-cycle` (the active expiry cycle), as Redis names them, and
//! DiskDB's own `wal-sync` (one fsync of RocksDB's write-ahead log).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

/// Samples kept per event (Redis's `LATENCY_TS_LEN`).
pub const SERIES_LEN: usize = 160;

/// One sample: Unix seconds and milliseconds.
#[derive(Clone, Copy, Default)]
pub struct Sample {
    pub time: i64,
    pub ms: u64,
}

/// One event's samples, oldest first, and its worst ever.
#[derive(Default)]
pub struct Series {
    samples: std::collections::VecDeque<Sample>,
    pub max: u64,
}

impl Series {
    pub fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter()
    }

    pub fn latest(&self) -> Sample {
        self.samples.back().copied().unwrap_or_default()
    }

    fn add(&mut self, time: i64, ms: u64) {
        self.max = self.max.max(ms);
        if let Some(last) = self.samples.back_mut() {
            if last.time == time {
                last.ms = last.ms.max(ms);
                return;
            }
        }
        if self.samples.len() == SERIES_LEN {
            self.samples.pop_front();
        }
        self.samples.push_back(Sample { time, ms });
    }
}

#[derive(Default)]
pub struct LatencyMonitor {
    /// `latency-monitor-threshold` in ms; 0: off.
    threshold_ms: AtomicU64,
    events: Mutex<BTreeMap<String, Series>>,
}

impl LatencyMonitor {
    pub fn set_threshold_ms(&self, ms: u64) {
        self.threshold_ms.store(ms, Ordering::Relaxed);
    }

    /// Records `event` if it took at least the threshold (Redis's
    /// `latencyAddSampleIfNeeded`).
    #[inline]
    pub fn observe(&self, event: &str, took: Duration) {
        let t = self.threshold_ms.load(Ordering::Relaxed);
        if t > 0 && took.as_millis() as u64 >= t {
            self.add(event, took.as_millis() as u64);
        }
    }

    #[cold]
    fn add(&self, event: &str, ms: u64) {
        let now = crate::types::now_ms() / 1000;
        let mut events = self.events.lock();
        match events.get_mut(event) {
            Some(s) => s.add(now, ms),
            None => events.entry(event.to_string()).or_default().add(now, ms),
        }
    }

    /// Runs `f` over the events, by name.
    pub fn with_events<T>(&self, f: impl FnOnce(&BTreeMap<String, Series>) -> T) -> T {
        f(&self.events.lock())
    }

    /// Forgets the named events (all when `names` is empty); answers how many there were.
    pub fn reset(&self, names: &[String]) -> usize {
        let mut events = self.events.lock();
        if names.is_empty() {
            let n = events.len();
            events.clear();
            return n;
        }
        names.iter().filter(|n| events.remove(n.as_str()).is_some()).count()
    }
}

/// LATENCY GRAPH's text for one event: a header line, a rule, and an ASCII chart of the
/// samples (4 rows, filled under the curve, `_o#` and `|`) with each sample's age under
/// it, written vertically (`12s`, `3m`...), as Redis draws it.
pub fn graph(event: &str, series: &Series, now: i64) -> String {
    let samples: Vec<&Sample> = series.samples().collect();
    let min = samples.iter().map(|s| s.ms).min().unwrap_or(0);
    let max = samples.iter().map(|s| s.ms).max().unwrap_or(0);
    let mut out = format!("{event} - high {max} ms, low {min} ms (all time high {} ms)\n", series.max);
    out.push_str(&"-".repeat(80));
    out.push('\n');
    let labels: Vec<String> = samples.iter().map(|s| age_label(now - s.time)).collect();
    let values: Vec<f64> = samples.iter().map(|s| s.ms as f64).collect();
    for (i, chunk) in values.chunks(80).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let from = i * 80;
        render(&mut out, chunk, &labels[from..from + chunk.len()], min as f64, max as f64);
    }
    out
}

/// `12s`, `5m`, `3h`, `2d`: how long ago a sample was taken.
fn age_label(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// Draws `values` as 4 rows of a filled chart scaled between `min` and `max` (each row
/// three levels: `_`, `o`, `#`, and `|` below the top of a column), then the labels
/// vertically after a blank line.
fn render(out: &mut String, values: &[f64], labels: &[String], min: f64, max: f64) {
    const ROWS: usize = 4;
    const LEVELS: &[u8] = b"_o#";
    let steps = (LEVELS.len() * ROWS) as i64;
    let span = if max - min == 0.0 { 1.0 } else { max - min };
    let level: Vec<i64> = values.iter().map(|v| (((v - min) * steps as f64) / span).floor() as i64).map(|s| s.clamp(0, steps - 1)).collect();
    for row in 0..ROWS {
        let line: String = level
            .iter()
            .map(|&step| {
                let c = step - ((ROWS - row - 1) * LEVELS.len()) as i64;
                if (0..LEVELS.len() as i64).contains(&c) {
                    LEVELS[c as usize] as char
                } else if c >= LEVELS.len() as i64 {
                    '|'
                } else {
                    ' '
                }
            })
            .collect();
        let _ = writeln!(out, "{line}");
    }
    // One blank line, then the labels top to bottom.
    let _ = writeln!(out, "{}", " ".repeat(values.len()));
    let tallest = labels.iter().map(String::len).max().unwrap_or(0);
    for i in 0..tallest {
        let line: String = labels.iter().map(|l| l.as_bytes().get(i).map_or(' ', |&b| b as char)).collect();
        let _ = writeln!(out, "{line}");
    }
}

/// LATENCY DOCTOR's report: Redis's wording when nothing was observed, otherwise a
/// line per event (spikes, average, mean deviation, period, worst) and advice for
/// the events DiskDB has.
pub fn doctor(events: &BTreeMap<String, Series>, threshold_ms: u64) -> String {
    if events.is_empty() {
        if threshold_ms == 0 {
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".into();
        }
        return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n".into();
    }
    let mut out = String::from("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
    for (i, (name, s)) in events.iter().enumerate() {
        let n = s.samples.len() as u64;
        let avg = s.samples.iter().map(|x| x.ms).sum::<u64>() / n.max(1);
        let mad = s.samples.iter().map(|x| x.ms.abs_diff(avg)).sum::<u64>() / n.max(1);
        let period = match (s.samples.front(), s.samples.back()) {
            (Some(a), Some(b)) if n > 1 => (b.time - a.time) as f64 / n as f64,
            _ => 0.0,
        };
        let _ = writeln!(
            out,
            "{}. {name}: {n} latency spikes (average {avg}ms, mean deviation {mad}ms, period {period:.2} sec). Worst all time event {}ms.",
            i + 1,
            s.max
        );
    }
    out.push_str("\nI have a few advices for you:\n\n");
    if events.contains_key("command") || events.contains_key("fast-command") {
        out.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
    }
    if events.contains_key("wal-sync") {
        out.push_str("- Syncing RocksDB's write-ahead log is slow: the disk is saturated or slow. Consider appendfsync everysec or no, or a faster disk.\n");
    }
    if events.contains_key("expire-cycle") {
        out.push_str("- The active expire cycle took long: many keys expire at the same time. Spreading their TTLs avoids that.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_second_the_worst() {
        let mut s = Series::default();
        s.add(10, 5);
        s.add(10, 9);
        s.add(10, 3);
        s.add(11, 4);
        let got: Vec<(i64, u64)> = s.samples().map(|x| (x.time, x.ms)).collect();
        assert_eq!(got, [(10, 9), (11, 4)]);
        assert_eq!(s.max, 9);
        for t in 0..200 {
            s.add(100 + t, 1);
        }
        assert_eq!(s.samples().count(), SERIES_LEN);
    }

    #[test]
    fn graph_like_redis() {
        // Redis 7.0 drew this for two samples of 200 and 300 ms, 1 s and 0 s old.
        let mut s = Series::default();
        s.add(100, 200);
        s.add(101, 300);
        let g = graph("command", &s, 101);
        let want = format!(
            "command - high 300 ms, low 200 ms (all time high 300 ms)\n{}\n #\n |\n |\n_|\n  \n10\nss\n",
            "-".repeat(80)
        );
        assert_eq!(g, want);
    }
}

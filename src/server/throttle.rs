//! Request rate limits, DiskDB's own (Redis has none): `maxrequests-per-client` and
//! `maxrequests-global`, requests per second, 0 for none.
//!
//! Each is a token bucket holding at most one second of requests: a client (or all
//! clients together) may burst up to the limit and is then held to it. A request over
//! the limit is never failed: the connection writes the replies it has, then waits
//! before running the next command, and reads nothing more from its socket meanwhile, so
//! the sender's writes back up (backpressure). It waits before `execute`, so it holds no
//! key lock and no database gate while it waits. INFO stats shows `throttled_clients`
//! (waiting now) and `total_throttled_requests`.

use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// A token bucket refilled at `rate` per second, holding at most `rate` (at least 1).
#[derive(Debug)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(rate: u64, now: Instant) -> Bucket {
        Bucket { tokens: (rate as f64).max(1.0), last: now }
    }

    /// Takes one token, or answers how long until one is there.
    pub fn take(&mut self, rate: u64, now: Instant) -> Result<(), Duration> {
        let cap = (rate as f64).max(1.0);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate as f64).min(cap);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate as f64).max(Duration::from_micros(50)))
        }
    }

    /// Gives a token back (taken from this bucket when another refused the request).
    pub fn refund(&mut self) {
        self.tokens += 1.0;
    }
}

/// The server-wide bucket and the counters INFO shows.
#[derive(Default)]
pub struct Global {
    bucket: Mutex<Option<Bucket>>,
    /// Clients waiting for their rate limit now.
    pub waiting: AtomicUsize,
    /// Requests that had to wait, since start (or CONFIG RESETSTAT).
    pub throttled: AtomicU64,
}

impl Global {
    /// Takes one request from the global budget at `rate` per second.
    pub fn take(&self, rate: u64, now: Instant) -> Result<(), Duration> {
        let mut b = self.bucket.lock();
        b.get_or_insert_with(|| Bucket::new(rate, now)).take(rate, now)
    }
}

/// Asks both limits for one request of a client whose own bucket is `own`: `Ok` when it
/// may run now, else how long to wait before asking again.
pub fn admit(global: &Global, own: &mut Option<Bucket>, per_client: u64, all: u64) -> Result<(), Duration> {
    let now = Instant::now();
    if per_client > 0 {
        own.get_or_insert_with(|| Bucket::new(per_client, now)).take(per_client, now)?;
    }
    if all > 0 {
        if let Err(wait) = global.take(all, now) {
            if let Some(b) = own.as_mut().filter(|_| per_client > 0) {
                b.refund();
            }
            return Err(wait);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_of_its_rate_then_its_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::new(10, t0);
        for _ in 0..10 {
            assert!(b.take(10, t0).is_ok());
        }
        let wait = b.take(10, t0).unwrap_err();
        assert!(wait > Duration::from_millis(90) && wait <= Duration::from_millis(100), "{wait:?}");
        assert!(b.take(10, t0 + Duration::from_millis(100)).is_ok());
        assert!(b.take(10, t0 + Duration::from_millis(100)).is_err());
        // Idle time refills no more than one second's worth.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..10 {
            assert!(b.take(10, later).is_ok());
        }
        assert!(b.take(10, later).is_err());
    }

    #[test]
    fn a_global_refusal_gives_the_clients_token_back() {
        let g = Global::default();
        let mut own = None;
        assert!(admit(&g, &mut own, 5, 1).is_ok());
        assert!(admit(&g, &mut own, 5, 1).is_err());
        // The client's bucket still holds 4 tokens: only the global one ran out.
        let b = own.as_mut().unwrap();
        let now = Instant::now();
        for _ in 0..4 {
            assert!(b.take(5, now).is_ok());
        }
    }
}

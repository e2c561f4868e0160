//! The access clock behind OBJECT IDLETIME / FREQ and eviction: when each key was last
//! read or written, and how often (Redis's LRU clock and LFU counter).
//!
//! Redis keeps 24 bits of LRU or LFU state in every object. DiskDB keeps values on disk,
//! so the state lives in a fixed in-memory table instead: the key's hash picks one of
//! 2^20 slots (8 MiB whatever the number of keys), each one `u64`:
//!
//! ```text
//! bits  0..44  last access, ms since the clock's epoch (START before the server started)
//! bits 44..52  LFU counter, logarithmic as in Redis (lfu-log-factor), 0..=255
//! bits 52..64  minute (mod 4096) the counter was last decayed (lfu-decay-time)
//! ```
//!
//! Both halves are kept on every access, whatever `maxmemory-policy` says, so switching
//! between LRU and LFU policies takes effect at once. Keys sharing a slot share its
//! state: IDLETIME can under-report, and FREQ over-report, for a key that collides with a
//! busier one (with many millions of keys eviction thus works on groups of keys). A slot
//! never written reads as accessed when the server started, with Redis's initial counter,
//! as Redis dates every key loaded at start-up to the load.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

const SLOTS: usize = 1 << 20;
/// The server's start reads as this many ms, so RESTORE IDLETIME can date a key up to
/// ~139 years before it (larger values are clamped).
const START: u64 = 1 << 42;
const TIME_MASK: u64 = (1 << 44) - 1;
/// Redis's LFU_INIT_VAL: the counter of a key never accessed.
pub const LFU_INIT: u8 = 5;

pub struct AccessClock {
    started: Instant,
    slots: Box<[AtomicU64]>,
    /// `lfu-log-factor` and `lfu-decay-time`, set by the configuration.
    log_factor: AtomicU32,
    decay_minutes: AtomicU32,
}

impl Default for AccessClock {
    fn default() -> Self {
        AccessClock {
            started: Instant::now(),
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            log_factor: AtomicU32::new(10),
            decay_minutes: AtomicU32::new(1),
        }
    }
}

fn slot(db: u8, key: &[u8]) -> usize {
    crate::storage::keys::spread(db as u64, key) as usize & (SLOTS - 1)
}

/// One slot's state, unpacked.
#[derive(Clone, Copy, Debug, PartialEq)]
struct State {
    at_ms: u64,
    counter: u8,
    decayed_minute: u16,
}

impl State {
    fn unpack(v: u64, start_minute: u16) -> State {
        if v == 0 {
            return State { at_ms: START, counter: LFU_INIT, decayed_minute: start_minute };
        }
        State { at_ms: v & TIME_MASK, counter: (v >> 44) as u8, decayed_minute: ((v >> 52) & 0xfff) as u16 }
    }

    fn pack(self) -> u64 {
        (self.at_ms & TIME_MASK).max(1) | (self.counter as u64) << 44 | ((self.decayed_minute & 0xfff) as u64) << 52
    }
}

impl AccessClock {
    fn now_ms(&self) -> u64 {
        self.ms_at(Instant::now())
    }

    /// The clock's reading at `at` (a time the caller has already read).
    fn ms_at(&self, at: Instant) -> u64 {
        (at.saturating_duration_since(self.started).as_millis() as u64 + START).min(TIME_MASK)
    }

    /// Minutes on Redis's 16-bit LFU clock, here 12 bits (wraps every ~68 hours; decay
    /// beyond that is capped anyway: 255 decay periods empty any counter).
    fn minute(now_ms: u64) -> u16 {
        ((now_ms / 60_000) & 0xfff) as u16
    }

    /// Sets `lfu-log-factor` and `lfu-decay-time`.
    pub fn configure(&self, (log_factor, decay_minutes): (u32, u32)) {
        self.log_factor.store(log_factor, Ordering::Relaxed);
        self.decay_minutes.store(decay_minutes, Ordering::Relaxed);
    }

    fn load(&self, i: usize, now: u64) -> State {
        let s = State::unpack(self.slots[i].load(Ordering::Relaxed), Self::minute(START));
        State { at_ms: s.at_ms.min(now), ..s }
    }

    /// The counter after decay: one step per `lfu-decay-time` minutes since it was last
    /// decayed (Redis's LFUDecrAndReturn).
    fn decayed(&self, s: State, now: u64) -> u8 {
        let period = self.decay_minutes.load(Ordering::Relaxed);
        if period == 0 {
            return s.counter;
        }
        let elapsed = (Self::minute(now).wrapping_sub(s.decayed_minute) & 0xfff) as u32;
        s.counter.saturating_sub((elapsed / period).min(255) as u8)
    }

    /// Records an access to `key` now: the time, and a logarithmic increment of the
    /// counter (Redis's LFULogIncr: likelier the smaller the counter).
    pub fn touch(&self, db: u8, key: &[u8]) {
        self.touch_at(db, key, Instant::now())
    }

    /// [`AccessClock::touch`] as of `at`: a command dates every access to the time it
    /// started, so it reads the clock once, not once per key.
    pub fn touch_at(&self, db: u8, key: &[u8], at: Instant) {
        let i = slot(db, key);
        let now = self.ms_at(at);
        let old = self.load(i, now);
        let mut counter = self.decayed(old, now);
        if counter < 255 {
            let base = counter.saturating_sub(LFU_INIT) as f64;
            let p = 1.0 / (base * self.log_factor.load(Ordering::Relaxed) as f64 + 1.0);
            if fastrand::f64() < p {
                counter += 1;
            }
        }
        let new = State { at_ms: now, counter, decayed_minute: Self::minute(now) };
        // Skip the store when nothing changed: no cache-line traffic for a hot key read
        // many times a millisecond.
        if new != old {
            self.slots[i].store(new.pack(), Ordering::Relaxed);
        }
    }

    /// Records that `key` was last accessed `idle` seconds ago (RESTORE IDLETIME).
    pub fn set_idle(&self, db: u8, key: &[u8], idle: u64) {
        let i = slot(db, key);
        let now = self.now_ms();
        let s = self.load(i, now);
        let at_ms = now.saturating_sub(idle.saturating_mul(1000)).max(1);
        self.slots[i].store(State { at_ms, ..s }.pack(), Ordering::Relaxed);
    }

    /// Sets the access counter of `key` (RESTORE FREQ), as of now.
    pub fn set_freq(&self, db: u8, key: &[u8], freq: u8) {
        let i = slot(db, key);
        let now = self.now_ms();
        let s = self.load(i, now);
        self.slots[i].store(State { counter: freq, decayed_minute: Self::minute(now), ..s }.pack(), Ordering::Relaxed);
    }

    /// Seconds since `key` was last accessed (OBJECT IDLETIME).
    pub fn idle(&self, db: u8, key: &[u8]) -> u64 {
        self.idle_ms(db, key) / 1000
    }

    /// Milliseconds since `key` was last accessed: the LRU policies' score.
    pub fn idle_ms(&self, db: u8, key: &[u8]) -> u64 {
        let now = self.now_ms();
        now - self.load(slot(db, key), now).at_ms
    }

    /// The access counter of `key` after decay (OBJECT FREQ; the LFU policies' score).
    pub fn freq(&self, db: u8, key: &[u8]) -> u8 {
        let now = self.now_ms();
        self.decayed(self.load(slot(db, key), now), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restored_idle_time_counts_up_from_the_given_age() {
        let c = AccessClock::default();
        c.set_idle(0, b"k", 100);
        assert!((100..=101).contains(&c.idle(0, b"k")));
        c.touch(0, b"k");
        assert_eq!(c.idle(0, b"k"), 0);
        // Another database is another key.
        c.set_idle(1, b"k", 50);
        assert_eq!(c.idle(0, b"k"), 0);
    }

    #[test]
    fn a_key_never_seen_reads_as_accessed_at_start_with_the_initial_counter() {
        let c = AccessClock::default();
        assert_eq!(c.freq(0, b"never"), LFU_INIT);
        assert_eq!(c.idle(0, b"never"), 0);
    }

    #[test]
    fn the_counter_grows_logarithmically_and_restore_sets_it() {
        let c = AccessClock::default();
        // Log factor 0: every access counts, as in Redis.
        c.configure((0, 1));
        for _ in 0..10 {
            c.touch(0, b"hot");
        }
        assert_eq!(c.freq(0, b"hot"), LFU_INIT + 10);
        // Log factor 10: 1000 accesses give a counter near 18 (Redis's table: 100 hits
        // -> 10, 1000 -> 18 with factor 10), far below 1000.
        c.configure((10, 1));
        for _ in 0..1000 {
            c.touch(0, b"warm");
        }
        let f = c.freq(0, b"warm");
        assert!((10..=30).contains(&f), "{f}");
        c.set_freq(0, b"warm", 200);
        assert_eq!(c.freq(0, b"warm"), 200);
        c.touch(0, b"capped");
        c.set_freq(0, b"capped", 255);
        c.touch(0, b"capped");
        assert_eq!(c.freq(0, b"capped"), 255);
    }

    #[test]
    fn the_counter_decays_one_step_per_decay_period() {
        let c = AccessClock::default();
        let s = State { at_ms: START, counter: 20, decayed_minute: 10 };
        let now = START + 60_000 * 1000; // far later
        c.configure((10, 1));
        let minute_now = AccessClock::minute(now);
        let s = State { decayed_minute: minute_now.wrapping_sub(7) & 0xfff, ..s };
        assert_eq!(c.decayed(s, now), 13);
        c.configure((10, 0));
        assert_eq!(c.decayed(s, now), 20, "decay time 0: never decays");
        let unpacked = State::unpack(s.pack(), 0);
        assert_eq!(unpacked, s);
    }
}

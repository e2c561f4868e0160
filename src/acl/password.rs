//! Password hashes and the AUTH failure limit.
//!
//! Redis keeps SHA-256 hex digests (`>pw` stores the digest, `#hex` gives it). Beyond
//! Redis, `#$argon2id$...` accepts an Argon2id PHC string, so an operator can keep slow
//! hashes at rest; checking one takes tens of milliseconds, so the connection runs it
//! on a blocking thread before the command ([`super::Acl::argon2_proof`]).
//!
//! The AUTH limit ([`AuthLimiter`]): after [`FAILURES`] failed AUTH or HELLO ... AUTH
//! from one client address within [`WINDOW`], every further attempt from that address
//! waits [`DELAY`] before it is checked, until a whole window passes without a failure.
//! The reply stays Redis's WRONGPASS; only the pace changes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::user::RuleError;

/// SHA-256 of `pass` as 64 lowercase hex digits (Redis's `ACLHashPassword`).
pub fn sha256_hex(pass: &[u8]) -> String {
    let digest = Sha256::digest(pass);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Validates the hash of a `#` or `!` rule: 64 lowercase hex digits (Redis), or an
/// Argon2id PHC string (DiskDB's addition).
pub fn check_hash(hash: &[u8]) -> Result<String, RuleError> {
    if hash.len() == 64 && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Ok(String::from_utf8_lossy(hash).into_owned());
    }
    if hash.starts_with(b"$argon2id$") {
        if let Ok(text) = std::str::from_utf8(hash) {
            let parsed = argon2::PasswordHash::new(text);
            let complete = parsed.is_ok_and(|p| p.algorithm.as_str() == "argon2id" && p.salt.is_some() && p.hash.is_some());
            if complete && !super::user::has_spaces(hash) {
                return Ok(text.to_string());
            }
        }
    }
    Err(RuleError::BadHash)
}

pub fn is_argon2(hash: &str) -> bool {
    hash.starts_with("$argon2id$")
}

/// Checks `pass` against an Argon2id PHC string. Slow by design: never on the command
/// path.
pub fn verify_argon2(hash: &str, pass: &[u8]) -> bool {
    use argon2::PasswordVerifier;
    match argon2::PasswordHash::new(hash) {
        Ok(parsed) => argon2::Argon2::default().verify_password(pass, &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Compares without an early exit, so the time taken does not reveal the password.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Failures from one address within [`WINDOW`] before attempts are slowed.
pub const FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
pub const DELAY: Duration = Duration::from_secs(1);

/// AUTH failures per client address (the host part: every port of one host counts
/// together).
#[derive(Default)]
pub struct AuthLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    /// Attempts made to wait (INFO `acl_auth_throttled`, DiskDB's own).
    pub throttled: std::sync::atomic::AtomicU64,
}

/// The host of `ip:port` (or the whole text for a Unix socket's address).
fn host(addr: &str) -> &str {
    match addr.rsplit_once(':') {
        Some((h, _)) if !h.is_empty() => h,
        _ => addr,
    }
}

impl AuthLimiter {
    /// Notes a failed attempt from `addr`.
    pub fn failed(&self, addr: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock();
        if map.len() > 100_000 {
            map.retain(|_, (_, last)| now.duration_since(*last) < WINDOW);
        }
        let entry = map.entry(host(addr).to_string()).or_insert((0, now));
        if now.duration_since(entry.1) >= WINDOW {
            entry.0 = 0;
        }
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
    }

    /// How long an attempt from `addr` waits before it is checked.
    pub fn delay(&self, addr: &str) -> Option<Duration> {
        let map = self.failures.lock();
        let (count, last) = map.get(host(addr))?;
        if *count >= FAILURES && last.elapsed() < WINDOW {
            self.throttled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some(DELAY)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_redis_digest() {
        assert_eq!(sha256_hex(b"pw"), "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4");
        assert!(check_hash(b"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8").is_ok());
        assert!(check_hash(b"5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8").is_err());
        assert!(check_hash(b"$argon2id$nonsense").is_err());
    }

    #[test]
    fn argon2_hashes_verify() {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let hash = argon2::Argon2::default().hash_password(b"secret", &salt).unwrap().to_string();
        assert_eq!(check_hash(hash.as_bytes()).unwrap(), hash);
        assert!(verify_argon2(&hash, b"secret"));
        assert!(!verify_argon2(&hash, b"wrong"));
    }

    #[test]
    fn failures_slow_one_address() {
        let l = AuthLimiter::default();
        for _ in 0..FAILURES {
            assert!(l.delay("10.0.0.1:5000").is_none());
            l.failed("10.0.0.1:5000");
        }
        assert_eq!(l.delay("10.0.0.1:6000"), Some(DELAY));
        assert!(l.delay("10.0.0.2:5000").is_none());
    }
}

//! The byte layout of every record. Integers are big-endian so that RocksDB's bytewise
//! order is numeric order; scores use an order-preserving encoding.
//!
//! ```text
//! meta   : [db u8][user key]                     -> types::meta::Meta
//! owner  : [version u64]                         -> [db u8][user key]
//! sub    : [version u64][sub]                    -> value
//! score  : [version u64][score 8][member]        -> ""
//! expire : [db u8][deadline ms u64][user key]    -> ""
//! stats  : b"keys" | b"expires" | b"deadlines", then [db u8] -> i64 little-endian
//! ```
//! A collection's sub-keys carry only the version of the metadata that owns them, never
//! the key's name or database: deleting or overwriting a key is one metadata write, and
//! RENAME, MOVE and SWAPDB never touch elements. The owner record says which key a
//! version belongs to; the compaction filter in [`super::rocks`] drops a sub-key whose
//! owner's metadata no longer carries its version. Versions are unique for the life of
//! the data directory (see `Store::open`).

/// Metadata key of `key` in physical database `db`.
pub fn meta_key(db: u8, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + key.len());
    out.push(db);
    out.extend_from_slice(key);
    out
}

/// The first byte after every metadata key of `db`.
pub fn db_bounds(db: u8) -> (Vec<u8>, Vec<u8>) {
    match db.checked_add(1) {
        Some(next) => (vec![db], vec![next]),
        // The last possible database: bound by a long run of 0xff (a user key would
        // have to start with 32 0xff bytes to fall outside).
        None => (vec![db], vec![0xff; 33]),
    }
}

/// Prefix shared by every sub-key of one collection version.
pub fn sub_prefix(version: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + 16);
    out.extend_from_slice(&version.to_be_bytes());
    out
}

/// Full sub-key: the version followed by `sub`.
pub fn sub_key(version: u64, sub: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + sub.len());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(sub);
    out
}

/// The version a sub-key (or score-index key, or owner key) belongs to.
pub fn version_of_sub(raw: &[u8]) -> Option<u64> {
    raw.get(..8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
}

/// Owner record key for `version`.
pub fn owner_key(version: u64) -> Vec<u8> {
    version.to_be_bytes().to_vec()
}

/// Owner record value: the metadata key that owns the version.
pub fn owner_value(db: u8, key: &[u8]) -> Vec<u8> {
    meta_key(db, key)
}

/// The smallest key greater than every key starting with `prefix`.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xff; prefix.len() + 1]
}

/// Expiry-index key.
pub fn expire_key(db: u8, deadline_ms: i64, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(9 + key.len());
    out.push(db);
    out.extend_from_slice(&(deadline_ms.max(0) as u64).to_be_bytes());
    out.extend_from_slice(key);
    out
}

/// Splits an expiry-index key into `(db, deadline, user key)`.
pub fn parse_expire_key(raw: &[u8]) -> Option<(u8, i64, &[u8])> {
    let (&db, rest) = raw.split_first()?;
    let deadline = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?) as i64;
    Some((db, deadline, &rest[8..]))
}

pub fn keys_counter(db: u8) -> Vec<u8> {
    let mut k = b"keys".to_vec();
    k.push(db);
    k
}

/// Sum of the expiry deadlines (Unix seconds) of the keys with a TTL, for `avg_ttl`.
pub fn deadlines_counter(db: u8) -> Vec<u8> {
    let mut k = b"deadlines".to_vec();
    k.push(db);
    k
}

pub fn expires_counter(db: u8) -> Vec<u8> {
    let mut k = b"expires".to_vec();
    k.push(db);
    k
}

/// Order-preserving encoding of an f64: bytewise order equals numeric order, with
/// -inf < negatives < -0.0 < 0.0 < positives < +inf. (-0.0 and 0.0 are kept apart so a
/// score round-trips exactly; range queries treat them as equal by bounds.)
pub fn encode_score(score: f64) -> [u8; 8] {
    let bits = score.to_bits();
    let ordered = if bits & (1 << 63) != 0 { !bits } else { bits | (1 << 63) };
    ordered.to_be_bytes()
}

pub fn decode_score(raw: &[u8]) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&raw[..8]);
    let ordered = u64::from_be_bytes(b);
    let bits = if ordered & (1 << 63) != 0 { ordered & !(1 << 63) } else { !ordered };
    f64::from_bits(bits)
}

/// FNV-1a of `bytes` after `seed`, with the high bits folded in: for spreading short
/// keys over stripes, shards and slots (once per key per command, so it must be cheap;
/// it need not resist adversaries, a collision only shares a lock or a slot).
pub fn spread(seed: u64, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325 ^ seed;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_key_carries_version() {
        let k = sub_key(42, b"field");
        assert_eq!(version_of_sub(&k), Some(42));
        assert_eq!(&k[8..], b"field");
        assert!(sub_key(41, b"zzz") < sub_key(42, b""));
    }

    #[test]
    fn score_order_is_numeric() {
        let xs = [f64::NEG_INFINITY, -1e300, -1.5, -0.0, 0.0, 1e-300, 2.0, f64::INFINITY];
        let enc: Vec<_> = xs.iter().map(|&x| encode_score(x)).collect();
        for w in enc.windows(2) {
            assert!(w[0] < w[1]);
        }
        for &x in &xs {
            assert_eq!(decode_score(&encode_score(x)).to_bits(), x.to_bits());
        }
    }

    #[test]
    fn prefix_end_carries() {
        assert_eq!(prefix_end(&[1, 0xff]), vec![2]);
        assert_eq!(prefix_end(&[1, 2]), vec![1, 3]);
    }
}

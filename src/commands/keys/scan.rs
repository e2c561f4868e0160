//! Walking the keyspace: KEYS, SCAN (with its resume points) and RANDOMKEY. Their specs
//! are at the end of [`super`].

use std::sync::OnceLock;

use bytes::Bytes;

use crate::commands::cursor::{self, Cursors};
use crate::commands::context::Ctx;
use crate::error::{Error, Result};
use crate::glob;
use crate::protocol::Reply;
use crate::storage::{keys as layout, Cf, Range};
use crate::types::{sample, Meta};
use super::parse::ScanArgs;

/// Range of every metadata key of physical database `db`.
fn db_range(db: u8) -> (Vec<u8>, Vec<u8>) {
    layout::db_bounds(db)
}

/// The literal bytes a glob pattern starts with: every match starts with them, so the
/// walk can be limited to keys with that prefix.
fn literal_prefix(pattern: &[u8]) -> &[u8] {
    let end = pattern.iter().position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\')).unwrap_or(pattern.len());
    &pattern[..end]
}

/// `KEYS pattern`: every live key matching the glob pattern. O(N) in the keys of the
/// database (only keys sharing the pattern's literal prefix are walked).
pub(super) fn keys(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let pattern = &argv[1][..];
    let all = pattern == b"*";
    let db = ctx.txn.db;
    let start = layout::meta_key(db, literal_prefix(pattern));
    let end = if start.len() > 1 { layout::prefix_end(&start) } else { db_range(db).1 };
    let now = ctx.txn.now;
    let mut out = Vec::new();
    ctx.txn.scan(Cf::Meta, Range { start: &start, end: &end, reverse: false }, &mut |k, v| {
        let key = &k[1..];
        if (all || glob::matches(pattern, key, false)) && Meta::decode_header(v).is_some_and(|m| !m.is_expired(now)) {
            out.push(Reply::Bulk(Bytes::copy_from_slice(key)));
        }
        true
    })?;
    Ok(Reply::Array(out))
}

/// SCAN's resume points; an unknown cursor is refused with `ERR invalid cursor` rather
/// than silently restarting the walk.
fn cursors() -> &'static Cursors {
    static CURSORS: OnceLock<Cursors> = OnceLock::new();
    CURSORS.get_or_init(|| Cursors::new(CURSOR_SLOTS))
}

const CURSOR_SLOTS: usize = 1 << 14;

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: `[next cursor, keys]`; the
/// iteration is complete when the cursor is 0. Each call examines about COUNT keys
/// (default 10), so with MATCH or TYPE a call may return few or none. Expired keys are
/// skipped; an unknown TYPE matches nothing. O(1) per call, O(N) for a full iteration.
/// Errors: `ERR invalid cursor`; COUNT not an integer; COUNT < 1 or an unknown option:
/// syntax error.
pub(super) fn scan(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cursor = cursor::parse(&argv[1])?;
    let ScanArgs { count, pattern, type_name } = ScanArgs::parse(argv)?;
    let resume = match cursor {
        0 => None,
        id => Some(cursors().load(id).ok_or(Error::InvalidCursor)?),
    };
    let db = ctx.txn.db;
    let low = layout::meta_key(db, pattern.map(literal_prefix).unwrap_or_default());
    let end = if low.len() > 1 { layout::prefix_end(&low) } else { db_range(db).1 };
    let start = match resume {
        Some(after) => {
            let mut s = layout::meta_key(db, &after);
            s.push(0);
            s.max(low)
        }
        None => low,
    };
    let now = ctx.txn.now;
    let (mut examined, mut more, mut last) = (0i64, false, Vec::new());
    let mut out = Vec::new();
    if start < end {
        ctx.txn.scan(Cf::Meta, Range { start: &start, end: &end, reverse: false }, &mut |k, v| {
            if examined == count {
                more = true;
                return false;
            }
            examined += 1;
            let key = &k[1..];
            last.clear();
            last.extend_from_slice(key);
            let Some(meta) = Meta::decode_header(v).filter(|m| !m.is_expired(now)) else { return true };
            if pattern.is_some_and(|p| !glob::matches(p, key, false)) {
                return true;
            }
            if type_name.is_some_and(|t| !t.eq_ignore_ascii_case(meta.kind.type_name().as_bytes())) {
                return true;
            }
            out.push(Reply::Bulk(Bytes::copy_from_slice(key)));
            true
        })?;
    }
    let next = if more { cursors().save(Bytes::from(last)) } else { 0 };
    Ok(Reply::Array(vec![Reply::Bulk(Bytes::from(next.to_string())), Reply::Array(out)]))
}

/// `RANDOMKEY`: a random live key, or nil if the database has none. Up to 10,000 keys
/// the pick is uniform (a walk to a random index). Beyond, keys are stored in order, not
/// in a hash table, so the pick descends the key space at random (O(key length) seeks)
/// and then walks forward a random number of keys (at most 2048): cheap whatever the
/// size, it spreads over the whole database but is not uniform (a key right after a
/// large gap in the key space comes up less often).
pub(super) fn randomkey(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(sample::random_key(&ctx.txn)?.map_or(Reply::Nil, Reply::Bulk))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix(b"user:*"), b"user:");
        assert_eq!(literal_prefix(b"*"), b"");
        assert_eq!(literal_prefix(b"a?c"), b"a");
        assert_eq!(literal_prefix(b"ab\\*"), b"ab");
        assert_eq!(literal_prefix(b"plain"), b"plain");
    }

    #[test]
    fn cursors_round_trip_and_expire() {
        let c = cursors();
        let id = c.save(Bytes::from_static(b"k1"));
        assert_ne!(id, 0);
        assert_eq!(c.load(id), Some(Bytes::from_static(b"k1")));
        assert_eq!(c.load(id + CURSOR_SLOTS as u64), None);
    }
}

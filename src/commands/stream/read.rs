//! XREAD and XREADGROUP: the handlers (their specs are in `commands/stream.rs`). Each
//! serves what it can at once; when nothing is there and BLOCK was given, it asks to
//! block on its keys (see `commands/blocking.rs`) and is run again when one is written.
//!
//! On a re-run (`Session::block_retry`) the command behaves as Redis serves a blocked
//! client: XREAD keeps waiting on a key that is missing or of another type; XREADGROUP
//! ends with `UNBLOCKED the stream key no longer exists` when its key was deleted (or
//! now holds another type) and with `NOGROUP the consumer group this client was blocked
//! on no longer exists` when its group was destroyed; a read without COUNT serves at
//! most 1000 entries. XREAD's `$` (and `+`) is resolved once, when the client blocks:
//! the re-run reads after that ID. Unlike Redis, which answers a woken reader with the
//! one stream that was written, a re-run answers every stream that has entries.

use std::time::Duration;

use bytes::Bytes;

use super::parse::{self, ReadArgs, ReadFrom};
use super::{entries_reply, entry_reply, id_reply, Ctx, Error, Reply, Result};
use crate::types::stream::{self, Nack, Stream, StreamId, StreamMut, INVALID_ENTRIES_READ};
use crate::notify::STREAM;
use crate::types::Access;

/// The COUNT Redis gives a blocked reader that gave none (`XREAD_BLOCKED_DEFAULT_COUNT`).
const BLOCKED_DEFAULT_COUNT: u64 = 1000;

/// The reply of a read: per stream served, `[key, entries]` (RESP2) or a map from key
/// to entries (RESP3).
fn read_reply(served: Vec<(Bytes, Reply)>, resp: u8) -> Reply {
    if resp >= 3 {
        Reply::Map(served.into_iter().map(|(k, v)| (Reply::Bulk(k), v)).collect())
    } else {
        Reply::Array(served.into_iter().map(|(k, v)| Reply::Array(vec![Reply::Bulk(k), v])).collect())
    }
}

/// The block timeout of a BLOCK in milliseconds (0: for ever).
fn timeout(ms: u64) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms))
}

fn count(ctx: &Ctx<'_>, a: &ReadArgs) -> u64 {
    if a.count == 0 && ctx.session.block_retry {
        BLOCKED_DEFAULT_COUNT
    } else {
        a.count
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]`: for each
/// stream, the entries after its ID (`$`: the stream's last ID, so only entries added
/// from now on; `+`: its last entry), at most COUNT per stream; streams with none are
/// left out; a null array when none has any. With BLOCK, waits that long (0: for ever)
/// for an entry on any of them. O(entries returned). Errors: `ERR Unbalanced XREAD
/// list of streams ...`, `ERR The > ID can be specified only when calling XREADGROUP
/// ...`, `ERR Invalid stream ID ...`, `ERR timeout is not an integer or out of range`,
/// `ERR timeout is negative`, `ERR syntax error`; WRONGTYPE.
pub(super) fn xread(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = parse::read_args(argv, false)?;
    let keys = &argv[a.streams..a.streams + a.n];
    let raw_ids = &argv[a.streams + a.n..];
    let retry = ctx.session.block_retry;
    let mut streams: Vec<Option<Stream>> = Vec::with_capacity(a.n);
    let mut after = Vec::with_capacity(a.n);
    let mut resolved = false;
    for (key, raw) in keys.iter().zip(raw_ids) {
        let s = match stream::open(&mut ctx.txn, key, Access::Read) {
            Err(Error::WrongType) if retry => None,
            other => other?,
        };
        let gt = match parse::read_from(raw, false)? {
            ReadFrom::After(id) => id,
            ReadFrom::Last => {
                resolved = true;
                s.as_ref().map_or(StreamId::MIN, |s| s.info.last_id)
            }
            ReadFrom::LastEntry => {
                resolved = true;
                match &s {
                    Some(s) if !s.is_empty() => s.last_entry_id(&ctx.txn)?.decr().unwrap_or(StreamId::MIN),
                    Some(s) => s.info.last_id,
                    None => StreamId::MIN,
                }
            }
            ReadFrom::New => unreachable!("refused by read_from"),
        };
        streams.push(s);
        after.push(gt);
    }
    let count = count(ctx, &a);
    let mut served = Vec::new();
    for (i, s) in streams.iter().enumerate() {
        if s.is_none() {
            // Redis 7.0 looks every key up a second time to serve it: a second `keymiss`.
            ctx.txn.notify(crate::notify::KEY_MISS, "keymiss", &keys[i]);
        }
        let (Some(s), Some(start)) = (s, after[i].incr()) else { continue };
        let entries = s.range(&ctx.txn, start, StreamId::MAX, count, false)?;
        if !entries.is_empty() {
            served.push((keys[i].clone(), entries_reply(entries)));
        }
    }
    if !served.is_empty() {
        return Ok(read_reply(served, ctx.session.resp));
    }
    if let Some(ms) = a.block {
        if resolved {
            // Wait for entries after the IDs `$` and `+` stand for now, not at wake-up.
            let mut rerun = argv.to_vec();
            for (i, id) in after.iter().enumerate() {
                rerun[a.streams + a.n + i] = id.to_bytes();
            }
            ctx.block_on_rerun(keys.to_vec(), timeout(ms), rerun);
        } else {
            ctx.block_on(keys.to_vec(), timeout(ms));
        }
    }
    Ok(Reply::NilArray)
}

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS
/// key [key ...] id [id ...]`: with `>`, the entries never delivered to the group, which
/// become pending for the consumer (unless NOACK) and move the group's last delivered
/// ID; with an ID, the consumer's own pending entries after it (a deleted entry as
/// `[id, nil]`), each delivered once more. With BLOCK and `>`, waits for new entries.
/// O(entries returned). Errors: `NOGROUP No such key '<key>' or consumer group
/// '<group>' in XREADGROUP with GROUP option`, `ERR Missing GROUP option for
/// XREADGROUP`, `ERR The $ ID is meaningless in the context of XREADGROUP ...`, and
/// XREAD's; WRONGTYPE.
pub(super) fn xreadgroup(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = parse::read_args(argv, true)?;
    let (group, consumer) = a.group.clone().expect("read_args requires GROUP");
    let keys = &argv[a.streams..a.streams + a.n];
    let raw_ids = &argv[a.streams + a.n..];
    let retry = ctx.session.block_retry;
    // One handle per distinct key: a key named twice is read through the same handle,
    // so its second turn sees what the first delivered.
    let mut handles: Vec<StreamMut<'_>> = Vec::with_capacity(a.n);
    let mut slots = Vec::with_capacity(a.n);
    let mut from = Vec::with_capacity(a.n);
    for (i, (key, raw)) in keys.iter().zip(raw_ids).enumerate() {
        let s = match stream::open(&mut ctx.txn, key, Access::Read) {
            // Redis serves a blocked XREADGROUP whose key now holds another type as if
            // the stream was deleted.
            Err(Error::WrongType) if retry => return Err(Error::StreamKeyDeleted),
            other => other?,
        };
        let slot = match keys[..i].iter().position(|k| k == key) {
            Some(j) => slots[j],
            None if s.is_some() => {
                handles.push(StreamMut::open(&mut ctx.txn, key)?.expect("the stream exists"));
                handles.len() - 1
            }
            None => usize::MAX,
        };
        let has_group = match handles.get_mut(slot) {
            Some(h) => h.group(&ctx.txn, &group)?.is_some(),
            None => false,
        };
        if !has_group {
            return Err(match (retry, s.is_some()) {
                (true, false) => Error::StreamKeyDeleted,
                (true, true) => Error::BlockedGroupDestroyed,
                _ => Error::NoGroupReadgroup { key: lossy(key), group: lossy(&group) },
            });
        }
        from.push(parse::read_from(raw, true)?);
        slots.push(slot);
    }
    let count = count(ctx, &a);
    let now = ctx.txn.now;
    let mut served = Vec::new();
    for (i, &slot) in slots.iter().enumerate() {
        let s = &mut handles[slot];
        let txn = &mut ctx.txn;
        let stored = s.stored();
        let mut out = Vec::new();
        match from[i] {
            ReadFrom::After(id) => {
                if s.see_consumer(txn, &group, &consumer, false)? {
                    txn.notify(STREAM, "xgroup-createconsumer", &keys[i]);
                }
                let Some(start) = id.incr() else {
                    served.push((keys[i].clone(), Reply::Array(out)));
                    continue;
                };
                for id in stored.consumer_pending(txn, &group, &consumer, start, StreamId::MAX, count)? {
                    match stored.entry(txn, id)? {
                        Some(fields) => {
                            if let Some(mut nack) = s.nack(txn, &group, id)? {
                                nack.delivered = now;
                                nack.deliveries += 1;
                                s.put_nack(txn, &group, id, nack)?;
                            }
                            out.push(entry_reply((id, fields)));
                        }
                        None => out.push(Reply::Array(vec![id_reply(id), Reply::NilArray])),
                    }
                }
            }
            _ => {
                let last = s.group(txn, &group)?.expect("checked").last_id;
                let Some(start) = last.incr() else { continue };
                let entries = stored.range(txn, start, StreamId::MAX, count, false)?;
                if entries.is_empty() {
                    continue;
                }
                if s.see_consumer(txn, &group, &consumer, true)? {
                    txn.notify(STREAM, "xgroup-createconsumer", &keys[i]);
                }
                for (id, fields) in entries {
                    let mut g = s.group(txn, &group)?.expect("checked");
                    if id > g.last_id {
                        if g.entries_read != INVALID_ENTRIES_READ && !stored.range_has_tombstones(id, StreamId::MAX) {
                            g.entries_read += 1;
                        } else if stored.info.entries_added > 0 {
                            g.entries_read = stored.estimate_entries_read(id);
                        }
                        g.last_id = id;
                        s.put_group(&group, g);
                    }
                    if !a.noack {
                        let nack = Nack { delivered: now, deliveries: 1, consumer: consumer.clone() };
                        s.deliver(txn, &group, id, nack)?;
                    }
                    out.push(entry_reply((id, fields)));
                }
            }
        }
        served.push((keys[i].clone(), Reply::Array(out)));
    }
    for s in handles {
        s.finish(&mut ctx.txn)?;
    }
    if !served.is_empty() {
        return Ok(read_reply(served, ctx.session.resp));
    }
    if let Some(ms) = a.block {
        ctx.block_on(keys.to_vec(), timeout(ms));
    }
    Ok(Reply::NilArray)
}

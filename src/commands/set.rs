//! Set commands: parse, call [`crate::types::set`], reply.

use bytes::Bytes;

use super::args::{self, is, Args};
use super::context::Ctx;
use super::cursor::{self, ScanOpts};
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, SET};
use crate::protocol::Reply;
use crate::types::set::{self, Set, SetMut, SetOp};
use crate::types::{Access, Collection};

fn bulks(members: impl IntoIterator<Item = Bytes>) -> Vec<Reply> {
    members.into_iter().map(Reply::Bulk).collect()
}

/// The set at `key` for a read command. Set reads have never counted in INFO's keyspace
/// hits and misses (see [`Access::Uncounted`]). WRONGTYPE for another type.
fn read(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Set>> {
    set::open(&mut ctx.txn, key, Access::Uncounted)
}

/// `SADD key member [member ...]`: how many members were new. O(N) for N members.
/// Errors: WRONGTYPE.
fn sadd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut s = SetMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let mut added = 0;
    for m in &argv[2..] {
        added += s.insert(&mut ctx.txn, m)? as i64;
    }
    s.finish(&mut ctx.txn)?;
    if added > 0 {
        ctx.notify(SET, "sadd", &argv[1]);
    }
    Ok(Reply::Int(added))
}

/// `SREM key member [member ...]`: how many members were removed; the key goes when
/// empty. O(N) for N members. Errors: WRONGTYPE.
fn srem(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(mut s) = SetMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let mut removed = 0;
    for m in &argv[2..] {
        removed += s.remove(&mut ctx.txn, m)? as i64;
    }
    let emptied = s.len() == 0;
    s.finish(&mut ctx.txn)?;
    if removed > 0 {
        ctx.notify(SET, "srem", &argv[1]);
        if emptied {
            ctx.notify(GENERIC, "del", &argv[1]);
        }
    }
    Ok(Reply::Int(removed))
}

/// `SISMEMBER key member`: 1 or 0. O(1). Errors: WRONGTYPE.
fn sismember(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(s) = read(ctx, &argv[1])? else { return Ok(Reply::Int(0)) };
    Ok(Reply::Int(s.contains(&ctx.txn, &argv[2])? as i64))
}

/// `SMISMEMBER key member [member ...]`: 1 or 0 per member. O(N). Errors: WRONGTYPE.
fn smismember(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let s = read(ctx, &argv[1])?;
    let mut out = Vec::with_capacity(argv.len() - 2);
    for m in &argv[2..] {
        let hit = match &s {
            Some(s) => s.contains(&ctx.txn, m)?,
            None => false,
        };
        out.push(Reply::Int(hit as i64));
    }
    Ok(Reply::Array(out))
}

/// `SMEMBERS key`: every member (a RESP3 set). O(N). Errors: WRONGTYPE.
fn smembers(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(s) = read(ctx, &argv[1])? else { return Ok(Reply::Set(Vec::new())) };
    Ok(Reply::Set(bulks(s.members(&ctx.txn)?)))
}

/// `SCARD key`: the number of members. O(1). Errors: WRONGTYPE.
fn scard(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(read(ctx, &argv[1])?.map_or(0, |s| s.len() as i64)))
}

/// A random count for SRANDMEMBER/ZRANDMEMBER: `(count, distinct)`; i64::MIN is refused.
pub(crate) fn random_count(raw: &[u8]) -> Result<(u64, bool)> {
    let n = args::int(raw)?;
    if n == i64::MIN {
        return Err(Error::OutOfSymmetricRange);
    }
    Ok((n.unsigned_abs(), n >= 0))
}

/// `SPOP key [count]`: removes and returns a random member (nil if none), or up to
/// `count` distinct random members (a RESP3 set). O(N) walk of the set for the picks.
/// Errors: WRONGTYPE, `ERR value is out of range, must be positive`, syntax error.
fn spop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::Syntax);
    }
    let count = match argv.get(2) {
        Some(raw) => Some(args::positive(raw)?),
        None => None,
    };
    let picked = set::pop_random(&mut ctx.txn, &argv[1], count.unwrap_or(1))?;
    Ok(match (picked, count) {
        (Some(picked), Some(_)) => Reply::Set(bulks(picked)),
        (None, Some(_)) => Reply::Set(Vec::new()),
        (picked, None) => Reply::opt_bulk(picked.and_then(|p| p.into_iter().next())),
    })
}

/// `SRANDMEMBER key [count]`: a random member (nil if none); with a count, up to `count`
/// distinct members, or `-count` members that may repeat. O(N) walk for the picks.
/// Errors: WRONGTYPE, `ERR value is not an integer or out of range`,
/// `ERR value is out of range, value must between ...`.
fn srandmember(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::Syntax);
    }
    let Some(raw) = argv.get(2) else {
        let Some(s) = read(ctx, &argv[1])? else { return Ok(Reply::Nil) };
        return Ok(Reply::opt_bulk(s.random(&ctx.txn, 1, true)?.into_iter().next()));
    };
    let (count, distinct) = random_count(raw)?;
    let Some(s) = read(ctx, &argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    let mut picked = s.random(&ctx.txn, count, distinct)?;
    fastrand::shuffle(&mut picked);
    Ok(Reply::Array(bulks(picked)))
}

/// `SMOVE source destination member`: moves `member`; 1 if it was in `source`.
/// O(1). Errors: WRONGTYPE (source, or an existing destination of another type).
fn smove(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (src, dst, member) = (&argv[1], &argv[2], &argv[3]);
    // Write lookups, as Redis's (no `keymiss`).
    let Some(from) = set::open(&mut ctx.txn, src, Access::Write)? else { return Ok(Reply::Int(0)) };
    set::open(&mut ctx.txn, dst, Access::Write)?;
    if src == dst {
        return Ok(Reply::Int(from.contains(&ctx.txn, member)? as i64));
    }
    let Some(mut from) = SetMut::open(&mut ctx.txn, src)? else { return Ok(Reply::Int(0)) };
    if !from.remove(&mut ctx.txn, member)? {
        return Ok(Reply::Int(0));
    }
    let emptied = from.len() == 0;
    from.finish(&mut ctx.txn)?;
    ctx.notify(SET, "srem", src);
    if emptied {
        ctx.notify(GENERIC, "del", src);
    }
    let mut to = SetMut::open_or_create(&mut ctx.txn, dst)?;
    let added = to.insert(&mut ctx.txn, member)?;
    to.finish(&mut ctx.txn)?;
    if added {
        ctx.notify(SET, "sadd", dst);
    }
    Ok(Reply::Int(1))
}

/// SINTER, SUNION and SDIFF: the members `op` makes of the sets at `keys`.
fn set_op(ctx: &mut Ctx<'_>, op: SetOp, keys: &[Bytes]) -> Result<Vec<Bytes>> {
    let sets = set::open_all(&mut ctx.txn, keys)?;
    set::combine(&ctx.txn, op, &sets)
}

/// `SINTER key [key ...]`: members common to all sets. O(N*M). Errors: WRONGTYPE.
fn sinter(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Set(bulks(set_op(ctx, SetOp::Inter, &argv[1..])?)))
}

/// `SUNION key [key ...]`: members of any set. O(N). Errors: WRONGTYPE.
fn sunion(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Set(bulks(set_op(ctx, SetOp::Union, &argv[1..])?)))
}

/// `SDIFF key [key ...]`: members of the first set in none of the others. O(N*M).
/// Errors: WRONGTYPE.
fn sdiff(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Set(bulks(set_op(ctx, SetOp::Diff, &argv[1..])?)))
}

fn store(ctx: &mut Ctx<'_>, argv: &[Bytes], op: SetOp) -> Result<Reply> {
    let members = set_op(ctx, op, &argv[2..])?;
    let existed = members.is_empty() && ctx.txn.get(&argv[1])?.is_some();
    let n = set::replace(&mut ctx.txn, &argv[1], members)?;
    if n > 0 {
        let event = match op {
            SetOp::Inter => "sinterstore",
            SetOp::Union => "sunionstore",
            SetOp::Diff => "sdiffstore",
        };
        ctx.notify(SET, event, &argv[1]);
    } else if existed {
        ctx.notify(GENERIC, "del", &argv[1]);
    }
    Ok(Reply::Int(n as i64))
}

/// `SINTERSTORE destination key [key ...]`: stores SINTER's result (deleting
/// `destination` if empty); its size. Errors: WRONGTYPE for a source.
fn sinterstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    store(ctx, argv, SetOp::Inter)
}

/// `SUNIONSTORE destination key [key ...]`: stores SUNION's result; its size.
fn sunionstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    store(ctx, argv, SetOp::Union)
}

/// `SDIFFSTORE destination key [key ...]`: stores SDIFF's result; its size.
fn sdiffstore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    store(ctx, argv, SetOp::Diff)
}

/// The arguments of SINTERCARD: `numkeys key [key ...] [LIMIT limit]`.
#[derive(Debug, PartialEq)]
struct InterCardArgs<'a> {
    keys: &'a [Bytes],
    /// 0: no limit.
    limit: u64,
}

impl<'a> InterCardArgs<'a> {
    /// Errors: `ERR numkeys should be greater than 0`, `ERR Number of keys can't be
    /// greater than number of args`, `ERR LIMIT can't be negative`, syntax error.
    fn parse(argv: &'a [Bytes]) -> Result<InterCardArgs<'a>> {
        let numkeys = args::parse_i64_strict(&argv[1])
            .filter(|&n| n >= 1)
            .ok_or(Error::NumkeysNotPositive)?;
        if numkeys as u64 > (argv.len() - 2) as u64 {
            return Err(Error::TooManyNumkeys);
        }
        let n = numkeys as usize;
        let mut limit = 0u64;
        let mut opts = Args::new(argv, 2 + n);
        while let Some(opt) = opts.next() {
            if is(opt, "limit") && opts.remaining() >= 1 {
                let l = args::parse_i64_strict(opts.value()?)
                    .filter(|&l| l >= 0)
                    .ok_or(Error::Negative("LIMIT"))?;
                limit = l as u64;
            } else {
                return Err(Error::Syntax);
            }
        }
        Ok(InterCardArgs { keys: &argv[2..2 + n], limit })
    }
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`: the size of the intersection,
/// counting stops at `limit` (0: no limit). Errors: `ERR numkeys should be greater than 0`,
/// `ERR Number of keys can't be greater than number of args`, `ERR LIMIT can't be
/// negative`, syntax error, WRONGTYPE.
fn sintercard(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = InterCardArgs::parse(argv)?;
    let sets = set::open_all(&mut ctx.txn, a.keys)?;
    Ok(Reply::Int(set::intersect(&ctx.txn, &sets, a.limit)?.len() as i64))
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: the next page of members; sets up
/// to 128 members come whole from cursor 0. Errors: `ERR invalid cursor`, syntax error,
/// WRONGTYPE. See `cursor` for what a cursor is.
fn sscan(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cursor = cursor::parse(&argv[2])?;
    let Some(s) = read(ctx, &argv[1])? else { return Ok(cursor::empty()) };
    let opts = ScanOpts::parse(argv, 3, false)?;
    let (next, page) = cursor::collection_page(&ctx.txn, s.meta(), cursor, opts.count)?;
    let items = page.into_iter().filter(|(m, _)| opts.wants(m)).map(|(m, _)| Reply::Bulk(m)).collect();
    Ok(cursor::reply(next, items))
}

/// Key positions of `<cmd> numkeys key [key ...] ...`.
fn numkeys_at_1(argv: &[Bytes]) -> Vec<usize> {
    match argv.get(1).and_then(|n| args::parse_i64_strict(n)) {
        Some(n) if n > 0 => (2..argv.len().min(2 + n as usize)).collect(),
        _ => Vec::new(),
    }
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "sadd", arity: -3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "set", handler: sadd,
        summary: "Add one or more members to a set", since: "1.0.0",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        docs: "key#0 member...
            history 2.4.0:    Accepts multiple `member` arguments.
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "srem", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "set", handler: srem,
        summary: "Remove one or more members from a set", since: "1.0.0",
        complexity: "O(N) where N is the number of members to be removed.",
        docs: "key#0 member...
            history 2.4.0:    Accepts multiple `member` arguments.
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "sismember", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "set", handler: sismember,
        summary: "Determine if a given value is a member of a set", since: "1.0.0", complexity: "O(1)",
        docs: "key#0 member
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "smismember", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "set", handler: smismember,
        summary: "Returns the membership associated with the given elements for a set", since: "6.2.0",
        complexity: "O(N) where N is the number of elements being checked for membership",
        docs: "key#0 member...
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "smembers", arity: 2, flags: READONLY, keys: Keys::one(), group: "set", handler: smembers,
        summary: "Get all the members in a set", since: "1.0.0", complexity: "O(N) where N is the set cardinality.",
        docs: "key#0
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "scard", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "set", handler: scard,
        summary: "Get the number of members in a set", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "spop", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "set", handler: spop,
        summary: "Remove and return one or multiple random members from a set", since: "1.0.0",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
        docs: "key#0 [count:integer@3.2.0]
            history 3.2.0:    Added the `count` argument.
            key 0:            RW access delete, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "srandmember", arity: -2, flags: READONLY, keys: Keys::one(), group: "set", handler: srandmember,
        summary: "Get one or multiple random members from a set", since: "1.0.0",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
        docs: "key#0 [count:integer@2.6.0]
            history 2.6.0:    Added the optional `count` argument.
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "smove", arity: 4, flags: WRITE | FAST, keys: Keys::Range { first: 1, last: 2, step: 1 },
        group: "set", handler: smove,
        summary: "Move a member from one set to another", since: "1.0.0", complexity: "O(1)",
        docs: "source#0 destination#1 member
            key 0:            RW access delete, index 1, range 0
            key 1:            RW insert, index 2, range 0",
    },
    command! {
        name: "sinter", arity: -2, flags: READONLY, keys: Keys::all_from(1), group: "set", handler: sinter,
        summary: "Intersect multiple sets", since: "1.0.0",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        docs: "key#0...
            key 0:            RO access, index 1, range -1
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "sintercard", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: Keys::Custom { find: numkeys_at_1, first: 0, last: 0, step: 0 },
        group: "set", handler: sintercard,
        summary: "Intersect multiple sets and return the cardinality of the result", since: "7.0.0",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        docs: "numkeys:integer key#0... [LIMIT limit:integer]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "sinterstore", arity: -3, flags: WRITE | DENYOOM, keys: Keys::all_from(1),
        group: "set", handler: sinterstore,
        summary: "Intersect multiple sets and store the resulting set in a key", since: "1.0.0",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        docs: "destination#0 key#1...
            key 0:            RW update, index 1, range 0
            key 1:            RO access, index 2, range -1",
    },
    command! {
        name: "sunion", arity: -2, flags: READONLY, keys: Keys::all_from(1), group: "set", handler: sunion,
        summary: "Add multiple sets", since: "1.0.0",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        docs: "key#0...
            key 0:            RO access, index 1, range -1
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "sunionstore", arity: -3, flags: WRITE | DENYOOM, keys: Keys::all_from(1),
        group: "set", handler: sunionstore,
        summary: "Add multiple sets and store the resulting set in a key", since: "1.0.0",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        docs: "destination#0 key#1...
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, range -1",
    },
    command! {
        name: "sdiff", arity: -2, flags: READONLY, keys: Keys::all_from(1), group: "set", handler: sdiff,
        summary: "Subtract multiple sets", since: "1.0.0",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        docs: "key#0...
            key 0:            RO access, index 1, range -1
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "sdiffstore", arity: -3, flags: WRITE | DENYOOM, keys: Keys::all_from(1),
        group: "set", handler: sdiffstore,
        summary: "Subtract multiple sets and store the resulting set in a key", since: "1.0.0",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        docs: "destination#0 key#1...
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, range -1",
    },
    command! {
        name: "sscan", arity: -3, flags: READONLY, keys: Keys::one(), group: "set", handler: sscan,
        summary: "Incrementally iterate Set elements", since: "2.8.0",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        docs: "key#0 cursor:integer [MATCH pattern:pattern] [COUNT count:integer]
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numkeys_positions() {
        let argv: Vec<Bytes> = ["sintercard", "2", "a", "b", "LIMIT", "1"].iter().map(|s| Bytes::from(*s)).collect();
        assert_eq!(numkeys_at_1(&argv), vec![2, 3]);
        let argv: Vec<Bytes> = ["sintercard", "9", "a"].iter().map(|s| Bytes::from(*s)).collect();
        assert_eq!(numkeys_at_1(&argv), vec![2]);
    }

    #[test]
    fn sintercard_arguments() {
        use crate::commands::args::testing::{argv, err};
        let a = argv(&["sintercard", "2", "a", "b", "LIMIT", "3"]);
        assert_eq!(InterCardArgs::parse(&a).unwrap(), InterCardArgs { keys: &a[2..4], limit: 3 });
        let a = argv(&["sintercard", "1", "a"]);
        assert_eq!(InterCardArgs::parse(&a).unwrap(), InterCardArgs { keys: &a[2..3], limit: 0 });
        let bad = |items: &[&str]| err(InterCardArgs::parse(&argv(items)));
        assert_eq!(bad(&["sintercard", "0", "a"]), "ERR numkeys should be greater than 0");
        assert_eq!(bad(&["sintercard", "x", "a"]), "ERR numkeys should be greater than 0");
        assert_eq!(bad(&["sintercard", "3", "a", "b"]), "ERR Number of keys can't be greater than number of args");
        assert_eq!(bad(&["sintercard", "1", "a", "LIMIT", "-1"]), "ERR LIMIT can't be negative");
        assert_eq!(bad(&["sintercard", "1", "a", "LIMIT"]), "ERR syntax error");
        assert_eq!(bad(&["sintercard", "1", "a", "b"]), "ERR syntax error");
    }
}

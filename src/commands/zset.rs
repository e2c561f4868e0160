//! Sorted-set commands: parse, call [`crate::types::zset`], reply.
//!
//! Scores reply as doubles: a RESP3 double, or for RESP2 a bulk string in Redis's
//! `%.17g` style (see `format_double`). WITHSCORES replies are flat `member, score`
//! arrays in RESP2 and arrays of `[member, score]` pairs in RESP3, as Redis 7 answers.
//!
//! Options are parsed into small structs (`zset/parse.rs`: [`ZAddArgs`], [`RangeArgs`](parse::RangeArgs),
//! [`MpopArgs`](parse::MpopArgs), [`SetOpArgs`](parse::SetOpArgs)) before anything is looked up, except where Redis looks
//! keys up first.
//!
//! The writes (ZADD, ZINCRBY, ZREM, ZREMRANGEBY*) are here; reads are in `zset/read.rs`,
//! pops in `zset/pop.rs` and the union/inter/diff family in `zset/setop.rs`. Every
//! sorted-set spec is at the end of this file.

mod parse;
mod pop;
mod read;
mod setop;

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::Result;
use crate::notify::{GENERIC, ZSET};
use crate::protocol::Reply;
use parse::{lex_range, score_range, ZAddArgs};
use crate::types::zset::{self, AddCond, Added, Item, Range, Zset, ZsetMut};
use crate::types::Access;
use pop::{bzmpop, bzpopmax, bzpopmin, zmpop, zpopmax, zpopmin};
use read::{
    zcard, zcount, zlexcount, zmscore, zrandmember, zrange, zrangebylex, zrangebyscore, zrangestore, zrank, zrevrange,
    zrevrangebylex, zrevrangebyscore, zrevrank, zscan, zscore,
};
use setop::{zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore};

/// Members, with scores if asked: flat in RESP2, `[member, score]` pairs in RESP3.
fn items_reply(items: Vec<Item>, withscores: bool, resp: u8) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(m, _)| Reply::Bulk(m)).collect());
    }
    pairs_reply(items, resp >= 3)
}

/// `member, score` pairs, nested (`[[m, s], ...]`) or flat (`[m, s, ...]`).
fn pairs_reply(items: Vec<Item>, nested: bool) -> Reply {
    if nested {
        Reply::Array(items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect())
    } else {
        let mut out = Vec::with_capacity(items.len() * 2);
        for (m, s) in items {
            out.push(Reply::Bulk(m));
            out.push(Reply::Double(s));
        }
        Reply::Array(out)
    }
}

/// The sorted set at `key` for a read command. Sorted-set reads have never counted in
/// INFO's keyspace hits and misses (see [`Access::Uncounted`]). WRONGTYPE.
fn read(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Zset>> {
    zset::open(&mut ctx.txn, key, Access::Uncounted)
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`: the number
/// of members added (added or changed with CH); with INCR the new score, or nil if the
/// options stopped the update. O(log N) per member.
/// Errors: syntax error, `ERR XX and NX options at the same time are not compatible`,
/// `ERR GT, LT, and/or NX options at the same time are not compatible`,
/// `ERR INCR option supports a single increment-element pair`, `ERR value is not a valid
/// float`, `ERR resulting score is not a number (NaN)`, WRONGTYPE.
fn zadd(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = ZAddArgs::parse(argv)?;
    let exists = zset::open(&mut ctx.txn, &argv[1], Access::Write)?.is_some();
    let nothing = || if a.cond.incr { Reply::Nil } else { Reply::Int(0) };
    if !exists && a.cond.xx {
        return Ok(nothing());
    }
    let mut z = ZsetMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last = 0.0;
    for &(score, member) in &a.pairs {
        match z.add(&mut ctx.txn, member, score, a.cond)? {
            Added::Skipped => continue,
            Added::New(s) => {
                added += 1;
                last = s;
            }
            Added::Updated(s) => {
                updated += 1;
                last = s;
            }
            Added::Same(s) => last = s,
        }
        processed += 1;
    }
    z.finish(&mut ctx.txn)?;
    if added + updated > 0 {
        ctx.notify(ZSET, if a.cond.incr { "zincr" } else { "zadd" }, &argv[1]);
    }
    Ok(if a.cond.incr {
        if processed > 0 {
            Reply::Double(last)
        } else {
            Reply::Nil
        }
    } else {
        Reply::Int(if a.ch { added + updated } else { added })
    })
}

/// `ZINCRBY key increment member`: the member's new score (added at `increment` if
/// absent). O(log N). Errors: `ERR value is not a valid float`,
/// `ERR resulting score is not a number (NaN)`, WRONGTYPE.
fn zincrby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let by = args::float(&argv[2])?;
    let mut z = ZsetMut::open_or_create(&mut ctx.txn, &argv[1])?;
    let (new, changed) = match z.add(&mut ctx.txn, &argv[3], by, AddCond { incr: true, ..AddCond::default() })? {
        Added::New(s) | Added::Updated(s) => (s, true),
        Added::Same(s) => (s, false),
        Added::Skipped => unreachable!("ZINCRBY sets no condition"),
    };
    z.finish(&mut ctx.txn)?;
    if changed {
        ctx.notify(ZSET, "zincr", &argv[1]);
    }
    Ok(Reply::Double(new))
}

/// `ZREM key member [member ...]`: how many members were removed; the key goes when
/// empty. O(M log N). Errors: WRONGTYPE.
fn zrem(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(mut z) = ZsetMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let mut n = 0;
    for m in &argv[2..] {
        n += z.remove(&mut ctx.txn, m)? as i64;
    }
    let emptied = z.len() == 0;
    z.finish(&mut ctx.txn)?;
    if n > 0 {
        ctx.notify(ZSET, "zrem", &argv[1]);
        if emptied {
            ctx.notify(GENERIC, "del", &argv[1]);
        }
    }
    Ok(Reply::Int(n))
}

/// ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX: how many members went.
fn zremrange(ctx: &mut Ctx<'_>, argv: &[Bytes], range: Range) -> Result<Reply> {
    let event = match range {
        Range::Rank(..) => "zremrangebyrank",
        Range::Score(_) => "zremrangebyscore",
        Range::Lex(_) => "zremrangebylex",
    };
    Ok(Reply::Int(zset::remove_range(&mut ctx.txn, &argv[1], &range, event)? as i64))
}

/// `ZREMRANGEBYRANK key start stop`: removes members in the rank range; how many.
/// O(log N + M). Errors: `ERR value is not an integer or out of range`, WRONGTYPE.
fn zremrangebyrank(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = Range::Rank(args::int(&argv[2])?, args::int(&argv[3])?);
    zremrange(ctx, argv, range)
}

/// `ZREMRANGEBYSCORE key min max`: removes members in the score range; how many.
/// O(log N + M). Errors: `ERR min or max is not a float`, WRONGTYPE.
fn zremrangebyscore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = Range::Score(score_range(&argv[2], &argv[3])?);
    zremrange(ctx, argv, range)
}

/// `ZREMRANGEBYLEX key min max`: removes members in the lex range; how many.
/// O(log N + M). Errors: `ERR min or max not valid string range item`, WRONGTYPE.
fn zremrangebylex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = Range::Lex(lex_range(&argv[2], &argv[3])?);
    zremrange(ctx, argv, range)
}

// ----- key positions of the numkeys commands -----

fn numkeys_keys(argv: &[Bytes], at: usize) -> Vec<usize> {
    match argv.get(at).and_then(|n| args::parse_i64_strict(n)) {
        Some(n) if n > 0 => (at + 1..argv.len().min((at + 1).saturating_add(n as usize))).collect(),
        _ => Vec::new(),
    }
}

/// `<cmd> numkeys key ...`
fn keys_numkeys_1(argv: &[Bytes]) -> Vec<usize> {
    numkeys_keys(argv, 1)
}

/// `<cmd> destination numkeys key ...`
fn keys_store(argv: &[Bytes]) -> Vec<usize> {
    let mut k = vec![1];
    k.extend(numkeys_keys(argv, 2));
    k
}

/// `BZMPOP timeout numkeys key ...`
fn keys_numkeys_2(argv: &[Bytes]) -> Vec<usize> {
    numkeys_keys(argv, 2)
}

const NUMKEYS_1: Keys = Keys::Custom { find: keys_numkeys_1, first: 0, last: 0, step: 0 };
const NUMKEYS_2: Keys = Keys::Custom { find: keys_numkeys_2, first: 0, last: 0, step: 0 };
const STORE: Keys = Keys::Custom { find: keys_store, first: 1, last: 1, step: 1 };
const BLOCK_KEYS: Keys = Keys::Range { first: 1, last: -2, step: 1 };

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "zadd", arity: -4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "sorted-set", handler: zadd,
        summary: "Add one or more members to a sorted set, or update its score if it already exists", since: "1.2.0",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        docs: "key#0 [condition(NX | XX)@3.0.2] [comparison(GT | LT)@6.2.0]
               [change=CH@3.0.2] [increment=INCR@3.0.2]
               score_member(score:double member)...
            history 2.4.0:    Accepts multiple elements.
            history 3.0.2:    Added the `XX`, `NX`, `CH` and `INCR` options.
            history 6.2.0:    Added the `GT` and `LT` options.
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "zincrby", arity: 4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(),
        group: "sorted-set", handler: zincrby,
        summary: "Increment the score of a member in a sorted set", since: "1.2.0",
        complexity: "O(log(N)) where N is the number of elements in the sorted set.",
        docs: "key#0 increment:integer member
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "zrem", arity: -3, flags: WRITE | FAST, keys: Keys::one(), group: "sorted-set", handler: zrem,
        summary: "Remove one or more members from a sorted set", since: "1.2.0",
        complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
        docs: "key#0 member...
            history 2.4.0:    Accepts multiple elements.
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zcard", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zcard,
        summary: "Get the number of members in a sorted set", since: "1.2.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "zscore", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zscore,
        summary: "Get the score associated with the given member in a sorted set", since: "1.2.0", complexity: "O(1)",
        docs: "key#0 member
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zmscore", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zmscore,
        summary: "Get the score associated with the given members in a sorted set", since: "6.2.0",
        complexity: "O(N) where N is the number of members being requested.",
        docs: "key#0 member...
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zcount", arity: 4, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zcount,
        summary: "Count the members in a sorted set with scores within the given values", since: "2.0.0",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0 min:double max:double
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zlexcount", arity: 4, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zlexcount,
        summary: "Count the number of members in a sorted set between a given lexicographical range", since: "2.8.9",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0 min max
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrange", arity: -4, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrange,
        summary: "Return a range of members in a sorted set", since: "1.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        docs: "key#0 start stop [sortby(BYSCORE | BYLEX)@6.2.0] [REV@6.2.0]
               [LIMIT offset_count(offset:integer count:integer)@6.2.0] [WITHSCORES]
            history 6.2.0:    Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrangestore", arity: -5, flags: WRITE | DENYOOM, keys: Keys::Range { first: 1, last: 2, step: 1 },
        group: "sorted-set", handler: zrangestore,
        summary: "Store a range of members from sorted set into another key", since: "6.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
        docs: "dst#0 src#1 min max [sortby(BYSCORE | BYLEX)] [REV]
               [LIMIT offset_count(offset:integer count:integer)]
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, range 0",
    },
    command! {
        name: "zrevrange", arity: -4, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrevrange,
        summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", since: "1.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        docs: "key#0 start:integer stop:integer [WITHSCORES]
            deprecated 6.2.0: `ZRANGE` with the `REV` argument
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrangebyscore", arity: -4, flags: READONLY, keys: Keys::one(),
        group: "sorted-set", handler: zrangebyscore,
        summary: "Return a range of members in a sorted set, by score", since: "1.0.5",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 min:double max:double [WITHSCORES@2.0.0]
               [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `BYSCORE` argument
            history 2.0.0:    Added the `WITHSCORES` modifier.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrevrangebyscore", arity: -4, flags: READONLY, keys: Keys::one(),
        group: "sorted-set", handler: zrevrangebyscore,
        summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", since: "2.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 max:double min:double [WITHSCORES]
               [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `REV` and `BYSCORE` arguments
            history 2.1.6:    `min` and `max` can be exclusive.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrangebylex", arity: -4, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrangebylex,
        summary: "Return a range of members in a sorted set, by lexicographical range", since: "2.8.9",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 min max [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `BYLEX` argument
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrevrangebylex", arity: -4, flags: READONLY, keys: Keys::one(),
        group: "sorted-set", handler: zrevrangebylex,
        summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", since: "2.8.9",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        docs: "key#0 max min [LIMIT offset_count(offset:integer count:integer)]
            deprecated 6.2.0: `ZRANGE` with the `REV` and `BYLEX` arguments
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrank", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zrank,
        summary: "Determine the index of a member in a sorted set", since: "2.0.0",
        complexity: "O(min(R, N-R)) scan here (R the rank): the score index keeps no rank counts.",
        docs: "key#0 member
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zrevrank", arity: -3, flags: READONLY | FAST, keys: Keys::one(), group: "sorted-set", handler: zrevrank,
        summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", since: "2.0.0",
        complexity: "O(min(R, N-R)) scan here (R the rank): the score index keeps no rank counts.",
        docs: "key#0 member
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "zremrangebyrank", arity: 4, flags: WRITE, keys: Keys::one(),
        group: "sorted-set", handler: zremrangebyrank,
        summary: "Remove all members in a sorted set within the given indexes", since: "2.0.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        docs: "key#0 start:integer stop:integer
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zremrangebyscore", arity: 4, flags: WRITE, keys: Keys::one(),
        group: "sorted-set", handler: zremrangebyscore,
        summary: "Remove all members in a sorted set within the given scores", since: "1.2.0",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        docs: "key#0 min:double max:double
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zremrangebylex", arity: 4, flags: WRITE, keys: Keys::one(), group: "sorted-set", handler: zremrangebylex,
        summary: "Remove all members in a sorted set between the given lexicographical range", since: "2.8.9",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
        docs: "key#0 min max
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "zpopmin", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "sorted-set", handler: zpopmin,
        summary: "Remove and return members with the lowest scores in a sorted set", since: "5.0.0",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "key#0 [count:integer]
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "zpopmax", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "sorted-set", handler: zpopmax,
        summary: "Remove and return members with the highest scores in a sorted set", since: "5.0.0",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "key#0 [count:integer]
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "zmpop", arity: -4, flags: WRITE | MOVABLE_KEYS, keys: NUMKEYS_1, group: "sorted-set", handler: zmpop,
        summary: "Remove and return members with scores in a sorted set", since: "7.0.0",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "numkeys:integer key#0... where(MIN | MAX) [COUNT count:integer]
            key 0:            RW access delete, index 1, keynum 0 first 1",
    },
    command! {
        name: "bzpopmin", arity: -3, flags: WRITE | NOSCRIPT | FAST | BLOCKING, keys: BLOCK_KEYS,
        group: "sorted-set", handler: bzpopmin,
        summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", since: "5.0.0",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0... timeout:double
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range -2",
    },
    command! {
        name: "bzpopmax", arity: -3, flags: WRITE | NOSCRIPT | FAST | BLOCKING, keys: BLOCK_KEYS,
        group: "sorted-set", handler: bzpopmax,
        summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", since: "5.0.0",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
        docs: "key#0... timeout:double
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range -2",
    },
    command! {
        name: "bzmpop", arity: -5, flags: WRITE | BLOCKING | MOVABLE_KEYS, keys: NUMKEYS_2,
        group: "sorted-set", handler: bzmpop,
        summary: "Remove and return members with scores in a sorted set or block until one is available", since: "7.0.0",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        docs: "timeout:double numkeys:integer key#0... where(MIN | MAX)
               [COUNT count:integer]
            key 0:            RW access delete, index 2, keynum 0 first 1",
    },
    command! {
        name: "zrandmember", arity: -2, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zrandmember,
        summary: "Get one or multiple random elements from a sorted set", since: "6.2.0",
        complexity: "O(N) where N is the number of elements returned",
        docs: "key#0 [options(count:integer [WITHSCORES])]
            key 0:            RO access, index 1, range 0
            tips:             nondeterministic_output",
    },
    command! {
        name: "zunion", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1,
        group: "sorted-set", handler: zunion,
        summary: "Add multiple sorted sets", since: "6.2.0",
        complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        docs: "numkeys:integer key#0... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zinter", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1,
        group: "sorted-set", handler: zinter,
        summary: "Intersect multiple sorted sets", since: "6.2.0",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        docs: "numkeys:integer key#0... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zdiff", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1, group: "sorted-set", handler: zdiff,
        summary: "Subtract multiple sorted sets", since: "6.2.0",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        docs: "numkeys:integer key#0... [WITHSCORES]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zunionstore", arity: -4, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: STORE,
        group: "sorted-set", handler: zunionstore,
        summary: "Add multiple sorted sets and store the resulting sorted set in a new key", since: "2.0.0",
        complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        docs: "destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)]
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "zinterstore", arity: -4, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: STORE,
        group: "sorted-set", handler: zinterstore,
        summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", since: "2.0.0",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        docs: "destination#0 numkeys:integer key#1... [WEIGHTS weight:integer...]
               [AGGREGATE (SUM | MIN | MAX)]
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "zdiffstore", arity: -4, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: STORE,
        group: "sorted-set", handler: zdiffstore,
        summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", since: "6.2.0",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        docs: "destination#0 numkeys:integer key#1...
            key 0:            OW update, index 1, range 0
            key 1:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "zintercard", arity: -3, flags: READONLY | MOVABLE_KEYS, keys: NUMKEYS_1,
        group: "sorted-set", handler: zintercard,
        summary: "Intersect multiple sorted sets and return the cardinality of the result", since: "7.0.0",
        complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        docs: "numkeys:integer key#0... [LIMIT limit:integer]
            key 0:            RO access, index 1, keynum 0 first 1",
    },
    command! {
        name: "zscan", arity: -3, flags: READONLY, keys: Keys::one(), group: "sorted-set", handler: zscan,
        summary: "Incrementally iterate sorted sets elements and associated scores", since: "2.8.0",
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
    fn withscores_replies_are_flat_in_resp2_and_pairs_in_resp3() {
        let items = || vec![(Bytes::from_static(b"a"), 1.5)];
        assert_eq!(&items_reply(items(), true, 2).to_bytes(2)[..], b"*2\r\n$1\r\na\r\n$3\r\n1.5\r\n");
        assert_eq!(&items_reply(items(), true, 3).to_bytes(3)[..], b"*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n");
        assert_eq!(&items_reply(items(), false, 3).to_bytes(3)[..], b"*1\r\n$1\r\na\r\n");
        assert_eq!(&pairs_reply(items(), false).to_bytes(3)[..], b"*2\r\n$1\r\na\r\n,1.5\r\n");
    }

    #[test]
    fn numkeys_key_positions() {
        let v = |s: &[&str]| s.iter().map(|x| Bytes::copy_from_slice(x.as_bytes())).collect::<Vec<_>>();
        assert_eq!(keys_store(&v(&["zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"])), vec![1, 3, 4]);
        assert_eq!(keys_numkeys_2(&v(&["bzmpop", "0", "2", "a", "b", "MIN"])), vec![3, 4]);
        assert_eq!(keys_numkeys_1(&v(&["zunion", "x", "a"])), Vec::<usize>::new());
    }
}

//! List commands: parsing and replies. The data logic lives in [`crate::types::list`];
//! see its header for the layout and what each operation costs in RocksDB.
//!
//! Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) try once; when every key
//! is empty they call [`Ctx::block_on`] and return their timeout reply (a null array),
//! and the connection re-runs them when one of the keys is written (see
//! [`super::blocking`]). Inside MULTI they never block and that reply stands.

mod blocking;

use bytes::Bytes;

use super::args::{self, Args};
use super::blocking::parse_timeout;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, LIST};
use crate::protocol::Reply;
use crate::types::list::{self, End, List, ListMut, PosOptions};
use crate::types::Access;

fn bulks(items: Vec<Bytes>) -> Reply {
    Reply::Array(items.into_iter().map(Reply::Bulk).collect())
}

/// `LEFT` or `RIGHT`; `ERR syntax error` otherwise.
fn parse_end(raw: &[u8]) -> Result<End> {
    if args::is(raw, "left") {
        Ok(End::Left)
    } else if args::is(raw, "right") {
        Ok(End::Right)
    } else {
        Err(Error::Syntax)
    }
}

/// LPUSH, RPUSH, LPUSHX and RPUSHX (`only_existing`: nothing happens, 0, if the key is
/// missing): answers the new length.
fn push_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], end: End, only_existing: bool) -> Result<Reply> {
    let list = match only_existing {
        true => ListMut::open(&mut ctx.txn, &argv[1])?,
        false => Some(ListMut::open_or_create(&mut ctx.txn, &argv[1])?),
    };
    let Some(mut list) = list else { return Ok(Reply::Int(0)) };
    let n = list.push(&mut ctx.txn, end, &argv[2..]);
    list.finish(&mut ctx.txn)?;
    ctx.notify(LIST, end.push_event(), &argv[1]);
    Ok(Reply::Int(n as i64))
}

/// The list at `key` for a read command (a keyspace hit or miss); WRONGTYPE.
fn read(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<List>> {
    list::open(&mut ctx.txn, key, Access::Read)
}

/// `LPUSH key element [element ...]`: inserts each element at the head, in order; creates
/// the list if needed. Answers the new length. O(1) per element. WRONGTYPE for non-lists.
fn lpush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    push_generic(ctx, argv, End::Left, false)
}

/// `RPUSH key element [element ...]`: appends each element at the tail. Answers the new
/// length. O(1) per element. WRONGTYPE for non-lists.
fn rpush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    push_generic(ctx, argv, End::Right, false)
}

/// `LPUSHX key element [element ...]`: LPUSH only if the list exists; 0 otherwise. O(1)
/// per element.
fn lpushx(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    push_generic(ctx, argv, End::Left, true)
}

/// `RPUSHX key element [element ...]`: RPUSH only if the list exists; 0 otherwise. O(1)
/// per element.
fn rpushx(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    push_generic(ctx, argv, End::Right, true)
}

/// LPOP and RPOP. Without a count: the element or nil. With a count: an array of up to
/// count elements, an empty array for count 0, a null array if the key is missing.
fn pop_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], end: End) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::WrongArity(if end == End::Left { "lpop" } else { "rpop" }.into()));
    }
    let count = match argv.get(2) {
        Some(raw) => Some(args::positive(raw)?),
        None => None,
    };
    let Some(mut list) = ListMut::open(&mut ctx.txn, &argv[1])? else {
        return Ok(if count.is_some() { Reply::NilArray } else { Reply::Nil });
    };
    let reply = match count {
        None => Reply::opt_bulk(list.pop(&mut ctx.txn, end, 1)?.pop()),
        Some(0) => return Ok(Reply::Array(Vec::new())),
        Some(c) => bulks(list.pop(&mut ctx.txn, end, c)?),
    };
    let emptied = list.len() == 0;
    list.finish(&mut ctx.txn)?;
    list::notify_pop(&mut ctx.txn, &argv[1], end, emptied);
    Ok(reply)
}

/// `LPOP key [count]`: removes and returns the first element(s). O(count).
/// Errors: `ERR value is out of range, must be positive` for a bad count; WRONGTYPE.
fn lpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    pop_generic(ctx, argv, End::Left)
}

/// `RPOP key [count]`: removes and returns the last element(s). O(count).
/// Errors: `ERR value is out of range, must be positive` for a bad count; WRONGTYPE.
fn rpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    pop_generic(ctx, argv, End::Right)
}

/// `LRANGE key start stop`: the elements between two indexes, inclusive; negative
/// indexes count from the tail, out-of-range indexes are clamped. O(S+N): one bounded
/// range scan. Errors: `ERR value is not an integer or out of range`; WRONGTYPE.
fn lrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (start, stop) = (args::int(&argv[2])?, args::int(&argv[3])?);
    let Some(list) = read(ctx, &argv[1])? else { return Ok(Reply::Array(Vec::new())) };
    Ok(bulks(list.range(&ctx.txn, start, stop)?))
}

/// `LLEN key`: the length, 0 if missing. O(1). WRONGTYPE for non-lists.
fn llen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(read(ctx, &argv[1])?.map_or(0, |l| l.len() as i64)))
}

/// `LINDEX key index`: the element at an index (negative from the tail), or nil. O(1):
/// one point read. Errors: `ERR value is not an integer or out of range`; WRONGTYPE.
fn lindex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    // Redis looks the key up before it reads the index: a missing key answers nil and a
    // key of another type WRONGTYPE, whatever the index. INFO counts the lookup once the
    // index is read (a bad index is not counted), as it always has.
    if list::open(&mut ctx.txn, &argv[1], Access::Write)?.is_none() {
        read(ctx, &argv[1])?;
        return Ok(Reply::Nil);
    }
    let i = args::int(&argv[2])?;
    let Some(list) = read(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    Ok(Reply::opt_bulk(list.index(&ctx.txn, i)?))
}

/// `LSET key index element`: replaces the element at an index. O(1).
/// Errors: `ERR no such key`, `ERR index out of range`, not an integer; WRONGTYPE.
fn lset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    // As Redis: the key (`ERR no such key`, WRONGTYPE) is checked before the index.
    let Some(mut list) = ListMut::open(&mut ctx.txn, &argv[1])? else { return Err(Error::NoSuchKey) };
    let i = args::int(&argv[2])?;
    list.set(&mut ctx.txn, i, &argv[3])?;
    list.finish(&mut ctx.txn)?;
    ctx.notify(LIST, "lset", &argv[1]);
    Ok(Reply::ok())
}

/// `LINSERT key BEFORE|AFTER pivot element`: inserts next to the first occurrence of
/// pivot. Answers the new length, -1 if the pivot is missing, 0 if the key is.
/// O(P) to find the pivot at position P, then O(min(P, N-P)) elements move one slot.
/// Errors: `ERR syntax error`; WRONGTYPE.
fn linsert(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let before = if args::is(&argv[2], "before") {
        true
    } else if args::is(&argv[2], "after") {
        false
    } else {
        return Err(Error::Syntax);
    };
    let Some(mut list) = ListMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let n = list.insert(&mut ctx.txn, before, &argv[3], &argv[4])?;
    list.finish(&mut ctx.txn)?;
    if n > 0 {
        ctx.notify(LIST, "linsert", &argv[1]);
    }
    Ok(Reply::Int(n))
}

/// `LREM key count element`: removes the first count occurrences (count > 0), the last
/// -count (count < 0) or all (0). Answers how many were removed. O(N): the elements
/// between the scanned end and the farthest removed one are rewritten.
/// Errors: not an integer; WRONGTYPE.
fn lrem(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let count = args::int(&argv[2])?;
    let Some(mut list) = ListMut::open(&mut ctx.txn, &argv[1])? else { return Ok(Reply::Int(0)) };
    let n = list.remove(&mut ctx.txn, count, &argv[3])?;
    let emptied = list.len() == 0;
    list.finish(&mut ctx.txn)?;
    if n > 0 {
        ctx.notify(LIST, "lrem", &argv[1]);
        if emptied {
            ctx.notify(GENERIC, "del", &argv[1]);
        }
    }
    Ok(Reply::Int(n as i64))
}

/// `LTRIM key start stop`: keeps only the given inclusive range; an empty range deletes
/// the key. O(removed) point deletes, or one range delete when many go.
/// Errors: not an integer; WRONGTYPE.
fn ltrim(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (start, stop) = (args::int(&argv[2])?, args::int(&argv[3])?);
    if let Some(mut list) = ListMut::open(&mut ctx.txn, &argv[1])? {
        list.trim(&mut ctx.txn, start, stop);
        let emptied = list.len() == 0;
        list.finish(&mut ctx.txn)?;
        ctx.notify(LIST, "ltrim", &argv[1]);
        if emptied {
            ctx.notify(GENERIC, "del", &argv[1]);
        }
    }
    Ok(Reply::ok())
}

/// LPOS's options after the element: `[RANK rank] [COUNT num-matches] [MAXLEN len]`.
#[derive(Debug, PartialEq)]
struct LposArgs {
    opts: PosOptions,
    /// COUNT was given: the reply is an array.
    with_count: bool,
}

impl LposArgs {
    /// Errors: see [`lpos`].
    fn parse(argv: &[Bytes]) -> Result<LposArgs> {
        let mut opts = PosOptions { rank: 1, count: 1, maxlen: 0 };
        let mut with_count = false;
        let mut a = Args::new(argv, 3);
        while let Some(opt) = a.next() {
            if args::is(opt, "rank") {
                let rank = a.int()?;
                if rank == i64::MIN {
                    return Err(Error::OutOfSymmetricRange);
                }
                if rank == 0 {
                    return Err(Error::RankZero);
                }
                opts.rank = rank;
            } else if args::is(opt, "count") {
                let raw = a.value()?;
                opts.count = args::parse_i64_strict(raw)
                    .filter(|&c| c >= 0)
                    .ok_or(Error::Negative("COUNT"))? as u64;
                with_count = true;
            } else if args::is(opt, "maxlen") {
                let raw = a.value()?;
                opts.maxlen = args::parse_i64_strict(raw)
                    .filter(|&c| c >= 0)
                    .ok_or(Error::Negative("MAXLEN"))? as u64;
            } else {
                return Err(Error::Syntax);
            }
        }
        if !with_count {
            opts.count = 1;
        }
        Ok(LposArgs { opts, with_count })
    }
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`: positions of
/// matches. Without COUNT, one position or nil; with COUNT (0 = all), an array.
/// O(N), bounded by MAXLEN. Errors: `ERR RANK can't be zero: ...`, `ERR value is out of
/// range, value must between ...` (RANK -2^63), `ERR COUNT can't be negative`, `ERR MAXLEN
/// can't be negative`, `ERR syntax error`; WRONGTYPE.
fn lpos(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let LposArgs { opts, with_count } = LposArgs::parse(argv)?;
    let found = match read(ctx, &argv[1])? {
        Some(list) => list.positions(&ctx.txn, &argv[2], opts)?,
        None => Vec::new(),
    };
    if with_count {
        Ok(Reply::Array(found.into_iter().map(|p| Reply::Int(p as i64)).collect()))
    } else {
        Ok(found.first().map(|&p| Reply::Int(p as i64)).unwrap_or(Reply::Nil))
    }
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`: pops from one end of source and
/// pushes to one end of destination (which may be the same list); answers the element,
/// or nil if source is missing. O(1). Errors: `ERR syntax error`; WRONGTYPE.
fn lmove(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (from, to) = (parse_end(&argv[3])?, parse_end(&argv[4])?);
    Ok(Reply::opt_bulk(list::lmove(&mut ctx.txn, &argv[1], &argv[2], from, to)?))
}

/// `RPOPLPUSH source destination`: LMOVE source destination RIGHT LEFT. O(1).
fn rpoplpush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::opt_bulk(list::lmove(&mut ctx.txn, &argv[1], &argv[2], End::Right, End::Left)?))
}

/// Whether `key` holds a non-empty list a pop can take from. WRONGTYPE for another
/// type, except when a blocked command is re-run after a wake-up: Redis serves blocked
/// clients only from keys of the type they wait for, so such a key is passed over.
fn poppable(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<bool> {
    match list::open(&mut ctx.txn, key, Access::Write) {
        Ok(found) => Ok(found.is_some()),
        Err(Error::WrongType) if ctx.session.block_retry => Ok(false),
        Err(e) => Err(e),
    }
}

/// `numkeys key [key ...] LEFT|RIGHT [COUNT count]` as LMPOP and BLMPOP take it, from
/// argument `at` (the numkeys position).
struct MpopArgs<'a> {
    keys: &'a [Bytes],
    end: End,
    count: u64,
}

fn parse_mpop(argv: &[Bytes], at: usize) -> Result<MpopArgs<'_>> {
    let numkeys = args::parse_i64_strict(&argv[at])
        .filter(|&n| n > 0)
        .ok_or(Error::NumkeysNotPositive)? as u64;
    let first = at + 1;
    let where_at = (first as u64).checked_add(numkeys).filter(|&w| w < argv.len() as u64).ok_or(Error::Syntax)? as usize;
    let end = parse_end(&argv[where_at])?;
    let mut count = None;
    let mut a = Args::new(argv, where_at + 1);
    while let Some(opt) = a.next() {
        if args::is(opt, "count") && count.is_none() {
            let raw = a.value()?;
            count = Some(
                args::parse_i64_strict(raw)
                    .filter(|&c| c > 0)
                    .ok_or(Error::CountNotPositive)? as u64,
            );
        } else {
            return Err(Error::Syntax);
        }
    }
    Ok(MpopArgs { keys: &argv[first..where_at], end, count: count.unwrap_or(1) })
}

/// Pops from the first non-empty list of `keys`: `[key, [elements]]`, or `None`.
fn mpop(ctx: &mut Ctx<'_>, keys: &[Bytes], end: End, count: u64) -> Result<Option<Reply>> {
    for key in keys {
        if poppable(ctx, key)? {
            let items = list::pop(&mut ctx.txn, key, end, count)?.unwrap_or_default();
            return Ok(Some(Reply::Array(vec![Reply::Bulk(key.clone()), bulks(items)])));
        }
    }
    Ok(None)
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`: pops up to count elements from
/// the first non-empty list; answers `[key, [elements]]` or a null array. O(N+M).
/// Errors: `ERR numkeys should be greater than 0`, `ERR count should be greater than 0`,
/// `ERR syntax error`; WRONGTYPE.
fn lmpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let a = parse_mpop(argv, 1)?;
    Ok(mpop(ctx, a.keys, a.end, a.count)?.unwrap_or(Reply::NilArray))
}

/// Key positions of `... numkeys key [key ...] ...` with numkeys at `at`.
fn numkeys_positions(argv: &[Bytes], at: usize) -> Vec<usize> {
    let Some(n) = argv.get(at).and_then(|raw| args::parse_i64_strict(raw)).filter(|&n| n > 0) else {
        return Vec::new();
    };
    let end = (at as u64 + 1).saturating_add(n as u64).min(argv.len() as u64) as usize;
    (at + 1..end).collect()
}

fn lmpop_keys(argv: &[Bytes]) -> Vec<usize> {
    numkeys_positions(argv, 1)
}

fn blmpop_keys(argv: &[Bytes]) -> Vec<usize> {
    numkeys_positions(argv, 2)
}

const TWO_KEYS: Keys = Keys::Range { first: 1, last: 2, step: 1 };
const ALL_BUT_LAST: Keys = Keys::Range { first: 1, last: -2, step: 1 };

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "lpush", arity: -3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "list", handler: lpush,
        summary: "Prepend one or multiple elements to a list", since: "1.0.0",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        docs: "key#0 element...
            history 2.4.0:    Accepts multiple `element` arguments.
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "rpush", arity: -3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "list", handler: rpush,
        summary: "Append one or multiple elements to a list", since: "1.0.0",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        docs: "key#0 element...
            history 2.4.0:    Accepts multiple `element` arguments.
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "lpushx", arity: -3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "list", handler: lpushx,
        summary: "Prepend an element to a list, only if the list exists", since: "2.2.0",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        docs: "key#0 element...
            history 4.0.0:    Accepts multiple `element` arguments.
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "rpushx", arity: -3, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "list", handler: rpushx,
        summary: "Append an element to a list, only if the list exists", since: "2.2.0",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        docs: "key#0 element...
            history 4.0.0:    Accepts multiple `element` arguments.
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "lpop", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "list", handler: lpop,
        summary: "Remove and get the first elements in a list", since: "1.0.0",
        complexity: "O(N) where N is the number of elements returned",
        docs: "key#0 [count:integer@6.2.0]
            history 6.2.0:    Added the `count` argument.
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "rpop", arity: -2, flags: WRITE | FAST, keys: Keys::one(), group: "list", handler: rpop,
        summary: "Remove and get the last elements in a list", since: "1.0.0",
        complexity: "O(N) where N is the number of elements returned",
        docs: "key#0 [count:integer@6.2.0]
            history 6.2.0:    Added the `count` argument.
            key 0:            RW access delete, index 1, range 0",
    },
    command! {
        name: "lrange", arity: 4, flags: READONLY, keys: Keys::one(), group: "list", handler: lrange,
        summary: "Get a range of elements from a list", since: "1.0.0",
        complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
        docs: "key#0 start:integer stop:integer
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "llen", arity: 2, flags: READONLY | FAST, keys: Keys::one(), group: "list", handler: llen,
        summary: "Get the length of a list", since: "1.0.0", complexity: "O(1)",
        docs: "key#0
            key 0:            RO, index 1, range 0",
    },
    command! {
        name: "lindex", arity: 3, flags: READONLY, keys: Keys::one(), group: "list", handler: lindex,
        summary: "Get an element from a list by its index", since: "1.0.0",
        complexity: "O(1): one point read at the element's sub-key.",
        docs: "key#0 index:integer
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "lset", arity: 4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "list", handler: lset,
        summary: "Set the value of an element in a list by its index", since: "1.0.0",
        complexity: "O(1): one point write at the element's sub-key.",
        docs: "key#0 index:integer element
            key 0:            RW update, index 1, range 0",
    },
    command! {
        name: "linsert", arity: 5, flags: WRITE | DENYOOM, keys: Keys::one(), group: "list", handler: linsert,
        summary: "Insert an element before or after another element in a list", since: "2.2.0",
        complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
        docs: "key#0 where(BEFORE | AFTER) pivot element
            key 0:            RW insert, index 1, range 0",
    },
    command! {
        name: "lrem", arity: 4, flags: WRITE, keys: Keys::one(), group: "list", handler: lrem,
        summary: "Remove elements from a list", since: "1.0.0",
        complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
        docs: "key#0 count:integer element
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "ltrim", arity: 4, flags: WRITE, keys: Keys::one(), group: "list", handler: ltrim,
        summary: "Trim a list to the specified range", since: "1.0.0",
        complexity: "O(N) where N is the number of elements to be removed by the operation.",
        docs: "key#0 start:integer stop:integer
            key 0:            RW delete, index 1, range 0",
    },
    command! {
        name: "lpos", arity: -3, flags: READONLY, keys: Keys::one(), group: "list", handler: lpos,
        summary: "Return the index of matching elements on a list", since: "6.0.6",
        complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
        docs: "key#0 element [RANK rank:integer] [COUNT num-matches:integer]
               [MAXLEN len:integer]
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "lmove", arity: 5, flags: WRITE | DENYOOM, keys: TWO_KEYS, group: "list", handler: lmove,
        summary: "Pop an element from a list, push it to another list and return it", since: "6.2.0",
        complexity: "O(1)",
        docs: "source#0 destination#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)
            key 0:            RW access delete, index 1, range 0
            key 1:            RW insert, index 2, range 0",
    },
    command! {
        name: "rpoplpush", arity: 3, flags: WRITE | DENYOOM, keys: TWO_KEYS, group: "list", handler: rpoplpush,
        summary: "Remove the last element in a list, prepend it to another list and return it", since: "1.2.0",
        complexity: "O(1)",
        docs: "source#0 destination#1
            deprecated 6.2.0: `LMOVE` with the `RIGHT` and `LEFT` arguments
            key 0:            RW access delete, index 1, range 0
            key 1:            RW insert, index 2, range 0",
    },
    command! {
        name: "lmpop", arity: -4, flags: WRITE | MOVABLE_KEYS, keys: Keys::Custom { find: lmpop_keys, first: 0, last: 0, step: 0 },
        group: "list", handler: lmpop,
        summary: "Pop elements from a list", since: "7.0.0",
        complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        docs: "numkeys:integer key#0... where(LEFT | RIGHT) [COUNT count:integer]
            key 0:            RW access delete, index 1, keynum 0 first 1",
    },
    command! {
        name: "blpop", arity: -3, flags: WRITE | NOSCRIPT | BLOCKING, keys: ALL_BUT_LAST, group: "list", handler: blocking::blpop,
        summary: "Remove and get the first element in a list, or block until one is available", since: "2.0.0",
        complexity: "O(N) where N is the number of provided keys.",
        docs: "key#0... timeout:double
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range -2",
    },
    command! {
        name: "brpop", arity: -3, flags: WRITE | NOSCRIPT | BLOCKING, keys: ALL_BUT_LAST, group: "list", handler: blocking::brpop,
        summary: "Remove and get the last element in a list, or block until one is available", since: "2.0.0",
        complexity: "O(N) where N is the number of provided keys.",
        docs: "key#0... timeout:double
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range -2",
    },
    command! {
        name: "blmove", arity: 6, flags: WRITE | DENYOOM | NOSCRIPT | BLOCKING, keys: TWO_KEYS,
        group: "list", handler: blocking::blmove,
        summary: "Pop an element from a list, push it to another list and return it; or block until one is available", since: "6.2.0",
        complexity: "O(1)",
        docs: "source#0 destination#1 wherefrom(LEFT | RIGHT) whereto(LEFT | RIGHT)
               timeout:double
            key 0:            RW access delete, index 1, range 0
            key 1:            RW insert, index 2, range 0",
    },
    command! {
        name: "brpoplpush", arity: 4, flags: WRITE | DENYOOM | NOSCRIPT | BLOCKING, keys: TWO_KEYS,
        group: "list", handler: blocking::brpoplpush,
        summary: "Pop an element from a list, push it to another list and return it; or block until one is available", since: "2.2.0",
        complexity: "O(1)",
        docs: "source#0 destination#1 timeout:double
            deprecated 6.2.0: `BLMOVE` with the `RIGHT` and `LEFT` arguments
            history 6.0.0:    `timeout` is interpreted as a double instead of an integer.
            key 0:            RW access delete, index 1, range 0
            key 1:            RW insert, index 2, range 0",
    },
    command! {
        name: "blmpop", arity: -5, flags: WRITE | BLOCKING | MOVABLE_KEYS, keys: Keys::Custom { find: blmpop_keys, first: 0, last: 0, step: 0 },
        group: "list", handler: blocking::blmpop,
        summary: "Pop elements from a list, or block until one is available", since: "7.0.0",
        complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        docs: "timeout:double numkeys:integer key#0... where(LEFT | RIGHT)
               [COUNT count:integer]
            key 0:            RW access delete, index 2, keynum 0 first 1",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::args::testing::{argv, err};

    #[test]
    fn lpos_arguments() {
        let p = LposArgs::parse(&argv(&["lpos", "l", "x", "RANK", "-2", "COUNT", "0", "MAXLEN", "10"])).unwrap();
        assert_eq!(p, LposArgs { opts: PosOptions { rank: -2, count: 0, maxlen: 10 }, with_count: true });
        // Without COUNT, one match at most, whatever came before.
        let p = LposArgs::parse(&argv(&["lpos", "l", "x"])).unwrap();
        assert_eq!(p, LposArgs { opts: PosOptions { rank: 1, count: 1, maxlen: 0 }, with_count: false });
        let bad = |items: &[&str]| err(LposArgs::parse(&argv(items)));
        assert!(bad(&["lpos", "l", "x", "RANK", "0"]).starts_with("ERR RANK can't be zero"));
        assert!(bad(&["lpos", "l", "x", "RANK", "-9223372036854775808"]).starts_with("ERR value is out of range, value must between"));
        assert_eq!(bad(&["lpos", "l", "x", "COUNT", "-1"]), "ERR COUNT can't be negative");
        assert_eq!(bad(&["lpos", "l", "x", "MAXLEN", "x"]), "ERR MAXLEN can't be negative");
        assert_eq!(bad(&["lpos", "l", "x", "COUNT"]), "ERR syntax error");
        assert_eq!(bad(&["lpos", "l", "x", "FIRST"]), "ERR syntax error");
    }

    #[test]
    fn mpop_arguments() {
        let a = argv(&["lmpop", "2", "a", "b", "LEFT", "COUNT", "3"]);
        let p = parse_mpop(&a, 1).unwrap();
        assert_eq!((p.keys.len(), p.end, p.count), (2, End::Left, 3));
        assert_eq!(lmpop_keys(&a), vec![2, 3]);
        let bad = |items: &[&str]| parse_mpop(&argv(items), 1).err().map(|e| e.to_string());
        assert_eq!(bad(&["lmpop", "0", "a", "left"]).unwrap(), "ERR numkeys should be greater than 0");
        assert_eq!(bad(&["lmpop", "2", "a", "left"]).unwrap(), "ERR syntax error");
        assert_eq!(bad(&["lmpop", "9223372036854775807", "a", "left"]).unwrap(), "ERR syntax error");
        assert_eq!(bad(&["lmpop", "1", "a", "left", "count", "0"]).unwrap(), "ERR count should be greater than 0");
        assert_eq!(bad(&["lmpop", "1", "a", "left", "count", "1", "count", "1"]).unwrap(), "ERR syntax error");
        assert_eq!(bad(&["lmpop", "1", "a", "up"]).unwrap(), "ERR syntax error");
        assert_eq!(blmpop_keys(&argv(&["blmpop", "0", "9223372036854775807", "a", "left"])), vec![3, 4]);
    }
}

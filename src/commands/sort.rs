//! SORT and SORT_RO: sort the elements of a list, set or sorted set, numerically or
//! lexicographically, by the elements themselves or by external keys, with LIMIT, GET
//! and STORE, as Redis's `sort.c` does.

use std::cmp::Ordering;

use bytes::Bytes;

use super::args::{self, Args};
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, LIST};
use crate::protocol::Reply;
use crate::types::list::{self, End, ListMut};
use crate::types::string::Str;
use crate::types::{set, zset, Access, Kind, Txn};

/// Parsed SORT options.
struct SortArgs<'a> {
    by: Option<&'a Bytes>,
    /// BY a pattern without `*`: keep the stored order.
    dont_sort: bool,
    limit: Option<(i64, i64)>,
    gets: Vec<&'a Bytes>,
    desc: bool,
    alpha: bool,
    store: Option<&'a Bytes>,
}

/// `full_keys`: whether the user may read every key, which BY with a pattern and GET
/// need (Redis refuses them otherwise, as the keys they read are not known up front).
fn parse(argv: &[Bytes], read_only: bool, full_keys: bool) -> Result<SortArgs<'_>> {
    let mut a = SortArgs { by: None, dont_sort: false, limit: None, gets: Vec::new(), desc: false, alpha: false, store: None };
    let mut it = Args::new(argv, 2);
    while let Some(opt) = it.next() {
        if args::is(opt, "asc") {
            a.desc = false;
        } else if args::is(opt, "desc") {
            a.desc = true;
        } else if args::is(opt, "alpha") {
            a.alpha = true;
        } else if args::is(opt, "limit") && it.remaining() >= 2 {
            let offset = it.int()?;
            let count = it.int()?;
            a.limit = Some((offset, count));
        } else if args::is(opt, "store") && it.remaining() >= 1 && !read_only {
            a.store = Some(it.value()?);
        } else if args::is(opt, "by") && it.remaining() >= 1 {
            let pattern = it.value()?;
            // Redis skips sorting when the pattern cannot name a per-element key.
            a.dont_sort = !pattern.contains(&b'*');
            if !a.dont_sort && !full_keys {
                return Err(Error::SortByDenied);
            }
            a.by = Some(pattern);
        } else if args::is(opt, "get") && it.remaining() >= 1 {
            if !full_keys {
                return Err(Error::SortGetDenied);
            }
            a.gets.push(it.value()?);
        } else {
            return Err(Error::Syntax);
        }
    }
    Ok(a)
}

/// Looks up the value `pattern` names for `element`: `#` is the element itself; the
/// first `*` is replaced by the element; a `->field` suffix reads a hash field. A
/// pattern without `*` names nothing.
fn lookup(txn: &Txn<'_>, pattern: &[u8], element: &Bytes) -> Result<Option<Bytes>> {
    if pattern == b"#" {
        return Ok(Some(element.clone()));
    }
    let Some(star) = pattern.iter().position(|&b| b == b'*') else { return Ok(None) };
    let rest = &pattern[star + 1..];
    let (suffix, field) = match rest.windows(2).position(|w| w == b"->") {
        Some(i) if i + 2 < rest.len() => (&rest[..i], Some(&rest[i + 2..])),
        _ => (rest, None),
    };
    let mut key = Vec::with_capacity(pattern.len() + element.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(element);
    key.extend_from_slice(suffix);
    let Some(meta) = txn.peek(&key)? else { return Ok(None) };
    match field {
        None if meta.kind == Kind::String => Ok(Some(Str::from_meta(meta).value(txn)?)),
        Some(f) if meta.kind == Kind::Hash => Ok(txn.sub_get(meta.version, f)?.map(Bytes::from)),
        _ => Ok(None),
    }
}

/// The elements of the list (in order), set or sorted set (by score) at `key`, which
/// holds `kind`. Reading a list counts as a keyspace hit in INFO; a set or sorted set
/// does not, as it never has.
fn elements(txn: &mut Txn<'_>, key: &[u8], kind: Kind) -> Result<Vec<Bytes>> {
    Ok(match kind {
        Kind::List => list::open(txn, key, Access::Read)?.map_or(Ok(Vec::new()), |l| l.range(txn, 0, -1))?,
        Kind::Set => set::open(txn, key, Access::Uncounted)?.map_or(Ok(Vec::new()), |s| s.members(txn))?,
        _ => match zset::open(txn, key, Access::Uncounted)? {
            Some(z) => z.all(txn)?.into_iter().map(|(member, _)| member).collect(),
            None => Vec::new(),
        },
    })
}

/// One element and what it sorts by.
struct Item {
    element: Bytes,
    score: f64,
    cmp: Option<Bytes>,
}

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
/// [STORE destination]`: the sorted elements, or with STORE their count (the result is
/// stored as a list; an empty result deletes the destination).
/// O(N + M log M): N elements read, M returned.
/// Errors: WRONGTYPE for a string or hash; `ERR One or more scores can't be converted
/// into double` for non-numeric values without ALPHA; syntax errors.
fn sort(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    sort_generic(ctx, argv, false)
}

/// `SORT_RO key ...`: SORT without STORE, allowed on read-only replicas.
fn sort_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    sort_generic(ctx, argv, true)
}

fn sort_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], read_only: bool) -> Result<Reply> {
    let full_keys = ctx.session.user.unrestricted() || {
        let idx = super::registry().index_of(&argv[0]);
        idx.is_some_and(|i| crate::acl::check::full_key_access(&ctx.session.user.read(), i, argv))
    };
    let mut opts = parse(argv, read_only, full_keys)?;
    let meta = ctx.txn.get_read(&argv[1])?;
    if let Some(m) = &meta {
        if !matches!(m.kind, Kind::List | Kind::Set | Kind::ZSet) {
            return Err(Error::WrongType);
        }
    }
    // An unsorted set is in no defined order; with STORE Redis sorts it to be
    // deterministic (replicas and AOF must agree).
    if opts.dont_sort && opts.store.is_some() && matches!(&meta, Some(m) if m.kind == Kind::Set) {
        opts.dont_sort = false;
        opts.alpha = true;
        opts.by = None;
    }
    let mut elements = match &meta {
        Some(m) => elements(&mut ctx.txn, &argv[1], m.kind)?,
        None => Vec::new(),
    };
    // A list or sorted set read "unsorted" keeps its order (stored, or by score); DESC
    // reverses it before LIMIT applies, as sort.c walks it from the tail.
    if opts.dont_sort && opts.desc && matches!(&meta, Some(m) if matches!(m.kind, Kind::List | Kind::ZSet)) {
        elements.reverse();
    }

    let total = elements.len() as i64;
    let (mut start, mut end) = match opts.limit {
        Some((offset, count)) => {
            let start = offset.max(0);
            let end = if count < 0 { total - 1 } else { start.saturating_add(count) - 1 };
            (start, end)
        }
        None => (0, total - 1),
    };
    if start >= total {
        start = total - 1;
        end = total - 2;
    }
    if end >= total {
        end = total - 1;
    }

    let mut items: Vec<Item> = elements.into_iter().map(|element| Item { element, score: 0.0, cmp: None }).collect();
    if !opts.dont_sort {
        let mut bad = false;
        for item in items.iter_mut() {
            let by = match opts.by {
                Some(p) => match lookup(&ctx.txn, p, &item.element)? {
                    Some(v) => v,
                    None => continue,
                },
                None => item.element.clone(),
            };
            if opts.alpha {
                if opts.by.is_some() {
                    item.cmp = Some(by);
                }
            } else {
                // Redis reads the score with strtod and checks only that it stopped at
                // the end: leading blanks pass, and an empty string is 0.
                match args::parse_f64(by.trim_ascii_start()) {
                    Some(v) => item.score = v,
                    None if by.is_empty() => item.score = 0.0,
                    None => bad = true,
                }
            }
        }
        if bad {
            return Err(Error::SortNotDouble);
        }
        let by_pattern = opts.by.is_some();
        let (alpha, desc) = (opts.alpha, opts.desc);
        let compare = |a: &Item, b: &Item| -> Ordering {
            let ord = if !alpha {
                a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal).then_with(|| a.element.cmp(&b.element))
            } else if by_pattern {
                match (&a.cmp, &b.cmp) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                }
            } else {
                a.element.cmp(&b.element)
            };
            if desc {
                ord.reverse()
            } else {
                ord
            }
        };
        // Only the LIMIT window has to be in order: select it, then sort it.
        if start >= 0 && end >= start && (end as usize) + 1 < items.len() {
            let len = items.len();
            if (end as usize) < len - 1 {
                items.select_nth_unstable_by(end as usize, compare);
            }
            items.truncate(end as usize + 1);
        }
        items.sort_by(compare);
    }

    let window: Vec<Item> = if start >= 0 && end >= start {
        items.into_iter().skip(start as usize).take((end - start + 1) as usize).collect()
    } else {
        Vec::new()
    };
    let mut out: Vec<Option<Bytes>> = Vec::with_capacity(window.len() * opts.gets.len().max(1));
    for item in &window {
        if opts.gets.is_empty() {
            out.push(Some(item.element.clone()));
        }
        for pattern in &opts.gets {
            out.push(lookup(&ctx.txn, pattern, &item.element)?);
        }
    }

    match opts.store {
        Some(dest) => {
            let n = out.len() as i64;
            let values: Vec<Bytes> = out.into_iter().map(|v| v.unwrap_or_default()).collect();
            let existed = ctx.txn.delete(dest)?;
            if !values.is_empty() {
                let mut list = ListMut::open_or_create(&mut ctx.txn, dest)?;
                list.push(&mut ctx.txn, End::Right, &values);
                list.finish(&mut ctx.txn)?;
                if existed {
                    // Redis overwrites the destination: not a new key.
                    ctx.txn.drop_new(dest);
                }
                ctx.notify(LIST, "sortstore", dest);
            } else if existed {
                ctx.notify(GENERIC, "del", dest);
            }
            Ok(Reply::Int(n))
        }
        None => Ok(Reply::Array(out.into_iter().map(Reply::opt_bulk).collect())),
    }
}

/// Key positions: the sorted key, and the STORE destination if any.
fn sort_keys(argv: &[Bytes]) -> Vec<usize> {
    let mut out = vec![1];
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if args::is(a, "limit") {
            i += 3;
        } else if args::is(a, "by") || args::is(a, "get") {
            i += 2;
        } else if args::is(a, "store") {
            if i + 1 < argv.len() {
                out.push(i + 1);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "sort", arity: -2, flags: WRITE | DENYOOM | MOVABLE_KEYS, keys: Keys::Custom { find: sort_keys, first: 1, last: 1, step: 1 },
        group: "generic", handler: sort,
        summary: "Sort the elements in a list, set or sorted set", since: "1.0.0",
        complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
        docs: r#"key#0 [BY pattern:pattern#1]
                 [LIMIT offset_count(offset:integer count:integer)]
                 [GET pattern:pattern#1]... [order(ASC | DESC)] [sorting=ALPHA]
                 [STORE destination#2]
            key 0:            RO access, index 1, range 0
            key 1:            RO access, unknown, unknown,
                              "For the optional BY/GET keyword. It is marked 'unknown' because the key
                              names derive from the content of the key we sort"
            key 2:            OW update, unknown, unknown,
                              "For the optional STORE keyword. It is marked 'unknown' because the keyword
                              can appear anywhere in the argument array"
            acl:              @set @sortedset @list @dangerous"#,
    },
    command! {
        name: "sort_ro", arity: -2, flags: READONLY | MOVABLE_KEYS, keys: Keys::one(),
        group: "generic", handler: sort_ro,
        summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", since: "7.0.0",
        complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
        docs: r#"key#0 [BY pattern:pattern#1]
                 [LIMIT offset_count(offset:integer count:integer)]
                 [GET pattern:pattern#1]... [order(ASC | DESC)] [sorting=ALPHA]
            key 0:            RO access, index 1, range 0
            key 1:            RO access, unknown, unknown,
                              "For the optional BY/GET keyword. It is marked 'unknown' because the key
                              names derive from the content of the key we sort"
            acl:              @set @sortedset @list @dangerous"#,
    },
];

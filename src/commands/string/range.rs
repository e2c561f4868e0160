//! Byte-range string commands (APPEND, STRLEN, GETRANGE, SETRANGE) and LCS: the
//! handlers; their specs are at the end of `commands/string.rs`.

use bytes::Bytes;

use super::parse::LcsArgs;
use super::{check_length, clamp_range, store};
use crate::commands::args;
use crate::commands::context::Ctx;
use crate::error::{Error, Result};
use crate::notify::STRING;
use crate::protocol::Reply;
use crate::types::string::{self, Str, StrMut};
use crate::types::{Access, Kind};

// ----- byte ranges -----

/// `APPEND key value`: appends (creating the key if needed); the new length.
/// O(1) amortized. Errors: `string exceeds maximum allowed size`, WRONGTYPE.
pub(super) fn append(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let key = &argv[1];
    let mut s = StrMut::open(&mut ctx.txn, key)?;
    if s.current().is_none() {
        store(ctx, key, argv[2].clone(), 0)?;
        ctx.notify(STRING, "append", key);
        return Ok(Reply::Int(argv[2].len() as i64));
    }
    let end = s.len();
    check_length(ctx, end as u128 + argv[2].len() as u128)?;
    let len = s.write_at(&mut ctx.txn, end, &argv[2], s.expire_at())?;
    s.finish(&mut ctx.txn)?;
    ctx.notify(STRING, "append", key);
    Ok(Reply::Int(len as i64))
}

/// `STRLEN key`: the length, 0 if missing. O(1). Errors: WRONGTYPE.
pub(super) fn strlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let s = string::open(&mut ctx.txn, &argv[1], Access::Read)?;
    Ok(Reply::Int(s.map_or(0, |s| s.len() as i64)))
}

/// `GETRANGE key start end` (and its old name `SUBSTR`): the bytes from `start` to
/// `end` inclusive; negative indexes count from the end. O(N) in the returned length.
/// Errors: not an integer, WRONGTYPE.
pub(super) fn getrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let start = args::int(&argv[2])?;
    let end = args::int(&argv[3])?;
    let Some(s) = string::open(&mut ctx.txn, &argv[1], Access::Read)? else { return Ok(Reply::Bulk(Bytes::new())) };
    if start < 0 && end < 0 && start > end {
        return Ok(Reply::Bulk(Bytes::new()));
    }
    Ok(Reply::Bulk(match clamp_range(start, end, s.len() as i64) {
        Some((a, b)) => s.read_range(&ctx.txn, a as u64, b as u64 + 1)?,
        None => Bytes::new(),
    }))
}

/// `SETRANGE key offset value`: overwrites from `offset`, zero-padding as needed; the new
/// length. O(1) plus the copied length. Errors: `offset is out of range`, `string
/// exceeds maximum allowed size (proto-max-bulk-len)`, WRONGTYPE.
pub(super) fn setrange(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let key = &argv[1];
    let offset = args::int(&argv[2])?;
    if offset < 0 {
        return Err(Error::OffsetOutOfRange);
    }
    let value = &argv[3];
    let mut s = StrMut::open(&mut ctx.txn, key)?;
    if value.is_empty() {
        return Ok(Reply::Int(s.len() as i64));
    }
    check_length(ctx, offset as u128 + value.len() as u128)?;
    let ttl = s.expire_at();
    let len = s.write_at(&mut ctx.txn, offset as u64, value, ttl)?;
    s.finish(&mut ctx.txn)?;
    ctx.notify(STRING, "setrange", key);
    Ok(Reply::Int(len as i64))
}

// ----- LCS -----

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]`: the longest common
/// subsequence of two strings (missing keys are empty), its length with LEN, or with
/// IDX a map of `matches` (ranges in both strings, last first) and `len`.
/// O(N*M) time and 4*(N+1)*(M+1) bytes of table, which Redis bounds by
/// `proto-max-bulk-len` (checked on the stored lengths, before either value is read).
/// Errors: `The specified keys must contain string values`, syntax error,
/// `If you want both the length and indexes, please just use IDX.`, and
/// `Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len`.
pub(super) fn lcs(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut metas = Vec::with_capacity(2);
    for key in &argv[1..3] {
        match ctx.txn.get_read(key)? {
            Some(m) if m.kind != Kind::String => {
                return Err(Error::LcsNotStrings)
            }
            m => metas.push(m),
        }
    }
    let LcsArgs { len: getlen, idx: getidx, with_match_len: withlen, min_match_len: minlen } = LcsArgs::parse(argv)?;
    let strs: Vec<Option<Str>> = metas.into_iter().map(|m| m.map(Str::from_meta)).collect();
    let lens: Vec<u64> = strs.iter().map(|s| s.as_ref().map_or(0, Str::len)).collect();
    if lens.iter().any(|&l| l >= u32::MAX as u64 - 1) {
        return Err(Error::LcsTooLong);
    }
    let table_bytes = (lens[0] + 1).saturating_mul(lens[1] + 1).saturating_mul(4);
    if table_bytes > ctx.server.config.read().proto_max_bulk_len as u64 {
        return Err(Error::LcsMemory);
    }
    let mut vals = Vec::with_capacity(2);
    for s in &strs {
        vals.push(match s {
            Some(s) => s.value(&ctx.txn)?,
            None => Bytes::new(),
        });
    }
    let (x, y) = (&vals[0], &vals[1]);
    let (n, m) = (x.len(), y.len());
    let w = m + 1;
    // table[i * w + j]: LCS length of x[..i] and y[..j].
    let mut table = vec![0u32; (n + 1) * w];
    for i in 1..=n {
        for j in 1..=m {
            table[i * w + j] = if x[i - 1] == y[j - 1] {
                table[(i - 1) * w + j - 1] + 1
            } else {
                table[(i - 1) * w + j].max(table[i * w + j - 1])
            };
        }
    }
    let total = table[n * w + m];
    if getlen {
        return Ok(Reply::Int(total as i64));
    }
    // Walk back from the end, collecting the subsequence and its contiguous ranges.
    let mut seq = vec![0u8; total as usize];
    let mut left = total as usize;
    let mut matches = Vec::new();
    let mut range: Option<(usize, usize, usize, usize)> = None; // (a_start, a_end, b_start, b_end)
    let emit = |r: (usize, usize, usize, usize), matches: &mut Vec<Reply>| {
        let len = r.1 - r.0 + 1;
        if minlen == 0 || len as i64 >= minlen {
            let mut item = vec![
                Reply::Array(vec![Reply::Int(r.0 as i64), Reply::Int(r.1 as i64)]),
                Reply::Array(vec![Reply::Int(r.2 as i64), Reply::Int(r.3 as i64)]),
            ];
            if withlen {
                item.push(Reply::Int(len as i64));
            }
            matches.push(Reply::Array(item));
        }
    };
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        if x[i - 1] == y[j - 1] {
            left -= 1;
            seq[left] = x[i - 1];
            let r = match range {
                Some((as_, ae, bs, be)) if as_ == i && bs == j => (i - 1, ae, j - 1, be),
                Some(r) => {
                    emit(r, &mut matches);
                    (i - 1, i - 1, j - 1, j - 1)
                }
                None => (i - 1, i - 1, j - 1, j - 1),
            };
            i -= 1;
            j -= 1;
            if r.0 == 0 || r.2 == 0 {
                emit(r, &mut matches);
                range = None;
            } else {
                range = Some(r);
            }
        } else {
            if table[(i - 1) * w + j] > table[i * w + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            if let Some(r) = range.take() {
                emit(r, &mut matches);
            }
        }
    }
    if !getidx {
        return Ok(Reply::Bulk(Bytes::from(seq)));
    }
    Ok(Reply::Map(vec![
        (Reply::bulk_str("matches"), Reply::Array(matches)),
        (Reply::bulk_str("len"), Reply::Int(total as i64)),
    ]))
}

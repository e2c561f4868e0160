//! Bitmap commands, after Redis's `bitops.c`: bits of a string value, bit 0 being the
//! most significant bit of the first byte. Strings grow zero-padded on writes, bounded
//! by `proto-max-bulk-len`; writes keep the key's TTL.

use bytes::Bytes;

use super::args::{self, Args};
use super::context::Ctx;
use super::string::{clamp_range, read_value, store};
use crate::types::string::{self, Str, StrMut};
use crate::types::Access;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::{GENERIC, STRING};
use crate::protocol::Reply;

fn get_bit(s: &[u8], bit: u64) -> bool {
    let byte = (bit >> 3) as usize;
    byte < s.len() && s[byte] & (0x80 >> (bit & 7)) != 0
}

fn set_bit(s: &mut [u8], bit: u64, on: bool) {
    let byte = (bit >> 3) as usize;
    let mask = 0x80 >> (bit & 7);
    if on {
        s[byte] |= mask;
    } else {
        s[byte] &= !mask;
    }
}

/// A bit offset argument, as Redis's `getBitOffsetFromArgument`: a non-negative integer
/// below `proto-max-bulk-len * 8`; with `hash_bits` (BITFIELD), `#N` means `N * bits`.
/// Errors: `ERR bit offset is not an integer or out of range`.
fn bit_offset(ctx: &Ctx<'_>, raw: &[u8], hash_bits: u32) -> Result<u64> {
    let use_hash = hash_bits > 0 && raw.first() == Some(&b'#');
    let n = args::parse_i64_strict(if use_hash { &raw[1..] } else { raw }).ok_or(Error::BitOffset)?;
    let n = if use_hash { n.checked_mul(hash_bits as i64).ok_or(Error::BitOffset)? } else { n };
    let max = ctx.server.config.read().proto_max_bulk_len as u64;
    if n < 0 || (n as u64 >> 3) >= max {
        return Err(Error::BitOffset);
    }
    Ok(n as u64)
}

/// `SETBIT key offset value`: sets or clears one bit; the bit's old value. O(1).
/// Errors: `bit offset is not an integer or out of range`, `bit is not an integer or
/// out of range`, WRONGTYPE.
fn setbit(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let offset = bit_offset(ctx, &argv[2], 0)?;
    let on = match args::parse_i64_strict(&argv[3]) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(Error::BitValue),
    };
    // Only the byte holding the bit is read and written (one chunk of a long string).
    let mut s = StrMut::open(&mut ctx.txn, &argv[1])?;
    let (byte, ttl) = (offset >> 3, s.expire_at());
    // Redis raises `setbit` when the key is created, grows, or the bit flips.
    let grows = s.current().is_none() || byte >= s.len();
    let mut old = false;
    s.update(&mut ctx.txn, byte, 1, byte + 1, ttl, |cell| {
        old = get_bit(cell, offset & 7);
        set_bit(cell, offset & 7, on);
    })?;
    s.finish(&mut ctx.txn)?;
    if grows || old != on {
        ctx.notify(STRING, "setbit", &argv[1]);
    }
    Ok(Reply::Int(old as i64))
}

/// `GETBIT key offset`: the bit, 0 past the end or for a missing key. O(1).
/// Errors: `bit offset is not an integer or out of range`, WRONGTYPE.
fn getbit(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let offset = bit_offset(ctx, &argv[2], 0)?;
    let byte = offset >> 3;
    let cell = match read_string(ctx, &argv[1])? {
        Some(s) => s.read_range(&ctx.txn, byte, byte + 1)?.first().copied().unwrap_or(0),
        None => 0,
    };
    Ok(Reply::Int(get_bit(&[cell], offset & 7) as i64))
}

/// Parses `start end [BYTE | BIT]` and resolves it to an inclusive bit range over a
/// string of `len` bytes. `end` is `None` when not given (BITPOS). `Ok(None)`: an empty
/// range.
fn bit_range(len: u64, start: i64, end: Option<i64>, unit: Option<&Bytes>) -> Result<Option<(u64, u64)>> {
    let is_bit = match unit {
        None => false,
        Some(u) if args::is(u, "bit") => true,
        Some(u) if args::is(u, "byte") => false,
        Some(_) => return Err(Error::Syntax),
    };
    let len = len as i64;
    let units = if is_bit { len * 8 } else { len };
    let end = end.unwrap_or(units - 1);
    Ok(clamp_range(start, end, units).map(|(a, b)| {
        if is_bit {
            (a as u64, b as u64)
        } else {
            (a as u64 * 8, b as u64 * 8 + 7)
        }
    }))
}

/// Counts set bits in the inclusive bit range `[from, to]`.
fn count_bits(s: &[u8], from: u64, to: u64) -> i64 {
    let (fb, tb) = ((from >> 3) as usize, (to >> 3) as usize);
    let n: i64 = s[fb..=tb].iter().map(|b| b.count_ones() as i64).sum();
    // Take off the bits of the edge bytes outside the range.
    let head = s[fb] & !(0xffu8 >> (from & 7));
    let tail = if to & 7 == 7 { 0 } else { s[tb] & (0xffu8 >> ((to & 7) + 1)) };
    n - head.count_ones() as i64 - tail.count_ones() as i64
}

/// `BITCOUNT key [start end [BYTE | BIT]]`: the number of set bits, in the whole string
/// or the range (negative indexes count from the end). O(N).
/// Errors: syntax error, not an integer, WRONGTYPE.
fn bitcount(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let range = match argv.len() {
        2 => None,
        4 | 5 => Some((args::int(&argv[2])?, args::int(&argv[3])?)),
        _ => return Err(Error::Syntax),
    };
    if argv.len() == 5 && !args::is(&argv[4], "bit") && !args::is(&argv[4], "byte") {
        return Err(Error::Syntax);
    }
    let Some(s) = read_string(ctx, &argv[1])? else { return Ok(Reply::Int(0)) };
    let len = s.len();
    let span = match range {
        None if len == 0 => None,
        None => Some((0, len * 8 - 1)),
        Some((start, end)) if start < 0 && end < 0 && start > end => None,
        Some((start, end)) => bit_range(len, start, Some(end), argv.get(4))?,
    };
    let Some((a, b)) = span else { return Ok(Reply::Int(0)) };
    let (bytes, base) = bit_span(ctx, &s, a, b)?;
    Ok(Reply::Int(count_bits(&bytes, a - base, b - base)))
}

/// `BITPOS key bit [start [end [BYTE | BIT]]]`: the first bit set to `bit` in the range;
/// -1 if none. Looking for 0 without an explicit end, the string counts as padded with
/// zeros on the right. A missing key is all zeros. O(N).
/// Errors: `The bit argument must be 1 or 0.`, syntax error, not an integer, WRONGTYPE.
fn bitpos(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let bit = args::int(&argv[2])?;
    if bit != 0 && bit != 1 {
        return Err(Error::BitArgument);
    }
    let want = bit == 1;
    if argv.len() > 6 {
        return Err(Error::Syntax);
    }
    let start = match argv.get(3) {
        Some(raw) => Some(args::int(raw)?),
        None => None,
    };
    let unit = argv.get(5);
    if let Some(u) = unit {
        if !args::is(u, "bit") && !args::is(u, "byte") {
            return Err(Error::Syntax);
        }
    }
    let end = match argv.get(4) {
        Some(raw) => Some(args::int(raw)?),
        None => None,
    };
    let Some(s) = read_string(ctx, &argv[1])? else { return Ok(Reply::Int(if want { -1 } else { 0 })) };
    let len = s.len();
    let span = match start {
        None if len == 0 => None,
        None => Some((0, len * 8 - 1)),
        Some(start) => bit_range(len, start, end, unit)?,
    };
    let Some((from, to)) = span else { return Ok(Reply::Int(-1)) };
    let (bytes, base) = bit_span(ctx, &s, from, to)?;
    let pos = find_bit(&bytes, from - base, to - base, want).map(|p| p + base);
    Ok(Reply::Int(match pos {
        Some(p) => p as i64,
        None if !want && end.is_none() => (to + 1) as i64,
        None => -1,
    }))
}

/// The string at `key` for a read (a keyspace hit or miss), WRONGTYPE for another type.
fn read_string(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Str>> {
    string::open(&mut ctx.txn, key, Access::Read)
}

/// The bytes holding bits `[from, to]` of the string `s` (only those chunks of a long
/// string are read), and the bit number of the first bit returned.
fn bit_span(ctx: &Ctx<'_>, s: &Str, from: u64, to: u64) -> Result<(Bytes, u64)> {
    let (first, last) = (from >> 3, to >> 3);
    Ok((s.read_range(&ctx.txn, first, last + 1)?, first * 8))
}

/// The first bit equal to `want` in `[from, to]`, skipping whole bytes quickly.
fn find_bit(s: &[u8], from: u64, to: u64, want: bool) -> Option<u64> {
    let skip = if want { 0x00 } else { 0xff };
    let mut i = from;
    while i <= to {
        if i & 7 == 0 && i + 7 <= to && s[(i >> 3) as usize] == skip {
            i += 8;
            continue;
        }
        if get_bit(s, i) == want {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `BITOP AND | OR | XOR | NOT destkey key [key ...]`: stores the bitwise result (as
/// long as the longest source, missing bytes read as zero) and answers its length; an
/// empty result deletes destkey. O(N). Errors: syntax error, `BITOP NOT must be called
/// with a single source key.`, WRONGTYPE.
fn bitop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    #[derive(PartialEq, Clone, Copy)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match &argv[1] {
        o if args::is(o, "and") => Op::And,
        o if args::is(o, "or") => Op::Or,
        o if args::is(o, "xor") => Op::Xor,
        o if args::is(o, "not") => Op::Not,
        _ => return Err(Error::Syntax),
    };
    if op == Op::Not && argv.len() != 4 {
        return Err(Error::BitopNotSources);
    }
    let mut srcs = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        srcs.push(read_value(ctx, key)?.unwrap_or_default());
    }
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let dest = &argv[2];
    if maxlen == 0 {
        if ctx.txn.delete(dest)? {
            ctx.notify(GENERIC, "del", dest);
        }
        return Ok(Reply::Int(0));
    }
    let mut out = vec![0u8; maxlen];
    for (i, byte) in out.iter_mut().enumerate() {
        let at = |s: &Bytes| s.get(i).copied().unwrap_or(0);
        *byte = match op {
            Op::Not => !at(&srcs[0]),
            Op::And => srcs.iter().fold(0xff, |acc, s| acc & at(s)),
            Op::Or => srcs.iter().fold(0, |acc, s| acc | at(s)),
            Op::Xor => srcs.iter().fold(0, |acc, s| acc ^ at(s)),
        };
    }
    store(ctx, dest, Bytes::from(out), 0)?;
    ctx.notify(STRING, "set", dest);
    Ok(Reply::Int(maxlen as i64))
}

// ----- BITFIELD -----

#[derive(Clone, Copy, PartialEq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

struct Field {
    op: FieldOp,
    signed: bool,
    bits: u32,
    offset: u64,
    overflow: Overflow,
}

/// `i1`..`i64` or `u1`..`u63`. Error: `Invalid bitfield type...`.
fn field_type(raw: &[u8]) -> Result<(bool, u32)> {
    let err = || Error::BitfieldType;
    let signed = match raw.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(err()),
    };
    let bits = args::parse_i64_strict(&raw[1..]).ok_or_else(err)?;
    if bits < 1 || (signed && bits > 64) || (!signed && bits > 63) {
        return Err(err());
    }
    Ok((signed, bits as u32))
}

/// Reads `bits` bits at `offset` (MSB first) as an unsigned number; past the end is 0.
fn read_field(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for i in 0..bits as u64 {
        v = (v << 1) | get_bit(s, offset + i) as u64;
    }
    v
}

fn write_field(s: &mut [u8], offset: u64, bits: u32, v: u64) {
    for i in 0..bits as u64 {
        set_bit(s, offset + i, (v >> (bits as u64 - 1 - i)) & 1 == 1);
    }
}

fn sign_extend(v: u64, bits: u32) -> i64 {
    if bits < 64 && v & (1 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

/// `value + incr` in a field of the given type: the stored result, or `None` when it
/// overflows under FAIL. Unsigned `value` is the raw field (a SET's argument taken as
/// two's complement, as Redis does).
fn field_add(signed: bool, bits: u32, value: i128, incr: i128, overflow: Overflow) -> Option<u64> {
    let (min, max) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let sum = value + incr;
    let wrapped = || {
        let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        (sum as u64) & mask
    };
    if sum > max || value > max {
        match overflow {
            Overflow::Wrap => Some(wrapped()),
            Overflow::Sat => Some(max as u64),
            Overflow::Fail => None,
        }
    } else if sum < min {
        match overflow {
            Overflow::Wrap => Some(wrapped()),
            Overflow::Sat => Some(min as u64),
            Overflow::Fail => None,
        }
    } else {
        Some(sum as u64)
    }
}

fn parse_fields(ctx: &Ctx<'_>, argv: &[Bytes]) -> Result<Vec<Field>> {
    let mut fields = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut a = Args::new(argv, 2);
    while let Some(sub) = a.next() {
        let left = a.remaining();
        let kind = if args::is(sub, "get") && left >= 2 {
            0
        } else if args::is(sub, "set") && left >= 3 {
            1
        } else if args::is(sub, "incrby") && left >= 3 {
            2
        } else if args::is(sub, "overflow") && left >= 1 {
            let t = a.value()?;
            overflow = if args::is(t, "wrap") {
                Overflow::Wrap
            } else if args::is(t, "sat") {
                Overflow::Sat
            } else if args::is(t, "fail") {
                Overflow::Fail
            } else {
                return Err(Error::BitfieldOverflow);
            };
            continue;
        } else {
            return Err(Error::Syntax);
        };
        let (signed, bits) = field_type(a.value()?)?;
        let offset = bit_offset(ctx, a.value()?, bits)?;
        let op = match kind {
            0 => FieldOp::Get,
            1 => FieldOp::Set(a.int()?),
            _ => FieldOp::IncrBy(a.int()?),
        };
        fields.push(Field { op, signed, bits, offset, overflow });
    }
    Ok(fields)
}

/// Runs BITFIELD's operations in order against `buf`.
fn run_fields(fields: &[Field], buf: &mut [u8]) -> Vec<Reply> {
    fields
        .iter()
        .map(|f| {
            let raw = read_field(buf, f.offset, f.bits);
            let old = if f.signed { sign_extend(raw, f.bits) as i128 } else { raw as i128 };
            let (value, incr, answer_new) = match f.op {
                FieldOp::Get => return Reply::Int(old as i64),
                // A SET value is checked as `value + 0`; unsigned takes its two's complement.
                FieldOp::Set(v) => (if f.signed { v as i128 } else { v as u64 as i128 }, 0, false),
                FieldOp::IncrBy(by) => (old, by as i128, true),
            };
            match field_add(f.signed, f.bits, value, incr, f.overflow) {
                None => Reply::Nil,
                Some(new) => {
                    write_field(buf, f.offset, f.bits, new);
                    let new = if f.signed { sign_extend(new, f.bits) as i128 } else { new as i128 };
                    Reply::Int(if answer_new { new as i64 } else { old as i64 })
                }
            }
        })
        .collect()
}

/// `BITFIELD key [GET type offset | SET type offset value | INCRBY type offset incr |
/// OVERFLOW WRAP|SAT|FAIL ...]`: integer fields of 1-64 bits (`u1`-`u63`, `i1`-`i64`)
/// at bit offsets (`#N` = N times the width). One reply per GET/SET/INCRBY: SET answers
/// the old value, INCRBY the new one, nil when OVERFLOW FAIL refused it. O(1) per op.
/// Errors: syntax error, invalid type, invalid OVERFLOW type, bit offset out of range,
/// not an integer, WRONGTYPE.
fn bitfield(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bitfield_generic(ctx, argv, false)
}

/// `BITFIELD_RO key [GET type offset ...]`: BITFIELD's GET alone. Errors: as BITFIELD,
/// and `BITFIELD_RO only supports the GET subcommand`.
fn bitfield_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    bitfield_generic(ctx, argv, true)
}

fn bitfield_generic(ctx: &mut Ctx<'_>, argv: &[Bytes], read_only: bool) -> Result<Reply> {
    let mut fields = parse_fields(ctx, argv)?;
    let highest = fields
        .iter()
        .filter(|f| f.op != FieldOp::Get)
        .map(|f| f.offset + f.bits as u64 - 1)
        .max();
    if read_only && highest.is_some() {
        return Err(Error::BitfieldReadOnly);
    }
    let key = &argv[1];
    // Only the bytes the fields cover are read (and written back): one or two chunks of
    // a long string, not all of it.
    let lo = fields.iter().map(|f| f.offset >> 3).min().unwrap_or(0);
    let hi = fields.iter().map(|f| (f.offset + f.bits as u64 - 1) >> 3).max().unwrap_or(0);
    for f in &mut fields {
        f.offset -= lo * 8;
    }
    let Some(highest) = highest else {
        // Only reads: a keyspace hit or miss in INFO.
        let mut window = match read_string(ctx, key)? {
            Some(s) => s.read_range(&ctx.txn, lo, hi + 1)?.to_vec(),
            None => Vec::new(),
        };
        window.resize((hi - lo + 1) as usize, 0);
        let read = |f: &Field| {
            let raw = read_field(&window, f.offset, f.bits);
            Reply::Int(if f.signed { sign_extend(raw, f.bits) } else { raw as i64 })
        };
        return Ok(Reply::Array(fields.iter().map(read).collect()));
    };
    // As Redis, the string grows to hold the highest field written, not the ones read.
    let mut s = StrMut::open(&mut ctx.txn, key)?;
    let ttl = s.expire_at();
    let mut replies = Vec::new();
    s.update(&mut ctx.txn, lo, hi - lo + 1, (highest >> 3) + 1, ttl, |window| {
        replies = run_fields(&fields, window);
    })?;
    s.finish(&mut ctx.txn)?;
    // Redis counts a change for every SET and every INCRBY that did not fail on overflow.
    let changes = fields.iter().zip(&replies).any(|(f, r)| f.op != FieldOp::Get && !matches!(r, Reply::Nil));
    if changes {
        ctx.notify(STRING, "setbit", key);
    }
    Ok(Reply::Array(replies))
}

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "setbit", arity: 4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "bitmap", handler: setbit,
        summary: "Sets or clears the bit at offset in the string value stored at key", since: "2.2.0",
        complexity: "O(1)",
        docs: "key#0 offset:integer value:integer
            key 0:            RW access update, index 1, range 0",
    },
    command! {
        name: "getbit", arity: 3, flags: READONLY | FAST, keys: Keys::one(), group: "bitmap", handler: getbit,
        summary: "Returns the bit value at offset in the string value stored at key", since: "2.2.0",
        complexity: "O(1)",
        docs: "key#0 offset:integer
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "bitcount", arity: -2, flags: READONLY, keys: Keys::one(), group: "bitmap", handler: bitcount,
        summary: "Count set bits in a string", since: "2.6.0", complexity: "O(N)",
        docs: "key#0 [index(start:integer end:integer [index_unit(BYTE | BIT)@7.0.0])]
            history 7.0.0:    Added the `BYTE|BIT` option.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "bitpos", arity: -3, flags: READONLY, keys: Keys::one(), group: "bitmap", handler: bitpos,
        summary: "Find first bit set or clear in a string", since: "2.8.7", complexity: "O(N)",
        docs: "key#0 bit:integer [index(start:integer [end_index(end:integer
               [index_unit(BYTE | BIT)@7.0.0])])]
            history 7.0.0:    Added the `BYTE|BIT` option.
            key 0:            RO access, index 1, range 0",
    },
    command! {
        name: "bitop", arity: -4, flags: WRITE | DENYOOM, keys: Keys::all_from(2), group: "bitmap", handler: bitop,
        summary: "Perform bitwise operations between strings", since: "2.6.0", complexity: "O(N)",
        docs: "operation destkey#0 key#1...
            key 0:            OW update, index 2, range 0
            key 1:            RO access, index 3, range -1",
    },
    command! {
        name: "bitfield", arity: -2, flags: WRITE | DENYOOM, keys: Keys::one(), group: "bitmap", handler: bitfield,
        summary: "Perform arbitrary bitfield integer operations on strings", since: "3.2.0",
        complexity: "O(1) for each subcommand specified",
        docs: r#"key#0 [operation(GET encoding_offset(encoding offset:integer) |
                 write([OVERFLOW wrap_sat_fail(WRAP | SAT | FAIL)]
                 write_operation(SET encoding_offset_value(encoding offset:integer
                 value:integer) | INCRBY encoding_offset_increment(encoding
                 offset:integer increment:integer))))...]
            key 0:            RW access update variable_flags, index 1, range 0,
                              "This command allows both access and modification of the key""#,
    },
    command! {
        name: "bitfield_ro", arity: -2, flags: READONLY | FAST, keys: Keys::one(),
        group: "bitmap", handler: bitfield_ro,
        summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", since: "6.0.0",
        complexity: "O(1) for each subcommand specified",
        docs: "key#0 [GET encoding_offset(encoding offset:integer)]...
            key 0:            RO access, index 1, range 0",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_respects_edges() {
        let s = [0xffu8, 0xff, 0xff];
        assert_eq!(count_bits(&s, 0, 23), 24);
        assert_eq!(count_bits(&s, 3, 3), 1);
        assert_eq!(count_bits(&s, 5, 17), 13);
        let s = [0b1010_1010u8];
        assert_eq!(count_bits(&s, 1, 6), 3);
    }

    #[test]
    fn fields_wrap_saturate_and_fail() {
        assert_eq!(field_add(false, 8, 250, 10, Overflow::Wrap), Some(4));
        assert_eq!(field_add(false, 8, 250, 10, Overflow::Sat), Some(255));
        assert_eq!(field_add(false, 8, 250, 10, Overflow::Fail), None);
        assert_eq!(field_add(false, 8, 5, -10, Overflow::Sat), Some(0));
        assert_eq!(field_add(true, 8, 120, 10, Overflow::Wrap).map(|v| sign_extend(v, 8)), Some(-126));
        assert_eq!(field_add(true, 8, -120, -10, Overflow::Sat).map(|v| sign_extend(v, 8)), Some(-128));
        assert_eq!(field_add(true, 64, i64::MAX as i128, 1, Overflow::Wrap).map(|v| v as i64), Some(i64::MIN));
        // SET u8 -1: the value taken as 2^64-1 is above the maximum.
        assert_eq!(field_add(false, 8, u64::MAX as i128, 0, Overflow::Wrap), Some(255));
        assert_eq!(field_add(false, 8, u64::MAX as i128, 0, Overflow::Sat), Some(255));
    }
}

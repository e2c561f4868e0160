//! Redis's `cmsgpack` library (lua_cmsgpack as Redis ships it) in Rust: `pack(...)`
//! concatenates its arguments' encodings (integral numbers in the smallest integer
//! form, others as float32 when exact else float64, strings as fixstr / str8/16/32,
//! tables as arrays when their keys are exactly 1..n else maps, tables nested 16 deep
//! as nil); `unpack(s)` returns every value, `unpack_one(s [, offset])` and
//! `unpack_limit(s, limit [, offset])` return the next offset (-1 at the end) first.

use mlua::{Lua, MultiValue, Result, Table, Value};

use super::libs::{located, num_arg};

const MAX_NESTING: usize = 16;
/// How deep unpack follows nested arrays and maps (Lua's C stack limit in Redis).
const MAX_DECODE_DEPTH: usize = 200;

fn rt(msg: String) -> mlua::Error {
    mlua::Error::RuntimeError(msg)
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2147483648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_number(out: &mut Vec<u8>, n: f64) {
    // IS_INT64_EQUIVALENT: not infinite and equal to its int64_t conversion.
    if !n.is_infinite() && !n.is_nan() && n >= -9223372036854775808.0 && n < 9223372036854775808.0 && (n as i64) as f64 == n {
        encode_int(out, n as i64);
    } else {
        let f = n as f32;
        if f as f64 == n {
            out.push(0xca);
            out.extend_from_slice(&f.to_be_bytes());
        } else {
            out.push(0xcb);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

fn encode_len(out: &mut Vec<u8>, len: usize, fix: u8, fixmax: usize, b16: u8, b32: u8) {
    if len <= fixmax {
        out.push(fix | len as u8);
    } else if len <= 0xffff {
        out.push(b16);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

fn encode(out: &mut Vec<u8>, v: &Value, level: usize) -> Result<()> {
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            if b.len() < 32 {
                out.push(0xa0 | b.len() as u8);
            } else if b.len() <= 0xff {
                out.extend_from_slice(&[0xd9, b.len() as u8]);
            } else {
                encode_len(out, b.len(), 0, 0, 0xda, 0xdb);
            }
            out.extend_from_slice(&b);
        }
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Number(n) => encode_number(out, *n),
        Value::Integer(n) => encode_number(out, *n as f64),
        Value::Table(t) if level < MAX_NESTING => {
            let mut pairs = Vec::new();
            let (mut count, mut max, mut array) = (0usize, 0f64, true);
            for kv in t.clone().pairs::<Value, Value>() {
                let (k, v) = kv?;
                if array {
                    let n = match &k {
                        Value::Number(n) => Some(*n),
                        Value::Integer(n) => Some(*n as f64),
                        _ => None,
                    };
                    match n {
                        Some(n) if n.fract() == 0.0 && n >= 1.0 => {
                            count += 1;
                            max = max.max(n);
                        }
                        _ => array = false,
                    }
                }
                pairs.push((k, v));
            }
            if array && max == count as f64 {
                encode_len(out, count, 0x90, 15, 0xdc, 0xdd);
                for j in 1..=count {
                    encode(out, &t.raw_get::<Value>(j)?, level + 1)?;
                }
            } else {
                encode_len(out, pairs.len(), 0x80, 15, 0xde, 0xdf);
                for (k, v) in &pairs {
                    encode(out, k, level + 1)?;
                    encode(out, v, level + 1)?;
                }
            }
        }
        _ => out.push(0xc0),
    }
    Ok(())
}

enum DecodeErr {
    Eof,
    BadFmt,
    Lua(mlua::Error),
}

impl From<mlua::Error> for DecodeErr {
    fn from(e: mlua::Error) -> Self {
        DecodeErr::Lua(e)
    }
}

struct Cur<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], DecodeErr> {
        if self.b.len() - self.pos < n {
            return Err(DecodeErr::Eof);
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn uint(&mut self, n: usize) -> std::result::Result<u64, DecodeErr> {
        Ok(self.take(n)?.iter().fold(0u64, |a, &b| (a << 8) | b as u64))
    }
}

fn decode(lua: &Lua, c: &mut Cur, depth: usize) -> std::result::Result<Value, DecodeErr> {
    if depth > MAX_DECODE_DEPTH {
        return Err(DecodeErr::Lua(rt("too many nested tables in input".into())));
    }
    let t = c.take(1)?[0];
    let num = |x: f64| Ok(Value::Number(x));
    match t {
        0xcc => num(c.uint(1)? as f64),
        0xd0 => num(c.uint(1)? as u8 as i8 as f64),
        0xcd => num(c.uint(2)? as f64),
        0xd1 => num(c.uint(2)? as u16 as i16 as f64),
        0xce => num(c.uint(4)? as f64),
        0xd2 => num(c.uint(4)? as u32 as i32 as f64),
        0xcf => num(c.uint(8)? as f64),
        0xd3 => num(c.uint(8)? as i64 as f64),
        0xc0 => Ok(Value::Nil),
        0xc3 => Ok(Value::Boolean(true)),
        0xc2 => Ok(Value::Boolean(false)),
        0xca => num(f32::from_bits(c.uint(4)? as u32) as f64),
        0xcb => num(f64::from_bits(c.uint(8)?)),
        0xd9 | 0xda | 0xdb => {
            let n = c.uint(1 << (t - 0xd9))? as usize;
            Ok(Value::String(lua.create_string(c.take(n)?)?))
        }
        0xdc | 0xdd => {
            let n = c.uint(if t == 0xdc { 2 } else { 4 })? as usize;
            array(lua, c, n, depth)
        }
        0xde | 0xdf => {
            let n = c.uint(if t == 0xde { 2 } else { 4 })? as usize;
            map(lua, c, n, depth)
        }
        _ if t & 0x80 == 0 => num(t as f64),
        _ if t & 0xe0 == 0xe0 => num(t as i8 as f64),
        _ if t & 0xe0 == 0xa0 => Ok(Value::String(lua.create_string(c.take((t & 0x1f) as usize)?)?)),
        _ if t & 0xf0 == 0x90 => array(lua, c, (t & 0x0f) as usize, depth),
        _ if t & 0xf0 == 0x80 => map(lua, c, (t & 0x0f) as usize, depth),
        _ => Err(DecodeErr::BadFmt),
    }
}

fn array(lua: &Lua, c: &mut Cur, n: usize, depth: usize) -> std::result::Result<Value, DecodeErr> {
    // Each element takes at least one byte: a count beyond the input is cut short.
    let t = lua.create_table_with_capacity(n.min(c.b.len() - c.pos), 0)?;
    for j in 1..=n {
        let v = decode(lua, c, depth + 1)?;
        t.raw_set(j, v)?;
    }
    Ok(Value::Table(t))
}

fn map(lua: &Lua, c: &mut Cur, n: usize, depth: usize) -> std::result::Result<Value, DecodeErr> {
    let t = lua.create_table()?;
    for _ in 0..n {
        let k = decode(lua, c, depth + 1)?;
        let v = decode(lua, c, depth + 1)?;
        t.raw_set(k, v)?;
    }
    Ok(Value::Table(t))
}

/// lua_cmsgpack's mp_unpack_full.
fn unpack_full(lua: &Lua, s: &[u8], limit: i64, offset: i64) -> Result<MultiValue> {
    let decode_all = limit == 0 && offset == 0;
    let len = s.len() as i64;
    if offset < 0 || limit < 0 {
        return Err(rt(format!("Invalid request to unpack with offset of {offset} and limit of {len}.")));
    } else if offset > len {
        return Err(rt(format!("Start offset {offset} greater than input length {len}.")));
    }
    let limit = if decode_all { i32::MAX as i64 } else { limit };
    let mut c = Cur { b: s, pos: offset as usize };
    let mut out = Vec::new();
    let mut cnt = 0;
    while c.pos < s.len() && cnt < limit {
        match decode(lua, &mut c, 0) {
            Ok(v) => out.push(v),
            Err(DecodeErr::Eof) => return Err(rt("Missing bytes in input.".into())),
            Err(DecodeErr::BadFmt) => return Err(rt("Bad data format in input.".into())),
            Err(DecodeErr::Lua(e)) => return Err(e),
        }
        cnt += 1;
    }
    if !decode_all {
        let next = if c.pos == s.len() { -1.0 } else { c.pos as f64 };
        out.insert(0, Value::Number(next));
    }
    Ok(MultiValue::from_iter(out))
}

fn str_arg(v: Option<&Value>, name: &str) -> Result<Vec<u8>> {
    match v {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(Value::Number(n)) => Ok(super::libs::fmt_g(*n, 14).into_bytes()),
        Some(Value::Integer(n)) => Ok(n.to_string().into_bytes()),
        None => Err(super::libs::bad_arg(1, name, "string expected, got no value")),
        Some(other) => {
            Err(super::libs::bad_arg(1, name, &format!("string expected, got {}", if matches!(other, Value::Nil) { "nil" } else { super::libs::lua_type(other) })))
        }
    }
}

fn int_arg(v: Option<&Value>, i: usize, name: &str, default: Option<i64>) -> Result<i64> {
    match (v, default) {
        (None | Some(Value::Nil), Some(d)) => Ok(d),
        (None, None) => Err(super::libs::bad_arg(i, name, "number expected, got no value")),
        (Some(Value::Nil), None) => Err(super::libs::bad_arg(i, name, "number expected, got nil")),
        (Some(v), _) => Ok(num_arg(v, i, name)? as i64),
    }
}

fn pack(lua: &Lua, args: MultiValue) -> Result<mlua::String> {
    if args.is_empty() {
        return Err(super::libs::bad_arg(0, "pack", "MessagePack pack needs input."));
    }
    let mut out = Vec::new();
    for v in args.iter() {
        encode(&mut out, v, 0)?;
    }
    lua.create_string(&out)
}

fn unpack(lua: &Lua, args: MultiValue) -> Result<MultiValue> {
    let a: Vec<Value> = args.into_iter().collect();
    let s = str_arg(a.first(), "unpack")?;
    unpack_full(lua, &s, 0, 0)
}

fn unpack_one(lua: &Lua, args: MultiValue) -> Result<MultiValue> {
    let a: Vec<Value> = args.into_iter().collect();
    let offset = int_arg(a.get(1), 2, "unpack_one", Some(0))?;
    let s = str_arg(a.first(), "unpack_one")?;
    unpack_full(lua, &s, 1, offset)
}

fn unpack_limit(lua: &Lua, args: MultiValue) -> Result<MultiValue> {
    let a: Vec<Value> = args.into_iter().collect();
    let limit = int_arg(a.get(1), 2, "unpack_limit", None)?;
    let offset = int_arg(a.get(2), 3, "unpack_limit", Some(0))?;
    let s = str_arg(a.first(), "unpack_limit")?;
    unpack_full(lua, &s, limit, offset)
}

/// The `cmsgpack` table.
pub fn cmsgpack(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", lua.create_function(|lua, a: MultiValue| pack(lua, a).map_err(|e| located(lua, e)))?)?;
    t.raw_set("unpack", lua.create_function(|lua, a: MultiValue| unpack(lua, a).map_err(|e| located(lua, e)))?)?;
    t.raw_set("unpack_one", lua.create_function(|lua, a: MultiValue| unpack_one(lua, a).map_err(|e| located(lua, e)))?)?;
    t.raw_set("unpack_limit", lua.create_function(|lua, a: MultiValue| unpack_limit(lua, a).map_err(|e| located(lua, e)))?)?;
    Ok(t)
}

//! The libraries Redis gives scripts beyond Lua's own, written in Rust as tables of
//! functions: `bit` (LuaBitOp's semantics), `cjson` (lua-cjson's encoding rules:
//! numbers as `%.14g`, `/` escaped, empty tables as `{}`, `cjson.null`), and Redis's
//! `math.random` (its `redisLrand48`, one sequence for the server's life, as in 7.0), plus
//! C's `%.Ng` number formatting that Lua and Redis use to print numbers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use mlua::{Lua, LightUserData, MultiValue, Result, Table, Value};

/// C's `printf("%.<precision>g", x)`.
pub fn fmt_g(x: f64, precision: usize) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, x);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let mant = strip_zeros(mant);
        format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        strip_zeros(&format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------
// math.random as Redis's redisLrand48
// ---------------------------------------------------------------------------------

const LRAND_A: u64 = 0x5DEECE66D;
const LRAND_MASK: u64 = (1 << 48) - 1;

/// The generator's 48-bit state, shared by `math.random` and `math.randomseed`.
pub struct Rand48(AtomicU64);

/// redisLrand48's state before any `redisSrand48`: `0x1234ABCD330E` (its `X2 X1 X0`).
/// Redis 7.0 never reseeds it per script, so one sequence runs for the server's life.
const LRAND_INITIAL: u64 = 0x1234_ABCD_330E;

impl Default for Rand48 {
    fn default() -> Self {
        Rand48(AtomicU64::new(LRAND_INITIAL))
    }
}

impl Rand48 {
    /// `redisSrand48(seed)`.
    pub fn seed(&self, seed: i32) {
        self.0.store((((seed as u32) as u64) << 16 | 0x330E) & LRAND_MASK, Ordering::Relaxed);
    }

    fn next(&self) -> i32 {
        let x = (self.0.load(Ordering::Relaxed).wrapping_mul(LRAND_A).wrapping_add(0xB)) & LRAND_MASK;
        self.0.store(x, Ordering::Relaxed);
        (x >> 17) as i32
    }
}

/// `luaL_checkint`: a number, or a string Lua converts to one, truncated to a C int.
fn check_int(v: Option<&Value>, i: usize, name: &str) -> Result<i32> {
    let n = match v {
        Some(Value::Integer(n)) => *n as f64,
        Some(Value::Number(n)) => *n,
        Some(Value::String(s)) => s
            .to_str()
            .ok()
            .and_then(|s| lua_str2number(&s))
            .ok_or_else(|| bad_arg(i, name, "number expected, got string"))?,
        Some(other) => return Err(bad_arg(i, name, &format!("number expected, got {}", lua_type(other)))),
        None => return Err(bad_arg(i, name, "number expected, got no value")),
    };
    Ok(if n.is_finite() { n as i64 as i32 } else { i64::MIN as i32 })
}

/// Lua 5.1's string -> number coercion (`lua_str2number`: strtod, or hex with `0x`,
/// surrounded by optional spaces).
pub(super) fn lua_str2number(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() {
        return None;
    }
    let (end, v) = strtod(t.as_bytes());
    if end == t.len() {
        return Some(v);
    }
    let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))?;
    u64::from_str_radix(hex, 16).ok().map(|v| v as f64)
}

/// Replaces `math.random` and `math.randomseed` with Redis's (`redis_math_random`: Lua's
/// own with `rand()` replaced by `redisLrand48()`).
pub fn install_random(lua: &Lua, math: &Table, rand: Arc<Rand48>) -> Result<()> {
    let r = rand.clone();
    let random = lua.create_function(move |lua, args: MultiValue| {
        let f = || -> Result<f64> {
            let max = i32::MAX as f64;
            let r = (r.next() % i32::MAX) as f64 / max;
            match args.len() {
                0 => Ok(r),
                1 => {
                    let u = check_int(args.front(), 1, "random")?;
                    if u < 1 {
                        return Err(bad_arg(1, "random", "interval is empty"));
                    }
                    Ok((r * u as f64).floor() + 1.0)
                }
                2 => {
                    let l = check_int(args.front(), 1, "random")?;
                    let u = check_int(args.get(1), 2, "random")?;
                    if l > u {
                        return Err(bad_arg(2, "random", "interval is empty"));
                    }
                    Ok((r * (u as f64 - l as f64 + 1.0)).floor() + l as f64)
                }
                _ => Err(mlua::Error::RuntimeError("wrong number of arguments".into())),
            }
        };
        f().map_err(|e| located(lua, e))
    })?;
    math.raw_set("random", random)?;
    let randomseed = lua.create_function(move |lua, args: MultiValue| {
        let seed = check_int(args.front(), 1, "randomseed").map_err(|e| located(lua, e))?;
        rand.seed(seed);
        Ok(())
    })?;
    math.raw_set("randomseed", randomseed)?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// bit (LuaBitOp)
// ---------------------------------------------------------------------------------

fn tobit(x: f64) -> i32 {
    // LuaBitOp's normalisation: the low 32 bits of the number rounded to an integer.
    (x + 6755399441055744.0).to_bits() as u32 as i32
}

pub(super) fn num_arg(v: &Value, i: usize, name: &str) -> Result<f64> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::Integer(n) => Ok(*n as f64),
        Value::String(s) => s
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .ok_or_else(|| bad_arg(i, name, "number expected, got string")),
        other => Err(bad_arg(i, name, &format!("number expected, got {}", lua_type(other)))),
    }
}

pub(super) fn bad_arg(i: usize, name: &str, what: &str) -> mlua::Error {
    mlua::Error::RuntimeError(format!("bad argument #{i} to '{name}' ({what})"))
}

/// A library function's error as `luaL_error` words it: prefixed with the calling
/// script's `user_script:<line>: ` when a script line called the function.
pub(super) fn located(lua: &Lua, e: mlua::Error) -> mlua::Error {
    if let mlua::Error::RuntimeError(m) = &e {
        if let Some(d) = lua.inspect_stack(1) {
            let line = d.curr_line();
            if line > 0 {
                if let Some(src) = d.source().short_src {
                    return mlua::Error::RuntimeError(format!("{src}:{line}: {m}"));
                }
            }
        }
    }
    e
}

pub(super) fn lua_type(v: &Value) -> &'static str {
    match v {
        Value::Nil => "no value",
        Value::Boolean(_) => "boolean",
        Value::Number(_) | Value::Integer(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::LightUserData(_) | Value::UserData(_) => "userdata",
        Value::Thread(_) => "thread",
        _ => "value",
    }
}

/// The `bit` table.
pub fn bit(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    fn fold(lua: &Lua, name: &'static str, op: fn(i32, i32) -> i32) -> Result<mlua::Function> {
        lua.create_function(move |_, args: MultiValue| {
            let mut it = args.iter().enumerate();
            let Some((_, first)) = it.next() else { return Err(bad_arg(1, name, "number expected, got no value")) };
            let mut acc = tobit(num_arg(first, 1, name)?);
            for (i, v) in it {
                acc = op(acc, tobit(num_arg(v, i + 1, name)?));
            }
            Ok(acc as f64)
        })
    }
    t.raw_set("band", fold(lua, "band", |a, b| a & b)?)?;
    t.raw_set("bor", fold(lua, "bor", |a, b| a | b)?)?;
    t.raw_set("bxor", fold(lua, "bxor", |a, b| a ^ b)?)?;
    t.raw_set("tobit", lua.create_function(|_, x: Value| Ok(tobit(num_arg(&x, 1, "tobit")?) as f64))?)?;
    t.raw_set("bnot", lua.create_function(|_, x: Value| Ok(!tobit(num_arg(&x, 1, "bnot")?) as f64))?)?;
    t.raw_set("bswap", lua.create_function(|_, x: Value| Ok(tobit(num_arg(&x, 1, "bswap")?).swap_bytes() as f64))?)?;
    fn shift(lua: &Lua, name: &'static str, op: fn(i32, u32) -> i32) -> Result<mlua::Function> {
        lua.create_function(move |_, (x, n): (Value, Value)| {
            let x = tobit(num_arg(&x, 1, name)?);
            let n = (tobit(num_arg(&n, 2, name)?) & 31) as u32;
            Ok(op(x, n) as f64)
        })
    }
    t.raw_set("lshift", shift(lua, "lshift", |x, n| ((x as u32) << n) as i32)?)?;
    t.raw_set("rshift", shift(lua, "rshift", |x, n| ((x as u32) >> n) as i32)?)?;
    t.raw_set("arshift", shift(lua, "arshift", |x, n| x >> n)?)?;
    t.raw_set("rol", shift(lua, "rol", |x, n| (x as u32).rotate_left(n) as i32)?)?;
    t.raw_set("ror", shift(lua, "ror", |x, n| (x as u32).rotate_right(n) as i32)?)?;
    t.raw_set(
        "tohex",
        lua.create_function(|_, (x, n): (Value, Option<Value>)| {
            let x = tobit(num_arg(&x, 1, "tohex")?) as u32;
            let n = match n {
                Some(Value::Nil) | None => 8,
                Some(v) => tobit(num_arg(&v, 2, "tohex")?),
            };
            let upper = n < 0;
            let n = (n.unsigned_abs().min(8)) as usize;
            let full = if upper { format!("{x:08X}") } else { format!("{x:08x}") };
            Ok(full[8 - n..].to_string())
        })?,
    )?;
    located_table(lua, t)
}

/// The same table with every function's errors located as `luaL_error` words them
/// (`user_script:<line>: ` before the text when a script line called it).
fn located_table(lua: &Lua, t: Table) -> Result<Table> {
    let out = lua.create_table()?;
    for kv in t.pairs::<Value, Value>() {
        let (k, v) = kv?;
        let v = match v {
            Value::Function(f) => Value::Function(lua.create_function(move |lua, a: MultiValue| {
                f.call::<MultiValue>(a).map_err(|e| located(lua, innermost(e)))
            })?),
            other => other,
        };
        out.raw_set(k, v)?;
    }
    Ok(out)
}

/// The error a Rust callback raised, without the callback wrapping around it.
fn innermost(e: mlua::Error) -> mlua::Error {
    match e {
        mlua::Error::CallbackError { cause, .. } => innermost((*cause).clone()),
        other => other,
    }
}

// ---------------------------------------------------------------------------------
// cjson
// ---------------------------------------------------------------------------------

/// lua-cjson's `null`: a NULL light userdata.
fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

fn is_null(v: &Value) -> bool {
    matches!(v, Value::LightUserData(p) if p.0.is_null())
}

const MAX_DEPTH: usize = 1000;

fn encode_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c if c < 0x20 || c == 0x7f => out.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            c => out.push(c),
        }
    }
    out.push(b'"');
}

fn encode_number(out: &mut Vec<u8>, n: f64) -> Result<()> {
    if !n.is_finite() {
        return Err(mlua::Error::RuntimeError("Cannot serialise number: must not be NaN or Inf".into()));
    }
    out.extend_from_slice(fmt_g(n, 14).as_bytes());
    Ok(())
}

fn encode(out: &mut Vec<u8>, v: &Value, depth: usize) -> Result<()> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        v if is_null(v) => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Integer(i) => encode_number(out, *i as f64)?,
        Value::Number(n) => encode_number(out, *n)?,
        Value::String(s) => encode_string(out, &s.as_bytes()),
        Value::Table(t) => {
            let depth = depth + 1;
            if depth > MAX_DEPTH {
                return Err(mlua::Error::RuntimeError(format!("Cannot serialise, excessive nesting ({depth})")));
            }
            // An array when every key is a positive integer (lua-cjson's rule).
            let mut max = 0usize;
            let mut items = 0usize;
            let mut array = true;
            for pair in t.clone().pairs::<Value, Value>() {
                let (k, _) = pair?;
                items += 1;
                let idx = match k {
                    Value::Integer(i) if i >= 1 => Some(i as usize),
                    Value::Number(n) if n >= 1.0 && n.fract() == 0.0 => Some(n as usize),
                    _ => None,
                };
                match idx {
                    Some(i) => max = max.max(i),
                    None => {
                        array = false;
                        break;
                    }
                }
            }
            if array && items > 0 {
                if max > items * 2 && max > 10 {
                    return Err(mlua::Error::RuntimeError("Cannot serialise table: excessively sparse array".into()));
                }
                out.push(b'[');
                for i in 1..=max {
                    if i > 1 {
                        out.push(b',');
                    }
                    encode(out, &t.raw_get::<Value>(i)?, depth)?;
                }
                out.push(b']');
            } else {
                out.push(b'{');
                let mut first = true;
                for pair in t.clone().pairs::<Value, Value>() {
                    let (k, v) = pair?;
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    match &k {
                        Value::String(s) => encode_string(out, &s.as_bytes()),
                        Value::Integer(i) => encode_string(out, fmt_g(*i as f64, 14).as_bytes()),
                        Value::Number(n) => encode_string(out, fmt_g(*n, 14).as_bytes()),
                        _ => {
                            return Err(mlua::Error::RuntimeError(
                                "Cannot serialise table: table key must be a number or string".into(),
                            ))
                        }
                    }
                    out.push(b':');
                    encode(out, &v, depth)?;
                }
                out.push(b'}');
            }
        }
        other => {
            return Err(mlua::Error::RuntimeError(format!("Cannot serialise {}: type not supported", lua_type(other))))
        }
    }
    Ok(())
}

// lua-cjson's decoder, token by token, so that its errors are lua-cjson's own: `Expected
// <what> but found <token> at character <n>` (`T_END`, `T_OBJ_END`..., or the text of a
// bad token: `invalid token`, `invalid number`, `unexpected end of string`, `invalid
// escape code`, `invalid unicode escape code`), nesting at most 1000 deep. As in C, a NUL
// byte ends the text; numbers go through `strtod` (so `+1`, `0x10`, `1.`, `inf`, `nan`
// decode, as Redis's lua-cjson lets them with `decode_invalid_numbers`).

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Tok {
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num(_) => "T_NUMBER",
            Tok::Bool(_) => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error(text) => text,
        }
    }
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
    /// The last string token's bytes.
    text: Vec<u8>,
}

impl Parser<'_> {
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    /// The next token and the index (0-based) it starts at.
    fn next(&mut self) -> (Tok, usize) {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        let start = self.pos;
        let ch = self.at(self.pos);
        let single = match ch {
            0 => return (Tok::End, start),
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return (t, start);
        }
        let rest = &self.data[self.pos..];
        match ch {
            b'"' => self.string(start),
            b'-' | b'0'..=b'9' | b'+' | b'i' | b'I' | b'n' | b'N' | b't' | b'f' => {
                if ch == b'-' || ch.is_ascii_digit() {
                    return self.number(start);
                }
                for (word, tok) in [(&b"true"[..], Tok::Bool(true)), (b"false", Tok::Bool(false)), (b"null", Tok::Null)] {
                    if rest.starts_with(word) {
                        self.pos += word.len();
                        return (tok, start);
                    }
                }
                if invalid_number(rest) {
                    return self.number(start);
                }
                (Tok::Error("invalid token"), start)
            }
            _ => (Tok::Error("invalid token"), start),
        }
    }

    fn number(&mut self, start: usize) -> (Tok, usize) {
        let end = self.data[self.pos..].iter().position(|&b| b == 0).map_or(self.data.len(), |n| self.pos + n);
        let (used, v) = strtod(&self.data[self.pos..end]);
        if used == 0 {
            return (Tok::Error("invalid number"), start);
        }
        self.pos += used;
        (Tok::Num(v), start)
    }

    fn string(&mut self, start: usize) -> (Tok, usize) {
        self.pos += 1;
        self.text.clear();
        loop {
            let ch = self.at(self.pos);
            match ch {
                b'"' => break,
                0 => return (Tok::Error("unexpected end of string"), self.pos),
                b'\\' => {
                    let esc = match self.at(self.pos + 1) {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            if !self.unicode_escape() {
                                return (Tok::Error("invalid unicode escape code"), self.pos);
                            }
                            continue;
                        }
                        _ => return (Tok::Error("invalid escape code"), self.pos),
                    };
                    self.text.push(esc);
                    self.pos += 2;
                }
                c => {
                    self.text.push(c);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        (Tok::Str, start)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..4 {
            let d = (self.at(at + i) as char).to_digit(16)?;
            v = v << 4 | d;
        }
        Some(v)
    }

    /// `\uXXXX` (or a surrogate pair) at `pos`: appends its UTF-8 and moves past it.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut cp) = self.hex4(self.pos + 2) else { return false };
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 || self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else { return false };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        let Some(c) = char::from_u32(cp) else { return false };
        let mut buf = [0u8; 4];
        self.text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        self.pos += len;
        true
    }

    fn fail(&self, expected: &str, tok: Tok, at: usize) -> mlua::Error {
        mlua::Error::RuntimeError(format!("Expected {expected} but found {} at character {}", tok.name(), at + 1))
    }

    fn descend(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(mlua::Error::RuntimeError(format!(
                "Found too many nested data structures ({}) at character {}",
                self.depth, self.pos
            )));
        }
        Ok(())
    }

    fn value(&mut self, lua: &Lua, tok: Tok, at: usize) -> Result<Value> {
        Ok(match tok {
            Tok::Str => Value::String(lua.create_string(&self.text)?),
            Tok::Num(n) => Value::Number(n),
            Tok::Bool(b) => Value::Boolean(b),
            Tok::Null => null(),
            Tok::ObjBegin => {
                self.descend()?;
                let t = lua.create_table()?;
                let (mut tok, mut at) = self.next();
                if tok != Tok::ObjEnd {
                    loop {
                        if tok != Tok::Str {
                            return Err(self.fail("object key string", tok, at));
                        }
                        let key = lua.create_string(&self.text)?;
                        let (colon, cat) = self.next();
                        if colon != Tok::Colon {
                            return Err(self.fail("colon", colon, cat));
                        }
                        let (vt, vat) = self.next();
                        let v = self.value(lua, vt, vat)?;
                        t.raw_set(key, v)?;
                        let (sep, sat) = self.next();
                        if sep == Tok::ObjEnd {
                            break;
                        }
                        if sep != Tok::Comma {
                            return Err(self.fail("comma or object end", sep, sat));
                        }
                        (tok, at) = self.next();
                    }
                }
                self.depth -= 1;
                Value::Table(t)
            }
            Tok::ArrBegin => {
                self.descend()?;
                let t = lua.create_table()?;
                let (mut tok, mut at) = self.next();
                if tok != Tok::ArrEnd {
                    let mut i = 1;
                    loop {
                        let v = self.value(lua, tok, at)?;
                        t.raw_set(i, v)?;
                        i += 1;
                        let (sep, sat) = self.next();
                        if sep == Tok::ArrEnd {
                            break;
                        }
                        if sep != Tok::Comma {
                            return Err(self.fail("comma or array end", sep, sat));
                        }
                        (tok, at) = self.next();
                    }
                }
                self.depth -= 1;
                Value::Table(t)
            }
            other => return Err(self.fail("value", other, at)),
        })
    }
}

/// lua-cjson's `json_is_invalid_number`: a number JSON does not allow but `strtod` reads
/// (`+`, hex, leading zeros, inf, nan).
fn invalid_number(p: &[u8]) -> bool {
    let mut p = p;
    if p.first() == Some(&b'+') {
        return true;
    }
    if p.first() == Some(&b'-') {
        p = &p[1..];
    }
    let at = |i: usize| p.get(i).copied().unwrap_or(0);
    if at(0) == b'0' {
        let c2 = at(1);
        return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
    }
    if at(0) <= b'9' {
        return false;
    }
    let lower: Vec<u8> = p.iter().take(3).map(|b| b.to_ascii_lowercase()).collect();
    lower == b"inf" || lower == b"nan"
}

/// C's `strtod` on `s`: the number its longest valid prefix denotes and that prefix's
/// length (0 when there is none). Decimal, hex (`0x1.8p3`), `inf`/`infinity`, `nan`.
pub(super) fn strtod(s: &[u8]) -> (usize, f64) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while matches!(at(i), b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = at(i) == b'-';
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    let sign = if neg { -1.0 } else { 1.0 };
    let word = |i: usize, w: &[u8]| s.len() >= i + w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w);
    if word(i, b"infinity") {
        return (i + 8, sign * f64::INFINITY);
    }
    if word(i, b"inf") {
        return (i + 3, sign * f64::INFINITY);
    }
    if word(i, b"nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let mut j = end + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                end = j + 1;
            }
        }
        return (end, f64::NAN.copysign(sign));
    }
    if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' && (at(i + 2).is_ascii_hexdigit() || (at(i + 2) == b'.' && at(i + 3).is_ascii_hexdigit())) {
        let mut j = i + 2;
        let mut mant = 0f64;
        let mut exp = 0i64;
        while at(j).is_ascii_hexdigit() {
            mant = mant * 16.0 + (at(j) as char).to_digit(16).unwrap_or(0) as f64;
            j += 1;
        }
        if at(j) == b'.' {
            j += 1;
            while at(j).is_ascii_hexdigit() {
                mant = mant * 16.0 + (at(j) as char).to_digit(16).unwrap_or(0) as f64;
                exp -= 4;
                j += 1;
            }
        }
        if (at(j) | 0x20) == b'p' {
            let mut k = j + 1;
            let eneg = at(k) == b'-';
            if matches!(at(k), b'+' | b'-') {
                k += 1;
            }
            if at(k).is_ascii_digit() {
                let mut e = 0i64;
                while at(k).is_ascii_digit() {
                    e = (e * 10 + (at(k) - b'0') as i64).min(100_000);
                    k += 1;
                }
                exp += if eneg { -e } else { e };
                j = k;
            }
        }
        return (j, sign * mant * 2f64.powi(exp.clamp(-100_000, 100_000) as i32));
    }
    let start = i;
    let mut digits = 0;
    while at(i).is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if at(i) == b'.' {
        i += 1;
        while at(i).is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return (0, 0.0);
    }
    let mant_end = i;
    if (at(i) | 0x20) == b'e' {
        let mut k = i + 1;
        if matches!(at(k), b'+' | b'-') {
            k += 1;
        }
        if at(k).is_ascii_digit() {
            while at(k).is_ascii_digit() {
                k += 1;
            }
            i = k;
        }
    }
    let text = std::str::from_utf8(&s[start..i]).unwrap_or("0");
    // Rust's parser wants a digit before an exponent and after a dot only in some
    // forms; normalise "1." and ".5" shapes.
    let mut t = String::with_capacity(text.len() + 2);
    if text.starts_with('.') {
        t.push('0');
    }
    t.push_str(&text[..mant_end - start]);
    if t.ends_with('.') {
        t.push('0');
    }
    t.push_str(&text[mant_end - start..]);
    let v: f64 = t.parse().unwrap_or(0.0);
    (i, sign * v)
}

fn decode(lua: &Lua, data: &[u8]) -> Result<Value> {
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(mlua::Error::RuntimeError("JSON parser does not support UTF-16 or UTF-32".into()));
    }
    let mut p = Parser { data, pos: 0, depth: 0, text: Vec::new() };
    let (tok, at) = p.next();
    let v = p.value(lua, tok, at)?;
    let (tok, at) = p.next();
    if tok != Tok::End {
        return Err(p.fail("the end", tok, at));
    }
    Ok(v)
}

/// The `cjson` table.
pub fn cjson(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "encode",
        lua.create_function(|lua, args: MultiValue| {
            if args.len() != 1 {
                return Err(bad_arg(1, "encode", "expected 1 argument"));
            }
            let mut out = Vec::new();
            encode(&mut out, &args[0], 0)?;
            lua.create_string(&out)
        })?,
    )?;
    t.raw_set(
        "decode",
        lua.create_function(|lua, args: MultiValue| {
            if args.len() != 1 {
                return Err(bad_arg(1, "decode", "expected 1 argument"));
            }
            let text = match &args[0] {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Integer(i) => i.to_string().into_bytes(),
                Value::Number(n) => fmt_g(*n, 14).into_bytes(),
                other => return Err(bad_arg(1, "decode", &format!("string expected, got {}", lua_type(other)))),
            };
            decode(lua, &text)
        })?,
    )?;
    t.raw_set("null", null())?;
    located_table(lua, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_g_matches_c() {
        assert_eq!(fmt_g(3.14159265358979, 14), "3.1415926535898");
        assert_eq!(fmt_g(1.0, 17), "1");
        assert_eq!(fmt_g(0.1, 17), "0.10000000000000001");
        assert_eq!(fmt_g(1e20, 14), "1e+20");
        assert_eq!(fmt_g(123456.0, 14), "123456");
        assert_eq!(fmt_g(0.0001, 14), "0.0001");
        assert_eq!(fmt_g(0.00001, 14), "1e-05");
    }

    #[test]
    fn lrand48_sequence() {
        // lrand48 from seed 0: 0x330E, then x = x * 0x5DEECE66D + 0xB mod 2^48.
        let r = Rand48::default();
        r.seed(0);
        assert_eq!(r.next(), 366850414);
        assert_eq!(r.next(), 1610402240);
    }

    #[test]
    fn lrand48_starts_where_redis_starts() {
        // redis-server 7.0's first math.random(1, 100) on a fresh server is 40.
        let r = Rand48::default();
        assert_eq!(r.next(), 851401618);
        assert_eq!(r.next(), 1804928587);
    }

    #[test]
    fn strtod_prefixes() {
        assert_eq!(strtod(b"1e5x"), (3, 100000.0));
        assert_eq!(strtod(b"1e"), (1, 1.0));
        assert_eq!(strtod(b"-"), (0, 0.0));
        assert_eq!(strtod(b"0x10"), (4, 16.0));
        assert_eq!(strtod(b"1."), (2, 1.0));
        assert_eq!(strtod(b"-Infinity"), (9, f64::NEG_INFINITY));
        assert!(strtod(b"nan").1.is_nan());
    }

    #[test]
    fn tobit_wraps() {
        assert_eq!(tobit(4294967295.0), -1);
        assert_eq!(tobit(1.0), 1);
    }
}

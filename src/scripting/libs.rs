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
#[derive(Default)]
pub struct Rand48(AtomicU64);

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

/// Replaces `math.random` and `math.randomseed` with Redis's.
pub fn install_random(lua: &Lua, math: &Table, rand: Arc<Rand48>) -> Result<()> {
    let r = rand.clone();
    let random = lua.create_function(move |_, args: MultiValue| {
        let max = i32::MAX as f64;
        let r = (r.next() % i32::MAX) as f64 / max;
        let nums: Vec<f64> = args.iter().map(|v| v.as_number().or_else(|| v.as_integer().map(|i| i as f64)).unwrap_or(0.0)).collect();
        match nums.len() {
            0 => Ok(r),
            1 => {
                let u = nums[0];
                if u < 1.0 {
                    return Err(mlua::Error::RuntimeError("bad argument #1 to 'random' (interval is empty)".into()));
                }
                Ok((r * u).floor() + 1.0)
            }
            2 => {
                let (l, u) = (nums[0], nums[1]);
                if l > u {
                    return Err(mlua::Error::RuntimeError("bad argument #2 to 'random' (interval is empty)".into()));
                }
                Ok((r * (u - l + 1.0)).floor() + l)
            }
            _ => Err(mlua::Error::RuntimeError("wrong number of arguments".into())),
        }
    })?;
    math.raw_set("random", random)?;
    let randomseed = lua.create_function(move |_, seed: f64| {
        rand.seed(seed as i64 as i32);
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

fn decode(lua: &Lua, v: serde_json::Value, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(mlua::Error::RuntimeError(format!("Found too many nested data structures ({depth})")));
    }
    Ok(match v {
        serde_json::Value::Null => null(),
        serde_json::Value::Bool(b) => Value::Boolean(b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::String(lua.create_string(&s)?),
        serde_json::Value::Array(a) => {
            let t = lua.create_table_with_capacity(a.len(), 0)?;
            for (i, item) in a.into_iter().enumerate() {
                t.raw_set(i + 1, decode(lua, item, depth + 1)?)?;
            }
            Value::Table(t)
        }
        serde_json::Value::Object(m) => {
            let t = lua.create_table_with_capacity(0, m.len())?;
            for (k, item) in m {
                t.raw_set(k, decode(lua, item, depth + 1)?)?;
            }
            Value::Table(t)
        }
    })
}

/// The `cjson` table.
pub fn cjson(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "encode",
        lua.create_function(|lua, v: Value| {
            let mut out = Vec::new();
            encode(&mut out, &v, 0)?;
            lua.create_string(&out)
        })?,
    )?;
    t.raw_set(
        "decode",
        lua.create_function(|lua, s: mlua::String| {
            let bytes = s.as_bytes();
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(v) => decode(lua, v, 0),
                Err(e) => Err(mlua::Error::RuntimeError(format!(
                    "Expected value but found invalid token at character {}",
                    e.column().max(1)
                ))),
            }
        })?,
    )?;
    t.raw_set("null", null())?;
    Ok(t)
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
    fn tobit_wraps() {
        assert_eq!(tobit(4294967295.0), -1);
        assert_eq!(tobit(1.0), 1);
    }
}

//! Redis's `struct` library (Roberto Ierusalimschy's lua_struct as Redis ships it) in
//! Rust: `struct.pack(fmt, ...)`, `struct.unpack(fmt, s [, pos])` (values, then the next
//! position) and `struct.size(fmt)`, with x86-64's native sizes (little endian, int 4,
//! short 2, long and size_t 8, alignment up to 8) and lua_struct's error texts.

use mlua::{Lua, MultiValue, Result, Table, Value};

use super::libs::{bad_arg, located, num_arg};

const MAXINTSIZE: usize = 32;
const MAXALIGN: usize = 8;

struct Header {
    little: bool,
    align: usize,
}

fn rt(msg: String) -> mlua::Error {
    mlua::Error::RuntimeError(msg)
}

fn str_arg(v: Option<&Value>, i: usize, name: &str) -> Result<Vec<u8>> {
    match v {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(Value::Number(n)) => Ok(super::libs::fmt_g(*n, 14).into_bytes()),
        Some(Value::Integer(n)) => Ok(n.to_string().into_bytes()),
        None | Some(Value::Nil) => {
            Err(bad_arg(i, name, &format!("string expected, got {}", if v.is_none() { "no value" } else { "nil" })))
        }
        Some(other) => Err(bad_arg(i, name, &format!("string expected, got {}", super::libs::lua_type(other)))),
    }
}

fn number(v: Option<&Value>, i: usize, name: &str) -> Result<f64> {
    match v {
        None => Err(bad_arg(i, name, "number expected, got no value")),
        Some(Value::Nil) => Err(bad_arg(i, name, "number expected, got nil")),
        Some(v) => num_arg(v, i, name),
    }
}

/// lua_struct's getnum: a decimal size after an option, or `df`.
fn getnum(fmt: &[u8], at: &mut usize, df: usize) -> Result<usize> {
    if *at >= fmt.len() || !fmt[*at].is_ascii_digit() {
        return Ok(df);
    }
    let mut a: i64 = 0;
    while *at < fmt.len() && fmt[*at].is_ascii_digit() {
        let d = (fmt[*at] - b'0') as i64;
        if a > (i32::MAX as i64 / 10) || a * 10 > (i32::MAX as i64 - d) {
            return Err(rt("integral size overflow".into()));
        }
        a = a * 10 + d;
        *at += 1;
    }
    Ok(a as usize)
}

fn optsize(opt: u8, fmt: &[u8], at: &mut usize) -> Result<usize> {
    Ok(match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' => 4,
        b'x' => 1,
        b'c' => getnum(fmt, at, 1)?,
        b'i' | b'I' => {
            let sz = getnum(fmt, at, 4)?;
            if sz > MAXINTSIZE {
                return Err(rt(format!("integral size {sz} is larger than limit of {MAXINTSIZE}")));
            }
            sz
        }
        _ => 0,
    })
}

fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size - (len & (size - 1))) & (size - 1)
}

fn controloptions(opt: u8, fmt: &[u8], at: &mut usize, h: &mut Header, name: &str) -> Result<()> {
    match opt {
        b' ' => Ok(()),
        b'>' => {
            h.little = false;
            Ok(())
        }
        b'<' => {
            h.little = true;
            Ok(())
        }
        b'!' => {
            let a = getnum(fmt, at, MAXALIGN)?;
            if a == 0 || a & (a - 1) != 0 {
                return Err(rt(format!("alignment {a} is not a power of 2")));
            }
            h.align = a;
            Ok(())
        }
        _ => Err(bad_arg(1, name, &format!("invalid format option '{}'", opt as char))),
    }
}

fn put_int(out: &mut Vec<u8>, n: f64, little: bool, size: usize) {
    let mut value: u64 = if n < 0.0 { (n as i64) as u64 } else { n as u64 };
    let mut buf = vec![0u8; size];
    for k in 0..size {
        let i = if little { k } else { size - 1 - k };
        buf[i] = (value & 0xff) as u8;
        value >>= 8;
    }
    out.extend_from_slice(&buf);
}

fn get_int(b: &[u8], little: bool, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let size = b.len();
    for k in 0..size {
        let i = if little { size - 1 - k } else { k };
        l = (l << 8) | b[i] as u64;
    }
    if !signed {
        return l as f64;
    }
    // `~0 << (size*8 - 1)` as x86-64 computes it (the shift count taken mod 64).
    let mask = u64::MAX << ((size * 8).wrapping_sub(1) & 63);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn pack(lua: &Lua, args: MultiValue) -> Result<mlua::String> {
    let mut args: Vec<Value> = args.into_iter().collect();
    // lua_struct pushes a nil mark after the arguments: a missing one reads as nil.
    let fmt = str_arg(args.first(), 1, "pack")?;
    args.push(Value::Nil);
    let mut h = Header { little: true, align: 1 };
    let mut arg = 2usize;
    let mut out = Vec::new();
    let mut at = 0;
    while at < fmt.len() {
        let opt = fmt[at];
        at += 1;
        let size = optsize(opt, &fmt, &mut at)?;
        let toalign = gettoalign(out.len(), &h, opt, size);
        out.resize(out.len() + toalign, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = number(args.get(arg - 1), arg, "pack")?;
                arg += 1;
                put_int(&mut out, n, h.little, size);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = number(args.get(arg - 1), arg, "pack")? as f32;
                arg += 1;
                out.extend_from_slice(&if h.little { f.to_le_bytes() } else { f.to_be_bytes() });
            }
            b'd' => {
                let d = number(args.get(arg - 1), arg, "pack")?;
                arg += 1;
                out.extend_from_slice(&if h.little { d.to_le_bytes() } else { d.to_be_bytes() });
            }
            b'c' | b's' => {
                let s = match args.get(arg - 1) {
                    Some(Value::String(s)) => s.as_bytes().to_vec(),
                    Some(Value::Number(n)) => super::libs::fmt_g(*n, 14).into_bytes(),
                    Some(Value::Integer(n)) => n.to_string().into_bytes(),
                    v => return Err(str_arg(v, arg, "pack").unwrap_err()),
                };
                arg += 1;
                let size = if size == 0 { s.len() } else { size };
                if s.len() < size {
                    return Err(bad_arg(arg, "pack", "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => controloptions(opt, &fmt, &mut at, &mut h, "pack")?,
        }
    }
    lua.create_string(&out)
}

fn unpack(lua: &Lua, args: MultiValue) -> Result<MultiValue> {
    let args: Vec<Value> = args.into_iter().collect();
    let fmt = str_arg(args.first(), 1, "unpack")?;
    let data = str_arg(args.get(1), 2, "unpack")?;
    let ld = data.len();
    let pos = match args.get(2) {
        None | Some(Value::Nil) => 1i64,
        Some(v) => num_arg(v, 3, "unpack")? as i64,
    };
    if pos <= 0 {
        return Err(bad_arg(3, "unpack", "offset must be 1 or greater"));
    }
    let mut pos = (pos - 1) as usize;
    let mut h = Header { little: true, align: 1 };
    let mut res: Vec<Value> = Vec::new();
    let mut at = 0;
    while at < fmt.len() {
        let opt = fmt[at];
        at += 1;
        let mut size = optsize(opt, &fmt, &mut at)?;
        pos += gettoalign(pos, &h, opt, size);
        if !(size <= ld && pos <= ld - size) {
            return Err(bad_arg(2, "unpack", "data string too short"));
        }
        if res.len() > 7900 {
            return Err(rt("stack overflow (too many results)".into()));
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                res.push(Value::Number(get_int(&data[pos..pos + size], h.little, opt.is_ascii_lowercase())));
            }
            b'x' => {}
            b'f' => {
                let b: [u8; 4] = data[pos..pos + 4].try_into().unwrap();
                let f = if h.little { f32::from_le_bytes(b) } else { f32::from_be_bytes(b) };
                res.push(Value::Number(f as f64));
            }
            b'd' => {
                let b: [u8; 8] = data[pos..pos + 8].try_into().unwrap();
                res.push(Value::Number(if h.little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) }));
            }
            b'c' => {
                if size == 0 {
                    let prev = match res.last() {
                        Some(Value::Number(n)) => Some(*n),
                        Some(Value::Integer(n)) => Some(*n as f64),
                        Some(Value::String(s)) => s.to_str().ok().and_then(|s| s.trim().parse::<f64>().ok()),
                        _ => None,
                    };
                    let Some(n) = prev else {
                        return Err(rt("format 'c0' needs a previous size".into()));
                    };
                    size = if n < 0.0 { (n as i64) as usize } else { n as usize };
                    res.pop();
                    if !(size <= ld && pos <= ld - size) {
                        return Err(bad_arg(2, "unpack", "data string too short"));
                    }
                }
                res.push(Value::String(lua.create_string(&data[pos..pos + size])?));
            }
            b's' => {
                let Some(e) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err(rt("unfinished string in data".into()));
                };
                size = e + 1;
                res.push(Value::String(lua.create_string(&data[pos..pos + e])?));
            }
            _ => controloptions(opt, &fmt, &mut at, &mut h, "unpack")?,
        }
        pos += size;
    }
    res.push(Value::Number((pos + 1) as f64));
    Ok(MultiValue::from_iter(res))
}

fn size(_: &Lua, args: MultiValue) -> Result<f64> {
    let args: Vec<Value> = args.into_iter().collect();
    let fmt = str_arg(args.first(), 1, "size")?;
    let mut h = Header { little: true, align: 1 };
    let mut pos = 0usize;
    let mut at = 0;
    while at < fmt.len() {
        let opt = fmt[at];
        at += 1;
        let size = optsize(opt, &fmt, &mut at)?;
        pos += gettoalign(pos, &h, opt, size);
        if opt == b's' {
            return Err(bad_arg(1, "size", "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(bad_arg(1, "size", "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            controloptions(opt, &fmt, &mut at, &mut h, "size")?;
        }
        pos += size;
    }
    Ok(pos as f64)
}

/// The `struct` table.
pub fn structlib(lua: &Lua) -> Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", lua.create_function(|lua, a: MultiValue| pack(lua, a).map_err(|e| located(lua, e)))?)?;
    t.raw_set("unpack", lua.create_function(|lua, a: MultiValue| unpack(lua, a).map_err(|e| located(lua, e)))?)?;
    t.raw_set("size", lua.create_function(|lua, a: MultiValue| size(lua, a).map_err(|e| located(lua, e)))?)?;
    Ok(t)
}

//! RESP2/RESP3 encoding of commands and decoding of replies, written here rather than
//! taken from the `redis` crate: the decoder works on any byte slice (a socket buffer or
//! bytes copied out of the shared-memory reply ring) with one check-then-parse pass, and
//! the crate stays free of the `redis` crate's connection machinery.
//!
//! # Format
//! A command is an array of bulk strings: `*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`.
//! Replies use every RESP3 type; [`parse`] returns `Ok(None)` until a whole reply is
//! buffered.

use crate::error::{Error, Result};
use crate::value::Value;

/// Nesting deeper than this is refused (a hostile or broken peer could otherwise make
/// the recursive decoder overflow the stack).
const MAX_DEPTH: usize = 128;
/// A declared length above this is refused before any allocation (Redis's own
/// proto-max-bulk-len default is 512 MB).
const MAX_LEN: i64 = 1 << 32;

/// One command: its name and arguments, encoded as RESP as they are added.
#[derive(Debug, Clone, Default)]
pub struct Cmd {
    args: Vec<Vec<u8>>,
}

impl Cmd {
    /// A command named `name` (e.g. `"SET"`), with no arguments yet.
    pub fn new(name: &str) -> Cmd {
        Cmd { args: vec![name.as_bytes().to_vec()] }
    }

    /// Appends one argument, or several for slices and vectors (see [`ToArgs`]).
    pub fn arg(mut self, a: impl ToArgs) -> Cmd {
        a.write_args(&mut self.args);
        self
    }

    /// Appends an argument in place.
    pub fn push(&mut self, a: impl ToArgs) -> &mut Cmd {
        a.write_args(&mut self.args);
        self
    }

    /// The command name and arguments.
    pub fn args(&self) -> &[Vec<u8>] {
        &self.args
    }

    /// Appends the RESP encoding of this command to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        encode_args(self.args.iter().map(|a| a.as_slice()), self.args.len(), out);
    }
}

/// Appends `*N\r\n$len\r\narg\r\n...` for `n` arguments.
pub fn encode_args<'a>(args: impl Iterator<Item = &'a [u8]>, n: usize, out: &mut Vec<u8>) {
    out.push(b'*');
    push_int(out, n as i64);
    for a in args {
        out.push(b'$');
        push_int(out, a.len() as i64);
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

fn push_int(out: &mut Vec<u8>, i: i64) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut p = buf.len();
    loop {
        p -= 1;
        buf[p] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[p..]);
    out.extend_from_slice(b"\r\n");
}

/// Anything that can be a command argument: text, bytes, numbers, and slices, vectors
/// and arrays of those (each element one argument).
pub trait ToArgs: Send + Sync {
    /// Appends this value's arguments.
    fn write_args(&self, out: &mut Vec<Vec<u8>>);
}

impl ToArgs for str {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        out.push(self.as_bytes().to_vec());
    }
}
impl ToArgs for String {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        out.push(self.as_bytes().to_vec());
    }
}
impl ToArgs for [u8] {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        out.push(self.to_vec());
    }
}
impl ToArgs for Vec<u8> {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        out.push(self.clone());
    }
}
impl<const N: usize> ToArgs for [u8; N] {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        out.push(self.to_vec());
    }
}
macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl ToArgs for $t {
            fn write_args(&self, out: &mut Vec<Vec<u8>>) {
                out.push(self.to_string().into_bytes());
            }
        }
    )*};
}
int_args!(i8, i16, i32, i64, u16, u32, u64, usize, isize, i128, u128);
impl ToArgs for f64 {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        let s = if self.is_infinite() {
            if *self > 0.0 { "+inf".to_string() } else { "-inf".to_string() }
        } else {
            format!("{self}")
        };
        out.push(s.into_bytes());
    }
}
impl ToArgs for f32 {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        (*self as f64).write_args(out)
    }
}
impl ToArgs for bool {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        out.push(if *self { b"1".to_vec() } else { b"0".to_vec() });
    }
}
impl<T: ToArgs + ?Sized> ToArgs for &T {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        (**self).write_args(out)
    }
}
impl<T: ToArgs> ToArgs for [T] {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        for a in self {
            a.write_args(out);
        }
    }
}
impl<T: ToArgs> ToArgs for Vec<T> {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        self.as_slice().write_args(out)
    }
}
impl<T: ToArgs, const N: usize> ToArgs for [T; N] {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        self.as_slice().write_args(out)
    }
}
impl<A: ToArgs, B: ToArgs> ToArgs for (A, B) {
    fn write_args(&self, out: &mut Vec<Vec<u8>>) {
        self.0.write_args(out);
        self.1.write_args(out);
    }
}

/// Parses one reply from the start of `buf`: `Ok(Some((value, bytes used)))`, or
/// `Ok(None)` when `buf` does not hold a whole reply yet. A top-level error reply is
/// returned as [`Value::Error`]; the caller decides whether it is an `Err`.
pub fn parse(buf: &[u8]) -> Result<Option<(Value, usize)>> {
    let mut pos = 0;
    match parse_at(buf, &mut pos, 0)? {
        Some(v) => Ok(Some((v, pos))),
        None => Ok(None),
    }
}

fn line<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let rest = &buf[*pos..];
    let i = rest.windows(2).position(|w| w == b"\r\n")?;
    *pos += i + 2;
    Some(&rest[..i])
}

fn int(s: &[u8]) -> Result<i64> {
    std::str::from_utf8(s)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::Protocol(format!("invalid integer {:?}", String::from_utf8_lossy(s))))
}

fn text(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

fn parse_at(buf: &[u8], pos: &mut usize, depth: usize) -> Result<Option<Value>> {
    if depth > MAX_DEPTH {
        return Err(Error::Protocol("reply nested too deeply".into()));
    }
    let Some(&kind) = buf.get(*pos) else { return Ok(None) };
    *pos += 1;
    let Some(l) = line(buf, pos) else { return Ok(None) };
    Ok(Some(match kind {
        b'+' => Value::Status(text(l)),
        b'-' => Value::Error(text(l)),
        b':' => Value::Int(int(l)?),
        b'_' => Value::Nil,
        b'#' => match l {
            b"t" => Value::Bool(true),
            b"f" => Value::Bool(false),
            _ => return Err(Error::Protocol("invalid boolean".into())),
        },
        b',' => {
            let s = text(l);
            Value::Double(match s.as_str() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" => f64::NAN,
                _ => s.parse().map_err(|_| Error::Protocol(format!("invalid double {s:?}")))?,
            })
        }
        b'(' => Value::BigNumber(text(l)),
        b'$' | b'=' | b'!' => {
            let n = int(l)?;
            if n < 0 {
                return Ok(Some(Value::Nil));
            }
            if n > MAX_LEN {
                return Err(Error::Protocol(format!("bulk length {n} too large")));
            }
            let n = n as usize;
            if buf.len() < *pos + n + 2 {
                return Ok(None);
            }
            let data = &buf[*pos..*pos + n];
            if &buf[*pos + n..*pos + n + 2] != b"\r\n" {
                return Err(Error::Protocol("bulk string not followed by CRLF".into()));
            }
            *pos += n + 2;
            match kind {
                b'!' => Value::Error(text(data)),
                // Verbatim strings start with a 3-letter format and a colon ("txt:").
                b'=' if data.len() >= 4 && data[3] == b':' => Value::Bulk(data[4..].to_vec()),
                _ => Value::Bulk(data.to_vec()),
            }
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = int(l)?;
            if n < 0 {
                return Ok(Some(Value::Nil));
            }
            if n > MAX_LEN {
                return Err(Error::Protocol(format!("aggregate length {n} too large")));
            }
            let count = if kind == b'%' || kind == b'|' { n as usize * 2 } else { n as usize };
            // Each element takes at least 3 bytes: no allocation beyond what is buffered.
            let mut items = Vec::with_capacity(count.min((buf.len() - *pos) / 3 + 1));
            for _ in 0..count {
                match parse_at(buf, pos, depth + 1)? {
                    Some(v) => items.push(v),
                    None => return Ok(None),
                }
            }
            match kind {
                b'%' => {
                    let mut m = Vec::with_capacity(items.len() / 2);
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        m.push((k, v));
                    }
                    Value::Map(m)
                }
                // An attribute precedes the reply it describes: skip it, return that reply.
                b'|' => return parse_at(buf, pos, depth + 1),
                b'>' => Value::Push(items),
                _ => Value::Array(items),
            }
        }
        other => return Err(Error::Protocol(format!("unknown reply type byte {:?}", other as char))),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands() {
        let mut out = Vec::new();
        Cmd::new("SET").arg("k").arg(-12i64).encode(&mut out);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n-12\r\n");
    }

    #[test]
    fn parses_every_type_and_waits_for_whole_replies() {
        let full = b"*7\r\n+OK\r\n:5\r\n$3\r\nabc\r\n$-1\r\n,1.5\r\n#t\r\n%1\r\n$1\r\na\r\n:1\r\n";
        for cut in 0..full.len() {
            assert_eq!(parse(&full[..cut]).unwrap(), None, "cut at {cut}");
        }
        let (v, n) = parse(full).unwrap().unwrap();
        assert_eq!(n, full.len());
        assert_eq!(
            v,
            Value::Array(vec![
                Value::Status("OK".into()),
                Value::Int(5),
                Value::Bulk(b"abc".to_vec()),
                Value::Nil,
                Value::Double(1.5),
                Value::Bool(true),
                Value::Map(vec![(Value::Bulk(b"a".to_vec()), Value::Int(1))]),
            ])
        );
        assert_eq!(parse(b"-ERR x\r\n").unwrap().unwrap().0, Value::Error("ERR x".into()));
        assert_eq!(parse(b"=8\r\ntxt:abcd\r\n").unwrap().unwrap().0, Value::Bulk(b"abcd".to_vec()));
    }

    #[test]
    fn refuses_garbage_without_allocating() {
        assert!(parse(b"?x\r\n").is_err());
        assert!(parse(b"$99999999999999\r\n").is_err());
        assert_eq!(parse(b"*4000000000\r\n").unwrap(), None);
        let deep = "*1\r\n".repeat(200);
        assert!(parse(deep.as_bytes()).is_err());
    }
}

//! Replies, modelled on RESP3's types, and their encoding for RESP2 and RESP3.
//!
//! Handlers build a [`Reply`] without knowing the connection's protocol; the encoder
//! downgrades RESP3-only types the way Redis does for RESP2 clients: maps become flat
//! arrays, sets arrays, doubles bulk strings, and null is `$-1` (or `*-1` for a null
//! array).

use bytes::{BufMut, Bytes, BytesMut};

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+text`
    Status(Bytes),
    /// `-text`, the full text including its code (`ERR ...`, `WRONGTYPE ...`).
    Error(Bytes),
    Int(i64),
    Bulk(Bytes),
    /// Null bulk string: RESP2 `$-1`, RESP3 `_`.
    Nil,
    /// Null array: RESP2 `*-1`, RESP3 `_`.
    NilArray,
    Array(Vec<Reply>),
    /// RESP3 map; RESP2 flat array of key, value, key, value...
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set; RESP2 array.
    Set(Vec<Reply>),
    /// RESP3 push (pub/sub confirmations and messages); RESP2 array.
    Push(Vec<Reply>),
    /// RESP3 double; RESP2 bulk string.
    Double(f64),
    /// RESP3 verbatim string with a three-letter format; RESP2 bulk string.
    Verbatim(&'static str, Bytes),
    /// A double the command formatted itself (GEO coordinates, printed as Redis's
    /// `addReplyHumanLongDouble` does): RESP3 double, RESP2 bulk string.
    DoubleText(Bytes),
    /// RESP3 boolean (`#t` / `#f`); RESP2 integer 1 / 0. (Scripts' `true` / `false`
    /// after `redis.setresp(3)`.)
    Bool(bool),
    /// RESP3 big number (`(digits`); RESP2 bulk string. (Scripts' `{big_number=...}`.)
    BigNumber(Bytes),
}

impl Reply {
    pub const OK: Reply = Reply::Status(Bytes::from_static(b"OK"));

    pub fn ok() -> Reply {
        Reply::OK
    }

    pub fn status(s: &'static str) -> Reply {
        Reply::Status(Bytes::from_static(s.as_bytes()))
    }

    pub fn bulk_str(s: &str) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    pub fn error(s: impl Into<String>) -> Reply {
        Reply::Error(Bytes::from(s.into()))
    }

    /// A bulk string, or nil for `None`.
    pub fn opt_bulk(b: Option<Bytes>) -> Reply {
        b.map(Reply::Bulk).unwrap_or(Reply::Nil)
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// Appends the encoding of `self` for protocol version `resp` (2 or 3).
    pub fn encode(&self, resp: u8, out: &mut BytesMut) {
        match self {
            Reply::Status(s) => line(out, b'+', s),
            Reply::Error(e) => {
                // An error line must not carry CR/LF (Redis sanitizes them the same way).
                if e.iter().any(|&b| b == b'\r' || b == b'\n') {
                    let clean: Vec<u8> =
                        e.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect();
                    line(out, b'-', &clean)
                } else {
                    line(out, b'-', e)
                }
            }
            Reply::Int(i) => int_line(out, b':', *i),
            Reply::Bulk(b) => bulk(out, b),
            Reply::Nil => out.put_slice(if resp >= 3 { b"_\r\n" } else { b"$-1\r\n" }),
            Reply::NilArray => out.put_slice(if resp >= 3 { b"_\r\n" } else { b"*-1\r\n" }),
            Reply::Array(items) => {
                int_line(out, b'*', items.len() as i64);
                for r in items {
                    r.encode(resp, out);
                }
            }
            Reply::Set(items) | Reply::Push(items) => {
                let tag = match (resp >= 3, self) {
                    (false, _) => b'*',
                    (true, Reply::Set(_)) => b'~',
                    (true, _) => b'>',
                };
                int_line(out, tag, items.len() as i64);
                for r in items {
                    r.encode(resp, out);
                }
            }
            Reply::Map(pairs) => {
                if resp >= 3 {
                    int_line(out, b'%', pairs.len() as i64);
                } else {
                    int_line(out, b'*', pairs.len() as i64 * 2);
                }
                for (k, v) in pairs {
                    k.encode(resp, out);
                    v.encode(resp, out);
                }
            }
            Reply::Double(d) => {
                let text = format_double(*d);
                if resp >= 3 {
                    line(out, b',', text.as_bytes())
                } else {
                    bulk(out, text.as_bytes())
                }
            }
            Reply::DoubleText(text) => {
                if resp >= 3 {
                    line(out, b',', text)
                } else {
                    bulk(out, text)
                }
            }
            Reply::Bool(b) => {
                if resp >= 3 {
                    out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" })
                } else {
                    out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" })
                }
            }
            Reply::BigNumber(digits) => {
                if resp >= 3 {
                    line(out, b'(', digits)
                } else {
                    bulk(out, digits)
                }
            }
            Reply::Verbatim(fmt, text) => {
                if resp >= 3 {
                    int_line(out, b'=', text.len() as i64 + 4);
                    out.put_slice(fmt.as_bytes());
                    out.put_u8(b':');
                    out.put_slice(text);
                    out.put_slice(b"\r\n");
                } else {
                    bulk(out, text)
                }
            }
        }
    }

    /// Encodes into a fresh buffer.
    #[cfg(test)]
    pub fn to_bytes(&self, resp: u8) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(resp, &mut out);
        out.freeze()
    }
}

impl From<i64> for Reply {
    fn from(i: i64) -> Self {
        Reply::Int(i)
    }
}

impl From<Bytes> for Reply {
    fn from(b: Bytes) -> Self {
        Reply::Bulk(b)
    }
}

fn line(out: &mut BytesMut, tag: u8, body: &[u8]) {
    out.reserve(body.len() + 3);
    out.put_u8(tag);
    out.put_slice(body);
    out.put_slice(b"\r\n");
}

fn int_line(out: &mut BytesMut, tag: u8, n: i64) {
    let mut buf = itoa::Buffer::new();
    line(out, tag, buf.format(n).as_bytes());
}

fn bulk(out: &mut BytesMut, b: &[u8]) {
    int_line(out, b'$', b.len() as i64);
    out.reserve(b.len() + 2);
    out.put_slice(b);
    out.put_slice(b"\r\n");
}

/// Formats a double the way Redis 7 replies with one: shortest round-trip digits,
/// `inf`/`-inf`, and integers without a fractional part (`3`, not `3.0`).
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d.is_nan() {
        return "nan".into();
    }
    if d == d.trunc() && d.abs() < 1e17 {
        if d == 0.0 && d.is_sign_negative() {
            return "-0".into();
        }
        return (d as i64).to_string();
    }
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(d);
    // ryu writes `1e20` / `1.5e-7`; Redis writes exponents as "%.17g" does: with a
    // sign and at least two digits (`1e+20`, `1.5e-07`).
    if let Some(pos) = s.find('e') {
        let (mant, exp) = s.split_at(pos);
        let exp = &exp[1..];
        let (sign, digits) = if let Some(d) = exp.strip_prefix('-') { ('-', d) } else { ('+', exp) };
        let digits = if digits.len() < 2 { format!("0{digits}") } else { digits.to_string() };
        return format!("{mant}e{sign}{digits}");
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_downgrades() {
        assert_eq!(&Reply::Nil.to_bytes(2)[..], b"$-1\r\n");
        assert_eq!(&Reply::NilArray.to_bytes(2)[..], b"*-1\r\n");
        assert_eq!(&Reply::Nil.to_bytes(3)[..], b"_\r\n");
        let m = Reply::Map(vec![(Reply::bulk_str("a"), Reply::Int(1))]);
        assert_eq!(&m.to_bytes(2)[..], b"*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(&m.to_bytes(3)[..], b"%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(&Reply::Double(1.5).to_bytes(2)[..], b"$3\r\n1.5\r\n");
        assert_eq!(&Reply::Double(1.5).to_bytes(3)[..], b",1.5\r\n");
    }

    #[test]
    fn doubles_like_redis() {
        assert_eq!(format_double(3.0), "3");
        assert_eq!(format_double(-2.0), "-2");
        assert_eq!(format_double(0.1), "0.1");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(1e300), "1e+300");
        assert_eq!(format_double(1.5e-7), "1.5e-07");
    }

    #[test]
    fn error_lines_are_sanitized() {
        assert_eq!(&Reply::error("ERR a\r\nb").to_bytes(2)[..], b"-ERR a  b\r\n");
    }
}

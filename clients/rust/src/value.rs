//! Replies as values ([`Value`], RESP2 and RESP3 alike) and their conversion into Rust
//! types ([`FromValue`]), which is how every typed helper shapes its result.

use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// One reply. RESP2 and RESP3 types share it: a RESP3 map stays a [`Value::Map`], a
/// RESP2 flat array converts to the same Rust map through [`FromValue`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A null bulk string or array (RESP2) or `_` (RESP3).
    Nil,
    /// `:` integer.
    Int(i64),
    /// `$` bulk string (and RESP3 `=` verbatim text, without its format prefix).
    Bulk(Vec<u8>),
    /// `+` status line, e.g. `OK`.
    Status(String),
    /// `*` array (and RESP3 `~` set).
    Array(Vec<Value>),
    /// RESP3 `%` map, in the server's order.
    Map(Vec<(Value, Value)>),
    /// RESP3 `,` double.
    Double(f64),
    /// RESP3 `#` boolean.
    Bool(bool),
    /// RESP3 `(` big number, as its decimal text.
    BigNumber(String),
    /// RESP3 `>` push (pub/sub messages and invalidations).
    Push(Vec<Value>),
    /// An error reply inside an array (EXEC results, pipelines): kept as a value so the
    /// other results survive. Top-level errors become [`Error`] instead.
    Error(String),
}

impl Value {
    /// True for [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Text of a bulk string or status (lossy UTF-8), `None` for other kinds.
    pub fn as_str(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Bulk(b) => Some(String::from_utf8_lossy(b)),
            Value::Status(s) => Some(std::borrow::Cow::Borrowed(s)),
            _ => None,
        }
    }

    /// Turns an embedded error value into `Err`, leaving other values alone.
    pub fn into_result(self) -> Result<Value> {
        match self {
            Value::Error(e) => Err(Error::from_server(e)),
            v => Ok(v),
        }
    }

    /// A short description for [`Error::UnexpectedReply`].
    pub(crate) fn describe(&self) -> String {
        let mut s = format!("{self:?}");
        if s.len() > 120 {
            let mut cut = 117;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s.push_str("...");
        }
        s
    }
}

fn unexpected<T>(want: &str, v: &Value) -> Result<T> {
    Err(Error::UnexpectedReply(format!("expected {want}, got {}", v.describe())))
}

/// Conversion of a reply into a Rust type. Implemented for the types the helpers return;
/// implement it for your own types to use them with [`crate::Connection::query`].
pub trait FromValue: Sized {
    /// Converts `v`, or fails with [`Error::UnexpectedReply`] (or the server error an
    /// embedded [`Value::Error`] holds).
    fn from_value(v: Value) -> Result<Self>;
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self> {
        Ok(v)
    }
}

impl FromValue for () {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Error(e) => Err(Error::from_server(e)),
            _ => Ok(()),
        }
    }
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Int(i) => Ok(i),
            Value::Bool(b) => Ok(b as i64),
            Value::Bulk(ref b) => match std::str::from_utf8(b).ok().and_then(|s| s.parse().ok()) {
                Some(i) => Ok(i),
                None => unexpected("an integer", &v),
            },
            Value::Status(ref s) => s.parse().or_else(|_| unexpected("an integer", &v)),
            Value::Error(e) => Err(Error::from_server(e)),
            v => unexpected("an integer", &v),
        }
    }
}

macro_rules! int_from_i64 {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> Result<Self> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| Error::UnexpectedReply(format!("{i} out of range")))
            }
        }
    )*};
}
int_from_i64!(u64, i32, u32, usize);

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Double(d) => Ok(d),
            Value::Int(i) => Ok(i as f64),
            Value::Bulk(ref b) => match std::str::from_utf8(b).ok().and_then(parse_float) {
                Some(d) => Ok(d),
                None => unexpected("a number", &v),
            },
            Value::Status(ref s) => parse_float(s).map_or_else(|| unexpected("a number", &v), Ok),
            Value::Error(e) => Err(Error::from_server(e)),
            v => unexpected("a number", &v),
        }
    }
}

/// Redis prints infinities as `inf` / `-inf`.
fn parse_float(s: &str) -> Option<f64> {
    match s {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

impl FromValue for bool {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Bool(b) => Ok(b),
            Value::Int(i) => Ok(i != 0),
            Value::Status(ref s) if s == "OK" => Ok(true),
            Value::Nil => Ok(false),
            Value::Error(e) => Err(Error::from_server(e)),
            v => unexpected("a boolean", &v),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Bulk(b) => String::from_utf8(b).map_err(|e| Error::UnexpectedReply(format!("reply is not UTF-8: {e}"))),
            Value::Status(s) | Value::BigNumber(s) => Ok(s),
            Value::Int(i) => Ok(i.to_string()),
            Value::Double(d) => Ok(d.to_string()),
            Value::Error(e) => Err(Error::from_server(e)),
            v => unexpected("a string", &v),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Bulk(b) => Ok(b),
            Value::Status(s) | Value::BigNumber(s) => Ok(s.into_bytes()),
            Value::Int(i) => Ok(i.to_string().into_bytes()),
            Value::Error(e) => Err(Error::from_server(e)),
            v => unexpected("a string", &v),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self> {
        match v {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// The items of an array, set or push (`Nil` is the empty list, as Redis sends for a
/// missing key in some commands).
pub(crate) fn items(v: Value) -> Result<Vec<Value>> {
    match v {
        Value::Array(a) | Value::Push(a) => Ok(a),
        Value::Map(m) => Ok(m.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        Value::Nil => Ok(Vec::new()),
        Value::Error(e) => Err(Error::from_server(e)),
        v => unexpected("an array", &v),
    }
}

/// Key/value pairs of a RESP3 map or a RESP2 flat array.
pub(crate) fn pairs(v: Value) -> Result<Vec<(Value, Value)>> {
    match v {
        Value::Map(m) => Ok(m),
        v => {
            let a = items(v)?;
            if a.len() % 2 != 0 {
                return Err(Error::UnexpectedReply("odd number of items for a map".into()));
            }
            let mut out = Vec::with_capacity(a.len() / 2);
            let mut it = a.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: Value) -> Result<Self> {
        items(v)?.into_iter().map(T::from_value).collect()
    }
}

impl<T: FromValue + Eq + Hash> FromValue for HashSet<T> {
    fn from_value(v: Value) -> Result<Self> {
        items(v)?.into_iter().map(T::from_value).collect()
    }
}

impl<K: FromValue + Eq + Hash, V: FromValue> FromValue for HashMap<K, V> {
    fn from_value(v: Value) -> Result<Self> {
        pairs(v)?.into_iter().map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?))).collect()
    }
}

impl<A: FromValue, B: FromValue> FromValue for (A, B) {
    fn from_value(v: Value) -> Result<Self> {
        let a = items(v)?;
        if a.len() != 2 {
            return Err(Error::UnexpectedReply(format!("expected 2 items, got {}", a.len())));
        }
        let mut it = a.into_iter();
        Ok((A::from_value(it.next().unwrap())?, B::from_value(it.next().unwrap())?))
    }
}

/// A list of pairs from a RESP2 flat array (`[m1, s1, m2, s2]`) or a RESP3 array of
/// pairs (`[[m1, s1], [m2, s2]]`) or map: how WITHSCORES and HGETALL-like replies come.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs<A, B>(pub Vec<(A, B)>);

impl<A: FromValue, B: FromValue> FromValue for Pairs<A, B> {
    fn from_value(v: Value) -> Result<Self> {
        if let Value::Map(m) = v {
            return m.into_iter().map(|(a, b)| Ok((A::from_value(a)?, B::from_value(b)?))).collect::<Result<_>>().map(Pairs);
        }
        let a = items(v)?;
        if a.iter().all(|x| matches!(x, Value::Array(p) if p.len() == 2)) && !a.is_empty() {
            return a.into_iter().map(<(A, B)>::from_value).collect::<Result<_>>().map(Pairs);
        }
        pairs(Value::Array(a))?
            .into_iter()
            .map(|(a, b)| Ok((A::from_value(a)?, B::from_value(b)?)))
            .collect::<Result<_>>()
            .map(Pairs)
    }
}

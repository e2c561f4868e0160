//! Typed helpers for every data type, declared once ([`commands!`]) and generated three
//! ways: async methods ([`AsyncCommands`], for [`crate::Connection`], [`crate::Client`]
//! and pooled connections), blocking methods ([`Commands`], for
//! [`crate::blocking::Client`]) and builder methods on [`Pipeline`].
//!
//! Values go in as anything [`ToArgs`] (text, bytes, numbers) and come out as `String`
//! (or `Vec<u8>` from the `_bytes` variants); a missing value is `None`, never an error.

use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::resp::{Cmd, ToArgs};
use crate::value::{items, pairs, FromValue, Pairs, Value};
use std::collections::{HashMap, HashSet};
use std::future::Future;

/// One stream entry: its ID and its field/value pairs in order.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEntry {
    /// The entry ID, e.g. `1700000000000-0`.
    pub id: String,
    /// Field/value pairs as added.
    pub fields: Vec<(String, String)>,
}

impl StreamEntry {
    /// The value of `field`, if the entry has it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, v)| v.as_str())
    }

    /// The fields as a map.
    pub fn to_map(&self) -> HashMap<String, String> {
        self.fields.iter().cloned().collect()
    }
}

impl FromValue for StreamEntry {
    fn from_value(v: Value) -> Result<Self> {
        let mut it = items(v)?.into_iter();
        let id = String::from_value(it.next().unwrap_or(Value::Nil))?;
        // A deleted entry still pending in a group comes back with nil fields.
        let fields = match it.next() {
            None | Some(Value::Nil) => Vec::new(),
            Some(f) => Pairs::<String, String>::from_value(f)?.0,
        };
        Ok(StreamEntry { id, fields })
    }
}

/// XREAD / XREADGROUP results: for each stream (in the order given) its entries.
/// Empty when a blocking read timed out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamRead(pub Vec<(String, Vec<StreamEntry>)>);

impl StreamRead {
    /// The entries read from `key` (empty if none).
    pub fn entries(&self, key: &str) -> &[StreamEntry] {
        self.0.iter().find(|(k, _)| k == key).map(|(_, e)| e.as_slice()).unwrap_or(&[])
    }
}

impl FromValue for StreamRead {
    fn from_value(v: Value) -> Result<Self> {
        if v.is_nil() {
            return Ok(StreamRead::default());
        }
        // RESP3: a map key -> entries; RESP2: [[key, entries], ...].
        let list: Vec<(Value, Value)> = match v {
            Value::Map(m) => m,
            v => items(v)?.into_iter().map(|kv| {
                let mut p = items(kv)?.into_iter();
                Ok((p.next().unwrap_or(Value::Nil), p.next().unwrap_or(Value::Nil)))
            }).collect::<Result<_>>()?,
        };
        list.into_iter().map(|(k, e)| Ok((String::from_value(k)?, Vec::<StreamEntry>::from_value(e)?))).collect::<Result<_>>().map(StreamRead)
    }
}

/// XAUTOCLAIM's reply: the cursor to continue from, the claimed entries, and the IDs
/// that no longer exist.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoClaim {
    /// Next start ID (`0-0` when the scan is complete).
    pub next: String,
    /// Entries now owned by the claiming consumer.
    pub claimed: Vec<StreamEntry>,
    /// Pending IDs whose entries were deleted.
    pub deleted: Vec<String>,
}

impl FromValue for AutoClaim {
    fn from_value(v: Value) -> Result<Self> {
        let mut it = items(v)?.into_iter();
        Ok(AutoClaim {
            next: String::from_value(it.next().unwrap_or(Value::Nil))?,
            claimed: Vec::from_value(it.next().unwrap_or(Value::Nil))?,
            deleted: Vec::from_value(it.next().unwrap_or(Value::Nil))?,
        })
    }
}

/// XPENDING's summary form: how many entries are pending, the ID range, and the count
/// per consumer.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSummary {
    /// Pending entries in the group.
    pub count: i64,
    /// Smallest pending ID.
    pub min_id: Option<String>,
    /// Largest pending ID.
    pub max_id: Option<String>,
    /// (consumer, pending count).
    pub consumers: Vec<(String, i64)>,
}

impl FromValue for PendingSummary {
    fn from_value(v: Value) -> Result<Self> {
        let mut it = items(v)?.into_iter();
        let count = i64::from_value(it.next().unwrap_or(Value::Int(0)))?;
        let min_id = Option::from_value(it.next().unwrap_or(Value::Nil))?;
        let max_id = Option::from_value(it.next().unwrap_or(Value::Nil))?;
        let consumers = match it.next() {
            None | Some(Value::Nil) => Vec::new(),
            Some(c) => Vec::<(String, i64)>::from_value(c)?,
        };
        Ok(PendingSummary { count, min_id, max_id, consumers })
    }
}

/// A JSON.GET reply: with a `$` path the server returns an array of matches; one match
/// is returned as that value, several as an array of them, none as `None`. A legacy
/// path (not starting with `$`) returns its value as is.
fn json_reply(v: Value, dollar: bool) -> Result<Option<serde_json::Value>> {
    let Some(text) = Option::<Vec<u8>>::from_value(v)? else { return Ok(None) };
    let doc: serde_json::Value = serde_json::from_slice(&text).map_err(|e| Error::UnexpectedReply(format!("JSON.GET returned invalid JSON: {e}")))?;
    if !dollar {
        return Ok(Some(doc));
    }
    match doc {
        serde_json::Value::Array(mut a) => Ok(match a.len() {
            0 => None,
            1 => a.pop(),
            _ => Some(serde_json::Value::Array(a)),
        }),
        other => Ok(Some(other)),
    }
}

fn json_text(v: &serde_json::Value) -> String {
    v.to_string()
}

/// Replies that carry JSON: JSON text in a bulk string (RESP2, JSON.MGET items), or in
/// RESP3 native values (JSON.NUMINCRBY answers `[3]` as an array of numbers there).
fn json_value(v: Value) -> Result<Option<serde_json::Value>> {
    match v {
        Value::Nil => Ok(None),
        Value::Bulk(t) => serde_json::from_slice(&t).map(Some).map_err(|e| Error::UnexpectedReply(format!("invalid JSON: {e}"))),
        Value::Error(e) => Err(Error::from_server(e)),
        other => Ok(Some(native_json(other)?)),
    }
}

fn native_json(v: Value) -> Result<serde_json::Value> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Nil => J::Null,
        Value::Int(i) => J::from(i),
        Value::Double(d) => serde_json::Number::from_f64(d).map_or(J::Null, J::Number),
        Value::Bool(b) => J::Bool(b),
        Value::Status(s) | Value::BigNumber(s) => J::String(s),
        Value::Bulk(b) => serde_json::from_slice(&b).unwrap_or_else(|_| J::String(String::from_utf8_lossy(&b).into_owned())),
        Value::Array(a) | Value::Push(a) => J::Array(a.into_iter().map(native_json).collect::<Result<_>>()?),
        Value::Map(m) => J::Object(m.into_iter().map(|(k, v)| Ok((String::from_value(k)?, native_json(v)?))).collect::<Result<_>>()?),
        Value::Error(e) => return Err(Error::from_server(e)),
    })
}

/// TYPE, with the JSON module's type name (`ReJSON-RL`) reported as `json`.
fn key_type(v: Value) -> Result<String> {
    let t = String::from_value(v)?;
    Ok(if t == "ReJSON-RL" { "json".to_string() } else { t })
}

/// WITHSCORES replies as (member, score) pairs.
fn scored(v: Value) -> Result<Vec<(String, f64)>> {
    Ok(Pairs::<String, f64>::from_value(v)?.0)
}

/// ZPOPMIN/ZPOPMAX with a count: pairs; RESP3 without a count: one [member, score].
fn popped(v: Value) -> Result<Vec<(String, f64)>> {
    match v {
        Value::Array(ref a) if a.len() == 2 && !matches!(a[0], Value::Array(_)) => {
            let (m, s) = <(String, f64)>::from_value(v)?;
            Ok(vec![(m, s)])
        }
        v => scored(v),
    }
}

/// BLPOP/BRPOP: (key, value), or `None` on timeout.
fn key_value(v: Value) -> Result<Option<(String, String)>> {
    if v.is_nil() {
        return Ok(None);
    }
    <(String, String)>::from_value(v).map(Some)
}

/// HGETALL keeps every field; RESP2 arrays and RESP3 maps alike.
fn hash(v: Value) -> Result<HashMap<String, String>> {
    pairs(v)?.into_iter().map(|(k, v)| Ok((String::from_value(k)?, String::from_value(v)?))).collect()
}

macro_rules! convert {
    ($ret:ty;) => { <$ret as FromValue>::from_value };
    ($ret:ty; $c:expr) => { $c };
}

/// Declares each helper once; see the module docs.
macro_rules! commands {
    ($(
        $(#[$m:meta])*
        fn $name:ident $(< $($g:ident : $gb:path),+ >)? ( $($a:ident : $t:ty),* ) -> $ret:ty $body:block $(=> $conv:expr)?;
    )*) => {
        /// Typed async helpers. Implemented by [`crate::Connection`], [`crate::Client`] and
        /// [`crate::PooledConnection`]; everything goes through [`AsyncCommands::send_cmd`].
        pub trait AsyncCommands: Send {
            /// Sends one command and returns its reply (error replies as `Err`).
            fn send_cmd(&mut self, cmd: Cmd) -> impl Future<Output = Result<Value>> + Send;

            /// Runs a raw command given as its words, e.g. `&["OBJECT", "ENCODING", "k"]`.
            fn cmd<A: ToArgs>(&mut self, args: &[A]) -> impl Future<Output = Result<Value>> + Send {
                let mut c = Cmd::default();
                for a in args {
                    c.push(a);
                }
                self.send_cmd(c)
            }

            $(
                $(#[$m])*
                #[allow(clippy::too_many_arguments)]
                fn $name $(< $($g: $gb),+ >)? (&mut self, $($a: $t),*) -> impl Future<Output = Result<$ret>> + Send {
                    let conv = convert!($ret; $($conv)?);
                    let c: Cmd = $body;
                    async move { conv(self.send_cmd(c).await?) }
                }
            )*
        }

        /// Typed blocking helpers, the same as [`AsyncCommands`]; implemented by
        /// [`crate::blocking::Client`].
        pub trait Commands {
            /// Sends one command and returns its reply (error replies as `Err`).
            fn send_cmd(&mut self, cmd: Cmd) -> Result<Value>;

            /// Runs a raw command given as its words.
            fn cmd<A: ToArgs>(&mut self, args: &[A]) -> Result<Value> {
                let mut c = Cmd::default();
                for a in args {
                    c.push(a);
                }
                self.send_cmd(c)
            }

            $(
                $(#[$m])*
                #[allow(clippy::too_many_arguments)]
                fn $name $(< $($g: $gb),+ >)? (&mut self, $($a: $t),*) -> Result<$ret> {
                    let conv = convert!($ret; $($conv)?);
                    let c: Cmd = $body;
                    conv(self.send_cmd(c)?)
                }
            )*
        }

        impl Pipeline {
            $(
                $(#[$m])*
                ///
                /// (Pipeline form: queues the command; its reply is in the results.)
                #[allow(clippy::too_many_arguments)]
                pub fn $name $(< $($g: $gb),+ >)? (&mut self, $($a: $t),*) -> &mut Self {
                    let c: Cmd = $body;
                    self.cmd(c)
                }
            )*
        }
    };
}

commands! {
    // ---- connection and server ----
    /// `PING`: `PONG`.
    fn ping() -> String { Cmd::new("PING") };
    /// `ECHO message`.
    fn echo<M: ToArgs>(message: M) -> String { Cmd::new("ECHO").arg(message) };
    /// `SELECT db` (on a pooled connection prefer the URL's `/db`).
    fn select(db: i64) -> () { Cmd::new("SELECT").arg(db) };
    /// `DBSIZE`: keys in the current database.
    fn dbsize() -> i64 { Cmd::new("DBSIZE") };
    /// `FLUSHDB`: deletes every key of the current database.
    fn flushdb() -> () { Cmd::new("FLUSHDB") };
    /// `INFO [section]` as `field -> value` (section headers and blank lines dropped).
    fn info<S: ToArgs>(section: S) -> HashMap<String, String> { Cmd::new("INFO").arg(section) } => |v: Value| {
        let text = String::from_value(v)?;
        Ok(text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once(':')).map(|(k, v)| (k.to_string(), v.trim().to_string())).collect())
    };
    /// `CLIENT ID`.
    fn client_id() -> i64 { Cmd::new("CLIENT").arg("ID") };
    /// `PUBLISH channel message`: how many subscribers received it.
    fn publish<C: ToArgs, M: ToArgs>(channel: C, message: M) -> i64 { Cmd::new("PUBLISH").arg(channel).arg(message) };

    // ---- keys ----
    /// `DEL key [key ...]`: how many were removed.
    fn del<K: ToArgs>(keys: K) -> i64 { Cmd::new("DEL").arg(keys) };
    /// `UNLINK key [key ...]`.
    fn unlink<K: ToArgs>(keys: K) -> i64 { Cmd::new("UNLINK").arg(keys) };
    /// `EXISTS key [key ...]`: how many exist.
    fn exists<K: ToArgs>(keys: K) -> i64 { Cmd::new("EXISTS").arg(keys) };
    /// `EXPIRE key seconds`: false if the key does not exist.
    fn expire<K: ToArgs>(key: K, seconds: i64) -> bool { Cmd::new("EXPIRE").arg(key).arg(seconds) };
    /// `PEXPIRE key milliseconds`.
    fn pexpire<K: ToArgs>(key: K, ms: i64) -> bool { Cmd::new("PEXPIRE").arg(key).arg(ms) };
    /// `PERSIST key`: false if there was no expiry.
    fn persist<K: ToArgs>(key: K) -> bool { Cmd::new("PERSIST").arg(key) };
    /// `TTL key`: seconds left, -1 without expiry, -2 when missing.
    fn ttl<K: ToArgs>(key: K) -> i64 { Cmd::new("TTL").arg(key) };
    /// `PTTL key`: milliseconds left.
    fn pttl<K: ToArgs>(key: K) -> i64 { Cmd::new("PTTL").arg(key) };
    /// `TYPE key`: `string list set hash zset json stream none` (the JSON module's
    /// `ReJSON-RL` is reported as `json`).
    fn key_type<K: ToArgs>(key: K) -> String { Cmd::new("TYPE").arg(key) } => key_type;
    /// `RENAME key newkey`.
    fn rename<K: ToArgs, N: ToArgs>(key: K, new_key: N) -> () { Cmd::new("RENAME").arg(key).arg(new_key) };
    /// `KEYS pattern` (scans the whole database: prefer [`AsyncCommands::scan_match`]).
    fn keys<P: ToArgs>(pattern: P) -> Vec<String> { Cmd::new("KEYS").arg(pattern) };
    /// `SCAN cursor MATCH pattern COUNT count`: (next cursor, keys); 0 ends the scan.
    fn scan_match<P: ToArgs>(cursor: u64, pattern: P, count: usize) -> (u64, Vec<String>) {
        Cmd::new("SCAN").arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(count)
    };

    // ---- strings ----
    /// `GET key`: `None` when missing.
    fn get<K: ToArgs>(key: K) -> Option<String> { Cmd::new("GET").arg(key) };
    /// `GET key` as raw bytes.
    fn get_bytes<K: ToArgs>(key: K) -> Option<Vec<u8>> { Cmd::new("GET").arg(key) };
    /// `SET key value`.
    fn set<K: ToArgs, V: ToArgs>(key: K, value: V) -> () { Cmd::new("SET").arg(key).arg(value) };
    /// `SET key value EX seconds`.
    fn set_ex<K: ToArgs, V: ToArgs>(key: K, value: V, seconds: u64) -> () { Cmd::new("SET").arg(key).arg(value).arg("EX").arg(seconds) };
    /// `SET key value NX`: true if it was set (the key did not exist).
    fn set_nx<K: ToArgs, V: ToArgs>(key: K, value: V) -> bool { Cmd::new("SET").arg(key).arg(value).arg("NX") };
    /// `SET key value XX`: true if it was set (the key existed).
    fn set_xx<K: ToArgs, V: ToArgs>(key: K, value: V) -> bool { Cmd::new("SET").arg(key).arg(value).arg("XX") };
    /// `SET key value GET`: the old value.
    fn getset<K: ToArgs, V: ToArgs>(key: K, value: V) -> Option<String> { Cmd::new("SET").arg(key).arg(value).arg("GET") };
    /// `GETDEL key`.
    fn getdel<K: ToArgs>(key: K) -> Option<String> { Cmd::new("GETDEL").arg(key) };
    /// `MGET key [key ...]`: one `Option` per key.
    fn mget<K: ToArgs>(keys: K) -> Vec<Option<String>> { Cmd::new("MGET").arg(keys) };
    /// `MSET key value [key value ...]` from pairs.
    fn mset<P: ToArgs>(pairs: &[P]) -> () { Cmd::new("MSET").arg(pairs) };
    /// `INCR key`.
    fn incr<K: ToArgs>(key: K) -> i64 { Cmd::new("INCR").arg(key) };
    /// `INCRBY key amount` (negative amounts decrement).
    fn incr_by<K: ToArgs>(key: K, amount: i64) -> i64 { Cmd::new("INCRBY").arg(key).arg(amount) };
    /// `DECR key`.
    fn decr<K: ToArgs>(key: K) -> i64 { Cmd::new("DECR").arg(key) };
    /// `DECRBY key amount`.
    fn decr_by<K: ToArgs>(key: K, amount: i64) -> i64 { Cmd::new("DECRBY").arg(key).arg(amount) };
    /// `INCRBYFLOAT key amount`.
    fn incr_by_float<K: ToArgs>(key: K, amount: f64) -> f64 { Cmd::new("INCRBYFLOAT").arg(key).arg(amount) };
    /// `APPEND key value`: the new length.
    fn append<K: ToArgs, V: ToArgs>(key: K, value: V) -> i64 { Cmd::new("APPEND").arg(key).arg(value) };
    /// `STRLEN key`.
    fn strlen<K: ToArgs>(key: K) -> i64 { Cmd::new("STRLEN").arg(key) };
    /// `GETRANGE key start end`.
    fn getrange<K: ToArgs>(key: K, start: i64, end: i64) -> String { Cmd::new("GETRANGE").arg(key).arg(start).arg(end) };
    /// `SETRANGE key offset value`: the new length.
    fn setrange<K: ToArgs, V: ToArgs>(key: K, offset: i64, value: V) -> i64 { Cmd::new("SETRANGE").arg(key).arg(offset).arg(value) };

    // ---- lists ----
    /// `LPUSH key value [value ...]`: the new length.
    fn lpush<K: ToArgs, V: ToArgs>(key: K, values: V) -> i64 { Cmd::new("LPUSH").arg(key).arg(values) };
    /// `RPUSH key value [value ...]`.
    fn rpush<K: ToArgs, V: ToArgs>(key: K, values: V) -> i64 { Cmd::new("RPUSH").arg(key).arg(values) };
    /// `LPOP key`.
    fn lpop<K: ToArgs>(key: K) -> Option<String> { Cmd::new("LPOP").arg(key) };
    /// `RPOP key` (so `while let Some(job) = conn.rpop("queue").await? {}` drains a queue).
    fn rpop<K: ToArgs>(key: K) -> Option<String> { Cmd::new("RPOP").arg(key) };
    /// `LPOP key count`.
    fn lpop_count<K: ToArgs>(key: K, count: usize) -> Vec<String> { Cmd::new("LPOP").arg(key).arg(count) };
    /// `LRANGE key start stop`.
    fn lrange<K: ToArgs>(key: K, start: i64, stop: i64) -> Vec<String> { Cmd::new("LRANGE").arg(key).arg(start).arg(stop) };
    /// `LLEN key`.
    fn llen<K: ToArgs>(key: K) -> i64 { Cmd::new("LLEN").arg(key) };
    /// `LINDEX key index`.
    fn lindex<K: ToArgs>(key: K, index: i64) -> Option<String> { Cmd::new("LINDEX").arg(key).arg(index) };
    /// `LSET key index value`.
    fn lset<K: ToArgs, V: ToArgs>(key: K, index: i64, value: V) -> () { Cmd::new("LSET").arg(key).arg(index).arg(value) };
    /// `LREM key count value`: how many were removed.
    fn lrem<K: ToArgs, V: ToArgs>(key: K, count: i64, value: V) -> i64 { Cmd::new("LREM").arg(key).arg(count).arg(value) };
    /// `LTRIM key start stop`.
    fn ltrim<K: ToArgs>(key: K, start: i64, stop: i64) -> () { Cmd::new("LTRIM").arg(key).arg(start).arg(stop) };
    /// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT` (`from_left`, `to_left`).
    fn lmove<S: ToArgs, D: ToArgs>(source: S, destination: D, from_left: bool, to_left: bool) -> Option<String> {
        Cmd::new("LMOVE").arg(source).arg(destination).arg(if from_left { "LEFT" } else { "RIGHT" }).arg(if to_left { "LEFT" } else { "RIGHT" })
    };
    /// `BLPOP key [key ...] timeout`: (key, value), `None` on timeout (0 waits forever).
    fn blpop<K: ToArgs>(keys: K, timeout_secs: f64) -> Option<(String, String)> { Cmd::new("BLPOP").arg(keys).arg(timeout_secs) } => key_value;
    /// `BRPOP key [key ...] timeout`.
    fn brpop<K: ToArgs>(keys: K, timeout_secs: f64) -> Option<(String, String)> { Cmd::new("BRPOP").arg(keys).arg(timeout_secs) } => key_value;

    // ---- hashes ----
    /// `HSET key field value`: 1 if the field is new.
    fn hset<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, field: F, value: V) -> i64 { Cmd::new("HSET").arg(key).arg(field).arg(value) };
    /// `HSET key field value [field value ...]` from pairs: how many fields are new.
    fn hset_multiple<K: ToArgs, P: ToArgs>(key: K, pairs: &[P]) -> i64 { Cmd::new("HSET").arg(key).arg(pairs) };
    /// `HSETNX key field value`.
    fn hsetnx<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, field: F, value: V) -> bool { Cmd::new("HSETNX").arg(key).arg(field).arg(value) };
    /// `HGET key field`.
    fn hget<K: ToArgs, F: ToArgs>(key: K, field: F) -> Option<String> { Cmd::new("HGET").arg(key).arg(field) };
    /// `HMGET key field [field ...]`.
    fn hmget<K: ToArgs, F: ToArgs>(key: K, fields: F) -> Vec<Option<String>> { Cmd::new("HMGET").arg(key).arg(fields) };
    /// `HGETALL key` as a map.
    fn hgetall<K: ToArgs>(key: K) -> HashMap<String, String> { Cmd::new("HGETALL").arg(key) } => hash;
    /// `HDEL key field [field ...]`.
    fn hdel<K: ToArgs, F: ToArgs>(key: K, fields: F) -> i64 { Cmd::new("HDEL").arg(key).arg(fields) };
    /// `HEXISTS key field`.
    fn hexists<K: ToArgs, F: ToArgs>(key: K, field: F) -> bool { Cmd::new("HEXISTS").arg(key).arg(field) };
    /// `HLEN key`.
    fn hlen<K: ToArgs>(key: K) -> i64 { Cmd::new("HLEN").arg(key) };
    /// `HKEYS key`.
    fn hkeys<K: ToArgs>(key: K) -> Vec<String> { Cmd::new("HKEYS").arg(key) };
    /// `HVALS key`.
    fn hvals<K: ToArgs>(key: K) -> Vec<String> { Cmd::new("HVALS").arg(key) };
    /// `HINCRBY key field amount`.
    fn hincr_by<K: ToArgs, F: ToArgs>(key: K, field: F, amount: i64) -> i64 { Cmd::new("HINCRBY").arg(key).arg(field).arg(amount) };
    /// `HINCRBYFLOAT key field amount`.
    fn hincr_by_float<K: ToArgs, F: ToArgs>(key: K, field: F, amount: f64) -> f64 { Cmd::new("HINCRBYFLOAT").arg(key).arg(field).arg(amount) };

    // ---- sets ----
    /// `SADD key member [member ...]`: how many were added.
    fn sadd<K: ToArgs, M: ToArgs>(key: K, members: M) -> i64 { Cmd::new("SADD").arg(key).arg(members) };
    /// `SREM key member [member ...]`.
    fn srem<K: ToArgs, M: ToArgs>(key: K, members: M) -> i64 { Cmd::new("SREM").arg(key).arg(members) };
    /// `SMEMBERS key`.
    fn smembers<K: ToArgs>(key: K) -> HashSet<String> { Cmd::new("SMEMBERS").arg(key) };
    /// `SISMEMBER key member`.
    fn sismember<K: ToArgs, M: ToArgs>(key: K, member: M) -> bool { Cmd::new("SISMEMBER").arg(key).arg(member) };
    /// `SCARD key`.
    fn scard<K: ToArgs>(key: K) -> i64 { Cmd::new("SCARD").arg(key) };
    /// `SINTER key [key ...]`.
    fn sinter<K: ToArgs>(keys: K) -> HashSet<String> { Cmd::new("SINTER").arg(keys) };
    /// `SUNION key [key ...]`.
    fn sunion<K: ToArgs>(keys: K) -> HashSet<String> { Cmd::new("SUNION").arg(keys) };
    /// `SDIFF key [key ...]`.
    fn sdiff<K: ToArgs>(keys: K) -> HashSet<String> { Cmd::new("SDIFF").arg(keys) };
    /// `SPOP key`.
    fn spop<K: ToArgs>(key: K) -> Option<String> { Cmd::new("SPOP").arg(key) };
    /// `SMOVE source destination member`.
    fn smove<S: ToArgs, D: ToArgs, M: ToArgs>(source: S, destination: D, member: M) -> bool { Cmd::new("SMOVE").arg(source).arg(destination).arg(member) };

    // ---- sorted sets ----
    /// `ZADD key score member`: 1 if the member is new.
    fn zadd<K: ToArgs, M: ToArgs>(key: K, member: M, score: f64) -> i64 { Cmd::new("ZADD").arg(key).arg(score).arg(member) };
    /// `ZADD key score member [score member ...]` from (member, score) pairs.
    fn zadd_multiple<K: ToArgs, M: ToArgs>(key: K, members: &[(M, f64)]) -> i64 {
        let mut c = Cmd::new("ZADD").arg(key);
        for (m, s) in members {
            c.push(*s);
            c.push(m);
        }
        c
    };
    /// `ZRANGE key start stop`.
    fn zrange<K: ToArgs>(key: K, start: i64, stop: i64) -> Vec<String> { Cmd::new("ZRANGE").arg(key).arg(start).arg(stop) };
    /// `ZRANGE key start stop WITHSCORES` as (member, score) pairs.
    fn zrange_withscores<K: ToArgs>(key: K, start: i64, stop: i64) -> Vec<(String, f64)> {
        Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("WITHSCORES")
    } => scored;
    /// `ZRANGE key start stop REV`.
    fn zrevrange<K: ToArgs>(key: K, start: i64, stop: i64) -> Vec<String> { Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("REV") };
    /// `ZRANGE key start stop REV WITHSCORES`.
    fn zrevrange_withscores<K: ToArgs>(key: K, start: i64, stop: i64) -> Vec<(String, f64)> {
        Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("REV").arg("WITHSCORES")
    } => scored;
    /// `ZRANGEBYSCORE key min max` (`min`/`max` as Redis writes them: `-inf`, `(5`, ...).
    fn zrangebyscore<K: ToArgs, A: ToArgs, B: ToArgs>(key: K, min: A, max: B) -> Vec<String> { Cmd::new("ZRANGEBYSCORE").arg(key).arg(min).arg(max) };
    /// `ZSCORE key member`.
    fn zscore<K: ToArgs, M: ToArgs>(key: K, member: M) -> Option<f64> { Cmd::new("ZSCORE").arg(key).arg(member) };
    /// `ZINCRBY key amount member`: the new score.
    fn zincr_by<K: ToArgs, M: ToArgs>(key: K, member: M, amount: f64) -> f64 { Cmd::new("ZINCRBY").arg(key).arg(amount).arg(member) };
    /// `ZREM key member [member ...]`.
    fn zrem<K: ToArgs, M: ToArgs>(key: K, members: M) -> i64 { Cmd::new("ZREM").arg(key).arg(members) };
    /// `ZCARD key`.
    fn zcard<K: ToArgs>(key: K) -> i64 { Cmd::new("ZCARD").arg(key) };
    /// `ZCOUNT key min max`.
    fn zcount<K: ToArgs, A: ToArgs, B: ToArgs>(key: K, min: A, max: B) -> i64 { Cmd::new("ZCOUNT").arg(key).arg(min).arg(max) };
    /// `ZRANK key member`.
    fn zrank<K: ToArgs, M: ToArgs>(key: K, member: M) -> Option<i64> { Cmd::new("ZRANK").arg(key).arg(member) };
    /// `ZREVRANK key member`.
    fn zrevrank<K: ToArgs, M: ToArgs>(key: K, member: M) -> Option<i64> { Cmd::new("ZREVRANK").arg(key).arg(member) };
    /// `ZPOPMIN key count`.
    fn zpopmin<K: ToArgs>(key: K, count: usize) -> Vec<(String, f64)> { Cmd::new("ZPOPMIN").arg(key).arg(count) } => popped;
    /// `ZPOPMAX key count`.
    fn zpopmax<K: ToArgs>(key: K, count: usize) -> Vec<(String, f64)> { Cmd::new("ZPOPMAX").arg(key).arg(count) } => popped;

    // ---- JSON ----
    /// `JSON.SET key path value`.
    fn json_set<K: ToArgs, P: ToArgs>(key: K, path: P, value: &serde_json::Value) -> () { Cmd::new("JSON.SET").arg(key).arg(path).arg(json_text(value)) };
    /// `JSON.SET key path value NX`: false when the path already existed.
    fn json_set_nx<K: ToArgs, P: ToArgs>(key: K, path: P, value: &serde_json::Value) -> bool { Cmd::new("JSON.SET").arg(key).arg(path).arg(json_text(value)).arg("NX") };
    /// `JSON.GET key path`: with a `$` path, one match is returned as that value,
    /// several as an array, none as `None`; a legacy path returns its value.
    fn json_get<K: ToArgs>(key: K, path: &str) -> Option<serde_json::Value> { Cmd::new("JSON.GET").arg(key).arg(path) }
        => { let dollar = path.starts_with('$'); move |v| json_reply(v, dollar) };
    /// `JSON.MGET key [key ...] path`: the raw reply per key (a `$` path gives an array
    /// of matches per key).
    fn json_mget<K: ToArgs>(keys: K, path: &str) -> Vec<Option<serde_json::Value>> { Cmd::new("JSON.MGET").arg(keys).arg(path) }
        => |v| items(v)?.into_iter().map(json_value).collect();
    /// `JSON.DEL key path`: how many values were deleted.
    fn json_del<K: ToArgs, P: ToArgs>(key: K, path: P) -> i64 { Cmd::new("JSON.DEL").arg(key).arg(path) };
    /// `JSON.TYPE key path` (the reply as the server sends it: a list for `$` paths).
    fn json_type<K: ToArgs, P: ToArgs>(key: K, path: P) -> Value { Cmd::new("JSON.TYPE").arg(key).arg(path) };
    /// `JSON.NUMINCRBY key path amount`: the new value(s) as JSON.
    fn json_numincrby<K: ToArgs, P: ToArgs>(key: K, path: P, amount: f64) -> Option<serde_json::Value> { Cmd::new("JSON.NUMINCRBY").arg(key).arg(path).arg(amount) } => json_value;
    /// `JSON.ARRAPPEND key path value [value ...]`: the new length(s).
    fn json_arrappend<K: ToArgs, P: ToArgs>(key: K, path: P, values: &[serde_json::Value]) -> Value {
        let mut c = Cmd::new("JSON.ARRAPPEND").arg(key).arg(path);
        for v in values {
            c.push(json_text(v));
        }
        c
    };
    /// `JSON.ARRLEN key path`.
    fn json_arrlen<K: ToArgs, P: ToArgs>(key: K, path: P) -> Value { Cmd::new("JSON.ARRLEN").arg(key).arg(path) };
    /// `JSON.STRLEN key path`.
    fn json_strlen<K: ToArgs, P: ToArgs>(key: K, path: P) -> Value { Cmd::new("JSON.STRLEN").arg(key).arg(path) };
    /// `JSON.OBJKEYS key path`.
    fn json_objkeys<K: ToArgs, P: ToArgs>(key: K, path: P) -> Value { Cmd::new("JSON.OBJKEYS").arg(key).arg(path) };

    // ---- streams ----
    /// `XADD key id field value [field value ...]` (`id` is usually `"*"`): the new ID.
    fn xadd<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, id: &str, fields: &[(F, V)]) -> String { Cmd::new("XADD").arg(key).arg(id).arg(fields) };
    /// `XADD key MAXLEN ~ maxlen * field value ...`: append and trim approximately.
    fn xadd_maxlen<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, maxlen: usize, fields: &[(F, V)]) -> String {
        Cmd::new("XADD").arg(key).arg("MAXLEN").arg("~").arg(maxlen).arg("*").arg(fields)
    };
    /// `XLEN key`.
    fn xlen<K: ToArgs>(key: K) -> i64 { Cmd::new("XLEN").arg(key) };
    /// `XRANGE key start end [COUNT count]`.
    fn xrange<K: ToArgs>(key: K, start: &str, end: &str, count: Option<usize>) -> Vec<StreamEntry> {
        let mut c = Cmd::new("XRANGE").arg(key).arg(start).arg(end);
        if let Some(n) = count {
            c.push("COUNT");
            c.push(n);
        }
        c
    };
    /// `XREVRANGE key end start [COUNT count]`.
    fn xrevrange<K: ToArgs>(key: K, end: &str, start: &str, count: Option<usize>) -> Vec<StreamEntry> {
        let mut c = Cmd::new("XREVRANGE").arg(key).arg(end).arg(start);
        if let Some(n) = count {
            c.push("COUNT");
            c.push(n);
        }
        c
    };
    /// `XDEL key id [id ...]`.
    fn xdel<K: ToArgs, I: ToArgs>(key: K, ids: I) -> i64 { Cmd::new("XDEL").arg(key).arg(ids) };
    /// `XTRIM key MAXLEN maxlen`: how many entries were removed.
    fn xtrim<K: ToArgs>(key: K, maxlen: usize) -> i64 { Cmd::new("XTRIM").arg(key).arg("MAXLEN").arg(maxlen) };
    /// `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...` for (key, id) pairs; an
    /// empty result when BLOCK timed out.
    fn xread<K: ToArgs>(streams: &[(K, &str)], count: Option<usize>, block_ms: Option<u64>) -> StreamRead {
        let mut c = Cmd::new("XREAD");
        if let Some(n) = count {
            c.push("COUNT");
            c.push(n);
        }
        if let Some(b) = block_ms {
            c.push("BLOCK");
            c.push(b);
        }
        c.push("STREAMS");
        for (k, _) in streams {
            c.push(k);
        }
        for (_, id) in streams {
            c.push(*id);
        }
        c
    };
    /// `XGROUP CREATE key group id MKSTREAM` (`id` `$` = only new entries, `0` = all).
    fn xgroup_create<K: ToArgs, G: ToArgs>(key: K, group: G, id: &str) -> () { Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(id).arg("MKSTREAM") };
    /// `XGROUP DESTROY key group`.
    fn xgroup_destroy<K: ToArgs, G: ToArgs>(key: K, group: G) -> bool { Cmd::new("XGROUP").arg("DESTROY").arg(key).arg(group) };
    /// `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...`
    /// (`">"` = entries never delivered to this group).
    fn xreadgroup<G: ToArgs, C: ToArgs, K: ToArgs>(group: G, consumer: C, streams: &[(K, &str)], count: Option<usize>, block_ms: Option<u64>, noack: bool) -> StreamRead {
        let mut c = Cmd::new("XREADGROUP").arg("GROUP").arg(group).arg(consumer);
        if let Some(n) = count {
            c.push("COUNT");
            c.push(n);
        }
        if let Some(b) = block_ms {
            c.push("BLOCK");
            c.push(b);
        }
        if noack {
            c.push("NOACK");
        }
        c.push("STREAMS");
        for (k, _) in streams {
            c.push(k);
        }
        for (_, id) in streams {
            c.push(*id);
        }
        c
    };
    /// `XACK key group id [id ...]`: how many were acknowledged.
    fn xack<K: ToArgs, G: ToArgs, I: ToArgs>(key: K, group: G, ids: I) -> i64 { Cmd::new("XACK").arg(key).arg(group).arg(ids) };
    /// `XPENDING key group` (summary form).
    fn xpending<K: ToArgs, G: ToArgs>(key: K, group: G) -> PendingSummary { Cmd::new("XPENDING").arg(key).arg(group) };
    /// `XCLAIM key group consumer min-idle-ms id [id ...]`: the claimed entries.
    fn xclaim<K: ToArgs, G: ToArgs, C: ToArgs, I: ToArgs>(key: K, group: G, consumer: C, min_idle_ms: u64, ids: I) -> Vec<StreamEntry> {
        Cmd::new("XCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(ids)
    };
    /// `XAUTOCLAIM key group consumer min-idle-ms start COUNT count`.
    fn xautoclaim<K: ToArgs, G: ToArgs, C: ToArgs>(key: K, group: G, consumer: C, min_idle_ms: u64, start: &str, count: usize) -> AutoClaim {
        Cmd::new("XAUTOCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(start).arg("COUNT").arg(count)
    };

    // ---- transactions ----
    /// `WATCH key [key ...]`: EXEC fails (returns `None`) if one of them changes first.
    fn watch<K: ToArgs>(keys: K) -> () { Cmd::new("WATCH").arg(keys) };
    /// `UNWATCH`.
    fn unwatch() -> () { Cmd::new("UNWATCH") };
}

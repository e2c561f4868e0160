//! `diskdb export`: a whole keyspace as a stream of commands that rebuild it, read from
//! any server that speaks Redis's protocol (DiskDB or redis-server), so that
//! `redis-cli --pipe` or `diskdb import` loads it into either.
//!
//! Two formats:
//! - `commands` (the default): each key rebuilt with ordinary commands (SET, RPUSH,
//!   HSET, SADD, ZADD, XADD + XSETID + XGROUP CREATE/CREATECONSUMER + XCLAIM for
//!   streams and their groups, JSON.SET), then PEXPIREAT with the key's deadline.
//!   This crosses servers: DiskDB's DUMP payloads are DiskDB's own format (see
//!   `types::txn::dump`), not Redis's RDB encoding, so RESTORE cannot carry values
//!   between DiskDB and Redis.
//! - `restore`: `RESTORE key deadline payload REPLACE ABSTTL` from DUMP, for the same
//!   kind of server on both sides (DiskDB to DiskDB, Redis to Redis).
//!
//! Databases are walked with SCAN: the export of a server taking writes is not a
//! point-in-time image (export from a server started on a restored backup for that).
//! Collections are read in pages of [`PAGE`] elements and written in commands of as
//! many, so no single command grows with the collection.

use std::io::Write;

use super::resp::{encode, Client, Reply};

/// Elements per read and per written command.
const PAGE: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Commands,
    Restore,
}

/// Where exported commands go: a RESP stream, or a server directly.
pub trait Sink {
    fn command(&mut self, args: &[&[u8]]) -> Result<(), String>;
}

/// A RESP command stream on any writer (standard output, a file).
pub struct StreamSink<W: Write>(pub W);

impl<W: Write> Sink for StreamSink<W> {
    fn command(&mut self, args: &[&[u8]]) -> Result<(), String> {
        let mut buf = Vec::new();
        encode(&mut buf, args);
        self.0.write_all(&buf).map_err(|e| format!("write: {e}"))
    }
}

/// What an export did.
#[derive(Debug, Default)]
pub struct Summary {
    pub keys: u64,
    pub commands: u64,
    /// Keys of types the format cannot carry, by type.
    pub skipped: Vec<(String, String)>,
}

struct Out<'a> {
    sink: &'a mut dyn Sink,
    summary: Summary,
}

impl Out<'_> {
    fn emit(&mut self, args: &[&[u8]]) -> Result<(), String> {
        self.summary.commands += 1;
        self.sink.command(args)
    }

    /// `CMD key` followed by (pairs of) elements, in commands of at most [`PAGE`].
    fn chunked(&mut self, cmd: &[u8], key: &[u8], items: &[Vec<u8>], per: usize) -> Result<(), String> {
        for chunk in items.chunks(PAGE * per) {
            let mut args: Vec<&[u8]> = vec![cmd, key];
            args.extend(chunk.iter().map(Vec::as_slice));
            self.emit(&args)?;
        }
        Ok(())
    }
}

/// Exports every database of the server behind `src` into `sink`.
pub fn export(src: &mut Client, sink: &mut dyn Sink, format: Format) -> Result<Summary, String> {
    let mut out = Out { sink, summary: Summary::default() };
    let databases = src
        .must(&[b"CONFIG", b"GET", b"databases"])
        .ok()
        .and_then(|r| r.items().get(1).and_then(Reply::int))
        .unwrap_or(16);
    for db in 0..databases {
        let dbs = db.to_string();
        if let Reply::Error(_) = src.call(&[b"SELECT", dbs.as_bytes()]).map_err(|e| e.to_string())? {
            break;
        }
        if src.must(&[b"DBSIZE"])?.int().unwrap_or(0) == 0 {
            continue;
        }
        out.emit(&[b"SELECT", dbs.as_bytes()])?;
        let mut cursor = b"0".to_vec();
        loop {
            let mut page = src.must(&[b"SCAN", &cursor, b"COUNT", b"1000"])?.items().into_iter();
            cursor = page.next().and_then(|c| c.bytes().map(<[u8]>::to_vec)).ok_or("SCAN: bad reply")?;
            for key in page.next().map(Reply::items).unwrap_or_default() {
                let Some(key) = key.bytes().map(<[u8]>::to_vec) else { continue };
                match format {
                    Format::Commands => export_key(src, &mut out, &key)?,
                    Format::Restore => export_dump(src, &mut out, &key)?,
                }
            }
            if cursor == b"0" {
                break;
            }
        }
    }
    Ok(out.summary)
}

/// The key's deadline in Unix ms: `None` without a TTL (or when the key is gone).
fn deadline(src: &mut Client, key: &[u8]) -> Result<Option<i64>, String> {
    let at = src.must(&[b"PEXPIRETIME", key])?.int().unwrap_or(-1);
    Ok((at > 0).then_some(at))
}

fn export_dump(src: &mut Client, out: &mut Out<'_>, key: &[u8]) -> Result<(), String> {
    let at = deadline(src, key)?;
    let Some(payload) = src.must(&[b"DUMP", key])?.bytes().map(<[u8]>::to_vec) else { return Ok(()) };
    let ttl = at.unwrap_or(0).to_string();
    out.emit(&[b"RESTORE", key, ttl.as_bytes(), &payload, b"REPLACE", b"ABSTTL"])?;
    out.summary.keys += 1;
    Ok(())
}

fn export_key(src: &mut Client, out: &mut Out<'_>, key: &[u8]) -> Result<(), String> {
    let kind = src.must(&[b"TYPE", key])?.text();
    let at = deadline(src, key)?;
    let present = match kind.as_str() {
        "none" => false,
        "string" => match src.must(&[b"GET", key])?.bytes() {
            Some(v) => {
                let v = v.to_vec();
                out.emit(&[b"SET", key, &v])?;
                true
            }
            None => false,
        },
        "list" => {
            out.emit(&[b"DEL", key])?;
            let mut start = 0usize;
            loop {
                let (a, b) = (start.to_string(), (start + PAGE - 1).to_string());
                let items = bulks(src.must(&[b"LRANGE", key, a.as_bytes(), b.as_bytes()])?);
                out.chunked(b"RPUSH", key, &items, 1)?;
                if items.len() < PAGE {
                    break;
                }
                start += PAGE;
            }
            true
        }
        "hash" => scanned(src, out, b"HSCAN", b"HSET", key, false)?,
        "set" => scanned(src, out, b"SSCAN", b"SADD", key, false)?,
        "zset" => scanned(src, out, b"ZSCAN", b"ZADD", key, true)?,
        "stream" => stream(src, out, key)?,
        "ReJSON-RL" => match src.must(&[b"JSON.GET", key])?.bytes() {
            Some(doc) => {
                let doc = doc.to_vec();
                out.emit(&[b"JSON.SET", key, b"$", &doc])?;
                true
            }
            None => false,
        },
        other => {
            out.summary.skipped.push((String::from_utf8_lossy(key).into_owned(), other.to_string()));
            false
        }
    };
    if present {
        out.summary.keys += 1;
        if let Some(at) = at {
            out.emit(&[b"PEXPIREAT", key, at.to_string().as_bytes()])?;
        }
    }
    Ok(())
}

fn bulks(r: Reply) -> Vec<Vec<u8>> {
    r.items().into_iter().filter_map(|i| i.bytes().map(<[u8]>::to_vec)).collect()
}

/// A hash, set or sorted set through its SCAN command; `swap`: ZSCAN answers member,
/// score pairs and ZADD takes score, member.
fn scanned(src: &mut Client, out: &mut Out<'_>, scan: &[u8], add: &[u8], key: &[u8], swap: bool) -> Result<bool, String> {
    out.emit(&[b"DEL", key])?;
    let per = if add == b"SADD" { 1 } else { 2 };
    let mut cursor = b"0".to_vec();
    let mut any = false;
    loop {
        let mut page = src.must(&[scan, key, &cursor, b"COUNT", b"500"])?.items().into_iter();
        cursor = page.next().and_then(|c| c.bytes().map(<[u8]>::to_vec)).ok_or("SCAN: bad reply")?;
        let mut items = page.next().map(bulks).unwrap_or_default();
        if swap {
            for pair in items.chunks_mut(2) {
                pair.swap(0, 1);
            }
        }
        any |= !items.is_empty();
        out.chunked(add, key, &items, per)?;
        if cursor == b"0" {
            return Ok(any);
        }
    }
}

/// A stream: its entries, its last ID and counters, its groups with their consumers
/// and pending entries (delivery counts and idle times kept; a pending entry whose
/// message was deleted cannot be recreated: XCLAIM only claims existing entries).
fn stream(src: &mut Client, out: &mut Out<'_>, key: &[u8]) -> Result<bool, String> {
    let info = src.must(&[b"XINFO", b"STREAM", key])?.pairs();
    let field = |name: &str| info.iter().find(|(k, _)| k == name).map(|(_, v)| v.text()).unwrap_or_default();
    let (length, last_id, added, max_deleted) =
        (field("length"), field("last-generated-id"), field("entries-added"), field("max-deleted-entry-id"));
    out.emit(&[b"DEL", key])?;
    let mut start = b"-".to_vec();
    loop {
        let page = src.must(&[b"XRANGE", key, &start, b"+", b"COUNT", PAGE.to_string().as_bytes()])?.items();
        let n = page.len();
        for entry in page {
            let mut parts = entry.items().into_iter();
            let (Some(id), Some(fields)) = (parts.next(), parts.next()) else { continue };
            let id = id.bytes().map(<[u8]>::to_vec).unwrap_or_default();
            let fields = bulks(fields);
            let mut args: Vec<&[u8]> = vec![b"XADD".as_slice(), key, &id];
            args.extend(fields.iter().map(Vec::as_slice));
            out.emit(&args)?;
            start = [b"(".as_slice(), &id].concat();
        }
        if n < PAGE {
            break;
        }
    }
    if length == "0" {
        // An empty stream: made by a group created with MKSTREAM, then dropped.
        out.emit(&[b"XGROUP", b"CREATE", key, b"diskdb-export", b"0", b"MKSTREAM"])?;
        out.emit(&[b"XGROUP", b"DESTROY", key, b"diskdb-export"])?;
    }
    let mut setid: Vec<&[u8]> = vec![b"XSETID".as_slice(), key, last_id.as_bytes()];
    if !added.is_empty() {
        setid.extend([b"ENTRIESADDED".as_slice(), added.as_bytes()]);
    }
    if !max_deleted.is_empty() {
        setid.extend([b"MAXDELETEDID".as_slice(), max_deleted.as_bytes()]);
    }
    out.emit(&setid)?;
    for group in src.must(&[b"XINFO", b"GROUPS", key])?.items() {
        let g = group.pairs();
        let get = |name: &str| g.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let name = get("name").map(|r| r.text()).unwrap_or_default();
        let last = get("last-delivered-id").map(|r| r.text()).unwrap_or_else(|| "0".into());
        let mut create: Vec<Vec<u8>> = vec![b"XGROUP".to_vec(), b"CREATE".to_vec(), key.to_vec(), name.clone().into(), last.into()];
        if let Some(read) = get("entries-read").and_then(|r| r.int()) {
            create.extend([b"ENTRIESREAD".to_vec(), read.to_string().into()]);
        }
        out.emit(&create.iter().map(Vec::as_slice).collect::<Vec<_>>())?;
        for consumer in src.must(&[b"XINFO", b"CONSUMERS", key, name.as_bytes()])?.items() {
            let c = consumer.pairs();
            let cname = c.iter().find(|(k, _)| k == "name").map(|(_, v)| v.text()).unwrap_or_default();
            out.emit(&[b"XGROUP", b"CREATECONSUMER", key, name.as_bytes(), cname.as_bytes()])?;
        }
        let mut from = b"-".to_vec();
        loop {
            let page = src.must(&[b"XPENDING", key, name.as_bytes(), &from, b"+", PAGE.to_string().as_bytes()])?.items();
            let n = page.len();
            for p in page {
                let p = p.items();
                if p.len() < 4 {
                    continue;
                }
                let (id, consumer, idle, count) = (p[0].text(), p[1].text(), p[2].text(), p[3].text());
                out.emit(&[
                    b"XCLAIM",
                    key,
                    name.as_bytes(),
                    consumer.as_bytes(),
                    b"0",
                    id.as_bytes(),
                    b"IDLE",
                    idle.as_bytes(),
                    b"RETRYCOUNT",
                    count.as_bytes(),
                    b"FORCE",
                    b"JUSTID",
                ])?;
                from = format!("({id}").into_bytes();
            }
            if n < PAGE {
                break;
            }
        }
    }
    Ok(true)
}

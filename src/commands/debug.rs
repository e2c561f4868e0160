//! DEBUG: the subcommands of Redis's that tools and client test suites use and that mean
//! something for an on-disk store: SLEEP, SET-ACTIVE-EXPIRE, OBJECT, POPULATE, DIGEST,
//! DIGEST-VALUE, CHANGE-REPL-ID, LOG, ERROR, QUICKLIST-PACKED-THRESHOLD (accepted: DiskDB's lists
//! have no quicklist nodes), HELP. RELOAD is refused with the reason (no RDB file to save
//! and load back). The others (crash and allocator subcommands, JMAP, encoding tweaks
//! such as LISTPACK or STRINGMATCH-LEN, replication and cluster ones) answer Redis's
//! unknown subcommand error; the README lists them. Gated by `enable-debug-command` as in Redis 7 (the `PROTECTED` flag,
//! checked by dispatch before queueing in MULTI): refused unless it is `yes`, or `local`
//! and the client is on a loopback address or the Unix socket.

use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;

use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::encoding;

/// `DEBUG subcommand [arg...]`. Subcommands are matched case-insensitively and each has a
/// fixed argument count, as in Redis. Errors: `ERR DEBUG command not allowed. ...` when
/// `enable-debug-command` refuses the client (from dispatch, before MULTI queueing, as
/// in Redis); `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try
/// DEBUG HELP.`
fn debug(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let sub = argv[1].to_ascii_lowercase();
    match (&sub[..], argv.len()) {
        (b"help", 2) => Ok(help()),
        (b"sleep", 3) => sleep(&argv[2]),
        (b"set-active-expire", 3) => {
            ctx.server.active_expire.store(atoi(&argv[2]) != 0, Ordering::Relaxed);
            Ok(Reply::ok())
        }
        (b"object", 3) => object(ctx, &argv[2]),
        (b"populate", 3..=5) => populate(ctx, argv),
        (b"digest", 2) => digest(ctx),
        (b"digest-value", _) => digest_values(ctx, &argv[2..]),
        (b"change-repl-id", 2) => {
            ctx.server.diag.change_replid();
            Ok(Reply::ok())
        }
        (b"quicklist-packed-threshold", 3) => {
            let size = std::str::from_utf8(&argv[2]).ok().and_then(|v| crate::config::value::Kind::Memory(0, u64::MAX).memory(v).ok());
            match size {
                // Redis's bound (0 restores its default); DiskDB's lists have no nodes to pack.
                Some(n) if n <= (1u64 << 32) - (1 << 20) => Ok(Reply::ok()),
                _ => Err(Error::QuicklistThreshold),
            }
        }
        (b"reload", _) => Err(Error::DebugReloadRefused),
        (b"log", 3) => {
            // Redis logs it at warning level, so it shows whatever the loglevel.
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&argv[2]));
            Ok(Reply::ok())
        }
        (b"error", 3) => {
            // Redis 7.0 sends the text as the whole error line, line breaks as spaces.
            let text: Vec<u8> = argv[2].iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect();
            Ok(Reply::Error(Bytes::from(text)))
        }
        _ => Err(Error::DebugUnknownSubcommand(String::from_utf8_lossy(&argv[1]).into_owned())),
    }
}

/// `DEBUG HELP`: the subcommands DiskDB has, in Redis's words.
fn help() -> Reply {
    super::connection::help_reply(
        "DEBUG",
        &[
            "CHANGE-REPL-ID",
            "    Change the replication IDs of the instance.",
            "    Dangerous: should be used only for testing the replication subsystem.",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Sets the threshold for elements to be inserted as plain vs packed nodes",
            "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    )
}

/// `DEBUG SLEEP seconds`: waits that long (decimals allowed), then answers OK. As Redis's
/// `atof`, text that is not a number counts as 0, and so does a negative number. Only the
/// calling connection waits: DiskDB serves the others meanwhile, where Redis stops.
fn sleep(arg: &[u8]) -> Result<Reply> {
    let seconds = atof(arg);
    if seconds > 0.0 && seconds.is_finite() {
        std::thread::sleep(Duration::from_secs_f64(seconds.min(1e9)));
    }
    Ok(Reply::ok())
}

/// `DEBUG OBJECT key`: Redis's line,
/// `Value at:<addr> refcount:<n> encoding:<enc> serializedlength:<n> lru:<clock> lru_seconds_idle:<s>`,
/// or `ERR no such key`. Does not count as an access. `encoding`, `refcount` and
/// `lru_seconds_idle` are what OBJECT ENCODING, REFCOUNT and IDLETIME answer, and `lru` is
/// Redis's 24-bit seconds clock at the last access. Fields DiskDB cannot know: `Value at`
/// (values live on disk, with no address) is a fixed `0x0`; `serializedlength` is the
/// length of DiskDB's own DUMP payload for the value, not of Redis's RDB encoding. The
/// quicklist fields Redis adds for lists (`ql_nodes`...) are left out: DiskDB's lists have
/// no nodes. O(N) in the size of the value, as in Redis.
fn object(ctx: &mut Ctx<'_>, key: &Bytes) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let Some(meta) = ctx.txn.get(key)? else { return Err(Error::NoSuchKey) };
    let cfg = ctx.server.config.read().encoding.clone();
    let enc = encoding::encoding(&ctx.txn, &meta, &cfg)?;
    let refcount = if encoding::is_shared_integer(&meta) { i32::MAX as i64 } else { 1 };
    let serialized = ctx.txn.dump(&meta)?.len();
    let idle = ctx.store().access.idle(ctx.txn.db, key);
    let lru = ((crate::types::now_ms() / 1000) as u64).saturating_sub(idle) & ((1 << 24) - 1);
    Ok(Reply::Status(Bytes::from(format!(
        "Value at:0x0 refcount:{refcount} encoding:{enc} serializedlength:{serialized} lru:{lru} lru_seconds_idle:{idle}"
    ))))
}

/// Keys written per batch by POPULATE: one RocksDB write and one set of key locks per
/// batch. Small enough that the transaction's per-key bookkeeping (a linear search)
/// stays cheap, large enough that a million keys take a few thousand writes.
const POPULATE_BATCH: usize = 256;

/// `DEBUG POPULATE count [prefix] [size]`: creates the string keys `<prefix>:0` ..
/// `<prefix>:<count-1>` (prefix `key`) with the values `value:<n>`, or, with `size`,
/// that text cut or padded with zero bytes to `size` bytes, as Redis does; keys that
/// exist are left alone. Written in batches of [`POPULATE_BATCH`] keys, each one atomic
/// write under its keys' locks. O(N). Errors: `ERR value is out of range, must be
/// positive` for a count or size that is negative or not a number.
fn populate(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let positive = |a: &Bytes| match crate::num::parse_i64_strict(a) {
        Some(n) if n >= 0 => Ok(n as u64),
        // Redis's getPositiveLongFromObjectOrReply: one text for both.
        _ => Err(Error::NotPositive),
    };
    let count = positive(&argv[2])?;
    let prefix: &[u8] = argv.get(3).map_or(b"key", |p| &p[..]);
    let size = argv.get(4).map(positive).transpose()?.unwrap_or(0) as usize;
    if size > 512 << 20 {
        return Err(Error::NotPositive);
    }
    let store = ctx.store();
    let db = ctx.txn.db;
    let mut next = 0u64;
    while next < count {
        let upto = count.min(next + POPULATE_BATCH as u64);
        let names: Vec<Bytes> = (next..upto)
            .map(|j| {
                let mut k = prefix.to_vec();
                k.extend_from_slice(format!(":{j}").as_bytes());
                Bytes::from(k)
            })
            .collect();
        let _locks = store.locks.lock(names.iter().map(|k| (db, &k[..])));
        let mut txn = crate::types::Txn::new(store, db);
        for (key, j) in names.iter().zip(next..upto) {
            if txn.get(key)?.is_some() {
                continue;
            }
            let text = format!("value:{j}").into_bytes();
            let value = if size == 0 {
                text
            } else {
                let mut v = vec![0u8; size];
                let n = size.min(text.len());
                v[..n].copy_from_slice(&text[..n]);
                v
            };
            crate::types::string::put(&mut txn, key, Bytes::from(value), 0)?;
        }
        let touched = txn.commit()?;
        ctx.server.touched(&touched);
        next = upto;
    }
    Ok(Reply::ok())
}

/// `DEBUG DIGEST`: a 40-hex-digit signature of every database's content, all zeros for
/// an empty server. The XOR of one SHA-1 per key over its database, name, expiry and
/// DUMP payload, so it does not depend on the order keys are read in: equal data
/// stored alike gives equal digests (across restarts, for instance). It is DiskDB's own
/// digest, not Redis's value for the same data. O(N) in the data; keys written while it
/// runs may or may not count.
fn digest(ctx: &mut Ctx<'_>) -> Result<Reply> {
    let store = ctx.store();
    let mut total = [0u8; 20];
    for logical in 0..store.databases() {
        let db = store.physical(logical);
        let (start, end) = crate::storage::keys::db_bounds(db);
        let mut names: Vec<Bytes> = Vec::new();
        store.storage.scan(crate::storage::Cf::Meta, crate::storage::Range { start: &start, end: &end, reverse: false }, &mut |k, _| {
            names.push(Bytes::copy_from_slice(&k[1..]));
            true
        })?;
        let mut txn = crate::types::Txn::new(store, db);
        txn.no_touch = true;
        for key in names {
            let Some(meta) = txn.peek(&key)? else { continue };
            let mut h = sha1_smol::Sha1::new();
            h.update(&[logical as u8]);
            h.update(&(key.len() as u64).to_be_bytes());
            h.update(&key);
            h.update(&meta.expire_at.to_be_bytes());
            h.update(&txn.dump(&meta)?);
            for (t, b) in total.iter_mut().zip(h.digest().bytes()) {
                *t ^= b;
            }
        }
    }
    Ok(Reply::Status(Bytes::from(hex(&total))))
}

/// `DEBUG DIGEST-VALUE key...`: per key, the SHA-1 of its DUMP payload (40 zeros for
/// a missing key), as 40 hex digits. Expiry is left out, as in Redis.
fn digest_values(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Result<Reply> {
    ctx.txn.no_touch = true;
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let d = match ctx.txn.peek(key)? {
            Some(meta) => sha1_smol::Sha1::from(ctx.txn.dump(&meta)?).digest().bytes(),
            None => [0u8; 20],
        };
        out.push(Reply::Status(Bytes::from(hex(&d))));
    }
    Ok(Reply::Array(out))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// C's `atoi`: optional blanks and sign, then the leading digits; 0 when there are none.
fn atoi(s: &[u8]) -> i64 {
    let s = std::str::from_utf8(s).unwrap_or("").trim_start();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).take(18).collect();
    let n = digits.parse::<i64>().unwrap_or(0);
    if neg { -n } else { n }
}

/// C's `atof`: the longest leading prefix that is a number; 0 when there is none.
fn atof(s: &[u8]) -> f64 {
    let s = std::str::from_utf8(s).unwrap_or("").trim_start();
    (1..=s.len()).rev().filter(|&i| s.is_char_boundary(i)).find_map(|i| s[..i].parse::<f64>().ok()).unwrap_or(0.0)
}

pub(crate) static COMMANDS: &[CommandSpec] = &[command! {
    name: "debug", arity: -2, flags: ADMIN | NOSCRIPT | LOADING | STALE | PROTECTED,
    group: "server", handler: debug,
    summary: "A container for debugging commands", since: "1.0.0", complexity: "Depends on subcommand.",
    docs: "-
        doc_flags:        syscmd",
}];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_prefixes() {
        assert_eq!(atoi(b"0"), 0);
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b"2x"), 2);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b" -3"), -3);
        assert_eq!(atof(b"0.25"), 0.25);
        assert_eq!(atof(b"abc"), 0.0);
        assert_eq!(atof(b"1.5s"), 1.5);
    }
}

//! DEBUG: the subcommands of Redis's that tools and client test suites use and that mean
//! something for an on-disk store (SLEEP, SET-ACTIVE-EXPIRE, OBJECT, HELP). The others
//! (RELOAD, DIGEST, POPULATE, crash and allocator subcommands...) answer Redis's unknown
//! subcommand error. Gated by `enable-debug-command` as in Redis 7 (the `PROTECTED` flag,
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
        _ => Err(Error::DebugUnknownSubcommand(String::from_utf8_lossy(&argv[1]).into_owned())),
    }
}

/// `DEBUG HELP`: the subcommands DiskDB has, in Redis's words.
fn help() -> Reply {
    super::connection::help_reply(
        "DEBUG",
        &[
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
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

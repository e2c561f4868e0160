//! Keyspace notifications (Redis's `notify.c`): the classes `notify-keyspace-events`
//! enables, the events commands raise, and their publication.
//!
//! A command raises events through its [`Txn`](crate::types::Txn)
//! (`txn.notify(class, "event", key)`), which keeps them only when their class is
//! enabled (one copy of the flags taken when the command starts, so with notifications
//! off — the default — an event costs one branch). Dispatch publishes a command's
//! events once its write has committed, in the order the command raised them, each as
//! `__keyspace@<db>__:<key>` with the event as the message (flag `K`) and
//! `__keyevent@<db>__:<event>` with the key as the message (flag `E`), keyspace first,
//! as Redis does. Inside MULTI/EXEC each command's events follow its own commit. The
//! active expire cycle and the evictor publish the events of their own transactions.
//!
//! Events by class, as Redis 7.0 (and RedisJSON 2.x for `d`) names them:
//!
//! - `g` generic: `del` (DEL, UNLINK, GETDEL, GETEX/EXPIRE with a past time, and a
//!   collection emptied by a pop or removal, after the type's event; a `*STORE` or
//!   BITOP with an empty result over an existing destination), `expire` (EXPIRE family,
//!   SET/SETEX/PSETEX/GETEX with a time), `persist` (PERSIST, GETEX PERSIST),
//!   `rename_from` / `rename_to` (RENAME, RENAMENX), `move_from` / `move_to` (MOVE, in
//!   the source and target databases), `copy_to` (COPY), `restore` (RESTORE).
//! - `$` string: `set` (SET family, MSET, MSETNX, GETSET, BITOP), `setrange`, `incrby`
//!   (INCR, DECR, INCRBY, DECRBY), `incrbyfloat`, `append`, `setbit` (SETBIT, BITFIELD).
//! - `l` list: `lpush`, `rpush` (PUSH/PUSHX and the push side of LMOVE, RPOPLPUSH,
//!   BLMOVE), `lpop`, `rpop` (POPs, LMPOP, BLPOP, BRPOP, BLMPOP and the pop side of the
//!   moves), `linsert`, `lset`, `lrem`, `ltrim`, `sortstore` (SORT ... STORE).
//! - `s` set: `sadd`, `srem`, `spop`, `sinterstore`, `sunionstore`, `sdiffstore`
//!   (SMOVE raises `srem` on the source then `sadd` on the target).
//! - `h` hash: `hset` (HSET, HMSET, HSETNX), `hdel`, `hincrby`, `hincrbyfloat`.
//! - `z` sorted set: `zadd`, `zincr` (ZADD INCR, ZINCRBY), `zrem`, `zremrangebyscore`,
//!   `zremrangebyrank`, `zremrangebylex`, `zpopmin`, `zpopmax` (with ZMPOP, BZPOPMIN,
//!   BZPOPMAX, BZMPOP), `zunionstore`, `zinterstore`, `zdiffstore`, `zrangestore`.
//! - `t` stream: `xadd`, `xtrim` (XTRIM, and XADD with a trim that removed entries),
//!   `xdel`, `xsetid`, `xgroup-create`, `xgroup-createconsumer` (also a consumer that
//!   XREADGROUP, XCLAIM or XAUTOCLAIM creates), `xgroup-delconsumer`, `xgroup-setid`,
//!   `xgroup-destroy`.
//! - `d` module (RedisJSON): `json.set`, `json.del` (JSON.DEL, JSON.FORGET),
//!   `json.numincrby`, `json.nummultby`, `json.strappend`, `json.arrappend`,
//!   `json.arrinsert`, `json.arrpop`, `json.arrtrim`, `json.toggle`, `json.clear`,
//!   `json.merge`, `json.mset`, raised only when the command changed the document.
//! - `x` expired: `expired` (a key found expired on access, or removed by the active
//!   expire cycle).
//! - `e` evicted: `evicted` (a key removed by the `maxdisk` evictor).
//! - `m` key miss: `keymiss` (a read lookup of a missing key: every read command, and
//!   the sources of the `*STORE` commands, SORT, COPY and LCS; not the lookups of write
//!   commands; XREAD raises it twice per missing key, as Redis 7.0 looks keys up twice).
//! - `n` new: `new` (a key created), just before the event of the command that created it.
//!
//! FLUSHDB, FLUSHALL and SWAPDB raise nothing, as in Redis.

use bytes::Bytes;

use crate::commands::ServerState;

/// `K`: publish on `__keyspace@<db>__:<key>`.
pub const KEYSPACE: u16 = 1 << 0;
/// `E`: publish on `__keyevent@<db>__:<event>`.
pub const KEYEVENT: u16 = 1 << 1;
/// `g`
pub const GENERIC: u16 = 1 << 2;
/// `$`
pub const STRING: u16 = 1 << 3;
/// `l`
pub const LIST: u16 = 1 << 4;
/// `s`
pub const SET: u16 = 1 << 5;
/// `h`
pub const HASH: u16 = 1 << 6;
/// `z`
pub const ZSET: u16 = 1 << 7;
/// `x`
pub const EXPIRED: u16 = 1 << 8;
/// `e`
pub const EVICTED: u16 = 1 << 9;
/// `t`
pub const STREAM: u16 = 1 << 10;
/// `m`
pub const KEY_MISS: u16 = 1 << 11;
/// `d`
pub const MODULE: u16 = 1 << 12;
/// `n`
pub const NEW: u16 = 1 << 13;

/// Whether flags `flags` (as `notify-keyspace-events` sets them) publish events of `class`.
#[inline]
pub fn wanted(flags: u16, class: u16) -> bool {
    flags & class != 0 && flags & (KEYSPACE | KEYEVENT) != 0
}

/// One event a command raised, waiting for its commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event: &'static str,
    /// Physical database (the channel names the logical one).
    pub db: u8,
    pub key: Bytes,
}

/// Publishes `events`, raised by a transaction that has committed, in order.
pub fn publish(state: &ServerState, events: &[Event]) {
    if events.is_empty() {
        return;
    }
    let flags = state.store.notify_flags();
    let mut channel = Vec::new();
    for e in events {
        let db = state.store.logical(e.db);
        if flags & KEYSPACE != 0 {
            channel.clear();
            channel.extend_from_slice(format!("__keyspace@{db}__:").as_bytes());
            channel.extend_from_slice(&e.key);
            state.publish(&channel, e.event.as_bytes());
        }
        if flags & KEYEVENT != 0 {
            channel.clear();
            channel.extend_from_slice(format!("__keyevent@{db}__:{}", e.event).as_bytes());
            state.publish(&channel, &e.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_bits_are_the_config_parsers() {
        let p = |s: &str| crate::config::value::parse_notify(s).unwrap();
        assert_eq!(p("K"), KEYSPACE);
        assert_eq!(p("E"), KEYEVENT);
        assert_eq!(p("g$lshzxetmdn"), GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | KEY_MISS | MODULE | NEW);
        assert_eq!(p("A"), GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE);
    }

    #[test]
    fn nothing_is_wanted_without_k_or_e() {
        assert!(!wanted(GENERIC, GENERIC));
        assert!(wanted(GENERIC | KEYEVENT, GENERIC));
        assert!(!wanted(LIST | KEYSPACE, GENERIC));
    }
}

//! Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO and RESET, and the
//! `<CONTAINER> HELP` reply every container shares. The CLIENT family is in
//! [`super::client`].
//!
//! AUTH and HELLO ... AUTH check a user's password through [`crate::acl`]; the default
//! user's password is `requirepass` unless ACL rules change it.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec};
use crate::error::{Error, Result};
use crate::protocol::Reply;

/// The Redis version DiskDB answers as (HELLO, INFO): the release whose commands and
/// replies it follows.
pub const REDIS_VERSION: &str = "7.2.4";

/// `PING [message]`: `PONG`, or the message as a bulk string. O(1).
/// A RESP2 client in subscribe mode gets `pong` and the message (empty when none) as a
/// two-item array, as Redis answers there.
fn ping(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() <= 2 && ctx.session.resp == 2 && ctx.session.subscribed() {
        let msg = argv.get(1).cloned().unwrap_or_default();
        return Ok(Reply::Array(vec![Reply::Bulk(Bytes::from_static(b"pong")), Reply::Bulk(msg)]));
    }
    match argv.len() {
        1 => Ok(Reply::status("PONG")),
        2 => Ok(Reply::Bulk(argv[1].clone())),
        _ => Err(Error::WrongArity("ping".into())),
    }
}

/// `ECHO message`. O(1).
fn echo(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Bulk(argv[1].clone()))
}

/// `QUIT`: replies OK and closes the connection once the reply is written.
fn quit(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.session.close_after_reply = true;
    Ok(Reply::ok())
}

/// `SELECT index`. Errors: not an integer; `ERR DB index is out of range`.
fn select(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let db = args::int(&argv[1])?;
    if db < 0 || db as usize >= ctx.store().databases() {
        return Err(Error::DbIndexOutOfRange);
    }
    ctx.session.select(db as usize);
    Ok(Reply::ok())
}

/// Checks `user`/`pass` (Redis's `ACLAuthenticateUser`) and switches the session to the
/// user. A failure is logged in the ACL LOG (object: the command name as sent) and
/// counted for the address's AUTH limit.
/// Error: `WRONGPASS invalid username-password pair or user is disabled.`
fn authenticate(ctx: &mut Ctx<'_>, argv0: &Bytes, user: &[u8], pass: &[u8]) -> Result<()> {
    let proof = ctx.session.argon_proof.take();
    let Some(cell) = ctx.server.acl.credentials(user, pass, proof.as_ref()) else {
        super::acl::auth_failed(ctx.server, ctx.session, argv0, user);
        return Err(Error::WrongPass);
    };
    ctx.session.authenticated = true;
    *ctx.session.info.user.lock() = cell.name.clone();
    ctx.session.user = cell;
    Ok(())
}

/// `AUTH [username] password`. O(N) in the password length (plus an Argon2id check,
/// done before the command by the connection, for users with such hashes).
/// Errors: `ERR syntax error` with more than two arguments; the "called without any
/// password configured" error for the one-argument form when the default user has
/// `nopass`; `WRONGPASS ...` for a wrong pair or a user that is off.
fn auth(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 3 {
        return Err(Error::Syntax);
    }
    let (user, pass): (&[u8], &[u8]) = if argv.len() == 2 {
        if ctx.server.acl.default_user().read().nopass {
            return Err(Error::AuthNotConfigured);
        }
        (b"default", &argv[1][..])
    } else {
        (&argv[1][..], &argv[2][..])
    };
    authenticate(ctx, &argv[0], user, pass)?;
    Ok(Reply::ok())
}

/// Validates a client name as Redis does: printable ASCII without spaces.
pub(super) fn printable(value: &[u8]) -> bool {
    value.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// Sets (or, with an empty name, clears) the connection name.
pub(super) fn set_name(ctx: &mut Ctx<'_>, name: &Bytes) -> Result<()> {
    if !printable(name) {
        return Err(Error::InvalidClientName);
    }
    *ctx.session.info.name.lock() = name.clone();
    Ok(())
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`: switches the
/// protocol, optionally authenticates and names the connection, and describes the
/// server (a map in RESP3, a flat array in RESP2). O(1).
/// Errors: `ERR Protocol version is not an integer or out of range`,
/// `NOPROTO unsupported protocol version`, `ERR Syntax error in HELLO option '<opt>'`,
/// `WRONGPASS ...`, `NOAUTH HELLO must be called ...`, the SETNAME name error.
fn hello(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut version = None;
    let mut i = 1;
    if argv.len() >= 2 {
        let v = args::parse_i64_strict(&argv[1])
            .ok_or_else(|| Error::ProtocolVersion)?;
        if !(2..=3).contains(&v) {
            return Err(Error::NoProto);
        }
        version = Some(v as u8);
        i = 2;
    }
    let mut credentials = None;
    let mut name = None;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if args::is(&argv[i], "auth") && more >= 2 {
            credentials = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 3;
        } else if args::is(&argv[i], "setname") && more >= 1 {
            name = Some(argv[i + 1].clone());
            i += 2;
        } else {
            return Err(Error::HelloOption(String::from_utf8_lossy(&argv[i]).into_owned()));
        }
    }
    if let Some((user, pass)) = credentials {
        authenticate(ctx, &argv[0], &user, &pass)?;
    }
    if !ctx.session.authenticated {
        return Err(Error::HelloNoAuth);
    }
    if let Some(name) = name {
        set_name(ctx, &name)?;
    }
    if let Some(v) = version {
        ctx.session.resp = v;
        ctx.session.info.resp.store(v, Ordering::Relaxed);
    }
    Ok(Reply::Map(vec![
        (Reply::bulk_str("server"), Reply::bulk_str("redis")),
        (Reply::bulk_str("version"), Reply::bulk_str(REDIS_VERSION)),
        (Reply::bulk_str("proto"), Reply::Int(ctx.session.resp as i64)),
        (Reply::bulk_str("id"), Reply::Int(ctx.session.id() as i64)),
        (Reply::bulk_str("mode"), Reply::bulk_str("standalone")),
        (Reply::bulk_str("role"), Reply::bulk_str("master")),
        (Reply::bulk_str("modules"), Reply::Array(Vec::new())),
    ]))
}

/// `RESET`: back to a fresh connection's state: leaves every subscription, discards
/// MULTI and WATCH, selects
/// database 0, RESP2, replies on, no name, switches off, and de-authenticates when a
/// password is required. Replies `RESET`. O(1) plus the watched keys.
fn reset(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let s = &mut *ctx.session;
    if let Some(sub) = s.pubsub.as_deref_mut() {
        ctx.server.pubsub.leave(sub);
    }
    s.stop_monitor(&ctx.server.monitors);
    s.multi = None;
    ctx.server.watches.clear(&mut s.watch);
    if s.tracking.on {
        ctx.server.tracking.disable(&s.info, &s.tracking);
    }
    s.tracking = Default::default();
    s.select(0);
    s.resp = 2;
    s.info.resp.store(2, Ordering::Relaxed);
    s.user = ctx.server.acl.default_user();
    s.authenticated = !ctx.server.acl.auth_required();
    *s.info.user.lock() = "default".into();
    *s.info.name.lock() = Bytes::new();
    s.reply_off = false;
    s.reply_skip = false;
    s.reply_skip_next = false;
    s.info.no_evict.store(false, Ordering::Relaxed);
    s.info.no_touch.store(false, Ordering::Relaxed);
    Ok(Reply::status("RESET"))
}

/// The text of a `<CONTAINER> HELP` reply: a header line and the given lines.
pub fn help_reply(container: &str, lines: &[&str]) -> Reply {
    let mut out = vec![Reply::Status(Bytes::from(format!(
        "{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    )))];
    out.extend(lines.iter().map(|l| Reply::Status(Bytes::copy_from_slice(l.as_bytes()))));
    out.push(Reply::status("HELP"));
    out.push(Reply::status("    Prints this help."));
    Reply::Array(out)
}

/// `SHM.ATTACH` (DiskDB's own, docs/shm-protocol.md): checks that this Unix-socket
/// connection may attach and takes one of the `shm-max-clients` slots; the connection
/// then replies `+OK` with the segment's descriptors and moves to the rings
/// (`crate::server::connection`). O(1).
/// Errors: not on the Unix socket; `shm-max-clients 0`; the limit reached; already
/// attached. MULTI, scripts and RESP2 subscribed mode refuse it as any such command.
fn shm_attach(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let info = &ctx.session.info;
    if info.shm.load(Ordering::Relaxed) {
        return Err(Error::ShmAttached);
    }
    if info.kind_flag != "U" {
        return Err(Error::ShmUnixOnly);
    }
    let max = ctx.server.config.read().shm_max_clients;
    if max == 0 {
        return Err(Error::ShmDisabled);
    }
    let slots = &ctx.server.shm_clients;
    if slots.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then_some(n + 1)).is_err() {
        return Err(Error::ShmMaxClients);
    }
    ctx.session.shm_attach = true;
    Ok(Reply::ok())
}

const HANDSHAKE: u32 = NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY;

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "ping", arity: -1, flags: FAST, group: "connection", handler: ping,
        summary: "Ping the server", since: "1.0.0", complexity: "O(1)",
        docs: "[message]
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "echo", arity: 2, flags: LOADING | STALE | FAST, group: "connection", handler: echo,
        summary: "Echo the given string", since: "1.0.0", complexity: "O(1)",
        docs: "message",
    },
    command! {
        name: "quit", arity: -1, flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        group: "connection", handler: quit,
        summary: "Close the connection", since: "1.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "select", arity: 2, flags: FAST | LOADING | STALE, group: "connection", handler: select,
        summary: "Change the selected database for the current connection", since: "1.0.0", complexity: "O(1)",
        docs: "index:integer",
    },
    command! {
        name: "auth", arity: -2, flags: HANDSHAKE, group: "connection", handler: auth,
        summary: "Authenticate to the server", since: "1.0.0",
        complexity: "O(N) where N is the number of passwords defined for the user",
        docs: "[username@6.0.0] password
            history 6.0.0:    Added ACL style (username and password).",
    },
    command! {
        name: "hello", arity: -1, flags: HANDSHAKE, group: "connection", handler: hello,
        summary: "Handshake with Redis", since: "6.0.0", complexity: "O(1)",
        docs: "[arguments(protover:integer [AUTH username_password(username password)]
               [SETNAME clientname])]
            history 6.2.0:    `protover` made optional; when called without arguments the command reports
                              the current connection's context.",
    },
    command! {
        name: "shm.attach", arity: 1, flags: NOSCRIPT | NO_MULTI | LOADING | STALE | FAST, group: "connection", handler: shm_attach,
        summary: "Move the connection to a shared-memory segment (DiskDB)", since: "0.1.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "reset", arity: 1, flags: HANDSHAKE, group: "connection", handler: reset,
        summary: "Reset the connection", since: "6.2.0", complexity: "O(1)",
        docs: "-",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_printable_ascii() {
        assert!(printable(b"worker-1"));
        assert!(!printable(b"a b"));
        assert!(!printable(b"a\nb"));
        assert!(!printable("é".as_bytes()));
    }
}

//! The CLIENT family: ID, SETNAME, GETNAME, SETINFO, LIST, INFO, KILL, NO-EVICT,
//! NO-TOUCH, REPLY, HELP, and client-side caching's TRACKING, CACHING, GETREDIR and
//! TRACKINGINFO (over `crate::tracking`), over the registry of live connections
//! ([`super::ServerState`]'s `clients`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;

use super::args;
use super::connection::{help_reply, printable, set_name};
use super::context::{ClientInfo, Ctx, UNBLOCK_ERROR, UNBLOCK_TIMEOUT};
use super::table::{command, flags::*, CommandSpec};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::now_ms;

/// `CLIENT ID`: this connection's id. O(1).
fn client_id(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.session.id() as i64))
}

/// `CLIENT SETNAME name`; an empty name removes it. O(1).
/// Error: `ERR Client names cannot contain spaces, newlines or special characters.`
fn client_setname(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    set_name(ctx, &argv[2])?;
    Ok(Reply::ok())
}

/// `CLIENT GETNAME`: the name, or nil. O(1).
fn client_getname(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let name = ctx.session.info.name.lock().clone();
    Ok(if name.is_empty() { Reply::Nil } else { Reply::Bulk(name) })
}

/// `CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>`: what CLIENT LIST shows as
/// `lib-name` / `lib-ver`. O(1).
/// Errors: `ERR Unrecognized option '<attr>'`,
/// `ERR <attr> cannot contain spaces, newlines or special characters.`
fn client_setinfo(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let attr = String::from_utf8_lossy(&argv[2]).into_owned();
    let slot = if args::is(&argv[2], "lib-name") {
        &ctx.session.info.lib_name
    } else if args::is(&argv[2], "lib-ver") {
        &ctx.session.info.lib_ver
    } else {
        return Err(Error::SetinfoOption(attr));
    };
    if !printable(&argv[3]) {
        return Err(Error::SetinfoValue(attr));
    }
    *slot.lock() = argv[3].clone();
    Ok(Reply::ok())
}

/// The `flags=` letters of CLIENT LIST, in Redis's order; `N` when none applies.
fn client_flags(c: &ClientInfo) -> String {
    let mut f = String::new();
    if c.sub.load(Ordering::Relaxed) + c.psub.load(Ordering::Relaxed) + c.ssub.load(Ordering::Relaxed) > 0 {
        f.push('P');
    }
    if c.monitor.load(Ordering::Relaxed) {
        f.push('O');
    }
    if c.multi.load(Ordering::Relaxed) >= 0 {
        f.push('x');
    }
    if c.blocked.load(Ordering::Relaxed) {
        f.push('b');
    }
    let tracking = c.tracking.load(Ordering::Relaxed);
    for (bit, letter) in [(crate::tracking::ON, 't'), (crate::tracking::BROKEN_REDIRECT, 'R'), (crate::tracking::BCAST, 'B')] {
        if tracking & bit != 0 {
            f.push(letter);
        }
    }
    if c.is_killed() {
        f.push('A');
    }
    if c.kind_flag == "U" {
        f.push('U');
    }
    if c.no_evict.load(Ordering::Relaxed) {
        f.push('e');
    }
    if c.no_touch.load(Ordering::Relaxed) {
        f.push('T');
    }
    if f.is_empty() {
        f.push('N');
    }
    f
}

/// Redis's fixed reply buffer (`PROTO_REPLY_CHUNK_BYTES`): what `obl` counts; replies
/// past it are `oll` list nodes of this size in `omem`.
const REPLY_CHUNK: usize = 16 * 1024;

/// How Redis would split `pending` reply bytes: `(obl, oll, omem)`. DiskDB keeps one
/// output buffer; its first 16 KiB are the fixed buffer, the rest are list nodes.
fn output_fields(pending: usize) -> (usize, usize, usize) {
    let obl = pending.min(REPLY_CHUNK);
    let rest = pending - obl;
    (obl, rest.div_ceil(REPLY_CHUNK), rest)
}

/// One CLIENT LIST / CLIENT INFO line (without the trailing newline), with Redis 7.2's
/// fields (7.0's, plus `watch`, `lib-name` and `lib-ver`). `argv-mem` is the arguments
/// of the command being run or waited on, `multi-mem` the queued transaction,
/// `obl`/`oll`/`omem` the replies the socket has not taken (`events=rw` meanwhile);
/// `rbs`/`rbp` the reply buffer's size (0 while idle: idle clients hold no buffers) and
/// its 5-second peak. `redir` is the CLIENT TRACKING redirect (0 none, -1 tracking off).
pub fn client_line(c: &ClientInfo, now: i64) -> String {
    let qbuf = c.query_buf.load(Ordering::Relaxed);
    let qbuf_free = c.query_buf_free.load(Ordering::Relaxed);
    let argv_mem = c.argv_mem.load(Ordering::Relaxed);
    let multi_mem = c.multi_mem.load(Ordering::Relaxed);
    let pending = c.out_pending.load(Ordering::Relaxed) + c.out_queued.load(Ordering::Relaxed);
    let (obl, oll, omem) = output_fields(pending);
    let events = if pending > 0 { "rw" } else { "r" };
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} \
         watch={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} omem={} tot-mem={} events={} \
         cmd={} user={} redir={} resp={} lib-name={} lib-ver={}{}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        String::from_utf8_lossy(&c.name.lock()),
        (now - c.created_ms).max(0) / 1000,
        (now - c.last_active_ms.load(Ordering::Relaxed)).max(0) / 1000,
        client_flags(c),
        c.db.load(Ordering::Relaxed),
        c.sub.load(Ordering::Relaxed),
        c.psub.load(Ordering::Relaxed),
        c.ssub.load(Ordering::Relaxed),
        c.multi.load(Ordering::Relaxed),
        c.watch.load(Ordering::Relaxed),
        qbuf,
        qbuf_free,
        argv_mem,
        multi_mem,
        c.reply_buf.load(Ordering::Relaxed),
        c.reply_peak.load(Ordering::Relaxed),
        obl,
        oll,
        omem,
        qbuf + qbuf_free + argv_mem + multi_mem + c.reply_buf.load(Ordering::Relaxed).max(pending),
        events,
        c.last_cmd.lock(),
        c.user.lock(),
        c.redir.load(Ordering::Relaxed),
        c.resp.load(Ordering::Relaxed),
        String::from_utf8_lossy(&c.lib_name.lock()),
        String::from_utf8_lossy(&c.lib_ver.lock()),
        // DiskDB's own field, on shared-memory clients only: other lines stay Redis's.
        if c.shm.load(Ordering::Relaxed) { " transport=shm" } else { "" },
    )
}

/// Client types of `CLIENT LIST TYPE` and `CLIENT KILL TYPE`.
#[derive(Clone, Copy, PartialEq)]
enum ClientType {
    Normal,
    Replica,
    Master,
    Pubsub,
}

fn client_type(raw: &[u8]) -> Result<ClientType> {
    let lower = raw.to_ascii_lowercase();
    Ok(match &lower[..] {
        b"normal" => ClientType::Normal,
        b"replica" | b"slave" => ClientType::Replica,
        b"master" => ClientType::Master,
        b"pubsub" => ClientType::Pubsub,
        _ => return Err(Error::UnknownClientType(String::from_utf8_lossy(raw).into_owned())),
    })
}

fn type_of(c: &ClientInfo) -> ClientType {
    if c.sub.load(Ordering::Relaxed) + c.psub.load(Ordering::Relaxed) + c.ssub.load(Ordering::Relaxed) > 0 {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

/// Every connected client, oldest first (the order Redis lists them in).
fn all_clients(ctx: &Ctx<'_>) -> Vec<Arc<ClientInfo>> {
    let mut v: Vec<Arc<ClientInfo>> = ctx.server.clients.iter().map(|e| e.value().clone()).collect();
    v.sort_by_key(|c| c.id);
    v
}

fn lines_reply(clients: &[Arc<ClientInfo>]) -> Reply {
    let now = now_ms();
    let mut out = String::new();
    for c in clients {
        out.push_str(&client_line(c, now));
        out.push('\n');
    }
    Reply::Verbatim("txt", Bytes::from(out))
}

/// `CLIENT LIST [TYPE <NORMAL|MASTER|REPLICA|PUBSUB>] [ID client-id [client-id ...]]`:
/// one line per client (a verbatim string in RESP3). O(N) in the clients.
/// Errors: `ERR Unknown client type '<t>'`, `ERR Invalid client ID`, `ERR syntax error`.
fn client_list(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let clients = all_clients(ctx);
    if argv.len() == 2 {
        return Ok(lines_reply(&clients));
    }
    if argv.len() == 4 && args::is(&argv[2], "type") {
        let t = client_type(&argv[3])?;
        let chosen: Vec<_> = clients.into_iter().filter(|c| type_of(c) == t).collect();
        return Ok(lines_reply(&chosen));
    }
    if argv.len() > 3 && args::is(&argv[2], "id") {
        let mut chosen = Vec::new();
        for raw in &argv[3..] {
            let id = args::parse_i64_strict(raw).filter(|&n| n >= 1).ok_or_else(|| Error::InvalidClientId)?;
            if let Some(c) = ctx.server.clients.get(&(id as u64)) {
                chosen.push(c.value().clone());
            }
        }
        return Ok(lines_reply(&chosen));
    }
    Err(Error::Syntax)
}

/// `CLIENT INFO`: this connection's CLIENT LIST line. O(1).
fn client_info(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let line = client_line(&ctx.session.info, now_ms()) + "\n";
    Ok(Reply::Verbatim("txt", Bytes::from(line)))
}

/// `CLIENT KILL ip:port` (old form: `OK` or `ERR No such client`, and may kill the
/// caller), or `CLIENT KILL <ID id | TYPE type | USER user | ADDR ip:port |
/// LADDR ip:port | SKIPME yes/no> ...`: the number of clients closed (the caller is
/// skipped unless `SKIPME no`). O(N) in the clients.
/// Errors: `ERR syntax error`, `ERR client-id should be greater than 0`,
/// `ERR Unknown client type '<t>'`, `ERR No such user '<u>'`.
fn client_kill(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let me = ctx.session.id();
    if argv.len() == 3 {
        let addr = &argv[2][..];
        let victims: Vec<_> = all_clients(ctx).into_iter().filter(|c| c.addr.as_bytes() == addr).collect();
        if victims.is_empty() {
            return Err(Error::NoSuchClient);
        }
        for c in victims {
            kill_client(ctx, &c, me);
        }
        return Ok(Reply::ok());
    }
    let (mut id, mut kind, mut addr, mut laddr, mut user) = (None, None, None, None, None);
    let mut skipme = true;
    let mut i = 2;
    while i < argv.len() {
        let Some(value) = argv.get(i + 1) else { return Err(Error::Syntax) };
        let opt = &argv[i];
        if args::is(opt, "id") {
            let n = args::parse_i64_strict(value)
                .filter(|&n| n >= 1)
                .ok_or_else(|| Error::ClientIdNotPositive)?;
            id = Some(n as u64);
        } else if args::is(opt, "type") {
            kind = Some(client_type(value)?);
        } else if args::is(opt, "addr") {
            addr = Some(value.clone());
        } else if args::is(opt, "laddr") {
            laddr = Some(value.clone());
        } else if args::is(opt, "user") {
            if ctx.server.acl.get(value).is_none() {
                return Err(Error::NoSuchUser(String::from_utf8_lossy(value).into_owned()));
            }
            user = Some(value.clone());
        } else if args::is(opt, "skipme") {
            skipme = if args::is(value, "yes") {
                true
            } else if args::is(value, "no") {
                false
            } else {
                return Err(Error::Syntax);
            };
        } else {
            return Err(Error::Syntax);
        }
        i += 2;
    }
    let mut killed = 0;
    for c in all_clients(ctx) {
        let matches = id.map_or(true, |id| c.id == id)
            && kind.map_or(true, |k| type_of(&c) == k)
            && addr.as_ref().map_or(true, |a| c.addr.as_bytes() == &a[..])
            && laddr.as_ref().map_or(true, |a| c.laddr.as_bytes() == &a[..])
            && user.as_ref().map_or(true, |u| c.user.lock().as_bytes() == &u[..])
            && !(skipme && c.id == me);
        if matches {
            kill_client(ctx, &c, me);
            killed += 1;
        }
    }
    Ok(Reply::Int(killed))
}

/// Closes a client: the caller after its reply, another at once (it leaves the list
/// now, as a freed Redis client does).
fn kill_client(ctx: &mut Ctx<'_>, c: &Arc<ClientInfo>, me: u64) {
    if c.id == me {
        ctx.session.close_after_reply = true;
    } else {
        c.kill();
        ctx.server.clients.remove(&c.id);
    }
}

/// `CLIENT UNBLOCK client-id [TIMEOUT | ERROR]`: ends the blocking command (BLPOP,
/// BZPOPMIN, BLMOVE, ...) client `client-id` waits in, which answers its timeout reply
/// (`TIMEOUT`, the default) or `-UNBLOCKED client unblocked via CLIENT UNBLOCK`
/// (`ERROR`). Answers 1 if the client was blocked, 0 otherwise (unknown id too). O(1).
/// Errors: `ERR value is not an integer or out of range`,
/// `ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR`,
/// `ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.`
fn client_unblock(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 4 {
        return Err(Error::SubcommandSyntax {
            sub: String::from_utf8_lossy(&argv[1]).into_owned(),
            container: String::from_utf8_lossy(&argv[0]).to_uppercase(),
        });
    }
    let id = args::parse_i64_strict(&argv[2]).ok_or(Error::NotInteger)?;
    let how = match argv.get(3) {
        None => UNBLOCK_TIMEOUT,
        Some(r) if args::is(r, "timeout") => UNBLOCK_TIMEOUT,
        Some(r) if args::is(r, "error") => UNBLOCK_ERROR,
        Some(_) => return Err(Error::UnblockReason),
    };
    let target = u64::try_from(id).ok().and_then(|id| ctx.server.clients.get(&id).map(|c| c.value().clone()));
    Ok(Reply::Int(target.is_some_and(|c| c.request_unblock(how)) as i64))
}

/// Parses `ON|OFF` for the client switches. Error: `ERR syntax error`.
fn on_off(raw: &[u8]) -> Result<bool> {
    if args::is(raw, "on") {
        Ok(true)
    } else if args::is(raw, "off") {
        Ok(false)
    } else {
        Err(Error::Syntax)
    }
}

/// `CLIENT NO-EVICT ON|OFF`: recorded and shown as flag `e`. DiskDB never evicts
/// clients, so it changes nothing else. O(1).
fn client_no_evict(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.session.info.no_evict.store(on_off(&argv[2])?, Ordering::Relaxed);
    Ok(Reply::ok())
}

/// `CLIENT NO-TOUCH ON|OFF`: recorded and shown as flag `T`; commands that update a
/// key's access time may read it from `ClientInfo::no_touch`. O(1).
fn client_no_touch(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.session.info.no_touch.store(on_off(&argv[2])?, Ordering::Relaxed);
    Ok(Reply::ok())
}

/// `CLIENT REPLY ON|OFF|SKIP`: `ON` replies OK; `OFF` silences every reply until `ON`;
/// `SKIP` silences itself and the next command's reply. O(1).
/// Error: `ERR syntax error`.
fn client_reply(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let s = &mut *ctx.session;
    if args::is(&argv[2], "on") {
        s.reply_off = false;
        s.reply_skip = false;
        s.reply_skip_next = false;
    } else if args::is(&argv[2], "off") {
        s.reply_off = true;
    } else if args::is(&argv[2], "skip") {
        if !s.reply_off {
            s.reply_skip = true;
            s.reply_skip_next = true;
        }
    } else {
        return Err(Error::Syntax);
    }
    Ok(Reply::ok())
}

// ---------------------------------------------------------------------------------
// Client-side caching: TRACKING, CACHING, GETREDIR, TRACKINGINFO (see crate::tracking)
// ---------------------------------------------------------------------------------

/// `CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
/// [BCAST] [OPTIN] [OPTOUT] [NOLOOP]`: switches client-side caching; ON again changes
/// the options (BCAST prefixes add up). O(1), O(prefixes) with BCAST.
/// Errors: `ERR syntax error`, `ERR value is not an integer or out of range`, and the
/// `TrackingError` texts (redirect twice or to a missing client, PREFIX without BCAST,
/// switching BCAST or OPTIN/OPTOUT while on, OPTIN with OPTOUT or BCAST, overlapping
/// prefixes).
fn client_tracking(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    use crate::error::TrackingError as T;
    let mut redirect: i64 = 0;
    let (mut bcast, mut optin, mut optout, mut noloop) = (false, false, false, false);
    let mut prefixes: Vec<Bytes> = Vec::new();
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let a = &argv[j];
        if args::is(a, "redirect") && more {
            j += 1;
            if redirect != 0 {
                return Err(Error::Tracking(T::RedirectTwice));
            }
            redirect = args::parse_i64_strict(&argv[j]).ok_or(Error::NotInteger)?;
            if redirect <= 0 || !ctx.server.clients.contains_key(&(redirect as u64)) {
                return Err(Error::Tracking(T::RedirectMissing));
            }
        } else if args::is(a, "bcast") {
            bcast = true;
        } else if args::is(a, "optin") {
            optin = true;
        } else if args::is(a, "optout") {
            optout = true;
        } else if args::is(a, "noloop") {
            noloop = true;
        } else if args::is(a, "prefix") && more {
            j += 1;
            prefixes.push(argv[j].clone());
        } else {
            return Err(Error::Syntax);
        }
        j += 1;
    }
    let mode = &ctx.session.tracking;
    if args::is(&argv[2], "off") {
        if mode.on {
            ctx.server.tracking.disable(&ctx.session.info, mode);
        }
        ctx.session.tracking = Default::default();
        return Ok(Reply::ok());
    }
    if !args::is(&argv[2], "on") {
        return Err(Error::Syntax);
    }
    if !bcast && !prefixes.is_empty() {
        return Err(Error::Tracking(T::PrefixNeedsBcast));
    }
    if mode.on && mode.bcast != bcast {
        return Err(Error::Tracking(T::BcastSwitch));
    }
    if bcast && (optin || optout) {
        return Err(Error::Tracking(T::OptWithBcast));
    }
    if optin && optout {
        return Err(Error::Tracking(T::OptinAndOptout));
    }
    if (optin && mode.optout) || (optout && mode.optin) {
        return Err(Error::Tracking(T::OptSwitch));
    }
    if bcast {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        for (i, p) in prefixes.iter().enumerate() {
            if let Some(old) = mode.prefixes.iter().find(|old| crate::tracking::overlap(old, p)) {
                return Err(Error::Tracking(T::PrefixOverlapsExisting(text(p), text(old))));
            }
            if let Some(other) = prefixes[i + 1..].iter().find(|o| crate::tracking::overlap(p, o)) {
                return Err(Error::Tracking(T::PrefixOverlapsGiven(text(p), text(other))));
            }
        }
    }
    let s = &mut *ctx.session;
    let mut mode = std::mem::take(&mut s.tracking);
    mode.on = true;
    mode.bcast = bcast;
    mode.optin = optin;
    mode.optout = optout;
    mode.noloop = noloop;
    mode.redirect = redirect as u64;
    if bcast {
        if prefixes.is_empty() {
            prefixes.push(Bytes::new());
        }
        mode.prefixes.extend(prefixes);
    }
    let mailbox = s.subscriber().mailbox.clone();
    ctx.server.tracking.enable(mailbox, &mode);
    s.tracking = mode;
    Ok(Reply::ok())
}

/// `CLIENT CACHING <YES | NO>`: in OPTIN mode (YES) or OPTOUT mode (NO), the next
/// command, or the next transaction, is (not) tracked. O(1).
/// Errors: `ERR syntax error` and the `TrackingError` texts for a client not in the
/// matching mode.
fn client_caching(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    use crate::error::TrackingError as T;
    let mode = &mut ctx.session.tracking;
    if !mode.on {
        return Err(Error::Tracking(T::CachingNotTracking));
    }
    if args::is(&argv[2], "yes") {
        if !mode.optin {
            return Err(Error::Tracking(T::CachingYesNotOptin));
        }
    } else if args::is(&argv[2], "no") {
        if !mode.optout {
            return Err(Error::Tracking(T::CachingNoNotOptout));
        }
    } else {
        return Err(Error::Syntax);
    }
    mode.caching = true;
    Ok(Reply::ok())
}

/// `CLIENT GETREDIR`: the id invalidations are redirected to, 0 without a redirect,
/// -1 when tracking is off. O(1).
fn client_getredir(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let mode = &ctx.session.tracking;
    Ok(Reply::Int(if mode.on { mode.redirect as i64 } else { -1 }))
}

/// `CLIENT TRACKINGINFO`: a map of `flags` (a set: `on`/`off`, `bcast`, `optin`,
/// `caching-yes`, `optout`, `caching-no`, `noloop`, `broken_redirect`), `redirect`
/// (as GETREDIR) and `prefixes`. O(prefixes).
fn client_trackinginfo(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let mode = &ctx.session.tracking;
    let mut flags = vec![Reply::bulk_str(if mode.on { "on" } else { "off" })];
    if mode.bcast {
        flags.push(Reply::bulk_str("bcast"));
    }
    if mode.optin {
        flags.push(Reply::bulk_str("optin"));
        if mode.caching {
            flags.push(Reply::bulk_str("caching-yes"));
        }
    }
    if mode.optout {
        flags.push(Reply::bulk_str("optout"));
        if mode.caching {
            flags.push(Reply::bulk_str("caching-no"));
        }
    }
    if mode.noloop {
        flags.push(Reply::bulk_str("noloop"));
    }
    if mode.on && ctx.session.info.tracking.load(Ordering::Relaxed) & crate::tracking::BROKEN_REDIRECT != 0 {
        flags.push(Reply::bulk_str("broken_redirect"));
    }
    let redirect = if mode.on { mode.redirect as i64 } else { -1 };
    let prefixes = mode.prefixes.iter().map(|p| Reply::Bulk(p.clone())).collect();
    Ok(Reply::Map(vec![
        (Reply::bulk_str("flags"), Reply::Set(flags)),
        (Reply::bulk_str("redirect"), Reply::Int(redirect)),
        (Reply::bulk_str("prefixes"), Reply::Array(prefixes)),
    ]))
}

/// `CLIENT HELP`. O(1).
fn client_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "CLIENT",
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "    * ID <client-id> [<client-id> ...]",
            "      Return clients with the given ids.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "SETINFO <option> <value>",
            "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.",
            "    * LIB-VER: the client lib version.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "NO-TOUCH (ON|OFF)",
            "    Will not touch LRU/LFU stats when this mode is on.",
        ],
    ))
}

const CLIENT_FLAGS: u32 = NOSCRIPT | LOADING | STALE;

static CLIENT_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "id", arity: 2, flags: CLIENT_FLAGS, group: "connection", handler: client_id,
        summary: "Returns the client ID for the current connection", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "setname", arity: 3, flags: CLIENT_FLAGS, group: "connection", handler: client_setname,
        summary: "Set the current connection name", since: "2.6.9", complexity: "O(1)",
        docs: "connection-name",
    },
    command! {
        name: "getname", arity: 2, flags: CLIENT_FLAGS, group: "connection", handler: client_getname,
        summary: "Get the current connection name", since: "2.6.9", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "setinfo", arity: 4, flags: CLIENT_FLAGS, group: "connection", handler: client_setinfo,
        summary: "Sets information specific to the client or connection.", since: "7.2.0", complexity: "O(1)",
        docs: "attr('lib-name' libname | 'lib-ver' libver)",
    },
    command! {
        name: "list", arity: -2, flags: ADMIN | CLIENT_FLAGS, group: "connection", handler: client_list,
        summary: "Get the list of client connections", since: "2.4.0",
        complexity: "O(N) where N is the number of client connections",
        docs: "[TYPE normal_master_replica_pubsub(NORMAL | MASTER | REPLICA |
               PUBSUB)@5.0.0] [ID (client-id:integer...)@6.2.0]
            history 2.8.12:   Added unique client `id` field.
            history 5.0.0:    Added optional `TYPE` filter.
            history 6.0.0:    Added `user` field.
            history 6.2.0:    Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional
                              `ID` filter.
            history 7.0.0:    Added `resp`, `multi-mem`, `rbs` and `rbp` fields.
            history 7.0.3:    Added `ssub` field.
            tips:             nondeterministic_output",
    },
    command! {
        name: "info", arity: 2, flags: CLIENT_FLAGS, group: "connection", handler: client_info,
        summary: "Returns information about the current client connection.", since: "6.2.0", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output",
    },
    command! {
        name: "kill", arity: -3, flags: ADMIN | CLIENT_FLAGS, group: "connection", handler: client_kill,
        summary: "Kill the connection of a client", since: "2.4.0",
        complexity: "O(N) where N is the number of client connections",
        docs: r#"filter("ip:port"!2.8.12 | new-format([ID client-id:integer@2.8.12] |
                 [TYPE normal_master_slave_pubsub(NORMAL | MASTER@3.2.0 | SLAVE |
                 REPLICA@5.0.0 | PUBSUB)@2.8.12] | [USER username] | [ADDR "ip:port"] |
                 [LADDR "ip:port"@6.2.0] | [SKIPME yes/no])...)
            history 2.8.12:   Added new filter format.
            history 2.8.12:   `ID` option.
            history 3.2.0:    Added `master` type in for `TYPE` option.
            history 5.0.0:    Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward
                              compatibility.
            history 6.2.0:    `LADDR` option."#,
    },
    command! {
        name: "unblock", arity: -3, flags: ADMIN | CLIENT_FLAGS, group: "connection", handler: client_unblock,
        summary: "Unblock a client blocked in a blocking command from a different connection", since: "5.0.0",
        complexity: "O(log N) where N is the number of client connections",
        docs: "client-id:integer [timeout_error(TIMEOUT | ERROR)]",
    },
    command! {
        name: "no-evict", arity: 3, flags: ADMIN | CLIENT_FLAGS, group: "connection", handler: client_no_evict,
        summary: "Set client eviction mode for the current connection", since: "7.0.0", complexity: "O(1)",
        docs: "enabled(ON | OFF)",
    },
    command! {
        name: "no-touch", arity: 3, flags: CLIENT_FLAGS, group: "connection", handler: client_no_touch,
        summary: "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", since: "7.2.0",
        complexity: "O(1)",
        docs: "enabled(ON | OFF)",
    },
    command! {
        name: "reply", arity: 3, flags: CLIENT_FLAGS, group: "connection", handler: client_reply,
        summary: "Instruct the server whether to reply to commands", since: "3.2.0", complexity: "O(1)",
        docs: "on_off_skip(ON | OFF | SKIP)",
    },
    command! {
        name: "tracking", arity: -3, flags: CLIENT_FLAGS, group: "connection", handler: client_tracking,
        summary: "Enable or disable server assisted client side caching support", since: "6.0.0",
        complexity: "O(1). Some options may introduce additional complexity.",
        docs: "status(ON | OFF) [REDIRECT client-id:integer] [PREFIX prefix]... [BCAST] [OPTIN] [OPTOUT]
               [NOLOOP]",
    },
    command! {
        name: "caching", arity: 3, flags: CLIENT_FLAGS, group: "connection", handler: client_caching,
        summary: "Instruct the server about tracking or not keys in the next request", since: "6.0.0",
        complexity: "O(1)",
        docs: "mode(YES | NO)",
    },
    command! {
        name: "getredir", arity: 2, flags: CLIENT_FLAGS, group: "connection", handler: client_getredir,
        summary: "Get tracking notifications redirection client ID if any", since: "6.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "trackinginfo", arity: 2, flags: CLIENT_FLAGS, group: "connection", handler: client_trackinginfo,
        summary: "Return information about server assisted client side caching for the current connection",
        since: "6.2.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "pause", arity: -3, flags: ADMIN | CLIENT_FLAGS, group: "connection", handler: super::pause::client_pause,
        summary: "Stop processing commands from clients for some time", since: "2.9.50", complexity: "O(1)",
        docs: "timeout:integer [mode(WRITE | ALL)@6.2.0]
            history 6.2.0:    `CLIENT PAUSE WRITE` mode added along with the `mode` option.",
    },
    command! {
        name: "unpause", arity: 2, flags: ADMIN | CLIENT_FLAGS, group: "connection", handler: super::pause::client_unpause,
        summary: "Resume processing of clients that were paused", since: "6.2.0",
        complexity: "O(N) Where N is the number of paused clients",
        docs: "-",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "connection", handler: client_help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
];

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "client", arity: -2, group: "connection", subcommands: CLIENT_SUBCOMMANDS,
        summary: "A container for client connection commands", since: "2.4.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
];

//! The ACL command family (SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, LOG,
//! SAVE, LOAD, DRYRUN, GENPASS, HELP) over [`crate::acl`], and the hooks the rest of
//! the server calls: the permission check of dispatch ([`deny_reply`] after
//! [`crate::acl::check::check`]), the ACL LOG entry of a denial ([`log_denial`]), and
//! closing the clients of a changed or deleted user ([`kill_clients_of`]).

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::connection::help_reply;
use super::context::{ClientInfo, Ctx, ServerState, Session};
use super::registry;
use super::table::{command, flags::*, CommandSpec};
use crate::acl::categories::{self, CATEGORIES};
use crate::acl::log::Reason;
use crate::acl::user::{has_spaces, merge_selectors, Selector, User};
use crate::acl::{file, Denied};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::now_ms;

/// `acl-pubsub-default`: whether new users get every channel.
pub fn all_channels_default(state: &ServerState) -> bool {
    state.config.read().stored("acl-pubsub-default", "resetchannels") == "allchannels"
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The error reply of a command refused by the ACL, as processCommand words it.
pub fn deny_error(denied: Denied, full: &str) -> Error {
    match denied {
        Denied::Command => Error::NoPermCommand(full.to_string()),
        Denied::Key(_) => Error::NoPermKey,
        Denied::Channel(_) => Error::NoPermChannel,
    }
}

/// Adds the ACL LOG entry for a denial and counts it in INFO.
/// `context` is the ACL LOG's: `toplevel`, `multi` (EXEC) or `lua` (`redis.call`).
pub fn log_denial(state: &ServerState, session: &Session, denied: Denied, full: &str, argv: &[Bytes], context: &'static str) {
    let (reason, object) = match denied {
        Denied::Command => {
            state.acl.denied.cmd.fetch_add(1, Ordering::Relaxed);
            (Reason::Command, Bytes::from(full.to_string()))
        }
        Denied::Key(i) => {
            state.acl.denied.key.fetch_add(1, Ordering::Relaxed);
            (Reason::Key, argv[i].clone())
        }
        Denied::Channel(i) => {
            state.acl.denied.channel.fetch_add(1, Ordering::Relaxed);
            (Reason::Channel, argv[i].clone())
        }
    };
    if state.audit.enabled() {
        // The command and what was refused, never the key or channel name itself.
        let what = match denied {
            Denied::Command => "command",
            Denied::Key(_) => "key",
            Denied::Channel(_) => "channel",
        };
        state.audit.record(Some(&session.info), "", "acl_denied", crate::audit::Outcome::Denied, &format!("{what} {full}"));
    }
    let user = Bytes::from(session.user.name.clone());
    add_log(state, session, reason, context, object, user);
}

fn add_log(state: &ServerState, session: &Session, reason: Reason, context: &'static str, object: Bytes, user: Bytes) {
    let now = now_ms();
    let max_len = state.config.read().stored("acllog-max-len", "128").parse().unwrap_or(128);
    let info = super::client::client_line(&session.info, now);
    state.acl.log.add(reason, context, object, user, info, now, max_len);
}

/// Logs and counts a failed AUTH or HELLO ... AUTH, and notes it for the address's
/// limit.
pub fn auth_failed(state: &ServerState, session: &Session, argv0: &Bytes, user: &[u8]) {
    state.acl.denied.auth.fetch_add(1, Ordering::Relaxed);
    state.acl.limiter.failed(&session.info.addr);
    add_log(state, session, Reason::Auth, if session.multi.is_some() { "multi" } else { "toplevel" }, argv0.clone(), Bytes::copy_from_slice(user));
}

/// Closes every client authenticated as `name` (Redis's `ACLFreeUserAndKillClients`):
/// the caller after its reply, others at once. With `keep`, only those it refuses.
pub fn kill_clients_of(ctx: &mut Ctx<'_>, name: &str, keep: Option<&dyn Fn(&ClientInfo) -> bool>) {
    let me = ctx.session.id();
    let victims: Vec<_> = ctx
        .server
        .clients
        .iter()
        .filter(|c| *c.user.lock() == name)
        .filter(|c| keep.is_none_or(|keep| !keep(c)))
        .map(|c| c.value().clone())
        .collect();
    for c in victims {
        if c.id == me {
            ctx.session.close_after_reply = true;
        } else {
            c.kill();
            ctx.server.clients.remove(&c.id);
        }
    }
}

/// Whether the channels `new` allows cover every channel pattern `old` had; if not,
/// Redis closes the user's subscribers whose subscriptions are no longer allowed
/// (`ACLKillPubsubClientsIfNeeded`): patterns must be allowed literally, channels and
/// shard channels must match an allowed pattern.
fn channels_kept(old: &User, new: &User) -> Option<Vec<Vec<u8>>> {
    if new.selectors.iter().any(|s| s.all_channels) {
        return None;
    }
    let upcoming: Vec<Vec<u8>> = new.selectors.iter().flat_map(|s| s.channels.iter().cloned()).collect();
    let kept = old.selectors.iter().all(|s| !s.all_channels && s.channels.iter().all(|c| upcoming.contains(c)));
    (!kept).then_some(upcoming)
}

/// Whether client `c`'s subscriptions are all within `allowed`.
fn subscriptions_allowed(state: &ServerState, c: &ClientInfo, allowed: &[Vec<u8>]) -> bool {
    use crate::pubsub::Space;
    let matches = |ch: &Bytes| allowed.iter().any(|p| crate::glob::matches(p, ch, false));
    state.pubsub.subscriptions_of(Space::Pattern, c.id).iter().all(|p| allowed.iter().any(|a| a[..] == p[..]))
        && state.pubsub.subscriptions_of(Space::Channel, c.id).iter().all(matches)
        && state.pubsub.subscriptions_of(Space::Shard, c.id).iter().all(matches)
}

/// `ACL SETUSER username [rule ...]`: creates or changes a user; every rule is checked
/// on a copy first, so a bad rule changes nothing. O(N) in the rules.
/// Errors: `ERR Error in ACL SETUSER modifier '<rule>': <reason>`,
/// `ERR Unmatched parenthesis in acl selector starting at '<arg>'.`,
/// `ERR Usernames can't contain spaces or null characters`.
fn acl_setuser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let name = &argv[2];
    if has_spaces(name) {
        return Err(Error::AclUsernameSpaces);
    }
    let words: Vec<&[u8]> = argv[3..].iter().map(|a| &a[..]).collect();
    let rules = merge_selectors(&words).map_err(|i| Error::AclUnmatchedParenthesis(text(&argv[3 + i])))?;
    let all_channels = all_channels_default(ctx.server);
    let existing = ctx.server.acl.get(name);
    let mut user = match &existing {
        Some(cell) => cell.read().clone(),
        None => User::new(&text(name), all_channels),
    };
    for rule in &rules {
        if let Err(e) = user.apply(rule, all_channels) {
            return Err(Error::AclSetUser { rule: text(rule), reason: e.text() });
        }
    }
    let allowed = existing.as_ref().and_then(|cell| channels_kept(&cell.read(), &user));
    let name = user.name.clone();
    ctx.server.acl.put(user);
    if let Some(allowed) = allowed {
        let state = ctx.server;
        kill_clients_of(ctx, &name, Some(&|c: &ClientInfo| subscriptions_allowed(state, c, &allowed)));
    }
    Ok(Reply::ok())
}

/// `ACL GETUSER username`: flags, passwords (hashes), commands, keys, channels and
/// selectors, or nil. O(N) in the user's rules.
fn acl_getuser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let Some(cell) = ctx.server.acl.get(&argv[2]) else { return Ok(Reply::Nil) };
    let u = cell.read();
    let field = |s: &'static str| Reply::bulk_str(s);
    let selector = |s: &Selector| {
        vec![
            (field("commands"), Reply::Bulk(Bytes::from(s.describe_commands()))),
            (field("keys"), Reply::Bulk(Bytes::from(s.describe_keys()))),
            (field("channels"), Reply::Bulk(Bytes::from(s.describe_channels()))),
        ]
    };
    let mut fields = vec![
        (field("flags"), Reply::Set(u.flags().into_iter().map(Reply::bulk_str).collect())),
        (field("passwords"), Reply::Array(u.passwords.iter().map(|p| Reply::bulk_str(p)).collect())),
    ];
    fields.extend(selector(u.root()));
    fields.push((field("selectors"), Reply::Array(u.selectors[1..].iter().map(|s| Reply::Map(selector(s))).collect())));
    Ok(Reply::Map(fields))
}

/// `ACL DELUSER username [username ...]`: removes users and closes their clients;
/// answers how many existed. O(1) per user.
/// Error: `ERR The 'default' user cannot be removed`.
fn acl_deluser(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv[2..].iter().any(|n| &n[..] == b"default") {
        return Err(Error::AclDeleteDefault);
    }
    let mut deleted = 0;
    for name in &argv[2..] {
        if ctx.server.acl.remove(name) {
            deleted += 1;
            kill_clients_of(ctx, &text(name), None);
        }
    }
    Ok(Reply::Int(deleted))
}

/// `ACL LIST`: every user as an aclfile line. O(N) in the users.
fn acl_list(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Array(
        ctx.server
            .acl
            .snapshot()
            .into_iter()
            .map(|u| {
                let mut line = format!("user {} ", u.name).into_bytes();
                line.extend_from_slice(&u.describe());
                Reply::Bulk(Bytes::from(line))
            })
            .collect(),
    ))
}

/// `ACL USERS`: the user names, sorted. O(N).
fn acl_users(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Array(ctx.server.acl.names().iter().map(|n| Reply::bulk_str(n)).collect()))
}

/// `ACL WHOAMI`: the connection's user. O(1).
fn acl_whoami(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::bulk_str(&ctx.session.user.name))
}

/// `ACL CAT [category]`: the categories, or the commands of one. O(N) in the commands.
/// Error: `ERR Unknown category '<name>'`.
fn acl_cat(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match argv.get(2) {
        None => Ok(Reply::Array(CATEGORIES.iter().map(|c| Reply::bulk_str(c)).collect())),
        Some(name) => {
            let cat = categories::by_name(name).ok_or_else(|| Error::AclUnknownCategory(text(&name[..name.len().min(128)])))?;
            Ok(Reply::Array(categories::commands_in(cat).into_iter().map(Reply::bulk_str).collect()))
        }
    }
}

/// `ACL GENPASS [bits]`: random hex digits, `bits` (default 256) rounded up to a
/// multiple of 4. O(1).
/// Error: `ERR ACL GENPASS argument must be the number of bits for the output password,
/// a positive number up to 4096`.
fn acl_genpass(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let bits = match argv.get(2) {
        Some(b) => super::args::int(b)?,
        None => 256,
    };
    if bits <= 0 || bits > 4096 {
        return Err(Error::AclGenpassBits);
    }
    let chars = ((bits + 3) / 4) as usize;
    // Every bit from the kernel's random source, as Redis's getRandomHexChars.
    let mut random = vec![0u8; chars.div_ceil(2)];
    getrandom(&mut random);
    let mut out = String::with_capacity(chars + 1);
    for b in &random {
        out.push_str(&format!("{b:02x}"));
    }
    out.truncate(chars);
    Ok(Reply::bulk_str(&out))
}

/// Fills `buf` from the kernel's random source; fastrand (seeded from it at start) if
/// that cannot be read.
fn getrandom(buf: &mut [u8]) {
    use std::io::Read;
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf));
    if read.is_err() {
        buf.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
}

/// `ACL LOG [count | RESET]`: the latest denials (10 by default), or clears them.
/// O(N) in the entries shown. Error: `ERR value is not an integer or out of range`.
fn acl_log(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut count = 10i64;
    if let Some(arg) = argv.get(2) {
        if super::args::is(arg, "reset") {
            ctx.server.acl.log.reset();
            return Ok(Reply::ok());
        }
        count = super::args::int(arg)?.max(0);
    }
    Ok(ctx.server.acl.log.reply(count as usize, now_ms()))
}

fn aclfile(ctx: &Ctx<'_>) -> Result<std::path::PathBuf> {
    let path = ctx.server.config.read().stored("aclfile", "");
    if path.is_empty() {
        return Err(Error::AclNoFile);
    }
    Ok(path.into())
}

/// `ACL SAVE`: writes every user to the aclfile. O(N).
/// Errors: the "not configured to use an ACL file" error; `ERR There was an error
/// trying to save the ACLs. Please check the server logs for more information`.
fn acl_save(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let path = aclfile(ctx)?;
    match file::save(&path, &ctx.server.acl.snapshot()) {
        Ok(()) => Ok(Reply::ok()),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ACL SAVE failed");
            Err(Error::AclSaveFailed)
        }
    }
}

/// `ACL LOAD`: replaces every user with the aclfile's, or changes nothing and answers
/// every error found. Clients of the users replaced (all but `default`) are closed, as
/// Redis frees them. O(N).
fn acl_load(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let path = aclfile(ctx)?;
    let users = file::load(&path, all_channels_default(ctx.server)).map_err(Error::AclLoad)?;
    let old = ctx.server.acl.names();
    ctx.server.acl.replace_all(users);
    for name in old.iter().filter(|n| *n != "default") {
        kill_clients_of(ctx, name, None);
    }
    Ok(Reply::ok())
}

/// `ACL DRYRUN username command [arg ...]`: OK if the user could run the command, or
/// the reason it could not, as a bulk string. O(1).
/// Errors: `ERR User '<name>' not found`, `ERR Command '<name>' not found`.
fn acl_dryrun(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cell = ctx.server.acl.get(&argv[2]).ok_or_else(|| Error::AclUserNotFound(text(&argv[2])))?;
    let line = &argv[3..];
    let reg = registry();
    let not_found = || Error::AclCommandNotFound(text(&argv[3]));
    let mut idx = reg.index_of(&line[0]).filter(|_| !line[0].contains(&b'|')).ok_or_else(not_found)?;
    if let (false, Some(sub)) = (reg.specs[idx].1.subcommands.is_empty(), line.get(1)) {
        let mut full = reg.specs[idx].1.name.as_bytes().to_vec();
        full.push(b'|');
        full.extend_from_slice(sub);
        idx = reg.index_of(&full).ok_or_else(not_found)?;
    }
    // Redis does not check the arity here; DiskDB does, so that key positions are
    // found only in lines of the command's shape.
    if !reg.specs[idx].1.arity_ok(line.len()) {
        return Err(Error::WrongArity(reg.specs[idx].0.clone()));
    }
    let result = crate::acl::check::check(&cell.read(), idx, line);
    Ok(match result {
        Ok(()) => Reply::ok(),
        Err(Denied::Command) => {
            Reply::Bulk(Bytes::from(format!("This user has no permissions to run the '{}' command", reg.specs[idx].0)))
        }
        Err(Denied::Key(i)) => Reply::Bulk(Bytes::from(format!("This user has no permissions to access the '{}' key", text(&line[i])))),
        Err(Denied::Channel(i)) => {
            Reply::Bulk(Bytes::from(format!("This user has no permissions to access the '{}' channel", text(&line[i]))))
        }
    })
}

/// `ACL HELP`. O(1).
fn acl_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "ACL",
        &[
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
        ],
    ))
}

const ACL_FLAGS: u32 = NOSCRIPT | LOADING | STALE;

static ACL_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "cat", arity: -2, flags: ACL_FLAGS, group: "server", handler: acl_cat,
        summary: "List the ACL categories or the commands inside a category", since: "6.0.0",
        complexity: "O(1) since the categories and commands are a fixed set.",
        docs: "[categoryname]",
    },
    command! {
        name: "deluser", arity: -3, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_deluser,
        summary: "Remove the specified ACL users and the associated rules", since: "6.0.0",
        complexity: "O(1) amortized time considering the typical user.",
        docs: "username...",
    },
    command! {
        name: "dryrun", arity: -4, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_dryrun,
        summary: "Returns whether the user can execute the given command without executing the command.", since: "7.0.0",
        complexity: "O(1).",
        docs: "username command [arg...]",
    },
    command! {
        name: "genpass", arity: -2, flags: ACL_FLAGS, group: "server", handler: acl_genpass,
        summary: "Generate a pseudorandom secure password to use for ACL users", since: "6.0.0", complexity: "O(1)",
        docs: "[bits:integer]",
    },
    command! {
        name: "getuser", arity: 3, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_getuser,
        summary: "Get the rules for a specific ACL user", since: "6.0.0",
        complexity: "O(N). Where N is the number of password, command and pattern rules that the user has.",
        docs: "username
            history 6.2.0:    Added Pub/Sub channel patterns.
            history 7.0.0:    Added selectors and changed the format of key and channel patterns from a list to their rule representation.",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: acl_help,
        summary: "Show helpful text about the different subcommands", since: "6.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "list", arity: 2, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_list,
        summary: "List the current ACL rules in ACL config file format", since: "6.0.0",
        complexity: "O(N). Where N is the number of configured users.",
        docs: "-",
    },
    command! {
        name: "load", arity: 2, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_load,
        summary: "Reload the ACLs from the configured ACL file", since: "6.0.0",
        complexity: "O(N). Where N is the number of configured users.",
        docs: "-",
    },
    command! {
        name: "log", arity: -2, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_log,
        summary: "List latest events denied because of ACLs in place", since: "6.0.0",
        complexity: "O(N) with N being the number of entries shown.",
        docs: "[operation(count:integer | RESET)]",
    },
    command! {
        name: "save", arity: 2, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_save,
        summary: "Save the current ACL rules in the configured ACL file", since: "6.0.0",
        complexity: "O(N). Where N is the number of configured users.",
        docs: "-",
    },
    command! {
        name: "setuser", arity: -3, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_setuser,
        summary: "Modify or create the rules for a specific ACL user", since: "6.0.0",
        complexity: "O(N). Where N is the number of rules provided.",
        docs: "username [rule...]
            history 6.2.0:    Added Pub/Sub channel patterns.
            history 7.0.0:    Added selectors and key based permissions.",
    },
    command! {
        name: "users", arity: 2, flags: ADMIN | ACL_FLAGS, group: "server", handler: acl_users,
        summary: "List the username of all the configured ACL rules", since: "6.0.0",
        complexity: "O(N). Where N is the number of configured users.",
        docs: "-",
    },
    command! {
        name: "whoami", arity: 2, flags: ACL_FLAGS, group: "server", handler: acl_whoami,
        summary: "Return the name of the user associated to the current connection", since: "6.0.0", complexity: "O(1)",
        docs: "-",
    },
];

pub static COMMANDS: &[CommandSpec] = &[command! {
    name: "acl", arity: -2, group: "server", subcommands: ACL_SUBCOMMANDS,
    summary: "A container for Access List Control commands ", since: "6.0.0", complexity: "Depends on subcommand.",
    docs: "-",
}];

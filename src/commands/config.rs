//! CONFIG: GET, SET, RESETSTAT, REWRITE and HELP, answered from the directive table
//! ([`crate::config::DIRECTIVES`]) so it cannot drift from what the server does.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use super::connection::help_reply;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec};
use crate::config;
use crate::error::{Error, Result};
use crate::protocol::Reply;

// ---------------------------------------------------------------------------------
// CONFIG
// ---------------------------------------------------------------------------------

/// `CONFIG GET parameter [parameter ...]`: name/value pairs (a map in RESP3) for every
/// directive matching one of the glob patterns (case-insensitive). O(N) in the
/// directives.
fn config_get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let cfg = ctx.server.config.read().clone();
    let mut seen: Vec<&str> = Vec::new();
    let mut pairs = Vec::new();
    for pattern in &argv[2..] {
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            // A plain name answers under the name as given, as Redis does.
            let name = String::from_utf8_lossy(pattern);
            if let Some(d) = config::directive(&name) {
                if !seen.contains(&d.name) {
                    seen.push(d.name);
                    pairs.push((Reply::Bulk(pattern.clone()), Reply::bulk_str(&cfg.value_of(d))));
                }
            }
            continue;
        }
        for d in config::DIRECTIVES {
            if !seen.contains(&d.name) && crate::glob::matches(pattern, d.name.as_bytes(), true) {
                seen.push(d.name);
                pairs.push((Reply::bulk_str(d.name), Reply::bulk_str(&cfg.value_of(d))));
            }
        }
    }
    Ok(Reply::Map(pairs))
}

/// `CONFIG SET parameter value [parameter value ...]`: all or nothing, checked and
/// applied by [`config::Config::set_many`]. O(N) in the pairs. Errors (Redis's texts):
/// `ERR syntax error` for an odd count,
/// `ERR Unknown option or number of arguments for CONFIG SET - '<p>'`,
/// `ERR CONFIG SET failed (possibly related to argument '<p>') - <reason>` (immutable,
/// protected, duplicate, or an invalid value).
fn config_set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() % 2 != 0 {
        return Err(Error::Syntax);
    }
    let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
    let pairs: Vec<(String, String)> = argv[2..].chunks(2).map(|p| (text(&p[0]), text(&p[1]))).collect();
    let local = ctx.session.info.is_local();
    ctx.server.config.write().set_many(&pairs, local).map_err(|e| match e {
        config::SetError::Unknown(p) => Error::ConfigSetUnknown(p),
        config::SetError::Failed(p, why) => Error::ConfigSetFailed { param: p, reason: why },
    })?;
    ctx.server.config_epoch.fetch_add(1, Ordering::Release);
    Ok(Reply::ok())
}

/// `CONFIG RESETSTAT`: zeroes INFO's counters (stats, commandstats, errorstats). O(N)
/// in the commands.
fn config_resetstat(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.reset_stats();
    Ok(Reply::ok())
}

/// `CONFIG REWRITE`: writes the running configuration back to the file the server was
/// started with. Errors: `ERR The server is running without a config file`,
/// `ERR Rewriting config file: <reason>`.
fn config_rewrite(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let cfg = ctx.server.config.read().clone();
    let Some(path) = cfg.config_file.clone() else {
        return Err(Error::NoConfigFile);
    };
    // The ACL users go in as `user` lines, as Redis writes them, unless an aclfile
    // holds them.
    let users: Vec<String> = if cfg.stored("aclfile", "").is_empty() {
        ctx.server.acl.snapshot().iter().map(|u| format!("user {} {}", u.name, String::from_utf8_lossy(&u.describe()))).collect()
    } else {
        Vec::new()
    };
    cfg.rewrite_with_users(&path, Some(&users)).map_err(|e| Error::ConfigRewrite(e.to_string()))?;
    Ok(Reply::ok())
}

/// `CONFIG HELP`. O(1).
fn config_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}

const ADMIN_CMD: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static CONFIG_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "get", arity: -3, flags: ADMIN_CMD, group: "server", handler: config_get,
        summary: "Get the values of configuration parameters", since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        docs: "parameter(parameter)...
            history 7.0.0:    Added the ability to pass multiple pattern parameters in one call",
    },
    command! {
        name: "set", arity: -4, flags: ADMIN_CMD, group: "server", handler: config_set,
        summary: "Set configuration parameters to the given values", since: "2.0.0",
        complexity: "O(N) when N is the number of configuration parameters provided",
        docs: "parameter_value(parameter value)...
            history 7.0.0:    Added the ability to set multiple parameters in one call.
            tips:             request_policy:all_nodes response_policy:all_succeeded",
    },
    command! {
        name: "resetstat", arity: 2, flags: ADMIN_CMD, group: "server", handler: config_resetstat,
        summary: "Reset the stats returned by INFO", since: "2.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "rewrite", arity: 2, flags: ADMIN_CMD, group: "server", handler: config_rewrite,
        summary: "Rewrite the configuration file with the in memory configuration", since: "2.8.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: config_help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
];

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "config", arity: -2, group: "server", subcommands: CONFIG_SUBCOMMANDS,
        summary: "A container for server configuration commands", since: "2.0.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
];

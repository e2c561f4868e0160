//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD / EXISTS /
//! FLUSH / KILL, FCALL, FCALL_RO and FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP /
//! RESTORE / STATS / KILL. The Lua side lives in [`crate::scripting`].
//!
//! EVAL and FCALL are flagged `EXCLUSIVE`: the dispatcher takes the store's gate
//! exclusively for the whole script, so no other client's command runs in between.
//! SCRIPT KILL, FUNCTION KILL and FUNCTION STATS are `allow_busy`: while a script runs
//! past `busy-reply-threshold` they run without waiting for the gate (see
//! [`super::dispatch`]).

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::scripting::{Mode, RestorePolicy};

/// The key positions of `<cmd> script numkeys key... arg...`.
fn numkeys_keys(argv: &[Bytes]) -> Vec<usize> {
    match argv.get(2).and_then(|n| args::int(n).ok()) {
        Some(n) if n > 0 && (n as usize) <= argv.len().saturating_sub(3) => (3..3 + n as usize).collect(),
        _ => Vec::new(),
    }
}

/// Splits `numkeys key... arg...` (from argument 2) into keys and arguments.
fn split_keys(argv: &[Bytes]) -> Result<(&[Bytes], &[Bytes])> {
    split_keys_with(argv, args::int(&argv[2])?)
}

fn split_keys_with(argv: &[Bytes], n: i64) -> Result<(&[Bytes], &[Bytes])> {
    if n < 0 {
        return Err(Error::NumkeysNegative);
    }
    let rest = &argv[3..];
    if n as usize > rest.len() {
        return Err(Error::NumkeysTooMany);
    }
    Ok(rest.split_at(n as usize))
}

/// Redis 7.0's order: EVALSHA answers NOSCRIPT at once for a SHA that is not 40
/// characters long; then numkeys is checked, then the script is looked up (EVALSHA) or
/// compiled (EVAL, whose shebang errors come then).
fn eval_with(ctx: &mut Ctx<'_>, argv: &[Bytes], by_sha: bool, mode: Mode) -> Result<Reply> {
    if by_sha && argv[1].len() != 40 {
        return Err(Error::NoScript);
    }
    let (keys, rest) = split_keys(argv)?;
    let scripting = &ctx.server.scripting;
    let sha = if by_sha {
        let sha = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
        if !scripting.script_exists(sha.as_bytes()) {
            return Err(Error::NoScript);
        }
        sha
    } else {
        scripting.load_script(&argv[1])?
    };
    // A script that runs long hands this thread's other connections over to another
    // thread from its Lua hook (see `scripting::hand_off_worker`).
    Ok(scripting.eval(ctx.server, ctx.session, &sha, keys, rest, mode))
}

/// `EVAL script numkeys [key ...] [arg ...]`: runs a Lua script. O(script).
/// Errors: numkeys, compile errors, the script's own errors (`... script: <sha>, on
/// @user_script:<line>.`).
fn eval(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    eval_with(ctx, argv, false, Mode::Eval)
}

/// `EVAL_RO script numkeys [key ...] [arg ...]`: EVAL refusing write commands.
fn eval_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    eval_with(ctx, argv, false, Mode::EvalRo)
}

/// `EVALSHA sha1 numkeys [key ...] [arg ...]`: runs a cached script. Error: NOSCRIPT.
fn evalsha(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    eval_with(ctx, argv, true, Mode::Eval)
}

/// `EVALSHA_RO sha1 numkeys [key ...] [arg ...]`
fn evalsha_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    eval_with(ctx, argv, true, Mode::EvalRo)
}

/// `SCRIPT LOAD script`: compiles and caches a script, answers its SHA1.
fn script_load(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let sha = ctx.server.scripting.load_script(&argv[2])?;
    Ok(Reply::bulk_str(&sha))
}

/// `SCRIPT EXISTS sha1 [sha1 ...]`: 1 or 0 per SHA1. O(N).
fn script_exists(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Array(argv[2..].iter().map(|s| Reply::Int(ctx.server.scripting.script_exists(s) as i64)).collect()))
}

/// `SCRIPT FLUSH [ASYNC | SYNC]`: empties the script cache.
fn script_flush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match argv.get(2) {
        None => {}
        Some(a) if argv.len() == 3 && (args::is(a, "async") || args::is(a, "sync")) => {}
        _ => return Err(Error::Script("ERR SCRIPT FLUSH only support SYNC|ASYNC option".into())),
    }
    ctx.server.scripting.flush_scripts();
    Ok(Reply::ok())
}

/// `SCRIPT KILL`: stops the running EVAL script unless it wrote.
/// Errors: NOTBUSY, UNKILLABLE.
/// `SCRIPT DEBUG YES | SYNC | NO`: only `NO` (the Lua debugger is not implemented).
fn script_debug(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if args::is(&argv[2], "no") {
        Ok(Reply::ok())
    } else if args::is(&argv[2], "yes") || args::is(&argv[2], "sync") {
        Err(Error::Script("ERR SCRIPT DEBUG YES/SYNC (the Lua debugger) is not supported".into()))
    } else {
        Err(Error::Script("ERR Use SCRIPT DEBUG YES/SYNC/NO".into()))
    }
}

/// `SCRIPT HELP`
fn script_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(super::connection::help_reply(
        "SCRIPT",
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    ))
}

/// `FUNCTION HELP`
fn function_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(super::connection::help_reply(
        "FUNCTION",
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    ))
}

fn script_kill(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.scripting.kill(true)?;
    Ok(Reply::ok())
}

/// FCALL and FCALL_RO, in Redis 7.0's order: the function is looked up first (`ERR
/// Function not found`), then numkeys (`ERR Bad number of keys provided` when it is not
/// an integer), then the `no-writes` check of FCALL_RO.
fn fcall_with(ctx: &mut Ctx<'_>, argv: &[Bytes], ro: bool) -> Result<Reply> {
    let scripting = &ctx.server.scripting;
    let found = scripting.find_function(&argv[1])?;
    let n = args::int(&argv[2]).map_err(|_| Error::Script("ERR Bad number of keys provided".into()))?;
    let (keys, rest) = split_keys_with(argv, n)?;
    Ok(scripting.fcall(ctx.server, ctx.session, &argv[1], found, keys, rest, ro))
}

/// `FCALL function numkeys [key ...] [arg ...]`: calls a library function.
fn fcall(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    fcall_with(ctx, argv, false)
}

/// `FCALL_RO function numkeys [key ...] [arg ...]`: only `no-writes` functions.
fn fcall_ro(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    fcall_with(ctx, argv, true)
}

/// `FUNCTION LOAD [REPLACE] code`: loads a `#!lua name=<lib>` library; answers its name.
fn function_load(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (replace, code) = match argv.len() {
        3 => (false, &argv[2]),
        4 if args::is(&argv[2], "replace") => (true, &argv[3]),
        4 => return Err(Error::Script(format!("ERR Unknown option given: {}", String::from_utf8_lossy(&argv[2])))),
        _ => return Err(Error::Script("ERR Function LOAD expects code (and optional REPLACE)".into())),
    };
    let code = String::from_utf8_lossy(code);
    let scripting = &ctx.server.scripting;
    let name = scripting.load_library(&code, replace)?;
    scripting.persist(&mut ctx.txn);
    Ok(Reply::bulk_str(&name))
}

/// `FUNCTION DELETE library-name`. Error: `ERR Library not found`.
fn function_delete(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.server.scripting.delete_library(&argv[2])?;
    ctx.server.scripting.persist(&mut ctx.txn);
    Ok(Reply::ok())
}

/// `FUNCTION FLUSH [ASYNC | SYNC]`: deletes every library.
fn function_flush(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match argv.get(2) {
        None => {}
        Some(a) if argv.len() == 3 && (args::is(a, "async") || args::is(a, "sync")) => {}
        _ => return Err(Error::Script("ERR FUNCTION FLUSH only supports SYNC|ASYNC option".into())),
    }
    ctx.server.scripting.flush_libraries();
    ctx.server.scripting.persist(&mut ctx.txn);
    Ok(Reply::ok())
}

/// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`
fn function_list(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut with_code = false;
    let mut pattern = None;
    let mut i = 2;
    while i < argv.len() {
        if args::is(&argv[i], "withcode") && !with_code {
            with_code = true;
        } else if args::is(&argv[i], "libraryname") && pattern.is_none() {
            let Some(p) = argv.get(i + 1) else {
                return Err(Error::Script("ERR library name argument was not given".into()));
            };
            pattern = Some(&p[..]);
            i += 1;
        } else {
            return Err(Error::Script(format!("ERR Unknown argument {}", String::from_utf8_lossy(&argv[i]))));
        }
        i += 1;
    }
    Ok(ctx.server.scripting.list(pattern, with_code))
}

/// `FUNCTION DUMP`: the libraries as one payload (DiskDB's format, for FUNCTION RESTORE).
fn function_dump(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Bulk(Bytes::from(ctx.server.scripting.dump())))
}

/// `FUNCTION RESTORE payload [FLUSH | APPEND | REPLACE]`
fn function_restore(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let policy = match argv.get(3) {
        None => RestorePolicy::Append,
        Some(p) if argv.len() == 4 && args::is(p, "append") => RestorePolicy::Append,
        Some(p) if argv.len() == 4 && args::is(p, "replace") => RestorePolicy::Replace,
        Some(p) if argv.len() == 4 && args::is(p, "flush") => RestorePolicy::Flush,
        Some(p) => return Err(Error::Script(format!("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.{}", if p.is_empty() { "" } else { "" }))),
    };
    ctx.server.scripting.restore(&argv[2], policy)?;
    ctx.server.scripting.persist(&mut ctx.txn);
    Ok(Reply::ok())
}

/// `FUNCTION STATS`: the running function and the library counts.
fn function_stats(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(ctx.server.scripting.stats())
}

/// `FUNCTION KILL`: stops the running function unless it wrote.
fn function_kill(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.server.scripting.kill(false)?;
    Ok(Reply::ok())
}

const SCRIPT_KEYS: Keys = Keys::Custom { find: numkeys_keys, first: 0, last: 0, step: 0 };

static SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "debug", arity: 3, flags: NOSCRIPT, group: "scripting", handler: script_debug,
        summary: "Set the debug mode for executed scripts.", since: "3.2.0", complexity: "O(1)",
        docs: "mode(YES | SYNC | NO)",
    },
    command! {
        name: "exists", arity: -3, flags: NOSCRIPT, group: "scripting", handler: script_exists,
        summary: "Check existence of scripts in the script cache.", since: "2.6.0", complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
        docs: "sha1...
            tips:             request_policy:all_shards response_policy:agg_logical_and",
    },
    command! {
        name: "flush", arity: -2, flags: NOSCRIPT, group: "scripting", handler: script_flush,
        summary: "Remove all the scripts from the script cache.", since: "2.6.0", complexity: "O(N) with N being the number of scripts in cache",
        docs: "[async(ASYNC | SYNC)@6.2.0]
            history 6.2.0:    Added the `ASYNC` and `SYNC` flushing mode modifiers.
            tips:             request_policy:all_nodes response_policy:all_succeeded",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "scripting", handler: script_help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "kill", arity: 2, flags: NOSCRIPT | ALLOW_BUSY, group: "scripting", handler: script_kill,
        summary: "Kill the script currently in execution.", since: "2.6.0", complexity: "O(1)",
        docs: "-
            tips:             request_policy:all_shards response_policy:one_succeeded",
    },
    command! {
        name: "load", arity: 3, flags: NOSCRIPT | STALE, group: "scripting", handler: script_load,
        summary: "Load the specified Lua script into the script cache.", since: "2.6.0", complexity: "O(N) with N being the length in bytes of the script body.",
        docs: "script
            tips:             request_policy:all_nodes response_policy:all_succeeded",
    },
];

static FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "delete", arity: 3, flags: WRITE | NOSCRIPT, group: "scripting", handler: function_delete,
        summary: "Delete a function by name", since: "7.0.0", complexity: "O(1)",
        docs: "library-name
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "dump", arity: 2, flags: NOSCRIPT, group: "scripting", handler: function_dump,
        summary: "Dump all functions into a serialized binary payload", since: "7.0.0", complexity: "O(N) where N is the number of functions",
        docs: "-",
    },
    command! {
        name: "flush", arity: -2, flags: WRITE | NOSCRIPT, group: "scripting", handler: function_flush,
        summary: "Deleting all functions", since: "7.0.0", complexity: "O(N) where N is the number of functions deleted",
        docs: "[async(ASYNC | SYNC)]
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "scripting", handler: function_help,
        summary: "Show helpful text about the different subcommands", since: "7.0.0", complexity: "O(1)",
        docs: "-",
    },
    command! {
        name: "kill", arity: 2, flags: NOSCRIPT | ALLOW_BUSY, group: "scripting", handler: function_kill,
        summary: "Kill the function currently in execution.", since: "7.0.0", complexity: "O(1)",
        docs: "-
            tips:             request_policy:all_shards response_policy:one_succeeded",
    },
    command! {
        name: "list", arity: -2, flags: NOSCRIPT, group: "scripting", handler: function_list,
        summary: "List information about all the functions", since: "7.0.0", complexity: "O(N) where N is the number of functions",
        docs: "[LIBRARYNAME library-name-pattern] [WITHCODE]
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "load", arity: -3, flags: WRITE | DENYOOM | NOSCRIPT, group: "scripting", handler: function_load,
        summary: "Create a function with the given arguments (name, code, description)", since: "7.0.0", complexity: "O(1) (considering compilation time is redundant)",
        docs: "[REPLACE] function-code
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "restore", arity: -3, flags: WRITE | DENYOOM | NOSCRIPT, group: "scripting", handler: function_restore,
        summary: "Restore all the functions on the given payload", since: "7.0.0", complexity: "O(N) where N is the number of functions on the payload",
        docs: "serialized-value [policy(FLUSH | APPEND | REPLACE)]
            tips:             request_policy:all_shards response_policy:all_succeeded",
    },
    command! {
        name: "stats", arity: 2, flags: NOSCRIPT | ALLOW_BUSY, group: "scripting", handler: function_stats,
        summary: "Return information about the function currently running (name, description, duration)", since: "7.0.0", complexity: "O(1)",
        docs: "-
            tips:             nondeterministic_output request_policy:all_shards response_policy:special",
    },
];

/// What every script and function command shares (Redis's flags for them).
const SCRIPT_FLAGS: u32 = NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | MOVABLE_KEYS | EXCLUSIVE;

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "eval", arity: -3, flags: SCRIPT_FLAGS, keys: SCRIPT_KEYS,
        group: "scripting", handler: eval,
        summary: "Execute a Lua script server side", since: "2.6.0", complexity: "Depends on the script that is executed.",
        docs: "script numkeys:integer [key#0...] [arg...]
            key 0:            RW access update, index 2, keynum 0 first 1,
                              \"We cannot tell how the keys will be used so we assume the worst, RW and UPDATE\"",
    },
    command! {
        name: "evalsha", arity: -3, flags: SCRIPT_FLAGS, keys: SCRIPT_KEYS,
        group: "scripting", handler: evalsha,
        summary: "Execute a Lua script server side", since: "2.6.0", complexity: "Depends on the script that is executed.",
        docs: "sha1 numkeys:integer [key#0...] [arg...]
            key 0:            RW access update, index 2, keynum 0 first 1",
    },
    command! {
        name: "eval_ro", arity: -3, flags: SCRIPT_FLAGS | READONLY, keys: SCRIPT_KEYS,
        group: "scripting", handler: eval_ro,
        summary: "Execute a read-only Lua script server side", since: "7.0.0", complexity: "Depends on the script that is executed.",
        docs: "script numkeys:integer [key#0...] [arg...]
            key 0:            RO access, index 2, keynum 0 first 1,
                              \"We cannot tell how the keys will be used so we assume the worst, RO and ACCESS\"",
    },
    command! {
        name: "evalsha_ro", arity: -3, flags: SCRIPT_FLAGS | READONLY, keys: SCRIPT_KEYS,
        group: "scripting", handler: evalsha_ro,
        summary: "Execute a read-only Lua script server side", since: "7.0.0", complexity: "Depends on the script that is executed.",
        docs: "sha1 numkeys:integer [key#0...] [arg...]
            key 0:            RO access, index 2, keynum 0 first 1",
    },
    command! {
        name: "fcall", arity: -3, flags: SCRIPT_FLAGS, keys: SCRIPT_KEYS,
        group: "scripting", handler: fcall,
        summary: "Invoke a function", since: "7.0.0", complexity: "Depends on the function that is executed.",
        docs: "function numkeys:integer [key#0...] [arg...]
            key 0:            RW access update, index 2, keynum 0 first 1,
                              \"We cannot tell how the keys will be used so we assume the worst, RW and UPDATE\"",
    },
    command! {
        name: "fcall_ro", arity: -3, flags: SCRIPT_FLAGS | READONLY, keys: SCRIPT_KEYS,
        group: "scripting", handler: fcall_ro,
        summary: "Invoke a read-only function", since: "7.0.0", complexity: "Depends on the function that is executed.",
        docs: "function numkeys:integer [key#0...] [arg...]
            key 0:            RO access, index 2, keynum 0 first 1,
                              \"We cannot tell how the keys will be used so we assume the worst, RO and ACCESS\"",
    },
    command! {
        name: "script", arity: -2, group: "scripting", subcommands: SCRIPT_SUBCOMMANDS,
        summary: "A container for Lua scripts management commands", since: "2.6.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
    command! {
        name: "function", arity: -2, group: "scripting", subcommands: FUNCTION_SUBCOMMANDS,
        summary: "A container for function commands", since: "7.0.0", complexity: "Depends on subcommand.",
        docs: "-",
    },
];

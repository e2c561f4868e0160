//! COMMAND: the command table itself (COUNT, INFO, DOCS, LIST, GETKEYS,
//! GETKEYSANDFLAGS, HELP), answered from [`super::registry`] with the argument trees,
//! history and key specifications of [`super::docs`], so it cannot drift from what the
//! server does.

use bytes::Bytes;

use super::args;
use super::connection::help_reply;
use super::context::Ctx;
use super::docs;
use super::registry;
use super::table::{command, flags::*, CommandSpec};
use crate::error::{Error, Result};
use crate::protocol::Reply;

// ---------------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------------

fn statuses(items: impl IntoIterator<Item = &'static str>) -> Reply {
    Reply::Set(items.into_iter().map(Reply::status).collect())
}

fn pair(k: &'static str, v: Reply) -> (Reply, Reply) {
    (Reply::bulk_str(k), v)
}

/// One COMMAND INFO entry, Redis 7 shape: name, arity, flags, first key, last key,
/// step, ACL categories, tips, key specs, subcommands.
fn command_entry(full: &str, spec: &'static CommandSpec) -> Reply {
    let (first, last, step) = spec.keys.triple();
    let subs = spec.subcommands.iter().map(|s| command_entry(&format!("{full}|{}", s.name), s)).collect();
    Reply::Array(vec![
        Reply::bulk_str(full),
        Reply::Int(spec.arity as i64),
        statuses(spec.flag_names()),
        Reply::Int(first as i64),
        Reply::Int(last as i64),
        Reply::Int(step as i64),
        statuses(registry().acl_categories(full)),
        registry().docs(full).map_or(Reply::Set(Vec::new()), |d| d.tips.clone()),
        registry().docs(full).map_or(Reply::Set(Vec::new()), |d| d.key_specs.clone()),
        Reply::Set(subs),
    ])
}

/// One COMMAND DOCS entry, in Redis 7's field order: summary, since, group, complexity
/// (when there is one) from the command table, then from [`docs`] `doc_flags`, `deprecated_since`,
/// `replaced_by`, `history` and the argument tree (each left out when empty, as Redis
/// does), then the subcommands' docs.
fn docs_entry(full: &str, spec: &'static CommandSpec) -> Reply {
    let mut fields = vec![
        pair("summary", Reply::bulk_str(spec.summary)),
        pair("since", Reply::bulk_str(spec.since)),
        pair("group", Reply::bulk_str(spec.group)),
    ];
    // MONITOR declares none, and Redis then leaves the field out.
    if !spec.complexity.is_empty() {
        fields.push(pair("complexity", Reply::bulk_str(spec.complexity)));
    }
    if let Some(d) = registry().docs(full) {
        fields.extend(d.fields.iter().cloned());
    }
    if !spec.subcommands.is_empty() {
        let subs = spec
            .subcommands
            .iter()
            .map(|s| {
                let name = format!("{full}|{}", s.name);
                (Reply::bulk_str(&name), docs_entry(&name, s))
            })
            .collect();
        fields.push(pair("subcommands", Reply::Map(subs)));
    }
    Reply::Map(fields)
}

/// Looks up a command or `container|sub` by name, returning its full name.
fn find(name: &[u8]) -> Option<(String, &'static CommandSpec)> {
    let reg = registry();
    reg.index_of(name).map(|i| (reg.specs[i].0.clone(), reg.specs[i].1))
}

/// `COMMAND`: COMMAND INFO for every command. O(N) in the commands.
fn command_all(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    Ok(Reply::Array(reg.top_level().map(|s| command_entry(s.name, s)).collect()))
}

/// `COMMAND COUNT`: the number of top-level commands. O(1).
fn command_count(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(registry().top_level().count() as i64))
}

/// `COMMAND INFO [command-name ...]`: one entry per name (nil for an unknown one), or
/// every command without names. Names may be `container|subcommand`. O(N).
fn command_info(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() == 2 {
        return command_all(ctx, argv);
    }
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|n| find(n).map(|(full, spec)| command_entry(&full, spec)).unwrap_or(Reply::Nil))
            .collect(),
    ))
}

/// `COMMAND DOCS [command-name ...]`: a map from command name to its documentation
/// (summary, since, group, complexity, arguments, subcommands); unknown names are left
/// out. O(N).
fn command_docs(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    let entries = if argv.len() == 2 {
        reg.top_level().map(|s| (Reply::bulk_str(s.name), docs_entry(s.name, s))).collect()
    } else {
        argv[2..]
            .iter()
            .filter_map(|n| find(n))
            .map(|(full, spec)| (Reply::bulk_str(&full), docs_entry(&full, spec)))
            .collect()
    };
    Ok(Reply::Map(entries))
}

/// `COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]`:
/// names of every command and subcommand (`config|get`). O(N).
/// Error: `ERR syntax error`.
fn command_list(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let reg = registry();
    let names = reg.specs.iter();
    let chosen: Vec<Reply> = match argv.len() {
        2 => names.map(|(n, _)| Reply::bulk_str(n)).collect(),
        5 if args::is(&argv[2], "filterby") => {
            let value = &argv[4];
            if args::is(&argv[3], "module") {
                Vec::new()
            } else if args::is(&argv[3], "aclcat") {
                names
                    .filter(|(n, _)| reg.acl_categories(n).iter().any(|c| c[1..].as_bytes().eq_ignore_ascii_case(value)))
                    .map(|(n, _)| Reply::bulk_str(n))
                    .collect()
            } else if args::is(&argv[3], "pattern") {
                names
                    .filter(|(n, _)| crate::glob::matches(value, n.as_bytes(), true))
                    .map(|(n, _)| Reply::bulk_str(n))
                    .collect()
            } else {
                return Err(Error::Syntax);
            }
        }
        _ => return Err(Error::Syntax),
    };
    Ok(Reply::Array(chosen))
}

/// Resolves `argv[2..]` (a full command line) to its spec and key positions for
/// GETKEYS. Errors: `ERR Invalid command specified`,
/// `ERR Invalid number of arguments specified for command`,
/// `ERR The command has no key arguments`.
fn keys_of(argv: &[Bytes]) -> Result<(String, &'static CommandSpec, Vec<usize>)> {
    let line = &argv[2..];
    let invalid = || Error::InvalidCommandSpecified;
    if line[0].contains(&b'|') {
        return Err(invalid());
    }
    let (mut full, mut spec) = find(&line[0]).ok_or_else(invalid)?;
    if !spec.subcommands.is_empty() && line.len() >= 2 {
        let mut name = spec.name.as_bytes().to_vec();
        name.push(b'|');
        name.extend_from_slice(&line[1]);
        (full, spec) = find(&name).ok_or_else(invalid)?;
    }
    if !spec.arity_ok(line.len()) {
        return Err(Error::InvalidCommandArguments);
    }
    let positions = spec.keys.positions(line);
    if positions.is_empty() {
        return Err(Error::NoKeyArguments);
    }
    Ok((full, spec, positions))
}

/// `COMMAND GETKEYS command [arg ...]`: the keys of a full command line. O(N).
fn command_getkeys(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (_, _, positions) = keys_of(argv)?;
    Ok(Reply::Array(positions.into_iter().map(|i| Reply::Bulk(argv[2 + i].clone())).collect()))
}

/// `COMMAND GETKEYSANDFLAGS command [arg ...]`: each key with its access flags, those of
/// the key specification that finds it, as in Redis ([`docs::keys_by_spec`]). Where
/// Redis asks the command instead (flags that vary with the arguments, as SET's with and
/// without GET; keys of an `unknown` specification, as SORT's STORE), the flags are
/// [`flags_by_command`]'s, and failing that RW/RO by the command's flags. O(N).
fn command_getkeysandflags(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (full, spec, _) = keys_of(argv)?;
    Ok(Reply::Array(
        keys_with_flags(&full, spec, &argv[2..])
            .into_iter()
            .map(|(i, flags)| Reply::Array(vec![Reply::Bulk(argv[2 + i].clone()), statuses(flags.iter().copied())]))
            .collect(),
    ))
}

/// The keys of the command line `line` (name first) for the command `full` with their
/// access flags, as GETKEYSANDFLAGS answers them and the ACL checks them: those of the
/// key specification that finds each key, else [`flags_by_command`]'s, else RW/RO by
/// the command's flags.
pub(crate) fn keys_with_flags(full: &str, spec: &CommandSpec, line: &[Bytes]) -> Vec<(usize, &'static [&'static str])> {
    let specs = registry().docs(full).map_or(&[][..], |d| &d.entry.key_specs[..]);
    let found = if specs.iter().any(|s| s.flags.contains(&"variable_flags")) {
        Vec::new()
    } else {
        docs::keys_by_spec(specs, line)
    };
    let guess: &'static [&'static str] = if spec.has(WRITE) {
        &["RW", "update"]
    } else if spec.has(READONLY) {
        &["RO", "access"]
    } else {
        &["RO"]
    };
    spec.keys
        .positions(line)
        .into_iter()
        .map(|i| {
            let flags = flags_by_command(full, line, i)
                .or_else(|| found.iter().find(|(at, _)| *at == i).map(|(_, flags)| *flags))
                .unwrap_or(guess);
            (i, flags)
        })
        .collect()
}

/// The flags of the key at `line[at]` for the commands whose flags Redis 7.0 takes from
/// their own key-finding code (`setGetKeys`, `bitfieldGetKeys`, `sortGetKeys`), because
/// their key specifications have `variable_flags` or an `unknown` search: SET overwrites
/// its key, or reads and updates it with GET; BITFIELD with only GET and OVERFLOW
/// subcommands reads its key; SORT reads its first key and overwrites the STORE key.
fn flags_by_command(full: &str, line: &[Bytes], at: usize) -> Option<&'static [&'static str]> {
    const RO_ACCESS: &[&str] = &["RO", "access"];
    const RW_ACCESS_UPDATE: &[&str] = &["RW", "access", "update"];
    const OW_UPDATE: &[&str] = &["OW", "update"];
    match full {
        "set" if at == 1 => {
            Some(if line.iter().skip(3).any(|a| args::is(a, "get")) { RW_ACCESS_UPDATE } else { OW_UPDATE })
        }
        "bitfield" if at == 1 => {
            let mut i = 2;
            while i < line.len() {
                let left = line.len() - i - 1;
                if args::is(&line[i], "get") && left >= 2 {
                    i += 3;
                } else if args::is(&line[i], "overflow") && left >= 1 {
                    i += 2;
                } else {
                    // SET, INCRBY, or a syntax error: Redis assumes a write.
                    return Some(RW_ACCESS_UPDATE);
                }
            }
            Some(RO_ACCESS)
        }
        "sort" => Some(if at == 1 { RO_ACCESS } else { OW_UPDATE }),
        _ => None,
    }
}

/// `COMMAND HELP`. O(1).
fn command_help(_ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(help_reply(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all commands.",
            "COUNT",
            "    Return the total number of commands in this server.",
            "LIST",
            "    Return a list of all commands in this server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full command.",
        ],
    ))
}

static COMMAND_SUBCOMMANDS: &[CommandSpec] = &[
    command! {
        name: "count", arity: 2, flags: LOADING | STALE, group: "server", handler: command_count,
        summary: "Get total number of Redis commands", since: "2.8.13", complexity: "O(1)",
        docs: "-
            acl:              @connection",
    },
    command! {
        name: "docs", arity: -2, flags: LOADING | STALE, group: "server", handler: command_docs,
        summary: "Get array of specific Redis command documentation", since: "7.0.0",
        complexity: "O(N) where N is the number of commands to look up",
        docs: "[command-name...]
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "info", arity: -2, flags: LOADING | STALE, group: "server", handler: command_info,
        summary: "Get array of specific Redis command details, or all when no argument is given.", since: "2.8.13",
        complexity: "O(N) where N is the number of commands to look up",
        docs: "[command-name...]
            history 7.0.0:    Allowed to be called with no argument to get info on all commands.
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "list", arity: -2, flags: LOADING | STALE, group: "server", handler: command_list,
        summary: "Get an array of Redis command names", since: "7.0.0",
        complexity: "O(N) where N is the total number of Redis commands",
        docs: "[FILTERBY (MODULE module-name | ACLCAT category |
               PATTERN pattern:pattern)]
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
    command! {
        name: "getkeys", arity: -4, flags: LOADING | STALE, group: "server", handler: command_getkeys,
        summary: "Extract keys given a full Redis command", since: "2.8.13",
        complexity: "O(N) where N is the number of arguments to the command",
        docs: "-
            acl:              @connection",
    },
    command! {
        name: "getkeysandflags", arity: -4, flags: LOADING | STALE, group: "server", handler: command_getkeysandflags,
        summary: "Extract keys and access flags given a full Redis command", since: "7.0.0",
        complexity: "O(N) where N is the number of arguments to the command",
        docs: "-
            acl:              @connection",
    },
    command! {
        name: "help", arity: 2, flags: LOADING | STALE, group: "server", handler: command_help,
        summary: "Show helpful text about the different subcommands", since: "5.0.0", complexity: "O(1)",
        docs: "-
            acl:              @connection",
    },
];

pub static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "command", arity: -1, flags: LOADING | STALE,
        group: "server", handler: command_all, subcommands: COMMAND_SUBCOMMANDS,
        summary: "Get array of Redis command details", since: "2.8.13",
        complexity: "O(N) where N is the total number of Redis commands",
        docs: "-
            acl:              @connection
            tips:             nondeterministic_output_order",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getkeys_resolves_from_the_table() {
        let a = |v: &[&str]| v.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect::<Vec<_>>();
        let (_, _, pos) = keys_of(&a(&["command", "getkeys", "del", "a", "b"])).unwrap();
        assert_eq!(pos, vec![1, 2]);
        assert!(keys_of(&a(&["command", "getkeys", "nosuch", "a"])).is_err());
        assert!(keys_of(&a(&["command", "getkeys", "get", "a", "b"])).is_err());
        assert!(keys_of(&a(&["command", "getkeys", "config", "get", "x"])).is_err());
    }
}

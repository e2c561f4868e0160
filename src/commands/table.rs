//! Commands as data: one [`CommandSpec`] per command, declared with [`command!`] at the
//! end of each group file and joined in [`super::all_commands`]. A spec holds all there
//! is to say about a command: what dispatch needs (arity, flags, key positions, handler)
//! and what COMMAND INFO and COMMAND DOCS answer (summary, argument tree, history, key
//! specifications, in the text format of [`super::docs`]). COMMAND, arity checks, key
//! locking, ACL categories and (later) cluster routing all read the same table.

use bytes::Bytes;

use super::context::Ctx;
use crate::error::Result;
use crate::protocol::Reply;

/// A command implementation: parse `argv` (name included), act on `ctx`, reply.
pub type Handler = fn(&mut Ctx<'_>, &[Bytes]) -> Result<Reply>;

/// Command flags, with the names COMMAND INFO prints.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const FAST: u32 = 1 << 9;
    pub const NO_AUTH: u32 = 1 << 10;
    pub const NO_MULTI: u32 = 1 << 11;
    pub const MOVABLE_KEYS: u32 = 1 << 12;
    pub const ALLOW_BUSY: u32 = 1 << 13;
    pub const SKIP_SLOWLOG: u32 = 1 << 14;
    /// Redis's `skip_monitor`: not fed to MONITOR as such (EVAL, FCALL).
    pub const SKIP_MONITOR: u32 = 1 << 15;
    /// Redis's `no_mandatory_keys`: may take no key although it has key specs.
    pub const NO_MANDATORY_KEYS: u32 = 1 << 16;
    /// Redis's `no_async_loading` (SAVE, BGSAVE): shown by COMMAND INFO only; DiskDB
    /// never loads a dataset asynchronously.
    pub const NO_ASYNC_LOADING: u32 = 1 << 17;
    /// DiskDB-internal: runs alone (whole-database commands such as FLUSHALL, SWAPDB).
    pub const EXCLUSIVE: u32 = 1 << 20;
    /// Redis's `PROTECTED` (not shown by COMMAND INFO): refused before it runs or is
    /// queued unless `enable-debug-command` allows the client (DEBUG).
    pub const PROTECTED: u32 = 1 << 21;
    /// DiskDB-internal (not shown by COMMAND INFO): reads the exact key counters, so
    /// while they are recounted in the background after an unclean shutdown, dispatch
    /// waits for the recount before taking the database gate (DBSIZE, INFO keyspace,
    /// MEMORY STATS; see [`crate::types::recount`]).
    pub const COUNTS: u32 = 1 << 22;

    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// Where a command's keys are in its argument vector.
#[derive(Clone, Copy)]
pub enum Keys {
    None,
    /// Redis's legacy triple: first key index, last key index (negative counts from the
    /// end: -1 is the last argument), step.
    Range { first: i32, last: i32, step: i32 },
    /// Keys found by parsing (numkeys arguments, STORE options...). The triple is what
    /// COMMAND reports.
    Custom { find: fn(&[Bytes]) -> Vec<usize>, first: i32, last: i32, step: i32 },
}

impl Keys {
    pub const fn one() -> Keys {
        Keys::Range { first: 1, last: 1, step: 1 }
    }
    pub const fn all_from(first: i32) -> Keys {
        Keys::Range { first, last: -1, step: 1 }
    }

    /// Argument indexes of the keys in `argv`.
    pub fn positions(&self, argv: &[Bytes]) -> Vec<usize> {
        match *self {
            Keys::None => Vec::new(),
            Keys::Range { first, last, step } => {
                let n = argv.len() as i32;
                let last = if last < 0 { n + last } else { last };
                let mut out = Vec::new();
                let mut i = first;
                while i <= last && i < n && i > 0 {
                    out.push(i as usize);
                    i += step.max(1);
                }
                out
            }
            Keys::Custom { find, .. } => find(argv).into_iter().filter(|&i| i < argv.len()).collect(),
        }
    }

    /// `(first, last, step)` as COMMAND INFO reports them.
    pub fn triple(&self) -> (i32, i32, i32) {
        match *self {
            Keys::None => (0, 0, 0),
            Keys::Range { first, last, step } | Keys::Custom { first, last, step, .. } => (first, last, step),
        }
    }
}

pub struct CommandSpec {
    /// Lower-case name (for a subcommand, the subcommand alone, e.g. `get`).
    pub name: &'static str,
    /// Exact argument count including the name, or at least `-arity`.
    pub arity: i32,
    pub flags: u32,
    pub keys: Keys,
    /// Redis command group (`string`, `generic`, `connection`, `server`, ...).
    pub group: &'static str,
    pub summary: &'static str,
    pub since: &'static str,
    pub complexity: &'static str,
    /// `None` for a container whose work is done by its subcommands.
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandSpec],
    /// Argument tree, history, key specifications, ACL categories and tips, in the
    /// format [`super::docs`] describes; parsed once, on first use (see
    /// [`super::Registry::docs`]).
    pub docs: &'static str,
}

impl CommandSpec {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    pub fn arity_ok(&self, argc: usize) -> bool {
        if self.arity >= 0 {
            argc == self.arity as usize
        } else {
            argc >= (-self.arity) as usize
        }
    }

    pub fn flag_names(&self) -> Vec<&'static str> {
        flags::NAMES.iter().filter(|(f, _)| self.has(*f)).map(|(_, n)| *n).collect()
    }

    /// ACL categories of the command, in Redis 7.0's order, given the ones its docs
    /// declare (an `acl:` line; see [`super::Registry::acl_categories`]). As in Redis
    /// (`setImplicitACLCategories`), flags imply `@write`, `@read`, `@admin` and
    /// `@dangerous`, `@pubsub`, `@fast` or else `@slow`, and `@blocking`; the rest are
    /// the categories Redis declares per command. For most commands that is the category
    /// of their group (`@string`, `@keyspace`...); containers have none, and a declared
    /// list replaces it where Redis declares others.
    pub fn acl_categories(&self, declared: Option<&'static [String]>) -> Vec<&'static str> {
        let mut cats: Vec<&'static str> = match declared {
            Some(declared) => declared.iter().map(String::as_str).collect(),
            None if self.handler.is_none() => Vec::new(),
            None => self.group_category().into_iter().collect(),
        };
        let implied = [
            (flags::WRITE, "@write"),
            (flags::READONLY, "@read"),
            (flags::ADMIN, "@admin"),
            (flags::ADMIN, "@dangerous"),
            (flags::PUBSUB, "@pubsub"),
            (flags::FAST, "@fast"),
            (flags::BLOCKING, "@blocking"),
        ];
        // As in Redis, a read-only scripting command is not `@read`.
        let scripting = cats.contains(&"@scripting");
        cats.extend(implied.iter().filter(|(f, c)| self.has(*f) && !(scripting && *c == "@read")).map(|(_, c)| *c));
        if !self.has(flags::FAST) {
            cats.push("@slow");
        }
        // Redis keeps categories as bits and prints them in the order of its category
        // table, whatever order they were declared in.
        let rank = |c: &str| ACL_CATEGORY_ORDER.iter().position(|o| *o == c).unwrap_or(usize::MAX);
        cats.sort_by_key(|c| rank(c));
        cats.dedup();
        cats
    }

    /// The category Redis declares for most commands of this group.
    fn group_category(&self) -> Option<&'static str> {
        Some(match self.group {
            "string" => "@string",
            "bitmap" => "@bitmap",
            "list" => "@list",
            "set" => "@set",
            "sorted-set" => "@sortedset",
            "hash" => "@hash",
            "generic" => "@keyspace",
            "connection" => "@connection",
            "transactions" => "@transaction",
            "stream" => "@stream",
            "geo" => "@geo",
            "hyperloglog" => "@hyperloglog",
            "scripting" => "@scripting",
            _ => return None,
        })
    }
}

/// Redis 7.0's ACL categories in the order of its `ACLCommandCategories` table, which is
/// the order COMMAND INFO prints them in.
pub const ACL_CATEGORY_ORDER: &[&str] = &[
    "@keyspace",
    "@read",
    "@write",
    "@set",
    "@sortedset",
    "@list",
    "@hash",
    "@string",
    "@bitmap",
    "@hyperloglog",
    "@geo",
    "@stream",
    "@pubsub",
    "@admin",
    "@fast",
    "@slow",
    "@blocking",
    "@dangerous",
    "@connection",
    "@transaction",
    "@scripting",
    // Module categories follow the built-in ones, as Redis appends them (RedisJSON's).
    "@json",
];

/// Declares a [`CommandSpec`] with named fields, in this order:
///
/// ```ignore
/// command! {
///     name: "hset", arity: -4, flags: WRITE | DENYOOM | FAST, keys: Keys::one(), group: "hash", handler: hset,
///     summary: "Set the string value of a hash field", since: "2.0.0", complexity: "O(1) for each field/value pair added",
///     docs: "key#0 data(field value)...
///         history 4.0.0:    Accepts multiple `field` and `value` arguments.
///         key 0:            RW update insert, index 1, range 0",
/// }
/// ```
///
/// `flags` (none), `keys` ([`Keys::None`]), `handler` and `subcommands` (none) may be
/// left out: a container such as CLIENT has subcommands and no handler. The first line
/// is what dispatch reads, the rest what COMMAND INFO and COMMAND DOCS answer.
macro_rules! command {
    {
        name: $name:literal,
        arity: $arity:expr,
        $(flags: $flags:expr,)?
        $(keys: $keys:expr,)?
        group: $group:literal,
        $(handler: $handler:expr,)?
        $(subcommands: $subcommands:expr,)?
        summary: $summary:literal,
        since: $since:literal,
        complexity: $complexity:literal,
        docs: $docs:literal $(,)?
    } => {
        $crate::commands::table::CommandSpec {
            name: $name,
            arity: $arity,
            flags: 0 $(| $flags)?,
            keys: $crate::commands::table::command!(@or $crate::commands::table::Keys::None $(, $keys)?),
            group: $group,
            summary: $summary,
            since: $since,
            complexity: $complexity,
            handler: $crate::commands::table::command!(@or None $(, Some($handler))?),
            subcommands: $crate::commands::table::command!(@or &[] $(, $subcommands)?),
            docs: $docs,
        }
    };
    (@or $default:expr) => { $default };
    (@or $default:expr, $given:expr) => { $given };
}
pub(crate) use command;

//! The parser of the text in which each command's spec ([`super::table::CommandSpec`]'s
//! `docs` field) gives what COMMAND DOCS and COMMAND INFO answer beyond the spec's other
//! fields: the command's argument tree, history and deprecation, its key specifications,
//! ACL categories and tips, parsed once into the replies Redis 7 gives.
//!
//! redis-cli 7 builds its argument hints and `HELP` lines from the argument trees, client
//! libraries read them to learn a command's options, and cluster clients route by the key
//! specifications, so all of it follows Redis 7.0 exactly (taken from Redis 7.0's COMMAND
//! DOCS and COMMAND INFO; CLIENT SETINFO and NO-TOUCH, which came in 7.2, from Redis 7.2;
//! `tests/command_docs.rs` compares every command with a real redis-server). Redis keeps
//! them as JSON; here a command's arguments are one line in the style of redis.io's
//! syntax lines, followed by a line per history item and key specification, so the text
//! can be read and reviewed at a glance next to the command's other fields.
//!
//! # Format
//!
//! The text starts with the command's arguments, continued on further lines. `-`
//! declares a command without arguments (Redis then leaves `arguments` out). Arguments
//! are separated by spaces:
//!
//! | written | argument |
//! |---|---|
//! | `value` | a `string` named `value` |
//! | `count:integer` | type `integer`; likewise `double`, `pattern`, `unix-time` |
//! | `key#0` | type `key` with `key_spec_index` 0 (`pattern:pattern#1`: a pattern with one) |
//! | `NX` | `pure-token` `NX`, named `nx` (the token in lower case) |
//! | `change=CH` | `pure-token` `CH` named `change` |
//! | `EX seconds:integer` | an upper-case word before an argument is its `token` |
//! | `'lib-name' libname` | a token that is not upper case, quoted |
//! | `"ip:port"` | a name with characters other than `a-z 0-9 _ - /`, quoted |
//! | `where(LEFT \| RIGHT)` | `oneof` named `where`: alternatives separated by `\|` |
//! | `data(field value)` | `block` named `data`: a sequence |
//! | `LIMIT (offset count)` | a block (or oneof) with a token; unnamed, it is named after it |
//! | `[...]` | flag `optional` |
//! | `x...` | flag `multiple`: `x` repeats (`[WEIGHTS weight...]`: one token, many weights) |
//! | `[GET pattern]...` | flags `optional`, `multiple`, `multiple_token`: token and value repeat |
//! | `x@6.2.0` | `since` 6.2.0 |
//! | `x!2.8.12` | `deprecated_since` 2.8.12 |
//!
//! After the arguments, optional lines that start with a label and a colon describe the
//! rest; each may continue on further lines:
//!
//! | written | answers |
//! |---|---|
//! | `deprecated 6.2.0: text` | `doc_flags` deprecated, `deprecated_since` 6.2.0, `replaced_by` text |
//! | `history 2.6.12: text` | one `[version, text]` item of `history`, oldest first |
//! | `key 0: flags, begin, find` | COMMAND INFO key specification 0 (then 1, 2...), below |
//! | `acl: @keyspace @dangerous` | ACL categories Redis declares for the command, replacing its group's |
//! | `tips: nondeterministic_output` | COMMAND INFO `tips`, space separated |
//!
//! A key specification is its flags (`RW access update`...), where the search for keys
//! begins, how the keys are found from there, and optionally `"notes"`, separated by
//! commas:
//!
//! | written | `begin_search` / `find_keys` |
//! |---|---|
//! | `index 1` | `index`: at argument 1 |
//! | `keyword STORE from -1` | `keyword`: after `STORE`, searched for from argument -1 |
//! | `range 0`, `range -1 step 2`, `range 0 limit 2` | `range`: `lastkey`, `keystep`, `limit` |
//! | `keynum 0 first 1`, `keynum 0 first 1 step 2` | `keynum`: `keynumidx`, `firstkey`, `keystep` |
//! | `unknown` | `unknown`, for either |
//!
//! The numbers mean what they do in Redis: `lastkey`, `keynumidx` and `firstkey` count
//! from where the search begins (a negative `lastkey` from the end); a step left out is
//! 1, a limit left out 0.
//!
//! SET's, for example (indentation is free; continued lines are aligned to be read):
//!
//! ```text
//! key#0 value [condition(NX | XX)@2.6.12] [GET@6.2.0]
//!       [expiration(EX seconds:integer@2.6.12 | ... | KEEPTTL@6.0.0)]
//!     history 2.6.12:   Added the `EX`, `PX`, `NX` and `XX` options.
//!     key 0:            RW access update variable_flags, index 1, range 0,
//!                       "RW and ACCESS due to the optional `GET` argument"
//! ```
//!
//! [`Docs::parse`] turns one command's text into ready [`Reply`] values.

use bytes::Bytes;

use crate::protocol::Reply;

/// An argument's `type`, with the names COMMAND DOCS prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    Oneof,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }

    /// The types that may follow `name:`; the others are written by their shape.
    fn simple(name: &str) -> Option<ArgType> {
        [ArgType::String, ArgType::Integer, ArgType::Double, ArgType::Key, ArgType::Pattern, ArgType::UnixTime]
            .into_iter()
            .find(|t| t.name() == name)
    }
}

/// One argument of a command, as COMMAND DOCS describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    pub kind: ArgType,
    pub key_spec_index: Option<u32>,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    /// The alternatives of a `oneof`, the sequence of a `block`.
    pub args: Vec<Arg>,
}

impl Arg {
    fn new(name: String, kind: ArgType) -> Arg {
        Arg {
            name,
            kind,
            key_spec_index: None,
            token: None,
            since: None,
            deprecated_since: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            args: Vec::new(),
        }
    }

    /// The map COMMAND DOCS answers, with Redis 7.0's field order.
    pub fn reply(&self) -> Reply {
        let text = |k: &'static str, v: &str| (field(k), Reply::bulk_str(v));
        let mut fields = vec![text("name", &self.name), text("type", self.kind.name())];
        if let Some(i) = self.key_spec_index {
            fields.push((field("key_spec_index"), Reply::Int(i as i64)));
        }
        if let Some(token) = self.token {
            fields.push(text("token", token));
        }
        if let Some(v) = self.since {
            fields.push(text("since", v));
        }
        if let Some(v) = self.deprecated_since {
            fields.push(text("deprecated_since", v));
        }
        let flags: Vec<Reply> = [(self.optional, "optional"), (self.multiple, "multiple"), (self.multiple_token, "multiple_token")]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| Reply::status(f))
            .collect();
        if !flags.is_empty() {
            fields.push((field("flags"), Reply::Set(flags)));
        }
        if matches!(self.kind, ArgType::Oneof | ArgType::Block) {
            fields.push((field("arguments"), list_reply(&self.args)));
        }
        Reply::Map(fields)
    }
}

/// A map key, a bulk string as in Redis's reply.
fn field(name: &'static str) -> Reply {
    Reply::Bulk(Bytes::from_static(name.as_bytes()))
}

fn list_reply(args: &[Arg]) -> Reply {
    Reply::Array(args.iter().map(Arg::reply).collect())
}

/// The flags a key specification may have, in the order Redis prints them.
pub const KEY_FLAGS: &[&str] =
    &["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

/// Where the search for a command's keys begins (`begin_search`).
#[derive(Debug, Clone, PartialEq)]
pub enum BeginSearch {
    /// At this argument.
    Index(i64),
    /// After `keyword`, looked for from argument `startfrom` (negative: from the end,
    /// backwards).
    Keyword { keyword: String, startfrom: i64 },
    Unknown,
}

/// How the keys are found from where the search begins (`find_keys`).
#[derive(Debug, Clone, PartialEq)]
pub enum FindKeys {
    /// Every `keystep`th argument up to `lastkey` (relative to the begin; negative counts
    /// from the end); a `limit` above 1 stops after 1/limit of the remaining arguments.
    Range { lastkey: i64, keystep: i64, limit: i64 },
    /// The number of keys is at begin + `keynumidx`, the first key at begin + `firstkey`.
    Keynum { keynumidx: i64, firstkey: i64, keystep: i64 },
    Unknown,
}

/// One of the key specifications COMMAND INFO answers; arguments point at them by
/// `key_spec_index`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub notes: Option<String>,
    /// Names from [`KEY_FLAGS`], in its order.
    pub flags: Vec<&'static str>,
    pub begin_search: BeginSearch,
    pub find_keys: FindKeys,
}

impl KeySpec {
    /// Parses `flags, begin, find` with optional `, "notes"` (see the module docs).
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let (spec, notes) = match text.split_once(", \"") {
            Some((spec, notes)) => match notes.strip_suffix('"') {
                Some(n) if !n.is_empty() && !n.contains('"') => (spec, Some(n.to_string())),
                _ => return Err(format!("notes are one double-quoted text at the end: {text:?}")),
            },
            None => (text, None),
        };
        let [flags, begin, find] = spec.split(',').map(str::trim).collect::<Vec<_>>()[..] else {
            return Err(format!("expected `flags, begin, find`: {spec:?}"));
        };
        let mut names = Vec::new();
        for flag in flags.split_whitespace() {
            let Some(i) = KEY_FLAGS.iter().position(|k| *k == flag) else {
                return Err(format!("unknown key flag `{flag}`"));
            };
            if names.last().is_some_and(|last| KEY_FLAGS.iter().position(|k| k == last) >= Some(i)) {
                return Err(format!("key flags out of Redis's order at `{flag}`"));
            }
            names.push(KEY_FLAGS[i]);
        }
        if names.is_empty() {
            return Err(format!("no key flags: {spec:?}"));
        }
        let begin_search = match begin.split_whitespace().collect::<Vec<_>>()[..] {
            ["index", i] => BeginSearch::Index(number(i)?),
            ["keyword", keyword, "from", from] => {
                BeginSearch::Keyword { keyword: keyword.to_string(), startfrom: number(from)? }
            }
            ["unknown"] => BeginSearch::Unknown,
            _ => return Err(format!("expected `index N`, `keyword WORD from N` or `unknown`: {begin:?}")),
        };
        let find_keys = match find.split_whitespace().collect::<Vec<_>>()[..] {
            ["range", lastkey, ref rest @ ..] => {
                let [keystep, limit] = options(rest, ["step", "limit"])?;
                FindKeys::Range { lastkey: number(lastkey)?, keystep: keystep.unwrap_or(1), limit: limit.unwrap_or(0) }
            }
            ["keynum", keynumidx, "first", firstkey, ref rest @ ..] => {
                let [keystep] = options(rest, ["step"])?;
                FindKeys::Keynum { keynumidx: number(keynumidx)?, firstkey: number(firstkey)?, keystep: keystep.unwrap_or(1) }
            }
            ["unknown"] => FindKeys::Unknown,
            _ => return Err(format!("expected `range N...`, `keynum N first N...` or `unknown`: {find:?}")),
        };
        Ok(KeySpec { notes, flags: names, begin_search, find_keys })
    }

    /// The map COMMAND INFO answers, with Redis 7.0's field order.
    pub fn reply(&self) -> Reply {
        let int = |k: &'static str, v: i64| (field(k), Reply::Int(v));
        let search = |kind: &'static str, spec: Vec<(Reply, Reply)>| {
            Reply::Map(vec![(field("type"), Reply::bulk_str(kind)), (field("spec"), Reply::Map(spec))])
        };
        let begin = match &self.begin_search {
            BeginSearch::Index(i) => search("index", vec![int("index", *i)]),
            BeginSearch::Keyword { keyword, startfrom } => {
                search("keyword", vec![(field("keyword"), Reply::bulk_str(keyword)), int("startfrom", *startfrom)])
            }
            BeginSearch::Unknown => search("unknown", Vec::new()),
        };
        let find = match self.find_keys {
            FindKeys::Range { lastkey, keystep, limit } => {
                search("range", vec![int("lastkey", lastkey), int("keystep", keystep), int("limit", limit)])
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                search("keynum", vec![int("keynumidx", keynumidx), int("firstkey", firstkey), int("keystep", keystep)])
            }
            FindKeys::Unknown => search("unknown", Vec::new()),
        };
        let mut fields = Vec::new();
        if let Some(notes) = &self.notes {
            fields.push((field("notes"), Reply::bulk_str(notes)));
        }
        fields.push((field("flags"), Reply::Set(self.flags.iter().map(|&f| Reply::status(f)).collect())));
        fields.push((field("begin_search"), begin));
        fields.push((field("find_keys"), find));
        Reply::Map(fields)
    }
}

fn number(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| format!("`{s}` is not a number"))
}

/// The values of `name N` pairs, each name at most once and in the order of `names`.
fn options<const K: usize>(words: &[&str], names: [&str; K]) -> Result<[Option<i64>; K], String> {
    let mut values = [None; K];
    let mut next = 0;
    for pair in words.chunks(2) {
        let [name, value] = pair else { return Err(format!("`{}` without a value", pair[0])) };
        let Some(i) = names[next..].iter().position(|n| n == name) else {
            return Err(format!("unexpected `{name}`"));
        };
        values[next + i] = Some(number(value)?);
        next += i + 1;
    }
    Ok(values)
}

/// The keys `specs` find in `argv` (command name first), with the flags of the
/// specification that finds each, the way Redis's getKeysUsingKeySpecs finds them. A
/// specification that cannot be followed here (`unknown`, a key count that is not a
/// number, keys past the end) finds nothing.
pub fn keys_by_spec<'a>(specs: &'a [KeySpec], argv: &[Bytes]) -> Vec<(usize, &'a [&'static str])> {
    let argc = argv.len() as i64;
    let mut found = Vec::new();
    for spec in specs {
        let begin = match &spec.begin_search {
            BeginSearch::Index(i) => *i,
            BeginSearch::Keyword { keyword, startfrom } => {
                let is_keyword = |&i: &i64| i >= 1 && i < argc && crate::commands::args::is(&argv[i as usize], keyword);
                let at = if *startfrom > 0 {
                    (*startfrom..argc - 1).find(is_keyword)
                } else {
                    (2..=argc + startfrom).rev().find(is_keyword)
                };
                match at {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            BeginSearch::Unknown => continue,
        };
        let (first, last, step) = match spec.find_keys {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = match (lastkey, limit) {
                    (0.., _) => begin + lastkey,
                    (_, 0) => argc + lastkey,
                    _ => begin + (argc - begin) / limit + lastkey,
                };
                (begin, last, keystep)
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                let count = usize::try_from(begin + keynumidx)
                    .ok()
                    .and_then(|i| argv.get(i))
                    .and_then(|n| std::str::from_utf8(n).ok()?.parse::<i64>().ok())
                    .filter(|n| *n >= 0);
                let Some(count) = count else { continue };
                (begin + firstkey, begin + firstkey + count - 1, keystep)
            }
            FindKeys::Unknown => continue,
        };
        if first < 1 || last >= argc || last < first || step < 1 {
            continue;
        }
        found.extend((first..=last).step_by(step as usize).map(|i| (i as usize, &spec.flags[..])));
    }
    found
}

/// One command's docs text, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub arguments: Vec<Arg>,
    /// `deprecated_since` and `replaced_by` of a deprecated command.
    pub deprecated: Option<(&'static str, String)>,
    /// `(version, what changed)`, oldest first.
    pub history: Vec<(&'static str, String)>,
    pub key_specs: Vec<KeySpec>,
    /// ACL categories Redis declares for the command itself (its JSON `acl_categories`),
    /// which replace the one its group gives; flags give the rest (see
    /// [`CommandSpec::acl_categories`](super::table::CommandSpec::acl_categories)).
    pub acl: Option<Vec<String>>,
    /// COMMAND INFO's `tips`, in Redis's order.
    pub tips: Vec<String>,
}

impl Entry {
    /// The COMMAND DOCS fields that follow `complexity`, in Redis 7.0's order: `doc_flags`,
    /// `deprecated_since`, `replaced_by`, `history`, `arguments`, each left out when empty.
    pub fn doc_fields(&self) -> Vec<(Reply, Reply)> {
        let mut fields = Vec::new();
        if let Some((since, replaced_by)) = &self.deprecated {
            fields.push((field("doc_flags"), Reply::Set(vec![Reply::status("deprecated")])));
            fields.push((field("deprecated_since"), Reply::bulk_str(since)));
            fields.push((field("replaced_by"), Reply::bulk_str(replaced_by)));
        }
        if !self.history.is_empty() {
            let items = self.history.iter().map(|(v, text)| Reply::Array(vec![Reply::bulk_str(v), Reply::bulk_str(text)]));
            fields.push((field("history"), Reply::Set(items.collect())));
        }
        if !self.arguments.is_empty() {
            fields.push((field("arguments"), list_reply(&self.arguments)));
        }
        fields
    }
}

/// An entry with its replies, built once.
pub struct Docs {
    pub entry: Entry,
    /// [`Entry::doc_fields`].
    pub fields: Vec<(Reply, Reply)>,
    /// COMMAND INFO's key specifications: a set of [`KeySpec::reply`] maps.
    pub key_specs: Reply,
    /// COMMAND INFO's tips: a set of bulk strings, as Redis sends them.
    pub tips: Reply,
}

impl Docs {
    /// Parses one command's docs text (see the module docs) and builds its replies.
    pub fn parse(text: &'static str) -> Result<Docs, String> {
        let entry = Entry::parse(text)?;
        let fields = entry.doc_fields();
        let key_specs = Reply::Set(entry.key_specs.iter().map(KeySpec::reply).collect());
        let tips = Reply::Set(entry.tips.iter().map(|t| Reply::bulk_str(t)).collect());
        Ok(Docs { entry, fields, key_specs, tips })
    }
}

impl Entry {
    /// Parses one command's docs text: the arguments, then the labelled lines, each
    /// continued on the lines that follow it.
    pub fn parse(text: &'static str) -> Result<Entry, String> {
        let mut syntax_end = 0;
        let mut labelled: Vec<(&'static str, String)> = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let content = line.trim_end();
            if content.trim_start().is_empty() {
                return Err("blank line".into());
            }
            if start > 0 {
                if let Some((label, text)) = labelled_line(content) {
                    labelled.push((label, text.trim().to_string()));
                    continue;
                }
            }
            if let Some((_, text)) = labelled.last_mut() {
                text.push(' ');
                text.push_str(content.trim());
            } else {
                syntax_end = start + content.len();
            }
        }
        entry(&text[..syntax_end], labelled)
    }
}

/// `history 2.6.12: text` -> (`history 2.6.12`, ` text`); `None` for a line that is not
/// labelled (it continues the arguments or the labelled line before it).
fn labelled_line(line: &'static str) -> Option<(&'static str, &'static str)> {
    let (label, text) = line.trim_start().split_once(':')?;
    if label == "acl" || label == "tips" {
        return Some((label, text));
    }
    let (kind, _) = label.split_once(' ')?;
    ["deprecated", "history", "key"].contains(&kind).then_some((label, text))
}

fn entry(syntax: &'static str, labelled: Vec<(&'static str, String)>) -> Result<Entry, String> {
    let mut entry = Entry {
        arguments: parse(syntax)?,
        deprecated: None,
        history: Vec::new(),
        key_specs: Vec::new(),
        acl: None,
        tips: Vec::new(),
    };
    for (label, text) in labelled {
        let (kind, value) = label.split_once(' ').unwrap_or((label, ""));
        if text.is_empty() {
            return Err(format!("`{label}:` without text"));
        }
        match kind {
            "deprecated" if entry.deprecated.is_none() => entry.deprecated = Some((version(value)?, text)),
            "history" => entry.history.push((version(value)?, text)),
            "acl" if entry.acl.is_none() => {
                if let Some(bad) = text.split_whitespace().find(|c| !c.starts_with('@')) {
                    return Err(format!("`acl:` category {bad:?} does not start with @"));
                }
                entry.acl = Some(text.split_whitespace().map(str::to_string).collect());
            }
            "tips" if entry.tips.is_empty() => entry.tips = text.split_whitespace().map(str::to_string).collect(),
            "key" if value.parse() == Ok(entry.key_specs.len()) => {
                entry.key_specs.push(KeySpec::parse(&text).map_err(|e| format!("{label}: {e}"))?)
            }
            _ => return Err(format!("unexpected `{label}:` (one `deprecated`, `acl`, `tips`, `key` lines numbered from 0)")),
        }
    }
    let mut indexes = Vec::new();
    key_spec_indexes(&entry.arguments, &mut indexes);
    if let Some(i) = indexes.iter().find(|&&i| i as usize >= entry.key_specs.len()) {
        return Err(format!("an argument has key_spec_index {i}, but there is no `key {i}:` line"));
    }
    Ok(entry)
}

/// Every `key_spec_index` in `args` and their nested arguments.
pub fn key_spec_indexes(args: &[Arg], out: &mut Vec<u32>) {
    for arg in args {
        out.extend(arg.key_spec_index);
        key_spec_indexes(&arg.args, out);
    }
}

fn version(s: &'static str) -> Result<&'static str, String> {
    if s.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())) {
        Ok(s)
    } else {
        Err(format!("`{s}` is not a version"))
    }
}

/// Parses one command's arguments (`-` for none).
pub fn parse(syntax: &'static str) -> Result<Vec<Arg>, String> {
    if syntax.trim() == "-" {
        return Ok(Vec::new());
    }
    let mut p = Parser { src: syntax, pos: 0 };
    let mut args = Vec::new();
    while p.peek().is_some() {
        args.push(p.arg()?);
    }
    if args.is_empty() {
        return Err("no arguments: write `-` for a command without any".into());
    }
    Ok(args)
}

/// A recursive-descent parser over one entry; whitespace separates, nothing more.
struct Parser {
    src: &'static str,
    pos: usize,
}

impl Parser {
    fn fail<T>(&self, what: &str) -> Result<T, String> {
        let near: String = self.src[self.pos..].chars().take(20).collect();
        Err(format!("{what} at {:?}", near))
    }

    /// The next character after whitespace.
    fn peek(&mut self) -> Option<u8> {
        let rest = &self.src.as_bytes()[self.pos..];
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        self.pos += skip;
        rest.get(skip).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.peek();
        if self.src[self.pos..].starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), String> {
        if self.eat(s) {
            Ok(())
        } else {
            self.fail(&format!("expected `{s}`"))
        }
    }

    /// The longest run at the cursor of bytes that satisfy `ok`.
    fn run(&mut self, ok: impl Fn(u8) -> bool) -> &'static str {
        let start = self.pos;
        let len = self.src.as_bytes()[start..].iter().take_while(|&&b| ok(b)).count();
        self.pos += len;
        &self.src[start..start + len]
    }

    fn word(&mut self) -> &'static str {
        self.run(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'/')
    }

    /// The text between `quote`s; the cursor is on the opening one.
    fn quoted(&mut self, quote: u8) -> Result<&'static str, String> {
        self.pos += 1;
        let text = self.run(|b| b != quote && b != b'\n');
        if text.is_empty() || self.src.as_bytes().get(self.pos) != Some(&quote) {
            return self.fail("unterminated or empty quotes");
        }
        self.pos += 1;
        Ok(text)
    }

    /// `1.2.3`: digits separated by dots, so `@7.0.0...` still ends in `...`.
    fn version(&mut self) -> Result<&'static str, String> {
        let start = self.pos;
        loop {
            if self.run(|b| b.is_ascii_digit()).is_empty() {
                return self.fail("expected a version");
            }
            let b = self.src.as_bytes();
            if b.get(self.pos) == Some(&b'.') && b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
                self.pos += 1;
            } else {
                return Ok(&self.src[start..self.pos]);
            }
        }
    }

    /// A token at the cursor: an upper-case word or a single-quoted one.
    fn token(&mut self) -> Result<Option<&'static str>, String> {
        match self.peek() {
            Some(b'\'') => self.quoted(b'\'').map(Some),
            Some(b) if b.is_ascii_uppercase() => {
                let w = self.word();
                if w.bytes().any(|b| b.is_ascii_lowercase() || b == b'/') {
                    return self.fail("a token is upper case");
                }
                Ok(Some(w))
            }
            _ => Ok(None),
        }
    }

    /// A name at the cursor: a lower-case word or a double-quoted one.
    fn name(&mut self) -> Result<Option<&'static str>, String> {
        match self.peek() {
            Some(b'"') => self.quoted(b'"').map(Some),
            Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit() => {
                let w = self.word();
                if w.bytes().any(|b| b.is_ascii_uppercase()) {
                    return self.fail("a name is lower case");
                }
                Ok(Some(w))
            }
            _ => Ok(None),
        }
    }

    /// `[body]`, `[body]...` or `body`.
    fn arg(&mut self) -> Result<Arg, String> {
        if !self.eat("[") {
            return self.body();
        }
        let mut arg = self.body()?;
        self.expect("]")?;
        arg.optional = true;
        if self.eat("...") {
            if arg.token.is_none() {
                return self.fail("`[...]...` repeats a token, but the argument has none");
            }
            arg.multiple = true;
            arg.multiple_token = true;
        }
        Ok(arg)
    }

    /// `[TOKEN] value` followed by annotations.
    fn body(&mut self) -> Result<Arg, String> {
        let token = self.token()?;
        // A token with no name or group after it stands alone: a pure token.
        let at_value = self.peek().is_some_and(|b| b == b'(' || b == b'"' || b.is_ascii_lowercase() || b.is_ascii_digit());
        let mut arg = match (token, self.name()?) {
            (Some(t), None) if !at_value => Arg::new(t.to_ascii_lowercase(), ArgType::PureToken),
            (_, name) if self.peek() == Some(b'(') => match name.map(str::to_string).or(token.map(str::to_ascii_lowercase)) {
                Some(name) => self.composite(name)?,
                None => return self.fail("a oneof or block needs a name or a token"),
            },
            (None, Some(name)) if self.eat("=") => {
                let Some(t) = self.token()? else { return self.fail("expected a token after `=`") };
                let mut arg = Arg::new(name.to_string(), ArgType::PureToken);
                arg.token = Some(t);
                arg
            }
            (_, Some(name)) => self.simple(name.to_string())?,
            (_, None) => return self.fail("expected an argument"),
        };
        if arg.token.is_none() {
            arg.token = token;
        }
        self.annotations(&mut arg)?;
        Ok(arg)
    }

    /// `name[:type][#index]` after its name.
    fn simple(&mut self, name: String) -> Result<Arg, String> {
        let mut kind = None;
        if self.eat(":") {
            let t = self.run(|b| b.is_ascii_lowercase() || b == b'-');
            match ArgType::simple(t) {
                Some(t) => kind = Some(t),
                None => return self.fail(&format!("unknown type `{t}`")),
            }
        }
        let mut index = None;
        if self.eat("#") {
            match self.run(|b| b.is_ascii_digit()).parse::<u32>() {
                Ok(n) => index = Some(n),
                Err(_) => return self.fail("expected a key spec index"),
            }
        }
        let kind = kind.unwrap_or(if index.is_some() { ArgType::Key } else { ArgType::String });
        if kind == ArgType::Key && index.is_none() {
            return self.fail("a key needs its key spec index (`key#0`)");
        }
        let mut arg = Arg::new(name, kind);
        arg.key_spec_index = index;
        Ok(arg)
    }

    /// `(a | b | c)` (oneof) or `(a b c)` (block) after its name.
    fn composite(&mut self, name: String) -> Result<Arg, String> {
        self.expect("(")?;
        let mut args = vec![self.arg()?];
        let mut oneof = None;
        while !self.eat(")") {
            if self.peek().is_none() {
                return self.fail("expected `)`");
            }
            let bar = self.eat("|");
            if *oneof.get_or_insert(bar) != bar {
                return self.fail("`|` and spaces mixed in one group");
            }
            args.push(self.arg()?);
        }
        let mut arg = Arg::new(name, if oneof == Some(true) { ArgType::Oneof } else { ArgType::Block });
        arg.args = args;
        Ok(arg)
    }

    /// `@since`, `!deprecated_since` and `...` (multiple), in any order.
    fn annotations(&mut self, arg: &mut Arg) -> Result<(), String> {
        loop {
            if self.eat("@") {
                if arg.since.replace(self.version()?).is_some() {
                    return self.fail("`@` twice");
                }
            } else if self.eat("!") {
                if arg.deprecated_since.replace(self.version()?).is_some() {
                    return self.fail("`!` twice");
                }
            } else if self.eat("...") {
                if std::mem::replace(&mut arg.multiple, true) {
                    return self.fail("`...` twice");
                }
            } else {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_lines_give_history_deprecation_and_key_specs() {
        let text = r#"key#0 value
                [x]
    deprecated 6.2.0:   `SET` with the `!GET` argument
    history 2.6.12:     Added the `EX`, `PX`, `NX` and `XX` options, and a
                        long line continued.
    key 0:              RW access update variable_flags, index 1, range 0,
                        "notes, with a comma""#;
        let e = &Entry::parse(text).unwrap();
        assert_eq!(e.arguments.len(), 3, "the indented line continues the arguments");
        assert_eq!(e.deprecated, Some(("6.2.0", "`SET` with the `!GET` argument".to_string())));
        assert_eq!(e.history, [("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options, and a long line continued.".to_string())]);
        assert_eq!(
            e.key_specs,
            [KeySpec {
                notes: Some("notes, with a comma".into()),
                flags: vec!["RW", "access", "update", "variable_flags"],
                begin_search: BeginSearch::Index(1),
                find_keys: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
            }]
        );
        let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
        let keys: Vec<Reply> = e.doc_fields().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [b("doc_flags"), b("deprecated_since"), b("replaced_by"), b("history"), b("arguments")]);
        assert!(Entry::parse("-").unwrap().doc_fields().is_empty(), "nothing to say: no fields");
        assert_eq!((&e.acl, &e.tips), (&None, &Vec::new()));

        let text = "pattern:pattern\n    acl:  @keyspace @dangerous\n    tips: request_policy:all_shards\n          nondeterministic_output_order";
        let e = &Entry::parse(text).unwrap();
        assert_eq!(e.arguments.len(), 1);
        assert_eq!(e.acl, Some(vec!["@keyspace".to_string(), "@dangerous".to_string()]));
        assert_eq!(e.tips, ["request_policy:all_shards", "nondeterministic_output_order"]);

        for bad in [
            "a\n    key 1:  RO, index 1, range 0",
            "key#0\n    key 0:  RO, index 1, range 0\n    key 0:  RO, index 2, range 0",
            "key#1\n    key 0:  RO, index 1, range 0",
            "a\n    history 6.x:  text",
            "a\n    history 6.0.0:",
            "a\n    deprecated 6.2.0:  a\n    deprecated 6.2.0:  b",
            "a\n    acl:  keyspace",
            "a\n    acl:  @read\n    acl:  @write",
            "a\n    tips:",
            "a\n\n    tips: x",
            "history 6.0.0: the first line is the arguments",
        ] {
            assert!(Entry::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn key_specs_parse_and_reply_in_redis_order() {
        let spec = KeySpec::parse("RO access, index 2, keynum 0 first 1 step 2").unwrap();
        assert_eq!(spec.find_keys, FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 2 });
        let spec = KeySpec::parse("OW update, keyword STORE from -1, range 0 limit 2").unwrap();
        assert_eq!(spec.begin_search, BeginSearch::Keyword { keyword: "STORE".into(), startfrom: -1 });
        assert_eq!(spec.find_keys, FindKeys::Range { lastkey: 0, keystep: 1, limit: 2 });
        let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
        let search = |kind: &'static str, spec: Vec<(Reply, Reply)>| Reply::Map(vec![(b("type"), b(kind)), (b("spec"), Reply::Map(spec))]);
        assert_eq!(
            KeySpec::parse("RO access, unknown, unknown, \"why\"").unwrap().reply(),
            Reply::Map(vec![
                (b("notes"), b("why")),
                (b("flags"), Reply::Set(vec![Reply::status("RO"), Reply::status("access")])),
                (b("begin_search"), search("unknown", vec![])),
                (b("find_keys"), search("unknown", vec![])),
            ])
        );
        for bad in [
            "RO, index 1",
            "access RO, index 1, range 0",
            "RO fast, index 1, range 0",
            ", index 1, range 0",
            "RO, index x, range 0",
            "RO, index 1, range 0 limit 2 step 1",
            "RO, index 1, range 0 step",
            "RO, index 1, keynum 0",
            "RO, index 1, range 0, notes",
            "RO, index 1, range 0, \"a \"quoted\" word\"",
        ] {
            assert!(KeySpec::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn keys_by_spec_follows_each_kind_of_spec() {
        let argv = |line: &str| line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect::<Vec<_>>();
        let specs = |lines: &[&str]| lines.iter().map(|l| KeySpec::parse(l).unwrap()).collect::<Vec<_>>();
        let positions = |specs: &[KeySpec], line: &str| {
            keys_by_spec(specs, &argv(line)).into_iter().map(|(i, f)| (i, f.join(" "))).collect::<Vec<_>>()
        };
        let zunionstore = specs(&["OW update, index 1, range 0", "RO access, index 2, keynum 0 first 1"]);
        assert_eq!(
            positions(&zunionstore, "zunionstore d 2 a b WEIGHTS 1 2"),
            [(1, "OW update".into()), (3, "RO access".into()), (4, "RO access".into())]
        );
        assert_eq!(positions(&zunionstore, "zunionstore d x a"), [(1, "OW update".into())], "a bad count finds nothing");
        let mset = specs(&["OW update, index 1, range -1 step 2"]);
        assert_eq!(positions(&mset, "mset a 1 b 2").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 3]);
        let store = specs(&["RO access, index 1, range 0", "OW update, keyword STORE from -1, range 0", "RO, unknown, unknown"]);
        assert_eq!(positions(&store, "sort k BY x STORE dst").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 5]);
        let limit = specs(&["RO, index 1, range -1 limit 2"]);
        assert_eq!(positions(&limit, "c k1 k2 v1 v2").iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn oneofs_blocks_and_their_flags_nest() {
        let args = parse("key#0 [condition(NX | XX)@2.6.12] [expiration(EX seconds:integer@2.6.12 | KEEPTTL)] data(field value)...").unwrap();
        assert_eq!(args.len(), 4);
        assert_eq!((args[0].name.as_str(), args[0].kind, args[0].key_spec_index), ("key", ArgType::Key, Some(0)));

        let condition = &args[1];
        assert_eq!((condition.kind, condition.optional, condition.since), (ArgType::Oneof, true, Some("2.6.12")));
        let nx = &condition.args[0];
        assert_eq!((nx.name.as_str(), nx.kind, nx.token, nx.optional), ("nx", ArgType::PureToken, Some("NX"), false));

        let ex = &args[2].args[0];
        assert_eq!((ex.name.as_str(), ex.kind, ex.token, ex.since), ("seconds", ArgType::Integer, Some("EX"), Some("2.6.12")));
        assert_eq!(args[2].args[1].token, Some("KEEPTTL"));

        let data = &args[3];
        assert_eq!((data.kind, data.multiple, data.optional), (ArgType::Block, true, false));
        assert_eq!(data.args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["field", "value"]);
        assert!(data.args.iter().all(|a| a.kind == ArgType::String && !a.multiple));
    }

    #[test]
    fn tokens_names_and_repetition() {
        let args = parse(
            r#"[GET pattern:pattern#1]... [WEIGHTS weight:integer...] [change=CH@3.0.2]
               f("ip:port"!2.8.12 | LIMIT (offset:integer count:integer) | 'lib-name' libname)"#,
        )
        .unwrap();
        let get = &args[0];
        assert_eq!((get.kind, get.key_spec_index, get.token), (ArgType::Pattern, Some(1), Some("GET")));
        assert!(get.optional && get.multiple && get.multiple_token);
        let weights = &args[1];
        assert!(weights.optional && weights.multiple && !weights.multiple_token);
        let change = &args[2];
        assert_eq!((change.name.as_str(), change.kind, change.token, change.since), ("change", ArgType::PureToken, Some("CH"), Some("3.0.2")));
        let alternatives = &args[3].args;
        assert_eq!((alternatives[0].name.as_str(), alternatives[0].deprecated_since), ("ip:port", Some("2.8.12")));
        assert_eq!((alternatives[1].name.as_str(), alternatives[1].kind, alternatives[1].token), ("limit", ArgType::Block, Some("LIMIT")));
        assert_eq!((alternatives[2].name.as_str(), alternatives[2].token), ("libname", Some("lib-name")));
    }

    #[test]
    fn malformed_lines_are_refused() {
        for bad in [
            "",
            "[GET pattern",
            "a(b | c d)",
            "[x]...",
            "key:key",
            "x:float",
            "(a b)",
            "NX=FOO",
            "x@",
            "x......",
            "a(b",
            "\"unterminated",
            "Mixed",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn replies_have_redis_field_order() {
        let args = parse("[condition(NX | XX)@2.6.12]").unwrap();
        let b = |s: &'static str| Reply::Bulk(Bytes::from_static(s.as_bytes()));
        let token = |name: &'static str, token: &'static str| {
            Reply::Map(vec![(b("name"), b(name)), (b("type"), b("pure-token")), (b("token"), b(token))])
        };
        assert_eq!(
            args[0].reply(),
            Reply::Map(vec![
                (b("name"), b("condition")),
                (b("type"), b("oneof")),
                (b("since"), b("2.6.12")),
                (b("flags"), Reply::Set(vec![Reply::status("optional")])),
                (b("arguments"), Reply::Array(vec![token("nx", "NX"), token("xx", "XX")])),
            ])
        );
        let key = parse("key#0...").unwrap()[0].reply();
        assert_eq!(
            key,
            Reply::Map(vec![
                (b("name"), b("key")),
                (b("type"), b("key")),
                (b("key_spec_index"), Reply::Int(0)),
                (b("flags"), Reply::Set(vec![Reply::status("multiple")])),
            ])
        );
    }
}

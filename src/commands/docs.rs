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
//! | `doc_flags: syscmd` | `doc_flags` syscmd (a system command, as DEBUG) |
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

mod keyspec;

use bytes::Bytes;

use crate::protocol::Reply;
pub use keyspec::{keys_by_spec, KeySpec};
#[cfg(test)]
pub use keyspec::{BeginSearch, FindKeys};

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
    /// `doc_flags` syscmd: a system command not meant for applications (DEBUG).
    pub syscmd: bool,
}

impl Entry {
    /// The COMMAND DOCS fields that follow `complexity`, in Redis 7.0's order: `doc_flags`,
    /// `deprecated_since`, `replaced_by`, `history`, `arguments`, each left out when empty.
    pub fn doc_fields(&self) -> Vec<(Reply, Reply)> {
        let mut fields = Vec::new();
        let mut doc_flags = Vec::new();
        if self.deprecated.is_some() {
            doc_flags.push(Reply::status("deprecated"));
        }
        if self.syscmd {
            doc_flags.push(Reply::status("syscmd"));
        }
        if !doc_flags.is_empty() {
            fields.push((field("doc_flags"), Reply::Set(doc_flags)));
        }
        if let Some((since, replaced_by)) = &self.deprecated {
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
    if label == "acl" || label == "tips" || label == "doc_flags" {
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
        syscmd: false,
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
            "doc_flags" if text.trim() == "syscmd" => entry.syscmd = true,
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
mod tests;

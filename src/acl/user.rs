//! One ACL user as Redis 7 models it: flags, password hashes and selectors (the root
//! selector first, then those added with `(...)`), changed one rule at a time by
//! [`User::apply`] (Redis's `ACLSetUser`) and described back in Redis's text form by
//! [`User::describe`] (ACL LIST, ACL SAVE) and [`Selector::describe_commands`] (the
//! `commands` field of ACL GETUSER).
//!
//! A selector allows commands by the index of their spec in the command registry (one
//! bit each, subcommands included), keys by patterns with read and write permission, and
//! channels by patterns. Passwords are kept as SHA-256 hex digests, or as Argon2id PHC
//! strings when the operator gave one (`#$argon2id$...`), never in clear.

use std::collections::BTreeMap;

use super::categories::{self, CATEGORIES};
use super::password;
use crate::commands::registry;

/// Key permission bits of a key pattern (`%R~`, `%W~`, `~` for both).
pub const READ: u8 = 1;
pub const WRITE: u8 = 2;
pub const READ_WRITE: u8 = READ | WRITE;

/// Why an ACL rule was refused: Redis's `ACLSetUserStringError` texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleError {
    UnknownName,
    Syntax,
    KeysAfterAll,
    ChannelsAfterAll,
    NoSuchPassword,
    BadHash,
    FirstArgOfSubcommand,
}

impl RuleError {
    pub fn text(self) -> &'static str {
        match self {
            RuleError::UnknownName => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeysAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            RuleError::ChannelsAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
            }
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

/// A key pattern and the permissions it grants.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPattern {
    pub perm: u8,
    pub pattern: Vec<u8>,
}

impl KeyPattern {
    fn describe(&self, out: &mut Vec<u8>) {
        match self.perm {
            READ => out.extend_from_slice(b"%R~"),
            WRITE => out.extend_from_slice(b"%W~"),
            _ => out.push(b'~'),
        }
        out.extend_from_slice(&self.pattern);
    }
}

/// What one selector allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// One bit per registry spec (subcommands included).
    allowed: Vec<u64>,
    /// Every bit set, as after `+@all` with nothing removed since: the check's shortcut.
    pub all_commands: bool,
    /// Redis's reserved "future commands" bit: set by `+@all`/`allcommands`, cleared
    /// only by `-@all`/`nocommands`; the description then starts with `+@all`.
    future: bool,
    /// First arguments allowed for a command whose bit is off (`+select|0`).
    first_args: BTreeMap<usize, Vec<Vec<u8>>>,
    pub all_keys: bool,
    pub keys: Vec<KeyPattern>,
    pub all_channels: bool,
    pub channels: Vec<Vec<u8>>,
}

fn words() -> usize {
    registry().specs.len().div_ceil(64)
}

impl Selector {
    /// A selector allowing nothing; `all_channels` from `acl-pubsub-default`.
    pub fn empty(all_channels: bool) -> Selector {
        Selector {
            allowed: vec![0; words()],
            all_commands: false,
            future: false,
            first_args: BTreeMap::new(),
            all_keys: false,
            keys: Vec::new(),
            all_channels,
            channels: Vec::new(),
        }
    }

    /// Whether the command at registry index `idx` is allowed (before first args).
    #[inline]
    pub fn allows_command(&self, idx: usize) -> bool {
        self.allowed[idx / 64] & (1 << (idx % 64)) != 0
    }

    pub fn first_args(&self, idx: usize) -> Option<&Vec<Vec<u8>>> {
        self.first_args.get(&idx)
    }

    fn set_bit(&mut self, idx: usize, on: bool) {
        if on {
            self.allowed[idx / 64] |= 1 << (idx % 64);
        } else {
            self.allowed[idx / 64] &= !(1 << (idx % 64));
            self.all_commands = false;
        }
    }

    /// Redis's `ACLChangeSelectorPerm`: the command and all its subcommands.
    fn change_command(&mut self, idx: usize, on: bool) {
        self.set_bit(idx, on);
        self.first_args.remove(&idx);
        for sub in categories::subcommands_of(idx) {
            self.set_bit(sub, on);
        }
    }

    /// Every command (subcommands included) in category bit `cat`.
    fn change_category(&mut self, cat: u32, on: bool) {
        for idx in 0..registry().specs.len() {
            if categories::of(idx) & cat != 0 {
                self.first_args.remove(&idx);
                self.set_bit(idx, on);
            }
        }
    }

    /// `(allowed, refused)` commands of category bit `cat`.
    fn count_category(&self, cat: u32) -> (usize, usize) {
        let (mut on, mut off) = (0, 0);
        for idx in 0..registry().specs.len() {
            if categories::of(idx) & cat != 0 {
                if self.allows_command(idx) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
        (on, off)
    }

    /// One selector rule (Redis's `ACLSetSelector`).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        if is("allkeys") || is("~*") {
            self.all_keys = true;
            self.keys.clear();
        } else if is("resetkeys") {
            self.all_keys = false;
            self.keys.clear();
        } else if is("allchannels") || is("&*") {
            self.all_channels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.all_channels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.allowed.iter_mut().for_each(|w| *w = u64::MAX);
            self.all_commands = true;
            self.future = true;
            self.first_args.clear();
        } else if is("nocommands") || is("-@all") {
            self.allowed.iter_mut().for_each(|w| *w = 0);
            self.all_commands = false;
            self.future = false;
            self.first_args.clear();
        } else if op[0] == b'~' || op[0] == b'%' {
            if self.all_keys {
                return Err(RuleError::KeysAfterAll);
            }
            let mut perm = 0;
            let mut offset = 1;
            if op[0] == b'%' {
                loop {
                    match op.get(offset).map(u8::to_ascii_uppercase) {
                        Some(b'R') if perm & READ == 0 => perm |= READ,
                        Some(b'W') if perm & WRITE == 0 => perm |= WRITE,
                        Some(b'~') => {
                            offset += 1;
                            break;
                        }
                        // Redis stops at the end of the rule with what it has read.
                        None => break,
                        _ => return Err(RuleError::Syntax),
                    }
                    offset += 1;
                }
            } else {
                perm = READ_WRITE;
            }
            let pattern = &op[offset.min(op.len())..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            match self.keys.iter_mut().find(|k| k.pattern == pattern) {
                Some(k) => k.perm |= perm,
                None => self.keys.push(KeyPattern { perm, pattern: pattern.to_vec() }),
            }
            self.all_keys = false;
        } else if op[0] == b'&' {
            if self.all_channels {
                return Err(RuleError::ChannelsAfterAll);
            }
            let pattern = &op[1..];
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pattern) {
                self.channels.push(pattern.to_vec());
            }
            self.all_channels = false;
        } else if op[0] == b'+' && op.get(1) != Some(&b'@') {
            let name = &op[1..];
            match name.iter().rposition(|&b| b == b'|') {
                None => {
                    let idx = lookup(name).ok_or(RuleError::UnknownName)?;
                    self.change_command(idx, true);
                }
                Some(bar) => {
                    let (base, sub) = (&name[..bar], &name[bar + 1..]);
                    let idx = lookup(base).ok_or(RuleError::UnknownName)?;
                    if registry().specs[idx].0.contains('|') {
                        return Err(RuleError::FirstArgOfSubcommand);
                    }
                    if sub.is_empty() {
                        return Err(RuleError::Syntax);
                    }
                    if registry().specs[idx].1.subcommands.is_empty() {
                        let list = self.first_args.entry(idx).or_default();
                        if !list.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                            list.push(sub.to_vec());
                        }
                    } else {
                        let idx = lookup(name).ok_or(RuleError::UnknownName)?;
                        self.change_command(idx, true);
                    }
                }
            }
        } else if op[0] == b'-' && op.get(1) != Some(&b'@') {
            let idx = lookup(&op[1..]).ok_or(RuleError::UnknownName)?;
            self.change_command(idx, false);
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            let cat = categories::by_name(&op[2..]).ok_or(RuleError::UnknownName)?;
            self.change_category(cat, op[0] == b'+');
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// The command rules as ACL GETUSER's `commands` and ACL LIST show them, with
    /// Redis 7.0's method: `+@all` or `-@all`, then, greedily, the categories that
    /// bring the bitmap closest, then single commands and first arguments. Redis walks
    /// its command table in hash order for the single commands; DiskDB in table order.
    pub fn describe_commands(&self) -> Vec<u8> {
        let mut rules: Vec<u8> = Vec::new();
        let additive = !self.future;
        let mut fake = Selector::empty(false);
        if additive {
            rules.extend_from_slice(b"-@all ");
        } else {
            rules.extend_from_slice(b"+@all ");
            let _ = fake.apply(b"+@all");
        }
        let mut temp = self.clone();
        let mut applied = [false; CATEGORIES.len()];
        loop {
            let mut best = None;
            let (mut min_diff, mut max_same) = (usize::MAX, 0);
            for (j, _) in CATEGORIES.iter().enumerate() {
                if applied[j] {
                    continue;
                }
                let (on, off) = temp.count_category(1 << j);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < min_diff || (diff == min_diff && same > max_same)) {
                    best = Some(j);
                    min_diff = diff;
                    max_same = same;
                }
            }
            let Some(j) = best else { break };
            fake.change_category(1 << j, additive);
            temp.change_category(1 << j, !additive);
            rules.push(if additive { b'+' } else { b'-' });
            rules.push(b'@');
            rules.extend_from_slice(CATEGORIES[j].as_bytes());
            rules.push(b' ');
            applied[j] = true;
        }
        for (idx, (full, _)) in registry().specs.iter().enumerate() {
            let user = self.allows_command(idx);
            if user != fake.allows_command(idx) {
                rules.push(if user { b'+' } else { b'-' });
                rules.extend_from_slice(full.as_bytes());
                rules.push(b' ');
                fake.set_bit(idx, user);
            }
            if !user {
                for arg in self.first_args.get(&idx).into_iter().flatten() {
                    rules.push(b'+');
                    rules.extend_from_slice(full.as_bytes());
                    rules.push(b'|');
                    rules.extend_from_slice(arg);
                    rules.push(b' ');
                }
            }
        }
        rules.pop();
        rules
    }

    /// Keys as ACL GETUSER shows them: `~*`, or the patterns separated by spaces.
    pub fn describe_keys(&self) -> Vec<u8> {
        if self.all_keys {
            return b"~*".to_vec();
        }
        let mut out = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            k.describe(&mut out);
        }
        out
    }

    /// Channels as ACL GETUSER shows them: `&*`, or `&pattern`s separated by spaces.
    pub fn describe_channels(&self) -> Vec<u8> {
        if self.all_channels {
            return b"&*".to_vec();
        }
        let mut out = Vec::new();
        for (i, c) in self.channels.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'&');
            out.extend_from_slice(c);
        }
        out
    }

    /// The selector as ACL LIST writes it (Redis's `ACLDescribeSelector`).
    fn describe(&self, out: &mut Vec<u8>) {
        if self.all_keys {
            out.extend_from_slice(b"~* ");
        } else {
            for k in &self.keys {
                k.describe(out);
                out.push(b' ');
            }
        }
        if self.all_channels {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for c in &self.channels {
                out.push(b'&');
                out.extend_from_slice(c);
                out.push(b' ');
            }
        }
        out.extend_from_slice(&self.describe_commands());
    }

    /// Whether this selector allows everything: every command now and later, every
    /// key and every channel.
    pub fn unrestricted(&self) -> bool {
        self.all_commands && self.all_keys && self.all_channels
    }
}

/// The registry index of a command or `container|sub` named in a rule.
fn lookup(name: &[u8]) -> Option<usize> {
    if name.is_empty() || name.iter().filter(|&&b| b == b'|').count() > 1 {
        return None;
    }
    registry().index_of(name)
}

/// Redis's `ACLStringHasSpaces`: spaces and NUL are not allowed in names and patterns.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&b| b.is_ascii_whitespace() || b == 0)
}

/// One user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    pub enabled: bool,
    pub nopass: bool,
    /// `sanitize-payload` (true) or `skip-sanitize-payload` (false), when set.
    pub sanitize: Option<bool>,
    /// SHA-256 hex digests and Argon2id PHC strings, in the order added.
    pub passwords: Vec<String>,
    /// The root selector first.
    pub selectors: Vec<Selector>,
}

impl User {
    /// A new user as ACL SETUSER creates it: off, no passwords, no commands, no keys,
    /// and channels as `acl-pubsub-default` says.
    pub fn new(name: &str, all_channels: bool) -> User {
        User {
            name: name.to_string(),
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            selectors: vec![Selector::empty(all_channels)],
        }
    }

    /// Redis's default user: `on nopass ~* &* +@all`.
    pub fn default_user() -> User {
        let mut u = User::new("default", true);
        for rule in ["+@all", "~*", "&*", "on", "nopass"] {
            let _ = u.apply(rule.as_bytes(), true);
        }
        u
    }

    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// One rule (Redis's `ACLSetUser`); `all_channels` is `acl-pubsub-default`, used by
    /// `reset`. A `(...)` rule is one whole selector.
    pub fn apply(&mut self, op: &[u8], all_channels: bool) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Some(false);
        } else if is("sanitize-payload") {
            self.sanitize = Some(true);
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' { password::sha256_hex(&op[1..]) } else { password::check_hash(&op[1..])? };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' { password::sha256_hex(&op[1..]) } else { password::check_hash(&op[1..])? };
            let Some(at) = self.passwords.iter().position(|p| *p == hash) else {
                return Err(RuleError::NoSuchPassword);
            };
            self.passwords.remove(at);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let mut s = Selector::empty(false);
            for word in split_args(&op[1..op.len() - 1]).ok_or(RuleError::Syntax)? {
                s.apply(&word)?;
            }
            self.selectors.push(s);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            for rule in ["resetpass", "resetkeys", "resetchannels"] {
                self.apply(rule.as_bytes(), all_channels)?;
            }
            if all_channels {
                self.apply(b"allchannels", all_channels)?;
            }
            for rule in ["off", "sanitize-payload", "clearselectors", "-@all"] {
                self.apply(rule.as_bytes(), all_channels)?;
            }
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// The user as ACL LIST and ACL SAVE write it, after `user <name> `
    /// (Redis's `ACLDescribeUser`).
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for flag in self.flags() {
            out.extend_from_slice(flag.as_bytes());
            out.push(b' ');
        }
        for p in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(p.as_bytes());
            out.push(b' ');
        }
        for (i, s) in self.selectors.iter().enumerate() {
            if i == 0 {
                s.describe(&mut out);
            } else {
                out.extend_from_slice(b" (");
                s.describe(&mut out);
                out.push(b')');
            }
        }
        out
    }

    /// The flags ACL GETUSER lists, in Redis's order.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            flags.push("nopass");
        }
        match self.sanitize {
            Some(false) => flags.push("skip-sanitize-payload"),
            Some(true) => flags.push("sanitize-payload"),
            None => {}
        }
        flags
    }

    /// Whether every command, key and channel is allowed (the check's fast path).
    pub fn unrestricted(&self) -> bool {
        self.selectors.iter().any(Selector::unrestricted)
    }
}

/// Redis's `ACLMergeSelectorArguments`: joins the words of a `(...)` selector written
/// across several arguments. `Err(i)` names the argument that opened an unmatched one.
pub fn merge_selectors(args: &[&[u8]]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in args.iter().enumerate() {
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(op);
            if op.last() == Some(&b')') {
                out.push(open.take().unwrap().1);
            }
            continue;
        }
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((j, op.to_vec()));
            continue;
        }
        // A lone "(" is both the start and, as its last byte is not ')', still open.
        out.push(op.to_vec());
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}

/// Splits a selector's inside on spaces with Redis's quoting (`sdssplitargs`); `None`
/// for unbalanced quotes.
pub fn split_args(s: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let mut word = Vec::new();
        let mut quote: Option<u8> = None;
        while i < s.len() {
            let b = s[i];
            match quote {
                Some(q) => {
                    if b == b'\\' && q == b'"' && i + 1 < s.len() {
                        i += 1;
                        word.push(match s[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            other => other,
                        });
                    } else if b == q {
                        quote = None;
                        if i + 1 < s.len() && !s[i + 1].is_ascii_whitespace() {
                            return None;
                        }
                    } else {
                        word.push(b);
                    }
                }
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b.is_ascii_whitespace() => break,
                None => word.push(b),
            }
            i += 1;
        }
        if quote.is_some() {
            return None;
        }
        out.push(word);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(rules: &[&str]) -> User {
        let mut u = User::new("u", false);
        for r in rules {
            u.apply(r.as_bytes(), false).unwrap();
        }
        u
    }

    fn listed(u: &User) -> String {
        String::from_utf8(u.describe()).unwrap()
    }

    #[test]
    fn descriptions_match_redis() {
        // Strings taken from redis-server 7.0's ACL LIST for the same rules.
        assert_eq!(listed(&User::default_user()), "on nopass ~* &* +@all");
        let u = user(&["on", ">pw", "~app:*", "+@read", "%R~r*", "%W~w*", "&ch*", "(~foo +@write)"]);
        assert_eq!(
            listed(&u),
            "on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~app:* %R~r* %W~w* resetchannels &ch* -@all +@read (~foo resetchannels -@all +@write)"
        );
        // Redis names single commands in its hash table's order, DiskDB in table order.
        assert_eq!(listed(&user(&["-@all", "+@hash", "+@list", "-lpop", "+flushall"])), "off resetchannels -@all +@hash +@list +flushall -lpop");
        assert_eq!(listed(&user(&["+get|x"])), "off resetchannels -@all +get|x");
        assert_eq!(listed(&user(&["+config|get"])), "off resetchannels -@all +config|get");
        assert_eq!(listed(&user(&["nopass", "resetpass"])), "off resetchannels -@all");
        assert_eq!(listed(&user(&["%RW~a", "%R~a"])), "off ~a resetchannels -@all");
    }

    #[test]
    fn rule_errors_are_redis_errors() {
        let mut u = User::new("u", false);
        assert_eq!(u.apply(b"foo", false), Err(RuleError::Syntax));
        assert_eq!(u.apply(b"+nosuch", false), Err(RuleError::UnknownName));
        assert_eq!(u.apply(b"+@nosuch", false), Err(RuleError::UnknownName));
        assert_eq!(u.apply(b"#abc", false), Err(RuleError::BadHash));
        assert_eq!(u.apply(b"%X~a", false), Err(RuleError::Syntax));
        assert_eq!(u.apply(b"+config|get|x", false), Err(RuleError::FirstArgOfSubcommand));
        assert_eq!(u.apply(b"<nopw", false), Err(RuleError::NoSuchPassword));
        u.apply(b"allkeys", false).unwrap();
        assert_eq!(u.apply(b"~a", false), Err(RuleError::KeysAfterAll));
    }

    #[test]
    fn selectors_merge_across_arguments() {
        let args: Vec<&[u8]> = vec![b"on", b"(~a", b"+get)", b"(+set)"];
        assert_eq!(merge_selectors(&args).unwrap(), vec![b"on".to_vec(), b"(~a +get)".to_vec(), b"(+set)".to_vec()]);
        assert_eq!(merge_selectors(&[b"(~a".as_slice(), b"+get"]), Err(0));
        assert_eq!(split_args(b"~a \"+get\"").unwrap(), vec![b"~a".to_vec(), b"+get".to_vec()]);
    }
}

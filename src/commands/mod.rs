//! Commands: the table, one dispatch path, and one file per command group.
//!
//! [`execute`] ([`dispatch`]) does lookup -> arity -> auth gate -> key locks -> handler ->
//! atomic commit -> statistics, for every transport alike. Handlers parse their
//! arguments, act through [`Ctx`], and return a [`Reply`](crate::protocol::Reply); they
//! never see a socket and never check arity.

pub(crate) mod acl;
pub(crate) mod args;
pub(crate) mod bitmap;
pub(crate) mod client;
pub(crate) mod blocking;
pub(crate) mod command;
pub(crate) mod config;
pub(crate) mod connection;
pub(crate) mod context;
pub(crate) mod cursor;
pub(crate) mod debug;
pub(crate) mod diag;
pub(crate) mod dispatch;
pub(crate) mod docs;
pub(crate) mod geo;
pub(crate) mod hash;
pub(crate) mod hll;
pub(crate) mod json;
pub(crate) mod keys;
pub(crate) mod list;
pub(crate) mod multi;
pub(crate) mod pause;
pub(crate) mod pubsub;
pub(crate) mod scripting;
pub(crate) mod server;
pub(crate) mod set;
pub(crate) mod sort;
pub(crate) mod stream;
pub(crate) mod string;
pub(crate) mod table;
pub(crate) mod transactions;
pub(crate) mod zset;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

pub use context::{ClientInfo, InstantMetrics, ServerState, Session};
pub use dispatch::{execute, Outcome};
pub use server::save::worker as save_worker;
pub use server::{shutdown_save, shutdown_saves};
use docs::Docs;
use table::CommandSpec;

/// Every command group's specs, joined explicitly.
pub fn all_commands() -> impl Iterator<Item = &'static CommandSpec> {
    [
        connection::COMMANDS,
        client::COMMANDS,
        server::COMMANDS,
        config::COMMANDS,
        acl::COMMANDS,
        debug::COMMANDS,
        diag::COMMANDS,
        command::COMMANDS,
        transactions::COMMANDS,
        string::COMMANDS,
        bitmap::COMMANDS,
        keys::COMMANDS,
        sort::COMMANDS,
        list::COMMANDS,
        hash::COMMANDS,
        set::COMMANDS,
        zset::COMMANDS,
        geo::COMMANDS,
        hll::COMMANDS,
        stream::COMMANDS,
        json::COMMANDS,
        pubsub::COMMANDS,
        scripting::COMMANDS,
    ].into_iter().flatten()
}

/// The looked-up table: top-level commands by name, and a flat index of every command
/// and subcommand (`config|get`) for statistics.
pub struct Registry {
    /// `(full name, spec)`, in stats order.
    pub specs: Vec<(String, &'static CommandSpec)>,
    by_name: HashMap<Vec<u8>, usize, BuildHasherDefault<Fnv>>,
    /// Each spec's parsed `docs`, in `specs` order, parsed on first use (COMMAND).
    docs: OnceLock<Vec<Docs>>,
}

impl Registry {
    fn build() -> Registry {
        let mut specs = Vec::new();
        for spec in all_commands() {
            specs.push((spec.name.to_string(), spec));
            for sub in spec.subcommands {
                specs.push((format!("{}|{}", spec.name, sub.name), sub));
            }
        }
        let by_name = specs.iter().enumerate().map(|(i, (n, _))| (n.as_bytes().to_vec(), i)).collect();
        Registry { specs, by_name, docs: OnceLock::new() }
    }

    /// Finds a command (or `container|sub`) by case-insensitive name.
    #[inline]
    pub fn index_of(&self, name: &[u8]) -> Option<usize> {
        if name.len() <= 64 {
            let mut buf = [0u8; 64];
            let lower = &mut buf[..name.len()];
            lower.copy_from_slice(name);
            lower.make_ascii_lowercase();
            self.by_name.get(&lower[..]).copied()
        } else {
            None
        }
    }

    /// Top-level commands, in table order.
    pub fn top_level(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.specs.iter().filter(|(n, _)| !n.contains('|')).map(|(_, s)| *s)
    }

    /// The parsed docs of the command or subcommand `full` (`set`, `client|kill`).
    pub fn docs(&self, full: &str) -> Option<&Docs> {
        let docs = self.docs.get_or_init(|| {
            // The docs are constants, and the unit tests parse every one of them.
            self.specs
                .iter()
                .map(|(full, spec)| Docs::parse(spec.docs).unwrap_or_else(|e| panic!("docs of {full}: {e}")))
                .collect()
        });
        self.index_of(full.as_bytes()).map(|i| &docs[i])
    }

    /// The ACL categories of the command or subcommand `full`, those its docs declare
    /// (an `acl:` line) or else its group's, with those its flags imply
    /// ([`CommandSpec::acl_categories`]).
    pub fn acl_categories(&'static self, full: &str) -> Vec<&'static str> {
        let Some(i) = self.index_of(full.as_bytes()) else { return Vec::new() };
        let declared = self.docs(full).and_then(|d| d.entry.acl.as_deref());
        self.specs[i].1.acl_categories(declared)
    }
}

/// FNV-1a: command names are short and trusted to be few, so a DoS-resistant hash
/// (SipHash, ~10% of a GET's lookup work) buys nothing here.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::build)
}

#[cfg(test)]
mod tests {
    use super::docs::{key_spec_indexes, keys_by_spec, Arg, ArgType, BeginSearch, Entry, FindKeys};
    use super::table::{flags, Keys};
    use super::*;
    use bytes::Bytes;
    use std::collections::HashSet;

    #[test]
    fn specs_are_sane() {
        let mut names = HashSet::new();
        for (full, spec) in &registry().specs {
            assert!(names.insert(full.clone()), "duplicate command {full}");
            assert_eq!(spec.name, spec.name.to_lowercase(), "{full} must be lower case");
            assert!(spec.arity != 0, "{full} has arity 0");
            let (first, last, step) = spec.keys.triple();
            if first > 0 {
                assert!(step > 0, "{full}: key step must be positive");
                assert!(last < 0 || last >= first, "{full}: last key before first");
                if spec.arity > 0 {
                    assert!(first < spec.arity, "{full}: first key past arity");
                }
            }
            assert!(spec.handler.is_some() || !spec.subcommands.is_empty(), "{full}: no handler and no subcommands");
            assert!(!spec.summary.is_empty(), "{full}: summary missing");
        }
    }

    #[test]
    fn every_command_has_docs_that_parse() {
        for (full, spec) in &registry().specs {
            let entry = &docs::Docs::parse(spec.docs).unwrap_or_else(|e| panic!("{full}: {e}")).entry;
            if !spec.subcommands.is_empty() {
                assert!(entry.arguments.is_empty(), "{full}: a container has no arguments of its own");
            }
            // The key specifications describe the keys the command table locks.
            assert_eq!(
                entry.key_specs.is_empty(),
                matches!(spec.keys, Keys::None),
                "{full}: key specifications and the table's key positions disagree"
            );
            let mut used = Vec::new();
            key_spec_indexes(&entry.arguments, &mut used);
            for (i, ks) in entry.key_specs.iter().enumerate() {
                // Shard channels are `not_key` specs over plain string arguments in Redis.
                if ks.flags.contains(&"not_key") {
                    continue;
                }
                assert!(used.contains(&(i as u32)), "{full}: no argument has key_spec_index {i}");
            }
        }
        assert!(registry().docs("set").is_some_and(|d| !d.entry.arguments.is_empty()));
        assert!(registry().docs("quit").is_some_and(|d| d.entry.arguments.is_empty()), "`-` declares no arguments");
        assert!(registry().docs("CLIENT|KILL").is_some(), "looked up like a command");
    }

    /// Argument lists for the command `full` (`client|kill`: `CLIENT KILL ...`) written
    /// from its argument tree, each of a different shape: with and without the optional
    /// arguments, the first or the last alternative of each `oneof`, one to three of
    /// each repeated argument. Keys are `k1`, `k2`...; an integer is the number of
    /// repetitions, so a `numkeys` counts the keys that follow it.
    fn samples(full: &str, args: &[Arg]) -> Vec<Vec<Bytes>> {
        struct Writer {
            optional: bool,
            last: bool,
            repeat: usize,
            keys: usize,
            out: Vec<String>,
        }
        impl Writer {
            fn arg(&mut self, arg: &Arg) {
                if arg.optional && !self.optional {
                    return;
                }
                for i in 0..if arg.multiple { self.repeat } else { 1 } {
                    if let Some(token) = arg.token.filter(|_| i == 0 || arg.multiple_token) {
                        self.out.push(token.to_string());
                    }
                    let value = match arg.kind {
                        ArgType::PureToken => continue,
                        ArgType::Oneof => {
                            let alternative = if self.last { arg.args.last() } else { arg.args.first() };
                            self.arg(alternative.unwrap());
                            continue;
                        }
                        ArgType::Block => {
                            arg.args.iter().for_each(|a| self.arg(a));
                            continue;
                        }
                        ArgType::Key => {
                            self.keys += 1;
                            format!("k{}", self.keys)
                        }
                        ArgType::Integer => self.repeat.to_string(),
                        ArgType::Double => "1.5".into(),
                        ArgType::Pattern => "p*".into(),
                        ArgType::UnixTime => "1700000000".into(),
                        ArgType::String => "v".into(),
                    };
                    self.out.push(value);
                }
            }
        }
        let mut all = Vec::new();
        for optional in [false, true] {
            for last in [false, true] {
                for repeat in 1..=3 {
                    let mut w = Writer { optional, last, repeat, keys: 0, out: full.split('|').map(str::to_string).collect() };
                    args.iter().for_each(|a| w.arg(a));
                    let argv: Vec<Bytes> = w.out.into_iter().map(Bytes::from).collect();
                    if !all.contains(&argv) {
                        all.push(argv);
                    }
                }
            }
        }
        all
    }

    /// Argument lists the argument trees do not write: counts that do not match the
    /// keys, keywords in other cases and places.
    const MORE_SAMPLES: &[&str] = &[
        "sort k STORE d",
        "sort k BY p LIMIT 0 1 GET g store d ALPHA",
        "sort k STORE",
        "sort_ro k BY p GET g",
        "zunionstore d 2 a b WEIGHTS 1 2",
        "zunionstore d 3 a b",
        "zunionstore d x a b",
        "zinterstore d 1 a b",
        "zdiffstore d 0 a",
        "zunion 3 a b",
        "zinter 1 a b WITHSCORES",
        "zintercard 2 a b LIMIT 1",
        "zmpop 2 a b MIN COUNT 1",
        "bzmpop 0 2 a b MAX",
        "bzmpop 0 -1 a b MAX",
        "sintercard 2 a b LIMIT 1",
        "sintercard 5 a b",
        "lmpop 2 a b LEFT",
        "lmpop 3 a b LEFT",
        "blmpop 0 2 a b RIGHT COUNT 2",
        "blmpop 0 x a b RIGHT",
        "mset a 1 b 2 c",
        "msetnx a 1 b",
        "bitop AND d a b c",
        "blpop a b c 0",
        "brpoplpush a b 0",
        "blmove a b LEFT RIGHT 0",
        "bzpopmin a b 0",
        "watch a b",
        "smove a b m",
        "copy a b DB 1 REPLACE",
        "object encoding k",
    ];

    /// Whether Redis can find every key of the command from its key specifications
    /// alone; otherwise the command has its own key-finding code (MOVABLE_KEYS).
    fn specs_find_every_key(entry: &Entry) -> bool {
        entry.key_specs.iter().all(|s| {
            s.begin_search != BeginSearch::Unknown && s.find_keys != FindKeys::Unknown && !s.flags.contains(&"incomplete")
        })
    }

    #[test]
    fn locked_keys_are_the_keys_the_key_specs_find() {
        let reg = registry();
        let mut lines: Vec<(String, Vec<Bytes>)> = Vec::new();
        for (full, spec) in &reg.specs {
            if spec.handler.is_some() {
                let entry = &reg.docs(full).unwrap().entry;
                lines.extend(samples(full, &entry.arguments).into_iter().map(|argv| (full.clone(), argv)));
            }
        }
        for line in MORE_SAMPLES {
            let words: Vec<&str> = line.split(' ').collect();
            let sub = format!("{}|{}", words[0], words[1]);
            let full = if reg.index_of(sub.as_bytes()).is_some() { sub } else { words[0].to_string() };
            lines.push((full, words.iter().map(|w| Bytes::copy_from_slice(w.as_bytes())).collect()));
        }
        let mut checked = HashSet::new();
        for (full, argv) in &lines {
            let spec = reg.specs[reg.index_of(full.as_bytes()).unwrap()].1;
            if !spec.arity_ok(argv.len()) {
                continue;
            }
            checked.insert(full.clone());
            let entry = &reg.docs(full).unwrap().entry;
            let mut locked = spec.keys.positions(argv);
            locked.sort_unstable();
            let mut found: Vec<usize> = keys_by_spec(&entry.key_specs, argv).into_iter().map(|(i, _)| i).collect();
            found.sort_unstable();
            let line = argv.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>().join(" ");
            // A key count that is not a number, or counts keys past the end, makes Redis
            // give up on the key specifications and ask the command, which refuses the
            // line (`Invalid arguments specified for command`); the command refuses it
            // too, so the keys it locks meanwhile only need to cover those found.
            let bad_count = entry.key_specs.iter().any(|s| {
                matches!(s.find_keys, FindKeys::Keynum { .. }) && keys_by_spec(std::slice::from_ref(s), argv).is_empty()
            });
            if specs_find_every_key(entry) && !bad_count {
                assert_eq!(locked, found, "{line:?}: locked keys vs the keys the key specifications find");
            } else {
                assert!(spec.has(flags::MOVABLE_KEYS), "{full}: key specifications that cannot find every key, but no movablekeys");
                assert!(found.iter().all(|i| locked.contains(i)), "{line:?}: locks {locked:?}, the key specifications find {found:?}");
            }
        }
        for (full, spec) in &reg.specs {
            let keyless = matches!(spec.keys, Keys::None);
            assert!(keyless || checked.contains(full), "{full}: no sample argument list fits its arity");
        }
    }

    #[test]
    fn acl_categories_follow_redis_rules_and_order() {
        let cats = |full: &str| registry().acl_categories(full);
        for (full, _) in &registry().specs {
            let got = registry().acl_categories(full);
            let ranks: Vec<usize> =
                got.iter().map(|c| table::ACL_CATEGORY_ORDER.iter().position(|o| o == c).expect(c)).collect();
            assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{full}: {got:?} not in Redis's order");
        }
        assert_eq!(cats("get"), ["@read", "@string", "@fast"]);
        assert_eq!(cats("blpop"), ["@write", "@list", "@slow", "@blocking"]);
        assert_eq!(cats("config|set"), ["@admin", "@slow", "@dangerous"]);
        // A docs `acl:` line replaces the group's category; a container has none.
        assert_eq!(cats("sort"), ["@write", "@set", "@sortedset", "@list", "@slow", "@dangerous"]);
        assert_eq!(cats("keys"), ["@keyspace", "@read", "@slow", "@dangerous"]);
        assert_eq!(cats("client"), ["@slow"]);
        assert_eq!(cats("client|id"), ["@slow", "@connection"]);
    }
}

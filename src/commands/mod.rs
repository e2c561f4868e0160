//! Commands: the table, one dispatch path, and one file per command group.
//!
//! [`execute`] does lookup -> arity -> auth gate -> key locks -> handler -> atomic commit
//! -> statistics, for every transport alike. Handlers parse their arguments, act through
//! [`Ctx`], and return a [`Reply`]; they never see a socket and never check arity.

pub mod args;
pub mod bitmap;
pub mod blocking;
pub mod connection;
pub mod context;
pub mod cursor;
pub mod docs;
pub mod hash;
pub mod keys;
pub mod list;
pub mod server;
pub mod set;
pub mod sort;
pub mod string;
pub mod table;
pub mod txn;
pub mod zset;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::Instant;

use bytes::Bytes;

pub use context::{ClientInfo, Ctx, InstantMetrics, ServerState, Session};
pub use table::{flags, CommandSpec, Keys};

use crate::error::{unknown_command, Error};
use crate::protocol::Reply;
use crate::types::Txn;

/// Every command group's specs, joined explicitly.
pub fn all_commands() -> impl Iterator<Item = &'static CommandSpec> {
    [
        connection::COMMANDS,
        server::COMMANDS,
        txn::COMMANDS,
        string::COMMANDS,
        bitmap::COMMANDS,
        keys::COMMANDS,
        sort::COMMANDS,
        list::COMMANDS,
        hash::COMMANDS,
        set::COMMANDS,
        zset::COMMANDS,
    ].into_iter().flatten()
}

/// The looked-up table: top-level commands by name, and a flat index of every command
/// and subcommand (`config|get`) for statistics.
pub struct Registry {
    /// `(full name, spec)`, in stats order.
    pub specs: Vec<(String, &'static CommandSpec)>,
    by_name: HashMap<Vec<u8>, usize, BuildHasherDefault<Fnv>>,
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
        Registry { specs, by_name }
    }

    /// Finds a command (or `container|sub`) by case-insensitive name.
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

    pub fn get(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.index_of(name).map(|i| self.specs[i].1)
    }

    /// Top-level commands, in table order.
    pub fn top_level(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.specs.iter().filter(|(n, _)| !n.contains('|')).map(|(_, s)| *s)
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

/// The result of running one command.
pub struct Outcome {
    pub reply: Reply,
    /// Whether the command changed data (the connection then honours `appendfsync`).
    pub wrote: bool,
    /// The command found nothing and asks to block (see [`blocking`]).
    pub block: Option<blocking::BlockOn>,
}

fn reject(state: &ServerState, idx: Option<usize>, e: Error) -> Outcome {
    if let Some(i) = idx {
        state.command_stats[i].rejected.fetch_add(1, Ordering::Relaxed);
    }
    Outcome { reply: Reply::error(e.to_string()), wrote: false, block: None }
}

/// Finds the spec for `argv` (resolving subcommands) and checks arity.
fn resolve(state: &ServerState, argv: &[Bytes]) -> std::result::Result<(usize, &'static CommandSpec), Outcome> {
    let reg = registry();
    let Some(mut idx) = reg.index_of(&argv[0]) else {
        return Err(reject(state, None, unknown_command(argv)));
    };
    let mut spec = reg.specs[idx].1;
    if !spec.subcommands.is_empty() && (argv.len() >= 2 || spec.handler.is_none()) {
        if argv.len() < 2 {
            return Err(reject(state, Some(idx), Error::WrongArity(reg.specs[idx].0.clone())));
        }
        let mut full = spec.name.as_bytes().to_vec();
        full.push(b'|');
        full.extend_from_slice(&argv[1]);
        match reg.index_of(&full) {
            Some(i) => {
                idx = i;
                spec = reg.specs[i].1;
            }
            None => {
                let sub = String::from_utf8_lossy(&argv[1]).into_owned();
                let container = String::from_utf8_lossy(&argv[0]).to_uppercase();
                return Err(reject(state, Some(idx), Error::UnknownSubcommand { sub, container }));
            }
        }
    }
    if !spec.arity_ok(argv.len()) || spec.handler.is_none() {
        return Err(reject(state, Some(idx), Error::WrongArity(reg.specs[idx].0.clone())));
    }
    Ok((idx, spec))
}

/// Runs one command from `argv` (name first) for `session`.
pub fn execute(state: &ServerState, session: &mut Session, argv: &[Bytes]) -> Outcome {
    let (idx, spec) = match resolve(state, argv) {
        Ok(found) => found,
        Err(rejected) => {
            // A command refused while queueing makes EXEC fail, as in Redis.
            if let Some(multi) = session.multi.as_mut() {
                multi.aborted = true;
            }
            return rejected;
        }
    };
    if !session.authenticated && !spec.has(flags::NO_AUTH) {
        return reject(state, Some(idx), Error::NoAuth);
    }
    if session.multi.is_some() {
        if let Some(outcome) = txn::queue(state, session, idx, spec, argv) {
            return outcome;
        }
    }
    if spec.name == "exec" {
        return txn::exec(state, session, idx);
    }
    let store = &state.store;
    let _gate = Gate::take(store, spec.has(flags::EXCLUSIVE));
    let db = store.physical(session.db);
    let key_pos = spec.keys.positions(argv);
    let _locks = store.locks.lock(key_pos.iter().map(|&i| (db, &argv[i][..])));
    run_locked(state, session, idx, argv)
}

/// The database gate, held shared by ordinary commands and exclusively by the few that
/// act on whole databases. Held for its drop.
#[allow(dead_code)]
pub(crate) enum Gate<'a> {
    Shared(parking_lot::RwLockReadGuard<'a, ()>),
    Exclusive(parking_lot::RwLockWriteGuard<'a, ()>),
}

impl<'a> Gate<'a> {
    pub(crate) fn take(store: &'a crate::types::Store, exclusive: bool) -> Gate<'a> {
        if exclusive {
            Gate::Exclusive(store.exclusive())
        } else {
            Gate::Shared(store.shared())
        }
    }
}

/// Runs the resolved command `specs[idx]`; the caller holds the gate and key locks.
pub(crate) fn run_locked(state: &ServerState, session: &mut Session, idx: usize, argv: &[Bytes]) -> Outcome {
    let reg = registry();
    let (name, spec) = (&reg.specs[idx].0, reg.specs[idx].1);
    let Some(handler) = spec.handler else {
        return reject(state, Some(idx), Error::WrongArity(name.clone()));
    };
    {
        let mut last = session.info.last_cmd.lock();
        if *last != *name {
            *last = name.clone();
        }
    }
    let started = Instant::now();
    let store = &state.store;
    let db = store.physical(session.db);
    let mut ctx = Ctx { server: state, session, txn: Txn::new(store, db), block: None };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&mut ctx, argv)));
    let Ctx { txn, block, .. } = ctx;
    let (reply, wrote) = match result {
        Ok(Ok(reply)) => {
            let wrote = txn.wrote();
            match txn.commit() {
                Ok(touched) => {
                    state.touched(&touched);
                    (reply, wrote)
                }
                Err(e) => (Reply::error(e.to_string()), false),
            }
        }
        Ok(Err(e)) => (Reply::error(e.to_string()), false),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(command = %name, %what, "command panicked");
            (Reply::error(format!("ERR internal error in '{name}': {what}")), false)
        }
    };
    let stats = &state.command_stats[idx];
    stats.calls.fetch_add(1, Ordering::Relaxed);
    stats.usec.fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    if reply.is_error() {
        stats.failed.fetch_add(1, Ordering::Relaxed);
    }
    state.stats.commands_processed.fetch_add(1, Ordering::Relaxed);
    let block = if reply.is_error() { None } else { block };
    Outcome { reply, wrote, block }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn acl_categories_follow_redis_rules_and_order() {
        let cats = |full: &str| registry().specs.iter().find(|(n, _)| n == full).unwrap().1.acl_categories(full);
        for (full, spec) in &registry().specs {
            let got = spec.acl_categories(full);
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

//! The permission check of one command line for one user (Redis's
//! `ACLCheckAllUserCommandPerm`): a selector allows the command when it allows the
//! command (or its first argument), every key with the access the key needs, and every
//! channel; the user is allowed when one selector allows it.
//!
//! Keys come from the command table's key positions with the flags of the key
//! specifications that find them (`COMMAND GETKEYSANDFLAGS`): `access` needs read
//! permission; `insert`, `update` and `delete` need write permission.

use bytes::Bytes;

use super::user::{Selector, User, READ, WRITE};
use crate::commands::registry;
use crate::commands::table::flags;

/// Why a command was refused, with the argument at fault (its index in `argv`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

impl Denied {
    /// Redis's ranking of reasons when several selectors refuse: the most specific.
    fn rank(self) -> (u8, usize) {
        match self {
            Denied::Command => (1, 0),
            Denied::Key(i) => (2, i),
            Denied::Channel(i) => (4, i),
        }
    }
}

/// The permission a key's flags ask for.
fn needed(key_flags: &[&str]) -> u8 {
    let mut perm = 0;
    for f in key_flags {
        match *f {
            "access" => perm |= READ,
            "insert" | "update" | "delete" => perm |= WRITE,
            _ => {}
        }
    }
    perm
}

/// How a command names channels: PUBLISH and SPUBLISH one channel, SUBSCRIBE and
/// SSUBSCRIBE several, PSUBSCRIBE several patterns (compared literally).
fn channel_args(name: &str, argc: usize) -> Option<(std::ops::Range<usize>, bool)> {
    match name {
        "publish" | "spublish" => Some((1..2.min(argc), false)),
        "subscribe" | "ssubscribe" => Some((1..argc, false)),
        "psubscribe" => Some((1..argc, true)),
        _ => None,
    }
}

/// Lazily computed keys of the command line, shared by the selectors.
struct Keys<'a> {
    idx: usize,
    argv: &'a [Bytes],
    found: Option<Vec<(usize, &'static [&'static str])>>,
}

impl Keys<'_> {
    fn get(&mut self) -> &[(usize, &'static [&'static str])] {
        let (idx, argv) = (self.idx, self.argv);
        self.found.get_or_insert_with(|| {
            let (full, spec) = (&registry().specs[idx].0, registry().specs[idx].1);
            crate::commands::command::keys_with_flags(full, spec, argv)
        })
    }
}

fn check_selector(s: &Selector, idx: usize, argv: &[Bytes], keys: &mut Keys<'_>) -> Result<(), Denied> {
    let spec = registry().specs[idx].1;
    if !s.all_commands && !spec.has(flags::NO_AUTH) && !s.allows_command(idx) {
        let first = argv.get(1);
        let ok = match (s.first_args(idx), first) {
            (Some(list), Some(arg)) => list.iter().any(|a| a.eq_ignore_ascii_case(arg)),
            _ => false,
        };
        if !ok {
            return Err(Denied::Command);
        }
    }
    if !s.all_keys && !matches!(spec.keys, crate::commands::table::Keys::None) {
        for &(pos, key_flags) in keys.get() {
            if !key_allowed(s, &argv[pos], needed(key_flags)) {
                return Err(Denied::Key(pos));
            }
        }
    }
    if !s.all_channels {
        if let Some((range, literal)) = channel_args(spec.name, argv.len()) {
            for i in range {
                let ch = &argv[i][..];
                let ok = s.channels.iter().any(|p| if literal { p[..] == *ch } else { crate::glob::matches(p, ch, false) });
                if !ok {
                    return Err(Denied::Channel(i));
                }
            }
        }
    }
    Ok(())
}

fn key_allowed(s: &Selector, key: &[u8], perm: u8) -> bool {
    s.all_keys || s.keys.iter().any(|k| k.perm & perm == perm && crate::glob::matches(&k.pattern, key, false))
}

/// Whether `user` may run the command at registry index `idx` with `argv` (name
/// first, subcommand included).
pub fn check(user: &User, idx: usize, argv: &[Bytes]) -> Result<(), Denied> {
    let mut keys = Keys { idx, argv, found: None };
    let mut worst: Option<Denied> = None;
    for s in &user.selectors {
        match check_selector(s, idx, argv, &mut keys) {
            Ok(()) => return Ok(()),
            Err(d) => {
                if worst.map_or(true, |w| d.rank() > w.rank()) {
                    worst = Some(d);
                }
            }
        }
    }
    Err(worst.unwrap_or(Denied::Command))
}

/// Whether a selector that allows the command also allows every key for reading
/// (Redis's `ACLUserCheckCmdWithUnrestrictedKeyAccess`): what SORT's BY and GET need.
pub fn full_key_access(user: &User, idx: usize, argv: &[Bytes]) -> bool {
    let mut keys = Keys { idx, argv, found: None };
    user.selectors.iter().any(|s| {
        check_selector(s, idx, argv, &mut keys).is_ok()
            && (s.all_keys || s.keys.iter().any(|k| k.perm & READ == READ && k.pattern == b"*"))
    })
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

    fn run(u: &User, line: &str) -> Result<(), Denied> {
        let argv: Vec<Bytes> = line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect();
        let reg = registry();
        let sub = format!("{}|{}", line.split(' ').next().unwrap(), line.split(' ').nth(1).unwrap_or(""));
        let idx = reg.index_of(sub.as_bytes()).or_else(|| reg.index_of(&argv[0])).unwrap();
        check(u, idx, &argv)
    }

    #[test]
    fn commands_keys_and_channels() {
        let u = user(&["+@read", "~app:*", "&news.*"]);
        assert_eq!(run(&u, "get app:1"), Ok(()));
        assert_eq!(run(&u, "get other"), Err(Denied::Key(1)));
        assert_eq!(run(&u, "set app:1 v"), Err(Denied::Command));
        assert_eq!(run(&u, "mget app:1 x"), Err(Denied::Key(2)));
        let p = user(&["+@all", "%R~r:*", "%W~w:*", "&news.*"]);
        assert_eq!(run(&p, "get r:1"), Ok(()));
        assert_eq!(run(&p, "set r:1 v"), Err(Denied::Key(1)));
        assert_eq!(run(&p, "set w:1 v"), Ok(()));
        assert_eq!(run(&p, "copy r:1 w:1"), Ok(()));
        assert_eq!(run(&p, "copy w:1 r:1"), Err(Denied::Key(1)));
        assert_eq!(run(&p, "publish news.a m"), Ok(()));
        assert_eq!(run(&p, "publish sports m"), Err(Denied::Channel(1)));
        assert_eq!(run(&p, "psubscribe news.*"), Ok(()));
        assert_eq!(run(&p, "psubscribe news.a"), Err(Denied::Channel(1)));
        let s = user(&["+get", "~a", "(+set ~b)"]);
        assert_eq!(run(&s, "set b v"), Ok(()));
        assert_eq!(run(&s, "get b"), Err(Denied::Key(1)));
        assert_eq!(run(&s, "set a v"), Err(Denied::Key(1)));
        let f = user(&["+select|0", "+config|get"]);
        assert_eq!(run(&f, "select 0"), Ok(()));
        assert_eq!(run(&f, "select 1"), Err(Denied::Command));
        assert_eq!(run(&f, "config get x"), Ok(()));
        assert_eq!(run(&f, "config set x y"), Err(Denied::Command));
        assert_eq!(run(&f, "auth x"), Ok(()));
    }
}

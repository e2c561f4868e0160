//! Access control lists, Redis 7's model: users ([`user`]) with passwords, command,
//! key and channel permissions and selectors; the permission check every command passes
//! in dispatch ([`check`]); the ACL LOG ([`log`]); the aclfile and `user` config lines
//! ([`file`]); password hashes and the AUTH failure limit ([`password`]).
//!
//! A session holds its user's [`UserCell`]. The check reads one flag first: a user
//! that may run every command on every key and channel (the default user, unless
//! changed) skips the rest, so the hot path pays one atomic load.

pub mod categories;
pub mod check;
pub mod file;
pub mod log;
pub mod password;
pub mod user;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::{RwLock, RwLockReadGuard};

pub use check::Denied;
use user::User;

/// A user as sessions hold it: its rules, which ACL SETUSER changes in place, and the
/// fast-path flag derived from them.
pub struct UserCell {
    pub name: String,
    unrestricted: AtomicBool,
    rules: RwLock<User>,
}

impl UserCell {
    fn new(user: User) -> Arc<UserCell> {
        Arc::new(UserCell { name: user.name.clone(), unrestricted: AtomicBool::new(user.unrestricted()), rules: RwLock::new(user) })
    }

    /// Whether the user may run everything (no check needed).
    #[inline]
    pub fn unrestricted(&self) -> bool {
        self.unrestricted.load(Ordering::Relaxed)
    }

    pub fn read(&self) -> RwLockReadGuard<'_, User> {
        self.rules.read()
    }

    fn replace(&self, user: User) {
        let mut rules = self.rules.write();
        self.unrestricted.store(user.unrestricted(), Ordering::Relaxed);
        *rules = user;
    }
}

/// INFO stats `acl_access_denied_*` counters.
#[derive(Default)]
pub struct DeniedStats {
    pub auth: AtomicU64,
    pub cmd: AtomicU64,
    pub key: AtomicU64,
    pub channel: AtomicU64,
}

/// The server's users, ACL LOG and AUTH limiter.
pub struct Acl {
    users: RwLock<BTreeMap<String, Arc<UserCell>>>,
    default: Arc<UserCell>,
    /// The default user has `nopass` and is on: clients need no AUTH.
    open: AtomicBool,
    pub log: log::AclLog,
    pub limiter: password::AuthLimiter,
    pub denied: DeniedStats,
}

impl Default for Acl {
    fn default() -> Self {
        let default = UserCell::new(User::default_user());
        let mut users = BTreeMap::new();
        users.insert("default".to_string(), default.clone());
        Acl {
            users: RwLock::new(users),
            default,
            open: AtomicBool::new(true),
            log: Default::default(),
            limiter: Default::default(),
            denied: Default::default(),
        }
    }
}

impl Acl {
    /// The default user, every new connection's.
    pub fn default_user(&self) -> Arc<UserCell> {
        self.default.clone()
    }

    /// Whether clients must authenticate before running commands (Redis's
    /// `authRequired`: the default user has a password or is off).
    #[inline]
    pub fn auth_required(&self) -> bool {
        !self.open.load(Ordering::Relaxed)
    }

    fn refresh_open(&self) {
        let d = self.default.read();
        self.open.store(d.nopass && d.enabled, Ordering::Relaxed);
    }

    pub fn get(&self, name: &[u8]) -> Option<Arc<UserCell>> {
        self.users.read().get(std::str::from_utf8(name).ok()?).cloned()
    }

    /// Names in order (ACL USERS).
    pub fn names(&self) -> Vec<String> {
        self.users.read().keys().cloned().collect()
    }

    /// Every user's rules, in name order (ACL LIST, ACL SAVE).
    pub fn snapshot(&self) -> Vec<User> {
        self.users.read().values().map(|c| c.read().clone()).collect()
    }

    /// Creates or replaces the user `user.name` (ACL SETUSER after its rules applied
    /// to a copy). Returns the cell.
    pub fn put(&self, user: User) -> Arc<UserCell> {
        let mut users = self.users.write();
        let cell = match users.get(&user.name) {
            Some(cell) => {
                cell.replace(user);
                cell.clone()
            }
            None => {
                let cell = UserCell::new(user);
                users.insert(cell.name.clone(), cell.clone());
                cell
            }
        };
        drop(users);
        self.refresh_open();
        cell
    }

    /// Removes a user (never `default`); true when it existed.
    pub fn remove(&self, name: &[u8]) -> bool {
        let Ok(name) = std::str::from_utf8(name) else { return false };
        if name == "default" {
            return false;
        }
        self.users.write().remove(name).is_some()
    }

    /// Replaces every user at once (ACL LOAD, start-up); `default` keeps its cell, so
    /// sessions of the default user see its new rules. Missing `default`: Redis's.
    pub fn replace_all(&self, mut users: Vec<User>) {
        let default = match users.iter().position(|u| u.name == "default") {
            Some(i) => users.remove(i),
            None => User::default_user(),
        };
        self.default.replace(default);
        let mut map = BTreeMap::new();
        map.insert("default".to_string(), self.default.clone());
        for u in users {
            map.insert(u.name.clone(), UserCell::new(u));
        }
        *self.users.write() = map;
        self.refresh_open();
    }

    /// `requirepass`: Redis's `ACLUpdateDefaultUserPassword`.
    pub fn set_default_password(&self, pass: Option<&str>) {
        let mut u = self.default.read().clone();
        let _ = u.apply(b"resetpass", false);
        match pass {
            Some(p) => {
                let mut rule = b">".to_vec();
                rule.extend_from_slice(p.as_bytes());
                let _ = u.apply(&rule, false);
            }
            None => {
                let _ = u.apply(b"nopass", false);
            }
        }
        self.default.replace(u);
        self.refresh_open();
    }

    /// Checks `pass` for `user` (Redis's `ACLCheckUserCredentials`) against the SHA-256
    /// digests, and against an Argon2id hash only through `proof`, the result of
    /// [`Acl::argon2_proof`] run earlier off the command path.
    pub fn credentials(&self, user: &[u8], pass: &[u8], proof: Option<&ArgonProof>) -> Option<Arc<UserCell>> {
        let cell = self.get(user)?;
        let ok = {
            let u = cell.read();
            if !u.enabled {
                return None;
            }
            u.nopass || {
                let digest = password::sha256_hex(pass);
                let sha = u.passwords.iter().fold(false, |ok, p| ok | password::same_secret(p.as_bytes(), digest.as_bytes()));
                sha || proof.is_some_and(|p| p.user == u.name && p.digest == digest && u.passwords.contains(&p.hash))
            }
        };
        ok.then_some(cell)
    }

    /// For AUTH and HELLO ... AUTH naming a user with Argon2id hashes and a password
    /// that matches no SHA-256 digest: the check to run on a blocking thread. `None`
    /// when there is nothing slow to check.
    pub fn argon2_job(&self, user: &[u8], pass: &[u8]) -> Option<impl FnOnce() -> Option<ArgonProof> + Send + 'static> {
        let cell = self.get(user)?;
        let u = cell.read();
        let hashes: Vec<String> = u.passwords.iter().filter(|p| password::is_argon2(p)).cloned().collect();
        if hashes.is_empty() || !u.enabled || u.nopass {
            return None;
        }
        let digest = password::sha256_hex(pass);
        if u.passwords.contains(&digest) {
            return None;
        }
        let (name, pass) = (u.name.clone(), pass.to_vec());
        Some(move || {
            let hash = hashes.into_iter().find(|h| password::verify_argon2(h, &pass))?;
            Some(ArgonProof { user: name, digest, hash })
        })
    }
}

/// A password found to match a user's Argon2id hash, off the command path.
#[derive(Debug, Clone)]
pub struct ArgonProof {
    pub user: String,
    /// SHA-256 of the password, so the proof holds for that password only.
    pub digest: String,
    pub hash: String,
}

/// The user and password of an AUTH or HELLO ... AUTH command line, if it is one.
pub fn auth_credentials(argv: &[Bytes]) -> Option<(Bytes, Bytes)> {
    let name = &argv[0];
    if name.eq_ignore_ascii_case(b"auth") {
        return match argv.len() {
            2 => Some((Bytes::from_static(b"default"), argv[1].clone())),
            3 => Some((argv[1].clone(), argv[2].clone())),
            _ => None,
        };
    }
    if name.eq_ignore_ascii_case(b"hello") {
        let at = argv.iter().position(|a| a.eq_ignore_ascii_case(b"auth"))?;
        return Some((argv.get(at + 1)?.clone(), argv.get(at + 2)?.clone()));
    }
    None
}

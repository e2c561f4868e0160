//! The slow log (SLOWLOG GET / LEN / RESET): the last `slowlog-max-len` commands that
//! ran for `slowlog-log-slower-than` microseconds or more (a negative threshold turns it
//! off, 0 logs everything), newest first, with Redis 7's entry fields and its rules for
//! shortening arguments and hiding secrets.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use bytes::Bytes;
use parking_lot::Mutex;

/// At most this many arguments are kept; the last kept one says how many were left out
/// (Redis's `SLOWLOG_ENTRY_MAX_ARGC`).
pub const MAX_ARGC: usize = 32;
/// Longer arguments keep this many bytes and say how many were cut
/// (`SLOWLOG_ENTRY_MAX_STRING`).
pub const MAX_STRING: usize = 128;

/// One logged command.
pub struct Entry {
    pub id: u64,
    /// Unix seconds when the command ended.
    pub time: i64,
    pub micros: u64,
    pub argv: Vec<Bytes>,
    /// `ip:port` (or the Unix socket path) of the client, and its CLIENT SETNAME name.
    pub addr: String,
    pub name: Bytes,
}

#[derive(Default)]
pub struct SlowLog {
    /// `slowlog-log-slower-than`, in µs; negative: off.
    threshold_us: AtomicI64,
    /// `slowlog-max-len`.
    max_len: AtomicU64,
    next_id: AtomicU64,
    /// Newest first.
    entries: Mutex<VecDeque<Entry>>,
}

impl SlowLog {
    pub fn configure(&self, threshold_us: i64, max_len: i64) {
        self.threshold_us.store(threshold_us, Ordering::Relaxed);
        let max_len = max_len.max(0) as u64;
        self.max_len.store(max_len, Ordering::Relaxed);
        // Redis trims at the next entry; trimming now makes SLOWLOG LEN agree at once.
        self.entries.lock().truncate(max_len as usize);
    }

    /// Whether a command that ran `micros` µs is logged.
    #[inline]
    pub fn wants(&self, micros: u64) -> bool {
        let t = self.threshold_us.load(Ordering::Relaxed);
        t >= 0 && micros >= t as u64 && self.max_len.load(Ordering::Relaxed) > 0
    }

    /// Logs a command (the caller checked [`SlowLog::wants`]).
    pub fn push(&self, command: &str, argv: &[Bytes], micros: u64, addr: String, name: Bytes) {
        let entry = Entry {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            time: crate::types::now_ms() / 1000,
            micros,
            argv: shorten(command, argv),
            addr,
            name,
        };
        let max = self.max_len.load(Ordering::Relaxed) as usize;
        let mut entries = self.entries.lock();
        entries.push_front(entry);
        entries.truncate(max);
    }

    /// Calls `each` with up to `count` entries, newest first.
    pub fn newest(&self, count: usize, mut each: impl FnMut(&Entry)) {
        self.entries.lock().iter().take(count).for_each(&mut each);
    }

    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    pub fn reset(&self) {
        self.entries.lock().clear();
    }
}

/// The arguments as the slow log keeps them: secrets replaced by `(redacted)` where
/// Redis 7 hides them, at most [`MAX_ARGC`] arguments (the last saying
/// `... (N more arguments)`) and at most [`MAX_STRING`] bytes each (then
/// `... (N more bytes)`).
fn shorten(command: &str, argv: &[Bytes]) -> Vec<Bytes> {
    let kept = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (j, arg) in argv.iter().take(kept).enumerate() {
        if kept != argv.len() && j == kept - 1 {
            out.push(Bytes::from(format!("... ({} more arguments)", argv.len() - kept + 1)));
        } else if redacted(command, argv, j) {
            out.push(Bytes::from_static(b"(redacted)"));
        } else if arg.len() > MAX_STRING {
            let mut cut = arg[..MAX_STRING].to_vec();
            cut.extend_from_slice(format!("... ({} more bytes)", arg.len() - MAX_STRING).as_bytes());
            out.push(Bytes::from(cut));
        } else {
            out.push(arg.clone());
        }
    }
    out
}

/// Whether argument `j` of `argv` (command `command`, a full name such as
/// `config|set`) is a secret Redis 7 keeps out of the slow log: AUTH's arguments,
/// HELLO's AUTH username and password, MIGRATE's AUTH / AUTH2 credentials, ACL
/// SETUSER's rules, and the value given to CONFIG SET requirepass / masterauth.
fn redacted(command: &str, argv: &[Bytes], j: usize) -> bool {
    let is = |i: usize, word: &str| argv.get(i).is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()));
    match command {
        "auth" => j >= 1,
        "acl|setuser" => j >= 2,
        "hello" => (2..j).any(|i| is(i, "auth") && j <= i + 2),
        "migrate" => (6..j).any(|i| (is(i, "auth") && j == i + 1) || (is(i, "auth2") && j <= i + 2)),
        "config|set" => j >= 3 && j % 2 == 1 && (is(j - 1, "requirepass") || is(j - 1, "masterauth")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<Bytes> {
        items.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect()
    }

    #[test]
    fn long_argument_lists_and_strings_are_cut_like_redis() {
        let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let argv: Vec<Bytes> = many.iter().map(|s| Bytes::copy_from_slice(s.as_bytes())).collect();
        let out = shorten("sadd", &argv);
        assert_eq!(out.len(), 32);
        assert_eq!(out[30], "30");
        assert_eq!(out[31], "... (9 more arguments)");
        let long = "x".repeat(200);
        let out = shorten("set", &args(&["set", "k", &long]));
        assert_eq!(out[2], format!("{}... (72 more bytes)", "x".repeat(128)));
    }

    #[test]
    fn secrets_are_redacted() {
        let r = |cmd: &str, a: &[&str]| {
            shorten(cmd, &args(a)).into_iter().map(|b| String::from_utf8(b.to_vec()).unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(r("auth", &["auth", "u", "p"]), ["auth", "(redacted)", "(redacted)"]);
        assert_eq!(r("hello", &["hello", "3", "AUTH", "u", "p", "SETNAME", "n"]), ["hello", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"]);
        assert_eq!(
            r("migrate", &["migrate", "h", "1", "k", "0", "10", "AUTH2", "u", "p", "KEYS", "a"]),
            ["migrate", "h", "1", "k", "0", "10", "AUTH2", "(redacted)", "(redacted)", "KEYS", "a"]
        );
        assert_eq!(r("config|set", &["config", "set", "requirepass", "s", "maxmemory", "1"]), ["config", "set", "requirepass", "(redacted)", "maxmemory", "1"]);
        assert_eq!(r("acl|setuser", &["acl", "setuser", "bob", ">pw"]), ["acl", "setuser", "(redacted)", "(redacted)"]);
    }
}

//! Config files and the command line, read as redis-server reads them, and CONFIG
//! REWRITE.
//!
//! # Format
//! One `directive arguments...` per line, `#` comments, arguments optionally quoted.
//! A parameter taking one value must get exactly one argument; list parameters (`save`,
//! `bind`, `client-output-buffer-limit`...) take several, or one quoted string of them.
//! `include path` reads another file in place; a path with `*`, `?` or `[` is a glob
//! pattern whose matches are read in sorted order (none is fine, as in Redis 7).
//! Renamed parameters are read under their old names too (`slave-read-only`).

use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};

use super::table::FILE_ONLY;
use super::{directive, Config, Directive, Effect, DIRECTIVES};

/// Nesting bound for `include`, so that a file including itself fails instead of looping.
const MAX_INCLUDE_DEPTH: usize = 16;

impl Config {
    /// Applies one `directive value` pair (a file line or a flag); for a list parameter
    /// `value` holds its arguments separated by spaces.
    pub fn apply(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.apply_args(name, &[value.to_string()], 0)
    }

    /// Applies one line's directive and arguments, read from a file included `depth`
    /// levels deep. Errors never show a secret.
    fn apply_args(&mut self, name: &str, args: &[String], depth: usize) -> Result<(), String> {
        let shown = |d: Option<&Directive>| {
            if d.is_some_and(|d| d.sensitive) {
                format!("'{name} (value hidden)'")
            } else {
                format!("'{name} {}'", args.join(" "))
            }
        };
        let Some(d) = directive(name) else {
            return self.apply_file_only(name, args, depth).map_err(|e| format!("{}: {e}", shown(None)));
        };
        let value = if d.kind.multi() {
            // One non-empty argument holding the list: split it as the arguments of a line.
            match args {
                [one] if !one.is_empty() => split_line(one).map(|a| a.join(" ")).unwrap_or_else(|| one.clone()),
                _ => args.join(" "),
            }
        } else if let [one] = args {
            one.clone()
        } else {
            return Err(format!("{}: wrong number of arguments", shown(Some(d))));
        };
        if d.canonical() == "save" {
            // In files and flags save lines add up; the first one drops the defaults.
            let before = if std::mem::replace(&mut self.report.save_read, true) { self.save.clone() } else { Vec::new() };
            (d.set)(self, &value).map_err(|e| format!("{}: {e}", shown(Some(d))))?;
            self.save.splice(0..0, before);
        } else {
            (d.set)(self, &value).map_err(|e| format!("{}: {e}", shown(Some(d))))?;
        }
        self.note(d);
        Ok(())
    }

    /// Records what the start-up report says about a directive just set.
    fn note(&mut self, d: &Directive) {
        if let Effect::Ignored(_) = d.effect {
            let name = d.canonical();
            if !self.report.without_effect.contains(&name) {
                self.report.without_effect.push(name);
            }
        }
        let warning = match d.canonical() {
            "replicaof" if !self.stored("replicaof", "").is_empty() => {
                "replicaof is set, but DiskDB has no replication: it runs as a primary with its own data"
            }
            "cluster-enabled" if self.stored("cluster-enabled", "no") == "yes" => {
                "cluster-enabled is yes, but DiskDB has no cluster mode: it runs standalone"
            }
            _ => return,
        };
        self.warn(warning.to_string());
    }

    fn warn(&mut self, warning: String) {
        if !self.report.warnings.contains(&warning) {
            self.report.warnings.push(warning);
        }
    }

    /// Directives that are not parameters: `include` and the ones accepted without effect.
    fn apply_file_only(&mut self, name: &str, args: &[String], depth: usize) -> Result<(), String> {
        let lower = name.to_ascii_lowercase();
        if lower == "sentinel" {
            return Err("sentinel directive while not in sentinel mode".into());
        }
        let Some(&(known, _)) = FILE_ONLY.iter().find(|(n, _)| *n == lower) else {
            return Err("Bad directive or wrong number of arguments".into());
        };
        let arity_ok = match known {
            "include" => args.len() == 1,
            "rename-command" => args.len() == 2,
            "user" | "loadmodule" => !args.is_empty(),
            _ => true,
        };
        if !arity_ok {
            return Err("Bad directive or wrong number of arguments".into());
        }
        match known {
            "include" => return self.include(&args[0], depth),
            "rename-command" => self.warn(format!("rename-command {} is not applied: DiskDB's commands keep their names", args[0])),
            "user" => {
                crate::acl::file::check_config_line(args)?;
                self.acl_users.push(args.to_vec());
                return Ok(());
            }
            "loadmodule" => self.warn(format!("loadmodule {} is not applied: DiskDB has no modules", args[0])),
            _ => {}
        }
        if !self.report.without_effect.contains(&known) {
            self.report.without_effect.push(known);
        }
        Ok(())
    }

    /// `include`: a file, or every file a glob pattern matches.
    fn include(&mut self, pattern: &str, depth: usize) -> Result<(), String> {
        for path in expand_glob(pattern) {
            self.read_file(&path, depth + 1)?;
        }
        Ok(())
    }

    /// Reads a Redis-style config file (and the files it includes).
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        self.read_file(path, 0)?;
        self.config_file = Some(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
        Ok(())
    }

    /// Applies `text` as the lines of a config file, except `include` (the fuzz target
    /// for config lines: `crate::fuzz_api::config_text`).
    pub fn apply_text(&mut self, text: &str) -> Result<(), String> {
        text.lines().try_for_each(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return Ok(());
            }
            let parts = split_line(line).ok_or("Unbalanced quotes in configuration line")?;
            match parts.split_first() {
                Some((name, _)) if name.eq_ignore_ascii_case("include") => Ok(()),
                Some((name, args)) => self.apply_args(name, args, 0),
                None => Ok(()),
            }
        })
    }

    fn read_file(&mut self, path: &Path, depth: usize) -> Result<(), String> {
        if depth > MAX_INCLUDE_DEPTH {
            return Err(format!("{}: included more than {MAX_INCLUDE_DEPTH} levels deep (does it include itself?)", path.display()));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        text.lines().enumerate().try_for_each(|(n, line)| {
            let at = |e: String| format!("{}:{}: {e}", path.display(), n + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return Ok(());
            }
            let parts = split_line(line).ok_or_else(|| at("Unbalanced quotes in configuration line".into()))?;
            let Some((name, args)) = parts.split_first() else { return Ok(()) };
            self.apply_args(name, args, depth).map_err(at)
        })
    }

    /// Builds the configuration from the command line: `diskdb [config-file] [--directive
    /// value]...`, as redis-server takes it. Flags override the file.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
        let mut cmd = Command::new("diskdb")
            .about("DiskDB: a persistent, Redis-compatible server on RocksDB")
            .version(env!("CARGO_PKG_VERSION"))
            .arg(Arg::new("config").value_name("CONFIG_FILE").help("Redis-style config file"));
        for d in DIRECTIVES {
            // Parameters without effect are accepted but not advertised.
            let hide = matches!(d.effect, Effect::Ignored(_)) || d.alias_of.is_some();
            cmd = cmd.arg(
                Arg::new(d.name)
                    .long(d.name)
                    .value_name("VALUE")
                    .help(d.effect.text())
                    .hide(hide)
                    .allow_hyphen_values(true)
                    .action(ArgAction::Set),
            );
        }
        let m = cmd.try_get_matches_from(std::iter::once("diskdb".to_string()).chain(args)).map_err(|e| e.to_string())?;
        let mut cfg = Config::default();
        if let Some(path) = m.get_one::<String>("config") {
            cfg.load_file(Path::new(path))?;
        }
        for d in DIRECTIVES {
            if let Some(v) = m.get_one::<String>(d.name) {
                cfg.apply(d.name, v).map_err(|e| format!("--{e}"))?;
            }
        }
        Ok(cfg)
    }

    /// CONFIG REWRITE: rewrites `path` so that it describes this configuration.
    /// Comments, `include` and other lines stay; each parameter keeps the place of its
    /// first line (an old name is written under the new one), with its current value on
    /// as many lines as it takes (`save`, `client-output-buffer-limit` write one per
    /// item), and its later lines go. Parameters whose value differs from the default
    /// and that the file did not mention are appended. The file is replaced atomically.
    pub fn rewrite(&self, path: &Path) -> Result<(), String> {
        self.rewrite_with_users(path, None)
    }

    /// [`Config::rewrite`], with the ACL `user` lines to write in place of the file's
    /// (Redis's `rewriteConfigUserOption`: every user when there is no aclfile, none when
    /// there is one). `None` leaves the file's `user` lines as they are. With user lines,
    /// `requirepass` is left out: the default user's line holds its password hashed, so
    /// no password reaches the file in clear.
    pub fn rewrite_with_users(&self, path: &Path, users: Option<&[String]>) -> Result<(), String> {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let mut users_written = false;
        let defaults = Config::default();
        let mut seen: Vec<&'static str> = Vec::new();
        let mut out = String::new();
        for line in old.lines() {
            let trimmed = line.trim();
            let name = trimmed.split_whitespace().next().unwrap_or("");
            let known = (!trimmed.starts_with('#')).then(|| directive(name)).flatten();
            if let (Some(users), true) = (users, name.eq_ignore_ascii_case("user")) {
                if !users_written {
                    users.iter().for_each(|u| {
                        out.push_str(u);
                        out.push('\n');
                    });
                    users_written = true;
                }
                continue;
            }
            match known {
                // The default user's `user` line carries its password as a SHA-256
                // hash: requirepass is not written in clear (Redis writes it).
                Some(d) if users.is_some() && d.canonical() == "requirepass" => continue,
                Some(d) if seen.contains(&d.canonical()) => continue,
                Some(d) => {
                    seen.push(d.canonical());
                    self.write_lines(d, &mut out);
                }
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        let mut header = false;
        for d in DIRECTIVES.iter().filter(|d| d.alias_of.is_none()) {
            if seen.contains(&d.name) || self.value_of(d) == defaults.value_of(d) {
                continue;
            }
            if users.is_some() && d.name == "requirepass" {
                continue;
            }
            if !header {
                out.push_str("# Generated by CONFIG REWRITE\n");
                header = true;
            }
            self.write_lines(d, &mut out);
        }
        if let (Some(users), false) = (users, users_written) {
            for u in users {
                if !header {
                    out.push_str("# Generated by CONFIG REWRITE\n");
                    header = true;
                }
                out.push_str(u);
                out.push('\n');
            }
        }
        let tmp = path.with_extension(format!("rewrite-{}", std::process::id()));
        std::fs::write(&tmp, out).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot replace {}: {e}", path.display())
        })
    }

    /// The lines CONFIG REWRITE writes for a parameter, under its current name. Byte
    /// counts are written with Redis's units (`64mb`).
    fn write_lines(&self, d: &Directive, out: &mut String) {
        let d = directive(d.canonical()).unwrap_or(d);
        let mut line = |value: &str| {
            out.push_str(d.name);
            out.push(' ');
            out.push_str(value);
            out.push('\n');
        };
        match d.name {
            "save" if self.save.is_empty() => line("\"\""),
            "save" => self.save.iter().for_each(|(s, c)| line(&format!("{s} {c}"))),
            "client-output-buffer-limit" => {
                for (class, l) in super::value::BUFFER_CLASSES.iter().zip(&self.client_output_buffer_limit) {
                    line(&format!("{class} {} {} {}", bytes(l.hard), bytes(l.soft), l.soft_seconds));
                }
            }
            _ => {
                let value = self.value_of(d);
                match d.kind {
                    super::Kind::Memory(..) => line(&value.parse().map(bytes).unwrap_or(value)),
                    // Lists are written as their arguments, unquoted.
                    super::Kind::List | super::Kind::Flags(_) if !value.is_empty() => line(&value),
                    _ => line(&quote(&value)),
                }
            }
        }
    }
}

/// Redis's `rewriteConfigFormatMemory`: the largest unit that divides exactly.
fn bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "gb"), (1 << 20, "mb"), (1 << 10, "kb")];
    match UNITS.iter().find(|(u, _)| n != 0 && n % u == 0) {
        Some((u, name)) => format!("{}{name}", n / u),
        None => n.to_string(),
    }
}

/// A value as one config-file argument: quoted when empty or holding spaces, quotes or
/// control characters.
fn quote(value: &str) -> String {
    let plain = !value.is_empty() && !value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\'' || c == '\\');
    if plain {
        return value.to_string();
    }
    let mut quoted = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Splits a line into arguments as redis-server does (`sdssplitargs`).
fn split_line(line: &str) -> Option<Vec<String>> {
    let parts = crate::protocol::decode::split_args(line.as_bytes())?;
    Some(parts.into_iter().map(|p| String::from_utf8_lossy(&p).into_owned()).collect())
}

/// The files an `include` names: the path itself, or for a glob pattern (`*`, `?`,
/// `[...]` in any component) the existing paths it matches, sorted; names starting with
/// a dot match only a pattern that starts with one, as glob(3) does.
fn expand_glob(pattern: &str) -> Vec<PathBuf> {
    let wild = |s: &str| s.contains(['*', '?', '[']);
    if !wild(pattern) {
        return vec![PathBuf::from(pattern)];
    }
    let mut found = vec![if pattern.starts_with('/') { PathBuf::from("/") } else { PathBuf::new() }];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        let mut next = Vec::new();
        for base in &found {
            if !wild(part) {
                next.push(base.join(part));
                continue;
            }
            let dir = if base.as_os_str().is_empty() { Path::new(".") } else { base.as_path() };
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
            names.retain(|n| (!n.starts_with('.') || part.starts_with('.')) && crate::glob::matches(part.as_bytes(), n.as_bytes(), false));
            names.sort();
            next.extend(names.into_iter().map(|n| base.join(n)));
        }
        found = next;
    }
    found.retain(|p| p.exists());
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Fsync;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("diskdb-cfg-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn file_then_flags() {
        let dir = temp("flags");
        let file = dir.join("a.conf");
        std::fs::write(&file, "# comment\nport 7000\nappendfsync always\ndir \"/tmp/x y\"\n").unwrap();
        let cfg =
            Config::from_args([file.display().to_string(), "--port".into(), "7001".into(), "--list-max-listpack-size".into(), "-3".into()])
                .unwrap();
        assert_eq!(cfg.port, 7001);
        assert_eq!(cfg.appendfsync, Fsync::Always);
        assert_eq!(cfg.dir, PathBuf::from("/tmp/x y"));
        assert_eq!(cfg.encoding.list_max_listpack_size, -3);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn lists_aliases_and_includes() {
        let dir = temp("include");
        std::fs::create_dir_all(dir.join("conf.d")).unwrap();
        std::fs::write(dir.join("conf.d/b.conf"), "slave-read-only no\n").unwrap();
        std::fs::write(dir.join("conf.d/a.conf"), "hash-max-ziplist-entries 64\nmaxclients 50\n").unwrap();
        std::fs::write(dir.join("conf.d/.hidden.conf"), "maxclients 1\n").unwrap();
        let main = dir.join("main.conf");
        let text = format!(
            "maxclients 10\ninclude {0}/conf.d/*.conf\ninclude {0}/none/*.conf\nsave 900 1\nsave 60 10000\n\
             client-output-buffer-limit normal 0 0 0\nclient-output-buffer-limit replica 256mb 64mb 60\nbind \"127.0.0.1 -::1\"\n",
            dir.display()
        );
        std::fs::write(&main, text).unwrap();
        let mut cfg = Config::default();
        cfg.load_file(&main).unwrap();
        assert_eq!(cfg.maxclients, 50, "included in sorted order, hidden files skipped");
        assert_eq!(cfg.encoding.hash_max_listpack_entries, 64);
        assert_eq!(cfg.stored("replica-read-only", "yes"), "no");
        assert_eq!(cfg.save, vec![(900, 1), (60, 10000)]);
        assert_eq!(cfg.bind, ["127.0.0.1", "-::1"]);
        assert!(cfg.report.without_effect.contains(&"replica-read-only"));
        assert!(cfg.report.warnings.is_empty());

        std::fs::write(dir.join("loop.conf"), format!("include {}\n", dir.join("loop.conf").display())).unwrap();
        assert!(Config::default().load_file(&dir.join("loop.conf")).unwrap_err().contains("levels deep"));
        std::fs::write(dir.join("bad.conf"), "requirepass a b\n").unwrap();
        let err = Config::default().load_file(&dir.join("bad.conf")).unwrap_err();
        assert!(err.ends_with("'requirepass (value hidden)': wrong number of arguments"), "{err}");
        std::fs::write(dir.join("bad.conf"), "nonsense 1\n").unwrap();
        assert!(Config::default().load_file(&dir.join("bad.conf")).unwrap_err().contains("Bad directive"));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn rewrite_keeps_comments_and_updates_values() {
        let dir = temp("rewrite");
        let path = dir.join("r.conf");
        std::fs::write(&path, "# mine\nport 7000\n\n# second\nport 7001\nslave-priority 5\nsave 900 1\nsave 60 5\n").unwrap();
        let mut cfg = Config::default();
        cfg.load_file(&path).unwrap();
        cfg.port = 7002;
        cfg.timeout = 30;
        cfg.maxmemory = 3 << 30;
        cfg.dir = PathBuf::from("/tmp/a b");
        cfg.apply("client-output-buffer-limit", "pubsub 1mb 1000 7").unwrap();
        cfg.rewrite(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\nport 7002\n\n# second\nreplica-priority 5\nsave 900 1\nsave 60 5\n"), "{text}");
        assert!(!text.contains("port 7001"));
        assert!(text.contains("timeout 30\n"));
        assert!(text.contains("maxmemory 3gb\n"));
        assert!(text.contains("dir \"/tmp/a b\"\n"));
        assert!(text.contains("client-output-buffer-limit pubsub 1mb 1000 7\n"), "{text}");
        let back = Config::from_args([path.display().to_string()]).unwrap();
        for d in DIRECTIVES {
            assert_eq!(back.value_of(d), cfg.value_of(d), "{}", d.name);
        }
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn bad_directive_is_reported() {
        assert!(Config::default().apply("nonsense", "1").is_err());
        assert!(Config::default().apply("appendfsync", "sometimes").is_err());
        assert!(Config::default().apply("sentinel", "monitor x").unwrap_err().contains("sentinel directive"));
    }
}

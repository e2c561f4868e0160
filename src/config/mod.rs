//! Configuration: one [`Config`] struct, filled from defaults, then a Redis-style config
//! file (`directive value` per line), then command-line flags (`--directive value`).
//!
//! Every directive is declared once in [`DIRECTIVES`]; the file parser, the CLI, CONFIG
//! GET and CONFIG SET all read that table, so they cannot disagree.

use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};

/// `appendfsync`: when the write-ahead log is forced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    /// Before each reply that follows a write (group commit shares one fsync).
    Always,
    /// Once a second in the background.
    EverySec,
    /// Left to the operating system.
    No,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: Vec<String>,
    pub port: u16,
    /// `listen()` backlog of the TCP and Unix sockets (capped by the kernel's somaxconn).
    pub tcp_backlog: u32,
    pub unixsocket: Option<PathBuf>,
    pub unixsocketperm: u32,
    pub dir: PathBuf,
    pub databases: usize,
    pub appendfsync: Fsync,
    pub requirepass: Option<String>,
    pub maxclients: usize,
    /// Idle seconds before a client is closed; 0 = never.
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub proto_max_bulk_len: usize,
    pub client_query_buffer_limit: usize,
    pub loglevel: String,
    pub logfile: String,
    pub hz: u32,
    /// Tokio worker threads serving clients.
    pub io_threads: usize,
    pub pidfile: Option<PathBuf>,
    pub block_cache_size: usize,
    pub write_buffer_size: usize,
    /// Bytes of hot collection records kept in memory (`types::cache`); 0 disables.
    pub read_cache_size: usize,
    /// The file this configuration was read from, for INFO and CONFIG REWRITE.
    pub config_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: vec!["127.0.0.1".into()],
            port: 6380,
            tcp_backlog: 511,
            unixsocket: None,
            unixsocketperm: 0o700,
            dir: PathBuf::from("./diskdb-data"),
            databases: 16,
            appendfsync: Fsync::EverySec,
            requirepass: None,
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            proto_max_bulk_len: 512 << 20,
            client_query_buffer_limit: 1 << 30,
            loglevel: "notice".into(),
            logfile: String::new(),
            hz: 10,
            io_threads: 1,
            pidfile: None,
            block_cache_size: 256 << 20,
            write_buffer_size: 64 << 20,
            read_cache_size: 64 << 20,
            config_file: None,
        }
    }
}

/// One configuration directive.
pub struct Directive {
    pub name: &'static str,
    /// Whether CONFIG SET may change it while the server runs.
    pub mutable: bool,
    pub help: &'static str,
    pub get: fn(&Config) -> String,
    pub set: fn(&mut Config, &str) -> Result<(), String>,
}

/// Parses a memory amount the way Redis does: `1k`=1000, `1kb`=1024, `m`/`mb`, `g`/`gb`.
pub fn parse_memory(s: &str) -> Result<usize, String> {
    let lower = s.trim().to_ascii_lowercase();
    let split = lower.find(|c: char| !c.is_ascii_digit()).unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let n: usize = num.parse().map_err(|_| "argument must be a memory value".to_string())?;
    let mul: usize = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return Err("argument must be a memory value".into()),
    };
    n.checked_mul(mul).ok_or_else(|| "argument must be a memory value".into())
}

fn parse_num<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim().parse().map_err(|_| "argument couldn't be parsed into an integer".to_string())
}

/// An integer in `[lo, hi]`, with Redis's CONFIG SET error texts.
fn parse_bounded(s: &str, lo: i64, hi: i64) -> Result<i64, String> {
    let n: i64 = s.trim().parse().map_err(|_| "argument couldn't be parsed into an integer".to_string())?;
    if n < lo || n > hi {
        return Err(format!("argument must be between {lo} and {hi} inclusive"));
    }
    Ok(n)
}

/// A memory amount of at least `lo` bytes, with Redis's CONFIG SET error texts.
fn parse_memory_at_least(s: &str, lo: usize) -> Result<usize, String> {
    let n = parse_memory(s)?;
    if n < lo || n > i64::MAX as usize {
        return Err(format!("argument must be between {lo} and {} inclusive", i64::MAX));
    }
    Ok(n)
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err("argument must be 'yes' or 'no'".into()),
    }
}

pub const DIRECTIVES: &[Directive] = &[
    Directive {
        name: "bind",
        mutable: false,
        help: "Addresses to listen on, space separated.",
        get: |c| c.bind.join(" "),
        set: |c, v| {
            c.bind = v.split_whitespace().map(str::to_string).collect();
            Ok(())
        },
    },
    Directive {
        name: "port",
        mutable: false,
        help: "TCP port; 0 disables TCP.",
        get: |c| c.port.to_string(),
        set: |c, v| parse_num(v).map(|p| c.port = p),
    },
    Directive {
        name: "tcp-backlog",
        mutable: false,
        help: "Pending connections the kernel queues for TCP and the Unix socket (capped by net.core.somaxconn).",
        get: |c| c.tcp_backlog.to_string(),
        set: |c, v| parse_bounded(v, 0, i32::MAX as i64).map(|n| c.tcp_backlog = n as u32),
    },
    Directive {
        name: "unixsocket",
        mutable: false,
        help: "Path of a Unix socket to listen on as well; empty disables it.",
        get: |c| c.unixsocket.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        set: |c, v| {
            c.unixsocket = if v.is_empty() { None } else { Some(PathBuf::from(v)) };
            Ok(())
        },
    },
    Directive {
        name: "unixsocketperm",
        mutable: false,
        help: "Permissions of the Unix socket, octal.",
        get: |c| format!("{:o}", c.unixsocketperm),
        set: |c, v| u32::from_str_radix(v.trim(), 8).map(|p| c.unixsocketperm = p).map_err(|_| "invalid permissions".into()),
    },
    Directive {
        name: "dir",
        mutable: false,
        help: "Data directory (RocksDB files).",
        get: |c| c.dir.display().to_string(),
        set: |c, v| {
            c.dir = PathBuf::from(v);
            Ok(())
        },
    },
    Directive {
        name: "databases",
        mutable: false,
        help: "Number of databases (1 to 256).",
        get: |c| c.databases.to_string(),
        set: |c, v| match parse_num::<usize>(v)? {
            n @ 1..=256 => {
                c.databases = n;
                Ok(())
            }
            _ => Err("argument must be between 1 and 256 inclusive".into()),
        },
    },
    Directive {
        name: "appendfsync",
        mutable: true,
        help: "always | everysec | no: when the write-ahead log is fsynced.",
        get: |c| {
            match c.appendfsync {
                Fsync::Always => "always",
                Fsync::EverySec => "everysec",
                Fsync::No => "no",
            }
            .into()
        },
        set: |c, v| {
            c.appendfsync = match v.to_ascii_lowercase().as_str() {
                "always" => Fsync::Always,
                "everysec" => Fsync::EverySec,
                "no" => Fsync::No,
                _ => return Err("argument(s) must be one of the following: everysec, always, no".into()),
            };
            Ok(())
        },
    },
    Directive {
        name: "appendonly",
        mutable: true,
        help: "Always yes: every write goes to the RocksDB write-ahead log. 'no' is refused.",
        get: |_| "yes".into(),
        set: |_, v| match parse_yes_no(v)? {
            true => Ok(()),
            false => Err("DiskDB always logs writes; appendonly cannot be turned off".into()),
        },
    },
    Directive {
        name: "save",
        mutable: true,
        help: "Accepted for compatibility and ignored: every write is already on disk (there are no snapshots).",
        get: |_| String::new(),
        set: |_, _| Ok(()),
    },
    Directive {
        name: "requirepass",
        mutable: true,
        help: "Password clients must give with AUTH or HELLO; empty means none.",
        get: |c| c.requirepass.clone().unwrap_or_default(),
        set: |c, v| {
            c.requirepass = if v.is_empty() { None } else { Some(v.to_string()) };
            Ok(())
        },
    },
    Directive {
        name: "maxclients",
        mutable: true,
        help: "Most clients connected at once.",
        get: |c| c.maxclients.to_string(),
        set: |c, v| parse_bounded(v, 1, u32::MAX as i64).map(|n| c.maxclients = n as usize),
    },
    Directive {
        name: "timeout",
        mutable: true,
        help: "Close a client idle for this many seconds; 0 never.",
        get: |c| c.timeout.to_string(),
        set: |c, v| parse_bounded(v, 0, i32::MAX as i64).map(|n| c.timeout = n as u64),
    },
    Directive {
        name: "tcp-keepalive",
        mutable: true,
        help: "TCP keepalive interval in seconds; 0 disables.",
        get: |c| c.tcp_keepalive.to_string(),
        set: |c, v| parse_bounded(v, 0, i32::MAX as i64).map(|n| c.tcp_keepalive = n as u64),
    },
    Directive {
        name: "proto-max-bulk-len",
        mutable: true,
        help: "Largest bulk string a client may send (and largest string value).",
        get: |c| c.proto_max_bulk_len.to_string(),
        set: |c, v| parse_memory_at_least(v, 1024 * 1024).map(|n| c.proto_max_bulk_len = n),
    },
    Directive {
        name: "client-query-buffer-limit",
        mutable: true,
        help: "Most bytes buffered for one client's incomplete request.",
        get: |c| c.client_query_buffer_limit.to_string(),
        set: |c, v| parse_memory_at_least(v, 1024 * 1024).map(|n| c.client_query_buffer_limit = n),
    },
    Directive {
        name: "loglevel",
        mutable: true,
        help: "debug | verbose | notice | warning | nothing.",
        get: |c| c.loglevel.clone(),
        set: |c, v| match v.to_ascii_lowercase().as_str() {
            l @ ("debug" | "verbose" | "notice" | "warning" | "nothing") => {
                c.loglevel = l.to_string();
                Ok(())
            }
            _ => Err("argument(s) must be one of the following: debug, verbose, notice, warning, nothing".into()),
        },
    },
    Directive {
        name: "logfile",
        mutable: false,
        help: "Log file; empty logs to standard error.",
        get: |c| c.logfile.clone(),
        set: |c, v| {
            c.logfile = v.to_string();
            Ok(())
        },
    },
    Directive {
        name: "hz",
        mutable: true,
        help: "Background task frequency (active expiry cycles per second), 1 to 500.",
        get: |c| c.hz.to_string(),
        set: |c, v| parse_bounded(v, 0, i32::MAX as i64).map(|n| c.hz = n.clamp(1, 500) as u32),
    },
    Directive {
        name: "io-threads",
        mutable: false,
        help: "Threads serving clients (1 to 64). One is fastest on small machines: RocksDB's own threads take the other cores.",
        get: |c| c.io_threads.to_string(),
        set: |c, v| match parse_num::<usize>(v)? {
            n @ 1..=64 => {
                c.io_threads = n;
                Ok(())
            }
            _ => Err("argument must be between 1 and 64 inclusive".into()),
        },
    },
    Directive {
        name: "pidfile",
        mutable: false,
        help: "Write the process id to this file; empty for none.",
        get: |c| c.pidfile.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
        set: |c, v| {
            c.pidfile = if v.is_empty() { None } else { Some(PathBuf::from(v)) };
            Ok(())
        },
    },
    Directive {
        name: "rocksdb-block-cache-size",
        mutable: false,
        help: "RocksDB block cache shared by all column families.",
        get: |c| c.block_cache_size.to_string(),
        set: |c, v| parse_memory(v).map(|n| c.block_cache_size = n),
    },
    Directive {
        name: "rocksdb-write-buffer-size",
        mutable: false,
        help: "RocksDB memtable size per column family.",
        get: |c| c.write_buffer_size.to_string(),
        set: |c, v| parse_memory(v).map(|n| c.write_buffer_size = n),
    },
    Directive {
        name: "read-cache-size",
        mutable: true,
        help: "Memory for windows of hot collections' records, so repeated range reads skip RocksDB; 0 disables.",
        get: |c| c.read_cache_size.to_string(),
        set: |c, v| parse_memory(v).map(|n| c.read_cache_size = n),
    },
];

/// One `directive value` line; values that are empty or hold spaces or quotes are
/// quoted (except `bind`, whose value is a space-separated list).
fn rewrite_line(d: &Directive, value: &str) -> String {
    let plain = !value.is_empty() && !value.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '\\');
    if plain || d.name == "bind" {
        return format!("{} {}", d.name, value);
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
    format!("{} {}", d.name, quoted)
}

pub fn directive(name: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

impl Config {
    /// Applies one `directive value...` pair; `line` names the place for error messages.
    pub fn apply(&mut self, name: &str, value: &str) -> Result<(), String> {
        let d = directive(name).ok_or_else(|| format!("Bad directive or wrong number of arguments: '{name}'"))?;
        (d.set)(self, value).map_err(|e| format!("'{name} {value}': {e}"))
    }

    /// The value of every directive, as CONFIG GET and CONFIG REWRITE write it.
    pub fn value_of(&self, d: &Directive) -> String {
        (d.get)(self)
    }

    /// CONFIG REWRITE: rewrites `path` so that it describes this configuration.
    /// Comments and unknown lines stay; each known directive keeps its first line with
    /// the current value (later duplicates go); directives whose value differs from the
    /// default and that the file did not mention are appended. The file is replaced
    /// atomically (written aside, then renamed).
    pub fn rewrite(&self, path: &Path) -> Result<(), String> {
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let defaults = Config::default();
        let mut seen: Vec<&'static str> = Vec::new();
        let mut out = String::new();
        for line in old.lines() {
            let trimmed = line.trim();
            let name = trimmed.split_whitespace().next().unwrap_or("");
            let known = (!trimmed.starts_with('#')).then(|| directive(name)).flatten();
            match known {
                Some(d) if seen.contains(&d.name) => continue,
                Some(d) => {
                    seen.push(d.name);
                    out.push_str(&rewrite_line(d, &self.value_of(d)));
                }
                None => out.push_str(line),
            }
            out.push('\n');
        }
        let mut header = false;
        for d in DIRECTIVES {
            let value = self.value_of(d);
            if seen.contains(&d.name) || value == defaults.value_of(d) {
                continue;
            }
            if !header {
                out.push_str("# Generated by CONFIG REWRITE\n");
                header = true;
            }
            out.push_str(&rewrite_line(d, &value));
            out.push('\n');
        }
        let tmp = path.with_extension(format!("rewrite-{}", std::process::id()));
        std::fs::write(&tmp, out).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot replace {}: {e}", path.display())
        })
    }

    /// Reads a Redis-style config file: `directive value` per line, `#` comments, values
    /// optionally in double quotes.
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts = crate::protocol::decode::split_args(line.as_bytes())
                .ok_or_else(|| format!("{}:{}: unbalanced quotes", path.display(), n + 1))?;
            let parts: Vec<String> = parts.into_iter().map(|p| String::from_utf8_lossy(&p).into_owned()).collect();
            let Some((name, rest)) = parts.split_first() else { continue };
            self.apply(name, &rest.join(" ")).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        }
        self.config_file = Some(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
        Ok(())
    }

    /// Builds the configuration from the command line: `diskdb [config-file] [--directive
    /// value]...`, as redis-server takes it. Flags override the file.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Config, String> {
        let mut cmd = Command::new("diskdb")
            .about("DiskDB: a persistent, Redis-compatible server on RocksDB")
            .version(env!("CARGO_PKG_VERSION"))
            .arg(Arg::new("config").value_name("CONFIG_FILE").help("Redis-style config file"));
        for d in DIRECTIVES {
            cmd = cmd.arg(Arg::new(d.name).long(d.name).value_name("VALUE").help(d.help).action(ArgAction::Set));
        }
        let m = cmd.try_get_matches_from(std::iter::once("diskdb".to_string()).chain(args)).map_err(|e| e.to_string())?;
        let mut cfg = Config::default();
        if let Some(path) = m.get_one::<String>("config") {
            cfg.load_file(Path::new(path))?;
        }
        for d in DIRECTIVES {
            if let Some(v) = m.get_one::<String>(d.name) {
                cfg.apply(d.name, v)?;
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("512mb"), Ok(512 << 20));
        assert_eq!(parse_memory("1k"), Ok(1000));
        assert_eq!(parse_memory("1GB"), Ok(1 << 30));
        assert!(parse_memory("12q").is_err());
    }

    #[test]
    fn file_then_flags() {
        let dir = std::env::temp_dir().join(format!("diskdb-cfg-{}", std::process::id()));
        std::fs::write(&dir, "# comment\nport 7000\nappendfsync always\ndir \"/tmp/x y\"\n").unwrap();
        let cfg = Config::from_args([dir.display().to_string(), "--port".into(), "7001".into()]).unwrap();
        assert_eq!(cfg.port, 7001);
        assert_eq!(cfg.appendfsync, Fsync::Always);
        assert_eq!(cfg.dir, PathBuf::from("/tmp/x y"));
        std::fs::remove_file(dir).ok();
    }

    #[test]
    fn rewrite_keeps_comments_and_updates_values() {
        let path = std::env::temp_dir().join(format!("diskdb-rewrite-{}.conf", std::process::id()));
        std::fs::write(&path, "# mine\nport 7000\n\n# second\nport 7001\n").unwrap();
        let mut cfg = Config::default();
        cfg.port = 7002;
        cfg.timeout = 30;
        cfg.dir = PathBuf::from("/tmp/a b");
        cfg.rewrite(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\nport 7002\n\n# second\n"), "{text}");
        assert!(!text.contains("port 7001"));
        assert!(text.contains("timeout 30\n"));
        assert!(text.contains("dir \"/tmp/a b\"\n"));
        let back = Config::from_args([path.display().to_string()]).unwrap();
        assert_eq!(back.port, 7002);
        assert_eq!(back.timeout, 30);
        assert_eq!(back.dir, PathBuf::from("/tmp/a b"));
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn bounds_use_redis_texts() {
        let mut c = Config::default();
        let d = directive("maxclients").unwrap();
        assert_eq!((d.set)(&mut c, "0"), Err("argument must be between 1 and 4294967295 inclusive".into()));
        assert_eq!((d.set)(&mut c, "x"), Err("argument couldn't be parsed into an integer".into()));
    }

    #[test]
    fn bad_directive_is_reported() {
        assert!(Config::default().apply("nonsense", "1").is_err());
        assert!(Config::default().apply("appendfsync", "sometimes").is_err());
    }
}

/// The tracing filter for a Redis `loglevel`.
pub fn tracing_filter(loglevel: &str) -> String {
    let level = match loglevel {
        "debug" | "verbose" => "debug",
        "notice" => "info",
        "warning" => "warn",
        _ => "off",
    };
    format!("diskdb={level}")
}

/// Installed by the binary once logging is set up: changes the running log filter.
pub static LOGLEVEL_HOOK: std::sync::OnceLock<Box<dyn Fn(&str) + Send + Sync>> = std::sync::OnceLock::new();

/// Applies a new `loglevel` to the running log output (CONFIG SET loglevel).
pub fn apply_loglevel(loglevel: &str) {
    if let Some(hook) = LOGLEVEL_HOOK.get() {
        hook(loglevel);
    }
}

//! Redis 7.0's value syntax for configuration parameters: how CONFIG SET and the config
//! file read each kind of value (with Redis's error texts, byte for byte) and how CONFIG
//! GET prints it back.
//!
//! The quirks are Redis's own, kept on purpose so that scripts see the same answers:
//! memory values saturate at 2^64-1 and wrap when the unit overflows, `save` and the
//! seconds of `client-output-buffer-limit` are read with `strtoll` and truncated to a C
//! `int`, integers are read with `string2ll` (no '+', no leading zeros, no spaces).

/// What a parameter's value is, for parsing and for the generated documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `yes` or `no` (any case).
    Bool,
    /// A whole number in `[lo, hi]`.
    Int(i64, i64),
    /// A byte count (`1k`, `1kb`, `2gb`...) in `[lo, hi]`, printed as a plain number.
    /// Bounds above `i64::MAX` mean Redis's type is unsigned.
    Memory(u64, u64),
    /// `maxmemory-clients`: a byte count, or a percentage of `maxmemory` (`5%`).
    MemoryOrPercent,
    /// Octal permissions, `0` to `0777` (`unixsocketperm`).
    Octal,
    /// One name of a list; names sharing a number are synonyms, printed as the first.
    Enum(&'static [(&'static str, u8)]),
    /// Several names of a list whose numbers are OR-ed (`shutdown-on-sigint`).
    Flags(&'static [(&'static str, u8)]),
    /// Any string.
    Str,
    /// Several space-separated values with a parser of their own (`save`, `bind`...).
    List,
}

/// Redis's `LONG_STR_SIZE`: longer strings are never integers.
const LONG_STR_SIZE: usize = 21;

/// Redis's `string2ll`: an optional '-', then digits without a leading zero ("0" alone
/// excepted), fitting in an i64.
pub fn string2ll(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let canonical = s == "0" || digits.bytes().next().is_some_and(|b| (b'1'..=b'9').contains(&b));
    if s.len() >= LONG_STR_SIZE || !canonical || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// C's `strtoll` as Redis uses it for `save` and buffer-limit seconds: leading white
/// space, an optional sign, digits (none reads as 0), saturating on overflow; `None` if
/// anything follows the digits.
pub fn strtoll(s: &str) -> Option<i64> {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.is_empty() {
        // No digits: strtoll reads nothing and points at the start, which must be the end.
        return t.is_empty().then_some(0);
    }
    let mut v: i128 = 0;
    for b in digits.bytes() {
        v = (v * 10 + (b - b'0') as i128).min(i64::MAX as i128 + 1);
    }
    let v = if neg { -v } else { v };
    Some(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// Redis 7.0's `memtoull`: digits and an optional unit (`b`, `k`, `kb`, `m`, `mb`, `g`,
/// `gb`, any case). The digits saturate at 2^64-1 and the multiplication wraps.
pub fn memtoull(s: &str) -> Option<u64> {
    if s.starts_with('-') {
        return None;
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.len() >= 128 {
        return None;
    }
    let n = digits.bytes().fold(0u64, |n, d| n.saturating_mul(10).saturating_add((d - b'0') as u64));
    Some(n.wrapping_mul(mul))
}

pub const NOT_INTEGER: &str = "argument couldn't be parsed into an integer";
pub const NOT_MEMORY: &str = "argument must be a memory value";
pub const NOT_YES_NO: &str = "argument must be 'yes' or 'no'";

fn between(lo: impl std::fmt::Display, hi: impl std::fmt::Display) -> String {
    format!("argument must be between {lo} and {hi} inclusive")
}

fn one_of(names: &[(&str, u8)]) -> String {
    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    format!("argument(s) must be one of the following: {}", list.join(", "))
}

impl Kind {
    /// Reads an integer of an `Int` kind, with Redis's errors.
    pub fn int(self, v: &str) -> Result<i64, String> {
        let Kind::Int(lo, hi) = self else { unreachable!("int() of {self:?}") };
        let n = string2ll(v).ok_or(NOT_INTEGER)?;
        if n < lo || n > hi {
            return Err(between(lo, hi));
        }
        Ok(n)
    }

    /// Reads a byte count of a `Memory` kind, with Redis's errors.
    pub fn memory(self, v: &str) -> Result<u64, String> {
        let Kind::Memory(lo, hi) = self else { unreachable!("memory() of {self:?}") };
        let n = memtoull(v).ok_or(NOT_MEMORY)?;
        let inside = if hi > i64::MAX as u64 {
            (lo..=hi).contains(&n)
        } else {
            // Redis keeps signed types in a long long: 2^63 and above read as negative.
            (lo as i64..=hi as i64).contains(&(n as i64))
        };
        if inside {
            Ok(n)
        } else {
            Err(between(lo, hi))
        }
    }

    /// Reads a number of an `Int` or `Memory` kind.
    pub fn number(self, v: &str) -> Result<i128, String> {
        match self {
            Kind::Int(..) => self.int(v).map(i128::from),
            _ => self.memory(v).map(i128::from),
        }
    }

    /// The number of an `Enum` name.
    pub fn choice(self, v: &str) -> Result<u8, String> {
        let Kind::Enum(names) = self else { unreachable!("choice() of {self:?}") };
        names.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)).map(|&(_, x)| x).ok_or_else(|| one_of(names))
    }

    /// Checks `v` and answers it as CONFIG GET prints it.
    pub fn normalize(self, v: &str) -> Result<String, String> {
        Ok(match self {
            Kind::Bool => if yes_no(v)? { "yes" } else { "no" }.to_string(),
            Kind::Int(..) => self.int(v)?.to_string(),
            Kind::Memory(..) => self.memory(v)?.to_string(),
            Kind::MemoryOrPercent => memory_or_percent(v)?,
            Kind::Octal => format!("{:o}", octal(v)?),
            Kind::Enum(names) => enum_name(names, self.choice(v)?).to_string(),
            Kind::Flags(names) => flag_names(names, flags(names, v)?),
            Kind::Str | Kind::List => v.to_string(),
        })
    }

    /// Whether CONFIG SET and the config file split the value into several arguments.
    pub fn multi(self) -> bool {
        matches!(self, Kind::List | Kind::Flags(_))
    }

    /// A short description for the generated table.
    pub fn describe(self) -> String {
        match self {
            Kind::Bool => "yes|no".into(),
            Kind::Int(lo, hi) => format!("integer {}..{}", bound(lo as i128), bound(hi as i128)),
            Kind::Memory(lo, hi) => format!("bytes {}..{}", bound(lo as i128), bound(hi as i128)),
            Kind::MemoryOrPercent => "bytes or N%".into(),
            Kind::Octal => "octal".into(),
            Kind::Enum(names) | Kind::Flags(names) => {
                let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                list.join("|")
            }
            Kind::Str => "string".into(),
            Kind::List => "list".into(),
        }
    }
}

/// Bounds as the table shows them: the C limits by name.
fn bound(n: i128) -> String {
    match n {
        n if n == i32::MIN as i128 => "INT_MIN".into(),
        n if n == i32::MAX as i128 => "INT_MAX".into(),
        n if n == u32::MAX as i128 => "UINT_MAX".into(),
        n if n == i64::MAX as i128 => "LLONG_MAX".into(),
        n if n == u64::MAX as i128 => "ULLONG_MAX".into(),
        n => n.to_string(),
    }
}

pub fn yes_no(v: &str) -> Result<bool, String> {
    if v.eq_ignore_ascii_case("yes") {
        Ok(true)
    } else if v.eq_ignore_ascii_case("no") {
        Ok(false)
    } else {
        Err(NOT_YES_NO.into())
    }
}

pub fn yes_no_str(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// The printed name of an enum number: the first name with that number.
pub fn enum_name(names: &[(&'static str, u8)], x: u8) -> &'static str {
    names.iter().find(|&&(_, n)| n == x).map(|&(n, _)| n).unwrap_or("unknown")
}

fn octal(v: &str) -> Result<u32, String> {
    let n = i64::from_str_radix(v, 8).map_err(|_| "argument couldn't be parsed as an octal number".to_string())?;
    if !(0..=0o777).contains(&n) {
        return Err("argument must be between 0 and 777 inclusive".into());
    }
    Ok(n as u32)
}

/// Unix socket permissions as the config file gives them (octal).
pub fn parse_octal(v: &str) -> Result<u32, String> {
    octal(v)
}

/// `maxmemory-clients`: a byte count, or `N%` (stored by Redis as -N).
fn memory_or_percent(v: &str) -> Result<String, String> {
    let n: i64 = match memtoull(v) {
        Some(n) => n as i64,
        None => match v.strip_suffix('%').and_then(string2ll).filter(|&p| p >= 0 && v.len() > 1) {
            Some(p) => -p,
            None => return Err("argument must be a memory or percent value".into()),
        },
    };
    if n < -100 {
        return Err("percentage argument must be less or equal to 100".into());
    }
    Ok(if n < 0 { format!("{}%", -n) } else { n.to_string() })
}

/// Splits a multi-argument value as CONFIG SET does (`sdssplitlen` on single spaces:
/// an empty value is no argument, two spaces make an empty one).
pub fn split(v: &str) -> Vec<&str> {
    if v.is_empty() {
        Vec::new()
    } else {
        v.split(' ').collect()
    }
}

fn flags(names: &[(&str, u8)], v: &str) -> Result<u8, String> {
    let args = split(v);
    if args.is_empty() {
        return Err(one_of(names));
    }
    let mut bits = 0;
    for a in args {
        bits |= names.iter().find(|(n, _)| n.eq_ignore_ascii_case(a)).ok_or_else(|| one_of(names))?.1;
    }
    // Redis's check for the shutdown flags, the only flags parameters.
    if bits & 3 == 3 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
    }
    Ok(bits)
}

/// Redis's `configEnumGetName` for bit flags: an exact name, else the names of the set
/// bits in list order.
fn flag_names(names: &[(&str, u8)], bits: u8) -> String {
    if let Some((n, _)) = names.iter().find(|&&(_, x)| x == bits) {
        return n.to_string();
    }
    let set: Vec<&str> = names.iter().filter(|&&(_, x)| x != 0 && bits & x == x).map(|&(n, _)| n).collect();
    set.join(" ")
}

/// `save`: pairs of seconds (at least 1) and changes (at least 0). The changes are a C
/// `int` in Redis: larger numbers wrap, and CONFIG GET shows the wrapped value.
pub fn parse_save(v: &str) -> Result<Vec<(i64, i32)>, String> {
    let args = split(v);
    let bad = || "Invalid save parameters".to_string();
    if args.len() % 2 != 0 {
        return Err(bad());
    }
    let mut points = Vec::new();
    for pair in args.chunks(2) {
        let (secs, changes) = (strtoll(pair[0]).ok_or_else(bad)?, strtoll(pair[1]).ok_or_else(bad)?);
        if secs < 1 || changes < 0 {
            return Err(bad());
        }
        points.push((secs, changes as i32));
    }
    Ok(points)
}

pub fn format_save(points: &[(i64, i32)]) -> String {
    let parts: Vec<String> = points.iter().map(|(s, c)| format!("{s} {c}")).collect();
    parts.join(" ")
}

/// `client-output-buffer-limit`: the limits of one client class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: i32,
}

/// The classes in CONFIG GET's order, with Redis's defaults.
pub const BUFFER_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];
pub const BUFFER_DEFAULTS: [BufferLimit; 3] = [
    BufferLimit { hard: 0, soft: 0, soft_seconds: 0 },
    BufferLimit { hard: 256 << 20, soft: 64 << 20, soft_seconds: 60 },
    BufferLimit { hard: 32 << 20, soft: 8 << 20, soft_seconds: 60 },
];

/// Applies `class hard soft seconds` quadruples to `limits`, all or nothing.
pub fn parse_buffer_limits(v: &str, limits: &mut [BufferLimit; 3]) -> Result<(), String> {
    let args = split(v);
    if args.len() % 4 != 0 {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut next = *limits;
    let bad = || "Error in hard, soft or soft_seconds setting in buffer limit configuration.".to_string();
    for q in args.chunks(4) {
        let class = match q[0].to_ascii_lowercase().as_str() {
            "normal" => 0,
            "slave" | "replica" => 1,
            "pubsub" => 2,
            _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
        };
        let hard = memtoull(q[1]).ok_or_else(bad)?;
        let soft = memtoull(q[2]).ok_or_else(bad)?;
        let soft_seconds = strtoll(q[3]).ok_or_else(bad)? as i32;
        if soft_seconds < 0 {
            return Err(bad());
        }
        next[class] = BufferLimit { hard, soft, soft_seconds };
    }
    *limits = next;
    Ok(())
}

pub fn format_buffer_limits(limits: &[BufferLimit; 3]) -> String {
    let parts: Vec<String> =
        BUFFER_CLASSES.iter().zip(limits).map(|(c, l)| format!("{c} {} {} {}", l.hard, l.soft, l.soft_seconds)).collect();
    parts.join(" ")
}

/// `oom-score-adj-values`: three adjustments (primary, replica, background child).
pub fn parse_oom_values(v: &str) -> Result<[i32; 3], String> {
    let args = split(v);
    if args.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut out = [0; 3];
    for (slot, a) in out.iter_mut().zip(args) {
        match strtoll(a) {
            Some(n) if (-2000..=2000).contains(&n) => *slot = n as i32,
            _ => return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into()),
        }
    }
    Ok(out)
}

/// Keyspace notification classes, in Redis's bit order.
const NOTIFY: [(char, u16); 15] = [
    ('K', 1 << 0),
    ('E', 1 << 1),
    ('g', 1 << 2),
    ('$', 1 << 3),
    ('l', 1 << 4),
    ('s', 1 << 5),
    ('h', 1 << 6),
    ('z', 1 << 7),
    ('x', 1 << 8),
    ('e', 1 << 9),
    ('t', 1 << 10),
    ('m', 1 << 11),
    ('d', 1 << 12),
    ('n', 1 << 13),
    ('A', 0),
];
/// `A`: every class of events about keys (not `m` key misses, not `n` new keys).
pub const NOTIFY_ALL: u16 = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 12);

fn notify_bit(c: char) -> Option<u16> {
    NOTIFY.iter().find(|(x, _)| *x == c).map(|&(_, b)| if c == 'A' { NOTIFY_ALL } else { b })
}

/// `notify-keyspace-events`: the flags of a class string.
pub fn parse_notify(v: &str) -> Result<u16, String> {
    v.chars()
        .map(notify_bit)
        .try_fold(0, |acc, b| b.map(|b| acc | b))
        .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
}

/// Redis's `keyspaceEventsFlagsToString`: `A` for all key classes, else each class in
/// the order g$lshzxetdn, then K, E and m.
pub fn format_notify(flags: u16) -> String {
    let mut out = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        out.push('A');
    } else {
        out.extend("g$lshzxetdn".chars().filter(|&c| notify_bit(c).is_some_and(|b| flags & b != 0)));
    }
    out.extend("KEm".chars().filter(|&c| notify_bit(c).is_some_and(|b| flags & b != 0)));
    out
}

/// `latency-tracking-info-percentiles`: numbers from 0 to 100.
pub fn parse_percentiles(v: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for a in split(v) {
        let ok = !a.is_empty() && !a.starts_with(|c: char| c.is_ascii_whitespace());
        let p: f64 = a.parse().ok().filter(|p: &f64| ok && !p.is_nan()).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
        }
        out.push(p);
    }
    Ok(out)
}

/// `%f` with the trailing zeros (and point) trimmed, as Redis prints percentiles.
pub fn format_percentiles(ps: &[f64]) -> String {
    let parts: Vec<String> = ps
        .iter()
        .map(|p| {
            let s = format!("{p:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        })
        .collect();
    parts.join(" ")
}

/// `bind`: at most 16 addresses; an empty value is none.
pub fn parse_bind(v: &str) -> Result<Vec<String>, String> {
    let args = split(v);
    if args.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    Ok(args.into_iter().map(str::to_string).collect())
}

/// `proc-title-template`: Redis's `sdstemplate` syntax (`{name}`, `{{` for a brace)
/// with its known variables, and a title that is not empty once expanded.
pub fn check_title_template(v: &str) -> Result<(), String> {
    const VARS: [&str; 7] = ["title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket", "config-file"];
    // Variables that expand to something whatever the configuration.
    const NON_EMPTY: [&str; 3] = ["listen-addr", "port", "tls-port"];
    let bad = || "template format is invalid or contains unknown variables".to_string();
    let mut rest = v;
    let mut expands = false;
    while let Some(open) = rest.find('{') {
        expands |= open > 0;
        let after = &rest[open + 1..];
        if after.is_empty() {
            return Err(bad());
        }
        if let Some(tail) = after.strip_prefix('{') {
            expands = true;
            rest = tail;
            continue;
        }
        let close = after.find('}').ok_or_else(bad)?;
        let var = &after[..close];
        if !VARS.contains(&var) {
            return Err(bad());
        }
        expands |= NON_EMPTY.contains(&var);
        rest = &after[close + 1..];
    }
    if expands || !rest.is_empty() {
        Ok(())
    } else {
        Err(bad())
    }
}

/// `cluster-announce-hostname`: letters, digits, hyphens and dots.
pub fn check_hostname(v: &str) -> Result<(), String> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters".into());
    }
    if !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots".into());
    }
    Ok(())
}

/// `dbfilename`, `appendfilename`, `appenddirname`: a name, not a path.
pub fn check_file_name(v: &str, what: &str, kind: &str) -> Result<(), String> {
    if v.contains('/') {
        return Err(format!("{what} can't be a path, just a {kind}"));
    }
    Ok(())
}

/// `replicaof`/`slaveof` in the config file: `host port` or `no one`.
pub fn parse_replicaof(v: &str) -> Result<String, String> {
    let args = split(v);
    if args.is_empty() {
        // What CONFIG GET shows when there is no master (Redis refuses it in files).
        return Ok(String::new());
    }
    if args.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    if args[0].eq_ignore_ascii_case("no") && args[1].eq_ignore_ascii_case("one") {
        return Ok(String::new());
    }
    match strtoll(args[1]) {
        Some(p) if (0..=65535).contains(&p) => Ok(format!("{} {}", args[0], p)),
        _ => Err("Invalid master port".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_read_as_string2ll_does() {
        assert_eq!(string2ll("0"), Some(0));
        assert_eq!(string2ll("-12"), Some(-12));
        for bad in ["", "-", "-0", "007", "+1", " 1", "1 ", "1e3", "99999999999999999999"] {
            assert_eq!(string2ll(bad), None, "{bad}");
        }
        assert_eq!(strtoll(" +5"), Some(5));
        assert_eq!(strtoll(""), Some(0));
        assert_eq!(strtoll("5x"), None);
        assert_eq!(strtoll("99999999999999999999"), Some(i64::MAX));
    }

    #[test]
    fn memory_values_as_redis_70_reads_them() {
        assert_eq!(memtoull("1k"), Some(1000));
        assert_eq!(memtoull("1Kb"), Some(1024));
        assert_eq!(memtoull("1GB"), Some(1 << 30));
        assert_eq!(memtoull(""), Some(0));
        assert_eq!(memtoull("kb"), Some(0));
        assert_eq!(memtoull("007"), Some(7));
        assert_eq!(memtoull("99999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull("99999999999999999999999k"), Some(18446744073709550616));
        for bad in ["-1", "+5", " 5", "1.5", "0x10", "5TB"] {
            assert_eq!(memtoull(bad), None, "{bad}");
        }
        let signed = Kind::Memory(0, i64::MAX as u64);
        assert_eq!(signed.memory("99999999999999999999"), Err("argument must be between 0 and 9223372036854775807 inclusive".into()));
        assert_eq!(Kind::Memory(0, u64::MAX).memory("99999999999999999999"), Ok(u64::MAX));
        assert_eq!(Kind::MemoryOrPercent.normalize("5%"), Ok("5%".into()));
        assert_eq!(Kind::MemoryOrPercent.normalize("0%"), Ok("0".into()));
        assert_eq!(Kind::MemoryOrPercent.normalize("99999999999999999999"), Ok("1%".into()));
        assert_eq!(Kind::MemoryOrPercent.normalize("101%"), Err("percentage argument must be less or equal to 100".into()));
    }

    #[test]
    fn multi_value_parameters_normalize_as_redis_does() {
        assert_eq!(format_notify(parse_notify("KEA").unwrap()), "AKE");
        assert_eq!(format_notify(parse_notify("Kx").unwrap()), "xK");
        assert_eq!(format_notify(parse_notify("Egd$lshzxet").unwrap()), "AE");
        assert_eq!(format_notify(parse_notify("gn").unwrap()), "gn");
        assert!(parse_notify("A A").is_err());
        let shutdown = &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];
        assert_eq!(Kind::Flags(shutdown).normalize("force now save"), Ok("save now force".into()));
        assert_eq!(Kind::Flags(shutdown).normalize("default now"), Ok("now".into()));
        assert!(Kind::Flags(shutdown).normalize("now  force").is_err());
        assert_eq!(format_percentiles(&parse_percentiles("99.99 0.0000001 50.5 1e1").unwrap()), "99.99 0 50.5 10");
        assert!(parse_percentiles("nan").unwrap_err().starts_with("Invalid"));
        assert_eq!(format_save(&parse_save("5 ").unwrap()), "5 0");
        assert_eq!(format_save(&parse_save("10 99999999999").unwrap()), "10 1215752191");
        assert!(parse_save("3600 1  300 100").is_err());
        let mut limits = BUFFER_DEFAULTS;
        parse_buffer_limits("normal 1k 2kb 60 replica 99999999999999999999 0 4294967297", &mut limits).unwrap();
        assert_eq!(format_buffer_limits(&limits), "normal 1000 2048 60 slave 18446744073709551615 0 1 pubsub 33554432 8388608 60");
        assert!(parse_buffer_limits("normal 0 0 9223372036854775807", &mut limits).is_err());
        assert_eq!(parse_oom_values("-0 +2 03"), Ok([0, 2, 3]));
        assert!(check_title_template("{title} {listen-addr} {server-mode}").is_ok());
        assert!(check_title_template("{title}").is_err());
        assert!(check_title_template("{foo}").is_err());
        assert!(check_title_template("").is_err());
    }
}

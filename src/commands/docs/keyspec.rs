//! Key specifications: the `key N:` lines of a command's docs text (flags, where the
//! search for keys begins, how they are found), parsed into [`KeySpec`] and rendered as
//! COMMAND INFO answers them, and [`keys_by_spec`], which finds the keys of an argument
//! list from them as Redis does.

use bytes::Bytes;

use super::field;
use crate::protocol::Reply;

/// The flags a key specification may have, in the order Redis prints them.
pub const KEY_FLAGS: &[&str] =
    &["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

/// Where the search for a command's keys begins (`begin_search`).
#[derive(Debug, Clone, PartialEq)]
pub enum BeginSearch {
    /// At this argument.
    Index(i64),
    /// After `keyword`, looked for from argument `startfrom` (negative: from the end,
    /// backwards).
    Keyword { keyword: String, startfrom: i64 },
    Unknown,
}

/// How the keys are found from where the search begins (`find_keys`).
#[derive(Debug, Clone, PartialEq)]
pub enum FindKeys {
    /// Every `keystep`th argument up to `lastkey` (relative to the begin; negative counts
    /// from the end); a `limit` above 1 stops after 1/limit of the remaining arguments.
    Range { lastkey: i64, keystep: i64, limit: i64 },
    /// The number of keys is at begin + `keynumidx`, the first key at begin + `firstkey`.
    Keynum { keynumidx: i64, firstkey: i64, keystep: i64 },
    Unknown,
}

/// One of the key specifications COMMAND INFO answers; arguments point at them by
/// `key_spec_index`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub notes: Option<String>,
    /// Names from [`KEY_FLAGS`], in its order.
    pub flags: Vec<&'static str>,
    pub begin_search: BeginSearch,
    pub find_keys: FindKeys,
}

impl KeySpec {
    /// Parses `flags, begin, find` with optional `, "notes"` (see the module docs).
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let (spec, notes) = match text.split_once(", \"") {
            Some((spec, notes)) => match notes.strip_suffix('"') {
                Some(n) if !n.is_empty() && !n.contains('"') => (spec, Some(n.to_string())),
                _ => return Err(format!("notes are one double-quoted text at the end: {text:?}")),
            },
            None => (text, None),
        };
        let [flags, begin, find] = spec.split(',').map(str::trim).collect::<Vec<_>>()[..] else {
            return Err(format!("expected `flags, begin, find`: {spec:?}"));
        };
        let mut names = Vec::new();
        for flag in flags.split_whitespace() {
            let Some(i) = KEY_FLAGS.iter().position(|k| *k == flag) else {
                return Err(format!("unknown key flag `{flag}`"));
            };
            if names.last().is_some_and(|last| KEY_FLAGS.iter().position(|k| k == last) >= Some(i)) {
                return Err(format!("key flags out of Redis's order at `{flag}`"));
            }
            names.push(KEY_FLAGS[i]);
        }
        if names.is_empty() {
            return Err(format!("no key flags: {spec:?}"));
        }
        let begin_search = match begin.split_whitespace().collect::<Vec<_>>()[..] {
            ["index", i] => BeginSearch::Index(number(i)?),
            ["keyword", keyword, "from", from] => {
                BeginSearch::Keyword { keyword: keyword.to_string(), startfrom: number(from)? }
            }
            ["unknown"] => BeginSearch::Unknown,
            _ => return Err(format!("expected `index N`, `keyword WORD from N` or `unknown`: {begin:?}")),
        };
        let find_keys = match find.split_whitespace().collect::<Vec<_>>()[..] {
            ["range", lastkey, ref rest @ ..] => {
                let [keystep, limit] = options(rest, ["step", "limit"])?;
                FindKeys::Range { lastkey: number(lastkey)?, keystep: keystep.unwrap_or(1), limit: limit.unwrap_or(0) }
            }
            ["keynum", keynumidx, "first", firstkey, ref rest @ ..] => {
                let [keystep] = options(rest, ["step"])?;
                FindKeys::Keynum { keynumidx: number(keynumidx)?, firstkey: number(firstkey)?, keystep: keystep.unwrap_or(1) }
            }
            ["unknown"] => FindKeys::Unknown,
            _ => return Err(format!("expected `range N...`, `keynum N first N...` or `unknown`: {find:?}")),
        };
        Ok(KeySpec { notes, flags: names, begin_search, find_keys })
    }

    /// The map COMMAND INFO answers, with Redis 7.0's field order.
    pub fn reply(&self) -> Reply {
        let int = |k: &'static str, v: i64| (field(k), Reply::Int(v));
        let search = |kind: &'static str, spec: Vec<(Reply, Reply)>| {
            Reply::Map(vec![(field("type"), Reply::bulk_str(kind)), (field("spec"), Reply::Map(spec))])
        };
        let begin = match &self.begin_search {
            BeginSearch::Index(i) => search("index", vec![int("index", *i)]),
            BeginSearch::Keyword { keyword, startfrom } => {
                search("keyword", vec![(field("keyword"), Reply::bulk_str(keyword)), int("startfrom", *startfrom)])
            }
            BeginSearch::Unknown => search("unknown", Vec::new()),
        };
        let find = match self.find_keys {
            FindKeys::Range { lastkey, keystep, limit } => {
                search("range", vec![int("lastkey", lastkey), int("keystep", keystep), int("limit", limit)])
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                search("keynum", vec![int("keynumidx", keynumidx), int("firstkey", firstkey), int("keystep", keystep)])
            }
            FindKeys::Unknown => search("unknown", Vec::new()),
        };
        let mut fields = Vec::new();
        if let Some(notes) = &self.notes {
            fields.push((field("notes"), Reply::bulk_str(notes)));
        }
        fields.push((field("flags"), Reply::Set(self.flags.iter().map(|&f| Reply::status(f)).collect())));
        fields.push((field("begin_search"), begin));
        fields.push((field("find_keys"), find));
        Reply::Map(fields)
    }
}

fn number(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| format!("`{s}` is not a number"))
}

/// The values of `name N` pairs, each name at most once and in the order of `names`.
fn options<const K: usize>(words: &[&str], names: [&str; K]) -> Result<[Option<i64>; K], String> {
    let mut values = [None; K];
    let mut next = 0;
    for pair in words.chunks(2) {
        let [name, value] = pair else { return Err(format!("`{}` without a value", pair[0])) };
        let Some(i) = names[next..].iter().position(|n| n == name) else {
            return Err(format!("unexpected `{name}`"));
        };
        values[next + i] = Some(number(value)?);
        next += i + 1;
    }
    Ok(values)
}

/// The keys `specs` find in `argv` (command name first), with the flags of the
/// specification that finds each, the way Redis's getKeysUsingKeySpecs finds them. A
/// specification that cannot be followed here (`unknown`, a key count that is not a
/// number, keys past the end) finds nothing.
pub fn keys_by_spec<'a>(specs: &'a [KeySpec], argv: &[Bytes]) -> Vec<(usize, &'a [&'static str])> {
    let argc = argv.len() as i64;
    let mut found = Vec::new();
    for spec in specs {
        let begin = match &spec.begin_search {
            BeginSearch::Index(i) => *i,
            BeginSearch::Keyword { keyword, startfrom } => {
                let is_keyword = |&i: &i64| i >= 1 && i < argc && crate::commands::args::is(&argv[i as usize], keyword);
                let at = if *startfrom > 0 {
                    (*startfrom..argc - 1).find(is_keyword)
                } else {
                    (2..=argc + startfrom).rev().find(is_keyword)
                };
                match at {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
            BeginSearch::Unknown => continue,
        };
        let (first, last, step) = match spec.find_keys {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = match (lastkey, limit) {
                    (0.., _) => begin + lastkey,
                    (_, 0) => argc + lastkey,
                    _ => begin + (argc - begin) / limit + lastkey,
                };
                (begin, last, keystep)
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                let count = usize::try_from(begin + keynumidx)
                    .ok()
                    .and_then(|i| argv.get(i))
                    .and_then(|n| std::str::from_utf8(n).ok()?.parse::<i64>().ok())
                    .filter(|n| *n >= 0);
                let Some(count) = count else { continue };
                (begin + firstkey, begin + firstkey + count - 1, keystep)
            }
            FindKeys::Unknown => continue,
        };
        if first < 1 || last >= argc || last < first || step < 1 {
            continue;
        }
        found.extend((first..=last).step_by(step as usize).map(|i| (i as usize, &spec.flags[..])));
    }
    found
}

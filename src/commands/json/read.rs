//! The JSON commands that only read: GET, MGET, TYPE, STRLEN, ARRLEN, OBJKEYS, OBJLEN,
//! ARRINDEX, RESP and DEBUG. Each parses the document once (O(size)) and walks the path.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::{bulk, int_arg, path, path_or_root, read_doc, Ctx};
use crate::commands::args;
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::json::format::{self, Style};
use crate::types::json::path::Path;
use crate::types::json::{self, edit};
use crate::types::Access;

/// `JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [NOESCAPE] [path ...]`: the value at
/// each path, printed as JSON. One legacy path: the first match (`ERR Path '<p>' does
/// not exist` if none); one JSONPath: an array of every match. Several paths: an object
/// keyed by each path as given, with the first match (all paths legacy) or the array of
/// matches (any JSONPath); a path that does not parse is left out of it. Nil for a
/// missing key. O(N) in the document; the whole document unformatted is the stored text,
/// sent without parsing. `Existing key has wrong Redis type` for another type.
pub(super) fn get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut style = Style::default();
    let mut paths: Vec<&Bytes> = Vec::new();
    let mut i = 2;
    while i < argv.len() {
        let arg = &argv[i];
        let slot = if args::is(arg, "indent") {
            Some(&mut style.indent)
        } else if args::is(arg, "newline") {
            Some(&mut style.newline)
        } else if args::is(arg, "space") {
            Some(&mut style.space)
        } else {
            None
        };
        match slot {
            Some(slot) => {
                let value = argv.get(i + 1).ok_or_else(|| Error::WrongArity("json.get".into()))?;
                *slot = value.to_vec();
                i += 2;
                continue;
            }
            None if args::is(arg, "noescape") => {}
            None => paths.push(arg),
        }
        i += 1;
    }
    // A single path is parsed before the lookup, so a bad one is an error even on a
    // missing key; in a multi-path GET it is skipped, as RedisJSON does.
    let single = match paths.len() {
        0 => Some(Path::root_legacy()),
        1 => Some(path(paths[0])?),
        _ => None,
    };
    // The whole document, unformatted, is the stored text itself: no parse, no print.
    if let Some(p) = single.as_ref().filter(|p| p.is_root() && style.is_compact()) {
        let Some(j) = super::open(ctx, &argv[1], Access::Read)? else { return Ok(Reply::Nil) };
        let text = j.text(&ctx.txn)?;
        if p.legacy {
            return Ok(Reply::Bulk(text));
        }
        let mut out = Vec::with_capacity(text.len() + 2);
        out.push(b'[');
        out.extend_from_slice(&text);
        out.push(b']');
        return Ok(bulk(out));
    }
    let Some(doc) = read_doc(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    if let Some(p) = single {
        return Ok(bulk(if p.legacy {
            let first = p.values(&doc)?.into_iter().next().ok_or_else(|| Error::JsonNoPath(p.text.clone()))?;
            format::print(first, &style)
        } else {
            format::print(&p.values(&doc)?, &style)
        }));
    }
    let parsed: Vec<Path> = paths.iter().filter_map(|p| path(p).ok()).collect();
    let legacy = parsed.iter().all(|p| p.legacy);
    let mut out = Map::new();
    for p in &parsed {
        let matches = p.values(&doc)?;
        let value = if legacy {
            (*matches.first().ok_or_else(|| Error::JsonNoPath(p.original.clone()))?).clone()
        } else {
            Value::Array(matches.into_iter().cloned().collect())
        };
        out.insert(p.original.clone(), value);
    }
    Ok(bulk(format::print(&out, &style)))
}

/// `JSON.MGET key [key ...] path`: for each key, what JSON.GET with that one path
/// answers, or nil (missing key, another type, no match for a legacy path, a path that
/// does not parse). O(total size).
pub(super) fn mget(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (keys, raw) = argv[1..].split_at(argv.len() - 2);
    let p = path(&raw[0]).ok();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let doc = match json::open(&mut ctx.txn, key, Access::Read) {
            Ok(Some(j)) => Some(j.load(&ctx.txn)?),
            Ok(None) | Err(Error::WrongType) => None,
            Err(e) => return Err(e),
        };
        let reply = match (doc, &p) {
            (Some(doc), Some(p)) if p.legacy => p.values(&doc)?.first().map_or(Reply::Nil, |v| bulk(format::compact(v))),
            (Some(doc), Some(p)) => bulk(format::compact(&p.values(&doc)?)),
            _ => Reply::Nil,
        };
        out.push(reply);
    }
    Ok(Reply::Array(out))
}

/// `JSON.TYPE key [path]`: the type name of the first match (legacy; nil if none) or of
/// each match (JSONPath): null, boolean, integer, number, string, array, object (in RESP3,
/// inside a one-element array). Nil for a missing key.
pub(super) fn type_(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path_or_root(argv, 2);
    let Some(doc) = read_doc(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    let p = match p {
        Ok(p) => p,
        // RedisJSON answers nil for a legacy path it cannot compile.
        Err(_) if !argv.get(2).is_some_and(|a| a.starts_with(b"$")) => return Ok(Reply::Nil),
        Err(e) => return Err(e),
    };
    let names = p.values(&doc)?.into_iter().map(|v| Reply::bulk_str(json::type_name(v)));
    let reply = if p.legacy { names.into_iter().next().unwrap_or(Reply::Nil) } else { Reply::Array(names.collect()) };
    // RESP3 clients get the reply wrapped in an array, as RedisJSON 2.6 answers them.
    Ok(if ctx.session.resp >= 3 { Reply::Array(vec![reply]) } else { reply })
}

/// The replies of a length-like read (STRLEN, ARRLEN, OBJLEN): for a legacy path, the
/// first match's (nil for a missing key; `ERR Path '<p>' does not exist` with no match,
/// nil for OBJLEN; on another type `WRONGTYPE wrong type of path value - expected
/// string` / `object`, `ERR Path '<p>' does not exist or not an array`); for a JSONPath,
/// one per match, nil where the type differs (a missing key: `ERR could not perform this
/// operation on a key that doesn't exist`, for OBJLEN `ERR Path '<p>' does not exist or
/// not an object`).
fn measure(ctx: &mut Ctx<'_>, argv: &[Bytes], kind: Measure, f: fn(&Value) -> Option<Reply>) -> Result<Reply> {
    let p = path_or_root(argv, 2)?;
    let Some(doc) = read_doc(ctx, &argv[1])? else {
        return match (p.legacy, kind) {
            (true, _) => Ok(Reply::Nil),
            (false, Measure::Object) => Err(Error::JsonNoPathOr(p.text.clone(), "not an object")),
            (false, _) => Err(Error::JsonNoKey),
        };
    };
    let matches = p.values(&doc)?;
    if !p.legacy {
        return Ok(Reply::Array(matches.into_iter().map(|v| f(v).unwrap_or(Reply::Nil)).collect()));
    }
    let wrong = |v: &Value, expected| Error::JsonWrongType { expected, found: json::type_name(v).into() };
    match (matches.first(), kind) {
        (None, Measure::Object) => Ok(Reply::Nil),
        (None, _) => Err(Error::JsonNoPath(p.text.clone())),
        (Some(v), kind) => f(v).ok_or_else(|| match kind {
            Measure::String => wrong(v, "string"),
            Measure::Array => Error::JsonNoPathOr(p.text.clone(), "not an array"),
            Measure::Object => wrong(v, "object"),
        }),
    }
}

/// Which length [`measure`] takes: the errors differ as RedisJSON's do.
#[derive(Clone, Copy)]
enum Measure {
    String,
    Array,
    Object,
}

/// `JSON.STRLEN key [path]`: the length in bytes of the string at path. See [`measure`].
pub(super) fn strlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    measure(ctx, argv, Measure::String, |v| v.as_str().map(|s| Reply::Int(s.len() as i64)))
}

/// `JSON.ARRLEN key [path]`: the length of the array at path. See [`measure`].
pub(super) fn arrlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    measure(ctx, argv, Measure::Array, |v| v.as_array().map(|a| Reply::Int(a.len() as i64)))
}

/// `JSON.OBJLEN key [path]`: the number of keys of the object at path (legacy: nil if
/// the path matches nothing). See [`measure`].
pub(super) fn objlen(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    measure(ctx, argv, Measure::Object, |v| v.as_object().map(|o| Reply::Int(o.len() as i64)))
}

/// `JSON.OBJKEYS key [path]`: the keys of the object at path, in insertion order.
/// Legacy: nil for a missing key or no match, `ERR Path '<p>' does not exist or not an
/// object` for another type. JSONPath: one array per match, nil for non-objects.
pub(super) fn objkeys(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path_or_root(argv, 2)?;
    let Some(doc) = read_doc(ctx, &argv[1])? else {
        return if p.legacy { Ok(Reply::Nil) } else { Err(Error::JsonNoKey) };
    };
    let keys = |v: &Value| v.as_object().map(|o| Reply::Array(o.keys().map(|k| Reply::bulk_str(k)).collect()));
    let matches = p.values(&doc)?;
    if !p.legacy {
        return Ok(Reply::Array(matches.into_iter().map(|v| keys(v).unwrap_or(Reply::Nil)).collect()));
    }
    match matches.first() {
        None => Ok(Reply::Nil),
        Some(v) => keys(v).ok_or_else(|| Error::JsonNoPathOr(p.text.clone(), "not an object")),
    }
}

/// `JSON.ARRINDEX key path value [start [stop]]`: the first index of `value` in the
/// array at path within `[start, stop)` (negative from the end; stop 0: the end), -1 if
/// absent. Legacy: one integer (WRONGTYPE for a non-array); JSONPath: one per match, nil
/// for non-arrays. O(N) in the array.
pub(super) fn arrindex(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path(&argv[2])?;
    let start = argv.get(4).map_or(Ok(0), |a| int_arg(a))?;
    let stop = argv.get(5).map_or(Ok(0), |a| int_arg(a))?;
    if argv.len() > 6 {
        return Err(Error::WrongArity("json.arrindex".into()));
    }
    let Some(doc) = read_doc(ctx, &argv[1])? else { return Err(Error::JsonNoPath(p.original.clone())) };
    let value: Value = serde_json::from_slice(&argv[3]).map_err(|e| Error::JsonParse(e.to_string()))?;
    let find = |v: &Value| v.as_array().map(|a| Reply::Int(edit::arr_index(a, &value, start, stop)));
    let matches = p.values(&doc)?;
    if !p.legacy {
        return Ok(Reply::Array(matches.into_iter().map(|v| find(v).unwrap_or(Reply::Nil)).collect()));
    }
    let v = matches.first().ok_or_else(|| Error::JsonNoPath(p.text.clone()))?;
    find(v).ok_or_else(|| Error::JsonWrongType { expected: "array", found: json::type_name(v).into() })
}

/// A value in RedisJSON's RESP form: null as nil, booleans as `+true`/`+false`,
/// integers as integers, doubles as doubles, strings as bulks, arrays as `+[` then the
/// elements, objects as `+{` then keys and values. Recursion follows the document's
/// bounded depth.
fn to_resp(v: &Value) -> Reply {
    match v {
        Value::Null => Reply::Nil,
        Value::Bool(b) => Reply::status(if *b { "true" } else { "false" }),
        Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Reply::Int(i),
            _ => Reply::Double(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Reply::bulk_str(s),
        Value::Array(items) => {
            let mut out = vec![Reply::status("[")];
            out.extend(items.iter().map(to_resp));
            Reply::Array(out)
        }
        Value::Object(map) => {
            let mut out = vec![Reply::status("{")];
            for (k, v) in map {
                out.push(Reply::bulk_str(k));
                out.push(to_resp(v));
            }
            Reply::Array(out)
        }
    }
}

/// `JSON.RESP key [path]`: the value at path in RESP form (see [`to_resp`]); legacy:
/// the first match (`ERR Path '<p>' does not exist` if none), JSONPath: one per match.
/// Nil for a missing key.
pub(super) fn resp(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path_or_root(argv, 2)?;
    let Some(doc) = read_doc(ctx, &argv[1])? else { return Ok(Reply::Nil) };
    let matches = p.values(&doc)?;
    if p.legacy {
        return matches.first().map(|v| to_resp(v)).ok_or_else(|| Error::JsonNoPath(p.text.clone()));
    }
    Ok(Reply::Array(matches.into_iter().map(to_resp).collect()))
}

/// `JSON.DEBUG MEMORY key [path]`: RedisJSON's memory estimate of the value at path
/// (legacy: one integer, 0 for a missing key; JSONPath: one per match). `JSON.DEBUG
/// HELP`: the subcommands. Anything else: `ERR unknown subcommand - try `JSON.DEBUG
/// HELP``.
pub(super) fn debug(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if args::is(&argv[1], "help") {
        return Ok(Reply::Array(vec![
            Reply::bulk_str("MEMORY <key> [path] - reports memory usage"),
            Reply::bulk_str("HELP                - this message"),
        ]));
    }
    if !args::is(&argv[1], "memory") {
        return Err(Error::JsonDebugUnknown);
    }
    let key = argv.get(2).ok_or_else(|| Error::WrongArity("json.debug".into()))?;
    let p = path_or_root(argv, 3)?;
    let doc = read_doc(ctx, key)?;
    if p.legacy {
        let Some(doc) = doc else { return Ok(Reply::Int(0)) };
        let v = p.values(&doc)?.into_iter().next().ok_or_else(|| Error::JsonNoPath(p.text.clone()))?;
        return Ok(Reply::Int(json::memory(v) as i64));
    }
    let Some(doc) = doc else { return Ok(Reply::Array(Vec::new())) };
    Ok(Reply::Array(p.values(&doc)?.into_iter().map(|v| Reply::Int(json::memory(v) as i64)).collect()))
}

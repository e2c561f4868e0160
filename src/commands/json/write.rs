//! The JSON commands that change a document as a whole or value by value: SET, MSET,
//! MERGE, DEL/FORGET, NUMINCRBY, NUMMULTBY, STRAPPEND, TOGGLE and CLEAR. Each applies
//! all its changes to one parsed tree and stores it once.

use std::collections::HashSet;

use bytes::Bytes;
use serde_json::Value;

use super::{bulk, existing_doc, open_doc, path, path_or_root, save, Ctx, Doc};
use crate::commands::args;
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::json::edit::{self, NumOp};
use crate::types::json::format;
use crate::types::json::path::{mutation_order, Location, Path};
use crate::types::json::{self as doc_type};
use crate::types::Access;

#[derive(Clone, Copy, PartialEq)]
enum Cond {
    Any,
    Nx,
    Xx,
}

/// What applying a value at a path did: `(any changed, all changed)`.
type Applied = (bool, bool);

/// Sets (`merge` false) or merges (`merge` true) `value` at `p` in `root`, as JSON.SET
/// and JSON.MERGE do on an existing document: every match is replaced (or patched);
/// with no match, a static path whose last step is a key adds that key to each object
/// its parent path matches. Errors: `Err wrong static path` (no match, wildcards), `ERR
/// array index out of range` (no match, ends with an index).
fn put_at(root: &mut Value, p: &Path, value: &Value, cond: Cond, merge: bool) -> Result<Applied> {
    if p.is_root() {
        if cond == Cond::Nx {
            return Ok((false, false));
        }
        if merge {
            edit::merge(root, value);
        } else {
            *root = value.clone();
        }
        return Ok((true, true));
    }
    let found: Vec<Location> = p.select(root)?.into_iter().map(|(l, _)| l).collect();
    if cond != Cond::Nx && !found.is_empty() {
        for loc in &found {
            if let Some(target) = edit::get_mut(root, loc) {
                if merge {
                    edit::merge(target, value);
                } else {
                    *target = value.clone();
                }
            }
        }
        return Ok((true, true));
    }
    if cond == Cond::Xx {
        return Ok((false, false));
    }
    if !p.is_static() {
        return Err(Error::JsonWrongStaticPath);
    }
    let (parent, key) = match p.split_last_key() {
        Ok(split) => split,
        Err(true) if found.is_empty() => return Err(Error::JsonArrayIndexOutOfRange),
        Err(_) => return Ok((false, false)),
    };
    let parents: Vec<Location> = parent.select(root)?.into_iter().map(|(l, _)| l).collect();
    let (mut any, mut all) = (false, !parents.is_empty());
    for loc in &parents {
        match edit::get_mut(root, loc) {
            Some(Value::Object(map)) if !map.contains_key(&key) => {
                map.insert(key.clone(), value.clone());
                any = true;
            }
            _ => all = false,
        }
    }
    Ok((any, all))
}

/// `JSON.SET key path json [NX | XX]`: sets the value at path. OK, or nil when NX / XX
/// or the path's parent stopped it. A new key only at the root (`ERR new objects must be
/// created at the root`). Keeps the key's TTL. O(M+N): one rewrite of the document.
/// Errors: `ERR syntax error`, the JSON parser's text, a path error, `Existing key has
/// wrong Redis type`.
pub(super) fn set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut cond = Cond::Any;
    for a in &argv[4..] {
        cond = match cond {
            Cond::Any if args::is(a, "nx") => Cond::Nx,
            Cond::Any if args::is(a, "xx") => Cond::Xx,
            _ => return Err(Error::Syntax),
        };
    }
    let p = path(&argv[2])?;
    if p.is_root() {
        // Replacing the whole document needs only its metadata (TTL), not its tree.
        let existing = super::open(ctx, &argv[1], Access::Write)?;
        let value = doc_type::parse(&argv[3])?;
        return match (existing, cond) {
            (Some(_), Cond::Nx) | (None, Cond::Xx) => Ok(Reply::Nil),
            (existing, _) => {
                let expire_at = existing.map_or(0, |j| j.expire_at());
                save(ctx, &argv[1], &Doc { root: value, expire_at })?;
                Ok(Reply::ok())
            }
        };
    }
    let existing = open_doc(ctx, &argv[1])?;
    let value = doc_type::parse(&argv[3])?;
    let Some(mut doc) = existing else {
        return match (cond, p.is_root()) {
            (Cond::Xx, _) => Ok(Reply::Nil),
            (_, true) => {
                save(ctx, &argv[1], &Doc { root: value, expire_at: 0 })?;
                Ok(Reply::ok())
            }
            (_, false) => Err(Error::JsonNewAtRoot),
        };
    };
    let (any, all) = put_at(&mut doc.root, &p, &value, cond, false)?;
    if any {
        save(ctx, &argv[1], &doc)?;
    }
    Ok(if all { Reply::ok() } else { Reply::Nil })
}

/// `JSON.MERGE key path json`: merges `json` into every match as RFC 7396 (a null
/// removes a key); a missing key is created at the root. OK, or nil if nothing matched.
pub(super) fn merge(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if argv.len() > 4 {
        return Err(Error::Syntax);
    }
    let existing = open_doc(ctx, &argv[1])?;
    let value = doc_type::parse(&argv[3])?;
    let p = path(&argv[2])?;
    let Some(mut doc) = existing else {
        if !p.is_root() {
            return Err(Error::JsonNewAtRoot);
        }
        save(ctx, &argv[1], &Doc { root: value, expire_at: 0 })?;
        return Ok(Reply::ok());
    };
    let (any, _) = put_at(&mut doc.root, &p, &value, Cond::Any, true)?;
    if any {
        save(ctx, &argv[1], &doc)?;
    }
    Ok(if any { Reply::ok() } else { Reply::Nil })
}

/// `JSON.MSET key path json [key path json ...]`: JSON.SET of each triplet, all or
/// nothing: every triplet is checked (the key's type, the value, the path, a new key only at
/// the root) before anything is written. OK, or nil if some path's parent stopped it.
pub(super) fn mset(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    if (argv.len() - 1) % 3 != 0 {
        return Err(Error::WrongArity("json.mset".into()));
    }
    // Documents by key, as the triplets before have left them.
    let mut docs: Vec<(&Bytes, Option<Doc>)> = Vec::new();
    let mut plan = Vec::new();
    for t in argv[1..].chunks_exact(3) {
        if !docs.iter().any(|(k, _)| *k == &t[0]) {
            let d = open_doc(ctx, &t[0])?;
            docs.push((&t[0], d));
        }
        let p = path(&t[1])?;
        let exists = docs.iter().any(|(k, d)| *k == &t[0] && d.is_some());
        if !exists && !p.is_root() {
            return Err(Error::JsonNewAtRoot);
        }
        plan.push((&t[0], p, doc_type::parse(&t[2])?));
    }
    let mut all = true;
    let mut changed: HashSet<&Bytes> = HashSet::new();
    for (key, p, value) in plan {
        let slot = &mut docs.iter_mut().find(|(k, _)| *k == key).expect("opened above").1;
        match slot {
            Some(doc) => {
                let (any, every) = put_at(&mut doc.root, &p, &value, Cond::Any, false)?;
                all &= every;
                if any {
                    changed.insert(key);
                }
            }
            None => {
                *slot = Some(Doc { root: value, expire_at: 0 });
                changed.insert(key);
            }
        }
    }
    for (key, doc) in &docs {
        if let (true, Some(doc)) = (changed.contains(key), doc) {
            save(ctx, key, doc)?;
        }
    }
    Ok(if all { Reply::ok() } else { Reply::Nil })
}

/// The locations `p` matches, less those inside another match (deleting an ancestor
/// deletes them), in [`mutation_order`].
fn outermost(root: &Value, p: &Path) -> Result<Vec<Location>> {
    let mut locs: Vec<Location> = p.select(root)?.into_iter().map(|(l, _)| l).collect();
    locs.sort();
    locs.dedup();
    let all: HashSet<Location> = locs.iter().cloned().collect();
    locs.retain(|l| !(0..l.len()).any(|n| all.contains(&l[..n].to_vec())));
    locs.sort_by(mutation_order);
    Ok(locs)
}

/// `JSON.DEL key [path]` (and `JSON.FORGET`): deletes the values at path; the root
/// deletes the key. Answers how many values were deleted (0 for a missing key).
pub(super) fn del(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path_or_root(argv, 2)?;
    let Some(mut doc) = open_doc(ctx, &argv[1])? else { return Ok(Reply::Int(0)) };
    if p.is_root() {
        ctx.txn.delete(&argv[1])?;
        super::notify_changed(ctx, &argv[1]);
        return Ok(Reply::Int(1));
    }
    let mut deleted = 0;
    for loc in outermost(&doc.root, &p)? {
        deleted += edit::remove(&mut doc.root, &loc) as i64;
    }
    if deleted > 0 {
        save(ctx, &argv[1], &doc)?;
    }
    Ok(Reply::Int(deleted))
}

/// Applies `f` to each match of the path at `argv[2]` that `fits`, in match order; the
/// document is stored if any was changed. Answers the path and, per match, `f`'s result
/// (`None` where the match does not fit). Missing key: `ERR could not perform this
/// operation on a key that doesn't exist`. Shared by the per-value commands.
fn each_match<T>(
    ctx: &mut Ctx<'_>,
    key: &Bytes,
    p: &Path,
    fits: fn(&Value) -> bool,
    mut f: impl FnMut(&mut Value) -> Result<T>,
) -> Result<Vec<Option<T>>> {
    let mut doc = existing_doc(ctx, key)?;
    let locs: Vec<(Location, bool)> = p.select(&doc.root)?.into_iter().map(|(l, v)| (l, fits(v))).collect();
    let mut out = Vec::with_capacity(locs.len());
    let mut changed = false;
    for (loc, fit) in locs {
        let target = if fit { edit::get_mut(&mut doc.root, &loc) } else { None };
        out.push(match target {
            Some(v) => {
                changed = true;
                Some(f(v)?)
            }
            None => None,
        });
    }
    if changed {
        save(ctx, key, &doc)?;
    }
    Ok(out)
}

fn num(ctx: &mut Ctx<'_>, argv: &[Bytes], op: NumOp) -> Result<Reply> {
    let p = path(&argv[2])?;
    let by = match doc_type::parse(&argv[3])? {
        Value::Number(n) => n,
        _ => return Err(Error::JsonBadNumber),
    };
    let results = each_match(ctx, &argv[1], &p, Value::is_number, |v| {
        let Value::Number(n) = v else { unreachable!("matched numbers only") };
        let r = edit::num_op(n, &by, op)?;
        *v = Value::Number(r.clone());
        Ok(r)
    })?;
    if ctx.session.resp >= 3 {
        // RESP3: the new numbers themselves, one per match, either path syntax
        // (RedisJSON 2.6).
        return Ok(Reply::Array(results.into_iter().map(|r| r.map_or(Reply::Nil, |n| num_reply(&n))).collect()));
    }
    if p.legacy {
        let last = results.into_iter().flatten().last();
        let last = last.ok_or_else(|| Error::JsonNoPathOr(p.text.clone(), "does not contains a number"))?;
        return Ok(bulk(format::number(&last).into_bytes()));
    }
    let values: Vec<Value> = results.into_iter().map(|r| r.map_or(Value::Null, Value::Number)).collect();
    Ok(bulk(format::compact(&values)))
}

/// A number as a RESP3 reply: an integer, or a double.
fn num_reply(n: &serde_json::Number) -> Reply {
    match n.as_i64() {
        Some(i) if !n.is_f64() => Reply::Int(i),
        _ => Reply::Double(n.as_f64().unwrap_or(0.0)),
    }
}

/// `JSON.NUMINCRBY key path number`: adds `number` to each number at path (integers
/// stay integers while they fit, a double makes a double). Legacy: the new value as a
/// bulk string; JSONPath: a JSON array of new values, null for non-numbers (RESP3: an
/// array of the numbers, either syntax). Errors:
/// `result is not a number` (overflow to infinity), `ERR Path '<p>' does not exist or
/// does not contains a number` (legacy).
pub(super) fn numincrby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    num(ctx, argv, NumOp::Incr)
}

/// `JSON.NUMMULTBY key path number`: as NUMINCRBY, multiplying.
pub(super) fn nummultby(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    num(ctx, argv, NumOp::Mult)
}

/// `JSON.STRAPPEND key [path] json-string`: appends the string to each string at path.
/// Legacy: the new length; JSONPath: one per match, nil for non-strings. The value must
/// be a JSON string (`WRONGTYPE wrong type of path value - expected string but found
/// <value>`).
pub(super) fn strappend(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (p, raw) = if argv.len() > 3 { (path(&argv[2])?, &argv[3]) } else { (Path::root_legacy(), &argv[2]) };
    let suffix = match doc_type::parse(raw)? {
        Value::String(s) => s,
        _ => {
            return Err(Error::JsonWrongType { expected: "string", found: String::from_utf8_lossy(raw).into_owned() })
        }
    };
    let results = each_match(ctx, &argv[1], &p, Value::is_string, |v| {
        let Value::String(s) = v else { unreachable!("matched strings only") };
        s.push_str(&suffix);
        Ok(s.len() as i64)
    })?;
    if p.legacy {
        let last = results.into_iter().flatten().last();
        return last.map(Reply::Int).ok_or_else(|| Error::JsonNoPathOr(p.text.clone(), "not a string"));
    }
    Ok(Reply::Array(results.into_iter().map(|r| r.map_or(Reply::Nil, Reply::Int)).collect()))
}

/// `JSON.TOGGLE key path`: flips each boolean at path. Legacy: the new value as a bulk
/// `true`/`false`; JSONPath: 1 / 0 per match, nil for non-booleans.
pub(super) fn toggle(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path(&argv[2])?;
    let results = each_match(ctx, &argv[1], &p, Value::is_boolean, |v| {
        let b = !v.as_bool().unwrap_or(false);
        *v = Value::Bool(b);
        Ok(b)
    })?;
    if p.legacy {
        let last = results.into_iter().flatten().last();
        return last.map(|b| Reply::bulk_str(if b { "true" } else { "false" })).ok_or_else(|| Error::JsonNoPathOr(p.text.clone(), "not a bool"));
    }
    Ok(Reply::Array(results.into_iter().map(|r| r.map_or(Reply::Nil, |b| Reply::Int(b as i64))).collect()))
}

/// `JSON.CLEAR key [path]`: empties arrays and objects and sets numbers to 0 at path;
/// answers how many values changed.
pub(super) fn clear(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    // Paths after the first are ignored, as RedisJSON 2.x does.
    let p = path_or_root(argv, 2)?;
    let results = each_match(ctx, &argv[1], &p, |_| true, |v| Ok(edit::clear(v)))?;
    Ok(Reply::Int(results.into_iter().flatten().filter(|c| *c).count() as i64))
}

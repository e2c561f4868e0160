//! The JSON array commands that change arrays: ARRAPPEND, ARRINSERT, ARRPOP, ARRTRIM.
//! Several matched arrays are changed deepest first and, within one array, from the
//! highest index down (`mutation_order`), so a change never moves an array still to be
//! changed; replies keep the order of the matches.

use bytes::Bytes;
use serde_json::Value;

use super::{bulk, existing_doc, int_arg, path, save, Ctx};
use crate::error::{Error, Result};
use crate::protocol::Reply;
use crate::types::json::edit;
use crate::types::json::format;
use crate::types::json::path::{mutation_order, Location, Path};
use crate::types::json::{self as doc_type};

/// What [`each_array`] answers: `f`'s result per match in match order (`None` for a
/// match that is not an array), and the result a legacy path replies with: the one of
/// the array changed last.
struct PerArray<T> {
    results: Vec<Option<T>>,
    last: Option<usize>,
}

impl<T> PerArray<T> {
    fn legacy(mut self) -> Option<T> {
        self.last.and_then(|i| self.results[i].take())
    }
}

/// Applies `f` to each array the path at `p` matches, in mutation order; stores the
/// document if any array matched. Legacy paths with no array match: `ERR Path '<p>'
/// does not exist or not an array`.
fn each_array<T>(
    ctx: &mut Ctx<'_>,
    key: &Bytes,
    p: &Path,
    mut f: impl FnMut(&mut Vec<Value>) -> Result<T>,
) -> Result<PerArray<T>> {
    let mut doc = existing_doc(ctx, key)?;
    let found: Vec<(Location, bool)> = p.select(&doc.root)?.into_iter().map(|(l, v)| (l, v.is_array())).collect();
    let mut order: Vec<usize> = (0..found.len()).filter(|&i| found[i].1).collect();
    if p.legacy && order.is_empty() {
        return Err(Error::JsonNoPathOr(p.text.clone(), "not an array"));
    }
    order.sort_by(|&a, &b| mutation_order(&found[a].0, &found[b].0));
    let mut results: Vec<Option<T>> = (0..found.len()).map(|_| None).collect();
    let mut last = None;
    for i in order {
        if let Some(Value::Array(items)) = edit::get_mut(&mut doc.root, &found[i].0) {
            results[i] = Some(f(items)?);
            last = Some(i);
        }
    }
    if last.is_some() {
        save(ctx, key, &doc)?;
    }
    Ok(PerArray { results, last })
}

/// The reply of a command answering a length per array: legacy, the last one changed;
/// JSONPath, one per match (nil for non-arrays).
fn lengths(p: &Path, out: PerArray<usize>) -> Reply {
    if p.legacy {
        return Reply::Int(out.legacy().unwrap_or(0) as i64);
    }
    Reply::Array(out.results.into_iter().map(|r| r.map_or(Reply::Nil, |n| Reply::Int(n as i64))).collect())
}

fn values(raw: &[Bytes]) -> Result<Vec<Value>> {
    raw.iter().map(|r| doc_type::parse(r)).collect()
}

/// `JSON.ARRAPPEND key path json [json ...]`: appends the values to each array at
/// path; answers the new lengths. O(values) per array, plus one rewrite of the document.
pub(super) fn arrappend(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    // RedisJSON declares arity -3 and asks for a value itself.
    if argv.len() < 4 {
        return Err(Error::WrongArity("json.arrappend".into()));
    }
    let p = path(&argv[2])?;
    let vals = values(&argv[3..])?;
    let results = each_array(ctx, &argv[1], &p, |items| {
        items.extend(vals.iter().cloned());
        Ok(items.len())
    })?;
    Ok(lengths(&p, results))
}

/// `JSON.ARRINSERT key path index json [json ...]`: inserts the values before `index`
/// (negative from the end) in each array at path; answers the new lengths. `ERR index
/// out of bounds` outside `[-len, len]`; `Couldn't parse as integer`.
pub(super) fn arrinsert(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path(&argv[2])?;
    let index = int_arg(&argv[3])?;
    let vals = values(&argv[4..])?;
    let results = each_array(ctx, &argv[1], &p, |items| edit::arr_insert(items, index, &vals))?;
    Ok(lengths(&p, results))
}

/// `JSON.ARRPOP key [path [index]]`: removes and answers the element at `index`
/// (default the last; clamped into the array) of each array at path, printed as JSON;
/// nil for an empty array. Legacy: the last array's; JSONPath: one per match.
pub(super) fn arrpop(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let (p, index) = match argv.get(2) {
        None => (Path::root_legacy(), i64::MAX),
        // As RedisJSON: an index that is not an integer reads as the default.
        Some(raw) => (path(raw)?, argv.get(3).and_then(|a| int_arg(a).ok()).unwrap_or(-1)),
    };
    let out = each_array(ctx, &argv[1], &p, |items| Ok(edit::arr_pop(items, index)))?;
    let reply = |r: Option<Value>| r.map_or(Reply::Nil, |v| bulk(format::compact(&v)));
    if p.legacy {
        return Ok(reply(out.legacy().flatten()));
    }
    Ok(Reply::Array(out.results.into_iter().map(|r| reply(r.flatten())).collect()))
}

/// `JSON.ARRTRIM key path start stop`: keeps elements `start..=stop` of each array at
/// path; answers the new lengths. `Couldn't parse as integer`.
pub(super) fn arrtrim(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let p = path(&argv[2])?;
    let (start, stop) = (int_arg(&argv[3])?, int_arg(&argv[4])?);
    let results = each_array(ctx, &argv[1], &p, |items| Ok(edit::arr_trim(items, start, stop)))?;
    Ok(lengths(&p, results))
}

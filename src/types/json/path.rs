//! RedisJSON's two path syntaxes, parsed once and evaluated over a parsed document.
//!
//! - **JSONPath** (starts with `$`): `$.a.b`, `$['a']`, `$.*`, `$[*]`, `$..name`, `$[0]`,
//!   `$[-1]`, `$[0,2]`, `$['a','b']`, `$[1:3]`, `$[::2]`, filters `$[?(@.price < 10 &&
//!   @.tags[0] == "a")]` with `== != < <= > >= =~`, `&&`, `||`, parentheses, literals and
//!   `@` / `$` paths (a filter keeps the elements of an array that pass it, and an object
//!   itself if it passes). Commands answer one result per match.
//! - **Legacy** (anything else): `.`, `.a.b`, `a.b`, `["a"]`, `.a[0]` are read as the
//!   JSONPath `$`, `$.a.b`, `$.a.b`, `$["a"]`, `$.a[0]`; commands answer the first match
//!   alone, and an error where RedisJSON gives one.
//!
//! Evaluation answers each match with its [`Location`] (the keys and indexes from the
//! root), which the write commands use to change the document in place.
//!
//! # Bounds
//! Parsing is a loop over the path's characters; only filter expressions recurse, and
//! their nesting is capped at [`MAX_NESTING`] (filters within filters at
//! [`MAX_FILTER_NESTING`]), so a path of any length (100,000 `[` or `(`) is an error
//! reply, not a stack overflow. Evaluation recurses only along the
//! document's depth (at most `json::MAX_DEPTH`). Repeated `..` steps multiply matches,
//! so the match set is capped at [`MAX_MATCHES`].

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::{Error, Result};

mod parse;
use parse::Parser;

/// Deepest nesting of parentheses and paths inside a filter.
pub const MAX_NESTING: usize = 64;
/// Deepest nesting of filters within filters (`$[?(@[?(@.a)])]` is 2). Each level can
/// recurse along the document's depth, so this bounds the evaluation's stack.
pub const MAX_FILTER_NESTING: usize = 2;
/// Most values one path may match (DiskDB's bound; RedisJSON has none).
pub const MAX_MATCHES: usize = 1 << 22;

/// One step from a value to a child.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Elem {
    Key(String),
    Index(usize),
}

/// Where a value is: the steps from the root (empty: the root itself).
pub type Location = Vec<Elem>;

/// What one path step selects among a value's children.
#[derive(Debug)]
pub(super) enum Sel {
    Keys(Vec<String>),
    Wild,
    Indexes(Vec<i64>),
    Slice(Option<i64>, Option<i64>, i64),
    Filter(Box<Expr>),
}

#[derive(Debug)]
pub(super) struct Step {
    /// `..`: the selector applies to the value and every value below it.
    pub(super) deep: bool,
    pub(super) sel: Sel,
}

#[derive(Debug)]
pub(super) enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A single operand: true if its path matches something (a literal: if truthy).
    Exists(Operand),
    Cmp(Operand, Op, Operand),
    Match(Operand, regex::Regex),
}

#[derive(Debug)]
pub(super) enum Operand {
    Current(Vec<Step>),
    Root(Vec<Step>),
    Literal(Value),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed path.
#[derive(Debug)]
pub struct Path {
    /// The text the client sent (JSON.GET's multi-path replies are keyed by it).
    pub original: String,
    /// The JSONPath text evaluated (a legacy path rewritten to start with `$`); error
    /// replies name it (`ERR Path '$.a' does not exist`).
    pub text: String,
    pub legacy: bool,
    steps: Vec<Step>,
}

impl Path {
    /// Parses `raw` as RedisJSON's `Path::new` reads it: JSONPath if it starts with `$`,
    /// else legacy. A path that does not parse is `Error occurred on position ...`.
    pub fn parse(raw: &[u8]) -> Result<Path> {
        let original = String::from_utf8_lossy(raw).into_owned();
        let legacy = !original.starts_with('$');
        let text = if !legacy {
            original.clone()
        } else if original == "." {
            "$".to_string()
        } else if original.starts_with('.') || original.starts_with('[') {
            format!("${original}")
        } else {
            format!("$.{original}")
        };
        let steps = {
            let mut p = Parser { s: text.as_bytes(), pos: 1, text: &text, nesting: 0, filters: 0 };
            let steps = p.steps(false)?;
            if p.pos < p.s.len() {
                return Err(p.error("'.', '..' or '['"));
            }
            steps
        };
        Ok(Path { original, text, legacy, steps })
    }

    /// The root path `$` (legacy: what a command without a path argument uses).
    pub fn root_legacy() -> Path {
        Path { original: ".".into(), text: "$".into(), legacy: true, steps: Vec::new() }
    }

    /// Whether this is the root itself (`$` or `.`).
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether every step names one key or one index: a path that can create a value
    /// (JSON.SET of a new key).
    pub fn is_static(&self) -> bool {
        self.steps.iter().all(|s| {
            !s.deep && matches!(&s.sel, Sel::Keys(k) if k.len() == 1) || !s.deep && matches!(&s.sel, Sel::Indexes(i) if i.len() == 1)
        })
    }

    /// For a static path: the parent's location steps and the last key, if the last step
    /// names a key; `Err(true)` if it ends with an index, `Err(false)` for the root.
    pub fn split_last_key(&self) -> std::result::Result<(Path, String), bool> {
        let Some(last) = self.steps.last() else { return Err(false) };
        match &last.sel {
            Sel::Keys(k) if k.len() == 1 => {
                let text = self.text.clone();
                // The parent path is re-parsed from the steps' own form: only static steps.
                let steps = self.steps[..self.steps.len() - 1]
                    .iter()
                    .map(|s| Step {
                        deep: false,
                        sel: match &s.sel {
                            Sel::Keys(k) => Sel::Keys(k.clone()),
                            Sel::Indexes(i) => Sel::Indexes(i.clone()),
                            _ => Sel::Wild,
                        },
                    })
                    .collect();
                Ok((Path { original: self.original.clone(), text, legacy: self.legacy, steps }, k[0].clone()))
            }
            _ => Err(true),
        }
    }

    /// Every value the path matches, in RedisJSON's order (document order; `..`
    /// pre-order), with its location. `ERR the path matches too many values` past
    /// [`MAX_MATCHES`].
    pub fn select<'a>(&self, root: &'a Value) -> Result<Vec<(Location, &'a Value)>> {
        select(&self.steps, root, root, true)
    }

    /// The matched values alone (no location is built: reads cost no allocation per
    /// visited value).
    pub fn values<'a>(&self, root: &'a Value) -> Result<Vec<&'a Value>> {
        Ok(select(&self.steps, root, root, false)?.into_iter().map(|(_, v)| v).collect())
    }
}

/// The values `steps` select from `start`, with their locations if `track` (else empty
/// locations).
fn select<'a>(steps: &[Step], start: &'a Value, root: &'a Value, track: bool) -> Result<Vec<(Location, &'a Value)>> {
    let mut current: Vec<(Location, &'a Value)> = vec![(Vec::new(), start)];
    for step in steps {
        let mut next = Vec::new();
        for (loc, v) in &current {
            let mut at = loc.clone();
            if step.deep {
                descend(step, &mut at, v, root, &mut next, track)?;
            } else {
                apply(&step.sel, &mut at, v, root, &mut next, track)?;
            }
        }
        current = next;
    }
    Ok(current)
}

/// Applies `step`'s selector to `v` and, pre-order, to every value below it.
fn descend<'a>(
    step: &Step,
    at: &mut Location,
    v: &'a Value,
    root: &'a Value,
    out: &mut Vec<(Location, &'a Value)>,
    track: bool,
) -> Result<()> {
    apply(&step.sel, at, v, root, out, track)?;
    match v {
        Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                if track {
                    at.push(Elem::Index(i));
                }
                descend(step, at, c, root, out, track)?;
                if track {
                    at.pop();
                }
            }
        }
        Value::Object(map) => {
            for (k, c) in map {
                if track {
                    at.push(Elem::Key(k.clone()));
                }
                descend(step, at, c, root, out, track)?;
                if track {
                    at.pop();
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn push<'a>(out: &mut Vec<(Location, &'a Value)>, at: &Location, e: Option<Elem>, v: &'a Value) -> Result<()> {
    if out.len() >= MAX_MATCHES {
        return Err(Error::JsonTooManyMatches);
    }
    let loc = match e {
        Some(e) => {
            let mut loc = at.clone();
            loc.push(e);
            loc
        }
        None => Vec::new(),
    };
    out.push((loc, v));
    Ok(())
}

/// Python-style bounds of a slice over `len` elements.
fn slice_indexes(start: Option<i64>, end: Option<i64>, step: i64, len: usize) -> Vec<usize> {
    let len = len as i64;
    let norm = |i: i64| if i < 0 { (i + len).max(if step > 0 { 0 } else { -1 }) } else { i.min(if step > 0 { len } else { len - 1 }) };
    let mut out = Vec::new();
    if step > 0 {
        let (mut i, e) = (start.map_or(0, norm), end.map_or(len, norm));
        while i < e {
            out.push(i as usize);
            i += step;
        }
    } else if step < 0 {
        let (mut i, e) = (start.map_or(len - 1, norm), end.map_or(-1, norm));
        while i > e {
            out.push(i as usize);
            i += step;
        }
    }
    out
}

fn apply<'a>(
    sel: &Sel,
    at: &mut Location,
    v: &'a Value,
    root: &'a Value,
    out: &mut Vec<(Location, &'a Value)>,
    track: bool,
) -> Result<()> {
    // The location step of a match, built only when locations are tracked.
    let key = |k: &String| track.then(|| Elem::Key(k.clone()));
    let index = |i: usize| track.then_some(Elem::Index(i));
    match (sel, v) {
        (Sel::Keys(keys), Value::Object(map)) => {
            for k in keys {
                if let Some(c) = map.get(k) {
                    push(out, at, key(k), c)?;
                }
            }
        }
        (Sel::Wild, Value::Object(map)) => {
            for (k, c) in map {
                push(out, at, key(k), c)?;
            }
        }
        (Sel::Wild, Value::Array(items)) => {
            for (i, c) in items.iter().enumerate() {
                push(out, at, index(i), c)?;
            }
        }
        (Sel::Indexes(idx), Value::Array(items)) => {
            let len = items.len() as i64;
            for &i in idx {
                let i = if i < 0 { i + len } else { i };
                if (0..len).contains(&i) {
                    push(out, at, index(i as usize), &items[i as usize])?;
                }
            }
        }
        (Sel::Slice(start, end, step), Value::Array(items)) => {
            for i in slice_indexes(*start, *end, *step, items.len()) {
                push(out, at, index(i), &items[i])?;
            }
        }
        (Sel::Filter(expr), Value::Array(items)) => {
            for (i, c) in items.iter().enumerate() {
                if eval(expr, c, root)? {
                    push(out, at, index(i), c)?;
                }
            }
        }
        // On an object, RedisJSON's filter tests the object itself.
        (Sel::Filter(expr), Value::Object(_)) => {
            if eval(expr, v, root)? {
                if out.len() >= MAX_MATCHES {
                    return Err(Error::JsonTooManyMatches);
                }
                out.push((if track { at.clone() } else { Vec::new() }, v));
            }
        }
        _ => {}
    }
    Ok(())
}

fn operand<'a>(o: &'a Operand, current: &'a Value, root: &'a Value) -> Result<Vec<&'a Value>> {
    Ok(match o {
        Operand::Current(steps) => select(steps, current, root, false)?.into_iter().map(|(_, v)| v).collect(),
        Operand::Root(steps) => select(steps, root, root, false)?.into_iter().map(|(_, v)| v).collect(),
        Operand::Literal(v) => vec![v],
    })
}

fn eval(e: &Expr, current: &Value, root: &Value) -> Result<bool> {
    Ok(match e {
        Expr::Or(a, b) => eval(a, current, root)? || eval(b, current, root)?,
        Expr::And(a, b) => eval(a, current, root)? && eval(b, current, root)?,
        Expr::Not(a) => !eval(a, current, root)?,
        Expr::Exists(Operand::Literal(v)) => !matches!(v, Value::Null | Value::Bool(false)),
        Expr::Exists(o) => !operand(o, current, root)?.is_empty(),
        Expr::Cmp(a, op, b) => {
            let (xs, ys) = (operand(a, current, root)?, operand(b, current, root)?);
            xs.iter().any(|x| ys.iter().any(|y| compare(x, *op, y)))
        }
        Expr::Match(a, re) => operand(a, current, root)?.iter().any(|x| matches!(x, Value::String(s) if re.is_match(s))),
    })
}

/// A comparison in a filter: numbers by value (integers and doubles alike), strings by
/// bytes, other types only for (in)equality; values of different types are only
/// unequal.
fn compare(x: &Value, op: Op, y: &Value) -> bool {
    let ord = match (x, y) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        },
        (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Value::Bool(a), Value::Bool(b)) if a == b => Some(Ordering::Equal),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) if x == y => Some(Ordering::Equal),
        _ => None,
    };
    match (op, ord) {
        (Op::Ne, None) => true,
        (_, None) => false,
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
    }
}

/// Orders locations for changing a document in place when one command changes several:
/// deeper locations before their ancestors and higher indexes of one array before lower
/// ones, so no change moves a location still to be used (RedisJSON's order).
pub fn mutation_order(a: &Location, b: &Location) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = match (x, y) {
            (Elem::Index(i), Elem::Index(j)) => j.cmp(i),
            (Elem::Key(k), Elem::Key(l)) => k.cmp(l),
            (Elem::Key(_), Elem::Index(_)) => Ordering::Less,
            (Elem::Index(_), Elem::Key(_)) => Ordering::Greater,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    b.len().cmp(&a.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(path: &str, doc: &Value) -> Vec<Value> {
        Path::parse(path.as_bytes()).unwrap().values(doc).unwrap().into_iter().cloned().collect()
    }

    fn store() -> Value {
        json!({"store": {"book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95, "tags": ["a", "b"]},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99, "tags": ["b"]},
            {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8, "tags": ["a"]}
        ], "bicycle": {"color": "red", "price": 19.95}}})
    }

    #[test]
    fn legacy_paths_are_rewritten() {
        for (raw, text) in [(".", "$"), (".a.b", "$.a.b"), ("a.b", "$.a.b"), ("[\"a\"]", "$[\"a\"]"), ("$.x", "$.x")] {
            let p = Path::parse(raw.as_bytes()).unwrap();
            assert_eq!(p.text, text);
            assert_eq!(p.legacy, !raw.starts_with('$'));
        }
        assert!(Path::parse(b".").unwrap().is_root());
    }

    #[test]
    fn selectors() {
        let d = store();
        assert_eq!(sel("$.store.bicycle.color", &d), vec![json!("red")]);
        assert_eq!(sel("$..author", &d).len(), 3);
        assert_eq!(sel("$.store.book[-1].title", &d), vec![json!("Moby Dick")]);
        assert_eq!(sel("$.store.book[0,2].price", &d), vec![json!(8.95), json!(8)]);
        assert_eq!(sel("$.store.book[:2].price", &d), vec![json!(8.95), json!(12.99)]);
        assert_eq!(sel("$.store.book[::2].price", &d), vec![json!(8.95), json!(8)]);
        assert_eq!(sel("$.store['bicycle']['color','price']", &d), vec![json!("red"), json!(19.95)]);
        assert_eq!(sel("$.store.book[*].isbn", &d), vec![json!("0-553")]);
        assert_eq!(sel("$.store.book[?(@.price < 10 && @.tags[0] == \"a\")].title", &d), vec![json!("Sayings"), json!("Moby Dick")]);
        assert_eq!(sel("$.store.book[?(@.isbn)].title", &d), vec![json!("Moby Dick")]);
        assert_eq!(sel("$.store.book[?(@.author =~ 'Her.*')].price", &d), vec![json!(8)]);
        assert_eq!(sel("$.store.book[?(@.price > 10 || (@.category == 'reference'))].title", &d).len(), 2);
        assert_eq!(sel("$..[?(@.color == 'red')].price", &d), vec![json!(19.95)]);
        assert_eq!(sel("$.store.book.[?(@.price == 8)].title", &d), vec![json!("Moby Dick")]);
        assert_eq!(Path::parse(b".[0].a").unwrap().text, "$.[0].a");
        assert_eq!(sel("$.nothing", &d), Vec::<Value>::new());
        // A filter on an object tests the object itself (RedisJSON's MOD-2099 case).
        let d2 = json!({"a":{"x":{"i":10}}, "b":{"x":{"i":20, "j":5}}});
        assert_eq!(sel("$..x[?(@.i>10)]", &d2), vec![json!({"i":20,"j":5})]);
        assert_eq!(sel("$..x[?($.i>10)]", &d2), Vec::<Value>::new());
        let nested = json!({"a": {"a": 1}});
        assert_eq!(sel("$..a", &nested), vec![json!({"a": 1}), json!(1)]);
    }

    #[test]
    fn bad_paths_are_errors_not_crashes() {
        for bad in ["$.a[", "$[?(@.a ==)]", "$.", "$a", "$[1:2:0]", "$.a]"] {
            assert!(Path::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let long = "$".to_string() + &"[".repeat(100_000);
        assert!(Path::parse(long.as_bytes()).is_err());
        let parens = "$[?(".to_string() + &"(".repeat(100_000) + "@.a" + &")".repeat(100_001) + "]";
        assert!(Path::parse(parens.as_bytes()).is_err());
        let ok = "$".to_string() + &".a".repeat(50_000);
        assert!(Path::parse(ok.as_bytes()).unwrap().values(&json!({})).unwrap().is_empty());
        let e = Path::parse(b"$.a[$]").unwrap_err().to_string();
        assert!(e.starts_with("Error occurred on position 4, \"$.a[ ---->>>> $]\""), "{e}");
    }

    #[test]
    fn locations_and_order() {
        let d = json!({"a": [[1, 2], [3]]});
        let p = Path::parse(b"$..*").unwrap();
        let mut locs: Vec<Location> = p.select(&d).unwrap().into_iter().map(|(l, _)| l).collect();
        locs.sort_by(mutation_order);
        assert_eq!(locs[0], vec![Elem::Key("a".into()), Elem::Index(1), Elem::Index(0)]);
        assert_eq!(locs.last().unwrap(), &vec![Elem::Key("a".into())]);
        assert!(Path::parse(b"$.a[0]").unwrap().is_static());
        assert!(!Path::parse(b"$..a").unwrap().is_static());
    }
}

//! Changes to a parsed document at a [`Location`], with RedisJSON's rules: what
//! NUMINCRBY makes of integers and doubles, ARRPOP's and ARRTRIM's index clamping, what
//! CLEAR empties, JSON.MERGE's RFC 7396 patch. The commands find the locations with
//! [`super::path`], apply these in [`mutation_order`](super::path::mutation_order), and
//! store the document once.

use serde_json::{Number, Value};

use super::path::Elem;
use crate::error::{Error, Result};

/// The value at `loc`, for changing it.
pub fn get_mut<'a>(root: &'a mut Value, loc: &[Elem]) -> Option<&'a mut Value> {
    let mut v = root;
    for e in loc {
        v = match (e, v) {
            (Elem::Key(k), Value::Object(map)) => map.get_mut(k)?,
            (Elem::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Removes the value at `loc` (not the root); answers whether it was there. An object's
/// last key takes the removed key's place, as in RedisJSON's objects (its test suite
/// expects `{"a":..,"b":..,"nested":..}` less `a` to print `{"nested":..,"b":..}`).
pub fn remove(root: &mut Value, loc: &[Elem]) -> bool {
    let Some((last, parent)) = loc.split_last() else { return false };
    match (last, get_mut(root, parent)) {
        (Elem::Key(k), Some(Value::Object(map))) => map.swap_remove(k).is_some(),
        (Elem::Index(i), Some(Value::Array(items))) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

/// Which arithmetic NUMINCRBY / NUMMULTBY does.
#[derive(Debug, Clone, Copy)]
pub enum NumOp {
    Incr,
    Mult,
}

/// Applies `op` with `by` to the number `current`, as RedisJSON: two integers give an
/// integer (a result past the 64-bit range becomes a double), anything with a double
/// gives a double, a result that is not finite is `result is not a number`.
pub fn num_op(current: &Number, by: &Number, op: NumOp) -> Result<Number> {
    if let (Some(a), Some(b)) = (current.as_i64(), by.as_i64()) {
        if !current.is_f64() {
            let exact = match op {
                NumOp::Incr => a.checked_add(b),
                NumOp::Mult => a.checked_mul(b),
            };
            if let Some(n) = exact {
                return Ok(Number::from(n));
            }
        }
    }
    let (a, b) = (current.as_f64().unwrap_or(f64::NAN), by.as_f64().unwrap_or(f64::NAN));
    let r = match op {
        NumOp::Incr => a + b,
        NumOp::Mult => a * b,
    };
    Number::from_f64(r).ok_or(Error::JsonNotANumber)
}

/// An index into an array of `len` for ARRPOP: negative counts from the end, clamped to
/// the first and last element.
pub fn clamp_index(index: i64, len: usize) -> usize {
    let len = len as i64;
    if index < 0 {
        (len + index).max(0) as usize
    } else {
        index.min(len - 1).max(0) as usize
    }
}

/// ARRPOP: removes and answers the element at `index` (clamped), `None` if the array is
/// empty.
pub fn arr_pop(items: &mut Vec<Value>, index: i64) -> Option<Value> {
    if items.is_empty() {
        return None;
    }
    Some(items.remove(clamp_index(index, items.len())))
}

/// ARRTRIM: keeps elements `start..=stop` (RedisJSON's normalization: negative from the
/// end, clamped; a start past the end or after stop empties the array). Answers the new
/// length.
pub fn arr_trim(items: &mut Vec<Value>, start: i64, stop: i64) -> usize {
    let len = items.len() as i64;
    let norm = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len - 1) };
    let stop = norm(stop);
    let start = if start < 0 || start < len { norm(start) } else { stop + 1 };
    if len == 0 || start > stop {
        items.clear();
    } else {
        items.truncate(stop as usize + 1);
        items.drain(..start as usize);
    }
    items.len()
}

/// ARRINSERT: inserts `values` before `index` (negative from the end); `ERR index out of
/// bounds` outside `[-len, len]`. Answers the new length.
pub fn arr_insert(items: &mut Vec<Value>, index: i64, values: &[Value]) -> Result<usize> {
    let len = items.len() as i64;
    let at = if index < 0 { len + index } else { index };
    if !(0..=len).contains(&at) {
        return Err(Error::JsonIndexOutOfBounds);
    }
    let at = at as usize;
    items.splice(at..at, values.iter().cloned()).for_each(drop);
    Ok(items.len())
}

/// ARRINDEX: the first index in `[start, stop)` whose element equals `value`, or -1.
/// `start` and `stop` count from the end when negative; `stop` 0 means the end.
pub fn arr_index(items: &[Value], value: &Value, start: i64, stop: i64) -> i64 {
    let len = items.len() as i64;
    if len == 0 {
        return -1;
    }
    let start = if start < 0 { (len + start).max(0) } else { start.min(len) };
    let stop = if stop == 0 { len } else if stop < 0 { (len + stop).max(0) } else { stop.min(len) };
    (start..stop).find(|&i| same(&items[i as usize], value)).unwrap_or(-1)
}

/// Equality as ARRINDEX sees it: integers and doubles are different types (`1` is not
/// `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.is_f64() == y.is_f64() && x.as_f64() == y.as_f64() && x.as_i64() == y.as_i64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

/// CLEAR: empties an array or object, sets a number to 0; answers whether it changed
/// anything (an empty container or a 0 is not counted).
pub fn clear(v: &mut Value) -> bool {
    let zero = match v {
        Value::Array(items) if !items.is_empty() => {
            items.clear();
            false
        }
        Value::Object(map) if !map.is_empty() => {
            map.clear();
            false
        }
        Value::Number(n) if n.as_f64() != Some(0.0) => true,
        _ => return false,
    };
    if zero {
        *v = Value::from(0);
    }
    true
}

/// JSON.MERGE: RFC 7396. An object patch merges key by key (a null removes the key),
/// anything else replaces the target. Recursion follows the patch's depth, which its
/// parser bounded.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p {
        if v.is_null() {
            t.swap_remove(k);
        } else {
            merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn n(v: Value) -> Number {
        match v {
            Value::Number(n) => n,
            _ => unreachable!(),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(num_op(&n(json!(1)), &n(json!(2)), NumOp::Incr).unwrap(), n(json!(3)));
        assert_eq!(num_op(&n(json!(1)), &n(json!(1.5)), NumOp::Incr).unwrap(), n(json!(2.5)));
        let print = |n: Number| super::super::format::number(&n);
        assert_eq!(print(num_op(&n(json!(2.0)), &n(json!(1)), NumOp::Incr).unwrap()), "3.0");
        assert_eq!(print(num_op(&n(json!(i64::MAX)), &n(json!(1)), NumOp::Incr).unwrap()), "9.223372036854776e18");
        assert_eq!(num_op(&n(json!(1e308)), &n(json!(10)), NumOp::Mult).unwrap_err(), Error::JsonNotANumber);
    }

    #[test]
    fn arrays() {
        let mut a = vec![json!(0), json!(1), json!(2), json!(3), json!(4)];
        assert_eq!(arr_trim(&mut a, 1, -2), 3);
        assert_eq!(a, vec![json!(1), json!(2), json!(3)]);
        assert_eq!(arr_trim(&mut a, 5, 10), 0);
        let mut a = vec![json!(1), json!(2)];
        assert_eq!(arr_insert(&mut a, -1, &[json!("x")]).unwrap(), 3);
        assert_eq!(a, vec![json!(1), json!("x"), json!(2)]);
        assert_eq!(arr_insert(&mut a, 4, &[json!(0)]).unwrap_err(), Error::JsonIndexOutOfBounds);
        assert_eq!(arr_pop(&mut a, 99), Some(json!(2)));
        assert_eq!(arr_index(&a, &json!("x"), 0, 0), 1);
        assert_eq!(arr_index(&[json!(1.0)], &json!(1), 0, 0), -1);
    }

    #[test]
    fn merge_is_rfc7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
    }
}

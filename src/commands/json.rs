//! JSON commands (RedisJSON 2.x): parsing and replies. The data logic lives in
//! [`crate::types::json`]: storage of one document per key, the path evaluator
//! ([`path`](crate::types::json::path)), printing and the changes to a parsed document.
//!
//! Every command takes a path in either syntax (see `types::json::path`): a JSONPath
//! (`$...`) answers one result per match (an array, `nil` where a match has the wrong
//! type), a legacy path (`.a`, `a`) answers the first match alone, with an error where
//! nothing fits. The handlers are grouped: [`read`] (GET, MGET, TYPE, the lengths,
//! OBJKEYS, ARRINDEX, RESP, DEBUG), [`write`] (SET, MSET, MERGE, DEL, the number, string
//! and boolean changes, CLEAR) and [`array`] (ARRAPPEND, ARRINSERT, ARRPOP, ARRTRIM).
//!
//! A command that changes a document parses it, applies every change to the parsed tree
//! and stores it once: one rewrite of the document (see `types::json` for the cost).

mod array;
mod read;
mod write;

use bytes::Bytes;

use super::context::Ctx;
use super::table::{command, flags::*, CommandSpec, Keys};
use crate::error::{Error, Result};
use crate::notify::MODULE;
use crate::protocol::Reply;
use crate::types::json::path::Path;
use crate::types::json::{self, Value};
use crate::types::Access;

/// The document at `key`: `Existing key has wrong Redis type` (RedisJSON's text for
/// what Redis's own commands call WRONGTYPE) if it holds another type.
fn open(ctx: &mut Ctx<'_>, key: &[u8], access: Access) -> Result<Option<json::Json>> {
    json::open(&mut ctx.txn, key, access).map_err(|e| if e == Error::WrongType { Error::JsonKeyType } else { e })
}

/// The parsed document at `key` for a read command (a keyspace hit or miss).
fn read_doc(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Value>> {
    match open(ctx, key, Access::Read)? {
        Some(j) => Ok(Some(j.load(&ctx.txn)?)),
        None => Ok(None),
    }
}

/// A document opened for a change: its parsed tree and its expiry, which a change keeps.
struct Doc {
    root: Value,
    expire_at: i64,
}

/// The document at `key` for a write command.
fn open_doc(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<Doc>> {
    match open(ctx, key, Access::Write)? {
        Some(j) => Ok(Some(Doc { root: j.load(&ctx.txn)?, expire_at: j.expire_at() })),
        None => Ok(None),
    }
}

/// The document at `key` for a change that needs one (`ERR could not perform this
/// operation on a key that doesn't exist` otherwise).
fn existing_doc(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Doc> {
    open_doc(ctx, key)?.ok_or(Error::JsonNoKey)
}

/// Writes `doc` back to `key` (one rewrite of the document) and raises the command's
/// keyspace event, as RedisJSON does for each key it changed.
fn save(ctx: &mut Ctx<'_>, key: &[u8], doc: &Doc) -> Result<()> {
    json::store(&mut ctx.txn, key, &doc.root, doc.expire_at)?;
    notify_changed(ctx, key);
    Ok(())
}

/// Raises RedisJSON's event for the running command (`json.<command>`, JSON.FORGET as
/// `json.del`) about `key`, in the module class `d`.
fn notify_changed(ctx: &mut Ctx<'_>, key: &[u8]) {
    if !ctx.txn.wants(MODULE) {
        return;
    }
    let event = match ctx.session.info.last_cmd.lock().as_str() {
        "json.set" => "json.set",
        "json.mset" => "json.mset",
        "json.merge" => "json.merge",
        "json.del" | "json.forget" => "json.del",
        "json.numincrby" => "json.numincrby",
        "json.nummultby" => "json.nummultby",
        "json.toggle" => "json.toggle",
        "json.strappend" => "json.strappend",
        "json.arrappend" => "json.arrappend",
        "json.arrinsert" => "json.arrinsert",
        "json.arrpop" => "json.arrpop",
        "json.arrtrim" => "json.arrtrim",
        "json.clear" => "json.clear",
        _ => return,
    };
    ctx.notify(MODULE, event, key);
}

fn path(raw: &[u8]) -> Result<Path> {
    Path::parse(raw)
}

/// The path argument at `i`, or the legacy root when there is none.
fn path_or_root(argv: &[Bytes], i: usize) -> Result<Path> {
    argv.get(i).map_or_else(|| Ok(Path::root_legacy()), |p| path(p))
}

fn bulk(v: Vec<u8>) -> Reply {
    Reply::Bulk(Bytes::from(v))
}

/// An integer argument of the JSON commands: `Couldn't parse as integer` otherwise.
fn int_arg(raw: &[u8]) -> Result<i64> {
    crate::num::parse_i64_strict(raw).ok_or(Error::JsonNotInteger)
}

/// JSON.DEBUG's key: after MEMORY.
fn debug_keys(argv: &[Bytes]) -> Vec<usize> {
    if argv.len() > 2 && argv[1].eq_ignore_ascii_case(b"memory") {
        vec![2]
    } else {
        Vec::new()
    }
}

pub(crate) static COMMANDS: &[CommandSpec] = &[
    command! {
        name: "json.del", arity: -2, flags: WRITE, keys: Keys::one(), group: "module", handler: write::del,
        summary: "Delete a value", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the deleted value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.forget", arity: -2, flags: WRITE, keys: Keys::one(), group: "module", handler: write::del,
        summary: "Delete a value", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the deleted value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.get", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::get,
        summary: "Get JSON value at path", since: "1.0.0", complexity: "O(N) where N is the size of the JSON",
        docs: "key#0 [INDENT indent] [NEWLINE newline] [SPACE space] [path...]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.mget", arity: -3, flags: READONLY, keys: Keys::Range { first: 1, last: -2, step: 1 },
        group: "module", handler: read::mget,
        summary: "Return the values at path from multiple key arguments", since: "1.0.0",
        complexity: "O(M*N) when path is evaluated to a single value where M is the number of keys and N is the size of the value, O(N1+N2+...+Nm) when path is evaluated to multiple values where m is the number of keys and Ni is the size of the i-th key",
        docs: "key#0... path
            key 0:            RO, index 1, range -2
            acl: @json",
    },
    command! {
        name: "json.set", arity: -4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "module", handler: write::set,
        summary: "Set the JSON value at path in key", since: "1.0.0",
        complexity: "O(M+N) where M is the size of the original value (if it exists) and N is the size of the new value",
        docs: "key#0 path json [condition(NX | XX)]
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.mset", arity: -4, flags: WRITE | DENYOOM, keys: Keys::Range { first: 1, last: -1, step: 3 },
        group: "module", handler: write::mset,
        summary: "Set or update one or more JSON values according to the specified key-path-value triplets",
        since: "2.6.0",
        complexity: "O(K*(M+N)) where k is the number of keys in the command, when path is evaluated to a single value where M is the size of the original value (if it exists) and N is the size of the new value, or O(K*(M+N)) when path is evaluated to multiple values where M is the size of the key and N is the size of the new value * the number of original values in the key",
        docs: "triplet(key#0 path json)...
            key 0:            RW, index 1, range -1 step 3
            acl: @json",
    },
    command! {
        name: "json.merge", arity: -4, flags: WRITE | DENYOOM, keys: Keys::one(), group: "module", handler: write::merge,
        summary: "Merge a given JSON value into matching paths. Consequently, JSON values at matching paths are updated, deleted, or expanded with new children",
        since: "2.6.0",
        complexity: "O(M+N) when path is evaluated to a single value where M is the size of the original value (if it exists) and N is the size of the new value, O(M+N) when path is evaluated to multiple values where M is the size of the key and N is the size of the new value * the number of original values in the key",
        docs: "key#0 path json
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.type", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::type_,
        summary: "Report the type of JSON value at path", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.numincrby", arity: 4, flags: WRITE, keys: Keys::one(), group: "module", handler: write::numincrby,
        summary: "Increment the number value stored at path by number", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path value:double
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.nummultby", arity: 4, flags: WRITE, keys: Keys::one(), group: "module", handler: write::nummultby,
        summary: "Multiply the number value stored at path by number", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path value:double
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.toggle", arity: 3, flags: WRITE, keys: Keys::one(), group: "module", handler: write::toggle,
        summary: "Toggle the boolean value stored at path", since: "2.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.strappend", arity: -3, flags: WRITE | DENYOOM, keys: Keys::one(), group: "module", handler: write::strappend,
        summary: "Append the json-string values to the string at path", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path] value
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.strlen", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::strlen,
        summary: "Report the length of the JSON String at path in key", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.arrappend", arity: -3, flags: WRITE | DENYOOM, keys: Keys::one(), group: "module", handler: array::arrappend,
        summary: "Append one or more json values into the array at path after the last element in it.", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path value...
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.arrindex", arity: -4, flags: READONLY, keys: Keys::one(), group: "module", handler: read::arrindex,
        summary: "Returns the index of the first occurrence of a JSON scalar value in the array at path", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the array, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path value [range(start:integer [stop:integer])]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.arrinsert", arity: -5, flags: WRITE | DENYOOM, keys: Keys::one(), group: "module", handler: array::arrinsert,
        summary: "Inserts the JSON scalar(s) value at the specified index in the array at path", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the array, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path index:integer value...
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.arrlen", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::arrlen,
        summary: "Returns the length of the array at path", since: "1.0.0",
        complexity: "O(1) where path is evaluated to a single value, O(N) where path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.arrpop", arity: -2, flags: WRITE, keys: Keys::one(), group: "module", handler: array::arrpop,
        summary: "Removes and returns the element at the specified index in the array at path", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the array and the specified index is not the last element, O(1) when path is evaluated to a single value and the specified index is the last element, or O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path_index(path [index:integer])]
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.arrtrim", arity: 5, flags: WRITE, keys: Keys::one(), group: "module", handler: array::arrtrim,
        summary: "Trims the array at path to contain only the specified inclusive range of indices from start to stop", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the array, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 path start:integer stop:integer
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.objkeys", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::objkeys,
        summary: "Returns the JSON keys of the object at path", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value, where N is the number of keys in the object, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.objlen", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::objlen,
        summary: "Returns the number of keys of the object at path", since: "1.0.0",
        complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.clear", arity: -2, flags: WRITE, keys: Keys::one(), group: "module", handler: write::clear,
        summary: "Clears all values from an array or an object and sets numeric values to `0`", since: "2.0.0",
        complexity: "O(N) when path is evaluated to a single value where N is the size of the values, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RW, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.resp", arity: -2, flags: READONLY, keys: Keys::one(), group: "module", handler: read::resp,
        summary: "Returns the JSON value at path in Redis Serialization Protocol (RESP)", since: "1.0.0",
        complexity: "O(N) when path is evaluated to a single value, where N is the size of the value, O(N) when path is evaluated to multiple values, where N is the size of the key",
        docs: "key#0 [path]
            key 0:            RO, index 1, range 0
            acl: @json",
    },
    command! {
        name: "json.debug", arity: -2, flags: READONLY,
        keys: Keys::Custom { find: debug_keys, first: 2, last: 2, step: 1 }, group: "module", handler: read::debug,
        summary: "Debugging container command", since: "1.0.0", complexity: "N/A",
        docs: "subcommand(MEMORY | HELP) [key#0] [path]
            key 0:            RO, keyword MEMORY from 1, range 0
            acl: @json",
    },
];

//! Keyspace commands.

use bytes::Bytes;

use super::context::Ctx;
use super::table::{flags::*, CommandSpec, Keys};
use crate::command;
use crate::error::Result;
use crate::protocol::Reply;

/// `DEL key [key ...]`: how many of the keys existed. O(1) per key, whatever its size:
/// a collection's elements become unreachable with its metadata.
fn del(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let mut n = 0;
    for key in &argv[1..] {
        n += ctx.txn.delete(key)? as i64;
    }
    Ok(Reply::Int(n))
}

pub static COMMANDS: &[CommandSpec] = &[
    command!("del", -2, WRITE, Keys::all_from(1), "generic", del, "Deletes one or more keys.", "1.0.0", "O(N) where N is the number of keys that will be removed."),
];

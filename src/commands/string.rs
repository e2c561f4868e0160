//! String commands.

use bytes::Bytes;

use super::context::Ctx;
use super::table::{flags::*, CommandSpec, Keys};
use crate::command;
use crate::error::Result;
use crate::protocol::Reply;

/// `GET key`: the value, or nil. WRONGTYPE if the key holds another type. O(1).
fn get(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::opt_bulk(ctx.txn.get_string(&argv[1])?))
}

/// `SET key value` (options come with the full string group).
fn set(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    ctx.txn.set_string(&argv[1], argv[2].clone(), 0)?;
    Ok(Reply::ok())
}

pub static COMMANDS: &[CommandSpec] = &[
    command!("get", 2, READONLY | FAST, Keys::one(), "string", get, "Returns the string value of a key.", "1.0.0", "O(1)"),
    command!("set", -3, WRITE | DENYOOM, Keys::one(), "string", set, "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "1.0.0", "O(1)"),
];

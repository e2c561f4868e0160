//! Server commands: INFO, DBSIZE, FLUSHDB, FLUSHALL, TIME, CONFIG, SHUTDOWN, LASTSAVE,
//! COMMAND.

use bytes::Bytes;

use super::context::Ctx;
use super::table::{flags::*, CommandSpec, Keys};
use crate::command;
use crate::error::Result;
use crate::protocol::Reply;

/// `DBSIZE`: keys in the selected database. O(1): read from a maintained counter.
fn dbsize(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Int(ctx.store().dbsize(ctx.session.db)))
}

pub static COMMANDS: &[CommandSpec] = &[
    command!("dbsize", 1, READONLY | FAST, Keys::None, "server", dbsize, "Returns the number of keys in the database.", "1.0.0", "O(1)"),
];

//! Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, CLIENT.

use bytes::Bytes;

use super::args;
use super::context::Ctx;
use super::table::{flags::*, CommandSpec, Keys};
use crate::command;
use crate::error::{Error, Result};
use crate::protocol::Reply;

/// `PING [message]`: `PONG`, or the message as a bulk string. O(1).
fn ping(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    match argv.len() {
        1 => Ok(Reply::status("PONG")),
        2 => Ok(Reply::Bulk(argv[1].clone())),
        _ => Err(Error::WrongArity("ping".into())),
    }
}

/// `ECHO message`. O(1).
fn echo(_ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    Ok(Reply::Bulk(argv[1].clone()))
}

/// `QUIT`: replies OK and closes the connection once the reply is written.
fn quit(ctx: &mut Ctx<'_>, _argv: &[Bytes]) -> Result<Reply> {
    ctx.session.close_after_reply = true;
    Ok(Reply::ok())
}

/// `SELECT index`. Errors: not an integer; `ERR DB index is out of range`.
fn select(ctx: &mut Ctx<'_>, argv: &[Bytes]) -> Result<Reply> {
    let db = args::int(&argv[1])?;
    if db < 0 || db as usize >= ctx.store().databases() {
        return Err(Error::DbIndexOutOfRange);
    }
    ctx.session.select(db as usize);
    Ok(Reply::ok())
}

pub static COMMANDS: &[CommandSpec] = &[
    command!("ping", -1, FAST, Keys::None, "connection", ping, "Returns the server's liveliness response.", "1.0.0", "O(1)"),
    command!("echo", 2, FAST, Keys::None, "connection", echo, "Returns the given string.", "1.0.0", "O(1)"),
    command!("quit", -1, FAST | NO_AUTH | ALLOW_BUSY, Keys::None, "connection", quit, "Closes the connection.", "1.0.0", "O(1)"),
    command!("select", 2, FAST | LOADING | STALE, Keys::None, "connection", select, "Changes the selected database.", "1.0.0", "O(1)"),
];

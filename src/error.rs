//! Every error a command can answer with, and its exact Redis 7 text.
//!
//! All reply texts live here so that matching Redis byte for byte is a one-file review.
//! A command error is a reply: the connection stays open.

use std::fmt;

use crate::storage::StorageError;

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    WrongType,
    NotInteger,
    NotFloat,
    Overflow,
    NanOrInfinity,
    Syntax,
    NoSuchKey,
    /// `ERR invalid expire time in '<cmd>' command`
    InvalidExpire(String),
    DbIndexOutOfRange,
    SameObject,
    /// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `
    UnknownCommand(String),
    /// `ERR wrong number of arguments for '<name>' command`
    WrongArity(String),
    /// `ERR unknown subcommand '<sub>'. Try <CONTAINER> HELP.`
    UnknownSubcommand { sub: String, container: String },
    NoAuth,
    WrongPass,
    /// AUTH with no password configured.
    AuthNotConfigured,
    StringTooLong,
    BitOffset,
    BitValue,
    NoProto,
    Storage(String),
    /// A complete error text (including its code) for one-off messages.
    Msg(String),
    /// RESTORE onto an existing key without REPLACE.
    BusyKey,
    /// RESTORE of a payload with a wrong version or checksum.
    DumpPayload,
    /// RESTORE of a payload whose checksum holds but whose content does not parse.
    BadDataFormat,
    /// SCAN with a cursor that is not an unsigned integer or is unknown.
    InvalidCursor,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A one-off `ERR <text>` error.
    pub fn err(text: impl fmt::Display) -> Error {
        Error::Msg(format!("ERR {text}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WrongType => f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value"),
            Error::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            Error::NotFloat => f.write_str("ERR value is not a valid float"),
            Error::Overflow => f.write_str("ERR increment or decrement would overflow"),
            Error::NanOrInfinity => f.write_str("ERR increment would produce NaN or Infinity"),
            Error::Syntax => f.write_str("ERR syntax error"),
            Error::NoSuchKey => f.write_str("ERR no such key"),
            Error::InvalidExpire(cmd) => write!(f, "ERR invalid expire time in '{cmd}' command"),
            Error::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            Error::SameObject => f.write_str("ERR source and destination objects are the same"),
            Error::UnknownCommand(text) => f.write_str(text),
            Error::WrongArity(name) => write!(f, "ERR wrong number of arguments for '{name}' command"),
            Error::UnknownSubcommand { sub, container } => {
                write!(f, "ERR unknown subcommand '{}'. Try {} HELP.", truncate(sub, 128), container)
            }
            Error::NoAuth => f.write_str("NOAUTH Authentication required."),
            Error::WrongPass => f.write_str("WRONGPASS invalid username-password pair or user is disabled."),
            Error::AuthNotConfigured => f.write_str(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            ),
            Error::StringTooLong => f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            Error::BitOffset => f.write_str("ERR bit offset is not an integer or out of range"),
            Error::BitValue => f.write_str("ERR bit is not an integer or out of range"),
            Error::NoProto => f.write_str("NOPROTO unsupported protocol version"),
            Error::Storage(e) => write!(f, "ERR storage error: {e}"),
            Error::Msg(text) => f.write_str(text),
            Error::BusyKey => f.write_str("BUSYKEY Target key name already exists."),
            Error::DumpPayload => f.write_str("ERR DUMP payload version or checksum are wrong"),
            Error::BadDataFormat => f.write_str("ERR Bad data format"),
            Error::InvalidCursor => f.write_str("ERR invalid cursor"),
        }
    }
}

impl std::error::Error for Error {}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Error::Storage(e.to_string())
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The text Redis answers for an unknown command: the name (at most 128 bytes) and the
/// first arguments, each quoted and followed by a space, while the list is under 128 bytes.
pub fn unknown_command(argv: &[bytes::Bytes]) -> Error {
    let name = String::from_utf8_lossy(&argv[0]);
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        let a = String::from_utf8_lossy(a);
        args.push('\'');
        args.push_str(truncate(&a, room));
        args.push_str("' ");
    }
    Error::UnknownCommand(format!(
        "ERR unknown command '{}', with args beginning with: {}",
        truncate(&name, 128),
        args
    ))
}

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

    // Server, connection, keyspace and sorted-set replies (split branch).
    /// `ERR No shutdown in progress.`: SHUTDOWN ABORT with no shutdown pending.
    NoShutdownInProgress,
    /// `ERR Unknown option or number of arguments for CONFIG SET - '<param>'`.
    ConfigSetUnknown(String),
    /// `ERR CONFIG SET failed (possibly related to argument '<param>') - <reason>`:
    /// CONFIG SET of an immutable, protected or duplicate parameter, or a bad value.
    ConfigSetFailed { param: String, reason: String },
    /// `ERR The server is running without a config file`: CONFIG REWRITE.
    NoConfigFile,
    /// `ERR Rewriting config file: <reason>`: CONFIG REWRITE that could not write.
    ConfigRewrite(String),
    /// `ERR Invalid command specified`: COMMAND GETKEYS, GETKEYSANDFLAGS.
    InvalidCommandSpecified,
    /// `ERR Invalid number of arguments specified for command`: COMMAND GETKEYS,
    /// GETKEYSANDFLAGS.
    InvalidCommandArguments,
    /// `ERR The command has no key arguments`: COMMAND GETKEYS, GETKEYSANDFLAGS.
    NoKeyArguments,
    /// `ERR Client names cannot contain spaces, newlines or special characters.`:
    /// CLIENT SETNAME, HELLO SETNAME.
    InvalidClientName,
    /// `ERR Protocol version is not an integer or out of range`: HELLO.
    ProtocolVersion,
    /// `ERR Syntax error in HELLO option '<option>'`.
    HelloOption(String),
    /// `NOAUTH HELLO must be called with the client already authenticated, ...`: HELLO
    /// without AUTH on a connection that is not authenticated.
    HelloNoAuth,
    /// `ERR Unrecognized option '<attr>'`: CLIENT SETINFO.
    SetinfoOption(String),
    /// `ERR <attr> cannot contain spaces, newlines or special characters.`: CLIENT SETINFO.
    SetinfoValue(String),
    /// `ERR Unknown client type '<type>'`: CLIENT LIST TYPE, CLIENT KILL TYPE.
    UnknownClientType(String),
    /// `ERR Invalid client ID`: CLIENT LIST ID.
    InvalidClientId,
    /// `ERR No such client`: CLIENT KILL <ip:port> matching no connection.
    NoSuchClient,
    /// `ERR client-id should be greater than 0`: CLIENT KILL ID.
    ClientIdNotPositive,
    /// `ERR No such user '<user>'`: CLIENT KILL USER.
    NoSuchUser(String),
    /// `ERR invalid first DB index`: SWAPDB.
    InvalidFirstDb,
    /// `ERR invalid second DB index`: SWAPDB.
    InvalidSecondDb,
    /// `ERR An LFU maxmemory policy is not selected, ...`: OBJECT FREQ.
    LfuNotSelected,
    /// `ERR Invalid TTL value, must be >= 0`: RESTORE.
    InvalidTtl,
    /// `ERR min or max is not a float`: ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYSCORE, ...
    ScoreRange,
    /// `ERR min or max not valid string range item`: ZLEXCOUNT, ZRANGEBYLEX,
    /// ZREMRANGEBYLEX, ...
    LexRange,
    /// `ERR XX and NX options at the same time are not compatible`: ZADD.
    ZaddXxAndNx,
    /// `ERR GT, LT, and/or NX options at the same time are not compatible`: ZADD.
    ZaddGtLtNx,
    /// `ERR INCR option supports a single increment-element pair`: ZADD INCR.
    ZaddIncrPair,
    /// `ERR syntax error, LIMIT is only supported in combination with either BYSCORE or
    /// BYLEX`: ZRANGE, ZRANGESTORE.
    RangeLimit,
    /// `ERR syntax error, WITHSCORES not supported in combination with BYLEX`: ZRANGE.
    RangeWithscoresBylex,
    /// `ERR at least 1 input key is needed for '<command>' command`: ZUNION, ZINTER,
    /// ZDIFF, their STORE forms, ZINTERCARD.
    NoInputKeys(String),
    /// `ERR weight value is not a float`: ZUNION, ZINTER and their STORE forms.
    WeightNotFloat,
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
            // Server, connection, keyspace and sorted-set replies (split branch).
            Error::NoShutdownInProgress => f.write_str("ERR No shutdown in progress."),
            Error::ConfigSetUnknown(param) => {
                write!(f, "ERR Unknown option or number of arguments for CONFIG SET - '{param}'")
            }
            Error::ConfigSetFailed { param, reason } => {
                write!(f, "ERR CONFIG SET failed (possibly related to argument '{param}') - {reason}")
            }
            Error::NoConfigFile => f.write_str("ERR The server is running without a config file"),
            Error::ConfigRewrite(reason) => write!(f, "ERR Rewriting config file: {reason}"),
            Error::InvalidCommandSpecified => f.write_str("ERR Invalid command specified"),
            Error::InvalidCommandArguments => f.write_str("ERR Invalid number of arguments specified for command"),
            Error::NoKeyArguments => f.write_str("ERR The command has no key arguments"),
            Error::InvalidClientName => {
                f.write_str("ERR Client names cannot contain spaces, newlines or special characters.")
            }
            Error::ProtocolVersion => f.write_str("ERR Protocol version is not an integer or out of range"),
            Error::HelloOption(option) => write!(f, "ERR Syntax error in HELLO option '{option}'"),
            Error::HelloNoAuth => f.write_str(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH \
                 <user> <pass> option can be used to authenticate the client and select the RESP protocol version at \
                 the same time",
            ),
            Error::SetinfoOption(attr) => write!(f, "ERR Unrecognized option '{attr}'"),
            Error::SetinfoValue(attr) => write!(f, "ERR {attr} cannot contain spaces, newlines or special characters."),
            Error::UnknownClientType(kind) => write!(f, "ERR Unknown client type '{kind}'"),
            Error::InvalidClientId => f.write_str("ERR Invalid client ID"),
            Error::NoSuchClient => f.write_str("ERR No such client"),
            Error::ClientIdNotPositive => f.write_str("ERR client-id should be greater than 0"),
            Error::NoSuchUser(user) => write!(f, "ERR No such user '{user}'"),
            Error::InvalidFirstDb => f.write_str("ERR invalid first DB index"),
            Error::InvalidSecondDb => f.write_str("ERR invalid second DB index"),
            Error::LfuNotSelected => f.write_str(
                "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
            ),
            Error::InvalidTtl => f.write_str("ERR Invalid TTL value, must be >= 0"),
            Error::ScoreRange => f.write_str("ERR min or max is not a float"),
            Error::LexRange => f.write_str("ERR min or max not valid string range item"),
            Error::ZaddXxAndNx => f.write_str("ERR XX and NX options at the same time are not compatible"),
            Error::ZaddGtLtNx => f.write_str("ERR GT, LT, and/or NX options at the same time are not compatible"),
            Error::ZaddIncrPair => f.write_str("ERR INCR option supports a single increment-element pair"),
            Error::RangeLimit => f.write_str(
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ),
            Error::RangeWithscoresBylex => {
                f.write_str("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
            }
            Error::NoInputKeys(command) => write!(f, "ERR at least 1 input key is needed for '{command}' command"),
            Error::WeightNotFloat => f.write_str("ERR weight value is not a float"),
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

//! The client's one error type. Server error replies are sorted by their first word
//! (`WRONGTYPE`, `NOAUTH`, ...) so callers can match on the cases they handle; a missing
//! value is never an error (helpers return `Option`).

use std::fmt;

/// Everything a call can fail with.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `-WRONGTYPE Operation against a key holding the wrong kind of value`.
    WrongType(String),
    /// `-NOAUTH ...`: the server needs a password before this command.
    NoAuth(String),
    /// `-WRONGPASS ...`: AUTH or HELLO AUTH with a wrong user name or password.
    WrongPass(String),
    /// `-NOPERM ...`: the ACL user may not run this command or touch this key.
    NoPerm(String),
    /// `-EXECABORT ...`: EXEC refused because a queued command was rejected.
    ExecAbort(String),
    /// Any other error reply, its text without the leading `-` (e.g. `ERR value is not
    /// an integer or out of range`).
    Server(String),
    /// A socket or shared-memory system call failed, or the server went away
    /// (`ConnectionAborted` / `UnexpectedEof`).
    Io(std::io::Error),
    /// The server sent bytes that are not valid RESP, or broke the shared-memory rules.
    Protocol(String),
    /// The reply is valid RESP but not of the shape the helper expects (e.g. text where
    /// an integer belongs).
    UnexpectedReply(String),
    /// EXEC returned nil: a WATCHed key changed, nothing ran (transactions retry on it).
    WatchAborted,
    /// A connection URL or option the client cannot use.
    InvalidUrl(String),
    /// TLS configuration failed (unreadable CA file, bad certificate or key).
    Tls(String),
    /// A connect or call took longer than the configured timeout.
    Timeout,
    /// The pool had no free connection within its wait timeout.
    PoolTimeout,
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Sorts a server error reply (without its leading `-`) into a variant.
    pub fn from_server(text: String) -> Error {
        let code = text.split(' ').next().unwrap_or("");
        match code {
            "WRONGTYPE" => Error::WrongType(text),
            "NOAUTH" => Error::NoAuth(text),
            "WRONGPASS" => Error::WrongPass(text),
            "NOPERM" => Error::NoPerm(text),
            "EXECABORT" => Error::ExecAbort(text),
            _ => Error::Server(text),
        }
    }

    /// The server's error text for error replies, `None` for client-side errors.
    pub fn server_text(&self) -> Option<&str> {
        match self {
            Error::WrongType(s)
            | Error::NoAuth(s)
            | Error::WrongPass(s)
            | Error::NoPerm(s)
            | Error::ExecAbort(s)
            | Error::Server(s) => Some(s),
            _ => None,
        }
    }

    /// True when the connection that returned this error cannot be used again
    /// (I/O, protocol or timeout errors); error replies leave it usable.
    pub fn is_connection_error(&self) -> bool {
        matches!(self, Error::Io(_) | Error::Protocol(_) | Error::Timeout)
    }

    pub(crate) fn closed(what: &str) -> Error {
        Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, what.to_string()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WrongType(s)
            | Error::NoAuth(s)
            | Error::WrongPass(s)
            | Error::NoPerm(s)
            | Error::ExecAbort(s)
            | Error::Server(s) => f.write_str(s),
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Protocol(s) => write!(f, "protocol error: {s}"),
            Error::UnexpectedReply(s) => write!(f, "unexpected reply: {s}"),
            Error::InvalidUrl(s) => write!(f, "invalid connection URL: {s}"),
            Error::Tls(s) => write!(f, "TLS: {s}"),
            Error::Timeout => f.write_str("timed out"),
            Error::WatchAborted => f.write_str("transaction aborted: a WATCHed key changed"),
            Error::PoolTimeout => f.write_str("timed out waiting for a pooled connection"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Io(e)
    }
}

"""DiskDB's exception hierarchy: every error the client raises is a DiskDBError."""
import builtins
from typing import Optional


class DiskDBError(Exception):
    """Base class of every error raised by the diskdb client."""


class ConnectionError(DiskDBError, builtins.ConnectionError):
    """The server could not be reached, or the connection dropped."""


class TimeoutError(DiskDBError, builtins.TimeoutError):
    """A socket operation did not complete within the configured timeout."""


class ResponseError(DiskDBError):
    """An error reply from the server; ``code`` is its first word (ERR, WRONGTYPE, ...)."""

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is None:
            code = message.split(" ", 1)[0] if message else "ERR"
        self.code = code


class TypeMismatchError(ResponseError):
    """WRONGTYPE: the command was run against a key holding another type."""


class AuthenticationError(ResponseError):
    """NOAUTH, WRONGPASS or an invalid password."""


class NoScriptError(ResponseError):
    """NOSCRIPT: the script is not in the server's cache."""


class ReadOnlyError(ResponseError):
    """READONLY: a write sent to a read-only replica."""


class BusyLoadingError(ResponseError):
    """LOADING: the server is loading its data set."""


class WatchError(DiskDBError):
    """A watched key changed: the transaction was not executed."""


class PubSubError(DiskDBError):
    """A command that is not allowed in the current Pub/Sub state."""


class InvalidResponse(DiskDBError):
    """The server sent bytes that are not valid RESP."""


_BY_CODE = {
    "WRONGTYPE": TypeMismatchError,
    "NOAUTH": AuthenticationError,
    "WRONGPASS": AuthenticationError,
    "NOPERM": AuthenticationError,
    "NOSCRIPT": NoScriptError,
    "READONLY": ReadOnlyError,
    "LOADING": BusyLoadingError,
}


def error_from_reply(message: str) -> ResponseError:
    """Map an error reply's text to the matching ResponseError subclass."""
    code = message.split(" ", 1)[0] if message else "ERR"
    cls = _BY_CODE.get(code)
    if cls is None and message.startswith("Existing key has wrong Redis type"):
        # RedisJSON's wording of WRONGTYPE (no code word), which DiskDB keeps.
        return TypeMismatchError(message, "WRONGTYPE")
    if cls is None:
        low = message.lower()
        if code == "ERR" and ("invalid password" in low or "without any password configured" in low
                              or "invalid username-password" in low):
            cls = AuthenticationError
        else:
            cls = ResponseError
    return cls(message, code)

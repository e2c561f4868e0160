"""diskdb-cli / ``python -m diskdb``: a small redis-cli-like shell.

    diskdb-cli [-h host] [-p port] [-a password] [--user name] [-n db] [-s socket]
               [--tls --cacert f --cert f --key f] [-3] [--raw|--no-raw] [command args...]

With a command it runs it once and prints the reply; without one it reads commands
from a prompt (or from stdin when that is not a terminal), one per line.
"""
import argparse
import shlex
import sys
from typing import Any, List, Optional, Sequence

from .connection import Connection, SimpleString, make_ssl_context, tcp_transport, unix_transport
from .exceptions import ConnectionError, DiskDBError, ResponseError


def format_reply(reply: Any, raw: bool, indent: int = 0) -> str:
    """A reply as redis-cli prints it (``raw``: as redis-cli prints it to a pipe)."""
    if isinstance(reply, ResponseError):
        return ("(error) " if not raw else "") + str(reply)
    if reply is None:
        return "" if raw else "(nil)"
    if isinstance(reply, bool):
        return ("1" if reply else "0") if raw else "(%s)" % ("true" if reply else "false")
    if isinstance(reply, int):
        return str(reply) if raw else "(integer) %d" % reply
    if isinstance(reply, float):
        return repr(reply) if raw else "(double) %r" % reply
    if isinstance(reply, SimpleString):
        return str(reply)
    if isinstance(reply, (str, bytes)):
        if raw:
            return reply if isinstance(reply, str) else reply.decode(errors="replace")
        return _quote(reply)
    if isinstance(reply, dict):
        if raw:
            return "\n".join("%s\n%s" % (format_reply(k, raw), format_reply(v, raw))
                             for k, v in reply.items())
        if not reply:
            return "(empty hash)"
        width = len(str(len(reply)))
        lines = []
        for i, (k, v) in enumerate(reply.items(), 1):
            prefix = "%*d# " % (width, i)
            head = prefix + format_reply(k, raw) + " => "
            body = format_reply(v, raw, indent + len(head))
            lines.append(head + body)
        return ("\n" + " " * indent).join(lines)
    if isinstance(reply, (list, tuple, set)):
        reply = list(reply)
        if raw:
            return "\n".join(format_reply(x, raw) for x in reply)
        if not reply:
            return "(empty array)"
        width = len(str(len(reply)))
        lines = []
        for i, x in enumerate(reply, 1):
            prefix = "%*d) " % (width, i)
            lines.append(prefix + format_reply(x, raw, indent + len(prefix)))
        return ("\n" + " " * indent).join(lines)
    return str(reply)


def _quote(s: Any) -> str:
    b = s.encode() if isinstance(s, str) else s
    out = ['"']
    for c in b:
        ch = chr(c)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    out.append('"')
    return "".join(out)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="diskdb-cli", add_help=False,
                                description="DiskDB command line shell")
    p.add_argument("--help", action="help", help="show this help and exit")
    p.add_argument("-h", dest="host", default="127.0.0.1", help="server host (127.0.0.1)")
    p.add_argument("-p", dest="port", type=int, default=6380, help="server port (6380)")
    p.add_argument("-s", dest="socket", default=None, help="Unix socket path (overrides -h/-p)")
    p.add_argument("-a", dest="password", default=None, help="password for AUTH")
    p.add_argument("--user", dest="user", default=None, help="ACL user name")
    p.add_argument("-n", dest="db", type=int, default=0, help="database number")
    p.add_argument("-3", dest="resp3", action="store_true", help="use RESP3 (HELLO 3)")
    p.add_argument("--tls", action="store_true", help="connect with TLS")
    p.add_argument("--cacert", default=None, help="CA certificate file to verify the server")
    p.add_argument("--cert", default=None, help="client certificate file")
    p.add_argument("--key", default=None, help="client private key file")
    p.add_argument("--insecure", action="store_true", help="do not check the server's name")
    p.add_argument("--raw", dest="raw", action="store_const", const=True, default=None,
                   help="print replies raw (the default when stdout is not a terminal)")
    p.add_argument("--no-raw", dest="raw", action="store_const", const=False,
                   help="print replies formatted even when stdout is not a terminal")
    p.add_argument("command", nargs=argparse.REMAINDER, help="command to run once")
    return p.parse_args(argv)


def connect(ns: argparse.Namespace) -> Connection:
    if ns.socket:
        factory = lambda: unix_transport(ns.socket, 10.0)  # noqa: E731
        desc = ns.socket
    else:
        factory = lambda: tcp_transport(ns.host, ns.port, 10.0)  # noqa: E731
        desc = "%s:%d" % (ns.host, ns.port)
    if ns.tls:
        ctx = make_ssl_context(ns.cacert, ns.cert, ns.key, not ns.insecure)
        plain = factory
        factory = lambda: ctx.wrap_socket(plain(), server_hostname=None if ns.socket else ns.host)  # noqa: E731,E501
    conn = Connection(factory, db=ns.db, password=ns.password, username=ns.user, decode=True,
                      protocol=3 if ns.resp3 else 2, status_class=SimpleString,
                      description=desc)
    conn.connect()
    return conn


def run_one(conn: Connection, args: List[str], raw: bool, out: Any) -> bool:
    conn.send(args)
    reply = conn.read_response()
    text = format_reply(reply, raw)
    out.write(text + "\n")
    out.flush()
    return not isinstance(reply, ResponseError)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ns = parse_args(argv)
    raw = ns.raw if ns.raw is not None else not sys.stdout.isatty()
    try:
        conn = connect(ns)
    except ResponseError as e:
        sys.stderr.write("AUTH failed: %s\n" % e)
        return 1
    except DiskDBError as e:
        sys.stderr.write("Could not connect to DiskDB: %s\n" % e)
        return 1
    if ns.command:
        try:
            ok = run_one(conn, list(ns.command), raw, sys.stdout)
        except ConnectionError as e:
            sys.stderr.write("Error: %s\n" % e)
            return 1
        return 0 if ok else 1
    interactive = sys.stdin.isatty()
    prompt = "%s> " % (ns.socket or "%s:%d" % (ns.host, ns.port))
    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history when available)
        except ImportError:
            pass
    while True:
        try:
            line = input(prompt) if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            if interactive:
                sys.stdout.write("\n")
            return 0
        if not interactive and line == "":
            return 0
        line = line.strip()
        if not line:
            continue
        try:
            args = shlex.split(line)
        except ValueError:
            sys.stdout.write("Invalid argument(s)\n")
            continue
        if args[0].lower() in ("quit", "exit"):
            return 0
        try:
            run_one(conn, args, raw, sys.stdout)
        except ConnectionError as e:
            sys.stdout.write("Error: %s\n" % e)
            try:
                conn.connect()
            except DiskDBError:
                return 1

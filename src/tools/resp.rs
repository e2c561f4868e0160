//! A small blocking RESP2 client for the command-line tools (`diskdb export` and
//! `import`), and the RESP command writer they share.
//!
//! Hand-written rather than the `redis` crate (a dev-dependency only): the tools need
//! a request writer and a reply reader over one socket, pipelined, no more, and the
//! server binary keeps its dependency list short.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpStream;

/// A reply, as RESP2 carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(Some(b)) => Some(b),
            Reply::Status(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    pub fn text(&self) -> String {
        match self {
            Reply::Int(n) => n.to_string(),
            other => other.bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default(),
        }
    }

    pub fn int(&self) -> Option<i64> {
        match self {
            Reply::Int(n) => Some(*n),
            other => other.bytes().and_then(|b| std::str::from_utf8(b).ok()?.parse().ok()),
        }
    }

    pub fn items(self) -> Vec<Reply> {
        match self {
            Reply::Array(Some(items)) => items,
            _ => Vec::new(),
        }
    }

    /// A flat `[name, value, name, value...]` array (XINFO in RESP2) as pairs.
    pub fn pairs(self) -> Vec<(String, Reply)> {
        let mut items = self.items().into_iter();
        let mut out = Vec::new();
        while let (Some(k), Some(v)) = (items.next(), items.next()) {
            out.push((k.text(), v));
        }
        out
    }
}

/// Where a tool connects: `redis://[user:password@]host:port` or `host:port`.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl Address {
    pub fn parse(s: &str) -> Result<Address, String> {
        let rest = s.strip_prefix("redis://").unwrap_or(s);
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| format!("{s}: bad port"))?),
            None => (hostport, 6379),
        };
        let (user, password) = match auth {
            None => (None, None),
            Some(a) => match a.split_once(':') {
                Some((u, p)) => ((!u.is_empty()).then(|| u.to_string()), Some(p.to_string())),
                None => (None, Some(a.to_string())),
            },
        };
        let host = if host.is_empty() { "127.0.0.1" } else { host }.trim_start_matches('[').trim_end_matches(']');
        Ok(Address { host: host.to_string(), port, user, password })
    }
}

/// Encodes one command as a RESP array of bulk strings.
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    out.extend_from_slice(args.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in args {
        out.push(b'$');
        out.extend_from_slice(a.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

pub struct Client {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
}

/// Largest bulk or array the reader accepts from a server (a bound, so a broken peer
/// cannot make it allocate without limit): Redis's own proto-max-bulk-len ceiling.
const MAX_LEN: i64 = 512 << 20;

impl Client {
    pub fn connect(addr: &Address) -> Result<Client, String> {
        let stream = TcpStream::connect((addr.host.as_str(), addr.port)).map_err(|e| format!("{}:{}: {e}", addr.host, addr.port))?;
        let _ = stream.set_nodelay(true);
        let reader = BufReader::with_capacity(1 << 16, stream.try_clone().map_err(|e| e.to_string())?);
        let mut c = Client { reader, writer: BufWriter::with_capacity(1 << 16, stream) };
        if let Some(pw) = &addr.password {
            let reply = match &addr.user {
                Some(u) => c.call(&[b"AUTH", u.as_bytes(), pw.as_bytes()]),
                None => c.call(&[b"AUTH", pw.as_bytes()]),
            }
            .map_err(|e| e.to_string())?;
            if let Reply::Error(e) = reply {
                return Err(format!("AUTH: {e}"));
            }
        }
        Ok(c)
    }

    /// Queues a command without waiting for its reply.
    pub fn send(&mut self, args: &[&[u8]]) -> io::Result<()> {
        let mut buf = Vec::new();
        encode(&mut buf, args);
        self.writer.write_all(&buf)
    }

    /// Queues raw, already encoded commands.
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Sends a command and reads its reply.
    pub fn call(&mut self, args: &[&[u8]]) -> io::Result<Reply> {
        self.send(args)?;
        self.flush()?;
        self.read()
    }

    /// A command whose error reply is a failure of the tool.
    pub fn must(&mut self, args: &[&[u8]]) -> Result<Reply, String> {
        match self.call(args) {
            Ok(Reply::Error(e)) => Err(format!("{}: {e}", String::from_utf8_lossy(args[0]))),
            Ok(r) => Ok(r),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn read(&mut self) -> io::Result<Reply> {
        read_reply(&mut self.reader, 0)
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("protocol error: {what}"))
}

fn read_line(r: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    r.take(MAX_LEN as u64).read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\r\n") {
        return Err(if line.is_empty() { io::ErrorKind::UnexpectedEof.into() } else { bad("line without CRLF") });
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).map_err(|_| bad("line not UTF-8"))
}

fn read_reply(r: &mut impl BufRead, depth: usize) -> io::Result<Reply> {
    if depth > 64 {
        return Err(bad("nesting too deep"));
    }
    let line = read_line(r)?;
    let (tag, rest) = line.split_at(line.len().min(1));
    let len = || rest.parse::<i64>().map_err(|_| bad("bad length"));
    Ok(match tag {
        "+" => Reply::Status(rest.to_string()),
        "-" => Reply::Error(rest.to_string()),
        ":" => Reply::Int(len()?),
        "$" => {
            let n = len()?;
            if n < 0 {
                return Ok(Reply::Bulk(None));
            }
            if n > MAX_LEN {
                return Err(bad("bulk too long"));
            }
            let mut buf = vec![0; n as usize + 2];
            r.read_exact(&mut buf)?;
            buf.truncate(n as usize);
            Reply::Bulk(Some(buf))
        }
        "*" => {
            let n = len()?;
            if n < 0 {
                return Ok(Reply::Array(None));
            }
            if n > MAX_LEN {
                return Err(bad("array too long"));
            }
            let mut items = Vec::with_capacity(n.min(1024) as usize);
            for _ in 0..n {
                items.push(read_reply(r, depth + 1)?);
            }
            Reply::Array(Some(items))
        }
        _ => return Err(bad("unknown reply type")),
    })
}

/// Reads one command (a RESP array of bulk strings) from a command stream: `None` at
/// the end. Inline commands are refused: a stream of RESTOREs is never inline.
pub fn read_command(r: &mut impl BufRead) -> io::Result<Option<Vec<Vec<u8>>>> {
    if r.fill_buf()?.is_empty() {
        return Ok(None);
    }
    match read_reply(r, 0)? {
        Reply::Array(Some(items)) => items
            .into_iter()
            .map(|i| match i {
                Reply::Bulk(Some(b)) => Ok(b),
                _ => Err(bad("a command's arguments must be bulk strings")),
            })
            .collect::<io::Result<Vec<_>>>()
            .map(Some),
        _ => Err(bad("expected a command (an array of bulk strings)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = Address::parse("redis://u:p@10.0.0.1:7000").unwrap();
        assert_eq!((a.host.as_str(), a.port, a.user.as_deref(), a.password.as_deref()), ("10.0.0.1", 7000, Some("u"), Some("p")));
        let a = Address::parse("localhost:6380").unwrap();
        assert_eq!((a.host.as_str(), a.port, a.user, a.password), ("localhost", 6380, None, None));
        let a = Address::parse("redis://secret@h").unwrap();
        assert_eq!((a.port, a.password.as_deref()), (6379, Some("secret")));
        assert!(Address::parse("h:x").is_err());
    }

    #[test]
    fn commands_round_trip() {
        let mut buf = Vec::new();
        encode(&mut buf, &[b"SET", b"k", b"a\r\nb"]);
        encode(&mut buf, &[b"PING"]);
        let mut r = io::Cursor::new(buf);
        assert_eq!(read_command(&mut r).unwrap(), Some(vec![b"SET".to_vec(), b"k".to_vec(), b"a\r\nb".to_vec()]));
        assert_eq!(read_command(&mut r).unwrap(), Some(vec![b"PING".to_vec()]));
        assert_eq!(read_command(&mut r).unwrap(), None);
        assert!(read_command(&mut io::Cursor::new(b"PING\r\n".to_vec())).is_err());
        assert!(read_command(&mut io::Cursor::new(b"*1\r\n$99999999999\r\n".to_vec())).is_err());
    }
}

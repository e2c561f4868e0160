//! Request decoding, the way Redis's `processMultibulkBuffer` and
//! `processInlineBuffer` accept input, with Redis's protocol error texts.
//!
//! The scan that checks a request also records where each argument lies, so a complete
//! request becomes `Vec<Bytes>` slices of one frozen buffer without a second parse.
//! (Re-parsing checked frames with `redis-protocol` cost about 16% of a GET's
//! instructions; that crate now serves as the reference the tests compare against.)
//!
//! Checking is incremental: for a request that arrives in pieces, the bytes already
//! validated are never scanned again, so a large argument costs O(n) in total. No length
//! read from the wire is used to allocate: a declared count or size only bounds how much
//! will be buffered, and sizes over `proto-max-bulk-len` are refused before reading on.

use bytes::{Bytes, BytesMut};

use crate::error::ProtocolViolation;

/// The longest count line or inline request Redis accepts (`PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX: usize = 64 * 1024;

/// Largest multibulk count Redis accepts (`INT_MAX`).
const MAX_MULTIBULK: i64 = i32::MAX as i64;

/// What a client that must still authenticate may send (Redis 6.2.6+, CVE-2021-32675):
/// a request of at most 10 elements, each at most 16 KiB, enough for AUTH and HELLO.
const UNAUTH_MAX_MULTIBULK: i64 = 10;
const UNAUTH_MAX_BULK: usize = 16 * 1024;

/// A protocol violation: the text after `-ERR ` (the texts are [`ProtocolViolation`]'s,
/// in error.rs). The connection answers it and closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl From<ProtocolViolation> for ProtocolError {
    fn from(v: ProtocolViolation) -> Self {
        ProtocolError(v.to_string())
    }
}

impl ProtocolError {
    #[cfg(test)]
    fn new(msg: impl Into<String>) -> Self {
        ProtocolError(format!("Protocol error: {}", msg.into()))
    }
}

/// One decoding step.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A command: name first, then its arguments.
    Command(Vec<Bytes>),
    /// An empty request (`*0`, `*-1`, a blank inline line): nothing to run.
    Empty,
    /// More bytes are needed.
    Incomplete,
}

/// Progress through a multibulk request that is not yet complete.
#[derive(Debug, Default)]
struct Progress {
    /// Declared element count; 0 when no header has been read yet.
    count: usize,
    /// Elements fully buffered.
    seen: usize,
    /// Offset of the next unchecked byte.
    pos: usize,
    /// `(offset, length)` of each argument checked so far.
    args: Vec<(usize, usize)>,
}

#[derive(Debug)]
pub struct RequestDecoder {
    max_bulk: usize,
    /// The client must authenticate before anything else: Redis's small limits apply.
    unauthenticated: bool,
    progress: Progress,
}

fn find_cr(buf: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\r', &buf[from..]).map(|i| from + i)
}

/// Strict integer parse, as Redis's `string2ll`: optional '-', digits, no '+', no spaces,
/// no leading zero. Lengths are parsed on every request, so this avoids UTF-8 checks.
fn parse_len(raw: &[u8]) -> Option<i64> {
    let (neg, digits) = match raw.first()? {
        b'-' => (true, &raw[1..]),
        _ => (false, raw),
    };
    if digits.is_empty() || digits.len() > 19 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((d - b'0') as i64)?;
    }
    Some(if neg { -v } else { v })
}

impl RequestDecoder {
    pub fn new(max_bulk: usize) -> Self {
        RequestDecoder { max_bulk, unauthenticated: false, progress: Progress::default() }
    }

    pub fn set_max_bulk(&mut self, max_bulk: usize) {
        self.max_bulk = max_bulk;
    }

    /// Whether the client has yet to authenticate (checked before each request, as
    /// Redis's `authRequired`: an AUTH pipelined before a large request lifts the limits
    /// for it).
    pub fn set_unauthenticated(&mut self, unauthenticated: bool) {
        self.unauthenticated = unauthenticated;
    }

    /// Decodes the next request at the front of `buf`, consuming it when complete.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Decoded, ProtocolError> {
        if buf.is_empty() {
            return Ok(Decoded::Incomplete);
        }
        if buf[0] == b'*' {
            self.decode_multibulk(buf)
        } else {
            decode_inline(buf)
        }
    }

    fn decode_multibulk(&mut self, buf: &mut BytesMut) -> Result<Decoded, ProtocolError> {
        let p = &mut self.progress;
        if p.count == 0 {
            let Some(cr) = find_cr(buf, 0) else {
                if buf.len() > INLINE_MAX {
                    return Err(ProtocolViolation::MbulkCountTooBig.into());
                }
                return Ok(Decoded::Incomplete);
            };
            if cr + 1 >= buf.len() {
                return Ok(Decoded::Incomplete);
            }
            let n = match parse_len(&buf[1..cr]) {
                Some(n) if n <= MAX_MULTIBULK => n,
                _ => return Err(ProtocolViolation::InvalidMultibulkLength.into()),
            };
            if n > UNAUTH_MAX_MULTIBULK && self.unauthenticated {
                return Err(ProtocolViolation::UnauthenticatedMultibulkLength.into());
            }
            if n <= 0 {
                let _ = buf.split_to(cr + 2);
                return Ok(Decoded::Empty);
            }
            p.count = n as usize;
            p.seen = 0;
            p.pos = cr + 2;
            p.args.clear();
        }
        while p.seen < p.count {
            let Some(cr) = find_cr(buf, p.pos) else {
                if buf.len() - p.pos > INLINE_MAX {
                    return Err(ProtocolViolation::BulkCountTooBig.into());
                }
                return Ok(Decoded::Incomplete);
            };
            if cr + 1 >= buf.len() {
                return Ok(Decoded::Incomplete);
            }
            if buf[p.pos] != b'$' {
                return Err(ProtocolViolation::ExpectedDollar(buf[p.pos]).into());
            }
            let len = match parse_len(&buf[p.pos + 1..cr]) {
                Some(n) if n >= 0 && (n as u64) <= self.max_bulk as u64 => n as usize,
                _ => return Err(ProtocolViolation::InvalidBulkLength.into()),
            };
            if len > UNAUTH_MAX_BULK && self.unauthenticated {
                return Err(ProtocolViolation::UnauthenticatedBulkLength.into());
            }
            let end = cr + 2 + len + 2;
            if buf.len() < end {
                reserve_for_bulk(buf, end);
                return Ok(Decoded::Incomplete);
            }
            p.args.push((cr + 2, len));
            p.pos = end;
            p.seen += 1;
        }
        let frame = buf.split_to(p.pos).freeze();
        let argv = p.args.iter().map(|&(at, len)| frame.slice(at..at + len)).collect();
        p.count = 0;
        p.args.clear();
        Ok(Decoded::Command(argv))
    }
}

/// Room reserved at first for an argument still arriving (when it declared as much).
const BULK_ROOM: usize = 64 * 1024;

/// Makes room for an argument that ends at `end`, growing with what has arrived: twice
/// the bytes buffered (at least [`BULK_ROOM`]), never past `end`. A large argument sent
/// quickly still grows the buffer by doubling, but a client that declares 512 MB and
/// trickles it holds memory in proportion to what it sent. (A fixed reserve ahead of
/// the data would reallocate on every byte once less than it was left, and a
/// reallocation copies, so touches, the whole old buffer: 1-2 MB resident per such
/// client.)
fn reserve_for_bulk(buf: &mut BytesMut, end: usize) {
    let target = end.min((2 * buf.len()).max(BULK_ROOM));
    if buf.capacity() < target {
        buf.reserve(target - buf.len());
    }
}

fn decode_inline(buf: &mut BytesMut) -> Result<Decoded, ProtocolError> {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > INLINE_MAX {
            return Err(ProtocolViolation::InlineTooBig.into());
        }
        return Ok(Decoded::Incomplete);
    };
    let line = buf.split_to(nl + 1);
    let mut text = &line[..nl];
    if text.last() == Some(&b'\r') {
        text = &text[..text.len() - 1];
    }
    match split_args(text) {
        None => Err(ProtocolViolation::UnbalancedQuotes.into()),
        Some(args) if args.is_empty() => Ok(Decoded::Empty),
        Some(args) => Ok(Decoded::Command(args.into_iter().map(Bytes::from).collect())),
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits a line into arguments like Redis's `sdssplitargs`: spaces separate, "double
/// quotes" take `\n \r \t \b \a \\ \" \xHH` escapes, 'single quotes' take `\'`. A closing
/// quote must be followed by a space or the end; otherwise the quotes are unbalanced.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && line[i].is_ascii_whitespace() {
            i += 1;
        }
        // A NUL ends the line, as it ends the C string Redis splits.
        if i >= n || line[i] == 0 {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut in_dq, mut in_sq) = (false, false);
        loop {
            if in_dq {
                if i >= n || line[i] == 0 {
                    return None;
                }
                if line[i] == b'\\' && i + 3 < n && line[i + 1] == b'x' {
                    if let (Some(h), Some(l)) = (hex(line[i + 2]), hex(line[i + 3])) {
                        cur.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if line[i] == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        c => c,
                    });
                } else if line[i] == b'"' {
                    if i + 1 < n && !line[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    in_dq = false;
                    i += 1;
                    break;
                } else {
                    cur.push(line[i]);
                }
            } else if in_sq {
                if i >= n || line[i] == 0 {
                    return None;
                }
                if line[i] == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if line[i] == b'\'' {
                    if i + 1 < n && !line[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    in_sq = false;
                    i += 1;
                    break;
                } else {
                    cur.push(line[i]);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        let _ = (in_dq, in_sq);
        out.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(input: &[u8]) -> (Result<Decoded, ProtocolError>, usize) {
        let mut d = RequestDecoder::new(512 << 20);
        let mut buf = BytesMut::from(input);
        let r = d.decode(&mut buf);
        (r, buf.len())
    }

    fn cmd(parts: &[&str]) -> Decoded {
        Decoded::Command(parts.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect())
    }

    /// The decoder agrees with the `redis-protocol` crate on well-formed requests, fed
    /// whole or in random pieces.
    #[test]
    fn agrees_with_redis_protocol() {
        use redis_protocol::resp2::{decode::decode_bytes, types::BytesFrame};
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..500 {
            let argc = rng.usize(1..6);
            let args: Vec<Vec<u8>> =
                (0..argc).map(|_| (0..rng.usize(0..40)).map(|_| rng.u8(..)).collect()).collect();
            let mut raw = format!("*{argc}\r\n").into_bytes();
            for a in &args {
                raw.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                raw.extend_from_slice(a);
                raw.extend_from_slice(b"\r\n");
            }
            let reference = match decode_bytes(&Bytes::from(raw.clone())).unwrap().unwrap().0 {
                BytesFrame::Array(items) => items
                    .into_iter()
                    .map(|f| match f {
                        BytesFrame::BulkString(b) => b,
                        other => panic!("unexpected {other:?}"),
                    })
                    .collect::<Vec<_>>(),
                other => panic!("unexpected {other:?}"),
            };
            let mut d = RequestDecoder::new(512 << 20);
            let mut buf = BytesMut::new();
            let mut fed = 0;
            let got = loop {
                let step = rng.usize(1..=raw.len() - fed);
                buf.extend_from_slice(&raw[fed..fed + step]);
                fed += step;
                match d.decode(&mut buf).unwrap() {
                    Decoded::Command(argv) => break argv,
                    Decoded::Incomplete => assert!(fed < raw.len()),
                    Decoded::Empty => panic!("empty"),
                }
            };
            assert_eq!(got, reference);
            assert!(buf.is_empty());
        }
    }

    #[test]
    fn multibulk_whole_and_split() {
        let raw = b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n";
        assert_eq!(dec(raw), (Ok(cmd(&["GET", "a"])), 0));
        let mut d = RequestDecoder::new(512 << 20);
        let mut buf = BytesMut::new();
        for (i, &b) in raw.iter().enumerate() {
            buf.extend_from_slice(&[b]);
            let r = d.decode(&mut buf).unwrap();
            if i + 1 < raw.len() {
                assert_eq!(r, Decoded::Incomplete, "at byte {i}");
            } else {
                assert_eq!(r, cmd(&["GET", "a"]));
            }
        }
    }

    #[test]
    fn huge_lengths_are_refused_before_buffering() {
        assert_eq!(dec(b"*1\r\n$1099511627776\r\n").0, Err(ProtocolError::new("invalid bulk length")));
        assert_eq!(dec(b"*1\r\n$-5\r\n").0, Err(ProtocolError::new("invalid bulk length")));
        assert_eq!(dec(b"*99999999999\r\n").0, Err(ProtocolError::new("invalid multibulk length")));
        assert_eq!(dec(b"*abc\r\n").0, Err(ProtocolError::new("invalid multibulk length")));
        assert_eq!(dec(b"*10000000\r\n").0, Ok(Decoded::Incomplete));
        assert_eq!(dec(b"*1\r\n+OK\r\n").0, Err(ProtocolError::new("expected '$', got '+'")));
    }

    #[test]
    fn a_declared_argument_reserves_in_proportion_to_what_arrived() {
        let mut d = RequestDecoder::new(512 << 20);
        let mut buf = BytesMut::from(&b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n"[..]);
        for _ in 0..1000 {
            buf.extend_from_slice(b"x");
            assert_eq!(d.decode(&mut buf).unwrap(), Decoded::Incomplete);
            assert!(buf.capacity() <= 2 * BULK_ROOM, "{} bytes reserved for {}", buf.capacity(), buf.len());
        }
        // Sent quickly, a large argument still finds room ahead of it.
        buf.extend_from_slice(&vec![b'x'; 1 << 20]);
        assert_eq!(d.decode(&mut buf).unwrap(), Decoded::Incomplete);
        assert!(buf.capacity() >= 2 << 20);
        // A small one never gets more than it declared.
        let mut small = BytesMut::from(&b"*2\r\n$4\r\nECHO\r\n$10\r\nab"[..]);
        assert_eq!(RequestDecoder::new(512 << 20).decode(&mut small).unwrap(), Decoded::Incomplete);
        assert!(small.capacity() < 64, "{}", small.capacity());
    }

    #[test]
    fn an_unauthenticated_client_gets_redis_small_limits() {
        let unauth = |raw: &[u8]| {
            let mut d = RequestDecoder::new(512 << 20);
            d.set_unauthenticated(true);
            d.decode(&mut BytesMut::from(raw))
        };
        assert_eq!(unauth(b"*11\r\n"), Err(ProtocolError::new("unauthenticated multibulk length")));
        assert_eq!(unauth(b"*10\r\n"), Ok(Decoded::Incomplete));
        assert_eq!(unauth(b"*1\r\n$16385\r\n"), Err(ProtocolError::new("unauthenticated bulk length")));
        assert_eq!(unauth(b"*1\r\n$16384\r\n"), Ok(Decoded::Incomplete));
        // Redis checks the count and the length themselves first.
        assert_eq!(unauth(b"*99999999999\r\n"), Err(ProtocolError::new("invalid multibulk length")));
        assert_eq!(unauth(b"*1\r\n$1099511627776\r\n"), Err(ProtocolError::new("invalid bulk length")));
        assert_eq!(unauth(b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"), Ok(cmd(&["AUTH", "pw"])));
        assert_eq!(dec(b"*11\r\n").0, Ok(Decoded::Incomplete));
    }

    #[test]
    fn empty_multibulk_is_skipped() {
        assert_eq!(dec(b"*0\r\n"), (Ok(Decoded::Empty), 0));
        assert_eq!(dec(b"*-1\r\n"), (Ok(Decoded::Empty), 0));
    }

    #[test]
    fn inline_commands() {
        assert_eq!(dec(b"SET a b\r\n"), (Ok(cmd(&["SET", "a", "b"])), 0));
        assert_eq!(dec(b"PING\n").0, Ok(cmd(&["PING"])));
        assert_eq!(dec(b"SET k \"a b\\x41\"\r\n").0, Ok(cmd(&["SET", "k", "a bA"])));
        assert_eq!(dec(b"SET k 'it\\'s'\r\n").0, Ok(cmd(&["SET", "k", "it's"])));
        assert_eq!(dec(b"SET \"a\r\n").0, Err(ProtocolError::new("unbalanced quotes in request")));
        assert_eq!(dec(b"\r\n").0, Ok(Decoded::Empty));
        assert_eq!(dec(b"PIN").0, Ok(Decoded::Incomplete));
    }

    #[test]
    fn nul_ends_an_inline_line() {
        assert_eq!(dec(b"\x00abc\n").0, Ok(Decoded::Empty));
        assert_eq!(dec(b"SET a\x00 b\n").0, Ok(cmd(&["SET", "a"])));
        assert_eq!(dec(b"SET \"a\x00\"\n").0, Err(ProtocolError::new("unbalanced quotes in request")));
    }

    #[test]
    fn too_big_inline() {
        let big = vec![b'a'; INLINE_MAX + 1];
        assert_eq!(dec(&big).0, Err(ProtocolError::new("too big inline request")));
    }
}

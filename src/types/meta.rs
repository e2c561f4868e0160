//! The metadata record: one per user key, in [`Cf::Meta`](crate::storage::Cf::Meta).
//!
//! ```text
//! [kind u8][format u8][expire-at ms i64 BE, 0 = none] then
//!   string, JSON (format 1):    [value bytes]
//!   chunked string, JSON (2):   [version u64 BE][length u64 BE]
//!   collections (format 1):     [version u64 BE][size u64 BE][kind-specific extra bytes]
//! ```
//! Strings up to `types::string::INLINE_MAX` bytes keep their value inline, so GET and
//! SET are one RocksDB point operation; longer ones are chunked (see `types::string`).
//! JSON documents (`Kind::Json`) are kept the same way, as their compact text (see
//! `types::json`).
//! Collections and chunked strings keep their records as sub-keys tagged with `version`;
//! a new version makes every old sub-key invisible at once.

use bytes::Bytes;

/// The type of a key. The numbers are stored on disk: never renumber, only add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    String = 1,
    List = 2,
    Set = 3,
    Hash = 4,
    ZSet = 5,
    Json = 6,
    Stream = 7,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::String,
            2 => Kind::List,
            3 => Kind::Set,
            4 => Kind::Hash,
            5 => Kind::ZSet,
            6 => Kind::Json,
            7 => Kind::Stream,
            _ => return None,
        })
    }

    /// The name TYPE answers.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::Hash => "hash",
            Kind::ZSet => "zset",
            Kind::Json => "ReJSON-RL",
            Kind::Stream => "stream",
        }
    }

    /// Whether the value lives inline in the metadata record.
    pub fn is_inline(self) -> bool {
        matches!(self, Kind::String | Kind::Json)
    }

    /// Whether a value of this kind too long to stay inline is kept in chunk records
    /// (format 2): strings, and JSON documents (`types::json`).
    pub fn may_chunk(self) -> bool {
        matches!(self, Kind::String | Kind::Json)
    }
}

/// Current record format; bump when the layout after the header changes.
const FORMAT: u8 = 1;
/// A string whose value is in chunk records rather than inline.
const FORMAT_CHUNKED: u8 = 2;
const HEADER: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub kind: Kind,
    /// Absolute Unix time in ms; 0 means no expiry.
    pub expire_at: i64,
    /// Version tag of sub-keys (collections only).
    pub version: u64,
    /// Element count (collections only).
    pub size: u64,
    /// Strings: the value. Collections: kind-specific state (e.g. list head and tail).
    /// Empty for a chunked string.
    pub payload: Bytes,
    /// A string kept in chunk records of `version`, `size` bytes long.
    pub chunked: bool,
}

impl Meta {
    pub fn string(value: Bytes, expire_at: i64) -> Meta {
        Meta { kind: Kind::String, expire_at, version: 0, size: 0, payload: value, chunked: false }
    }

    /// A string of `len` bytes kept in chunk records of `version`.
    pub fn chunked_string(version: u64, len: u64, expire_at: i64) -> Meta {
        Meta { kind: Kind::String, expire_at, version, size: len, payload: Bytes::new(), chunked: true }
    }

    pub fn collection(kind: Kind, version: u64) -> Meta {
        Meta { kind, expire_at: 0, version, size: 0, payload: Bytes::new(), chunked: false }
    }

    /// Whether the value lives in records of `version` (collections, chunked strings)
    /// rather than inline.
    pub fn has_records(&self) -> bool {
        self.chunked || !self.kind.is_inline()
    }

    /// Whether the deadline has passed. As Redis's `keyIsExpired` (`now > when`), a key
    /// lives through the millisecond of its deadline, with a PTTL of 0.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.expire_at != 0 && self.expire_at < now_ms
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 16 + self.payload.len());
        out.push(self.kind as u8);
        out.push(if self.chunked { FORMAT_CHUNKED } else { FORMAT });
        out.extend_from_slice(&self.expire_at.to_be_bytes());
        if self.has_records() {
            out.extend_from_slice(&self.version.to_be_bytes());
            out.extend_from_slice(&self.size.to_be_bytes());
        }
        out.extend_from_slice(&self.payload);
        out
    }

    /// Decodes a record; the payload shares `raw`'s allocation.
    pub fn decode(raw: Bytes) -> Option<Meta> {
        if raw.len() < HEADER {
            return None;
        }
        let kind = Kind::from_u8(raw[0])?;
        let chunked = kind.may_chunk() && raw[1] == FORMAT_CHUNKED;
        let expire_at = i64::from_be_bytes(raw[2..10].try_into().ok()?);
        if kind.is_inline() && !chunked {
            return Some(Meta { kind, expire_at, version: 0, size: 0, payload: raw.slice(HEADER..), chunked: false });
        }
        if raw.len() < HEADER + 16 {
            return None;
        }
        let version = u64::from_be_bytes(raw[10..18].try_into().ok()?);
        let size = u64::from_be_bytes(raw[18..26].try_into().ok()?);
        Some(Meta { kind, expire_at, version, size, payload: raw.slice(HEADER + 16..), chunked })
    }

    /// Kind, deadline, version and size of a raw record, without its payload (a string's
    /// value can be large and a walk over keys does not need it).
    pub fn decode_header(raw: &[u8]) -> Option<Meta> {
        Meta::decode(Bytes::copy_from_slice(&raw[..raw.len().min(HEADER + 16)]))
    }

    /// The version that owns live sub-keys, for the compaction filter.
    pub fn live_version(raw: &[u8]) -> Option<u64> {
        let kind = Kind::from_u8(*raw.first()?)?;
        let chunked = kind.may_chunk() && raw.get(1) == Some(&FORMAT_CHUNKED);
        if (kind.is_inline() && !chunked) || raw.len() < HEADER + 8 {
            return None;
        }
        raw[10..18].try_into().ok().map(u64::from_be_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_round_trip() {
        let m = Meta::string(Bytes::from_static(b"hello"), 1234);
        assert_eq!(Meta::decode(Bytes::from(m.encode())), Some(m));
    }

    #[test]
    fn chunked_string_round_trip() {
        let m = Meta::chunked_string(99, 1 << 20, 5);
        let raw = m.encode();
        assert_eq!(Meta::live_version(&raw), Some(99));
        assert_eq!(Meta::decode(Bytes::from(raw)), Some(m));
        assert_eq!(Meta::live_version(&Meta::string(Bytes::from_static(b"12345678901234567890"), 0).encode()), None);
    }

    #[test]
    fn collection_round_trip() {
        let mut m = Meta::collection(Kind::List, 77);
        m.size = 3;
        m.payload = Bytes::from_static(&[1, 2, 3]);
        let raw = m.encode();
        assert_eq!(Meta::live_version(&raw), Some(77));
        assert_eq!(Meta::decode(Bytes::from(raw)), Some(m));
    }

    #[test]
    fn a_key_lives_through_its_deadline_millisecond() {
        let m = Meta::string(Bytes::from_static(b"v"), 1000);
        assert!(!m.is_expired(999));
        assert!(!m.is_expired(1000));
        assert!(m.is_expired(1001));
        assert!(!Meta::string(Bytes::from_static(b"v"), 0).is_expired(i64::MAX));
    }
}

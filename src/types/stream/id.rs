//! Stream entry IDs (`<ms>-<seq>`, two unsigned 64-bit integers) and their order-preserving
//! 16-byte encoding.

use bytes::Bytes;

/// An entry ID. Ordered by `ms`, then `seq`, as Redis's `streamCompareID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(&self) -> bool {
        *self == StreamId::MIN
    }

    /// The next ID, `None` past the last possible one (Redis's `streamIncrID`).
    pub fn incr(self) -> Option<StreamId> {
        match (self.ms, self.seq) {
            (u64::MAX, u64::MAX) => None,
            (ms, u64::MAX) => Some(StreamId::new(ms + 1, 0)),
            (ms, seq) => Some(StreamId::new(ms, seq + 1)),
        }
    }

    /// The previous ID, `None` before 0-0 (Redis's `streamDecrID`).
    pub fn decr(self) -> Option<StreamId> {
        match (self.ms, self.seq) {
            (0, 0) => None,
            (ms, 0) => Some(StreamId::new(ms - 1, u64::MAX)),
            (ms, seq) => Some(StreamId::new(ms, seq - 1)),
        }
    }

    /// Big-endian `ms` then `seq`: byte order is ID order.
    pub fn encode(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    pub fn decode(raw: &[u8]) -> Option<StreamId> {
        let ms = u64::from_be_bytes(raw.get(..8)?.try_into().ok()?);
        let seq = u64::from_be_bytes(raw.get(8..16)?.try_into().ok()?);
        Some(StreamId { ms, seq })
    }

    /// `<ms>-<seq>`, as replies print it.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(self.to_string())
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_encoding_and_steps() {
        let a = StreamId::new(1, u64::MAX);
        let b = StreamId::new(2, 0);
        assert!(a < b && a.encode() < b.encode());
        assert_eq!(a.incr(), Some(b));
        assert_eq!(b.decr(), Some(a));
        assert_eq!(StreamId::MAX.incr(), None);
        assert_eq!(StreamId::MIN.decr(), None);
        assert_eq!(StreamId::decode(&b.encode()), Some(b));
        assert_eq!(b.to_string(), "2-0");
    }
}

//! RESP on the wire: request decoding (check, then parse) and reply encoding.
//!
//! Clients send commands as RESP arrays of bulk strings, or as inline text lines.
//! [`decode::RequestDecoder`] first checks, incrementally and within hard limits, that a
//! whole request is buffered, then hands exactly that frame to the `redis-protocol`
//! crate. Replies are modelled by [`Reply`] and encoded for RESP2 or RESP3 by
//! [`Reply::encode`].

pub mod decode;
pub mod reply;

pub use decode::{Decoded, RequestDecoder};
pub use reply::Reply;

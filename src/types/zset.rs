//! zset operations over versioned sub-keys.

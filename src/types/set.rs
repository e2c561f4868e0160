//! set operations over versioned sub-keys.

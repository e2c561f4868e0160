//! hash operations over versioned sub-keys.

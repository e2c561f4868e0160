//! list operations over versioned sub-keys.

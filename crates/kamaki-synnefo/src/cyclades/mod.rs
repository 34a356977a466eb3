//! The cyclades client.

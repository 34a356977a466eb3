//! The pithos client.

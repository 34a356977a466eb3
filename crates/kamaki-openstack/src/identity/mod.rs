//! The identity service client.

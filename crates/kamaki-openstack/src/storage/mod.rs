//! The storage service client.

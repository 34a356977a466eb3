//! The network service client.

//! The compute service client.

//! The image service client.

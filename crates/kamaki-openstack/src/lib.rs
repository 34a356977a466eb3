//! Plain OpenStack clients for kamaki-rs: identity, compute, object storage,
//! image, network and block storage.
//!
//! Every client is built from an endpoint URL and a token, as in kamaki.
//! The service modules are filled in by the OpenStack milestone.

pub use kamaki_core::{ClientError, ErrorKind, Token};

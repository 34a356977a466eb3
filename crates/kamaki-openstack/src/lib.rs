//! Plain OpenStack clients for kamaki-rs: identity, compute, object storage,
//! image, network and block storage.
//!
//! Every client is built from an endpoint URL and a token, as in kamaki;
//! each has a `SERVICE_TYPE` constant naming its catalog type.

#![warn(missing_docs)]

pub mod blockstorage;
pub mod common;
pub mod compute;
pub mod identity;
pub mod image;
pub mod network;
pub mod storage;

pub use common::{Extra, ResourceId};
pub use kamaki_core::{ClientError, ErrorKind, Token};

//! Synnefo clients for kamaki-rs: Astakos (identity and account), Cyclades
//! (compute, network, block storage extensions), Pithos (object storage with
//! block hashmaps, sharing, versions, public links) and Plankton (images),
//! built on the OpenStack clients of `kamaki-openstack`.

#![warn(missing_docs)]

pub mod astakos;
pub mod cyclades;
pub mod pithos;
pub mod plankton;

pub use kamaki_core::{ClientError, ErrorKind, Token};

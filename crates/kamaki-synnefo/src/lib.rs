//! Synnefo clients for kamaki-rs: Astakos, Cyclades, Pithos and Plankton,
//! built on the OpenStack clients of `kamaki-openstack`.

pub use kamaki_core::{ClientError, ErrorKind, Token};

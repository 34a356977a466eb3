//! Plain OpenStack clients for kamaki-rs: identity, compute, object storage,
//! image, network and block storage.
//!
//! Every client is built from an endpoint URL and a token, as in kamaki;
//! each has a `SERVICE_TYPE` constant naming its catalog type. This crate
//! stands alone for a plain OpenStack cloud; `kamaki-synnefo` builds the
//! Synnefo clients on it.
//!
//! # Quickstart
//!
//! From a Keystone user name and password to servers and objects:
//!
//! ```no_run
//! use kamaki_openstack::compute::ComputeClient;
//! use kamaki_openstack::identity::{IdentityClient, V3Domains};
//! use kamaki_openstack::storage::StorageClient;
//!
//! # async fn demo() -> Result<(), kamaki_openstack::ClientError> {
//! let (_keystone, auth) = IdentityClient::password_v3(
//!     "https://keystone.example.org/v3", "demo", "secret", Some("demo"), &V3Domains::default(),
//! ).await?;
//! let nova = ComputeClient::new(&auth.catalog.get_endpoint_url(ComputeClient::SERVICE_TYPE)?, auth.token.clone())?;
//! for server in nova.list_servers(&Default::default()).await? {
//!     println!("{} {} {}", server.id, server.name, server.status);
//! }
//! let swift = StorageClient::new(&auth.catalog.get_endpoint_url(StorageClient::SERVICE_TYPE)?, auth.token.clone())?;
//! for container in swift.list_containers(Default::default()).await? {
//!     println!("{}", container.name());
//! }
//! # Ok(()) }
//! ```
//!
//! Endpoints get the client's default API version when they have none, and
//! bad input is refused before anything is sent:
//!
//! ```
//! use kamaki_openstack::compute::ComputeClient;
//! use kamaki_openstack::ErrorKind;
//!
//! let nova = ComputeClient::new("https://cloud.example.org/compute", "token").unwrap();
//! assert_eq!(nova.endpoint().as_str(), "https://cloud.example.org/compute/v2.0");
//! let err = ComputeClient::new("not a url", "token").unwrap_err();
//! assert_eq!((err.kind, err.status), (ErrorKind::InvalidArgument, 0));
//! ```

#![warn(missing_docs)]

pub mod blockstorage;
mod client;
pub mod common;
pub mod compute;
pub mod identity;
pub mod image;
pub mod network;
mod rest;
pub mod storage;
mod waiters;

pub use common::{Extra, ResourceId};
pub use kamaki_core::{ClientError, ErrorKind, Token};

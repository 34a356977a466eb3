//! Synnefo clients for kamaki-rs: Astakos (identity and account), Cyclades
//! (compute, network, block storage extensions), Pithos (object storage with
//! block hashmaps, sharing, versions, public links) and Plankton (images),
//! built on the OpenStack clients of `kamaki-openstack`.
//!
//! # Quickstart
//!
//! From an identity URL and a token to a server and a container listing
//! (the tutorial's Examples 1.2 to 1.4; the guide is `docs/guide.md`):
//!
//! ```no_run
//! use kamaki_synnefo::astakos::AstakosClient;
//! use kamaki_synnefo::cyclades::CycladesComputeClient;
//! use kamaki_synnefo::pithos::PithosClient;
//!
//! # async fn demo() -> Result<(), kamaki_synnefo::ClientError> {
//! let token = "my-token";
//! let astakos = AstakosClient::new("https://accounts.example.org/identity/v2.0", token)?;
//! let cyclades = CycladesComputeClient::new(
//!     &astakos.get_endpoint_url(CycladesComputeClient::SERVICE_TYPE).await?, token)?;
//! let uuid = astakos.user_info().await?.id;
//! let pithos = PithosClient::new(
//!     &astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?, token, Some(&uuid), Some("pithos"))?;
//!
//! let srv = cyclades.get_server_info("42").await?;
//! println!("Server Name: {} (OS: {})", srv.name, srv.metadata["os"]);
//! for obj in pithos.list_objects().await? {
//!     println!("  {}", obj.name());
//! }
//! # Ok(()) }
//! ```
//!
//! The Pithos block maths runs locally; an object's hash is the merkle root
//! of its blocks' hashes:
//!
//! ```
//! use kamaki_synnefo::pithos::hashmap::{block_hasher, hash_blocks, merkle_root};
//!
//! let sha256 = block_hasher("sha256").unwrap();
//! // 10 bytes in blocks of 4: three blocks, the last one short
//! let hashes = hash_blocks(sha256.as_ref(), b"0123456789", 4);
//! assert_eq!(hashes.len(), 3);
//! // a single block's merkle root is that block's hash
//! assert_eq!(merkle_root(sha256.as_ref(), &hashes[..1]).unwrap(), hashes[0]);
//! ```

#![warn(missing_docs)]

pub mod astakos;
pub mod cyclades;
pub mod pithos;
pub mod plankton;

pub use kamaki_core::{ClientError, ErrorKind, Token};

/// The user guide (`docs/guide.md`), compiled as doc tests so its snippets
/// cannot drift from the library.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct UserGuide;

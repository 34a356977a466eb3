//! Cyclades: Synnefo's compute, network and block storage services, the
//! OpenStack APIs plus extensions (`spec/compute-cyclades.md`,
//! `spec/network.md`, `spec/blockstorage.md`).
//!
//! Each Cyclades client composes the matching OpenStack client of
//! `kamaki-openstack` (reachable through [`CycladesComputeClient::compute`],
//! [`CycladesNetworkClient::network`],
//! [`CycladesBlockStorageClient::blockstorage`]) and adds the Synnefo calls:
//! projects, reassignment, console, firewall profiles, statistics,
//! diagnostics, volume attachments, tag statuses, network types, floating
//! IPs attached through ports and snapshots. The everyday operations are
//! forwarded under kamaki's names so that scripts read as in kamaki.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kamaki_core::ClientError> {
//! use kamaki_synnefo::cyclades::{
//!     CreateNetworkOptions, CreateServer, CycladesClient, CycladesNetworkClient, FinalStatus,
//!     NetworkType,
//! };
//! use kamaki_openstack::compute::{NetworkRequest, ServerStatus};
//!
//! let network = CycladesNetworkClient::new("https://cloud.example.org/network", "token")?;
//! let net = network
//!     .create_network(NetworkType::MacFiltered, "My private network", &CreateNetworkOptions::default())
//!     .await?;
//!
//! let cyclades = CycladesClient::new("https://cloud.example.org/compute", "token")?;
//! let srv = cyclades
//!     .create_server(&CreateServer {
//!         networks: Some(vec![NetworkRequest::network(net.id.as_str())]),
//!         ..CreateServer::new("server 1", 3u64, "image-uuid")
//!     })
//!     .await?;
//! let state = cyclades.wait_server(srv.id.as_str()).await?;
//! assert_eq!(state.final_status(), ServerStatus::Active, "server 1 build failure");
//! # Ok(()) }
//! ```

mod blockstorage;
mod compute;
mod network;
mod servers;
mod wait;

pub use blockstorage::{CreateVolumeOptions, CycladesBlockStorageClient, SnapshotOptions};
pub use compute::{CreateServer, CycladesClient, CycladesComputeClient, ListFlavorsOptions};
pub use network::{
    CreateFloatingIp, CreateNetworkOptions, CycladesNetworkClient, NetworkType, NETWORK_TYPES,
};
pub use servers::{
    ConsoleType, Diagnostic, FirewallProfile, ServerAttachment, ServerConsole, ServerStats,
    ServerTags, ServerVolumeAttachment, SynnefoServer,
};
pub use wait::FinalStatus;

use kamaki_core::{ClientError, HttpClient, Method, Response, UrlPath};

/// The longest id or name accepted before any request is sent.
const MAX_ID_LEN: usize = 255;

/// Refuses an empty, too long or control-character-holding id or name
/// before any request is sent.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), ClientError> {
    if id.trim().is_empty() {
        return Err(ClientError::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(ClientError::invalid_argument(format!(
            "{what} is longer than {MAX_ID_LEN} characters"
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(ClientError::invalid_argument(format!(
            "{what} must not hold control characters"
        )));
    }
    Ok(())
}

/// Reads and drops a response body that is not needed.
pub(crate) async fn drain(resp: Response) -> Result<(), ClientError> {
    resp.bytes().await.map(|_| ())
}

/// Sends `{"reassign": {"project": …}}` to an `…/{id}/action` URL (200),
/// the same call for servers, networks, floating IPs and volumes.
pub(crate) async fn reassign(
    http: &HttpClient,
    action_url: UrlPath,
    project: &str,
) -> Result<(), ClientError> {
    check_id("project id", project)?;
    let body = serde_json::json!({ "reassign": { "project": project } });
    let resp = http
        .request(Method::POST, action_url)
        .json(&body)
        .expect_status(&[200])
        .send()
        .await?;
    drain(resp).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(check_id("id", "42").is_ok());
        for bad in ["", "  ", "a\u{7}b"] {
            let e = check_id("id", bad).unwrap_err();
            assert_eq!(e.kind, kamaki_core::ErrorKind::InvalidArgument);
        }
        assert!(check_id("id", &"x".repeat(MAX_ID_LEN)).is_ok());
        assert!(check_id("id", &"x".repeat(MAX_ID_LEN + 1)).is_err());
    }
}

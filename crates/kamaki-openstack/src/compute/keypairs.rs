//! Keypairs (`os-keypairs`) and limits.

use std::collections::BTreeMap;

use kamaki_core::{ClientError, Method};
use serde::{Deserialize, Serialize};

use super::util::{self, check_id, de_null_default};
use super::ComputeClient;
use crate::common::Extra;

/// An SSH keypair.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Keypair {
    /// The name (unique per user).
    #[serde(default)]
    pub name: String,
    /// The public key's fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The private key: only in the reply to a creation that generated the
    /// pair, and shown only that once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// The owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Creation time (details only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Fields this version does not know (`id`, `deleted`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Deserialize)]
struct KeypairEnvelope {
    keypair: Keypair,
}

#[derive(Deserialize)]
struct KeypairsEnvelope {
    #[serde(deserialize_with = "de_null_default")]
    keypairs: Vec<KeypairEnvelope>,
}

#[derive(Deserialize)]
struct LimitsEnvelope {
    limits: Limits,
}

/// Usage limits ([`ComputeClient::get_limits`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Limits {
    /// Absolute limits (`maxTotalCores`, `totalCoresUsed`, …).
    #[serde(default, deserialize_with = "de_null_default")]
    pub absolute: BTreeMap<String, serde_json::Value>,
    /// Rate limits, as sent.
    #[serde(default, deserialize_with = "de_null_default")]
    pub rate: Vec<serde_json::Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

fn check_key_name(name: &str) -> Result<(), ClientError> {
    check_id("keypair name", name)?;
    if name.trim() != name {
        return Err(ClientError::invalid_argument(
            "keypair name must not start or end with whitespace",
        ));
    }
    Ok(())
}

impl ComputeClient {
    /// The user's keypairs: GET `/os-keypairs` (200). The server wraps each
    /// item as `{"keypair": {…}}`; the items are returned unwrapped.
    ///
    /// # Errors
    /// The server's error.
    pub async fn list_keypairs(&self) -> Result<Vec<Keypair>, ClientError> {
        let env: KeypairsEnvelope = self
            .http
            .request(Method::GET, self.url().seg("os-keypairs"))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.keypairs.into_iter().map(|k| k.keypair).collect())
    }

    /// Keypair details: GET `/os-keypairs/{name}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name; the server's error (404 …).
    pub async fn get_keypair(&self, key_name: &str) -> Result<Keypair, ClientError> {
        check_key_name(key_name)?;
        let env: KeypairEnvelope = self
            .http
            .request(Method::GET, self.url().seg("os-keypairs").seg(key_name))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.keypair)
    }

    /// Creates or imports a keypair (kamaki's `create_key`): POST
    /// `/os-keypairs` with `{"keypair": {"name": …, "public_key": …}}`
    /// (200, 201). Without `public_key` the server generates the pair and
    /// the reply holds `private_key`.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name, one with surrounding whitespace, or an empty key;
    /// the server's error (409 for a taken name, 403 when generation is off).
    pub async fn create_key(
        &self,
        key_name: &str,
        public_key: Option<&str>,
    ) -> Result<Keypair, ClientError> {
        check_key_name(key_name)?;
        let mut kp = serde_json::Map::new();
        kp.insert("name".into(), key_name.into());
        if let Some(k) = public_key {
            if k.trim().is_empty() {
                return Err(ClientError::invalid_argument(
                    "public key must not be empty",
                ));
            }
            kp.insert("public_key".into(), k.into());
        }
        let env: KeypairEnvelope = self
            .http
            .request(Method::POST, self.url().seg("os-keypairs"))
            .json(&serde_json::json!({ "keypair": kp }))
            .expect_status(&[200, 201])
            .send_json()
            .await?;
        Ok(env.keypair)
    }

    /// Deletes a keypair: DELETE `/os-keypairs/{name}` (204; 202 from OpenStack).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty name; the server's error (404 …).
    pub async fn delete_keypair(&self, key_name: &str) -> Result<(), ClientError> {
        check_key_name(key_name)?;
        let resp = self
            .http
            .request(Method::DELETE, self.url().seg("os-keypairs").seg(key_name))
            .expect_status(&[202, 204])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Usage limits: GET `/limits` (200). Synnefo does not route this call
    /// (400 "API endpoint not found").
    ///
    /// # Errors
    /// The server's error.
    pub async fn get_limits(&self) -> Result<Limits, ClientError> {
        let env: LimitsEnvelope = self
            .http
            .request(Method::GET, self.url().seg("limits"))
            .expect_status(&[200, 203])
            .send_json()
            .await?;
        Ok(env.limits)
    }
}

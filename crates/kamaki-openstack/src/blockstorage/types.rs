//! Volume types.

use kamaki_core::{ClientError, Method};
use serde::{Deserialize, Serialize};

use super::BlockStorageClient;
use crate::common::{Extra, ResourceId};
use crate::compute::util::{check_id, de_null_default};

/// A volume type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeType {
    /// The id (an integer on Synnefo).
    pub id: ResourceId,
    /// The name (`ext_archipelago`, …).
    #[serde(default)]
    pub name: String,
    /// Whether it was deleted (Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Extra specifications (Cinder).
    #[serde(
        default,
        deserialize_with = "de_null_default",
        skip_serializing_if = "Extra::is_empty"
    )]
    pub extra_specs: Extra,
    /// Fields this version does not know (`SNF:disk_template`,
    /// `SNF:detachable`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Deserialize)]
struct TypesEnvelope {
    volume_types: Vec<VolumeType>,
}

#[derive(Deserialize)]
struct TypeEnvelope {
    volume_type: VolumeType,
}

impl BlockStorageClient {
    /// Lists volume types: GET `/types` (200).
    ///
    /// # Errors
    /// The server's error.
    pub async fn list_volume_types(&self) -> Result<Vec<VolumeType>, ClientError> {
        let env: TypesEnvelope = self
            .http
            .request(Method::GET, self.url().seg("types"))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.volume_types)
    }

    /// Volume type details: GET `/types/{id}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_volume_type(&self, type_id: &str) -> Result<VolumeType, ClientError> {
        check_id("volume type id", type_id)?;
        let env: TypeEnvelope = self
            .http
            .request(Method::GET, self.url().seg("types").seg(type_id))
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.volume_type)
    }
}

//! Volume types.

use kamaki_core::ClientError;
use serde::{Deserialize, Serialize};

use super::BlockStorageClient;
use crate::common::{Extra, ResourceId};
use crate::compute::util::de_null_default;
use crate::rest::Collection;

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

crate::rest::json_resource!(
    VolumeType,
    TypeEnvelope { volume_type },
    TypesEnvelope { volume_types }
);

fn collection(c: &BlockStorageClient) -> Collection<'_, VolumeType> {
    Collection::new(&c.http, c.url().seg("types"), "volume type id")
}

impl BlockStorageClient {
    /// Lists volume types: GET `/types` (200).
    ///
    /// # Errors
    /// The server's error.
    pub async fn list_volume_types(&self) -> Result<Vec<VolumeType>, ClientError> {
        collection(self).list(&[200]).await
    }

    /// Volume type details: GET `/types/{id}` (200).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error (404 …).
    pub async fn get_volume_type(&self, type_id: &str) -> Result<VolumeType, ClientError> {
        collection(self).get(type_id, &[200]).await
    }
}

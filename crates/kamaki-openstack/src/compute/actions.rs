//! Server actions: POST `/servers/{id}/action` with one top-level key.

use std::collections::BTreeMap;

use kamaki_core::{ClientError, Method, RequestBuilder, Response};
use serde_json::{json, Value};

use super::servers::{self, Server};
use super::util::{self, check_id, to_json};
use super::ComputeClient;
use crate::common::{Extra, ResourceId};
use crate::rest::{send_one, wrap, Object};

/// What to rebuild a server with ([`ComputeClient::rebuild_server`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RebuildServer {
    /// The image to rebuild from (`imageRef`), required.
    pub image_id: String,
    /// A new name.
    pub name: Option<String>,
    /// A new administrator password (`adminPass`); never logged.
    pub admin_pass: Option<String>,
    /// New metadata.
    pub metadata: Option<BTreeMap<String, String>>,
    /// More keys of the `"rebuild"` object, sent as given.
    pub extra: Extra,
}

/// The image a server snapshot created ([`ComputeClient::create_server_image`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreatedImage {
    /// The new image id: from the reply body (`image_id`) or the last
    /// segment of `Location`.
    pub image_id: Option<String>,
    /// The `Location` header, when sent.
    pub location: Option<String>,
}

impl ComputeClient {
    /// POST `/servers/{id}/action`, the id checked.
    fn action_request(&self, server_id: &str) -> Result<RequestBuilder, ClientError> {
        let url = servers::server(self, server_id)?.url().seg("action");
        Ok(self.http.request(Method::POST, url))
    }

    /// Sends a server action: POST `/servers/{id}/action` with `action` as
    /// the body, accepting the `success` statuses. The building block of
    /// every action here, public so that extensions (Synnefo's console,
    /// firewall, reassign) can send their own.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the server's error for any other status.
    pub async fn server_action(
        &self,
        server_id: &str,
        action: &Value,
        success: &[u16],
    ) -> Result<Response, ClientError> {
        self.action_request(server_id)?
            .json(action)
            .expect_status(success)
            .send()
            .await
    }

    async fn simple_action(
        &self,
        server_id: &str,
        action: Value,
        success: &[u16],
    ) -> Result<(), ClientError> {
        let resp = self.server_action(server_id, &action, success).await?;
        util::drain(resp).await
    }

    /// Reboots: `{"reboot": {"type": "SOFT"}}` or `"HARD"` (202).
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn reboot_server(&self, server_id: &str, hard: bool) -> Result<(), ClientError> {
        let kind = if hard { "HARD" } else { "SOFT" };
        self.simple_action(server_id, json!({ "reboot": { "type": kind } }), &[202])
            .await
    }

    /// Starts a stopped server: `{"os-start": null}` (202).
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn start_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.simple_action(server_id, json!({ "os-start": null }), &[202])
            .await
    }

    /// Shuts a server down: `{"os-stop": null}` (202).
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn shutdown_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.simple_action(server_id, json!({ "os-stop": null }), &[202])
            .await
    }

    /// Resizes to another flavor: `{"resize": {"flavorRef": …}}` (202).
    /// Synnefo wants the server stopped first.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or flavor; as [`server_action`](Self::server_action).
    pub async fn resize_server(
        &self,
        server_id: &str,
        flavor_id: impl Into<ResourceId>,
    ) -> Result<(), ClientError> {
        let flavor_id = flavor_id.into();
        check_id("flavor id", flavor_id.as_str())?;
        let body = json!({ "resize": { "flavorRef": to_json(&flavor_id)? } });
        self.simple_action(server_id, body, &[202]).await
    }

    /// Confirms a resize: `{"confirmResize": null}` (202, 204). Synnefo: 501.
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn confirm_resize_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.simple_action(server_id, json!({ "confirmResize": null }), &[202, 204])
            .await
    }

    /// Reverts a resize: `{"revertResize": null}` (202). Synnefo: 501.
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn revert_resize_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.simple_action(server_id, json!({ "revertResize": null }), &[202])
            .await
    }

    /// Sets the administrator password:
    /// `{"changePassword": {"adminPass": …}}` (202; the password is never
    /// logged). Synnefo: 501.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty password; as [`server_action`](Self::server_action).
    pub async fn change_admin_password(
        &self,
        server_id: &str,
        new_password: &str,
    ) -> Result<(), ClientError> {
        let req = self.action_request(server_id)?;
        if new_password.is_empty() {
            return Err(ClientError::invalid_argument(
                "the new password must not be empty",
            ));
        }
        let body = json!({ "changePassword": { "adminPass": new_password } });
        let resp = req
            .json(&body)
            .secret(new_password)
            .expect_status(&[202])
            .send()
            .await?;
        util::drain(resp).await
    }

    /// Rebuilds a server from an image: `{"rebuild": {"imageRef": …}}`
    /// (202), returning the server. Synnefo: 501.
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or image; as [`server_action`](Self::server_action).
    pub async fn rebuild_server(
        &self,
        server_id: &str,
        rebuild: &RebuildServer,
    ) -> Result<Server, ClientError> {
        let r = Object::new()
            .checked("imageRef", "image id", Some(rebuild.image_id.as_str()))?
            .checked("name", "server name", rebuild.name.as_deref())?
            .opt("adminPass", rebuild.admin_pass.as_deref())
            .json("metadata", rebuild.metadata.as_ref())?
            .extra(&rebuild.extra);
        let mut req = self
            .action_request(server_id)?
            .json(&wrap("rebuild", r.into_map()))
            .expect_status(&[202]);
        if let Some(p) = &rebuild.admin_pass {
            req = req.secret(p);
        }
        send_one(req).await
    }

    /// Snapshots a server into an image:
    /// `{"createImage": {"name": …, "metadata": {…}}}` (202). Synnefo: 501
    /// (snapshots are made through the block storage service there).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id or name; as [`server_action`](Self::server_action).
    pub async fn create_server_image(
        &self,
        server_id: &str,
        image_name: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<CreatedImage, ClientError> {
        check_id("image name", image_name)?;
        let body = json!({ "createImage": { "name": image_name, "metadata": metadata } });
        let resp = self.server_action(server_id, &body, &[202]).await?;
        let location = resp.header("location").map(str::to_string);
        let bytes = resp.bytes().await?;
        let from_body = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| {
            v.get("image_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        let from_location = location
            .as_deref()
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        Ok(CreatedImage {
            image_id: from_body.or(from_location),
            location,
        })
    }

    /// Boots a server into rescue mode: `{"rescue": {}}`, or with an image
    /// `{"rescue": {"rescue_image_ref": …}}` (202; 200 from OpenStack).
    /// The image goes inside `rescue`, unlike kamaki which put it beside.
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn rescue_server(
        &self,
        server_id: &str,
        rescue_image_ref: Option<ResourceId>,
    ) -> Result<(), ClientError> {
        let inner = match rescue_image_ref {
            Some(r) => {
                check_id("rescue image", r.as_str())?;
                json!({ "rescue_image_ref": to_json(&r)? })
            }
            None => json!({}),
        };
        self.simple_action(server_id, json!({ "rescue": inner }), &[200, 202])
            .await
    }

    /// Leaves rescue mode: `{"unrescue": {}}` (202).
    ///
    /// # Errors
    /// As [`server_action`](Self::server_action).
    pub async fn unrescue_server(&self, server_id: &str) -> Result<(), ClientError> {
        self.simple_action(server_id, json!({ "unrescue": {} }), &[202])
            .await
    }
}

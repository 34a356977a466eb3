//! The top level (accounts sharing with me) and the account level:
//! info, container listing, metadata and groups (`spec/storage-pithos.md` §3, §4).

use futures::{Stream, TryStreamExt};
use kamaki_core::{paginate, ClientError, Method, Page, QueryParams};
use kamaki_openstack::storage::encode_meta_key;

use super::types::{AccountInfo, ContainerEntry, Meta, SharingAccount};
use super::{meta_headers, PithosClient};

/// The server's default page size (`PITHOS_API_LIST_LIMIT`).
pub(crate) const SERVER_LIST_LIMIT: u32 = 10_000;

/// Options of [`PithosClient::sharing_accounts`].
#[derive(Debug, Clone, Default)]
pub struct ListSharingAccountsOptions {
    /// Page size sent to the server (default: the server's, 10000). The
    /// stream continues across pages; use `.take(n)` to cap it.
    pub limit: Option<u32>,
    /// Start after this account.
    pub marker: Option<String>,
}

/// Options of [`PithosClient::get_account_info`].
#[derive(Debug, Clone, Default)]
pub struct AccountInfoOptions {
    /// The state as of this instant (integer epoch seconds; owner only).
    pub until: Option<u64>,
    /// `If-Modified-Since` (RFC 1123 date): 304 when not modified.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (RFC 1123 date): 412 when modified.
    pub if_unmodified_since: Option<String>,
}

/// Options of [`PithosClient::containers`].
#[derive(Debug, Clone, Default)]
pub struct ListContainersOptions {
    /// Page size sent to the server (default: the server's, 10000). The
    /// stream continues across pages.
    pub limit: Option<u32>,
    /// Start after this container name.
    pub marker: Option<String>,
    /// Only containers with shared objects (`shared` flag).
    pub shared: bool,
    /// Only containers with public objects (`public` flag; owner only).
    pub public: bool,
    /// The listing as of this instant (integer epoch seconds; owner only).
    pub until: Option<u64>,
    /// `If-Modified-Since`: the listing is empty when not modified (304).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since`: 412 when modified.
    pub if_unmodified_since: Option<String>,
}

impl PithosClient {
    /// Accounts that share objects with the caller, as a stream across pages:
    /// `GET {endpoint}/?format=json[&limit][&marker]`; success 200, 204 (none).
    ///
    /// # Errors
    /// Each item may be a [`ClientError`] from the server (401 without a valid
    /// token) or a decode error; the stream ends after an error.
    pub fn sharing_accounts(
        &self,
        opts: ListSharingAccountsOptions,
    ) -> impl Stream<Item = Result<SharingAccount, ClientError>> + Send + '_ {
        let page_size = opts.limit.unwrap_or(SERVER_LIST_LIMIT) as usize;
        paginate(move |marker: Option<String>| {
            let limit = opts.limit;
            let marker = marker.or_else(|| opts.marker.clone());
            async move {
                let mut q = QueryParams::new();
                q.push("format", "json")
                    .push_opt("limit", limit)
                    .push_opt("marker", marker);
                let resp = self
                    .http_req(Method::GET, self.top_url())
                    .query(&q)
                    .expect_status(&[200, 204])
                    .send()
                    .await?;
                let items: Vec<SharingAccount> = if resp.status() == 204 {
                    resp.bytes().await?;
                    Vec::new()
                } else {
                    resp.json().await?
                };
                Ok(Page::by_marker(items, page_size, |a| a.name.clone()))
            }
        })
    }

    /// All accounts that share objects with the caller; see
    /// [`sharing_accounts`](Self::sharing_accounts).
    ///
    /// # Errors
    /// As [`sharing_accounts`](Self::sharing_accounts).
    pub async fn list_sharing_accounts(
        &self,
        opts: ListSharingAccountsOptions,
    ) -> Result<Vec<SharingAccount>, ClientError> {
        self.sharing_accounts(opts).try_collect().await
    }

    /// The account's state: `HEAD /{account}[?until=T]`; success 204.
    ///
    /// # Errors
    /// A [`ClientError`] with the server's status (401, 403, 404; 304 or 412
    /// for the conditional headers); an
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error when
    /// no account is set; a decode error for malformed numeric headers.
    pub async fn get_account_info(
        &self,
        opts: &AccountInfoOptions,
    ) -> Result<AccountInfo, ClientError> {
        let url = self.account_url()?;
        let mut q = QueryParams::new();
        q.push_opt("until", opts.until);
        let headers = self
            .http_req(Method::HEAD, url)
            .query(&q)
            .header_opt("If-Modified-Since", opts.if_modified_since.as_deref())
            .header_opt("If-Unmodified-Since", opts.if_unmodified_since.as_deref())
            .expect_status(&[204, 200])
            .send_headers()
            .await?;
        AccountInfo::try_from(&headers)
    }

    /// The account's containers, as a stream across pages:
    /// `GET /{account}?format=json[&limit][&marker][&shared][&public][&until]`;
    /// success 200, 204 (empty), 304 (not modified: empty).
    ///
    /// # Errors
    /// Each item may be a [`ClientError`] (403 for `public` by a non-owner,
    /// 404, 412), a decode error, or an
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error when
    /// no account is set; the stream ends after an error.
    pub fn containers(
        &self,
        opts: ListContainersOptions,
    ) -> impl Stream<Item = Result<ContainerEntry, ClientError>> + Send + '_ {
        let page_size = opts.limit.unwrap_or(SERVER_LIST_LIMIT) as usize;
        paginate(move |marker: Option<String>| {
            let opts = opts.clone();
            async move {
                let url = self.account_url()?;
                let mut q = QueryParams::new();
                q.push("format", "json")
                    .push_opt("limit", opts.limit)
                    .push_opt("marker", marker.or(opts.marker))
                    .flag_if("shared", opts.shared)
                    .flag_if("public", opts.public)
                    .push_opt("until", opts.until);
                let items: Vec<ContainerEntry> = self
                    .listing_page(
                        url,
                        &q,
                        opts.if_modified_since.as_deref(),
                        opts.if_unmodified_since.as_deref(),
                    )
                    .await?;
                Ok(Page::by_marker(items, page_size, |c| c.name.clone()))
            }
        })
    }

    /// All the account's containers; see [`containers`](Self::containers).
    ///
    /// # Errors
    /// As [`containers`](Self::containers).
    pub async fn list_containers(
        &self,
        opts: ListContainersOptions,
    ) -> Result<Vec<ContainerEntry>, ClientError> {
        self.containers(opts).try_collect().await
    }

    /// Sets (merges) account metadata: `POST /{account}?update` with
    /// `X-Account-Meta-{key}: value`; success 202.
    ///
    /// # Errors
    /// A [`ClientError`] with the server's status (400 for limits: 32 items,
    /// key ≤ 128, value ≤ 256 characters); an
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error when
    /// no account is set.
    pub async fn set_account_meta(&self, meta: &Meta) -> Result<(), ClientError> {
        self.post_account(meta, true, &[]).await
    }

    /// Deletes one account metadata key: `POST /{account}?update` with an
    /// empty `X-Account-Meta-{key}`; success 202.
    ///
    /// # Errors
    /// As [`set_account_meta`](Self::set_account_meta).
    pub async fn delete_account_meta(&self, key: &str) -> Result<(), ClientError> {
        let mut meta = Meta::new();
        meta.insert(key.to_string(), String::new());
        self.post_account(&meta, true, &[]).await
    }

    /// Replaces all account metadata with `meta`: `POST /{account}` without
    /// `update`; success 202.
    ///
    /// # Errors
    /// As [`set_account_meta`](Self::set_account_meta).
    pub async fn replace_account_meta(&self, meta: &Meta) -> Result<(), ClientError> {
        self.post_account(meta, false, &[]).await
    }

    /// Creates or replaces a group: `POST /{account}?update` with
    /// `X-Account-Group-{group}: m1,m2`; success 202.
    ///
    /// Group names must not contain `-` or `_`; members must be known users.
    ///
    /// # Errors
    /// [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) for an
    /// empty group name, one with `-`/`_`, or no members (use
    /// [`delete_account_group`](Self::delete_account_group)); a [`ClientError`]
    /// with the server's status (400 for unknown users or limits).
    pub async fn set_account_group<S: AsRef<str>>(
        &self,
        group: &str,
        members: &[S],
    ) -> Result<(), ClientError> {
        check_group_name(group)?;
        let list: Vec<&str> = members
            .iter()
            .map(|m| m.as_ref().trim())
            .filter(|m| !m.is_empty())
            .collect();
        if list.is_empty() {
            return Err(ClientError::invalid_argument(format!(
                "Group {group:?} needs at least one member"
            )));
        }
        self.post_account(&Meta::new(), true, &[(group, list.join(","))])
            .await
    }

    /// Deletes a group: `POST /{account}?update` with an empty
    /// `X-Account-Group-{group}`; success 202.
    ///
    /// # Errors
    /// As [`set_account_group`](Self::set_account_group).
    pub async fn delete_account_group(&self, group: &str) -> Result<(), ClientError> {
        check_group_name(group)?;
        self.post_account(&Meta::new(), true, &[(group, String::new())])
            .await
    }

    async fn post_account(
        &self,
        meta: &Meta,
        update: bool,
        groups: &[(&str, String)],
    ) -> Result<(), ClientError> {
        let url = self.account_url()?;
        let mut rb = self.http_req(Method::POST, url);
        if update {
            rb = rb.flag("update");
        }
        rb = meta_headers(rb, "X-Account-Meta-", meta);
        for (g, members) in groups {
            rb = super::encoded_header(
                rb,
                &format!("X-Account-Group-{}", encode_meta_key(g)),
                members,
            );
        }
        rb.expect_status(&[202]).send_status().await?;
        Ok(())
    }
}

fn check_group_name(group: &str) -> Result<(), ClientError> {
    if group.trim().is_empty() {
        return Err(ClientError::invalid_argument(
            "Group name must not be empty",
        ));
    }
    if group.contains(['-', '_']) {
        return Err(ClientError::invalid_argument(format!(
            "Group name {group:?} must not contain '-' or '_'"
        )));
    }
    Ok(())
}

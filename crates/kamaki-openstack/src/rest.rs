//! The shapes the JSON services (compute, network, block storage) share: a
//! collection of resources wrapped in envelopes (`{"network": {…}}`,
//! `{"networks": […]}`), its members and their metadata, marker-paged
//! listings, and request objects.
//!
//! An operation names its collection, its statuses and its body; the
//! requests, envelopes and paging are built here once.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::Arc;

use futures::Stream;
use kamaki_core::{
    paginate, ClientError, HttpClient, Method, Page, QueryParams, RequestBuilder, UrlPath,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::common::Extra;
use crate::compute::util::{self, check_id, de_string_map, marker_page, push_text, to_json};

/// A resource sent and received in envelopes: `{"<one>": {…}}` for one
/// item, `{"<many>": […]}` for a list. Implemented by [`json_resource!`].
pub(crate) trait Resource: Sized + Send + 'static {
    /// The envelope key of one item (`"network"`).
    const ONE: &'static str;
    /// The envelope key of a list (`"networks"`).
    const MANY: &'static str;
    /// A reply holding one item.
    type One: DeserializeOwned + Send;
    /// A reply holding a list.
    type Many: DeserializeOwned + Send;
    /// The item of a reply.
    fn from_one(reply: Self::One) -> Self;
    /// The items of a reply.
    fn from_many(reply: Self::Many) -> Vec<Self>;
    /// The `marker` a listing continues after this item with (its id).
    fn marker(&self) -> String;
}

/// Implements [`Resource`] for a type with an `id`, defining its two reply
/// envelopes: `json_resource!(Network, NetworkEnvelope { network },
/// NetworksEnvelope { networks })`.
macro_rules! json_resource {
    ($ty:ident, $one_env:ident { $one:ident }, $many_env:ident { $many:ident }) => {
        #[derive(serde::Deserialize)]
        pub(crate) struct $one_env {
            $one: $ty,
        }

        #[derive(serde::Deserialize)]
        pub(crate) struct $many_env {
            $many: Vec<$ty>,
        }

        impl $crate::rest::Resource for $ty {
            const ONE: &'static str = stringify!($one);
            const MANY: &'static str = stringify!($many);
            type One = $one_env;
            type Many = $many_env;
            fn from_one(reply: $one_env) -> Self {
                reply.$one
            }
            fn from_many(reply: $many_env) -> Vec<Self> {
                reply.$many
            }
            fn marker(&self) -> String {
                self.id.to_string()
            }
        }
    };
}
pub(crate) use json_resource;

/// A request object built member by member; members go out in the order
/// they are added.
#[derive(Debug, Default)]
pub(crate) struct Object(Map<String, Value>);

impl Object {
    /// No members.
    pub(crate) fn new() -> Self {
        Object::default()
    }

    /// `key: value`.
    pub(crate) fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// `key: value` when a value is given.
    pub(crate) fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// `key: value` when a value is given, refused as `what` when empty,
    /// too long or holding control characters.
    pub(crate) fn checked(
        self,
        key: &str,
        what: &str,
        value: Option<&str>,
    ) -> Result<Self, ClientError> {
        if let Some(v) = value {
            check_id(what, v)?;
        }
        Ok(self.opt(key, value))
    }

    /// `key: value` encoded as JSON, when a value is given.
    pub(crate) fn json<T: Serialize + ?Sized>(
        self,
        key: &str,
        value: Option<&T>,
    ) -> Result<Self, ClientError> {
        match value {
            Some(v) => Ok(self.set(key, to_json(v)?)),
            None => Ok(self),
        }
    }

    /// `key: [items]` when there are items.
    pub(crate) fn list<T: Serialize>(self, key: &str, items: &[T]) -> Result<Self, ClientError> {
        self.json(key, Some(items).filter(|i| !i.is_empty()))
    }

    /// The keys of `extra`, replacing members of the same name (so
    /// extensions win).
    pub(crate) fn extra(mut self, extra: &Extra) -> Self {
        for (k, v) in extra {
            self.0.insert(k.clone(), v.clone());
        }
        self
    }

    /// The members.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// The members of an update, refusing an update without any.
    pub(crate) fn changes(self) -> Result<Map<String, Value>, ClientError> {
        if self.0.is_empty() {
            return Err(ClientError::invalid_argument("nothing to update"));
        }
        Ok(self.0)
    }
}

/// `{key: value}`.
pub(crate) fn wrap(key: &str, value: impl Into<Value>) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), value.into());
    Value::Object(m)
}

/// A collection of resources (`…/networks`): listing and creation here,
/// the rest on its [`Member`]s.
pub(crate) struct Collection<'a, T> {
    http: &'a HttpClient,
    url: UrlPath,
    what: &'static str,
    item: PhantomData<fn() -> T>,
}

impl<'a, T: Resource> Collection<'a, T> {
    /// The collection at `url`; `what` names a member id in argument
    /// errors (`"network id"`).
    pub(crate) fn new(http: &'a HttpClient, url: UrlPath, what: &'static str) -> Self {
        Collection {
            http,
            url,
            what,
            item: PhantomData,
        }
    }

    /// The member `id` (`…/networks/{id}`), refusing an empty, too long or
    /// control-character-holding id before anything is sent.
    pub(crate) fn member(&self, id: &str) -> Result<Member<'a, T>, ClientError> {
        check_id(self.what, id)?;
        Ok(Member {
            http: self.http,
            url: self.url.clone().seg(id),
            item: PhantomData,
        })
    }

    /// GET the member `id`, accepting `ok`.
    pub(crate) async fn get(&self, id: &str, ok: &[u16]) -> Result<T, ClientError> {
        self.member(id)?.get(ok).await
    }

    /// DELETE the member `id`, accepting `ok`.
    pub(crate) async fn delete(&self, id: &str, ok: &[u16]) -> Result<(), ClientError> {
        self.member(id)?.delete(ok).await
    }

    /// A request to the collection.
    pub(crate) fn request(&self, method: Method) -> RequestBuilder {
        self.http.request(method, self.url.clone())
    }

    /// GET the whole collection at once, accepting `ok`.
    pub(crate) async fn list(&self, ok: &[u16]) -> Result<Vec<T>, ClientError> {
        let env: T::Many = self
            .request(Method::GET)
            .expect_status(ok)
            .send_json()
            .await?;
        Ok(T::from_many(env))
    }

    /// POST `{"<one>": object}`, accepting `ok`; the created item.
    pub(crate) async fn create(
        &self,
        object: impl Into<Value>,
        ok: &[u16],
    ) -> Result<T, ClientError> {
        let req = self.request(Method::POST).json(&wrap(T::ONE, object));
        send_one(req.expect_status(ok)).await
    }

    /// POST `{"<many>": objects}`, accepting `ok`; the created items. An
    /// empty list or a bad object is refused before anything is sent.
    pub(crate) async fn create_many(
        &self,
        objects: impl IntoIterator<Item = Result<Map<String, Value>, ClientError>>,
        ok: &[u16],
    ) -> Result<Vec<T>, ClientError> {
        let objects = objects
            .into_iter()
            .map(|o| o.map(Value::Object))
            .collect::<Result<Vec<_>, _>>()?;
        if objects.is_empty() {
            return Err(ClientError::invalid_argument(format!(
                "no {} to create",
                T::MANY
            )));
        }
        let env: T::Many = self
            .request(Method::POST)
            .json(&wrap(T::MANY, objects))
            .expect_status(ok)
            .send_json()
            .await?;
        Ok(T::from_many(env))
    }

    /// Streams the listing (`…/networks`, or `…/networks/detail` when
    /// `listing` asks for details), accepting `ok`; see [`pages`].
    pub(crate) fn stream(
        self,
        listing: Listing,
        ok: &'static [u16],
    ) -> impl Stream<Item = Result<T, ClientError>> + Send + 'a {
        let url = if listing.detail {
            self.url.seg("detail")
        } else {
            self.url
        };
        pages(self.http, url, listing, ok, T::from_many, T::marker)
    }
}

/// One resource of a [`Collection`] (`…/networks/{id}`), its id checked.
pub(crate) struct Member<'a, T> {
    http: &'a HttpClient,
    url: UrlPath,
    item: PhantomData<fn() -> T>,
}

impl<T: Resource> Member<'_, T> {
    /// The member's URL, for the resources below it.
    pub(crate) fn url(&self) -> UrlPath {
        self.url.clone()
    }

    /// A request to the member.
    pub(crate) fn request(&self, method: Method) -> RequestBuilder {
        self.http.request(method, self.url())
    }

    /// GET the item, accepting `ok`.
    pub(crate) async fn get(&self, ok: &[u16]) -> Result<T, ClientError> {
        send_one(self.request(Method::GET).expect_status(ok)).await
    }

    /// PUT `{"<one>": object}`, accepting `ok`; the item as updated.
    pub(crate) async fn put(&self, object: impl Into<Value>, ok: &[u16]) -> Result<T, ClientError> {
        let req = self.request(Method::PUT).json(&wrap(T::ONE, object));
        send_one(req.expect_status(ok)).await
    }

    /// DELETE the item, accepting `ok`.
    pub(crate) async fn delete(&self, ok: &[u16]) -> Result<(), ClientError> {
        let resp = self
            .request(Method::DELETE)
            .expect_status(ok)
            .send()
            .await?;
        util::drain(resp).await
    }

    /// The item's metadata (`…/{id}/metadata`).
    pub(crate) fn metadata(&self) -> Metadata<'_> {
        Metadata {
            http: self.http,
            url: self.url().seg("metadata"),
        }
    }
}

/// The metadata of a resource (`…/{id}/metadata`): string pairs sent and
/// received as `{"metadata": {…}}`, one item (`…/metadata/{key}`) as
/// `{"meta": {key: value}}`. Keys are refused before anything is sent when
/// empty, too long or holding control characters.
pub(crate) struct Metadata<'a> {
    http: &'a HttpClient,
    url: UrlPath,
}

#[derive(Deserialize)]
struct MetadataEnvelope {
    #[serde(deserialize_with = "de_string_map")]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct MetaEnvelope {
    #[serde(deserialize_with = "de_string_map")]
    meta: BTreeMap<String, String>,
}

impl Metadata<'_> {
    fn item(&self, key: &str) -> Result<UrlPath, ClientError> {
        check_id("metadata key", key)?;
        Ok(self.url.clone().seg(key))
    }

    /// All metadata: GET (200).
    pub(crate) async fn get(&self) -> Result<BTreeMap<String, String>, ClientError> {
        let env: MetadataEnvelope = self
            .http
            .request(Method::GET, self.url.clone())
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.metadata)
    }

    /// Sends `{"metadata": metadata}` with `method` (POST merges, PUT
    /// replaces), accepting `ok`; all metadata afterwards.
    pub(crate) async fn send(
        &self,
        method: Method,
        metadata: &BTreeMap<String, String>,
        ok: &[u16],
    ) -> Result<BTreeMap<String, String>, ClientError> {
        for k in metadata.keys() {
            check_id("metadata key", k)?;
        }
        let env: MetadataEnvelope = self
            .http
            .request(method, self.url.clone())
            .json(&json!({ "metadata": metadata }))
            .expect_status(ok)
            .send_json()
            .await?;
        Ok(env.metadata)
    }

    /// One item as `{key: value}`: GET `…/{key}` (200).
    pub(crate) async fn get_item(
        &self,
        key: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        let env: MetaEnvelope = self
            .http
            .request(Method::GET, self.item(key)?)
            .expect_status(&[200])
            .send_json()
            .await?;
        Ok(env.meta)
    }

    /// Sets one item: PUT `…/{key}` with `{"meta": {key: value}}` (200,
    /// 201); `{key: value}` as stored.
    pub(crate) async fn set_item(
        &self,
        key: &str,
        value: &str,
    ) -> Result<BTreeMap<String, String>, ClientError> {
        let env: MetaEnvelope = self
            .http
            .request(Method::PUT, self.item(key)?)
            .json(&json!({ "meta": { key: value } }))
            .expect_status(&[200, 201])
            .send_json()
            .await?;
        Ok(env.meta)
    }

    /// Deletes one item: DELETE `…/{key}`, accepting `ok`.
    pub(crate) async fn delete_item(&self, key: &str, ok: &[u16]) -> Result<(), ClientError> {
        let resp = self
            .http
            .request(Method::DELETE, self.item(key)?)
            .expect_status(ok)
            .send()
            .await?;
        util::drain(resp).await
    }
}

/// Sends `req` and reads one item from its `{"<one>": {…}}` reply.
pub(crate) async fn send_one<T: Resource>(req: RequestBuilder) -> Result<T, ClientError> {
    let env: T::One = req.send_json().await?;
    Ok(T::from_one(env))
}

/// The query of a marker-paged listing: filters, then `limit`, `marker`
/// and the caller's extra parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listing {
    detail: bool,
    filters: QueryParams,
    limit: Option<u32>,
    marker: Option<String>,
    extra_query: QueryParams,
}

impl Listing {
    /// Pages of `limit` items (none or 0: one request lists everything)
    /// starting after `marker` (none or empty: from the start), with
    /// `extra_query` sent last.
    pub(crate) fn new(limit: Option<u32>, marker: Option<&str>, extra_query: &QueryParams) -> Self {
        Listing {
            limit,
            marker: marker.filter(|m| !m.is_empty()).map(str::to_string),
            extra_query: extra_query.clone(),
            ..Listing::default()
        }
    }

    /// Lists full objects (`…/detail`) when `detail` is set.
    pub(crate) fn detail(mut self, detail: bool) -> Self {
        self.detail = detail;
        self
    }

    /// Adds the filter `key=value` when a non-empty value is given.
    pub(crate) fn text(mut self, key: &str, value: Option<&str>) -> Self {
        push_text(&mut self.filters, key, value);
        self
    }

    /// Adds the filters of `add`.
    pub(crate) fn filters(mut self, add: impl FnOnce(&mut QueryParams)) -> Self {
        add(&mut self.filters);
        self
    }

    fn query(&self, marker: Option<&str>) -> QueryParams {
        let mut q = self.filters.clone();
        q.push_opt("limit", self.limit.filter(|l| *l > 0));
        push_text(&mut q, "marker", marker);
        q.extend(&self.extra_query);
        q
    }

    async fn page<T, B>(
        &self,
        http: &HttpClient,
        url: UrlPath,
        marker: Option<String>,
        ok: &[u16],
        items: fn(B) -> Vec<T>,
        marker_of: fn(&T) -> String,
    ) -> Result<Page<T>, ClientError>
    where
        B: DeserializeOwned,
    {
        let marker = marker.or_else(|| self.marker.clone());
        let resp = http
            .request(Method::GET, url)
            .query(&self.query(marker.as_deref()))
            .expect_status(ok)
            .send()
            .await?;
        if resp.status() == 304 {
            util::drain(resp).await?;
            return Ok(Page::last(Vec::new()));
        }
        let body: B = resp.json().await?;
        Ok(marker_page(
            items(body),
            self.limit,
            marker.as_deref(),
            marker_of,
        ))
    }
}

/// Streams a marker-paged listing: GET `url` with the `listing` query,
/// accepting `ok` (a 304 among them is an empty listing); `items` reads
/// the items of a reply, `marker_of` the marker after an item. Page by page
/// when a `limit` is set (see [`marker_page`]); nothing is sent until the
/// stream is polled.
pub(crate) fn pages<'a, T, B>(
    http: &'a HttpClient,
    url: UrlPath,
    listing: Listing,
    ok: &'static [u16],
    items: fn(B) -> Vec<T>,
    marker_of: fn(&T) -> String,
) -> impl Stream<Item = Result<T, ClientError>> + Send + 'a
where
    T: Send + 'a,
    B: DeserializeOwned + Send + 'a,
{
    let listing = Arc::new(listing);
    paginate(move |marker| {
        let (listing, url) = (listing.clone(), url.clone());
        async move { listing.page(http, url, marker, ok, items, marker_of).await }
    })
}

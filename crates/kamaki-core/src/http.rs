//! The HTTP client every service uses: a pooled hyper 1 client over rustls,
//! a request builder, request bodies and responses.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::error::{BoxError, ClientError, ErrorKind};
use crate::log::{body_preview, format_headers, LogOptions};
use crate::retry::RetryPolicy;
use crate::tls::{self, TlsOptions};
use crate::token::Token;
use crate::url::QueryParams;

/// The `User-Agent` sent with every request.
pub const DEFAULT_USER_AGENT: &str = concat!("kamaki-rs/", env!("CARGO_PKG_VERSION"));

type ReqBody = UnsyncBoxBody<Bytes, BoxError>;
type Connector = HttpsConnector<HttpConnector>;

/// A stream of response body chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, ClientError>> + Send>>;

/// Settings of an [`HttpClient`].
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// TLS trust settings.
    pub tls: TlsOptions,
    /// Time allowed to open a TCP connection (kamaki had none). Default 30 s.
    pub connect_timeout: Duration,
    /// Time allowed from sending a request to the response head. Default 120 s.
    pub response_timeout: Duration,
    /// Time allowed between two chunks of a response body. Default 120 s.
    pub read_timeout: Duration,
    /// Idle connections kept per host. Default 100, like kamaki's pools.
    pub pool_max_idle_per_host: usize,
    /// How long an idle pooled connection is kept. Default 90 s.
    pub pool_idle_timeout: Duration,
    /// When requests are sent again. Default: never (kamaki parity).
    pub retry: RetryPolicy,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// What logging may show.
    pub log: LogOptions,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            tls: TlsOptions::default(),
            connect_timeout: Duration::from_secs(30),
            response_timeout: Duration::from_secs(120),
            read_timeout: Duration::from_secs(120),
            pool_max_idle_per_host: 100,
            pool_idle_timeout: Duration::from_secs(90),
            retry: RetryPolicy::none(),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            log: LogOptions::default(),
        }
    }
}

struct Inner {
    client: LegacyClient<Connector, ReqBody>,
    config: HttpConfig,
}

/// A pooled HTTP/1.1 and HTTP/2 client with a token.
///
/// Cheap to clone: clones share the connection pool. [`HttpClient::with_token`]
/// gives a client on the same pool with another token.
///
/// ```no_run
/// # async fn demo() -> Result<(), kamaki_core::ClientError> {
/// use kamaki_core::{Endpoint, HttpClient, Token};
/// use http::Method;
///
/// let http = HttpClient::new(Some(Token::new("my-token")))?;
/// let endpoint = Endpoint::new("https://cloud.example.org/compute/v2.0", None)?;
/// let flavors: serde_json::Value = http
///     .request(Method::GET, endpoint.path().seg("flavors"))
///     .expect_status(&[200])
///     .send_json()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
    token: Option<Token>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("token", &self.token)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl HttpClient {
    /// A client with default settings.
    ///
    /// # Errors
    /// A [`Tls`](ErrorKind::Tls) error when the process-wide CA file is unusable.
    pub fn new(token: Option<Token>) -> Result<Self, ClientError> {
        Self::with_config(HttpConfig::default(), token)
    }

    /// A client with the given settings.
    ///
    /// # Errors
    /// A [`Tls`](ErrorKind::Tls) error when the CA file is missing or not PEM.
    pub fn with_config(config: HttpConfig, token: Option<Token>) -> Result<Self, ClientError> {
        let tls_config = tls::client_config(&config.tls)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = LegacyClient::builder(TokioExecutor::new())
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_idle_timeout(config.pool_idle_timeout)
            .build(connector);
        Ok(HttpClient {
            inner: Arc::new(Inner { client, config }),
            token,
        })
    }

    /// The same client (same pool and settings) with another token.
    pub fn with_token(&self, token: Option<Token>) -> Self {
        HttpClient {
            inner: self.inner.clone(),
            token,
        }
    }

    /// The token sent as `X-Auth-Token`, if any.
    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// The settings of this client.
    pub fn config(&self) -> &HttpConfig {
        &self.inner.config
    }

    /// Starts a request. `url` is a full URL, usually built with
    /// [`Endpoint::path`](crate::Endpoint::path).
    pub fn request(&self, method: Method, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder {
            client: self.clone(),
            method,
            url: url.into(),
            query: QueryParams::new(),
            headers: HeaderMap::new(),
            body: Body::empty(),
            expect: Vec::new(),
            idempotent: None,
            send_token: true,
            secrets: Vec::new(),
            error: None,
        }
    }
}

// ---------------------------------------------------------------------------
// Bodies

type BoxByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;

enum BodyKind {
    Empty,
    Bytes(Bytes),
    Stream(Option<BoxByteStream>),
    File {
        path: PathBuf,
        offset: u64,
        len: Option<u64>,
    },
}

/// A request body: empty, bytes, JSON, a file slice (replayable) or a
/// stream (sent once, never buffered whole).
pub struct Body {
    kind: BodyKind,
    len: Option<u64>,
    content_type: Option<&'static str>,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            BodyKind::Empty => "empty",
            BodyKind::Bytes(_) => "bytes",
            BodyKind::Stream(_) => "stream",
            BodyKind::File { .. } => "file",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("len", &self.len)
            .finish()
    }
}

impl Body {
    /// No body.
    pub fn empty() -> Self {
        Body {
            kind: BodyKind::Empty,
            len: Some(0),
            content_type: None,
        }
    }

    /// A body held in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        Body {
            len: Some(bytes.len() as u64),
            kind: BodyKind::Bytes(bytes),
            content_type: None,
        }
    }

    /// A JSON body (sets `Content-Type: application/json`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](ErrorKind::InvalidArgument) error if the value
    /// cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, ClientError> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            ClientError::invalid_argument(format!("cannot serialize JSON body: {e}"))
        })?;
        let mut b = Body::from_bytes(bytes);
        b.content_type = Some("application/json");
        Ok(b)
    }

    /// A stream of chunks, sent as it is read. `len`, when known, is sent as
    /// `Content-Length`; otherwise the body is chunked. Not replayable.
    pub fn from_stream<S>(stream: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
    {
        Body {
            kind: BodyKind::Stream(Some(Box::pin(stream))),
            len,
            content_type: None,
        }
    }

    /// Any async reader, streamed in 64 KiB chunks. Not replayable.
    pub fn from_reader<R>(reader: R, len: Option<u64>) -> Self
    where
        R: AsyncRead + Send + 'static,
    {
        Self::from_stream(ReaderStream::with_capacity(reader, 64 * 1024), len)
    }

    /// `len` bytes of a file from `offset` (or to its end when `len` is
    /// `None`), streamed; reopened if the request is sent again.
    pub fn file_slice(path: impl Into<PathBuf>, offset: u64, len: Option<u64>) -> Self {
        Body {
            kind: BodyKind::File {
                path: path.into(),
                offset,
                len,
            },
            len,
            content_type: None,
        }
    }

    /// The body length, when known.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// True for an empty body.
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }

    /// True when the body can be sent again (everything but streams).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, BodyKind::Stream(_))
    }

    fn log_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            BodyKind::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The hyper body for one attempt.
    async fn for_attempt(&mut self) -> Result<ReqBody, ClientError> {
        Ok(match &mut self.kind {
            BodyKind::Empty => Empty::<Bytes>::new()
                .map_err(|never| match never {})
                .boxed_unsync(),
            BodyKind::Bytes(b) => Full::new(b.clone())
                .map_err(|never| match never {})
                .boxed_unsync(),
            BodyKind::Stream(s) => {
                let stream = s.take().ok_or_else(|| {
                    ClientError::invalid_argument("a streamed body cannot be sent twice")
                })?;
                StreamBody::new(stream.map_ok(Frame::data).map_err(BoxError::from)).boxed_unsync()
            }
            BodyKind::File { path, offset, len } => {
                let shown = path.display().to_string();
                let mut f = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| ClientError::io(format!("cannot open {shown}"), e))?;
                f.seek(io::SeekFrom::Start(*offset))
                    .await
                    .map_err(|e| ClientError::io(format!("cannot seek in {shown}"), e))?;
                let stream: BoxByteStream = match len {
                    Some(n) => Box::pin(ReaderStream::with_capacity(f.take(*n), 64 * 1024)),
                    None => Box::pin(ReaderStream::with_capacity(f, 64 * 1024)),
                };
                StreamBody::new(stream.map_ok(Frame::data).map_err(BoxError::from)).boxed_unsync()
            }
        })
    }
}

// ---------------------------------------------------------------------------
// Requests

/// A request being built. Finish it with one of the `send*` methods.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    client: HttpClient,
    method: Method,
    url: String,
    query: QueryParams,
    headers: HeaderMap,
    body: Body,
    expect: Vec<u16>,
    idempotent: Option<bool>,
    send_token: bool,
    secrets: Vec<String>,
    error: Option<ClientError>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("query", &self.query)
            .field("expect", &self.expect)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    /// Adds query parameters.
    pub fn query(mut self, query: &QueryParams) -> Self {
        self.query.extend(query);
        self
    }

    /// Adds one `key=value` query parameter.
    pub fn param(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.query.push(key, value);
        self
    }

    /// Adds a bare `key` query parameter.
    pub fn flag(mut self, key: &str) -> Self {
        self.query.flag(key);
        self
    }

    /// Sets a header. An invalid name or value (e.g. a newline) makes the
    /// request fail with an [`InvalidArgument`](ErrorKind::InvalidArgument)
    /// error before anything is sent.
    pub fn header(mut self, name: &str, value: impl fmt::Display) -> Self {
        let value = value.to_string();
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => {
                if self.error.is_none() {
                    self.error = Some(ClientError::invalid_argument(format!(
                        "invalid header {name:?}: {:?}",
                        crate::log::escape_ctrl_chars(&value)
                    )));
                }
            }
        }
        self
    }

    /// Sets a header when a value is given.
    pub fn header_opt<V: fmt::Display>(self, name: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    /// Sets a header whose value is UTF-8 percent-encoded (`/` kept), as
    /// kamaki does for image names and Pithos metadata.
    pub fn quoted_header(self, name: &str, value: &str) -> Self {
        let v = crate::url::encode_object_path(value);
        self.header(name, v)
    }

    /// Adds every header of a map.
    pub fn headers(mut self, headers: &HeaderMap) -> Self {
        for (k, v) in headers {
            self.headers.insert(k.clone(), v.clone());
        }
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match Body::json(value) {
            Ok(b) => self.body = b,
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// The statuses that mean success for this call; anything else is an error.
    pub fn expect_status(mut self, statuses: &[u16]) -> Self {
        self.expect = statuses.to_vec();
        self
    }

    /// Marks the request as safe (or not) to send twice, overriding the
    /// method's default (GET, HEAD, PUT, DELETE are idempotent).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Does not send `X-Auth-Token` (for calls that authenticate otherwise).
    pub fn without_token(mut self) -> Self {
        self.send_token = false;
        self
    }

    /// A secret (e.g. a password in the body) that logs must never show.
    pub fn secret(mut self, secret: &str) -> Self {
        self.secrets.push(secret.to_string());
        self
    }

    fn full_url(&self) -> String {
        if self.query.is_empty() {
            self.url.clone()
        } else {
            let sep = if self.url.contains('?') { '&' } else { '?' };
            format!("{}{}{}", self.url, sep, self.query.encode())
        }
    }

    /// Sends the request and checks the status.
    ///
    /// # Errors
    /// A [`ClientError`] built from the response when the status is not one
    /// of [`expect_status`](Self::expect_status) (any 2xx when none was
    /// given); a connection, TLS or timeout error when no response came.
    pub async fn send(mut self) -> Result<Response, ClientError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let url = self.full_url();
        let uri: Uri = url
            .parse()
            .map_err(|e| ClientError::invalid_argument(format!("invalid URL {url}: {e}")))?;
        let inner = self.client.inner.clone();
        let config = &inner.config;
        let policy = &config.retry;
        let may_retry = policy.max_retries > 0
            && policy.allows_method(&self.method, self.idempotent)
            && self.body.is_replayable();
        let token = if self.send_token {
            self.client.token.clone()
        } else {
            None
        };
        let mut secrets: Vec<String> = std::mem::take(&mut self.secrets);
        if let Some(t) = &token {
            secrets.push(t.expose().to_string());
        }
        let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();

        let mut headers = std::mem::take(&mut self.headers);
        if !headers.contains_key(USER_AGENT) {
            if let Ok(v) = HeaderValue::from_str(&config.user_agent) {
                headers.insert(USER_AGENT, v);
            }
        }
        if let Some(t) = &token {
            if !headers.contains_key("x-auth-token") {
                let mut v = HeaderValue::from_str(t.expose()).map_err(|_| {
                    ClientError::invalid_argument(
                        "the token holds characters not allowed in a header",
                    )
                })?;
                v.set_sensitive(true);
                headers.insert("x-auth-token", v);
            }
        }
        if let Some(ct) = self.body.content_type {
            if !headers.contains_key(CONTENT_TYPE) {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
            }
        }
        match self.body.len() {
            Some(0) if self.method == Method::PUT || self.method == Method::POST => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(0u64));
            }
            Some(0) => {}
            Some(n) => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
            }
            None => {}
        }

        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let body = self.body.for_attempt().await?;
            let mut req = Request::builder()
                .method(self.method.clone())
                .uri(uri.clone())
                .body(body)
                .map_err(|e| ClientError::invalid_argument(format!("invalid request: {e}")))?;
            *req.headers_mut() = headers.clone();

            tracing::debug!(target: "kamaki::send", method = %self.method, url = %url, attempt, "request");
            if tracing::enabled!(target: "kamaki::send", tracing::Level::TRACE) {
                tracing::trace!(target: "kamaki::send", "{} {}\n{}",
                    self.method, url, format_headers(&headers, &secret_refs, config.log.log_token));
                if let Some(b) = self.body.log_bytes() {
                    tracing::trace!(target: "kamaki::send", "data size: {}\n{}", b.len(), body_preview(b, &secret_refs));
                } else {
                    match self.body.len() {
                        Some(n) => tracing::trace!(target: "kamaki::send", "data size: {n}"),
                        None => {
                            tracing::trace!(target: "kamaki::send", "data size: unknown (streamed)")
                        }
                    }
                }
            }
            let started = Instant::now();
            let outcome =
                tokio::time::timeout(config.response_timeout, inner.client.request(req)).await;
            let err = match outcome {
                Err(_) => ClientError::new(
                    ErrorKind::Timeout,
                    format!(
                        "Timeout: no response from {} within {:?}",
                        strip_query(&url),
                        config.response_timeout
                    ),
                ),
                Ok(Err(e)) => classify_transport_error(&e, &url, attempt),
                Ok(Ok(resp)) => {
                    let (parts, incoming) = resp.into_parts();
                    let status = parts.status.as_u16();
                    let elapsed = started.elapsed();
                    tracing::debug!(target: "kamaki::recv", status, elapsed_ms = elapsed.as_millis() as u64,
                        method = %self.method, url = %url, "response");
                    if tracing::enabled!(target: "kamaki::recv", tracing::Level::TRACE) {
                        tracing::trace!(target: "kamaki::recv", "{} {}\n{}", status, reason_of(&parts),
                            format_headers(&parts.headers, &secret_refs, config.log.log_token));
                    }
                    let ok = if self.expect.is_empty() {
                        parts.status.is_success()
                    } else {
                        self.expect.contains(&status)
                    };
                    let response = Response {
                        status,
                        version: parts.version,
                        headers: parts.headers.clone(),
                        body: incoming,
                        url: url.clone(),
                        read_timeout: config.read_timeout,
                        secrets: secrets.clone(),
                    };
                    if ok {
                        return Ok(response);
                    }
                    if may_retry
                        && policy.on_status.contains(&status)
                        && attempt <= policy.max_retries
                    {
                        let wait = policy
                            .retry_after(&parts.headers)
                            .unwrap_or_else(|| policy.backoff(attempt));
                        tracing::info!(target: "kamaki", status, attempt, wait_ms = wait.as_millis() as u64, url = %url, "retrying");
                        drop(response);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let reason = reason_of(&parts);
                    let request_id = request_id(&parts.headers);
                    let body = response.bytes_lossy().await;
                    let mut e = ClientError::from_response(status, &reason, body, request_id);
                    e.message = crate::log::scrub(&e.message, &secret_refs);
                    for d in &mut e.details {
                        *d = crate::log::scrub(d, &secret_refs);
                    }
                    return Err(e);
                }
            };
            let retryable = matches!(err.kind, ErrorKind::Connection | ErrorKind::Timeout);
            if may_retry && policy.on_connection_error && retryable && attempt <= policy.max_retries
            {
                let wait = policy.backoff(attempt);
                tracing::info!(target: "kamaki", attempt, wait_ms = wait.as_millis() as u64, url = %url, error = %err.message, "retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            tracing::debug!(target: "kamaki::recv", method = %self.method, url = %url, error = %err.message, "request failed");
            return Err(err);
        }
    }

    /// Sends and decodes a JSON response.
    ///
    /// # Errors
    /// As [`send`](Self::send); a [`Decode`](ErrorKind::Decode) error (with
    /// the HTTP status) when the body is not the JSON expected.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T, ClientError> {
        self.send().await?.json().await
    }

    /// Sends and returns the whole response body.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn send_bytes(self) -> Result<Bytes, ClientError> {
        self.send().await?.bytes().await
    }

    /// Sends and returns the response headers (the body is read and dropped).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn send_headers(self) -> Result<HeaderMap, ClientError> {
        let resp = self.send().await?;
        let headers = resp.headers.clone();
        resp.bytes().await?;
        Ok(headers)
    }

    /// Sends and returns the status (the body is read and dropped).
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn send_status(self) -> Result<u16, ClientError> {
        let resp = self.send().await?;
        let status = resp.status;
        resp.bytes().await?;
        Ok(status)
    }
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

fn reason_of(parts: &http::response::Parts) -> String {
    if let Some(r) = parts.extensions.get::<hyper::ext::ReasonPhrase>() {
        return String::from_utf8_lossy(r.as_bytes()).into_owned();
    }
    parts
        .status
        .canonical_reason()
        .unwrap_or_default()
        .to_string()
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    [
        "x-openstack-request-id",
        "x-compute-request-id",
        "x-trans-id",
    ]
    .iter()
    .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
    .map(str::to_string)
}

/// Walks an error chain, looking into `io::Error`s too (their `source()`
/// skips the wrapped error).
fn error_chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        out.push(e);
        if let Some(ioe) = e.downcast_ref::<io::Error>() {
            if let Some(inner) = ioe.get_ref() {
                let inner: &'a (dyn std::error::Error + 'static) = inner;
                cur = Some(inner);
                continue;
            }
        }
        cur = e.source();
    }
    out
}

fn classify_transport_error(
    err: &(dyn std::error::Error + 'static),
    url: &str,
    attempt: u32,
) -> ClientError {
    let chain = error_chain(err);
    let detail = chain
        .last()
        .map(|e| e.to_string())
        .unwrap_or_else(|| err.to_string());
    let shown_url = strip_query(url);
    for e in &chain {
        if let Some(tls_err) = e.downcast_ref::<rustls::Error>() {
            return ClientError::new(ErrorKind::Tls, format!("SSL Connection error ({tls_err})"));
        }
    }
    for e in &chain {
        if let Some(ioe) = e.downcast_ref::<io::Error>() {
            if ioe.kind() == io::ErrorKind::TimedOut {
                return ClientError::new(
                    ErrorKind::Timeout,
                    format!("Timeout: connecting to {shown_url} took too long"),
                );
            }
        }
    }
    if detail.contains("timed out") || detail.contains("timeout") {
        return ClientError::new(
            ErrorKind::Timeout,
            format!("Timeout: connecting to {shown_url} took too long ({detail})"),
        );
    }
    ClientError::new(
        ErrorKind::Connection,
        format!("Connection to {shown_url} failed {attempt} times ({detail})"),
    )
}

// ---------------------------------------------------------------------------
// Responses

/// A response whose status was accepted. Its body has not been read yet.
pub struct Response {
    status: u16,
    version: http::Version,
    headers: HeaderMap,
    body: Incoming,
    url: String,
    read_timeout: Duration,
    secrets: Vec<String>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The HTTP version the response came with (HTTP/2 when the server
    /// offered it over TLS).
    pub fn version(&self) -> http::Version {
        self.version
    }

    /// The response headers (names are lower-case).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value as text, if present and valid UTF-8/ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The body as a stream of chunks; each chunk must come within the read timeout.
    pub fn into_stream(self) -> ByteStream {
        let url = self.url;
        let read_timeout = self.read_timeout;
        Box::pin(futures::stream::try_unfold(self.body, move |mut body| {
            let url = url.clone();
            async move {
                loop {
                    match tokio::time::timeout(read_timeout, body.frame()).await {
                        Err(_) => {
                            return Err(ClientError::new(
                                ErrorKind::Timeout,
                                format!(
                                    "Timeout: {} stopped sending for {:?}",
                                    strip_query(&url),
                                    read_timeout
                                ),
                            ))
                        }
                        Ok(None) => return Ok(None),
                        Ok(Some(Err(e))) => {
                            let detail = error_chain(&e)
                                .last()
                                .map(|x| x.to_string())
                                .unwrap_or_default();
                            return Err(ClientError::new(
                                ErrorKind::Connection,
                                format!(
                                    "Connection to {} failed while reading the response ({detail})",
                                    strip_query(&url)
                                ),
                            )
                            .with_source(e));
                        }
                        Ok(Some(Ok(frame))) => {
                            if let Ok(data) = frame.into_data() {
                                if !data.is_empty() {
                                    return Ok(Some((data, body)));
                                }
                            }
                        }
                    }
                }
            }
        }))
    }

    /// Splits the response into status, headers and body stream.
    pub fn into_parts(self) -> (u16, HeaderMap, ByteStream) {
        let status = self.status;
        let headers = self.headers.clone();
        (status, headers, self.into_stream())
    }

    /// Reads the whole body.
    ///
    /// # Errors
    /// A connection or timeout error if the body does not arrive whole.
    pub async fn bytes(self) -> Result<Bytes, ClientError> {
        let secrets = self.secrets.clone();
        let mut stream = self.into_stream();
        let mut chunks: Vec<Bytes> = Vec::new();
        while let Some(chunk) = stream.next().await {
            chunks.push(chunk?);
        }
        let bytes = match chunks.len() {
            0 => Bytes::new(),
            1 => chunks.remove(0),
            _ => {
                let mut v = Vec::with_capacity(chunks.iter().map(Bytes::len).sum());
                for c in &chunks {
                    v.extend_from_slice(c);
                }
                Bytes::from(v)
            }
        };
        if tracing::enabled!(target: "kamaki::recv", tracing::Level::TRACE) {
            let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
            tracing::trace!(target: "kamaki::recv", "data size: {}\n{}", bytes.len(), body_preview(&bytes, &refs));
        }
        Ok(bytes)
    }

    /// Reads the body for an error report; a read failure gives what arrived.
    async fn bytes_lossy(self) -> Bytes {
        self.bytes().await.unwrap_or_default()
    }

    /// Reads the body as text (invalid UTF-8 replaced).
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub async fn text(self) -> Result<String, ClientError> {
        let b = self.bytes().await?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }

    /// Decodes the body as JSON.
    ///
    /// # Errors
    /// A [`Decode`](ErrorKind::Decode) error keeping the HTTP status when the
    /// body is not the JSON expected; as [`bytes`](Self::bytes) otherwise.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T, ClientError> {
        let status = self.status;
        let url = self.url.clone();
        let b = self.bytes().await?;
        serde_json::from_slice(&b).map_err(|e| {
            let mut err = ClientError::decode(status, &e);
            err.body = Some(b.clone());
            tracing::debug!(target: "kamaki::recv", url = %url, "undecodable response: {e}");
            err.with_source(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_kinds() {
        assert!(Body::empty().is_empty());
        assert!(Body::from_bytes("abc").is_replayable());
        assert_eq!(Body::from_bytes("abc").len(), Some(3));
        let s = Body::from_stream(futures::stream::empty(), None);
        assert!(!s.is_replayable());
        assert_eq!(s.len(), None);
        assert!(Body::file_slice("/x", 0, Some(4)).is_replayable());
        let j = Body::json(&serde_json::json!({"a": 1})).unwrap();
        assert_eq!(j.content_type, Some("application/json"));
        assert_eq!(j.len(), Some(7));
    }

    #[test]
    fn full_url_joins_query() {
        let http = HttpClient::new(None).unwrap();
        let r = http
            .request(Method::GET, "http://h/v1/a")
            .param("format", "json")
            .flag("hashmap");
        assert_eq!(r.full_url(), "http://h/v1/a?format=json&hashmap");
        let r = http.request(Method::GET, "http://h/v1/a");
        assert_eq!(r.full_url(), "http://h/v1/a");
    }
}

//! The foundation of kamaki-rs: HTTP transport, the [`ClientError`] type,
//! TLS trust, tokens, logging with secrets redacted, retries, and the
//! pagination, waiting and progress helpers every service client uses.
//!
//! Most users never touch this crate directly: the service clients of
//! `kamaki-openstack` and `kamaki-synnefo` are built on it. It is what to
//! reach for to configure transport (timeouts, TLS, retries) once and share
//! it between clients, or to call an API that has no client yet.
//!
//! # Quickstart
//!
//! ```
//! use kamaki_core::{ClientError, Endpoint, HttpClient, HttpConfig, RetryPolicy, Token};
//!
//! # fn main() -> Result<(), ClientError> {
//! // Trust a private CA for every client made afterwards (kamaki's https.patch_with_certs).
//! // kamaki_core::tls::patch_with_certs("/etc/ssl/certs/my-cloud-ca.pem");
//!
//! let config = HttpConfig { retry: RetryPolicy::standard(), ..HttpConfig::default() };
//! let http = HttpClient::with_config(config, Some(Token::new("my-token")))?;
//! let compute = Endpoint::new("https://cloud.example.org/compute", Some("2.0"))?;
//! assert_eq!(compute.as_str(), "https://cloud.example.org/compute/v2.0");
//! let url = compute.path().seg("servers").seg(42);
//! assert_eq!(url.as_str(), "https://cloud.example.org/compute/v2.0/servers/42");
//! // http.request(http::Method::GET, url).expect_status(&[200]).send_json::<serde_json::Value>().await?;
//! # let _ = http;
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! Every failure is a [`ClientError`] with kamaki's `message`, `status` and
//! `details`, plus an [`ErrorKind`] and the source error:
//!
//! ```
//! use kamaki_core::{ClientError, ErrorKind};
//! let e = ClientError::from_response(404, "Not Found", bytes::Bytes::new(), None);
//! assert_eq!((e.message.as_str(), e.status, e.kind), ("Not Found \n", 404, ErrorKind::Http));
//! ```

#![warn(missing_docs)]

pub mod error;
pub mod http;
pub mod log;
pub mod paginate;
pub mod progress;
pub mod retry;
pub mod tls;
pub mod token;
pub mod url;
pub mod wait;

pub use crate::error::{BoxError, ClientError, ErrorKind};
pub use crate::http::{
    Body, ByteStream, HttpClient, HttpConfig, RequestBuilder, Response, DEFAULT_USER_AGENT,
};
pub use crate::log::LogOptions;
pub use crate::paginate::{paginate, Page};
pub use crate::progress::{CountingProgress, NoProgress, Progress};
pub use crate::retry::RetryPolicy;
pub use crate::tls::TlsOptions;
pub use crate::token::Token;
pub use crate::url::{
    decode_percent, encode_object_path, encode_segment, Endpoint, QueryParams, UrlPath,
};
pub use crate::wait::{wait_for, wait_for_status, WaitCheck, WaitOptions, WaitOutcome};

/// Re-exports of the HTTP types used in this crate's API.
pub use ::http::{HeaderMap, HeaderValue, Method, StatusCode};

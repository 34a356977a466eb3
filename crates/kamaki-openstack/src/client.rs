//! What every endpoint client (compute, network, block storage, image)
//! shares: a struct holding an `http: HttpClient` and an `endpoint:
//! Endpoint`, built from a URL and a token or a shared HTTP client.

/// Implements the constants, constructors and accessors of an endpoint
/// client struct with `http: HttpClient` and `endpoint: Endpoint` fields:
/// `service_client!(ComputeClient, "compute", "2.0")`. `ClientError`,
/// `Endpoint`, `HttpClient`, `Token` and `UrlPath` are named as imported
/// where it is used.
macro_rules! service_client {
    ($client:ident, $service_type:literal, $version:literal) => {
        impl $client {
            /// Catalog service type.
            pub const SERVICE_TYPE: &'static str = $service_type;
            /// API version appended to unversioned endpoints.
            pub const DEFAULT_API_VERSION: &'static str = $version;

            /// A client for `endpoint_url` (the client's default API version is
            /// appended when the URL has no version) authenticating with `token`.
            ///
            /// # Errors
            /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
            /// for an unusable URL; a TLS error when the CA settings are unusable.
            pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self, ClientError> {
                let http = HttpClient::new(Some(token.into()))?;
                Self::with_http(endpoint_url, http)
            }

            /// A client for `endpoint_url` sharing the pool (and token) of `http`.
            ///
            /// # Errors
            /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
            /// for an unusable URL.
            pub fn with_http(endpoint_url: &str, http: HttpClient) -> Result<Self, ClientError> {
                let endpoint = Endpoint::new(endpoint_url, Some(Self::DEFAULT_API_VERSION))?;
                Ok($client { http, endpoint })
            }

            /// The endpoint, with its version segment.
            pub fn endpoint(&self) -> &Endpoint {
                &self.endpoint
            }

            /// The HTTP client (pool and token) this client uses.
            pub fn http(&self) -> &HttpClient {
                &self.http
            }

            fn url(&self) -> UrlPath {
                self.endpoint.path()
            }
        }
    };
}
pub(crate) use service_client;

//! TLS trust: system roots by default, a CA bundle file on request, and an
//! explicit insecure switch (`spec/core.md` §9).
//!
//! Unlike kamaki, the host name is always checked unless the insecure switch
//! is on, and the system trust store is used when no CA file is given.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{ClientError, ErrorKind};

/// How a client decides whether to trust a server's certificate.
///
/// Fields left unset fall back to the process-wide defaults set with
/// [`patch_with_certs`] and [`patch_ignore_ssl`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// A PEM bundle of CA certificates to trust instead of the system roots.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate and host name. Dangerous; logged as a warning.
    pub insecure: bool,
}

#[derive(Default)]
struct GlobalTls {
    ca_file: Option<PathBuf>,
    insecure: bool,
}

fn global() -> &'static RwLock<GlobalTls> {
    static GLOBAL: OnceLock<RwLock<GlobalTls>> = OnceLock::new();
    GLOBAL.get_or_init(|| RwLock::new(GlobalTls::default()))
}

/// Sets the process-wide CA bundle used by clients created afterwards that
/// set no CA file of their own (kamaki's `https.patch_with_certs(path)`).
///
/// ```
/// use kamaki_core::tls;
/// if tls::default_ca_file().is_none() {
///     tls::patch_with_certs("/etc/ssl/certs/ca-certificates.crt");
/// }
/// # tls::clear_defaults();
/// ```
pub fn patch_with_certs(path: impl Into<PathBuf>) {
    if let Ok(mut g) = global().write() {
        g.ca_file = Some(path.into());
    }
}

/// Sets the process-wide insecure switch (kamaki's `https.patch_ignore_ssl`).
pub fn patch_ignore_ssl(insecure: bool) {
    if let Ok(mut g) = global().write() {
        g.insecure = insecure;
    }
}

/// The process-wide CA bundle, if one was set (kamaki's `CACERTS_DEFAULT_PATH`).
pub fn default_ca_file() -> Option<PathBuf> {
    global().read().ok().and_then(|g| g.ca_file.clone())
}

/// Forgets the process-wide TLS defaults.
pub fn clear_defaults() {
    if let Ok(mut g) = global().write() {
        *g = GlobalTls::default();
    }
}

impl TlsOptions {
    /// These options with the process-wide defaults filled in.
    pub fn resolved(&self) -> TlsOptions {
        let (ca, insecure) = global()
            .read()
            .map(|g| (g.ca_file.clone(), g.insecure))
            .unwrap_or((None, false));
        TlsOptions {
            ca_file: self.ca_file.clone().or(ca),
            insecure: self.insecure || insecure,
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

fn tls_error(message: impl Into<String>) -> ClientError {
    ClientError::new(
        ErrorKind::Tls,
        format!("SSL Connection error ({})", message.into()),
    )
}

/// The system's trusted roots, loaded once per process.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let loaded = rustls_native_certs::load_native_certs();
            for e in &loaded.errors {
                tracing::debug!(target: "kamaki", "while loading system CA roots: {e}");
            }
            let mut store = RootCertStore::empty();
            let (added, ignored) = store.add_parsable_certificates(loaded.certs);
            tracing::debug!(target: "kamaki", added, ignored, "system CA roots loaded");
            Arc::new(store)
        })
        .clone()
}

/// Reads a PEM CA bundle into a root store.
///
/// # Errors
/// A [`Tls`](ErrorKind::Tls) error naming the path when it is missing,
/// unreadable or holds no PEM certificate.
pub fn load_ca_file(path: &Path) -> Result<RootCertStore, ClientError> {
    let shown = path.display();
    if !path.exists() {
        return Err(tls_error(format!("SSL cred. file {shown} does not exist")));
    }
    let iter = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_error(format!("cannot read CA file {shown}: {e}")))?;
    let mut store = RootCertStore::empty();
    for cert in iter {
        let cert = cert.map_err(|e| tls_error(format!("CA file {shown} is not valid PEM: {e}")))?;
        store
            .add(cert)
            .map_err(|e| tls_error(format!("CA file {shown} holds a bad certificate: {e}")))?;
    }
    if store.is_empty() {
        return Err(tls_error(format!(
            "CA file {shown} holds no PEM certificate"
        )));
    }
    Ok(store)
}

/// Builds the rustls configuration for these options (defaults resolved).
///
/// # Errors
/// See [`load_ca_file`].
pub fn client_config(options: &TlsOptions) -> Result<rustls::ClientConfig, ClientError> {
    let options = options.resolved();
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(e.to_string()))?;
    let config = if options.insecure {
        tracing::warn!(
            target: "kamaki",
            "TLS certificate verification is OFF (insecure): any server can impersonate the cloud"
        );
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    } else {
        let roots = match &options.ca_file {
            Some(path) => Arc::new(load_ca_file(path)?),
            None => system_roots(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(config)
}

/// Accepts every certificate: the explicit insecure switch.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ca_file_names_path() {
        let err = load_ca_file(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Tls);
        assert_eq!(err.status, 0);
        assert!(
            err.message.contains("/nonexistent/ca.pem"),
            "{}",
            err.message
        );
        assert!(err.message.starts_with("SSL Connection error ("));
    }

    #[test]
    fn non_pem_ca_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-ca.txt");
        std::fs::write(&path, "hello, I am not a certificate\n").unwrap();
        let err = load_ca_file(&path).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Tls);
        assert!(err.message.contains("not-a-ca.txt"), "{}", err.message);
        let err = client_config(&TlsOptions {
            ca_file: Some(path),
            insecure: false,
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Tls);
    }
}

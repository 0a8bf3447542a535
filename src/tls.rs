//! TLS for `serve` when it terminates HTTPS itself (Office only loads add-ins over HTTPS).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub use rustls::ServerConfig;

/// Which of the two files a [`TlsError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File {
    Certificate,
    Key,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TlsError {
    pub file: File,
    message: String,
}

/// Reads a PEM certificate chain and private key into a server configuration.
pub fn load(cert_path: &Path, key_path: &Path) -> Result<ServerConfig, TlsError> {
    let certs = read(cert_path, File::Certificate).and_then(|pem| {
        CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                error(
                    File::Certificate,
                    format!("{} is not PEM: {e}", cert_path.display()),
                )
            })
    })?;
    if certs.is_empty() {
        return Err(error(
            File::Certificate,
            format!("{} holds no CERTIFICATE block", cert_path.display()),
        ));
    }
    let key = read(key_path, File::Key).and_then(|pem| {
        PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
            error(
                File::Key,
                format!("{} holds no usable private key: {e}", key_path.display()),
            )
        })
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| error(File::Certificate, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            error(
                File::Key,
                format!("the key does not fit the certificate: {e}"),
            )
        })
}

fn read(path: &Path, file: File) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| error(file, format!("cannot read {}: {e}", path.display())))
}

fn error(file: File, message: String) -> TlsError {
    TlsError { file, message }
}

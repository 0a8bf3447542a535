//! How our app registration proves itself at Entra's token endpoint: its client secret, or a
//! client assertion signed with the private key of a certificate uploaded to the registration
//! (named by its SHA-256 thumbprint in `x5t#S256`).

use std::path::Path;

use anyhow::Context as _;
use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use crate::config::GraphSettings;

pub enum Credential {
    Secret(SecretString),
    Certificate {
        thumbprint_s256: String,
        key: jsonwebtoken::EncodingKey,
    },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Credential::Secret"),
            Self::Certificate {
                thumbprint_s256, ..
            } => {
                write!(f, "Credential::Certificate({thumbprint_s256})")
            }
        }
    }
}

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl Credential {
    /// The certificate when one is configured, otherwise the secret; `None` without either.
    pub fn from_settings(settings: &GraphSettings) -> anyhow::Result<Option<Self>> {
        match (&settings.certificate_file, &settings.private_key_file) {
            (Some(certificate), Some(key)) => Ok(Some(Self::certificate(certificate, key)?)),
            (None, None) => Ok(settings.client_secret.clone().map(Self::Secret)),
            _ => anyhow::bail!(
                "graph.certificate_file and graph.private_key_file go together: set both or neither"
            ),
        }
    }

    fn certificate(certificate: &Path, key: &Path) -> anyhow::Result<Self> {
        let der = CertificateDer::from_pem_file(certificate).with_context(|| {
            format!(
                "graph.certificate_file {} is not a PEM certificate",
                certificate.display()
            )
        })?;
        let pem = std::fs::read(key)
            .with_context(|| format!("reading graph.private_key_file {}", key.display()))?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).with_context(|| {
            format!(
                "graph.private_key_file {} is not an RSA private key in PEM",
                key.display()
            )
        })?;
        Ok(Self::Certificate {
            thumbprint_s256: URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &der)),
            key,
        })
    }

    /// The form fields that authenticate `client_id` at `token_url`.
    pub fn form_fields(
        &self,
        client_id: &str,
        token_url: &str,
    ) -> anyhow::Result<Vec<(&'static str, String)>> {
        match self {
            Self::Secret(secret) => Ok(vec![("client_secret", secret.expose_secret().to_string())]),
            Self::Certificate {
                thumbprint_s256,
                key,
            } => {
                #[derive(Serialize)]
                struct Claims<'a> {
                    aud: &'a str,
                    iss: &'a str,
                    sub: &'a str,
                    jti: String,
                    nbf: i64,
                    exp: i64,
                }
                let now = chrono::Utc::now().timestamp();
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
                header.x5t_s256 = Some(thumbprint_s256.clone());
                let claims = Claims {
                    aud: token_url,
                    iss: client_id,
                    sub: client_id,
                    jti: uuid::Uuid::new_v4().to_string(),
                    nbf: now,
                    exp: now + 300,
                };
                let assertion = jsonwebtoken::encode(&header, &claims, key)
                    .context("signing the client assertion")?;
                Ok(vec![
                    ("client_assertion_type", ASSERTION_TYPE.to_string()),
                    ("client_assertion", assertion),
                ])
            }
        }
    }
}

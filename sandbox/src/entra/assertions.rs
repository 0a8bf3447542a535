//! Certificate credentials: a client assertion (`client_assertion_type=urn:ietf:params:oauth:
//! client-assertion-type:jwt-bearer`) signed with the private key of a certificate uploaded to
//! the app registration, named by its SHA-1 thumbprint in `x5t` (or SHA-256 in `x5t#S256`),
//! with `aud` the token endpoint, `iss` = `sub` = the client id, and a valid lifetime.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::errors::AadError;
use super::grants::{Endpoint, Form};
use super::{AppRegistration, Shared};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A certificate uploaded to an app registration.
#[derive(Clone)]
pub struct AppCertificate {
    pub sha1: Vec<u8>,
    pub sha256: Vec<u8>,
    pub key: jsonwebtoken::DecodingKey,
}

impl AppCertificate {
    /// From the certificate's DER and its public key (PEM).
    pub fn new(certificate_der: &[u8], public_key_pem: &str) -> anyhow::Result<Self> {
        let digest = |algorithm| {
            aws_lc_rs::digest::digest(algorithm, certificate_der)
                .as_ref()
                .to_vec()
        };
        Ok(Self {
            sha1: digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY),
            sha256: digest(&aws_lc_rs::digest::SHA256),
            key: jsonwebtoken::DecodingKey::from_rsa_pem(public_key_pem.as_bytes())?,
        })
    }
}

fn invalid(code: u32, message: String) -> AadError {
    AadError::new(401, "invalid_client", code, message)
}

pub fn verify(
    endpoint: &Endpoint,
    app: &AppRegistration,
    form: &Form,
    assertion: &str,
    shared: &Shared,
) -> Result<(), AadError> {
    if form.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
        return Err(AadError::new(
            400,
            "invalid_request",
            50_027,
            format!("The client_assertion_type must be '{ASSERTION_TYPE}'."),
        ));
    }
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| {
        invalid(
            50_027,
            "The client assertion is not a well-formed JWT.".into(),
        )
    })?;
    // msal pads its base64url thumbprints; Entra takes them either way.
    let thumbprint = |value: Option<&String>| {
        value.and_then(|t| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')).ok())
    };
    let (sha1, sha256) = (
        thumbprint(header.x5t.as_ref()),
        thumbprint(header.x5t_s256.as_ref()),
    );
    let certificates = shared
        .lock()
        .app_certificates
        .get(&app.client_id)
        .cloned()
        .unwrap_or_default();
    let certificate = certificates
        .iter()
        .find(|c| sha1.as_deref() == Some(&c.sha1[..]) || sha256.as_deref() == Some(&c.sha256[..]))
        .ok_or_else(|| {
            invalid(
                700_027,
                format!(
                    "Client assertion failed signature validation. The key was not found. Trace: the thumbprint of the key used by the client is not registered for app '{}'.",
                    app.client_id
                ),
            )
        })?;
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.algorithms = vec![
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::Algorithm::PS256,
    ];
    validation.set_audience(&[endpoint.token_url.as_str()]);
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<Value>(assertion, &certificate.key, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature
            | jsonwebtoken::errors::ErrorKind::ImmatureSignature => invalid(
                700_024,
                "Client assertion is not within its valid time range.".into(),
            ),
            jsonwebtoken::errors::ErrorKind::InvalidAudience => invalid(
                700_022,
                format!(
                    "The audience claim of the client assertion must be the token endpoint '{}'.",
                    endpoint.token_url
                ),
            ),
            _ => invalid(
                700_027,
                "Client assertion failed signature validation.".into(),
            ),
        })?
        .claims;
    let issuer = claims["iss"].as_str().unwrap_or_default();
    let subject = claims["sub"].as_str().unwrap_or_default();
    if issuer != app.client_id || subject != app.client_id {
        return Err(invalid(
            700_021,
            "Client assertion application identifier doesn't match 'client_id' parameter.".into(),
        ));
    }
    Ok(())
}

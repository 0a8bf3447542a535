//! Entra's token-signing keys: RSA 2048 with a self-signed certificate each, published as JWKs the
//! way `login.microsoftonline.com/common/discovery/v2.0/keys` publishes them (`kty`, `use`, `kid`,
//! `x5t`, `n`, `e`, `x5c`, `issuer`).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use rcgen::{CertificateParams, KeyPair, PKCS_RSA_SHA256, RsaKeySize};
use serde_json::{Value, json};

/// One RSA signing key.
pub struct SigningKey {
    /// As Entra names keys: the base64url SHA-1 thumbprint of the certificate (`kid` == `x5t`).
    pub kid: String,
    pub encoding: EncodingKey,
    /// The public key as a JWK, without `issuer`.
    jwk: Value,
    /// The PKCS#1 DER of the public key (what a confused verifier might use as an HMAC secret).
    pub public_key_der: Vec<u8>,
}

impl SigningKey {
    pub fn generate() -> anyhow::Result<Self> {
        let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "accounts.accesscontrol.windows.net",
        );
        let cert = params.self_signed(&key)?;
        let thumbprint =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der());
        let kid = URL_SAFE_NO_PAD.encode(thumbprint.as_ref());
        let encoding = EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes())?;
        let mut jwk = serde_json::to_value(Jwk::from_encoding_key(&encoding, Algorithm::RS256)?)?;
        if let Value::Object(fields) = &mut jwk {
            // Entra's JWKs carry no `alg`; they carry `use`, the thumbprint and the certificate.
            fields.remove("alg");
            fields.insert("use".into(), json!("sig"));
            fields.insert("kid".into(), json!(kid));
            fields.insert("x5t".into(), json!(kid));
            fields.insert("x5c".into(), json!([STANDARD.encode(cert.der())]));
        }
        Ok(Self {
            kid,
            encoding,
            jwk,
            public_key_der: key.public_key_raw().to_vec(),
        })
    }

    /// The JWK as published, with the issuer it may sign for (templated or a concrete tenant).
    pub fn published(&self, issuer: &str) -> Value {
        let mut jwk = self.jwk.clone();
        if let Value::Object(fields) = &mut jwk {
            fields.insert("issuer".into(), json!(issuer));
        }
        jwk
    }
}

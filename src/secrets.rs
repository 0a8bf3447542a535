//! Tokens at rest: sealed with AES-256-GCM under a key from configuration. Several keys may be
//! configured for rotation: the first seals, every one of them opens (each sealed value names
//! its key). Sealed layout: key-id length (1 byte), key id, 12-byte nonce, ciphertext and tag.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret as _, SecretString};

/// Why a value could not be sealed or opened. Never carries the value.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("no encryption key is configured (secrets.keys)")]
    NoKey,
    #[error("invalid setting `secrets.keys`: {0}")]
    BadKey(String),
    #[error("the sealed value names key {0:?}, which is not configured")]
    UnknownKey(String),
    #[error("the sealed value is damaged or was sealed with another key")]
    Corrupt,
    #[error("the system's random source failed")]
    Random,
}

/// 256 random bits, base64url: a secret we hand out once (a ticket, an OAuth state, a PKCE
/// verifier, a subscription's clientState) and keep only as its [`fingerprint`].
pub fn random_token() -> Result<String, SecretsError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SecretsError::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256, base64url: how a handed-out secret is stored and compared (and the PKCE
/// challenge). Comparing fingerprints reveals nothing useful about the secret, so a plain
/// comparison is safe.
pub fn fingerprint(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, value.as_bytes()).as_ref())
}

struct Key {
    id: String,
    key: LessSafeKey,
}

pub struct Sealer {
    keys: Vec<Key>,
    random: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Sealer").field("key_ids", &ids).finish()
    }
}

impl Sealer {
    /// From `id:base64-of-32-bytes` entries, the sealing key first.
    pub fn new(entries: &[SecretString]) -> Result<Self, SecretsError> {
        let mut keys = Vec::new();
        for entry in entries {
            let (id, material) = entry
                .expose_secret()
                .split_once(':')
                .ok_or_else(|| SecretsError::BadKey("each key is written id:base64".into()))?;
            if id.is_empty() || id.len() > 64 {
                return Err(SecretsError::BadKey(
                    "a key id is 1 to 64 characters".into(),
                ));
            }
            let bytes = STANDARD
                .decode(material.trim())
                .map_err(|_| SecretsError::BadKey(format!("key {id:?} is not base64")))?;
            let unbound = UnboundKey::new(&AES_256_GCM, &bytes)
                .map_err(|_| SecretsError::BadKey(format!("key {id:?} must be 32 bytes")))?;
            keys.push(Key {
                id: id.to_string(),
                key: LessSafeKey::new(unbound),
            });
        }
        Ok(Self {
            keys,
            random: SystemRandom::new(),
        })
    }

    pub fn seal(&self, plaintext: &str) -> Result<Vec<u8>, SecretsError> {
        let key = self.keys.first().ok_or(SecretsError::NoKey)?;
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| SecretsError::Random)?;
        let mut sealed = plaintext.as_bytes().to_vec();
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(key.id.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| SecretsError::Corrupt)?;
        let mut out = Vec::with_capacity(1 + key.id.len() + NONCE_LEN + sealed.len());
        out.push(key.id.len() as u8);
        out.extend_from_slice(key.id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<SecretString, SecretsError> {
        let (&id_len, rest) = sealed.split_first().ok_or(SecretsError::Corrupt)?;
        let id_len = usize::from(id_len);
        if rest.len() < id_len + NONCE_LEN {
            return Err(SecretsError::Corrupt);
        }
        let (id, rest) = rest.split_at(id_len);
        let id = std::str::from_utf8(id).map_err(|_| SecretsError::Corrupt)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SecretsError::UnknownKey(id.to_string()))?;
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretsError::Corrupt)?;
        let mut buffer = ciphertext.to_vec();
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(id.as_bytes()), &mut buffer)
            .map_err(|_| SecretsError::Corrupt)?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| SecretsError::Corrupt)?;
        Ok(SecretString::from(text))
    }
}

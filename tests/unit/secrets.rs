use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use outforce::secrets::*;
use secrecy::{ExposeSecret as _, SecretString};

fn key(id: &str, byte: u8) -> SecretString {
    SecretString::from(format!("{id}:{}", STANDARD.encode([byte; 32])))
}

#[test]
fn sealed_values_open_and_hide_the_plaintext() {
    let sealer = Sealer::new(&[key("k1", 1)]).unwrap();
    let sealed = sealer.seal("00D!refresh-token").unwrap();
    assert!(
        !sealed.windows(7).any(|w| w == b"refresh"),
        "no plaintext in the sealed bytes"
    );
    assert_eq!(
        sealer.open(&sealed).unwrap().expose_secret(),
        "00D!refresh-token"
    );
    assert_ne!(
        sealer.seal("same").unwrap(),
        sealer.seal("same").unwrap(),
        "a fresh nonce each time"
    );
}

#[test]
fn rotation_seals_with_the_new_key_and_still_opens_the_old() {
    let old = Sealer::new(&[key("k1", 1)]).unwrap();
    let sealed_before = old.seal("before").unwrap();
    let rotated = Sealer::new(&[key("k2", 2), key("k1", 1)]).unwrap();
    assert_eq!(
        rotated.open(&sealed_before).unwrap().expose_secret(),
        "before"
    );
    let sealed_after = rotated.seal("after").unwrap();
    assert_eq!(&sealed_after[1..3], b"k2");
    assert!(matches!(old.open(&sealed_after), Err(SecretsError::UnknownKey(id)) if id == "k2"));
}

#[test]
fn damage_and_bad_keys_are_errors() {
    let sealer = Sealer::new(&[key("k1", 1)]).unwrap();
    let mut sealed = sealer.seal("value").unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    assert!(matches!(sealer.open(&sealed), Err(SecretsError::Corrupt)));
    assert!(matches!(
        Sealer::new(&[SecretString::from("nokey".to_string())]),
        Err(SecretsError::BadKey(_))
    ));
    assert!(matches!(
        Sealer::new(&[SecretString::from("k:AAAA".to_string())]),
        Err(SecretsError::BadKey(_))
    ));
    assert!(matches!(
        Sealer::new(&[]).unwrap().seal("x"),
        Err(SecretsError::NoKey)
    ));
}

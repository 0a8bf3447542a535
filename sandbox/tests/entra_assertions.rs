//! Certificate credentials at Entra's token endpoint: a client assertion signed with the key of
//! a certificate uploaded to the app, named by its thumbprint, for the token endpoint, from the
//! app itself, within its lifetime; each failure with Entra's code.

use crate::client;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use outforce_sandbox::entra::{AppRegistration, Entra};
use outforce_sandbox::tls::Authority;
use rcgen::{CertificateParams, KeyPair, PKCS_RSA_SHA256, RsaKeySize};
use serde_json::{Value, json};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const APP: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";

struct Credential {
    key: EncodingKey,
    sha1: Vec<u8>,
}

/// A fresh RSA key with a self-signed certificate; uploaded to the app when `upload`.
fn credential(entra: &Entra, upload: bool) -> Credential {
    let pair = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
    let cert = CertificateParams::new(vec!["outforce".into()])
        .unwrap()
        .self_signed(&pair)
        .unwrap();
    if upload {
        entra
            .add_app_certificate(APP, cert.der(), &pair.public_key_pem())
            .unwrap();
    }
    let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der())
        .as_ref()
        .to_vec();
    Credential {
        key: EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).unwrap(),
        sha1,
    }
}

fn assertion(credential: &Credential, aud: &str, issuer: &str, lifetime: i64) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.x5t = Some(URL_SAFE_NO_PAD.encode(&credential.sha1));
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "aud": aud, "iss": issuer, "sub": issuer, "jti": uuid::Uuid::new_v4().to_string(), "nbf": now - 60, "exp": now + lifetime });
    jsonwebtoken::encode(&header, &claims, &credential.key).unwrap()
}

#[tokio::test]
async fn a_certificate_assertion_replaces_the_secret() {
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: APP.into(),
        client_secret: "unused".into(),
        app_id_uri: format!("api://outforce.example/{APP}"),
        application_permissions: vec!["Calendars.ReadWrite".into()],
    });
    let http = client::trusting(&authority, true);
    let token_url = format!("{}/{TENANT}/oauth2/v2.0/token", entra.base_url());
    let uploaded = credential(&entra, true);
    let stranger = credential(&entra, false);
    let request = |assertion: String| {
        let http = http.clone();
        let token_url = token_url.clone();
        async move {
            let response = http
                .post(&token_url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", APP),
                    ("scope", "https://graph.microsoft.com/.default"),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };

    let (status, body) = request(assertion(&uploaded, &token_url, APP, 600)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");

    let cases = [
        (assertion(&stranger, &token_url, APP, 600), 700_027),
        (
            assertion(&uploaded, "https://login.example/other/token", APP, 600),
            700_022,
        ),
        (
            assertion(&uploaded, &token_url, "someone-else", 600),
            700_021,
        ),
        (assertion(&uploaded, &token_url, APP, -30), 700_024),
    ];
    for (assertion, code) in cases {
        let (status, body) = request(assertion).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_codes"][0], code, "{body}");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("AADSTS{code}")),
            "{body}"
        );
    }
}

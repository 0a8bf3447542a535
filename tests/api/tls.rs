//! `serve` terminates TLS itself when given a certificate and key.

use crate::db::{self, Backend};
use crate::helpers::{spawn_with, test_settings};

#[tokio::test]
async fn serves_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    let (url, _db_dir) = db::fresh_url(Backend::Sqlite).await;
    let mut loaded = test_settings(&url);
    loaded.tls = Some(outforce::tls::load(&cert_path, &key_path).unwrap());
    let app = spawn_with(loaded, outforce::startup::registry()).await;
    let port = app.address.rsplit(':').next().unwrap().to_string();

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let response = trusting
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // A client that does not trust the certificate is refused: it really is TLS.
    let plain = reqwest::Client::new()
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err());
    app.stop().await;
}

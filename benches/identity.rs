#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]

//! Token validations per second: cold (each token new: header, key lookup, RS256 signature,
//! claims) and warm (the same token again: a hash and a cache hit). Keys come from the Entra
//! emulator over loopback HTTPS, fetched once. Prints figures; asserts nothing. Run with
//! `cargo bench --bench identity`.

use std::time::Instant;

use outforce::config::{EntraSettings, OutboundSettings};
use outforce::identity::Identity;
use outforce_sandbox::entra::{AppRegistration, Entra, TokenSpec};
use outforce_sandbox::tls::Authority;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const TOKENS: usize = 5_000;
const WARM: usize = 200_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let authority = Authority::new().unwrap();
    let entra = Entra::start(&authority).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: "bench".into(),
        app_id_uri: format!("api://bench/{API}"),
        application_permissions: Vec::new(),
    });
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    authority.write_pem(&ca).unwrap();
    let http = outforce::outbound::client(&OutboundSettings {
        extra_ca_files: vec![ca],
        ..OutboundSettings::default()
    })
    .unwrap();
    let settings = EntraSettings {
        authority: entra.base_url().into(),
        client_id: Some(API.into()),
        ..EntraSettings::default()
    };
    let identity = Identity::new(settings, http);

    let tokens: Vec<String> = (0..TOKENS)
        .map(|i| {
            entra
                .mint(&TokenSpec::user(
                    TENANT,
                    &uuid::Uuid::from_u128(i as u128 + 1).to_string(),
                    API,
                ))
                .unwrap()
        })
        .collect();
    identity.authenticate(&tokens[0]).await.unwrap();

    let started = Instant::now();
    for token in &tokens[1..] {
        identity.authenticate(token).await.unwrap();
    }
    let cold = (TOKENS - 1) as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    for _ in 0..WARM {
        identity.authenticate(&tokens[7]).await.unwrap();
    }
    let warm = WARM as f64 / started.elapsed().as_secs_f64();

    println!(
        "token validations, one task: cold (signature checked) {cold:>10.0}/s   warm (cache hit) {warm:>10.0}/s   JWKS fetches: {}",
        identity.key_fetches()
    );
}

//! Real clients that nobody here wrote, against the emulators: runs the pytest suites in
//! `tests/python` with the emulators started here. `scripts/test` installs the Python packages
//! (`tests/python/requirements.txt`); without them this test fails, it does not skip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test should stop loudly at the first surprise"
)]

use std::process::Command;

use outforce_sandbox::entra::{AppRegistration, Entra, OboFailure, TokenSpec};
use outforce_sandbox::tls::Authority;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
const MFA_REP: &str = "0c4e9ab2-1d7a-4a2f-9d59-4c0c1e6d2f11";
const CLAIMS: &str = r#"{"access_token":{"polids":{"essential":true,"values":["9ab03e19-ed42-4168-b6b7-7001fb3e933a"]}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_works_against_the_entra_emulator() {
    let authority = Authority::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("sandbox-ca.pem");
    authority.write_pem(&ca_file).unwrap();

    let entra = Entra::start(&authority).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: "s3cr3t~value".into(),
        app_id_uri: format!("api://outforce.example/{API}"),
        application_permissions: vec!["Calendars.ReadWrite".into()],
    });
    entra.set_obo_failure(
        MFA_REP,
        Some(OboFailure::InteractionRequired {
            claims: CLAIMS.into(),
        }),
    );
    let rep = entra.mint(&TokenSpec::user(TENANT, REP, API)).unwrap();
    let mfa_rep = entra.mint(&TokenSpec::user(TENANT, MFA_REP, API)).unwrap();

    let mut pytest = Command::new("python3");
    pytest
        .args([
            "-m",
            "pytest",
            "tests/python",
            "-q",
            "-p",
            "no:cacheprovider",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("REQUESTS_CA_BUNDLE", &ca_file)
        .env("ENTRA_AUTHORITY", entra.authority(TENANT))
        .env("ENTRA_CLIENT_ID", API)
        .env("ENTRA_CLIENT_SECRET", "s3cr3t~value")
        .env("ENTRA_USER_ASSERTION", rep)
        .env("ENTRA_MFA_USER_ASSERTION", mfa_rep)
        .env("ENTRA_MFA_CLAIMS", CLAIMS);
    let output = tokio::task::spawn_blocking(move || pytest.output()).await.unwrap().expect(
        "python3 must be installed; scripts/test installs sandbox/tests/python/requirements.txt",
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{printed}");
    assert!(
        output.status.success(),
        "the Python clients failed:\n{printed}"
    );
    assert!(printed.contains("5 passed"), "{printed}");
    assert!(
        entra.calls("openid_configuration_v2") >= 1,
        "msal discovered the tenant from the emulator"
    );
}

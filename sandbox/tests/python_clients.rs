//! Real clients that nobody here wrote, against the emulators: runs the pytest suites in
//! `tests/python` with the emulators started here. `scripts/test` installs the Python packages
//! (`tests/python/requirements.txt`); without them these tests fail, they do not skip.
use std::path::Path;
use std::process::Command;

use outforce_sandbox::entra::{AppRegistration, Entra, OboFailure, TokenSpec};
use outforce_sandbox::graph::Graph;
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
use outforce_sandbox::tls::Authority;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
const MFA_REP: &str = "0c4e9ab2-1d7a-4a2f-9d59-4c0c1e6d2f11";
const CLAIMS: &str = r#"{"access_token":{"polids":{"essential":true,"values":["9ab03e19-ed42-4168-b6b7-7001fb3e933a"]}}}"#;

/// Runs one pytest file with `env`, trusting the CA in `ca_file`; what it printed.
async fn pytest(file: &str, ca_file: &Path, env: &[(&str, String)]) -> String {
    let mut pytest = Command::new("python3");
    pytest
        .args(["-m", "pytest", file, "-q", "-p", "no:cacheprovider"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("REQUESTS_CA_BUNDLE", ca_file);
    for (name, value) in env {
        pytest.env(name, value);
    }
    let output = tokio::task::spawn_blocking(move || pytest.output()).await.unwrap().expect(
        "python3 must be installed; scripts/test installs sandbox/tests/python/requirements.txt",
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{printed}");
    assert!(output.status.success(), "{file} failed:\n{printed}");
    printed
}

fn authority_with_ca_file() -> (Authority, tempfile::TempDir, std::path::PathBuf) {
    let authority = Authority::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("sandbox-ca.pem");
    authority.write_pem(&ca_file).unwrap();
    (authority, dir, ca_file)
}

/// Uploads a new certificate to the app; the private key's file (beside `ca_file`) and the
/// certificate's SHA-1 thumbprint in hex, as msal takes them.
fn certificate_credential(entra: &Entra, ca_file: &Path) -> (String, String) {
    use rcgen::{CertificateParams, KeyPair, PKCS_RSA_SHA256, RsaKeySize};
    let pair = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
    let cert = CertificateParams::new(vec!["outforce".into()])
        .unwrap()
        .self_signed(&pair)
        .unwrap();
    entra
        .add_app_certificate(API, cert.der(), &pair.public_key_pem())
        .unwrap();
    let key_file = ca_file.with_file_name("app-key.pem");
    std::fs::write(&key_file, pair.serialize_pem()).unwrap();
    let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der());
    let hex: String = sha1.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    (key_file.display().to_string(), hex)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msal_works_against_the_entra_emulator() {
    let (authority, _dir, ca_file) = authority_with_ca_file();
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
    let (key_file, thumbprint) = certificate_credential(&entra, &ca_file);

    let printed = pytest(
        "tests/python/test_msal_entra.py",
        &ca_file,
        &[
            ("ENTRA_AUTHORITY", entra.authority(TENANT)),
            ("ENTRA_CLIENT_ID", API.into()),
            ("ENTRA_CLIENT_SECRET", "s3cr3t~value".into()),
            ("ENTRA_USER_ASSERTION", rep),
            ("ENTRA_MFA_USER_ASSERTION", mfa_rep),
            ("ENTRA_MFA_CLAIMS", CLAIMS.into()),
            ("ENTRA_CERT_KEY_FILE", key_file),
            ("ENTRA_CERT_THUMBPRINT", thumbprint),
        ],
    )
    .await;
    assert!(printed.contains("6 passed"), "{printed}");
    assert!(
        entra.calls("openid_configuration_v2") >= 1,
        "msal discovered the tenant from the emulator"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_salesforce_works_against_the_salesforce_emulator() {
    const SEEDED: usize = 2_500;
    let (authority, _dir, ca_file) = authority_with_ca_file();
    let sf = Salesforce::start(&authority).unwrap();
    let org = sf.add_org("Contoso", 1_000_000);
    let rep = sf.add_user(&org.id, "rep@contoso.example", "Avery", "Rep");
    let session = sf.issue_session(&rep.id, "key").unwrap();
    let text = Kind::Text {
        flavor: TextFlavor::String,
        length: 64,
    };
    sf.add_field(
        &org.id,
        "Contact",
        Field::new("Ext_Id__c", "Ext Id", text).external_id(),
    )
    .unwrap();
    for i in 0..SEEDED {
        sf.create_record(
            &org.id,
            "Contact",
            serde_json::json!({ "LastName": format!("Seeded{i:04}") }),
        )
        .unwrap();
    }
    // getUpdated covers whole minutes up to the last one that has ended: let the seeded
    // contacts' minute end.
    sf.advance_clock(std::time::Duration::from_secs(120));

    let printed = pytest(
        "tests/python/test_simple_salesforce.py",
        &ca_file,
        &[
            (
                "SF_INSTANCE",
                sf.base_url().trim_start_matches("https://").into(),
            ),
            ("SF_SESSION", session),
            ("SF_VERSION", "62.0".into()),
            ("SF_SEEDED_CONTACTS", SEEDED.to_string()),
        ],
    )
    .await;
    assert!(printed.contains("9 passed"), "{printed}");
    assert!(
        sf.calls("query") >= 3,
        "the client paged through the emulator"
    );
    assert!(sf.calls("composite") == 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_replays_graphs_documented_sequences() {
    let (authority, _dir, ca_file) = authority_with_ca_file();
    let entra = Entra::start(&authority).unwrap();
    let graph = Graph::start(&authority, &entra).unwrap();
    entra.register_app(AppRegistration {
        tenant_id: TENANT.into(),
        client_id: API.into(),
        client_secret: "s3cr3t~value".into(),
        app_id_uri: format!("api://outforce.example/{API}"),
        application_permissions: vec!["Calendars.ReadWrite".into()],
    });
    graph.add_mailbox(TENANT, REP, "rep@contoso.example", "Sandbox Rep");
    // The Python webhook listens on plain loopback HTTP.
    graph.allow_http_webhooks(true);

    let printed = pytest(
        "tests/python/test_graph_requests.py",
        &ca_file,
        &[
            ("GRAPH_URL", format!("{}/v1.0", graph.base_url())),
            ("GRAPH_USER", REP.into()),
            ("ENTRA_AUTHORITY", entra.authority(TENANT)),
            ("ENTRA_CLIENT_ID", API.into()),
            ("ENTRA_CLIENT_SECRET", "s3cr3t~value".into()),
        ],
    )
    .await;
    assert!(printed.contains("3 passed"), "{printed}");
    assert!(graph.calls("calendarView/delta") >= 3);
    assert_eq!(graph.calls("$batch"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_api_scripts_every_switch_from_python() {
    use outforce_sandbox::control::Control;
    use outforce_sandbox::{Sandbox, demo};
    let dir = tempfile::tempdir().unwrap();
    let sandbox = std::sync::Arc::new(Sandbox::start(dir.path()).unwrap());
    demo::seed(
        &sandbox,
        &demo::DemoData::bundled().unwrap(),
        "http://127.0.0.1:9/callback",
    )
    .unwrap();
    let control = Control::start(std::sync::Arc::clone(&sandbox)).unwrap();

    let printed = pytest(
        "tests/python/test_control_api.py",
        &sandbox.ca_file,
        &[
            ("CONTROL_URL", control.base_url().to_string()),
            ("ENTRA_TENANT", demo::TENANT_ID.into()),
            ("ENTRA_CLIENT_ID", demo::API_CLIENT_ID.into()),
            ("ENTRA_CLIENT_SECRET", demo::API_CLIENT_SECRET.into()),
            ("REP_OBJECT_ID", demo::REP_OBJECT_ID.into()),
            ("REP_USERNAME", demo::REP_USERNAME.into()),
        ],
    )
    .await;
    assert!(printed.contains("22 passed"), "{printed}");
    control.stop().await;
    sandbox.stop().await;
}

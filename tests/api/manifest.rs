//! The manifests an admin deploys, as Office's own schemas judge them: the XML manifest
//! against the official XSDs (xmllint) and the unified manifest against the official JSON
//! schema, for the demo's configuration and a production-like one; and the icons they name.

use std::path::{Path, PathBuf};
use std::process::Command;

use outforce::config::Loaded;
use outforce::startup;

use crate::db::{self, Backend};
use crate::helpers::{TestApp, spawn_with, test_settings};

const CLIENT_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// Office's published manifest schemas, kept in `tests/data/office/` (its README names their
/// sources).
fn reference(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/office")
        .join(path)
}

/// xmllint's verdict on `xml` (from Debian's libxml2-utils, installed by scripts/test).
fn xsd_errors(xml: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("manifest.xml");
    std::fs::write(&file, xml).unwrap();
    let output = Command::new("xmllint")
        .args([
            "--noout",
            "--nonet",
            "--schema",
            "OfficeAppManifestV1_1.xsd",
        ])
        .arg(&file)
        .current_dir(reference("xsd"))
        .output()
        .expect("xmllint runs (apt-get install libxml2-utils)");
    (!output.status.success()).then(|| String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The add-in's name as an XML parser (xmllint) reads it from the manifest.
fn display_name(xml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("manifest.xml");
    std::fs::write(&file, xml).unwrap();
    let output = Command::new("xmllint")
        .args([
            "--nonet",
            "--xpath",
            "string(/*[local-name()='OfficeApp']/*[local-name()='DisplayName']/@DefaultValue)",
        ])
        .arg(&file)
        .output()
        .expect("xmllint runs (apt-get install libxml2-utils)");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

/// The JSON schema's verdict on `json` (tests/python/validate_manifest.py, with jsonschema).
fn json_schema_errors(json: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("manifest.json");
    std::fs::write(&file, json).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/validate_manifest.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(reference("json-schema/MicrosoftTeams.v1.17.schema.json"))
        .arg(&file)
        .output()
        .expect("python3 runs");
    (!output.status.success()).then(|| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

async fn app_with(adjust: impl FnOnce(&mut Loaded)) -> TestApp {
    let (url, _dir) = db::fresh_url(Backend::Sqlite).await;
    let mut loaded = test_settings(&url);
    loaded.settings.entra.client_id = Some(CLIENT_ID.into());
    adjust(&mut loaded);
    spawn_with(loaded, startup::registry()).await
}

async fn manifests(app: &TestApp) -> (String, String) {
    let xml = app.get("/manifest.xml").await;
    assert_eq!(xml.status(), 200);
    assert!(
        xml.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let json = app.get("/manifest.json").await;
    assert_eq!(json.status(), 200);
    (xml.text().await.unwrap(), json.text().await.unwrap())
}

#[tokio::test]
async fn the_demo_manifests_validate_against_the_official_schemas() {
    let app = app_with(|loaded| {
        loaded.settings.demo = true;
        loaded.settings.entra.app_id_uri = Some(format!("api://localhost/{CLIENT_ID}"));
    })
    .await;
    let (xml, json) = manifests(&app).await;
    assert_eq!(xsd_errors(&xml), None);
    assert_eq!(json_schema_errors(&json), None);
    assert!(xml.contains(&format!(
        "<SourceLocation DefaultValue=\"{}/pane/\"/>",
        app.address
    )));
    assert!(
        xml.contains(&format!("<AppDomain>{}</AppDomain>", app.address)),
        "Outlook on the web needs the local origin for the Connect dialog"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_production_manifest_names_the_public_url_and_every_login_host() {
    let app = app_with(|loaded| {
        let settings = &mut loaded.settings;
        settings.http.public_url = Some("https://outforce.contoso.com/".into());
        settings.entra.app_id_uri = Some(format!("api://outforce.contoso.com/{CLIENT_ID}"));
        settings.addin.name = "Contoso & Co <CRM> \"Sync\"".into();
        settings.addin.version = "2.3.1.7".into();
        settings.addin.app_domains = vec!["https://contoso.my.salesforce.com".into()];
    })
    .await;
    let (xml, json) = manifests(&app).await;
    assert_eq!(xsd_errors(&xml), None, "{xml}");
    assert_eq!(json_schema_errors(&json), None, "{json}");
    assert!(xml.contains("<Version>2.3.1.7</Version>"));
    assert!(xml.contains("DefaultValue=\"https://outforce.contoso.com/pane/\""));
    assert_eq!(
        display_name(&xml),
        "Contoso & Co <CRM> \"Sync\"",
        "the name, escaped for XML and read back as written: {xml}"
    );
    for domain in [
        "https://login.salesforce.com",
        "https://test.salesforce.com",
        "https://contoso.my.salesforce.com",
    ] {
        assert!(
            xml.contains(&format!("<AppDomain>{domain}</AppDomain>")),
            "{domain}"
        );
    }
    assert!(!xml.contains("127.0.0.1"), "only the public URL is named");
    assert!(
        xml.contains(&format!("<Id>{CLIENT_ID}</Id>")),
        "WebApplicationInfo"
    );
    for surface in [
        "AppointmentOrganizerCommandSurface",
        "AppointmentAttendeeCommandSurface",
        "MessageReadCommandSurface",
    ] {
        assert!(xml.contains(surface), "{surface}");
    }
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["version"], "2.3.1");
    assert_eq!(json["name"]["full"], "Contoso & Co <CRM> \"Sync\"");
    assert_eq!(
        json["webApplicationInfo"]["resource"],
        format!("api://outforce.contoso.com/{CLIENT_ID}")
    );
    let valid: Vec<&str> = json["validDomains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(valid.contains(&"contoso.my.salesforce.com"));
    assert!(valid.contains(&"outforce.contoso.com"));

    // Every icon the manifests name is served.
    let named = xml
        .split("DefaultValue=\"https://outforce.contoso.com/assets/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string());
    for icon in named {
        let response = app.get(&format!("/assets/{icon}")).await;
        assert_eq!(response.status(), 200, "{icon}");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[1..4], b"PNG", "{icon}");
    }
    app.stop().await;
}

#[test]
fn the_validators_refuse_a_broken_manifest() {
    // The schema fixes the order of the elements: Id comes before Version.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="MailApp">
  <Version>1.0.0.0</Version>
  <Id>6f2c0a4e-3b8d-4f5e-9a61-2d7c8e9f0a1b</Id>
</OfficeApp>"#;
    assert!(xsd_errors(xml).is_some(), "xmllint must be able to fail");
    assert!(
        json_schema_errors(r##"{"manifestVersion": "1.17", "accentColor": "blue"}"##).is_some()
    );
}

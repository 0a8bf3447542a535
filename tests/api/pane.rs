//! The task pane as Outlook loads it: framed by Outlook on the web (no X-Frame-Options, a CSP
//! naming Outlook's origins), Office.js from Microsoft's CDN, its bundles cached for a year
//! under names that change with their content, and `/` answering a person.

use outforce::startup;

use crate::db::{self, Backend};
use crate::helpers::{spawn_app, spawn_with, test_settings};

#[tokio::test]
async fn the_pane_loads_office_js_and_may_be_framed_by_outlook_only() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.get("/pane/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers.get("x-frame-options").is_none(),
        "Outlook on the web frames the pane"
    );
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'self' https://outlook.office.com"),
        "{csp}"
    );
    assert!(
        csp.contains("script-src 'self' https://appsforoffice.microsoft.com"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["cache-control"], "no-cache");
    let html = response.text().await.unwrap();
    assert!(html.contains(
        "<script src=\"https://appsforoffice.microsoft.com/lib/1/hosted/office.js\"></script>"
    ));
    assert!(
        html.contains("\"scope\":\"api://"),
        "the pane is told which API scope to ask for"
    );

    // Every bundle the page names is served, hashed and cached for good.
    let named: Vec<String> = html
        .split("/pane/assets/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(named.len(), 2, "one script and one style sheet: {named:?}");
    for asset in named {
        assert!(asset.contains('-'), "a content hash in the name: {asset}");
        let response = app.get(&format!("/pane/assets/{asset}")).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(kind.starts_with(if asset.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        }));
    }
    let missing = app.get("/pane/assets/pane-NOTBUILT.js").await;
    assert_eq!(missing.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_names_the_service_and_its_manifests() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(page.contains(env!("CARGO_PKG_VERSION")));
    assert!(page.contains(&format!("{}/manifest.xml", app.address)));
    assert!(page.contains(&format!("{}/manifest.json", app.address)));
    assert!(
        !page.contains("outforce demo"),
        "the demo page is for demo mode only"
    );
    app.stop().await;
}

#[tokio::test]
async fn bundles_go_gzipped_to_browsers_that_take_it_and_head_answers_too() {
    let app = spawn_app(Backend::Sqlite).await;
    let html = app.get("/pane/").await.text().await.unwrap();
    let script = html
        .split("/pane/assets/")
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .find(|asset| asset.ends_with(".js"))
        .unwrap();
    let url = format!("{}/pane/assets/{script}", app.address);
    let fetch = |encoding: &'static str| {
        app.client
            .get(&url)
            .header("Accept-Encoding", encoding)
            .send()
    };
    let plain = fetch("identity").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let zipped = fetch("br, gzip;q=0.8").await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    let zipped = zipped.bytes().await.unwrap();
    assert_eq!(&zipped[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(
        zipped.len() * 2 < plain.len(),
        "{} against {}",
        zipped.len(),
        plain.len()
    );
    let refused = fetch("gzip;q=0").await.unwrap();
    assert!(
        refused.headers().get("content-encoding").is_none(),
        "q=0 refuses gzip"
    );

    let head = app
        .client
        .head(format!("{}/pane/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let gz = app.get(&format!("/pane/assets/{script}.gz")).await;
    assert_eq!(
        gz.status(),
        404,
        "the .gz files are served through Accept-Encoding only"
    );
    app.stop().await;
}

/// What an admin configures is text on every page, never markup: the template engine escapes
/// it for where it lands (an element, an attribute, the pane's JSON settings block).
#[tokio::test]
async fn configured_values_are_text_on_every_page_never_markup() {
    let (url, _dir) = db::fresh_url(Backend::Sqlite).await;
    let mut loaded = test_settings(&url);
    loaded.settings.addin.name = "Sales <script>alert(1)</script> & Co".into();
    loaded.settings.entra.scope = "access</script><script>alert(2)</script>".into();
    let app = spawn_with(loaded, startup::registry()).await;

    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("<script>alert(1)"), "{home}");
    assert!(
        home.contains("<h1>Sales &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co</h1>"),
        "{home}"
    );

    let pane = app.get("/pane/").await.text().await.unwrap();
    assert!(!pane.contains("<script>alert(2)"), "{pane}");
    let block = pane
        .split(r#"<script id="outforce-config" type="application/json">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    let config: serde_json::Value = serde_json::from_str(block).unwrap();
    assert!(
        config["scope"]
            .as_str()
            .unwrap()
            .ends_with("/access</script><script>alert(2)</script>"),
        "the pane reads back what was configured: {config}"
    );
    app.stop().await;
}

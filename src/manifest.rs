//! The add-in manifests an admin deploys: the XML ("add-in only") manifest and the unified JSON
//! manifest, rendered from the templates in `manifest/` (askama, which escapes every value for
//! the format) with the values of the configuration and this service's public address. Both are checked against
//! Microsoft's schemas in the test suite; the configuration refuses, at start-up, values that
//! would render a manifest Office rejects (`config::addin`).

use crate::config::Settings;

/// Office's limit on a ShortString (the group label).
const SHORT_NAME_CHARS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xml => "application/xml; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

fn origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// The origins the pane's windows may show: the Salesforce login hosts and the configured
/// extra domains (and, in the demo, this service itself, which Outlook on the web needs for a
/// dialog from a local add-in).
fn app_domains(settings: &Settings, base: &str) -> Vec<String> {
    let mut domains = vec![
        origin(&settings.salesforce.login_url),
        origin(&settings.salesforce.sandbox_login_url),
    ];
    domains.extend(settings.addin.app_domains.iter().cloned());
    if settings.demo {
        domains.push(origin(base));
    }
    let mut unique = Vec::new();
    for domain in domains {
        if !unique.contains(&domain) {
            unique.push(domain);
        }
    }
    unique
}

/// What the manifests say, in either format.
struct Values {
    id: String,
    version: String,
    /// The version as the unified manifest wants it: three numbers.
    version_3: String,
    provider: String,
    name: String,
    /// The name cut to Office's ShortString.
    name_short: String,
    support_url: String,
    client_id: String,
    app_id_uri: String,
    pane_url: String,
    icon_16: String,
    icon_32: String,
    icon_64: String,
    icon_80: String,
    icon_128: String,
    /// Origins, for the XML manifest's `AppDomains`.
    app_domains: Vec<String>,
    /// Host names, for the unified manifest's `validDomains`.
    valid_domains: Vec<String>,
}

/// `manifest/outforce.xml`, every value escaped for XML by the template engine.
#[derive(askama::Template)]
#[template(path = "outforce.xml")]
struct XmlManifest<'a> {
    v: &'a Values,
}

/// `manifest/outforce.json`, every value written as a JSON string (`|json`).
#[derive(askama::Template)]
#[template(path = "outforce.json", escape = "none")]
struct JsonManifest<'a> {
    v: &'a Values,
}

fn host(url: &str) -> String {
    url.split("://").nth(1).unwrap_or(url).to_string()
}

fn values(settings: &Settings, base: &str) -> Values {
    let addin = &settings.addin;
    let client_id = settings.entra.client_id.clone().unwrap_or_default();
    let app_id_uri = settings
        .entra
        .app_id_uri
        .clone()
        .unwrap_or_else(|| format!("api://{}/{client_id}", host(base)));
    let support_url = addin
        .support_url
        .clone()
        .unwrap_or_else(|| format!("{base}/"));
    let version_3 = addin
        .version
        .split('.')
        .chain(["0", "0"])
        .take(3)
        .collect::<Vec<_>>()
        .join(".");
    let app_domains = app_domains(settings, base);
    let mut valid_domains: Vec<String> = app_domains.iter().map(|d| host(d)).collect();
    valid_domains.push(host(base));
    valid_domains.dedup();
    let icon = |size: u32| format!("{base}/assets/icon-{size}.png");
    Values {
        id: addin.id.clone(),
        version: addin.version.clone(),
        version_3,
        provider: addin.provider.clone(),
        name: addin.name.clone(),
        name_short: addin.name.chars().take(SHORT_NAME_CHARS).collect(),
        support_url,
        client_id,
        app_id_uri,
        pane_url: format!("{base}/pane/"),
        icon_16: icon(16),
        icon_32: icon(32),
        icon_64: icon(64),
        icon_80: icon(80),
        icon_128: icon(128),
        app_domains,
        valid_domains,
    }
}

/// The manifest in `format`, for a service reached at `base` (`https://outforce.contoso.com`).
pub fn render(settings: &Settings, format: Format, base: &str) -> Result<String, askama::Error> {
    use askama::Template as _;
    let values = values(settings, base.trim_end_matches('/'));
    match format {
        Format::Xml => XmlManifest { v: &values }.render(),
        Format::Json => JsonManifest { v: &values }.render(),
    }
}

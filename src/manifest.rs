//! The add-in manifests an admin deploys: the XML ("add-in only") manifest and the unified JSON
//! manifest, rendered from the templates in `manifest/` with the values of the configuration
//! (escaped for the format) and this service's public address. Both are checked against
//! Microsoft's schemas in the test suite; the configuration refuses, at start-up, values that
//! would render a manifest Office rejects (`config::addin`).

use crate::config::Settings;

const XML_TEMPLATE: &str = include_str!("../manifest/outforce.xml");
const JSON_TEMPLATE: &str = include_str!("../manifest/outforce.json");

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

/// Text for XML or HTML, in an element or a quoted attribute.
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn json_escape(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// The manifest in `format`, for a service reached at `base` (`https://outforce.contoso.com`).
pub fn render(settings: &Settings, format: Format, base: &str) -> String {
    let base = base.trim_end_matches('/');
    let addin = &settings.addin;
    let client_id = settings.entra.client_id.clone().unwrap_or_default();
    let app_id_uri = settings.entra.app_id_uri.clone().unwrap_or_else(|| {
        format!(
            "api://{}/{client_id}",
            base.split("://").nth(1).unwrap_or(base)
        )
    });
    let support_url = addin
        .support_url
        .clone()
        .unwrap_or_else(|| format!("{base}/"));
    let short_name: String = addin.name.chars().take(SHORT_NAME_CHARS).collect();
    let version_3 = addin
        .version
        .split('.')
        .chain(["0", "0"])
        .take(3)
        .collect::<Vec<_>>()
        .join(".");
    let domains = app_domains(settings, base);
    let values = [
        ("base", base.to_string()),
        ("id", addin.id.clone()),
        ("version", addin.version.clone()),
        ("version_3", version_3),
        ("provider", addin.provider.clone()),
        ("name", addin.name.clone()),
        ("name_short", short_name),
        ("support_url", support_url),
        ("client_id", client_id),
        ("app_id_uri", app_id_uri),
    ];
    let (mut text, escape): (String, fn(&str) -> String) = match format {
        Format::Xml => (XML_TEMPLATE.to_string(), xml_escape),
        Format::Json => (JSON_TEMPLATE.to_string(), json_escape),
    };
    let list = match format {
        Format::Xml => domains
            .iter()
            .map(|d| format!("    <AppDomain>{}</AppDomain>", xml_escape(d)))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => {
            let mut valid: Vec<String> = domains
                .iter()
                .map(|d| d.split("://").nth(1).unwrap_or(d).to_string())
                .collect();
            valid.push(base.split("://").nth(1).unwrap_or(base).to_string());
            valid.dedup();
            serde_json::to_string(&valid).unwrap_or_else(|_| "[]".into())
        }
    };
    text = text
        .replace("{{app_domains}}", &list)
        .replace("{{valid_domains}}", &list);
    for (name, value) in values {
        text = text.replace(&format!("{{{{{name}}}}}"), &escape(&value));
    }
    text
}

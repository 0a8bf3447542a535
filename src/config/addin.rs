//! The rules a configuration must follow for the add-in manifests to be valid, checked when
//! the settings load so that a bad value stops start-up naming the setting.

use super::Settings;

/// A setting that would make the manifests invalid: its key and what is wrong.
pub struct Invalid {
    pub key: &'static str,
    pub problem: String,
}

fn invalid(key: &'static str, problem: impl Into<String>) -> Invalid {
    Invalid {
        key,
        problem: problem.into(),
    }
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// An origin as a manifest names one: `https://host[:port]`, nothing after it.
fn is_origin(text: &str, allow_http: bool) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://").filter(|_| allow_http));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    })
}

/// Refuses settings that would render a manifest Office rejects, naming the setting: a public
/// URL that is not HTTPS (plain HTTP is for the demo alone), an add-in id that is not a GUID, a
/// version Office cannot read, an extra domain that is not an origin.
pub fn check(settings: &Settings) -> Result<(), Invalid> {
    let addin = &settings.addin;
    if let Some(url) = &settings.http.public_url
        && !settings.demo
        && !url.starts_with("https://")
    {
        return Err(invalid(
            "http.public_url",
            format!("must start with https:// (got {url}): Office loads add-ins over HTTPS only"),
        ));
    }
    if !is_guid(&addin.id) {
        return Err(invalid(
            "addin.id",
            format!(
                "must be a GUID such as 4f1e9a2c-7b3d-4e8a-9c61-5d2f0b8e7a13 (got {})",
                addin.id
            ),
        ));
    }
    let parts: Vec<&str> = addin.version.split('.').collect();
    if !(1..=4).contains(&parts.len())
        || !parts
            .iter()
            .all(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(invalid(
            "addin.version",
            format!(
                "must be up to four numbers such as 1.0.0.0 (got {})",
                addin.version
            ),
        ));
    }
    for (setting, value, limit) in [
        ("addin.provider", &addin.provider, 125),
        ("addin.name", &addin.name, 125),
    ] {
        if value.trim().is_empty() || value.chars().count() > limit {
            return Err(invalid(setting, format!("must be 1 to {limit} characters")));
        }
    }
    if let Some(url) = &addin.support_url
        && !(url.starts_with("https://") || settings.demo && url.starts_with("http://"))
    {
        return Err(invalid("addin.support_url", "must start with https://"));
    }
    for domain in &addin.app_domains {
        if !is_origin(domain, settings.demo) {
            return Err(invalid(
                "addin.app_domains",
                format!(
                    "{domain} is not an origin such as https://contoso.my.salesforce.com (no path, no slash at the end, no wildcard)"
                ),
            ));
        }
    }
    for (setting, id) in [("entra.client_id", settings.entra.client_id.as_deref())] {
        if let Some(id) = id
            && !is_guid(id)
        {
            return Err(invalid(
                setting,
                format!("must be the app registration's GUID (got {id})"),
            ));
        }
    }
    Ok(())
}

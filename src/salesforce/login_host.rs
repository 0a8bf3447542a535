//! Where a rep or an admin may log in: `production`, `sandbox`, or the URL of the org's My Domain
//! (`https://contoso.my.salesforce.com`) or of an Experience Cloud site, which may carry one path
//! prefix (`https://contoso.my.site.com/partners`). A URL's host must end with one of
//! `salesforce.my_domain_suffixes`, so a rep cannot be sent to a look-alike login page.

use crate::config::SalesforceSettings;

/// What the JWT bearer grant may not use as its audience (and where it may not post).
const MY_DOMAIN: &str = ".my.salesforce.com";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginHostError {
    #[error(
        "choose production, sandbox, your My Domain URL (https://…my.salesforce.com) or your Experience Cloud site URL"
    )]
    NotAllowed,
    #[error(
        "the org-wide connection logs in at production, sandbox or an Experience Cloud site, never My Domain"
    )]
    MyDomainAudience,
}

/// The login URL (no trailing slash) for a choice; none means production.
pub fn resolve(
    settings: &SalesforceSettings,
    choice: Option<&str>,
) -> Result<String, LoginHostError> {
    match choice.unwrap_or("production") {
        "production" => Ok(settings.login_url.trim_end_matches('/').to_string()),
        "sandbox" => Ok(settings.sandbox_login_url.trim_end_matches('/').to_string()),
        url => {
            let rest = url
                .strip_prefix("https://")
                .ok_or(LoginHostError::NotAllowed)?
                .trim_end_matches('/');
            let (host, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let host = host.to_ascii_lowercase();
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && settings
                    .my_domain_suffixes
                    .iter()
                    .any(|suffix| host.ends_with(&suffix.to_ascii_lowercase()));
            let prefix_ok = prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !(host_ok && prefix_ok) {
                return Err(LoginHostError::NotAllowed);
            }
            Ok(if prefix.is_empty() {
                format!("https://{host}")
            } else {
                format!("https://{host}/{prefix}")
            })
        }
    }
}

/// The audience (and token host) of the JWT bearer grant for a choice.
pub fn jwt_audience(settings: &SalesforceSettings, choice: &str) -> Result<String, LoginHostError> {
    let url = resolve(settings, Some(choice))?;
    let host = url
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or_default();
    if host.ends_with(MY_DOMAIN) {
        return Err(LoginHostError::MyDomainAudience);
    }
    Ok(url)
}

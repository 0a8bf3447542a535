//! Loading and validating [`Settings`]; every error names the setting the way the admin set it
//! (`OUTFORCE_HTTP__PORT`, or `http.port` in the file).

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};

use super::settings::Dialect;
use super::settings::Settings;
use crate::tls;

const ENV_PREFIX: &str = "OUTFORCE_";

/// Settings that passed validation, with what validation derived from them.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub settings: Settings,
    /// The database URL to use (the configured one, or the default SQLite file).
    pub database_url: SecretString,
    /// The TLS configuration, when `http.tls` is set.
    pub tls: Option<tls::ServerConfig>,
    /// `OUTFORCE_*` variables that Kubernetes sets for a Service named `outforce` (service
    /// links), recognised and not taken as settings; logged once logging starts.
    pub ignored_variables: Vec<String>,
}

/// A setting that cannot be used, named the way the admin set it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

/// Reads defaults, then the TOML file (if given, it must exist), then `OUTFORCE_*` variables,
/// and validates the result.
pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
    load_for(file, false)
}

/// As [`load`]; `demo` for `outforce demo`, whose public URL may be plain HTTP.
pub fn load_for(file: Option<&Path>, demo: bool) -> Result<Loaded, ConfigError> {
    let service_links = service_link_variables();
    let figment = figment(file, service_links.clone());
    let mut settings: Settings = figment.extract().map_err(|e| from_figment(&figment, e))?;
    settings.demo = demo;
    let mut loaded = validate(&figment, settings)?;
    loaded.ignored_variables = service_links
        .iter()
        .map(|name| format!("{ENV_PREFIX}{}", name.to_ascii_uppercase()))
        .collect();
    loaded.ignored_variables.sort();
    Ok(loaded)
}

/// `service_links` are the service-link variables found (lower case, without the prefix).
fn figment(file: Option<&Path>, service_links: Vec<String>) -> Figment {
    let mut figment = Figment::new();
    if let Some(file) = file {
        figment = figment.merge(Toml::file_exact(file));
    }
    // OUTFORCE_CONFIG names the file; OUTFORCE_TEST_* belong to the test harness; Kubernetes'
    // service-link variables are not settings.
    figment.merge(
        Env::prefixed(ENV_PREFIX)
            .ignore(&["config"])
            .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("test_"))
            .filter(move |key| !service_links.contains(&key.as_str().to_ascii_lowercase()))
            .split("__"),
    )
}

/// The variables Kubernetes gives every pod for a Service named `outforce` in its namespace
/// (`OUTFORCE_SERVICE_HOST`, `OUTFORCE_SERVICE_PORT[_NAME]`, `OUTFORCE_PORT=tcp://…`,
/// `OUTFORCE_PORT_8080_TCP[_PROTO|_PORT|_ADDR]`), as their lower-case names without the
/// prefix. `OUTFORCE_PORT` counts only with a `tcp://`, `udp://` or `sctp://` value, so a
/// mistaken `OUTFORCE_PORT=8080` is still refused as the unknown setting it is.
fn service_link_variables() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(key, value)| Some((key.into_string().ok()?, value.into_string().ok()?)))
        .filter_map(|(key, value)| {
            let rest = key.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
            is_service_link(&rest, &value).then_some(rest)
        })
        .collect()
}

fn is_service_link(name: &str, value: &str) -> bool {
    if name == "service_host" || name == "service_port" || name.starts_with("service_port_") {
        return true;
    }
    if name == "port" {
        return ["tcp://", "udp://", "sctp://"]
            .iter()
            .any(|scheme| value.starts_with(scheme));
    }
    // port_<number>_<protocol>[_proto|_port|_addr]
    let Some(rest) = name.strip_prefix("port_") else {
        return false;
    };
    let mut parts = rest.split('_');
    let number = parts
        .next()
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let protocol = parts
        .next()
        .is_some_and(|p| matches!(p, "tcp" | "udp" | "sctp"));
    let field = match parts.next() {
        None => true,
        Some(f) => matches!(f, "proto" | "port" | "addr"),
    };
    number && protocol && field && parts.next().is_none()
}

fn validate(figment: &Figment, settings: Settings) -> Result<Loaded, ConfigError> {
    let invalid = |key: &str, problem: String| ConfigError {
        setting: name(figment, key),
        problem,
    };

    let database_url = settings
        .database
        .url
        .clone()
        .unwrap_or_else(|| SecretString::from(settings.default_database_url()));
    if Dialect::of_url(database_url.expose_secret()).is_none() {
        let scheme = database_url
            .expose_secret()
            .split_once(':')
            .map_or("", |(s, _)| s);
        return Err(invalid(
            "database.url",
            format!("unknown database scheme `{scheme}`; use sqlite:// or postgres://"),
        ));
    }
    if settings.database.max_connections == 0 {
        return Err(invalid(
            "database.max_connections",
            "must be at least 1".into(),
        ));
    }
    if settings.jobs.lease_secs < 2 {
        return Err(invalid(
            "jobs.lease_secs",
            "must be at least 2 seconds".into(),
        ));
    }
    if settings.jobs.max_attempts < 1 {
        return Err(invalid("jobs.max_attempts", "must be at least 1".into()));
    }
    if settings.jobs.poll_interval_ms == 0 {
        return Err(invalid("jobs.poll_interval_ms", "must be above 0".into()));
    }
    if settings.http.max_link_waits == 0 {
        return Err(invalid("http.max_link_waits", "must be above 0".into()));
    }
    if settings.http.body_limit_bytes == 0 {
        return Err(invalid("http.body_limit_bytes", "must be above 0".into()));
    }
    super::addin::check(&settings).map_err(|e| invalid(e.key, e.problem))?;
    // Keys fetched in clear could be swapped by anyone on the path: Entra is HTTPS only.
    if !settings.entra.authority.starts_with("https://") {
        return Err(invalid(
            "entra.authority",
            format!(
                "must start with https:// (got {}): Entra's keys and metadata are fetched from it",
                settings.entra.authority
            ),
        ));
    }
    let version = settings.salesforce.api_version.split_once('.');
    let version_ok = version.is_some_and(|(major, minor)| {
        major.parse::<u16>().is_ok_and(|m| m >= 31) && minor.parse::<u16>().is_ok()
    });
    if !version_ok {
        return Err(invalid(
            "salesforce.api_version",
            "must be a REST API version such as 64.0 (31.0 or later, without the v)".into(),
        ));
    }
    let tls = match &settings.http.tls {
        Some(paths) => Some(tls::load(&paths.cert_path, &paths.key_path).map_err(|e| {
            let key = match e.file {
                tls::File::Certificate => "http.tls.cert_path",
                tls::File::Key => "http.tls.key_path",
            };
            invalid(key, e.to_string())
        })?),
        None => None,
    };
    Ok(Loaded {
        settings,
        database_url,
        tls,
        ignored_variables: Vec::new(),
    })
}

/// How the admin spelled `key`: the environment variable, the file and key, or the key alone.
fn name(figment: &Figment, key: &str) -> String {
    let from_env = |md: &figment::Metadata| md.name.contains("environment variable");
    match figment.find_metadata(key) {
        Some(md) if from_env(md) => env_var(key),
        Some(md) => match &md.source {
            Some(figment::Source::File(path)) => format!("`{key}` in {}", path.display()),
            _ => format!("`{key}`"),
        },
        None => format!("`{key}`"),
    }
}

fn env_var(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.replace('.', "__").to_ascii_uppercase()
    )
}

fn from_figment(figment: &Figment, error: figment::Error) -> ConfigError {
    let mut path = error.path.clone();
    if let figment::error::Kind::UnknownField(field, _) = &error.kind
        && path.last() != Some(field)
    {
        path.push(field.clone());
    }
    let key = path.join(".");
    let problem = match &error.kind {
        figment::error::Kind::UnknownField(..) => "no such setting".to_string(),
        kind => kind.to_string(),
    };
    // A file that is missing or not TOML has no key to name.
    if key.is_empty() {
        let setting = match error.metadata.as_ref().and_then(|m| m.source.as_ref()) {
            Some(figment::Source::File(file)) => file.display().to_string(),
            _ => "configuration".to_string(),
        };
        return ConfigError {
            setting,
            problem: error.to_string(),
        };
    }
    let setting = match &error.metadata {
        Some(md) if md.name.contains("environment variable") => env_var(&key),
        _ => name(figment, &key),
    };
    ConfigError { setting, problem }
}

/// The file named by `--config` or, failing that, `OUTFORCE_CONFIG`.
pub fn config_file(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| std::env::var_os("OUTFORCE_CONFIG").map(PathBuf::from))
}

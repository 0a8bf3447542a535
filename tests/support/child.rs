//! `outforce` as a process of its own, configured as an in-process instance is: what the crash
//! test kills and the memory benchmark measures.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use outforce::config::Settings;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

/// Starts `outforce <command>` with the configuration file `config`, logging to `log`.
pub fn start(command: &str, config: &Path, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut process = Command::new(env!("CARGO_BIN_EXE_outforce"));
    // Nothing of the caller's OUTFORCE_* settings leaks in: the file says everything.
    for (key, _) in std::env::vars() {
        if key.starts_with("OUTFORCE_") {
            process.env_remove(key);
        }
    }
    process
        .arg(command)
        .env("OUTFORCE_CONFIG", config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start outforce")
}

/// A configuration file's text with what a process needs to do what an in-process instance
/// with `settings` does: its database, the outside services (the emulators), the secrets that
/// open what it stored, its jobs, HTTP and sync settings.
pub fn config(settings: &Settings, database_url: &str) -> String {
    let secret = |s: &Option<secrecy::SecretString>| {
        s.as_ref()
            .map(|s| s.expose_secret().to_string())
            .unwrap_or_default()
    };
    let keys: Vec<&str> = settings
        .secrets
        .keys
        .iter()
        .map(|k| k.expose_secret())
        .collect();
    let jobs = &settings.jobs;
    let value = json!({
        "database": { "url": database_url },
        "http": { "port": settings.http.port, "public_url": settings.http.public_url },
        "jobs": {
            "workers": jobs.workers,
            "lease_secs": jobs.lease_secs,
            "poll_interval_ms": jobs.poll_interval_ms,
            "backoff_base_secs": jobs.backoff_base_secs,
            "backoff_max_secs": jobs.backoff_max_secs,
        },
        "sync": {
            "poll_interval_secs": settings.sync.poll_interval_secs,
            "sweep_interval_secs": settings.sync.sweep_interval_secs,
            "transient_retry_secs": settings.sync.transient_retry_secs,
        },
        "log": { "format": "json", "filter": "warn" },
        "entra": {
            "authority": settings.entra.authority,
            "client_id": settings.entra.client_id,
            "app_id_uri": settings.entra.app_id_uri,
        },
        "salesforce": {
            "consumer_key": settings.salesforce.consumer_key,
            "consumer_secret": secret(&settings.salesforce.consumer_secret),
            "login_url": settings.salesforce.login_url,
            "sandbox_login_url": settings.salesforce.sandbox_login_url,
        },
        "graph": {
            "base_url": settings.graph.base_url,
            "client_secret": secret(&settings.graph.client_secret),
        },
        "secrets": { "keys": keys },
        "outbound": { "extra_ca_files": settings.outbound.extra_ca_files },
    });
    toml_of(&value)
}

/// A two-level JSON object as TOML: a table per key, `key = value` lines with JSON's quoting
/// (which TOML's basic strings and arrays share for what these settings hold).
fn toml_of(value: &Value) -> String {
    let mut out = String::new();
    for (table, fields) in value.as_object().unwrap() {
        out.push_str(&format!("[{table}]\n"));
        for (key, field) in fields.as_object().unwrap() {
            if !field.is_null() {
                out.push_str(&format!("{key} = {field}\n"));
            }
        }
    }
    out
}

//! The commands that run the emulators inside the binary (the `sandbox` cargo feature, on by
//! default): `outforce demo`, the service beside the emulated Entra ID, Microsoft Graph and
//! Salesforce seeded with demo data, and `outforce sandbox`, the emulators alone.

mod web;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use outforce_sandbox::control::Control;
use outforce_sandbox::{Sandbox, demo};
use secrecy::SecretString;

use crate::config::{self, Loaded};
use crate::startup::Application;

#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Folder for the sandbox's CA certificate.
    #[arg(long, default_value = "outforce-sandbox")]
    pub dir: PathBuf,
    /// Where the service would receive Salesforce's OAuth redirect.
    #[arg(long, default_value = "http://127.0.0.1:8080/auth/salesforce/callback")]
    pub salesforce_callback: String,
    /// Demo-data file to seed (the format of sandbox/demo-data.json, which is the default).
    #[arg(long, value_name = "FILE")]
    pub demo_data: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Folder for the demo's SQLite file.
    #[arg(long, default_value = "outforce-demo")]
    pub data_dir: PathBuf,
    /// Port to serve on.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Demo-data file to seed (the format of sandbox/demo-data.json, which is the default).
    #[arg(long, value_name = "FILE")]
    pub demo_data: Option<PathBuf>,
}

fn demo_data(path: Option<&std::path::Path>) -> anyhow::Result<demo::DemoData> {
    match path {
        Some(path) => demo::DemoData::from_file(path),
        None => demo::DemoData::bundled(),
    }
}

/// The demo runs on its own SQLite file with readable logs, whatever the environment says
/// about the database, so it never touches a real deployment's data.
pub(super) fn demo_settings(loaded: &mut Loaded, args: &DemoArgs) {
    let url = format!("sqlite://{}", args.data_dir.join("outforce.db").display());
    loaded.settings.data_dir = Some(args.data_dir.clone());
    loaded.settings.database.url = Some(SecretString::from(url.clone()));
    loaded.database_url = SecretString::from(url);
    loaded.settings.http.port = args.port;
    loaded.settings.log.format = config::LogFormat::Pretty;
}

pub(super) async fn demo(
    mut loaded: Loaded,
    data_file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let data = demo_data(data_file)?;
    let data_dir = loaded.settings.data_dir.clone().unwrap_or_default();
    let afresh = start_afresh(&data_dir)?;
    let host = loaded.settings.http.host;
    let sandbox = Arc::new(Sandbox::start(&data_dir).context("starting the sandbox")?);
    let callback = format!(
        "http://{host}:{}/auth/salesforce/callback",
        loaded.settings.http.port
    );
    let accounts = demo::seed(&sandbox, &data, &callback).context("seeding the demo data")?;
    let control = Control::start(Arc::clone(&sandbox)).context("starting the control API")?;
    // The service signs reps in against the emulated Entra, trusting the sandbox's CA.
    let entra = &mut loaded.settings.entra;
    entra.authority = sandbox.entra.base_url().to_string();
    entra.client_id = Some(accounts.api_client_id.clone());
    entra.app_id_uri = Some(format!("api://localhost/{}", accounts.api_client_id));
    loaded
        .settings
        .outbound
        .extra_ca_files
        .push(sandbox.ca_file.clone());
    // Reps connect to the emulated Salesforce through the demo connected app.
    let salesforce = &mut loaded.settings.salesforce;
    salesforce.consumer_key = Some(accounts.salesforce_consumer_key.clone());
    salesforce.consumer_secret = Some(SecretString::from(
        demo::SALESFORCE_CONSUMER_SECRET.to_string(),
    ));
    salesforce.login_url = sandbox.salesforce.login_url().to_string();
    salesforce.sandbox_login_url = sandbox.salesforce.test_login_url().to_string();
    // Mailboxes are reached in the emulated Graph with the demo app registration's secret.
    let graph = &mut loaded.settings.graph;
    graph.base_url = sandbox.graph.base_url().to_string();
    graph.client_secret = Some(SecretString::from(demo::API_CLIENT_SECRET.to_string()));
    // Graph's notifications reach the demo over plain HTTP on this machine.
    sandbox.graph.allow_http_webhooks(true);
    if loaded.settings.http.public_url.is_none() && loaded.settings.http.port != 0 {
        loaded.settings.http.public_url =
            Some(format!("http://{host}:{}", loaded.settings.http.port));
    }
    if loaded.settings.secrets.keys.is_empty() {
        loaded.settings.secrets.keys = vec![demo_secret_key(&data_dir)?];
    }
    // The pane and the Connect dialog load the demo's stand-in for Office.js.
    loaded.settings.addin.office_js_url = crate::http::pane::asset_url("office-host")
        .context("the embedded pane has no office-host bundle")?;
    let routes = web::routes(Arc::clone(&sandbox), &accounts);
    let app = Application::build_with(loaded, crate::startup::registry(), Some(routes)).await?;
    bind_demo_org(&app, &accounts).await?;
    let base = format!("http://{host}:{}", app.port());
    println!(
        "outforce demo is running (SQLite file in {}/)",
        data_dir.display()
    );
    if afresh {
        println!(
            "  (it starts afresh each time: the emulators keep nothing between runs, so the \
             previous run's data was cleared)"
        );
    }
    println!("  open first: {base}/  (plays Outlook: the week's meetings and the task pane)");
    println!("  manifests:  {base}/manifest.xml  {base}/manifest.json");
    println!("  liveness:   {base}/healthz");
    println!("  readiness:  {base}/readyz");
    println!("  metrics:    {base}/metrics");
    println!("  API:        {base}/api/openapi.json");
    print_sandbox(&sandbox, &control, &accounts);
    println!("Press Ctrl-C to stop.");
    let served = app.run_until_stopped().await;
    control.stop().await;
    sandbox.stop().await;
    served
}

/// The demo's database from an earlier run, removed: its tokens, delta links and
/// subscriptions were the earlier emulators', which kept nothing (new keys, new ids, new
/// ports), so a demo started again on them would fail where a newcomer looks first. Our
/// choice: the demo starts clean and says so. `true` when there was one.
fn start_afresh(data_dir: &std::path::Path) -> anyhow::Result<bool> {
    let mut removed = false;
    for name in ["outforce.db", "outforce.db-wal", "outforce.db-shm"] {
        let path = data_dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
            removed = true;
        }
    }
    Ok(removed)
}

/// The demo tenant's admin has chosen its Salesforce org already: the demo rep connects at once.
async fn bind_demo_org(app: &Application, accounts: &demo::DemoAccounts) -> anyhow::Result<()> {
    use crate::ids::{EntraTenantId, OrgId};
    crate::storage::tenants::bind_entra_tenant_to_org(
        &app.state().db,
        &EntraTenantId::new(accounts.tenant_id.clone()),
        &OrgId::from(accounts.salesforce_org_id.clone()),
        crate::storage::now(),
    )
    .await
    .context("tying the demo tenant to the demo org")?;
    Ok(())
}

/// The demo's token-sealing key: made once, kept beside the demo's database (so connections
/// survive a restart of the demo), readable by its owner only.
fn demo_secret_key(data_dir: &std::path::Path) -> anyhow::Result<SecretString> {
    use base64::Engine as _;
    let path = data_dir.join("demo-secret.key");
    if !path.exists() {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes)
            .map_err(|_| anyhow::anyhow!("no randomness for the demo key"))?;
        let line = format!(
            "demo:{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        std::fs::create_dir_all(data_dir)?;
        std::fs::write(&path, line).with_context(|| format!("writing {}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let line =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(SecretString::from(line.trim().to_string()))
}

pub(super) async fn sandbox(args: &SandboxArgs) -> anyhow::Result<()> {
    let stop = crate::shutdown::StopSignal::listen()?;
    let data = demo_data(args.demo_data.as_deref())?;
    let sandbox = Arc::new(Sandbox::start(&args.dir).context("starting the sandbox")?);
    let accounts =
        demo::seed(&sandbox, &data, &args.salesforce_callback).context("seeding the demo data")?;
    let control = Control::start(Arc::clone(&sandbox)).context("starting the control API")?;
    println!("outforce sandbox is running");
    print_sandbox(&sandbox, &control, &accounts);
    println!("Press Ctrl-C to stop.");
    stop.recv().await;
    control.stop().await;
    sandbox.stop().await;
    Ok(())
}

fn print_sandbox(sandbox: &Sandbox, control: &Control, accounts: &demo::DemoAccounts) {
    println!(
        "  Entra ID:   {}  (tenant {}, API app {})",
        sandbox.entra.base_url(),
        accounts.tenant_id,
        accounts.api_client_id
    );
    println!(
        "  Graph:      {}/v1.0  (mailbox {}, {} meetings this week)",
        sandbox.graph.base_url(),
        demo::REP_USERNAME,
        accounts.mailbox_events
    );
    println!(
        "  Salesforce: {}  (org {}, rep {}, connected app {}, {} records)",
        sandbox.salesforce.base_url(),
        accounts.salesforce_org_id,
        demo::REP_USERNAME,
        accounts.salesforce_consumer_key,
        accounts.salesforce_records
    );
    println!(
        "  Salesforce login hosts: production {}  sandbox {}",
        sandbox.salesforce.login_url(),
        sandbox.salesforce.test_login_url()
    );
    println!(
        "  sandbox control API: {}/  (seed data, switch faults and limits; see the README)",
        control.base_url()
    );
    println!(
        "  sandbox CA: {}  (trust it, e.g. REQUESTS_CA_BUNDLE)",
        sandbox.ca_file.display()
    );
}

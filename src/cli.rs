//! The `outforce` command line.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::config::{self, Loaded};
use crate::startup::{self, Application};

#[cfg(feature = "sandbox")]
mod demo;
#[cfg(feature = "sandbox")]
use demo::{DemoArgs, SandboxArgs};

#[derive(Debug, Parser)]
#[command(
    name = "outforce",
    version,
    about = "Outlook meetings and contacts, synced with Salesforce"
)]
pub struct Cli {
    /// TOML settings file (also OUTFORCE_CONFIG); OUTFORCE_* variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the task pane and the manifest, with workers in-process.
    Serve(ServeArgs),
    /// Run workers only (several instances sharing PostgreSQL).
    Worker(WorkerArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the add-in manifest an admin uploads (the same as /manifest.xml or /manifest.json).
    Manifest(ManifestArgs),
    /// Print the API's OpenAPI document (as /api/openapi.json serves it): the task pane's types
    /// are generated from the copy in addin/openapi.json.
    Openapi,
    /// Run the demo: the service on a local SQLite file beside the emulated Entra ID, Microsoft
    /// Graph and Salesforce seeded with demo data, and print the URLs to open.
    #[cfg(feature = "sandbox")]
    Demo(DemoArgs),
    /// Start the emulated Entra ID, Microsoft Graph and Salesforce alone, and print their URLs.
    #[cfg(feature = "sandbox")]
    Sandbox(SandboxArgs),
}

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on, over http.port (OUTFORCE_HTTP__PORT); 0 picks a free one.
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on, over http.host (OUTFORCE_HTTP__HOST): 0.0.0.0 in a container.
    #[arg(long, value_name = "ADDRESS")]
    pub bind: Option<IpAddr>,
}

#[derive(Debug, clap::Args)]
pub struct ManifestArgs {
    /// `xml` (the add-in only manifest: every Outlook) or `json` (the unified manifest for
    /// Microsoft 365: Outlook on the web and on Windows).
    #[arg(long, value_enum, default_value = "xml")]
    pub format: ManifestFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ManifestFormat {
    Xml,
    Json,
}

#[derive(Debug, Default, clap::Args)]
pub struct WorkerArgs {
    /// Serve /healthz and /readyz on this port (for liveness and readiness probes); without
    /// it a worker serves no HTTP.
    #[arg(long, value_name = "PORT")]
    pub health_port: Option<u16>,
    /// Address the health port listens on (default: http.host).
    #[arg(long, value_name = "ADDRESS", requires = "health_port")]
    pub bind: Option<IpAddr>,
}

impl Cli {
    /// Loads the settings, starts logging, and runs the command.
    pub async fn run(self) -> anyhow::Result<()> {
        let file = config::load::config_file(self.config);
        #[cfg(feature = "sandbox")]
        let demo = matches!(self.command, Command::Demo(_));
        #[cfg(not(feature = "sandbox"))]
        let demo = false;
        let mut loaded = config::load::load_for(file.as_deref(), demo)?;
        #[cfg(feature = "sandbox")]
        if let Command::Demo(args) = &self.command {
            demo::demo_settings(&mut loaded, args);
        }
        crate::telemetry::init(&loaded.settings.log)?;
        if !loaded.ignored_variables.is_empty() {
            tracing::info!(
                variables = ?loaded.ignored_variables,
                "ignoring Kubernetes service-link variables (a Service named outforce): they are not settings"
            );
        }
        match self.command {
            Command::Serve(args) => {
                if let Some(port) = args.port {
                    loaded.settings.http.port = port;
                }
                if let Some(bind) = args.bind {
                    loaded.settings.http.host = bind;
                }
                serve(loaded).await
            }
            Command::Worker(args) => {
                let health = args.health_port.map(|port| {
                    SocketAddr::new(args.bind.unwrap_or(loaded.settings.http.host), port)
                });
                startup::run_workers_until_stopped(loaded, health).await
            }
            Command::Migrate => migrate(loaded).await,
            Command::Manifest(args) => print_manifest(&loaded, args.format),
            Command::Openapi => {
                println!("{}", crate::http::openapi::pretty());
                Ok(())
            }
            #[cfg(feature = "sandbox")]
            Command::Demo(args) => demo::demo(loaded, args.demo_data.as_deref()).await,
            #[cfg(feature = "sandbox")]
            Command::Sandbox(args) => demo::sandbox(&args).await,
        }
    }
}

async fn serve(loaded: Loaded) -> anyhow::Result<()> {
    let scheme = if loaded.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = loaded.settings.http.host;
    let app = Application::build(loaded).await?;
    tracing::info!(address = %format!("{scheme}://{host}:{}", app.port()), "serving");
    app.run_until_stopped().await
}

/// The manifest for the configured public URL (else the address `serve` listens on).
fn print_manifest(loaded: &Loaded, format: ManifestFormat) -> anyhow::Result<()> {
    let http = &loaded.settings.http;
    let base = http.public_url.clone().unwrap_or_else(|| {
        let scheme = if loaded.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}:{}", http.host, http.port)
    });
    let format = match format {
        ManifestFormat::Xml => crate::manifest::Format::Xml,
        ManifestFormat::Json => crate::manifest::Format::Json,
    };
    let manifest = crate::manifest::render(&loaded.settings, format, &base)
        .context("rendering the manifest")?;
    print!("{manifest}");
    Ok(())
}

async fn migrate(loaded: Loaded) -> anyhow::Result<()> {
    let db = startup::connect(&loaded).await?;
    db.migrate().await.context("migrating the database")?;
    db.close().await;
    tracing::info!("database schema is current");
    Ok(())
}

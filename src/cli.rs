//! The `outforce` command line.

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
    Serve,
    /// Run workers only (several instances sharing PostgreSQL).
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Run the demo: the service on a local SQLite file beside the emulated Entra ID, Microsoft
    /// Graph and Salesforce seeded with demo data, and print the URLs to open.
    #[cfg(feature = "sandbox")]
    Demo(DemoArgs),
    /// Start the emulated Entra ID, Microsoft Graph and Salesforce alone, and print their URLs.
    #[cfg(feature = "sandbox")]
    Sandbox(SandboxArgs),
}

impl Cli {
    /// Loads the settings, starts logging, and runs the command.
    pub async fn run(self) -> anyhow::Result<()> {
        let file = config::load::config_file(self.config);
        #[cfg_attr(
            not(feature = "sandbox"),
            expect(unused_mut, reason = "only the demo adjusts them")
        )]
        let mut loaded = config::load(file.as_deref())?;
        #[cfg(feature = "sandbox")]
        if let Command::Demo(args) = &self.command {
            demo::demo_settings(&mut loaded, args);
        }
        crate::telemetry::init(&loaded.settings.log)?;
        match self.command {
            Command::Serve => serve(loaded).await,
            Command::Worker => startup::run_workers_until_stopped(loaded).await,
            Command::Migrate => migrate(loaded).await,
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

async fn migrate(loaded: Loaded) -> anyhow::Result<()> {
    let db = startup::connect(&loaded).await?;
    db.migrate().await.context("migrating the database")?;
    db.close().await;
    tracing::info!("database schema is current");
    Ok(())
}

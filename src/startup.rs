//! Builds the service from its settings and runs it until stopped: the HTTP server, the
//! in-process workers, and the order in which they stop.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use tokio_util::sync::CancellationToken;
use tracing_actix_web::TracingLogger;

use crate::config::Loaded;
use crate::connections::ConnectionStore;
use crate::graph::Graph;
use crate::http::{self, envelope, request_span::RequestSpan};
use crate::identity::Identity;
use crate::jobs::worker::WorkerPool;
use crate::jobs::{Queue, Registry};
use crate::reps::Reps;
use crate::salesforce::Salesforce;
use crate::salesforce::session::Sessions;
use crate::salesforce::sign_in::SignIn;
use crate::secrets::Sealer;
use crate::shutdown::StopSignal;
use crate::state::AppState;
use crate::storage::{ConnectOptions, Db};
use crate::telemetry::metrics::Metrics;

/// Opens the configured database.
pub async fn connect(loaded: &Loaded) -> anyhow::Result<Db> {
    let settings = &loaded.settings;
    Db::connect(&ConnectOptions {
        url: loaded.database_url.clone(),
        max_connections: settings.database.max_connections,
        acquire_timeout: Duration::from_secs(settings.database.acquire_timeout_secs),
        busy_timeout: Duration::from_secs(settings.database.sqlite_busy_timeout_secs),
    })
    .await
    .context("connecting to the database (database.url)")
}

/// Opens the database (migrating it when configured to) and builds the shared state.
pub async fn build_state(loaded: &Loaded) -> anyhow::Result<AppState> {
    let settings = &loaded.settings;
    let db = connect(loaded).await?;
    if settings.database.migrate_on_start {
        db.migrate().await.context("migrating the database")?;
    }
    let http = crate::outbound::client(&settings.outbound)?;
    let sealer = Arc::new(Sealer::new(&settings.secrets.keys)?);
    let connections = ConnectionStore::new(db.clone(), Arc::clone(&sealer));
    let salesforce = Arc::new(Salesforce::new(&settings.salesforce, http.clone())?);
    let sessions = Sessions::new(Arc::clone(&salesforce), connections.clone(), db.clone());
    let graph = Graph::new(
        &settings.graph,
        &settings.entra,
        http.clone(),
        connections.clone(),
    )?;
    Ok(AppState {
        settings: Arc::new(settings.clone()),
        queue: Queue::new(db.clone(), settings.jobs.max_attempts),
        metrics: Metrics::new().context("creating the metrics registry")?,
        identity: Arc::new(Identity::new(settings.entra.clone(), http)),
        reps: Reps::new(db.clone()),
        sign_in: SignIn::new(sessions.clone(), db.clone(), Arc::clone(&sealer)),
        sealer,
        connections,
        salesforce,
        sessions,
        graph: Arc::new(graph),
        live: crate::live::LinkChanges::new(db.clone(), settings.http.max_link_waits),
        matches: crate::match_cache::MatchCache::default(),
        record_names: moka::future::Cache::builder()
            .max_capacity(200_000)
            .time_to_live(std::time::Duration::from_secs(5 * 60))
            .build(),
        policies: crate::storage::fresh::FreshCache::new(
            std::time::Duration::from_secs(5),
            100_000,
        ),
        member_groups: moka::future::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(std::time::Duration::from_secs(3600))
            .build(),
        db,
    })
}

/// The job kinds of the product.
pub fn registry() -> Registry<AppState> {
    crate::sync::jobs::register(Registry::new())
}

/// The HTTP server and the workers of one `serve` process.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    workers: WorkerPool,
    sweeper: Sweeper,
    /// Hears other instances' link changes (PostgreSQL).
    link_listener: (CancellationToken, tokio::task::JoinHandle<()>),
    /// Listening since `build`, so a stop request during start-up is not lost.
    stop: Option<StopSignal>,
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and starts the workers; nothing is served
    /// until [`Application::run_until`].
    pub async fn build(loaded: Loaded) -> anyhow::Result<Self> {
        Self::build_with_jobs(loaded, registry()).await
    }

    /// As [`Application::build`], with the job kinds given.
    pub async fn build_with_jobs(
        loaded: Loaded,
        registry: Registry<AppState>,
    ) -> anyhow::Result<Self> {
        Self::build_with(loaded, registry, None).await
    }

    /// As [`Application::build_with_jobs`], serving `routes` too (the demo's own pages).
    pub async fn build_with(
        loaded: Loaded,
        registry: Registry<AppState>,
        routes: Option<Routes>,
    ) -> anyhow::Result<Self> {
        let stop = StopSignal::listen().context("listening for SIGINT and SIGTERM")?;
        let state = build_state(&loaded).await?;
        let http = &loaded.settings.http;
        let listener = TcpListener::bind((http.host, http.port)).with_context(|| {
            format!("binding {}:{} (http.host, http.port)", http.host, http.port)
        })?;
        let port = listener.local_addr()?.port();
        let server = server(&state, listener, &loaded, routes)?;
        let workers = WorkerPool::start(
            loaded.settings.jobs.workers,
            &state.queue,
            Arc::new(registry),
            state.clone(),
            &loaded.settings.jobs,
        );
        // A process without workers (a web-only instance) leaves the sweeping to the workers.
        let sweeper = Sweeper::start(&state, loaded.settings.jobs.workers > 0);
        let stop_listening = CancellationToken::new();
        let link_listener = (
            stop_listening.clone(),
            tokio::spawn(state.live.clone().listen(stop_listening)),
        );
        Ok(Self {
            port,
            server,
            state,
            workers,
            sweeper,
            link_listener,
            stop: Some(stop),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT or SIGTERM (listened for since [`Application::build`]).
    pub async fn run_until_stopped(mut self) -> anyhow::Result<()> {
        match self.stop.take() {
            Some(stop) => self.run_until(stop.recv()).await,
            // Only `run_until_stopped` takes the signal, and it consumes the application.
            None => self.run_until(std::future::pending()).await,
        }
    }

    /// Serves until `stop` resolves, then stops gracefully: no new connections, in-flight
    /// requests finish (up to `http.shutdown_timeout_secs`), workers finish their current job,
    /// and the pool is closed.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        let handle: ServerHandle = self.server.handle();
        let mut server = tokio::spawn(self.server);
        let served = tokio::select! {
            result = &mut server => result,
            () = stop => {
                // Panes waiting here answer now and ask again elsewhere; the rest finish.
                self.state.live.close();
                handle.stop(true).await;
                server.await
            }
        };
        let grace = Duration::from_secs(self.state.settings.http.shutdown_timeout_secs);
        self.sweeper.stop().await;
        let (stop_listening, listening) = self.link_listener;
        stop_listening.cancel();
        let _ = listening.await;
        self.workers.shutdown(grace).await;
        self.state.db.close().await;
        served
            .context("the HTTP server task failed")?
            .context("the HTTP server failed")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Routes mounted beside the service's own (the demo's).
pub type Routes = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

fn server(
    state: &AppState,
    listener: TcpListener,
    loaded: &Loaded,
    routes: Option<Routes>,
) -> anyhow::Result<Server> {
    let data = web::Data::new(state.clone());
    let request_metrics = http::metrics::middleware(&state.metrics)?;
    let http_settings = &loaded.settings.http;
    let body_limit = http_settings.body_limit_bytes;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(envelope::middleware))
            .wrap(request_metrics.clone())
            .wrap(TracingLogger::<RequestSpan>::new())
            .app_data(data.clone())
            .configure(|cfg| {
                if let Some(routes) = &routes {
                    routes(cfg);
                }
            })
            .configure(http::app_config(body_limit))
            .configure(http::configure)
    })
    .disable_signals()
    .shutdown_timeout(http_settings.shutdown_timeout_secs);
    let server = match &loaded.tls {
        Some(tls) => server.listen_rustls_0_23(listener, tls.clone())?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}

/// A `worker` process: workers, and `/healthz` and `/readyz` on `health` when given, until
/// SIGINT or SIGTERM.
pub async fn run_workers_until_stopped(
    loaded: Loaded,
    health: Option<std::net::SocketAddr>,
) -> anyhow::Result<()> {
    let stop = StopSignal::listen().context("listening for SIGINT and SIGTERM")?;
    let state = build_state(&loaded).await?;
    let health_server = match health {
        Some(address) => {
            let listener = TcpListener::bind(address)
                .with_context(|| format!("binding {address} (worker --health-port, --bind)"))?;
            tracing::info!(address = %format!("http://{}", listener.local_addr()?), "serving health");
            let data = web::Data::new(state.clone());
            let body_limit = loaded.settings.http.body_limit_bytes;
            let server = HttpServer::new(move || {
                App::new()
                    .wrap(from_fn(envelope::middleware))
                    .app_data(data.clone())
                    .configure(http::app_config(body_limit))
                    .configure(http::health::configure)
            })
            .workers(1)
            .disable_signals()
            .listen(listener)?
            .run();
            let handle = server.handle();
            tokio::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let jobs = &loaded.settings.jobs;
    let count = jobs.workers.max(1);
    let workers = WorkerPool::start(
        count,
        &state.queue,
        Arc::new(registry()),
        state.clone(),
        jobs,
    );
    let sweeper = Sweeper::start(&state, true);
    tracing::info!(workers = count, "workers started");
    stop.recv().await;
    sweeper.stop().await;
    if let Some(handle) = health_server {
        handle.stop(true).await;
    }
    workers
        .shutdown(Duration::from_secs(
            loaded.settings.http.shutdown_timeout_secs,
        ))
        .await;
    state.db.close().await;
    Ok(())
}

/// The sync's sweeper task (`sync::watch::schedule`), when this process runs one.
struct Sweeper(Option<(CancellationToken, tokio::task::JoinHandle<()>)>);

impl Sweeper {
    fn start(state: &AppState, wanted: bool) -> Self {
        Self(wanted.then(|| {
            let stop = CancellationToken::new();
            let task = crate::sync::watch::schedule::spawn(state.clone(), stop.clone());
            (stop, task)
        }))
    }

    async fn stop(self) {
        if let Some((stop, task)) = self.0 {
            stop.cancel();
            let _ = task.await;
        }
    }
}

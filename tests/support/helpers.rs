//! `spawn_app()`: the whole service in-process on a fresh database and a free port.

use std::time::Duration;

use outforce::config::{self, Loaded};
use outforce::jobs::Registry;
use outforce::startup::{self, Application};
use outforce::state::AppState;
use secrecy::SecretString;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::db::{self, Backend};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    running: Option<JoinHandle<anyhow::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

/// A port nothing listens on now, for a server that must know its own port before it starts.
/// It is drawn from below Linux's ephemeral range (32768 and up), from which every port-0 bind
/// of the tests (the emulators, the other apps) comes, so none of them can take it before its
/// server binds; and this process hands each one out once.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id() % COUNT;
    loop {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % COUNT;
        let port = u16::try_from(FIRST + offset).unwrap();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Settings for a test instance on `database_url`: port 0, fast polling workers.
pub fn test_settings(database_url: &str) -> Loaded {
    let mut loaded = config::load(None).expect("default settings are valid");
    loaded.settings.http.port = 0;
    loaded.settings.http.shutdown_timeout_secs = 5;
    loaded.settings.database.url = Some(SecretString::from(database_url.to_string()));
    loaded.database_url = SecretString::from(database_url.to_string());
    loaded.settings.jobs.poll_interval_ms = 20;
    loaded
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let (url, dir) = db::fresh_url(backend).await;
    let mut app = spawn_with(test_settings(&url), startup::registry()).await;
    app._dir = dir;
    app
}

/// Starts an instance with the given settings and job kinds. With `OUTFORCE_TEST_LOG` set (a
/// filter such as `outforce=debug`), the instances' logs go to the test's output.
pub async fn spawn_with(loaded: Loaded, registry: Registry<AppState>) -> TestApp {
    static LOGS: std::sync::Once = std::sync::Once::new();
    if let Ok(filter) = std::env::var("OUTFORCE_TEST_LOG") {
        LOGS.call_once(|| {
            let mut settings = loaded.settings.log.clone();
            settings.filter = filter;
            // Another test binary's subscriber may be set already: the logs are a help only.
            let _ = outforce::telemetry::init(&settings);
        });
    }
    let application = Application::build_with_jobs(loaded, registry)
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", application.port());
    let state = application.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        state,
        stop: Some(stop),
        running: Some(running),
        _dir: None,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    /// `method path` as a signed-in caller, with an optional JSON body.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    /// [`TestApp::request`], answered: the status and the JSON body (`Null` when there is none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let response = self.request(method, path, token, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or_default())
    }

    /// Stops the instance gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(running) = self.running.take() {
            running
                .await
                .expect("app task")
                .expect("app stopped cleanly");
        }
    }
}

/// The date `offset` days from today (UTC), followed by `time`: `today_plus(2, "T15:00:00")`.
/// Meetings the sync reads from the mailbox must lie inside its window (14 days back, 28
/// ahead), so the tests date them from the day they run, never on fixed dates.
pub fn today_plus(offset: i64, time: &str) -> String {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(offset);
    format!("{day}{time}")
}

/// A count of days as [`today_plus`] takes it.
pub fn day(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

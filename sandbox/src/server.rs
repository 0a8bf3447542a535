//! Starting an emulator: an actix-web server over HTTPS on a free loopback port.

use std::net::TcpListener;
use std::sync::{Mutex, MutexGuard, PoisonError};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};

use crate::tls::Authority;

/// A running emulator server.
pub struct Running {
    /// `https://127.0.0.1:<port>`, no trailing slash.
    pub base_url: String,
    handle: ServerHandle,
}

impl Running {
    /// The port it listens on.
    pub fn port(&self) -> Option<u16> {
        self.base_url.rsplit_once(':')?.1.parse().ok()
    }

    /// Stops the server and waits for it.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// Serves the routes that `configure` mounts, with `data` as shared state.
pub fn start<T: Send + Sync + 'static>(
    authority: &Authority,
    data: web::Data<T>,
    configure: fn(&mut web::ServiceConfig),
) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || App::new().app_data(data.clone()).configure(configure))
        .workers(1)
        .disable_signals()
        .listen_rustls_0_23(listener, authority.server_config()?)?
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok(Running {
        base_url: format!("https://127.0.0.1:{port}"),
        handle,
    })
}

/// An emulator's in-memory state, shared by its handlers and its test API.
pub struct Shared<T>(Mutex<T>);

impl<T> Shared<T> {
    pub fn new(state: T) -> Self {
        Self(Mutex::new(state))
    }

    pub fn lock(&self) -> MutexGuard<'_, T> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Call counters by endpoint, as the emulators report them.
pub fn counts(
    calls: &std::collections::HashMap<&'static str, u64>,
) -> std::collections::BTreeMap<String, u64> {
    calls.iter().map(|(k, v)| ((*k).to_string(), *v)).collect()
}

/// Text for an HTML page (an element's content or a quoted attribute): the five characters
/// that could end either are written as entities, so nothing a record or a request holds
/// becomes markup.
pub(crate) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark should stop loudly at the first surprise"
)]
#![allow(
    dead_code,
    reason = "the shared test modules serve other binaries too; this one uses part of them"
)]

//! The whole life of a rep's connections, run with the product's JSON log captured with all of
//! outforce's own events (debug) and the libraries' at info: no token, secret, sign-in code or state, and no person's email or name, may appear in
//! the log; no token in any API response; and no token in clear in any database column.
//! Its own binary, because the log subscriber is global to a process.

#[path = "../support/db.rs"]
mod db;
#[path = "../support/eventually.rs"]
mod eventually;
#[path = "../support/helpers.rs"]
mod helpers;
#[path = "../support/signed_in.rs"]
mod signed_in;
#[path = "../support/world.rs"]
mod world;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use outforce::config::{LogFormat, LogSettings};
use outforce::storage::Db;
use outforce_sandbox::entra::TokenSpec;
use outforce_sandbox::salesforce::ConnectedApp;
use secrecy::ExposeSecret as _;

use signed_in::{API, TENANT};
use world::{CONSUMER_SECRET, GRAPH_CLIENT_SECRET, REP_A, World, world};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn install() -> Self {
        let capture = Self::default();
        let writer = capture.clone();
        let settings = LogSettings {
            format: LogFormat::Json,
            // What an operator turns on to look into outforce: all of its own events.
            filter: "info,outforce=debug".into(),
        };
        outforce::telemetry::init_with_writer(&settings, move || writer.clone()).unwrap();
        capture
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// What every sandbox token starts with or contains: a JWT (`{"` in base64url), a Salesforce
/// access token, a Salesforce refresh token.
const TOKEN_MARKERS: [&str; 3] = ["eyJ", "!AR8AQ", "5Aep861"];

/// What the flow saw that must stay out of the log.
#[derive(Default)]
struct Watched {
    /// Tokens: in no log, no response, no clear-text column.
    tokens: Vec<String>,
    /// The server's own secrets: in no log and no response.
    secrets: Vec<String>,
    /// The sign-in's ticket, code and state: in no log (the ticket is its own response's body).
    sign_in: Vec<String>,
    responses: Vec<String>,
}

impl Watched {
    /// Every token sealed in the database now, opened.
    async fn harvest(&mut self, w: &World) {
        let Db::Sqlite(pool) = &w.app.state.db else {
            panic!("this test runs on SQLite");
        };
        type Sealed = Option<Vec<u8>>;
        let rows: Vec<(Sealed, Sealed)> =
            sqlx::query_as("SELECT access_token_sealed, refresh_token_sealed FROM connections")
                .fetch_all(pool)
                .await
                .unwrap();
        for sealed in rows.into_iter().flat_map(|(a, r)| [a, r]).flatten() {
            let opened = w.app.state.sealer.open(&sealed).unwrap();
            self.tokens.push(opened.expose_secret().to_string());
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> (u16, String) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        self.responses.push(body.clone());
        (status, body)
    }
}

fn rep_token(w: &World, watched: &mut Watched) -> String {
    let mut spec = TokenSpec::user(TENANT, REP_A, API);
    spec.username = "avery@contoso.example".into();
    spec.name = "Avery Rep".into();
    let token = w.tenant.entra.mint(&spec).unwrap();
    watched.tokens.push(token.clone());
    token
}

#[tokio::test]
async fn no_token_secret_or_person_reaches_the_log_a_response_or_a_clear_column() {
    let log = Capture::install();
    let w = world().await;
    w.sf.add_connected_app(ConnectedApp {
        rotate_refresh_tokens: true,
        ..w.connected_app()
    });
    let mut watched = Watched::default();
    let sealing_key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    watched.secrets.extend([
        CONSUMER_SECRET.into(),
        GRAPH_CLIENT_SECRET.into(),
        sealing_key,
    ]);
    let api = |path: &str| format!("{}{path}", w.app.address);

    // Connect Salesforce through the dialog.
    let token = rep_token(&w, &mut watched);
    let (status, body) = watched
        .send(
            w.app
                .client
                .post(api("/api/v1/salesforce/connect-ticket"))
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(status, 201);
    let ticket: serde_json::Value = serde_json::from_str(&body).unwrap();
    watched
        .sign_in
        .push(ticket["ticket"].as_str().unwrap().to_string());
    let browser = world::browser(&w);
    let start = api(ticket["start_url"].as_str().unwrap());
    let callback = w.until_callback(&browser, &start).await.unwrap();
    let query = reqwest::Url::parse(&callback).unwrap();
    for (key, value) in query.query_pairs() {
        if key == "code" || key == "state" {
            watched.sign_in.push(value.into_owned());
        }
    }
    assert_eq!(w.page(&browser, &callback).await["code"], "connected");
    watched.harvest(&w).await;

    // Use it, through a session expiry (refresh, rotation), then Graph on the rep's behalf.
    let connection = || w.app.client.get(api("/api/v1/salesforce/connection"));
    assert_eq!(watched.send(connection().bearer_auth(&token)).await.0, 200);
    w.sf.expire_sessions(&w.sf_user_a);
    assert_eq!(watched.send(connection().bearer_auth(&token)).await.0, 200);
    let graph = w.app.client.get(api("/api/v1/graph/connection"));
    let (status, body) = watched.send(graph.bearer_auth(&token)).await;
    assert_eq!(status, 200, "{body}");
    watched.harvest(&w).await;

    // Revoked, then reconnected, then disconnected.
    w.sf.revoke_refresh_tokens(&w.sf_user_a);
    w.sf.expire_sessions(&w.sf_user_a);
    assert_eq!(watched.send(connection().bearer_auth(&token)).await.0, 409);
    assert_eq!(w.connect(REP_A).await, "connected");
    watched.harvest(&w).await;
    let me = w.app.client.get(api("/api/v1/me"));
    assert_eq!(watched.send(me.bearer_auth(&token)).await.0, 200);
    let disconnect = w.app.client.delete(api("/api/v1/salesforce/connection"));
    assert_eq!(watched.send(disconnect.bearer_auth(&token)).await.0, 204);

    // A hostile caller: a tampered token.
    let tampered = format!("{}x", rep_token(&w, &mut watched));
    let me = w.app.client.get(api("/api/v1/me"));
    assert_eq!(watched.send(me.bearer_auth(&tampered)).await.0, 401);

    // A hostile client: a request head over the HTTP parser's limit.
    let status_line = oversized_head(&w.app.address).await;
    assert!(status_line.starts_with("HTTP/1.1 431"), "{status_line}");

    let text = log.text();
    assert!(
        !text
            .lines()
            .any(|line| line.contains("\"ERROR\"") && line.contains("stream error")),
        "a client's malformed request is not an error of ours: {text}"
    );
    assert!(
        text.contains("reconnect needed"),
        "the capture holds the flow's log: {text}"
    );
    for marker in TOKEN_MARKERS {
        assert!(!text.contains(marker), "a token in the log ({marker})");
    }
    let everything = watched.tokens.iter().chain(&watched.secrets);
    for secret in everything.chain(&watched.sign_in) {
        assert!(!text.contains(secret.as_str()), "a secret in the log");
    }
    for person in ["contoso.example", "Avery", "Blake"] {
        assert!(!text.contains(person), "a person in the log: {person}");
    }
    for body in &watched.responses {
        for marker in TOKEN_MARKERS {
            assert!(!body.contains(marker), "a token in a response: {body}");
        }
        for secret in watched.tokens.iter().chain(&watched.secrets) {
            assert!(
                !body.contains(secret.as_str()),
                "a secret in a response: {body}"
            );
        }
    }
    assert_no_clear_tokens(&w, &watched).await;
}

/// Sends a request whose head is far over actix's limit; the status line that comes back.
async fn oversized_head(address: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "GET /healthz HTTP/1.1\r\nHost: {host}\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(256 * 1024)
    );
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Every column of every row that may hold a credential, read raw.
async fn assert_no_clear_tokens(w: &World, watched: &Watched) {
    let Db::Sqlite(pool) = &w.app.state.db else {
        panic!("this test runs on SQLite");
    };
    for table in ["connections", "salesforce_logins", "users", "tenants"] {
        let sql = format!("SELECT * FROM {table}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap();
        for row in rows {
            use sqlx::Row as _;
            for index in 0..row.len() {
                let raw: Option<Vec<u8>> = row.try_get_unchecked(index).unwrap_or(None);
                let text = String::from_utf8_lossy(raw.as_deref().unwrap_or_default()).into_owned();
                for marker in TOKEN_MARKERS {
                    assert!(!text.contains(marker), "{table}: a token in clear");
                }
                for secret in &watched.tokens {
                    assert!(!text.contains(secret.as_str()), "{table}: a token in clear");
                }
            }
        }
    }
}

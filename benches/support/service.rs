//! What the service benchmarks share: the Entra and Salesforce emulators with our app
//! registered, settings pointing the release-built service at them, and the service started
//! with one rep signed in, their tenant tied to the org and their Salesforce session stored
//! (as the Connect dialog would have left them).

#![allow(dead_code, reason = "each benchmark uses its own part of the harness")]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use outforce::config::Loaded;
use outforce::ids::{EntraTenantId, OrgId, SalesforceUserId};
use outforce::salesforce::session::ConnectedAs;
use outforce::startup::Application;
use outforce::state::AppState;
use outforce::storage::{self, tenants, users};
use outforce_sandbox::entra::{AppRegistration, Entra, TokenSpec};
use outforce_sandbox::salesforce::Salesforce;
use outforce_sandbox::tls::Authority;
use secrecy::SecretString;

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const API: &str = "2c3caa80-93f9-425e-8b85-0745f50c0d24";
pub const REP: &str = "6467882c-fdfd-4354-a1ed-4e13f064be25";
/// Our app registration's secret at the Entra emulator.
pub const APP_SECRET: &str = "bench";

/// The emulators, before the service starts.
pub struct Emulators {
    pub authority: Authority,
    pub entra: Entra,
    pub sf: Salesforce,
    pub org_id: String,
    pub sf_user_id: String,
    ca_file: PathBuf,
}

/// The running service, and the rep signed in to it.
pub struct Service {
    pub address: String,
    pub token: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub tenant: tenants::Tenant,
    pub user: users::User,
}

impl Emulators {
    /// Entra (our app registered, with `application_permissions`) and a Salesforce org with
    /// the rep's user; the sandbox's CA written into `dir`.
    pub fn start(dir: &Path, application_permissions: &[&str]) -> Self {
        let authority = Authority::new().unwrap();
        let entra = Entra::start(&authority).unwrap();
        entra.register_app(AppRegistration {
            tenant_id: TENANT.into(),
            client_id: API.into(),
            client_secret: APP_SECRET.into(),
            app_id_uri: format!("api://bench/{API}"),
            application_permissions: application_permissions
                .iter()
                .map(|p| p.to_string())
                .collect(),
        });
        let sf = Salesforce::start(&authority).unwrap();
        let org = sf.add_org("Bench", 10_000_000);
        let sf_user = sf.add_user(&org.id, "rep@bench.example", "Bench", "Rep");
        let ca_file = dir.join("ca.pem");
        authority.write_pem(&ca_file).unwrap();
        Self {
            authority,
            entra,
            sf,
            org_id: org.id,
            sf_user_id: sf_user.id,
            ca_file,
        }
    }

    /// The service's settings against the emulators, on `database_url`, quiet.
    pub fn settings(&self, database_url: &str) -> Loaded {
        let mut loaded = outforce::config::load(None).unwrap();
        let settings = &mut loaded.settings;
        settings.http.port = 0;
        settings.entra.authority = self.entra.base_url().into();
        settings.entra.client_id = Some(API.into());
        settings.entra.app_id_uri = Some(format!("api://bench/{API}"));
        settings.outbound.extra_ca_files = vec![self.ca_file.clone()];
        settings.salesforce.consumer_key = Some("bench-key".into());
        settings.salesforce.consumer_secret = Some(SecretString::from("bench-secret".to_string()));
        settings.salesforce.login_url = self.sf.login_url().into();
        let key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        settings.secrets.keys = vec![SecretString::from(format!("bench:{key}"))];
        // Keep the log out of the figures.
        settings.log.filter = "warn".into();
        settings.database.url = Some(SecretString::from(database_url.to_string()));
        loaded.database_url = SecretString::from(database_url.to_string());
        loaded
    }

    /// Signs the rep `object_id` in to the service at `address` as the Connect dialog would
    /// leave them: their first call made, the tenant tied to the org, their session as the
    /// Salesforce user `sf_user_id` stored. Their token, tenant and user.
    pub async fn sign_in(
        &self,
        state: &AppState,
        client: &reqwest::Client,
        address: &str,
        object_id: &str,
        sf_user_id: &str,
        username: &str,
    ) -> (String, tenants::Tenant, users::User) {
        let token = self
            .entra
            .mint(&TokenSpec::user(TENANT, object_id, API))
            .unwrap();
        let me = client
            .get(format!("{address}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        let org_id = OrgId::from(self.org_id.clone());
        let entra_tenant = EntraTenantId::new(TENANT);
        tenants::bind_entra_tenant_to_org(&state.db, &entra_tenant, &org_id, storage::now())
            .await
            .unwrap();
        let tenant = tenants::find_by_entra_id(&state.db, &entra_tenant)
            .await
            .unwrap()
            .unwrap();
        let user = users::find_by_object_id(&state.db, &tenant.id, &object_id.into())
            .await
            .unwrap()
            .unwrap();
        let access = SecretString::from(self.sf.issue_session(sf_user_id, "bench-key").unwrap());
        let connected = ConnectedAs {
            instance_url: self.sf.base_url(),
            org_id: &org_id,
            salesforce_user_id: &SalesforceUserId::from(sf_user_id.to_string()),
            username: Some(username),
            access_token: &access,
            refresh_token: None,
        };
        state.sessions.remember(&user.id, &connected).await.unwrap();
        (token, tenant, user)
    }

    /// Starts the service (workers included) and signs the rep in: their first call, the
    /// tenant tied to the org, their Salesforce session stored.
    /// With `OUTFORCE_TEST_LOG` set (a filter such as `outforce=info`), the service's logs go
    /// to standard error: what a stalled run did.
    pub async fn serve(&self, loaded: Loaded) -> Service {
        if let Ok(filter) = std::env::var("OUTFORCE_TEST_LOG") {
            let mut settings = loaded.settings.log.clone();
            settings.filter = filter;
            outforce::telemetry::init(&settings).unwrap();
        }
        let app = Application::build(loaded).await.unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        tokio::spawn(app.run_until(std::future::pending()));

        let client = reqwest::Client::new();
        let (token, tenant, user) = self
            .sign_in(
                &state,
                &client,
                &address,
                REP,
                &self.sf_user_id,
                "rep@bench.example",
            )
            .await;
        Service {
            address,
            token,
            client,
            state,
            tenant,
            user,
        }
    }
}

/// The service against the emulators and `graph` (the rep's mailbox reached by application
/// permission), its workers and sweeper running, the mailbox polled every `poll_secs` and
/// notified over plain HTTP on loopback (the public URL names the port, so it is chosen first).
pub async fn serve_watched(
    emulators: &Emulators,
    graph: &outforce_sandbox::graph::Graph,
    database_url: &str,
    poll_secs: u64,
) -> Service {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut loaded = emulators.settings(database_url);
    let settings = &mut loaded.settings;
    settings.http.port = port;
    settings.http.public_url = Some(format!("http://127.0.0.1:{port}"));
    settings.graph.base_url = graph.base_url().into();
    settings.graph.client_secret = Some(SecretString::from(APP_SECRET.to_string()));
    settings.sync.sweep_interval_secs = 1;
    settings.sync.poll_interval_secs = poll_secs;
    let service = emulators.serve(loaded).await;
    let mode = tenants::GraphAccessMode::Application;
    tenants::set_graph_access_mode(&service.state.db, &service.tenant.id, mode, storage::now())
        .await
        .unwrap();
    service
}

/// Once no job runs or is due (the next poll may wait): what was queued has been done.
pub async fn until_idle(state: &AppState) {
    let mut quiet = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while quiet < 3 {
        let busy = storage::jobs::busy(&state.db, storage::now())
            .await
            .unwrap();
        quiet = if busy == 0 { quiet + 1 } else { 0 };
        assert!(
            std::time::Instant::now() < deadline,
            "the queue never went idle"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Every call an emulator counted.
pub fn total(calls: &std::collections::BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// The `p`th percentile, in milliseconds.
pub fn percentile(samples: &mut [std::time::Duration], p: usize) -> u128 {
    samples.sort_unstable();
    let index = (samples.len() * p).div_ceil(100).saturating_sub(1);
    samples[index.min(samples.len() - 1)].as_millis()
}

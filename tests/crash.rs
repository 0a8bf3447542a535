//! Crash safety of the sync: 1,000 selected meetings (20 pairs of them twins: the same owner,
//! subject, start, end and place, as a double-booked "Lunch") synced by `outforce worker`
//! processes that are killed (`SIGKILL`, no chance to clean up) at random moments and started
//! again. However the kills fall, the run completes with exactly one Salesforce Event per
//! meeting, every link names its own Event, and every meeting's history says it was created.
//! With the key field and without; on SQLite, on PostgreSQL with two workers, and with the
//! pane's calls answered by a separate `outforce serve` process that is killed in turn.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use outforce::storage;
use outforce::storage::event_links::{self, LinkState};
use outforce::storage::history;
use outforce::sync::model::history::Action;
use outforce_sandbox::salesforce::faults::Fault;
use serde_json::json;

use crate::db::{self, Backend};
use crate::eventually::eventually;
use crate::helpers::{day, free_port, today_plus};
use crate::world::{REP_A, World, key_field, world_with};
use crate::{child, process};

const MEETINGS: usize = 1000;
const KILLS: usize = 10;
/// Printed, so that a failing run's kill moments can be replayed.
const SEED: u64 = 0x5eed_c4a5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_leave_exactly_one_event_per_meeting_on_sqlite() {
    crash_run(Backend::Sqlite, 1, Key::None, Pane::InProcess).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_killed_workers_on_postgresql_leave_exactly_one_event_per_meeting() {
    crash_run(Backend::Postgres, 2, Key::None, Pane::InProcess).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_upserting_by_key_leave_exactly_one_event_per_meeting() {
    crash_run(Backend::Sqlite, 1, Key::Field, Pane::InProcess).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_serve_and_worker_processes_on_postgresql_leave_exactly_one_event_per_meeting() {
    crash_run(Backend::Postgres, 1, Key::None, Pane::ServeProcess).await;
}

/// Whether the org has the meeting key field (writes are upserts) or not (an interrupted write
/// is looked for by what its intent recorded).
#[derive(Debug, Clone, Copy)]
enum Key {
    None,
    Field,
}

/// Who answers the pane's calls: the test's own instance, or an `outforce serve` process
/// (killed with the workers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    InProcess,
    ServeProcess,
}

async fn crash_run(backend: Backend, processes: usize, key: Key, pane: Pane) {
    let (url, _dir) = db::fresh_url(backend).await;
    let database = url.clone();
    // The test's own instance only answers the pane (or nothing): every job is the worker
    // processes'.
    let w = world_with(move |loaded| {
        loaded.settings.jobs.workers = 0;
        loaded.settings.database.url = Some(database.clone().into());
        loaded.database_url = database.into();
    })
    .await;
    if let Key::Field = key {
        w.sf.add_field(&w.org_id, "Event", key_field()).unwrap();
    }
    w.connect(REP_A).await;
    // Calls that take a moment, so that kills fall between a write and its record too.
    w.sf.randomize_faults(SEED, 1.0, vec![Fault::Latency(Duration::from_millis(15))]);
    w.graph.set_latency(Duration::from_millis(5));

    let dir = tempfile::tempdir().unwrap();
    // A short lease, so that the jobs a killed worker held are taken up again soon.
    let mut settings = (*w.app.state.settings).clone();
    settings.jobs.workers = 4;
    settings.jobs.lease_secs = 2;
    settings.jobs.poll_interval_ms = 50;
    settings.jobs.backoff_base_secs = 1;
    settings.jobs.backoff_max_secs = 2;
    settings.sync.transient_retry_secs = 1;
    let config = dir.path().join("worker.toml");
    std::fs::write(&config, child::config(&settings, &url)).unwrap();
    let mut serve = match pane {
        Pane::ServeProcess => Some(Serve::start(&settings, &url, dir.path()).await),
        Pane::InProcess => None,
    };
    let pane_at = |serve: &Option<Serve>| match serve {
        Some(serve) => serve.address.clone(),
        None => w.app.address.clone(),
    };
    let half = MEETINGS / 2;
    for n in 0..half {
        w.select(&pane_at(&serve), n).await;
    }
    let mut workers: Vec<Child> = (0..processes)
        .map(|i| start_worker(&config, dir.path(), i))
        .collect();
    let mut random = XorShift(SEED);
    let mut mid_run = false;
    println!("crash run on {backend:?}, key {key:?}, pane {pane:?}, seed {SEED:#x}");
    for kill in 0..KILLS {
        let wait = Duration::from_millis(150 + random.next() % 900);
        tokio::time::sleep(wait).await;
        let victim = kill % processes;
        workers[victim].kill().unwrap();
        workers[victim].wait().unwrap();
        w.never_doubled(&format!("after kill {}", kill + 1));
        let synced = w.links_in(LinkState::Synced).await;
        println!(
            "kill {} after {} ms: {synced} of {MEETINGS} synced, {} Events",
            kill + 1,
            wait.as_millis(),
            w.events_by_subject().values().map(Vec::len).sum::<usize>()
        );
        mid_run |= synced < MEETINGS;
        workers[victim] = start_worker(&config, dir.path(), victim);
        // The rest of the selections arrive while the workers are being killed; through a
        // `serve` process, itself killed every other time.
        let from = half + kill * half / KILLS;
        let to = half + (kill + 1) * half / KILLS;
        if let Some(process) = serve.as_mut().filter(|_| kill % 2 == 1) {
            process.restart(&settings, &url, dir.path()).await;
        }
        for n in from..to {
            w.select(&pane_at(&serve), n).await;
        }
    }

    assert!(mid_run, "the kills fell before the run had finished");
    w.until_links_in(LinkState::Synced, MEETINGS, Duration::from_secs(240))
        .await;
    for mut worker in workers {
        worker.kill().unwrap();
        worker.wait().unwrap();
    }
    drop(serve);
    w.never_doubled("at the end");
    println!("Salesforce calls of the run: {:?}", w.sf.all_calls());
    w.every_link_names_its_own_event().await;
    w.every_history_says_created().await;
    let counts = storage::jobs::counts(&w.app.state.db).await.unwrap();
    assert_eq!(counts.dead, 0, "no job given up: {counts:?}");
}

/// An `outforce serve` process answering the pane on its own port.
struct Serve {
    process: process::Killed,
    address: String,
}

impl Serve {
    async fn start(settings: &outforce::config::Settings, url: &str, dir: &Path) -> Self {
        let port = free_port();
        let mut settings = settings.clone();
        settings.http.port = port;
        settings.jobs.workers = 0;
        let config = dir.join("serve.toml");
        std::fs::write(&config, child::config(&settings, url)).unwrap();
        let process = process::Killed(child::start("serve", &config, &dir.join("serve.log")));
        let address = format!("http://127.0.0.1:{port}");
        eventually("serve listening", Duration::from_secs(10), || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await
        })
        .await;
        Self { process, address }
    }

    /// Killed (`SIGKILL`) and started again.
    async fn restart(&mut self, settings: &outforce::config::Settings, url: &str, dir: &Path) {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
        *self = Self::start(settings, url, dir).await;
    }
}

/// Meetings 1, 51, 101, … are twins of the meeting before them.
fn twin_of(n: usize) -> Option<usize> {
    (n % 50 == 1).then(|| n - 1)
}

fn subject(n: usize) -> String {
    format!("Crash-safe {}", twin_of(n).unwrap_or(n))
}

fn outlook_id(n: usize) -> String {
    format!("AAMkADk0-crash_{n}=")
}

impl World {
    /// The pane's selection of meeting `n`, through the instance at `address`.
    async fn select(&self, address: &str, n: usize) {
        let at = twin_of(n).unwrap_or(n);
        let time = |minutes: usize| {
            today_plus(
                day(at / 60) - 3,
                &format!(
                    "T{:02}:{:02}:00Z",
                    8 + (at / 6) % 10,
                    (at % 6) * 10 + minutes
                ),
            )
        };
        let body = json!({
            "who_ids": [],
            "sync": true,
            "meeting": { "subject": subject(n), "start": time(0), "end": time(5) },
        });
        let path = format!("/api/v1/events/{}/link", outlook_id(n));
        // The serve process may be starting again: the pane tries again.
        let what = format!("the pane's call reached {address}");
        let answer = eventually(&what, Duration::from_secs(5), || async {
            reqwest::Client::new()
                .put(format!("{address}{path}"))
                .bearer_auth(self.token(REP_A))
                .json(&body)
                .send()
                .await
        })
        .await;
        assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
    }

    /// How many Events each subject should have: two for twins, one for the others.
    fn expected_per_subject() -> HashMap<String, usize> {
        let mut expected = HashMap::new();
        for n in 0..MEETINGS {
            *expected.entry(subject(n)).or_default() += 1;
        }
        expected
    }

    fn never_doubled(&self, when: &str) {
        let expected = Self::expected_per_subject();
        let doubled: Vec<_> = self
            .events_by_subject()
            .into_iter()
            .filter(|(subject, ids)| ids.len() > expected.get(subject).copied().unwrap_or(0))
            .collect();
        assert!(
            doubled.is_empty(),
            "{when}: meetings written twice: {doubled:?}"
        );
    }

    async fn every_link_names_its_own_event(&self) {
        let events = self.events_by_subject();
        assert_eq!(
            events.values().map(Vec::len).sum::<usize>(),
            MEETINGS,
            "one Event per meeting, none missing"
        );
        let user = self.user(REP_A).await;
        let mut named = HashSet::new();
        for n in 0..MEETINGS {
            let link =
                event_links::find_by_outlook_id(&self.app.state.db, &user.id, &outlook_id(n))
                    .await
                    .unwrap()
                    .unwrap();
            let id = link
                .salesforce_event_id
                .expect("synced links name their Event");
            assert!(events[&subject(n)].contains(&id), "meeting {n}");
            assert!(named.insert(id), "two links name one Event");
        }
    }

    /// Every meeting's history has exactly one `created` (by the attempt that wrote it, or
    /// found again after its answer was lost): no hole, whatever the kills interrupted.
    async fn every_history_says_created(&self) {
        let user = self.user(REP_A).await;
        for n in 0..MEETINGS {
            let link =
                event_links::find_by_outlook_id(&self.app.state.db, &user.id, &outlook_id(n))
                    .await
                    .unwrap()
                    .unwrap();
            let entries = history::list_for_link(&self.app.state.db, &link.id)
                .await
                .unwrap();
            let created = entries
                .iter()
                .filter(|e| e.action == Action::Created)
                .count();
            let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(created, 1, "meeting {n}: {actions:?}");
        }
    }
}

/// `outforce worker`, configured as the test's instance is, logging to a file of `dir`.
fn start_worker(config: &Path, dir: &Path, i: usize) -> Child {
    child::start("worker", config, &dir.join(format!("worker-{i}.log")))
}

/// Random enough for kill moments, and the same for the same seed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

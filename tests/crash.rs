//! Crash safety of the sync: 1,000 selected meetings synced by `outforce worker` processes that
//! are killed (`SIGKILL`, no chance to clean up) at random moments and started again. However
//! the kills fall, the run completes with exactly one Salesforce Event per meeting, and every
//! link names its own Event.

use std::collections::HashSet;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use outforce::storage;
use outforce::storage::event_links::{self, LinkState};
use outforce_sandbox::salesforce::faults::Fault;
use reqwest::Method;
use serde_json::json;

use crate::child;
use crate::db::{self, Backend};
use crate::helpers::{day, today_plus};
use crate::world::{REP_A, World, world_with};

const MEETINGS: usize = 1000;
const KILLS: usize = 10;
/// Printed, so that a failing run's kill moments can be replayed.
const SEED: u64 = 0x5eed_c4a5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_leave_exactly_one_event_per_meeting_on_sqlite() {
    crash_run(Backend::Sqlite, 1, Key::None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_killed_workers_on_postgresql_leave_exactly_one_event_per_meeting() {
    crash_run(Backend::Postgres, 2, Key::None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_upserting_by_key_leave_exactly_one_event_per_meeting() {
    crash_run(Backend::Sqlite, 1, Key::Field).await;
}

/// Whether the org has the meeting key field (writes are upserts) or not (an interrupted write
/// is looked for by owner, start and subject).
#[derive(Debug, Clone, Copy)]
enum Key {
    None,
    Field,
}

async fn crash_run(backend: Backend, processes: usize, key: Key) {
    let (url, _dir) = db::fresh_url(backend).await;
    let database = url.clone();
    // The test's own instance only answers the pane: every job is the worker processes'.
    let w = world_with(move |loaded| {
        loaded.settings.jobs.workers = 0;
        loaded.settings.database.url = Some(database.clone().into());
        loaded.database_url = database.into();
    })
    .await;
    if let Key::Field = key {
        use outforce_sandbox::salesforce::schema::{Field, Kind, TextFlavor};
        let text = Kind::Text {
            flavor: TextFlavor::String,
            length: 255,
        };
        let field = Field::new("Outforce_Key__c", "Outforce Key", text).external_id();
        w.sf.add_field(&w.org_id, "Event", field).unwrap();
    }
    w.connect(REP_A).await;
    // Calls that take a moment, so that kills fall between a write and its record too.
    w.sf.randomize_faults(SEED, 1.0, vec![Fault::Latency(Duration::from_millis(15))]);
    w.graph.set_latency(Duration::from_millis(5));
    for n in 0..MEETINGS {
        w.select(n).await;
    }

    let dir = tempfile::tempdir().unwrap();
    // A short lease, so that the jobs a killed worker held are taken up again soon.
    let mut settings = (*w.app.state.settings).clone();
    settings.jobs.workers = 4;
    settings.jobs.lease_secs = 2;
    settings.jobs.poll_interval_ms = 50;
    settings.jobs.backoff_base_secs = 1;
    settings.jobs.backoff_max_secs = 2;
    let config = dir.path().join("worker.toml");
    std::fs::write(&config, child::config(&settings, &url)).unwrap();
    let mut workers: Vec<Child> = (0..processes)
        .map(|i| start_worker(&config, dir.path(), i))
        .collect();
    let mut random = XorShift(SEED);
    let mut mid_run = false;
    println!("crash run on {backend:?}, key {key:?}, seed {SEED:#x}");
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
            w.events_by_subject().len()
        );
        mid_run |= synced < MEETINGS;
        workers[victim] = start_worker(&config, dir.path(), victim);
    }

    assert!(mid_run, "the kills fell before the run had finished");
    w.until_links_in(LinkState::Synced, MEETINGS, Duration::from_secs(240))
        .await;
    for mut worker in workers {
        worker.kill().unwrap();
        worker.wait().unwrap();
    }
    w.never_doubled("at the end");
    println!("Salesforce calls of the run: {:?}", w.sf.all_calls());
    w.every_link_names_its_own_event().await;
    let counts = storage::jobs::counts(&w.app.state.db).await.unwrap();
    assert_eq!(counts.dead, 0, "no job given up: {counts:?}");
}

impl World {
    async fn select(&self, n: usize) {
        let body = json!({
            "who_ids": [],
            "sync": true,
            "meeting": {
                "subject": subject(n),
                "start": today_plus(day(n / 60) - 3, &format!("T{:02}:{:02}:00Z", 8 + (n / 6) % 10, (n % 6) * 10)),
                "end": today_plus(day(n / 60) - 3, &format!("T{:02}:{:02}:00Z", 8 + (n / 6) % 10, (n % 6) * 10 + 5)),
            },
        });
        let path = format!("/api/v1/events/{}/link", outlook_id(n));
        let (status, link) = self.rep_call(REP_A, Method::PUT, &path, Some(body)).await;
        assert_eq!(status, 200, "{link}");
    }

    fn never_doubled(&self, when: &str) {
        let doubled: Vec<_> = self
            .events_by_subject()
            .into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .collect();
        assert!(
            doubled.is_empty(),
            "{when}: meetings written twice: {doubled:?}"
        );
    }

    async fn every_link_names_its_own_event(&self) {
        let events = self.events_by_subject();
        assert_eq!(
            events.len(),
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
            assert_eq!(
                events[&subject(n)],
                std::slice::from_ref(&id),
                "meeting {n}"
            );
            assert!(named.insert(id), "two links name one Event");
        }
    }
}

fn subject(n: usize) -> String {
    format!("Crash-safe {n}")
}

fn outlook_id(n: usize) -> String {
    format!("AAMkADk0-crash_{n}=")
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

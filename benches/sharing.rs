//! Sharing through the clinic server, on a real PostgreSQL started here (tests/server/postgres.rs)
//! and the clinic's tenth year (benches/support): the laptop holding the history shares it, a new
//! laptop joins (the whole record pulled, ready to sign in), a clinic day's changes are pushed, an
//! entry charted on one laptop is seen on the other, and 20 laptops chart a reading a second each. Run with
//! `cargo bench --bench sharing`; INFUSION_BENCH_SESSIONS as for the other benchmarks. The figures
//! are in the README.

#[allow(dead_code)]
#[path = "../tests/server/postgres.rs"]
mod postgres;
mod support;

use std::time::{Duration, Instant};

use infusion_chart::app::clinic::Nothing;
use infusion_chart::app::sharing::{level_slots, round};
use infusion_chart::domain::sync::Change;
use infusion_chart::outside::keyring::Keyring;
use infusion_chart::storage::server::{add_laptop, init, Link, ServerAddress};
use infusion_chart::storage::Db;
use infusion_chart::Clinic;
use postgres::Postgres;
use rusqlite::Connection;
use support::{credentials, new_session, ten_years, vitals};

/// Weekdays in the demo history's ten years: the clinic's days.
const WEEKDAYS_IN_TEN_YEARS: i64 = 2_609;

struct Server {
    pg: Postgres,
    ca_pem: String,
}

impl Server {
    fn database(&self, db: &str) -> ServerAddress {
        self.pg.create_database(db);
        let owner = ServerAddress {
            url: self.pg.url(db),
            ca_pem: self.ca_pem.clone(),
        };
        init(&owner).unwrap();
        owner
    }

    fn enrol(&self, owner: &ServerAddress, db: &str, name: &str) -> ServerAddress {
        let secret = format!("{name}-bench-secret");
        add_laptop(owner, name, &secret).unwrap();
        ServerAddress {
            url: format!("postgresql://{name}:{secret}@127.0.0.1:{}/{db}", self.pg.port),
            ca_pem: self.ca_pem.clone(),
        }
    }
}

fn main() {
    let pg = Postgres::start();
    let ca_pem = std::fs::read_to_string(pg.ca()).unwrap();
    let server = Server { pg, ca_pem };
    let owner = server.database("clinic");

    // 1. The laptop that holds the clinic's ten years shares them; the first average clinic day's
    // worth of changes is timed on its own (the history's changes over its ten years of weekdays).
    let history = ten_years();
    let first = server.enrol(&owner, "clinic", "chair-1");
    let mut db = Db::open(&history.database, Some(&history.key)).unwrap();
    let mut keyring = Keyring::load(&Keyring::path_beside(&history.database))
        .unwrap()
        .unwrap();
    level_slots(&mut keyring, &mut db).unwrap();
    let started = Instant::now();
    db.join_clinic("chair-1", &first.url, &server.ca_pem, true, chrono::Utc::now())
        .unwrap();
    let queued = db.sync_state().unwrap().waiting;
    let queue_time = started.elapsed();
    let link = Link::connect(&first).unwrap();
    let day = (queued / WEEKDAYS_IN_TEN_YEARS).max(1) as u32;
    let started = Instant::now();
    let batch = db.outbox(day).unwrap();
    let ack = link.push(&batch).unwrap();
    db.pushed(&batch, &ack).unwrap();
    let day_time = started.elapsed();
    let rest = round(&mut db, &link).unwrap();
    let push_time = started.elapsed();
    println!(
        "an average clinic day of the history ({day} changes: rows and audit entries) pushed in {:.2} s",
        day_time.as_secs_f64()
    );
    println!(
        "share the history ({} sessions): {queued} changes queued in {:.1} s, pushed in {:.1} s ({:.0} changes/s)",
        history.sessions,
        queue_time.as_secs_f64(),
        push_time.as_secs_f64(),
        (rest.pushed + batch.len()) as f64 / push_time.as_secs_f64()
    );
    drop((db, link));

    // 2. A new laptop joins: the data key from a user's slot, the whole record pulled.
    let new = tempfile::tempdir().unwrap();
    let second = server.enrol(&owner, "clinic", "chair-2");
    let joining = Clinic::open(&new.path().join("infusion-chart.db")).unwrap();
    let started = Instant::now();
    let mut last_report = Instant::now();
    joining
        .join_new_laptop(&second.url, &server.ca_pem, &credentials(), &mut |done, of| {
            if last_report.elapsed() > Duration::from_secs(10) {
                eprintln!(
                    "  joining: change {done} of {of}, {:.0} s",
                    started.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
        })
        .unwrap();
    let pulled = started.elapsed();
    joining.login(credentials()).unwrap();
    println!(
        "a new laptop joins and is signed in, ready to chart: {:.1} s ({:.1} s pulling)",
        started.elapsed().as_secs_f64(),
        pulled.as_secs_f64()
    );

    // 3. An entry charted on one laptop, seen on the other (both workers running).
    history.clinic.logout(Nothing {}).unwrap();
    history.clinic.login(credentials()).unwrap();
    let mut seen = entry_latencies(&history.clinic, &new.path().join("infusion-chart.db"), &history.key, 20);
    seen.sort();
    println!(
        "an entry charted on one laptop is on the other after: median {:.2} s, slowest {:.2} s (of {})",
        seen[seen.len() / 2].as_secs_f64(),
        seen[seen.len() - 1].as_secs_f64(),
        seen.len()
    );
    history.clinic.logout(Nothing {}).unwrap();
    joining.logout(Nothing {}).unwrap();

    // 4. Twenty laptops charting a reading a second each, for 30 s.
    let load_owner = server.database("load");
    twenty_laptops(&server, &load_owner);
}

/// Charts `n` readings on `charting`, each once the one before is seen in the other laptop's file.
fn entry_latencies(charting: &Clinic, other: &std::path::Path, key: &str, n: usize) -> Vec<Duration> {
    let session = new_session(charting, 0);
    infusion_chart::storage::start();
    let watch = Connection::open(other).unwrap();
    watch.pragma_update(None, "key", key).unwrap();
    let count = || -> i64 {
        watch
            .query_row("SELECT count(*) FROM vitals", [], |r| r.get(0))
            .unwrap()
    };
    (0..n)
        .map(|i| {
            let before = count();
            let charted = Instant::now();
            charting.add_vitals(vitals(session, i as u64)).unwrap();
            while count() == before {
                assert!(charted.elapsed() < Duration::from_secs(60), "not seen within 60 s");
                std::thread::sleep(Duration::from_millis(10));
            }
            let seen = charted.elapsed();
            // Readings a nurse charts are minutes apart; a pause keeps each measured on its own.
            std::thread::sleep(Duration::from_millis(700));
            seen
        })
        .collect()
}

/// 20 laptops each push one reading a second for 30 s while a 21st pulls; how long each push takes
/// and how far behind the puller is at the end.
fn twenty_laptops(server: &Server, owner: &ServerAddress) {
    const LAPTOPS: usize = 20;
    const SECONDS: i64 = 30;
    let laptops: Vec<ServerAddress> = (0..LAPTOPS)
        .map(|i| server.enrol(owner, "load", &format!("load-{i}")))
        .collect();
    let reader = Link::connect(&server.enrol(owner, "load", "reader")).unwrap();
    let mut pushes: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = laptops
            .iter()
            .map(|address| {
                scope.spawn(move || {
                    let link = Link::connect(address).unwrap();
                    let start = Instant::now();
                    (1..=SECONDS)
                        .map(|seq| {
                            let due = start + Duration::from_secs(seq as u64 - 1);
                            std::thread::sleep(due.saturating_duration_since(Instant::now()));
                            let change = Change {
                                seq,
                                table: "patients".into(),
                                uid: format!("{}/{seq}", address.url),
                                base: 0,
                                row: serde_json::json!({"mrn": format!("{seq}"), "weight_kg": 70.0}),
                                row_id: seq,
                            };
                            let sent = Instant::now();
                            link.push(&[change]).unwrap();
                            sent.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let mut after = 0;
    let mut pulled = 0;
    loop {
        let batch = reader.pull(after, 1000).unwrap();
        let Some(last) = batch.last() else { break };
        after = last.server_seq;
        pulled += batch.len();
    }
    pushes.sort();
    println!(
        "{LAPTOPS} laptops, a reading a second each for {SECONDS} s: push median {:.1} ms, 99th percentile {:.1} ms, slowest {:.1} ms; {pulled} of {} readings pulled",
        pushes[pushes.len() / 2].as_secs_f64() * 1e3,
        pushes[pushes.len() * 99 / 100].as_secs_f64() * 1e3,
        pushes[pushes.len() - 1].as_secs_f64() * 1e3,
        LAPTOPS as i64 * SECONDS
    );
}

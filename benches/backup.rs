//! Online backup of a clinic-sized database (5,000 patients, 50,000 sessions, 1,000,000 vitals rows)
//! compared in the same run with the sqlite3 command line's `.backup`. The sqlite3 tool cannot read
//! SQLCipher files, so the comparison is made on a plain copy of the same data; the full backup of the
//! encrypted database (copy, fsync, integrity check, SHA-256, manifest, key slots) is measured too.
//! Needs the `sqlite3` command (Debian package sqlite3). Run with `cargo bench --bench backup`.

use std::path::Path;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};
use infusion_chart::backup::{self, BackupKind};
use infusion_chart::crypto::DataKey;
use infusion_chart::keyring::Keyring;
use infusion_chart::storage::{Author, Db};
use rusqlite::Connection;

const PATIENTS: i64 = 5_000;
const SESSIONS: i64 = 50_000;
const VITALS_PER_SESSION: i64 = 20;

/// Fills a new chart database with the 10-year volume of patients, sessions and vitals.
fn fill(path: &Path, key: Option<&str>) {
    drop(Db::create(path, key).unwrap());
    let mut conn = Connection::open(path).unwrap();
    if let Some(key) = key {
        conn.pragma_update(None, "key", key).unwrap();
    }
    let tx = conn.transaction().unwrap();
    {
        let mut patient = tx
            .prepare("INSERT INTO patients (id, family_name, given_names, name_key, date_of_birth, mrn, weight_kg, created_at) VALUES (?1, 'Okafor', 'Ada', 'okafor ada', '1980-01-01', ?2, 72.5, '2016-01-01T00:00:00.000Z')")
            .unwrap();
        for id in 1..=PATIENTS {
            patient.execute((id, format!("MRN-{id:06}"))).unwrap();
        }
        let mut session = tx
            .prepare("INSERT INTO sessions (id, patient_id, session_date, started_at) VALUES (?1, ?2, '2020-06-01', '2020-06-01T09:00:00.000Z')")
            .unwrap();
        let mut vitals = tx
            .prepare("INSERT INTO vitals (session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr, temp_c) VALUES (?1, '2020-06-01T09:10:00.000Z', '2020-06-01T09:10:05.000Z', ?2, 80, 95, 72, 98, 14, 36.8)")
            .unwrap();
        for id in 1..=SESSIONS {
            session.execute((id, 1 + id % PATIENTS)).unwrap();
            for n in 0..VITALS_PER_SESSION {
                vitals.execute((id, 110 + n)).unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

fn backups(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let key = DataKey::generate().unwrap().sqlcipher_key();
    let (encrypted, plain) = (dir.path().join("encrypted.db"), dir.path().join("plain.db"));
    fill(&encrypted, Some(&key));
    fill(&plain, None);
    let size = |p: &Path| std::fs::metadata(p).unwrap().len() as f64 / 1e6;
    eprintln!(
        "database: {:.0} MB encrypted, {:.0} MB plain",
        size(&encrypted),
        size(&plain)
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let clear = || {
        for entry in std::fs::read_dir(&out).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
    };
    let mut group = c.benchmark_group("backup of 50,000 sessions / 1,000,000 vitals rows");
    group.sample_size(10);
    let plain_db = Db::open(&plain, None).unwrap();
    group.bench_function("Db::snapshot_into (online backup API), plain", |b| {
        b.iter(|| {
            clear();
            plain_db.snapshot_into(&out.join("copy.db"), None).unwrap();
        })
    });
    group.bench_function("sqlite3 command line .backup, plain", |b| {
        b.iter(|| {
            clear();
            let dest = out.join("copy.db");
            let status = Command::new("sqlite3")
                .arg(&plain)
                .arg(format!(".backup '{}'", dest.display()))
                .status()
                .expect("the sqlite3 command (Debian package sqlite3)");
            assert!(status.success());
        })
    });
    let mut source = Db::open(&encrypted, Some(&key)).unwrap();
    let by = Author {
        user_id: None,
        username: Some("bench"),
    };
    group.bench_function("Db::snapshot_into (online backup API), encrypted", |b| {
        b.iter(|| {
            clear();
            source.snapshot_into(&out.join("copy.db"), Some(&key)).unwrap();
        })
    });
    group.bench_function(
        "backup::make, encrypted (copy + fsync + integrity_check + SHA-256 + manifest)",
        |b| {
            b.iter(|| {
                clear();
                let now = chrono::Utc::now();
                backup::make(
                    &mut source,
                    Some(&key),
                    &Keyring::new(),
                    &out,
                    BackupKind::CommandLine,
                    &by,
                    now,
                )
                .unwrap();
            })
        },
    );
    group.finish();
}

criterion_group!(benches, backups);
criterion_main!(benches);

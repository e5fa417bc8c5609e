//! Online backup of the ten-year clinic (benches/support: 5,000 patients, 50,000 sessions, about
//! 1,000,000 vitals rows) compared in the same run with the sqlite3 command line's `.backup`. The
//! sqlite3 tool cannot read SQLCipher files, so the comparison is made on a plain copy of the same
//! data; the full backup of the encrypted database (copy, fsync, integrity check, SHA-256, manifest,
//! key slots) is measured too. Needs the `sqlite3` command (Debian package sqlite3).
//! Run with `cargo bench --bench backup`.

mod support;

use std::path::Path;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};
use infusion_chart::domain::backups::BackupKind;
use infusion_chart::outside::backup;
use infusion_chart::outside::keyring::Keyring;
use infusion_chart::storage::{Author, Db, APPLICATION_ID, LATEST_VERSION};
use rusqlite::Connection;
use support::ten_years;

fn backups(c: &mut Criterion) {
    let ten = ten_years();
    let key = ten.key.clone();
    let dir = tempfile::tempdir().unwrap();
    let (encrypted, plain) = (ten.database.clone(), dir.path().join("plain.db"));
    // A plain copy of the same data, for the tool that cannot read encrypted files.
    let conn = Connection::open(&encrypted).unwrap();
    conn.pragma_update(None, "key", &key).unwrap();
    conn.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain.display().to_string()])
        .unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))
        .unwrap();
    // sqlcipher_export copies the schema and rows, not the header that names the file.
    conn.execute_batch(&format!(
        "PRAGMA plain.user_version = {LATEST_VERSION}; PRAGMA plain.application_id = {APPLICATION_ID};"
    ))
    .unwrap();
    drop(conn);
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
    let mut group = c.benchmark_group(format!("backup of the ten-year clinic ({} sessions)", ten.sessions));
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

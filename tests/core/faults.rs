//! Crashes and faults on the real path (`Clinic`, the SQLCipher file, WAL, synchronous=FULL):
//! kill -9 at random moments while a nurse charts, a full disk, a read-only disk or file, a deleted
//! write-ahead log, a database replaced by garbage (twice in one second), and a fresh process's
//! first encrypted connections opened from several threads at once. Each refusal is a sentence with a kind, and
//! nothing acknowledged is lost or overwritten.
//!
//! The crashing and the namespaced parts run in a child: this test binary again, running only the
//! test that spawned it, with an environment variable that selects the child's role.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use chrono::Utc;
use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::sessions::SessionRef;
use infusion_chart::domain::vitals::Vitals;
use infusion_chart::files;
use infusion_chart::outside::crypto::DataKey;
use infusion_chart::outside::keyring::Keyring;
use infusion_chart::storage::{inspect, Db};
use infusion_chart::Clinic;

use crate::support::{creds, dose_input, password, patient_input, restore_damaged, vitals_input, Fixture};

/// Set in a kill-test child: the database to chart into until killed.
const KILL_CHILD: &str = "INFUSION_KILL_CHILD";
/// The run number, which names the child's patient (MRN K-<run>).
const KILL_RUN: &str = "INFUSION_KILL_RUN";
/// Overrides the kill test's seed, to replay a failing sequence of kill moments.
const KILL_SEED: &str = "INFUSION_KILL_SEED";
const DEFAULT_SEED: u64 = 0x1CE_5EED;
const KILLS: usize = 50;
const KILL_TEST: &str = "faults::every_acknowledged_entry_survives_kill_9_at_random_moments";
const DB_NAME: &str = "infusion-chart.db";

// ---- kill -9 ----

/// One vitals reading as the child acknowledged it.
#[derive(Debug)]
struct Ack {
    id: i64,
    sbp: i64,
    dbp: i64,
    hr: i64,
}

/// What one killed child had acknowledged.
struct Run {
    session_id: i64,
    acks: Vec<Ack>,
}

/// The readings the child charts, varied so a stored row is checked against its own values.
fn reading(i: u64) -> (i64, i64, i64) {
    (110 + (i % 30) as i64, 65 + (i % 20) as i64, 60 + (i % 40) as i64)
}

/// The child: signs in as the nurse, starts today's session for a new patient, and charts vitals
/// until killed, printing each reading's id once `add_vitals` has returned it (committed, synced).
fn charting_child(database: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let run = std::env::var(KILL_RUN).expect("the run number");
    let clinic = Clinic::open(database).unwrap();
    clinic.login(creds("nina", &password("nina"))).unwrap();
    let patient = clinic.add_patient(patient_input(&format!("K-{run}"))).unwrap();
    let session = clinic.start_session(dose_input(&patient)).unwrap();
    let mut out = std::io::stdout().lock();
    // On a line of its own: the test harness has printed "test NAME ... " without a newline.
    writeln!(out, "\nsession {}", session.id).unwrap();
    for i in 0u64.. {
        assert!(Instant::now() < deadline, "the child was never killed");
        let (sbp, dbp, hr) = reading(i);
        let mut input = vitals_input(session.id, Utc::now(), sbp as f64, dbp as f64);
        input.hr = Some(hr as f64);
        let v = clinic.add_vitals(input).unwrap();
        writeln!(out, "ack {} {} {} {}", v.id, v.sbp, v.dbp, v.hr).unwrap();
        out.flush().unwrap();
    }
}

/// Runs a charting child on `database`, waits for `acks` acknowledgements, then `delay`, and kills it.
fn chart_until_killed(database: &Path, run: usize, acks: usize, delay: Duration) -> Run {
    let mut child = Command::new(own_binary_path())
        .args([KILL_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(KILL_CHILD, database)
        .env(KILL_RUN, run.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, stdout) = read_lines(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while seen.iter().filter(|l: &&String| l.starts_with("ack ")).count() < acks {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(e) => {
                let _ = child.kill();
                let status = child.wait().unwrap();
                panic!(
                    "run {run}: the charting child gave {} of {acks} acknowledgements within 20 s ({e:?}; {status}). Its stdout: {seen:?}; stderr:\n{}",
                    seen.iter().filter(|l| l.starts_with("ack ")).count(),
                    stderr.join().unwrap()
                );
            }
        }
    }
    thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    stdout.join().unwrap();
    seen.extend(lines.try_iter());
    let stderr = stderr.join().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "run {run}: the child should die by SIGKILL, not {status}; stderr:\n{stderr}"
    );
    parse_run(&seen)
}

fn parse_run(lines: &[String]) -> Run {
    let mut session_id = None;
    let mut acks = Vec::new();
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["session", id] => session_id = Some(id.parse().unwrap()),
            ["ack", id, sbp, dbp, hr] => acks.push(Ack {
                id: id.parse().unwrap(),
                sbp: sbp.parse().unwrap(),
                dbp: dbp.parse().unwrap(),
                hr: hr.parse().unwrap(),
            }),
            // A line cut by the kill, or the test harness's own output.
            _ => {}
        }
    }
    Run {
        session_id: session_id.expect("the child names its session before its first ack"),
        acks,
    }
}

/// Opens the database after a crash and checks it: SQLite's quick check (as the first sign-in in a
/// process runs it), the full integrity check, and every acknowledged reading of `runs` stored with
/// the values charted. `sign_in`: open it as the app does, through a fresh `Clinic` and a nurse's
/// sign-in; otherwise through `Db::open` (the same open, configure, migrate and WAL check) with the
/// clinic's key, which skips the password hash. Returns how many readings were checked.
fn verify_after_crash(database: &Path, recovery_key: &str, runs: &[Run], sign_in: bool) -> usize {
    let key = DataKey::from_recovery_code(recovery_key).unwrap();
    let integrity = || {
        let inspection = inspect(database, Some(&key.sqlcipher_key())).unwrap();
        assert!(
            inspection.problems.is_empty(),
            "integrity_check after the crash: {:?}",
            inspection.problems
        );
    };
    let stored: Vec<Vec<Vitals>> = if sign_in {
        let clinic = Clinic::open(database).unwrap();
        clinic
            .login(creds("nina", &password("nina")))
            .unwrap_or_else(|e| panic!("sign-in after the crash failed: {e:?}"));
        integrity();
        let record = |run: &Run| {
            clinic.get_session(SessionRef {
                session_id: run.session_id,
            })
        };
        runs.iter().map(|run| record(run).unwrap().vitals).collect()
    } else {
        let db = Db::open(database, Some(&key.sqlcipher_key()))
            .unwrap_or_else(|e| panic!("opening after the crash failed: {e:?}"));
        assert_eq!(
            db.quick_check().unwrap(),
            Some(Vec::new()),
            "quick_check after the crash"
        );
        integrity();
        runs.iter()
            .map(|run| db.vitals_of_session(run.session_id).unwrap())
            .collect()
    };
    let mut checked = 0;
    for (run, stored) in runs.iter().zip(stored) {
        let stored: BTreeMap<i64, Vitals> = stored.into_iter().map(|v| (v.id, v)).collect();
        for ack in &run.acks {
            let v = stored
                .get(&ack.id)
                .unwrap_or_else(|| panic!("acknowledged vitals {} of session {} are lost", ack.id, run.session_id));
            assert_eq!((v.sbp, v.dbp, v.hr), (ack.sbp, ack.dbp, ack.hr), "vitals {}", ack.id);
        }
        // At most the one reading committed but killed before its acknowledgement was printed.
        assert!(
            stored.len() <= run.acks.len() + 1,
            "session {}: {} stored, {} acknowledged",
            run.session_id,
            stored.len(),
            run.acks.len()
        );
        checked += run.acks.len();
    }
    checked
}

#[test]
fn every_acknowledged_entry_survives_kill_9_at_random_moments() {
    if let Some(database) = std::env::var_os(KILL_CHILD) {
        return charting_child(Path::new(&database));
    }
    let started = Instant::now();
    let f = Fixture::staffed();
    let seed = std::env::var(KILL_SEED).map_or(DEFAULT_SEED, |s| s.parse().expect("a number"));
    eprintln!("kill test: seed {seed} (replay with {KILL_SEED}={seed})");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut runs = Vec::new();
    let mut checked = 0;
    let key = DataKey::from_recovery_code(&f.recovery_key).unwrap();
    let mut second_window = None;
    for run in 0..KILLS {
        // First each crash leaves no other connection: the next open recovers the WAL alone and
        // closing checkpoints and removes it. Then a second connection stays open meanwhile (another
        // window, a backup), so the WAL outlives each crash, grows, and is checkpointed and restarted
        // by the charting child itself; kills then also land in checkpoints.
        if run == KILLS / 2 {
            second_window = Some(Db::open(&f.path, Some(&key.sqlcipher_key())).unwrap());
        }
        let delay = Duration::from_millis(rng.u64(30..=400));
        runs.push(chart_until_killed(&f.path, run, 1, delay));
        // Every fifth crash is checked through a nurse's sign-in; the others more cheaply, and the
        // next child's own sign-in (a fresh Clinic, with the quick check) opens after each crash too.
        checked += verify_after_crash(&f.path, &f.recovery_key, &runs[run..], run % 5 == 4);
    }
    drop(second_window);
    // Everything again at the end: no later crash or recovery lost an earlier entry.
    let total = verify_after_crash(&f.path, &f.recovery_key, &runs, true);
    assert_eq!(total, runs.iter().map(|r| r.acks.len()).sum::<usize>());
    // Each reading and its audit row were committed together, and the audit chain is whole.
    let raw = f.raw();
    let unpaired: i64 = raw
        .query_row(
            "WITH charted AS (SELECT id FROM vitals),
                  audited AS (SELECT record_id AS id FROM audit_log WHERE action = 'vitals_added' AND table_name = 'vitals')
             SELECT (SELECT count(*) FROM (SELECT id FROM charted EXCEPT SELECT id FROM audited))
                  + (SELECT count(*) FROM (SELECT id FROM audited EXCEPT SELECT id FROM charted))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        unpaired, 0,
        "vitals without their audit row, or audit rows without their vitals"
    );
    let admin = Clinic::open(&f.path).unwrap();
    admin.login(creds("ada", &password("ada"))).unwrap();
    let chain = admin.audit_verify(Nothing {}).unwrap();
    assert!(chain.intact, "{}", chain.message);
    eprintln!(
        "kill test: {KILLS} kills survived; {checked} acknowledged vitals checked after their crash, {total} again at the end; {} audit entries intact; {:.1} s",
        chain.entries,
        started.elapsed().as_secs_f64()
    );
}

// ---- a deleted write-ahead log ----

#[test]
fn a_wal_deleted_after_a_crash_is_refused_untouched_and_recovers_every_entry_once_put_back() {
    let f = Fixture::staffed();
    // 20 readings (about a hundred WAL frames) stay far below the automatic checkpoint: the WAL the
    // crash leaves holds entries that are in no other file.
    let run = chart_until_killed(&f.path, 0, 20, Duration::ZERO);
    let dir = f.path.parent().unwrap();
    let (wal, shm) = (files::suffixed(&f.path, "-wal"), files::suffixed(&f.path, "-shm"));
    assert!(wal.exists() && shm.exists(), "a crash leaves the -wal and -shm files");
    let moved = dir.join("moved-aside-wal");
    std::fs::rename(&wal, &moved).unwrap();
    let keys = Keyring::path_beside(&f.path);
    let before = snapshot(&[&f.path, &shm, &keys]);
    let listing = list(dir);

    let err = Clinic::open(&f.path)
        .unwrap()
        .login(creds("nina", &password("nina")))
        .unwrap_err();
    eprintln!("deleted WAL: {err:?}");
    assert_eq!(err.kind(), "damaged", "{err}");
    let message = err.to_string();
    for part in [
        "write-ahead log infusion-chart.db-wal",
        "is missing",
        "restores the newest backup",
        "Nothing was changed.",
    ] {
        assert!(message.contains(part), "{part:?} in {message}");
    }
    assert!(!message.contains("SQL") && !message.contains("shm"), "{message}");
    assert_eq!(snapshot(&[&f.path, &shm, &keys]), before, "nothing was written");
    assert_eq!(list(dir), listing, "no file was made or removed");

    // A WAL cut short is refused the same way.
    let bytes = std::fs::read(&moved).unwrap();
    std::fs::write(&wal, &bytes[..bytes.len() / 2]).unwrap();
    let err = Clinic::open(&f.path)
        .unwrap()
        .login(creds("nina", &password("nina")))
        .unwrap_err();
    assert_eq!(err.kind(), "damaged", "{err}");
    assert!(err.to_string().contains("is incomplete"), "{err}");
    assert_eq!(snapshot(&[&f.path, &shm, &keys]), before, "nothing was written");

    std::fs::rename(&moved, &wal).unwrap();
    let checked = verify_after_crash(&f.path, &f.recovery_key, &[run], true);
    assert!(checked >= 20);
    eprintln!("deleted WAL: refused untouched, then {checked} acknowledged vitals recovered with the WAL put back");
}

/// The refusals above and below offer a restore, and it works even though a crash left `-wal` and
/// `-shm` files: they are moved aside with the damaged database and never applied to the restored one.
#[test]
fn after_a_missing_wal_an_admin_restores_the_newest_backup() {
    let f = Fixture::staffed();
    chart_until_killed(&f.path, 0, 20, Duration::ZERO);
    std::fs::remove_file(files::suffixed(&f.path, "-wal")).unwrap();
    restore_after_refusal(&f);
}

#[test]
fn after_a_crash_and_a_damaged_file_an_admin_restores_the_newest_backup() {
    let f = Fixture::staffed();
    chart_until_killed(&f.path, 0, 5, Duration::ZERO);
    let length = std::fs::metadata(&f.path).unwrap().len() as usize;
    std::fs::write(&f.path, vec![0x42; length]).unwrap();
    restore_after_refusal(&f);
}

fn restore_after_refusal(f: &Fixture) {
    let clinic = Clinic::open(&f.path).unwrap();
    let err = clinic.login(creds("nina", &password("nina"))).unwrap_err();
    assert_eq!(err.kind(), "damaged", "{err}");
    restore_damaged(&clinic);
    clinic.login(creds("nina", &password("nina"))).unwrap();
}

/// The test clock stands still, so both restores below move a damaged database aside in the same
/// second: the second must get a name of its own, not replace the first (a rename would, silently).
#[test]
fn a_second_damaged_database_moved_aside_in_the_same_second_keeps_the_first() {
    let f = Fixture::staffed();
    let clinic = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    let mut kept = Vec::new();
    for damage in [0x42u8, 0x43] {
        let length = std::fs::metadata(&f.path).unwrap().len() as usize;
        std::fs::write(&f.path, vec![damage; length]).unwrap();
        assert_eq!(
            clinic.login(creds("nina", &password("nina"))).unwrap_err().kind(),
            "damaged"
        );
        let restored = restore_damaged(&clinic);
        kept.push(PathBuf::from(restored.previous_kept_at));
    }
    assert_ne!(kept[0], kept[1]);
    for (path, damage) in kept.iter().zip([0x42u8, 0x43]) {
        let bytes = std::fs::read(path).unwrap();
        assert!(
            bytes.iter().all(|b| *b == damage),
            "{} holds its own damaged file",
            path.display()
        );
    }
    clinic.login(creds("nina", &password("nina"))).unwrap();
}

// ---- garbage in place of the database ----

#[test]
fn a_database_replaced_by_garbage_is_refused_as_damaged_and_left_as_it_is() {
    let f = Fixture::staffed();
    // A crash first, so the -wal and -shm files are left beside the database.
    chart_until_killed(&f.path, 0, 5, Duration::ZERO);
    let dir = f.path.parent().unwrap();
    let (wal, shm) = (files::suffixed(&f.path, "-wal"), files::suffixed(&f.path, "-shm"));
    let length = std::fs::metadata(&f.path).unwrap().len() as usize;
    let mut rng = fastrand::Rng::with_seed(7);
    let garbage: Vec<u8> = std::iter::repeat_with(|| rng.u8(..)).take(length).collect();
    std::fs::write(&f.path, &garbage).unwrap();
    let keys = Keyring::path_beside(&f.path);
    let sign_in = || {
        let err = Clinic::open(&f.path)
            .unwrap()
            .login(creds("nina", &password("nina")))
            .unwrap_err();
        eprintln!("garbage: {err:?}");
        assert_eq!(err.kind(), "damaged", "{err}");
        assert!(
            err.to_string()
                .contains("it cannot be read with the clinic's key. Nothing was written to it."),
            "{err}"
        );
    };

    // With the WAL the crash left: SQLite opens it with the file, and closing would have copied its
    // pages into the garbage and deleted it. (The -shm index may be rebuilt; it is derived from the WAL.)
    let before = snapshot(&[&f.path, &wal, &keys]);
    let listing = list(dir);
    sign_in();
    assert_eq!(
        snapshot(&[&f.path, &wal, &keys]),
        before,
        "nothing was written, the WAL is kept"
    );
    assert_eq!(list(dir), listing, "no file was made or removed");

    // Alone: no -wal or -shm appears either.
    std::fs::remove_file(&wal).unwrap();
    std::fs::remove_file(&shm).unwrap();
    let before = snapshot(&[&f.path, &keys]);
    let listing = list(dir);
    sign_in();
    assert_eq!(snapshot(&[&f.path, &keys]), before, "nothing was written");
    assert_eq!(list(dir), listing, "no file was made or removed");
}

// ---- a process's first connections ----

/// Set in a start-up child: the database its threads all open at once, as its only work.
const START_CHILD: &str = "INFUSION_START_CHILD";
/// The start-up child's key for that database.
const START_KEY: &str = "INFUSION_START_KEY";
const START_TEST: &str =
    "faults::a_fresh_process_opening_the_encrypted_database_from_several_threads_at_once_reads_it_in_each";
const STARTS: usize = 600;
const STARTING_THREADS: usize = 8;

/// SQLCipher finishes starting just after SQLite reports itself started; a thread keying its first
/// connection in between found no cipher, and a sign-in or backup failed ("PRAGMA key"). The race
/// exists once per process, so each attempt is a new process whose first work is the race.
#[test]
fn a_fresh_process_opening_the_encrypted_database_from_several_threads_at_once_reads_it_in_each() {
    if let Some(database) = std::env::var_os(START_CHILD) {
        return open_at_once(Path::new(&database), &std::env::var(START_KEY).unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join(DB_NAME);
    let key = DataKey::generate().unwrap().sqlcipher_key();
    drop(Db::create(&database, Some(&key)).unwrap());
    for start in 0..STARTS {
        let out = Command::new(own_binary_path())
            .args([START_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(START_CHILD, &database)
            .env(START_KEY, key.as_str())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains(&opened_by_all()),
            "start {start} of {STARTS}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The start-up child: every thread waits at a gate, then opens the database read-only and reads it.
fn open_at_once(database: &Path, key: &str) {
    let gate = std::sync::Barrier::new(STARTING_THREADS);
    thread::scope(|scope| {
        let opened: Vec<_> = (0..STARTING_THREADS)
            .map(|_| {
                scope.spawn(|| {
                    gate.wait();
                    Db::read_only(database, Some(key))?.pragma("application_id")
                })
            })
            .collect();
        for (t, opened) in opened.into_iter().enumerate() {
            match opened.join().unwrap() {
                Ok(id) => assert_eq!(id, infusion_chart::storage::APPLICATION_ID.to_string()),
                Err(e) => panic!("thread {t} of {STARTING_THREADS} could not read the database: {e}"),
            }
        }
    });
    // What the parent looks for: a child that ran no test at all would also exit 0.
    println!("\n{}", opened_by_all());
}

fn opened_by_all() -> String {
    format!("read by all {STARTING_THREADS} threads")
}

// ---- helpers ----

/// This test binary, as it was when it started (a rebuild meanwhile replaces the file on disk).
fn own_binary_path() -> PathBuf {
    let proc = PathBuf::from("/proc/self/exe");
    if proc.exists() {
        proc
    } else {
        std::env::current_exe().unwrap()
    }
}

/// The bytes of each file (None: missing).
fn snapshot(files: &[impl AsRef<Path>]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|f| std::fs::read(f).ok()).collect()
}

/// The names in `dir`, sorted.
fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Each line `pipe` gives, as it comes; the thread ends at end of file.
fn read_lines(pipe: impl Read + Send + 'static) -> (mpsc::Receiver<String>, JoinHandle<()>) {
    let (send, receive) = mpsc::channel();
    let thread = thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    (receive, thread)
}

fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// The full and read-only disks: a file system of the test's own, mounted inside a new user and
/// mount namespace (Linux; the machine must allow unprivileged namespaces, as the e2e tests need).
#[cfg(target_os = "linux")]
mod mounts {
    use std::process::{Child, ExitStatus};

    use infusion_chart::Error;

    use super::*;

    /// Set in a namespaced child: its role, the folder prepared for it, and the clinic's recovery key.
    const FAULT_CHILD: &str = "INFUSION_FAULT_CHILD";
    const FAULT_DIR: &str = "INFUSION_FAULT_DIR";
    const FAULT_KEY: &str = "INFUSION_FAULT_KEY";
    /// The full-disk child's database and key file, to copy onto its small disk.
    const FAULT_STAGED: &str = "INFUSION_FAULT_STAGED";
    /// What a namespaced child prints last, so the parent knows its role really ran (a test name that
    /// matched nothing would also exit 0).
    const CHILD_DONE: &str = "fault child done";

    const FULL_DISK_TEST: &str =
        "faults::mounts::a_full_disk_refuses_clearly_keeps_earlier_entries_and_charting_resumes_once_freed";
    const READ_ONLY_TEST: &str = "faults::mounts::a_read_only_folder_or_file_is_refused_clearly_and_left_untouched";

    // ---- a full disk ----

    #[test]
    fn a_full_disk_refuses_clearly_keeps_earlier_entries_and_charting_resumes_once_freed() {
        if std::env::var(FAULT_CHILD).as_deref() == Ok("full-disk") {
            return full_disk_child();
        }
        let f = Fixture::staffed();
        let root = tempfile::tempdir().unwrap();
        let mount = root.path().join("small-disk");
        std::fs::create_dir(&mount).unwrap();
        let staged = root.path().join("staged");
        copy_clinic(&f.path, &staged);
        let script = r#"mount -t tmpfs -o size=4m tmpfs "$INFUSION_FAULT_DIR" && cp -p "$INFUSION_FAULT_STAGED"/* "$INFUSION_FAULT_DIR"/"#;
        let out = in_namespace(
            FULL_DISK_TEST,
            "full-disk",
            script,
            &[
                (FAULT_DIR, mount.as_os_str()),
                (FAULT_STAGED, staged.as_os_str()),
                (FAULT_KEY, std::ffi::OsStr::new(&f.recovery_key)),
            ],
        );
        eprintln!("{}", out.stderr);
    }

    /// Inside the namespace, on a 4 MiB tmpfs: chart, fill the disk, chart until refused, check, free, chart.
    fn full_disk_child() {
        let dir = PathBuf::from(std::env::var_os(FAULT_DIR).unwrap());
        let database = dir.join(DB_NAME);
        let clinic = Clinic::open(&database).unwrap();
        clinic.login(creds("nina", &password("nina"))).unwrap();
        let patient = clinic.add_patient(patient_input("FULL-1")).unwrap();
        let session = clinic.start_session(dose_input(&patient)).unwrap();
        let chart = |i: u64| {
            let (sbp, dbp, _) = reading(i);
            clinic.add_vitals(vitals_input(session.id, Utc::now(), sbp as f64, dbp as f64))
        };
        let mut acked = Vec::new();
        for i in 0..5 {
            acked.push(chart(i).unwrap());
        }
        let filler = dir.join("filler");
        let filled = fill(&filler);
        eprintln!("full disk: {filled} bytes of filler fill the disk");

        let mut refused = None;
        for i in 5..2005 {
            match chart(i) {
                Ok(v) => acked.push(v),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        let err = refused.expect("charting onto a full disk is refused within 2000 readings");
        eprintln!("full disk: {} readings charted, then {err:?}", acked.len());
        assert_eq!(
            err,
            Error::Storage("The disk is full, so this entry was not saved. Free some space and try again.".into())
        );
        let stored = clinic
            .get_session(SessionRef { session_id: session.id })
            .unwrap()
            .vitals;
        assert_eq!(
            stored, acked,
            "every earlier entry is intact, and the refused one is not there"
        );
        let key = DataKey::from_recovery_code(&std::env::var(FAULT_KEY).unwrap()).unwrap();
        let inspection = inspect(&database, Some(&key.sqlcipher_key())).unwrap();
        assert!(inspection.problems.is_empty(), "{:?}", inspection.problems);

        std::fs::remove_file(&filler).unwrap();
        acked.push(chart(9999).expect("charting resumes once space is freed"));
        let stored = clinic
            .get_session(SessionRef { session_id: session.id })
            .unwrap()
            .vitals;
        assert_eq!(stored, acked);
        println!("{CHILD_DONE}");
    }

    /// Writes `path` until the disk refuses another byte; returns how many bytes it holds.
    fn fill(path: &Path) -> u64 {
        let mut file = std::fs::File::create(path).unwrap();
        let mut written = 0u64;
        for chunk in [1 << 16, 4096, 1] {
            let block = vec![0x5a_u8; chunk];
            // Bounded: a 4 MiB disk takes at most 64 large writes.
            for _ in 0..100_000 {
                match file.write(&block) {
                    Ok(n) if n > 0 => written += n as u64,
                    _ => break,
                }
            }
        }
        file.sync_all().ok();
        assert!(file.write(&[0]).is_err(), "the disk is full");
        written
    }

    // ---- read-only ----

    #[test]
    fn a_read_only_folder_or_file_is_refused_clearly_and_left_untouched() {
        if std::env::var(FAULT_CHILD).as_deref() == Ok("read-only") {
            return read_only_child();
        }
        let f = Fixture::staffed();
        let root = tempfile::tempdir().unwrap();
        let (folder, file) = (root.path().join("read-only-folder"), root.path().join("read-only-file"));
        copy_clinic(&f.path, &folder);
        copy_clinic(&f.path, &file);
        let files = |dir: &Path| [dir.join(DB_NAME), Keyring::path_beside(&dir.join(DB_NAME))];
        let before = (snapshot(&files(&folder)), snapshot(&files(&file)));
        // root ignores file permissions, so the namespace makes them read-only the only way root obeys:
        // a read-only bind mount of the folder, and of the database file alone in the other folder.
        let script = r#"mount --bind "$INFUSION_FAULT_DIR/read-only-folder" "$INFUSION_FAULT_DIR/read-only-folder" &&
            mount -o remount,bind,ro "$INFUSION_FAULT_DIR/read-only-folder" &&
            mount --bind "$INFUSION_FAULT_DIR/read-only-file/infusion-chart.db" "$INFUSION_FAULT_DIR/read-only-file/infusion-chart.db" &&
            mount -o remount,bind,ro "$INFUSION_FAULT_DIR/read-only-file/infusion-chart.db""#;
        let out = in_namespace(
            READ_ONLY_TEST,
            "read-only",
            script,
            &[(FAULT_DIR, root.path().as_os_str())],
        );
        eprintln!("{}", out.stderr);
        eprintln!(
            "read-only: afterwards the folders hold {:?} and {:?}",
            list(&folder),
            list(&file)
        );
        assert_eq!(list(&folder), [DB_NAME, "infusion-chart.keys"]);
        assert_eq!(
            snapshot(&files(&folder)),
            before.0,
            "the read-only folder's files are unchanged"
        );
        assert_eq!(
            snapshot(&files(&file)),
            before.1,
            "the read-only database and its key file are unchanged"
        );
    }

    fn read_only_child() {
        let root = PathBuf::from(std::env::var_os(FAULT_DIR).unwrap());
        let sign_in = |folder: &str| {
            Clinic::open(&root.join(folder).join(DB_NAME))
                .unwrap()
                .login(creds("nina", &password("nina")))
                .unwrap_err()
        };
        // Signing in rewrites the key file (the sign-in throttle), which is the first write refused.
        let err = sign_in("read-only-folder");
        eprintln!("read-only folder, sign-in: {err:?}");
        assert_eq!(err.kind(), "storage", "{err}");
        assert!(err.to_string().to_lowercase().contains("read-only"), "{err}");
        // The key file is writable, the database file is not: SQLite opens it read-only, and the
        // sign-in's audit row is the first write refused.
        let err = sign_in("read-only-file");
        eprintln!("read-only database file, sign-in: {err:?}");
        assert_eq!(
            err,
            Error::Storage("The chart database is read-only (its drive, folder or file cannot be written), so nothing was saved. Ask an admin to make it writable again.".into())
        );
        println!("{CHILD_DONE}");
    }

    /// The database and its key file copied into the new folder `to`, as they are after sign-out.
    fn copy_clinic(database: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for file in [database.to_path_buf(), Keyring::path_beside(database)] {
            std::fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
        }
    }

    struct Finished {
        stderr: String,
    }

    /// Runs `test` of this binary in a new user and mount namespace, as its root, after `setup` (a shell
    /// script that mounts what the test needs), with `role` selecting the child and `env` for both.
    /// Panics with the child's output unless it ran its role to the end and exited 0.
    fn in_namespace(test: &str, role: &str, setup: &str, env: &[(&str, &std::ffi::OsStr)]) -> Finished {
        // The binary comes as standard input, so a rebuild that replaces the file meanwhile does not matter.
        let script =
            format!(r#"{{ {setup}; }} || exit 97; exec /proc/self/fd/0 "$0" --exact --nocapture --test-threads=1"#);
        let mut command = Command::new("unshare");
        command
            .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script, test])
            .env(FAULT_CHILD, role)
            .stdin(std::fs::File::open(own_binary_path()).unwrap())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("unshare could not be run ({e}); these tests need util-linux's unshare"));
        let (stdout, stderr) = (
            read_all(child.stdout.take().unwrap()),
            read_all(child.stderr.take().unwrap()),
        );
        let status = wait_bounded(&mut child, Duration::from_secs(60));
        let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
        if stderr.starts_with("unshare:") {
            panic!(
                "this machine does not allow unprivileged user and mount namespaces, which the {role} test needs to mount its own file system ({}). Allow them (sysctl kernel.unprivileged_userns_clone=1, or run as root).",
                stderr.trim()
            );
        }
        assert_ne!(
            status.code(),
            Some(97),
            "the {role} test could not mount its file system inside the namespace:\n{stderr}"
        );
        assert!(
            status.success() && stdout.contains(CHILD_DONE),
            "the {role} child failed ({status}).\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        Finished { stderr }
    }

    /// Waits for `child`, killing it after `limit`.
    fn wait_bounded(child: &mut Child, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                child.kill().unwrap();
                let status = child.wait().unwrap();
                panic!("the child took longer than {limit:?} and was killed ({status})");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

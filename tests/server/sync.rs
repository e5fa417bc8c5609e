//! Several laptops sharing one record through a real PostgreSQL: each laptop is a clinic in a temp
//! folder with its own background worker, exactly as the app runs; the server is stopped and
//! started under them. Waits are bounded polls, never sleeps that hope.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use infusion_chart::app::clinic::Nothing;
use infusion_chart::app::joining::ClinicJoin;
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::patients::{PatientSearch, PatientUpdate};
use infusion_chart::domain::sessions::{PatientRef, SessionRef};
use infusion_chart::domain::sync::{Change, SyncState};
use infusion_chart::domain::users::{ActiveChange, PasswordChange, Role, UserInput};
use infusion_chart::outside::crypto::DataKey;
use infusion_chart::storage::server::{add_laptop, init, revoke_laptop, Link, ServerAddress};
use infusion_chart::storage::sync::digest_line;
use infusion_chart::storage::Db;
use infusion_chart::Clinic;
use serde_json::{json, Value};

use crate::postgres::Postgres;
use crate::support::{creds, keyed, password, patient_input, vitals_input, Fixture};

const DB: &str = "clinic";

/// A clinic server with its schema, and what laptops need to reach it.
struct Server {
    pg: Postgres,
    ca_pem: String,
}

impl Server {
    fn start() -> Server {
        let pg = Postgres::start();
        pg.create_database(DB);
        let ca_pem = std::fs::read_to_string(pg.ca()).unwrap();
        let server = Server { pg, ca_pem };
        init(&server.owner()).unwrap();
        server
    }

    /// The server's owner (who sets it up and enrols laptops).
    fn owner(&self) -> ServerAddress {
        ServerAddress {
            url: self.pg.url(DB),
            ca_pem: self.ca_pem.clone(),
        }
    }

    /// Enrols laptop `name`; its address.
    fn enrol(&self, name: &str) -> String {
        let secret = format!("{name}-secret-0123456789");
        add_laptop(&self.owner(), name, &secret).unwrap();
        format!("postgresql://{name}:{secret}@127.0.0.1:{}/{DB}", self.pg.port)
    }

    fn count(&self, sql: &str) -> i64 {
        self.pg.psql(DB, sql).parse().unwrap()
    }

    /// `Db::shared_digest` of the server's current rows.
    fn digest(&self) -> String {
        let out = self.pg.psql(
            DB,
            "SELECT table_name || E'\\t' || uid || E'\\t' || body::text FROM records ORDER BY 1",
        );
        let mut lines: Vec<String> = out
            .lines()
            .map(|line| {
                let mut parts = line.splitn(3, '\t');
                let (table, uid) = (parts.next().unwrap(), parts.next().unwrap());
                let row: Value = serde_json::from_str(parts.next().unwrap()).unwrap();
                digest_line(table, uid, &row)
            })
            .collect();
        lines.sort();
        infusion_chart::digest::sha256_hex(lines.concat().as_bytes())
    }
}

/// Polls `done` every 50 ms for at most 30 s; fails naming `what` if it never holds.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < until, "within 30 s: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn state(clinic: &Clinic) -> SyncState {
    clinic.sharing_state(Nothing {}).unwrap()
}

/// Everything these laptops charted is on the server, and each has pulled everything the server
/// holds; the server's newest change is read before and after, so a push landing between two
/// laptops' answers is not taken for level.
fn level(laptops: &[&Fixture], server: &Server) -> bool {
    let newest = || server.count("SELECT coalesce(max(server_seq), 0) FROM changes");
    let before = newest();
    let each = laptops.iter().all(|f| {
        let s = state(&f.clinic);
        s.waiting == 0 && s.pulled_through >= before
    });
    each && newest() == before
}

/// The record as a laptop holds it, read through its own connection.
fn digest(f: &Fixture) -> String {
    let key = DataKey::from_recovery_code(&f.recovery_key).unwrap();
    Db::open(&f.path, Some(&key.sqlcipher_key()))
        .unwrap()
        .shared_digest()
        .unwrap()
}

/// Laptop "chair-1": the staffed clinic, joined as the one holding the history; ada signed in.
fn first_laptop(server: &Server) -> Fixture {
    let a = Fixture::staffed();
    a.as_user("ada")
        .join_clinic(ClinicJoin {
            url: server.enrol("chair-1"),
            ca_pem: server.ca_pem.clone(),
        })
        .unwrap();
    eventually("chair-1 pushed its history", || state(&a.clinic).waiting == 0);
    a
}

/// A new laptop `name` joining with nina's password, then signed in as `user`.
fn new_laptop(server: &Server, a: &Fixture, name: &str, user: &str) -> Fixture {
    let (dir, path, clock, clinic) = Fixture::empty();
    let mut seen = Vec::new();
    clinic
        .join_new_laptop(
            &server.enrol(name),
            &server.ca_pem,
            &creds("nina", &password("nina")),
            &mut |done, of| seen.push((done, of)),
        )
        .unwrap();
    assert!(!seen.is_empty(), "the pull reports its progress");
    clinic.login(creds(user, &password(user))).unwrap();
    Fixture::joined(dir, path, clock, clinic, a.recovery_key.clone())
}

fn find_patient(clinic: &Clinic, mrn: &str) -> i64 {
    let found = clinic.search_patients(PatientSearch { query: mrn.into() }).unwrap();
    found
        .iter()
        .find(|p| p.mrn == mrn)
        .unwrap_or_else(|| panic!("patient {mrn}"))
        .id
}

#[test]
fn a_new_laptop_joins_and_every_active_user_signs_in_there_but_a_disabled_one_cannot() {
    let server = Server::start();
    let a = first_laptop(&server);
    let dora = a.add_user("dora", "Dora Lin", Role::Nurse);
    a.clinic
        .set_user_active(ActiveChange {
            user_id: dora.id,
            active: false,
        })
        .unwrap();
    eventually("chair-1 pushed the disabled account", || state(&a.clinic).waiting == 0);

    let b = new_laptop(&server, &a, "chair-2", "ada");
    for user in ["nina", "omar"] {
        b.as_user(user);
    }
    b.clinic.logout(Nothing {}).unwrap();
    let refused = b.clinic.login(creds("dora", "temporary-dora")).unwrap_err();
    assert_eq!(refused.kind(), "unauthenticated", "{refused}");
    assert_eq!(digest(&a), digest(&b), "the new laptop holds the clinic's record");

    // A password changed on one laptop opens the other after its next pull.
    a.as_user("omar")
        .change_password(PasswordChange {
            current_password: password("omar"),
            new_password: "omar-new-password-2".into(),
            new_password_confirm: "omar-new-password-2".into(),
        })
        .unwrap();
    a.as_user("ada");
    b.as_user("nina");
    eventually("chair-2 took omar's new key slot", || {
        b.clinic.app_status(Nothing {}).is_ok() && level(&[&a, &b], &server)
    });
    b.clinic.logout(Nothing {}).unwrap();
    b.clinic.login(creds("omar", "omar-new-password-2")).unwrap();

    // Each laptop's chain is verified where it arrives; one altered there is named with its laptop.
    let verified = b.as_user("ada").audit_verify(Nothing {}).unwrap();
    assert!(
        verified.intact && verified.message.contains("chair-1"),
        "{}",
        verified.message
    );
    let raw = keyed(&b.path, &b.recovery_key);
    raw.execute_batch(
        "DROP TRIGGER remote_audit_never_updated;
         UPDATE remote_audit_log SET detail = 'altered' WHERE laptop = 'chair-1' AND id = 3;",
    )
    .unwrap();
    let broken = b.clinic.audit_verify(Nothing {}).unwrap();
    assert!(!broken.intact);
    assert!(
        broken
            .message
            .starts_with("On laptop chair-1: The audit trail is broken at entry 3"),
        "{}",
        broken.message
    );
}

#[test]
fn two_laptops_chart_one_series_offline_and_end_with_the_same_record_as_the_server() {
    let server = Server::start();
    let a = first_laptop(&server);
    a.as_user("nina");
    let patient = a.add_patient("SER-1");
    let b = new_laptop(&server, &a, "chair-2", "nina");
    eventually("chair-2 has the patient", || level(&[&b], &server));
    let on_b = find_patient(&b.clinic, "SER-1");

    server.pg.stop_immediately();
    let first = a.start_session(&patient);
    a.prepare(&first);
    a.chart_vitals(&first, 124.0, 78.0);
    b.clock.advance(24 * 60 * 7);
    b.as_user("nina");
    let mut input = crate::support::dose_input(&patient);
    input.patient_id = on_b;
    let second = b.clinic.start_session(input).unwrap();
    b.prepare(&second);
    b.chart_vitals(&second, 131.0, 84.0);
    assert!(state(&a.clinic).waiting > 0 && state(&b.clinic).waiting > 0);

    server.pg.run();
    eventually("both laptops level with the server", || level(&[&a, &b], &server));
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(digest(&a), server.digest(), "the server holds the union");
    let sessions = a.clinic.get_patient(PatientRef { patient_id: patient.id });
    assert_eq!(
        sessions.unwrap().sessions.len(),
        2,
        "the series holds both laptops' sessions"
    );
}

#[test]
fn the_server_killed_mid_infusion_loses_nothing_and_doubles_nothing() {
    let server = Server::start();
    let a = first_laptop(&server);
    a.as_user("nina");
    let patient = a.add_patient("OUT-1");
    let session = a.start_session(&patient);
    a.prepare(&session);
    a.chart_vitals(&session, 120.0, 80.0);
    eventually("shared before the outage", || level(&[&a], &server));

    server.pg.stop_immediately();
    for _ in 0..5 {
        a.clock.advance(5);
        let started = Instant::now();
        a.chart_vitals(&session, 122.0, 81.0);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "charting does not wait on the server"
        );
    }
    eventually("the outage is said in words", || {
        state(&a.clinic)
            .words(a.clock.now())
            .starts_with("Server unreachable since")
    });
    // Accounts are the clinic's: they wait for the server, while charting does not.
    let refused = a.as_user("ada").add_user(UserInput {
        username: Some("pat".into()),
        display_name: Some("Pat Reyes".into()),
        password: Some("temporary-pat".into()),
        password_confirm: None,
        roles: vec![Role::Nurse],
    });
    let refused = refused.unwrap_err().to_string();
    assert!(
        refused.starts_with("Users and roles change only while the clinic server answers"),
        "{refused}"
    );
    a.as_user("nina");
    server.pg.run();
    eventually("the backlog drains", || level(&[&a], &server));
    assert_eq!(
        server.count("SELECT count(*) FROM records WHERE table_name = 'vitals'"),
        6
    );
    assert_eq!(
        server.count("SELECT count(*) FROM changes WHERE laptop = 'chair-1'"),
        server.count("SELECT pushed_through FROM laptops WHERE name = 'chair-1'"),
        "one change on the server per numbered change of the laptop"
    );
    assert!(state(&a.clinic)
        .words(a.clock.now())
        .starts_with("Shared with the clinic"));
}

#[test]
fn a_batch_pushed_twice_or_after_a_lost_reply_changes_nothing() {
    let server = Server::start();
    let a = Fixture::staffed();
    let url = server.enrol("chair-1");
    let key = DataKey::from_recovery_code(&a.recovery_key).unwrap();
    let mut db = Db::open(&a.path, Some(&key.sqlcipher_key())).unwrap();
    db.join_clinic("chair-1", &url, &server.ca_pem, true, a.clock.now())
        .unwrap();
    let link = Link::connect(&ServerAddress {
        url,
        ca_pem: server.ca_pem.clone(),
    })
    .unwrap();
    let batch = db.outbox(1_000).unwrap();
    assert!(batch.len() > 10, "the history is queued: {}", batch.len());

    let first = link.push(&batch).unwrap();
    let before = server.digest();
    let changes = server.count("SELECT count(*) FROM changes");
    // The reply is "lost": the laptop never records it and sends the same batch again.
    let again = link.push(&batch).unwrap();
    assert_eq!(again, first, "the same answer, from what the server already holds");
    assert_eq!(server.digest(), before);
    assert_eq!(server.count("SELECT count(*) FROM changes"), changes);
    db.pushed(&batch, &again).unwrap();
    assert_eq!(db.sync_state().unwrap().waiting, 0);

    // A gap is refused: the laptop's changes arrive in order or not at all.
    let mut gap = batch[0].clone();
    gap.seq = batch.len() as i64 + 5;
    let refused = link.push(&[gap]).unwrap_err();
    assert!(refused.to_string().contains("no gap"), "{refused}");
}

#[test]
fn ten_laptops_pushing_at_once_never_make_a_pull_skip_a_row() {
    const LAPTOPS: usize = 10;
    const EACH: i64 = 40;
    let server = Server::start();
    let address = |url: String| ServerAddress {
        url,
        ca_pem: server.ca_pem.clone(),
    };
    let urls: Vec<String> = (0..LAPTOPS).map(|i| server.enrol(&format!("load-{i}"))).collect();
    let reader = Link::connect(&address(server.enrol("reader"))).unwrap();
    let seen = std::thread::scope(|scope| {
        for url in &urls {
            let link = Link::connect(&address(url.clone())).unwrap();
            scope.spawn(move || {
                for seq in 1..=EACH {
                    let change = Change {
                        seq,
                        table: "patients".into(),
                        uid: format!("{url}/{seq}"),
                        base: 0,
                        row: json!({"mrn": format!("{seq}")}),
                        row_id: seq,
                    };
                    link.push(&[change]).unwrap();
                }
            });
        }
        // Pulling while they push: every row is seen once, in order, none skipped.
        let mut seen = BTreeSet::new();
        let mut after = 0;
        let until = Instant::now() + Duration::from_secs(60);
        while seen.len() < LAPTOPS * EACH as usize && Instant::now() < until {
            for change in reader.pull(after, 7).unwrap() {
                assert!(change.server_seq > after);
                after = change.server_seq;
                assert!(seen.insert(change.uid), "a row pulled twice");
            }
        }
        seen
    });
    assert_eq!(seen.len(), LAPTOPS * EACH as usize, "a pull skipped rows");
}

#[test]
fn a_concurrent_patient_edit_is_a_recorded_conflict_and_both_laptops_agree() {
    let server = Server::start();
    let a = first_laptop(&server);
    a.as_user("nina");
    let patient = a.add_patient("CON-1");
    let b = new_laptop(&server, &a, "chair-2", "nina");
    eventually("chair-2 has the patient", || level(&[&b], &server));
    let on_b = find_patient(&b.clinic, "CON-1");

    server.pg.stop_immediately();
    let edit = |clinic: &Clinic, id: i64, allergies: &str, contact: Option<&str>| {
        let mut input = patient_input("CON-1");
        input.allergies = Some(allergies.into());
        input.emergency_contact = contact.map(str::to_string);
        clinic
            .update_patient(PatientUpdate {
                patient_id: id,
                patient: input,
            })
            .unwrap();
    };
    edit(&a.clinic, patient.id, "Penicillin", Some("Sam 555-0100"));
    edit(&b.clinic, on_b, "Latex", None);
    // chair-2's edit reaches the server first; chair-1's, based on the same version, after it. So
    // chair-1 then pulls an edit older than its own, which must not undo its own.
    a.clinic.logout(Nothing {}).unwrap();
    server.pg.run();
    eventually("chair-2's edit is on the server", || level(&[&b], &server));
    a.as_user("nina");
    eventually("both laptops level with the server", || level(&[&a, &b], &server));
    assert_eq!(
        server.pg.psql(DB, "SELECT field FROM conflicts"),
        "allergies",
        "one conflict, on the field both changed"
    );
    let kept: BTreeSet<String> = server
        .pg
        .psql(
            DB,
            "SELECT earlier ->> 'allergies', later ->> 'allergies' FROM conflicts",
        )
        .split('|')
        .map(str::to_string)
        .collect();
    assert_eq!(
        kept,
        BTreeSet::from(["Penicillin".to_string(), "Latex".to_string()]),
        "both values kept"
    );
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(digest(&a), server.digest());
    // Both edits are in the audit trail every laptop shows, the other laptop's named as its.
    let history = a
        .as_user("ada")
        .audit_search(Filter {
            patient_id: Some(patient.id),
            action: Some(Action::PatientUpdated),
            ..Filter::default()
        })
        .unwrap();
    let edit_by = |laptop: Option<&str>, allergy: &str| {
        history
            .iter()
            .any(|e| e.laptop.as_deref() == laptop && e.new_value.as_deref().unwrap_or_default().contains(allergy))
    };
    assert!(
        edit_by(None, "Penicillin") && edit_by(Some("chair-2"), "Latex"),
        "{history:?}"
    );
    let merged = a
        .as_user("nina")
        .search_patients(PatientSearch { query: "CON-1".into() })
        .unwrap();
    assert_eq!(
        merged[0].emergency_contact.as_deref(),
        Some("Sam 555-0100"),
        "the field only one laptop changed is kept"
    );
}

#[test]
fn a_signed_session_is_refused_to_every_other_laptop_and_identical_everywhere() {
    let server = Server::start();
    let a = first_laptop(&server);
    a.as_user("nina");
    let patient = a.add_patient("SIG-1");
    let session = a.start_session(&patient);
    a.chart_vitals(&session, 118.0, 76.0);
    a.clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
    let b = new_laptop(&server, &a, "chair-2", "nina");
    eventually("chair-2 has the signed session", || level(&[&b], &server));

    let on_b = b.clinic.get_patient(PatientRef {
        patient_id: find_patient(&b.clinic, "SIG-1"),
    });
    let session_b = on_b.unwrap().sessions[0].id;
    let refused = b
        .clinic
        .add_vitals(vitals_input(session_b, b.clock.now(), 120.0, 80.0))
        .unwrap_err();
    assert_eq!(refused.kind(), "conflict", "{refused}");

    // A laptop that goes around the app is refused by the server itself.
    let intruder = Link::connect(&ServerAddress {
        url: server.enrol("intruder"),
        ca_pem: server.ca_pem.clone(),
    })
    .unwrap();
    let session_uid = server
        .pg
        .psql(DB, "SELECT uid FROM records WHERE table_name = 'sessions'");
    let forged = Change {
        seq: 1,
        table: "vitals".into(),
        uid: "forged-vitals".into(),
        base: 0,
        row: json!({"session_id": session_uid, "sbp": 90, "dbp": 60}),
        row_id: 1,
    };
    let ack = intruder.push(&[forged]).unwrap();
    assert_eq!(ack.acks, vec![(1, None)], "refused, and said so");
    assert_eq!(server.count("SELECT count(*) FROM refused"), 1);
    let forced = server.pg.try_psql(
        DB,
        &format!("UPDATE records SET body = body || '{{\"sbp\": 90}}' WHERE table_name = 'vitals'"),
    );
    assert!(
        forced.unwrap_err().contains("signed and locked"),
        "the server's trigger locks it too"
    );

    eventually("level", || level(&[&a, &b], &server));
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(digest(&a), server.digest());
}

#[test]
fn a_revoked_laptop_is_cut_off_and_says_so_while_it_keeps_charting() {
    let server = Server::start();
    let a = first_laptop(&server);
    revoke_laptop(&server.owner(), "chair-1").unwrap();
    a.as_user("nina");
    let patient = a.add_patient("REV-1");
    a.start_session(&patient);
    eventually("the laptop says the server refuses it", || {
        let s = state(&a.clinic);
        s.unreachable_since.is_some() && s.waiting > 0
    });
    assert_eq!(
        server.count("SELECT count(*) FROM records WHERE table_name = 'patients'"),
        0
    );
}

#[test]
fn one_mrn_given_to_two_patients_on_two_laptops_is_flagged_and_neither_is_lost() {
    let server = Server::start();
    let a = first_laptop(&server);
    a.as_user("nina");
    let b = new_laptop(&server, &a, "chair-2", "nina");
    server.pg.stop_immediately();
    a.add_patient("DUP-1");
    b.add_patient("DUP-1");
    server.pg.run();
    eventually("both laptops' patients reach the server", || {
        server.count("SELECT count(*) FROM records WHERE table_name = 'patients'") == 2
    });
    eventually("the two are flagged to merge", || {
        server.count("SELECT count(*) FROM conflicts WHERE field = 'same_mrn'") == 1
    });
    eventually(
        "a laptop that cannot take the other's patient says why, not that the server is down",
        || {
            [&a, &b].iter().any(|f| {
                let words = state(&f.clinic).words(f.clock.now());
                words.starts_with("Not shared: Laptop chair-") && words.contains("MRN DUP-1")
            })
        },
    );
}

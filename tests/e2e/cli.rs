//! The admin command line end to end: the real binary, with no DISPLAY and no terminal, on real
//! files. init, backup (also onto a full and a read-only drive), verify, restore (also onto a new
//! computer), export, audit verify and report, with their exit codes and one-line errors; and the
//! clinic server's set-up on a real PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::protocols::DoseInput;
use infusion_chart::domain::users::{Credentials, PasswordChange, Role, UserInput};
use infusion_chart::domain::vitals::VitalsInput;
use infusion_chart::domain::weight::WeightUnit;
use infusion_chart::Clinic;

use crate::postgres::Postgres;

const BINARY: &str = env!("CARGO_BIN_EXE_infusion-chart");

/// Runs the binary on the chart in `data`, as a cron job would: no display, no terminal.
fn run(data: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(BINARY);
    cmd.args(args)
        .env("INFUSION_CHART_DATA_DIR", data)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("INFUSION_CHART_USER")
        .env_remove("INFUSION_CHART_PASSWORD")
        .stdin(Stdio::null());
    if let Some(password) = password {
        cmd.env("INFUSION_CHART_PASSWORD", password);
    }
    cmd.output().expect("the binary runs")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}: {}{stdout}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A refusal: exit code 1 and the reason on the last line of stderr (lines before it, if any, are
/// technical detail for support).
fn refused(out: &Output, reason: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("infusion-chart: ") && last.contains(reason),
        "{stderr}"
    );
}

pub const ADA: &str = "ada-password-1";
pub const NINA: &str = "nina-password-1";

/// Nurse nina charts one session through the core, as the window would; returns its id.
pub fn chart_a_session(data: &Path) -> i64 {
    let clinic = Clinic::open(&data.join("infusion-chart.db")).unwrap();
    let creds = |username: &str, password: &str| Credentials {
        username: username.into(),
        password: password.into(),
    };
    clinic.login(creds("ada", ADA)).unwrap();
    clinic
        .add_user(UserInput {
            username: Some("nina".into()),
            display_name: Some("Nina Park".into()),
            password: Some("temporary-nina".into()),
            password_confirm: None,
            roles: vec![Role::Nurse],
        })
        .unwrap();
    clinic.logout(Nothing {}).unwrap();
    clinic.login(creds("nina", "temporary-nina")).unwrap();
    clinic
        .change_password(PasswordChange {
            current_password: "temporary-nina".into(),
            new_password: NINA.into(),
            new_password_confirm: NINA.into(),
        })
        .unwrap();
    let patient = clinic
        .add_patient(serde_json::from_value(serde_json::json!({
            "family_name": "Nguyễn-O'Brien", "given_names": "Zoë", "date_of_birth": "1984-03-09",
            "mrn": "CLI-1", "sex": "female", "allergies": "None known", "weight": 70, "weight_unit": "kg", "indication": "treatment_resistant_depression"
        })).unwrap())
        .unwrap();
    let session = clinic
        .start_session(DoseInput {
            patient_id: patient.id,
            protocol_id: 1,
            weight: Some(70.0),
            weight_unit: Some(WeightUnit::Kg),
            dose_mg_per_kg: None,
            weight_confirmed: false,
            override_reason: None,
            chair: Some("1".into()),
        })
        .unwrap();
    let vitals: VitalsInput = serde_json::from_value(serde_json::json!({
        "session_id": session.id, "clinical_time": chrono::Utc::now().to_rfc3339(),
        "sbp": 124, "dbp": 80, "hr": 72, "spo2": 98, "rr": 14
    }))
    .unwrap();
    clinic.add_vitals(vitals).unwrap();
    clinic.logout(Nothing {}).unwrap();
    session.id
}

/// Runs a backup onto a tiny or read-only tmpfs mounted in a private mount namespace. None when
/// this machine does not allow unprivileged namespaces.
fn backup_onto_mount(data: &Path, folder: &Path, options: &str, password_file: &Path) -> Option<Output> {
    std::fs::create_dir_all(folder).unwrap();
    let script =
        r#"mount -t tmpfs -o "$1" tmpfs "$2" || exit 97; exec "$3" backup --to "$2" --user ada --password-file "$4""#;
    let out = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            script,
            "sh",
            options,
        ])
        .arg(folder)
        .arg(BINARY)
        .arg(password_file)
        .env("INFUSION_CHART_DATA_DIR", data)
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    (out.status.code() != Some(97) && !String::from_utf8_lossy(&out.stderr).starts_with("unshare:")).then_some(out)
}

fn backup_file(stdout: &str) -> PathBuf {
    let path = stdout
        .trim()
        .strip_prefix("Backed up to ")
        .unwrap()
        .split(" (")
        .next()
        .unwrap();
    PathBuf::from(path)
}

#[test]
fn the_command_line_sets_up_backs_up_verifies_restores_exports_and_reports_without_a_display() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("chart");
    let password_file = root.path().join("ada.password");
    std::fs::write(&password_file, format!("{ADA}\n")).unwrap();
    let pw = password_file.to_str().unwrap();

    let help = ok(&run(&data, &["--help"], None));
    for command in ["init", "backup", "verify", "restore", "export", "audit", "report"] {
        assert!(help.contains(command), "--help lists {command}: {help}");
    }
    assert!(ok(&run(&data, &["backup", "--help"], None)).contains("--to <DIR>"));
    assert_eq!(run(&data, &["backup"], None).status.code(), Some(2), "a usage error");

    let init = ok(&run(
        &data,
        &["init", "--admin", "ada", "--name", "Ada Admin"],
        Some(ADA),
    ));
    let recovery_key = init.lines().last().unwrap().trim().to_string();
    assert_eq!(
        recovery_key.split('-').count(),
        8,
        "the recovery key is printed once: {init}"
    );
    refused(&run(&data, &["init", "--admin", "eve"], Some(ADA)), "already set up");

    let session_id = chart_a_session(&data);
    let backups = root.path().join("usb");
    std::fs::create_dir(&backups).unwrap();
    let backed_up = ok(&run(
        &data,
        &[
            "backup",
            "--to",
            backups.to_str().unwrap(),
            "--user",
            "ada",
            "--password-file",
            pw,
        ],
        None,
    ));
    assert!(backed_up.contains("1 patients, 1 sessions, 1 vitals"), "{backed_up}");
    let file = backup_file(&backed_up);
    assert!(file.exists() && backup_file(&backed_up).with_extension("manifest.json").exists());

    refused(
        &run(
            &data,
            &["backup", "--to", backups.to_str().unwrap(), "--user", "ada"],
            Some("wrong"),
        ),
        "not right",
    );
    refused(
        &run(
            &data,
            &["backup", "--to", backups.to_str().unwrap(), "--user", "ada"],
            None,
        ),
        "No password",
    );
    refused(
        &run(
            &data,
            &[
                "export",
                "--format",
                "csv",
                "--out",
                backups.to_str().unwrap(),
                "--user",
                "nina",
            ],
            Some(NINA),
        ),
        "admin",
    );

    let f = file.to_str().unwrap();
    assert!(ok(&run(&data, &["verify", f, "--user", "ada"], Some(ADA))).contains("is a sound Infusion Chart backup"));
    assert!(ok(&run(&data, &["audit", "verify", "--user", "ada"], Some(ADA))).starts_with("The audit trail is intact"));

    let csv = root.path().join("csv");
    let fhir = root.path().join("fhir");
    std::fs::create_dir(&csv).unwrap();
    std::fs::create_dir(&fhir).unwrap();
    assert!(ok(&run(
        &data,
        &[
            "export",
            "--format",
            "csv",
            "--out",
            csv.to_str().unwrap(),
            "--user",
            "ada"
        ],
        Some(ADA)
    ))
    .contains("vitals.csv (1)"));
    assert!(csv.join("patients.csv").exists());
    ok(&run(
        &data,
        &[
            "export",
            "--format",
            "fhir",
            "--out",
            fhir.to_str().unwrap(),
            "--user",
            "ada",
        ],
        Some(ADA),
    ));
    assert!(std::fs::read_to_string(fhir.join("infusion-chart-fhir-bundle.json"))
        .unwrap()
        .contains("\"Bundle\""));

    let pdf = root.path().join("session.pdf");
    let reported = ok(&run(
        &data,
        &[
            "report",
            &session_id.to_string(),
            "--out",
            pdf.to_str().unwrap(),
            "--user",
            "nina",
        ],
        Some(NINA),
    ));
    assert!(reported.contains("pages"), "{reported}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    refused(
        &run(
            &data,
            &["report", "999", "--out", pdf.to_str().unwrap(), "--user", "nina"],
            Some(NINA),
        ),
        "999",
    );

    // A full drive and a read-only one: a clear error, nothing left behind, the chart untouched.
    let full = root.path().join("full");
    if let Some(out) = backup_onto_mount(&data, &full, "size=48k", &password_file) {
        refused(&out, "the drive is full");
        assert_eq!(
            std::fs::read_dir(&full).unwrap().count(),
            0,
            "the mount is gone and nothing was written here"
        );
        let readonly = root.path().join("readonly");
        let out = backup_onto_mount(&data, &readonly, "ro", &password_file).unwrap();
        refused(&out, "read-only");
    } else {
        eprintln!(
            "unprivileged mount namespaces are not allowed here: full and read-only drives covered by core tests only"
        );
    }
    assert!(ok(&run(&data, &["verify", f, "--user", "ada"], Some(ADA))).contains("sound"));

    // Restore: a truncated copy is refused; the real one restores; then onto a new computer.
    let truncated = backups.join("truncated.db");
    std::fs::copy(&file, &truncated).unwrap();
    std::fs::copy(
        file.with_extension("manifest.json"),
        truncated.with_extension("manifest.json"),
    )
    .unwrap();
    let len = std::fs::metadata(&truncated).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&truncated)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    refused(
        &run(
            &data,
            &["restore", truncated.to_str().unwrap(), "--user", "ada"],
            Some(ADA),
        ),
        "truncated",
    );
    let restored = ok(&run(&data, &["restore", f, "--user", "ada"], Some(ADA)));
    assert!(restored.starts_with("Restored "), "{restored}");
    assert!(ok(&run(&data, &["audit", "verify", "--user", "ada"], Some(ADA))).starts_with("The audit trail is intact"));

    let new_computer = root.path().join("new-laptop");
    let moved = ok(&run(&new_computer, &["restore", f, "--user", "ada"], Some(ADA)));
    assert!(moved.contains("(there was no database)"), "{moved}");
    assert!(ok(&run(&new_computer, &["verify", f, "--user", "ada"], Some(ADA))).contains("sound"));
    let key_file = root.path().join("recovery.key");
    std::fs::write(&key_file, &recovery_key).unwrap();
    let elsewhere = root.path().join("another-laptop");
    let by_key = run(
        &elsewhere,
        &[
            "verify",
            f,
            "--user",
            "ada",
            "--recovery-key-file",
            key_file.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok(&by_key).contains("sound"));
}

#[test]
fn the_command_line_sets_up_the_clinic_server_once_and_refuses_a_usage_error_or_a_foreign_certificate() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    let data = tempfile::tempdir().unwrap();
    let ca = pg.ca().display().to_string();
    let url = pg.url("clinic");
    let init = |ca: &str| run(data.path(), &["server", "init", "--url", &url, "--ca", ca], None);
    assert_eq!(
        ok(&init(&ca)).trim(),
        "The clinic server is set up (schema 2): applied 0001_server.sql, 0002_sync.sql."
    );
    assert_eq!(
        ok(&init(&ca)).trim(),
        "The clinic server is up to date (schema 2); nothing was changed."
    );
    refused(
        &init(&pg.other_ca().display().to_string()),
        "The clinic server could not be used",
    );
    let usage = run(data.path(), &["server", "init", "--url", &url], None);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&usage.stderr)
    );
    // A server stopped mid-way (a crash, a pulled plug) is said to be unusable.
    pg.stop_immediately();
    refused(&init(&ca), "The clinic server could not be used");
}

/// The address `server add-laptop` printed, from its output.
fn printed_address(out: &str) -> String {
    let start = out.find("--url '").expect("the address is printed") + "--url '".len();
    out[start..].split('\'').next().unwrap().to_string()
}

#[test]
fn a_clinic_of_two_laptops_is_set_up_from_the_command_line() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    let (ca, owner) = (pg.ca().display().to_string(), pg.url("clinic"));
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    ok(&run(
        first.path(),
        &["server", "init", "--url", &owner, "--ca", &ca],
        None,
    ));
    ok(&run(first.path(), &["init", "--admin", "ada"], Some(ADA)));
    chart_a_session(first.path());
    let enrol = |name: &str| {
        run(
            first.path(),
            &["server", "add-laptop", "--url", &owner, "--ca", &ca, "--name", name],
            None,
        )
    };

    let chair_1 = printed_address(&ok(&enrol("chair-1")));
    let joined = ok(&run(
        first.path(),
        &["clinic", "join", "--url", &chair_1, "--ca", &ca, "--user", "ada"],
        Some(ADA),
    ));
    assert!(
        joined.starts_with("This laptop joined the clinic and shared its history: Shared with the clinic"),
        "{joined}"
    );

    let chair_2 = printed_address(&ok(&enrol("chair-2")));
    let new = ok(&run(
        second.path(),
        &["clinic", "join", "--url", &chair_2, "--ca", &ca, "--user", "nina"],
        Some(NINA),
    ));
    assert!(new.starts_with("This laptop joined the clinic as chair-2"), "{new}");
    let status = ok(&run(second.path(), &["sync", "status", "--user", "ada"], Some(ADA)));
    assert!(
        status.contains("Laptop chair-2 at postgresql://chair-2@127.0.0.1"),
        "{status}"
    );
    let secret = chair_2.split(':').nth(2).unwrap().split('@').next().unwrap();
    assert!(!status.contains(secret), "the laptop's secret is never shown: {status}");

    refused(&enrol("chair-2"), "already enrolled");
    refused(&enrol("Chair 3"), "Laptop name");
    ok(&run(
        first.path(),
        &[
            "server",
            "revoke-laptop",
            "--url",
            &owner,
            "--ca",
            &ca,
            "--name",
            "chair-2",
        ],
        None,
    ));
    refused(
        &run(
            tempfile::tempdir().unwrap().path(),
            &["clinic", "join", "--url", &chair_2, "--ca", &ca, "--user", "nina"],
            Some(NINA),
        ),
        "The clinic server could not be used",
    );
}

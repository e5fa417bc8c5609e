//! The role matrix: every role-gated action, tried by each role. A refusal is `forbidden` and says
//! who may; an allowed action may still fail for other reasons, but never as `forbidden`.

use infusion_chart::app::clinic::Nothing;
use infusion_chart::app::commands::{command, COMMANDS};
use infusion_chart::domain::alerts::AlertRef;
use infusion_chart::domain::audit::{ExportRequest, Filter};
use infusion_chart::domain::clock::TypedTime;
use infusion_chart::domain::discharge::{AldreteInput, DischargeInput};
use infusion_chart::domain::infusion::{EventInput, EventKind};
use infusion_chart::domain::notes::NoteInput;
use infusion_chart::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use infusion_chart::domain::patients::{PatientSearch, PatientUpdate};
use infusion_chart::domain::preparation::WasteInput;
use infusion_chart::domain::protocols::ProtocolInput;
use infusion_chart::domain::sessions::{ArrivalMove, DayRequest, PatientRef, SessionRef};
use infusion_chart::domain::settings::LogoInput;
use infusion_chart::domain::settings::SettingsInput;
use infusion_chart::domain::side_effects::{
    DoseUnit, Effect, InterventionInput, RescueMedication, Resolution, Route, Severity, SideEffectInput,
};
use infusion_chart::domain::signing::AddendumInput;
use infusion_chart::domain::users::{ActiveChange, PasswordReset, Role, RolesChange, UserInput};
use infusion_chart::domain::vitals::VitalsCorrection;
use infusion_chart::outside::backup::{BackupFile, BackupRequest, FolderInput};
use infusion_chart::outside::export::Format;
use infusion_chart::outside::report::ReportRequest;
use infusion_chart::{Clinic, Result};

use crate::support::{checklist_input, dose_input, patient_input, vitals_input, Fixture};

type Action = Box<dyn Fn(&Clinic) -> Result<()>>;

fn ok<T>(r: Result<T>) -> Result<()> {
    r.map(drop)
}

#[test]
fn each_role_may_do_exactly_its_part_of_every_command() {
    let f = Fixture::staffed();
    f.as_user("nina");
    let patient = f.add_patient("R-1");
    let session = f.start_session(&patient);
    let vitals = f.chart_vitals(&session, 120.0, 80.0);
    let second = f.add_patient("R-3");
    let (p, s, now) = (patient.id, session.id, f.clock.now());
    let out = tempfile::tempdir().unwrap();
    let export = out.path().join("audit.csv").display().to_string();
    let report = out.path().join("series.pdf").display().to_string();
    let omar = 3;
    // A folder and file that do not exist: an allowed backup command then fails after the gate.
    let missing: &'static str = Box::leak(out.path().join("missing").display().to_string().into_boxed_str());

    use Role::*;
    let matrix: Vec<(&str, &[Role], Action)> = vec![
        (
            "add_patient",
            &[Nurse, Physician],
            Box::new(|c| ok(c.add_patient(patient_input("R-2")))),
        ),
        (
            "search_patients",
            &[Nurse, Physician],
            Box::new(|c| ok(c.search_patients(PatientSearch { query: "R".into() }))),
        ),
        (
            "get_patient",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.get_patient(PatientRef { patient_id: p }))),
        ),
        (
            "list_protocols",
            &[Nurse, Physician],
            Box::new(|c| ok(c.list_protocols(Nothing {}))),
        ),
        (
            "dose_preview",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.dose_preview(dose_input(&patient)))),
        ),
        (
            "start_session",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.start_session(dose_input(&second)))),
        ),
        (
            "get_session",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.get_session(SessionRef { session_id: s }))),
        ),
        (
            "add_vitals",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.add_vitals(vitals_input(s, now, 130.0, 85.0)))),
        ),
        (
            "correct_vitals",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.correct_vitals(VitalsCorrection {
                    vitals_id: vitals.id,
                    reason: Some("typo".into()),
                    vitals: vitals_input(s, now, 122.0, 80.0),
                }))
            }),
        ),
        (
            "add_infusion_event",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_infusion_event(EventInput {
                    session_id: s,
                    kind: EventKind::Start,
                    clinical_time: Some(now.to_rfc3339()),
                    rate_ml_per_h: Some(54.5),
                    bolus_mg: None,
                    hold_override: None,
                    start_without_scales: true,
                }))
            }),
        ),
        (
            "review_infusion",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.review_infusion(SessionRef { session_id: s }))),
        ),
        (
            "read_clinical_time",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.read_clinical_time(TypedTime {
                    session_id: s,
                    text: infusion_chart::domain::clock::hm(now),
                    for_arrival: false,
                }))
            }),
        ),
        (
            "move_arrival",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.move_arrival(ArrivalMove {
                    session_id: s,
                    arrived_at: Some((now - chrono::Duration::hours(1)).to_rfc3339()),
                    reason: Some("In the chair before the session was opened".into()),
                }))
            }),
        ),
        (
            "add_note",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_note(NoteInput {
                    session_id: s,
                    clinical_time: Some(now.to_rfc3339()),
                    text: Some("Calm".into()),
                }))
            }),
        ),
        (
            "acknowledge_alert",
            &[Nurse, Physician],
            Box::new(|c| ok(c.acknowledge_alert(AlertRef { alert_id: 1 }))),
        ),
        (
            "sign_session",
            &[Nurse],
            Box::new(move |c| ok(c.sign_session(SessionRef { session_id: s }))),
        ),
        (
            "cosign_session",
            &[Physician],
            Box::new(move |c| ok(c.cosign_session(SessionRef { session_id: s }))),
        ),
        (
            "add_addendum",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_addendum(AddendumInput {
                    session_id: s,
                    reason: Some("late".into()),
                    text: Some("note".into()),
                }))
            }),
        ),
        (
            "update_patient",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.update_patient(PatientUpdate {
                    patient_id: p,
                    patient: patient_input("R-1"),
                }))
            }),
        ),
        (
            "reference_lists",
            &[Nurse, Physician, Admin],
            Box::new(|c| ok(c.reference_lists(Nothing {}))),
        ),
        (
            "day_list",
            &[Nurse, Physician],
            Box::new(|c| ok(c.day_list(DayRequest::default()))),
        ),
        (
            "save_checklist",
            &[Nurse, Physician],
            Box::new(move |c| ok(c.save_checklist(checklist_input(s)))),
        ),
        (
            "record_waste",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.record_waste(WasteInput {
                    session_id: s,
                    clinical_time: Some(now.to_rfc3339()),
                    amount_mg: Some(3.0),
                    witness_username: "nobody".into(),
                    witness_password: "wrong".into(),
                }))
            }),
        ),
        (
            "add_outcome",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_outcome(OutcomeInput {
                    session_id: s,
                    scale: Some(Scale::PainNrs),
                    timepoint: Some(Timepoint::PreInfusion),
                    clinical_time: Some(now.to_rfc3339()),
                    items: vec![Some(3.0)],
                }))
            }),
        ),
        (
            "add_side_effect",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_side_effect(SideEffectInput {
                    session_id: s,
                    effect: Some(Effect::Nausea),
                    other: None,
                    severity: Some(Severity::Mild),
                    onset_time: Some(now.to_rfc3339()),
                }))
            }),
        ),
        (
            "resolve_side_effect",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.resolve_side_effect(Resolution {
                    side_effect_id: 1,
                    resolved_time: Some(now.to_rfc3339()),
                }))
            }),
        ),
        (
            "add_intervention",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_intervention(InterventionInput {
                    session_id: s,
                    medication: Some(RescueMedication::Ondansetron),
                    other: None,
                    dose: Some(4.0),
                    unit: Some(DoseUnit::Mg),
                    route: Some(Route::Iv),
                    clinical_time: Some(now.to_rfc3339()),
                    indication: Some("Nausea".into()),
                    side_effect_id: None,
                    effect: None,
                }))
            }),
        ),
        (
            "add_aldrete",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.add_aldrete(AldreteInput {
                    session_id: s,
                    clinical_time: Some(now.to_rfc3339()),
                    activity: Some(2.0),
                    respiration: Some(2.0),
                    circulation: Some(2.0),
                    consciousness: Some(2.0),
                    oxygen: Some(2.0),
                }))
            }),
        ),
        (
            "discharge",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.discharge(DischargeInput {
                    session_id: s,
                    clinical_time: Some(now.to_rfc3339()),
                    escort_name: Some("Sam".into()),
                    instructions_given: true,
                    override_reason: None,
                }))
            }),
        ),
        (
            "all_protocols",
            &[Physician, Admin],
            Box::new(|c| ok(c.all_protocols(Nothing {}))),
        ),
        (
            "save_protocol",
            &[Physician, Admin],
            Box::new(|c| {
                ok(c.save_protocol(ProtocolInput {
                    protocol_id: Some(2),
                    name: Some("Ketamine IV 0.5 mg/kg over 100 min".into()),
                    drug: Some("ketamine".into()),
                    route: Some("IV".into()),
                    dose_mg_per_kg: Some(0.5),
                    duration_min: Some(100.0),
                    concentration_mg_per_ml: Some(1.0),
                    soft_limit_mg_per_kg: Some(0.75),
                    hard_limit_mg_per_kg: Some(1.5),
                    vitals_every_min: Some(10.0),
                    observation_min: Some(60.0),
                    hold_sbp: Some(140.0),
                    hold_dbp: Some(90.0),
                    overrun_margin_pct: Some(15.0),
                    outcome_scales: vec![],
                    active: Some(true),
                }))
            }),
        ),
        (
            "print_report",
            &[Nurse, Physician],
            Box::new(move |c| {
                ok(c.print_report(ReportRequest {
                    session_id: None,
                    patient_id: Some(p),
                    path: Some(report.clone()),
                }))
            }),
        ),
        ("list_users", &[Admin], Box::new(|c| ok(c.list_users(Nothing {})))),
        (
            "add_user",
            &[Admin],
            Box::new(|c| {
                ok(c.add_user(UserInput {
                    username: Some("newbie".into()),
                    display_name: Some("New Nurse".into()),
                    password: Some("temporary-newbie".into()),
                    password_confirm: None,
                    roles: vec![Nurse],
                }))
            }),
        ),
        (
            "set_user_roles",
            &[Admin],
            Box::new(move |c| {
                ok(c.set_user_roles(RolesChange {
                    user_id: omar,
                    roles: vec![Physician],
                }))
            }),
        ),
        (
            "set_user_active",
            &[Admin],
            Box::new(move |c| {
                ok(c.set_user_active(ActiveChange {
                    user_id: omar,
                    active: true,
                }))
            }),
        ),
        (
            "reset_password",
            &[Admin],
            Box::new(move |c| {
                ok(c.reset_password(PasswordReset {
                    user_id: omar,
                    new_password: "password-omar-1".into(),
                }))
            }),
        ),
        ("get_settings", &[Admin], Box::new(|c| ok(c.get_settings(Nothing {})))),
        (
            "update_settings",
            &[Admin],
            Box::new(|c| {
                ok(c.update_settings(SettingsInput {
                    auto_lock_minutes: Some(10.0),
                    ..SettingsInput::default()
                }))
            }),
        ),
        (
            "audit_search",
            &[Admin],
            Box::new(|c| ok(c.audit_search(Filter::default()))),
        ),
        ("audit_verify", &[Admin], Box::new(|c| ok(c.audit_verify(Nothing {})))),
        (
            "audit_export",
            &[Admin],
            Box::new(move |c| {
                ok(c.audit_export(ExportRequest {
                    filter: Filter::default(),
                    path: export.clone(),
                }))
            }),
        ),
        (
            "set_clinic_logo",
            &[Admin],
            Box::new(|c| ok(c.set_clinic_logo(LogoInput { png_hex: String::new() }))),
        ),
        ("backup_status", &[Admin], Box::new(|c| ok(c.backup_status(Nothing {})))),
        (
            "backup_now",
            &[Admin],
            Box::new(move |c| {
                ok(c.backup_now(BackupRequest {
                    folder: Some(missing.into()),
                }))
            }),
        ),
        (
            "set_backup_folder",
            &[Admin],
            Box::new(move |c| ok(c.set_backup_folder(FolderInput { folder: missing.into() }))),
        ),
        (
            "verify_backup",
            &[Admin],
            Box::new(move |c| ok(c.verify_backup(BackupFile { path: missing.into() }))),
        ),
        (
            "restore_backup",
            &[Admin],
            Box::new(move |c| ok(c.restore_backup(BackupFile { path: missing.into() }))),
        ),
        (
            "export_records",
            &[Admin],
            Box::new(move |c| {
                ok(c.export_records(infusion_chart::outside::export::ExportRequest {
                    format: Format::Csv,
                    folder: missing.into(),
                }))
            }),
        ),
        (
            "join_clinic",
            &[Admin],
            // An address that is not one: refused in words before any network, for an admin.
            Box::new(|c| {
                ok(c.join_clinic(infusion_chart::app::joining::ClinicJoin {
                    url: "not an address".into(),
                    ca_pem: String::new(),
                }))
            }),
        ),
    ];

    // The matrix reads the table: each command's roles are those its access allows (anyone signed in
    // when it asks for no permission), and every command the table gates by role is tried.
    for (name, allowed, _) in &matrix {
        let access = command(name)
            .unwrap_or_else(|| panic!("{name} is not in the command table"))
            .access;
        let expected = access
            .permission()
            .map_or(&[Nurse, Physician, Admin][..], |p| p.allowed_roles());
        let same = allowed.len() == expected.len() && allowed.iter().all(|r| expected.contains(r));
        assert!(
            same,
            "{name}: the matrix says {allowed:?}, the table's access allows {expected:?}"
        );
    }
    let untried: Vec<&str> = COMMANDS
        .iter()
        .filter(|c| c.access.permission().is_some() && !matrix.iter().any(|(name, _, _)| *name == c.name))
        .map(|c| c.name)
        .collect();
    assert!(
        untried.is_empty(),
        "role-gated commands the matrix does not try: {untried:?}"
    );

    // Admin last: resetting Dr Haddad's password would otherwise stop him signing in.
    for (username, role) in [("nina", Nurse), ("omar", Physician), ("ada", Admin)] {
        let clinic = f.as_user(username);
        for (command, allowed, action) in &matrix {
            let result = action(clinic);
            let refused = matches!(&result, Err(e) if e.kind() == "forbidden");
            assert_eq!(
                !refused,
                allowed.contains(&role),
                "{username} ({role:?}) → {command}: {result:?}"
            );
            if let Err(e) = &result {
                if refused {
                    assert!(e.to_string().starts_with("Only "), "a refusal says who may: {e}");
                }
            }
        }
    }
}

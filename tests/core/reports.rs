//! PDF reports of sessions charted through the core, checked with the tools a person would use:
//! `pdftotext` for every charted value, `qpdf --check` for validity, `pdftoppm` for a page to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::infusion::{EventInput, EventKind};
use infusion_chart::domain::notes::NoteInput;
use infusion_chart::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use infusion_chart::domain::settings::{LogoInput, SettingsInput};
use infusion_chart::domain::side_effects::{
    DoseUnit, Effect, InterventionInput, RescueMedication, Route, Severity, SideEffectInput,
};
use infusion_chart::outside::report::ReportRequest;
use infusion_chart::Clinic;

use crate::support::{vitals_input, Fixture};

fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pdftotext(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed on {}", file.display());
    String::from_utf8(out.stdout).unwrap()
}

fn qpdf_check(file: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(file).output().expect("qpdf");
    assert!(
        out.status.success(),
        "qpdf --check: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Renders page `page` to `target/test-output/NAME.png`, to look at.
fn page_png(file: &Path, page: usize, name: &str) {
    let prefix = output_dir().join(name);
    let n = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", &n, "-l", &n, "-singlefile"])
        .arg(file)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    assert!(prefix.with_extension("png").exists());
}

fn event(session_id: i64, kind: EventKind, at: chrono::DateTime<chrono::Utc>) -> EventInput {
    EventInput {
        session_id,
        kind,
        clinical_time: Some(at.to_rfc3339()),
        rate_ml_per_h: (kind == EventKind::Start).then_some(54.5),
        bolus_mg: None,
        hold_override: None,
        start_without_scales: true,
    }
}

fn phq9(session_id: i64, at: chrono::DateTime<chrono::Utc>, items: [f64; 9]) -> OutcomeInput {
    OutcomeInput {
        session_id,
        scale: Some(Scale::Phq9),
        timepoint: Some(Timepoint::PreInfusion),
        clinical_time: Some(at.to_rfc3339()),
        items: items.into_iter().map(Some).collect(),
    }
}

/// Charts `rows` vitals two minutes apart (BP 100+i over 60+i/2 so each row is unique) into a
/// session with a side effect, a rescue medication and a note.
fn charted_session(f: &Fixture, clinic: &Clinic, mrn: &str, rows: usize) -> i64 {
    let session = f.start_session(&f.add_patient(mrn));
    let s = session.id;
    f.prepare(&session);
    clinic
        .add_outcome(phq9(s, f.clock.now(), [3., 3., 2., 2., 2., 2., 2., 2., 0.]))
        .unwrap();
    let start = f.clock.now();
    for i in 0..rows {
        if i == 1 {
            clinic
                .add_infusion_event(event(s, EventKind::Start, f.clock.now()))
                .unwrap();
        }
        if i == 5 {
            clinic
                .add_side_effect(SideEffectInput {
                    session_id: s,
                    effect: Some(Effect::Nausea),
                    other: None,
                    severity: Some(Severity::Mild),
                    onset_time: Some(f.clock.now().to_rfc3339()),
                })
                .unwrap();
            clinic
                .add_intervention(InterventionInput {
                    session_id: s,
                    medication: Some(RescueMedication::Ondansetron),
                    other: None,
                    dose: Some(4.0),
                    unit: Some(DoseUnit::Mg),
                    route: Some(Route::Iv),
                    clinical_time: Some(f.clock.now().to_rfc3339()),
                    indication: Some("Nausea".into()),
                    side_effect_id: None,
                    effect: Some("Settled".into()),
                })
                .unwrap();
        }
        let (sbp, dbp) = (100 + i as i64, 60 + i as i64 / 2);
        clinic
            .add_vitals(vitals_input(s, f.clock.now(), sbp as f64, dbp as f64))
            .unwrap();
        f.clock.advance(2);
        clinic.touch(Nothing {}).unwrap();
    }
    clinic
        .add_note(NoteInput {
            session_id: s,
            clinical_time: Some(start.to_rfc3339()),
            text: Some("Calm, music on; µg/kg noted".into()),
        })
        .unwrap();
    clinic
        .add_infusion_event(event(s, EventKind::Stop, f.clock.now()))
        .unwrap();
    s
}

#[test]
fn a_session_report_holds_every_charted_value_on_valid_pages_and_unicode_round_trips() {
    let f = Fixture::staffed();
    f.as_user("ada")
        .update_settings(SettingsInput {
            clinic_name: Some("Harbour Ketamine Clinic".into()),
            clinic_phone: Some("+1 555 0100".into()),
            ..SettingsInput::default()
        })
        .unwrap();
    let admin = f.as_user("ada");
    let mut logo = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut logo, 40, 20);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&[30u8; 40 * 20 * 3])
            .unwrap();
    }
    let settings = admin
        .set_clinic_logo(LogoInput {
            png_hex: infusion_chart::digest::hex(&logo),
        })
        .unwrap();
    assert_eq!(settings.clinic.logo_bytes, logo.len());
    assert_eq!(
        admin
            .set_clinic_logo(LogoInput { png_hex: "00ff".into() })
            .unwrap_err()
            .kind(),
        "validation"
    );
    let clinic = f.as_user("nina");
    let s = charted_session(&f, clinic, "P-1", 120);
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("session.pdf");
    let printed = clinic
        .print_report(ReportRequest {
            session_id: Some(s),
            patient_id: None,
            path: Some(path.display().to_string()),
        })
        .unwrap();
    qpdf_check(&path);
    let text = pdftotext(&path);
    for i in 0..120 {
        let bp = format!("{}/{}", 100 + i, 60 + i / 2);
        assert!(text.contains(&bp), "vitals row {bp} is in the report");
    }
    for expected in [
        "Harbour Ketamine Clinic",
        "+1 555 0100",
        "Nguyễn-O'Brien, Zoë",
        "MRN P-1",
        "72.5 kg × 0.5 mg/kg = 36.25 mg",
        "72.5 kg (159.84 lb)",
        "lot KX2291",
        "Nausea",
        "Ondansetron",
        "Calm, music on; µg/kg noted",
        "18 of 27",
        &format!("Report {}", printed.report_id),
        &format!("page 1 of {}", printed.pages),
        &format!("page {} of {}", printed.pages, printed.pages),
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the report");
    }
    assert!(printed.pages >= 4, "120 rows run over several pages: {}", printed.pages);
    assert_eq!(
        text.matches("Nguyễn-O'Brien, Zoë").count(),
        printed.pages,
        "patient identified on every page"
    );
    let images = Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfimages (poppler-utils)");
    let listed = String::from_utf8_lossy(&images.stdout);
    assert_eq!(
        listed.lines().filter(|l| l.contains(" 40    20 ")).count(),
        printed.pages,
        "the logo on every page:\n{listed}"
    );
    page_png(&path, 1, "report-session-page1");
    page_png(&path, 2, "report-session-page2");
    let admin = f.as_user("ada");
    let audited = admin
        .audit_search(Filter {
            action: Some(Action::ReportPrinted),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert!(audited[0].detail.as_deref().unwrap().contains(&printed.report_id));
}

#[test]
fn a_series_report_shows_each_session_and_the_outcome_course_in_words() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let s = charted_session(&f, clinic, "P-2", 6);
    let patient_id = clinic
        .get_session(infusion_chart::domain::sessions::SessionRef { session_id: s })
        .unwrap()
        .patient
        .id;
    clinic
        .add_outcome(OutcomeInput {
            timepoint: Some(Timepoint::After24h),
            ..phq9(s, f.clock.now(), [1., 1., 1., 1., 1., 1., 1., 1., 0.])
        })
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("series.pdf");
    clinic
        .print_report(ReportRequest {
            session_id: None,
            patient_id: Some(patient_id),
            path: Some(path.display().to_string()),
        })
        .unwrap();
    qpdf_check(&path);
    let text = pdftotext(&path);
    for expected in [
        "Infusion series: 1 session",
        "PHQ-9 over the series",
        "response (at least a 50 % drop)",
        "remission: below 5",
        "Nausea",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the series report:\n{text}"
        );
    }
    page_png(&path, 1, "report-series-page1");
}

#[test]
fn a_report_is_not_written_into_the_data_folder_and_a_request_names_one_thing() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let s = f.start_session(&f.add_patient("P-3")).id;
    let inside = f.path.with_file_name("copy.pdf").display().to_string();
    let err = clinic
        .print_report(ReportRequest {
            session_id: Some(s),
            patient_id: None,
            path: Some(inside),
        })
        .unwrap_err();
    assert_eq!(err.kind(), "validation");
    let err = clinic
        .print_report(ReportRequest {
            session_id: Some(s),
            patient_id: Some(1),
            path: None,
        })
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_request");
}

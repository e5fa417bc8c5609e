//! Exports read back by an independent program: the FHIR bundle validated by the PyPI package
//! fhir.resources, the CSV files parsed by Python's csv module (tests/export/check.py, in the
//! virtual environment `make test` installs at target/export-venv).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::infusion::{EventInput, EventKind};
use infusion_chart::domain::notes::NoteInput;
use infusion_chart::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use infusion_chart::domain::protocols::DoseInput;
use infusion_chart::domain::side_effects::{
    DoseUnit, Effect, InterventionInput, RescueMedication, Route, Severity, SideEffectInput,
};
use infusion_chart::domain::weight::WeightUnit;
use infusion_chart::outside::export::{ExportRequest, Format, FHIR_BUNDLE};

use crate::support::{dose_input, Fixture};

fn at(t: DateTime<Utc>) -> Option<String> {
    Some(t.to_rfc3339())
}

/// Runs the independent checker; its JSON answer (counts per resource type or per CSV file).
fn check(mode: &str, target: &Path) -> BTreeMap<String, u64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/export-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `make test`, which installs it",
        python.display()
    );
    let out = Command::new(python)
        .arg(root.join("tests/export/check.py"))
        .args([mode, &target.display().to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the {mode} check refused the export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One charted session (the patient weighed in lb): checklist, three vitals, the infusion, PHQ-9,
/// nausea with ondansetron, and a note a spreadsheet would run as a formula.
fn charted() -> Fixture {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = f.add_patient("=1+1");
    let s = clinic
        .start_session(DoseInput {
            weight: Some(160.0),
            weight_unit: Some(WeightUnit::Lb),
            ..dose_input(&p)
        })
        .unwrap();
    f.prepare(&s);
    let now = f.clock.now();
    clinic
        .add_outcome(OutcomeInput {
            session_id: s.id,
            scale: Some(Scale::Phq9),
            timepoint: Some(Timepoint::PreInfusion),
            clinical_time: at(now),
            items: [2.0, 2.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0, 0.0]
                .into_iter()
                .map(Some)
                .collect(),
        })
        .unwrap();
    f.chart_vitals(&s, 128.0, 82.0);
    let start = EventInput {
        session_id: s.id,
        kind: EventKind::Start,
        clinical_time: at(now),
        rate_ml_per_h: Some(54.4),
        bolus_mg: None,
        hold_override: None,
        start_without_scales: true,
    };
    clinic.add_infusion_event(start).unwrap();
    f.clock.advance(5);
    f.chart_vitals(&s, 134.0, 86.0);
    let nausea = clinic
        .add_side_effect(SideEffectInput {
            session_id: s.id,
            effect: Some(Effect::Nausea),
            other: None,
            severity: Some(Severity::Moderate),
            onset_time: at(f.clock.now()),
        })
        .unwrap();
    clinic
        .add_intervention(InterventionInput {
            session_id: s.id,
            medication: Some(RescueMedication::Ondansetron),
            other: None,
            dose: Some(4.0),
            unit: Some(DoseUnit::Mg),
            route: Some(Route::Iv),
            clinical_time: at(f.clock.now()),
            indication: Some(nausea.label.clone()),
            side_effect_id: Some(nausea.id),
            effect: None,
        })
        .unwrap();
    clinic
        .add_note(NoteInput {
            session_id: s.id,
            clinical_time: at(f.clock.now()),
            text: Some("=HYPERLINK(\"http://example.invalid\")".into()),
        })
        .unwrap();
    f.clock.advance(5);
    f.chart_vitals(&s, 130.0, 84.0);
    f
}

#[test]
fn the_fhir_bundle_passes_an_independent_validator_with_every_resource() {
    let f = charted();
    let out = tempfile::tempdir().unwrap();
    let exported = f
        .as_user("ada")
        .export_records(ExportRequest {
            format: Format::Fhir,
            folder: out.path().display().to_string(),
        })
        .unwrap();
    let counts = check("fhir", &out.path().join(FHIR_BUNDLE));
    let expected: BTreeMap<String, u64> = [
        ("Patient", 1),
        ("Encounter", 1),
        // The infusion and the rescue ondansetron.
        ("MedicationAdministration", 2),
        // The weight the dose was computed from, three vitals rows × (BP panel, HR, SpO2, RR,
        // temperature), and the PHQ-9 total.
        ("Observation", 17),
        ("AdverseEvent", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts, expected);
    assert_eq!(exported.total, 22);
    let bundle = std::fs::read_to_string(out.path().join(FHIR_BUNDLE)).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&bundle).unwrap();
    let weight = parsed["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["code"]["coding"][0]["code"] == "29463-7")
        .expect("a body weight observation");
    assert_eq!(
        weight["valueQuantity"],
        serde_json::json!({"value": 160.0, "unit": "lb", "system": "http://unitsofmeasure.org", "code": "[lb_av]"}),
        "the body weight is the typed quantity in its unit"
    );
    // The session's one baseline (128/82, the reading before the start) is marked as such, and only it.
    let noted: Vec<&serde_json::Value> = parsed["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["note"][0]["text"] == infusion_chart::outside::export::fhir::BASELINE_NOTE)
        .collect();
    assert_eq!(noted.len(), 5, "the baseline row's BP, HR, SpO2, RR and temperature");
    assert!(noted
        .iter()
        .any(|r| r["component"][0]["valueQuantity"]["value"] == 128.0));
    for code in [
        "29463-7", "85354-9", "8480-6", "8462-4", "8867-4", "59408-5", "9279-1", "44261-6",
    ] {
        assert!(bundle.contains(code), "LOINC {code} is in the bundle");
    }
    assert!(
        bundle.contains("\"lotNumber\""),
        "the vial's lot goes with the infusion"
    );
    let audited = Filter {
        action: Some(Action::DataExported),
        ..Default::default()
    };
    assert_eq!(f.clinic.audit_search(audited).unwrap().len(), 1);
}

#[test]
fn the_csv_files_parse_back_with_a_header_every_row_and_no_formulas() {
    let f = charted();
    let out = tempfile::tempdir().unwrap();
    let exported = f
        .as_user("ada")
        .export_records(ExportRequest {
            format: Format::Csv,
            folder: out.path().display().to_string(),
        })
        .unwrap();
    let parsed = check("csv", out.path());
    let written: BTreeMap<String, u64> = exported.files.iter().map(|f| (f.name.clone(), f.records)).collect();
    assert_eq!(parsed, written, "every file parses back with the rows written");
    assert_eq!(parsed["vitals.csv"], 3);
    assert_eq!(parsed["patients.csv"], 1);
    assert_eq!(parsed["users.csv"], 3);
    let notes = std::fs::read_to_string(out.path().join("notes.csv")).unwrap();
    assert!(notes.contains("\"'=HYPERLINK("), "the formula is neutralised: {notes}");
}

#[test]
fn an_export_into_the_data_folder_is_refused_and_writes_nothing() {
    let f = charted();
    let data = f.path.parent().unwrap();
    let before = std::fs::read_dir(data).unwrap().count();
    let err = f
        .as_user("ada")
        .export_records(ExportRequest {
            format: Format::Csv,
            folder: data.display().to_string(),
        })
        .unwrap_err();
    assert_eq!(err.kind(), "validation", "{err}");
    assert_eq!(std::fs::read_dir(data).unwrap().count(), before);
}

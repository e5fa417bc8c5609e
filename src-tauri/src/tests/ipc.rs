//! Commands through Tauri's mock runtime, with the app's real config and capabilities: what the
//! window's `invoke` gets back, including the `{kind, message}` shape of every error.

use std::sync::Arc;

use infusion_chart::Clinic;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The admin's password (`Harness::set_up`).
pub(super) const PASSWORD: &str = "long enough pw";

pub(super) struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let clinic = Clinic::open(&dir.path().join("chart.db")).unwrap();
        let app = crate::with_commands(mock_builder())
            .manage(Arc::new(clinic))
            .build(tauri::generate_context!())
            .unwrap();
        let window = tauri::WebviewWindowBuilder::new(&app, crate::MAIN_WINDOW, Default::default())
            .build()
            .unwrap();
        Harness {
            _dir: dir,
            _app: app,
            window,
        }
    }

    /// First-run setup through IPC: an admin who also charts as nurse and physician, signed in.
    pub(super) fn set_up() -> Harness {
        let h = Harness::new();
        let done = h
            .invoke(
                "setup",
                json!({"input": {"username": "ada", "display_name": "Ada Admin", "password": PASSWORD,
                                 "password_confirm": PASSWORD, "roles": ["nurse", "physician"]}}),
            )
            .unwrap();
        assert_eq!(done["status"]["state"], "ready");
        assert_eq!(done["recovery_key"].as_str().unwrap().len(), 71);
        h
    }

    /// Calls `cmd` as the window's `invoke(cmd, body)` would; Ok is the JSON answer, Err the JSON error.
    pub(super) fn invoke(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    pub(super) fn add_patient(&self) -> Value {
        self.invoke(
            "add_patient",
            json!({"input": {"family_name": "Okafor", "given_names": "Ada", "date_of_birth": "1990-05-01", "mrn": "M-42",
                "sex": "female", "weight": 68, "weight_unit": "kg", "allergies": "None known", "indication": "ptsd"}}),
        )
        .unwrap()
    }
}

/// Today's session on the default protocol at the patient's recorded weight.
pub(super) fn start(patient: &Value) -> Value {
    json!({"input": {"patient_id": patient["id"], "protocol_id": 1, "weight": patient["weight"]["value"], "weight_unit": patient["weight"]["unit"]}})
}

#[test]
fn the_charting_slice_works_through_ipc() {
    let h = Harness::set_up();
    let patient = h.add_patient();
    assert_eq!(patient["family_name"], "Okafor");
    assert_eq!(patient["date_of_birth"], "1990-05-01");
    let found = h
        .invoke("search_patients", json!({"input": {"query": "m-42"}}))
        .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let plan = h.invoke("dose_preview", start(&patient)).unwrap();
    assert_eq!(plan["arithmetic"][0], "68 kg × 0.5 mg/kg = 34 mg");
    let session = h.invoke("start_session", start(&patient)).unwrap();
    assert_eq!(session["dose"]["plan"]["total_mg"], 34.0);
    let now = chrono::Utc::now().to_rfc3339();
    let vitals = h
        .invoke(
            "add_vitals",
            json!({"input": {"session_id": session["id"], "clinical_time": now, "sbp": 120, "dbp": 80, "hr": 70, "spo2": 99, "rr": 12}}),
        )
        .unwrap();
    assert_eq!(vitals["map"], 93);
    let record = h
        .invoke("get_session", json!({"input": {"session_id": session["id"]}}))
        .unwrap();
    assert_eq!(record["vitals"][0]["id"], vitals["id"]);
    assert_eq!(record["patient"]["mrn"], "M-42");
    let patient_record = h
        .invoke("get_patient", json!({"input": {"patient_id": patient["id"]}}))
        .unwrap();
    assert_eq!(patient_record["sessions"][0]["id"], session["id"]);
}

#[test]
fn the_course_of_a_session_works_through_ipc() {
    let h = Harness::set_up();
    let patient = h.add_patient();
    let session = h.invoke("start_session", start(&patient)).unwrap();
    let lists = h.invoke("reference_lists", json!({"input": {}})).unwrap();
    assert_eq!(lists["scales"][0]["items"].as_array().unwrap().len(), 9);
    let checklist = h
        .invoke(
            "save_checklist",
            json!({"input": {"session_id": session["id"], "consent_on_file": true, "fasting_confirmed": true,
                "escort_confirmed": true, "escort_name": "Sam", "medication_changes_reviewed": true,
                "pregnancy": "not_applicable", "iv_site": "Left forearm", "iv_gauge": 22, "vial_lot": "KX1",
                "vial_expiry": "2099-12"}}),
        )
        .unwrap();
    assert_eq!(checklist["vial_expiry"], "2099-12-31");
    let now = chrono::Utc::now().to_rfc3339();
    assert_eq!(
        h.invoke(
            "add_side_effect",
            json!({"input": {"session_id": session["id"], "effect": "hiccups", "severity": "mild", "onset_time": now}})
        )
        .unwrap_err()["kind"],
        "invalid_request"
    );
    let effect = h
        .invoke(
            "add_side_effect",
            json!({"input": {"session_id": session["id"], "effect": "nausea", "severity": "mild", "onset_time": now}}),
        )
        .unwrap();
    assert_eq!(effect["label"], "Nausea");
    let day = h.invoke("day_list", json!({"input": {}})).unwrap();
    assert_eq!(day["entries"][0]["stage"], "before_infusion");
}

#[test]
fn errors_cross_ipc_as_kind_and_message() {
    let h = Harness::set_up();
    let patient = h.add_patient();
    let session = h.invoke("start_session", start(&patient)).unwrap();
    let now = chrono::Utc::now().to_rfc3339();
    let cases = [
        (
            "add_vitals",
            json!({"input": {"session_id": session["id"], "clinical_time": now, "sbp": 120, "dbp": 80, "hr": 70, "spo2": 101, "rr": 12}}),
            json!({"kind": "validation", "message": "SpO2 must be between 50 and 100%; 101 was entered."}),
        ),
        (
            "add_vitals",
            json!({"input": {"session_id": session["id"], "sbp": "120/80"}}),
            json!({"kind": "invalid_request", "message": "The request was malformed at 'sbp': invalid type: string \"120/80\", expected f64. Nothing was saved."}),
        ),
        (
            "get_session",
            json!({}),
            json!({"kind": "invalid_request", "message": "The request had no input. Nothing was saved."}),
        ),
        (
            "get_patient",
            json!({"input": {"patient_id": 404}}),
            json!({"kind": "not_found", "message": "No patient with id 404 was found."}),
        ),
        (
            "start_session",
            start(&patient),
            json!({"kind": "conflict", "message": format!("This patient already has a session on {}. Open it from the patient's list.", session["session_date"].as_str().unwrap())}),
        ),
    ];
    for (cmd, body, expected) in cases {
        assert_eq!(h.invoke(cmd, body.clone()), Err(expected), "{cmd} {body}");
    }
    let record = h
        .invoke("get_session", json!({"input": {"session_id": session["id"]}}))
        .unwrap();
    assert_eq!(record["vitals"], json!([]), "refused entries wrote nothing");
}

#[test]
fn before_setup_and_after_sign_out_nothing_is_charted() {
    let h = Harness::new();
    assert_eq!(h.invoke("app_status", json!({"input": {}})).unwrap()["state"], "setup");
    assert_eq!(
        h.invoke("search_patients", json!({"input": {"query": ""}})),
        Err(json!({"kind": "unauthenticated", "message": "Nobody is signed in. Please sign in."}))
    );
    drop(h);
    let h = Harness::set_up();
    h.add_patient();
    assert_eq!(h.invoke("logout", json!({"input": {}})).unwrap()["state"], "signed_out");
    assert_eq!(
        h.invoke("get_patient", json!({"input": {"patient_id": 1}}))
            .unwrap_err()["kind"],
        "unauthenticated"
    );
}

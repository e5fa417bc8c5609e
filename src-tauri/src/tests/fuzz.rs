//! Every command the window may call, invoked through the mock runtime with arbitrary JSON bodies
//! (wrong types, missing and extra keys, nested junk, huge numbers, strings where numbers go, texts
//! with control characters) while an admin who also charts as nurse and physician is signed in.
//! Nothing may panic; every answer is Ok or exactly `{kind, message}`, `kind` one of the app's and
//! `message` plain words, a payload that does not parse refused in the IPC parser's own words
//! (`infusion_chart::app::ipc::parse`). The judge is the core's fuzz judge (tests/core/fuzz/judge.rs).

#[path = "../../../tests/core/fuzz/judge.rs"]
mod judge;

use std::cell::RefCell;
use std::path::Path;
use std::sync::LazyLock;

use infusion_chart::app::commands::{command, Command, COMMANDS};
use infusion_chart::app::ipc::fields_of;
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::infusion::EventKind;
use infusion_chart::domain::outcomes::{Scale, Timepoint};
use infusion_chart::domain::patients::{Contraindication, FlaggedMedication, Indication, PatientInput, Sex};
use infusion_chart::domain::preparation::Pregnancy;
use infusion_chart::domain::side_effects::{DoseUnit, Effect, RescueMedication, Route, Severity};
use infusion_chart::domain::vitals::VitalsInput;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Number, Value};

use super::ipc::{start, Harness, PASSWORD};

/// Cases of the property below (one command each, then a check that the admin is still signed in).
const IPC_CASES: u32 = 1000;

/// The audit export flattens its filter into itself, which serde reads as a map: its keys are the
/// filter's and the path.
static AUDIT_EXPORT: LazyLock<Vec<&'static str>> = LazyLock::new(|| [fields_of::<Filter>(), &["path"]].concat());

/// The keys a command's input takes, read from its type through the core's command table (none: it
/// takes `{}`). `print_report` always gets a path in a scratch folder: without one it would open the
/// system's PDF viewer. Paths and folders are confined to that scratch folder (see `confine`).
fn keys(command: &Command) -> &'static [&'static str] {
    match command.name {
        "audit_export" => &AUDIT_EXPORT,
        _ => (command.fields)(),
    }
}

/// The catalogue's stored names (what the window sends for a choice).
fn names<T: Copy>(all: &[T], name: impl Fn(T) -> String) -> Vec<String> {
    all.iter().map(|v| name(*v)).collect()
}

/// The choices a key takes, if it is a choice.
fn choices(key: &str) -> Option<Vec<String>> {
    Some(match key {
        "sex" => names(Sex::ALL, Sex::name),
        "indication" => names(Indication::ALL, Indication::name),
        "contraindications" => names(Contraindication::ALL, Contraindication::name),
        "flagged_medications" => names(FlaggedMedication::ALL, FlaggedMedication::name),
        "pregnancy" => names(Pregnancy::ALL, Pregnancy::name),
        "scale" | "outcome_scales" => names(Scale::ALL, Scale::name),
        "timepoint" => names(Timepoint::ALL, Timepoint::name),
        "effect" => names(Effect::ALL, Effect::name),
        "severity" => names(Severity::ALL, Severity::name),
        "medication" => names(RescueMedication::ALL, RescueMedication::name),
        "unit" => names(DoseUnit::ALL, DoseUnit::name),
        "route" => names(Route::ALL, Route::name),
        "kind" => names(EventKind::ALL, EventKind::name),
        "action" => names(Action::ALL, Action::name),
        "weight_unit" => vec!["kg".into(), "lb".into()],
        "roles" => vec!["nurse".into(), "physician".into(), "admin".into()],
        "format" => vec!["csv".into(), "fhir".into()],
        _ => return None,
    })
}

const BOOLS: &[&str] = &[
    "consent_on_file",
    "fasting_confirmed",
    "escort_confirmed",
    "medication_changes_reviewed",
    "instructions_given",
    "weight_confirmed",
    "active",
];
const TIMES: &[&str] = &["clinical_time", "onset_time", "resolved_time"];
const DATES: &[&str] = &["date_of_birth", "vial_expiry", "from", "to", "date"];
/// Keys whose value is a list of choices.
const LISTS: &[&str] = &["roles", "contraindications", "flagged_medications", "outcome_scales"];
/// Keys that take text (everything else that is not a number).
const TEXTS: &[&str] = &[
    "username",
    "display_name",
    "password",
    "password_confirm",
    "current_password",
    "new_password",
    "new_password_confirm",
    "recovery_key",
    "query",
    "reason",
    "text",
    "hold_override",
    "family_name",
    "given_names",
    "mrn",
    "allergies",
    "indication_other",
    "emergency_contact",
    "escort",
    "override_reason",
    "chair",
    "escort_name",
    "iv_site",
    "vial_lot",
    "witness_username",
    "witness_password",
    "other",
    "name",
    "drug",
    "clinic_name",
    "clinic_address",
    "clinic_phone",
    "png_hex",
    "path",
    "folder",
];

const NASTY: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\u{0}abc",
    "Robert'); DROP TABLE patients;--",
    "' OR '1'='1",
    "%_\\",
    "\"quoted\"",
    "<script>alert(1)</script>",
    "王秀英",
    "\u{202e}evil",
    "\r\n",
    "ada",
    "89504e470d0a1a0a",
    "2026-13-45",
    "/",
    "..",
    "../../etc/passwd",
];

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(NASTY).prop_map(str::to_string),
        3 => prop::collection::vec(any::<char>(), 0..24).prop_map(|c| c.into_iter().collect()),
        2 => "[ -~]{0,40}",
        1 => (prop::sample::select(vec!["a", "é", "🙂", " "]), 0usize..6000).prop_map(|(c, n)| c.repeat(n)),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    let special = vec![
        json!(0),
        json!(-1),
        json!(1.5),
        json!(-0.0),
        json!(1e308),
        json!(-1e308),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(f64::MIN_POSITIVE),
        json!(9_007_199_254_740_993u64),
    ];
    prop_oneof![
        2 => prop::sample::select(special),
        3 => (-50i64..500).prop_map(Value::from),
        2 => (-1000.0..1000.0f64).prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        1 => any::<i64>().prop_map(Value::from),
    ]
    .boxed()
}

/// Any JSON at all, nested a few levels.
fn junk() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A key: one the app knows (of any command) or any text.
fn key() -> BoxedStrategy<String> {
    let known: Vec<&'static str> = COMMANDS.iter().flat_map(|c| keys(c).iter().copied()).collect();
    prop_oneof![
        3 => prop::sample::select(known).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

/// A value of the type `key` takes (nine times in ten, so that whole inputs often parse), or junk.
fn value_for(key: &'static str) -> BoxedStrategy<Value> {
    let now = chrono::Utc::now();
    let typed: BoxedStrategy<Value> = if key.ends_with("_id") {
        prop_oneof![4 => (0i64..5).prop_map(Value::from), 1 => number()].boxed()
    } else if BOOLS.contains(&key) {
        any::<bool>().prop_map(Value::Bool).boxed()
    } else if TIMES.contains(&key) {
        prop_oneof![
            3 => (0i64..180).prop_map(move |m| Value::from((now - chrono::Duration::minutes(m)).to_rfc3339())),
            1 => text().prop_map(Value::String),
        ]
        .boxed()
    } else if DATES.contains(&key) {
        prop_oneof![
            3 => (-40_000i64..400).prop_map(move |d| Value::from((now + chrono::Duration::days(d)).format("%Y-%m-%d").to_string())),
            1 => text().prop_map(Value::String),
        ]
        .boxed()
    } else if LISTS.contains(&key) {
        let names = choices(key).expect("a list of choices");
        prop::collection::vec(prop::sample::select(names).prop_map(Value::String), 0..4)
            .prop_map(Value::Array)
            .boxed()
    } else if let Some(names) = choices(key) {
        prop::sample::select(names).prop_map(Value::String).boxed()
    } else if key == "items" {
        prop::collection::vec((0i64..5).prop_map(Value::from), 0..21)
            .prop_map(Value::Array)
            .boxed()
    } else if key == "vitals" {
        object(fields_of::<VitalsInput>())
    } else if key == "patient" {
        object(fields_of::<PatientInput>())
    } else if TEXTS.contains(&key) {
        text().prop_map(Value::String).boxed()
    } else {
        number()
    };
    prop_oneof![9 => typed, 1 => junk()].boxed()
}

/// An input object: all of `keys` or some of them, typed, sometimes with a key of its own.
fn object(keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    let chosen = prop_oneof![
        2 => Just(keys.to_vec()),
        1 => prop::sample::subsequence(keys.to_vec(), 0..=keys.len()),
    ];
    let fields = chosen.prop_flat_map(|keys| {
        keys.into_iter()
            .map(|k| value_for(k).prop_map(move |v| (k.to_string(), v)))
            .collect::<Vec<_>>()
    });
    (fields, prop::option::weighted(0.15, (key(), junk())))
        .prop_map(|(fields, extra)| {
            let mut map: Map<String, Value> = fields.into_iter().collect();
            if let Some((k, v)) = extra {
                map.insert(k, v);
            }
            Value::Object(map)
        })
        .boxed()
}

/// A command's body as `invoke(cmd, body)` sends it: mostly `{input: …}`, sometimes anything.
fn body(keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        8 => object(keys).prop_map(|input| json!({ "input": input })),
        1 => junk().prop_map(|input| json!({ "input": input })),
        1 => junk(),
        1 => (object(keys), key(), junk()).prop_map(|(input, k, v)| {
            let mut body = Map::new();
            body.insert(k, v);
            body.insert("input".into(), input);
            Value::Object(body)
        }),
    ]
    .boxed()
}

/// Keeps every file the command may write or read inside `scratch`: a path or folder is taken as a
/// name under it ("/" and ".." cannot climb out). A report without a path would open the PDF viewer.
fn confine(cmd: &str, body: &mut Value, scratch: &Path) {
    let Some(input) = body.get_mut("input").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ["path", "folder"] {
        if let Some(Value::String(s)) = input.get_mut(key) {
            if !s.is_empty() {
                let name = s.replace("..", "__");
                *s = scratch.join(name.trim_start_matches('/')).display().to_string();
            }
        }
    }
    if cmd == "print_report" && matches!(input.get("path"), None | Some(Value::Null)) {
        input.insert(
            "path".into(),
            Value::from(scratch.join("report.pdf").display().to_string()),
        );
    }
}

/// What came back: Ok, or exactly `{kind, message}` as the judge wants it.
fn judged(cmd: &str, reply: &Result<Value, Value>, echoes: &[String]) -> Result<(), String> {
    let Err(error) = reply else {
        return Ok(());
    };
    let fields = error
        .as_object()
        .ok_or_else(|| format!("{cmd}: the error is not an object: {error}"))?;
    let (Some(Value::String(kind)), Some(Value::String(message)), 2) =
        (fields.get("kind"), fields.get("message"), fields.len())
    else {
        return Err(format!("{cmd}: the error is not {{kind, message}}: {error}"));
    };
    judge::reply(kind, message, judge::KINDS, echoes).map_err(|why| format!("{cmd}: {why}"))
}

/// The harness with a patient, an open session today and a reading, the admin signed in.
fn desk() -> Harness {
    let h = Harness::set_up();
    let session = h.invoke("start_session", start(&h.add_patient())).unwrap();
    h.invoke(
        "add_vitals",
        json!({"input": {"session_id": session["id"], "clinical_time": chrono::Utc::now().to_rfc3339(),
            "sbp": 120, "dbp": 80, "hr": 70, "spo2": 99, "rr": 12}}),
    )
    .unwrap();
    h
}

/// Whether the admin is still signed in, unlocked, with all three roles and no password to change.
fn ready(h: &Harness) -> bool {
    let Ok(status) = h.invoke("app_status", json!({"input": {}})) else {
        return false;
    };
    status["state"] == "ready"
        && status["must_change_password"] == false
        && status["user"]["roles"] == json!(["nurse", "physician", "admin"])
}

/// After a case that signed out, locked, or changed the admin's roles: sign in, unlock or restore
/// the roles again; if that cannot be done (a password changed, a throttled sign-in), start afresh.
fn heal(h: &mut Harness) {
    if ready(h) {
        return;
    }
    let creds = json!({"input": {"username": "ada", "password": PASSWORD}});
    let _ = h.invoke("login", creds.clone());
    let _ = h.invoke("unlock", creds);
    let _ = h.invoke(
        "set_user_roles",
        json!({"input": {"user_id": 1, "roles": ["nurse", "physician", "admin"]}}),
    );
    if !ready(h) {
        *h = desk();
    }
}

#[test]
fn every_command_answers_arbitrary_json_in_plain_words() {
    let scratch = tempfile::tempdir().unwrap();
    let harness = RefCell::new(desk());
    let strategy = (0..COMMANDS.len()).prop_flat_map(|i| (Just(i), body(keys(&COMMANDS[i]))));
    let config = Config {
        cases: IPC_CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let outcome = TestRunner::new(config).run(&strategy, |(i, mut body)| {
        let cmd = COMMANDS[i].name;
        confine(cmd, &mut body, scratch.path());
        let echoes = judge::echoes_of(&body);
        let reply = harness.borrow().invoke(cmd, body);
        heal(&mut harness.borrow_mut());
        judged(cmd, &reply, &echoes).map_err(TestCaseError::fail)
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Every command that takes more than `{}` is fuzzed with its input's keys: an input serde reads as a
/// map (one that flattens another) has none to read and needs them given in `keys`.
#[test]
fn every_command_is_fuzzed_with_the_keys_its_input_takes() {
    let keyless: Vec<&str> = COMMANDS
        .iter()
        .filter(|c| c.input != "Nothing" && keys(c).is_empty())
        .map(|c| c.name)
        .collect();
    assert!(keyless.is_empty(), "give `keys` the input keys of {keyless:?}");
    assert_eq!(keys(command("audit_export").unwrap()).last(), Some(&"path"));
}

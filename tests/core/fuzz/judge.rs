//! The judge of fuzzed input: for each input type, what its check must say about a given value, and
//! whether what came back says it in plain words. One file, included with `#[path]` by the property
//! tests (tests/core/fuzz.rs, run by `make test`), the cargo-fuzz target (fuzz/fuzz_targets/payloads.rs)
//! and the shell's IPC fuzz test (src-tauri/src/commands/fuzz_tests.rs), so all three judge alike.
//!
//! The rules restate the checks' contract (src/validate.rs `Checker` and each `validate`): a field
//! known to be wrong must be named in the message, with its allowed range where it has one; a value
//! known to be wrong is never accepted; every refusal is a sentence without library, SQL or Rust noise.
// Each includer uses a subset (the IPC test only `reply`, `KINDS` and `echoes_of`; the fuzz target not the
// `expect_*` of actions through `Clinic`; the property tests not `parse_error`): the rest is dead code there.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};
use infusion_chart::domain::dates::DATE_CHARS;
use infusion_chart::domain::discharge::{AldreteInput, DischargeInput};
use infusion_chart::domain::infusion::{EventInput, EventKind, InfusionEvent};
use infusion_chart::domain::notes::NoteInput;
use infusion_chart::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use infusion_chart::domain::patients::{Indication, PatientInput};
use infusion_chart::domain::preparation::{ChecklistInput, Pregnancy, WasteInput};
use infusion_chart::domain::protocols::{DoseInput, Protocol, ProtocolInput};
use infusion_chart::domain::settings::{Settings, SettingsInput};
use infusion_chart::domain::side_effects::{
    Effect, InterventionInput, RescueMedication, Resolution, Severity, SideEffect, SideEffectInput,
};
use infusion_chart::domain::signing::AddendumInput;
use infusion_chart::domain::users::{Role, UserInput, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use infusion_chart::domain::validate::fmt_num;
use infusion_chart::domain::vitals::{VitalsCorrection, VitalsInput};
use infusion_chart::domain::weight::{Weight, WeightUnit};
use infusion_chart::Error;
use serde_json::Value;

/// Every `kind` an error crosses IPC with (src/error.rs).
pub const KINDS: &[&str] = &[
    "validation",
    "invalid_request",
    "not_found",
    "conflict",
    "database",
    "storage",
    "unauthenticated",
    "locked",
    "forbidden",
    "throttled",
    "damaged",
];

/// Text that must never reach a nurse: SQLite's or a library's internals, Rust's debug output, a
/// panic (the shell reports a panicked command as "The action stopped unexpectedly").
const NOISE: &[&str] = &[
    "rusqlite",
    "Sqlite",
    "SQLITE_",
    "sqlite3",
    "SQL logic",
    "SQL error",
    "SQL statement",
    "constraint failed",
    "no such table",
    "no such column",
    "syntax error",
    "near \"",
    "panicked",
    "RUST_BACKTRACE",
    "stack backtrace",
    "Option::",
    "Result::",
    "called `",
    "unwrap()",
    "expect(",
    "Some(",
    "Ok(",
    "Err(",
    "None)",
    "Error {",
    "Error(",
    "Validation(",
    "InvalidRequest(",
    "\\\"",
    "\\n",
    "\\u{",
    "The action stopped unexpectedly",
];

/// What the IPC boundary says when a payload does not parse (src/ipc.rs).
const NO_INPUT: &str = "The request had no input. Nothing was saved.";
const MALFORMED: &str = "The request was malformed";

/// A message is one or more sentences a person can act on. `echoes` are texts the caller sent, which
/// a message may quote (a folder, a username, an unknown field); they are left out of the noise check.
fn plain(message: &str, echoes: &[String]) -> Result<(), String> {
    if message.trim().is_empty() {
        return Err("the message is empty".into());
    }
    let mut quoted: Vec<String> = echoes
        .iter()
        .flat_map(|e| [e.clone(), e.trim().to_string(), format!("{e:?}")])
        // Spaces, or two letters or digits, are too common to strip: they would hide more than the echo.
        .filter(|e| !e.chars().all(|c| c == ' '))
        .filter(|e| !(e.chars().count() <= 2 && e.chars().all(|c| c.is_ascii_alphanumeric())))
        .collect();
    quoted.sort_by_key(|e| std::cmp::Reverse(e.len()));
    let mut rest = message.to_string();
    for e in &quoted {
        rest = rest.replace(e.as_str(), ECHO);
    }
    // A sentence may open with what was sent (a path, a name); otherwise with a capital or a number.
    let first = rest.chars().next().unwrap_or(' ');
    if !(first.is_uppercase() || first.is_ascii_digit() || rest.starts_with(ECHO)) {
        return Err(format!("the message does not start a sentence: {message:?}"));
    }
    if !message.ends_with('.') {
        return Err(format!("the message does not end a sentence: {message:?}"));
    }
    // A control character may only be one the caller sent, quoted back (within a path, say).
    if let Some(c) = rest
        .chars()
        .find(|c| c.is_control() && !echoes.iter().any(|e| e.contains(*c)))
    {
        return Err(format!("the message holds the control character {c:?}: {message:?}"));
    }
    if let Some(noise) = NOISE.iter().find(|n| rest.contains(*n)) {
        return Err(format!("the message holds {noise:?}: {message:?}"));
    }
    Ok(())
}

/// What stands for a quoted echo while a message is checked.
const ECHO: &str = "«…»";

/// An error as it crosses IPC: `kind` one of `kinds` (all of them known), `message` plain words; an
/// `invalid_request` says nothing was done, and a payload that did not parse says so in the app's words.
pub fn reply(kind: &str, message: &str, kinds: &[&str], echoes: &[String]) -> Result<(), String> {
    if !KINDS.contains(&kind) {
        return Err(format!("unknown kind {kind:?} ({message:?})"));
    }
    if !kinds.contains(&kind) {
        return Err(format!("kind {kind:?} where {kinds:?} was expected: {message:?}"));
    }
    plain(message, echoes)?;
    if kind == "invalid_request" {
        if !(message.ends_with("Nothing was saved.") || message.ends_with("Nothing was printed.")) {
            return Err(format!("an invalid request must say nothing was done: {message:?}"));
        }
        if message.starts_with("The request") && message != NO_INPUT && !message.starts_with(MALFORMED) {
            return Err(format!("not the IPC parser's wording: {message:?}"));
        }
    }
    Ok(())
}

fn error(err: &Error, kinds: &[&str], echoes: &[String]) -> Result<(), String> {
    reply(err.kind(), &err.to_string(), kinds, echoes)
}

/// A payload the IPC parser refused (`infusion_chart::app::ipc::parse`).
pub fn parse_error(err: &Error, echoes: &[String]) -> Result<(), String> {
    error(err, &["invalid_request"], echoes)?;
    let message = err.to_string();
    if message == NO_INPUT || message.starts_with(MALFORMED) && message.ends_with(". Nothing was saved.") {
        Ok(())
    } else {
        Err(format!("not the IPC parser's wording: {message:?}"))
    }
}

/// Every text in a JSON payload, keys included: what a message may quote back.
pub fn echoes_of(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    walk(v, out);
                }
            }
            _ => {}
        }
    }
    walk(value, &mut out);
    out
}

/// A numeric field: its label, unit and allowed range, and whether it takes whole numbers only.
#[derive(Debug, Clone, Copy)]
pub struct Num {
    pub label: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub whole: bool,
}

const fn whole(label: &'static str, unit: &'static str, min: f64, max: f64) -> Num {
    Num {
        label,
        unit,
        min,
        max,
        whole: true,
    }
}

const fn decimal(label: &'static str, unit: &'static str, min: f64, max: f64) -> Num {
    Num {
        label,
        unit,
        min,
        max,
        whole: false,
    }
}

impl Num {
    fn unit_suffix(&self) -> String {
        match self.unit {
            "" => String::new(),
            "%" => "%".into(),
            unit => format!(" {unit}"),
        }
    }

    /// "20–300 bpm"
    fn range(&self) -> String {
        format!("{}–{}{}", fmt_num(self.min), fmt_num(self.max), self.unit_suffix())
    }
}

/// What the answer to one input must be.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Kinds the check itself refuses with; their messages must name a field of the input.
    kinds: Vec<&'static str>,
    /// Kinds a refusal may have before the input is checked (an unknown id, a signed session).
    early: Vec<&'static str>,
    /// The input's fields as messages name them (compared without case).
    names: Vec<String>,
    /// Problems known from the input: each phrase must be in the message, and the input refused.
    must: Vec<String>,
    echoes: Vec<String>,
}

impl Expect {
    pub fn new(kinds: &[&'static str]) -> Expect {
        Expect {
            kinds: kinds.to_vec(),
            ..Expect::default()
        }
    }

    /// More kinds the check refuses with.
    pub fn kinds(mut self, kinds: &[&'static str]) -> Expect {
        self.kinds.extend_from_slice(kinds);
        self
    }

    /// Kinds allowed before the check runs (the database-backed actions); never a storage error,
    /// which would mean the database refused what the check let through.
    pub fn early(mut self, kinds: &[&'static str]) -> Expect {
        self.early.extend_from_slice(kinds);
        self
    }

    pub fn echo(&mut self, text: &str) {
        self.echoes.push(text.to_string());
    }

    pub fn name(&mut self, label: &str) {
        self.names.push(label.to_lowercase());
    }

    /// If `wrong`, the input must be refused with `phrase` in the message.
    pub fn require(&mut self, wrong: bool, phrase: impl Into<String>) {
        if wrong {
            self.must.push(phrase.into());
        }
    }

    /// A number checked against its range; the value if it passes.
    fn number(&mut self, n: Num, value: Option<f64>, required: bool) -> Option<f64> {
        self.name(n.label);
        match value {
            None => {
                self.require(required, format!("{} is required ({}).", n.label, n.range()));
                None
            }
            Some(v) if !v.is_finite() || v < n.min || v > n.max => {
                self.require(
                    true,
                    format!(
                        "{} must be between {} and {}{}; {} was entered.",
                        n.label,
                        fmt_num(n.min),
                        fmt_num(n.max),
                        n.unit_suffix(),
                        fmt_num(v)
                    ),
                );
                None
            }
            Some(v) if n.whole && v.fract() != 0.0 => {
                self.require(true, format!("{} must be a whole number ({}).", n.label, n.range()));
                None
            }
            Some(v) => Some(v),
        }
    }

    /// A text, trimmed: required ones must not be blank; none may be longer than `max` characters.
    fn text(&mut self, label: &str, value: Option<&str>, max: usize, required: bool) -> Option<String> {
        self.name(label);
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            self.require(required, format!("{label} is required."));
            None
        } else if v.chars().count() > max {
            self.require(true, format!("{label} must be at most {max} characters."));
            None
        } else if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            self.require(
                true,
                format!("{label} contains an invisible control character; type it again."),
            );
            None
        } else {
            Some(v.to_string())
        }
    }

    /// A required date and time; whether it parses and falls in its window is left to the message
    /// naming the field.
    fn time(&mut self, label: &str, value: Option<&str>) {
        self.text(label, value, 40, true);
    }

    /// Whether the input is known to be wrong.
    pub fn refuses(&self) -> bool {
        !self.must.is_empty()
    }

    pub fn check<T>(&self, outcome: Result<T, Error>) -> Result<(), String> {
        let err = match outcome {
            Ok(_) if self.refuses() => return Err(format!("accepted, but it should have said {:?}", self.must)),
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let allowed: Vec<&str> = self.kinds.iter().chain(&self.early).copied().collect();
        error(&err, &allowed, &self.echoes)?;
        let message = err.to_string();
        if !self.kinds.contains(&err.kind()) {
            return Ok(());
        }
        let lower = message.to_lowercase();
        if !self.names.is_empty() && !self.names.iter().any(|n| lower.contains(n.as_str())) {
            return Err(format!(
                "the message names none of the fields {:?}: {message:?}",
                self.names
            ));
        }
        match self.must.iter().find(|phrase| !message.contains(phrase.as_str())) {
            Some(missing) => Err(format!("the message does not say {missing:?}: {message:?}")),
            None => Ok(()),
        }
    }
}

// ---- the fields of each input, as its check names them ----

pub const SBP: Num = whole("Systolic BP", "mmHg", 40.0, 300.0);
pub const DBP: Num = whole("Diastolic BP", "mmHg", 20.0, 200.0);
pub const HR: Num = whole("Heart rate", "bpm", 20.0, 300.0);
pub const SPO2: Num = whole("SpO2", "%", 50.0, 100.0);
pub const RR: Num = whole("Respiratory rate", "breaths/min", 2.0, 80.0);
pub const TEMP: Num = decimal("Temperature", "°C", 30.0, 43.0);
pub const ETCO2: Num = whole("EtCO2", "mmHg", 0.0, 100.0);
pub const DISSOCIATION: Num = whole("Dissociation", "", 0.0, 10.0);
pub const MOAAS: Num = whole("Sedation (MOAA/S)", "", 0.0, 5.0);
pub const RATE: Num = decimal("Rate", "mL/h", 0.1, 1000.0);
pub const BOLUS: Num = decimal("Bolus", "mg", 0.1, 200.0);
pub const WEIGHT_KG: Num = decimal("Weight", "kg", 20.0, 350.0);
pub const WEIGHT_LB: Num = decimal("Weight", "lb", 44.0, 772.0);
pub const HEIGHT: Num = decimal("Height", "cm", 100.0, 250.0);
pub const IV_GAUGE: Num = whole("IV gauge", "G", 14.0, 26.0);
pub const WASTE: Num = decimal("Amount wasted", "mg", 0.1, 1000.0);
pub const RESCUE_DOSE: Num = decimal("Dose", "", 0.01, 1000.0);
pub const DOSE: Num = decimal("Dose", "mg/kg", 0.01, 10.0);
pub const DURATION: Num = whole("Duration", "min", 1.0, 600.0);
pub const CONCENTRATION: Num = decimal("Concentration", "mg/mL", 0.01, 100.0);
pub const SOFT: Num = decimal("Soft limit", "mg/kg", 0.01, 10.0);
pub const HARD: Num = decimal("Hard limit", "mg/kg", 0.01, 10.0);
pub const VITALS_EVERY: Num = whole("Vitals every", "min", 1.0, 60.0);
pub const OBSERVATION: Num = whole("Observation after the infusion", "min", 0.0, 480.0);
pub const HOLD_SBP: Num = whole("Hold above systolic BP", "mmHg", 100.0, 220.0);
pub const HOLD_DBP: Num = whole("Hold above diastolic BP", "mmHg", 60.0, 140.0);
pub const ALDRETE: [Num; 5] = [
    whole("Aldrete activity", "", 0.0, 2.0),
    whole("Aldrete respiration", "", 0.0, 2.0),
    whole("Aldrete circulation", "", 0.0, 2.0),
    whole("Aldrete consciousness", "", 0.0, 2.0),
    whole("Aldrete SpO2", "", 0.0, 2.0),
];
pub const AUTO_LOCK: Num = whole("Auto-lock", "minutes", 1.0, 30.0);
pub const LATE_ENTRY: Num = whole("Late entry after", "minutes", 1.0, 240.0);
pub const RECOVERY_VITALS: Num = whole("Recovery vitals every", "minutes", 1.0, 120.0);
pub const DISCHARGE_ALDRETE: Num = whole("Discharge at Aldrete", "", 5.0, 10.0);
pub const HIGH_SBP: Num = whole("High systolic BP", "mmHg", 120.0, 250.0);
pub const HIGH_DBP: Num = whole("High diastolic BP", "mmHg", 70.0, 150.0);
pub const HIGH_BP_WINDOW: Num = whole("High BP twice within", "minutes", 1.0, 60.0);
pub const SEVERE_SBP: Num = whole("Severe systolic BP", "mmHg", 140.0, 300.0);
pub const SEVERE_DBP: Num = whole("Severe diastolic BP", "mmHg", 80.0, 180.0);
pub const HIGH_HR: Num = whole("High heart rate", "bpm", 80.0, 200.0);
pub const HIGH_HR_SUSTAINED: Num = whole("High heart rate sustained for", "minutes", 1.0, 60.0);
pub const LOW_SPO2: Num = whole("Low SpO2", "%", 80.0, 99.0);
pub const BACKUP_EVERY: Num = whole("Automatic backup every", "hours", 1.0, 24.0);
pub const KEEP_DAILY: Num = whole("Daily backups kept", "", 1.0, 90.0);
pub const KEEP_WEEKLY: Num = whole("Weekly backups kept", "", 0.0, 104.0);
pub const BACKUP_WARN: Num = whole("Warn when the last backup is older than", "hours", 1.0, 720.0);
const ALLERGIES: &str = "Allergies (write \"None known\" if there are none)";

fn weight(e: &mut Expect, value: Option<f64>, unit: Option<WeightUnit>) {
    e.name("weight");
    match unit {
        None => e.require(true, "Choose the weight's unit: kg or lb."),
        Some(WeightUnit::Kg) => drop(e.number(WEIGHT_KG, value, true)),
        Some(WeightUnit::Lb) => drop(e.number(WEIGHT_LB, value, true)),
    }
}

fn password(e: &mut Expect, label: &str, password: Option<&str>, confirm: Option<&str>) {
    e.name(label);
    let p = password.unwrap_or("");
    let chars = p.chars().count();
    e.require(
        chars < MIN_PASSWORD_CHARS,
        format!("{label} must be at least {MIN_PASSWORD_CHARS} characters."),
    );
    e.require(
        chars > MAX_PASSWORD_CHARS,
        format!("{label} must be at most {MAX_PASSWORD_CHARS} characters."),
    );
    e.require(
        confirm.is_some_and(|c| c != p),
        format!("The two {} entries do not match.", label.to_lowercase()),
    );
}

fn vitals_fields(e: &mut Expect, v: &VitalsInput) {
    e.time("Clinical time", v.clinical_time.as_deref());
    let s = e.number(SBP, v.sbp, true);
    let d = e.number(DBP, v.dbp, true);
    for (n, value) in [(HR, v.hr), (SPO2, v.spo2), (RR, v.rr)] {
        e.number(n, value, true);
    }
    for (n, value) in [
        (TEMP, v.temp_c),
        (ETCO2, v.etco2),
        (DISSOCIATION, v.dissociation),
        (MOAAS, v.moaas),
    ] {
        e.number(n, value, false);
    }
    if let (Some(s), Some(d)) = (s, d) {
        e.require(
            s <= d,
            format!(
                "Systolic BP ({}) must be higher than diastolic BP ({}).",
                fmt_num(s),
                fmt_num(d)
            ),
        );
    }
}

pub fn expect_vitals(v: &VitalsInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    vitals_fields(&mut e, v);
    e
}

/// A correction through `Clinic`: the reading may be unknown or belong to another session.
pub fn expect_correction(c: &VitalsCorrection) -> Expect {
    let mut e = Expect::new(&["validation"]).early(&["not_found", "invalid_request", "conflict"]);
    e.text("Reason for correction", c.reason.as_deref(), 200, true);
    vitals_fields(&mut e, &c.vitals);
    e
}

pub fn expect_event(v: &EventInput) -> Expect {
    let mut e = Expect::new(&["validation", "conflict"]);
    e.name("infusion");
    e.name("Event time");
    e.name("hold");
    e.time("Clinical time", v.clinical_time.as_deref());
    if matches!(v.kind, EventKind::Start | EventKind::RateChange) {
        e.number(RATE, v.rate_ml_per_h, true);
    }
    if v.kind == EventKind::Bolus {
        e.number(BOLUS, v.bolus_mg, true);
    }
    e.text("Reason to override the BP hold", v.hold_override.as_deref(), 500, false);
    e
}

pub fn expect_note(v: &NoteInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.time("Clinical time", v.clinical_time.as_deref());
    e.text("Note", v.text.as_deref(), 2000, true);
    e
}

pub fn expect_patient(p: &PatientInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.text("Family name", p.family_name.as_deref(), 100, true);
    e.text("Given names", p.given_names.as_deref(), 100, true);
    e.text("MRN", p.mrn.as_deref(), 32, true);
    e.text("Date of birth", p.date_of_birth.as_deref(), DATE_CHARS, true);
    e.name("Sex");
    e.require(p.sex.is_none(), "Sex is required");
    weight(&mut e, p.weight, p.weight_unit);
    e.number(HEIGHT, p.height_cm, false);
    e.text(ALLERGIES, p.allergies.as_deref(), 500, true);
    e.name("Indication");
    e.require(p.indication.is_none(), "Indication is required.");
    if p.indication == Some(Indication::Other) {
        e.text("The other indication", p.indication_other.as_deref(), 200, true);
    }
    e.text("Emergency contact", p.emergency_contact.as_deref(), 200, false);
    e.text("Escort", p.escort.as_deref(), 200, false);
    e
}

pub fn expect_checklist(c: &ChecklistInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    for (done, item) in [
        (c.consent_on_file, "Consent on file"),
        (c.fasting_confirmed, "Fasting as the protocol requires"),
        (c.escort_confirmed, "Escort home confirmed"),
        (c.medication_changes_reviewed, "Medication changes reviewed"),
    ] {
        e.name(item);
        e.require(!done, format!("{item} must be confirmed before the infusion."));
    }
    e.text("Escort's name", c.escort_name.as_deref(), 200, true);
    e.name("Pregnancy");
    e.require(c.pregnancy.is_none(), "Pregnancy status is required");
    e.require(
        c.pregnancy == Some(Pregnancy::Pregnant),
        "Pregnancy is a contraindication",
    );
    e.text("IV site", c.iv_site.as_deref(), 100, true);
    e.number(IV_GAUGE, c.iv_gauge, true);
    e.text("Vial lot number", c.vial_lot.as_deref(), 40, true);
    e.text("Vial expiry", c.vial_expiry.as_deref(), DATE_CHARS, true);
    e.name("vial");
    // Empty: completed when saved.
    if c.completed_at.is_some() {
        e.time("Clinical time", c.completed_at.as_deref());
    }
    e
}

pub fn expect_waste(w: &WasteInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.time("Clinical time", w.clinical_time.as_deref());
    e.number(WASTE, w.amount_mg, true);
    e.name("Witness");
    e.require(w.witness_username.trim().is_empty(), "Witness is required");
    e
}

pub fn expect_outcome(o: &OutcomeInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    let (Some(scale), Some(timepoint)) = (o.scale, o.timepoint) else {
        e.name("scale");
        e.require(true, "Choose the scale and when it was taken");
        return e;
    };
    let spec = scale.spec();
    let (label, count, max) = (spec.label, spec.items.len(), spec.item_max);
    let time = match timepoint {
        Timepoint::PreInfusion => "Clinical time",
        _ => "Time taken",
    };
    e.time(time, o.clinical_time.as_deref());
    e.name(label);
    e.require(
        o.items.len() != count,
        format!("{label} has {count} items; {} were sent.", o.items.len()),
    );
    for (i, value) in o.items.iter().enumerate().take(count) {
        let name = match count {
            1 => label.to_string(),
            _ => format!("{label} item {}", i + 1),
        };
        match value {
            None => e.require(true, format!("{name} is required (0–{max}).")),
            Some(v) if v.fract() != 0.0 || *v < 0.0 || *v > max as f64 => e.require(
                true,
                format!(
                    "{name} must be a whole number from 0 to {max}; {} was entered.",
                    fmt_num(*v)
                ),
            ),
            Some(_) => {}
        }
    }
    e
}

pub fn expect_side_effect(s: &SideEffectInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("Side effect");
    e.require(s.effect.is_none(), "Side effect is required");
    if s.effect == Some(Effect::Other) {
        e.text("Description of the other side effect", s.other.as_deref(), 200, true);
    }
    e.name("Severity");
    e.require(s.severity.is_none(), "Severity is required");
    e.time("Clinical time", s.onset_time.as_deref());
    e
}

pub fn expect_resolution(r: &Resolution) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("Resolved time");
    e.time("Clinical time", r.resolved_time.as_deref());
    e
}

pub fn expect_intervention(i: &InterventionInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("Medication");
    e.require(i.medication.is_none(), "Medication is required");
    if i.medication == Some(RescueMedication::Other) {
        e.text("Name of the other medication", i.other.as_deref(), 100, true);
    }
    e.number(RESCUE_DOSE, i.dose, true);
    e.require(i.unit.is_none(), "Dose unit is required");
    e.name("Route");
    e.require(i.route.is_none(), "Route is required.");
    e.time("Clinical time", i.clinical_time.as_deref());
    e.text("Indication", i.indication.as_deref(), 200, true);
    e.text("Effect", i.effect.as_deref(), 500, false);
    e
}

pub fn expect_aldrete(a: &AldreteInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.time("Clinical time", a.clinical_time.as_deref());
    let values = [a.activity, a.respiration, a.circulation, a.consciousness, a.oxygen];
    for (n, v) in ALDRETE.into_iter().zip(values) {
        e.number(n, v, true);
    }
    e
}

pub fn expect_discharge(d: &DischargeInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.time("Clinical time", d.clinical_time.as_deref());
    e.text("Escort's name", d.escort_name.as_deref(), 200, true);
    e.name("Discharge instructions");
    e.require(!d.instructions_given, "Discharge instructions must be given");
    e.text("Override reason", d.override_reason.as_deref(), 500, false);
    e
}

pub fn expect_protocol(p: &ProtocolInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.text("Protocol name", p.name.as_deref(), 100, true);
    e.text("Drug", p.drug.as_deref(), 60, true);
    e.text("Route", p.route.as_deref(), 20, true);
    let round3 = |v: f64| (v * 1000.0).round() / 1000.0;
    let dose = e.number(DOSE, p.dose_mg_per_kg, true).map(round3);
    e.number(DURATION, p.duration_min, true);
    e.number(CONCENTRATION, p.concentration_mg_per_ml, true);
    let soft = e.number(SOFT, p.soft_limit_mg_per_kg, true).map(round3);
    let hard = e.number(HARD, p.hard_limit_mg_per_kg, true).map(round3);
    for (n, v) in [
        (VITALS_EVERY, p.vitals_every_min),
        (OBSERVATION, p.observation_min),
        (HOLD_SBP, p.hold_sbp),
        (HOLD_DBP, p.hold_dbp),
    ] {
        e.number(n, v, true);
    }
    if let (Some(d), Some(s), Some(h)) = (dose, soft, hard) {
        e.require(s > h, "The soft limit (");
        e.require(s <= h && d > s, "The protocol's dose (");
    }
    e
}

/// A dose plan on a protocol whose own dose is `protocol_dose` (used when the input leaves it out).
pub fn expect_dose(d: &DoseInput, protocol_dose: f64) -> Expect {
    let mut e = Expect::new(&["validation"]);
    weight(&mut e, d.weight, d.weight_unit);
    e.number(DOSE, Some(d.dose_mg_per_kg.unwrap_or(protocol_dose)), true);
    e
}

/// What a plan still needs before it can start (a weight to confirm, a limit): in kg or mg/kg.
fn expect_plan_warnings() -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("kg");
    e
}

pub fn expect_settings(s: &SettingsInput, current: &Settings) -> Expect {
    let mut e = Expect::new(&["validation"]);
    // A value left out or refused leaves the current one in place.
    let pick = |e: &mut Expect, n: Num, v: Option<f64>, now: i64| e.number(n, v, false).map_or(now, |v| v as i64);
    for (n, v) in [
        (AUTO_LOCK, s.auto_lock_minutes),
        (LATE_ENTRY, s.late_entry_minutes),
        (RECOVERY_VITALS, s.recovery_vitals_every_min),
        (DISCHARGE_ALDRETE, s.discharge_min_aldrete),
        (HIGH_BP_WINDOW, s.high_bp_window_min),
        (HIGH_HR, s.high_hr),
        (HIGH_HR_SUSTAINED, s.high_hr_sustained_min),
        (LOW_SPO2, s.low_spo2),
        (BACKUP_EVERY, s.backup_every_hours),
        (KEEP_DAILY, s.backup_keep_daily),
        (KEEP_WEEKLY, s.backup_keep_weekly),
        (BACKUP_WARN, s.backup_warn_after_hours),
    ] {
        e.number(n, v, false);
    }
    let a = &current.alerts;
    let high_sbp = pick(&mut e, HIGH_SBP, s.high_sbp, a.high_sbp);
    let high_dbp = pick(&mut e, HIGH_DBP, s.high_dbp, a.high_dbp);
    let severe_sbp = pick(&mut e, SEVERE_SBP, s.severe_sbp, a.severe_sbp);
    let severe_dbp = pick(&mut e, SEVERE_DBP, s.severe_dbp, a.severe_dbp);
    e.name("BP");
    e.require(
        severe_sbp <= high_sbp || severe_dbp <= high_dbp,
        format!("Severe BP ({severe_sbp}/{severe_dbp}) must be above high BP ({high_sbp}/{high_dbp})."),
    );
    for (label, value, max) in [
        ("Clinic name", &s.clinic_name, 100),
        ("Clinic address", &s.clinic_address, 200),
        ("Clinic phone", &s.clinic_phone, 40),
    ] {
        e.text(label, value.as_deref(), max, false);
    }
    e
}

pub fn expect_user(u: &UserInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    if let Some(name) = e.text("Username", u.username.as_deref(), 32, true) {
        let name = name.to_lowercase();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        e.require(
            name.chars().count() < 3 || !name.chars().all(allowed),
            "Username must be 3–32 characters: letters, digits, dot, dash or underscore.",
        );
    }
    e.text("Full name", u.display_name.as_deref(), 80, true);
    password(&mut e, "Password", u.password.as_deref(), u.password_confirm.as_deref());
    e.name("role");
    e.require(
        u.roles.is_empty(),
        "Choose at least one role: nurse, physician or admin.",
    );
    e
}

/// A new password and its confirmation (`users::check_password`), as `label` names it.
pub fn expect_password(label: &str, new: Option<&str>, confirm: Option<&str>) -> Expect {
    let mut e = Expect::new(&["validation"]);
    password(&mut e, label, new, confirm);
    e
}

pub fn expect_roles(roles: &[Role]) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("role");
    e.require(roles.is_empty(), "Choose at least one role");
    e
}

pub fn expect_addendum(a: &AddendumInput) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.text("Reason for addendum", a.reason.as_deref(), 200, true);
    e.text("Addendum", a.text.as_deref(), 5000, true);
    e
}

/// A folder for automatic backups (`Clinic::set_backup_folder`): empty, or an existing absolute path.
pub fn expect_backup_folder(folder: &str) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("backup folder");
    e.echo(folder);
    let f = std::path::Path::new(folder.trim());
    e.require(
        !(folder.trim().is_empty() || (f.is_absolute() && f.is_dir())),
        "does not exist (give the whole path).",
    );
    e
}

/// A recovery key as typed: 64 hex digits, spaces and dashes ignored.
pub fn expect_recovery_key(code: &str) -> Expect {
    let mut e = Expect::new(&["validation"]);
    e.name("recovery key");
    let digits: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    e.require(
        digits.len() != 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()),
        "The recovery key must be 64 characters 0–9 and A–F",
    );
    e
}

/// A logo as the window sends it: hex (else an invalid request), then a small PNG.
pub fn expect_logo(hex: &str) -> Expect {
    let mut e = Expect::new(&["validation", "invalid_request"]);
    e.name("logo");
    let hex = hex.trim();
    e.require(
        hex.len() % 2 == 1 || !hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "The logo was not sent as hexadecimal bytes.",
    );
    e
}

// ---- the checks run as the app runs them, judged ----

/// What the checks are run against: the session's date and "now", the pump's earlier events, a side
/// effect to resolve, a protocol and the patient's recorded weight, the clinic's settings.
#[derive(Debug, Clone)]
pub struct Context {
    pub session_date: NaiveDate,
    /// The patient's arrival: before the earliest clinical time the fuzzed inputs use.
    pub arrived: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub earlier: Vec<InfusionEvent>,
    pub effect: SideEffect,
    pub protocol: Protocol,
    pub recorded: Weight,
    pub settings: Settings,
}

impl Context {
    /// 10:45 local on 22 November 2026; a side effect since 09:45; the default 40-minute protocol.
    pub fn standard() -> Context {
        let now = Local
            .with_ymd_and_hms(2026, 11, 22, 10, 45, 0)
            .earliest()
            .expect("a plain local time")
            .with_timezone(&Utc);
        let onset = now - Duration::minutes(60);
        Context {
            session_date: now.with_timezone(&Local).date_naive(),
            arrived: now - Duration::hours(11),
            now,
            earlier: Vec::new(),
            effect: SideEffect {
                id: 1,
                session_id: 1,
                effect: Effect::Nausea,
                label: "Nausea".into(),
                severity: Severity::Mild,
                onset_time: onset,
                recorded_at: onset,
                entered_by: "Nina Park".into(),
                resolved_at: None,
                resolved_by: None,
                late: false,
            },
            // Protocol 1 as migrations/0003 seeds it.
            protocol: Protocol {
                id: 1,
                name: "Ketamine IV 0.5 mg/kg over 40 min".into(),
                drug: "ketamine".into(),
                route: "IV".into(),
                dose_mg_per_kg: 0.5,
                duration_min: 40,
                concentration_mg_per_ml: 1.0,
                soft_limit_mg_per_kg: 0.75,
                hard_limit_mg_per_kg: 1.5,
                vitals_every_min: 10,
                observation_min: 60,
                hold_sbp: 140,
                hold_dbp: 90,
                overrun_margin_pct: 10.0,
                outcome_scales: vec![Scale::Phq9, Scale::Gad7],
                active: true,
            },
            recorded: Weight {
                value: 70.0,
                unit: WeightUnit::Kg,
            },
            settings: Settings::default(),
        }
    }

    /// The same, with the pump started at the earliest clinical time the fuzzed inputs use (10 h
    /// before now), so that rate changes, pauses, boluses and stops may be charted.
    pub fn pump_running(mut self) -> Context {
        let at = self.now - Duration::minutes(601);
        self.earlier = vec![InfusionEvent {
            id: 1,
            session_id: 1,
            kind: EventKind::Start,
            clinical_time: at,
            recorded_at: at,
            rate_ml_per_h: Some(52.5),
            bolus_mg: None,
            entered_by: "Nina Park".into(),
            hold_override: None,
            baseline_vitals_id: None,
            scales_not_taken: None,
            late: false,
        }];
        self
    }
}

pub fn vitals(input: VitalsInput, cx: &Context) -> Result<(), String> {
    expect_vitals(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn event(input: EventInput, cx: &Context) -> Result<(), String> {
    expect_event(&input).check(input.validate(&cx.earlier, cx.arrived, cx.now))
}

pub fn note(input: NoteInput, cx: &Context) -> Result<(), String> {
    expect_note(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn patient(input: PatientInput, cx: &Context) -> Result<(), String> {
    expect_patient(&input).check(input.validate(cx.session_date))
}

pub fn checklist(input: ChecklistInput, cx: &Context) -> Result<(), String> {
    expect_checklist(&input).check(input.validate(cx.session_date, cx.arrived, cx.now))
}

pub fn waste(input: WasteInput, cx: &Context) -> Result<(), String> {
    expect_waste(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn outcome(input: OutcomeInput, cx: &Context) -> Result<(), String> {
    expect_outcome(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn side_effect(input: SideEffectInput, cx: &Context) -> Result<(), String> {
    expect_side_effect(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn resolution(input: Resolution, cx: &Context) -> Result<(), String> {
    expect_resolution(&input).check(input.validate(&cx.effect, cx.arrived, cx.now))
}

pub fn intervention(input: InterventionInput, cx: &Context) -> Result<(), String> {
    expect_intervention(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn aldrete(input: AldreteInput, cx: &Context) -> Result<(), String> {
    expect_aldrete(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn discharge(input: DischargeInput, cx: &Context) -> Result<(), String> {
    expect_discharge(&input).check(input.validate(cx.arrived, cx.now))
}

pub fn protocol(input: ProtocolInput) -> Result<(), String> {
    expect_protocol(&input).check(input.validate())
}

/// The dose plan, and what it still needs before a start.
pub fn dose(input: DoseInput, cx: &Context) -> Result<(), String> {
    let expect = expect_dose(&input, cx.protocol.dose_mg_per_kg);
    match cx.protocol.plan(&input, cx.recorded) {
        Ok(plan) => {
            expect.check(Ok::<_, Error>(()))?;
            expect_plan_warnings().check(plan.ready())
        }
        Err(e) => expect.check(Err::<(), _>(e)),
    }
}

pub fn settings(input: SettingsInput, cx: &Context) -> Result<(), String> {
    let expect = expect_settings(&input, &cx.settings);
    expect.check(input.apply_to(&cx.settings))
}

pub fn user(input: UserInput) -> Result<(), String> {
    expect_user(&input).check(input.validate())
}

pub fn new_password(label: &str, new: Option<&str>, confirm: Option<&str>) -> Result<(), String> {
    let mut c = infusion_chart::domain::validate::Checker::new();
    infusion_chart::domain::users::check_password(&mut c, label, new, confirm);
    expect_password(label, new, confirm).check(c.finish())
}

pub fn roles(roles: &[Role]) -> Result<(), String> {
    expect_roles(roles).check(infusion_chart::domain::users::check_roles(roles))
}

pub fn addendum(input: AddendumInput) -> Result<(), String> {
    expect_addendum(&input).check(input.validate())
}

pub fn recovery_key(code: &str) -> Result<(), String> {
    expect_recovery_key(code).check(infusion_chart::outside::crypto::DataKey::from_recovery_code(code))
}

/// A logo checked as `set_clinic_logo` checks it: hex, then (unless empty, which clears it) a PNG.
pub fn check_logo(hex: &str) -> Result<(), Error> {
    infusion_chart::outside::report::logo::from_hex(hex.trim()).and_then(|png| match png.is_empty() {
        true => Ok(()),
        false => infusion_chart::outside::report::logo::decode(&png).map(drop),
    })
}

pub fn logo(hex: &str) -> Result<(), String> {
    expect_logo(hex).check(check_logo(hex))
}

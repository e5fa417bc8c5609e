//! A FHIR R4 `collection` Bundle of every patient and session: Patient, Encounter (the chair visit),
//! MedicationAdministration (the ketamine infusion with dose, rate, period and vial lot; rescue
//! medications), Observation (the weight the dose was computed from, as typed in kg or lb; vitals with
//! LOINC codes; outcome score totals) and AdverseEvent (side
//! effects). Written entry by entry, so a ten-year clinic does not need the bundle in memory.
//! Resource ids are derived from the record ids, so exporting twice gives the same references.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::digest::sha256_hex;
use crate::domain::outcomes::{OutcomeScore, Scale};
use crate::domain::patients::Patient;
use crate::domain::sessions::SessionRecord;
use crate::domain::side_effects::{Intervention, SideEffect};
use crate::domain::vitals::Vitals;
use crate::error::{Error, Result};
use crate::storage::Db;

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";
const SNOMED: &str = "http://snomed.info/sct";
const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
const MRN_SYSTEM: &str = "urn:infusion-chart:mrn";
const SESSION_SYSTEM: &str = "urn:infusion-chart:session";
const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// SNOMED CT "Intravenous route".
const INTRAVENOUS: &str = "47625008";

/// Reads one session as the screens show it (the app's `chart::session_record`).
pub type SessionReader<'a> = dyn Fn(&Db, i64) -> Result<SessionRecord> + 'a;

/// Writes the bundle; returns the number of entries.
pub fn write_bundle(db: &Db, session: &SessionReader, now: DateTime<Utc>, out: &mut impl Write) -> Result<u64> {
    let fail = |e: std::io::Error| Error::Storage(format!("The FHIR bundle could not be written ({e})."));
    write!(
        out,
        r#"{{"resourceType":"Bundle","id":"{}","type":"collection","timestamp":"{}","entry":["#,
        uuid(&format!("bundle-{now}")),
        instant(&now)
    )
    .map_err(fail)?;
    let mut count = 0u64;
    let mut entry = |resource: Value| -> Result<()> {
        let id = resource["id"].as_str().unwrap_or_default().to_string();
        let separator = if count == 0 { "" } else { "," };
        let item = json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource });
        write!(out, "{separator}{item}").map_err(fail)?;
        count += 1;
        Ok(())
    };
    for patient_id in db.patient_ids()? {
        entry(patient(&db.patient(patient_id)?))?;
    }
    for session_id in db.session_ids()? {
        let record = session(db, session_id)?;
        for resource in session_resources(&record) {
            entry(resource)?;
        }
    }
    write!(out, "]}}").map_err(fail)?;
    Ok(count)
}

/// Encounter, infusion, vitals, scores, side effects and rescue medications of one session.
fn session_resources(r: &SessionRecord) -> Vec<Value> {
    let mut resources = vec![encounter(r)];
    resources.extend(body_weight(r));
    resources.extend(infusion(r));
    for v in &r.vitals {
        resources.extend(vitals(r, v));
    }
    resources.extend(r.outcomes.iter().map(|o| outcome(r, o)));
    resources.extend(r.side_effects.iter().map(|e| adverse_event(r, e)));
    resources.extend(r.interventions.iter().map(|i| rescue(r, i)));
    resources
}

fn patient(p: &Patient) -> Value {
    json!({
        "resourceType": "Patient",
        "id": uuid(&format!("patient-{}", p.id)),
        "identifier": [{ "system": MRN_SYSTEM, "value": p.mrn }],
        "name": [{ "family": p.family_name, "given": p.given_names.split_whitespace().collect::<Vec<_>>() }],
        // The catalogue's names are FHIR's administrative genders: female, male, other.
        "gender": p.sex.name(),
        "birthDate": p.date_of_birth.to_string(),
    })
}

fn encounter(r: &SessionRecord) -> Value {
    let discharged = r.aftercare.discharge.as_ref().map(|d| instant(&d.clinical_time));
    let mut period = json!({ "start": instant(&r.session.started_at) });
    if let Some(end) = &discharged {
        period["end"] = json!(end);
    }
    json!({
        "resourceType": "Encounter",
        "id": encounter_id(r),
        "identifier": [{ "system": SESSION_SYSTEM, "value": r.session.id.to_string() }],
        "status": if discharged.is_some() { "finished" } else { "in-progress" },
        "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory" },
        "type": [{ "text": "Ketamine infusion session" }],
        "subject": subject(r),
        "period": period,
    })
}

/// The ketamine infusion as given (mg given so far, the planned rate, start to stop, the vial's lot).
fn infusion(r: &SessionRecord) -> Option<Value> {
    let started = r.infusion.started_at?;
    let dose = r.session.dose.as_ref()?;
    let mut period = json!({ "start": instant(&started) });
    if let Some(stopped) = r.infusion.stopped_at {
        period["end"] = json!(instant(&stopped));
    }
    let mut medication = json!({
        "resourceType": "Medication",
        "id": "ketamine",
        "code": { "coding": [{ "system": RXNORM, "code": "6130", "display": "ketamine" }], "text": "Ketamine" },
    });
    if let Some(checklist) = &r.checklist {
        medication["batch"] =
            json!({ "lotNumber": checklist.vial_lot, "expirationDate": checklist.vial_expiry.to_string() });
    }
    Some(json!({
        "resourceType": "MedicationAdministration",
        "id": uuid(&format!("infusion-{}", r.session.id)),
        "contained": [medication],
        "status": if r.infusion.stopped_at.is_some() { "completed" } else { "in-progress" },
        "medicationReference": { "reference": "#ketamine" },
        "subject": subject(r),
        "context": { "reference": format!("urn:uuid:{}", encounter_id(r)) },
        "effectivePeriod": period,
        "note": [{ "text": format!("{}; {}", dose.protocol_name, dose.plan.arithmetic.join("; ")) }],
        "dosage": {
            "text": format!("{} mg/kg at {} over {} min", dose.plan.dose_mg_per_kg, dose.plan.weight.label(), dose.plan.duration_min),
            "route": { "coding": [{ "system": SNOMED, "code": INTRAVENOUS, "display": "Intravenous route" }] },
            "dose": quantity(round(r.infusion.mg_given), "mg", "mg"),
            "rateQuantity": quantity(dose.plan.rate_ml_per_h, "mL/h", "mL/h"),
        },
    }))
}

/// The weight the session's dose was computed from, in the unit it was typed in (kg or [lb_av]).
fn body_weight(r: &SessionRecord) -> Option<Value> {
    let weight = r.session.dose.as_ref()?.plan.weight;
    Some(json!({
        "resourceType": "Observation",
        "id": uuid(&format!("weight-{}", r.session.id)),
        "status": "final",
        "category": [{ "coding": [{ "system": CATEGORY, "code": "vital-signs", "display": "Vital Signs" }] }],
        "code": { "coding": [{ "system": LOINC, "code": "29463-7", "display": "Body weight" }], "text": "Body weight" },
        "subject": subject(r),
        "encounter": { "reference": format!("urn:uuid:{}", encounter_id(r)) },
        "effectiveDateTime": instant(&r.session.started_at),
        "valueQuantity": quantity(weight.value, weight.unit.name(), weight.unit.ucum()),
    }))
}

/// The note on the baseline reading's observations: the one the infusion's start was judged on.
pub const BASELINE_NOTE: &str = "Baseline: the reading the start of the infusion was judged on.";

/// One Observation per measurement of a vitals row: the BP panel with its two components, HR,
/// SpO2, RR, and temperature when taken. The session's one baseline says so in a note.
fn vitals(r: &SessionRecord, v: &Vitals) -> Vec<Value> {
    let baseline = r.baseline.as_ref().is_some_and(|b| b.id == v.id);
    let observation = |what: &str, code: &str, display: &str| {
        let mut o = json!({
            "resourceType": "Observation",
            "id": uuid(&format!("vitals-{}-{what}", v.id)),
            "status": if v.corrected { "amended" } else { "final" },
            "category": [{ "coding": [{ "system": CATEGORY, "code": "vital-signs", "display": "Vital Signs" }] }],
            "code": { "coding": [{ "system": LOINC, "code": code, "display": display }], "text": display },
            "subject": subject(r),
            "encounter": { "reference": format!("urn:uuid:{}", encounter_id(r)) },
            "effectiveDateTime": instant(&v.clinical_time),
            "issued": instant(&v.recorded_at),
        });
        if baseline {
            o["note"] = json!([{ "text": BASELINE_NOTE }]);
        }
        o
    };
    let mut bp = observation("bp", "85354-9", "Blood pressure panel with all children optional");
    bp["component"] = json!([
        { "code": { "coding": [{ "system": LOINC, "code": "8480-6", "display": "Systolic blood pressure" }] },
          "valueQuantity": quantity(v.sbp as f64, "mmHg", "mm[Hg]") },
        { "code": { "coding": [{ "system": LOINC, "code": "8462-4", "display": "Diastolic blood pressure" }] },
          "valueQuantity": quantity(v.dbp as f64, "mmHg", "mm[Hg]") },
    ]);
    let mut measured = vec![bp];
    let mut single = |what, code, display, value: f64, unit, ucum| {
        let mut o = observation(what, code, display);
        o["valueQuantity"] = quantity(value, unit, ucum);
        measured.push(o);
    };
    single("hr", "8867-4", "Heart rate", v.hr as f64, "/min", "/min");
    single(
        "spo2",
        "59408-5",
        "Oxygen saturation in Arterial blood by Pulse oximetry",
        v.spo2 as f64,
        "%",
        "%",
    );
    single("rr", "9279-1", "Respiratory rate", v.rr as f64, "/min", "/min");
    if let Some(temp) = v.temp_c {
        single("temp", "8310-5", "Body temperature", temp, "Cel", "Cel");
    }
    measured
}

/// An outcome scale's total (PHQ-9, GAD-7 and pain with their LOINC codes; the others by name).
fn outcome(r: &SessionRecord, o: &OutcomeScore) -> Value {
    let loinc = match o.scale {
        Scale::Phq9 => Some((
            "44261-6",
            "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
        )),
        Scale::Gad7 => Some((
            "70274-6",
            "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
        )),
        Scale::PainNrs => Some((
            "72514-3",
            "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        )),
        Scale::Pcl5 | Scale::Madrs => None,
    };
    let text = format!("{} total score", o.scale.label());
    let code = match loinc {
        Some((code, display)) => {
            json!({ "coding": [{ "system": LOINC, "code": code, "display": display }], "text": text })
        }
        None => json!({ "text": text }),
    };
    json!({
        "resourceType": "Observation",
        "id": uuid(&format!("outcome-{}", o.id)),
        "status": "final",
        "category": [{ "coding": [{ "system": CATEGORY, "code": "survey", "display": "Survey" }] }],
        "code": code,
        "subject": subject(r),
        "encounter": { "reference": format!("urn:uuid:{}", encounter_id(r)) },
        "effectiveDateTime": instant(&o.clinical_time),
        "issued": instant(&o.recorded_at),
        "valueInteger": o.total,
        "interpretation": [{ "text": o.severity }],
        "note": [{ "text": format!("{}; items {:?}", o.timepoint.label(), o.items) }],
    })
}

fn adverse_event(r: &SessionRecord, e: &SideEffect) -> Value {
    let outcome = if e.resolved_at.is_some() { "resolved" } else { "ongoing" };
    json!({
        "resourceType": "AdverseEvent",
        "id": uuid(&format!("side-effect-{}", e.id)),
        "actuality": "actual",
        "event": { "text": e.label },
        "subject": subject(r),
        "encounter": { "reference": format!("urn:uuid:{}", encounter_id(r)) },
        "date": instant(&e.onset_time),
        "recordedDate": instant(&e.recorded_at),
        "severity": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity", "code": e.severity.name() }] },
        "outcome": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adverse-event-outcome", "code": outcome }] },
    })
}

fn rescue(r: &SessionRecord, i: &Intervention) -> Value {
    json!({
        "resourceType": "MedicationAdministration",
        "id": uuid(&format!("rescue-{}", i.id)),
        "status": "completed",
        "medicationCodeableConcept": { "text": i.name },
        "subject": subject(r),
        "context": { "reference": format!("urn:uuid:{}", encounter_id(r)) },
        "effectiveDateTime": instant(&i.clinical_time),
        "reasonCode": [{ "text": i.indication }],
        "dosage": {
            "route": { "text": i.route.label() },
            "dose": { "value": i.dose, "unit": i.unit.label() },
        },
    })
}

fn subject(r: &SessionRecord) -> Value {
    json!({ "reference": format!("urn:uuid:{}", uuid(&format!("patient-{}", r.patient.id))) })
}

fn encounter_id(r: &SessionRecord) -> String {
    uuid(&format!("session-{}", r.session.id))
}

fn quantity(value: f64, unit: &str, ucum: &str) -> Value {
    json!({ "value": value, "unit": unit, "system": UCUM, "code": ucum })
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn instant(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A stable UUID-shaped id for one record (the same record always gets the same id).
fn uuid(name: &str) -> String {
    let h = sha256_hex(name.as_bytes());
    format!(
        "{}-{}-5{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_uuid_shaped_and_stable() {
        let id = super::uuid("patient-1");
        assert_eq!(id, super::uuid("patient-1"));
        assert_ne!(id, super::uuid("patient-2"));
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, vec![8, 4, 4, 4, 12]);
    }
}

//! A realistic clinic history, reproducible from a seed, for demonstrations and for measuring speed
//! at the size a clinic reaches after ten years (`infusion-chart demo-data`). Every record goes
//! through the same checks and storage calls as charting at the chair, with the clock set to the
//! moment it happened, so the audit trail, alerts, signatures and locks are those real use leaves.

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use fastrand::Rng;

use crate::app::chart;
use crate::domain::alerts::AlertRef;
use crate::domain::discharge::{AldreteInput, DischargeInput};
use crate::domain::infusion::{EventInput, EventKind};
use crate::domain::notes::NoteInput;
use crate::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use crate::domain::patients::{FlaggedMedication, Indication, PatientInput, Sex, YearOffset};
use crate::domain::preparation::{ChecklistInput, Pregnancy, WasteInput};
use crate::domain::protocols::DoseInput;
use crate::domain::sessions::SessionRef;
use crate::domain::settings::Settings;
use crate::domain::side_effects::{
    DoseUnit, Effect, InterventionInput, RescueMedication, Resolution, Route, Severity, SideEffectInput,
};
use crate::domain::signing::AddendumInput;
use crate::domain::users::User;
use crate::domain::validate::Checker;
use crate::domain::vitals::VitalsInput;
use crate::domain::weight::{Weight, WeightUnit, KG_PER_LB};
use crate::error::Result;
use crate::storage::Db;

/// Demo patients' MRNs start with this, so no one mistakes them for real records.
const MRN_PREFIX: &str = "DEMO-";
/// Infusion chairs in the demo clinic; each runs about one session every two hours.
const CHAIRS: usize = 6;
/// The first sessions of a series come twice a week; boosters follow every three to eight weeks.
const INDUCTION_SESSIONS: usize = 6;
/// How far back the history reaches.
const YEARS: i32 = 10;
const MAX_PATIENTS: u32 = 100_000;
/// About 23 sessions a weekday for ten years: what six chairs hold without running past midnight.
const MAX_SESSIONS: u32 = 60_000;

/// What to build: how many patients and sessions, the seed, and the last day with sessions.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    pub patients: u32,
    pub sessions: u32,
    pub seed: u64,
    pub last_day: NaiveDate,
}

impl DemoRequest {
    /// Sizes a clinic could reach; every demo patient has at least one session.
    pub fn validate(&self) -> Result<()> {
        let mut c = Checker::new();
        if !(1..=MAX_PATIENTS).contains(&self.patients) {
            c.problem(format!("Patients must be between 1 and {MAX_PATIENTS}."));
        }
        if self.sessions < self.patients || self.sessions > MAX_SESSIONS {
            c.problem(format!(
                "Sessions must be between the number of patients ({}) and {MAX_SESSIONS}: each demo patient has at least one session.",
                self.patients
            ));
        }
        c.finish()
    }
}

/// The clinical staff the history is charted by.
pub(crate) struct Staff {
    pub nurses: Vec<User>,
    pub physicians: Vec<User>,
}

/// One planned session: whose, which day, which chair, and when it starts.
pub(crate) struct Visit {
    pub patient: usize,
    pub day: NaiveDate,
    pub chair: usize,
    pub start: DateTime<Utc>,
    /// The last two days' sessions are still in the physician's co-signing queue.
    pub awaiting_cosign: bool,
}

/// A demo patient: who they are and how they respond across their series.
pub(crate) struct Person {
    /// The registration form, taken when the patient first comes in.
    input: PatientInput,
    female: bool,
    /// As typed at registration, and on the scales at every visit.
    weight: Weight,
    protocol_id: i64,
    sbp: f64,
    hr: f64,
    escort: String,
    /// Baseline totals (PHQ-9, GAD-7, PCL-5 when treated for PTSD) and the share left at the series' end.
    phq9: f64,
    gad7: f64,
    pcl5: Option<f64>,
    left_at_end: f64,
    sessions_done: u32,
    /// Set when the patient is first registered, at their first visit.
    patient_id: Option<i64>,
}

/// The history's people and calendar: everything drawn from the seed before charting starts.
pub(crate) fn plan(request: &DemoRequest, rng: &mut Rng) -> (Vec<Person>, Vec<Visit>) {
    let first_year = request.last_day.year() - YEARS;
    let people: Vec<Person> = (0..request.patients).map(|_| person(rng, first_year)).collect();
    let counts = sessions_per_patient(request.patients as usize, request.sessions as usize, rng);
    // The calendar counts weekdays only: weekday `i` is `first_monday + (i / 5) weeks + i % 5 days`.
    let first_monday = monday_on_or_after(request.last_day.with_year_offset(-YEARS));
    let whole_days = (request.last_day - first_monday).num_days() + 1;
    let weekdays = whole_days / 7 * 5 + (whole_days % 7).min(5);
    let date = |i: i64| first_monday + Duration::days(i / 5 * 7 + i % 5);
    let mut days: Vec<(NaiveDate, usize)> = Vec::with_capacity(request.sessions as usize);
    for (patient, &count) in counts.iter().enumerate() {
        // Each series starts on any weekday and wraps round at the end, so every weekday, the last
        // one included, is about as busy as the others.
        let mut offset = rng.i64(0..weekdays);
        let mut mine = Vec::with_capacity(count);
        for n in 0..count {
            if n > 0 {
                offset += if n < INDUCTION_SESSIONS {
                    rng.i64(1..=3)
                } else {
                    rng.i64(15..=40)
                };
            }
            mine.push(date(offset % weekdays));
        }
        // A series longer than ten years would meet itself; it keeps one session a day.
        mine.sort();
        mine.dedup();
        days.extend(mine.into_iter().map(|day| (day, patient)));
    }
    days.sort();
    let mut visits = Vec::with_capacity(days.len());
    let mut slot = 0;
    for (i, &(day, patient)) in days.iter().enumerate() {
        slot = if i > 0 && days[i - 1].0 == day { slot + 1 } else { 0 };
        let minutes = 8 * 60 + (slot / CHAIRS) as i64 * 120 + rng.i64(0..20);
        let local = day.and_time(NaiveTime::MIN) + Duration::minutes(minutes);
        let start = Local
            .from_local_datetime(&local)
            .earliest()
            .unwrap_or_else(|| Local.from_utc_datetime(&local))
            .with_timezone(&Utc);
        visits.push(Visit {
            patient,
            day,
            chair: slot % CHAIRS,
            start,
            awaiting_cosign: day > request.last_day - Duration::days(2),
        });
    }
    (people, visits)
}

/// `total` sessions shared among `patients`, at least one each, unevenly as in a real clinic.
fn sessions_per_patient(patients: usize, total: usize, rng: &mut Rng) -> Vec<usize> {
    if patients == 0 {
        return Vec::new();
    }
    let mut counts = vec![total / patients; patients];
    for count in counts.iter_mut().take(total % patients) {
        *count += 1;
    }
    for _ in 0..patients {
        let (from, to) = (rng.usize(0..patients), rng.usize(0..patients));
        let moved = rng.usize(0..=counts[from] / 2).min(counts[from].saturating_sub(1));
        counts[from] -= moved;
        counts[to] += moved;
    }
    counts
}

const FEMALE: &[&str] = &[
    "Ada", "Beatriz", "Chloe", "Dana", "Elena", "Farah", "Grace", "Hana", "Ines", "Julia", "Keiko", "Leila", "Maya",
    "Nadia", "Olivia", "Priya", "Rosa", "Sofia", "Tamsin", "Yara",
];
const MALE: &[&str] = &[
    "Aaron", "Bruno", "Carlos", "Daniel", "Emeka", "Felix", "George", "Hugo", "Ivan", "James", "Kenji", "Liam",
    "Marco", "Nikhil", "Omar", "Pavel", "Rafael", "Samuel", "Tomas", "Yusuf",
];
const FAMILY: &[&str] = &[
    "Abara",
    "Bergstrom",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Gallagher",
    "Haddad",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ulloa",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zielinski",
    "Novak",
    "Ferreira",
    "Murphy",
    "Silva",
];
const ALLERGIES: &[&str] = &[
    "Penicillin",
    "Sulfa drugs",
    "Latex",
    "Codeine",
    "Shellfish",
    "Ibuprofen",
];
const IV_SITES: &[&str] = &["Left antecubital", "Right antecubital", "Left forearm", "Right hand"];
const NOTES: &[&str] = &[
    "Resting comfortably with eyes closed; music playing.",
    "Patient asked for the lights dimmed and a blanket.",
    "Reports tingling in the hands; reassured.",
    "Talkative early in the infusion, then quiet.",
    "Escort confirmed the pick-up time by phone.",
    "Patient tearful afterwards, says it was a good session.",
];

fn pick<'a>(rng: &mut Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(0..list.len())]
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.f64() < p
}

/// A patient who is an adult (18 to 70) in `adult_in`, the history's first year.
fn person(rng: &mut Rng, adult_in: i32) -> Person {
    let sex = if chance(rng, 0.58) { Sex::Female } else { Sex::Male };
    let given = pick(rng, if sex == Sex::Female { FEMALE } else { MALE });
    let family = pick(rng, FAMILY);
    let weight_kg = (rng.f64() * 55.0 + 52.0).round();
    let indication = match rng.usize(0..20) {
        0..=8 => Indication::TreatmentResistantDepression,
        9..=12 => Indication::MajorDepression,
        13..=14 => Indication::BipolarDepression,
        15..=17 => Indication::Ptsd,
        18 => Indication::Anxiety,
        _ => Indication::ChronicPain,
    };
    let mut flagged = Vec::new();
    for (medication, p) in [
        (FlaggedMedication::Benzodiazepines, 0.15),
        (FlaggedMedication::Lamotrigine, 0.05),
        (FlaggedMedication::Stimulants, 0.05),
    ] {
        if chance(rng, p) {
            flagged.push(medication);
        }
    }
    let weight = if chance(rng, 0.1) {
        Weight {
            value: (weight_kg / KG_PER_LB).round(),
            unit: WeightUnit::Lb,
        }
    } else {
        Weight {
            value: weight_kg,
            unit: WeightUnit::Kg,
        }
    };
    let escort_names = if chance(rng, 0.5) { FEMALE } else { MALE };
    let escort = format!("{} {family}", pick(rng, escort_names));
    let phone = format!("555-{:04}", rng.u32(0..10_000));
    let input = PatientInput {
        family_name: Some(family.into()),
        given_names: Some(given.into()),
        date_of_birth: Some(format!(
            "{}-{:02}-{:02}",
            adult_in - rng.i32(18..70),
            rng.u32(1..=12),
            rng.u32(1..=28)
        )),
        mrn: None,
        sex: Some(sex),
        weight: Some(weight.value),
        weight_unit: Some(weight.unit),
        height_cm: Some((rng.f64() * 40.0 + 152.0).round()),
        allergies: Some(if chance(rng, 0.75) {
            "None known".into()
        } else {
            pick(rng, ALLERGIES).into()
        }),
        indication: Some(indication),
        indication_other: None,
        emergency_contact: Some(format!("{escort}, {phone}")),
        escort: Some(escort.clone()),
        contraindications: Vec::new(),
        flagged_medications: flagged,
    };
    Person {
        input,
        female: sex == Sex::Female,
        weight,
        protocol_id: if chance(rng, 0.8) { 1 } else { 2 },
        sbp: rng.f64() * 22.0 + 110.0,
        hr: rng.f64() * 25.0 + 62.0,
        escort,
        phq9: rng.f64() * 10.0 + 15.0,
        gad7: rng.f64() * 9.0 + 10.0,
        pcl5: (indication == Indication::Ptsd).then(|| rng.f64() * 30.0 + 40.0),
        left_at_end: if chance(rng, 0.6) {
            rng.f64() * 0.3 + 0.2
        } else {
            rng.f64() * 0.3 + 0.7
        },
        sessions_done: 0,
        patient_id: None,
    }
}

fn at(t: DateTime<Utc>) -> Option<String> {
    Some(t.to_rfc3339())
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

/// Item scores that add up to `total` (clamped to what the scale allows), spread at random.
fn items(rng: &mut Rng, scale: Scale, total: f64) -> Vec<Option<f64>> {
    let spec = scale.spec();
    let n = spec.items.len();
    let mut items = vec![0i64; n];
    // Leave room below the maximum: PHQ-9's last item is mostly kept at 0.
    let mut left = (total.round() as i64).clamp(0, spec.total_max - spec.item_max);
    while left > 0 {
        let i = rng.usize(0..n);
        // PHQ-9's last item (thoughts of self-harm) stays rare, as it is in a treated population.
        if items[i] < spec.item_max && !(scale == Scale::Phq9 && i == n - 1 && !chance(rng, 0.01)) {
            items[i] += 1;
            left -= 1;
        }
    }
    items.into_iter().map(|v| Some(v as f64)).collect()
}

/// Charts one whole session as the chair nurse and the day's physician would: checklist, scores,
/// infusion, vitals with the scores and alerts they raise, side effects and rescue medications,
/// recovery, discharge, waste, signature and co-signature.
pub(crate) fn chart_visit(
    db: &mut Db,
    settings: &Settings,
    staff: &Staff,
    person: &mut Person,
    visit: &Visit,
    rng: &mut Rng,
) -> Result<()> {
    let ordinal = visit.day.num_days_from_ce() as usize;
    let nurse = &staff.nurses[(visit.chair + ordinal) % staff.nurses.len()];
    let witness = &staff.nurses[(visit.chair + ordinal + 1) % staff.nurses.len()];
    let physician = &staff.physicians[ordinal % staff.physicians.len()];
    let t = visit.start;
    let patient_id = match person.patient_id {
        Some(id) => id,
        None => {
            let input = PatientInput {
                mrn: Some(format!("{MRN_PREFIX}{:06}", visit.patient + 1)),
                ..std::mem::take(&mut person.input)
            };
            let id = chart::add_patient(db, nurse, t - minutes(40), input)?.id;
            person.patient_id = Some(id);
            id
        }
    };
    let session = chart::start_session(
        db,
        nurse,
        t - minutes(15),
        DoseInput {
            patient_id,
            protocol_id: person.protocol_id,
            weight: Some(person.weight.value),
            weight_unit: Some(person.weight.unit),
            dose_mg_per_kg: None,
            weight_confirmed: true,
            override_reason: None,
            chair: Some(format!("Chair {}", visit.chair + 1)),
        },
    )?;
    let s = session.id;
    let plan = &session.dose.as_ref().expect("started on a protocol").plan;
    let duration = plan.duration_min;
    chart::save_checklist(
        db,
        nurse,
        t - minutes(12),
        ChecklistInput {
            session_id: s,
            consent_on_file: true,
            fasting_confirmed: true,
            escort_confirmed: true,
            escort_name: Some(person.escort.clone()),
            medication_changes_reviewed: true,
            pregnancy: Some(match (person.female, chance(rng, 0.5)) {
                (false, _) => Pregnancy::NotApplicable,
                (true, true) => Pregnancy::NegativeTest,
                (true, false) => Pregnancy::NotPregnantDeclared,
            }),
            iv_site: Some(pick(rng, IV_SITES).into()),
            iv_gauge: Some(if chance(rng, 0.7) { 22.0 } else { 20.0 }),
            vial_lot: Some(format!("KT{}-{:03}", visit.day.format("%y%m"), rng.u32(1..400))),
            vial_expiry: Some(
                (visit.day + Duration::days(rng.i64(120..600)))
                    .format("%Y-%m")
                    .to_string(),
            ),
            completed_at: None,
        },
    )?;
    // Scores fall across the induction series for responders, and stay down through boosters.
    let progress = (person.sessions_done as f64 / INDUCTION_SESSIONS as f64).min(1.0);
    let share = 1.0 - progress * (1.0 - person.left_at_end);
    let mut scales = vec![(Scale::Phq9, person.phq9), (Scale::Gad7, person.gad7)];
    scales.extend(person.pcl5.map(|total| (Scale::Pcl5, total)));
    for &(scale, baseline) in &scales {
        let total = baseline * share + rng.f64() * 4.0 - 2.0;
        chart::add_outcome(
            db,
            nurse,
            t - minutes(10),
            OutcomeInput {
                session_id: s,
                scale: Some(scale),
                timepoint: Some(Timepoint::PreInfusion),
                clinical_time: at(t - minutes(10)),
                items: items(rng, scale, total),
            },
        )?;
    }
    person.sessions_done += 1;

    let thresholds = &settings.alerts;
    let readings = rng.i64(17..=23);
    let every = ((duration + 50) / (readings - 1)).max(5);
    let hypertensive = chance(rng, 0.04);
    let nausea = chance(rng, 0.12).then(|| t + minutes(duration * rng.i64(3..8) / 10));
    let anxiety = chance(rng, 0.05).then(|| t + minutes(rng.i64(5..15)));
    let note = chance(rng, 0.35).then(|| rng.i64(2..readings - 2));
    let pause = chance(rng, 0.03).then(|| t + minutes(duration / 2));
    let vitals = |time: DateTime<Utc>, k: i64, rng: &mut Rng, high: bool| {
        let infusing = time > t && time <= t + minutes(duration);
        let minute = (time - t).num_minutes() as f64;
        let phase = if infusing {
            (minute / duration as f64 * std::f64::consts::PI).sin()
        } else {
            0.0
        };
        let sbp = if high {
            rng.f64() * 10.0 + 182.0
        } else {
            person.sbp + phase * 14.0 + rng.f64() * 10.0 - 5.0
        };
        let dbp = if high {
            rng.f64() * 8.0 + 100.0
        } else {
            sbp * 0.62 + rng.f64() * 6.0 - 3.0
        };
        VitalsInput {
            session_id: s,
            clinical_time: at(time),
            sbp: Some(sbp.round()),
            dbp: Some(dbp.round()),
            hr: Some((person.hr + phase * 10.0 + rng.f64() * 8.0 - 4.0).round()),
            spo2: Some(if chance(rng, 0.05) {
                95.0
            } else {
                rng.f64().mul_add(3.0, 96.5).round().min(100.0)
            }),
            rr: Some(rng.f64().mul_add(5.0, 12.0).round()),
            temp_c: (k == 0).then(|| rng.f64() * 0.8 + 36.4),
            etco2: None,
            dissociation: (k > 0).then(|| (phase * 7.0 + rng.f64() * 2.0).round().clamp(0.0, 10.0)),
            moaas: (k > 0).then(|| if phase > 0.8 && chance(rng, 0.3) { 4.0 } else { 5.0 }),
        }
    };
    chart::add_vitals(
        db,
        thresholds,
        nurse,
        t - minutes(4),
        vitals(t - minutes(5), 0, rng, false),
    )?;
    let event = |kind, time, rate: Option<f64>| EventInput {
        session_id: s,
        kind,
        clinical_time: at(time),
        rate_ml_per_h: rate,
        bolus_mg: None,
        hold_override: None,
        start_without_scales: false,
    };
    chart::add_event(db, nurse, t, event(EventKind::Start, t, Some(plan.rate_ml_per_h)))?;
    let stop = t + minutes(duration);
    let mut stopped = false;
    let mut last = t;
    let mut open_effects: Vec<(i64, DateTime<Utc>)> = Vec::new();
    for k in 1..readings {
        let time = t + minutes(k * every);
        if !stopped && time > stop {
            chart::add_event(db, nurse, stop, event(EventKind::Stop, stop, None))?;
            stopped = true;
        }
        if let Some(paused) = pause.filter(|&p| p <= time && p > last) {
            let reason = SideEffectInput {
                session_id: s,
                effect: Some(Effect::Anxiety),
                other: None,
                severity: Some(Severity::Mild),
                onset_time: at(paused),
            };
            let effect = chart::add_side_effect(db, nurse, paused + minutes(1), reason)?;
            chart::add_event(db, nurse, paused + minutes(1), event(EventKind::Pause, paused, None))?;
            chart::add_event(
                db,
                nurse,
                paused + minutes(4),
                event(EventKind::Resume, paused + minutes(4), None),
            )?;
            open_effects.push((effect.id, paused + minutes(6)));
        }
        for (effect, onset, medication) in [
            (Effect::Nausea, nausea, Some(RescueMedication::Ondansetron)),
            (Effect::Anxiety, anxiety, None),
        ] {
            let Some(onset) = onset.filter(|&o| o <= time && o > last) else {
                continue;
            };
            let severity = if chance(rng, 0.7) {
                Severity::Mild
            } else {
                Severity::Moderate
            };
            let input = SideEffectInput {
                session_id: s,
                effect: Some(effect),
                other: None,
                severity: Some(severity),
                onset_time: at(onset),
            };
            let charted = chart::add_side_effect(db, nurse, onset + minutes(1), input)?;
            if let Some(medication) = medication {
                let given = InterventionInput {
                    session_id: s,
                    medication: Some(medication),
                    other: None,
                    dose: Some(4.0),
                    unit: Some(DoseUnit::Mg),
                    route: Some(if chance(rng, 0.5) { Route::Iv } else { Route::Odt }),
                    clinical_time: at(onset + minutes(2)),
                    indication: Some(effect.label().into()),
                    side_effect_id: Some(charted.id),
                    effect: Some("Settled within 20 minutes.".into()),
                };
                chart::add_intervention(db, nurse, onset + minutes(3), given)?;
            }
            open_effects.push((charted.id, onset + minutes(rng.i64(15..35))));
        }
        let high = hypertensive && !stopped && (k == 3 || k == 4);
        chart::add_vitals(db, thresholds, nurse, time + minutes(1), vitals(time, k, rng, high))?;
        acknowledge_alerts(db, settings, nurse, s, time + minutes(2))?;
        if high && k == 4 {
            let effect = hypertension(db, (nurse, physician), s, time, rng)?;
            open_effects.push((effect, time + minutes(30)));
        }
        if note == Some(k) {
            let input = NoteInput {
                session_id: s,
                clinical_time: at(time),
                text: Some(pick(rng, NOTES).into()),
            };
            chart::add_note(db, nurse, time + minutes(1), input)?;
        }
        let (due, later): (Vec<_>, Vec<_>) = open_effects.into_iter().partition(|&(_, resolved)| resolved <= time);
        for (side_effect_id, resolved) in due {
            resolve(db, nurse, side_effect_id, resolved, time + minutes(1))?;
        }
        open_effects = later;
        last = time;
    }
    if !stopped {
        chart::add_event(db, nurse, stop, event(EventKind::Stop, stop, None))?;
    }
    let observed = stop + minutes(60);
    let discharged = last.max(observed) + minutes(5);
    for (side_effect_id, _) in open_effects {
        resolve(
            db,
            nurse,
            side_effect_id,
            discharged - minutes(5),
            discharged - minutes(4),
        )?;
    }
    for (time, consciousness) in [(stop + minutes(20), 1.0), (discharged - minutes(2), 2.0)] {
        let score = AldreteInput {
            session_id: s,
            clinical_time: at(time),
            activity: Some(2.0),
            respiration: Some(2.0),
            circulation: Some(2.0),
            consciousness: Some(consciousness),
            oxygen: Some(2.0),
        };
        chart::add_aldrete(db, nurse, time + minutes(1), score)?;
    }
    let leaving = DischargeInput {
        session_id: s,
        clinical_time: at(discharged),
        escort_name: Some(person.escort.clone()),
        instructions_given: true,
        override_reason: None,
    };
    chart::discharge(db, settings, nurse, discharged + minutes(1), leaving)?;
    if chance(rng, 0.6) {
        let drawn = (plan.total_mg / 10.0).ceil() * 10.0 + 10.0;
        let input = WasteInput {
            session_id: s,
            clinical_time: at(discharged),
            amount_mg: Some(drawn - plan.total_mg),
            witness_username: witness.username.clone(),
            witness_password: String::new(),
        };
        let checked = chart::check_waste(db, nurse, discharged + minutes(2), &input)?;
        chart::record_waste(db, nurse, witness, discharged + minutes(2), checked)?;
    }
    let signed = discharged + minutes(rng.i64(3..20));
    chart::sign_session(db, settings, nurse, signed, SessionRef { session_id: s })?;
    if chance(rng, 0.25) {
        let follow_up = OutcomeInput {
            session_id: s,
            scale: Some(Scale::Phq9),
            timepoint: Some(Timepoint::After24h),
            clinical_time: at(t + Duration::days(1)),
            items: items(rng, Scale::Phq9, person.phq9 * share * 0.9),
        };
        chart::add_outcome(db, nurse, t + Duration::days(1) + minutes(5), follow_up)?;
    }
    if chance(rng, 0.01) {
        let addendum = AddendumInput {
            session_id: s,
            reason: Some("Late entry".into()),
            text: Some("Patient phoned the next morning: slept well, no headache, no nausea.".into()),
        };
        chart::add_addendum(db, settings, nurse, t + Duration::days(1), addendum)?;
    }
    if !visit.awaiting_cosign {
        let cosigned = signed + minutes(rng.i64(30..60 * 30));
        chart::cosign_session(db, settings, physician, cosigned, SessionRef { session_id: s })?;
    }
    Ok(())
}

/// The nurse acknowledges every alert the last reading raised (signing needs them all seen).
fn acknowledge_alerts(db: &mut Db, settings: &Settings, nurse: &User, s: i64, now: DateTime<Utc>) -> Result<()> {
    for alert in db
        .alerts_of_session(s)?
        .into_iter()
        .filter(|a| a.acknowledged_at.is_none())
    {
        chart::acknowledge_alert(db, settings, nurse, now, AlertRef { alert_id: alert.id })?;
    }
    Ok(())
}

fn resolve(db: &mut Db, nurse: &User, side_effect_id: i64, at_time: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    let input = Resolution {
        side_effect_id,
        resolved_time: at(at_time),
    };
    chart::resolve_side_effect(db, nurse, now, input).map(drop)
}

/// High blood pressure during the infusion: charted as a side effect, and the physician gives
/// clonidine. Returns the side effect's id.
fn hypertension(
    db: &mut Db,
    (nurse, physician): (&User, &User),
    s: i64,
    time: DateTime<Utc>,
    rng: &mut Rng,
) -> Result<i64> {
    let effect = SideEffectInput {
        session_id: s,
        effect: Some(Effect::Hypertension),
        other: None,
        severity: Some(Severity::Moderate),
        onset_time: at(time - minutes(5)),
    };
    let effect = chart::add_side_effect(db, nurse, time + minutes(2), effect)?;
    let given = InterventionInput {
        session_id: s,
        medication: Some(RescueMedication::Clonidine),
        other: None,
        dose: Some(if chance(rng, 0.5) { 0.1 } else { 0.2 }),
        unit: Some(DoseUnit::Mg),
        route: Some(Route::Po),
        clinical_time: at(time + minutes(4)),
        indication: Some(Effect::Hypertension.label().into()),
        side_effect_id: Some(effect.id),
        effect: None,
    };
    chart::add_intervention(db, physician, time + minutes(5), given)?;
    Ok(effect.id)
}

fn monday_on_or_after(day: NaiveDate) -> NaiveDate {
    day + Duration::days((7 - day.weekday().num_days_from_monday() as i64) % 7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ten_year_calendar_spreads_sessions_evenly_over_weekdays_and_ends_on_the_last_day() {
        let request = DemoRequest {
            patients: 5_000,
            sessions: 50_000,
            seed: 1,
            last_day: NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
        };
        let (_, visits) = plan(&request, &mut Rng::with_seed(request.seed));
        assert!(visits.len() > 49_900, "{}", visits.len());
        let mut per_weekday = [0usize; 7];
        let mut per_day = std::collections::BTreeMap::<NaiveDate, usize>::new();
        for v in &visits {
            per_weekday[v.day.weekday().num_days_from_monday() as usize] += 1;
            *per_day.entry(v.day).or_default() += 1;
        }
        assert_eq!(per_weekday[5] + per_weekday[6], 0, "no weekend sessions");
        let mean = visits.len() / 5;
        assert!(
            per_weekday[..5].iter().all(|&n| n.abs_diff(mean) < mean / 20),
            "{per_weekday:?}"
        );
        let busiest = per_day.values().max().unwrap();
        assert!(*busiest <= CHAIRS * 7, "the busiest day has {busiest} sessions");
        assert_eq!(per_day.keys().next_back(), Some(&request.last_day));
        assert!(*per_day.keys().next().unwrap() >= NaiveDate::from_ymd_opt(2018, 2, 28).unwrap());
    }
}

//! Vitals entries of the flowsheet, and the ranges outside which a reading is physiologically
//! impossible (a typing slip or a probe off the finger) and therefore refused.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::clock::{hm as local_hm, FUTURE_TOLERANCE};
use crate::domain::validate::{Checker, Range};
use crate::error::Result;

const SBP: Range = Range::new("Systolic BP", "mmHg", 40.0, 300.0);
const DBP: Range = Range::new("Diastolic BP", "mmHg", 20.0, 200.0);
const HR: Range = Range::new("Heart rate", "bpm", 20.0, 300.0);
const SPO2: Range = Range::new("SpO2", "%", 50.0, 100.0);
const RR: Range = Range::new("Respiratory rate", "breaths/min", 2.0, 80.0);
const TEMP: Range = Range::new("Temperature", "°C", 30.0, 43.0);
const ETCO2: Range = Range::new("EtCO2", "mmHg", 0.0, 100.0);
const DISSOCIATION: Range = Range::new("Dissociation", "", 0.0, 10.0);
/// Modified Observer's Assessment of Alertness/Sedation: 5 responds readily to name … 0 no response.
const MOAAS: Range = Range::new("Sedation (MOAA/S)", "", 0.0, 5.0);

/// What the vitals row sends. Numbers are optional so that an empty field gets a message.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VitalsInput {
    pub session_id: i64,
    /// RFC 3339 with offset: when the reading was taken.
    pub clinical_time: Option<String>,
    pub sbp: Option<f64>,
    pub dbp: Option<f64>,
    pub hr: Option<f64>,
    pub spo2: Option<f64>,
    pub rr: Option<f64>,
    pub temp_c: Option<f64>,
    pub etco2: Option<f64>,
    pub dissociation: Option<f64>,
    pub moaas: Option<f64>,
}

/// A validated reading, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVitals {
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    pub sbp: i64,
    pub dbp: i64,
    pub hr: i64,
    pub spo2: i64,
    pub rr: i64,
    pub temp_c: Option<f64>,
    pub etco2: Option<i64>,
    pub dissociation: Option<i64>,
    pub moaas: Option<i64>,
}

/// A value beyond a threshold: the word the flowsheet shows beside it ("high") and why ("above 180/110").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    pub word: &'static str,
    pub why: String,
}

/// A reading's marks, one per value that has one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Beyond {
    pub bp: Option<Mark>,
    pub hr: Option<Mark>,
    pub spo2: Option<Mark>,
}

impl Beyond {
    pub fn is_empty(&self) -> bool {
        self.bp.is_none() && self.hr.is_none() && self.spo2.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vitals {
    pub id: i64,
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    /// When it was saved; differs from `clinical_time` for late entries, never back-dated.
    pub recorded_at: DateTime<Utc>,
    pub sbp: i64,
    pub dbp: i64,
    pub map: i64,
    pub hr: i64,
    pub spo2: i64,
    pub rr: i64,
    pub temp_c: Option<f64>,
    pub etco2: Option<i64>,
    pub dissociation: Option<i64>,
    pub moaas: Option<i64>,
    /// Display name of who charted it.
    pub entered_by: String,
    /// Whether it was corrected before signing (the old values are in the audit trail).
    pub corrected: bool,
    /// Saved long after it happened (the clinic's late-entry setting); set when read.
    pub late: bool,
    /// Its values beyond the clinic's alert thresholds (and a baseline above the hold); set when a
    /// session's record is read (`alerts::mark_beyond`).
    #[serde(skip_serializing_if = "Beyond::is_empty")]
    pub beyond: Beyond,
}

/// A correction of one reading before signing: the whole reading again, and why.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VitalsCorrection {
    pub vitals_id: i64,
    pub reason: Option<String>,
    pub vitals: VitalsInput,
}

/// Mean arterial pressure, (SBP + 2 × DBP) / 3, to the nearest mmHg.
pub fn mean_arterial_pressure(sbp: i64, dbp: i64) -> i64 {
    ((sbp + 2 * dbp) as f64 / 3.0).round() as i64
}

/// A clinical time (RFC 3339) for any entry of a session: not in the future, not before the
/// patient's arrival, and within a day of it.
pub fn check_clinical_time(
    c: &mut Checker,
    text: Option<String>,
    arrived: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let t = c
        .timestamp(text, "Clinical time", "a time like 10:40")?
        .with_timezone(&Utc);
    if t > now + FUTURE_TOLERANCE {
        c.problem(format!(
            "Clinical time cannot be in the future (it is {} now).",
            local_hm(now)
        ));
        return None;
    }
    if t < arrived {
        c.problem(format!(
            "Clinical time {} is before the patient's arrival at {}. If the patient arrived earlier, move the arrival time back first.",
            local_hm(t),
            local_hm(arrived)
        ));
        return None;
    }
    if t > arrived + SESSION_SPAN {
        c.problem(format!(
            "Clinical time must be within {} hours of the patient's arrival at {}.",
            SESSION_SPAN.num_hours(),
            local_hm(arrived)
        ));
        return None;
    }
    Some(t)
}

/// The longest reason for correcting a reading.
pub const MAX_CORRECTION_REASON_CHARS: usize = 200;

/// The longest a session runs from the patient's arrival (an evening session may run past midnight).
pub const SESSION_SPAN: Duration = Duration::hours(24);

impl VitalsInput {
    /// Checks the reading; the clinical time must fall after the patient's arrival and not in the
    /// future.
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewVitals> {
        let mut c = Checker::new();
        let clinical_time = check_clinical_time(&mut c, self.clinical_time, arrived, now);
        let sbp = c.whole(self.sbp, SBP);
        let dbp = c.whole(self.dbp, DBP);
        let hr = c.whole(self.hr, HR);
        let spo2 = c.whole(self.spo2, SPO2);
        let rr = c.whole(self.rr, RR);
        let temp_c = c.optional_decimal(self.temp_c, TEMP, 1);
        let etco2 = c.optional_whole(self.etco2, ETCO2);
        let dissociation = c.optional_whole(self.dissociation, DISSOCIATION);
        let moaas = c.optional_whole(self.moaas, MOAAS);
        if let (Some(s), Some(d)) = (sbp, dbp) {
            if s <= d {
                c.problem(format!("Systolic BP ({s}) must be higher than diastolic BP ({d})."));
            }
        }
        c.finish()?;
        Ok(NewVitals {
            session_id: self.session_id,
            clinical_time: clinical_time.expect("checked"),
            sbp: sbp.expect("checked"),
            dbp: dbp.expect("checked"),
            hr: hr.expect("checked"),
            spo2: spo2.expect("checked"),
            rr: rr.expect("checked"),
            temp_c,
            etco2,
            dissociation,
            moaas,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_day::{self, on};

    fn now() -> DateTime<Utc> {
        test_day::at(10, 45)
    }

    fn at(h: u32, m: u32) -> String {
        test_day::at(h, m).to_rfc3339()
    }

    fn good() -> VitalsInput {
        VitalsInput {
            session_id: 1,
            clinical_time: Some(at(10, 40)),
            sbp: Some(128.0),
            dbp: Some(82.0),
            hr: Some(76.0),
            spo2: Some(98.0),
            rr: Some(14.0),
            temp_c: None,
            etco2: None,
            dissociation: None,
            moaas: None,
        }
    }

    fn check(input: VitalsInput, expected: std::result::Result<(), &str>) {
        let got = input.clone().validate(test_day::at(8, 0), now());
        match expected {
            Ok(()) => assert!(got.is_ok(), "{input:?} refused: {got:?}"),
            Err(message) => assert_eq!(got.unwrap_err().to_string(), message, "{input:?}"),
        }
    }

    #[test]
    fn map_is_computed_and_rounded() {
        assert_eq!(mean_arterial_pressure(120, 80), 93);
        assert_eq!(mean_arterial_pressure(128, 82), 97);
        assert_eq!(mean_arterial_pressure(200, 120), 147);
    }

    #[test]
    fn impossible_readings_are_refused_with_the_field_and_range() {
        check(good(), Ok(()));
        check(
            VitalsInput {
                temp_c: Some(36.84),
                etco2: Some(38.0),
                ..good()
            },
            Ok(()),
        );
        check(
            VitalsInput {
                spo2: Some(100.0),
                hr: Some(300.0),
                ..good()
            },
            Ok(()),
        );
        check(
            VitalsInput {
                sbp: Some(80.0),
                dbp: Some(90.0),
                ..good()
            },
            Err("Systolic BP (80) must be higher than diastolic BP (90)."),
        );
        check(
            VitalsInput {
                sbp: Some(90.0),
                dbp: Some(90.0),
                ..good()
            },
            Err("Systolic BP (90) must be higher than diastolic BP (90)."),
        );
        check(
            VitalsInput {
                spo2: Some(101.0),
                ..good()
            },
            Err("SpO2 must be between 50 and 100%; 101 was entered."),
        );
        check(
            VitalsInput {
                hr: Some(0.0),
                ..good()
            },
            Err("Heart rate must be between 20 and 300 bpm; 0 was entered."),
        );
        check(
            VitalsInput {
                hr: Some(301.0),
                ..good()
            },
            Err("Heart rate must be between 20 and 300 bpm; 301 was entered."),
        );
        check(
            VitalsInput {
                rr: Some(81.0),
                ..good()
            },
            Err("Respiratory rate must be between 2 and 80 breaths/min; 81 was entered."),
        );
        check(
            VitalsInput { sbp: None, ..good() },
            Err("Systolic BP is required (40–300 mmHg)."),
        );
        check(
            VitalsInput {
                temp_c: Some(45.0),
                ..good()
            },
            Err("Temperature must be between 30 and 43 °C; 45 was entered."),
        );
        check(
            VitalsInput {
                dissociation: Some(4.0),
                moaas: Some(5.0),
                ..good()
            },
            Ok(()),
        );
        check(
            VitalsInput {
                dissociation: Some(11.0),
                ..good()
            },
            Err("Dissociation must be between 0 and 10; 11 was entered."),
        );
        check(
            VitalsInput {
                moaas: Some(6.0),
                ..good()
            },
            Err("Sedation (MOAA/S) must be between 0 and 5; 6 was entered."),
        );
        check(
            VitalsInput {
                clinical_time: Some(at(10, 51)),
                ..good()
            },
            Err("Clinical time cannot be in the future (it is 10:45 now)."),
        );
        check(
            VitalsInput {
                clinical_time: Some(at(10, 50)),
                ..good()
            },
            Ok(()),
        );
        check(
            VitalsInput {
                clinical_time: Some("10:40".into()),
                ..good()
            },
            Err("Clinical time must be a time like 10:40."),
        );
        check(
            VitalsInput {
                clinical_time: Some(on(21, 23, 0).to_rfc3339()),
                ..good()
            },
            Err("Clinical time 23:00 is before the patient's arrival at 08:00. If the patient arrived earlier, move the arrival time back first."),
        );
        check(
            VitalsInput { hr: Some(0.0), spo2: Some(120.0), ..good() },
            Err("Heart rate must be between 20 and 300 bpm; 0 was entered. SpO2 must be between 50 and 100%; 120 was entered."),
        );
    }
}

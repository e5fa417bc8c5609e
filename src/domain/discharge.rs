//! After the infusion: modified Aldrete scores, and the discharge gate. Discharge needs the
//! infusion stopped, an escort and the instructions given; a score below the clinic's minimum, or an
//! observation shorter than the protocol's, needs a physician's override with a reason.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::validate::{Checker, Range};
use crate::domain::vitals::check_clinical_time;
use crate::error::Result;

/// The five items, 0–2 each, in the order they are scored.
const ALDRETE_ITEMS: [&str; 5] = [
    "Aldrete activity",
    "Aldrete respiration",
    "Aldrete circulation",
    "Aldrete consciousness",
    "Aldrete SpO2",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AldreteInput {
    pub session_id: i64,
    pub clinical_time: Option<String>,
    pub activity: Option<f64>,
    pub respiration: Option<f64>,
    pub circulation: Option<f64>,
    pub consciousness: Option<f64>,
    pub oxygen: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAldrete {
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    /// Activity, respiration, circulation, consciousness, oxygen.
    pub items: [i64; 5],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aldrete {
    pub id: i64,
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub items: [i64; 5],
    pub total: i64,
    pub entered_by: String,
    pub late: bool,
}

impl AldreteInput {
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewAldrete> {
        let mut c = Checker::new();
        let clinical_time = check_clinical_time(&mut c, self.clinical_time, arrived, now);
        let values = [
            self.activity,
            self.respiration,
            self.circulation,
            self.consciousness,
            self.oxygen,
        ];
        let items: Vec<Option<i64>> = values
            .into_iter()
            .zip(ALDRETE_ITEMS)
            .map(|(v, label)| {
                c.whole(
                    v,
                    Range {
                        label,
                        unit: "",
                        min: 0.0,
                        max: 2.0,
                    },
                )
            })
            .collect();
        c.finish()?;
        Ok(NewAldrete {
            session_id: self.session_id,
            clinical_time: clinical_time.expect("checked"),
            items: std::array::from_fn(|i| items[i].expect("checked")),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DischargeInput {
    pub session_id: i64,
    pub clinical_time: Option<String>,
    pub escort_name: Option<String>,
    #[serde(default)]
    pub instructions_given: bool,
    /// A physician's reason to discharge below the minimum score or before the observation time.
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDischarge {
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    pub escort_name: String,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discharge {
    pub id: i64,
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub aldrete_total: i64,
    pub escort_name: String,
    pub instructions_given: bool,
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
    pub entered_by: String,
    pub late: bool,
}

/// Longest escort's name, and physician's reason to discharge early.
pub const MAX_ESCORT_CHARS: usize = 200;
pub const MAX_OVERRIDE_REASON_CHARS: usize = 500;

impl DischargeInput {
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewDischarge> {
        let mut c = Checker::new();
        let clinical_time = check_clinical_time(&mut c, self.clinical_time, arrived, now);
        let escort_name = c.text(self.escort_name, "Escort's name", MAX_ESCORT_CHARS);
        if !self.instructions_given {
            c.problem(
                "Discharge instructions must be given (no driving until after a night's sleep; no benzodiazepines or opioids for 4 hours).",
            );
        }
        let override_reason = c.optional_text(self.override_reason, "Override reason", MAX_OVERRIDE_REASON_CHARS);
        c.finish()?;
        Ok(NewDischarge {
            session_id: self.session_id,
            clinical_time: clinical_time.expect("checked"),
            escort_name: escort_name.expect("checked"),
            override_reason,
        })
    }
}

/// What a discharge at `at` would still need a physician's override for, in words; empty if nothing.
/// `latest_aldrete` is the newest score; `stopped_at` the end of the infusion (none if it never ran).
pub fn discharge_holds(
    latest_aldrete: i64,
    min_aldrete: i64,
    stopped_at: Option<DateTime<Utc>>,
    observation_min: i64,
    at: DateTime<Utc>,
) -> Vec<String> {
    let mut holds = Vec::new();
    if latest_aldrete < min_aldrete {
        holds.push(format!(
            "The latest modified Aldrete score is {latest_aldrete}; discharge needs at least {min_aldrete}, or a physician's override with a reason."
        ));
    }
    if let Some(stop) = stopped_at {
        let observed = (at - stop).num_minutes();
        if observed < observation_min {
            holds.push(format!(
                "The protocol asks for {observation_min} minutes of observation after the infusion; {observed} have passed. Discharging earlier needs a physician's override with a reason."
            ));
        }
    }
    holds
}

/// Minutes from `from` to `to`, if both are known and in that order (a span is never negative:
/// a record charted out of order before the arrival rules shows none rather than a false one).
pub fn minutes_between(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<i64> {
    Some((to? - from?).num_minutes()).filter(|m| *m >= 0)
}

/// After the infusion, as the session screen shows it: Aldrete scores, recovery and chair time,
/// what still holds the discharge, and the discharge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aftercare {
    pub aldrete: Vec<Aldrete>,
    pub discharge: Option<Discharge>,
    /// End of infusion → discharge (or now, while still in the chair).
    pub recovery_minutes: Option<i64>,
    /// Arrival (the session's start) → discharge (or now).
    pub chair_minutes: Option<i64>,
    /// What a discharge now would still need overriding, in words.
    pub holds: Vec<String>,
    pub min_aldrete: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    use crate::domain::test_day::at;

    #[test]
    fn aldrete_items_are_0_to_2_and_named() {
        let input = |v: f64| AldreteInput {
            session_id: 1,
            clinical_time: Some(at(11, 0).to_rfc3339()),
            activity: Some(2.0),
            respiration: Some(2.0),
            circulation: Some(v),
            consciousness: Some(1.0),
            oxygen: None,
        };
        assert_eq!(
            input(3.0).validate(at(8, 0), at(11, 5)).unwrap_err().to_string(),
            "Aldrete circulation must be between 0 and 2; 3 was entered. Aldrete SpO2 is required (0–2)."
        );
    }

    #[test]
    fn the_discharge_gate_holds_below_the_minimum_score_or_before_the_observation_time() {
        let stop = Some(at(10, 0));
        // (latest score, discharge at, holds)
        let cases: &[(i64, DateTime<Utc>, usize)] = &[
            (9, at(11, 0), 0),
            (10, at(11, 30), 0),
            (8, at(11, 0), 1),
            (9, at(10, 45), 1),
            (8, at(10, 45), 2),
        ];
        for &(score, when, holds) in cases {
            assert_eq!(
                discharge_holds(score, 9, stop, 60, when).len(),
                holds,
                "{score} at {when}"
            );
        }
        assert!(discharge_holds(8, 9, stop, 60, at(11, 0))[0].contains("latest modified Aldrete score is 8"));
        assert!(
            discharge_holds(9, 9, None, 60, at(9, 0)).is_empty(),
            "never started: no observation to wait for"
        );
        assert_eq!(minutes_between(stop, Some(at(10, 0) + Duration::minutes(75))), Some(75));
    }
}

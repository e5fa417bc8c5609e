//! Alert rules over a session's vitals, with the clinical reference's defaults as settings:
//! BP above 180/110 on two readings within 5 minutes, or above 200/120 once; HR above 120
//! sustained for 5 minutes; SpO2 below 92 %. An alert is raised once per rule and reading.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::catalogue;
use crate::domain::vitals::{Beyond, Mark, Vitals};

catalogue! {
    /// Which alert rule a reading broke.
    Rule {
        SevereHypertension => "Severe hypertension",
        RepeatedHypertension => "Repeated hypertension",
        SustainedTachycardia => "Sustained tachycardia",
        LowSpo2 => "Low SpO2",
        PastPlan => "Infusion past its plan",
        HardLimit => "Infusion at the hard limit",
    }
}

/// How far apart two readings one rule relates may be: no rule looks further than an hour.
pub const RULE_REACH_MINUTES: i64 = 60;

/// The thresholds, a clinic setting. Windows longer than `RULE_REACH_MINUTES` are not looked at;
/// `Settings::sanitised` keeps them within it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    pub high_sbp: i64,
    pub high_dbp: i64,
    /// Two high readings within this many minutes raise an alert.
    pub high_bp_window_min: i64,
    pub severe_sbp: i64,
    pub severe_dbp: i64,
    pub high_hr: i64,
    /// HR above `high_hr` for this many minutes raises an alert.
    pub high_hr_sustained_min: i64,
    pub low_spo2: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            high_sbp: 180,
            high_dbp: 110,
            high_bp_window_min: 5,
            severe_sbp: 200,
            severe_dbp: 120,
            high_hr: 120,
            high_hr_sustained_min: 5,
            low_spo2: 92,
        }
    }
}

/// An alert a reading raised, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub rule: Rule,
    pub vitals_id: i64,
    pub message: String,
}

/// A stored alert, as the session screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: i64,
    pub rule: Rule,
    /// The reading that raised it; none for an alert on the infusion itself.
    pub vitals_id: Option<i64>,
    pub message: String,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRef {
    pub alert_id: i64,
}

/// Marks each reading's values beyond the clinic's alert thresholds, and the baseline's BP above
/// the protocol's hold (`baseline_hold`: the baseline's id and the hold), so the flowsheet says so
/// in a word as well as in colour.
pub fn mark_beyond(series: &mut [Vitals], t: &Thresholds, baseline_hold: Option<(i64, i64, i64)>) {
    let mark = |word, why: String| Some(Mark { word, why });
    for v in series {
        let above_hold = baseline_hold.filter(|&(id, sbp, dbp)| id == v.id && (v.sbp > sbp || v.dbp > dbp));
        v.beyond = Beyond {
            bp: if v.sbp > t.severe_sbp || v.dbp > t.severe_dbp {
                mark("very high", format!("above {}/{}", t.severe_sbp, t.severe_dbp))
            } else if v.sbp > t.high_sbp || v.dbp > t.high_dbp {
                mark("high", format!("above {}/{}", t.high_sbp, t.high_dbp))
            } else {
                above_hold.and_then(|(_, sbp, dbp)| {
                    mark("above hold", format!("the baseline is above the hold of {sbp}/{dbp}"))
                })
            },
            hr: if v.hr > t.high_hr {
                mark("high", format!("above {}", t.high_hr))
            } else {
                None
            },
            spo2: if v.spo2 < t.low_spo2 {
                mark("low", format!("below {}%", t.low_spo2))
            } else {
                None
            },
        };
    }
}

/// Every alert the series raises, in clinical-time order. `series` must be in clinical-time order.
pub fn evaluate(series: &[Vitals], t: &Thresholds) -> Vec<Found> {
    let time = |v: &Vitals| crate::domain::clock::hm(v.clinical_time);
    let high_bp = |v: &Vitals| v.sbp > t.high_sbp || v.dbp > t.high_dbp;
    let fast = |v: &Vitals| v.hr > t.high_hr;
    let mut found = Vec::new();
    for (i, v) in series.iter().enumerate() {
        let earlier = &series[..i];
        if v.sbp > t.severe_sbp || v.dbp > t.severe_dbp {
            found.push(Found {
                rule: Rule::SevereHypertension,
                vitals_id: v.id,
                message: format!(
                    "BP {}/{} at {} is above {}/{}.",
                    v.sbp,
                    v.dbp,
                    time(v),
                    t.severe_sbp,
                    t.severe_dbp
                ),
            });
        } else if high_bp(v) {
            let window = Duration::minutes(t.high_bp_window_min);
            if let Some(previous) = earlier
                .iter()
                .rev()
                .find(|p| high_bp(p) && v.clinical_time - p.clinical_time <= window)
            {
                found.push(Found {
                    rule: Rule::RepeatedHypertension,
                    vitals_id: v.id,
                    message: format!(
                        "BP above {}/{} twice within {} min: {}/{} at {} and {}/{} at {}.",
                        t.high_sbp,
                        t.high_dbp,
                        t.high_bp_window_min,
                        previous.sbp,
                        previous.dbp,
                        time(previous),
                        v.sbp,
                        v.dbp,
                        time(v)
                    ),
                });
            }
        }
        if fast(v) {
            // The start of the unbroken run of fast readings that ends here.
            let run_start = earlier.iter().rev().take_while(|p| fast(p)).last().unwrap_or(v);
            if v.clinical_time - run_start.clinical_time >= Duration::minutes(t.high_hr_sustained_min) {
                found.push(Found {
                    rule: Rule::SustainedTachycardia,
                    vitals_id: v.id,
                    message: format!(
                        "HR above {} since {} ({} now, at {}).",
                        t.high_hr,
                        time(run_start),
                        v.hr,
                        time(v)
                    ),
                });
            }
        }
        if v.spo2 < t.low_spo2 {
            found.push(Found {
                rule: Rule::LowSpo2,
                vitals_id: v.id,
                message: format!("SpO2 {}% at {} is below {}%.", v.spo2, time(v), t.low_spo2),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(id: i64, minute: i64, sbp: i64, dbp: i64, hr: i64, spo2: i64) -> Vitals {
        let at = crate::domain::test_day::at(10, 0) + Duration::minutes(minute);
        Vitals {
            id,
            session_id: 1,
            clinical_time: at,
            recorded_at: at,
            sbp,
            dbp,
            map: crate::domain::vitals::mean_arterial_pressure(sbp, dbp),
            hr,
            spo2,
            rr: 14,
            temp_c: None,
            etco2: None,
            entered_by: "Nina Park".into(),
            corrected: false,
            dissociation: None,
            moaas: None,
            late: false,
            beyond: Beyond::default(),
        }
    }

    #[test]
    fn readings_beyond_the_thresholds_and_a_baseline_above_the_hold_are_marked_in_words() {
        let mut series = vec![
            reading(1, 0, 150, 95, 80, 98),
            reading(2, 5, 185, 100, 125, 91),
            reading(3, 10, 210, 100, 80, 98),
            reading(4, 15, 128, 80, 80, 98),
        ];
        mark_beyond(&mut series, &Thresholds::default(), Some((1, 140, 90)));
        fn word(m: &Option<Mark>) -> Option<(&str, &str)> {
            m.as_ref().map(|m| (m.word, m.why.as_str()))
        }
        assert_eq!(
            word(&series[0].beyond.bp),
            Some(("above hold", "the baseline is above the hold of 140/90"))
        );
        assert_eq!(word(&series[1].beyond.bp), Some(("high", "above 180/110")));
        assert_eq!(word(&series[1].beyond.hr), Some(("high", "above 120")));
        assert_eq!(word(&series[1].beyond.spo2), Some(("low", "below 92%")));
        assert_eq!(word(&series[2].beyond.bp), Some(("very high", "above 200/120")));
        assert!(series[3].beyond.is_empty(), "128/80 is not marked");
    }

    fn rules(series: &[Vitals]) -> Vec<(Rule, i64)> {
        evaluate(series, &Thresholds::default())
            .into_iter()
            .map(|f| (f.rule, f.vitals_id))
            .collect()
    }

    #[test]
    fn each_rule_fires_exactly_where_the_reference_says() {
        use Rule::*;
        type Case = (&'static str, Vec<Vitals>, Vec<(Rule, i64)>);
        let cases: Vec<Case> = vec![
            (
                "normal readings",
                vec![reading(1, 0, 128, 82, 76, 98), reading(2, 10, 140, 90, 80, 97)],
                vec![],
            ),
            (
                "one high BP is not yet an alert",
                vec![reading(1, 0, 185, 100, 80, 98)],
                vec![],
            ),
            (
                "high BP twice within 5 min",
                vec![reading(1, 0, 185, 100, 80, 98), reading(2, 4, 182, 112, 80, 98)],
                vec![(RepeatedHypertension, 2)],
            ),
            (
                "high BP exactly 5 min apart",
                vec![reading(1, 0, 185, 100, 80, 98), reading(2, 5, 182, 100, 80, 98)],
                vec![(RepeatedHypertension, 2)],
            ),
            (
                "high BP 6 min apart",
                vec![reading(1, 0, 185, 100, 80, 98), reading(2, 6, 182, 100, 80, 98)],
                vec![],
            ),
            (
                "DBP alone above 110 twice",
                vec![reading(1, 0, 170, 112, 80, 98), reading(2, 3, 170, 115, 80, 98)],
                vec![(RepeatedHypertension, 2)],
            ),
            (
                "exactly 180/110 is not above",
                vec![reading(1, 0, 180, 110, 80, 98), reading(2, 2, 180, 110, 80, 98)],
                vec![],
            ),
            (
                "severe BP once",
                vec![reading(1, 0, 205, 100, 80, 98)],
                vec![(SevereHypertension, 1)],
            ),
            (
                "severe DBP once",
                vec![reading(1, 0, 190, 121, 80, 98)],
                vec![(SevereHypertension, 1)],
            ),
            (
                "HR above 120 for 5 min",
                vec![
                    reading(1, 0, 130, 80, 125, 98),
                    reading(2, 3, 130, 80, 130, 98),
                    reading(3, 5, 130, 80, 122, 98),
                ],
                vec![(SustainedTachycardia, 3)],
            ),
            (
                "HR above 120 broken by a normal reading",
                vec![
                    reading(1, 0, 130, 80, 125, 98),
                    reading(2, 3, 130, 80, 100, 98),
                    reading(3, 5, 130, 80, 125, 98),
                ],
                vec![],
            ),
            (
                "HR above 120 for 4 min",
                vec![reading(1, 0, 130, 80, 125, 98), reading(2, 4, 130, 80, 125, 98)],
                vec![],
            ),
            ("SpO2 91", vec![reading(1, 0, 130, 80, 80, 91)], vec![(LowSpo2, 1)]),
            ("SpO2 92 is not below", vec![reading(1, 0, 130, 80, 80, 92)], vec![]),
        ];
        for (what, series, expected) in cases {
            assert_eq!(rules(&series), expected, "{what}");
        }
    }

    #[test]
    fn messages_say_what_and_when() {
        let found = evaluate(
            &[reading(1, 0, 185, 100, 80, 98), reading(2, 4, 182, 112, 80, 90)],
            &Thresholds::default(),
        );
        assert_eq!(
            found[0].message,
            "BP above 180/110 twice within 5 min: 185/100 at 10:00 and 182/112 at 10:04."
        );
        assert_eq!(found[1].message, "SpO2 90% at 10:04 is below 92%.");
    }
}

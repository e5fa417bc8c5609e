//! Outcome scales of measurement-based care, item by item with totals computed here, and a
//! patient's course on each scale: change from the series baseline, response (at least a 50 % drop)
//! and remission (below the scale's remission line).

use chrono::{DateTime, Duration, Local, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::catalogue;
use crate::domain::clock::FUTURE_TOLERANCE;
use crate::domain::validate::{clinic_date, Checker};
use crate::domain::vitals::check_clinical_time;
use crate::error::{Error, Result};

catalogue! {
    Scale { Phq9 => "PHQ-9", Gad7 => "GAD-7", Pcl5 => "PCL-5", Madrs => "MADRS", PainNrs => "Pain NRS" }
}

catalogue! {
    Timepoint { PreInfusion => "Before the infusion", After24h => "24 hours after", After1Week => "1 week after" }
}

/// A response is at least this fraction drop from the series baseline.
const RESPONSE_DROP: f64 = 0.5;

/// One scale's items (short wording, as the form shows them), item range and remission line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleSpec {
    pub scale: Scale,
    pub label: &'static str,
    pub items: &'static [&'static str],
    pub item_max: i64,
    pub total_max: i64,
    /// A total below this is remission; none for scales without a remission line.
    pub remission_below: Option<i64>,
}

const PHQ9: &[&str] = &[
    "Little interest or pleasure in doing things",
    "Feeling down, depressed or hopeless",
    "Trouble with sleep (too little or too much)",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself",
    "Trouble concentrating",
    "Moving or speaking slowly, or being restless",
    "Thoughts of being better off dead or of self-harm",
];
const GAD7: &[&str] = &[
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
];
const PCL5: &[&str] = &[
    "Repeated disturbing memories of the event",
    "Repeated disturbing dreams",
    "Feeling as if the event were happening again",
    "Feeling very upset when reminded",
    "Strong physical reactions when reminded",
    "Avoiding memories, thoughts or feelings",
    "Avoiding external reminders",
    "Trouble remembering important parts",
    "Strong negative beliefs about self, others or the world",
    "Blaming self or others",
    "Strong negative feelings (fear, horror, anger, guilt, shame)",
    "Loss of interest in activities",
    "Feeling distant or cut off from others",
    "Trouble experiencing positive feelings",
    "Irritable behaviour or angry outbursts",
    "Taking too many risks",
    "Being superalert, watchful or on guard",
    "Feeling jumpy or easily startled",
    "Difficulty concentrating",
    "Trouble falling or staying asleep",
];
const MADRS: &[&str] = &[
    "Apparent sadness",
    "Reported sadness",
    "Inner tension",
    "Reduced sleep",
    "Reduced appetite",
    "Concentration difficulties",
    "Lassitude",
    "Inability to feel",
    "Pessimistic thoughts",
    "Suicidal thoughts",
];
const PAIN: &[&str] = &["Pain now (0 none – 10 worst imaginable)"];

impl Scale {
    pub fn spec(self) -> ScaleSpec {
        let (items, item_max, remission_below) = match self {
            Scale::Phq9 => (PHQ9, 3, Some(5)),
            Scale::Gad7 => (GAD7, 3, Some(5)),
            Scale::Pcl5 => (PCL5, 4, Some(31)),
            Scale::Madrs => (MADRS, 6, Some(11)),
            Scale::PainNrs => (PAIN, 10, None),
        };
        ScaleSpec {
            scale: self,
            label: self.label(),
            items,
            item_max,
            total_max: items.len() as i64 * item_max,
            remission_below,
        }
    }

    /// The severity band of a total, in the scale's usual words.
    pub fn severity(self, total: i64) -> &'static str {
        match self {
            Scale::Phq9 => match total {
                0..=4 => "minimal",
                5..=9 => "mild",
                10..=14 => "moderate",
                15..=19 => "moderately severe",
                _ => "severe",
            },
            Scale::Gad7 => match total {
                0..=4 => "minimal",
                5..=9 => "mild",
                10..=14 => "moderate (clinically significant)",
                _ => "severe (clinically significant)",
            },
            Scale::Pcl5 if total >= 31 => "probable PTSD",
            Scale::Pcl5 => "below the probable-PTSD range",
            Scale::Madrs => match total {
                0..=10 => "remission range",
                11..=19 => "mild",
                20..=34 => "moderate",
                _ => "severe",
            },
            Scale::PainNrs => match total {
                0 => "no pain",
                1..=3 => "mild",
                4..=6 => "moderate",
                _ => "severe",
            },
        }
    }
}

/// What the outcome form sends: one scale at one timepoint, every item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub session_id: i64,
    pub scale: Option<Scale>,
    pub timepoint: Option<Timepoint>,
    pub clinical_time: Option<String>,
    #[serde(default)]
    pub items: Vec<Option<f64>>,
}

/// A validated score, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutcome {
    pub session_id: i64,
    pub scale: Scale,
    pub timepoint: Timepoint,
    pub clinical_time: DateTime<Utc>,
    pub items: Vec<i64>,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeScore {
    pub id: i64,
    pub session_id: i64,
    pub session_date: NaiveDate,
    pub scale: Scale,
    pub timepoint: Timepoint,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub items: Vec<i64>,
    pub total: i64,
    pub severity: &'static str,
    /// PHQ-9 item 9 above 0: a safety question to act on now.
    pub warning: Option<String>,
    pub entered_by: String,
}

impl OutcomeInput {
    /// Checks every item against the scale. A before-infusion score is timed after the patient's
    /// arrival; a 24-hour or 1-week score at most 30 days after the session's date, never in the future.
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewOutcome> {
        let (Some(scale), Some(timepoint)) = (self.scale, self.timepoint) else {
            return Err(Error::Validation(
                "Choose the scale and when it was taken (before the infusion, 24 hours or 1 week after).".into(),
            ));
        };
        let mut c = Checker::new();
        let clinical_time = match timepoint {
            Timepoint::PreInfusion => check_clinical_time(&mut c, self.clinical_time, arrived, now),
            _ => check_follow_up_time(&mut c, self.clinical_time, arrived, now),
        };
        let spec = scale.spec();
        if self.items.len() != spec.items.len() {
            c.problem(format!(
                "{} has {} items; {} were sent.",
                spec.label,
                spec.items.len(),
                self.items.len()
            ));
        }
        let mut items = Vec::new();
        for (i, value) in self.items.iter().enumerate().take(spec.items.len()) {
            let name = if spec.items.len() == 1 {
                spec.label.to_string()
            } else {
                format!("{} item {}", spec.label, i + 1)
            };
            match value {
                None => c.problem(format!("{name} is required (0–{}).", spec.item_max)),
                Some(v) if v.fract() != 0.0 || *v < 0.0 || *v > spec.item_max as f64 => c.problem(format!(
                    "{name} must be a whole number from 0 to {}; {} was entered.",
                    spec.item_max,
                    crate::domain::validate::fmt_num(*v)
                )),
                Some(v) => items.push(*v as i64),
            }
        }
        c.finish()?;
        Ok(NewOutcome {
            session_id: self.session_id,
            scale,
            timepoint,
            clinical_time: clinical_time.expect("checked"),
            total: items.iter().sum(),
            items,
        })
    }
}

/// Longest time after a session that a follow-up score may still be attached to it.
const FOLLOW_UP_DAYS: i64 = 30;

fn check_follow_up_time(
    c: &mut Checker,
    text: Option<String>,
    arrived: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let session_date = clinic_date(arrived);
    let t = c.timestamp(text, "Time taken", "a date and time like 2026-11-23 10:40")?;
    let (t, day) = (t.with_timezone(&Utc), t.with_timezone(&Local).date_naive());
    if t > now + FUTURE_TOLERANCE {
        c.problem("Time taken cannot be in the future.");
    } else if day < session_date || day > session_date + Duration::days(FOLLOW_UP_DAYS) {
        c.problem(format!(
            "Time taken must be between the session's date, {session_date}, and {FOLLOW_UP_DAYS} days after it."
        ));
    } else {
        return Some(t);
    }
    None
}

/// PHQ-9 item 9 (self-harm) above 0 is a safety question for the clinician now.
pub fn warning(scale: Scale, items: &[i64]) -> Option<String> {
    match (scale, items.get(8)) {
        (Scale::Phq9, Some(&v)) if v > 0 => Some(format!(
            "PHQ-9 item 9 (thoughts of self-harm) scored {v}: tell the physician and follow the clinic's safety plan now."
        )),
        _ => None,
    }
}

/// A patient's course on one scale across their series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub scale: Scale,
    pub label: &'static str,
    /// Every score, oldest first.
    pub points: Vec<OutcomeScore>,
    /// The first before-infusion score of the series.
    pub baseline: Option<i64>,
    pub latest: i64,
    /// Change from baseline in percent (negative is better), if there is a baseline above 0.
    pub change_percent: Option<f64>,
    pub response: bool,
    pub remission: bool,
    /// The status in words, e.g. "PHQ-9 18 → 7 (−61 %): response; not in remission (below 5)."
    pub status: String,
}

/// One trend per scale the patient has scores on, in catalogue order. `scores` in any order.
pub fn trends(scores: &[OutcomeScore]) -> Vec<Trend> {
    Scale::ALL
        .iter()
        .filter_map(|&scale| {
            let mut points: Vec<OutcomeScore> = scores.iter().filter(|s| s.scale == scale).cloned().collect();
            points.sort_by_key(|s| (s.clinical_time, s.id));
            let latest = points.last()?.total;
            let baseline = points
                .iter()
                .find(|s| s.timepoint == Timepoint::PreInfusion)
                .map(|s| s.total);
            Some(trend(scale, points, baseline, latest))
        })
        .collect()
}

fn trend(scale: Scale, points: Vec<OutcomeScore>, baseline: Option<i64>, latest: i64) -> Trend {
    let spec = scale.spec();
    let change_percent = baseline
        .filter(|&b| b > 0)
        .map(|b| ((latest - b) as f64 / b as f64 * 1000.0).round() / 10.0);
    let response = change_percent.is_some_and(|c| c <= -RESPONSE_DROP * 100.0) && points.len() > 1;
    let remission = spec.remission_below.is_some_and(|line| latest < line) && points.len() > 1;
    let mut status = match (baseline, change_percent) {
        (Some(b), Some(c)) if points.len() > 1 => format!("{} {b} → {latest} ({c:+} %): ", spec.label),
        _ => format!("{} {latest}: ", spec.label),
    };
    status += match (points.len() > 1 && baseline.is_some(), response) {
        (false, _) => "baseline only, no change to judge yet",
        (true, true) => "response (at least a 50 % drop)",
        (true, false) => "no response yet (less than a 50 % drop)",
    };
    if let (Some(line), true) = (spec.remission_below, points.len() > 1) {
        status += &if remission {
            format!("; in remission (below {line})")
        } else {
            format!("; not in remission (remission is below {line})")
        };
    }
    status.push('.');
    Trend {
        scale,
        label: spec.label,
        points,
        baseline,
        latest,
        change_percent,
        response,
        remission,
        status,
    }
}

/// The protocol's scales not yet scored before this infusion.
pub fn scales_due(protocol_scales: &[Scale], scored: &[OutcomeScore]) -> Vec<Scale> {
    protocol_scales
        .iter()
        .filter(|&&scale| {
            !scored
                .iter()
                .any(|o| o.scale == scale && o.timepoint == Timepoint::PreInfusion)
        })
        .copied()
        .collect()
}

/// Starting with scales `due` untaken needs the nurse's confirmation (`confirmed`); with it, the
/// scales' names to keep on the start ("PHQ-9 and GAD-7"); none when nothing was due.
pub fn skip_due_scales(due: &[Scale], confirmed: bool) -> Result<Option<String>> {
    if due.is_empty() {
        return Ok(None);
    }
    let names = due.iter().map(|s| s.label()).collect::<Vec<_>>().join(" and ");
    if confirmed {
        return Ok(Some(names));
    }
    let (are, them) = if due.len() == 1 { ("is", "it") } else { ("are", "them") };
    Err(Error::Validation(format!(
        "{names} {are} due before the infusion and not taken. Take {them}, or confirm starting without {them}."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_day::{at, on};

    fn now() -> DateTime<Utc> {
        at(10, 45)
    }

    fn arrived() -> DateTime<Utc> {
        at(8, 0)
    }

    fn input(scale: Scale, items: &[f64]) -> OutcomeInput {
        OutcomeInput {
            session_id: 1,
            scale: Some(scale),
            timepoint: Some(Timepoint::PreInfusion),
            clinical_time: Some(at(9, 0).to_rfc3339()),
            items: items.iter().map(|&v| Some(v)).collect(),
        }
    }

    #[test]
    fn totals_are_the_sum_of_the_items_for_every_scale() {
        let cases: &[(Scale, &[f64], i64, &str)] = &[
            (
                Scale::Phq9,
                &[3.0, 3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 0.0],
                17,
                "moderately severe",
            ),
            (Scale::Phq9, &[0.0; 9], 0, "minimal"),
            (
                Scale::Gad7,
                &[2.0, 2.0, 1.0, 2.0, 1.0, 1.0, 1.0],
                10,
                "moderate (clinically significant)",
            ),
            (Scale::Pcl5, &[2.0; 20], 40, "probable PTSD"),
            (Scale::Madrs, &[6.0; 10], 60, "severe"),
            (Scale::PainNrs, &[4.0], 4, "moderate"),
        ];
        for &(scale, items, total, severity) in cases {
            let score = input(scale, items).validate(arrived(), now()).unwrap();
            assert_eq!(score.total, total, "{scale:?}");
            assert_eq!(scale.severity(score.total), severity, "{scale:?}");
        }
    }

    #[test]
    fn each_bad_item_is_named_with_its_range() {
        let cases: Vec<(OutcomeInput, &str)> = vec![
            (input(Scale::Phq9, &[0.0; 8]), "PHQ-9 has 9 items; 8 were sent."),
            (
                input(Scale::Gad7, &[0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 1.5]),
                "GAD-7 item 2 must be a whole number from 0 to 3; 4 was entered. GAD-7 item 7 must be a whole number from 0 to 3; 1.5 was entered.",
            ),
            (input(Scale::PainNrs, &[11.0]), "Pain NRS must be a whole number from 0 to 10; 11 was entered."),
            (
                OutcomeInput { items: vec![None; 20], ..input(Scale::Pcl5, &[]) },
                "PCL-5 item 1 is required (0–4).",
            ),
        ];
        for (input, expected) in cases {
            let message = input.validate(arrived(), now()).unwrap_err().to_string();
            assert!(message.starts_with(expected.trim_end()), "{message}");
        }
    }

    #[test]
    fn a_follow_up_score_may_come_days_later_but_not_from_the_future() {
        let follow_up = |day: u32| OutcomeInput {
            timepoint: Some(Timepoint::After1Week),
            clinical_time: Some(on(day, 9, 0).to_rfc3339()),
            ..input(Scale::Phq9, &[1.0; 9])
        };
        let later = on(29, 12, 0);
        assert!(follow_up(29).validate(arrived(), later).is_ok());
        assert_eq!(
            follow_up(29).validate(arrived(), now()).unwrap_err().to_string(),
            "Time taken cannot be in the future."
        );
        assert_eq!(
            follow_up(21).validate(arrived(), later).unwrap_err().to_string(),
            "Time taken must be between the session's date, 2026-11-22, and 30 days after it."
        );
    }

    fn score(id: i64, scale: Scale, timepoint: Timepoint, day: u32, total: i64) -> OutcomeScore {
        OutcomeScore {
            id,
            session_id: id,
            session_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            scale,
            timepoint,
            clinical_time: on(day, 9, 0),
            recorded_at: now(),
            items: vec![],
            total,
            severity: scale.severity(total),
            warning: None,
            entered_by: "Nina".into(),
        }
    }

    #[test]
    fn response_is_a_half_drop_from_the_series_baseline_and_remission_is_below_the_line() {
        use Timepoint::*;
        // (scores, response, remission, status)
        let cases: Vec<(Vec<OutcomeScore>, bool, bool, &str)> = vec![
            (vec![score(1, Scale::Phq9, PreInfusion, 1, 18)], false, false, "PHQ-9 18: baseline only, no change to judge yet."),
            (
                vec![score(2, Scale::Phq9, After24h, 2, 9), score(1, Scale::Phq9, PreInfusion, 1, 18)],
                true,
                false,
                "PHQ-9 18 → 9 (-50 %): response (at least a 50 % drop); not in remission (remission is below 5).",
            ),
            (
                vec![score(1, Scale::Phq9, PreInfusion, 1, 18), score(2, Scale::Phq9, PreInfusion, 8, 10)],
                false,
                false,
                "PHQ-9 18 → 10 (-44.4 %): no response yet (less than a 50 % drop); not in remission (remission is below 5).",
            ),
            (
                vec![score(1, Scale::Phq9, PreInfusion, 1, 18), score(2, Scale::Phq9, After1Week, 15, 4)],
                true,
                true,
                "PHQ-9 18 → 4 (-77.8 %): response (at least a 50 % drop); in remission (below 5).",
            ),
            (
                vec![score(1, Scale::PainNrs, PreInfusion, 1, 8), score(2, Scale::PainNrs, After24h, 2, 3)],
                true,
                false,
                "Pain NRS 8 → 3 (-62.5 %): response (at least a 50 % drop).",
            ),
        ];
        for (scores, response, remission, status) in cases {
            let t = &trends(&scores)[0];
            assert_eq!(
                (t.response, t.remission, t.status.as_str()),
                (response, remission, status)
            );
            assert!(t.points.windows(2).all(|w| w[0].clinical_time <= w[1].clinical_time));
        }
    }

    #[test]
    fn phq9_item_9_above_zero_raises_a_safety_warning() {
        assert!(warning(Scale::Phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 1])
            .unwrap()
            .contains("item 9"));
        assert_eq!(warning(Scale::Phq9, &[3, 3, 3, 3, 3, 3, 3, 3, 0]), None);
        assert_eq!(warning(Scale::Gad7, &[3; 7]), None);
    }

    #[test]
    fn timepoint_names_match_the_database_check() {
        let names: Vec<String> = Timepoint::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["pre_infusion", "after24h", "after1_week"]);
    }
}

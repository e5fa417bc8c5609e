//! Infusion events and what they add up to: whether the pump is running, at what rate, for how
//! long, and how many mg have gone in. Events follow the pump's states (start → pause ⇄ resume →
//! stop; rate changes and boluses while running); an event out of order is refused with the reason.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::alerts::Rule;
use crate::domain::catalogue::catalogue;
use crate::domain::protocols::{DosePlan, Protocol};
use crate::domain::users::User;
use crate::domain::validate::{fmt_num, round, Checker, Range};
use crate::domain::vitals::Vitals;
use crate::error::{Error, Result};

/// The longest reason a physician gives to start over a baseline BP hold.
pub const MAX_HOLD_OVERRIDE_CHARS: usize = 500;

const RATE: Range = Range::new("Rate", "mL/h", 0.1, 1000.0);
const BOLUS: Range = Range::new("Bolus", "mg", 0.1, 200.0);

catalogue! {
    /// What the pump did; the label is how messages and reports name it.
    EventKind {
        Start => "start",
        RateChange => "rate change",
        Pause => "pause",
        Resume => "resume",
        Bolus => "bolus",
        Stop => "stop",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PumpState {
    NotStarted,
    Running,
    Paused,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfusionEvent {
    pub id: i64,
    pub session_id: i64,
    pub kind: EventKind,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub rate_ml_per_h: Option<f64>,
    pub bolus_mg: Option<f64>,
    pub entered_by: String,
    /// A start over a baseline BP hold: the physician's reason.
    pub hold_override: Option<String>,
    /// A start: the reading its hold was judged on (none for starts charted before this was kept).
    pub baseline_vitals_id: Option<i64>,
    /// A start the nurse confirmed without the outcome scales due before it: which ones.
    pub scales_not_taken: Option<String>,
    /// Saved long after it happened (the clinic's late-entry setting); set when read.
    pub late: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub session_id: i64,
    pub kind: EventKind,
    /// RFC 3339 with offset.
    pub clinical_time: Option<String>,
    pub rate_ml_per_h: Option<f64>,
    pub bolus_mg: Option<f64>,
    /// A physician's reason to start despite a baseline BP hold.
    pub hold_override: Option<String>,
    /// The nurse confirms starting although outcome scales due before the infusion are not taken.
    #[serde(default)]
    pub start_without_scales: bool,
}

/// A checked event, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub session_id: i64,
    pub kind: EventKind,
    pub clinical_time: DateTime<Utc>,
    pub rate_ml_per_h: Option<f64>,
    pub bolus_mg: Option<f64>,
    pub hold_override: Option<String>,
    pub baseline_vitals_id: Option<i64>,
    pub scales_not_taken: Option<String>,
}

/// The pump as the events describe it at `now`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Infusion {
    pub state: PumpState,
    pub started_at: Option<DateTime<Utc>>,
    /// When it was stopped, once it is.
    pub stopped_at: Option<DateTime<Utc>>,
    /// Minutes from start to stop (or to now while not stopped).
    pub elapsed_min: i64,
    /// Minutes actually running (pauses excluded).
    pub running_min: f64,
    pub rate_ml_per_h: Option<f64>,
    pub mg_given: f64,
    pub ml_given: f64,
    /// `ml_given` before rounding, to time the planned end to the second.
    #[serde(skip)]
    pub ml_exact: f64,
}

impl InfusionEvent {
    /// A checked event as it will read once stored (its id not yet known), to replay with the
    /// events before it.
    pub fn charted(e: &NewEvent, by: &User, now: DateTime<Utc>) -> InfusionEvent {
        InfusionEvent {
            id: 0,
            session_id: e.session_id,
            kind: e.kind,
            clinical_time: e.clinical_time,
            recorded_at: now,
            rate_ml_per_h: e.rate_ml_per_h,
            bolus_mg: e.bolus_mg,
            entered_by: by.display_name.clone(),
            hold_override: e.hold_override.clone(),
            baseline_vitals_id: e.baseline_vitals_id,
            scales_not_taken: e.scales_not_taken.clone(),
            late: false,
        }
    }
}

impl Infusion {
    /// Running or paused: not yet stopped, so the session may be neither signed nor discharged.
    pub fn in_progress(&self) -> bool {
        matches!(self.state, PumpState::Running | PumpState::Paused)
    }
}

/// The baseline reading: the last taken before `start` (by clinical time, whenever it was entered).
/// `series` in clinical-time order.
pub fn baseline_before(series: &[Vitals], start: DateTime<Utc>) -> Option<&Vitals> {
    series.iter().rev().find(|v| v.clinical_time <= start)
}

/// The session's one baseline, the same on every screen, report and export: the reading the
/// start was judged on; before the start, the one a start now would be judged on.
pub fn baseline<'a>(series: &'a [Vitals], events: &[InfusionEvent], now: DateTime<Utc>) -> Option<&'a Vitals> {
    match events.iter().find(|e| e.kind == EventKind::Start) {
        Some(start) => match start.baseline_vitals_id {
            Some(id) => series.iter().find(|v| v.id == id),
            None => baseline_before(series, start.clinical_time),
        },
        None => baseline_before(series, now),
    }
}

/// Why the infusion may not start yet: no baseline reading, or the baseline above the protocol's
/// hold threshold (then only a physician may start it, with a reason).
pub fn baseline_hold(baseline: Option<&Vitals>, hold_sbp: i64, hold_dbp: i64) -> Option<String> {
    match baseline {
        None => Some("Chart baseline vitals, taken before the start time, before starting the infusion.".into()),
        Some(v) if v.sbp > hold_sbp || v.dbp > hold_dbp => Some(format!(
            "Baseline BP {}/{} (at {}) is above the hold threshold of {hold_sbp}/{hold_dbp}: a physician must override the hold, with a reason, to start.",
            v.sbp,
            v.dbp,
            crate::domain::clock::hm(v.clinical_time)
        )),
        Some(_) => None,
    }
}

/// The hold on starting this session's infusion, if any: the pre-infusion checklist first, then the
/// baseline vitals (`baseline_hold`).
pub fn start_hold(protocol: Option<&Protocol>, checklist_done: bool, baseline: Option<&Vitals>) -> Option<String> {
    let protocol = protocol?;
    if !checklist_done {
        return Some(
            "Complete the pre-infusion checklist (consent, fasting, escort, vial) before starting the infusion.".into(),
        );
    }
    baseline_hold(baseline, protocol.hold_sbp, protocol.hold_dbp)
}

/// Where a started infusion stands against its plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub planned_mg: f64,
    pub planned_ml: f64,
    /// When the planned volume will have run (or ran) at the current rate; none while paused or
    /// once stopped.
    pub planned_end: Option<DateTime<Utc>>,
    /// The planned volume has run and the stop is not charted: the nurse is prompted to chart it.
    pub stop_due: bool,
    /// The mg past which an alert is raised (the plan plus the protocol's margin), and the hard limit.
    pub alert_above_mg: f64,
    pub hard_limit_mg: f64,
}

/// The infusion against its plan; none before the start.
pub fn progress(pump: &Infusion, plan: &DosePlan, protocol: &Protocol, now: DateTime<Utc>) -> Option<Progress> {
    pump.started_at?;
    let planned_end = match (pump.state, pump.rate_ml_per_h) {
        (PumpState::Running, Some(rate)) if rate > 0.0 => {
            let hours_left = (plan.volume_ml - pump.ml_exact) / rate;
            // To the nearest second: a minute shown must not flip on a millisecond of float.
            Some((now + Duration::milliseconds((hours_left * 3_600_000.0).round() as i64)).round_subsecs(0))
        }
        _ => None,
    };
    Some(Progress {
        planned_mg: plan.total_mg,
        planned_ml: plan.volume_ml,
        planned_end,
        stop_due: pump.in_progress() && pump.ml_exact >= plan.volume_ml,
        alert_above_mg: round(plan.total_mg * (1.0 + protocol.overrun_margin_pct / 100.0), 2),
        hard_limit_mg: round(protocol.hard_limit_mg_per_kg * plan.weight.kg(), 2),
    })
}

/// The alerts an infusion past its plan raises: past the plan by the protocol's margin, and a
/// severe one at the hard limit.
pub fn overrun_alerts(pump: &Infusion, progress: &Progress) -> Vec<(Rule, String)> {
    let given = fmt_num(pump.mg_given);
    let mut found = Vec::new();
    if pump.mg_given > progress.alert_above_mg {
        found.push((
            Rule::PastPlan,
            format!(
                "Infusion past its plan: {given} of {} mg given. Check the pump and chart the stop.",
                fmt_num(progress.planned_mg)
            ),
        ));
    }
    if pump.mg_given >= progress.hard_limit_mg {
        found.push((
            Rule::HardLimit,
            format!(
                "Infusion at the protocol's hard limit: {given} mg given, limit {} mg. Stop the infusion now.",
                fmt_num(progress.hard_limit_mg)
            ),
        ));
    }
    found
}

/// Replays events (in clinical-time order) into the pump's state at `now`.
pub fn summarise(events: &[InfusionEvent], concentration_mg_per_ml: f64, now: DateTime<Utc>) -> Infusion {
    let mut state = PumpState::NotStarted;
    let (mut started_at, mut stopped_at) = (None, None);
    let (mut rate, mut running_since) = (None::<f64>, None::<DateTime<Utc>>);
    let (mut ml, mut running) = (0.0, Duration::zero());
    let mut bolus_mg = 0.0;
    let run_until = |from: DateTime<Utc>, to: DateTime<Utc>, rate: f64, ml: &mut f64, running: &mut Duration| {
        let span = (to - from).max(Duration::zero());
        *running += span;
        *ml += rate * span.num_milliseconds() as f64 / 3_600_000.0;
    };
    for e in events {
        if let (Some(since), Some(r)) = (running_since, rate) {
            if matches!(e.kind, EventKind::RateChange | EventKind::Pause | EventKind::Stop) {
                run_until(since, e.clinical_time, r, &mut ml, &mut running);
                running_since = None;
            }
        }
        match e.kind {
            EventKind::Start => {
                state = PumpState::Running;
                started_at = Some(e.clinical_time);
                rate = e.rate_ml_per_h;
                running_since = Some(e.clinical_time);
            }
            EventKind::RateChange => {
                rate = e.rate_ml_per_h;
                running_since = Some(e.clinical_time);
            }
            EventKind::Pause => state = PumpState::Paused,
            EventKind::Resume => {
                state = PumpState::Running;
                running_since = Some(e.clinical_time);
            }
            EventKind::Bolus => bolus_mg += e.bolus_mg.unwrap_or(0.0),
            EventKind::Stop => {
                state = PumpState::Stopped;
                stopped_at = Some(e.clinical_time);
            }
        }
    }
    if let (Some(since), Some(r)) = (running_since, rate) {
        run_until(since, now, r, &mut ml, &mut running);
    }
    let elapsed_min = started_at
        .map(|s| (stopped_at.unwrap_or(now) - s).num_minutes())
        .unwrap_or(0);
    Infusion {
        state,
        started_at,
        stopped_at,
        elapsed_min,
        running_min: (running.num_seconds() as f64 / 60.0 * 10.0).round() / 10.0,
        rate_ml_per_h: if state == PumpState::Running { rate } else { None },
        mg_given: ((ml * concentration_mg_per_ml + bolus_mg) * 10.0).round() / 10.0,
        ml_given: (ml * 10.0).round() / 10.0,
        ml_exact: ml,
    }
}

impl EventInput {
    /// Checks the event against the pump's state after `earlier` events and the session's limits.
    pub fn validate(self, earlier: &[InfusionEvent], arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewEvent> {
        let mut c = Checker::new();
        let clinical_time = crate::domain::vitals::check_clinical_time(&mut c, self.clinical_time, arrived, now);
        let needs_rate = matches!(self.kind, EventKind::Start | EventKind::RateChange);
        let rate_ml_per_h = if needs_rate {
            c.decimal(self.rate_ml_per_h, RATE, 1)
        } else {
            None
        };
        let bolus_mg = if self.kind == EventKind::Bolus {
            c.decimal(self.bolus_mg, BOLUS, 1)
        } else {
            None
        };
        let hold_override = c
            .optional_text(
                self.hold_override,
                "Reason to override the BP hold",
                MAX_HOLD_OVERRIDE_CHARS,
            )
            .filter(|_| self.kind == EventKind::Start);
        c.finish()?;
        let clinical_time = clinical_time.expect("checked");
        if let Some(last) = earlier.last() {
            if clinical_time < last.clinical_time {
                return Err(Error::Validation(format!(
                    "Event time must not be before the last infusion event ({}, at {}).",
                    last.kind.label(),
                    crate::domain::clock::hm(last.clinical_time)
                )));
            }
        }
        let state = summarise(earlier, 1.0, clinical_time).state;
        use EventKind::*;
        use PumpState::*;
        let allowed = match self.kind {
            Start => state == NotStarted,
            RateChange | Pause | Bolus => state == Running,
            Resume => state == Paused,
            Stop => matches!(state, Running | Paused),
        };
        if !allowed {
            let now_state = match state {
                NotStarted => "has not started",
                Running => "is running",
                Paused => "is paused",
                Stopped => "has stopped",
            };
            return Err(Error::Conflict(format!(
                "The infusion {now_state}, so a {} cannot be charted now.",
                self.kind.label()
            )));
        }
        Ok(NewEvent {
            session_id: self.session_id,
            kind: self.kind,
            clinical_time,
            rate_ml_per_h,
            bolus_mg,
            hold_override,
            baseline_vitals_id: None,
            scales_not_taken: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vitals::Beyond;

    fn vitals_at(minute: i64) -> Vitals {
        Vitals {
            id: minute,
            session_id: 1,
            clinical_time: at(minute),
            recorded_at: at(minute),
            sbp: 120,
            dbp: 80,
            map: 93,
            hr: 70,
            spo2: 98,
            rr: 14,
            temp_c: None,
            etco2: None,
            dissociation: None,
            moaas: None,
            entered_by: "Nina Park".into(),
            corrected: false,
            late: false,
            beyond: Beyond::default(),
        }
    }

    #[test]
    fn vitals_fall_due_by_the_cadence_and_the_forty_minute_check_is_prompted() {
        let running = summarise(&[event(EventKind::Start, 0, Some(54.5), None)], 1.0, at(12));
        let c = cadence(&[vitals_at(-5), vitals_at(8)], &running, 10, 15, at(12));
        assert_eq!(
            (c.next_due, c.overdue, c.forty_minute_check_due),
            (Some(at(18)), false, false)
        );
        assert!(cadence(&[vitals_at(8)], &running, 10, 15, at(19)).overdue);
        let at_41 = summarise(&[event(EventKind::Start, 0, Some(54.5), None)], 1.0, at(41));
        assert!(cadence(&[vitals_at(30)], &at_41, 10, 15, at(41)).forty_minute_check_due);
        assert!(!cadence(&[vitals_at(30), vitals_at(40)], &at_41, 10, 15, at(41)).forty_minute_check_due);
        let stopped = summarise(
            &[
                event(EventKind::Start, 0, Some(54.5), None),
                event(EventKind::Stop, 40, None, None),
            ],
            1.0,
            at(50),
        );
        assert_eq!(
            cadence(&[vitals_at(40)], &stopped, 10, 15, at(50)).next_due,
            Some(at(55)),
            "recovery cadence after the stop"
        );
        let before = summarise(&[], 1.0, at(0));
        assert_eq!(cadence(&[vitals_at(-5)], &before, 10, 15, at(0)).next_due, None);
    }

    fn at(minute: i64) -> DateTime<Utc> {
        crate::domain::test_day::at(10, 0) + Duration::minutes(minute)
    }

    fn event(kind: EventKind, minute: i64, rate: Option<f64>, bolus: Option<f64>) -> InfusionEvent {
        InfusionEvent {
            id: minute,
            session_id: 1,
            kind,
            clinical_time: at(minute),
            recorded_at: at(minute),
            rate_ml_per_h: rate,
            bolus_mg: bolus,
            entered_by: "Nina Park".into(),
            hold_override: None,
            baseline_vitals_id: None,
            scales_not_taken: None,
            late: false,
        }
    }

    #[test]
    fn mg_given_follows_rates_pauses_and_boluses() {
        use EventKind::*;
        let events = vec![
            event(Start, 0, Some(60.0), None), // 1 mL/min
            event(Pause, 10, None, None),      // 10 mL
            event(Resume, 15, None, None),
            event(RateChange, 25, Some(30.0), None), // +10 mL
            event(Bolus, 30, None, Some(5.0)),
            event(Stop, 45, None, None), // +10 mL
        ];
        let s = summarise(&events, 1.0, at(60));
        assert_eq!(
            (s.state, s.ml_given, s.mg_given, s.elapsed_min, s.running_min),
            (PumpState::Stopped, 30.0, 35.0, 45, 40.0)
        );
        let running = summarise(&events[..4], 0.5, at(35));
        assert_eq!(
            (running.state, running.rate_ml_per_h, running.ml_given, running.mg_given),
            (PumpState::Running, Some(30.0), 25.0, 12.5)
        );
        assert_eq!(summarise(&[], 1.0, at(5)).state, PumpState::NotStarted);
    }

    #[test]
    fn events_out_of_the_pumps_order_are_refused() {
        use EventKind::*;
        let started = vec![event(Start, 0, Some(60.0), None)];
        let paused = vec![event(Start, 0, Some(60.0), None), event(Pause, 5, None, None)];
        let check = |earlier: &[InfusionEvent], kind: EventKind, minute: i64, rate: Option<f64>| {
            let input = EventInput {
                session_id: 1,
                kind,
                clinical_time: Some(at(minute).to_rfc3339()),
                rate_ml_per_h: rate,
                bolus_mg: Some(5.0),
                hold_override: None,
                start_without_scales: false,
            };
            input
                .validate(earlier, at(-60), at(60))
                .map(drop)
                .map_err(|e| e.to_string())
        };
        assert_eq!(check(&[], Start, 0, Some(54.5)), Ok(()));
        assert_eq!(
            check(&[], Pause, 0, None),
            Err("The infusion has not started, so a pause cannot be charted now.".into())
        );
        assert_eq!(
            check(&started, Start, 5, Some(54.5)),
            Err("The infusion is running, so a start cannot be charted now.".into())
        );
        assert_eq!(
            check(&started, RateChange, 5, None),
            Err("Rate is required (0.1–1000 mL/h).".into())
        );
        assert_eq!(check(&started, Bolus, 5, None), Ok(()));
        assert_eq!(check(&paused, Resume, 7, None), Ok(()));
        assert_eq!(
            check(&paused, Bolus, 7, None),
            Err("The infusion is paused, so a bolus cannot be charted now.".into())
        );
        assert_eq!(check(&paused, Stop, 7, None), Ok(()));
        assert_eq!(
            check(&paused, Resume, 3, None),
            Err("Event time must not be before the last infusion event (pause, at 10:05).".into())
        );
        assert_eq!(
            check(&started, Stop, 61 + 5, None).unwrap_err(),
            "Clinical time cannot be in the future (it is 11:00 now)."
        );
    }
}

/// When the next vitals are due: the protocol's cadence while the infusion runs (or is paused), the
/// recovery cadence after it stops; and whether the reading near 40 minutes, where BP typically
/// peaks, is still to be taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cadence {
    pub next_due: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Within the window around 40 minutes and no reading yet: take vitals now.
    pub forty_minute_check_due: bool,
    /// The window has passed with no reading taken in it.
    pub forty_minute_check_missed: bool,
}

/// The 40-minute check counts a reading from 35 to 45 minutes after the start.
const FORTY_MINUTE_WINDOW: (i64, i64) = (35, 45);

pub fn cadence(
    series: &[crate::domain::vitals::Vitals],
    pump: &Infusion,
    every_min: i64,
    recovery_every_min: i64,
    now: DateTime<Utc>,
) -> Cadence {
    let every = match pump.state {
        PumpState::NotStarted => {
            return Cadence {
                next_due: None,
                overdue: false,
                forty_minute_check_due: false,
                forty_minute_check_missed: false,
            }
        }
        PumpState::Running | PumpState::Paused => every_min,
        PumpState::Stopped => recovery_every_min,
    };
    let since = series
        .last()
        .map(|v| v.clinical_time)
        .into_iter()
        .chain(pump.started_at)
        .max();
    let next_due = since.map(|t| t + Duration::minutes(every));
    // A stop before the window opens ends the check: it is then neither due nor missed.
    let window = pump.started_at.filter(|start| {
        pump.stopped_at
            .is_none_or(|stop| stop >= *start + Duration::minutes(FORTY_MINUTE_WINDOW.0))
    });
    let (forty_minute_check_due, forty_minute_check_missed) = match window {
        None => (false, false),
        Some(start) => {
            let (from, to) = (
                start + Duration::minutes(FORTY_MINUTE_WINDOW.0),
                start + Duration::minutes(FORTY_MINUTE_WINDOW.1),
            );
            let taken = series.iter().any(|v| v.clinical_time >= from && v.clinical_time <= to);
            (!taken && now >= from && now <= to, !taken && now > to)
        }
    };
    Cadence {
        next_due,
        overdue: next_due.is_some_and(|due| now > due),
        forty_minute_check_due,
        forty_minute_check_missed,
    }
}

//! The series report: a patient's course, one row per session, and each outcome scale over time
//! with its response and remission lines and the status in words.

use super::charts;
use super::layout::{col, Align, Layout, BLACK, BODY_W};
use super::{opt, pdf, Context};
use crate::domain::outcomes::Timepoint;
use crate::domain::sessions::{PatientRecord, SessionRecord};
use crate::domain::validate::fmt_num;

/// The PDF and its page count. `sessions` oldest first.
pub fn series_pdf(patient: &PatientRecord, sessions: &[SessionRecord], ctx: &Context) -> (Vec<u8>, usize) {
    let p = &patient.patient;
    let n = sessions.len();
    pdf(
        ctx,
        p,
        "infusion series",
        &format!("Series report {} {}", p.family_name, p.given_names),
        &format!("Infusion series: {n} {}", if n == 1 { "session" } else { "sessions" }),
        None,
        |l| course(l, patient, sessions),
    )
}

/// One row per session, then each outcome scale's chart.
fn course(l: &mut Layout, patient: &PatientRecord, sessions: &[SessionRecord]) {
    l.table(
        &[
            col("Date", 20.0, Align::Left),
            col("Protocol", 45.0, Align::Left),
            col("mg/kg", 13.0, Align::Right),
            col("mg given", 16.0, Align::Right),
            col("Peak BP", 17.0, Align::Right),
            col("Side effects", 47.0, Align::Left),
            col("Recovery", 22.0, Align::Right),
        ],
        sessions.iter().map(|r| {
            let dose = r.session.dose.as_ref();
            let peak = r
                .vitals
                .iter()
                .max_by_key(|v| (v.sbp, v.dbp))
                .map(|v| format!("{}/{}", v.sbp, v.dbp));
            let effects = r
                .side_effects
                .iter()
                .map(|e| e.label.clone())
                .collect::<Vec<_>>()
                .join(", ");
            // Recovery time runs to "now" until discharge: only a discharged session has one.
            let recovery = r.aftercare.discharge.as_ref().and(r.aftercare.recovery_minutes);
            (
                vec![
                    r.session.session_date.to_string(),
                    opt(dose.map(|d| d.protocol_name.clone())),
                    opt(dose.map(|d| fmt_num(d.plan.dose_mg_per_kg))),
                    fmt_num(r.infusion.mg_given),
                    opt(peak),
                    if effects.is_empty() { "none".into() } else { effects },
                    opt(recovery.map(|m| format!("{m} min"))),
                ],
                !r.alerts.is_empty(),
            )
        }),
    );
    l.paragraph("Rows in red had a vitals alert.", false, BLACK);
    for t in &patient.outcomes {
        l.heading(&format!("{} over the series", t.label));
        l.paragraph(&t.status, true, BLACK);
        let spec = t.scale.spec();
        let points: Vec<(String, f64)> = t
            .points
            .iter()
            .map(|o| {
                (
                    format!("{} {}", o.session_date.format("%m-%d"), short(o.timepoint)),
                    o.total as f64,
                )
            })
            .collect();
        let lines = (
            spec.total_max as f64,
            t.baseline.map(|b| b as f64),
            spec.remission_below.map(|r| r as f64),
        );
        l.figure(62.0, |m, origin, marks| {
            marks.extend(charts::trend(m, origin, (BODY_W, 62.0), &points, lines))
        });
    }
}

/// "pre", "24 h", "1 wk": a timepoint short enough for an axis label.
fn short(timepoint: Timepoint) -> &'static str {
    match timepoint {
        Timepoint::PreInfusion => "pre",
        Timepoint::After24h => "24 h",
        Timepoint::After1Week => "1 wk",
    }
}

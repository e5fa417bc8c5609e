//! The session report: everything charted in one session, as the legal record shows it — late
//! entries marked, overrides with who and why, signatures and addenda in full.

use super::charts::{self, Reading};
use super::layout::{col, Align, Layout, BLACK, BODY_W};
use super::{day_hm, opt, pdf, Context};
use crate::domain::alerts::Thresholds;
use crate::domain::clock::hm as local_hm;
use crate::domain::infusion::PumpState;
use crate::domain::sessions::SessionRecord;
use crate::domain::signing::Signature;
use crate::domain::users::Role;
use crate::domain::validate::fmt_num;

const L: Align = Align::Left;
const R: Align = Align::Right;
/// Height of the vitals chart, in mm.
const CHART_H: f64 = 78.0;

/// The PDF and its page count.
pub fn session_pdf(r: &SessionRecord, thresholds: &Thresholds, ctx: &Context) -> (Vec<u8>, usize) {
    let date = r.session.session_date;
    pdf(
        ctx,
        &r.patient,
        &format!("session {date}"),
        &format!("Session report {date}"),
        &format!("Infusion session report: {date}"),
        Some(&status_line(&r.signatures)),
        |l| {
            summary(l, r);
            preparation(l, r);
            outcomes(l, r);
            timeline(l, r);
            vitals(l, r, thresholds);
            effects(l, r);
            notes(l, r);
            recovery(l, r);
            signatures(l, r);
        },
    )
}

fn status_line(signatures: &[Signature]) -> String {
    let by = |role| signatures.iter().find(|g| g.role == role);
    match (by(Role::Nurse), by(Role::Physician)) {
        (None, _) => "Not signed: this record may still change.".into(),
        (Some(n), None) => format!(
            "Signed by {} at {}; not yet co-signed.",
            n.display_name,
            day_hm(n.signed_at)
        ),
        (Some(n), Some(p)) => format!(
            "Signed by {} at {}; co-signed by {} at {}.",
            n.display_name,
            day_hm(n.signed_at),
            p.display_name,
            day_hm(p.signed_at)
        ),
    }
}

fn summary(l: &mut Layout, r: &SessionRecord) {
    l.heading("Protocol and dose");
    let mut facts = vec![
        ("Session opened", day_hm(r.session.started_at)),
        (
            "Patient arrived",
            match &r.session.arrival_reason {
                Some(reason) => format!("{} (moved back: {reason})", day_hm(r.session.arrived_at)),
                None => day_hm(r.session.arrived_at),
            },
        ),
        ("Chair", opt(r.session.chair.as_ref())),
    ];
    if let Some(d) = &r.session.dose {
        let p = &d.plan;
        facts.push(("Protocol", d.protocol_name.clone()));
        facts.push(("Weight", p.weight.label()));
        facts.push(("Dose arithmetic", p.arithmetic.join("\n")));
        if let Some(reason) = &d.override_reason {
            facts.push((
                "Above soft limit",
                format!("confirmed by {}: {reason}", opt(d.override_by.as_ref())),
            ));
        }
    }
    let i = &r.infusion;
    facts.push((
        "Total given",
        format!("{} mg ({} mL)", fmt_num(i.mg_given), fmt_num(i.ml_given)),
    ));
    let start = i.started_at.map(local_hm);
    let stop = i.stopped_at.map(local_hm);
    facts.push((
        "Infusion",
        match i.state {
            PumpState::NotStarted => "not started".into(),
            _ => format!(
                "start {}, stop {}, {} min from start ({} min running)",
                opt(start),
                opt(stop),
                i.elapsed_min,
                fmt_num(i.running_min)
            ),
        },
    ));
    l.facts(&facts);
}

fn preparation(l: &mut Layout, r: &SessionRecord) {
    l.heading("Before the infusion");
    let mut facts = Vec::new();
    match &r.checklist {
        Some(c) => {
            facts.push(("Vial", format!("lot {}, expires {}", c.vial_lot, c.vial_expiry)));
            facts.push((
                "Checklist",
                format!(
                    "consent on file, fasting confirmed, escort confirmed ({}), medication changes reviewed; pregnancy: {}",
                    c.escort_name,
                    c.pregnancy.label().to_lowercase()
                ),
            ));
            facts.push(("IV", format!("{}, {} G", c.iv_site, c.iv_gauge)));
            facts.push((
                "Checklist completed",
                format!(
                    "{}; recorded by {} at {}",
                    local_hm(c.completed_at),
                    c.entered_by,
                    local_hm(c.recorded_at)
                ),
            ));
        }
        None => facts.push(("Checklist", "not recorded".into())),
    }
    if let Some(b) = &r.baseline {
        facts.push((
            "Baseline",
            format!(
                "{}/{} (MAP {}), HR {}, SpO2 {}%, RR {} at {}",
                b.sbp,
                b.dbp,
                b.map,
                b.hr,
                b.spo2,
                b.rr,
                local_hm(b.clinical_time)
            ),
        ));
    }
    if let Some(scales) = r.events.iter().find_map(|e| e.scales_not_taken.as_ref()) {
        facts.push((
            "Started without",
            format!("{scales} (due before the infusion; confirmed by the nurse)"),
        ));
    }
    if let Some(e) = r.events.iter().find(|e| e.hold_override.is_some()) {
        facts.push((
            "BP hold overridden",
            format!(
                "by {} at {}: {}",
                e.entered_by,
                local_hm(e.recorded_at),
                opt(e.hold_override.as_ref())
            ),
        ));
    }
    for w in &r.wastes {
        facts.push((
            "Waste",
            format!(
                "{} mg at {}, witnessed by {}, recorded by {}{}",
                fmt_num(w.amount_mg),
                local_hm(w.clinical_time),
                w.witness,
                w.entered_by,
                late(w.late, w.recorded_at)
            ),
        ));
    }
    l.facts(&facts);
}

/// Who charted an entry, marked if it was a late entry.
fn charted_by(name: &str, is_late: bool, recorded: chrono::DateTime<chrono::Utc>) -> String {
    format!("{name}{}", late(is_late, recorded))
}

/// " (late entry, saved HH:MM)" for an entry saved long after its clinical time.
fn late(is_late: bool, recorded: chrono::DateTime<chrono::Utc>) -> String {
    if is_late {
        format!(" (late entry, saved {})", local_hm(recorded))
    } else {
        String::new()
    }
}

fn outcomes(l: &mut Layout, r: &SessionRecord) {
    if r.outcomes.is_empty() {
        return;
    }
    l.heading("Outcome scores");
    l.table(
        &[
            col("Scale", 18.0, L),
            col("When", 27.0, L),
            col("Taken", 27.0, L),
            col("Items", 40.0, L),
            col("Total", 16.0, R),
            col("Severity", 52.0, L),
        ],
        r.outcomes.iter().map(|o| {
            let max = o.scale.spec().total_max;
            let items = o.items.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" ");
            let mut severity = o.severity.to_string();
            if let Some(w) = &o.warning {
                severity = format!("{severity}. {w}");
            }
            (
                vec![
                    o.scale.label().into(),
                    o.timepoint.label().into(),
                    day_hm(o.clinical_time),
                    items,
                    format!("{} of {max}", o.total),
                    severity,
                ],
                o.warning.is_some(),
            )
        }),
    );
}

fn timeline(l: &mut Layout, r: &SessionRecord) {
    l.heading("Infusion events");
    l.table(
        &[
            col("Time", 14.0, L),
            col("Event", 22.0, L),
            col("Rate / bolus", 24.0, L),
            col("Entered", 15.0, L),
            col("By", 35.0, L),
            col("Note", 70.0, L),
        ],
        r.events.iter().map(|e| {
            let value = e
                .rate_ml_per_h
                .map(|v| format!("{} mL/h", fmt_num(v)))
                .or(e.bolus_mg.map(|v| format!("{} mg bolus", fmt_num(v))));
            let mut note = String::new();
            if let Some(o) = &e.hold_override {
                note = format!("BP hold overridden: {o}");
            }
            if e.late {
                note = format!("late entry. {note}");
            }
            (
                vec![
                    local_hm(e.clinical_time),
                    e.kind.label().to_string(),
                    opt(value),
                    local_hm(e.recorded_at),
                    e.entered_by.clone(),
                    note,
                ],
                e.late,
            )
        }),
    );
}

fn vitals(l: &mut Layout, r: &SessionRecord, t: &Thresholds) {
    let alerted: std::collections::HashSet<i64> = r.alerts.iter().filter_map(|a| a.vitals_id).collect();
    if let Some(first) = r.vitals.first() {
        l.heading_over_figure("Vitals", CHART_H);
        let start = r.infusion.started_at.unwrap_or(first.clinical_time);
        let readings: Vec<Reading> = r
            .vitals
            .iter()
            .map(|v| Reading {
                minute: (v.clinical_time - start).num_seconds() as f64 / 60.0,
                sbp: v.sbp as f64,
                dbp: v.dbp as f64,
                hr: v.hr as f64,
                spo2: v.spo2 as f64,
                alert: alerted.contains(&v.id),
            })
            .collect();
        l.figure(CHART_H, |m, origin, marks| {
            marks.extend(charts::vitals(m, origin, (BODY_W, CHART_H), &readings, t))
        });
    } else {
        l.heading("Vitals");
    }
    l.table(
        &[
            col("Time", 12.0, L),
            col("BP", 17.0, R),
            col("MAP", 10.0, R),
            col("HR", 9.0, R),
            col("SpO2", 10.0, R),
            col("RR", 8.0, R),
            col("Temp", 10.0, R),
            col("EtCO2", 11.0, R),
            col("Dissoc.", 12.0, R),
            col("MOAA/S", 13.0, R),
            col("Entered", 14.0, R),
            col("By", 25.0, L),
            col("Flags", 18.0, L),
        ],
        r.vitals.iter().map(|v| {
            let alert = alerted.contains(&v.id);
            let flags: Vec<&str> = [(v.late, "late entry"), (v.corrected, "corrected"), (alert, "alert")]
                .into_iter()
                .filter_map(|(set, flag)| set.then_some(flag))
                .collect();
            (
                vec![
                    local_hm(v.clinical_time),
                    format!("{}/{}", v.sbp, v.dbp),
                    v.map.to_string(),
                    v.hr.to_string(),
                    v.spo2.to_string(),
                    v.rr.to_string(),
                    opt(v.temp_c),
                    opt(v.etco2),
                    opt(v.dissociation),
                    opt(v.moaas),
                    local_hm(v.recorded_at),
                    v.entered_by.clone(),
                    flags.join(", "),
                ],
                v.late || alert,
            )
        }),
    );
    if !r.alerts.is_empty() {
        l.heading("Alerts");
        l.table(
            &[
                col("Raised", 15.0, L),
                col("Alert", 110.0, L),
                col("Acknowledged", 55.0, L),
            ],
            r.alerts.iter().map(|a| {
                let ack = match (&a.acknowledged_by, a.acknowledged_at) {
                    (Some(by), Some(at)) => format!("{by} at {}", local_hm(at)),
                    _ => "not acknowledged".into(),
                };
                (
                    vec![local_hm(a.raised_at), a.message.clone(), ack],
                    a.acknowledged_at.is_none(),
                )
            }),
        );
    }
}

fn effects(l: &mut Layout, r: &SessionRecord) {
    l.heading("Side effects and rescue medications");
    if r.side_effects.is_empty() && r.interventions.is_empty() {
        l.paragraph("None charted.", false, BLACK);
        return;
    }
    if !r.side_effects.is_empty() {
        l.table(
            &[
                col("Onset", 14.0, L),
                col("Side effect", 50.0, L),
                col("Severity", 20.0, L),
                col("Resolved", 45.0, L),
                col("Charted by", 51.0, L),
            ],
            r.side_effects.iter().map(|e| {
                let resolved = e.resolved_at.map_or("not resolved".into(), |t| {
                    format!("{} by {}", local_hm(t), opt(e.resolved_by.as_ref()))
                });
                (
                    vec![
                        local_hm(e.onset_time),
                        e.label.clone(),
                        e.severity.label().into(),
                        resolved,
                        charted_by(&e.entered_by, e.late, e.recorded_at),
                    ],
                    e.late,
                )
            }),
        );
    }
    if !r.interventions.is_empty() {
        l.table(
            &[
                col("Given", 14.0, L),
                col("Medication", 28.0, L),
                col("Dose, route", 33.0, L),
                col("Indication", 35.0, L),
                col("Effect", 40.0, L),
                col("By", 30.0, L),
            ],
            r.interventions.iter().map(|i| {
                (
                    vec![
                        local_hm(i.clinical_time),
                        i.name.clone(),
                        format!("{} {} {}", fmt_num(i.dose), i.unit.label(), i.route.label()),
                        i.indication.clone(),
                        opt(i.effect.as_ref()),
                        charted_by(&i.entered_by, i.late, i.recorded_at),
                    ],
                    i.late,
                )
            }),
        );
    }
}

fn notes(l: &mut Layout, r: &SessionRecord) {
    if r.notes.is_empty() {
        return;
    }
    l.heading("Notes");
    l.table(
        &[col("Time", 14.0, L), col("By", 36.0, L), col("Note", 130.0, L)],
        r.notes.iter().map(|n| {
            (
                vec![
                    local_hm(n.clinical_time),
                    charted_by(&n.author, n.late, n.recorded_at),
                    n.text.clone(),
                ],
                n.late,
            )
        }),
    );
}

fn recovery(l: &mut Layout, r: &SessionRecord) {
    l.heading("Recovery and discharge");
    let rec = &r.aftercare;
    if !rec.aldrete.is_empty() {
        l.table(
            &[
                col("Time", 14.0, L),
                col("Activity", 18.0, R),
                col("Respiration", 22.0, R),
                col("Circulation", 22.0, R),
                col("Conscious", 20.0, R),
                col("SpO2", 12.0, R),
                col("Total", 14.0, R),
                col("By", 58.0, L),
            ],
            rec.aldrete.iter().map(|a| {
                let mut cells = vec![local_hm(a.clinical_time)];
                cells.extend(a.items.iter().map(|v| v.to_string()));
                cells.push(a.total.to_string());
                cells.push(charted_by(&a.entered_by, a.late, a.recorded_at));
                (cells, a.total < rec.min_aldrete)
            }),
        );
    }
    let mut facts = Vec::new();
    match &rec.discharge {
        Some(d) => {
            facts.push((
                "Discharged",
                format!(
                    "{} by {}, modified Aldrete {}{}",
                    local_hm(d.clinical_time),
                    d.entered_by,
                    d.aldrete_total,
                    late(d.late, d.recorded_at)
                ),
            ));
            facts.push(("Escort", d.escort_name.clone()));
            facts.push((
                "Instructions",
                "given: no driving until after a night's sleep; no benzodiazepines or opioids for 4 hours".into(),
            ));
            if let Some(reason) = &d.override_reason {
                facts.push((
                    "Discharge override",
                    format!("by {}: {reason}", opt(d.override_by.as_ref())),
                ));
            }
        }
        None => facts.push(("Discharged", "not yet".into())),
    }
    // Both run to "now" until the patient is discharged: only a discharge gives them their end.
    let until_discharge = |minutes: Option<i64>, span: &str| {
        rec.discharge
            .as_ref()
            .and(minutes)
            .map_or("—".into(), |m| format!("{m} min ({span} → discharge)"))
    };
    facts.push((
        "Recovery time",
        until_discharge(rec.recovery_minutes, "end of infusion"),
    ));
    facts.push(("Chair time", until_discharge(rec.chair_minutes, "arrival")));
    l.facts(&facts);
}

fn signatures(l: &mut Layout, r: &SessionRecord) {
    l.heading("Signatures and addenda");
    if r.signatures.is_empty() {
        l.paragraph("Not signed.", false, BLACK);
    }
    for g in &r.signatures {
        let role = if g.role == Role::Nurse {
            "Signed (nurse)"
        } else {
            "Co-signed (physician)"
        };
        l.paragraph(
            &format!("{role}: {} at {}", g.display_name, day_hm(g.signed_at)),
            false,
            BLACK,
        );
    }
    for a in &r.addenda {
        l.paragraph(
            &format!(
                "Addendum by {} at {}. Reason: {}",
                a.author,
                day_hm(a.created_at),
                a.reason
            ),
            true,
            BLACK,
        );
        l.paragraph(&a.text, false, BLACK);
    }
}

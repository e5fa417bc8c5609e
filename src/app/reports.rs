//! Printing a session's or a patient's series report.

use crate::app::chart;
use crate::app::clinic::Guard;
use crate::app::places::{outside_data_folder, reports_folder};
use crate::domain::audit::{Action, Event};
use crate::domain::sessions::{PatientRef, SessionRef};
use crate::error::{Error, Result};
use crate::files;
use crate::outside::crypto;
use crate::outside::report::{self, Printed, ReportRequest};
use crate::outside::viewer;
use crate::storage::Author;

/// Writes a session's or a patient's series report: to the chosen `path`, or into the reports
/// folder and on to the system's PDF viewer. Each print is audited, committed only if written.
pub fn print_report(g: &mut Guard, request: ReportRequest) -> Result<Printed> {
    // A refused path is refused before any work is done.
    let chosen = request
        .path
        .as_deref()
        .map(|p| outside_data_folder(g.clinic, p))
        .transpose()?;
    let report_id = crypto::random_hex::<4>()?;
    let logo = g.db.logo()?;
    let ctx = report::Context {
        clinic: &g.settings.clinic,
        logo: logo.as_deref(),
        generated_at: g.now,
        generated_by: &g.by.display_name,
        report_id: &report_id,
    };
    let ((pdf, pages), patient_id, what) = match (request.session_id, request.patient_id) {
        (Some(session_id), None) => {
            let r = chart::session_record(&g.db, g.settings, g.now, SessionRef { session_id })?;
            let what = format!("session-{}-{}", r.session.session_date, session_id);
            (report::session_pdf(&r, &g.settings.alerts, &ctx), r.patient.id, what)
        }
        (None, Some(patient_id)) => {
            let (record, sessions) = chart::series(&g.db, g.settings, g.now, PatientRef { patient_id })?;
            (
                report::series_pdf(&record, &sessions, &ctx),
                patient_id,
                format!("series-patient-{patient_id}"),
            )
        }
        _ => {
            return Err(Error::InvalidRequest(
                "Name either a session or a patient for the report. Nothing was printed.".into(),
            ))
        }
    };
    let target = match chosen {
        Some(path) => path,
        None => reports_folder(g.clinic)?.join(format!("{what}-{report_id}.pdf")),
    };
    let event = Event::new(Action::ReportPrinted).patient(patient_id).detail(format!(
        "{what}, report {report_id}, {pages} pages, to {}",
        target.display()
    ));
    g.db.audit_around(&Author::from(&g.by), &event, g.now, || {
        files::write_atomically(&target, false, |out| {
            use std::io::Write;
            out.write_all(&pdf)
                .map_err(|e| Error::Storage(format!("The report could not be written ({e}).")))
        })
    })?;
    if request.path.is_none() {
        viewer::open(&target)?;
    }
    Ok(Printed {
        path: target.display().to_string(),
        report_id,
        pages,
        bytes: pdf.len(),
    })
}

//! PDF reports physicians print: a session's full record and a patient's series. Built from the same
//! records the screens show, laid out in `layout`, drawn by `charts`, written by `pdf`.

mod charts;
mod layout;
pub mod logo;
mod pdf;
mod series;
mod session;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use series::series_pdf;
pub use session::session_pdf;

/// "YYYY-MM-DD HH:MM" on the clinic's clock, with the offset on a day the clocks change.
use crate::domain::clock::date_hm as day_hm;
use crate::domain::patients::Patient;
use crate::domain::settings::ClinicHeader;
use layout::{Layout, BLACK, RED};
use pdf::{render, FontMeasure};

/// What every page says besides the record: who printed it, when, and the report's id.
pub struct Context<'a> {
    pub clinic: &'a ClinicHeader,
    /// The clinic's logo (PNG), if one is set.
    pub logo: Option<&'a [u8]>,
    pub generated_at: DateTime<Utc>,
    pub generated_by: &'a str,
    pub report_id: &'a str,
}

impl Context<'_> {
    /// The logo as pixels; one that no longer decodes is left off rather than failing the report.
    fn decoded_logo(&self) -> Option<logo::Logo> {
        self.logo.and_then(|bytes| logo::decode(bytes).ok())
    }
}

/// Print a session's report (`session_id`) or a patient's series (`patient_id`): to `path` (from
/// the save dialog), or, without one, into the reports folder for the system viewer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    pub session_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub path: Option<String>,
}

/// A written report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Printed {
    pub path: String,
    pub report_id: String,
    pub pages: usize,
    pub bytes: usize,
}

/// The header lines of every page: the clinic, then the patient's identifiers.
fn header(ctx: &Context, patient: &Patient, what: &str) -> Vec<String> {
    let c = ctx.clinic;
    let name = if c.name.is_empty() {
        "Clinic name not set (Admin › Settings)"
    } else {
        &c.name
    };
    let contact = [c.address.as_str(), c.phone.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let mut lines = vec![name.to_string()];
    if !contact.is_empty() {
        lines.push(contact);
    }
    lines.push(format!(
        "{}, {} · DOB {} · MRN {} · {what}",
        patient.family_name, patient.given_names, patient.date_of_birth, patient.mrn
    ));
    lines
}

/// What every report shares: the header (ending in `what`) on every page, the report's `heading`
/// with `lead` in bold under it, the patient's flags in red, then `body`; each page footed, written
/// as a PDF titled `title`. The PDF and its page count.
fn pdf(
    ctx: &Context,
    patient: &Patient,
    what: &str,
    title: &str,
    heading: &str,
    lead: Option<&str>,
    body: impl FnOnce(&mut Layout),
) -> (Vec<u8>, usize) {
    let logo = ctx.decoded_logo();
    let mut l = Layout::new(
        &FontMeasure,
        header(ctx, patient, what),
        logo.as_ref().map(logo::Logo::aspect),
    );
    l.heading(heading);
    if let Some(lead) = lead {
        l.paragraph(lead, true, BLACK);
    }
    for flag in &patient.flags {
        l.paragraph(&format!("⚠ {flag}"), true, RED);
    }
    body(&mut l);
    let pages = l.finish(&footer(ctx));
    let count = pages.len();
    (render(title, ctx.generated_at, pages, logo), count)
}

fn footer(ctx: &Context) -> String {
    format!(
        "Report {} · generated {} by {} · Infusion Chart",
        ctx.report_id,
        day_hm(ctx.generated_at),
        ctx.generated_by
    )
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".into(), |v| v.to_string())
}

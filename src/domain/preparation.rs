//! Before the infusion: the pre-infusion checklist (consent, fasting, escort, pregnancy, medication
//! changes, IV site and gauge) with the vial's lot and expiry, and afterwards the witnessed waste of
//! what is left in the vial (ketamine is a controlled substance).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::catalogue;
use crate::domain::dates::{read_date, read_month_end, DateProblem, DATE_CHARS};
use crate::domain::validate::{Checker, Range};
use crate::domain::vitals::check_clinical_time;
use crate::error::Result;

catalogue! {
    Pregnancy {
        NotApplicable => "Not applicable",
        NegativeTest => "Negative test today",
        NotPregnantDeclared => "Not pregnant (patient's statement)",
        Pregnant => "Pregnant or possibly pregnant",
    }
}

const IV_GAUGE: Range = Range::new("IV gauge", "G", 14.0, 26.0);
const WASTE: Range = Range::new("Amount wasted", "mg", 0.1, 1000.0);

/// What the checklist form sends. Every confirmation must be ticked before it is saved.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistInput {
    pub session_id: i64,
    #[serde(default)]
    pub consent_on_file: bool,
    #[serde(default)]
    pub fasting_confirmed: bool,
    #[serde(default)]
    pub escort_confirmed: bool,
    pub escort_name: Option<String>,
    #[serde(default)]
    pub medication_changes_reviewed: bool,
    pub pregnancy: Option<Pregnancy>,
    pub iv_site: Option<String>,
    pub iv_gauge: Option<f64>,
    pub vial_lot: Option<String>,
    /// YYYY-MM-DD, or YYYY-MM for a vial labelled with a month (it expires at that month's end).
    pub vial_expiry: Option<String>,
    /// When the checklist was completed (RFC 3339); empty: when it is saved.
    #[serde(default)]
    pub completed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    pub id: i64,
    pub session_id: i64,
    pub escort_name: String,
    pub pregnancy: Pregnancy,
    pub iv_site: String,
    pub iv_gauge: i64,
    pub vial_lot: String,
    pub vial_expiry: NaiveDate,
    /// Its clinical time: the infusion starts after it.
    pub completed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub entered_by: String,
}

/// A validated checklist, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChecklist {
    pub session_id: i64,
    pub escort_name: String,
    pub pregnancy: Pregnancy,
    pub iv_site: String,
    pub iv_gauge: i64,
    pub vial_lot: String,
    pub vial_expiry: NaiveDate,
    pub completed_at: DateTime<Utc>,
}

/// Longest escort's name, IV site and vial lot number.
pub const MAX_ESCORT_CHARS: usize = 200;
pub const MAX_IV_SITE_CHARS: usize = 100;
pub const MAX_VIAL_LOT_CHARS: usize = 40;

impl ChecklistInput {
    /// Every item confirmed, a vial that has not expired by the session's date, and completed after
    /// the patient's arrival (`arrived`), not in the future.
    pub fn validate(self, session_date: NaiveDate, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewChecklist> {
        let mut c = Checker::new();
        let completed_at = match self.completed_at {
            None => Some(now),
            typed => check_clinical_time(&mut c, typed, arrived, now),
        };
        for (done, item) in [
            (self.consent_on_file, "Consent on file"),
            (self.fasting_confirmed, "Fasting as the protocol requires"),
            (self.escort_confirmed, "Escort home confirmed"),
            (self.medication_changes_reviewed, "Medication changes reviewed"),
        ] {
            if !done {
                c.problem(format!("{item} must be confirmed before the infusion."));
            }
        }
        let escort_name = c.text(self.escort_name, "Escort's name", MAX_ESCORT_CHARS);
        match self.pregnancy {
            None => c.problem("Pregnancy status is required (choose \"Not applicable\" where it does not apply)."),
            Some(Pregnancy::Pregnant) => {
                c.problem("Pregnancy is a contraindication: this infusion cannot go ahead. Tell the physician.")
            }
            Some(_) => {}
        }
        let iv_site = c.text(self.iv_site, "IV site", MAX_IV_SITE_CHARS);
        let iv_gauge = c.whole(self.iv_gauge, IV_GAUGE);
        let vial_lot = c.text(self.vial_lot, "Vial lot number", MAX_VIAL_LOT_CHARS);
        let vial_expiry = c.text(self.vial_expiry, "Vial expiry", DATE_CHARS).and_then(|text| {
            match read_month_end(&text).unwrap_or_else(|| read_date(&text)) {
                Err(DateProblem::Unreadable) => c.problem(
                    "Vial expiry: type the date as YYYY-MM-DD, like 2027-03-31, or the month as YYYY-MM, like 2027-03.",
                ),
                Err(problem) => c.problem(problem.message("Vial expiry")),
                Ok(d) if d < session_date => c.problem(format!(
                    "The vial expired on {d}. Use an unexpired vial and enter its lot and expiry."
                )),
                Ok(d) => return Some(d),
            }
            None
        });
        c.finish()?;
        Ok(NewChecklist {
            session_id: self.session_id,
            escort_name: escort_name.expect("checked"),
            pregnancy: self.pregnancy.expect("checked"),
            iv_site: iv_site.expect("checked"),
            iv_gauge: iv_gauge.expect("checked"),
            vial_lot: vial_lot.expect("checked"),
            vial_expiry: vial_expiry.expect("checked"),
            completed_at: completed_at.expect("checked"),
        })
    }
}

/// What the waste form sends: the witness confirms with their own username and password.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WasteInput {
    pub session_id: i64,
    pub clinical_time: Option<String>,
    pub amount_mg: Option<f64>,
    pub witness_username: String,
    pub witness_password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waste {
    pub id: i64,
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub amount_mg: f64,
    pub entered_by: String,
    pub witness: String,
    /// Saved long after its clinical time; set when read.
    pub late: bool,
}

impl WasteInput {
    /// The waste's clinical time and amount, checked (the witness is checked by `Clinic`).
    pub fn validate(&self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<(DateTime<Utc>, f64)> {
        let mut c = Checker::new();
        let at = check_clinical_time(&mut c, self.clinical_time.clone(), arrived, now);
        let amount = c.decimal(self.amount_mg, WASTE, 1);
        if self.witness_username.trim().is_empty() {
            c.problem("Witness is required: a second staff member enters their username and password.");
        }
        c.finish()?;
        Ok((at.expect("checked"), amount.expect("checked")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn morning() -> DateTime<Utc> {
        crate::domain::test_day::at(9, 0)
    }

    fn complete() -> ChecklistInput {
        ChecklistInput {
            session_id: 1,
            consent_on_file: true,
            fasting_confirmed: true,
            escort_confirmed: true,
            escort_name: Some("Sam Okafor".into()),
            medication_changes_reviewed: true,
            pregnancy: Some(Pregnancy::NotApplicable),
            iv_site: Some("Left antecubital".into()),
            iv_gauge: Some(22.0),
            vial_lot: Some("KX2291".into()),
            vial_expiry: Some("2027-03".into()),
            completed_at: None,
        }
    }

    #[test]
    fn a_month_expiry_lasts_to_the_end_of_that_month() {
        for (typed, last) in [
            ("2027-03", "2027-03-31"),
            ("2028-02", "2028-02-29"),
            ("12/2026", "2026-12-31"),
            ("Mar 2027", "2027-03-31"),
            ("2027-03-15", "2027-03-15"),
            ("15.03.2027", "2027-03-15"),
        ] {
            let c = ChecklistInput {
                vial_expiry: Some(typed.into()),
                ..complete()
            }
            .validate(date("2026-11-22"), morning(), morning())
            .unwrap();
            assert_eq!(c.vial_expiry, date(last), "{typed}");
        }
    }

    #[test]
    fn each_missing_or_unsafe_item_is_named() {
        let cases: Vec<(ChecklistInput, &str)> = vec![
            (
                ChecklistInput {
                    consent_on_file: false,
                    ..complete()
                },
                "Consent on file must be confirmed before the infusion.",
            ),
            (
                ChecklistInput {
                    vial_expiry: Some("2026-11-21".into()),
                    ..complete()
                },
                "The vial expired on 2026-11-21. Use an unexpired vial and enter its lot and expiry.",
            ),
            (
                ChecklistInput {
                    vial_expiry: Some("2026-10".into()),
                    ..complete()
                },
                "The vial expired on 2026-10-31. Use an unexpired vial and enter its lot and expiry.",
            ),
            (
                ChecklistInput {
                    vial_expiry: Some("soon".into()),
                    ..complete()
                },
                "Vial expiry: type the date as YYYY-MM-DD, like 2027-03-31, or the month as YYYY-MM, like 2027-03.",
            ),
            (
                ChecklistInput {
                    vial_expiry: Some("03/04/2027".into()),
                    ..complete()
                },
                "Vial expiry: type the date as YYYY-MM-DD, like 1988-02-29 (03/04/2027 could be March 4 or April 3).",
            ),
            (
                ChecklistInput {
                    pregnancy: Some(Pregnancy::Pregnant),
                    ..complete()
                },
                "Pregnancy is a contraindication: this infusion cannot go ahead. Tell the physician.",
            ),
            (
                ChecklistInput {
                    iv_gauge: Some(30.0),
                    ..complete()
                },
                "IV gauge must be between 14 and 26 G; 30 was entered.",
            ),
            (
                ChecklistInput {
                    vial_lot: None,
                    ..complete()
                },
                "Vial lot number is required.",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                input
                    .validate(date("2026-11-22"), morning(), morning())
                    .unwrap_err()
                    .to_string(),
                expected
            );
        }
        assert!(ChecklistInput {
            vial_expiry: Some("2026-11-22".into()),
            ..complete()
        }
        .validate(date("2026-11-22"), morning(), morning())
        .is_ok());
    }
}

//! Patients: who is being infused. Identity fields and the weight every dose is calculated from.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::validate::{Checker, Range};

pub const WEIGHT: Range = Range {
    label: "Weight",
    unit: "kg",
    min: 20.0,
    max: 350.0,
};
/// Oldest plausible patient; older dates of birth are typing slips.
const MAX_AGE_YEARS: i32 = 120;

/// What the new-patient form sends; every field optional so that a missing one gets a message, not a parse error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientInput {
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    /// YYYY-MM-DD
    pub date_of_birth: Option<String>,
    pub mrn: Option<String>,
    pub weight_kg: Option<f64>,
}

/// A validated patient, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPatient {
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: NaiveDate,
    pub mrn: String,
    pub weight_kg: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patient {
    pub id: i64,
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: NaiveDate,
    pub mrn: String,
    pub weight_kg: f64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientSearch {
    #[serde(default)]
    pub query: String,
}

impl PatientInput {
    /// Checks every field against `today` (local date) and reports all problems together.
    pub fn validate(self, today: NaiveDate) -> Result<NewPatient> {
        let mut c = Checker::new();
        let family_name = c.text(self.family_name, "Family name", 100);
        let given_names = c.text(self.given_names, "Given names", 100);
        let mrn = c.text(self.mrn, "MRN", 32);
        let weight_kg = c.decimal(self.weight_kg, WEIGHT, 1);
        let date_of_birth = c.text(self.date_of_birth, "Date of birth", 10).and_then(|text| {
            let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
            let oldest = today.with_year_offset(-MAX_AGE_YEARS);
            match parsed {
                None => c.problem("Date of birth must be a date like 1984-03-27."),
                Some(d) if d > today => c.problem("Date of birth cannot be in the future."),
                Some(d) if d < oldest => c.problem(format!(
                    "Date of birth must be after {oldest} (age at most {MAX_AGE_YEARS} years)."
                )),
                Some(d) => return Some(d),
            }
            None
        });
        c.finish()?;
        Ok(NewPatient {
            family_name: family_name.expect("checked"),
            given_names: given_names.expect("checked"),
            date_of_birth: date_of_birth.expect("checked"),
            mrn: mrn.expect("checked"),
            weight_kg: weight_kg.expect("checked"),
        })
    }
}

impl NewPatient {
    /// Lower-cased "family given", the text patient search matches.
    pub fn name_key(&self) -> String {
        format!("{} {}", self.family_name, self.given_names).to_lowercase()
    }
}

trait YearOffset {
    fn with_year_offset(self, years: i32) -> NaiveDate;
}

impl YearOffset for NaiveDate {
    /// Same day `years` later (29 February falls back to the 28th).
    fn with_year_offset(self, years: i32) -> NaiveDate {
        use chrono::Datelike;
        let year = self.year() + years;
        self.with_year(year)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month(), 28))
            .expect("valid date")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn input() -> PatientInput {
        PatientInput {
            family_name: Some("Nguyễn-O'Brien".into()),
            given_names: Some("Zoë".into()),
            date_of_birth: Some("1984-03-27".into()),
            mrn: Some(" A-1001 ".into()),
            weight_kg: Some(72.46),
        }
    }

    #[test]
    fn a_complete_patient_is_trimmed_and_weight_rounded_to_one_decimal() {
        let p = input().validate(today()).unwrap();
        assert_eq!(p.mrn, "A-1001");
        assert_eq!(p.weight_kg, 72.5);
        assert_eq!(p.name_key(), "nguyễn-o'brien zoë");
    }

    #[test]
    fn each_bad_field_is_named_with_its_allowed_values() {
        let cases: Vec<(PatientInput, &str)> = vec![
            (PatientInput { weight_kg: Some(0.0), ..input() }, "Weight must be between 20 and 350 kg; 0 was entered."),
            (PatientInput { weight_kg: None, ..input() }, "Weight is required (20–350 kg)."),
            (PatientInput { date_of_birth: Some("27/03/1984".into()), ..input() }, "Date of birth must be a date like 1984-03-27."),
            (PatientInput { date_of_birth: Some("2026-11-23".into()), ..input() }, "Date of birth cannot be in the future."),
            (
                PatientInput { date_of_birth: Some("1900-01-01".into()), ..input() },
                "Date of birth must be after 1906-11-22 (age at most 120 years).",
            ),
            (PatientInput { family_name: Some(" ".into()), ..input() }, "Family name is required."),
            (PatientInput::default(), "Family name is required. Given names is required. MRN is required. Weight is required (20–350 kg). Date of birth is required."),
        ];
        for (input, expected) in cases {
            assert_eq!(input.validate(today()).unwrap_err().to_string(), expected);
        }
    }
}

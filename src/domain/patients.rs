//! Patients: who is being infused. Identity fields and the weight every dose is calculated from.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::catalogue;
use crate::domain::validate::{once_each, Checker, Range};
use crate::domain::weight::{Weight, WeightUnit};
use crate::error::Result;

/// Oldest plausible patient; older dates of birth are typing slips.
const MAX_AGE_YEARS: i32 = 120;

catalogue! {
    Sex { Female => "Female", Male => "Male", Other => "Other / not stated" }
}

catalogue! {
    /// Why the patient is treated.
    Indication {
        TreatmentResistantDepression => "Treatment-resistant depression",
        MajorDepression => "Major depression",
        BipolarDepression => "Bipolar depression",
        Ptsd => "PTSD",
        Anxiety => "Anxiety",
        Ocd => "OCD",
        ChronicPain => "Chronic pain",
        Other => "Other",
    }
}

catalogue! {
    /// The contraindication screen: any "yes" is shown on every session of the patient.
    Contraindication {
        Pregnancy => "Pregnancy",
        UncontrolledHypertension => "Uncontrolled hypertension",
        VascularAneurysmOrAvm => "Aneurysmal vascular disease or AVM",
        IntracerebralHaemorrhage => "Prior intracerebral haemorrhage",
        ActivePsychosis => "Active psychosis",
        SevereHepaticDisease => "Severe hepatic disease",
        RaisedIntracranialOrIntraocularPressure => "Raised intracranial or intraocular pressure",
        KetamineHypersensitivity => "Hypersensitivity to ketamine",
    }
}

catalogue! {
    /// Medications that change how ketamine works or is tolerated.
    FlaggedMedication {
        Benzodiazepines => "Benzodiazepines",
        Lamotrigine => "Lamotrigine",
        Maois => "MAOIs",
        Stimulants => "Stimulants",
        Opioids => "Opioids",
        NonBenzodiazepineHypnotics => "Non-benzodiazepine hypnotics",
    }
}

const HEIGHT: Range = Range::new("Height", "cm", 100.0, 250.0);

/// Longest names, MRN, allergies, and the other indication, emergency contact and escort.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_MRN_CHARS: usize = 32;
pub const MAX_ALLERGIES_CHARS: usize = 500;
pub const MAX_DETAIL_CHARS: usize = 200;

/// What the patient form sends; every field optional so that a missing one gets a message, not a parse error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientInput {
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    /// As typed: YYYY-MM-DD, or a form that cannot be misread (domain/dates.rs).
    pub date_of_birth: Option<String>,
    pub mrn: Option<String>,
    pub sex: Option<Sex>,
    /// In `weight_unit`; kept as typed.
    pub weight: Option<f64>,
    pub weight_unit: Option<WeightUnit>,
    pub height_cm: Option<f64>,
    /// "None known" when there are none: an empty field is not an answer.
    pub allergies: Option<String>,
    pub indication: Option<Indication>,
    /// Required when the indication is "other".
    pub indication_other: Option<String>,
    pub emergency_contact: Option<String>,
    /// The usual escort or driver home.
    pub escort: Option<String>,
    /// The screen's "yes" answers.
    #[serde(default)]
    pub contraindications: Vec<Contraindication>,
    #[serde(default)]
    pub flagged_medications: Vec<FlaggedMedication>,
}

/// A change to a patient's record; the old values stay in the audit trail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientUpdate {
    pub patient_id: i64,
    pub patient: PatientInput,
}

/// A validated patient, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPatient {
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: NaiveDate,
    pub mrn: String,
    pub sex: Sex,
    pub weight: Weight,
    pub height_cm: Option<f64>,
    pub allergies: String,
    pub indication: Indication,
    pub indication_other: Option<String>,
    pub emergency_contact: Option<String>,
    pub escort: Option<String>,
    pub contraindications: Vec<Contraindication>,
    pub flagged_medications: Vec<FlaggedMedication>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patient {
    pub id: i64,
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: NaiveDate,
    pub mrn: String,
    pub sex: Sex,
    /// As typed, in its unit (records from before the unit was kept: in kg).
    pub weight: Weight,
    pub height_cm: Option<f64>,
    pub allergies: String,
    pub indication: Indication,
    pub indication_other: Option<String>,
    pub emergency_contact: Option<String>,
    pub escort: Option<String>,
    pub contraindications: Vec<Contraindication>,
    pub flagged_medications: Vec<FlaggedMedication>,
    /// What every session of this patient shows in its banner: contraindications, flagged medications
    /// and allergies, in words.
    pub flags: Vec<String>,
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
        let family_name = c.text(self.family_name, "Family name", MAX_NAME_CHARS);
        let given_names = c.text(self.given_names, "Given names", MAX_NAME_CHARS);
        let mrn = c.text(self.mrn, "MRN", MAX_MRN_CHARS);
        let date_of_birth = c.date(self.date_of_birth, "Date of birth").and_then(|d| {
            let oldest = today.with_year_offset(-MAX_AGE_YEARS);
            match d {
                d if d > today => c.problem("Date of birth cannot be in the future."),
                d if d < oldest => c.problem(format!(
                    "Date of birth must be after {oldest} (age at most {MAX_AGE_YEARS} years)."
                )),
                d => return Some(d),
            }
            None
        });
        if self.sex.is_none() {
            c.problem("Sex is required (female, male, or other / not stated).");
        }
        let weight = Weight::read(self.weight, self.weight_unit, &mut c);
        let height_cm = c.optional_decimal(self.height_cm, HEIGHT, 0);
        let allergies = c.text(
            self.allergies,
            "Allergies (write \"None known\" if there are none)",
            MAX_ALLERGIES_CHARS,
        );
        if self.indication.is_none() {
            c.problem("Indication is required.");
        }
        let indication_other = if self.indication == Some(Indication::Other) {
            c.text(self.indication_other, "The other indication", MAX_DETAIL_CHARS)
        } else {
            None
        };
        let emergency_contact = c.optional_text(self.emergency_contact, "Emergency contact", MAX_DETAIL_CHARS);
        let escort = c.optional_text(self.escort, "Escort", MAX_DETAIL_CHARS);
        c.finish()?;
        Ok(NewPatient {
            family_name: family_name.expect("checked"),
            given_names: given_names.expect("checked"),
            date_of_birth: date_of_birth.expect("checked"),
            mrn: mrn.expect("checked"),
            sex: self.sex.expect("checked"),
            weight: weight.expect("checked"),
            height_cm,
            allergies: allergies.expect("checked"),
            indication: self.indication.expect("checked"),
            indication_other,
            emergency_contact,
            escort,
            contraindications: once_each(self.contraindications),
            flagged_medications: once_each(self.flagged_medications),
        })
    }
}

impl Patient {
    /// The banner lines of `flags`.
    pub fn flags_of(
        contraindications: &[Contraindication],
        medications: &[FlaggedMedication],
        allergies: &str,
    ) -> Vec<String> {
        let mut flags: Vec<String> = contraindications
            .iter()
            .map(|c| format!("Contraindication: {}", c.label()))
            .collect();
        flags.extend(medications.iter().map(|m| format!("Takes {}", m.label())));
        if !allergies.eq_ignore_ascii_case("none known") && !allergies.eq_ignore_ascii_case("nkda") {
            flags.push(format!("Allergies: {allergies}"));
        }
        flags
    }
}

impl NewPatient {
    /// Lower-cased "family given", the text patient search matches.
    pub fn name_key(&self) -> String {
        format!("{} {}", self.family_name, self.given_names).to_lowercase()
    }

    /// The name given names first, for searching by the start of either name.
    pub fn given_key(&self) -> String {
        format!("{} {}", self.given_names, self.family_name).to_lowercase()
    }
}

pub(crate) trait YearOffset {
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
            sex: Some(Sex::Female),
            weight: Some(72.46),
            weight_unit: Some(WeightUnit::Kg),
            allergies: Some("None known".into()),
            indication: Some(Indication::TreatmentResistantDepression),
            ..PatientInput::default()
        }
    }

    #[test]
    fn a_complete_patient_is_trimmed_and_weight_rounded_to_one_decimal() {
        let p = input().validate(today()).unwrap();
        assert_eq!(p.mrn, "A-1001");
        assert_eq!(p.weight.value, 72.5);
        assert_eq!(p.name_key(), "nguyễn-o'brien zoë");
    }

    #[test]
    fn a_weight_in_lb_is_kept_in_lb_as_typed() {
        let p = PatientInput {
            weight: Some(160.0),
            weight_unit: Some(WeightUnit::Lb),
            ..input()
        }
        .validate(today())
        .unwrap();
        assert_eq!(
            p.weight,
            Weight {
                value: 160.0,
                unit: WeightUnit::Lb
            }
        );
        assert_eq!(p.weight.label(), "160 lb (72.57 kg)");
    }

    #[test]
    fn a_date_of_birth_is_read_as_typed_in_iso_or_an_unambiguous_form_and_kept_in_iso() {
        for typed in [
            "1988-02-29",
            "29.02.1988",
            "02/29/1988",
            "29 Feb 1988",
            "February 29, 1988",
        ] {
            let p = PatientInput {
                date_of_birth: Some(typed.into()),
                ..input()
            }
            .validate(today())
            .unwrap();
            assert_eq!(p.date_of_birth.to_string(), "1988-02-29", "{typed}");
        }
    }

    #[test]
    fn screen_answers_and_allergies_become_the_banner_flags() {
        let flags = Patient::flags_of(
            &[Contraindication::UncontrolledHypertension],
            &[FlaggedMedication::Benzodiazepines],
            "Penicillin (rash)",
        );
        assert_eq!(
            flags,
            [
                "Contraindication: Uncontrolled hypertension",
                "Takes Benzodiazepines",
                "Allergies: Penicillin (rash)"
            ]
        );
        assert!(Patient::flags_of(&[], &[], "None known").is_empty());
    }

    #[test]
    fn each_bad_field_is_named_with_its_allowed_values() {
        let cases: Vec<(PatientInput, &str)> = vec![
            (
                PatientInput {
                    weight: Some(0.0),
                    ..input()
                },
                "Weight must be between 20 and 350 kg; 0 was entered.",
            ),
            (
                PatientInput {
                    weight: None,
                    ..input()
                },
                "Weight is required (20–350 kg).",
            ),
            (
                PatientInput {
                    weight: Some(800.0),
                    weight_unit: Some(WeightUnit::Lb),
                    ..input()
                },
                "Weight must be between 44 and 772 lb; 800 was entered.",
            ),
            (
                PatientInput {
                    weight_unit: None,
                    ..input()
                },
                "Choose the weight's unit: kg or lb.",
            ),
            (
                PatientInput {
                    height_cm: Some(30.0),
                    ..input()
                },
                "Height must be between 100 and 250 cm; 30 was entered.",
            ),
            (
                PatientInput {
                    indication: Some(Indication::Other),
                    ..input()
                },
                "The other indication is required.",
            ),
            (
                PatientInput {
                    allergies: Some(" ".into()),
                    ..input()
                },
                "Allergies (write \"None known\" if there are none) is required.",
            ),
            (
                PatientInput {
                    date_of_birth: Some("03/04/1984".into()),
                    ..input()
                },
                "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29 (03/04/1984 could be March 4 or April 3).",
            ),
            (
                PatientInput {
                    date_of_birth: Some("1987-02-29".into()),
                    ..input()
                },
                "Date of birth: 1987-02-29 is not a date: February 1987 has 28 days.",
            ),
            (
                PatientInput {
                    date_of_birth: Some("2026-11-23".into()),
                    ..input()
                },
                "Date of birth cannot be in the future.",
            ),
            (
                PatientInput {
                    date_of_birth: Some("1900-01-01".into()),
                    ..input()
                },
                "Date of birth must be after 1906-11-22 (age at most 120 years).",
            ),
            (
                PatientInput {
                    family_name: Some(" ".into()),
                    ..input()
                },
                "Family name is required.",
            ),
            (
                PatientInput::default(),
                "Family name is required. Given names is required. MRN is required. Date of birth is required. \
                 Sex is required (female, male, or other / not stated). Choose the weight's unit: kg or lb. \
                 Allergies (write \"None known\" if there are none) is required. Indication is required.",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(input.validate(today()).unwrap_err().to_string(), expected);
        }
    }
}

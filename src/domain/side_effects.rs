//! Side effects during and after the infusion (onset, severity, resolution) and the interventions
//! (rescue medications) given for them, with dose, unit, route, time, indication and effect.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::catalogue;
use crate::domain::validate::{Checker, Range};
use crate::domain::vitals::check_clinical_time;
use crate::error::Result;

catalogue! {
    Effect {
        Nausea => "Nausea",
        Vomiting => "Vomiting",
        Dissociation => "Dissociation / out-of-body feeling",
        Anxiety => "Anxiety or agitation",
        Dizziness => "Dizziness or vertigo",
        Headache => "Headache",
        VisionChanges => "Blurred or double vision",
        Hypertension => "Hypertension",
        Tachycardia => "Tachycardia",
        Hallucinations => "Hallucinations",
        Sedation => "Sedation",
        Dysphoria => "Dysphoria",
        Numbness => "Numbness",
        Other => "Other",
    }
}

catalogue! {
    Severity { Mild => "Mild", Moderate => "Moderate", Severe => "Severe" }
}

catalogue! {
    /// Rescue medications, with what each is usually given for.
    RescueMedication {
        Ondansetron => "Ondansetron (nausea)",
        Clonidine => "Clonidine (hypertension)",
        Labetalol => "Labetalol (hypertension, tachycardia)",
        Metoprolol => "Metoprolol (hypertension, tachycardia)",
        Midazolam => "Midazolam (emergence reaction, agitation)",
        Other => "Other",
    }
}

catalogue! {
    DoseUnit { Mg => "mg", Mcg => "mcg", Ml => "mL" }
}

catalogue! {
    Route {
        Iv => "IV",
        Po => "By mouth (PO)",
        Odt => "Dissolving tablet (ODT)",
        Sl => "Under the tongue (SL)",
        Im => "IM",
        Sc => "Subcutaneous (SC)",
    }
}

const RESCUE_DOSE: Range = Range::new("Dose", "", 0.01, 1000.0);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideEffectInput {
    pub session_id: i64,
    pub effect: Option<Effect>,
    /// What it was, when the effect is "other".
    pub other: Option<String>,
    pub severity: Option<Severity>,
    pub onset_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSideEffect {
    pub session_id: i64,
    pub effect: Effect,
    pub other: Option<String>,
    pub severity: Severity,
    pub onset_time: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideEffect {
    pub id: i64,
    pub session_id: i64,
    pub effect: Effect,
    /// "Nausea", or the description of an "other" effect.
    pub label: String,
    pub severity: Severity,
    pub onset_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub entered_by: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// Saved long after its onset; set when read.
    pub late: bool,
}

/// Longest texts of a side effect and a rescue medication.
pub const MAX_OTHER_EFFECT_CHARS: usize = 200;
pub const MAX_OTHER_MEDICATION_CHARS: usize = 100;
pub const MAX_RESCUE_INDICATION_CHARS: usize = 200;
pub const MAX_RESCUE_EFFECT_CHARS: usize = 500;

impl SideEffectInput {
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewSideEffect> {
        let mut c = Checker::new();
        if self.effect.is_none() {
            c.problem("Side effect is required: choose it from the list, or \"Other\" and describe it.");
        }
        let other = match self.effect {
            Some(Effect::Other) => c.text(
                self.other,
                "Description of the other side effect",
                MAX_OTHER_EFFECT_CHARS,
            ),
            _ => None,
        };
        if self.severity.is_none() {
            c.problem("Severity is required (mild, moderate or severe).");
        }
        let onset_time = check_clinical_time(&mut c, self.onset_time, arrived, now);
        c.finish()?;
        Ok(NewSideEffect {
            session_id: self.session_id,
            effect: self.effect.expect("checked"),
            other,
            severity: self.severity.expect("checked"),
            onset_time: onset_time.expect("checked"),
        })
    }
}

/// Marks a side effect resolved at a clinical time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    pub side_effect_id: i64,
    pub resolved_time: Option<String>,
}

impl Resolution {
    /// The resolution time: on the session's date, not before the onset, not in the future.
    pub fn validate(self, effect: &SideEffect, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let mut c = Checker::new();
        let at = check_clinical_time(&mut c, self.resolved_time, arrived, now);
        if let Some(at) = at.filter(|&at| at < effect.onset_time) {
            c.problem(format!(
                "Resolved time ({}) cannot be before the onset ({}).",
                crate::domain::clock::hm(at),
                crate::domain::clock::hm(effect.onset_time)
            ));
        }
        c.finish()?;
        Ok(at.expect("checked"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionInput {
    pub session_id: i64,
    pub medication: Option<RescueMedication>,
    /// The medication's name, when it is "other".
    pub other: Option<String>,
    pub dose: Option<f64>,
    pub unit: Option<DoseUnit>,
    pub route: Option<Route>,
    pub clinical_time: Option<String>,
    /// Why it was given, in words (the form fills it from the side effect it treats).
    pub indication: Option<String>,
    /// The side effect it treats, if it treats a charted one.
    pub side_effect_id: Option<i64>,
    /// What it did, if already known.
    pub effect: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewIntervention {
    pub session_id: i64,
    pub medication: RescueMedication,
    pub other: Option<String>,
    pub dose: f64,
    pub unit: DoseUnit,
    pub route: Route,
    pub clinical_time: DateTime<Utc>,
    pub indication: String,
    pub side_effect_id: Option<i64>,
    pub effect: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intervention {
    pub id: i64,
    pub session_id: i64,
    pub medication: RescueMedication,
    /// "Ondansetron", or the name of an "other" medication.
    pub name: String,
    pub dose: f64,
    pub unit: DoseUnit,
    pub route: Route,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub indication: String,
    pub side_effect_id: Option<i64>,
    pub effect: Option<String>,
    pub entered_by: String,
    /// Saved long after it was given; set when read.
    pub late: bool,
}

impl InterventionInput {
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<NewIntervention> {
        let mut c = Checker::new();
        if self.medication.is_none() {
            c.problem("Medication is required: choose it from the list, or \"Other\" and name it.");
        }
        let other = match self.medication {
            Some(RescueMedication::Other) => {
                c.text(self.other, "Name of the other medication", MAX_OTHER_MEDICATION_CHARS)
            }
            _ => None,
        };
        let dose = c.decimal(self.dose, RESCUE_DOSE, 3);
        if self.unit.is_none() {
            c.problem("Dose unit is required (mg, mcg or mL).");
        }
        if self.route.is_none() {
            c.problem("Route is required.");
        }
        let clinical_time = check_clinical_time(&mut c, self.clinical_time, arrived, now);
        let indication = c.text(self.indication, "Indication", MAX_RESCUE_INDICATION_CHARS);
        let effect = c.optional_text(self.effect, "Effect", MAX_RESCUE_EFFECT_CHARS);
        c.finish()?;
        Ok(NewIntervention {
            session_id: self.session_id,
            medication: self.medication.expect("checked"),
            other,
            dose: dose.expect("checked"),
            unit: self.unit.expect("checked"),
            route: self.route.expect("checked"),
            clinical_time: clinical_time.expect("checked"),
            indication: indication.expect("checked"),
            side_effect_id: self.side_effect_id,
            effect,
        })
    }
}

/// The short name a rescue medication is charted under: "Ondansetron (nausea)" → "Ondansetron".
pub fn medication_name(medication: RescueMedication, other: Option<String>) -> String {
    other.unwrap_or_else(|| medication.label().split(" (").next().unwrap_or_default().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_day;

    fn now() -> DateTime<Utc> {
        test_day::at(10, 45)
    }

    fn at(h: u32, m: u32) -> Option<String> {
        Some(test_day::at(h, m).to_rfc3339())
    }

    fn arrived() -> DateTime<Utc> {
        test_day::at(8, 0)
    }

    fn rescue() -> InterventionInput {
        InterventionInput {
            session_id: 1,
            medication: Some(RescueMedication::Ondansetron),
            other: None,
            dose: Some(4.0),
            unit: Some(DoseUnit::Mg),
            route: Some(Route::Iv),
            clinical_time: at(10, 30),
            indication: Some("Nausea".into()),
            side_effect_id: None,
            effect: None,
        }
    }

    #[test]
    fn a_side_effect_needs_its_kind_severity_and_onset_and_other_needs_words() {
        let input = |effect, other: Option<&str>, severity| SideEffectInput {
            session_id: 1,
            effect,
            other: other.map(str::to_string),
            severity,
            onset_time: at(10, 20),
        };
        let ok = input(Some(Effect::Nausea), None, Some(Severity::Mild))
            .validate(arrived(), now())
            .unwrap();
        assert_eq!(ok.other, None);
        let cases = [
            (
                input(Some(Effect::Other), Some("  "), Some(Severity::Mild)),
                "Description of the other side effect is required.",
            ),
            (
                input(None, None, Some(Severity::Mild)),
                "Side effect is required: choose it from the list, or \"Other\" and describe it.",
            ),
            (
                input(Some(Effect::Nausea), None, None),
                "Severity is required (mild, moderate or severe).",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(input.validate(arrived(), now()).unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn a_rescue_medication_needs_dose_unit_route_time_and_indication() {
        assert_eq!(rescue().validate(arrived(), now()).unwrap().dose, 4.0);
        let cases = [
            (
                InterventionInput {
                    dose: Some(0.0),
                    ..rescue()
                },
                "Dose must be between 0.01 and 1000; 0 was entered.",
            ),
            (
                InterventionInput { unit: None, ..rescue() },
                "Dose unit is required (mg, mcg or mL).",
            ),
            (
                InterventionInput {
                    route: None,
                    ..rescue()
                },
                "Route is required.",
            ),
            (
                InterventionInput {
                    indication: None,
                    ..rescue()
                },
                "Indication is required.",
            ),
            (
                InterventionInput {
                    medication: Some(RescueMedication::Other),
                    ..rescue()
                },
                "Name of the other medication is required.",
            ),
            (
                InterventionInput {
                    clinical_time: at(11, 30),
                    ..rescue()
                },
                "Clinical time cannot be in the future (it is 10:45 now).",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(input.validate(arrived(), now()).unwrap_err().to_string(), expected);
        }
        assert_eq!(medication_name(RescueMedication::Midazolam, None), "Midazolam");
        assert_eq!(
            medication_name(RescueMedication::Other, Some("Diphenhydramine".into())),
            "Diphenhydramine"
        );
    }
}

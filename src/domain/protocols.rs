//! The protocol library (as on a smart pump's drug library) and the weight-based dose: every number
//! is shown with its arithmetic, the weight's unit is explicit, and the protocol's limits decide
//! whether a dose needs a physician's confirmation (soft limit) or is refused (hard limit).

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::outcomes::Scale;
use crate::domain::validate::{fmt_num, once_each, round, Checker, Range};
use crate::domain::weight::{Weight, WeightUnit};
use crate::error::{Error, Result};

/// A weight this far (as a fraction) from the patient's recorded weight must be confirmed: a slip
/// between lb and kg, or a typo, moves it by far more.
const WEIGHT_CHANGE_TO_CONFIRM: f64 = 0.10;
const DOSE: Range = Range::new("Dose", "mg/kg", 0.01, 10.0);

/// Longest protocol name, drug and route.
pub const MAX_PROTOCOL_NAME_CHARS: usize = 100;
pub const MAX_DRUG_CHARS: usize = 60;
pub const MAX_ROUTE_CHARS: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Protocol {
    pub id: i64,
    pub name: String,
    pub drug: String,
    pub route: String,
    pub dose_mg_per_kg: f64,
    pub duration_min: i64,
    pub concentration_mg_per_ml: f64,
    /// Above this a physician must confirm the dose with a reason.
    pub soft_limit_mg_per_kg: f64,
    /// Above this the dose is refused.
    pub hard_limit_mg_per_kg: f64,
    pub vitals_every_min: i64,
    pub observation_min: i64,
    /// Baseline BP above these raises a hold that only a physician can override.
    pub hold_sbp: i64,
    pub hold_dbp: i64,
    /// How far past its planned dose (percent) a running infusion raises an alert; at the hard
    /// limit it raises a severe one. Protocols kept before this was a setting read the default.
    #[serde(default = "default_overrun_margin")]
    pub overrun_margin_pct: f64,
    pub outcome_scales: Vec<Scale>,
    /// Retired protocols stay for the sessions started on them but start no new ones.
    pub active: bool,
}

/// The longest chair name, and a physician's reason for a dose above the soft limit.
pub const MAX_CHAIR_CHARS: usize = 20;
pub const MAX_DOSE_OVERRIDE_CHARS: usize = 500;

/// The margin past the planned dose before an alert, unless the protocol sets its own.
pub const DEFAULT_OVERRUN_MARGIN: f64 = 10.0;

fn default_overrun_margin() -> f64 {
    DEFAULT_OVERRUN_MARGIN
}

/// What the protocol editor sends: a new protocol (no id) or a change to one; every field required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolInput {
    pub protocol_id: Option<i64>,
    pub name: Option<String>,
    pub drug: Option<String>,
    pub route: Option<String>,
    pub dose_mg_per_kg: Option<f64>,
    pub duration_min: Option<f64>,
    pub concentration_mg_per_ml: Option<f64>,
    pub soft_limit_mg_per_kg: Option<f64>,
    pub hard_limit_mg_per_kg: Option<f64>,
    pub vitals_every_min: Option<f64>,
    pub observation_min: Option<f64>,
    pub hold_sbp: Option<f64>,
    pub hold_dbp: Option<f64>,
    /// Empty: `DEFAULT_OVERRUN_MARGIN`.
    pub overrun_margin_pct: Option<f64>,
    #[serde(default)]
    pub outcome_scales: Vec<Scale>,
    pub active: Option<bool>,
}

impl ProtocolInput {
    /// A protocol whose dose sits within its own limits, soft below hard, every figure in range.
    pub fn validate(self) -> Result<Protocol> {
        let mut c = Checker::new();
        let name = c.text(self.name, "Protocol name", MAX_PROTOCOL_NAME_CHARS);
        let drug = c.text(self.drug, "Drug", MAX_DRUG_CHARS);
        let route = c.text(self.route, "Route", MAX_ROUTE_CHARS);
        let dose = c.decimal(self.dose_mg_per_kg, DOSE, 3);
        let duration = c.whole(self.duration_min, Range::new("Duration", "min", 1.0, 600.0));
        let concentration = c.decimal(
            self.concentration_mg_per_ml,
            Range::new("Concentration", "mg/mL", 0.01, 100.0),
            3,
        );
        let soft = c.decimal(
            self.soft_limit_mg_per_kg,
            Range::new("Soft limit", "mg/kg", 0.01, 10.0),
            3,
        );
        let hard = c.decimal(
            self.hard_limit_mg_per_kg,
            Range::new("Hard limit", "mg/kg", 0.01, 10.0),
            3,
        );
        let every = c.whole(self.vitals_every_min, Range::new("Vitals every", "min", 1.0, 60.0));
        let observation = c.whole(
            self.observation_min,
            Range::new("Observation after the infusion", "min", 0.0, 480.0),
        );
        let hold_sbp = c.whole(
            self.hold_sbp,
            Range::new("Hold above systolic BP", "mmHg", 100.0, 220.0),
        );
        let hold_dbp = c.whole(
            self.hold_dbp,
            Range::new("Hold above diastolic BP", "mmHg", 60.0, 140.0),
        );
        let overrun_margin = c.decimal(
            Some(self.overrun_margin_pct.unwrap_or(DEFAULT_OVERRUN_MARGIN)),
            Range::new("Alert past the planned dose by", "%", 0.0, 100.0),
            1,
        );
        if let (Some(d), Some(s), Some(h)) = (dose, soft, hard) {
            if s > h {
                c.problem(format!(
                    "The soft limit ({} mg/kg) must not be above the hard limit ({} mg/kg).",
                    fmt_num(s),
                    fmt_num(h)
                ));
            } else if d > s {
                c.problem(format!(
                    "The protocol's dose ({} mg/kg) must not be above its soft limit ({} mg/kg).",
                    fmt_num(d),
                    fmt_num(s)
                ));
            }
        }
        c.finish()?;
        Ok(Protocol {
            id: self.protocol_id.unwrap_or(0),
            name: name.expect("checked"),
            drug: drug.expect("checked"),
            route: route.expect("checked"),
            dose_mg_per_kg: dose.expect("checked"),
            duration_min: duration.expect("checked"),
            concentration_mg_per_ml: concentration.expect("checked"),
            soft_limit_mg_per_kg: soft.expect("checked"),
            hard_limit_mg_per_kg: hard.expect("checked"),
            vitals_every_min: every.expect("checked"),
            observation_min: observation.expect("checked"),
            hold_sbp: hold_sbp.expect("checked"),
            hold_dbp: hold_dbp.expect("checked"),
            overrun_margin_pct: overrun_margin.expect("checked"),
            outcome_scales: once_each(self.outcome_scales),
            active: self.active.unwrap_or(true),
        })
    }
}

/// The dose a session was started with, as its screen and report show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionDose {
    pub protocol_id: i64,
    pub protocol_name: String,
    pub plan: DosePlan,
    /// A physician's reason for a dose above the soft limit, and who gave it.
    pub override_reason: Option<String>,
    pub override_by: Option<String>,
    /// The protocol as it was when the session started (none for sessions started before this was kept).
    pub protocol_at_start: Option<Protocol>,
}

/// What the start-session form sends to preview or start a dose.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoseInput {
    pub patient_id: i64,
    pub protocol_id: i64,
    pub weight: Option<f64>,
    pub weight_unit: Option<WeightUnit>,
    /// Empty: the protocol's dose.
    pub dose_mg_per_kg: Option<f64>,
    /// Set once the nurse has confirmed a weight far from the recorded one.
    #[serde(default)]
    pub weight_confirmed: bool,
    /// A physician's reason for a dose above the soft limit.
    pub override_reason: Option<String>,
    /// The infusion chair, as the clinic names them (optional).
    pub chair: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Within,
    AboveSoft,
    AboveHard,
}

/// The dose for one session, every figure with the arithmetic that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DosePlan {
    /// Today's weight as typed; the dose is computed from its exact kg.
    #[serde(alias = "weight_kg", deserialize_with = "stored_weight")]
    pub weight: Weight,
    pub dose_mg_per_kg: f64,
    pub total_mg: f64,
    pub concentration_mg_per_ml: f64,
    pub volume_ml: f64,
    pub rate_ml_per_h: f64,
    pub mg_per_kg_per_h: f64,
    pub duration_min: i64,
    pub limit: Limit,
    /// The weight is far from the patient's recorded one: the nurse must confirm it.
    pub weight_far_from_recorded: bool,
    /// Lines such as "154 lb = 69.85 kg × 0.5 mg/kg = 34.93 mg", shown as they are.
    pub arithmetic: Vec<String>,
    /// Why the plan cannot start as it is (a weight to confirm, a limit), in words; empty if it can.
    pub warnings: Vec<String>,
}

/// A plan's weight as stored: typed with its unit, or (plans stored before the unit was kept) the
/// `weight_kg` figure alone, read as typed in kg.
fn stored_weight<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Weight, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Typed(Weight),
        Kg(f64),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Typed(weight) => weight,
        Stored::Kg(value) => Weight {
            value,
            unit: WeightUnit::Kg,
        },
    })
}

impl Protocol {
    /// The plan for `input` on this protocol, from the exact kg of the weight typed today.
    /// `recorded` is the patient's recorded weight.
    pub fn plan(&self, input: &DoseInput, recorded: Weight) -> Result<DosePlan> {
        let mut c = Checker::new();
        let weight = Weight::read(input.weight, input.weight_unit, &mut c);
        let dose = c.decimal(Some(input.dose_mg_per_kg.unwrap_or(self.dose_mg_per_kg)), DOSE, 3);
        c.finish()?;
        let (weight, dose) = (weight.expect("checked"), dose.expect("checked"));
        let hours = self.duration_min as f64 / 60.0;
        // Each figure from the exact ones before it; only what is shown is rounded.
        let mg = weight.kg() * dose;
        let ml = mg / self.concentration_mg_per_ml;
        let total_mg = round(mg, 2);
        let volume_ml = round(ml, 2);
        let rate_ml_per_h = round(ml / hours, 1);
        let mg_per_kg_per_h = round(dose / hours, 3);
        let limit = if dose > self.hard_limit_mg_per_kg {
            Limit::AboveHard
        } else if dose > self.soft_limit_mg_per_kg {
            Limit::AboveSoft
        } else {
            Limit::Within
        };
        let n = fmt_num;
        // A weight in lb shows its conversion, so the kg is visibly derived.
        let kg = match weight.unit {
            WeightUnit::Kg => weight.typed(),
            WeightUnit::Lb => format!("{} = {:.2} kg", weight.typed(), weight.kg()),
        };
        let arithmetic = vec![
            format!("{kg} × {} mg/kg = {} mg", n(dose), n(total_mg)),
            format!(
                "{} mg ÷ {} mg/mL = {} mL",
                n(total_mg),
                n(self.concentration_mg_per_ml),
                n(volume_ml)
            ),
            format!(
                "{} mL over {} min = {} mL/h",
                n(volume_ml),
                self.duration_min,
                n(rate_ml_per_h)
            ),
            format!(
                "{} mg/kg over {} min = {} mg/kg/h",
                n(dose),
                self.duration_min,
                n(mg_per_kg_per_h)
            ),
        ];
        let mut warnings = Vec::new();
        let change = (weight.kg() - recorded.kg()).abs() / recorded.kg();
        let weight_far_from_recorded = change > WEIGHT_CHANGE_TO_CONFIRM;
        if weight_far_from_recorded && !input.weight_confirmed {
            warnings.push(format!(
                "{} is {}% away from the recorded {}. Check the unit (kg or lb) and confirm the weight.",
                weight.label(),
                (change * 100.0).round(),
                recorded.label()
            ));
        }
        match limit {
            Limit::AboveHard => warnings.push(format!(
                "{} mg/kg is above this protocol's hard limit of {} mg/kg and cannot be given.",
                n(dose),
                n(self.hard_limit_mg_per_kg)
            )),
            Limit::AboveSoft if input.override_reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
                warnings.push(format!(
                "{} mg/kg is above this protocol's soft limit of {} mg/kg: a physician must confirm it with a reason.",
                n(dose),
                n(self.soft_limit_mg_per_kg)
            ))
            }
            _ => {}
        }
        Ok(DosePlan {
            weight,
            dose_mg_per_kg: dose,
            total_mg,
            concentration_mg_per_ml: self.concentration_mg_per_ml,
            volume_ml,
            rate_ml_per_h,
            mg_per_kg_per_h,
            duration_min: self.duration_min,
            limit,
            weight_far_from_recorded,
            arithmetic,
            warnings,
        })
    }
}

impl DosePlan {
    /// Refuses to start on a plan with anything left to resolve, saying what.
    pub fn ready(&self) -> Result<()> {
        if self.warnings.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.warnings.join(" ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol() -> Protocol {
        Protocol {
            id: 1,
            name: "Ketamine IV 0.5 mg/kg over 40 min".into(),
            drug: "ketamine".into(),
            route: "IV".into(),
            dose_mg_per_kg: 0.5,
            duration_min: 40,
            concentration_mg_per_ml: 1.0,
            soft_limit_mg_per_kg: 0.75,
            hard_limit_mg_per_kg: 1.5,
            vitals_every_min: 10,
            observation_min: 60,
            hold_sbp: 140,
            hold_dbp: 90,
            overrun_margin_pct: 10.0,
            outcome_scales: vec![Scale::Phq9],
            active: true,
        }
    }

    fn edit() -> ProtocolInput {
        ProtocolInput {
            protocol_id: None,
            name: Some("Ketamine IV 0.2 mg/kg over 40 min".into()),
            drug: Some("ketamine".into()),
            route: Some("IV".into()),
            dose_mg_per_kg: Some(0.2),
            duration_min: Some(40.0),
            concentration_mg_per_ml: Some(1.0),
            soft_limit_mg_per_kg: Some(0.75),
            hard_limit_mg_per_kg: Some(1.5),
            vitals_every_min: Some(10.0),
            observation_min: Some(60.0),
            hold_sbp: Some(140.0),
            hold_dbp: Some(90.0),
            overrun_margin_pct: None,
            outcome_scales: vec![Scale::Phq9, Scale::Gad7],
            active: None,
        }
    }

    #[test]
    fn a_protocol_keeps_its_dose_within_its_own_limits() {
        assert!(edit().validate().unwrap().active);
        let cases = [
            (
                ProtocolInput {
                    soft_limit_mg_per_kg: Some(2.0),
                    ..edit()
                },
                "The soft limit (2 mg/kg) must not be above the hard limit (1.5 mg/kg).",
            ),
            (
                ProtocolInput {
                    dose_mg_per_kg: Some(1.0),
                    ..edit()
                },
                "The protocol's dose (1 mg/kg) must not be above its soft limit (0.75 mg/kg).",
            ),
            (
                ProtocolInput {
                    duration_min: Some(0.0),
                    ..edit()
                },
                "Duration must be between 1 and 600 min; 0 was entered.",
            ),
            (ProtocolInput { name: None, ..edit() }, "Protocol name is required."),
        ];
        for (input, expected) in cases {
            assert_eq!(input.validate().unwrap_err().to_string(), expected);
        }
    }

    fn input(weight: f64, unit: WeightUnit, dose: Option<f64>) -> DoseInput {
        DoseInput {
            patient_id: 1,
            protocol_id: 1,
            weight: Some(weight),
            weight_unit: Some(unit),
            dose_mg_per_kg: dose,
            weight_confirmed: false,
            override_reason: None,
            chair: None,
        }
    }

    fn kg(value: f64) -> Weight {
        Weight {
            value,
            unit: WeightUnit::Kg,
        }
    }

    #[test]
    fn the_dose_is_computed_from_the_exact_kg_with_its_arithmetic() {
        // (typed, unit, total mg, volume mL, rate mL/h, first line of the arithmetic)
        let cases = [
            (70.0, WeightUnit::Kg, 35.0, 35.0, 52.5, "70 kg × 0.5 mg/kg = 35 mg"),
            (
                154.0,
                WeightUnit::Lb,
                34.93,
                34.93,
                52.4,
                "154 lb = 69.85 kg × 0.5 mg/kg = 34.93 mg",
            ),
            (
                160.0,
                WeightUnit::Lb,
                36.29,
                36.29,
                54.4,
                "160 lb = 72.57 kg × 0.5 mg/kg = 36.29 mg",
            ),
            (
                72.5,
                WeightUnit::Kg,
                36.25,
                36.25,
                54.4,
                "72.5 kg × 0.5 mg/kg = 36.25 mg",
            ),
        ];
        for (typed, unit, mg, ml, rate, first) in cases {
            let plan = protocol().plan(&input(typed, unit, None), kg(70.0)).unwrap();
            assert_eq!(plan.weight, Weight { value: typed, unit }, "{first}");
            assert_eq!(
                (plan.total_mg, plan.volume_ml, plan.rate_ml_per_h, plan.mg_per_kg_per_h),
                (mg, ml, rate, 0.75),
                "{first}"
            );
            assert_eq!(plan.arithmetic[0], first);
        }
        let plan = protocol().plan(&input(154.0, WeightUnit::Lb, None), kg(70.0)).unwrap();
        assert_eq!(
            plan.arithmetic,
            vec![
                "154 lb = 69.85 kg × 0.5 mg/kg = 34.93 mg",
                "34.93 mg ÷ 1 mg/mL = 34.93 mL",
                "34.93 mL over 40 min = 52.4 mL/h",
                "0.5 mg/kg over 40 min = 0.75 mg/kg/h",
            ]
        );
        assert_eq!((plan.limit, plan.warnings.len()), (Limit::Within, 0));
        assert!(plan.ready().is_ok());
    }

    #[test]
    fn a_plan_stored_before_the_unit_was_kept_reads_its_kg_as_typed_in_kg() {
        let stored = r#"{"weight_kg":72.6,"weight_lb":160.1,"dose_mg_per_kg":0.5,"total_mg":36.3,
            "concentration_mg_per_ml":1.0,"volume_ml":36.3,"rate_ml_per_h":54.5,"mg_per_kg_per_h":0.75,
            "duration_min":40,"limit":"within","weight_far_from_recorded":false,
            "arithmetic":["72.6 kg × 0.5 mg/kg = 36.3 mg"],"warnings":[]}"#;
        let plan: DosePlan = serde_json::from_str(stored).unwrap();
        assert_eq!((plan.weight, plan.total_mg), (kg(72.6), 36.3));
        assert_eq!(plan.weight.label(), "72.6 kg (160.06 lb)");
        let new = protocol().plan(&input(154.0, WeightUnit::Lb, None), kg(70.0)).unwrap();
        let again: DosePlan = serde_json::from_str(&serde_json::to_string(&new).unwrap()).unwrap();
        assert_eq!(again, new);
    }

    #[test]
    fn a_weight_far_from_the_recorded_one_must_be_confirmed() {
        // 154 typed as kg for a 70 kg patient: the lb/kg slip this rule exists for.
        let plan = protocol().plan(&input(154.0, WeightUnit::Kg, None), kg(70.0)).unwrap();
        assert_eq!(
            plan.warnings,
            vec!["154 kg (339.51 lb) is 120% away from the recorded 70 kg (154.32 lb). Check the unit (kg or lb) and confirm the weight."]
        );
        // The same patient weighed in lb today: the exact kgs are compared, so nothing to confirm.
        let in_lb = protocol().plan(&input(154.0, WeightUnit::Lb, None), kg(70.0)).unwrap();
        assert!(!in_lb.weight_far_from_recorded);
        assert_eq!(plan.ready().unwrap_err().kind(), "validation");
        let confirmed = DoseInput {
            weight_confirmed: true,
            ..input(154.0, WeightUnit::Kg, None)
        };
        assert!(protocol().plan(&confirmed, kg(70.0)).unwrap().ready().is_ok());
        assert!(
            protocol()
                .plan(&input(75.0, WeightUnit::Kg, None), kg(70.0))
                .unwrap()
                .ready()
                .is_ok(),
            "7% is within the normal change"
        );
    }

    #[test]
    fn soft_limit_needs_a_reason_and_hard_limit_is_refused() {
        let cases: &[(f64, Option<&str>, Limit, &[&str])] = &[
            (0.75, None, Limit::Within, &[]),
            (0.8, None, Limit::AboveSoft, &["0.8 mg/kg is above this protocol's soft limit of 0.75 mg/kg: a physician must confirm it with a reason."]),
            (0.8, Some("Titrated course, prior response partial"), Limit::AboveSoft, &[]),
            (1.6, Some("any"), Limit::AboveHard, &["1.6 mg/kg is above this protocol's hard limit of 1.5 mg/kg and cannot be given."]),
        ];
        for (dose, reason, limit, warnings) in cases {
            let request = DoseInput {
                override_reason: reason.map(str::to_string),
                ..input(70.0, WeightUnit::Kg, Some(*dose))
            };
            let plan = protocol().plan(&request, kg(70.0)).unwrap();
            assert_eq!(plan.limit, *limit, "{dose}");
            assert_eq!(
                plan.warnings,
                warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                "{dose}"
            );
        }
    }

    #[test]
    fn missing_or_impossible_inputs_name_the_field() {
        let cases = [
            (
                DoseInput {
                    weight_unit: None,
                    ..input(70.0, WeightUnit::Kg, None)
                },
                "Choose the weight's unit: kg or lb.",
            ),
            (
                input(10.0, WeightUnit::Kg, None),
                "Weight must be between 20 and 350 kg; 10 was entered.",
            ),
            (
                input(900.0, WeightUnit::Lb, None),
                "Weight must be between 44 and 772 lb; 900 was entered.",
            ),
            (
                input(70.0, WeightUnit::Kg, Some(0.0)),
                "Dose must be between 0.01 and 10 mg/kg; 0 was entered.",
            ),
        ];
        for (request, message) in cases {
            assert_eq!(protocol().plan(&request, kg(70.0)).unwrap_err().to_string(), message);
        }
    }
}

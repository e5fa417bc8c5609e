//! A patient's weight as the nurse typed it: the figure and its unit, kept as typed. The kg every
//! dose is calculated from is derived from it exactly, and every screen, report and export shows it
//! with one label, the typed figure first and the converted one in brackets.

use serde::{Deserialize, Serialize};

use crate::domain::validate::{fmt_num, round, Checker, Range};

pub const WEIGHT: Range = Range::new("Weight", "kg", 20.0, 350.0);

/// Pounds to kilograms, exactly as defined.
pub const KG_PER_LB: f64 = 0.453_592_37;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightUnit {
    Kg,
    Lb,
}

impl WeightUnit {
    /// "kg" or "lb", as stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            WeightUnit::Kg => "kg",
            WeightUnit::Lb => "lb",
        }
    }

    /// The unit's name in UCUM, as FHIR writes quantities.
    pub fn ucum(self) -> &'static str {
        match self {
            WeightUnit::Kg => "kg",
            WeightUnit::Lb => "[lb_av]",
        }
    }

    /// The unit from its stored name.
    pub fn from_name(name: &str) -> Option<WeightUnit> {
        match name {
            "kg" => Some(WeightUnit::Kg),
            "lb" => Some(WeightUnit::Lb),
            _ => None,
        }
    }
}

/// A weight as typed: `value` in `unit`. Sent to the window as `{value, unit, kg, label}`, where `kg`
/// (unrounded) and `label` are derived.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(into = "ShownWeight")]
pub struct Weight {
    pub value: f64,
    pub unit: WeightUnit,
}

#[derive(Serialize)]
struct ShownWeight {
    value: f64,
    unit: WeightUnit,
    kg: f64,
    label: String,
}

impl From<Weight> for ShownWeight {
    fn from(w: Weight) -> Self {
        ShownWeight {
            value: w.value,
            unit: w.unit,
            kg: w.kg(),
            label: w.label(),
        }
    }
}

impl Weight {
    /// The weight typed in `unit`, checked against the range in that unit (the typed figure to one
    /// decimal); the unit is never guessed.
    pub fn read(value: Option<f64>, unit: Option<WeightUnit>, c: &mut Checker) -> Option<Weight> {
        let Some(unit) = unit else {
            c.problem("Choose the weight's unit: kg or lb.");
            return None;
        };
        let range = match unit {
            WeightUnit::Kg => WEIGHT,
            WeightUnit::Lb => Range {
                label: "Weight",
                unit: "lb",
                min: round(WEIGHT.min / KG_PER_LB, 0),
                max: round(WEIGHT.max / KG_PER_LB, 0),
            },
        };
        let value = c.decimal(value, range, 1)?;
        Some(Weight { value, unit })
    }

    /// The weight in kg, exactly (a weight in lb converted without rounding): what doses use.
    pub fn kg(self) -> f64 {
        match self.unit {
            WeightUnit::Kg => self.value,
            WeightUnit::Lb => self.value * KG_PER_LB,
        }
    }

    /// The typed figure and unit, e.g. "154 lb".
    pub fn typed(self) -> String {
        format!("{} {}", fmt_num(self.value), self.unit.name())
    }

    /// What every screen shows: the typed figure as typed, the other unit derived to two decimals in
    /// brackets: "154 lb (69.85 kg)", "70 kg (154.32 lb)".
    pub fn label(self) -> String {
        let (other, unit) = match self.unit {
            WeightUnit::Kg => (self.value / KG_PER_LB, WeightUnit::Lb),
            WeightUnit::Lb => (self.kg(), WeightUnit::Kg),
        };
        format!("{} ({other:.2} {})", self.typed(), unit.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_shows_the_typed_figure_and_the_derived_one_to_two_decimals() {
        let cases = [
            (154.0, WeightUnit::Lb, "154 lb (69.85 kg)", 69.853_224_98),
            (70.0, WeightUnit::Kg, "70 kg (154.32 lb)", 70.0),
            (160.0, WeightUnit::Lb, "160 lb (72.57 kg)", 72.574_779_2),
            (72.5, WeightUnit::Kg, "72.5 kg (159.84 lb)", 72.5),
            (154.5, WeightUnit::Lb, "154.5 lb (70.08 kg)", 70.080_021_165),
            (100.0, WeightUnit::Kg, "100 kg (220.46 lb)", 100.0),
        ];
        for (value, unit, label, kg) in cases {
            let w = Weight { value, unit };
            assert_eq!(w.label(), label);
            assert!((w.kg() - kg).abs() < 1e-9, "{label}: {}", w.kg());
        }
    }

    #[test]
    fn the_typed_figure_is_kept_in_its_unit_to_one_decimal() {
        let read = |value, unit| {
            let mut c = Checker::new();
            let w = Weight::read(Some(value), Some(unit), &mut c);
            c.finish().map(|_| w.unwrap()).map_err(|e| e.to_string())
        };
        assert_eq!(
            read(154.0, WeightUnit::Lb),
            Ok(Weight {
                value: 154.0,
                unit: WeightUnit::Lb
            })
        );
        assert_eq!(read(72.46, WeightUnit::Kg).map(|w| w.value), Ok(72.5));
        assert_eq!(
            read(800.0, WeightUnit::Lb),
            Err("Weight must be between 44 and 772 lb; 800 was entered.".into())
        );
    }

    #[test]
    fn the_window_gets_the_typed_weight_with_its_exact_kg_and_label() {
        let json = serde_json::to_value(Weight {
            value: 154.0,
            unit: WeightUnit::Lb,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"value": 154.0, "unit": "lb", "kg": 154.0 * KG_PER_LB, "label": "154 lb (69.85 kg)"})
        );
        let back: Weight = serde_json::from_value(json).unwrap();
        assert_eq!(back.label(), "154 lb (69.85 kg)");
    }
}

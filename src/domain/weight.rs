//! A patient's weight: the units a nurse types it in, and the range a weight may take.

use serde::{Deserialize, Serialize};

use crate::domain::validate::{round, Checker, Range};

pub const WEIGHT: Range = Range::new("Weight", "kg", 20.0, 350.0);

/// Pounds to kilograms, exactly as defined.
pub const KG_PER_LB: f64 = 0.453_592_37;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightUnit {
    Kg,
    Lb,
}

/// Weight in kg from what was typed in its unit; the unit is never guessed.
pub fn weight_kg(weight: Option<f64>, unit: Option<WeightUnit>, c: &mut Checker) -> Option<f64> {
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
    let typed = c.decimal(weight, range, 1)?;
    Some(round(
        if unit == WeightUnit::Lb {
            typed * KG_PER_LB
        } else {
            typed
        },
        1,
    ))
}

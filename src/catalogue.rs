//! Fixed lists the clinical reference defines (indications, contraindications, side effects, rescue
//! medications, routes ...). Each is an enum with the label a nurse reads; the window gets every list
//! from `reference_lists`, so a label is written once, here.

use serde::Serialize;

/// One entry of a list as the window shows it: the stored name and its label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub name: String,
    pub label: &'static str,
}

/// Declares a list: the enum (stored by its snake_case name), `ALL`, `label()`, `name()` and `choices()`.
macro_rules! catalogue {
    ($(#[$doc:meta])* $list:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $list { $($variant),+ }

        impl $list {
            pub const ALL: &'static [$list] = &[$($list::$variant),+];

            pub fn label(self) -> &'static str {
                match self { $($list::$variant => $label),+ }
            }

            /// The snake_case name stored in the database.
            pub fn name(self) -> String {
                match serde_json::to_value(self) {
                    Ok(serde_json::Value::String(name)) => name,
                    _ => unreachable!("catalogue entries serialise as strings"),
                }
            }

            pub fn from_name(name: &str) -> Option<$list> {
                serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
            }

            pub fn choices() -> Vec<$crate::catalogue::Choice> {
                Self::ALL.iter().map(|v| $crate::catalogue::Choice { name: v.name(), label: v.label() }).collect()
            }
        }
    };
}
pub(crate) use catalogue;

/// Every list the forms choose from, and the outcome scales' items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceLists {
    pub sexes: Vec<Choice>,
    pub indications: Vec<Choice>,
    pub contraindications: Vec<Choice>,
    pub flagged_medications: Vec<Choice>,
    pub pregnancy: Vec<Choice>,
    pub side_effects: Vec<Choice>,
    pub severities: Vec<Choice>,
    pub rescue_medications: Vec<Choice>,
    pub dose_units: Vec<Choice>,
    pub routes: Vec<Choice>,
    pub timepoints: Vec<Choice>,
    pub scales: Vec<crate::outcomes::ScaleSpec>,
    /// What the audit trail's action filter offers.
    pub audit_actions: Vec<Choice>,
    /// Why a backup was made, as the backup screen says it.
    pub backup_kinds: Vec<Choice>,
}

pub fn reference_lists() -> ReferenceLists {
    use crate::{outcomes, patients, preparation, side_effects};
    ReferenceLists {
        sexes: patients::Sex::choices(),
        indications: patients::Indication::choices(),
        contraindications: patients::Contraindication::choices(),
        flagged_medications: patients::FlaggedMedication::choices(),
        pregnancy: preparation::Pregnancy::choices(),
        side_effects: side_effects::Effect::choices(),
        severities: side_effects::Severity::choices(),
        rescue_medications: side_effects::RescueMedication::choices(),
        dose_units: side_effects::DoseUnit::choices(),
        routes: side_effects::Route::choices(),
        timepoints: outcomes::Timepoint::choices(),
        backup_kinds: crate::backup::BackupKind::choices(),
        scales: outcomes::Scale::ALL.iter().map(|s| s.spec()).collect(),
        audit_actions: crate::audit::Action::choices(),
    }
}

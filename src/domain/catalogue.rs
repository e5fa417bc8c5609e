//! Fixed lists the clinical reference defines (indications, contraindications, side effects, rescue
//! medications, routes ...). Each is an enum with the label a nurse reads; the window gets every list
//! from `app::lists::reference_lists`, so a label is written once, here.

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

            pub fn choices() -> Vec<$crate::domain::catalogue::Choice> {
                Self::ALL.iter().map(|v| $crate::domain::catalogue::Choice { name: v.name(), label: v.label() }).collect()
            }
        }
    };
}
pub(crate) use catalogue;

//! Clinic settings an admin changes. Every threshold and cadence that is clinic policy belongs here,
//! with the defaults of the clinical reference.

use serde::{Deserialize, Serialize};

use crate::alerts::Thresholds;
use crate::error::Result;
use crate::validate::{Checker, Range};

pub const AUTO_LOCK_MINUTES: Range = Range {
    label: "Auto-lock",
    unit: "minutes",
    min: 1.0,
    max: 30.0,
};
pub const LATE_ENTRY_MINUTES: Range = Range {
    label: "Late entry after",
    unit: "minutes",
    min: 1.0,
    max: 240.0,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Minutes without activity before the screen locks itself.
    pub auto_lock_minutes: u32,
    /// An entry saved this many minutes after its clinical time is labelled a late entry.
    pub late_entry_minutes: u32,
    /// Vitals cadence after the infusion stops (the protocol sets it during the infusion).
    pub recovery_vitals_every_min: u32,
    /// The vitals alert rules' thresholds.
    pub alerts: Thresholds,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_lock_minutes: 10,
            late_entry_minutes: 15,
            recovery_vitals_every_min: 15,
            alerts: Thresholds::default(),
        }
    }
}

impl Settings {
    /// Each value inside its allowed range, or its default: a damaged row must not lock every screen at once.
    pub fn sanitised(self) -> Settings {
        let defaults = Settings::default();
        let in_range = |v: u32, r: Range| (r.min..=r.max).contains(&(v as f64));
        Settings {
            auto_lock_minutes: if in_range(self.auto_lock_minutes, AUTO_LOCK_MINUTES) {
                self.auto_lock_minutes
            } else {
                defaults.auto_lock_minutes
            },
            late_entry_minutes: if in_range(self.late_entry_minutes, LATE_ENTRY_MINUTES) {
                self.late_entry_minutes
            } else {
                defaults.late_entry_minutes
            },
            recovery_vitals_every_min: if (1..=120).contains(&self.recovery_vitals_every_min) {
                self.recovery_vitals_every_min
            } else {
                defaults.recovery_vitals_every_min
            },
            alerts: Thresholds {
                high_bp_window_min: self.alerts.high_bp_window_min.clamp(1, 60),
                high_hr_sustained_min: self.alerts.high_hr_sustained_min.clamp(1, 60),
                ..self.alerts
            },
        }
    }
}

/// What the settings form sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub auto_lock_minutes: Option<f64>,
    /// Left out: unchanged.
    pub late_entry_minutes: Option<f64>,
}

impl SettingsInput {
    /// `current` with what the form changed, checked.
    pub fn apply_to(self, current: &Settings) -> Result<Settings> {
        let mut c = Checker::new();
        let minutes = c.whole(self.auto_lock_minutes, AUTO_LOCK_MINUTES);
        let late = c.optional_whole(self.late_entry_minutes, LATE_ENTRY_MINUTES);
        c.finish()?;
        Ok(Settings {
            auto_lock_minutes: minutes.expect("checked") as u32,
            late_entry_minutes: late.map_or(current.late_entry_minutes, |m| m as u32),
            ..current.clone()
        })
    }
}

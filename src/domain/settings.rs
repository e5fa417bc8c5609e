//! Clinic settings an admin changes. Every threshold and cadence that is clinic policy belongs here,
//! with the defaults of the clinical reference.

use serde::{Deserialize, Serialize};

use crate::domain::alerts::Thresholds;
use crate::domain::validate::{Checker, Range};
use crate::error::Result;

pub const AUTO_LOCK_MINUTES: Range = Range::new("Auto-lock", "minutes", 1.0, 30.0);
pub const LATE_ENTRY_MINUTES: Range = Range::new("Late entry after", "minutes", 1.0, 240.0);
const RECOVERY_VITALS: Range = Range::new("Recovery vitals every", "minutes", 1.0, 120.0);
const DISCHARGE_ALDRETE: Range = Range::new("Discharge at Aldrete", "", 5.0, 10.0);
const HIGH_SBP: Range = Range::new("High systolic BP", "mmHg", 120.0, 250.0);
const HIGH_DBP: Range = Range::new("High diastolic BP", "mmHg", 70.0, 150.0);
const HIGH_BP_WINDOW: Range = Range::new("High BP twice within", "minutes", 1.0, 60.0);
const SEVERE_SBP: Range = Range::new("Severe systolic BP", "mmHg", 140.0, 300.0);
const SEVERE_DBP: Range = Range::new("Severe diastolic BP", "mmHg", 80.0, 180.0);
const HIGH_HR: Range = Range::new("High heart rate", "bpm", 80.0, 200.0);
const HIGH_HR_SUSTAINED: Range = Range::new("High heart rate sustained for", "minutes", 1.0, 60.0);
const LOW_SPO2: Range = Range::new("Low SpO2", "%", 80.0, 99.0);
const BACKUP_EVERY: Range = Range::new("Automatic backup every", "hours", 1.0, 24.0);
const KEEP_DAILY: Range = Range::new("Daily backups kept", "", 1.0, 90.0);
const KEEP_WEEKLY: Range = Range::new("Weekly backups kept", "", 0.0, 104.0);
const BACKUP_WARN: Range = Range::new("Warn when the last backup is older than", "hours", 1.0, 720.0);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Minutes without activity before the screen locks itself.
    pub auto_lock_minutes: u32,
    /// An entry saved this many minutes after its clinical time is labelled a late entry.
    pub late_entry_minutes: u32,
    /// Vitals cadence after the infusion stops (the protocol sets it during the infusion).
    pub recovery_vitals_every_min: u32,
    /// The lowest modified Aldrete total at which a nurse may discharge without a physician's override.
    pub discharge_min_aldrete: u32,
    /// The vitals alert rules' thresholds.
    pub alerts: Thresholds,
    /// The clinic as printed at the top of every report.
    pub clinic: ClinicHeader,
    /// How often automatic backups run, how many are kept, and when a stale one is warned about.
    pub backup: BackupPolicy,
}

/// Automatic backups: every `every_hours` while the database is open (and at sign-out and exit),
/// rotated to the newest of each of the last `keep_daily` days and `keep_weekly` weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupPolicy {
    pub every_hours: u32,
    pub keep_daily: u32,
    pub keep_weekly: u32,
    pub warn_after_hours: u32,
}

impl Default for BackupPolicy {
    fn default() -> Self {
        BackupPolicy {
            every_hours: 4,
            keep_daily: 7,
            keep_weekly: 4,
            warn_after_hours: 24,
        }
    }
}

/// The clinic's name, address and phone for report headers; empty until an admin sets them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClinicHeader {
    pub name: String,
    pub address: String,
    pub phone: String,
    /// Size of the report logo (stored apart, so reading settings stays cheap); 0 if none. Filled
    /// in when settings are shown, never read back.
    #[serde(skip_deserializing)]
    pub logo_bytes: usize,
}

/// A new report logo: the PNG file's bytes as hex; empty removes the logo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogoInput {
    pub png_hex: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_lock_minutes: 10,
            late_entry_minutes: 15,
            recovery_vitals_every_min: 15,
            discharge_min_aldrete: 9,
            alerts: Thresholds::default(),
            clinic: ClinicHeader::default(),
            backup: BackupPolicy::default(),
        }
    }
}

impl Settings {
    /// Each value inside its allowed range, or its default: a damaged row must not lock every screen at once.
    pub fn sanitised(self) -> Settings {
        let d = Settings::default();
        let ok = |v: f64, r: Range| (r.min..=r.max).contains(&v);
        let pick = |v: u32, r: Range, default: u32| if ok(v as f64, r) { v } else { default };
        let pick_i = |v: i64, r: Range, default: i64| if ok(v as f64, r) { v } else { default };
        let (a, da, db) = (&self.alerts, &d.alerts, &d.backup);
        Settings {
            auto_lock_minutes: pick(self.auto_lock_minutes, AUTO_LOCK_MINUTES, d.auto_lock_minutes),
            late_entry_minutes: pick(self.late_entry_minutes, LATE_ENTRY_MINUTES, d.late_entry_minutes),
            recovery_vitals_every_min: pick(
                self.recovery_vitals_every_min,
                RECOVERY_VITALS,
                d.recovery_vitals_every_min,
            ),
            discharge_min_aldrete: pick(self.discharge_min_aldrete, DISCHARGE_ALDRETE, d.discharge_min_aldrete),
            alerts: Thresholds {
                high_sbp: pick_i(a.high_sbp, HIGH_SBP, da.high_sbp),
                high_dbp: pick_i(a.high_dbp, HIGH_DBP, da.high_dbp),
                high_bp_window_min: pick_i(a.high_bp_window_min, HIGH_BP_WINDOW, da.high_bp_window_min),
                severe_sbp: pick_i(a.severe_sbp, SEVERE_SBP, da.severe_sbp),
                severe_dbp: pick_i(a.severe_dbp, SEVERE_DBP, da.severe_dbp),
                high_hr: pick_i(a.high_hr, HIGH_HR, da.high_hr),
                high_hr_sustained_min: pick_i(a.high_hr_sustained_min, HIGH_HR_SUSTAINED, da.high_hr_sustained_min),
                low_spo2: pick_i(a.low_spo2, LOW_SPO2, da.low_spo2),
            },
            clinic: self.clinic,
            backup: BackupPolicy {
                every_hours: pick(self.backup.every_hours, BACKUP_EVERY, db.every_hours),
                keep_daily: pick(self.backup.keep_daily, KEEP_DAILY, db.keep_daily),
                keep_weekly: pick(self.backup.keep_weekly, KEEP_WEEKLY, db.keep_weekly),
                warn_after_hours: pick(self.backup.warn_after_hours, BACKUP_WARN, db.warn_after_hours),
            },
        }
    }
}

/// What the settings form sends; a field left out stays as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub auto_lock_minutes: Option<f64>,
    pub late_entry_minutes: Option<f64>,
    pub recovery_vitals_every_min: Option<f64>,
    pub discharge_min_aldrete: Option<f64>,
    pub high_sbp: Option<f64>,
    pub high_dbp: Option<f64>,
    pub high_bp_window_min: Option<f64>,
    pub severe_sbp: Option<f64>,
    pub severe_dbp: Option<f64>,
    pub high_hr: Option<f64>,
    pub high_hr_sustained_min: Option<f64>,
    pub low_spo2: Option<f64>,
    /// Report header; an empty text clears it.
    pub clinic_name: Option<String>,
    pub clinic_address: Option<String>,
    pub clinic_phone: Option<String>,
    pub backup_every_hours: Option<f64>,
    pub backup_keep_daily: Option<f64>,
    pub backup_keep_weekly: Option<f64>,
    pub backup_warn_after_hours: Option<f64>,
}

impl SettingsInput {
    /// `current` with what the form changed, checked; severe BP must be above high BP.
    pub fn apply_to(self, current: &Settings) -> Result<Settings> {
        let mut c = Checker::new();
        let mut whole = |v: Option<f64>, r: Range, now: i64| c.optional_whole(v, r).unwrap_or(now);
        let (a, b, cur) = (&current.alerts, &current.backup, current);
        let next = Settings {
            auto_lock_minutes: whole(self.auto_lock_minutes, AUTO_LOCK_MINUTES, cur.auto_lock_minutes as i64) as u32,
            late_entry_minutes: whole(
                self.late_entry_minutes,
                LATE_ENTRY_MINUTES,
                cur.late_entry_minutes as i64,
            ) as u32,
            recovery_vitals_every_min: whole(
                self.recovery_vitals_every_min,
                RECOVERY_VITALS,
                cur.recovery_vitals_every_min as i64,
            ) as u32,
            discharge_min_aldrete: whole(
                self.discharge_min_aldrete,
                DISCHARGE_ALDRETE,
                cur.discharge_min_aldrete as i64,
            ) as u32,
            alerts: Thresholds {
                high_sbp: whole(self.high_sbp, HIGH_SBP, a.high_sbp),
                high_dbp: whole(self.high_dbp, HIGH_DBP, a.high_dbp),
                high_bp_window_min: whole(self.high_bp_window_min, HIGH_BP_WINDOW, a.high_bp_window_min),
                severe_sbp: whole(self.severe_sbp, SEVERE_SBP, a.severe_sbp),
                severe_dbp: whole(self.severe_dbp, SEVERE_DBP, a.severe_dbp),
                high_hr: whole(self.high_hr, HIGH_HR, a.high_hr),
                high_hr_sustained_min: whole(self.high_hr_sustained_min, HIGH_HR_SUSTAINED, a.high_hr_sustained_min),
                low_spo2: whole(self.low_spo2, LOW_SPO2, a.low_spo2),
            },
            backup: BackupPolicy {
                every_hours: whole(self.backup_every_hours, BACKUP_EVERY, b.every_hours as i64) as u32,
                keep_daily: whole(self.backup_keep_daily, KEEP_DAILY, b.keep_daily as i64) as u32,
                keep_weekly: whole(self.backup_keep_weekly, KEEP_WEEKLY, b.keep_weekly as i64) as u32,
                warn_after_hours: whole(self.backup_warn_after_hours, BACKUP_WARN, b.warn_after_hours as i64) as u32,
            },
            clinic: ClinicHeader {
                name: header_text(
                    &mut c,
                    self.clinic_name,
                    "Clinic name",
                    MAX_CLINIC_NAME_CHARS,
                    &cur.clinic.name,
                ),
                address: header_text(
                    &mut c,
                    self.clinic_address,
                    "Clinic address",
                    MAX_CLINIC_ADDRESS_CHARS,
                    &cur.clinic.address,
                ),
                phone: header_text(
                    &mut c,
                    self.clinic_phone,
                    "Clinic phone",
                    MAX_CLINIC_PHONE_CHARS,
                    &cur.clinic.phone,
                ),
                logo_bytes: 0,
            },
        };
        let t = &next.alerts;
        if t.severe_sbp <= t.high_sbp || t.severe_dbp <= t.high_dbp {
            c.problem(format!(
                "Severe BP ({}/{}) must be above high BP ({}/{}).",
                t.severe_sbp, t.severe_dbp, t.high_sbp, t.high_dbp
            ));
        }
        c.finish()?;
        Ok(next)
    }
}

/// Longest report-header texts.
pub const MAX_CLINIC_NAME_CHARS: usize = 100;
pub const MAX_CLINIC_ADDRESS_CHARS: usize = 200;
pub const MAX_CLINIC_PHONE_CHARS: usize = 40;

/// A report-header text: left out keeps `current`, empty clears it, longer than `max` is refused.
fn header_text(c: &mut Checker, value: Option<String>, label: &str, max: usize, current: &str) -> String {
    match value {
        None => current.to_string(),
        Some(v) => c.optional_text(Some(v), label, max).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_checked_against_its_range_and_left_out_ones_stay() {
        let current = Settings::default();
        let changed = SettingsInput {
            high_hr: Some(130.0),
            discharge_min_aldrete: Some(8.0),
            ..Default::default()
        }
        .apply_to(&current)
        .unwrap();
        assert_eq!((changed.alerts.high_hr, changed.discharge_min_aldrete), (130, 8));
        assert_eq!(changed.auto_lock_minutes, current.auto_lock_minutes);
        let cases = [
            (
                SettingsInput {
                    low_spo2: Some(70.0),
                    ..Default::default()
                },
                "Low SpO2 must be between 80 and 99%; 70 was entered.",
            ),
            (
                SettingsInput {
                    auto_lock_minutes: Some(45.0),
                    ..Default::default()
                },
                "Auto-lock must be between 1 and 30 minutes; 45 was entered.",
            ),
            (
                SettingsInput {
                    severe_sbp: Some(170.0),
                    ..Default::default()
                },
                "Severe BP (170/120) must be above high BP (180/110).",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(input.apply_to(&current).unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn a_damaged_value_falls_back_to_its_default() {
        let mut damaged = Settings {
            discharge_min_aldrete: 0,
            auto_lock_minutes: 999,
            ..Settings::default()
        };
        damaged.alerts.low_spo2 = 5;
        assert_eq!(damaged.sanitised(), Settings::default());
    }
}

//! The fixed lists every form chooses from, gathered for the window in one answer.

use serde::Serialize;

use crate::domain::audit::Action;
use crate::domain::backups::BackupKind;
use crate::domain::catalogue::Choice;
use crate::domain::{outcomes, patients, preparation, side_effects};

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
    pub scales: Vec<outcomes::ScaleSpec>,
    /// What the audit trail's action filter offers.
    pub audit_actions: Vec<Choice>,
    /// Why a backup was made, as the backup screen says it.
    pub backup_kinds: Vec<Choice>,
}

pub fn reference_lists() -> ReferenceLists {
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
        backup_kinds: BackupKind::choices(),
        scales: outcomes::Scale::ALL.iter().map(|s| s.spec()).collect(),
        audit_actions: Action::choices(),
    }
}

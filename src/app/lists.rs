//! The fixed lists every form chooses from, and the longest text each limited field takes,
//! gathered for the window in one answer.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::audit::Action;
use crate::domain::backups::BackupKind;
use crate::domain::catalogue::Choice;
use crate::domain::{
    discharge, infusion, notes, outcomes, patients, preparation, protocols, sessions, settings, side_effects, signing,
    users, vitals,
};

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
    /// The most characters each limited text field takes, by field, as the core's checks count
    /// them: the window shows the count beside the field and never cuts what was typed.
    pub limits: BTreeMap<&'static str, usize>,
}

/// The limits the domain's checks use, by the field the window names.
fn limits() -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("note", notes::MAX_NOTE_CHARS),
        ("correction_reason", vitals::MAX_CORRECTION_REASON_CHARS),
        ("hold_override", infusion::MAX_HOLD_OVERRIDE_CHARS),
        ("arrival_reason", sessions::MAX_ARRIVAL_REASON_CHARS),
        ("chair", protocols::MAX_CHAIR_CHARS),
        ("dose_override_reason", protocols::MAX_DOSE_OVERRIDE_CHARS),
        ("addendum", signing::MAX_ADDENDUM_CHARS),
        ("addendum_reason", signing::MAX_ADDENDUM_REASON_CHARS),
        ("discharge_escort", discharge::MAX_ESCORT_CHARS),
        ("discharge_override_reason", discharge::MAX_OVERRIDE_REASON_CHARS),
        ("clinic_name", settings::MAX_CLINIC_NAME_CHARS),
        ("clinic_address", settings::MAX_CLINIC_ADDRESS_CHARS),
        ("clinic_phone", settings::MAX_CLINIC_PHONE_CHARS),
        ("family_name", patients::MAX_NAME_CHARS),
        ("given_names", patients::MAX_NAME_CHARS),
        ("mrn", patients::MAX_MRN_CHARS),
        ("allergies", patients::MAX_ALLERGIES_CHARS),
        ("indication_other", patients::MAX_DETAIL_CHARS),
        ("emergency_contact", patients::MAX_DETAIL_CHARS),
        ("escort", patients::MAX_DETAIL_CHARS),
        ("side_effect_other", side_effects::MAX_OTHER_EFFECT_CHARS),
        ("rescue_other", side_effects::MAX_OTHER_MEDICATION_CHARS),
        ("rescue_indication", side_effects::MAX_RESCUE_INDICATION_CHARS),
        ("rescue_effect", side_effects::MAX_RESCUE_EFFECT_CHARS),
        ("checklist_escort", preparation::MAX_ESCORT_CHARS),
        ("iv_site", preparation::MAX_IV_SITE_CHARS),
        ("vial_lot", preparation::MAX_VIAL_LOT_CHARS),
        ("protocol_name", protocols::MAX_PROTOCOL_NAME_CHARS),
        ("protocol_drug", protocols::MAX_DRUG_CHARS),
        ("protocol_route", protocols::MAX_ROUTE_CHARS),
        ("username", users::MAX_USERNAME_CHARS),
        ("display_name", users::MAX_DISPLAY_NAME_CHARS),
    ])
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
        limits: limits(),
    }
}

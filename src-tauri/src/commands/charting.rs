//! Charting beyond vitals and pump events: checklist and waste, outcome scores, side effects and
//! interventions, recovery and discharge.

use std::sync::Arc;

use infusion_chart::ipc::parse;
use infusion_chart::outcomes::OutcomeScore;
use infusion_chart::preparation::{Checklist, Waste};
use infusion_chart::recovery::Aldrete;
use infusion_chart::sessions::SessionRecord;
use infusion_chart::side_effects::{Intervention, SideEffect};
use infusion_chart::{Clinic, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn save_checklist(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Checklist> {
    blocking(clinic, |c| c.save_checklist(parse(input)?)).await
}

#[tauri::command]
pub async fn record_waste(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Waste> {
    blocking(clinic, |c| c.record_waste(parse(input)?)).await
}

#[tauri::command]
pub async fn add_outcome(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<OutcomeScore> {
    blocking(clinic, |c| c.add_outcome(parse(input)?)).await
}

#[tauri::command]
pub async fn add_side_effect(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SideEffect> {
    blocking(clinic, |c| c.add_side_effect(parse(input)?)).await
}

#[tauri::command]
pub async fn resolve_side_effect(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SideEffect> {
    blocking(clinic, |c| c.resolve_side_effect(parse(input)?)).await
}

#[tauri::command]
pub async fn add_intervention(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Intervention> {
    blocking(clinic, |c| c.add_intervention(parse(input)?)).await
}

#[tauri::command]
pub async fn add_aldrete(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Aldrete> {
    blocking(clinic, |c| c.add_aldrete(parse(input)?)).await
}

#[tauri::command]
pub async fn discharge(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(clinic, |c| c.discharge(parse(input)?)).await
}

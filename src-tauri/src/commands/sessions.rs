use std::sync::Arc;

use infusion_chart::infusion::InfusionEvent;
use infusion_chart::ipc::parse;
use infusion_chart::notes::Note;
use infusion_chart::protocols::{DosePlan, Protocol};
use infusion_chart::report::Printed;
use infusion_chart::sessions::{Session, SessionRecord};
use infusion_chart::vitals::Vitals;
use infusion_chart::{Clinic, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn list_protocols(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vec<Protocol>> {
    blocking(clinic, |c| c.protocols(parse(input)?)).await
}

#[tauri::command]
pub async fn dose_preview(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<DosePlan> {
    blocking(clinic, |c| c.dose_preview(parse(input)?)).await
}

#[tauri::command]
pub async fn start_session(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Session> {
    blocking(clinic, |c| c.start_session(parse(input)?)).await
}

#[tauri::command]
pub async fn get_session(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(clinic, |c| c.session_record(parse(input)?)).await
}

#[tauri::command]
pub async fn add_vitals(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vitals> {
    blocking(clinic, |c| c.add_vitals(parse(input)?)).await
}

#[tauri::command]
pub async fn correct_vitals(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vitals> {
    blocking(clinic, |c| c.correct_vitals(parse(input)?)).await
}

#[tauri::command]
pub async fn sign_session(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(clinic, |c| c.sign_session(parse(input)?)).await
}

#[tauri::command]
pub async fn cosign_session(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(clinic, |c| c.cosign_session(parse(input)?)).await
}

#[tauri::command]
pub async fn add_addendum(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(clinic, |c| c.add_addendum(parse(input)?)).await
}

#[tauri::command]
pub async fn acknowledge_alert(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(clinic, |c| c.acknowledge_alert(parse(input)?)).await
}

#[tauri::command]
pub async fn add_infusion_event(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<InfusionEvent> {
    blocking(clinic, |c| c.add_infusion_event(parse(input)?)).await
}

#[tauri::command]
pub async fn add_note(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Note> {
    blocking(clinic, |c| c.add_note(parse(input)?)).await
}

#[tauri::command]
pub async fn print_report(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Printed> {
    blocking(clinic, |c| c.print_report(parse(input)?)).await
}

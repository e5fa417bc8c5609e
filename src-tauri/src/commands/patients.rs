use std::sync::Arc;

use infusion_chart::catalogue::ReferenceLists;
use infusion_chart::ipc::parse;
use infusion_chart::patients::Patient;
use infusion_chart::sessions::{DayEntry, PatientRecord};
use infusion_chart::{Clinic, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn add_patient(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Patient> {
    blocking(clinic, |c| c.add_patient(parse(input)?)).await
}

#[tauri::command]
pub async fn search_patients(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vec<Patient>> {
    blocking(clinic, |c| c.search_patients(parse(input)?)).await
}

#[tauri::command]
pub async fn get_patient(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<PatientRecord> {
    blocking(clinic, |c| c.patient_record(parse(input)?)).await
}

#[tauri::command]
pub async fn update_patient(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Patient> {
    blocking(clinic, |c| c.update_patient(parse(input)?)).await
}

#[tauri::command]
pub async fn reference_lists(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<ReferenceLists> {
    blocking(clinic, |c| c.reference_lists(parse(input)?)).await
}

#[tauri::command]
pub async fn day_list(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vec<DayEntry>> {
    blocking(clinic, |c| c.day_list(parse(input)?)).await
}

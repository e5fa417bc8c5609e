use std::sync::Arc;

use infusion_chart::ipc::parse;
use infusion_chart::patients::Patient;
use infusion_chart::sessions::PatientRecord;
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

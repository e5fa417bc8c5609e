use std::sync::Arc;

use infusion_chart::ipc::parse;
use infusion_chart::patients::Patient;
use infusion_chart::sessions::PatientRecord;
use infusion_chart::{Chart, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn add_patient(chart: State<'_, Arc<Chart>>, input: Option<Value>) -> Result<Patient> {
    blocking(chart, |c| c.add_patient(parse(input)?)).await
}

#[tauri::command]
pub async fn search_patients(chart: State<'_, Arc<Chart>>, input: Option<Value>) -> Result<Vec<Patient>> {
    blocking(chart, |c| c.search_patients(parse(input)?)).await
}

#[tauri::command]
pub async fn get_patient(chart: State<'_, Arc<Chart>>, input: Option<Value>) -> Result<PatientRecord> {
    blocking(chart, |c| c.patient_record(parse(input)?)).await
}

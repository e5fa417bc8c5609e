use std::sync::Arc;

use infusion_chart::backup::{BackupStatus, Made, Verified};
use infusion_chart::clinic::Restored;
use infusion_chart::export::Exported;
use infusion_chart::ipc::parse;
use infusion_chart::{Clinic, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn backup_status(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<BackupStatus> {
    blocking(clinic, |c| c.backup_status(parse(input)?)).await
}

#[tauri::command]
pub async fn backup_now(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Made> {
    blocking(clinic, |c| c.backup_now(parse(input)?)).await
}

#[tauri::command]
pub async fn set_backup_folder(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<BackupStatus> {
    blocking(clinic, |c| c.set_backup_folder(parse(input)?)).await
}

#[tauri::command]
pub async fn verify_backup(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Verified> {
    blocking(clinic, |c| c.verify_backup(parse(input)?)).await
}

#[tauri::command]
pub async fn restore_backup(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Restored> {
    blocking(clinic, |c| c.restore_backup(parse(input)?)).await
}

#[tauri::command]
pub async fn restore_newest(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Restored> {
    blocking(clinic, |c| c.restore_newest(parse(input)?)).await
}

#[tauri::command]
pub async fn export_records(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Exported> {
    blocking(clinic, |c| c.export_records(parse(input)?)).await
}

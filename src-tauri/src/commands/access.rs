use std::sync::Arc;

use infusion_chart::clinic::{SetupDone, Status, Unlocked};
use infusion_chart::ipc::parse;
use infusion_chart::{Clinic, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn app_status(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.status(parse(input)?)).await
}

#[tauri::command]
pub async fn setup(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<SetupDone> {
    blocking(clinic, |c| c.setup(parse(input)?)).await
}

#[tauri::command]
pub async fn login(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.login(parse(input)?)).await
}

#[tauri::command]
pub async fn logout(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.logout(parse(input)?)).await
}

#[tauri::command]
pub async fn lock(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.lock(parse(input)?)).await
}

#[tauri::command]
pub async fn unlock(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Unlocked> {
    blocking(clinic, |c| c.unlock(parse(input)?)).await
}

#[tauri::command]
pub async fn touch(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.touch(parse(input)?)).await
}

#[tauri::command]
pub async fn change_password(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.change_password(parse(input)?)).await
}

#[tauri::command]
pub async fn recover(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Status> {
    blocking(clinic, |c| c.recover(parse(input)?)).await
}

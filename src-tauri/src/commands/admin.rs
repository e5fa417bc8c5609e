use std::sync::Arc;

use infusion_chart::audit::{Entry, Exported, Verification};
use infusion_chart::ipc::parse;
use infusion_chart::protocols::Protocol;
use infusion_chart::settings::Settings;
use infusion_chart::users::User;
use infusion_chart::{Clinic, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn list_users(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vec<User>> {
    blocking(clinic, |c| c.list_users(parse(input)?)).await
}

#[tauri::command]
pub async fn add_user(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<User> {
    blocking(clinic, |c| c.add_user(parse(input)?)).await
}

#[tauri::command]
pub async fn set_user_roles(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<User> {
    blocking(clinic, |c| c.set_user_roles(parse(input)?)).await
}

#[tauri::command]
pub async fn set_user_active(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<User> {
    blocking(clinic, |c| c.set_user_active(parse(input)?)).await
}

#[tauri::command]
pub async fn reset_password(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<User> {
    blocking(clinic, |c| c.reset_password(parse(input)?)).await
}

#[tauri::command]
pub async fn get_settings(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Settings> {
    blocking(clinic, |c| c.settings(parse(input)?)).await
}

#[tauri::command]
pub async fn update_settings(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Settings> {
    blocking(clinic, |c| c.update_settings(parse(input)?)).await
}

#[tauri::command]
pub async fn audit_search(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vec<Entry>> {
    blocking(clinic, |c| c.audit_search(parse(input)?)).await
}

#[tauri::command]
pub async fn audit_verify(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Verification> {
    blocking(clinic, |c| c.audit_verify(parse(input)?)).await
}

#[tauri::command]
pub async fn audit_export(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Exported> {
    blocking(clinic, |c| c.audit_export(parse(input)?)).await
}

#[tauri::command]
pub async fn all_protocols(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Vec<Protocol>> {
    blocking(clinic, |c| c.all_protocols(parse(input)?)).await
}

#[tauri::command]
pub async fn save_protocol(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Protocol> {
    blocking(clinic, |c| c.save_protocol(parse(input)?)).await
}

#[tauri::command]
pub async fn set_clinic_logo(clinic: State<'_, Arc<Clinic>>, input: Option<Value>) -> Result<Settings> {
    blocking(clinic, |c| c.set_clinic_logo(parse(input)?)).await
}

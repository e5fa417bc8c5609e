use std::sync::Arc;

use infusion_chart::ipc::parse;
use infusion_chart::sessions::{Session, SessionRecord};
use infusion_chart::vitals::Vitals;
use infusion_chart::{Chart, Result};
use serde_json::Value;
use tauri::State;

use super::blocking;

#[tauri::command]
pub async fn start_session(chart: State<'_, Arc<Chart>>, input: Option<Value>) -> Result<Session> {
    blocking(chart, |c| c.start_session(parse(input)?)).await
}

#[tauri::command]
pub async fn get_session(chart: State<'_, Arc<Chart>>, input: Option<Value>) -> Result<SessionRecord> {
    blocking(chart, |c| c.session_record(parse(input)?)).await
}

#[tauri::command]
pub async fn add_vitals(chart: State<'_, Arc<Chart>>, input: Option<Value>) -> Result<Vitals> {
    blocking(chart, |c| c.add_vitals(parse(input)?)).await
}

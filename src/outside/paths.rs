//! Where the chart lives. Every path derives from one data directory; `INFUSION_CHART_DATA_DIR`
//! points development and tests at a temporary folder so they never touch a clinic's real data.

use std::path::PathBuf;

use crate::error::{Error, Result};

pub const DATA_DIR_ENV: &str = "INFUSION_CHART_DATA_DIR";
/// Same as the Tauri identifier, so the app and the command line agree on the platform folder.
pub const APP_IDENTIFIER: &str = "org.infusionchart.desktop";
const DATABASE_FILE: &str = "infusion-chart.db";

/// `$INFUSION_CHART_DATA_DIR` if set, else the platform's app data folder
/// (Linux `~/.local/share/org.infusionchart.desktop`, macOS `~/Library/Application Support/…`, Windows `%APPDATA%\…`).
pub fn data_dir() -> Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => directories::BaseDirs::new()
            .map(|b| b.data_dir().join(APP_IDENTIFIER))
            .ok_or_else(|| {
                Error::Database(format!(
                    "No home folder was found for the chart database; set {DATA_DIR_ENV}."
                ))
            }),
    }
}

pub fn database_path() -> Result<PathBuf> {
    Ok(data_dir()?.join(DATABASE_FILE))
}

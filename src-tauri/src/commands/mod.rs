//! Tauri commands: each is a one-line delegation to `infusion_chart::Chart`, run on the blocking
//! pool so SQLite never stalls the window. Errors cross IPC as the core's `{kind, message}`.

mod patients;
mod sessions;

pub use patients::*;
pub use sessions::*;

use std::sync::Arc;

use infusion_chart::{Chart, Error, Result};
use tauri::State;

/// Runs `f` against the chart off the main thread.
async fn blocking<T: Send + 'static>(
    chart: State<'_, Arc<Chart>>,
    f: impl FnOnce(&Chart) -> Result<T> + Send + 'static,
) -> Result<T> {
    let chart = Arc::clone(&chart);
    tauri::async_runtime::spawn_blocking(move || f(&chart))
        .await
        .map_err(|_| Error::Storage("The action stopped unexpectedly; nothing was saved. Try again.".into()))?
}

#[cfg(test)]
mod tests;

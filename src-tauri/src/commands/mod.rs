//! Tauri commands: each is a one-line delegation to `infusion_chart::Clinic`, run on the blocking
//! pool so SQLite never stalls the window. Errors cross IPC as the core's `{kind, message}`.

mod access;
mod admin;
mod backups;
mod charting;
mod patients;
mod sessions;

pub use access::*;
pub use admin::*;
pub use backups::*;
pub use charting::*;
pub use patients::*;
pub use sessions::*;

use std::sync::Arc;

use infusion_chart::{Clinic, Error, Result};
use tauri::State;

/// Runs `f` against the clinic off the main thread.
async fn blocking<T: Send + 'static>(
    clinic: State<'_, Arc<Clinic>>,
    f: impl FnOnce(&Clinic) -> Result<T> + Send + 'static,
) -> Result<T> {
    let clinic = Arc::clone(&clinic);
    tauri::async_runtime::spawn_blocking(move || f(&clinic))
        .await
        .map_err(|_| Error::Storage("The action stopped unexpectedly; nothing was saved. Try again.".into()))?
}

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod tests;

//! The desktop shell: opens the chart database once, then shows the window whose commands go to
//! the core's command table. If the database cannot be opened, a dialog says where and why.

pub mod cli;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use infusion_chart::app::commands;
use infusion_chart::domain::backups::Trigger;
use infusion_chart::outside::paths;
use infusion_chart::{Clinic, Error};
use serde_json::Value;
use tauri::ipc::{Invoke, InvokeBody, InvokeError};
use tauri::{App, Builder, Manager, RunEvent, Runtime, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

const MAIN_WINDOW: &str = "main";

pub fn run() {
    with_commands(Builder::default())
        .plugin(single_instance())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            open_chart_or_explain(app)?;
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("Infusion Chart could not start its window system")
        .run(|app, event| {
            // Closing the app stops the database check if it still runs and backs up what was
            // charted since the last backup (if someone is signed in).
            if let RunEvent::Exit = event {
                if let Some(clinic) = app.try_state::<Arc<Clinic>>() {
                    clinic.stop_check();
                    if let Err(e) = clinic.automatic_backup(Trigger::Exit) {
                        eprintln!("infusion-chart: automatic backup at exit failed: {e}");
                    }
                }
            }
        });
}

/// How often the app checks whether an automatic backup is due (the interval itself is a setting).
const BACKUP_CHECK: Duration = Duration::from_secs(5 * 60);

/// Backs up every few hours (a setting) while someone has the database open.
fn back_up_while_open(clinic: Arc<Clinic>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(BACKUP_CHECK);
        if let Err(e) = clinic.automatic_backup(Trigger::Timer) {
            eprintln!("infusion-chart: automatic backup failed: {e}");
        }
    });
}

/// Answers every command of the core's table (`infusion_chart::app::commands`), off the main thread so
/// SQLite never stalls the window. The input is the `input` key of the call's arguments; errors cross
/// as the core's `{kind, message}`. Tauri's permission check (build.rs) has run before this.
pub fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(|invoke: Invoke<R>| {
        let name = invoke.message.command().to_string();
        if commands::command(&name).is_none() {
            return false;
        }
        let input = match invoke.message.payload() {
            InvokeBody::Json(Value::Object(args)) => args.get("input").filter(|v| !v.is_null()).cloned(),
            _ => None,
        };
        let clinic = invoke
            .message
            .webview()
            .try_state::<Arc<Clinic>>()
            .map(|c| Arc::clone(&c));
        invoke.resolver.respond_async(async move {
            let clinic = clinic.ok_or_else(|| Error::Database("The chart database is not open.".into()))?;
            let answer = tauri::async_runtime::spawn_blocking(move || clinic.call(&name, input))
                .await
                .map_err(|_| Error::Storage("The action stopped unexpectedly; nothing was saved. Try again.".into()))?;
            answer.map_err(InvokeError::from)
        });
        true
    })
}

/// A second launch on the same database focuses the running window instead of opening the file twice.
/// The instance id is per database file, so a test or training database does not block the clinic's.
fn single_instance<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let mut builder = tauri_plugin_single_instance::Builder::new().callback(|app, _args, _cwd| {
        if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    });
    if let Ok(path) = paths::database_path() {
        let digest = infusion_chart::digest::sha256_hex(path.to_string_lossy().as_bytes());
        builder = builder.dbus_id(format!("{}.db_{}", paths::APP_IDENTIFIER, &digest[..16]));
    }
    builder.build()
}

fn open_chart_or_explain(app: &mut App) -> tauri::Result<()> {
    let opened = paths::database_path().and_then(|path| Clinic::open(&path));
    match opened {
        Ok(clinic) => {
            let clinic = Arc::new(clinic);
            back_up_while_open(clinic.clone());
            app.manage(clinic);
            open_main_window(app)
        }
        Err(e) => {
            let path = paths::database_path()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let mut message = e.to_string();
            if !message.contains(&path) {
                message += &format!("\n\nDatabase file: {path}");
            }
            let handle = app.handle().clone();
            app.dialog()
                .message(format!(
                    "{message}\n\nNothing was changed. An admin can restore a backup or move the file aside."
                ))
                .title("Infusion Chart cannot open its database")
                .kind(MessageDialogKind::Error)
                .show(move |_| handle.exit(1));
            Ok(())
        }
    }
}

fn open_main_window(app: &App) -> tauri::Result<()> {
    WebviewWindowBuilder::new(app, MAIN_WINDOW, WebviewUrl::App("index.html".into()))
        .title("Infusion Chart")
        .inner_size(1280.0, 860.0)
        .min_inner_size(900.0, 640.0)
        .build()?;
    Ok(())
}

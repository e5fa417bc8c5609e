//! Hands a written report to the system's PDF viewer, from which it is printed. The viewer command
//! is `INFUSION_CHART_VIEWER` if set (tests set a command that does nothing), else the platform's
//! opener.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

const VIEWER_ENV: &str = "INFUSION_CHART_VIEWER";

/// Starts the viewer on `file` and returns at once; the viewer runs on its own, and a thread waits
/// for it so that it does not linger as a zombie once it exits.
pub fn open(file: &Path) -> Result<()> {
    let mut command = match std::env::var_os(VIEWER_ENV).filter(|v| !v.is_empty()) {
        Some(viewer) => Command::new(viewer),
        None if cfg!(target_os = "macos") => Command::new("open"),
        None if cfg!(windows) => {
            let mut c = Command::new("cmd");
            c.args(["/C", "start", ""]);
            c
        }
        None => Command::new("xdg-open"),
    };
    command
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|mut child| {
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        })
        .map_err(|e| {
            Error::Storage(format!(
                "The report was written to {}, but no PDF viewer could be started ({e}). Open it from there.",
                file.display()
            ))
        })
}

//! Infusion Chart core: the domain rules and SQLite storage of ketamine IV session charting.
//! It never depends on tauri; the desktop shell and the command line both drive it through `Clinic`.
//!
//! Four layers, each a folder, each importing only the ones below it (ARCHITECTURE.md;
//! `tests/core/layers.rs` fails on an import that goes up or round in a circle):
//! `app` (Clinic, the command table) → `outside` (key file, reports, exports, backup files)
//! → `storage` (the only code that writes SQL) → `domain` (plain types and rules).
//! `error`, `digest` and `files` are shared helpers every layer may use (`domain` not `files`).

pub mod app;
pub mod digest;
pub mod domain;
pub mod error;
pub mod files;
pub mod outside;
pub mod storage;

pub use app::clinic::Clinic;
pub use error::{Error, Result};

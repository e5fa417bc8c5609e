//! Infusion Chart core: the domain rules and SQLite storage of ketamine IV session charting.
//! It never depends on tauri; the desktop shell and the command line both drive it through `Chart`.

pub mod chart;
pub mod digest;
pub mod error;
pub mod ipc;
pub mod paths;
pub mod patients;
pub mod sessions;
pub mod storage;
pub mod validate;
pub mod vitals;

pub use chart::Chart;
pub use error::{Error, Result};

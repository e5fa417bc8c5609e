//! Infusion Chart core: the domain rules and SQLite storage of ketamine IV session charting.
//! It never depends on tauri; the desktop shell and the command line both drive it through `Clinic`.

pub mod alerts;
pub mod audit;
pub mod backup;
pub mod catalogue;
pub mod chart;
pub mod cli;
pub mod clinic;
pub mod crypto;
pub mod demo;
pub mod digest;
pub mod error;
pub mod export;
pub mod files;
pub mod infusion;
pub mod ipc;
pub mod keyring;
pub mod notes;
pub mod outcomes;
pub mod paths;
pub mod patients;
pub mod preparation;
pub mod protocols;
pub mod recovery;
pub mod report;
pub mod sessions;
pub mod settings;
pub mod side_effects;
pub mod signing;
pub mod storage;
pub mod users;
pub mod validate;
pub mod viewer;
pub mod vitals;

pub use clinic::Clinic;
pub use error::{Error, Result};

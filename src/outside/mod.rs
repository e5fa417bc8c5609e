//! The world outside the database: the data key and key file, where files live, PDF reports,
//! exports, backup files, and the system's PDF viewer.

pub mod backup;
pub mod crypto;
pub mod export;
pub mod keyring;
pub mod paths;
pub mod report;
pub mod viewer;

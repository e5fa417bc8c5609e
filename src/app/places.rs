//! Where files a person asks for may go: never into Infusion Chart's own data folder, where a copy
//! would be mistaken for, or overwrite, the clinic's files.

use std::path::{Path, PathBuf};

use crate::app::clinic::Clinic;
use crate::error::{Error, Result};
use crate::files;

/// A file path the person chose, refused inside the data folder or in a folder that does not exist.
pub fn outside_data_folder(clinic: &Clinic, path: &str) -> Result<PathBuf> {
    let target = PathBuf::from(path);
    outside_data_dir(clinic, target.parent().unwrap_or(Path::new("")), path)?;
    Ok(target)
}

/// Refuses `dir` (chosen as `shown`) if it does not exist or is Infusion Chart's own data folder.
pub fn outside_data_dir(clinic: &Clinic, dir: &Path, shown: &str) -> Result<()> {
    let data_dir = clinic.database.parent().and_then(|d| d.canonicalize().ok());
    let target_dir = dir.canonicalize().ok();
    if target_dir.is_none() || target_dir == data_dir {
        return Err(Error::Validation(format!(
            "Choose a folder that exists and is not Infusion Chart's own data folder (not {shown})."
        )));
    }
    Ok(())
}

/// Where reports for the viewer go: a private folder beside the database, emptied at each start
/// and sign-out (`Clinic::clear_reports`) so printed copies do not pile up outside the encrypted database.
pub fn reports_folder(clinic: &Clinic) -> Result<PathBuf> {
    let dir = clinic.reports_dir();
    files::private_folder(&dir)?;
    Ok(dir)
}

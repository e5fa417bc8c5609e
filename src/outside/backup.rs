//! Backups an admin can trust: a consistent online copy of the encrypted database (never a copy of
//! the live file), written under a temporary name, fsynced, integrity-checked and renamed into place,
//! with a manifest (versions, row counts, SHA-256) and the key slots beside it. Verification, the
//! rotation of automatic backups, and the stale-backup warning live here too.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Local, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::domain::backups::{BackupKind, BackupRecord};
use crate::domain::settings::BackupPolicy;
use crate::domain::validate::Checker;
use crate::error::{Error, Result};
use crate::files;
use crate::outside::keyring::Keyring;
use crate::storage::{inspect, Author, Db, NewBackup, APPLICATION_ID, LATEST_VERSION};

const MANIFEST_FORMAT: u32 = 1;
const PREFIX: &str = "infusion-chart-";

/// Written beside each backup as `NAME.manifest.json`, last: a backup without one is incomplete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub app_version: String,
    pub application_id: i32,
    pub schema_version: i64,
    pub created_at: DateTime<Utc>,
    pub kind: BackupKind,
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    /// Rows per table at the moment of the copy.
    pub tables: BTreeMap<String, i64>,
}

/// A backup just made.
#[derive(Debug, Clone, Serialize)]
pub struct Made {
    pub record: BackupRecord,
    pub manifest: Manifest,
    /// Older automatic backups removed by the rotation.
    pub removed: Vec<String>,
}

/// A backup file that passed every check.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub path: String,
    pub manifest: Manifest,
}

/// What the admin's backup screen shows.
#[derive(Debug, Clone, Serialize)]
pub struct BackupStatus {
    /// Where automatic backups go.
    pub folder: String,
    pub policy: BackupPolicy,
    pub last: Option<BackupRecord>,
    /// False when the last backup's file is no longer where it was written (a drive unplugged).
    pub last_present: bool,
    pub age_hours: Option<f64>,
    pub warning: Option<String>,
    pub recent: Vec<BackupRecord>,
}

/// Where to back up to now: the admin's chosen folder, or the automatic folder when left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRequest {
    pub folder: Option<String>,
}

/// A backup file chosen to verify or restore.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupFile {
    pub path: String,
}

impl BackupFile {
    /// The chosen file; a blank path is a missing choice, not a file named "".
    pub fn checked(&self) -> Result<PathBuf> {
        let mut c = Checker::new();
        let path = c.text(Some(self.path.clone()), "Backup file", 4096);
        c.finish()?;
        Ok(PathBuf::from(path.expect("checked")))
    }
}

/// A new folder for automatic backups; empty means `backups/` beside the database.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderInput {
    pub folder: String,
}

/// Copies the database behind `source` into `folder` as a new, checked backup with its manifest and
/// the key `slots` (`Keyring::slots_only`), and records it in the backup log. On any failure every file this attempt created is
/// removed, and the message says why; the live database and earlier backups are never touched.
pub fn make(
    source: &mut Db,
    key: Option<&str>,
    slots: &Keyring,
    folder: &Path,
    kind: BackupKind,
    by: &Author,
    now: DateTime<Utc>,
) -> Result<Made> {
    let failed = |reason: String| {
        Error::Storage(format!(
            "The backup to {} failed: {reason} The chart database and earlier backups are unchanged.",
            folder.display()
        ))
    };
    if !folder.is_dir() {
        return Err(failed(
            "the folder does not exist. If it is a USB drive or a network share, connect it and try again.".into(),
        ));
    }
    let stem = format!("{PREFIX}{}", now.format("%Y%m%d-%H%M%S%3fZ"));
    // Two backups within one millisecond get _02, _03 …, which sort after the first by name.
    let file = files::first_free(&folder.join(stem), ".db", |f| f.exists() || manifest_path(f).exists())
        .ok_or_else(|| Error::Conflict("Too many backups at the same moment; try again in a moment.".into()))?;
    let (keys, manifest_file) = (Keyring::path_beside(&file), manifest_path(&file));
    let temp = files::partial(&file);
    let written = (|| {
        // Created private first: SQLite would create the copy with the default (readable) mode.
        drop(files::create(&temp, true).map_err(io_reason)?);
        let through = source.snapshot_into(&temp, key)?;
        fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(io_reason)?;
        let inspection = inspect(&temp, key)?;
        if let Some(problem) = inspection.problems.first() {
            return Err(Error::Storage(format!(
                "the copy did not pass its integrity check ({problem})."
            )));
        }
        let (bytes, sha256) = digest_file(&temp)?;
        fs::rename(&temp, &file).map_err(io_reason)?;
        files::sync_folder(&file)?;
        slots.save(&keys)?;
        let manifest = Manifest {
            format: MANIFEST_FORMAT,
            app_version: env!("CARGO_PKG_VERSION").into(),
            application_id: inspection.application_id,
            schema_version: inspection.schema_version,
            created_at: now,
            kind,
            file: file.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            bytes,
            sha256,
            tables: inspection.tables,
        };
        files::write_atomically(&manifest_file, false, |out| {
            serde_json::to_writer_pretty(out, &manifest)
                .map_err(|e| Error::Storage(format!("the manifest could not be written ({e}).")))
        })?;
        Ok((manifest, through))
    })();
    let (manifest, through) = match written {
        Ok(made) => made,
        Err(e) => {
            for made in [&temp, &file, &keys, &manifest_file, &files::partial(&manifest_file)] {
                let _ = fs::remove_file(made);
            }
            return Err(failed(reason_of(e)));
        }
    };
    let path = file.display().to_string();
    let made = NewBackup {
        kind,
        path: &path,
        bytes: manifest.bytes as i64,
        sha256: &manifest.sha256,
        audit_through: Some(through),
    };
    let record = source.record_backup(&made, by, now)?;
    Ok(Made {
        record,
        manifest,
        removed: Vec::new(),
    })
}

/// Checks a backup file without changing it: its manifest is present and names this application
/// and a schema this version knows, size and SHA-256 match it, the file opens with `key`, passes
/// SQLite's integrity check and holds the rows the manifest lists.
pub fn verify(path: &Path, key: Option<&str>) -> Result<Verified> {
    let shown = path.display();
    let manifest = read_manifest(path)?;
    let other_app = || {
        Error::Validation(format!(
            "{shown} belongs to another application, not Infusion Chart. Nothing was changed."
        ))
    };
    let newer = |version| {
        Error::Validation(format!(
            "{shown} was made by a newer version of Infusion Chart (schema {version}; this version knows up to {LATEST_VERSION}). Install the newer version to restore it. Nothing was changed."
        ))
    };
    if manifest.application_id != APPLICATION_ID {
        return Err(other_app());
    }
    if manifest.schema_version > LATEST_VERSION {
        return Err(newer(manifest.schema_version));
    }
    let (bytes, sha256) = digest_file(path)
        .map_err(|e| Error::NotFound(format!("The backup file {shown} cannot be read ({}).", reason_of(e))))?;
    if bytes != manifest.bytes {
        return Err(Error::Validation(format!(
            "{shown} is truncated or damaged: it holds {bytes} bytes where its manifest says {}. Use another backup. Nothing was changed.",
            manifest.bytes
        )));
    }
    if sha256 != manifest.sha256 {
        return Err(Error::Validation(format!(
            "{shown} is damaged: its contents no longer match the SHA-256 in its manifest. Use another backup. Nothing was changed."
        )));
    }
    let inspection = inspect(path, key).map_err(|e| match e {
        Error::Unauthenticated(_) => Error::Unauthenticated(format!(
            "{shown} cannot be read with this key: it was made by another Infusion Chart installation, or the password or recovery key belongs to another clinic. Nothing was changed."
        )),
        other => Error::Validation(format!("{shown} is damaged: {other} Nothing was changed.")),
    })?;
    if inspection.application_id != APPLICATION_ID {
        return Err(other_app());
    }
    if inspection.schema_version > LATEST_VERSION {
        return Err(newer(inspection.schema_version));
    }
    if let Some(problem) = inspection.problems.first() {
        return Err(Error::Validation(format!(
            "{shown} is damaged: SQLite's integrity check found {} problem(s), the first: {problem}. Use another backup. Nothing was changed.",
            inspection.problems.len()
        )));
    }
    if inspection.tables != manifest.tables {
        return Err(Error::Validation(format!(
            "{shown} does not hold the rows its manifest lists. Use another backup. Nothing was changed."
        )));
    }
    Ok(Verified {
        path: shown.to_string(),
        manifest,
    })
}

/// The manifest beside backup file `path`.
pub fn read_manifest(path: &Path) -> Result<Manifest> {
    let manifest = manifest_path(path);
    let text = fs::read_to_string(&manifest).map_err(|_| {
        Error::Validation(format!(
            "{} has no readable manifest ({}) beside it, so it is not a complete Infusion Chart backup. Nothing was changed.",
            path.display(),
            manifest.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|_| {
        Error::Validation(format!(
            "The manifest {} is damaged or is not an Infusion Chart manifest. Nothing was changed.",
            manifest.display()
        ))
    })
}

/// `NAME.manifest.json` beside `NAME.db`.
pub fn manifest_path(backup: &Path) -> PathBuf {
    backup.with_extension("manifest.json")
}

/// Removes the automatic backups in `folder` that the policy no longer keeps: of the complete
/// backups (those with a manifest), the newest of each of the last `keep_daily` days and of each of
/// the last `keep_weekly` weeks stay (local dates; a backup may count for both). Backups made by hand
/// into the folder count the same way. `made`, the backup just made, counts as the newest whatever
/// its name: backups made within one millisecond share a time, and a name freed by an earlier
/// rotation sorts before a later `_02`. Returns the files removed.
pub fn rotate(folder: &Path, policy: &BackupPolicy, made: &Path) -> Result<Vec<String>> {
    let mut found = complete_backups(folder);
    found.sort_by(|a, b| b.cmp(a));
    if let Some(i) = found.iter().position(|(_, file)| file == made) {
        let newest = found.remove(i);
        found.insert(0, newest);
    }
    let dates: Vec<NaiveDate> = found
        .iter()
        .map(|(at, _)| at.with_timezone(&Local).date_naive())
        .collect();
    let mut removed = Vec::new();
    for index in to_remove(&dates, policy.keep_daily, policy.keep_weekly) {
        let file = &found[index].1;
        // The manifest goes first: a backup without one no longer counts as complete.
        for part in [manifest_path(file), file.clone(), Keyring::path_beside(file)] {
            fs::remove_file(&part).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(Error::Storage(format!(
                    "The old backup {} could not be removed ({e}).",
                    part.display()
                ))),
            })?;
        }
        removed.push(file.display().to_string());
    }
    Ok(removed)
}

/// Which of `dates` (newest first) the rotation removes: the indexes not kept by either rule.
fn to_remove(dates: &[NaiveDate], keep_daily: u32, keep_weekly: u32) -> Vec<usize> {
    let mut kept = vec![false; dates.len()];
    let mut keep_newest_per = |period: &dyn Fn(NaiveDate) -> (i32, u32), count: u32| {
        let mut seen = Vec::new();
        for (i, date) in dates.iter().enumerate() {
            let p = period(*date);
            if !seen.contains(&p) && seen.len() < count as usize {
                seen.push(p);
                kept[i] = true;
            }
        }
    };
    keep_newest_per(&|d| (d.year(), d.ordinal()), keep_daily);
    keep_newest_per(&|d| (d.iso_week().year(), d.iso_week().week()), keep_weekly);
    (0..dates.len()).filter(|&i| !kept[i]).collect()
}

/// The complete backups in `folder` (a manifest beside the file), with when each was made (its
/// manifest's time).
fn complete_backups(folder: &Path) -> Vec<(DateTime<Utc>, PathBuf)> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with(PREFIX) && name.ends_with(".db")
        })
        .filter_map(|p| read_manifest(&p).ok().map(|m| (m.created_at, p)))
        .collect()
}

/// The newest backup in `folders` that passes `verify` with `key`, looking at newer ones first.
pub fn newest_verified(folders: &[PathBuf], key: Option<&str>) -> Option<Verified> {
    let mut found: Vec<_> = folders.iter().flat_map(|f| complete_backups(f)).collect();
    found.sort_by(|a, b| b.cmp(a));
    // The set folder and the default one may be the same: check each backup once.
    found.dedup();
    found.into_iter().find_map(|(_, path)| verify(&path, key).ok())
}

/// Size and SHA-256 of a file, read in blocks.
pub fn digest_file(path: &Path) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut fs::File::open(path).map_err(io_reason)?, &mut hasher).map_err(io_reason)?;
    Ok((bytes, hex(&hasher.finalize())))
}

/// A file-system failure in an admin's words.
fn io_reason(e: std::io::Error) -> Error {
    use std::io::ErrorKind::*;
    Error::Storage(match e.kind() {
        StorageFull | QuotaExceeded | FileTooLarge => format!("the drive is full ({e})."),
        ReadOnlyFilesystem | PermissionDenied => format!("the folder is read-only or not writable ({e})."),
        NotFound => format!("the folder or file is gone; was the drive removed? ({e})"),
        _ => format!("the drive could not be written ({e})."),
    })
}

/// The reason inside an error, for a sentence that names the backup.
fn reason_of(e: Error) -> String {
    match e {
        Error::Storage(reason) => reason,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rotation_keeps_the_newest_of_each_recent_day_and_week() {
        // Newest first: two on the 22nd (Sunday), one a day back to the 12th.
        let november = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let dates: Vec<NaiveDate> = [22, 22].into_iter().chain((12..=21).rev()).map(november).collect();
        let removed = to_remove(&dates, 3, 2);
        // Kept: the newest of the 22nd, 21st, 20th (daily); the 22nd and 15th (newest of each of 2 weeks).
        let kept: Vec<_> = (0..dates.len())
            .filter(|i| !removed.contains(i))
            .map(|i| dates[i])
            .collect();
        assert_eq!(
            kept,
            vec![
                day("2026-11-22"),
                day("2026-11-21"),
                day("2026-11-20"),
                day("2026-11-15")
            ]
        );
        assert!(removed.contains(&1), "the older of two backups on one day goes");
    }

    #[test]
    fn rotation_with_fewer_backups_than_the_policy_keeps_them_all() {
        let dates = vec![day("2026-11-22"), day("2026-11-10")];
        assert!(to_remove(&dates, 7, 4).is_empty());
        assert_eq!(to_remove(&dates, 1, 0), vec![1]);
    }
}

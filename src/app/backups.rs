//! Backups, restores and exports. A backup (or an export) reads the database on a connection of its own,
//! outside the state lock, so nurses keep charting while it runs; a restore replaces the database
//! only after the backup passed every check and the current database was itself backed up.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::app::chart;
use crate::app::check::Check;
use crate::app::clinic::{pass, remove_database_files, Access, Clinic, Guard, Nothing, State};
use crate::app::places::outside_data_dir;
use crate::domain::audit::{Action, Event};
use crate::domain::backups::{self, BackupKind, Trigger};
use crate::domain::sessions::SessionRef;
use crate::domain::settings::{BackupPolicy, Settings};
use crate::domain::users::{Credentials, Permission, Role, User};
use crate::error::{Error, Result};
use crate::files;
use crate::outside::backup::{self, BackupFile, BackupRequest, BackupStatus, FolderInput, Made, Manifest, Verified};
use crate::outside::crypto::DataKey;
use crate::outside::export::{self, ExportRequest, Exported};
use crate::outside::keyring::Keyring;
use crate::storage::{Author, Db, NewBackup};

/// Audited actions that change no record, so a sign-out after only these needs no new backup.
const NOT_RECORD_CHANGES: &[Action] = &[
    Action::Login,
    Action::LoginFailed,
    Action::Logout,
    Action::Lock,
    Action::Unlock,
    Action::BackupMade,
    Action::BackupFailed,
    Action::DataExported,
    Action::AuditExported,
    Action::ReportPrinted,
];

/// A restore done; everyone is signed out and signs in to the restored database.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub restored_from: String,
    pub made_at: DateTime<Utc>,
    /// Where the database that was replaced is kept: a backup, or the damaged file moved aside.
    pub previous_kept_at: String,
}

/// What a backup needs, taken under the state lock so the copy itself can run without it.
struct Prepared {
    key: Zeroizing<String>,
    slots: Keyring,
    folder: PathBuf,
    policy: BackupPolicy,
    by: User,
}

/// "Back up now": into the chosen folder, or the automatic backup folder (then rotated).
pub fn backup_now(clinic: &Clinic, access: Access, request: BackupRequest) -> Result<Made> {
    let folder = request.folder.map(PathBuf::from);
    clinic.backup_as(access, folder.as_deref(), BackupKind::Manual)
}

/// Last backup, its age and place, the warning if it is stale, and the recent backups.
pub fn backup_status(g: &mut Guard, _: Nothing) -> Result<BackupStatus> {
    let folder = g.clinic.backup_folder(Some(g.keyring));
    let recent = g.db.backups(20)?;
    let last = recent.first().cloned();
    Ok(BackupStatus {
        folder: folder.display().to_string(),
        policy: g.settings.backup.clone(),
        last_present: last.as_ref().is_some_and(|l| Path::new(&l.path).exists()),
        age_hours: last.as_ref().map(|l| backups::age_hours(l, g.now)),
        warning: backups::warning(last.as_ref(), &g.settings.backup, g.now),
        last,
        recent,
    })
}

/// Sets where automatic backups go on this computer; the folder must exist.
pub fn set_backup_folder(clinic: &Clinic, access: Access, input: FolderInput) -> Result<BackupStatus> {
    clinic.gate(access, |g| {
        let folder = input.folder.trim();
        let usable = Path::new(folder).is_absolute() && Path::new(folder).is_dir();
        if !folder.is_empty() && !usable {
            return Err(Error::Validation(format!(
                "The backup folder {folder} does not exist (give the whole path). Connect the drive or make the folder first."
            )));
        }
        // Changed in memory only once the key file holds it, so the two never disagree.
        let mut keyring = g.keyring.clone();
        let old = keyring.backup_folder.take();
        keyring.backup_folder = (!folder.is_empty()).then(|| folder.to_string());
        keyring.save(&g.clinic.keys)?;
        let event = Event::new(Action::BackupFolderChanged).change(old.as_ref(), keyring.backup_folder.as_ref());
        *g.keyring = keyring;
        g.db.audit(&Author::from(&g.by), &event, g.now)
    })?;
    clinic.backup_status(Nothing {})
}

/// Checks a backup file with this clinic's key, changing nothing.
pub fn verify_backup(clinic: &Clinic, access: Access, file: BackupFile) -> Result<Verified> {
    let key = clinic.gate(access, |g| Ok(g.key.sqlcipher_key()))?;
    backup::verify(&file.checked()?, Some(&key))
}

/// Replaces the database with a verified backup (an admin, signed in). The current database is
/// backed up first; everyone is signed out and signs in to the restored one.
/// The file is verified before the state lock is taken, so nurses keep charting meanwhile.
pub fn restore_backup(clinic: &Clinic, access: Access, file: BackupFile) -> Result<Restored> {
    let key = clinic.gate(access, |g| Ok(g.key.clone()))?;
    let verified = backup::verify(&file.checked()?, Some(&key.sqlcipher_key()))?;
    let now = clinic.now();
    let mut state = clinic.state();
    let by = pass(&mut state, access, now)?;
    clinic.replace_database(&mut state, &verified, &key, &by, now)
}

/// From the sign-in screen when the database is damaged: restores the newest backup that passes
/// every check, if the person signing in is an active admin in that backup.
pub fn restore_newest(clinic: &Clinic, credentials: Credentials) -> Result<Restored> {
    let (key, username) = clinic.key_for(&credentials)?;
    clinic.restore_with_key(None, &key, &username)
}

/// Exports every record as CSV files or a FHIR bundle into an existing folder outside the data
/// folder. It reads on a connection of its own, so charting goes on meanwhile; audited once written.
pub fn export_records(clinic: &Clinic, access: Access, request: ExportRequest) -> Result<Exported> {
    let (key, settings, user) = clinic.gate(access, |g| {
        Ok((g.key.sqlcipher_key(), g.settings.clone(), g.by.clone()))
    })?;
    let folder = PathBuf::from(&request.folder);
    outside_data_dir(clinic, &folder, &request.folder)?;
    let now = clinic.now();
    let mut db = Db::open(&clinic.database, Some(&key))?;
    let session = |db: &Db, session_id| chart::session_record(db, &settings, now, SessionRef { session_id });
    let exported = db.read_snapshot(|db| export::write(db, &session, now, request.format, &folder))?;
    let event = Event::new(Action::DataExported).detail(format!(
        "{} records as {:?} to {}",
        exported.total,
        request.format,
        folder.display()
    ));
    db.audit(&Author::from(&user), &event, now)?;
    Ok(exported)
}

impl Clinic {
    /// The command line's backup into `folder` (None: the automatic folder, rotated afterwards).
    pub fn backup_to(&self, folder: Option<&Path>, kind: BackupKind) -> Result<Made> {
        self.backup_as(
            Access::Role(Permission::Administer, "back up the database"),
            folder,
            kind,
        )
    }

    fn backup_as(&self, access: Access, folder: Option<&Path>, kind: BackupKind) -> Result<Made> {
        let prepared = self.gate(access, |g| {
            Ok(self.prepare_backup(g.key, g.settings, Some(g.keyring), &g.by))
        })?;
        let rotate = folder.is_none();
        let folder = folder.map(Path::to_path_buf).unwrap_or_else(|| prepared.folder.clone());
        self.run_backup(&prepared, &folder, kind, rotate)
    }

    /// Runs an automatic backup if `trigger` makes one due; None when none was due or nobody has the
    /// database open (its key is only in memory while someone is signed in).
    pub fn automatic_backup(&self, trigger: Trigger) -> Result<Option<Made>> {
        let now = self.now();
        let prepared = {
            let state = self.state();
            let Some(desk) = state.desk.as_ref() else {
                return Ok(None);
            };
            let due = match desk.db.last_backup()? {
                None => true,
                Some(last) if trigger == Trigger::Timer => {
                    now - last.created_at >= Duration::hours(desk.settings.backup.every_hours as i64)
                }
                Some(_) => desk.db.changed_since_last_backup(NOT_RECORD_CHANGES)?,
            };
            if !due {
                return Ok(None);
            }
            self.prepare_backup(&desk.key, &desk.settings, state.keyring.as_ref(), &desk.user)
        };
        self.run_backup(&prepared, &prepared.folder, BackupKind::Automatic, true)
            .map(Some)
    }

    /// Restores `file` (None: the newest backup that passes every check in the backup folders) with
    /// `key`, if `username` is an active admin in it. On a computer with no chart yet, the key slots
    /// saved beside the backup become the key file.
    pub fn restore_with_key(&self, file: Option<&Path>, key: &DataKey, username: &str) -> Result<Restored> {
        let now = self.now();
        let mut state = self.state();
        let sql_key = key.sqlcipher_key();
        let verified = match file {
            Some(file) => backup::verify(file, Some(&sql_key))?,
            None => {
                let folders = [self.backup_folder(state.keyring.as_ref()), self.default_backup_folder()];
                backup::newest_verified(&folders, Some(&sql_key)).ok_or_else(|| {
                    Error::NotFound(format!(
                        "No backup that passes its checks was found in {}. Restore a chosen file from the command line (infusion-chart restore FILE).",
                        folders[0].display()
                    ))
                })?
            }
        };
        let by = admin_in_backup(&verified, key, username)?;
        let new_computer = state.keyring.is_none();
        if new_computer {
            if let Some(folder) = self.database.parent() {
                files::private_folder(folder)?;
            }
            let slots = Keyring::load(&Keyring::path_beside(Path::new(&verified.path)))?.unwrap_or_default();
            slots.save(&self.keys)?;
            state.keyring = Some(slots);
        }
        self.replace_database(&mut state, &verified, key, &by, now)
            .inspect_err(|_| {
                // A key file without its database would make this computer look set up.
                if new_computer {
                    let _ = fs::remove_file(&self.keys);
                    state.keyring = None;
                }
            })
    }

    /// Where automatic backups go: the folder set on this computer, or `backups/` beside the database.
    fn backup_folder(&self, keyring: Option<&Keyring>) -> PathBuf {
        match keyring.and_then(|k| k.backup_folder.as_ref()) {
            Some(folder) => PathBuf::from(folder),
            None => self.default_backup_folder(),
        }
    }

    fn default_backup_folder(&self) -> PathBuf {
        self.database.with_file_name("backups")
    }

    /// Makes the default automatic folder when it is missing. A folder an admin set (a drive, a share)
    /// must already exist: an unplugged drive is reported, not replaced by a local folder of that name.
    fn ensure_backup_folder(&self, folder: &Path) -> Result<()> {
        if folder == self.default_backup_folder() {
            files::private_folder(folder)?;
        }
        Ok(())
    }

    /// What a backup needs, taken under the state lock so the copy itself can run without it.
    fn prepare_backup(&self, key: &DataKey, settings: &Settings, keyring: Option<&Keyring>, by: &User) -> Prepared {
        Prepared {
            key: key.sqlcipher_key(),
            slots: keyring.map(Keyring::slots_only).unwrap_or_default(),
            folder: self.backup_folder(keyring),
            policy: settings.backup.clone(),
            by: by.clone(),
        }
    }

    /// Makes the backup on its own connection and records it (or the failure). Into the automatic
    /// folder (`rotate`), the folder is made if missing and older backups are rotated afterwards.
    fn run_backup(&self, p: &Prepared, folder: &Path, kind: BackupKind, rotate: bool) -> Result<Made> {
        let now = self.now();
        if rotate {
            self.ensure_backup_folder(folder)?;
        }
        let mut source = Db::open(&self.database, Some(&p.key))?;
        let by = Author::from(&p.by);
        let mut made = backup::make(&mut source, Some(&p.key), &p.slots, folder, kind, &by, now).inspect_err(|e| {
            let event = Event::new(Action::BackupFailed).detail(e.to_string());
            if let Err(audit) = source.audit(&by, &event, now) {
                eprintln!("infusion-chart: backup failure not audited: {audit}");
            }
        })?;
        if rotate {
            // The backup is made and recorded; an old one that could not be removed does not undo that.
            match backup::rotate(folder, &p.policy, Path::new(&made.record.path)) {
                Ok(removed) => made.removed = removed,
                Err(e) => eprintln!("infusion-chart: backup made, but the rotation stopped: {e}"),
            }
        }
        Ok(made)
    }

    /// Puts the verified backup in place of the database. The copy is migrated under a staging name
    /// first (an older schema is brought forward; a failure changes nothing), then the current
    /// database is backed up (or, if it cannot be, moved aside), closed, and replaced by a rename.
    fn replace_database(
        &self,
        state: &mut State,
        verified: &Verified,
        key: &DataKey,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Restored> {
        let sql_key = key.sqlcipher_key();
        let staging = files::suffixed(&self.database, ".restoring");
        remove_database_files(&staging);
        let staged = (|| {
            let mut copy = files::create(&staging, true)?;
            std::io::copy(&mut fs::File::open(&verified.path)?, &mut copy)?;
            copy.sync_all()
        })();
        if let Err(e) = staged {
            remove_database_files(&staging);
            return Err(Error::Storage(format!(
                "The backup could not be copied into the data folder ({e}). Nothing was changed."
            )));
        }
        if let Err(e) = Db::open(&staging, Some(&sql_key)) {
            remove_database_files(&staging);
            return Err(e);
        }
        let (previous_kept_at, pre_restore) = match self.keep_current(state, &sql_key) {
            Ok(kept) => kept,
            Err(e) => {
                remove_database_files(&staging);
                return Err(e);
            }
        };
        state.desk = None;
        let moved = fs::rename(&staging, &self.database).map_err(|e| {
            Error::Storage(format!(
                "The restored database could not be moved into place ({e}); the previous one is kept at {previous_kept_at}."
            ))
        });
        moved.and_then(|_| files::sync_folder(&self.database))?;
        // A new file: the next sign-in checks it.
        state.check = Check::NotRun;
        let mut db = Db::open(&self.database, Some(&sql_key))?;
        let author = match db.user(by.id) {
            Ok(user) if user.username.eq_ignore_ascii_case(&by.username) => Author::from(by),
            _ => Author {
                user_id: None,
                username: Some(&by.username),
            },
        };
        let detail = format!(
            "restored {} (made {}, schema {}); the database it replaced is kept at {previous_kept_at}",
            verified.path, verified.manifest.created_at, verified.manifest.schema_version
        );
        db.audit(&author, &Event::new(Action::BackupRestored).detail(detail), now)?;
        if let Some(manifest) = pre_restore {
            let kept = NewBackup {
                kind: BackupKind::PreRestore,
                path: &previous_kept_at,
                bytes: manifest.bytes as i64,
                sha256: &manifest.sha256,
                // A copy of the database the restore replaced, not of this one.
                audit_through: None,
            };
            db.record_backup(&kept, &author, now)?;
        }
        Ok(Restored {
            restored_from: verified.path.clone(),
            made_at: verified.manifest.created_at,
            previous_kept_at,
        })
    }

    /// Keeps the database about to be replaced: a backup into the automatic folder (its path and
    /// manifest), or, when the database itself is damaged, the file moved aside. Any other reason the
    /// backup failed (a full drive) stops the restore. Closes the database; refuses if another program
    /// has it open.
    fn keep_current(&self, state: &mut State, sql_key: &str) -> Result<(String, Option<Manifest>)> {
        if !self.database.exists() {
            return Ok(("(there was no database)".into(), None));
        }
        let folder = self.backup_folder(state.keyring.as_ref());
        let slots = state.keyring.as_ref().map(Keyring::slots_only).unwrap_or_default();
        let by = Author {
            user_id: None,
            username: Some("(before a restore)"),
        };
        self.ensure_backup_folder(&folder)?;
        // Some: backed up. None: damaged (it will not open, or fails the quick check), to move aside.
        let backed_up = match Db::open(&self.database, Some(sql_key)) {
            Err(_) => None,
            Ok(mut db) => match backup::make(
                &mut db,
                Some(sql_key),
                &slots,
                &folder,
                BackupKind::PreRestore,
                &by,
                self.now(),
            ) {
                Ok(made) => Some(made),
                Err(e) if db.quick_check().is_ok_and(|found| found.is_some_and(|p| p.is_empty())) => return Err(e),
                Err(_) => None,
            },
        };
        state.desk = None;
        let Some(made) = backed_up else {
            return self.move_aside_damaged();
        };
        if !self.closed_everywhere() {
            return Err(Error::Conflict(
                "The chart database is open in another program (another window or a command). Close it and try again. You were signed out; nothing else was changed."
                    .into(),
            ));
        }
        Ok((made.record.path, Some(made.manifest)))
    }

    /// Renames a damaged database aside with its `-wal` and `-shm` (left by a crash), so none of them
    /// is ever applied to the restored one; nothing is deleted, nor replaced by a later one moved aside
    /// in the same second. A rename that fails puts back the ones already made, so nothing is half moved.
    fn move_aside_damaged(&self) -> Result<(String, Option<Manifest>)> {
        let stem = files::suffixed(
            &self.database,
            &format!(".damaged-{}", self.now().format("%Y%m%d-%H%M%S")),
        );
        let taken = |aside: &Path| files::DATABASE_FILES.iter().any(|s| files::suffixed(aside, s).exists());
        let aside = files::first_free(&stem, "", taken).ok_or_else(|| {
            Error::Conflict("The damaged database was moved aside too often this second; try again in a moment. Nothing was changed.".into())
        })?;
        let mut moved = Vec::new();
        for suffix in files::DATABASE_FILES {
            let (from, to) = (files::suffixed(&self.database, suffix), files::suffixed(&aside, suffix));
            match fs::rename(&from, &to) {
                Ok(()) => moved.push((from, to)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !suffix.is_empty() => {}
                Err(e) => {
                    for (from, to) in moved.iter().rev() {
                        let _ = fs::rename(to, from);
                    }
                    return Err(Error::Storage(format!(
                        "The damaged database could not be moved aside ({e}). Nothing was changed."
                    )));
                }
            }
        }
        Ok((aside.display().to_string(), None))
    }

    /// True once no connection holds the database: closing the last one checkpoints and removes the
    /// WAL. (A crash leaves one too, so a damaged database is moved aside without asking this.)
    fn closed_everywhere(&self) -> bool {
        !files::suffixed(&self.database, "-wal").exists()
    }
}

/// The backup's account `username`, if it is an active admin there: only an admin restores.
fn admin_in_backup(verified: &Verified, key: &DataKey, username: &str) -> Result<User> {
    let users = Db::read_only(Path::new(&verified.path), Some(&key.sqlcipher_key()))?.users()?;
    users
        .into_iter()
        .find(|u| u.active && u.has(Role::Admin) && u.username.eq_ignore_ascii_case(username.trim()))
        .ok_or_else(|| {
            Error::Forbidden(format!(
                "Only an admin restores a backup, and {username} is not an active admin in it."
            ))
        })
}

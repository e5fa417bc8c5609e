//! `Clinic`: the one object the desktop shell and the command line talk to. It owns the key file
//! and, while someone is signed in, the open database (`Desk`). Every action passes one gate
//! (`Clinic::gate`): it asks for an `Access` and gets a `Guard` holding the database, the user and
//! the clock. The commands themselves are listed once, in `commands.rs`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::app::check::Check;
use crate::app::sharing::{self, Worker};
use crate::domain::audit::{Action, Event};
use crate::domain::backups;
use crate::domain::settings::Settings;
use crate::domain::sync::Sharing;
use crate::domain::users::{require, Permission, User};
use crate::domain::validate::clinic_date;
use crate::error::{Error, Result};
use crate::files;
use crate::outside::crypto::DataKey;
use crate::outside::keyring::Keyring;
use crate::storage::{Author, Db};

/// Where "now" comes from; tests substitute a clock they can move.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock moved to start at a set instant (`CLOCK_ENV`, RFC 3339) and run on from there:
/// how the end-to-end tests chart through a night the clocks change, and how a demo is shown at
/// a set time. Unset, the app keeps the system clock.
pub struct StartedClock {
    shift: chrono::Duration,
}

pub const CLOCK_ENV: &str = "INFUSION_CHART_CLOCK";

impl StartedClock {
    /// The clock `CLOCK_ENV` asks for; an unreadable value is an error (never silently the real time).
    pub fn from_env() -> Result<Option<StartedClock>> {
        let Some(text) = std::env::var(CLOCK_ENV).ok().filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let start = DateTime::parse_from_rfc3339(&text).map_err(|_| {
            crate::error::Error::InvalidRequest(format!(
                "{CLOCK_ENV} must be a date and time like 2026-11-01T05:50:00Z; it is {text}."
            ))
        })?;
        Ok(Some(StartedClock {
            shift: start.with_timezone(&Utc) - Utc::now(),
        }))
    }
}

impl Clock for StartedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.shift
    }
}

/// Which screen the window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    /// First run: nobody has set the chart up yet.
    Setup,
    SignedOut,
    Locked,
    Ready,
}

/// What the window needs to know to choose a screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub state: AppState,
    pub user: Option<User>,
    pub auto_lock_minutes: u32,
    pub must_change_password: bool,
    /// Shown on every screen when the last backup is older than the clinic allows (or there is none).
    pub backup_warning: Option<String>,
    /// Shown on every screen of a laptop that shares a clinic server: shared how long ago, or since
    /// when the server does not answer (entries are safe here). None on a laptop working alone.
    pub sharing: Option<Sharing>,
    /// The clinic's clock: the window's clock-following fields keep to it.
    pub now: DateTime<Utc>,
}

/// An empty command input (`{}`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

/// What an action needs to pass the gate; the command table gives each command its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No gate: the sign-in steps (setting up, signing in and out, unlocking), which check what they
    /// need themselves.
    Anyone,
    /// Someone signed in and unlocked, whatever their role, even with a temporary password.
    SignedIn,
    /// Signed in and unlocked, the temporary password changed, with a role that gives the permission;
    /// the words say what is refused ("add patients").
    Role(Permission, &'static str),
    /// As `Role`, for reads the window repeats by itself: they leave the idle clock alone.
    Watch(Permission, &'static str),
}

impl Access {
    /// The permission this access asks for, if any.
    pub fn permission(self) -> Option<Permission> {
        match self {
            Access::Role(p, _) | Access::Watch(p, _) => Some(p),
            Access::Anyone | Access::SignedIn => None,
        }
    }
}

/// The signed-in user's open database, with the key that opened it; kept while they are signed in
/// (also while the screen is locked) and dropped at sign-out, so the key leaves memory.
pub(crate) struct Desk {
    pub db: Db,
    pub key: DataKey,
    pub settings: Settings,
    pub user: User,
    pub locked: bool,
    pub last_activity: DateTime<Utc>,
    /// Sharing with the clinic server in the background, if this laptop has joined one.
    pub sharing: Option<Worker>,
}

impl Desk {
    /// The desk of `user`, just signed in at `now` to the database at `database`.
    pub fn new(database: &Path, db: Db, key: DataKey, settings: Settings, user: User, now: DateTime<Utc>) -> Desk {
        // A worker that cannot start leaves the laptop charting alone; the sync state says so.
        let sharing = Worker::start(database, &key, &db).ok().flatten();
        Desk {
            db,
            key,
            settings,
            user,
            locked: false,
            last_activity: now,
            sharing,
        }
    }
}

pub(crate) struct State {
    /// None until the chart is set up on this computer.
    pub keyring: Option<Keyring>,
    /// Some while someone is signed in.
    pub desk: Option<Desk>,
    /// SQLite's quick check of the database, run once per process from the first sign-in.
    pub check: Check,
}

impl State {
    /// The key slots and the signed-in user's desk, or "nobody is signed in".
    pub fn signed_in(&mut self) -> Result<(&mut Keyring, &mut Desk)> {
        match (self.keyring.as_mut(), self.desk.as_mut()) {
            (Some(keyring), Some(desk)) => Ok((keyring, desk)),
            _ => Err(not_signed_in()),
        }
    }
}

/// What an action that passed the gate works with.
pub struct Guard<'a> {
    pub db: &'a mut Db,
    pub settings: &'a mut Settings,
    pub key: &'a DataKey,
    pub keyring: &'a mut Keyring,
    /// The signed-in user as the desk keeps them: an admin's change to their own account updates it.
    pub signed_in: &'a mut User,
    /// Who acts, as they passed the gate.
    pub by: User,
    pub now: DateTime<Utc>,
    pub clinic: &'a Clinic,
}

pub struct Clinic {
    pub(crate) database: PathBuf,
    pub(crate) keys: PathBuf,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl Clinic {
    /// The clinic whose database is at `database` (its key file beside it). Opens nothing yet:
    /// the database is encrypted and opens at the first sign-in.
    pub fn open(database: &Path) -> Result<Clinic> {
        match StartedClock::from_env()? {
            Some(clock) => Clinic::with_clock(database, Arc::new(clock)),
            None => Clinic::with_clock(database, Arc::new(SystemClock)),
        }
    }

    pub fn with_clock(database: &Path, clock: Arc<dyn Clock>) -> Result<Clinic> {
        let keys = Keyring::path_beside(database);
        let keyring = Keyring::load(&keys)?;
        let clinic = Clinic {
            database: database.to_path_buf(),
            keys,
            clock,
            state: Mutex::new(State {
                keyring,
                desk: None,
                check: Check::NotRun,
            }),
        };
        clinic.clear_reports();
        let has_keys = clinic.state().keyring.is_some();
        if has_keys && !database.exists() && clinic.staging_path().exists() {
            clinic.finish_setup()?;
        }
        if !has_keys && database.exists() {
            return Err(Error::Database(format!(
                "The chart database {} exists but its key file {} is missing. Restore the key file from a backup.",
                database.display(),
                clinic.keys.display()
            )));
        }
        Ok(clinic)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(3)
    }

    /// Today in the clinic's time zone (the computer's), by the injected clock.
    pub fn today(&self) -> NaiveDate {
        clinic_date(self.now())
    }

    /// The state, with the database closed if the quick check has found it damaged. A panic in
    /// another command must not lock every nurse out, so poisoning is ignored.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.check.found_damage() {
            state.desk = None;
        }
        state
    }

    /// The one gate: runs `f` if the state allows `access`, with the database, the user and the clock.
    pub(crate) fn gate<T>(&self, access: Access, f: impl FnOnce(&mut Guard<'_>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let mut state = self.state();
        f(&mut self.enter(&mut state, access, now)?)
    }

    /// The gate on a state already locked, for a step that reads the state again once the guard is
    /// dropped (the status it answers with).
    pub(crate) fn enter<'a>(&'a self, state: &'a mut State, access: Access, now: DateTime<Utc>) -> Result<Guard<'a>> {
        let by = pass(state, access, now)?;
        let (keyring, desk) = state.signed_in()?;
        // Slots changed by the last action, or pulled from the clinic since, travel on now; a
        // failure here leaves them for the next action and never stops this one.
        if sharing::level_slots(keyring, &mut desk.db).unwrap_or(false) {
            let _ = keyring.save(&self.keys);
        }
        let Desk {
            db,
            key,
            settings,
            user,
            ..
        } = desk;
        Ok(Guard {
            db,
            settings,
            key,
            keyring,
            signed_in: user,
            by,
            now,
            clinic: self,
        })
    }

    /// The status the window chooses its screen by.
    pub(crate) fn status_of(&self, state: &State, now: DateTime<Utc>) -> Status {
        let desk = state.desk.as_ref();
        let backup_warning = match desk {
            Some(desk) if !desk.locked => match desk.db.last_backup() {
                Ok(last) => backups::warning(last.as_ref(), &desk.settings.backup, now),
                Err(e) => Some(format!("The backup log could not be read ({e}).")),
            },
            _ => None,
        };
        let state_now = match (&state.keyring, desk) {
            (None, _) => AppState::Setup,
            (Some(_), None) => AppState::SignedOut,
            (Some(_), Some(d)) if d.locked => AppState::Locked,
            (Some(_), Some(_)) => AppState::Ready,
        };
        Status {
            state: state_now,
            user: desk.map(|d| d.user.clone()),
            auto_lock_minutes: desk
                .map(|d| d.settings.auto_lock_minutes)
                .unwrap_or(Settings::default().auto_lock_minutes),
            must_change_password: desk.is_some_and(|d| d.user.must_change_password),
            backup_warning,
            sharing: desk.and_then(|d| d.db.sync_state().ok()).and_then(|s| s.sharing(now)),
            now,
        }
    }

    /// Where setup builds the database before moving it into place.
    pub(crate) fn staging_path(&self) -> PathBuf {
        files::suffixed(&self.database, ".setup")
    }

    /// Moves a set-up database into place (also after a crash between saving the key file and this).
    pub(crate) fn finish_setup(&self) -> Result<()> {
        std::fs::rename(self.staging_path(), &self.database).map_err(|e| {
            Error::Storage(format!(
                "The new database could not be moved into place at {} ({e}).",
                self.database.display()
            ))
        })
    }

    /// Where reports for the PDF viewer go: a private folder beside the database (`places::reports_folder`).
    pub(crate) fn reports_dir(&self) -> PathBuf {
        self.database.with_file_name("reports")
    }

    /// Deletes the viewer copies of earlier reports (best effort: a file a viewer still holds open
    /// on some systems is left for the next time).
    pub(crate) fn clear_reports(&self) {
        if let Ok(entries) = std::fs::read_dir(self.reports_dir()) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Stops the quick check if it still runs: the app is closing.
    pub fn stop_check(&self) {
        self.state().check.stop();
    }
}

pub(crate) fn not_signed_in() -> Error {
    Error::Unauthenticated("Nobody is signed in. Please sign in.".into())
}

/// The gate's check: the database sound, someone signed in, not locked or idle too long; for a
/// `Role`, a role that allows it and no temporary password left to change. Returns who acts.
pub(crate) fn pass(state: &mut State, access: Access, now: DateTime<Utc>) -> Result<User> {
    state.check.refuse_if_failed()?;
    let desk = state.desk.as_mut().ok_or_else(not_signed_in)?;
    expire(desk, now)?;
    if desk.locked {
        return Err(Error::Locked(format!(
            "The screen is locked. {} or another user must unlock it.",
            desk.user.display_name
        )));
    }
    if let Access::Role(permission, action) | Access::Watch(permission, action) = access {
        require(&desk.user, permission, action)?;
        if desk.user.must_change_password {
            return Err(Error::Forbidden(
                "Change your temporary password first (Change password, at the top of the screen).".into(),
            ));
        }
    }
    if !matches!(access, Access::Watch(..)) {
        desk.last_activity = now;
    }
    Ok(desk.user.clone())
}

/// Locks the screen if the signed-in user has been idle longer than the auto-lock setting.
pub(crate) fn expire(desk: &mut Desk, now: DateTime<Utc>) -> Result<()> {
    let minutes = desk.settings.auto_lock_minutes;
    if !desk.locked && now - desk.last_activity >= Duration::minutes(minutes as i64) {
        desk.locked = true;
        let event = Event::new(Action::Lock).detail(format!("after {minutes} minutes without activity"));
        desk.db.audit(&Author::from(&desk.user), &event, now)?;
    }
    Ok(())
}

/// Removes what an interrupted setup or restore left under a staging name; it never holds charted data.
pub(crate) fn remove_database_files(path: &Path) {
    for suffix in files::DATABASE_FILES {
        let _ = std::fs::remove_file(files::suffixed(path, suffix));
    }
}

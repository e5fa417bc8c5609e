//! `Clinic`: the one object the desktop shell (and later the command line) talks to. It owns the
//! key file and the open database, knows who is signed in and whether the screen is locked, and
//! checks every action's permission before it reaches `chart` or the admin functions.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{self, Action, Event, Exported, ExportRequest, Filter, Verification};
use crate::chart;
use crate::crypto::{self, DataKey, DEFAULT_KDF};
use crate::error::{Error, Result};
use crate::keyring::{Keyring, Slot};
use crate::patients::{Patient, PatientInput, PatientSearch};
use crate::sessions::{PatientRecord, PatientRef, Session, SessionRecord, SessionRef};
use crate::settings::{Settings, SettingsInput};
use crate::signing::AddendumInput;
use crate::storage::{Author, Db};
use crate::users::{
    check_password, check_roles, require, ActiveChange, Credentials, PasswordChange, PasswordReset, Permission, Role,
    RolesChange, User, UserInput,
};
use crate::validate::Checker;
use crate::vitals::{Vitals, VitalsCorrection, VitalsInput};

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

/// What the window needs to know to choose a screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// "setup" (first run), "signed_out", "locked" or "ready".
    pub state: &'static str,
    pub user: Option<User>,
    pub auto_lock_minutes: u32,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupDone {
    pub status: Status,
    /// Shown once, to print and lock away: it opens the database if every password is lost.
    pub recovery_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unlocked {
    pub status: Status,
    /// False when another user unlocked: the window then starts them on a fresh view.
    pub same_user: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recovery {
    pub recovery_key: String,
    pub username: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

/// An empty command input (`{}`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

struct Login {
    user: User,
    locked: bool,
    last_activity: DateTime<Utc>,
}

struct Open {
    db: Db,
    key: DataKey,
    settings: Settings,
    login: Option<Login>,
}

struct State {
    keyring: Option<Keyring>,
    open: Option<Open>,
}

pub struct Clinic {
    database: PathBuf,
    keys: PathBuf,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

const WRONG_CREDENTIALS: &str =
    "The username or password is not right. After 5 failed tries, sign-in for that username pauses for a while.";

impl Clinic {
    /// The clinic whose database is at `database` (its key file beside it). Opens nothing yet:
    /// the database is encrypted and opens at the first sign-in.
    pub fn open(database: &Path) -> Result<Clinic> {
        Clinic::with_clock(database, Arc::new(SystemClock))
    }

    pub fn with_clock(database: &Path, clock: Arc<dyn Clock>) -> Result<Clinic> {
        let keys = Keyring::path_beside(database);
        let keyring = Keyring::load(&keys)?;
        let has_data = std::fs::metadata(database).map(|m| m.len() > 0).unwrap_or(false);
        if keyring.is_none() && has_data {
            return Err(Error::Database(format!(
                "The chart database {} exists but its key file {} is missing. Restore the key file from a backup.",
                database.display(),
                keys.display()
            )));
        }
        Ok(Clinic { database: database.to_path_buf(), keys, clock, state: Mutex::new(State { keyring, open: None }) })
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(3)
    }

    /// The state; a panic in another command must not lock every nurse out, so poisoning is ignored.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn status(&self, _: Nothing) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if let Some(open) = state.open.as_mut() {
            expire(open, now)?;
        }
        Ok(status(&state))
    }

    /// First run: creates the encrypted database, its key, and the admin account, and signs them in.
    pub fn setup(&self, mut input: UserInput) -> Result<SetupDone> {
        let now = self.now();
        let mut state = self.state();
        if state.keyring.is_some() {
            return Err(Error::Conflict("Infusion Chart is already set up. Sign in instead.".into()));
        }
        input.roles.push(Role::Admin);
        let (account, password) = input.validate()?;
        let key = DataKey::generate()?;
        let mut db = Db::open(&self.database, Some(&key.sqlcipher_key()))?;
        let user = db.insert_user(&account, false, None, now)?;
        let mut keyring = Keyring::new();
        keyring.put_slot(Slot { user_id: user.id, username: user.username.clone(), wrapped: key.wrap(&password, DEFAULT_KDF)? });
        keyring.save(&self.keys)?;
        db.audit(&Author::from(&user), &Event::new(Action::Login), now)?;
        let recovery_key = key.recovery_code();
        state.keyring = Some(keyring);
        state.open = Some(Open { settings: db.settings()?, db, key, login: Some(Login { user, locked: false, last_activity: now }) });
        Ok(SetupDone { status: status(&state), recovery_key })
    }

    pub fn login(&self, credentials: Credentials) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if let Some(login) = state.open.as_ref().and_then(|o| o.login.as_ref()) {
            return Err(Error::Conflict(format!("{} is signed in on this computer. Sign out or unlock first.", login.user.display_name)));
        }
        let (key, user_id) = self.authenticate(&mut state, &credentials, now)?;
        if state.open.is_none() {
            let db = Db::open(&self.database, Some(&key.sqlcipher_key()))?;
            state.open = Some(Open { settings: db.settings()?, db, key, login: None });
        }
        self.flush_failures(&mut state)?;
        let open = state.open.as_mut().expect("opened above");
        let user = active_user(&open.db, user_id)?;
        open.db.audit(&Author::from(&user), &Event::new(Action::Login), now)?;
        open.login = Some(Login { user, locked: false, last_activity: now });
        Ok(status(&state))
    }

    /// Unlocks the locked screen, as the same user or as another (who then gets a fresh view).
    pub fn unlock(&self, credentials: Credentials) -> Result<Unlocked> {
        let now = self.now();
        let mut state = self.state();
        let locked_user = match state.open.as_mut().and_then(|o| o.login.as_mut()) {
            Some(login) if login.locked => login.user.id,
            Some(_) => return Err(Error::Conflict("The screen is not locked.".into())),
            None => return Err(Error::Unauthenticated("Nobody is signed in. Sign in instead.".into())),
        };
        let (_, user_id) = self.authenticate(&mut state, &credentials, now)?;
        self.flush_failures(&mut state)?;
        let open = state.open.as_mut().expect("a locked screen has an open database");
        let user = active_user(&open.db, user_id)?;
        let same_user = user.id == locked_user;
        let mut event = Event::new(Action::Unlock);
        if !same_user {
            let previous = open.db.user(locked_user)?;
            event = event.detail(format!("unlocked by another user; {} was signed in", previous.username));
        }
        open.db.audit(&Author::from(&user), &event, now)?;
        open.login = Some(Login { user, locked: false, last_activity: now });
        Ok(Unlocked { status: status(&state), same_user })
    }

    pub fn lock(&self, _: Nothing) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        let open = state.open.as_mut().ok_or_else(not_signed_in)?;
        let login = open.login.as_mut().ok_or_else(not_signed_in)?;
        if !login.locked {
            login.locked = true;
            open.db.audit(&Author::from(&login.user), &Event::new(Action::Lock), now)?;
        }
        Ok(status(&state))
    }

    /// Signs out and closes the database, so its key leaves memory.
    pub fn logout(&self, _: Nothing) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if let Some(mut open) = state.open.take() {
            if let Some(login) = open.login.take() {
                open.db.audit(&Author::from(&login.user), &Event::new(Action::Logout), now)?;
            }
        }
        Ok(status(&state))
    }

    /// Restarts the inactivity clock (the window calls it while the user types or moves the mouse).
    pub fn touch(&self, _: Nothing) -> Result<Status> {
        self.act(None, "", |_, _, _| Ok(()))?;
        self.status(Nothing {})
    }

    pub fn change_password(&self, change: PasswordChange) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        let user = signed_in(&mut state, now)?.clone();
        let slot = state.keyring.as_ref().and_then(|k| k.slot(&user.username)).cloned().ok_or_else(not_signed_in)?;
        let Some(key) = DataKey::unwrap(&slot.wrapped, &change.current_password)? else {
            return Err(Error::Validation("The current password is not right.".into()));
        };
        let mut c = Checker::new();
        check_password(&mut c, "New password", Some(&change.new_password), Some(&change.new_password_confirm));
        if change.new_password == change.current_password {
            c.problem("The new password must differ from the current one.");
        }
        c.finish()?;
        let wrapped = key.wrap(&change.new_password, DEFAULT_KDF)?;
        self.save_slot(&mut state, Slot { wrapped, ..slot })?;
        let open = state.open.as_mut().expect("signed in");
        let updated = open.db.update_user(user.id, Action::PasswordChanged, &user, now, |u| u.must_change_password = false)?;
        open.login.as_mut().expect("signed in").user = updated;
        Ok(status(&state))
    }

    /// Every password lost: the recovery key opens the database and sets a new password for `username`.
    pub fn recover(&self, recovery: Recovery) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if state.open.as_ref().is_some_and(|o| o.login.is_some()) {
            return Err(Error::Conflict("Someone is signed in on this computer. Sign out first.".into()));
        }
        let key = DataKey::from_recovery_code(&recovery.recovery_key)?;
        let db = Db::open(&self.database, Some(&key.sqlcipher_key()))
            .map_err(|_| Error::Unauthenticated("That recovery key does not open this database.".into()))?;
        let user = db
            .users()?
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(&recovery.username) && u.active)
            .ok_or_else(|| Error::NotFound(format!("There is no active user {}.", recovery.username)))?;
        let mut c = Checker::new();
        check_password(&mut c, "New password", Some(&recovery.new_password), Some(&recovery.new_password_confirm));
        c.finish()?;
        let wrapped = key.wrap(&recovery.new_password, DEFAULT_KDF)?;
        let mut open = Open { settings: db.settings()?, db, key, login: None };
        open.db.audit(&Author::from(&user), &Event::new(Action::RecoveryKeyUsed).record("users", user.id), now)?;
        let user = open.db.update_user(user.id, Action::PasswordReset, &user, now, |u| u.must_change_password = false)?;
        state.keyring.get_or_insert_with(Keyring::new).clear_failures(&user.username);
        state.open = Some(open);
        self.save_slot(&mut state, Slot { user_id: user.id, username: user.username.clone(), wrapped })?;
        let open = state.open.as_mut().expect("opened above");
        open.db.audit(&Author::from(&user), &Event::new(Action::Login).detail("with the recovery key"), now)?;
        open.login = Some(Login { user, locked: false, last_activity: now });
        Ok(status(&state))
    }

    // ---- charting (nurses and physicians) ----

    pub fn add_patient(&self, input: PatientInput) -> Result<Patient> {
        self.act(Some(Permission::Chart), "add patients", |db, by, now| chart::add_patient(db, by, now, input))
    }

    pub fn search_patients(&self, search: PatientSearch) -> Result<Vec<Patient>> {
        self.act(Some(Permission::Chart), "view patient records", |db, _, _| chart::search_patients(db, search))
    }

    pub fn patient_record(&self, patient: PatientRef) -> Result<PatientRecord> {
        self.act(Some(Permission::Chart), "view patient records", |db, _, _| chart::patient_record(db, patient))
    }

    pub fn start_session(&self, patient: PatientRef) -> Result<Session> {
        self.act(Some(Permission::Chart), "start sessions", |db, by, now| chart::start_session(db, by, now, patient))
    }

    pub fn session_record(&self, session: SessionRef) -> Result<SessionRecord> {
        self.act(Some(Permission::Chart), "view patient records", |db, _, _| chart::session_record(db, session))
    }

    pub fn add_vitals(&self, input: VitalsInput) -> Result<Vitals> {
        self.act(Some(Permission::Chart), "chart vitals", |db, by, now| chart::add_vitals(db, by, now, input))
    }

    pub fn correct_vitals(&self, correction: VitalsCorrection) -> Result<Vitals> {
        self.act(Some(Permission::Chart), "correct vitals", |db, by, now| chart::correct_vitals(db, by, now, correction))
    }

    pub fn sign_session(&self, session: SessionRef) -> Result<SessionRecord> {
        self.act(Some(Permission::Sign), "sign a session", |db, by, now| chart::sign_session(db, by, now, session))
    }

    pub fn cosign_session(&self, session: SessionRef) -> Result<SessionRecord> {
        self.act(Some(Permission::Cosign), "co-sign a session", |db, by, now| chart::cosign_session(db, by, now, session))
    }

    pub fn add_addendum(&self, input: AddendumInput) -> Result<SessionRecord> {
        self.act(Some(Permission::Chart), "add addenda", |db, by, now| chart::add_addendum(db, by, now, input))
    }

    // ---- administration (admins) ----

    pub fn list_users(&self, _: Nothing) -> Result<Vec<User>> {
        self.act(Some(Permission::Administer), "manage users", |db, _, _| db.users())
    }

    /// Adds an account with a temporary password (changed at first sign-in) and its key slot.
    pub fn add_user(&self, input: UserInput) -> Result<User> {
        let (account, password) = input.validate()?;
        let (user, key) = self.act_open(Some(Permission::Administer), "manage users", |open, by, now| {
            Ok((open.db.insert_user(&account, true, Some(by), now)?, open.key.clone()))
        })?;
        let wrapped = key.wrap(&password, DEFAULT_KDF)?;
        self.save_slot(&mut self.state(), Slot { user_id: user.id, username: user.username.clone(), wrapped })?;
        Ok(user)
    }

    pub fn set_user_roles(&self, change: RolesChange) -> Result<User> {
        let roles = check_roles(&change.roles)?;
        self.act(Some(Permission::Administer), "manage users", |db, by, now| {
            if !roles.contains(&Role::Admin) {
                keep_an_admin(db, change.user_id)?;
            }
            db.update_user(change.user_id, Action::UserRolesChanged, by, now, |u| u.roles = roles)
        })
    }

    /// Disabling removes the user's key slot (their password opens nothing); the account stays, never deleted.
    pub fn set_user_active(&self, change: ActiveChange) -> Result<User> {
        let user = self.act(Some(Permission::Administer), "manage users", |db, by, now| {
            if change.active {
                return db.update_user(change.user_id, Action::UserEnabled, by, now, |u| {
                    u.active = true;
                    u.must_change_password = true;
                });
            }
            if change.user_id == by.id {
                return Err(Error::Conflict("You cannot disable your own account.".into()));
            }
            keep_an_admin(db, change.user_id)?;
            db.update_user(change.user_id, Action::UserDisabled, by, now, |u| u.active = false)
        })?;
        if !user.active {
            let mut state = self.state();
            let keyring = state.keyring.as_mut().expect("set up");
            keyring.remove_slot(user.id);
            keyring.save(&self.keys)?;
        }
        Ok(user)
    }

    /// Sets a temporary password; the user must change it at their next sign-in.
    pub fn reset_password(&self, reset: PasswordReset) -> Result<User> {
        let mut c = Checker::new();
        check_password(&mut c, "New temporary password", Some(&reset.new_password), None);
        c.finish()?;
        let (user, key) = self.act_open(Some(Permission::Administer), "manage users", |open, by, now| {
            if !open.db.user(reset.user_id)?.active {
                return Err(Error::Conflict("This account is disabled. Enable it first, then set its password.".into()));
            }
            let user = open.db.update_user(reset.user_id, Action::PasswordReset, by, now, |u| u.must_change_password = true)?;
            Ok((user, open.key.clone()))
        })?;
        let wrapped = key.wrap(&reset.new_password, DEFAULT_KDF)?;
        let mut state = self.state();
        state.keyring.as_mut().expect("set up").clear_failures(&user.username);
        self.save_slot(&mut state, Slot { user_id: user.id, username: user.username.clone(), wrapped })?;
        Ok(user)
    }

    pub fn settings(&self, _: Nothing) -> Result<Settings> {
        self.act_open(Some(Permission::Administer), "change settings", |open, _, _| Ok(open.settings.clone()))
    }

    pub fn update_settings(&self, input: SettingsInput) -> Result<Settings> {
        let settings = input.validate()?;
        self.act_open(Some(Permission::Administer), "change settings", |open, by, now| {
            open.settings = open.db.save_settings(&settings, by, now)?;
            Ok(open.settings.clone())
        })
    }

    pub fn audit_search(&self, filter: Filter) -> Result<Vec<audit::Entry>> {
        self.act(Some(Permission::Administer), "review the audit trail", |db, _, _| {
            db.audit_search(&filter, Some(filter.limit.unwrap_or(audit::SEARCH_LIMIT)))
        })
    }

    pub fn audit_verify(&self, _: Nothing) -> Result<Verification> {
        self.act(Some(Permission::Administer), "review the audit trail", |db, _, _| db.audit_verify())
    }

    /// Writes every matching row to a CSV file; the export itself is audited.
    pub fn audit_export(&self, request: ExportRequest) -> Result<Exported> {
        self.act(Some(Permission::Administer), "export the audit trail", |db, by, now| {
            let entries = db.audit_search(&request.filter, None)?;
            let fail = |e: std::io::Error| Error::Storage(format!("The file {} could not be written ({e}).", request.path));
            let mut file = std::io::BufWriter::new(std::fs::File::create(&request.path).map_err(fail)?);
            audit::write_csv(&entries, &mut file)?;
            file.into_inner().map_err(|e| fail(e.into_error()))?.sync_all().map_err(fail)?;
            let event = Event::new(Action::AuditExported).detail(format!("{} rows to {}", entries.len(), request.path));
            db.audit(&Author::from(by), &event, now)?;
            Ok(Exported { path: request.path.clone(), rows: entries.len() })
        })
    }

    // ---- the checks every action passes ----

    /// Runs `f` for the signed-in, unlocked user, if `permission` allows (None: any role).
    fn act<T>(&self, permission: Option<Permission>, action: &str, f: impl FnOnce(&mut Db, &User, DateTime<Utc>) -> Result<T>) -> Result<T> {
        self.act_open(permission, action, |open, by, now| f(&mut open.db, by, now))
    }

    fn act_open<T>(&self, permission: Option<Permission>, action: &str, f: impl FnOnce(&mut Open, &User, DateTime<Utc>) -> Result<T>) -> Result<T> {
        let now = self.now();
        let mut state = self.state();
        let user = signed_in(&mut state, now)?.clone();
        if let Some(permission) = permission {
            require(&user, permission, action)?;
            if user.must_change_password {
                return Err(Error::Forbidden("Change your temporary password first (Change password, at the top of the screen).".into()));
            }
        }
        let open = state.open.as_mut().expect("signed in");
        open.login.as_mut().expect("signed in").last_activity = now;
        f(open, &user, now)
    }

    /// Checks the password against the username's key slot; counts and throttles failures.
    fn authenticate(&self, state: &mut State, c: &Credentials, now: DateTime<Utc>) -> Result<(DataKey, i64)> {
        let keyring = state.keyring.as_mut().ok_or_else(|| Error::Unauthenticated("Infusion Chart is not set up yet.".into()))?;
        keyring.check_throttle(c.username.trim(), now)?;
        let slot = keyring.slot(c.username.trim()).cloned();
        let key = match &slot {
            Some(slot) => DataKey::unwrap(&slot.wrapped, &c.password)?,
            None => {
                // Same work as a real check, so the time taken does not reveal which usernames exist.
                crypto::spend_like_unwrap(&c.password)?;
                None
            }
        };
        match (key, slot) {
            (Some(key), Some(slot)) => {
                keyring.clear_failures(&slot.username);
                keyring.save(&self.keys)?;
                Ok((key, slot.user_id))
            }
            _ => {
                keyring.record_failure(c.username.trim(), now);
                keyring.save(&self.keys)?;
                self.flush_failures(state)?;
                Err(Error::Unauthenticated(WRONG_CREDENTIALS.into()))
            }
        }
    }

    /// Writes failed sign-ins noted while the database was closed into the audit trail.
    fn flush_failures(&self, state: &mut State) -> Result<()> {
        let (Some(keyring), Some(open)) = (state.keyring.as_mut(), state.open.as_mut()) else {
            return Ok(());
        };
        if keyring.pending_failures.is_empty() {
            return Ok(());
        }
        for failure in &keyring.pending_failures {
            let author = Author { user_id: None, username: Some(&failure.username) };
            open.db.audit(&author, &Event::new(Action::LoginFailed), failure.at)?;
        }
        keyring.pending_failures.clear();
        keyring.save(&self.keys)
    }

    fn save_slot(&self, state: &mut State, slot: Slot) -> Result<()> {
        let keyring = state.keyring.get_or_insert_with(Keyring::new);
        keyring.put_slot(slot);
        keyring.save(&self.keys)
    }
}

fn not_signed_in() -> Error {
    Error::Unauthenticated("Nobody is signed in. Please sign in.".into())
}

/// Locks the screen if the signed-in user has been idle longer than the auto-lock setting.
fn expire(open: &mut Open, now: DateTime<Utc>) -> Result<()> {
    let limit = Duration::minutes(open.settings.auto_lock_minutes as i64);
    if let Some(login) = open.login.as_mut() {
        if !login.locked && now - login.last_activity >= limit {
            login.locked = true;
            let event = Event::new(Action::Lock).detail(format!("after {} minutes without activity", open.settings.auto_lock_minutes));
            open.db.audit(&Author::from(&login.user), &event, now)?;
        }
    }
    Ok(())
}

/// The signed-in user, if the screen is not locked (locking it first if they have been idle too long).
fn signed_in(state: &mut State, now: DateTime<Utc>) -> Result<&User> {
    let open = state.open.as_mut().ok_or_else(not_signed_in)?;
    expire(open, now)?;
    let login = open.login.as_ref().ok_or_else(not_signed_in)?;
    if login.locked {
        return Err(Error::Locked(format!("The screen is locked. {} or another user must unlock it.", login.user.display_name)));
    }
    Ok(&login.user)
}

fn status(state: &State) -> Status {
    let login = state.open.as_ref().and_then(|o| o.login.as_ref());
    let auto_lock_minutes = state.open.as_ref().map(|o| o.settings.auto_lock_minutes).unwrap_or(Settings::default().auto_lock_minutes);
    let state_name = match (&state.keyring, login) {
        (None, _) => "setup",
        (Some(_), None) => "signed_out",
        (Some(_), Some(l)) if l.locked => "locked",
        (Some(_), Some(_)) => "ready",
    };
    Status {
        state: state_name,
        user: login.map(|l| l.user.clone()),
        auto_lock_minutes,
        must_change_password: login.is_some_and(|l| l.user.must_change_password),
    }
}

fn active_user(db: &Db, id: i64) -> Result<User> {
    let user = db.user(id)?;
    if !user.active {
        return Err(Error::Unauthenticated("This account is disabled. Ask an admin.".into()));
    }
    Ok(user)
}

/// Refuses a change that would leave the clinic without an active admin.
fn keep_an_admin(db: &Db, losing: i64) -> Result<()> {
    let others = db.users()?.into_iter().filter(|u| u.id != losing && u.active && u.has(Role::Admin)).count();
    let target = db.user(losing)?;
    if target.has(Role::Admin) && target.active && others == 0 {
        return Err(Error::Conflict("This is the only active admin. Give another user the admin role first.".into()));
    }
    Ok(())
}

//! The sign-in state machine: setting up, signing in and out, locking and unlocking, passwords and
//! the recovery key. These steps are the commands that pass no gate (`Access::Anyone`): each checks
//! what it needs under the state lock itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::app::check;
use crate::app::clinic::{
    expire, not_signed_in, remove_database_files, Access, Clinic, Desk, Guard, Nothing, State, Status,
};
use crate::domain::audit::{Action, Event};
use crate::domain::backups::Trigger;
use crate::domain::users::{check_password, Credentials, PasswordChange, Role, User, UserInput};
use crate::domain::validate::Checker;
use crate::error::{Error, Result, Unreadable};
use crate::outside::crypto::{self, DataKey};
use crate::outside::keyring::{Keyring, Slot};
use crate::storage::{Author, Db};

const WRONG_CREDENTIALS: &str =
    "The username or password is not right. After 5 failed tries, sign-in for that username pauses for a while.";

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

/// Every password lost: the recovery key and a new password for one active user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRecovery {
    pub recovery_key: String,
    pub username: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

/// The state the window chooses its screen by (locking first if the user has been idle too long).
pub fn app_status(clinic: &Clinic, _: Nothing) -> Result<Status> {
    let now = clinic.now();
    let mut state = clinic.state();
    if let Some(desk) = state.desk.as_mut() {
        expire(desk, now)?;
    }
    Ok(clinic.status_of(&state, now))
}

/// First run: creates the encrypted database, its key, and the admin account, and signs them in.
/// The database is built under a temporary name and moved into place only once the key file
/// holds the admin's slot, so an interrupted setup never leaves a database nobody can open.
pub fn setup(clinic: &Clinic, mut input: UserInput) -> Result<SetupDone> {
    let now = clinic.now();
    let mut state = clinic.state();
    if state.keyring.is_some() {
        return Err(Error::Conflict(
            "Infusion Chart is already set up. Sign in instead.".into(),
        ));
    }
    input.roles.push(Role::Admin);
    let (account, password) = input.validate()?;
    let key = DataKey::generate()?;
    let staging = clinic.staging_path();
    remove_database_files(&staging);
    let user = Db::create(&staging, Some(&key.sqlcipher_key()))?.insert_user(&account, false, None, now)?;
    let mut keyring = Keyring::new();
    keyring.put_slot(Slot::new(user.id, &user.username, &key, &password)?);
    keyring.save(&clinic.keys)?;
    clinic.finish_setup()?;
    let mut db = Db::open(&clinic.database, Some(&key.sqlcipher_key()))?;
    db.audit(&Author::from(&user), &Event::new(Action::Login), now)?;
    let recovery_key = key.recovery_code();
    state.keyring = Some(keyring);
    let settings = db.settings()?;
    state.desk = Some(Desk::new(&clinic.database, db, key, settings, user, now));
    Ok(SetupDone {
        status: clinic.status_of(&state, now),
        recovery_key,
    })
}

pub fn login(clinic: &Clinic, credentials: Credentials) -> Result<Status> {
    let now = clinic.now();
    let mut state = clinic.state();
    if let Some(desk) = state.desk.as_ref() {
        return Err(Error::Conflict(format!(
            "{} is signed in on this computer. Sign out or unlock first.",
            desk.user.display_name
        )));
    }
    let (key, slot) = authenticate(clinic, &mut state, &credentials, now)?;
    let mut db = open_checked(clinic, &mut state, &key)?;
    let settings = db.settings()?;
    let keyring = state.keyring.as_mut().ok_or_else(not_set_up)?;
    let user = admit(clinic, keyring, &mut db, &slot, Event::new(Action::Login), now)?;
    // Kept only now: a sign-in that failed on the way leaves the database closed and its key dropped.
    state.desk = Some(Desk::new(&clinic.database, db, key, settings, user, now));
    Ok(clinic.status_of(&state, now))
}

/// Unlocks the locked screen, as the same user or as another (who then gets a fresh view).
pub fn unlock(clinic: &Clinic, credentials: Credentials) -> Result<Unlocked> {
    let now = clinic.now();
    let mut state = clinic.state();
    let locked_user = match state.desk.as_mut() {
        None => return Err(Error::Unauthenticated("Nobody is signed in. Sign in instead.".into())),
        Some(desk) => {
            expire(desk, now)?;
            if !desk.locked {
                return Err(Error::Conflict("The screen is not locked.".into()));
            }
            desk.user.clone()
        }
    };
    let (_, slot) = authenticate(clinic, &mut state, &credentials, now)?;
    let same_user = slot.user_id == locked_user.id;
    let mut event = Event::new(Action::Unlock);
    if !same_user {
        event = event.detail(format!(
            "unlocked by another user; {} was signed in",
            locked_user.username
        ));
    }
    let (keyring, desk) = state.signed_in()?;
    desk.user = admit(clinic, keyring, &mut desk.db, &slot, event, now)?;
    desk.locked = false;
    desk.last_activity = now;
    Ok(Unlocked {
        status: clinic.status_of(&state, now),
        same_user,
    })
}

pub fn lock(clinic: &Clinic, _: Nothing) -> Result<Status> {
    let now = clinic.now();
    let mut state = clinic.state();
    let desk = state.desk.as_mut().ok_or_else(not_signed_in)?;
    if !desk.locked {
        desk.locked = true;
        desk.db
            .audit(&Author::from(&desk.user), &Event::new(Action::Lock), now)?;
    }
    Ok(clinic.status_of(&state, now))
}

/// Signs out and closes the database, so its key leaves memory; first, if anything was charted
/// since the last backup, an automatic backup (a failure is audited and shown as a stale backup).
pub fn logout(clinic: &Clinic, _: Nothing) -> Result<Status> {
    if let Err(e) = clinic.automatic_backup(Trigger::SignOut) {
        eprintln!("infusion-chart: automatic backup at sign-out failed: {e}");
    }
    let now = clinic.now();
    clinic.clear_reports();
    let mut state = clinic.state();
    if let Some(mut desk) = state.desk.take() {
        desk.db
            .audit(&Author::from(&desk.user), &Event::new(Action::Logout), now)?;
    }
    Ok(clinic.status_of(&state, now))
}

/// Restarts the inactivity clock (the window calls it while the user types or moves the mouse):
/// passing the gate is what restarts it.
pub fn touch(clinic: &Clinic, access: Access, _: Nothing) -> Result<Status> {
    let now = clinic.now();
    let mut state = clinic.state();
    clinic.enter(&mut state, access, now)?;
    Ok(clinic.status_of(&state, now))
}

/// Rewraps only this user's key slot. Wrong current passwords count toward the sign-in throttle.
pub fn change_password(clinic: &Clinic, access: Access, change: PasswordChange) -> Result<Status> {
    let now = clinic.now();
    let mut state = clinic.state();
    rewrap(&mut clinic.enter(&mut state, access, now)?, change)?;
    Ok(clinic.status_of(&state, now))
}

fn rewrap(g: &mut Guard, change: PasswordChange) -> Result<()> {
    let user = g.by.clone();
    g.keyring.check_throttle(&user.username, g.now)?;
    let old_slot = g.keyring.slot(&user.username).cloned().ok_or_else(not_signed_in)?;
    let Some(key) = old_slot.open(&change.current_password)? else {
        g.keyring.record_failure(&user.username, g.now);
        g.keyring.save(&g.clinic.keys)?;
        return Err(Error::Validation("The current password is not right.".into()));
    };
    let mut c = Checker::new();
    check_password(
        &mut c,
        "New password",
        Some(&change.new_password),
        Some(&change.new_password_confirm),
    );
    if change.new_password == change.current_password {
        c.problem("The new password must differ from the current one.");
    }
    c.finish()?;
    g.keyring
        .put_slot(Slot::new(user.id, &user.username, &key, &change.new_password)?);
    g.keyring.save(&g.clinic.keys)?;
    match g.db.update_user(user.id, Action::PasswordChanged, &user, g.now, |u| {
        u.must_change_password = false
    }) {
        Ok(updated) => {
            *g.signed_in = updated;
            Ok(())
        }
        Err(e) => {
            // Not audited, so not done: the old password stays the one that works.
            g.keyring.put_slot(old_slot);
            g.keyring.save(&g.clinic.keys)?;
            Err(e)
        }
    }
}

/// Every password lost: the recovery key opens the database and sets a new password for `username`.
pub fn recover(clinic: &Clinic, recovery: KeyRecovery) -> Result<Status> {
    let now = clinic.now();
    let mut state = clinic.state();
    if state.desk.is_some() {
        return Err(Error::Conflict(
            "Someone is signed in on this computer. Sign out first.".into(),
        ));
    }
    state.check.refuse_if_failed()?;
    let key = DataKey::from_recovery_code(&recovery.recovery_key)?;
    let mut db = Db::open(&clinic.database, Some(&key.sqlcipher_key())).map_err(|e| match e {
        Error::Unreadable(_, Unreadable::WrongKey) => {
            Error::Unauthenticated("That recovery key does not open this database.".into())
        }
        other => other,
    })?;
    let mut c = Checker::new();
    check_password(
        &mut c,
        "New password",
        Some(&recovery.new_password),
        Some(&recovery.new_password_confirm),
    );
    c.finish()?;
    let user = db
        .users()?
        .into_iter()
        .find(|u| u.username.eq_ignore_ascii_case(recovery.username.trim()) && u.active)
        .ok_or_else(|| Error::NotFound(format!("There is no active user {}.", recovery.username.trim())))?;
    let settings = db.settings()?;
    let slot = Slot::new(user.id, &user.username, &key, &recovery.new_password)?;
    let keyring = state.keyring.get_or_insert_with(Keyring::new);
    keyring.clear_failures(&user.username);
    keyring.put_slot(slot.clone());
    keyring.save(&clinic.keys)?;
    db.audit(
        &Author::from(&user),
        &Event::new(Action::RecoveryKeyUsed).record("users", user.id),
        now,
    )?;
    db.update_user(user.id, Action::PasswordReset, &user, now, |u| {
        u.must_change_password = false
    })?;
    let event = Event::new(Action::Login).detail("with the recovery key");
    let user = admit(clinic, keyring, &mut db, &slot, event, now)?;
    state.check.start(&clinic.database, &key);
    state.desk = Some(Desk::new(&clinic.database, db, key, settings, user, now));
    Ok(clinic.status_of(&state, now))
}

impl Clinic {
    /// The data key a password opens (counted toward the sign-in throttle like any sign-in), for work
    /// that must not open the database first (a restore over a damaged one). Nobody is signed in by it.
    pub fn key_for(&self, credentials: &Credentials) -> Result<(DataKey, String)> {
        let now = self.now();
        let mut state = self.state();
        if state.desk.is_some() {
            return Err(Error::Conflict(
                "Someone is signed in on this computer. Sign out first.".into(),
            ));
        }
        let (key, slot) = authenticate(self, &mut state, credentials, now)?;
        Ok((key, slot.username))
    }
}

fn not_set_up() -> Error {
    Error::Unauthenticated("Infusion Chart is not set up yet.".into())
}

/// Opens the database with a key a password unlocked. A file that then cannot be read is damaged:
/// nothing is written to it. The quick check starts beside (`check`).
fn open_checked(clinic: &Clinic, state: &mut State, key: &DataKey) -> Result<Db> {
    state.check.refuse_if_failed()?;
    let db = Db::open(&clinic.database, Some(&key.sqlcipher_key())).map_err(|e| match e {
        // With a key a password unlocked, a file that does not decrypt or is corrupt is damaged.
        Error::Unreadable(..) => Error::Damaged(check::damaged(
            &clinic.database,
            "it cannot be read with the clinic's key.",
            "Nothing was written to it.",
        )),
        other => other,
    })?;
    state.check.start(&clinic.database, key);
    Ok(db)
}

/// Checks the password against the username's key slot; counts and throttles failures.
pub(crate) fn authenticate(
    clinic: &Clinic,
    state: &mut State,
    c: &Credentials,
    now: DateTime<Utc>,
) -> Result<(DataKey, Slot)> {
    let State { keyring, desk, .. } = state;
    let keyring = keyring.as_mut().ok_or_else(not_set_up)?;
    check_credentials(clinic, keyring, desk.as_mut().map(|d| &mut d.db), c, now)
}

/// `authenticate` with the parts of the state it needs: the key slots, and the open database (if
/// any) that failed sign-ins are audited into.
pub(crate) fn check_credentials(
    clinic: &Clinic,
    keyring: &mut Keyring,
    db: Option<&mut Db>,
    c: &Credentials,
    now: DateTime<Utc>,
) -> Result<(DataKey, Slot)> {
    let username = c.username.trim();
    keyring.check_throttle(username, now)?;
    let slot = keyring.slot(username).cloned();
    let key = match &slot {
        Some(slot) => slot.open(&c.password)?,
        None => {
            // Same work as a real check, so the time taken does not reveal which usernames exist.
            crypto::spend_like_unwrap(&c.password)?;
            None
        }
    };
    if let (Some(key), Some(slot)) = (key, slot) {
        keyring.clear_failures(&slot.username);
        keyring.save(&clinic.keys)?;
        return Ok((key, slot));
    }
    keyring.record_failure(username, now);
    keyring.save(&clinic.keys)?;
    if let Some(db) = db {
        // Written now if the database is open; otherwise at the next sign-in. Either way the
        // nurse is told the password was wrong, not about the bookkeeping.
        if let Err(e) = flush_failures(clinic, keyring, db) {
            eprintln!("infusion-chart: failed sign-in not yet audited: {e}");
        }
    }
    Err(Error::Unauthenticated(WRONG_CREDENTIALS.into()))
}

/// Lets the slot's user in: the account must be theirs and active; pending failures and `event`
/// (sign-in or unlock) go to the audit trail.
fn admit(
    clinic: &Clinic,
    keyring: &mut Keyring,
    db: &mut Db,
    slot: &Slot,
    event: Event,
    now: DateTime<Utc>,
) -> Result<User> {
    let user = db.user(slot.user_id)?;
    if !user.username.eq_ignore_ascii_case(&slot.username) {
        return Err(Error::Unauthenticated(
            "The key file does not match the user records. Ask an admin to restore it.".into(),
        ));
    }
    if !user.active {
        return Err(Error::Unauthenticated("This account is disabled. Ask an admin.".into()));
    }
    flush_failures(clinic, keyring, db)?;
    db.audit(&Author::from(&user), &event, now)?;
    Ok(user)
}

/// Writes failed sign-ins noted while the database was closed into the audit trail, in one transaction.
fn flush_failures(clinic: &Clinic, keyring: &mut Keyring, db: &mut Db) -> Result<()> {
    if keyring.pending_failures.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = keyring
        .pending_failures
        .iter()
        .map(|f| {
            (
                Author {
                    user_id: None,
                    username: Some(&f.username),
                },
                Event::new(Action::LoginFailed),
                f.at,
            )
        })
        .collect();
    db.audit_all(&rows)?;
    keyring.pending_failures.clear();
    keyring.save(&clinic.keys)
}

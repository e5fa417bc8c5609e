//! `Clinic`: the one object the desktop shell (and later the command line) talks to. It owns the
//! key file and the open database, knows who is signed in and whether the screen is locked, and
//! checks every action's permission before it reaches `chart` or the admin functions.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

mod backups;
mod check;
mod demo;

pub use backups::{Restored, Trigger};

use crate::alerts::AlertRef;
use crate::audit::{self, Action, Event, ExportRequest, Exported, Filter, Verification};
use crate::backup;
use crate::catalogue::{self, ReferenceLists};
use crate::chart;
use crate::crypto::{self, DataKey};
use crate::error::{Error, Result};
use crate::files;
use crate::infusion::{EventInput, InfusionEvent};
use crate::keyring::{Keyring, Slot};
use crate::notes::{Note, NoteInput};
use crate::outcomes::{OutcomeInput, OutcomeScore};
use crate::patients::{Patient, PatientInput, PatientSearch, PatientUpdate};
use crate::preparation::{Checklist, ChecklistInput, Waste, WasteInput};
use crate::protocols::{DoseInput, DosePlan, Protocol, ProtocolInput};
use crate::recovery::{Aldrete, AldreteInput, DischargeInput};
use crate::report::{self, Printed, ReportRequest};
use crate::sessions::{DayEntry, DayRequest, PatientRecord, PatientRef, Session, SessionRecord, SessionRef};
use crate::settings::{LogoInput, Settings, SettingsInput};
use crate::side_effects::{Intervention, InterventionInput, Resolution, SideEffect, SideEffectInput};
use crate::signing::AddendumInput;
use crate::storage::{Author, Db};
use crate::users::{
    check_password, check_roles, require, ActiveChange, Credentials, NewUser, PasswordChange, PasswordReset,
    Permission, Role, RolesChange, User, UserInput,
};
use crate::validate::Checker;
use crate::viewer;
use crate::vitals::{Vitals, VitalsCorrection, VitalsInput};
use check::Check;

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
    /// Shown on every screen when the last backup is older than the clinic allows (or there is none).
    pub backup_warning: Option<String>,
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
    /// SQLite's quick check of the database, run once per process from the first sign-in.
    check: Check,
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
        let clinic = Clinic {
            database: database.to_path_buf(),
            keys,
            clock,
            state: Mutex::new(State {
                keyring,
                open: None,
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

    fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(3)
    }

    /// The state, with the database closed if the quick check has found it damaged. A panic in
    /// another command must not lock every nurse out, so poisoning is ignored.
    fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.check.found_damage() {
            state.open = None;
        }
        state
    }

    pub fn status(&self, _: Nothing) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if let Some(open) = state.open.as_mut() {
            expire(open, now)?;
        }
        Ok(status(&state, now))
    }

    /// First run: creates the encrypted database, its key, and the admin account, and signs them in.
    /// The database is built under a temporary name and moved into place only once the key file
    /// holds the admin's slot, so an interrupted setup never leaves a database nobody can open.
    pub fn setup(&self, mut input: UserInput) -> Result<SetupDone> {
        let now = self.now();
        let mut state = self.state();
        if state.keyring.is_some() {
            return Err(Error::Conflict(
                "Infusion Chart is already set up. Sign in instead.".into(),
            ));
        }
        input.roles.push(Role::Admin);
        let (account, password) = input.validate()?;
        let key = DataKey::generate()?;
        let staging = self.staging_path();
        remove_database_files(&staging);
        let user = Db::create(&staging, Some(&key.sqlcipher_key()))?.insert_user(&account, false, None, now)?;
        let mut keyring = Keyring::new();
        keyring.put_slot(Slot::new(user.id, &user.username, &key, &password)?);
        keyring.save(&self.keys)?;
        self.finish_setup()?;
        let mut db = Db::open(&self.database, Some(&key.sqlcipher_key()))?;
        db.audit(&Author::from(&user), &Event::new(Action::Login), now)?;
        let recovery_key = key.recovery_code();
        state.keyring = Some(keyring);
        state.open = Some(Open {
            settings: db.settings()?,
            db,
            key,
            login: Some(Login {
                user,
                locked: false,
                last_activity: now,
            }),
        });
        Ok(SetupDone {
            status: status(&state, now),
            recovery_key,
        })
    }

    pub fn login(&self, credentials: Credentials) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if let Some(login) = state.open.as_ref().and_then(|o| o.login.as_ref()) {
            return Err(Error::Conflict(format!(
                "{} is signed in on this computer. Sign out or unlock first.",
                login.user.display_name
            )));
        }
        let (key, slot) = self.authenticate(&mut state, &credentials, now)?;
        let db = self.open_checked(&mut state, &key)?;
        let mut open = Open {
            settings: db.settings()?,
            db,
            key,
            login: None,
        };
        let keyring = state.keyring.as_mut().expect("authenticated");
        let user = self.admit(keyring, &mut open, &slot, Event::new(Action::Login), now)?;
        // Kept only now: a sign-in that failed on the way leaves the database closed and its key dropped.
        open.login = Some(Login {
            user,
            locked: false,
            last_activity: now,
        });
        state.open = Some(open);
        Ok(status(&state, now))
    }

    /// Unlocks the locked screen, as the same user or as another (who then gets a fresh view).
    pub fn unlock(&self, credentials: Credentials) -> Result<Unlocked> {
        let now = self.now();
        let mut state = self.state();
        if let Some(open) = state.open.as_mut() {
            expire(open, now)?;
        }
        let locked_user = match state.open.as_ref().and_then(|o| o.login.as_ref()) {
            Some(login) if login.locked => login.user.clone(),
            Some(_) => return Err(Error::Conflict("The screen is not locked.".into())),
            None => return Err(Error::Unauthenticated("Nobody is signed in. Sign in instead.".into())),
        };
        let (_, slot) = self.authenticate(&mut state, &credentials, now)?;
        let same_user = slot.user_id == locked_user.id;
        let mut event = Event::new(Action::Unlock);
        if !same_user {
            event = event.detail(format!(
                "unlocked by another user; {} was signed in",
                locked_user.username
            ));
        }
        let State { keyring, open, .. } = &mut *state;
        let open = open.as_mut().expect("a locked screen has an open database");
        let user = self.admit(keyring.as_mut().expect("authenticated"), open, &slot, event, now)?;
        open.login = Some(Login {
            user,
            locked: false,
            last_activity: now,
        });
        Ok(Unlocked {
            status: status(&state, now),
            same_user,
        })
    }

    pub fn lock(&self, _: Nothing) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        let open = state.open.as_mut().ok_or_else(not_signed_in)?;
        let login = open.login.as_mut().ok_or_else(not_signed_in)?;
        if !login.locked {
            login.locked = true;
            open.db
                .audit(&Author::from(&login.user), &Event::new(Action::Lock), now)?;
        }
        Ok(status(&state, now))
    }

    /// Signs out and closes the database, so its key leaves memory; first, if anything was charted
    /// since the last backup, an automatic backup (a failure is audited and shown as a stale backup).
    pub fn logout(&self, _: Nothing) -> Result<Status> {
        if let Err(e) = self.automatic_backup(Trigger::SignOut) {
            eprintln!("infusion-chart: automatic backup at sign-out failed: {e}");
        }
        let now = self.now();
        self.clear_reports();
        let mut state = self.state();
        if let Some(mut open) = state.open.take() {
            if let Some(login) = open.login.take() {
                open.db
                    .audit(&Author::from(&login.user), &Event::new(Action::Logout), now)?;
            }
        }
        Ok(status(&state, now))
    }

    /// Stops the quick check if it still runs: the app is closing.
    pub fn stop_check(&self) {
        self.state().check.stop();
    }

    /// Restarts the inactivity clock (the window calls it while the user types or moves the mouse).
    pub fn touch(&self, _: Nothing) -> Result<Status> {
        self.act(None, "", |_, _, _| Ok(()))?;
        self.status(Nothing {})
    }

    /// Rewraps only this user's key slot. Wrong current passwords count toward the sign-in throttle.
    pub fn change_password(&self, change: PasswordChange) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        let user = signed_in(&mut state, now)?.clone();
        let keyring = state.keyring.as_mut().expect("signed in");
        keyring.check_throttle(&user.username, now)?;
        let old_slot = keyring.slot(&user.username).cloned().ok_or_else(not_signed_in)?;
        let Some(key) = old_slot.open(&change.current_password)? else {
            keyring.record_failure(&user.username, now);
            keyring.save(&self.keys)?;
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
        keyring.put_slot(Slot::new(user.id, &user.username, &key, &change.new_password)?);
        keyring.save(&self.keys)?;
        let open = state.open.as_mut().expect("signed in");
        match open.db.update_user(user.id, Action::PasswordChanged, &user, now, |u| {
            u.must_change_password = false
        }) {
            Ok(updated) => refresh_login(open, &updated),
            Err(e) => {
                // Not audited, so not done: the old password stays the one that works.
                let keyring = state.keyring.as_mut().expect("signed in");
                keyring.put_slot(old_slot);
                keyring.save(&self.keys)?;
                return Err(e);
            }
        }
        Ok(status(&state, now))
    }

    /// Every password lost: the recovery key opens the database and sets a new password for `username`.
    pub fn recover(&self, recovery: Recovery) -> Result<Status> {
        let now = self.now();
        let mut state = self.state();
        if state.open.as_ref().is_some_and(|o| o.login.is_some()) {
            return Err(Error::Conflict(
                "Someone is signed in on this computer. Sign out first.".into(),
            ));
        }
        state.check.refuse_if_failed()?;
        let key = DataKey::from_recovery_code(&recovery.recovery_key)?;
        let db = Db::open(&self.database, Some(&key.sqlcipher_key())).map_err(|e| match e {
            Error::Database(m) if m.contains("not an Infusion Chart database") => {
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
        let mut open = Open {
            settings: db.settings()?,
            db,
            key,
            login: None,
        };
        let slot = Slot::new(user.id, &user.username, &open.key, &recovery.new_password)?;
        let keyring = state.keyring.get_or_insert_with(Keyring::new);
        keyring.clear_failures(&user.username);
        keyring.put_slot(slot.clone());
        keyring.save(&self.keys)?;
        open.db.audit(
            &Author::from(&user),
            &Event::new(Action::RecoveryKeyUsed).record("users", user.id),
            now,
        )?;
        open.db.update_user(user.id, Action::PasswordReset, &user, now, |u| {
            u.must_change_password = false
        })?;
        let event = Event::new(Action::Login).detail("with the recovery key");
        let user = self.admit(state.keyring.as_mut().expect("set above"), &mut open, &slot, event, now)?;
        open.login = Some(Login {
            user,
            locked: false,
            last_activity: now,
        });
        state.check.start(&self.database, &open.key);
        state.open = Some(open);
        Ok(status(&state, now))
    }

    // ---- charting (nurses and physicians) ----

    pub fn add_patient(&self, input: PatientInput) -> Result<Patient> {
        self.act(Some(Permission::Chart), "add patients", |db, by, now| {
            chart::add_patient(db, by, now, input)
        })
    }

    pub fn update_patient(&self, update: PatientUpdate) -> Result<Patient> {
        self.act(Some(Permission::Chart), "change patient records", |db, by, now| {
            chart::update_patient(db, by, now, update)
        })
    }

    /// The fixed lists every form chooses from (any signed-in user).
    pub fn reference_lists(&self, _: Nothing) -> Result<ReferenceLists> {
        self.act(None, "", |_, _, _| Ok(catalogue::reference_lists()))
    }

    /// The window re-reads it every minute on its own, so reading it is not activity that holds
    /// off the automatic lock.
    pub fn day_list(&self, request: DayRequest) -> Result<Vec<DayEntry>> {
        self.checked(Some(Permission::Chart), "view the day list", false, |state, _, now| {
            chart::day_list(&state.open.as_ref().expect("signed in").db, now, request)
        })
    }

    pub fn search_patients(&self, search: PatientSearch) -> Result<Vec<Patient>> {
        self.act(Some(Permission::Chart), "view patient records", |db, _, _| {
            chart::search_patients(db, search)
        })
    }

    pub fn patient_record(&self, patient: PatientRef) -> Result<PatientRecord> {
        self.act(Some(Permission::Chart), "view patient records", |db, _, _| {
            chart::patient_record(db, patient)
        })
    }

    pub fn protocols(&self, _: Nothing) -> Result<Vec<Protocol>> {
        self.act(Some(Permission::Chart), "view protocols", |db, _, _| {
            chart::protocols(db)
        })
    }

    pub fn dose_preview(&self, input: DoseInput) -> Result<DosePlan> {
        self.act(Some(Permission::Chart), "plan doses", |db, _, _| {
            chart::dose_preview(db, &input)
        })
    }

    pub fn start_session(&self, input: DoseInput) -> Result<Session> {
        self.act(Some(Permission::Chart), "start sessions", |db, by, now| {
            chart::start_session(db, by, now, input)
        })
    }

    pub fn session_record(&self, session: SessionRef) -> Result<SessionRecord> {
        self.act_open(Some(Permission::Chart), "view patient records", |open, _, now| {
            chart::session_record(&open.db, &open.settings, now, session)
        })
    }

    pub fn add_vitals(&self, input: VitalsInput) -> Result<Vitals> {
        self.act_open(Some(Permission::Chart), "chart vitals", |open, by, now| {
            chart::add_vitals(&mut open.db, &open.settings.alerts, by, now, input)
        })
    }

    pub fn correct_vitals(&self, correction: VitalsCorrection) -> Result<Vitals> {
        self.act_open(Some(Permission::Chart), "correct vitals", |open, by, now| {
            chart::correct_vitals(&mut open.db, &open.settings.alerts, by, now, correction)
        })
    }

    pub fn add_infusion_event(&self, input: EventInput) -> Result<InfusionEvent> {
        self.act(Some(Permission::Chart), "chart infusion events", |db, by, now| {
            chart::add_event(db, by, now, input)
        })
    }

    pub fn add_note(&self, input: NoteInput) -> Result<Note> {
        self.act(Some(Permission::Chart), "add notes", |db, by, now| {
            chart::add_note(db, by, now, input)
        })
    }

    pub fn save_checklist(&self, input: ChecklistInput) -> Result<Checklist> {
        self.act(
            Some(Permission::Chart),
            "chart the pre-infusion checklist",
            |db, by, now| chart::save_checklist(db, by, now, input),
        )
    }

    /// Records a waste; the witness proves who they are with their own password (failures count
    /// toward their sign-in throttle, like any sign-in).
    pub fn record_waste(&self, input: WasteInput) -> Result<Waste> {
        self.act_state(Some(Permission::Chart), "record waste", |state, by, now| {
            let waste = chart::check_waste(&state.open.as_ref().expect("signed in").db, by, now, &input)?;
            let witness = Credentials {
                username: input.witness_username.clone(),
                password: input.witness_password.clone(),
            };
            let (_, slot) = self.authenticate(state, &witness, now).map_err(|e| match e {
                Error::Unauthenticated(_) => {
                    Error::Validation("The witness's username or password is not right. Nothing was saved.".into())
                }
                other => other,
            })?;
            let open = state.open.as_mut().expect("signed in");
            let witness = open.db.user(slot.user_id)?;
            if !witness.active {
                return Err(Error::Validation("The witness's account is disabled.".into()));
            }
            chart::record_waste(&mut open.db, by, &witness, now, waste)
        })
    }

    pub fn add_outcome(&self, input: OutcomeInput) -> Result<OutcomeScore> {
        self.act(Some(Permission::Chart), "record outcome scores", |db, by, now| {
            chart::add_outcome(db, by, now, input)
        })
    }

    pub fn add_side_effect(&self, input: SideEffectInput) -> Result<SideEffect> {
        self.act(Some(Permission::Chart), "chart side effects", |db, by, now| {
            chart::add_side_effect(db, by, now, input)
        })
    }

    pub fn resolve_side_effect(&self, input: Resolution) -> Result<SideEffect> {
        self.act(Some(Permission::Chart), "chart side effects", |db, by, now| {
            chart::resolve_side_effect(db, by, now, input)
        })
    }

    pub fn add_intervention(&self, input: InterventionInput) -> Result<Intervention> {
        self.act(Some(Permission::Chart), "chart interventions", |db, by, now| {
            chart::add_intervention(db, by, now, input)
        })
    }

    pub fn add_aldrete(&self, input: AldreteInput) -> Result<Aldrete> {
        self.act(Some(Permission::Chart), "score recovery", |db, by, now| {
            chart::add_aldrete(db, by, now, input)
        })
    }

    pub fn discharge(&self, input: DischargeInput) -> Result<SessionRecord> {
        self.act_open(Some(Permission::Chart), "discharge patients", |open, by, now| {
            chart::discharge(&mut open.db, &open.settings, by, now, input)
        })
    }

    pub fn all_protocols(&self, _: Nothing) -> Result<Vec<Protocol>> {
        self.act(Some(Permission::EditProtocols), "edit protocols", |db, _, _| {
            db.all_protocols()
        })
    }

    pub fn save_protocol(&self, input: ProtocolInput) -> Result<Protocol> {
        self.act(Some(Permission::EditProtocols), "edit protocols", |db, by, now| {
            db.save_protocol(&input.validate()?, by, now)
        })
    }

    pub fn acknowledge_alert(&self, alert: AlertRef) -> Result<SessionRecord> {
        self.act_open(Some(Permission::Chart), "acknowledge alerts", |open, by, now| {
            chart::acknowledge_alert(&mut open.db, &open.settings, by, now, alert)
        })
    }

    pub fn sign_session(&self, session: SessionRef) -> Result<SessionRecord> {
        self.act_open(Some(Permission::Sign), "sign a session", |open, by, now| {
            chart::sign_session(&mut open.db, &open.settings, by, now, session)
        })
    }

    pub fn cosign_session(&self, session: SessionRef) -> Result<SessionRecord> {
        self.act_open(Some(Permission::Cosign), "co-sign a session", |open, by, now| {
            chart::cosign_session(&mut open.db, &open.settings, by, now, session)
        })
    }

    pub fn add_addendum(&self, input: AddendumInput) -> Result<SessionRecord> {
        self.act_open(Some(Permission::Chart), "add addenda", |open, by, now| {
            chart::add_addendum(&mut open.db, &open.settings, by, now, input)
        })
    }

    // ---- administration (admins) ----

    pub fn list_users(&self, _: Nothing) -> Result<Vec<User>> {
        self.act(Some(Permission::Administer), "manage users", |db, _, _| db.users())
    }

    /// Adds an account with a temporary password (changed at first sign-in) and its key slot.
    pub fn add_user(&self, input: UserInput) -> Result<User> {
        let (account, password) = input.validate()?;
        self.act_state(Some(Permission::Administer), "manage users", |state, by, now| {
            self.add_account(state, &account, &password, by, now)
        })
    }

    /// Stores a new account that must change `password` at first sign-in, with its key slot.
    fn add_account(
        &self,
        state: &mut State,
        account: &NewUser,
        password: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let open = state.open.as_mut().expect("signed in");
        let user = open.db.insert_user(account, true, Some(by), now)?;
        let slot = Slot::new(user.id, &user.username, &open.key, password)?;
        let keyring = state.keyring.as_mut().expect("set up");
        keyring.put_slot(slot);
        keyring.save(&self.keys)?;
        Ok(user)
    }

    pub fn set_user_roles(&self, change: RolesChange) -> Result<User> {
        let roles = check_roles(&change.roles)?;
        self.act_open(Some(Permission::Administer), "manage users", |open, by, now| {
            if !roles.contains(&Role::Admin) {
                keep_an_admin(&open.db, change.user_id)?;
            }
            let user = open
                .db
                .update_user(change.user_id, Action::UserRolesChanged, by, now, |u| u.roles = roles)?;
            refresh_login(open, &user);
            Ok(user)
        })
    }

    /// Disabling removes the user's key slot first (their password opens nothing), then records it;
    /// the account stays, never deleted. Enabling needs a password reset to give them a slot again.
    pub fn set_user_active(&self, change: ActiveChange) -> Result<User> {
        self.act_state(Some(Permission::Administer), "manage users", |state, by, now| {
            let open = state.open.as_mut().expect("signed in");
            let target = open.db.user(change.user_id)?;
            if target.active == change.active {
                return Ok(target);
            }
            if change.active {
                return open.db.update_user(target.id, Action::UserEnabled, by, now, |u| {
                    u.active = true;
                    u.must_change_password = true;
                });
            }
            if target.id == by.id {
                return Err(Error::Conflict("You cannot disable your own account.".into()));
            }
            keep_an_admin(&open.db, target.id)?;
            let keyring = state.keyring.as_mut().expect("set up");
            let slot = keyring.slot(&target.username).cloned();
            keyring.remove_slot(target.id);
            keyring.save(&self.keys)?;
            let open = state.open.as_mut().expect("signed in");
            open.db
                .update_user(target.id, Action::UserDisabled, by, now, |u| u.active = false)
                .inspect_err(|_| {
                    // Not recorded, so not done: give the slot back.
                    if let (Some(slot), Some(keyring)) = (slot, state.keyring.as_mut()) {
                        keyring.put_slot(slot);
                        let _ = keyring.save(&self.keys);
                    }
                })
        })
    }

    /// Sets a temporary password; the user must change it at their next sign-in.
    pub fn reset_password(&self, reset: PasswordReset) -> Result<User> {
        let mut c = Checker::new();
        check_password(&mut c, "New temporary password", Some(&reset.new_password), None);
        c.finish()?;
        self.act_state(Some(Permission::Administer), "manage users", |state, by, now| {
            let open = state.open.as_mut().expect("signed in");
            let target = open.db.user(reset.user_id)?;
            if !target.active {
                return Err(Error::Conflict(
                    "This account is disabled. Enable it first, then set its password.".into(),
                ));
            }
            let slot = Slot::new(target.id, &target.username, &open.key, &reset.new_password)?;
            let user = open.db.update_user(target.id, Action::PasswordReset, by, now, |u| {
                u.must_change_password = true
            })?;
            refresh_login(open, &user);
            let keyring = state.keyring.as_mut().expect("set up");
            keyring.clear_failures(&user.username);
            keyring.put_slot(slot);
            keyring.save(&self.keys)?;
            Ok(user)
        })
    }

    pub fn settings(&self, _: Nothing) -> Result<Settings> {
        self.act_open(Some(Permission::Administer), "change settings", |open, _, _| {
            shown_settings(open)
        })
    }

    /// Sets the logo printed at the top of reports (a PNG, checked here), or removes it.
    pub fn set_clinic_logo(&self, input: LogoInput) -> Result<Settings> {
        self.act_open(Some(Permission::Administer), "change settings", |open, by, now| {
            let png = report::logo::from_hex(input.png_hex.trim())?;
            if !png.is_empty() {
                report::logo::decode(&png)?;
            }
            open.db.save_logo((!png.is_empty()).then_some(&png[..]), by, now)?;
            shown_settings(open)
        })
    }

    pub fn update_settings(&self, input: SettingsInput) -> Result<Settings> {
        self.act_open(Some(Permission::Administer), "change settings", |open, by, now| {
            let settings = input.apply_to(&open.settings)?;
            open.settings = open.db.save_settings(&settings, by, now)?;
            shown_settings(open)
        })
    }

    pub fn audit_search(&self, filter: Filter) -> Result<Vec<audit::Entry>> {
        self.act(Some(Permission::Administer), "review the audit trail", |db, _, _| {
            db.audit_search(&filter, Some(filter.limit.unwrap_or(audit::SEARCH_LIMIT)))
        })
    }

    pub fn audit_verify(&self, _: Nothing) -> Result<Verification> {
        self.act(Some(Permission::Administer), "review the audit trail", |db, _, _| {
            db.audit_verify()
        })
    }

    /// Writes every matching row to a CSV file (temp file, fsync, rename); the export is audited,
    /// and the audit row commits only if the file was written. Never writes into the data folder.
    pub fn audit_export(&self, request: ExportRequest) -> Result<Exported> {
        self.act(Some(Permission::Administer), "export the audit trail", |db, by, now| {
            let target = self.outside_data_folder(&request.path)?;
            let entries = db.audit_search(&request.filter, None)?;
            let event = Event::new(Action::AuditExported).detail(format!("{} rows to {}", entries.len(), request.path));
            db.audit_around(&Author::from(by), &event, now, || {
                files::write_atomically(&target, false, |out| audit::write_csv(&entries, out))
            })?;
            Ok(Exported {
                path: request.path.clone(),
                rows: entries.len(),
            })
        })
    }

    /// Writes a session's or a patient's series report: to the chosen `path`, or into the reports
    /// folder and on to the system's PDF viewer. Each print is audited, committed only if written.
    pub fn print_report(&self, request: ReportRequest) -> Result<Printed> {
        self.act_open(Some(Permission::Chart), "print reports", |open, by, now| {
            // A refused path is refused before any work is done.
            let chosen = request
                .path
                .as_deref()
                .map(|p| self.outside_data_folder(p))
                .transpose()?;
            let report_id = crypto::random_hex::<4>()?;
            let logo = open.db.logo()?;
            let ctx = report::Context {
                clinic: &open.settings.clinic,
                logo: logo.as_deref(),
                generated_at: now,
                generated_by: &by.display_name,
                report_id: &report_id,
            };
            let ((pdf, pages), patient_id, what) = match (request.session_id, request.patient_id) {
                (Some(session_id), None) => {
                    let r = chart::session_record(&open.db, &open.settings, now, SessionRef { session_id })?;
                    let what = format!("session-{}-{}", r.session.session_date, session_id);
                    (report::session_pdf(&r, &open.settings.alerts, &ctx), r.patient.id, what)
                }
                (None, Some(patient_id)) => {
                    let (record, sessions) = chart::series(&open.db, &open.settings, now, PatientRef { patient_id })?;
                    (
                        report::series_pdf(&record, &sessions, &ctx),
                        patient_id,
                        format!("series-patient-{patient_id}"),
                    )
                }
                _ => {
                    return Err(Error::InvalidRequest(
                        "Name either a session or a patient for the report. Nothing was printed.".into(),
                    ))
                }
            };
            let target = match chosen {
                Some(path) => path,
                None => self.reports_folder()?.join(format!("{what}-{report_id}.pdf")),
            };
            let event = Event::new(Action::ReportPrinted).patient(patient_id).detail(format!(
                "{what}, report {report_id}, {pages} pages, to {}",
                target.display()
            ));
            open.db.audit_around(&Author::from(by), &event, now, || {
                files::write_atomically(&target, false, |out| {
                    use std::io::Write;
                    out.write_all(&pdf)
                        .map_err(|e| Error::Storage(format!("The report could not be written ({e}).")))
                })
            })?;
            if request.path.is_none() {
                viewer::open(&target)?;
            }
            Ok(Printed {
                path: target.display().to_string(),
                report_id,
                pages,
                bytes: pdf.len(),
            })
        })
    }

    /// A file path the person chose, refused inside Infusion Chart's own data folder (where a copy
    /// would be mistaken for, or overwrite, the clinic's files) or in a folder that does not exist.
    fn outside_data_folder(&self, path: &str) -> Result<PathBuf> {
        let target = PathBuf::from(path);
        self.outside_data_dir(target.parent().unwrap_or(Path::new("")), path)?;
        Ok(target)
    }

    /// Refuses `dir` (chosen as `shown`) if it does not exist or is Infusion Chart's own data folder.
    fn outside_data_dir(&self, dir: &Path, shown: &str) -> Result<()> {
        let data_dir = self.database.parent().and_then(|d| d.canonicalize().ok());
        let target_dir = dir.canonicalize().ok();
        if target_dir.is_none() || target_dir == data_dir {
            return Err(Error::Validation(format!(
                "Choose a folder that exists and is not Infusion Chart's own data folder (not {shown})."
            )));
        }
        Ok(())
    }

    /// Where reports for the viewer go: a private folder beside the database, emptied at each start
    /// and sign-out so printed copies do not pile up outside the encrypted database.
    fn reports_folder(&self) -> Result<PathBuf> {
        let dir = self.database.with_file_name("reports");
        files::private_folder(&dir)?;
        Ok(dir)
    }

    /// Deletes the viewer copies of earlier reports (best effort: a file a viewer still holds open
    /// on some systems is left for the next time).
    fn clear_reports(&self) {
        if let Ok(entries) = std::fs::read_dir(self.database.with_file_name("reports")) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    // ---- the checks every action passes ----

    /// Runs `f` on the database for the signed-in, unlocked user, if `permission` allows (None: any role).
    fn act<T>(
        &self,
        permission: Option<Permission>,
        action: &str,
        f: impl FnOnce(&mut Db, &User, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.act_open(permission, action, |open, by, now| f(&mut open.db, by, now))
    }

    fn act_open<T>(
        &self,
        permission: Option<Permission>,
        action: &str,
        f: impl FnOnce(&mut Open, &User, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.act_state(permission, action, |state, by, now| {
            f(state.open.as_mut().expect("signed in"), by, now)
        })
    }

    /// The check every action passes: someone signed in, not locked or idle too long, with a role
    /// that allows `permission` (None: any role) and no temporary password left to change.
    fn act_state<T>(
        &self,
        permission: Option<Permission>,
        action: &str,
        f: impl FnOnce(&mut State, &User, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        self.checked(permission, action, true, f)
    }

    /// `act_state`; `activity` false for reads the window repeats by itself (they leave the idle clock alone).
    fn checked<T>(
        &self,
        permission: Option<Permission>,
        action: &str,
        activity: bool,
        f: impl FnOnce(&mut State, &User, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let now = self.now();
        let mut state = self.state();
        let user = signed_in(&mut state, now)?.clone();
        if let Some(permission) = permission {
            require(&user, permission, action)?;
            if user.must_change_password {
                return Err(Error::Forbidden(
                    "Change your temporary password first (Change password, at the top of the screen).".into(),
                ));
            }
        }
        if activity {
            let open = state.open.as_mut().expect("signed in");
            open.login.as_mut().expect("signed in").last_activity = now;
        }
        f(&mut state, &user, now)
    }

    /// Opens the database with a key a password unlocked. A file that then cannot be read is damaged:
    /// nothing is written to it. The quick check starts beside (`check`).
    fn open_checked(&self, state: &mut State, key: &DataKey) -> Result<Db> {
        state.check.refuse_if_failed()?;
        let db = Db::open(&self.database, Some(&key.sqlcipher_key())).map_err(|e| match e {
            // With a key a password unlocked, "not a database" means the file no longer decrypts.
            Error::Database(m) if m.contains("not an Infusion Chart database") || m.contains("it is damaged") => {
                Error::Damaged(check::damaged(
                    &self.database,
                    "it cannot be read with the clinic's key.",
                    "Nothing was written to it.",
                ))
            }
            other => other,
        })?;
        state.check.start(&self.database, key);
        Ok(db)
    }

    /// Checks the password against the username's key slot; counts and throttles failures.
    fn authenticate(&self, state: &mut State, c: &Credentials, now: DateTime<Utc>) -> Result<(DataKey, Slot)> {
        let username = c.username.trim();
        let keyring = state
            .keyring
            .as_mut()
            .ok_or_else(|| Error::Unauthenticated("Infusion Chart is not set up yet.".into()))?;
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
            keyring.save(&self.keys)?;
            return Ok((key, slot));
        }
        keyring.record_failure(username, now);
        keyring.save(&self.keys)?;
        if let (Some(keyring), Some(open)) = (state.keyring.as_mut(), state.open.as_mut()) {
            // Written now if the database is open; otherwise at the next sign-in. Either way the
            // nurse is told the password was wrong, not about the bookkeeping.
            if let Err(e) = self.flush_failures(keyring, open) {
                eprintln!("infusion-chart: failed sign-in not yet audited: {e}");
            }
        }
        Err(Error::Unauthenticated(WRONG_CREDENTIALS.into()))
    }

    /// Lets the slot's user in: the account must be theirs and active; pending failures and `event`
    /// (sign-in or unlock) go to the audit trail.
    fn admit(
        &self,
        keyring: &mut Keyring,
        open: &mut Open,
        slot: &Slot,
        event: Event,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let user = open.db.user(slot.user_id)?;
        if !user.username.eq_ignore_ascii_case(&slot.username) {
            return Err(Error::Unauthenticated(
                "The key file does not match the user records. Ask an admin to restore it.".into(),
            ));
        }
        if !user.active {
            return Err(Error::Unauthenticated("This account is disabled. Ask an admin.".into()));
        }
        self.flush_failures(keyring, open)?;
        open.db.audit(&Author::from(&user), &event, now)?;
        Ok(user)
    }

    /// Writes failed sign-ins noted while the database was closed into the audit trail, in one transaction.
    fn flush_failures(&self, keyring: &mut Keyring, open: &mut Open) -> Result<()> {
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
        open.db.audit_all(&rows)?;
        keyring.pending_failures.clear();
        keyring.save(&self.keys)
    }

    /// Where setup builds the database before moving it into place.
    fn staging_path(&self) -> PathBuf {
        files::suffixed(&self.database, ".setup")
    }

    /// Moves a set-up database into place (also after a crash between saving the key file and this).
    fn finish_setup(&self) -> Result<()> {
        std::fs::rename(self.staging_path(), &self.database).map_err(|e| {
            Error::Storage(format!(
                "The new database could not be moved into place at {} ({e}).",
                self.database.display()
            ))
        })
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
            let event = Event::new(Action::Lock).detail(format!(
                "after {} minutes without activity",
                open.settings.auto_lock_minutes
            ));
            open.db.audit(&Author::from(&login.user), &event, now)?;
        }
    }
    Ok(())
}

/// The signed-in user, if the screen is not locked (locking it first if they have been idle too long).
fn signed_in(state: &mut State, now: DateTime<Utc>) -> Result<&User> {
    state.check.refuse_if_failed()?;
    let open = state.open.as_mut().ok_or_else(not_signed_in)?;
    expire(open, now)?;
    let login = open.login.as_ref().ok_or_else(not_signed_in)?;
    if login.locked {
        return Err(Error::Locked(format!(
            "The screen is locked. {} or another user must unlock it.",
            login.user.display_name
        )));
    }
    Ok(&login.user)
}

fn status(state: &State, now: DateTime<Utc>) -> Status {
    let login = state.open.as_ref().and_then(|o| o.login.as_ref());
    let backup_warning = match (&state.open, login) {
        (Some(open), Some(l)) if !l.locked => match open.db.last_backup() {
            Ok(last) => backup::warning(last.as_ref(), &open.settings.backup, now),
            Err(e) => Some(format!("The backup log could not be read ({e}).")),
        },
        _ => None,
    };
    let auto_lock_minutes = state
        .open
        .as_ref()
        .map(|o| o.settings.auto_lock_minutes)
        .unwrap_or(Settings::default().auto_lock_minutes);
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
        backup_warning,
    }
}

/// The settings as the settings screen shows them: with the logo's size, which is stored apart.
fn shown_settings(open: &Open) -> Result<Settings> {
    let mut settings = open.settings.clone();
    settings.clinic.logo_bytes = open.db.logo_bytes()?;
    Ok(settings)
}

/// After an admin changes their own account, the signed-in copy follows (roles, forced password change).
fn refresh_login(open: &mut Open, user: &User) {
    if let Some(login) = open.login.as_mut().filter(|l| l.user.id == user.id) {
        login.user = user.clone();
    }
}

/// Removes what an interrupted setup left under the staging name; it never holds charted data.
fn remove_database_files(path: &Path) {
    for suffix in files::DATABASE_FILES {
        let _ = std::fs::remove_file(files::suffixed(path, suffix));
    }
}

/// Refuses a change that would leave the clinic without an active admin.
fn keep_an_admin(db: &Db, losing: i64) -> Result<()> {
    let others = db
        .users()?
        .into_iter()
        .filter(|u| u.id != losing && u.active && u.has(Role::Admin))
        .count();
    let target = db.user(losing)?;
    if target.has(Role::Admin) && target.active && others == 0 {
        return Err(Error::Conflict(
            "This is the only active admin. Give another user the admin role first.".into(),
        ));
    }
    Ok(())
}

//! An admin's work: accounts and their key slots, the clinic's settings and logo, and the audit
//! trail (search, verify, export). Each function has passed the gate as an admin.

use crate::app::clinic::Guard;
use crate::app::places::outside_data_folder;
use crate::domain::audit::{self, Action, Event, ExportRequest, Exported, Filter, Verification};
use crate::domain::settings::{LogoInput, Settings, SettingsInput};
use crate::domain::users::{
    check_password, check_roles, ActiveChange, PasswordReset, Role, RolesChange, User, UserInput,
};
use crate::domain::validate::Checker;
use crate::error::{Error, Result};
use crate::files;
use crate::outside::export::csv;
use crate::outside::keyring::Slot;
use crate::outside::report;
use crate::storage::{Author, Db};

/// Adds an account with a temporary password (changed at first sign-in) and its key slot.
pub fn add_user(g: &mut Guard, input: UserInput) -> Result<User> {
    g.db.sync_state()?.clinic_wide_change("Users and roles")?;
    let (account, password) = input.validate()?;
    let user = g.db.insert_user(&account, true, Some(&g.by), g.now)?;
    g.keyring
        .put_slot(Slot::new(user.id, &user.username, g.key, &password)?);
    g.keyring.save(&g.clinic.keys)?;
    Ok(user)
}

pub fn set_user_roles(g: &mut Guard, change: RolesChange) -> Result<User> {
    g.db.sync_state()?.clinic_wide_change("Users and roles")?;
    let roles = check_roles(&change.roles)?;
    if !roles.contains(&Role::Admin) {
        keep_an_admin(g.db, change.user_id)?;
    }
    let user =
        g.db.update_user(change.user_id, Action::UserRolesChanged, &g.by, g.now, |u| {
            u.roles = roles
        })?;
    follow_own_account(g, &user);
    Ok(user)
}

/// Disabling removes the user's key slot first (their password opens nothing), then records it;
/// the account stays, never deleted. Enabling needs a password reset to give them a slot again.
pub fn set_user_active(g: &mut Guard, change: ActiveChange) -> Result<User> {
    g.db.sync_state()?.clinic_wide_change("Users and roles")?;
    let target = g.db.user(change.user_id)?;
    if target.active == change.active {
        return Ok(target);
    }
    if change.active {
        return g.db.update_user(target.id, Action::UserEnabled, &g.by, g.now, |u| {
            u.active = true;
            u.must_change_password = true;
        });
    }
    if target.id == g.by.id {
        return Err(Error::Conflict("You cannot disable your own account.".into()));
    }
    keep_an_admin(g.db, target.id)?;
    let slot = g.keyring.slot(&target.username).cloned();
    g.keyring.remove_slot(target.id);
    g.keyring.save(&g.clinic.keys)?;
    g.db.update_user(target.id, Action::UserDisabled, &g.by, g.now, |u| u.active = false)
        .inspect_err(|_| {
            // Not recorded, so not done: give the slot back.
            if let Some(slot) = slot {
                g.keyring.put_slot(slot);
                let _ = g.keyring.save(&g.clinic.keys);
            }
        })
}

/// Sets a temporary password; the user must change it at their next sign-in.
pub fn reset_password(g: &mut Guard, reset: PasswordReset) -> Result<User> {
    g.db.sync_state()?.clinic_wide_change("Users and their passwords")?;
    let mut c = Checker::new();
    check_password(&mut c, "New temporary password", Some(&reset.new_password), None);
    c.finish()?;
    let target = g.db.user(reset.user_id)?;
    if !target.active {
        return Err(Error::Conflict(
            "This account is disabled. Enable it first, then set its password.".into(),
        ));
    }
    let slot = Slot::new(target.id, &target.username, g.key, &reset.new_password)?;
    let user = g.db.update_user(target.id, Action::PasswordReset, &g.by, g.now, |u| {
        u.must_change_password = true
    })?;
    follow_own_account(g, &user);
    g.keyring.clear_failures(&user.username);
    g.keyring.put_slot(slot);
    g.keyring.save(&g.clinic.keys)?;
    Ok(user)
}

/// The settings as the settings screen shows them: with the logo's size, which is stored apart.
pub fn get_settings(g: &mut Guard) -> Result<Settings> {
    let mut settings = g.settings.clone();
    settings.clinic.logo_bytes = g.db.logo_bytes()?;
    Ok(settings)
}

/// Sets the logo printed at the top of reports (a PNG, checked here), or removes it.
pub fn set_clinic_logo(g: &mut Guard, input: LogoInput) -> Result<Settings> {
    g.db.sync_state()?.clinic_wide_change("Settings")?;
    let png = report::logo::from_hex(input.png_hex.trim())?;
    if !png.is_empty() {
        report::logo::decode(&png)?;
    }
    g.db.save_logo((!png.is_empty()).then_some(&png[..]), &g.by, g.now)?;
    get_settings(g)
}

pub fn update_settings(g: &mut Guard, input: SettingsInput) -> Result<Settings> {
    g.db.sync_state()?.clinic_wide_change("Settings")?;
    let settings = input.apply_to(g.settings)?;
    *g.settings = g.db.save_settings(&settings, &g.by, g.now)?;
    get_settings(g)
}

pub fn audit_search(g: &mut Guard, filter: Filter) -> Result<Vec<audit::Entry>> {
    let period = filter.period()?;
    g.db.audit_search(&filter, period, Some(filter.limit.unwrap_or(audit::SEARCH_LIMIT)))
}

pub fn audit_verify(g: &mut Guard) -> Result<Verification> {
    g.db.audit_verify()
}

/// Writes every matching row to a CSV file (temp file, fsync, rename); the export is audited,
/// and the audit row commits only if the file was written. Never writes into the data folder.
pub fn audit_export(g: &mut Guard, request: ExportRequest) -> Result<Exported> {
    let period = request.filter.period()?;
    let target = outside_data_folder(g.clinic, &request.path)?;
    let entries = g.db.audit_search(&request.filter, period, None)?;
    let event = Event::new(Action::AuditExported).detail(format!("{} rows to {}", entries.len(), request.path));
    g.db.audit_around(&Author::from(&g.by), &event, g.now, || {
        files::write_atomically(&target, false, |out| csv::write_audit(&entries, out))
    })?;
    Ok(Exported {
        path: request.path.clone(),
        rows: entries.len(),
    })
}

/// After an admin changes their own account, the signed-in copy follows (roles, forced password change).
fn follow_own_account(g: &mut Guard, user: &User) {
    if g.signed_in.id == user.id {
        *g.signed_in = user.clone();
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

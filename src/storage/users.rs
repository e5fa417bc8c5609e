use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row};

use super::audit::{append, Author};
use super::{parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::users::{NewUser, Role, User};
use crate::error::{Error, Result};

const COLUMNS: &str =
    "id, username, display_name, is_nurse, is_physician, is_admin, active, must_change_password, created_at";

fn user(r: &Row) -> rusqlite::Result<User> {
    let roles = [(3, Role::Nurse), (4, Role::Physician), (5, Role::Admin)]
        .into_iter()
        .filter_map(|(i, role)| match r.get::<_, bool>(i) {
            Ok(true) => Some(Ok(role)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        roles,
        active: r.get(6)?,
        must_change_password: r.get(7)?,
        created_at: parse_ts(8, r.get(8)?)?,
    })
}

impl Db {
    /// Adds an account; `by` is None only for the first admin, who creates themselves at setup.
    pub fn insert_user(
        &mut self,
        u: &NewUser,
        must_change_password: bool,
        by: Option<&User>,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let tx = self.write()?;
        let taken: Option<i64> = tx
            .query_row("SELECT id FROM users WHERE username = ?1", [&u.username], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(Error::Conflict(format!(
                "The username {} is taken. Choose another.",
                u.username
            )));
        }
        tx.execute(
            "INSERT INTO users (username, display_name, is_nurse, is_physician, is_admin, must_change_password, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            (
                &u.username,
                &u.display_name,
                u.roles.contains(&Role::Nurse),
                u.roles.contains(&Role::Physician),
                u.roles.contains(&Role::Admin),
                must_change_password,
                ts(&now),
            ),
        )?;
        let id = tx.last_insert_rowid();
        let created = tx.query_row(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"), [id], user)?;
        let (action, author) = match by {
            Some(admin) => (Action::UserAdded, Author::from(admin)),
            None => (Action::Setup, Author::from(&created)),
        };
        append(
            &tx,
            &author,
            &Event::new(action)
                .record("users", id)
                .change(None::<()>, Some(&created)),
            now,
        )?;
        tx.commit()?;
        Ok(created)
    }

    pub fn user(&self, id: i64) -> Result<User> {
        super::by_id(&self.conn, "users", COLUMNS, id, user, "user")
    }

    pub fn users(&self) -> Result<Vec<User>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM users ORDER BY active DESC, display_name"),
            [],
            user,
        )
    }

    /// Applies `change` to user `id` and records old → new under `action`.
    pub fn update_user(
        &mut self,
        id: i64,
        action: Action,
        by: &User,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut User),
    ) -> Result<User> {
        // Read inside the write: a change another connection committed meanwhile is not undone.
        let tx = self.write()?;
        let old = super::by_id(&tx, "users", COLUMNS, id, user, "user")?;
        let mut new = old.clone();
        change(&mut new);
        tx.execute(
            "UPDATE users SET display_name = ?2, is_nurse = ?3, is_physician = ?4, is_admin = ?5, active = ?6,
                              must_change_password = ?7
             WHERE id = ?1",
            (
                id,
                &new.display_name,
                new.has(Role::Nurse),
                new.has(Role::Physician),
                new.has(Role::Admin),
                new.active,
                new.must_change_password,
            ),
        )?;
        append(
            &tx,
            &Author::from(by),
            &Event::new(action).record("users", id).change(Some(&old), Some(&new)),
            now,
        )?;
        tx.commit()?;
        Ok(new)
    }
}

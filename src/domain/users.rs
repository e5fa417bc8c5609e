//! Users, their roles, and who may do what. Every command of the app names one `Permission`;
//! the check lives here, in the core, so hiding a button is never the only guard.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::validate::Checker;
use crate::error::{Error, Result};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Nurse,
    Physician,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Nurse => "nurse",
            Role::Physician => "physician",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// "Nina Park (nurse)", as refusals and signatures name people.
    pub fn described(&self) -> String {
        let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        format!("{} ({})", self.display_name, roles.join(", "))
    }
}

/// What an action needs. Charting is for nurses and physicians; the admin role alone does not chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// View and chart patients and sessions.
    Chart,
    /// Sign a session as its charting nurse.
    Sign,
    /// Co-sign a nurse-signed session; confirm a dose above a protocol's soft limit.
    Cosign,
    /// Users, settings and the audit trail.
    Administer,
    /// Add, change and retire protocols of the library.
    EditProtocols,
}

impl Permission {
    pub fn allowed_roles(self) -> &'static [Role] {
        match self {
            Permission::Chart => &[Role::Nurse, Role::Physician],
            Permission::Sign => &[Role::Nurse],
            Permission::Cosign => &[Role::Physician],
            Permission::Administer => &[Role::Admin],
            Permission::EditProtocols => &[Role::Admin, Role::Physician],
        }
    }

    fn who(self) -> &'static str {
        match self {
            Permission::Chart => "nurses and physicians",
            Permission::Sign => "a nurse",
            Permission::Cosign => "a physician",
            Permission::Administer => "an admin",
            Permission::EditProtocols => "admins and physicians",
        }
    }
}

/// Refuses, saying who may, unless `user` holds a role that allows `permission` for `action`.
pub fn require(user: &User, permission: Permission, action: &str) -> Result<()> {
    if permission.allowed_roles().iter().any(|r| user.has(*r)) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "Only {} may {action}. You are signed in as {}.",
            permission.who(),
            user.described()
        )))
    }
}

/// A new account, from the setup screen or an admin's "Add user".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub password: Option<String>,
    /// Only the setup screen asks for the password twice.
    pub password_confirm: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesChange {
    pub user_id: i64,
    pub roles: Vec<Role>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveChange {
    pub user_id: i64,
    pub active: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub user_id: i64,
    pub new_password: String,
}

/// Checks a new password (and its confirmation, when the screen asks for one).
pub fn check_password(c: &mut Checker, label: &str, password: Option<&str>, confirm: Option<&str>) {
    let password = password.unwrap_or("");
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        c.problem(format!("{label} must be at least {MIN_PASSWORD_CHARS} characters."));
    } else if chars > MAX_PASSWORD_CHARS {
        c.problem(format!("{label} must be at most {MAX_PASSWORD_CHARS} characters."));
    }
    if confirm.is_some_and(|confirm| confirm != password) {
        c.problem(format!("The two {} entries do not match.", label.to_lowercase()));
    }
}

/// Checks a role list: at least one role, no repeats.
pub fn check_roles(roles: &[Role]) -> Result<Vec<Role>> {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(Error::Validation(
            "Choose at least one role: nurse, physician or admin.".into(),
        ));
    }
    Ok(roles)
}

/// Longest username (the message about its characters says it too) and full name.
pub const MAX_USERNAME_CHARS: usize = 32;
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;

impl UserInput {
    /// The account and its password, checked (against the confirmation too, when the screen asked for one).
    pub fn validate(self) -> Result<(NewUser, String)> {
        let mut c = Checker::new();
        let username = c
            .text(self.username, "Username", MAX_USERNAME_CHARS)
            .map(|u| u.to_lowercase());
        if let Some(u) = &username {
            if u.chars().count() < 3 || !u.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)) {
                c.problem("Username must be 3–32 characters: letters, digits, dot, dash or underscore.");
            }
        }
        let display_name = c.text(self.display_name, "Full name", MAX_DISPLAY_NAME_CHARS);
        check_password(
            &mut c,
            "Password",
            self.password.as_deref(),
            self.password_confirm.as_deref(),
        );
        let roles = check_roles(&self.roles);
        if let Err(e) = &roles {
            c.problem(e.to_string());
        }
        c.finish()?;
        Ok((
            NewUser {
                username: username.expect("checked"),
                display_name: display_name.expect("checked"),
                roles: roles.expect("checked"),
            },
            self.password.expect("checked"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> User {
        User {
            id: 1,
            username: "nina".into(),
            display_name: "Nina Park".into(),
            roles: roles.to_vec(),
            active: true,
            must_change_password: false,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn each_role_may_do_exactly_its_part() {
        use Permission::*;
        use Role::*;
        let cases: &[(&[Role], Permission, bool)] = &[
            (&[Nurse], Chart, true),
            (&[Nurse], Sign, true),
            (&[Nurse], Cosign, false),
            (&[Nurse], Administer, false),
            (&[Physician], Chart, true),
            (&[Physician], Sign, false),
            (&[Physician], Cosign, true),
            (&[Physician], Administer, false),
            (&[Admin], Chart, false),
            (&[Admin], Sign, false),
            (&[Admin], Cosign, false),
            (&[Admin], Administer, true),
            (&[Physician, Admin], Chart, true),
            (&[Physician, Admin], Administer, true),
        ];
        for (roles, permission, allowed) in cases {
            assert_eq!(
                require(&user(roles), *permission, "do it").is_ok(),
                *allowed,
                "{roles:?} {permission:?}"
            );
        }
    }

    #[test]
    fn a_refusal_says_who_may_and_who_you_are() {
        let err = require(&user(&[Role::Nurse]), Permission::Cosign, "co-sign a session").unwrap_err();
        assert_eq!(err.kind(), "forbidden");
        assert_eq!(
            err.to_string(),
            "Only a physician may co-sign a session. You are signed in as Nina Park (nurse)."
        );
    }

    #[test]
    fn new_accounts_are_checked() {
        let ok = UserInput {
            username: Some(" Nina.Park ".into()),
            display_name: Some("Nina Park".into()),
            password: Some("long enough pw".into()),
            password_confirm: None,
            roles: vec![Role::Nurse, Role::Nurse],
        };
        let (user, _) = ok.validate().unwrap();
        assert_eq!((user.username.as_str(), user.roles), ("nina.park", vec![Role::Nurse]));
        let bad = UserInput {
            username: Some("n!".into()),
            display_name: None,
            password: Some("short".into()),
            password_confirm: Some("other".into()),
            roles: vec![],
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "Username must be 3–32 characters: letters, digits, dot, dash or underscore. Full name is required. \
             Password must be at least 10 characters. The two password entries do not match. \
             Choose at least one role: nurse, physician or admin."
        );
    }
}

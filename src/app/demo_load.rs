//! Loading the demo history (`infusion-chart demo-data`): by an admin, into a chart that holds no
//! patients, so demo records can never mix with real ones.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::app::admin;
use crate::app::clinic::{Access, Clinic, Guard};
use crate::app::demo::{self, DemoRequest, Staff};
use crate::domain::audit::{Action, Event};
use crate::domain::users::{Permission, Role, User, UserInput};
use crate::error::{Error, Result};
use crate::outside::crypto;
use crate::storage::Author;

/// Sessions charted per transaction: one fsync per batch, and a failure loses at most one batch.
const BATCH: usize = 250;

/// The demo clinic's staff: username, name, role.
const STAFF: &[(&str, &str, Role)] = &[
    ("demo.nurse.ana", "Ana Reyes", Role::Nurse),
    ("demo.nurse.ben", "Ben Osei", Role::Nurse),
    ("demo.nurse.cara", "Cara Lindgren", Role::Nurse),
    ("demo.nurse.dev", "Dev Sharma", Role::Nurse),
    ("demo.nurse.elif", "Elif Demir", Role::Nurse),
    ("demo.nurse.finn", "Finn Byrne", Role::Nurse),
    ("demo.dr.grant", "Dr Maya Grant", Role::Physician),
    ("demo.dr.ito", "Dr Ren Ito", Role::Physician),
    ("demo.dr.okoye", "Dr Chidi Okoye", Role::Physician),
];

/// What was loaded: rows per table, the file's size on disk, and the days it spans.
#[derive(Debug)]
pub struct DemoLoaded {
    pub tables: BTreeMap<String, i64>,
    pub bytes: u64,
    pub first_day: Option<NaiveDate>,
    pub last_day: NaiveDate,
    pub staff: Vec<String>,
}

impl Clinic {
    /// Charts the demo history through the same checks as real charting. `progress` hears how many
    /// sessions of how many are charted after each batch.
    pub fn demo_data(&self, request: DemoRequest, mut progress: impl FnMut(usize, usize)) -> Result<DemoLoaded> {
        request.validate()?;
        self.gate(Access::Role(Permission::Administer, "load demo data"), |g| {
            let existing = g.db.patient_ids()?.len();
            if existing > 0 {
                return Err(Error::Conflict(format!(
                    "This chart already holds {existing} patient(s). Demo data goes only into a chart with no patients, so it can never mix with real records. Nothing was changed."
                )));
            }
            // Accounts left by an earlier run are used again, as long as they still chart in their role.
            let users = g.db.users()?;
            let existing = |username: &str| users.iter().find(|u| u.username == username).cloned();
            if let Some(&(username, _, role)) = STAFF
                .iter()
                .find(|&&(username, _, role)| existing(username).is_some_and(|u| !u.active || !u.has(role)))
            {
                return Err(Error::Conflict(format!(
                    "The demo account {username} exists but is disabled or no longer a {}. Enable it or give it that role again. Nothing was changed.",
                    role.as_str()
                )));
            }
            let mut members = Vec::new();
            for &(username, name, role) in STAFF {
                members.push(match existing(username) {
                    Some(user) => user,
                    None => add_staff(g, (username, name, role))?,
                });
            }
            let staff = Staff {
                nurses: members.iter().filter(|u| u.has(Role::Nurse)).cloned().collect(),
                physicians: members.iter().filter(|u| u.has(Role::Physician)).cloned().collect(),
            };
            let settings = g.settings.clone();
            let mut rng = fastrand::Rng::with_seed(request.seed);
            let (mut people, visits) = demo::plan(&request, &mut rng);
            for (n, batch) in visits.chunks(BATCH).enumerate() {
                g.db.in_one_transaction(|db| {
                    batch.iter().try_for_each(|visit| {
                        demo::chart_visit(db, &settings, &staff, &mut people[visit.patient], visit, &mut rng)
                    })
                })?;
                progress(n * BATCH + batch.len(), visits.len());
            }
            let event = Event::new(Action::DemoDataLoaded).detail(format!(
                "{} sessions of {} patients, seed {}",
                visits.len(),
                request.patients,
                request.seed
            ));
            g.db.audit(&Author::from(&g.by), &event, g.now)?;
            g.db.checkpoint()?;
            let inspection = crate::storage::inspect(&self.database, Some(&g.key.sqlcipher_key()))?;
            if let Some(problem) = inspection.problems.first() {
                return Err(Error::Damaged(format!(
                    "The demo data was written but the integrity check found a problem: {problem}"
                )));
            }
            Ok(DemoLoaded {
                tables: inspection.tables,
                bytes: std::fs::metadata(&self.database).map(|m| m.len()).unwrap_or(0),
                first_day: visits.first().map(|v| v.day),
                last_day: request.last_day,
                staff: members.iter().map(|u| u.username.clone()).collect(),
            })
        })
    }
}

/// A demo staff account with a random temporary password: an admin resets it to sign in as them.
fn add_staff(g: &mut Guard, (username, name, role): (&str, &str, Role)) -> Result<User> {
    let password = crypto::random_hex::<16>()?;
    admin::add_user(
        g,
        UserInput {
            username: Some(username.into()),
            display_name: Some(name.into()),
            password: Some(password.clone()),
            password_confirm: Some(password),
            roles: vec![role],
        },
    )
}

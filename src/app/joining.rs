//! Joining the clinic server: the laptop that holds the clinic's history pushes it; a new laptop
//! takes the data key from a user's shared key slot and pulls the whole record before its
//! database is moved into place. And where a laptop stands, for anyone signed in.

use serde::Deserialize;

use crate::app::access;
use crate::app::clinic::{remove_database_files, Access, Clinic, Guard, Nothing, Status};
use crate::app::sharing::{level_slots, pull_all, Worker};
use crate::domain::audit::{Action, Event};
use crate::domain::sync::{SharedSlot, SyncState};
use crate::domain::users::Credentials;
use crate::error::{Error, Result};
use crate::outside::keyring::{Keyring, Slot};
use crate::storage::server::{self, Link, ServerAddress};
use crate::storage::{Author, Db};

/// Progress of a long pull (a new laptop taking the clinic's record): changes applied so far, and
/// the server's newest number.
pub type PullProgress<'a> = &'a mut dyn FnMut(i64, i64);

/// The server to join, as an admin types it on the Clinic server screen: the address `server
/// add-laptop` printed for this laptop, and the clinic's CA certificate (PEM text).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicJoin {
    pub url: String,
    pub ca_pem: String,
}

/// A new laptop joining: the server, and a user of the clinic whose password opens its key slot.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLaptop {
    pub url: String,
    pub ca_pem: String,
    pub username: String,
    pub password: String,
}

/// The `join_clinic` command: this laptop, holding the clinic's history, joins and shares it.
pub fn join_clinic(clinic: &Clinic, access: Access, join: ClinicJoin) -> Result<SyncState> {
    clinic.join_with_history(access, join.url.trim(), &join.ca_pem)
}

/// The `join_as_new_laptop` command, from the set-up screen of a computer with no chart; the
/// status after it is the sign-in screen.
pub fn join_as_new_laptop(clinic: &Clinic, join: NewLaptop) -> Result<Status> {
    let credentials = Credentials {
        username: join.username,
        password: join.password,
    };
    clinic.join_new_laptop(join.url.trim(), &join.ca_pem, &credentials, &mut |_, _| {})?;
    access::app_status(clinic, Nothing {})
}

/// The `sharing_state` command: where this laptop stands with the clinic server.
pub fn sharing_state(g: &mut Guard, _: Nothing) -> Result<SyncState> {
    g.db.sync_state()
}

impl Clinic {
    /// Joins the clinic server at `url` as the laptop that holds the clinic's history: everything
    /// this laptop holds (rows, key slots, its audit trail) is queued and pushed in the background.
    /// An admin does it; refused if the server already holds another laptop's record (join that
    /// clinic as a new laptop instead).
    fn join_with_history(&self, access: Access, url: &str, ca_pem: &str) -> Result<SyncState> {
        let now = self.now();
        let mut state = self.state();
        let database = self.database.clone();
        let g = self.enter(&mut state, access, now)?;
        let laptop = server::laptop_of(url)?;
        let address = ServerAddress {
            url: url.to_string(),
            ca_pem: ca_pem.to_string(),
        };
        let link = Link::connect(&address)?;
        let standing = link.where_we_stand()?;
        if standing["newest"].as_i64().unwrap_or(0) > 0 {
            return Err(Error::Conflict(
                "The clinic server already holds the clinic's record from another laptop. Join this laptop as a new laptop (it must not hold a record of its own)."
                    .into(),
            ));
        }
        level_slots(g.keyring, g.db)?;
        g.db.join_clinic(&laptop, url, ca_pem, true, now)?;
        g.db.audit(
            &Author::from(&g.by),
            &Event::new(Action::ClinicJoined).detail(format!("as laptop {laptop}")),
            now,
        )?;
        let key = g.key.clone();
        drop(g);
        let desk = state
            .desk
            .as_mut()
            .ok_or_else(|| Error::Unauthenticated("Nobody is signed in.".into()))?;
        desk.sharing = Worker::start(&database, &key, &desk.db)?;
        desk.db.sync_state()
    }

    /// Makes this computer a new laptop of the clinic at `url`: the data key comes from the
    /// clinic's key slot of `credentials.username` (opened with their password), and the whole
    /// record is pulled before the database is moved into place, so a join cut short leaves
    /// nothing half-made. Then every active user signs in here with their own password.
    pub fn join_new_laptop(
        &self,
        url: &str,
        ca_pem: &str,
        credentials: &Credentials,
        progress: PullProgress,
    ) -> Result<SyncState> {
        let now = self.now();
        let mut state = self.state();
        if state.keyring.is_some() || self.database.exists() {
            return Err(Error::Conflict(
                "This computer already holds a chart. A new laptop joins the clinic with no chart of its own.".into(),
            ));
        }
        let laptop = server::laptop_of(url)?;
        let address = ServerAddress {
            url: url.to_string(),
            ca_pem: ca_pem.to_string(),
        };
        let link = Link::connect(&address)?;
        let newest = link.where_we_stand()?["newest"].as_i64().unwrap_or(0);
        let wrong = || Error::Unauthenticated("The username or password is not right for this clinic.".into());
        let shared = link.key_slot(credentials.username.trim())?.ok_or_else(wrong)?;
        let slot = SharedSlot {
            username: shared["username"].as_str().unwrap_or_default().to_string(),
            user_id: 0,
            owner: shared["owner"].as_str().unwrap_or_default().to_string(),
            wrapped: shared["wrapped"].as_str().unwrap_or_default().to_string(),
            changed_at: None,
            active: true,
        };
        let key = Slot::from_shared(&slot)?
            .open(&credentials.password)?
            .ok_or_else(wrong)?;
        let staging = self.staging_path();
        remove_database_files(&staging);
        let mut db = Db::create(&staging, Some(&key.sqlcipher_key()))?;
        db.join_clinic(&laptop, url, ca_pem, false, now)?;
        pull_all(&mut db, &link, &|| true, &mut |last| progress(last, newest))?;
        let user = db
            .users()?
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(credentials.username.trim()) && u.active)
            .ok_or_else(wrong)?;
        let mut keyring = Keyring::new();
        level_slots(&mut keyring, &mut db)?;
        db.audit(
            &Author::from(&user),
            &Event::new(Action::ClinicJoined).detail(format!("as laptop {laptop}, new")),
            now,
        )?;
        let joined = db.sync_state()?;
        drop(db);
        keyring.save(&self.keys)?;
        self.finish_setup()?;
        state.keyring = Some(keyring);
        Ok(joined)
    }
}

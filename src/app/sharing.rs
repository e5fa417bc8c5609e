//! Sharing the record with the clinic server: one round (push everything waiting, then pull
//! everything new), and the worker that runs rounds in the background on its own thread and its
//! own database connection, so charting never waits on the network.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::app::clinic::{remove_database_files, Access, Clinic};
use crate::domain::audit::{Action, Event};
use crate::domain::sync::{SharedSlot, SyncState};
use crate::domain::users::{Credentials, Permission};
use crate::error::{Error, Result};
use crate::outside::crypto::DataKey;
use crate::outside::keyring::{Keyring, Slot};
use crate::storage::server::{self, Link, ServerAddress};
use crate::storage::{Author, Db};

/// Changes pushed per call: one transaction on the server each.
const PUSH_BATCH: u32 = 500;
/// Changes pulled per call, applied here in one transaction each.
const PULL_BATCH: i32 = 2_000;
/// The pause between rounds while the server answers: an entry reaches the other laptops within
/// about two of these.
const ONLINE_PAUSE: Duration = Duration::from_millis(400);
/// The longest pause between attempts while the server does not answer.
const LONGEST_BACKOFF: Duration = Duration::from_secs(30);
/// How often a quiet, answering round is noted in the database ("shared 3 s ago"); a round that
/// moved changes, or a change between answering and not, is noted at once.
const NOTE_EVERY: Duration = Duration::from_secs(3);

/// What one round moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub pushed: usize,
    pub pulled: usize,
}

/// Pushes every change waiting on this laptop, in order, then applies every change the server
/// holds after this laptop's cursor. Each step is committed before the next, so a round cut short
/// anywhere (the server stopped, the reply lost) is taken up by the next with nothing lost or
/// doubled.
pub fn round(db: &mut Db, link: &Link) -> Result<Round> {
    let mut done = Round::default();
    loop {
        let batch = db.outbox(PUSH_BATCH)?;
        if batch.is_empty() {
            break;
        }
        let ack = link.push(&batch)?;
        db.pushed(&batch, &ack)?;
        done.pushed += batch.len();
    }
    loop {
        let after = db.sync_state()?.pulled_through;
        let pulled = link.pull(after, PULL_BATCH)?;
        if pulled.is_empty() {
            break;
        }
        db.apply_pulled(&pulled)?;
        done.pulled += pulled.iter().filter(|p| p.row.is_some()).count();
    }
    Ok(done)
}

/// Brings the key file and the clinic's shared key slots level: of two versions of a user's slot
/// the newer is kept on both sides (a password changed on another laptop opens here after the
/// next pull), and a user no longer active here loses their slot. Returns whether the key file's
/// slots changed (the caller saves it).
pub fn level_slots(keyring: &mut Keyring, db: &mut Db) -> Result<bool> {
    let shared = db.shared_slots()?;
    let older = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| a < b;
    let to_share: Vec<SharedSlot> = keyring
        .slots
        .iter()
        .filter(|mine| {
            let theirs = shared.iter().find(|s| s.username.eq_ignore_ascii_case(&mine.username));
            theirs.is_none_or(|s| s.active && older(s.changed_at, mine.changed_at))
        })
        .map(Slot::shared)
        .collect();
    let mut changed = false;
    for theirs in &shared {
        let mine = keyring.slot(&theirs.username).cloned();
        if !theirs.active {
            if let Some(mine) = mine {
                keyring.remove_slot(mine.user_id);
                changed = true;
            }
        } else if mine.as_ref().is_none_or(|m| older(m.changed_at, theirs.changed_at)) {
            keyring.put_slot(Slot::from_shared(theirs)?);
            changed = true;
        }
    }
    db.share_slots(&to_share)?;
    Ok(changed)
}

/// The background worker of a signed-in laptop that has joined a clinic server. Dropping it asks
/// it to stop; it stops within a pause (or when a call to the server in flight ends).
pub struct Worker {
    stop: Arc<AtomicBool>,
}

impl Worker {
    /// Starts sharing the database at `database` (opened anew with `key`) if it has joined a server.
    pub fn start(database: &Path, key: &DataKey, db: &Db) -> Result<Option<Worker>> {
        let Some((_, url, ca_pem)) = db.sync_server()? else {
            return Ok(None);
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (path, key, flag) = (database.to_path_buf(), key.sqlcipher_key(), stop.clone());
        let address = ServerAddress { url, ca_pem };
        std::thread::Builder::new()
            .name("clinic-sync".into())
            .spawn(move || work(&path, &key, &address, &flag))
            .map_err(|e| crate::Error::Storage(format!("The sharing worker could not start ({e}).")))?;
        Ok(Some(Worker { stop }))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Rounds until asked to stop: every `ONLINE_PAUSE` while the server answers; after a failure
/// the pause doubles up to `LONGEST_BACKOFF`, and the state says since when it has not answered.
fn work(path: &PathBuf, key: &str, address: &ServerAddress, stop: &AtomicBool) {
    let Ok(mut db) = Db::open(path, Some(key)) else {
        return;
    };
    let mut link: Option<Link> = None;
    let mut backoff = Duration::from_secs(1);
    let mut noted: Option<(Instant, bool)> = None;
    while !stop.load(Ordering::Relaxed) {
        let attempt = match link.take().filter(|l| !l.is_closed()) {
            Some(open) => Ok(open),
            None => Link::connect(address),
        }
        .and_then(|open| round(&mut db, &open).map(|moved| (open, moved)));
        let pause = match attempt {
            Ok((open, moved)) => {
                link = Some(open);
                backoff = Duration::from_secs(1);
                let quiet = moved == Round::default();
                if !quiet || !matches!(noted, Some((at, true)) if at.elapsed() < NOTE_EVERY) {
                    let _ = db.note_sync(Utc::now(), None);
                    noted = Some((Instant::now(), true));
                }
                ONLINE_PAUSE
            }
            Err(e) => {
                let _ = db.note_sync(Utc::now(), Some(&e.to_string()));
                noted = Some((Instant::now(), false));
                let pause = backoff;
                backoff = (backoff * 2).min(LONGEST_BACKOFF);
                pause
            }
        };
        sleep_unless(stop, pause);
    }
}

/// Sleeps for `pause`, waking early when `stop` is set.
fn sleep_unless(stop: &AtomicBool, pause: Duration) {
    let until = Instant::now() + pause;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
}

/// Progress of a long pull (a new laptop taking the clinic's record): changes applied so far, and
/// the server's newest number.
pub type PullProgress<'a> = &'a mut dyn FnMut(i64, i64);

impl Clinic {
    /// Joins the clinic server at `url` as the laptop that holds the clinic's history: everything
    /// this laptop holds (rows, key slots, its audit trail) is queued and pushed in the background.
    /// An admin does it; refused if the server already holds another laptop's record (join that
    /// clinic as a new laptop instead).
    pub fn join_clinic(&self, url: &str, ca_pem: &str) -> Result<SyncState> {
        let now = self.now();
        let mut state = self.state();
        let database = self.database.clone();
        let g = self.enter(
            &mut state,
            Access::Role(Permission::Administer, "join the clinic server"),
            now,
        )?;
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
    pub fn join_as_new_laptop(
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
        loop {
            let pulled = link.pull(db.sync_state()?.pulled_through, PULL_BATCH)?;
            let Some(last) = pulled.last().map(|p| p.server_seq) else {
                break;
            };
            db.apply_pulled(&pulled)?;
            progress(last, newest);
        }
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

    /// Where this laptop stands with the clinic server, for anyone signed in.
    pub fn sync_state(&self) -> Result<SyncState> {
        self.gate(Access::SignedIn, |g| g.db.sync_state())
    }
}

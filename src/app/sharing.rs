//! Sharing the record with the clinic server: one round (push everything waiting, then pull
//! everything new), and the worker that runs rounds in the background on its own thread and its
//! own database connection, so charting never waits on the network.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::domain::sync::{Failure, SharedSlot};
use crate::error::{Error, Result};
use crate::outside::crypto::DataKey;
use crate::outside::keyring::{Keyring, Slot};
use crate::storage::server::{Link, ServerAddress};
use crate::storage::Db;

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
    round_while(db, link, &|| true)
}

/// `round`, stopping between batches once `go_on` says no (the worker asked to stop at sign-out,
/// in the middle of a long history).
fn round_while(db: &mut Db, link: &Link, go_on: &dyn Fn() -> bool) -> Result<Round> {
    let mut done = Round::default();
    while go_on() {
        let batch = db.outbox(PUSH_BATCH)?;
        if batch.is_empty() {
            break;
        }
        let ack = link.push(&batch)?;
        db.pushed(&batch, &ack)?;
        done.pushed += batch.len();
    }
    done.pulled = pull_all(db, link, go_on, &mut |_| {})?;
    Ok(done)
}

/// Applies every change the server holds after this laptop's cursor, a batch at a time, each
/// committed with the cursor; `applied` hears the server number each batch reached. Returns how
/// many other laptops' changes were applied.
pub(crate) fn pull_all(
    db: &mut Db,
    link: &Link,
    go_on: &dyn Fn() -> bool,
    applied: &mut dyn FnMut(i64),
) -> Result<usize> {
    let mut count = 0;
    while go_on() {
        let after = db.sync_state()?.pulled_through;
        let pulled = link.pull(after, PULL_BATCH)?;
        let Some(last) = pulled.last().map(|p| p.server_seq) else {
            break;
        };
        db.apply_pulled(&pulled)?;
        count += pulled.iter().filter(|p| p.row.is_some()).count();
        applied(last);
    }
    Ok(count)
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
        .and_then(|open| round_while(&mut db, &open, &|| !stop.load(Ordering::Relaxed)).map(|moved| (open, moved)));
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
                // The server not answering (or refusing) is said apart from a problem here.
                let failure = match &e {
                    Error::Server(_) => Failure::Server(e.to_string()),
                    _ => Failure::Here(e.to_string()),
                };
                let _ = db.note_sync(Utc::now(), Some(&failure));
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

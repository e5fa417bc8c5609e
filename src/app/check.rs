//! SQLite's quick check of the chart database, once per process from the first sign-in, on a
//! connection and thread of its own. It reads every page: on a clinic's tenth year that is 1.5 GB and
//! about 8 s, which no nurse should wait for at sign-in. Damage it finds closes the database
//! (`Clinic::state`), and every action and sign-in is refused until an admin restores a backup.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;

use crate::storage::Interrupt;

use crate::error::{Error, Result};
use crate::outside::crypto::DataKey;
use crate::storage::Db;

pub(crate) enum Check {
    NotRun,
    Running {
        /// Receives what the check came to: passed, failed, or not run (it could not finish).
        result: Receiver<Check>,
        stop: Interrupt,
        thread: Option<JoinHandle<()>>,
    },
    Passed,
    /// The message every refused action and sign-in gets.
    Failed(String),
}

/// What a nurse is told of a damaged database; `after` says what became of it.
pub(crate) fn damaged(database: &Path, reason: &str, after: &str) -> String {
    format!(
        "The chart database {} is damaged: {reason} {after} An admin can restore the newest verified backup: type an admin's username and password and choose \"Restore the newest backup\".",
        database.display()
    )
}

impl Check {
    /// Starts the check of `database` (opened with `key` on this thread, while the caller has it
    /// open, so it reads the same file) unless it has run or is running.
    pub(crate) fn start(&mut self, database: &Path, key: &DataKey) {
        if !matches!(self, Check::NotRun) {
            return;
        }
        // The caller has just opened the file with this key: a failure here says nothing about
        // the file, and the next sign-in tries again.
        let Ok(db) = Db::read_only(database, Some(&key.sqlcipher_key())) else {
            return;
        };
        let (found, result) = mpsc::channel();
        let stop = db.interrupt_handle();
        let database = database.to_path_buf();
        let thread = std::thread::spawn(move || {
            let closed = "It was closed when this was found, and nothing more is written to it.";
            let failed = |reason: &str| Check::Failed(damaged(&database, reason, closed));
            let outcome = match db.quick_check() {
                Ok(Some(problems)) => match problems.first() {
                    None => Check::Passed,
                    Some(first) => failed(&format!(
                        "SQLite's quick check found {} problem(s), the first: {first}.",
                        problems.len()
                    )),
                },
                Ok(None) => Check::NotRun,
                Err(_) => failed("SQLite's quick check could not read it."),
            };
            // Nobody listens when the check was stopped (a restore, the app closing).
            let _ = found.send(outcome);
        });
        *self = Check::Running {
            result,
            stop,
            thread: Some(thread),
        };
    }

    /// Refuses with the damaged message once the check has found damage.
    pub(crate) fn refuse_if_failed(&self) -> Result<()> {
        match self {
            Check::Failed(message) => Err(Error::Damaged(message.clone())),
            _ => Ok(()),
        }
    }

    /// Whether the check has finished and found damage (taking its outcome if it just finished).
    pub(crate) fn found_damage(&mut self) -> bool {
        if let Check::Running { result, .. } = self {
            *self = match result.try_recv() {
                Ok(outcome) => outcome,
                Err(TryRecvError::Empty) => return false,
                // The check's thread ended without an answer: it runs again at the next sign-in.
                Err(TryRecvError::Disconnected) => Check::NotRun,
            };
        }
        matches!(self, Check::Failed(_))
    }

    /// Stops a check still running; the next sign-in starts it again.
    pub(crate) fn stop(&mut self) {
        if matches!(self, Check::Running { .. }) {
            *self = Check::NotRun;
        }
    }
}

impl Drop for Check {
    /// A running check is interrupted and waited for: its thread and connection must not outlive a
    /// restore that replaces the file, nor the process (SQLCipher's clean-up at exit under a running
    /// read crashes it).
    fn drop(&mut self) {
        if let Check::Running { stop, thread, .. } = self {
            stop.interrupt();
            if let Some(thread) = thread.take() {
                let _ = thread.join();
            }
        }
    }
}

//! How SQLite runs the statements a piece of work issues (EXPLAIN QUERY PLAN), so tests can keep
//! full-table scans out of the hot paths: charting, patient search, opening a session, the day list,
//! a patient's audit history.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use rusqlite::trace::{TraceEvent, TraceEventCodes};

use super::Db;
use crate::error::Result;

/// One statement and its plan, one line per step ("SEARCH vitals USING INDEX vitals_by_session (session_id=?)").
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub sql: String,
    pub steps: Vec<String>,
}

impl Db {
    /// Runs `f`, then plans every distinct statement it ran (the SQL as written, parameters unbound).
    pub fn plans_of<T>(&mut self, f: impl FnOnce(&mut Db) -> Result<T>) -> Result<(T, Vec<Plan>)> {
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let sink = seen.clone();
        self.conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Stmt(statement, _) = event {
                    sink.lock().expect("trace sink").insert(statement.sql().to_string());
                }
            }),
        )?;
        let out = f(self);
        self.conn
            .trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)?;
        let out = out?;
        let statements = std::mem::take(&mut *seen.lock().expect("trace sink"));
        let mut plans = Vec::new();
        for sql in statements {
            // Parameters stay unbound (NULL): a plan does not depend on their values.
            let mut explain = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let mut found = explain.raw_query();
            let mut steps = Vec::new();
            while let Some(row) = found.next()? {
                steps.push(row.get(3)?);
            }
            plans.push(Plan { sql, steps });
        }
        Ok((out, plans))
    }
}

//! The domain: plain types and the clinical rules, knowing nothing of SQL, files or JSON.
//! Each input type validates itself into the value storage writes.

pub mod alerts;
pub mod audit;
pub mod backups;
pub mod catalogue;
pub mod clock;
pub mod dates;
pub mod discharge;
pub mod infusion;
pub mod late;
pub mod notes;
pub mod outcomes;
pub mod patients;
pub mod preparation;
pub mod protocols;
pub mod sessions;
pub mod settings;
pub mod side_effects;
pub mod signing;
pub mod sync;
#[cfg(test)]
pub(crate) mod test_day;
pub mod users;
pub mod validate;
pub mod vitals;
pub mod weight;

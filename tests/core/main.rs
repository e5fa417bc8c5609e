//! The core on real SQLite files in temp folders: storage, sign-in and encryption, the role
//! matrix, signing and addenda, and the audit trail. One test binary, several modules.

mod access;
mod audit_trail;
mod backup;
mod contract;
mod course;
mod demo;
mod dosing;
mod export;
mod fuzz;
mod layers;
mod plans;
// kill -9: Unix; the full and read-only disks (mount namespaces): Linux.
#[cfg(unix)]
mod faults;
mod reports;
mod roles;
mod signing;
mod storage;
mod support;
mod trust;

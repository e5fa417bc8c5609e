//! The application: `Clinic` (who is signed in, and the one gate every action passes), the command
//! table, and the services that join a domain rule, its storage and the outside world.

pub mod access;
pub mod admin;
pub mod backups;
pub mod chart;
pub mod check;
pub mod clinic;
pub mod commands;
pub mod demo;
pub mod demo_load;
pub mod ipc;
pub mod joining;
pub mod lists;
pub mod places;
pub mod reports;
pub mod sharing;

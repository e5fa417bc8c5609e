//! One payload as the IPC boundary gets it: the first byte picks the input type, the rest is the JSON
//! of the command's `input`. It is parsed as the app parses it (`infusion_chart::app::ipc::parse`) and
//! checked as the app checks it, and the shared judge (tests/core/fuzz/judge.rs, the one the property
//! tests in `make test` use) says whether the answer is right: no panic, every refusal in plain words
//! naming the field and its range. Run: `cargo +nightly fuzz run payloads -- -max_total_time=600`.
#![no_main]

#[path = "../../tests/core/fuzz/judge.rs"]
mod judge;

use infusion_chart::domain::alerts::AlertRef;
use infusion_chart::domain::audit::{ExportRequest as AuditExport, Filter};
use infusion_chart::outside::backup::{BackupFile, BackupRequest, FolderInput};
use infusion_chart::app::access::KeyRecovery;
use infusion_chart::app::clinic::Nothing;
use infusion_chart::outside::export::ExportRequest;
use infusion_chart::app::ipc::parse;
use infusion_chart::domain::patients::{PatientSearch, PatientUpdate};
use infusion_chart::outside::report::ReportRequest;
use infusion_chart::domain::sessions::{DayRequest, PatientRef, SessionRef};
use infusion_chart::domain::settings::LogoInput;
use infusion_chart::domain::users::{ActiveChange, Credentials, PasswordChange, PasswordReset, RolesChange};
use infusion_chart::domain::vitals::VitalsCorrection;
use judge::Context;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&which, json)) = data.split_first() else {
        return;
    };
    let Ok(input) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    if let Err(why) = payload(which, input) {
        panic!("{why}");
    }
});

/// The input parsed as the IPC boundary parses it; a refusal is judged and ends the case.
macro_rules! parsed {
    ($value:expr, $echoes:expr) => {
        match parse($value) {
            Ok(input) => input,
            Err(e) => return judge::parse_error(&e, $echoes),
        }
    };
}

/// A type with no check beyond parsing: parsing it is the whole case.
macro_rules! parses {
    ($t:ty, $value:expr, $echoes:expr) => {{
        let _: $t = parsed!($value, $echoes);
        Ok(())
    }};
}

/// How many input types the first byte picks from (in the order of `payload`).
const TYPES: u8 = 40;

fn payload(which: u8, value: Value) -> Result<(), String> {
    let echoes = judge::echoes_of(&value);
    let (value, e) = (Some(value), &echoes);
    let cx = Context::standard();
    match which % TYPES {
        0 => judge::vitals(parsed!(value, e), &cx),
        1 => {
            // The reading part of a correction (its reason is checked by `Clinic`, with the database).
            let correction: VitalsCorrection = parsed!(value, e);
            judge::vitals(correction.vitals, &cx)
        }
        2 => judge::event(parsed!(value, e), &cx),
        3 => judge::event(parsed!(value, e), &cx.pump_running()),
        4 => judge::note(parsed!(value, e), &cx),
        5 => judge::patient(parsed!(value, e), &cx),
        6 => {
            let update: PatientUpdate = parsed!(value, e);
            judge::patient(update.patient, &cx)
        }
        7 => judge::checklist(parsed!(value, e), &cx),
        8 => judge::waste(parsed!(value, e), &cx),
        9 => judge::outcome(parsed!(value, e), &cx),
        10 => judge::side_effect(parsed!(value, e), &cx),
        11 => judge::resolution(parsed!(value, e), &cx),
        12 => judge::intervention(parsed!(value, e), &cx),
        13 => judge::aldrete(parsed!(value, e), &cx),
        14 => judge::discharge(parsed!(value, e), &cx),
        15 => judge::protocol(parsed!(value, e)),
        16 => judge::dose(parsed!(value, e), &cx),
        17 => judge::settings(parsed!(value, e), &cx),
        18 => judge::user(parsed!(value, e)),
        19 => {
            let change: PasswordChange = parsed!(value, e);
            judge::new_password(
                "New password",
                Some(&change.new_password),
                Some(&change.new_password_confirm),
            )
        }
        20 => {
            let reset: PasswordReset = parsed!(value, e);
            judge::new_password("New temporary password", Some(&reset.new_password), None)
        }
        21 => {
            let recovery: KeyRecovery = parsed!(value, e);
            judge::recovery_key(&recovery.recovery_key)?;
            judge::new_password(
                "New password",
                Some(&recovery.new_password),
                Some(&recovery.new_password_confirm),
            )
        }
        22 => {
            let logo: LogoInput = parsed!(value, e);
            judge::logo(&logo.png_hex)
        }
        23 => judge::addendum(parsed!(value, e)),
        24 => {
            let change: RolesChange = parsed!(value, e);
            judge::roles(&change.roles)
        }
        // The rest have no check of their own beyond parsing (ids, paths, filters, credentials).
        25 => parses!(AlertRef, value, e),
        26 => parses!(Credentials, value, e),
        27 => parses!(Filter, value, e),
        28 => parses!(AuditExport, value, e),
        29 => parses!(ExportRequest, value, e),
        30 => parses!(ReportRequest, value, e),
        31 => parses!(BackupFile, value, e),
        32 => parses!(BackupRequest, value, e),
        33 => parses!(FolderInput, value, e),
        34 => parses!(DayRequest, value, e),
        35 => parses!(PatientSearch, value, e),
        36 => parses!(SessionRef, value, e),
        37 => parses!(PatientRef, value, e),
        38 => parses!(ActiveChange, value, e),
        _ => parses!(Nothing, value, e),
    }
}

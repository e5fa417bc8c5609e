//! The command table (`command_table.rs`) made into code: a `Clinic` method per command, named as
//! the command, that passes the command's gate and runs it; `COMMANDS`, what each takes, gives and
//! needs; and `Clinic::call`, the IPC boundary's dispatch from a name and JSON input.

use serde_json::Value;

use crate::app::access::{self, KeyRecovery, SetupDone, Unlocked};
use crate::app::backups::{self, Restored};
use crate::app::clinic::{Access, Access::*, Clinic, Guard, Nothing, Status};
use crate::app::ipc::{fields_of, parse};
use crate::app::joining::{self, ClinicJoin, NewLaptop};
use crate::app::lists::{self, ReferenceLists};
use crate::app::{admin, chart, reports};
use crate::domain::alerts::AlertRef;
use crate::domain::audit::{Entry, ExportRequest as AuditExport, Exported as AuditExported, Filter, Verification};
use crate::domain::clock::{TimeReading, TypedTime};
use crate::domain::discharge::{Aldrete, AldreteInput, DischargeInput};
use crate::domain::infusion::{EventInput, InfusionEvent};
use crate::domain::notes::{Note, NoteInput};
use crate::domain::outcomes::{OutcomeInput, OutcomeScore};
use crate::domain::patients::{Patient, PatientInput, PatientSearch, PatientUpdate};
use crate::domain::preparation::{Checklist, ChecklistInput, Waste, WasteInput};
use crate::domain::protocols::{DoseInput, DosePlan, Protocol, ProtocolInput};
use crate::domain::sessions::{
    ArrivalMove, DayList, DayRequest, PatientRecord, PatientRef, Session, SessionRecord, SessionRef,
};
use crate::domain::settings::{LogoInput, Settings, SettingsInput};
use crate::domain::side_effects::{Intervention, InterventionInput, Resolution, SideEffect, SideEffectInput};
use crate::domain::signing::AddendumInput;
use crate::domain::sync::SyncState;
use crate::domain::users::Permission::*;
use crate::domain::users::{ActiveChange, Credentials, PasswordChange, PasswordReset, RolesChange, User, UserInput};
use crate::domain::vitals::{Vitals, VitalsCorrection, VitalsInput};
use crate::error::{Error, Result};
use crate::outside::backup::{BackupFile, BackupRequest, BackupStatus, FolderInput, Made, Verified};
use crate::outside::export::{ExportRequest, Exported};
use crate::outside::report::{Printed, ReportRequest};

/// One command as the table lists it.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    pub name: &'static str,
    /// The input and output types, as written in the table.
    pub input: &'static str,
    pub output: &'static str,
    pub access: Access,
    /// The input's fields (`ipc::fields_of`): what the IPC fuzz test builds payloads from.
    pub fields: fn() -> &'static [&'static str],
}

/// Runs one command's handler: how depends on its kind (see `command_table.rs`).
macro_rules! run {
    (open, $clinic:ident, $access:expr, $handler:expr, $input:ident: $in:ty => $out:ty) => {{
        let handler: fn(&Clinic, $in) -> Result<$out> = $handler;
        handler($clinic, $input)
    }};
    (staged, $clinic:ident, $access:expr, $handler:expr, $input:ident: $in:ty => $out:ty) => {{
        let handler: fn(&Clinic, Access, $in) -> Result<$out> = $handler;
        handler($clinic, $access, $input)
    }};
    (guarded, $clinic:ident, $access:expr, $handler:expr, $input:ident: $in:ty => $out:ty) => {{
        let handler: fn(&mut Guard<'_>, $in) -> Result<$out> = $handler;
        $clinic.gate($access, |guard| handler(guard, $input))
    }};
}

macro_rules! commands {
    ($($kind:ident $name:ident($in:ty) -> $out:ty, $access:expr => $handler:expr;)*) => {
        /// Every command, in the table's order.
        pub const COMMANDS: &[Command] = &[$(Command {
            name: stringify!($name),
            input: stringify!($in),
            output: stringify!($out),
            access: $access,
            fields: fields_of::<$in>,
        }),*];

        impl Clinic {
            $(
                pub fn $name(&self, input: $in) -> Result<$out> {
                    run!($kind, self, $access, $handler, input: $in => $out)
                }
            )*

            /// Runs the command `name` with its JSON `input` (None: the request had none), as the IPC
            /// boundary does: a malformed input is refused in words before anything runs.
            pub fn call(&self, name: &str, input: Option<Value>) -> Result<Value> {
                match name {
                    $(stringify!($name) => parse(input).and_then(|input| self.$name(input)).and_then(json),)*
                    _ => Err(Error::InvalidRequest(format!("There is no command {name}. Nothing was changed."))),
                }
            }
        }
    };
}

include!("command_table.rs");

/// The command's answer as JSON. Every output type serialises; were one not to, what was done stays
/// done and the window is told to look again.
fn json(output: impl serde::Serialize) -> Result<Value> {
    serde_json::to_value(output).map_err(|_| {
        Error::Storage("This was done, but its answer could not be shown. Open the screen again to see it.".into())
    })
}

/// The table's entry for `name`.
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

// Every command the window (and the fuzz and role tests) can call, named once: its input type, its
// output type, the access its gate asks for, and what runs it. Read by `commands.rs` (the `Clinic`
// methods and the IPC dispatch) and by `src-tauri/build.rs` (the window's permission list).
//
// `open`: no gate, the sign-in steps (fn(&Clinic, input));
// `staged`: work in steps, each through the gate with this access (fn(&Clinic, Access, input));
// `guarded`: through the gate once, with the database, user and clock (fn(&mut Guard, input)).
commands! {
    // Signing in, locking, passwords.
    open app_status(Nothing) -> Status, Anyone => access::app_status;
    open setup(UserInput) -> SetupDone, Anyone => access::setup;
    open login(Credentials) -> Status, Anyone => access::login;
    open logout(Nothing) -> Status, Anyone => access::logout;
    open lock(Nothing) -> Status, Anyone => access::lock;
    open unlock(Credentials) -> Unlocked, Anyone => access::unlock;
    staged touch(Nothing) -> Status, SignedIn => access::touch;
    staged change_password(PasswordChange) -> Status, SignedIn => access::change_password;
    open recover(KeyRecovery) -> Status, Anyone => access::recover;
    open restore_newest(Credentials) -> Restored, Anyone => backups::restore_newest;

    // Charting.
    guarded add_patient(PatientInput) -> Patient, Role(Chart, "add patients")
        => |g, input| chart::add_patient(g.db, &g.by, g.now, input);
    guarded update_patient(PatientUpdate) -> Patient, Role(Chart, "change patient records")
        => |g, input| chart::update_patient(g.db, &g.by, g.now, input);
    guarded search_patients(PatientSearch) -> Vec<Patient>, Role(Chart, "view patient records")
        => |g, input| chart::search_patients(g.db, input);
    guarded get_patient(PatientRef) -> PatientRecord, Role(Chart, "view patient records")
        => |g, input| chart::patient_record(g.db, input);
    guarded list_protocols(Nothing) -> Vec<Protocol>, Role(Chart, "view protocols")
        => |g, _| chart::protocols(g.db);
    guarded dose_preview(DoseInput) -> DosePlan, Role(Chart, "plan doses")
        => |g, input| chart::dose_preview(g.db, &input);
    guarded start_session(DoseInput) -> Session, Role(Chart, "start sessions")
        => |g, input| chart::start_session(g.db, &g.by, g.now, input);
    guarded get_session(SessionRef) -> SessionRecord, Role(Chart, "view patient records")
        => |g, input| chart::session_record(g.db, g.settings, g.now, input);
    // The session screen calls it on its tick while the infusion runs: not activity either.
    guarded review_infusion(SessionRef) -> SessionRecord, Watch(Chart, "view patient records")
        => |g, input| chart::review_infusion(g.db, g.settings, &g.by, g.now, input);
    guarded read_clinical_time(TypedTime) -> TimeReading, Role(Chart, "chart")
        => |g, input| chart::read_clinical_time(g.db, g.now, input);
    guarded move_arrival(ArrivalMove) -> Session, Role(Chart, "move a patient's arrival time")
        => |g, input| chart::move_arrival(g.db, &g.by, g.now, input);
    guarded add_vitals(VitalsInput) -> Vitals, Role(Chart, "chart vitals")
        => |g, input| chart::add_vitals(g.db, &g.settings.alerts, &g.by, g.now, input);
    guarded correct_vitals(VitalsCorrection) -> Vitals, Role(Chart, "correct vitals")
        => |g, input| chart::correct_vitals(g.db, &g.settings.alerts, &g.by, g.now, input);
    guarded acknowledge_alert(AlertRef) -> SessionRecord, Role(Chart, "acknowledge alerts")
        => |g, input| chart::acknowledge_alert(g.db, g.settings, &g.by, g.now, input);
    guarded add_infusion_event(EventInput) -> InfusionEvent, Role(Chart, "chart infusion events")
        => |g, input| chart::add_event(g.db, &g.by, g.now, input);
    guarded add_note(NoteInput) -> Note, Role(Chart, "add notes")
        => |g, input| chart::add_note(g.db, &g.by, g.now, input);
    guarded sign_session(SessionRef) -> SessionRecord, Role(Sign, "sign a session")
        => |g, input| chart::sign_session(g.db, g.settings, &g.by, g.now, input);
    guarded cosign_session(SessionRef) -> SessionRecord, Role(Cosign, "co-sign a session")
        => |g, input| chart::cosign_session(g.db, g.settings, &g.by, g.now, input);
    guarded add_addendum(AddendumInput) -> SessionRecord, Role(Chart, "add addenda")
        => |g, input| chart::add_addendum(g.db, g.settings, &g.by, g.now, input);
    guarded print_report(ReportRequest) -> Printed, Role(Chart, "print reports") => reports::print_report;
    guarded reference_lists(Nothing) -> ReferenceLists, SignedIn => |_, _| Ok(lists::reference_lists());
    // The window re-reads it every minute on its own: not activity that holds off the automatic lock.
    guarded day_list(DayRequest) -> DayList, Watch(Chart, "view the day list")
        => |g, input| chart::day_list(g.db, g.now, input);
    guarded save_checklist(ChecklistInput) -> Checklist, Role(Chart, "chart the pre-infusion checklist")
        => |g, input| chart::save_checklist(g.db, &g.by, g.now, input);
    guarded record_waste(WasteInput) -> Waste, Role(Chart, "record waste") => chart::witnessed_waste;
    guarded add_outcome(OutcomeInput) -> OutcomeScore, Role(Chart, "record outcome scores")
        => |g, input| chart::add_outcome(g.db, &g.by, g.now, input);
    guarded add_side_effect(SideEffectInput) -> SideEffect, Role(Chart, "chart side effects")
        => |g, input| chart::add_side_effect(g.db, &g.by, g.now, input);
    guarded resolve_side_effect(Resolution) -> SideEffect, Role(Chart, "chart side effects")
        => |g, input| chart::resolve_side_effect(g.db, &g.by, g.now, input);
    guarded add_intervention(InterventionInput) -> Intervention, Role(Chart, "chart interventions")
        => |g, input| chart::add_intervention(g.db, &g.by, g.now, input);
    guarded add_aldrete(AldreteInput) -> Aldrete, Role(Chart, "score recovery")
        => |g, input| chart::add_aldrete(g.db, &g.by, g.now, input);
    guarded discharge(DischargeInput) -> SessionRecord, Role(Chart, "discharge patients")
        => |g, input| chart::discharge(g.db, g.settings, &g.by, g.now, input);

    // Protocols (physicians and admins).
    guarded all_protocols(Nothing) -> Vec<Protocol>, Role(EditProtocols, "edit protocols")
        => |g, _| chart::all_protocols(g.db);
    guarded save_protocol(ProtocolInput) -> Protocol, Role(EditProtocols, "edit protocols")
        => |g, input| chart::save_protocol(g.db, &g.by, g.now, input);

    // Administration.
    guarded list_users(Nothing) -> Vec<User>, Role(Administer, "manage users") => |g, _| g.db.users();
    guarded add_user(UserInput) -> User, Role(Administer, "manage users") => admin::add_user;
    guarded set_user_roles(RolesChange) -> User, Role(Administer, "manage users") => admin::set_user_roles;
    guarded set_user_active(ActiveChange) -> User, Role(Administer, "manage users") => admin::set_user_active;
    guarded reset_password(PasswordReset) -> User, Role(Administer, "manage users") => admin::reset_password;
    guarded get_settings(Nothing) -> Settings, Role(Administer, "change settings") => |g, _| admin::get_settings(g);
    guarded update_settings(SettingsInput) -> Settings, Role(Administer, "change settings") => admin::update_settings;
    guarded set_clinic_logo(LogoInput) -> Settings, Role(Administer, "change settings") => admin::set_clinic_logo;
    guarded audit_search(Filter) -> Vec<Entry>, Role(Administer, "review the audit trail") => admin::audit_search;
    guarded audit_verify(Nothing) -> Verification, Role(Administer, "review the audit trail")
        => |g, _| admin::audit_verify(g);
    guarded audit_export(AuditExport) -> AuditExported, Role(Administer, "export the audit trail") => admin::audit_export;

    // Backups and exports.
    guarded backup_status(Nothing) -> BackupStatus, Role(Administer, "see the backups") => backups::backup_status;
    staged backup_now(BackupRequest) -> Made, Role(Administer, "back up the database") => backups::backup_now;
    staged set_backup_folder(FolderInput) -> BackupStatus, Role(Administer, "change the backup folder")
        => backups::set_backup_folder;
    staged verify_backup(BackupFile) -> Verified, Role(Administer, "verify backups") => backups::verify_backup;
    staged restore_backup(BackupFile) -> Restored, Role(Administer, "restore backups") => backups::restore_backup;
    staged export_records(ExportRequest) -> Exported, Role(Administer, "export records") => backups::export_records;

    // The clinic server.
    guarded sharing_state(Nothing) -> SyncState, SignedIn => joining::sharing_state;
    staged join_clinic(ClinicJoin) -> SyncState, Role(Administer, "join the clinic server") => joining::join_clinic;
    open join_as_new_laptop(NewLaptop) -> Status, Anyone => joining::join_as_new_laptop;
}

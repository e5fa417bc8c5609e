fn main() {
    // Only the commands listed here get permissions; the capability file then grants them to the window.
    let commands = &[
        "app_status",
        "setup",
        "login",
        "logout",
        "lock",
        "unlock",
        "touch",
        "change_password",
        "recover",
        "add_patient",
        "search_patients",
        "get_patient",
        "list_protocols",
        "dose_preview",
        "start_session",
        "get_session",
        "add_vitals",
        "correct_vitals",
        "acknowledge_alert",
        "add_infusion_event",
        "add_note",
        "sign_session",
        "cosign_session",
        "add_addendum",
        "list_users",
        "add_user",
        "set_user_roles",
        "set_user_active",
        "reset_password",
        "get_settings",
        "update_settings",
        "audit_search",
        "audit_verify",
        "audit_export",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}

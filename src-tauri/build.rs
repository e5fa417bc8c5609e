fn main() {
    // Only the commands listed here get permissions; the capability file then grants them to the window.
    let commands = &[
        "add_patient",
        "search_patients",
        "get_patient",
        "start_session",
        "get_session",
        "add_vitals",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}

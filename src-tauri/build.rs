/// Every command's name, read from the core's command table, where each command is named once.
macro_rules! commands {
    ($($kind:ident $name:ident($in:ty) -> $out:ty, $access:expr => $handler:expr;)*) => {
        &[$(stringify!($name)),*]
    };
}

fn main() {
    println!("cargo:rerun-if-changed=../src/app/command_table.rs");
    // Only the commands listed here get permissions; the capability file then grants them to the window.
    let commands: &[&str] = include!("../src/app/command_table.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}

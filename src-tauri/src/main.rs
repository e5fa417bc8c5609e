// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `infusion-chart backup …` and the other admin commands run without a window.
    if let Some(code) = infusion_chart_app::cli::run_if_asked(std::env::args_os().collect()) {
        std::process::exit(code);
    }
    infusion_chart_app::run();
}

//! End to end: the real `infusion-chart` binary in a real window under Xvfb, driven through
//! tauri-driver and WebKitWebDriver as a nurse would use it, including a quit and relaunch.

mod harness;

use harness::{output_dir, App, Display};
use infusion_chart::sessions::SessionRef;
use infusion_chart::Chart;

const VITALS_ROWS: &str = "//table[caption[normalize-space()='Vitals flowsheet']]//tr[@data-vitals-id]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nurse_charts_vitals_and_finds_them_after_a_restart() {
    let display = Display::start();
    let data = tempfile::tempdir().unwrap();

    let app = App::launch(&display, data.path()).await;
    // Add a patient whose name needs Unicode.
    app.type_into("Family name", "Nguyễn-O'Brien").await;
    app.type_into("Given names", "Zoë").await;
    app.pick("Date of birth", "1984-03-27").await;
    app.type_into("MRN", "E2E-001").await;
    app.type_into("Weight (kg)", "72.5").await;
    app.click_button("Add patient").await;
    app.wait_for_text("//*[@role='status']", "added").await;

    // Find them by MRN, open them, start today's session.
    app.type_into("Search patients", "e2e-001").await;
    app.wait_for_text("//a", "Nguyễn-O'Brien").await;
    display.screenshot(&output_dir().join("e2e-patients.png"));
    app.click_link("Nguyễn-O'Brien").await;
    app.click_button("Start today's session").await;

    // Chart a reading: Enter in the last field commits it, no Save button.
    app.field("Systolic BP (mmHg)").await;
    app.type_into("Systolic BP (mmHg)", "128").await;
    app.type_into("Diastolic BP (mmHg)", "82").await;
    app.type_into("Heart rate (bpm)", "76").await;
    app.type_into("SpO2 (%)", "98").await;
    app.type_into("Respiratory rate (/min)", "14\u{E007}").await;
    app.wait_for_text("//*[@role='status']", "Vitals charted and saved").await;
    let row = app.wait_for_text(VITALS_ROWS, "128/82").await;
    assert!(row.contains("97"), "MAP computed by the core is shown: {row}");

    // An impossible value is refused with the core's words, and nothing is added.
    app.type_into("Systolic BP (mmHg)", "130").await;
    app.type_into("Diastolic BP (mmHg)", "85").await;
    app.type_into("Heart rate (bpm)", "80").await;
    app.type_into("SpO2 (%)", "101").await;
    app.type_into("Respiratory rate (/min)", "14").await;
    app.click_button("Chart vitals").await;
    app.wait_for_text("//*[@role='alert']", "SpO2 must be between 50 and 100%; 101 was entered.").await;
    assert_eq!(app.count(VITALS_ROWS).await, 1, "the refused reading is not in the flowsheet");
    display.screenshot(&output_dir().join("e2e-session.png"));
    app.quit().await;

    // Relaunch on the same data: everything acknowledged is there.
    let app = App::launch(&display, data.path()).await;
    app.type_into("Search patients", "E2E").await;
    app.click_link("Nguyễn-O'Brien").await;
    app.click_link("Session ").await;
    let row = app.wait_for_text(VITALS_ROWS, "128/82").await;
    assert!(row.contains("98"), "{row}");
    assert_eq!(app.count(VITALS_ROWS).await, 1);
    display.screenshot(&output_dir().join("e2e-after-restart.png"));
    app.quit().await;

    // And the file itself holds it, read by the core with the app closed.
    let chart = Chart::open(&data.path().join("infusion-chart.db"), None).unwrap();
    let record = chart.session_record(SessionRef { session_id: 1 }).unwrap();
    assert_eq!(record.patient.family_name, "Nguyễn-O'Brien");
    assert_eq!((record.vitals.len(), record.vitals[0].sbp, record.vitals[0].spo2), (1, 128, 98));
}

#[test]
fn a_database_that_cannot_be_opened_is_explained_in_a_dialog_and_left_untouched() {
    let display = Display::start();
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("infusion-chart.db");
    let garbage = b"This is a shopping list, not a chart database.\n".repeat(200);
    std::fs::write(&file, &garbage).unwrap();

    let app = display.launch_directly(data.path());
    display.wait_for_window("Infusion Chart cannot open its database");
    display.screenshot(&output_dir().join("e2e-open-failure-dialog.png"));
    drop(app);
    assert_eq!(std::fs::read(&file).unwrap(), garbage, "the unreadable file is not modified");
}

//! The night the clocks go back, in the window: the app runs in America/New_York with its clock
//! started at 01:50 EST on 2026-11-01, an hour after the first 01:50 EDT. A nurse moves the
//! patient's arrival back into the first hour, charts the checklist's time and times typed in the
//! repeated hour (choosing which one), starts an infusion that has by now run far past its plan, and
//! sees it flagged.

use std::time::Duration;

use super::harness::{self, output_dir, App, Display};
use super::{add_user, chart_vitals, create_admin, fill_checklist, first_sign_in, STATUS, VITALS_ROWS};

const FIRST_0100: &str = "01:00 UTC−4 (the first, before the clocks went back)";
const FIRST_0110: &str = "01:10 UTC−4 (the first, before the clocks went back)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nurse_charts_through_the_night_the_clocks_go_back_and_an_infusion_past_its_plan_is_flagged() {
    let display = Display::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch_with(
        &display,
        data.path(),
        &[
            ("TZ", "America/New_York"),
            ("INFUSION_CHART_CLOCK", "2026-11-01T06:50:00Z"),
        ],
    )
    .await;
    create_admin(&app).await;
    app.click_button("I have stored the recovery key").await;
    add_user(&app, "nina", "Nina Park", "Nurse").await;
    app.click_button("Sign out").await;
    first_sign_in(&app, "nina").await;

    app.click_link("Patients").await;
    app.type_into("Family name", "Night").await;
    app.type_into("Given names", "Owl").await;
    app.pick("Date of birth", "1979-06-30").await;
    app.type_into("MRN", "NIGHT-1").await;
    app.pick("Sex", "female").await;
    app.type_into("Weight", "70").await;
    app.pick("Weight unit", "kg").await;
    app.type_into("Allergies", "None known").await;
    app.pick("Indication", "treatment_resistant_depression").await;
    app.click_button("Add patient").await;
    app.wait_for_text(STATUS, "added").await;
    app.type_into("Search patients", "night-1").await;
    app.click_link("Night").await;
    app.type_into("Chair", "1").await;
    app.click_button("Start today's session").await;

    // She was in the chair since 00:45, before the clocks went back.
    app.click_button("Arrived earlier…").await;
    app.type_into("Arrival time", "00:45").await;
    app.type_into(
        "Reason for moving the arrival time",
        "In the chair before the session was opened",
    )
    .await;
    app.click_button("Move arrival back").await;
    app.wait_for_page_text("Arrived 00:45 UTC−4", harness::WAIT).await;

    fill_checklist(&app, "2099-12").await;
    app.type_into("Checklist completed at", "00:50").await;
    app.click_button("Save checklist").await;
    app.wait_for_page_text("KX2291", harness::WAIT).await;

    // The baseline, typed at 01:00: there were two that night, and the window asks which.
    app.type_into("Clinical time", "01:00").await;
    app.type_into("Systolic BP (mmHg)", "124").await;
    app.type_into("Diastolic BP (mmHg)", "80").await;
    app.type_into("Heart rate (bpm)", "72").await;
    app.type_into("SpO2 (%)", "98").await;
    app.type_into("Respiratory rate (/min)", "14").await;
    app.click_button("Chart vitals").await;
    app.wait_for_text("//*[@role='alert']", "There were two 01:00s that night")
        .await;
    app.tick(FIRST_0100).await;
    app.click_button("Chart vitals").await;
    app.wait_for_text(STATUS, "Vitals charted and saved").await;
    app.wait_for_text(VITALS_ROWS, "01:00 UTC−4").await;

    // Started at the first 01:10 without the scales, confirmed: by now it has run over 90 minutes.
    app.click_button("Start infusion").await;
    app.type_into("Event time", "01:10").await;
    app.tick("Start without PHQ-9, GAD-7").await;
    app.click_button("Record start").await;
    app.wait_for_text("//*[@role='alert']", "There were two 01:10s that night")
        .await;
    app.tick(FIRST_0110).await;
    app.click_button("Record start").await;
    app.wait_for_page_text("Running at 52.5 mL/h", harness::WAIT).await;
    app.wait_for_page_text("started without PHQ-9 and GAD-7", harness::WAIT)
        .await;

    // The screen's review raises the alert past the plan within its 30-second tick; the stop is due.
    app.wait_for_page_text("Infusion past its plan", Duration::from_secs(45))
        .await;
    app.wait_for_page_text("of 35 mg", harness::WAIT).await;
    app.wait_for_page_text("check the pump and chart the stop", harness::WAIT)
        .await;

    // A reading charted live now is at 01:5x EST, after the 01:00 EDT baseline.
    chart_vitals(&app, "130", "82", "76", "98", "14").await;
    let rows = app.texts(VITALS_ROWS).await;
    assert!(rows[0].starts_with("01:00 UTC−4"), "{rows:?}");
    assert!(rows[1].starts_with("01:5") && rows[1].contains("UTC−5"), "{rows:?}");
    display
        .screenshot_at_laptop_size(&app, &output_dir().join("e2e-dst-night.png"))
        .await;

    app.click_button("Stop infusion").await;
    app.click_button("Record stop").await;
    app.wait_for_page_text("Stopped after 10", harness::WAIT).await;
    app.click_button("Acknowledge").await;
    app.wait_for_page_text("acknowledged by Nina Park", harness::WAIT).await;
    app.quit().await;
}

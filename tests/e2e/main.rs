//! End to end: the real `infusion-chart` binary in a real window under Xvfb, driven through
//! tauri-driver and WebKitWebDriver as the clinic's staff would use it, including an auto-lock,
//! a quit and a relaunch.

mod harness;

use std::time::Duration;

use harness::{output_dir, App, Display};

const VITALS_ROWS: &str = "//table[caption[normalize-space()='Vitals flowsheet']]//tr[@data-vitals-id]";
const STATUS: &str = "//*[@role='status']";

async fn sign_in(app: &App, username: &str, password: &str) {
    app.type_into("Username", username).await;
    app.type_into("Password", password).await;
    app.click_button("Sign in").await;
}

/// First sign-in with a temporary password: the app asks for a new one before anything else.
async fn first_sign_in(app: &App, username: &str) {
    sign_in(app, username, &format!("temporary-{username}")).await;
    app.type_into("Current password", &format!("temporary-{username}"))
        .await;
    app.type_into("New password", &format!("{username}-password-1")).await;
    app.type_into("Confirm new password", &format!("{username}-password-1"))
        .await;
    app.click_button("Change password").await;
}

async fn add_user(app: &App, username: &str, name: &str, role: &str) {
    app.type_into("New user's username", username).await;
    app.type_into("New user's full name", name).await;
    app.type_into("Temporary password", &format!("temporary-{username}"))
        .await;
    app.tick(role).await;
    app.click_button("Add user").await;
    app.wait_for_text("//table", username).await;
}

async fn open_session(app: &App, mrn: &str) {
    app.click_link("Patients").await;
    app.type_into("Search patients", mrn).await;
    app.click_link("Nguyễn-O'Brien").await;
    app.click_link("Session ").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_set_up_chart_sign_co_sign_amend_lock_and_find_it_all_after_a_restart() {
    let display = Display::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&display, data.path()).await;

    // First run: the admin account, the recovery key shown once, staff, a short auto-lock.
    app.type_into("Username", "ada").await;
    app.type_into("Full name", "Ada Admin").await;
    app.type_into("Password", "ada-password-1").await;
    app.type_into("Confirm password", "ada-password-1").await;
    app.click_button("Create admin account").await;
    app.wait_for_page_text("Recovery key", harness::WAIT).await;
    display.screenshot(&output_dir().join("e2e-recovery-key.png"));
    app.click_button("I have stored the recovery key").await;
    add_user(&app, "nina", "Nina Park", "Nurse").await;
    add_user(&app, "omar", "Dr Omar Haddad", "Physician").await;
    app.type_into("Auto-lock after (minutes)", "1").await;
    app.click_button("Save settings").await;
    app.wait_for_text(STATUS, "aved").await;
    display.screenshot(&output_dir().join("e2e-admin.png"));
    app.click_button("Sign out").await;

    // The nurse: a patient whose name needs Unicode, today's session, vitals.
    first_sign_in(&app, "nina").await;
    app.type_into("Family name", "Nguyễn-O'Brien").await;
    app.type_into("Given names", "Zoë").await;
    app.pick("Date of birth", "1984-03-27").await;
    app.type_into("MRN", "E2E-001").await;
    app.type_into("Weight (kg)", "72.5").await;
    app.click_button("Add patient").await;
    app.wait_for_text(STATUS, "added").await;
    app.type_into("Search patients", "e2e-001").await;
    app.wait_for_text("//a", "Nguyễn-O'Brien").await;
    display.screenshot(&output_dir().join("e2e-patients.png"));
    app.click_link("Nguyễn-O'Brien").await;
    // The dose, with its arithmetic, from the protocol and today's weight in an explicit unit.
    app.wait_for_page_text("72.5 kg × 0.5 mg/kg = 36.3 mg", harness::WAIT)
        .await;
    display.screenshot(&output_dir().join("e2e-start-session.png"));
    app.click_button("Start today's session").await;
    app.wait_for_page_text("36.3 mg · 36.3 mL at 54.5 mL/h over 40 min", harness::WAIT)
        .await;

    // Enter in the last field commits the row: no Save button.
    app.type_into("Systolic BP (mmHg)", "128").await;
    app.type_into("Diastolic BP (mmHg)", "82").await;
    app.type_into("Heart rate (bpm)", "76").await;
    app.type_into("SpO2 (%)", "98").await;
    app.type_into("Respiratory rate (/min)", "14\u{E007}").await;
    app.wait_for_text(STATUS, "Vitals charted and saved").await;
    let row = app.wait_for_text(VITALS_ROWS, "128/82").await;
    assert!(
        row.contains("97") && row.contains("Nina Park"),
        "MAP computed by the core and the author shown: {row}"
    );

    // Baseline charted, the pump: started at the planned rate, then a rate change, each with its clinical and entry time.
    app.click_button("Start infusion").await;
    assert_eq!(app.value_of("Rate (mL/h)").await, "54.5", "the planned rate is offered");
    app.click_button("Record start").await;
    app.wait_for_page_text("Running at 54.5 mL/h", harness::WAIT).await;
    app.click_button("Change rate").await;
    app.type_into("Rate (mL/h)", "50").await;
    app.click_button("Record rate change").await;
    app.wait_for_page_text("Running at 50 mL/h", harness::WAIT).await;
    assert_eq!(
        app.count("//table[caption[normalize-space()='Infusion events']]//tr[@data-event-id]")
            .await,
        2
    );
    app.wait_for_page_text("Next vitals due at", harness::WAIT).await;
    app.type_into("Note", "Patient relaxed, eyes closed, music on.").await;
    app.click_button("Add note").await;
    app.wait_for_text(STATUS, "Note saved").await;

    // An impossible value is refused with the core's words, and nothing is added.
    app.type_into("Systolic BP (mmHg)", "130").await;
    app.type_into("Diastolic BP (mmHg)", "85").await;
    app.type_into("Heart rate (bpm)", "80").await;
    app.type_into("SpO2 (%)", "101").await;
    app.type_into("Respiratory rate (/min)", "14").await;
    app.click_button("Chart vitals").await;
    app.wait_for_text(
        "//*[@role='alert']",
        "SpO2 must be between 50 and 100%; 101 was entered.",
    )
    .await;
    assert_eq!(
        app.count(VITALS_ROWS).await,
        1,
        "the refused reading is not in the flowsheet"
    );
    display.screenshot(&output_dir().join("e2e-session.png"));

    // Half a row typed, then the nurse walks away: the screen locks by itself and shows no patient.
    app.type_into("SpO2 (%)", "97").await;
    app.wait_for_page_text("Screen locked", Duration::from_secs(100)).await;
    let locked = app.page_text().await;
    assert!(
        !locked.contains("Nguyễn") && !locked.contains("E2E-001") && !locked.contains("128/82"),
        "lock screen shows no patient data: {locked}"
    );
    display.screenshot(&output_dir().join("e2e-locked.png"));
    app.type_into("Password", "nina-password-1").await;
    app.click_button("Unlock").await;
    app.wait_for_text(VITALS_ROWS, "128/82").await;
    assert_eq!(
        app.value_of("SpO2 (%)").await,
        "97",
        "the half-typed row survived the lock"
    );
    assert_eq!(app.value_of("Systolic BP (mmHg)").await, "130");

    // A low SpO2 raises an alert the core records; it is acknowledged before signing.
    app.type_into("SpO2 (%)", "90\u{E007}").await;
    app.wait_for_page_text("Alerts: 1 to acknowledge", harness::WAIT).await;
    assert!(app.page_text().await.contains("is below 92%"));
    display.screenshot(&output_dir().join("e2e-alert.png"));
    app.click_button("Acknowledge").await;
    app.wait_for_page_text("acknowledged by Nina Park", harness::WAIT).await;
    app.click_button("Stop infusion").await;
    app.click_button("Record stop").await;
    app.wait_for_page_text("Stopped after", harness::WAIT).await;

    app.click_button("Sign session").await;
    app.click_button("Confirm signature").await;
    app.wait_for_page_text("Signed by Nina Park", harness::WAIT).await;
    app.click_button("Sign out").await;

    // The physician co-signs and adds an addendum.
    first_sign_in(&app, "omar").await;
    open_session(&app, "E2E").await;
    app.click_button("Co-sign session").await;
    app.click_button("Confirm co-signature").await;
    app.wait_for_page_text("Co-signed by Dr Omar Haddad", harness::WAIT)
        .await;
    app.type_into("Reason for addendum", "Late entry").await;
    app.type_into("Addendum", "Mild nausea at 10:50, resolved without medication.")
        .await;
    app.click_button("Add addendum").await;
    app.wait_for_page_text("Mild nausea at 10:50", harness::WAIT).await;
    display.screenshot(&output_dir().join("e2e-signed.png"));
    app.quit().await;

    // Relaunch on the same data: everything acknowledged is there.
    let app = App::launch(&display, data.path()).await;
    sign_in(&app, "nina", "nina-password-1").await;
    open_session(&app, "E2E").await;
    let row = app.wait_for_text(VITALS_ROWS, "128/82").await;
    assert!(row.contains("98"), "{row}");
    app.wait_for_text(VITALS_ROWS, "130/85").await;
    assert_eq!(app.count(VITALS_ROWS).await, 2);
    let page = app.page_text().await;
    for expected in [
        "Patient relaxed, eyes closed, music on.",
        "Stopped after",
        "acknowledged by Nina Park",
        "Signed by Nina Park",
        "Co-signed by Dr Omar Haddad",
        "Mild nausea at 10:50",
        "72.5 kg × 0.5 mg/kg = 36.3 mg",
    ] {
        assert!(page.contains(expected), "{expected} missing after restart");
    }
    display.screenshot(&output_dir().join("e2e-after-restart.png"));
    app.quit().await;
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
    assert_eq!(
        std::fs::read(&file).unwrap(),
        garbage,
        "the unreadable file is not modified"
    );
}

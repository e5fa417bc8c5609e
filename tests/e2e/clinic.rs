//! Two laptops of one clinic: two real app windows, each on its own chart, sharing one clinic
//! server (a real PostgreSQL). A reading charted in one window appears in the other's session
//! screen; both say in words that they share the record.

use std::path::Path;
use std::time::{Duration, Instant};

use infusion_chart::app::clinic::Nothing;
use infusion_chart::app::joining::ClinicJoin;
use infusion_chart::domain::users::Credentials;
use infusion_chart::storage::server::{add_laptop, init, ServerAddress};
use infusion_chart::Clinic;

use crate::cli::{chart_a_session, ADA, NINA};
use crate::harness::{self, output_dir, App, Display};
use crate::postgres::Postgres;
use crate::{sign_in, VITALS_ROWS};

fn creds(username: &str, password: &str) -> Credentials {
    Credentials {
        username: username.into(),
        password: password.into(),
    }
}

/// Enrols laptop `name` on the server; the address it joins with.
fn enrol(pg: &Postgres, owner: &ServerAddress, name: &str) -> String {
    let secret = format!("{name}-e2e-secret");
    add_laptop(owner, name, &secret).unwrap();
    format!("postgresql://{name}:{secret}@127.0.0.1:{}/clinic", pg.port)
}

/// The first laptop: set up, nina's session charted, joined with its history, all of it pushed.
fn first_laptop(data: &Path, url: String, ca_pem: &str) {
    let db = data.join("infusion-chart.db");
    let clinic = Clinic::open(&db).unwrap();
    clinic
        .setup(
            serde_json::from_value(serde_json::json!({
                "username": "ada", "display_name": "Ada Admin", "password": ADA, "password_confirm": ADA, "roles": []
            }))
            .unwrap(),
        )
        .unwrap();
    clinic.logout(Nothing {}).unwrap();
    drop(clinic);
    chart_a_session(data);
    let clinic = Clinic::open(&db).unwrap();
    clinic.login(creds("ada", ADA)).unwrap();
    clinic
        .join_clinic(ClinicJoin {
            url,
            ca_pem: ca_pem.into(),
        })
        .unwrap();
    let until = Instant::now() + Duration::from_secs(60);
    while clinic.sharing_state(Nothing {}).unwrap().waiting > 0 {
        assert!(
            Instant::now() < until,
            "the first laptop's history is pushed within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    clinic.logout(Nothing {}).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_charted_in_one_window_appears_in_the_other_laptops_window() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The core's calls to the server block: made off this test's async runtime, as the app makes them.
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let ca_pem = std::fs::read_to_string(pg.ca()).unwrap();
            let owner = ServerAddress {
                url: pg.url("clinic"),
                ca_pem: ca_pem.clone(),
            };
            init(&owner).unwrap();
            first_laptop(one.path(), enrol(&pg, &owner, "chair-1"), &ca_pem);
            Clinic::open(&two.path().join("infusion-chart.db"))
                .unwrap()
                .join_new_laptop(
                    &enrol(&pg, &owner, "chair-2"),
                    &ca_pem,
                    &creds("nina", NINA),
                    &mut |_, _| {},
                )
                .unwrap();
        });
    });

    let display = Display::start();
    let charting = App::launch(&display, one.path()).await;
    let watching = App::launch(&display, two.path()).await;
    for app in [&charting, &watching] {
        sign_in(app, "nina", NINA).await;
        app.wait_for_text("//*[@id='sharing']", "Shared with the clinic").await;
        // From the day list, as a nurse opens a chair's session (no typing to race a redraw).
        app.wait_for_text("//table", "Nguyễn-O'Brien").await;
        app.click_link("Nguyễn-O'Brien").await;
        app.wait_for_page_text("Vitals flowsheet", harness::WAIT).await;
    }
    watching
        .wait_for_page_text("This session is charted on laptop chair-1", harness::WAIT)
        .await;

    crate::chart_vitals(&charting, "131", "84", "77", "97", "15").await;
    let charted = Instant::now();
    watching.wait_for_text(VITALS_ROWS, "131/84").await;
    println!(
        "A reading charted on chair-1 appeared on chair-2's screen after {:?}",
        charted.elapsed()
    );
    // Side by side, the laptop that charts on the left, the one that follows on the right.
    charting.client.set_window_rect(0, 0, 700, 950).await.unwrap();
    watching.client.set_window_rect(700, 0, 700, 950).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    display.screenshot(&output_dir().join("e2e-clinic-two-laptops.png"));

    // The admin's view of the first laptop's place in the clinic.
    charting.client.set_window_rect(0, 0, 1400, 950).await.unwrap();
    charting.click_button("Sign out").await;
    sign_in(&charting, "ada", ADA).await;
    charting.click_link("Admin").await;
    charting.wait_for_text("//*[@id='server-facts']", "chair-1").await;
    let _ = charting
        .client
        .execute("document.getElementById('server-heading').scrollIntoView();", vec![])
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    display.screenshot(&output_dir().join("e2e-admin-clinic-server.png"));
    watching.quit().await;

    // A third computer's set-up screen offers joining the clinic instead of a new chart.
    let third = tempfile::tempdir().unwrap();
    let fresh = App::launch(&display, third.path()).await;
    fresh
        .wait_for_page_text("Or join your clinic's server", harness::WAIT)
        .await;
    let _ = fresh
        .client
        .execute("document.getElementById('join-heading').scrollIntoView();", vec![])
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    display.screenshot(&output_dir().join("e2e-setup-join.png"));
    fresh.quit().await;
    charting.quit().await;
}

//! The clinic server on a real PostgreSQL started by the tests (`postgres.rs`): its schema from
//! its own migrations, set up once and again without change, never written into a database that
//! is not its own, and reached only over TLS with the clinic's certificate.

mod postgres;
#[allow(dead_code)]
#[path = "../core/support.rs"]
mod support;
mod sync;

use infusion_chart::storage::server::{init, ServerAddress, ServerInit, SERVER_LATEST_VERSION, SERVER_MIGRATIONS};

use postgres::Postgres;

fn address(pg: &Postgres, db: &str) -> ServerAddress {
    ServerAddress {
        url: pg.url(db),
        ca_pem: std::fs::read_to_string(pg.ca()).unwrap(),
    }
}

#[test]
fn server_init_creates_the_schema_once_and_a_second_run_changes_nothing() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    let first = init(&address(&pg, "clinic")).unwrap();
    let names: Vec<String> = SERVER_MIGRATIONS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        first,
        ServerInit {
            applied: names,
            version: SERVER_LATEST_VERSION
        }
    );
    let again = init(&address(&pg, "clinic")).unwrap();
    assert_eq!(
        again,
        ServerInit {
            applied: vec![],
            version: SERVER_LATEST_VERSION
        }
    );
    assert_eq!(
        pg.psql("clinic", "SELECT count(*) FROM server_migrations"),
        SERVER_LATEST_VERSION.to_string()
    );
    assert_eq!(
        pg.psql("clinic", "SELECT application FROM server_info"),
        "infusion-chart"
    );
}

#[test]
fn two_inits_at_once_apply_each_migration_once() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    let at = address(&pg, "clinic");
    let results: Vec<ServerInit> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2).map(|_| scope.spawn(|| init(&at).unwrap())).collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let applied: usize = results.iter().map(|r| r.applied.len()).sum();
    assert_eq!(
        applied, SERVER_LATEST_VERSION,
        "each migration applied by one of the two: {results:?}"
    );
    assert_eq!(
        pg.psql("clinic", "SELECT count(*) FROM server_migrations"),
        SERVER_LATEST_VERSION.to_string()
    );
}

#[test]
fn a_database_that_is_not_empty_and_not_the_servers_is_refused_untouched() {
    let pg = Postgres::start();
    pg.create_database("billing");
    pg.psql(
        "billing",
        "CREATE TABLE invoices (id integer PRIMARY KEY); INSERT INTO invoices VALUES (7)",
    );
    let refused = init(&address(&pg, "billing")).unwrap_err();
    assert_eq!(refused.kind(), "server");
    assert!(
        refused
            .to_string()
            .contains("not empty and is not an Infusion Chart server: nothing was changed"),
        "{refused}"
    );
    assert_eq!(
        pg.psql(
            "billing",
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
        ),
        "invoices"
    );
    assert_eq!(pg.psql("billing", "SELECT id FROM invoices"), "7");
}

#[test]
fn an_edited_server_migration_is_refused_and_the_marker_is_never_changed() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    init(&address(&pg, "clinic")).unwrap();
    // The server's own marker cannot be changed or removed, even by the database's owner.
    for sql in ["UPDATE server_info SET created_at = now()", "DELETE FROM server_info"] {
        let refused = pg.try_psql("clinic", sql).unwrap_err();
        assert!(refused.contains("marker is never changed or removed"), "{refused}");
    }
    pg.psql(
        "clinic",
        "UPDATE server_migrations SET sha256 = 'edited' WHERE version = 1",
    );
    let refused = init(&address(&pg, "clinic")).unwrap_err();
    assert!(
        refused.to_string().contains("differs from the one in this program"),
        "{refused}"
    );
}

#[test]
fn the_server_is_reached_only_over_tls_with_the_clinics_certificate() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    let wrong_ca = ServerAddress {
        ca_pem: std::fs::read_to_string(pg.other_ca()).unwrap(),
        ..address(&pg, "clinic")
    };
    let refused = init(&wrong_ca).unwrap_err();
    assert_eq!(refused.kind(), "server");
    assert!(refused.to_string().to_lowercase().contains("certificate"), "{refused}");

    let plaintext = ServerAddress {
        url: format!("{}?sslmode=disable", pg.url("clinic")),
        ..address(&pg, "clinic")
    };
    assert_eq!(
        init(&plaintext).unwrap_err().to_string(),
        "The server address asks for no encryption (sslmode=disable); Infusion Chart always connects with TLS."
    );

    // The server itself lets no plaintext connection in: psql over TCP without TLS is turned away.
    let out = std::process::Command::new("psql")
        .arg(format!("{}?sslmode=disable", pg.url("clinic")))
        .args(["-Atc", "SELECT 1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no encryption"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing was set up by any of the refused attempts.
    assert_eq!(
        pg.psql("clinic", "SELECT to_regclass('public.server_migrations') IS NULL"),
        "t"
    );
}

#[test]
fn a_stopped_server_is_said_to_be_unreachable() {
    let pg = Postgres::start();
    pg.create_database("clinic");
    pg.stop_immediately();
    let refused = init(&address(&pg, "clinic")).unwrap_err();
    assert_eq!(refused.kind(), "server");
    assert!(
        refused.to_string().starts_with("The clinic server could not be used"),
        "{refused}"
    );
}

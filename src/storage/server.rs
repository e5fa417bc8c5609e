//! The clinic server: the one PostgreSQL database a clinic's laptops share, its schema from its own
//! numbered, checksummed migrations (`migrations/server/`, apart from the laptop's). Every
//! connection is TLS with the server's certificate checked against the clinic's CA; there is no
//! plaintext fallback. The core stays synchronous: each call runs on a small runtime of its own.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, Transaction};
use tokio_postgres_rustls::MakeRustlsConnect;

use serde_json::Value;

use super::migrations::{checksum, recorded, Recorded};
use crate::domain::sync::{Change, Pulled, PushAck};
use crate::error::{Error, Result};

include!(concat!(env!("OUT_DIR"), "/server_migrations.rs"));

/// The server schema version this program writes: the number of the last server migration.
pub const SERVER_LATEST_VERSION: usize = SERVER_MIGRATIONS.len();

/// How long a connection may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Taken for the length of each migration's transaction: two `server init`s at once apply each
/// migration once.
const MIGRATION_LOCK: i64 = 0x4943_4854_0001;

/// Where the clinic server is: a PostgreSQL address (`postgresql://user:password@host:port/db`)
/// and the clinic's CA certificate (PEM text) that the server's certificate must chain to.
#[derive(Debug, Clone)]
pub struct ServerAddress {
    pub url: String,
    pub ca_pem: String,
}

impl ServerAddress {
    /// The address with the CA certificate read from the file `ca`.
    pub fn with_ca_file(url: &str, ca: &Path) -> Result<ServerAddress> {
        let ca_pem = std::fs::read_to_string(ca).map_err(|e| {
            Error::Server(format!(
                "The clinic's CA certificate {} cannot be read ({e}).",
                ca.display()
            ))
        })?;
        Ok(ServerAddress {
            url: url.to_string(),
            ca_pem,
        })
    }
}

/// What `init` did: the migrations it applied (none when the server was up to date) and the
/// server's schema version after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInit {
    pub applied: Vec<String>,
    pub version: usize,
}

/// Creates or brings up to date the server schema in the (empty, or already Infusion Chart's)
/// database at `address`. Refuses, changing nothing, a database that is neither.
pub fn init(address: &ServerAddress) -> Result<ServerInit> {
    run(async {
        let mut client = connect(address).await?;
        migrate(&mut client).await
    })
}

/// Runs `work` to completion on a runtime of its own (the connection's task runs beside it).
fn run<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    runtime()?.block_on(work)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Server(format!("The connection to the clinic server could not be set up: {e}.")))
}

/// A TLS connection to the server; `sslmode=disable` in the address is refused rather than obeyed.
async fn connect(address: &ServerAddress) -> Result<Client> {
    let mut config: Config = address.url.parse().map_err(|e| {
        Error::Server(format!(
            "The server address is not a PostgreSQL address like postgresql://laptop@clinic-server:5432/infusion_chart ({e})."
        ))
    })?;
    if config.get_ssl_mode() == SslMode::Disable {
        return Err(Error::Server(
            "The server address asks for no encryption (sslmode=disable); Infusion Chart always connects with TLS."
                .into(),
        ));
    }
    config.ssl_mode(SslMode::Require);
    let tls = tls_to(&address.ca_pem)?;
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(tls))
        .await
        .map_err(|_| {
            Error::Server(format!(
                "The clinic server did not answer within {} s.",
                CONNECT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| unreachable_server(&e))?;
    tokio::spawn(connection);
    Ok(client)
}

/// The TLS settings: only the clinic's CA is trusted, and the certificate must name the host.
fn tls_to(ca_pem: &str) -> Result<MakeRustlsConnect> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::Server(format!(
            "The clinic's CA certificate cannot be read as a PEM certificate ({e})."
        ))
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots
            .add(cert.map_err(|e| unreadable(&e))?)
            .map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(unreadable(&"it holds no certificate"));
    }
    // ring, not aws-lc-rs: no second C crypto library to build beside SQLCipher's OpenSSL. rustls
    // 0.23.48 marks it deprecated for lacking post-quantum key exchange; TLS 1.3 with X25519 stands.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Server(format!("TLS could not be set up: {e}.")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// A failure to reach or talk to the server, with the reason PostgreSQL or TLS gave.
fn unreachable_server(e: &tokio_postgres::Error) -> Error {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    Error::Server(format!("The clinic server could not be used: {reason}."))
}

/// Applies the server migrations not yet applied, each in its own transaction under the lock.
async fn migrate(client: &mut Client) -> Result<ServerInit> {
    let mut applied = Vec::new();
    loop {
        let tx = client.transaction().await.map_err(|e| unreachable_server(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| unreachable_server(&e))?;
        let done = verify_applied(&tx).await?;
        let Some((name, sql)) = SERVER_MIGRATIONS.get(done) else {
            tx.commit().await.map_err(|e| unreachable_server(&e))?;
            return Ok(ServerInit { applied, version: done });
        };
        let version = i32::try_from(done + 1).expect("few migrations");
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS server_migrations (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 sha256     text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(|e| unreachable_server(&e))?;
        tx.batch_execute(sql).await.map_err(|e| unreachable_server(&e))?;
        tx.execute(
            "INSERT INTO server_migrations (version, name, sha256) VALUES ($1, $2, $3)",
            &[&version, name, &checksum(sql)],
        )
        .await
        .map_err(|e| unreachable_server(&e))?;
        tx.commit().await.map_err(|e| unreachable_server(&e))?;
        applied.push(name.to_string());
    }
}

/// How many server migrations the database holds, each checked against this program's; an empty
/// database holds none, and one with tables of another program's is refused.
async fn verify_applied(tx: &Transaction<'_>) -> Result<usize> {
    let query = |sql| async move { tx.query(sql, &[]).await.map_err(|e| unreachable_server(&e)) };
    let ours: bool = query("SELECT to_regclass('public.server_migrations') IS NOT NULL").await?[0].get(0);
    if !ours {
        let tables: i64 = query(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
        )
        .await?[0]
            .get(0);
        if tables > 0 {
            return Err(Error::Server(
                "The database at the server address is not empty and is not an Infusion Chart server: nothing was changed. Give it a new, empty database of its own."
                    .into(),
            ));
        }
        return Ok(0);
    }
    let rows = query("SELECT version, name, sha256 FROM server_migrations ORDER BY version").await?;
    for (position, row) in rows.iter().enumerate() {
        let (version, name, sha): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
        match recorded(SERVER_MIGRATIONS, position, version.into(), &name, &sha) {
            Recorded::Same => {}
            Recorded::Edited => {
                return Err(Error::Server(format!(
                    "The server's migration {name} differs from the one in this program (it was edited after it was applied). Install the matching version of Infusion Chart, or call support."
                )))
            }
            Recorded::Newer => {
                return Err(Error::Server(format!(
                    "The server was set up by a newer version of Infusion Chart (migration {name} is unknown here). Install the newer version on this laptop."
                )))
            }
        }
    }
    Ok(rows.len())
}

/// A laptop's connection to the server, kept open between the sync worker's rounds. It reaches the
/// records only through the sync functions: its role may run nothing else.
pub struct Link {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Link {
    pub fn connect(address: &ServerAddress) -> Result<Link> {
        let runtime = runtime()?;
        let client = runtime.block_on(connect(address))?;
        Ok(Link { runtime, client })
    }

    /// The connection broke (the server stopped, the network went): make a new one.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Sends `changes` (in order, numbered with no gap); changes the server already holds are
    /// skipped there, so a batch sent twice, or again after a lost reply, changes nothing.
    pub fn push(&self, changes: &[Change]) -> Result<PushAck> {
        let batch = serde_json::to_value(changes).expect("changes are plain JSON");
        let answer: Value = self.runtime.block_on(async {
            let row = self
                .client
                .query_one("SELECT sync_push($1)", &[&batch])
                .await
                .map_err(|e| refused(&e))?;
            Ok::<_, Error>(row.get(0))
        })?;
        let through = answer["through"].as_i64().unwrap_or(0);
        let acks = answer["acks"]
            .as_array()
            .map(|acks| {
                acks.iter()
                    .filter_map(|a| Some((a["seq"].as_i64()?, a["server_seq"].as_i64())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(PushAck { through, acks })
    }

    /// Where this laptop stands on the server: `{laptop, pushed_through, audit_through, newest}`.
    /// Refused for a laptop not enrolled, or revoked.
    pub fn where_we_stand(&self) -> Result<Value> {
        self.runtime.block_on(async {
            let row = self
                .client
                .query_one("SELECT sync_where()", &[])
                .await
                .map_err(|e| refused(&e))?;
            Ok(row.get(0))
        })
    }

    /// User `username`'s shared key slot (`{username, owner, wrapped, …}`), if the clinic has one.
    pub fn key_slot(&self, username: &str) -> Result<Option<Value>> {
        self.runtime.block_on(async {
            let row = self
                .client
                .query_one("SELECT sync_key_slot($1)", &[&username])
                .await
                .map_err(|e| refused(&e))?;
            Ok(row.get(0))
        })
    }

    /// Up to `limit` changes after server number `after`, in the server's order.
    pub fn pull(&self, after: i64, limit: i32) -> Result<Vec<Pulled>> {
        self.runtime.block_on(async {
            let rows = self
                .client
                .query(
                    "SELECT server_seq, laptop, table_name, uid, body FROM sync_pull($1, $2)",
                    &[&after, &limit],
                )
                .await
                .map_err(|e| refused(&e))?;
            Ok(rows
                .iter()
                .map(|r| Pulled {
                    server_seq: r.get(0),
                    laptop: r.get(1),
                    table: r.get(2),
                    uid: r.get(3),
                    row: r.get(4),
                })
                .collect())
        })
    }
}

/// The laptop an address signs in as: its user, which is the laptop's role on the server.
pub fn laptop_of(url: &str) -> Result<String> {
    let config: Config = url.parse().map_err(|e| {
        Error::Validation(format!(
            "Server address is not a PostgreSQL address like postgresql://chair-3:PASSWORD@clinic-server:5432/infusion_chart ({e})."
        ))
    })?;
    config.get_user().map(str::to_string).ok_or_else(|| {
        Error::Validation(
            "Server address names no laptop: put the laptop's name before the @ (postgresql://chair-3:PASSWORD@…)."
                .into(),
        )
    })
}

/// The address laptop `name` joins with: the server's host, port and database from the owner's
/// address, signing in as the laptop with its secret.
pub fn laptop_address(owner_url: &str, name: &str, secret: &str) -> Result<String> {
    let config: Config = owner_url
        .parse()
        .map_err(|e| Error::Validation(format!("Server address is not a PostgreSQL address ({e}).")))?;
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        _ => {
            return Err(Error::Validation(
                "Server address names no network host for laptops to reach.".into(),
            ))
        }
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(name);
    Ok(format!("postgresql://{name}:{secret}@{host}:{port}/{db}"))
}

/// `url` without its password, for showing.
pub(super) fn without_secret(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_and_secret = &url[scheme + 3..at];
            let user = user_and_secret.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// The server's own words when it refuses (a revoked laptop, a broken audit chain), else why it
/// could not be reached.
fn refused(e: &tokio_postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => Error::Server(format!("The clinic server refused: {}", db.message())),
        None => unreachable_server(e),
    }
}

/// Enrols laptop `name` (a new PostgreSQL role in the laptops' group, allowed only the sync
/// functions) with `password`; run with the server owner's address.
pub fn add_laptop(address: &ServerAddress, name: &str, password: &str) -> Result<()> {
    run(async {
        let mut client = connect(address).await?;
        let tx = client.transaction().await.map_err(|e| refused(&e))?;
        let exists: bool = tx
            .query_one("SELECT EXISTS (SELECT FROM laptops WHERE name = $1)", &[&name])
            .await
            .map_err(|e| refused(&e))?
            .get(0);
        if exists {
            return Err(Error::Conflict(format!(
                "A laptop named {name} is already enrolled with this server; choose another name."
            )));
        }
        // Role names and passwords cannot be bound as parameters; the name is checked by
        // `domain::sync::laptop_name` and quoted, the password made of hex digits.
        tx.batch_execute(&format!(
            "CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}' IN ROLE infusion_chart_laptop"
        ))
        .await
        .map_err(|e| refused(&e))?;
        tx.execute("INSERT INTO laptops (name) VALUES ($1)", &[&name])
            .await
            .map_err(|e| refused(&e))?;
        tx.commit().await.map_err(|e| refused(&e))
    })
}

/// Cuts laptop `name` off: its role can no longer sign in and its open connections are ended.
/// Nothing it sent is removed.
pub fn revoke_laptop(address: &ServerAddress, name: &str) -> Result<()> {
    run(async {
        let client = connect(address).await?;
        let revoked = client
            .execute(
                "UPDATE laptops SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
                &[&name],
            )
            .await
            .map_err(|e| refused(&e))?;
        if revoked != 1 {
            return Err(Error::NotFound(format!(
                "No enrolled laptop named {name} is active on this server."
            )));
        }
        client
            .batch_execute(&format!("ALTER ROLE \"{name}\" NOLOGIN"))
            .await
            .map_err(|e| refused(&e))?;
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
                &[&name],
            )
            .await
            .map_err(|e| refused(&e))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_shown_without_the_laptops_secret() {
        assert_eq!(
            without_secret("postgresql://chair-2:0a1b2c@clinic-server:5432/ic"),
            "postgresql://chair-2@clinic-server:5432/ic"
        );
        assert_eq!(
            without_secret("postgresql://clinic-server/ic"),
            "postgresql://clinic-server/ic"
        );
    }

    #[test]
    fn a_laptops_address_keeps_the_servers_host_port_and_database() {
        assert_eq!(
            laptop_address("postgresql://postgres:owner@10.0.0.5:5433/ic", "chair-3", "beef").unwrap(),
            "postgresql://chair-3:beef@10.0.0.5:5433/ic"
        );
        assert_eq!(laptop_of("postgresql://chair-3:beef@10.0.0.5/ic").unwrap(), "chair-3");
    }

    #[test]
    fn server_migrations_are_numbered_in_order_from_one() {
        for (i, (name, _)) in SERVER_MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of sequence");
        }
    }
}

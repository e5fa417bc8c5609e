//! The admin command line of the same `infusion-chart` binary: no window, so it works over SSH, from
//! cron or Task Scheduler, on a machine with no display. Each command signs in like the app (the
//! password from a prompt, `--password-file`, or `INFUSION_CHART_PASSWORD`), acts through `Clinic`,
//! and signs out. Exit codes: 0 done; 1 refused or failed, with one line on stderr; 2 a usage error.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};

use infusion_chart::app::backups::Restored;
use infusion_chart::app::clinic::{AppState, Nothing};
use infusion_chart::app::demo::DemoRequest;
use infusion_chart::app::joining::ClinicJoin;
use infusion_chart::domain::backups::BackupKind;
use infusion_chart::domain::sync::laptop_name;
use infusion_chart::domain::users::{Credentials, UserInput};
use infusion_chart::error::{Error, Result};
use infusion_chart::outside::backup::{self, Manifest};
use infusion_chart::outside::crypto::{random_hex, DataKey};
use infusion_chart::outside::export::{ExportRequest, Format};
use infusion_chart::outside::keyring::Keyring;
use infusion_chart::outside::paths;
use infusion_chart::outside::report::ReportRequest;
use infusion_chart::storage::server::{self, ServerAddress};
use infusion_chart::Clinic;

const PASSWORD_ENV: &str = "INFUSION_CHART_PASSWORD";

#[derive(Parser)]
#[command(
    name = "infusion-chart",
    version,
    about = "Infusion Chart. Without a command it opens the app's window; with one it runs it without a window.",
    after_help = "The chart lives in INFUSION_CHART_DATA_DIR, or the platform's app data folder.\nPasswords: a prompt, --password-file FILE, or INFUSION_CHART_PASSWORD."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Who signs in (an admin; a nurse or physician for `report`).
    #[arg(long, global = true, env = "INFUSION_CHART_USER")]
    user: Option<String>,
    /// Read the password from the first line of FILE instead of a prompt.
    #[arg(long, global = true, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Read the recovery key from FILE (verify or restore when no password opens the backup).
    #[arg(long, global = true, value_name = "FILE")]
    recovery_key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new chart database and its admin account; prints the recovery key once.
    Init {
        /// The admin's username.
        #[arg(long, value_name = "NAME")]
        admin: String,
        /// The admin's name as shown on screens and reports (default: the username).
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
    },
    /// Back up the database into DIR (checked, with its manifest and key slots).
    Backup {
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Check a backup file: manifest, size and SHA-256, key, integrity, application and schema.
    Verify { file: PathBuf },
    /// Replace the database with a backup (the current one is backed up first).
    Restore { file: PathBuf },
    /// Export every record as CSV files or a FHIR R4 JSON bundle into DIR.
    Export {
        #[arg(long, value_parser = ["csv", "fhir"])]
        format: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Write a session's PDF report to FILE.
    Report {
        session_id: i64,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The clinic server: the PostgreSQL database a clinic's laptops share.
    Server {
        #[command(subcommand)]
        action: ServerCommand,
    },
    /// This laptop and the clinic server: join it.
    Clinic {
        #[command(subcommand)]
        action: ClinicCommand,
    },
    /// Sharing with the clinic server.
    Sync {
        #[command(subcommand)]
        action: SyncCommand,
    },
    /// Fill an empty chart with a realistic, made-up clinic history (demonstrations, benchmarks).
    /// Refused when the chart already holds patients.
    DemoData {
        #[arg(long, default_value_t = 5_000)]
        patients: u32,
        #[arg(long, default_value_t = 50_000)]
        sessions: u32,
        /// The same seed (and --last-day) gives the same records.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The last day with sessions, YYYY-MM-DD (default: yesterday).
        #[arg(long, value_name = "DATE")]
        last_day: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum ServerCommand {
    /// Create the server's schema in an empty PostgreSQL database of its own, or bring it up to
    /// date; safe to run again. Refuses a database that holds another program's tables.
    Init {
        /// postgresql://USER:PASSWORD@HOST:PORT/DATABASE (always over TLS).
        #[arg(long, value_name = "URL", env = "INFUSION_CHART_SERVER_URL", hide_env_values = true)]
        url: String,
        /// The clinic's CA certificate (PEM) that the server's certificate must chain to.
        #[arg(long, value_name = "FILE")]
        ca: PathBuf,
    },
    /// Enrol a laptop: its own PostgreSQL role, allowed only the sync functions. Prints the
    /// address the laptop joins with (it holds the laptop's secret: hand it over in person).
    AddLaptop(LaptopOnServer),
    /// Cut a lost or retired laptop off at once; nothing it sent is removed.
    RevokeLaptop(LaptopOnServer),
}

/// A laptop on the clinic server, named by the server's owner.
#[derive(clap::Args)]
struct LaptopOnServer {
    /// The server owner's address (as for `server init`).
    #[arg(long, value_name = "URL", env = "INFUSION_CHART_SERVER_URL", hide_env_values = true)]
    url: String,
    /// The clinic's CA certificate (PEM) that the server's certificate must chain to.
    #[arg(long, value_name = "FILE")]
    ca: PathBuf,
    /// The laptop's name: lower-case letters, digits, - and _ (for example chair-3).
    #[arg(long, value_name = "NAME")]
    name: String,
}

#[derive(Subcommand)]
enum ClinicCommand {
    /// Join the clinic server with the address `server add-laptop` printed for this laptop. A
    /// laptop holding the clinic's history (the first) pushes it, signed in as an admin (--user);
    /// a new laptop with no chart takes the key with a user's password and pulls the record.
    Join {
        /// postgresql://LAPTOP:SECRET@HOST:PORT/DATABASE, as `server add-laptop` printed it.
        #[arg(long, value_name = "URL", env = "INFUSION_CHART_LAPTOP_URL", hide_env_values = true)]
        url: String,
        /// The clinic's CA certificate (PEM) that the server's certificate must chain to.
        #[arg(long, value_name = "FILE")]
        ca: PathBuf,
    },
}

#[derive(Subcommand)]
enum SyncCommand {
    /// How this laptop's sharing with the clinic server stands, in the words every screen shows.
    Status,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the whole audit trail.
    Verify,
}

/// Runs the command line if the first argument asks for it; None means: open the window.
pub fn run_if_asked(args: Vec<OsString>) -> Option<i32> {
    let first = args.get(1)?.to_string_lossy().into_owned();
    if !first.starts_with('-') && first != "help" && Cli::command().find_subcommand(&first).is_none() {
        return None;
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Some(if e.use_stderr() { 2 } else { 0 });
        }
    };
    Some(match run(cli) {
        Ok(report) => {
            println!("{report}");
            0
        }
        Err(e) => {
            eprintln!("infusion-chart: {}", e.to_string().replace('\n', " "));
            1
        }
    })
}

fn run(cli: Cli) -> Result<String> {
    let database = paths::database_path()?;
    let mut progress = Progress::default();
    match &cli.command {
        Command::Init { admin, name } => {
            let clinic = Clinic::open(&database)?;
            let password = password(&cli, admin)?;
            let done = clinic.setup(UserInput {
                username: Some(admin.clone()),
                display_name: Some(name.clone().unwrap_or_else(|| admin.clone())),
                password: Some(password.clone()),
                password_confirm: Some(password),
                roles: Vec::new(),
            })?;
            clinic.logout(Nothing {})?;
            Ok(format!(
                "Infusion Chart is set up at {} with admin {admin}.\nRecovery key (print it and lock it away; it is shown only this once):\n{}",
                database.display(),
                done.recovery_key
            ))
        }
        Command::Server {
            action: ServerCommand::Init { url, ca },
        } => {
            let done = server::init(&ServerAddress::with_ca_file(url, ca)?)?;
            Ok(if done.applied.is_empty() {
                format!(
                    "The clinic server is up to date (schema {}); nothing was changed.",
                    done.version
                )
            } else {
                format!(
                    "The clinic server is set up (schema {}): applied {}.",
                    done.version,
                    done.applied.join(", ")
                )
            })
        }
        Command::Server {
            action: ServerCommand::AddLaptop(LaptopOnServer { url, ca, name }),
        } => {
            let name = laptop_name(name)?;
            let secret = random_hex::<24>()?;
            let owner = ServerAddress::with_ca_file(url, ca)?;
            server::add_laptop(&owner, &name, &secret)?;
            Ok(format!(
                "Laptop {name} is enrolled. On it, run:\n  infusion-chart clinic join --ca CA-FILE --url '{}'\nThe address holds the laptop's secret: hand it over in person, not by e-mail.",
                server::laptop_address(url, &name, &secret)?
            ))
        }
        Command::Server {
            action: ServerCommand::RevokeLaptop(LaptopOnServer { url, ca, name }),
        } => {
            server::revoke_laptop(&ServerAddress::with_ca_file(url, ca)?, name)?;
            Ok(format!(
                "Laptop {name} is cut off from the clinic server; what it shared before is kept."
            ))
        }
        Command::Clinic {
            action: ClinicCommand::Join { url, ca },
        } => {
            let ca_pem = ServerAddress::with_ca_file(url, ca)?.ca_pem;
            let clinic = Clinic::open(&database)?;
            if clinic.app_status(Nothing {})?.state == AppState::Setup {
                let user = username(&cli)?;
                let credentials = Credentials {
                    password: password(&cli, &user)?,
                    username: user,
                };
                let joined = clinic.join_new_laptop(url, &ca_pem, &credentials, &mut |done, of| {
                    progress.line(&format!("Pulled the clinic's record up to change {done} of {of}"))
                })?;
                progress.end();
                return Ok(format!(
                    "This laptop joined the clinic as {}; every active user signs in here with their own password.",
                    joined.laptop.unwrap_or_default()
                ));
            }
            signed_in(&cli, &database, |clinic| {
                clinic.join_clinic(ClinicJoin {
                    url: url.clone(),
                    ca_pem: ca_pem.clone(),
                })?;
                let shared = wait_until_pushed(clinic, &mut progress)?;
                Ok(format!(
                    "This laptop joined the clinic and shared its history: {shared}"
                ))
            })
        }
        Command::Sync {
            action: SyncCommand::Status,
        } => signed_in(&cli, &database, |clinic| {
            let state = clinic.sharing_state(Nothing {})?;
            let mut lines = vec![state.words(chrono::Utc::now())];
            if let (Some(laptop), Some(url)) = (&state.laptop, &state.server_url) {
                lines.push(format!("Laptop {laptop} at {url}"));
                lines.push(format!("Changes waiting to be shared: {}", state.waiting));
                lines.push(format!("Pulled up to server change {}", state.pulled_through));
                if let Some(error) = &state.last_error {
                    lines.push(format!("Last problem: {error}"));
                }
            }
            Ok(lines.join("\n"))
        }),
        Command::Backup { to } => signed_in(&cli, &database, |clinic| {
            let made = clinic.backup_to(Some(to), BackupKind::CommandLine)?;
            Ok(format!(
                "Backed up to {} ({} bytes, SHA-256 {}); integrity check passed; {}.",
                made.record.path,
                made.manifest.bytes,
                made.manifest.sha256,
                counts(&made.manifest),
            ))
        }),
        Command::Verify { file } => {
            let (key, _) = key_for_backup(&cli, &Clinic::open(&database)?, file)?;
            let verified = backup::verify(file, Some(&key.sqlcipher_key()))?;
            let m = &verified.manifest;
            Ok(format!(
                "{} is a sound Infusion Chart backup: made {}, schema {}, {} bytes, SHA-256 matches, integrity check passed; {}.",
                verified.path,
                m.created_at,
                m.schema_version,
                m.bytes,
                counts(m),
            ))
        }
        Command::Restore { file } => {
            let clinic = Clinic::open(&database)?;
            let (key, username) = key_for_backup(&cli, &clinic, file)?;
            let Restored {
                restored_from,
                made_at,
                previous_kept_at,
            } = clinic.restore_with_key(Some(file), &key, &username)?;
            Ok(format!(
                "Restored {restored_from} (made {made_at}). The database it replaced is kept at {previous_kept_at}."
            ))
        }
        Command::Export { format, out } => signed_in(&cli, &database, |clinic| {
            let exported = clinic.export_records(ExportRequest {
                format: if format == "fhir" { Format::Fhir } else { Format::Csv },
                folder: out.display().to_string(),
            })?;
            let files: Vec<String> = exported
                .files
                .iter()
                .map(|f| format!("{} ({})", f.name, f.records))
                .collect();
            Ok(format!(
                "Exported {} records to {}: {}. The files are not encrypted.",
                exported.total,
                exported.folder,
                files.join(", ")
            ))
        }),
        Command::Audit {
            action: AuditCommand::Verify,
        } => signed_in(&cli, &database, |clinic| {
            let v = clinic.audit_verify(Nothing {})?;
            if v.intact {
                Ok(v.message)
            } else {
                Err(Error::Conflict(v.message))
            }
        }),
        Command::Report { session_id, out } => signed_in(&cli, &database, |clinic| {
            let printed = clinic.print_report(ReportRequest {
                session_id: Some(*session_id),
                patient_id: None,
                path: Some(absolute(out).display().to_string()),
            })?;
            Ok(format!(
                "Wrote report {} ({} pages, {} bytes) to {}.",
                printed.report_id, printed.pages, printed.bytes, printed.path
            ))
        }),
        Command::DemoData {
            patients,
            sessions,
            seed,
            last_day,
        } => signed_in(&cli, &database, |clinic| {
            let request = DemoRequest {
                patients: *patients,
                sessions: *sessions,
                seed: *seed,
                last_day: last_day.unwrap_or_else(|| clinic.today() - chrono::Duration::days(1)),
            };
            let started = std::time::Instant::now();
            let loaded = clinic.demo_data(request, |done, total| {
                eprint!("\rCharted {done} of {total} sessions");
            })?;
            eprintln!();
            let count = |table: &str| loaded.tables.get(table).copied().unwrap_or(0);
            let rows: Vec<String> = [
                "patients",
                "sessions",
                "vitals",
                "infusion_events",
                "side_effects",
                "interventions",
                "notes",
                "outcome_scores",
                "wastes",
                "signatures",
                "addenda",
                "audit_log",
            ]
            .iter()
            .map(|t| format!("{} {t}", count(t)))
            .collect();
            Ok(format!(
                "Demo data loaded in {:.0} s ({} to {}): {}. The database is {:.1} MB on disk; integrity check passed. Demo staff (reset a password in Admin > Users to sign in as them): {}.",
                started.elapsed().as_secs_f64(),
                loaded.first_day.map_or("-".into(), |d| d.to_string()),
                loaded.last_day,
                rows.join(", "),
                loaded.bytes as f64 / 1e6,
                loaded.staff.join(", ")
            ))
        }),
    }
}

/// Waits while the sharing worker pushes this laptop's changes, saying how many are left; stops
/// waiting (the app pushes the rest later) if the server stops answering.
fn wait_until_pushed(clinic: &Clinic, progress: &mut Progress) -> Result<String> {
    loop {
        let state = clinic.sharing_state(Nothing {})?;
        if state.waiting == 0 && state.last_shared_at.is_some() {
            progress.end();
            return Ok(state.words(chrono::Utc::now()));
        }
        if let Some(error) = state.last_error.filter(|_| state.unreachable_since.is_some()) {
            progress.end();
            return Err(Error::Server(format!(
                "{error} {} changes wait on this laptop and are shared when the app runs with the server answering.",
                state.waiting
            )));
        }
        progress.line(&format!(
            "Sharing this laptop's history: {} changes to go",
            state.waiting
        ));
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// Progress of a long job on stderr: one line rewritten on a terminal, plain lines (at most one
/// every 5 s) when the output goes to a log.
#[derive(Default)]
struct Progress {
    last: Option<std::time::Instant>,
    drawn: bool,
}

impl Progress {
    fn line(&mut self, text: &str) {
        if std::io::stderr().is_terminal() {
            eprint!("\r{text}\x1b[K");
            self.drawn = true;
        } else if self
            .last
            .is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(5))
        {
            eprintln!("{text}");
            self.last = Some(std::time::Instant::now());
        }
    }

    fn end(&mut self) {
        if std::mem::take(&mut self.drawn) {
            eprintln!();
        }
    }
}

/// Signs in as `--user`, runs `f`, and signs out whatever happened.
fn signed_in(cli: &Cli, database: &Path, f: impl FnOnce(&Clinic) -> Result<String>) -> Result<String> {
    let clinic = Clinic::open(database)?;
    let user = username(cli)?;
    clinic.login(Credentials {
        username: user.clone(),
        password: password(cli, &user)?,
    })?;
    let result = f(&clinic);
    let signed_out = clinic.logout(Nothing {});
    let report = result?;
    signed_out?;
    Ok(report)
}

/// The key that opens `file` and who is using it: the recovery key if given; else the password,
/// checked against this computer's key file, or (on a computer with no chart yet) the key slots
/// saved beside the backup.
fn key_for_backup(cli: &Cli, clinic: &Clinic, file: &Path) -> Result<(DataKey, String)> {
    let user = username(cli)?;
    if let Some(path) = &cli.recovery_key_file {
        return Ok((DataKey::from_recovery_code(&first_line(path)?)?, user));
    }
    let password = password(cli, &user)?;
    if clinic.app_status(Nothing {})?.state != AppState::Setup {
        return clinic.key_for(&Credentials {
            username: user,
            password,
        });
    }
    let slots = Keyring::load(&Keyring::path_beside(file))?.ok_or_else(|| {
        Error::NotFound(format!(
            "There is no key file beside {}; use --recovery-key-file.",
            file.display()
        ))
    })?;
    let key = slots.slot(&user).and_then(|slot| slot.open(&password).ok().flatten());
    let key = key.ok_or_else(|| {
        Error::Unauthenticated(format!("The password of {user} does not open this backup's key file."))
    })?;
    Ok((key, user))
}

/// What a backup holds, in words.
fn counts(manifest: &Manifest) -> String {
    let count = |table| manifest.tables.get(table).copied().unwrap_or(0);
    format!(
        "{} patients, {} sessions, {} vitals",
        count("patients"),
        count("sessions"),
        count("vitals")
    )
}

fn username(cli: &Cli) -> Result<String> {
    cli.user
        .clone()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| Error::InvalidRequest("Say who signs in: --user NAME or INFUSION_CHART_USER.".into()))
}

/// The password from --password-file, the environment, or a prompt on the terminal (not echoed).
fn password(cli: &Cli, user: &str) -> Result<String> {
    if let Some(path) = &cli.password_file {
        return first_line(path);
    }
    if let Some(password) = std::env::var_os(PASSWORD_ENV).filter(|p| !p.is_empty()) {
        return Ok(password.to_string_lossy().into_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::InvalidRequest(format!(
            "No password: use --password-file FILE or {PASSWORD_ENV}, or run in a terminal to be asked."
        )));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|e| Error::InvalidRequest(format!("The password could not be read ({e}).")))
}

fn first_line(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::NotFound(format!("{} cannot be read ({e}).", path.display())))?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

//! A real, throwaway PostgreSQL for the tests: Debian's binaries, `initdb` into a temp folder,
//! TLS on with a certificate of the test's own clinic CA, listening on a free loopback port, TLS
//! connections only. PostgreSQL refuses to run as root, so as root (CI) its tools run as
//! `postgres`, which owns the folder. Stopped with `-m immediate` when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

pub const SUPERUSER_PASSWORD: &str = "clinic-server-test-password";

pub struct Postgres {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::Builder::new().prefix("clinic-server-").tempdir().unwrap();
        let bin = bin_dir();
        let pg = Postgres {
            port: free_port(),
            bin,
            dir,
        };
        pg.make_certificates();
        std::fs::write(pg.path("password"), SUPERUSER_PASSWORD).unwrap();
        if running_as_root() {
            ok(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pg.dir.path()));
        }
        pg.as_owner(
            "initdb",
            &[
                "-D",
                &pg.data().display().to_string(),
                "-U",
                "postgres",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--pwfile",
                &pg.path("password").display().to_string(),
                "--no-sync",
            ],
        );
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nssl = on\n\
             ssl_cert_file = '{}'\nssl_key_file = '{}'\nfsync = off\n",
            pg.port,
            pg.dir.path().display(),
            pg.path("server.crt").display(),
            pg.path("server.key").display(),
        );
        append(&pg.data().join("postgresql.conf"), &conf);
        // TLS only: a plaintext connection over the network finds no line that lets it in.
        std::fs::write(
            pg.data().join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
        pg.run();
        pg
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn data(&self) -> PathBuf {
        self.path("data")
    }

    /// The clinic's CA certificate, which the server's certificate chains to.
    pub fn ca(&self) -> PathBuf {
        self.path("ca.crt")
    }

    /// The address of database `db` as the superuser, over TLS on loopback.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{}/{db}",
            self.port
        )
    }

    /// Runs `sql` in `db` through psql on the server's own socket; its output, one row a line.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.try_psql(db, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// `psql`, or what PostgreSQL said when it refused.
    pub fn try_psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .arg("-h")
            .arg(self.dir.path())
            .args(["-p", &self.port.to_string(), "-U", "postgres", "-d", db])
            .args(["-v", "ON_ERROR_STOP=1", "-Atc", sql])
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8(out.stdout).unwrap().trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// A new, empty database.
    pub fn create_database(&self, db: &str) {
        self.psql("postgres", &format!("CREATE DATABASE {db}"));
    }

    /// A CA and a certificate for 127.0.0.1 it signed, made with openssl into the server's folder;
    /// a second CA that signed nothing here stands for another clinic's.
    fn make_certificates(&self) {
        let dir = self.dir.path();
        let openssl = |args: &[&str]| ok(Command::new("openssl").current_dir(dir).args(args));
        for ca in ["ca", "other-ca"] {
            openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=Test clinic {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.crt"),
            ]);
        }
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        std::fs::write(dir.join("san.ext"), "subjectAltName = IP:127.0.0.1, DNS:localhost\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ]);
        std::fs::set_permissions(
            dir.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }

    /// Another clinic's CA: the server's certificate does not chain to it.
    pub fn other_ca(&self) -> PathBuf {
        self.path("other-ca.crt")
    }

    /// Stops the server at once, as a crash or a pulled plug would.
    pub fn stop_immediately(&self) {
        self.as_owner(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// Starts the server: at first, and again after `stop_immediately` (crash recovery runs first).
    pub fn run(&self) {
        self.as_owner(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-l",
                &self.path("server.log").display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    /// Runs one of PostgreSQL's tools as the folder's owner (`postgres` when the tests run as root).
    fn as_owner(&self, tool: &str, args: &[&str]) -> Output {
        ok(owner_command(&self.bin.join(tool)).args(args))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = owner_command(&self.bin.join("pg_ctl"))
            .args(["-D", &self.data().display().to_string(), "-m", "immediate", "stop"])
            .output();
    }
}

/// `program`, run as `postgres` when the tests run as root (PostgreSQL refuses root).
fn owner_command(program: &Path) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Debian's newest PostgreSQL (`/usr/lib/postgresql/N/bin`).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL from Debian's postgresql package (make test installs it)")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().expect("an installed PostgreSQL server")
}

fn running_as_root() -> bool {
    // The effective uid, from the process's own status (no unsafe call to geteuid).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(2).map(|uid| uid == "0"))
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn append(file: &Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Runs `command`, failing the test with its output if it fails.
fn ok(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

//! A throwaway PostgreSQL 15 for the tests and the load harness.
//!
//! `Server::start` initdb's a cluster in a temporary directory, starts it
//! on a free loopback port and answers its administrator URL; dropping the
//! server stops it and deletes the directory. As root, the cluster belongs
//! to the `postgres` user (the server refuses to run as root).
//!
//! When `AGENDO_TEST_POSTGRES_URL` is already set, that server is used and
//! nothing is started.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable the Postgres tests read.
pub(crate) const URL_VAR: &str = "AGENDO_TEST_POSTGRES_URL";

/// Where Debian's postgresql-15 puts the server binaries; `AGENDO_PG_BIN`
/// overrides it.
const DEFAULT_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running server, stopped when dropped.
pub(crate) struct Server {
    url: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    owner: Option<&'static str>,
}

impl Server {
    /// Starts a throwaway server, or uses the one `AGENDO_TEST_POSTGRES_URL`
    /// names.
    pub(crate) fn start() -> Result<Server, String> {
        if let Ok(url) = std::env::var(URL_VAR) {
            println!("xtask: postgres: using {URL_VAR}={url}");
            return Ok(Server { url, cluster: None });
        }
        let bin = bin_dir();
        if !bin.join("initdb").exists() {
            return Err(format!(
                "PostgreSQL 15 server binaries not found in {} (install the Debian package \
                 postgresql-15, as .ci/run does, or set AGENDO_PG_BIN or {URL_VAR}) / \
                 binários do PostgreSQL 15 não encontrados",
                bin.display()
            ));
        }
        let dir = std::env::temp_dir().join(format!("agendo-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let owner = running_as_root().then_some("postgres");
        if let Some(user) = owner {
            run(Command::new("chown").arg(user).arg(&dir), "chown")?;
        }
        let cluster = Cluster { bin, dir, owner };
        let port = free_port()?;
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                &path(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            path(&cluster.dir)
        );
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &path(&data),
                "-o",
                &options,
                "-l",
                &path(&cluster.dir.join("server.log")),
                "-w",
                "start",
            ],
        )?;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        println!("xtask: postgres: started PostgreSQL 15 at {url}");
        Ok(Server {
            url,
            cluster: Some(cluster),
        })
    }

    /// The administrator URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The directory of the server binaries (`pg_dump`, `pgbench`).
    pub(crate) fn bin(&self) -> PathBuf {
        match &self.cluster {
            Some(cluster) => cluster.bin.clone(),
            None => bin_dir(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(cluster) = &self.cluster {
            let data = path(&cluster.dir.join("data"));
            if let Err(e) = cluster.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]) {
                eprintln!("xtask: postgres: {e}");
            }
            let _ = std::fs::remove_dir_all(&cluster.dir);
            println!("xtask: postgres: stopped");
        }
    }
}

impl Cluster {
    /// Runs a server program as the cluster's owner.
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(program);
        let mut command = match self.owner {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        command.args(args).current_dir(&self.dir);
        run(&mut command, program)
    }
}

fn run(command: &mut Command, name: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {name}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn bin_dir() -> PathBuf {
    PathBuf::from(std::env::var("AGENDO_PG_BIN").unwrap_or(DEFAULT_BIN.into()))
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

//! aiosmtpd on a free loopback port (`tests/smtp/server.py`), run by the
//! Python `cargo xtask test` prepares (`AGENDO_TEST_PYTHON`): what it
//! accepts, read back.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// aiosmtpd on a free loopback port, writing what it accepts to a file.
pub struct Smtp {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Smtp {
    pub fn start() -> Smtp {
        let python = std::env::var("AGENDO_TEST_PYTHON").unwrap_or_else(|_| {
            panic!(
                "AGENDO_TEST_PYTHON is not set: run the tests with `cargo xtask test`, which \
                 prepares a Python with aiosmtpd"
            )
        });
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("mail.jsonl");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("aiosmtpd starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("aiosmtpd said {line:?}"));
        Smtp {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages accepted so far.
    pub fn mails(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits up to 20 s for `n` messages.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} e-mails did not arrive: {:?}", self.mails());
    }
}

impl Smtp {
    /// The messages accepted for `to`.
    pub fn mails_to(&self, to: &str) -> Vec<Value> {
        self.mails()
            .into_iter()
            .filter(|m| {
                m["to"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|a| a == to))
            })
            .collect()
    }

    /// Waits up to 20 s for `n` messages to `to`.
    pub async fn wait_for_to(&self, to: &str, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let mails = self.mails_to(to);
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} e-mails to {to} did not arrive: {:?}", self.mails());
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

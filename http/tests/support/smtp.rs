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
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Smtp {
    pub fn start() -> Smtp {
        Smtp::start_as(None)
    }

    /// aiosmtpd speaking TLS: `--starttls` (required before anything else)
    /// or `--tls` (from the first byte), with a certificate for
    /// `localhost` made here ([`Smtp::ca`] trusts it).
    pub fn start_tls(mode: &str) -> Smtp {
        Smtp::start_as(Some(mode))
    }

    /// The authority that signed the server's certificate, for
    /// `AGENDO_SMTP_CA_FILE`.
    pub fn ca(&self) -> PathBuf {
        self._dir.path().join("ca.pem")
    }

    fn start_as(mode: Option<&str>) -> Smtp {
        let python = std::env::var("AGENDO_TEST_PYTHON").unwrap_or_else(|_| {
            panic!(
                "AGENDO_TEST_PYTHON is not set: run the tests with `cargo xtask test`, which \
                 prepares a Python with aiosmtpd"
            )
        });
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("mail.jsonl");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let mut server = Command::new(python);
        server.arg(script).arg(&log);
        if let Some(mode) = mode {
            let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
            certificates(dir.path());
            server.arg(mode).arg(&cert).arg(&key);
        }
        let mut child = server
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

/// A test authority (`ca.pem`) and a certificate it signed for
/// `localhost` and 127.0.0.1 (`cert.pem`, `key.pem`) in `dir`, by openssl.
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let done = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl runs (.ci/run installs it)");
        assert!(done.success(), "openssl {args:?} failed");
    };
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=Agendo test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-out",
        "cert.pem",
        "-extfile",
        "server.ext",
    ]);
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The secret of the `page` link (`/{page}#token=…`) in the body of `mail`.
#[allow(dead_code)] // used by some of the test binaries that include this module
pub fn link_secret(mail: &serde_json::Value, page: &str) -> String {
    let body = mail["body"].as_str().unwrap();
    let start = body
        .find(&format!("/{page}#token="))
        .unwrap_or_else(|| panic!("no {page} link in {body}"))
        + page.len()
        + 8;
    body[start..].split_whitespace().next().unwrap().to_owned()
}

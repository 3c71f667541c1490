//! The Python side: a virtualenv under `target/`, the wheel built with
//! maturin, and the pytest suites run against it.
//!
//! The virtualenv gets maturin, pytest, the web examples' FastAPI and
//! Django, mypy (for `stubtest`), schemathesis, aiosmtpd (the SMTP server
//! the e-mail tests send to) and two iCalendar readers (icalendar,
//! vobject: the feed tests) from PyPI the first
//! time (and
//! again only when one is missing), so a fresh machine needs only
//! `python3` with its `venv` module (`.ci/run` installs them when missing).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run;

/// What the virtualenv needs, as pip names them: the build and test tools,
/// FastAPI with httpx for the web example's self-test, and schemathesis
/// for the server's API.
const TOOLS: &[&str] = &[
    "maturin>=1.9,<2",
    "pytest>=7",
    "fastapi>=0.110",
    "httpx>=0.27",
    "schemathesis>=4.3,<5",
    "mypy>=1.18,<2",
    "django>=4.2,<6",
    "aiosmtpd>=1.4,<2",
    "icalendar>=5,<8",
    "vobject>=0.9,<1",
    "playwright>=1.40,<2",
];

/// A virtualenv with maturin and pytest.
pub(crate) struct Venv {
    dir: PathBuf,
}

impl Venv {
    /// The project's virtualenv, made and filled when needed.
    pub(crate) fn ensure() -> Result<Venv, String> {
        let dir = run::target_dir().join("python");
        let venv = Venv { dir };
        if !venv.python().exists() {
            let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
            println!(
                "xtask: python: making a virtualenv in {}",
                venv.dir.display()
            );
            status(
                Command::new(&python).args(["-m", "venv"]).arg(&venv.dir),
                "python3 -m venv (install python3 and python3-venv)",
            )?;
        }
        let ready = Command::new(venv.python())
            .args([
                "-c",
                "import maturin, pytest, fastapi, httpx, schemathesis, mypy, django, aiosmtpd, icalendar, vobject, playwright",
            ])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ready {
            println!("xtask: python: installing {} from PyPI", TOOLS.join(", "));
            status(
                Command::new(venv.python())
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                    ])
                    .args(TOOLS),
                "pip install maturin pytest fastapi httpx schemathesis mypy django aiosmtpd icalendar vobject playwright",
            )?;
        }
        Ok(venv)
    }

    /// The virtualenv's interpreter.
    pub(crate) fn python(&self) -> PathBuf {
        self.dir.join("bin").join("python")
    }

    /// Runs the interpreter with `args` in the workspace root.
    pub(crate) fn run(
        &self,
        what: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<(), String> {
        println!("xtask: {what}: python {}", args.join(" "));
        status(
            Command::new(self.python())
                .current_dir(run::root())
                .envs(env.iter().copied())
                .args(args),
            what,
        )
    }

    /// Builds the `agendo` wheel (release when asked) and installs it in
    /// the virtualenv.
    pub(crate) fn install_wheel(&self, release: bool) -> Result<(), String> {
        let out = run::target_dir().join("wheels").join("agendo");
        let _ = std::fs::remove_dir_all(&out);
        let mut maturin = Command::new(self.dir.join("bin").join("maturin"));
        maturin
            .current_dir(run::root())
            .args(["build", "--quiet", "-m", "bindings/python/Cargo.toml", "-i"])
            .arg(self.python())
            .arg("-o")
            .arg(&out);
        if release {
            maturin.arg("--release");
        }
        println!("xtask: python: building the agendo wheel");
        status(&mut maturin, "maturin build")?;
        let wheel = only_wheel(&out)?;
        status(
            Command::new(self.python())
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--force-reinstall",
                    "--no-deps",
                ])
                .arg(&wheel),
            "pip install the wheel",
        )
    }
}

fn only_wheel(dir: &Path) -> Result<PathBuf, String> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| format!("maturin made no wheel in {}", dir.display()))
}

fn status(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

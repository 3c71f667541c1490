//! Agendo's task runner: one way to run everything beyond plain cargo, so CI
//! and people run the same steps.
//!
//! Run with:
//!   cargo xtask test                 format, lint and every test
//!   cargo xtask fuzz [--seconds N]   each fuzz target for N seconds (default 60)
//!   cargo xtask load [FLAGS]         the store load harness, SQLite and Postgres
//!   cargo xtask http-load [FLAGS]    the HTTP server's load harness, SQLite and Postgres
//!   cargo xtask message-load [FLAGS] the worker's harness (messages, webhooks, SIGKILLs)
//!   cargo xtask bindings [--out DIR] Kotlin and Swift sources of agendo-ffi
//!   cargo xtask py-bench [--seconds N] find_slots on W1 through Python and in Rust

mod bindings;
mod contract;
mod fuzz;
mod postgres;
mod python;
mod run;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>
  test                 cargo fmt --check, clippy -D warnings, every test (SQLite and a throwaway
                       PostgreSQL 15 included), the slots example's contract
  fuzz [--seconds N]   run each fuzz target for N seconds (default 60); needs cargo-fuzz
  load [FLAGS]         the store load harness on SQLite and on a throwaway PostgreSQL 15
                       (FLAGS go to store-load: --tasks 64 --seconds 10 --professionals 50)
  http-load [FLAGS]    the server's load harness (64 connections: availability reads, then
                       contended bookings) on SQLite and on a throwaway PostgreSQL 15
                       (FLAGS go to http-load: --connections 64 --seconds 10)
  message-load [FLAGS] the worker's harness: messages and webhook deliveries through aiosmtpd
                       and a loopback receiver with several workers, on a throwaway PostgreSQL 15
                       and a SQLite file (FLAGS go to message-load: --messages 1000 --workers 4
                       --kill --latency 100)
  bindings [--out DIR] build agendo-ffi (release) and write its Kotlin and Swift sources
                       (default bindings/uniffi/generated)
  py-bench [--seconds N]
                       find_slots on W1 through Python (release wheel) and in Rust, per call

uso: cargo xtask <tarefa>
  test                 formatação, clippy, todos os testes (SQLite e um PostgreSQL 15 temporário
                       incluídos) e o contrato do exemplo slots
  fuzz [--seconds N]   roda cada alvo de fuzzing por N segundos (padrão 60); requer cargo-fuzz
  load [FLAGS]         o teste de carga dos armazenamentos no SQLite e num PostgreSQL 15 temporário
  http-load [FLAGS]    o teste de carga do servidor HTTP no SQLite e num PostgreSQL 15 temporário
  message-load [FLAGS] o teste do worker: mensagens e webhooks com vários workers, no PostgreSQL e
                       no SQLite (--kill mata workers com SIGKILL a cada meio segundo)
  bindings [--out DIR] compila agendo-ffi (release) e gera os fontes Kotlin e Swift
                       (padrão bindings/uniffi/generated)
  py-bench [--seconds N]
                       find_slots no W1 pelo Python (wheel release) e em Rust, por chamada";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") if args.len() == 1 => test(),
        Some("fuzz") => fuzz::seconds(&args[1..]).and_then(fuzz::run),
        Some("load") => load(&args[1..]),
        Some("http-load") => http_load(&args[1..]),
        Some("message-load") => message_load(&args[1..]),
        Some("bindings") => bindings::kotlin_and_swift(&args[1..]),
        Some("py-bench") => py_bench(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the store load harness against a temporary SQLite file and a
/// throwaway PostgreSQL 15, printing its figures.
fn load(flags: &[String]) -> Result<(), String> {
    run::step(
        "build store-load",
        &[
            "build",
            "--release",
            "-p",
            "agendo-benches",
            "--bin",
            "store-load",
        ],
    )?;
    let exe = run::target_dir().join("release/store-load");
    let harness = |database: &[&str]| -> Result<(), String> {
        let status = std::process::Command::new(&exe)
            .args(database)
            .args(flags)
            .status()
            .map_err(|e| format!("cannot run store-load: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("store-load {} failed ({status})", database[0]))
        }
    };
    harness(&["sqlite"])?;
    let server = postgres::Server::start()?;
    harness(&["postgres", "--url", server.url()])
}

/// Runs the HTTP load harness against the release server over a temporary
/// SQLite file, then over a throwaway PostgreSQL 15.
fn http_load(flags: &[String]) -> Result<(), String> {
    run::step(
        "build the server",
        &["build", "--release", "-p", "agendo-http", "--bin", "agendo"],
    )?;
    run::step(
        "build http-load",
        &[
            "build",
            "--release",
            "-p",
            "agendo-benches",
            "--bin",
            "http-load",
        ],
    )?;
    let exe = run::target_dir().join("release/http-load");
    let server = run::target_dir().join("release/agendo");
    let harness = |database: &[&str]| -> Result<(), String> {
        let status = std::process::Command::new(&exe)
            .arg("--server")
            .arg(&server)
            .args(database)
            .args(flags)
            .status()
            .map_err(|e| format!("cannot run http-load: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("http-load failed ({status})"))
        }
    };
    harness(&[])?;
    let postgres = postgres::Server::start()?;
    harness(&["--database-url", postgres.url()])
}

/// Runs the worker's harness (`benches/src/bin/message-load.rs`) with the
/// release server, the project's Python (aiosmtpd) and a throwaway
/// PostgreSQL 15, then a SQLite file.
fn message_load(flags: &[String]) -> Result<(), String> {
    run::step(
        "build the server and message-load",
        &[
            "build",
            "--release",
            "-p",
            "agendo-http",
            "--bin",
            "agendo",
            "-p",
            "agendo-benches",
            "--bin",
            "message-load",
        ],
    )?;
    let venv = python::Venv::ensure()?;
    let python = venv.python().to_string_lossy().into_owned();
    let release = run::target_dir().join("release");
    let server = release.join("agendo").to_string_lossy().into_owned();
    let harness = |database: &str| -> Result<(), String> {
        let status = std::process::Command::new(release.join("message-load"))
            .args([
                "--server",
                &server,
                "--python",
                &python,
                "--database-url",
                database,
            ])
            .args(flags)
            .status()
            .map_err(|e| format!("cannot run message-load: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("message-load failed ({status})"))
        }
    };
    let postgres = postgres::Server::start()?;
    println!("xtask: message-load on PostgreSQL");
    harness(postgres.url())?;
    drop(postgres);
    let scratch = tempfile_dir("message-load")?;
    println!("xtask: message-load on SQLite");
    let outcome = harness(&format!("sqlite:{}", scratch.join("load.db").display()));
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}

/// Times `find_slots` on W1 in Rust (`slots-bench`) and through Python
/// (the release wheel), and prints the overhead against the floor of
/// 2 × Rust + 50 µs.
fn py_bench(flags: &[String]) -> Result<(), String> {
    let seconds = match flags {
        [] => "6".to_owned(),
        [flag, n] if flag == "--seconds" && n.parse::<f64>().is_ok() => n.clone(),
        _ => return Err("usage: cargo xtask py-bench [--seconds N]".to_owned()),
    };
    run::step(
        "build the workload tools",
        &[
            "build",
            "--release",
            "-p",
            "agendo-benches",
            "--bin",
            "workload",
            "--bin",
            "slots-bench",
        ],
    )?;
    let venv = python::Venv::ensure()?;
    venv.install_wheel(true)?;
    let release = run::target_dir().join("release");
    let w1 = run::target_dir().join("w1.json");
    let query = std::process::Command::new(release.join("workload"))
        .arg("w1")
        .output()
        .map_err(|e| format!("cannot run workload: {e}"))?;
    std::fs::write(&w1, &query.stdout).map_err(|e| format!("{}: {e}", w1.display()))?;
    let path = w1.to_string_lossy().into_owned();
    let rust = std::process::Command::new(release.join("slots-bench"))
        .args([path.as_str(), "--seconds", seconds.as_str()])
        .output()
        .map_err(|e| format!("cannot run slots-bench: {e}"))?;
    let rust_text = String::from_utf8_lossy(&rust.stdout).into_owned();
    print!("{rust_text}");
    let python = std::process::Command::new(venv.python())
        .current_dir(run::root())
        .args([
            "benches/python/find_slots.py",
            path.as_str(),
            "--seconds",
            seconds.as_str(),
        ])
        .output()
        .map_err(|e| format!("cannot run the Python benchmark: {e}"))?;
    let python_text = String::from_utf8_lossy(&python.stdout).into_owned();
    print!("{python_text}");
    if !rust.status.success() || !python.status.success() {
        return Err(format!(
            "the benchmark failed: {}{}",
            String::from_utf8_lossy(&rust.stderr),
            String::from_utf8_lossy(&python.stderr)
        ));
    }
    let rust_us = median(&rust_text, "read JSON + validate + search")?;
    for what in ["find_slots(JSON text)", "find_slots(dict)"] {
        let python_us = median(&python_text, &format!("python {what}"))?;
        let floor = 2.0 * rust_us + 50.0;
        println!(
            "overhead of {what}: {:.1} µs ({:.2}× Rust); floor 2 × {rust_us:.1} + 50 = {floor:.1} µs: {}",
            python_us - rust_us,
            python_us / rust_us,
            if python_us < floor { "met" } else { "NOT met" }
        );
    }
    Ok(())
}

/// The median in µs of the line of `output` that starts with `what`.
fn median(output: &str, what: &str) -> Result<f64, String> {
    output
        .lines()
        .find(|line| line.starts_with(what))
        .and_then(|line| line.split("median ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no median for {what:?} in:\n{output}"))
}

/// Builds the Python wheel into a virtualenv and runs its pytest suite
/// (over SQLite and the Postgres in `env`), mypy's stubtest over the
/// stubs, the Python quickstart, the FastAPI and Django examples, and the
/// uniffi tests through the generated Python module.
fn python_tests(env: &[(&str, &str)]) -> Result<(), String> {
    let venv = python::Venv::ensure()?;
    venv.install_wheel(false)?;
    venv.run(
        "python tests",
        &[
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "bindings/python/tests",
        ],
        env,
    )?;
    // The stubs (`agendo.pyi`) against the module built: every name,
    // signature and default as the module has it.
    venv.run(
        "python stubs",
        &[
            "-m",
            "mypy.stubtest",
            "agendo",
            "--allowlist",
            "bindings/python/stubtest-allowlist.txt",
        ],
        env,
    )?;
    let scratch = tempfile_dir("quickstart")?;
    let db = scratch.join("salon.db");
    venv.run(
        "python quickstart",
        &["examples/python/quickstart.py", &db.to_string_lossy()],
        env,
    )?;
    let _ = std::fs::remove_dir_all(&scratch);
    venv.run(
        "python web example",
        &["examples/python/fastapi_app.py", "--check"],
        env,
    )?;
    // The Django example through Django's test client, over a fresh file.
    let scratch = tempfile_dir("django")?;
    let db = scratch.join("salon.db").to_string_lossy().into_owned();
    let mut django_env = env.to_vec();
    django_env.push(("AGENDO_DB", &db));
    venv.run(
        "python django example",
        &["examples/python/django_salon/manage.py", "test", "agenda"],
        &django_env,
    )?;
    let _ = std::fs::remove_dir_all(&scratch);
    bindings::python_tests(&venv, env)
}

/// Schemathesis over the server's `/openapi.json`, signed in as an owner,
/// on a SQLite file and on a fresh database of the test Postgres: no 5xx,
/// and every status, content type and body as documented
/// (`http/tests/schemathesis/run.py`).
fn schemathesis(postgres: &str, env: &[(&str, &str)]) -> Result<(), String> {
    run::step(
        "build the server",
        &["build", "-p", "agendo-http", "--bin", "agendo"],
    )?;
    let server = run::target_dir().join("debug/agendo");
    let server = server.to_string_lossy();
    let venv = python::Venv::ensure()?;
    let script = "http/tests/schemathesis/run.py";
    venv.run("schemathesis (SQLite)", &[script, "--server", &server], env)?;
    venv.run(
        "schemathesis (Postgres)",
        &[script, "--server", &server, "--postgres", postgres],
        env,
    )
}

/// The axe-core release the browser test injects (npm `axe-core`).
const AXE_CORE: &str = "axe-core@4.14.1";

/// The pages end to end in headless Chromium (Debian's `chromium`, or
/// `AGENDO_CHROMIUM`), driven by Playwright for Python, with axe-core from
/// npm injected into every page, on a SQLite file and on a fresh database
/// of the test Postgres (`http/tests/browser/run.py`). Playwright's own
/// browser download is never used. Screenshots go to
/// `target/browser/screenshots/`.
fn browser(postgres: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let chromium =
        std::env::var("AGENDO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !std::path::Path::new(&chromium).exists() {
        return Err(format!(
            "browser: {chromium} is missing: install Debian's chromium (apt-get install chromium), \
             or set AGENDO_CHROMIUM"
        ));
    }
    let dir = run::target_dir().join("browser");
    let axe = dir.join("node_modules/axe-core/axe.min.js");
    if !axe.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        println!("xtask: browser: installing {AXE_CORE} from npm");
        let status = std::process::Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(AXE_CORE)
            .status()
            .map_err(|e| format!("npm (install nodejs and npm): {e}"))?;
        if !status.success() {
            return Err(format!("npm install {AXE_CORE} failed: {status}"));
        }
    }
    run::step(
        "build the server",
        &["build", "-p", "agendo-http", "--bin", "agendo"],
    )?;
    let server = run::target_dir().join("debug/agendo");
    let server = server.to_string_lossy();
    let axe = axe.to_string_lossy();
    let venv = python::Venv::ensure()?;
    let script = "http/tests/browser/run.py";
    let base = [script, "--server", &server, "--axe", &axe];
    venv.run("browser (SQLite)", &base, env)?;
    let mut with_postgres = base.to_vec();
    with_postgres.extend(["--postgres", postgres]);
    venv.run("browser (Postgres)", &with_postgres, env)
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir(name: &str) -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("agendo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn test() -> Result<(), String> {
    run::step("format", &["fmt", "--all", "--check"])?;
    run::step(
        "format (fuzz targets)",
        &["fmt", "--manifest-path", "fuzz/Cargo.toml", "--check"],
    )?;
    run::step(
        "lint",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // The Postgres store's tests need a server: a throwaway one, stopped
    // when `server` drops, whatever happens to the tests.
    let server = postgres::Server::start()?;
    // The backup tests run pg_dump and pg_restore from the same install.
    let bin = server.bin().to_string_lossy().into_owned();
    // The e-mail tests start aiosmtpd with the project's Python.
    let venv = python::Venv::ensure()?;
    let python = venv.python().to_string_lossy().into_owned();
    let env = [
        (postgres::URL_VAR, server.url()),
        ("AGENDO_PG_BIN", &bin),
        ("AGENDO_TEST_PYTHON", &python),
    ];
    // `--all-targets` runs unit, integration and example tests and each
    // criterion benchmark once; doctests need their own run.
    run::step_with("tests", &["test", "--workspace", "--all-targets"], &env)?;
    run::step_with("doctests", &["test", "--workspace", "--doc"], &env)?;
    python_tests(&env)?;
    schemathesis(server.url(), &env)?;
    browser(server.url(), &env)?;
    drop(server);
    contract::check()?;
    println!("xtask: all checks passed");
    Ok(())
}

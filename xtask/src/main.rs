//! Agendo's task runner: one way to run everything beyond plain cargo, so CI
//! and people run the same steps.
//!
//! Run with:
//!   cargo xtask test                 format, lint and every test
//!   cargo xtask fuzz [--seconds N]   each fuzz target for N seconds (default 60)

mod contract;
mod fuzz;
mod postgres;
mod run;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>
  test                 cargo fmt --check, clippy -D warnings, every test (SQLite and a throwaway
                       PostgreSQL 15 included), the slots example's contract
  fuzz [--seconds N]   run each fuzz target for N seconds (default 60); needs cargo-fuzz

uso: cargo xtask <tarefa>
  test                 formatação, clippy, todos os testes (SQLite e um PostgreSQL 15 temporário
                       incluídos) e o contrato do exemplo slots
  fuzz [--seconds N]   roda cada alvo de fuzzing por N segundos (padrão 60); requer cargo-fuzz";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") if args.len() == 1 => test(),
        Some("fuzz") => fuzz::seconds(&args[1..]).and_then(fuzz::run),
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
    let env = [(postgres::URL_VAR, server.url()), ("AGENDO_PG_BIN", &bin)];
    // `--all-targets` runs unit, integration and example tests and each
    // criterion benchmark once; doctests need their own run.
    run::step_with("tests", &["test", "--workspace", "--all-targets"], &env)?;
    run::step_with("doctests", &["test", "--workspace", "--doc"], &env)?;
    drop(server);
    contract::check()?;
    println!("xtask: all checks passed");
    Ok(())
}

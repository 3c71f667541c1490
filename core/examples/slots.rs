//! Answers one slot query from standard input.
//!
//! Run with:
//!   cargo run -q --release -p agendo-core --example slots < request.json
//!   cargo run -q --release -p agendo-core --example slots -- --explain 2026-03-02T12:00:00Z < request.json
//!
//! The query is the engine's JSON contract (see `SlotQuery`); the answer is
//! printed as JSON on standard output. With `--explain INSTANT` it prints why
//! that start is or is not offered. Bad input prints a message naming the
//! field to standard error, in Portuguese when `LANG` (or `LC_ALL`,
//! `LC_MESSAGES`) asks for it, and exits with status 2.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use agendo_core::availability::SlotSearch;
use agendo_core::{Error, Lang};
use chrono::{DateTime, Utc};

/// What the command was asked to do.
enum Command {
    Answer,
    Explain(DateTime<Utc>),
}

fn main() -> ExitCode {
    let lang = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .map_or(Lang::En, |tag| Lang::from_tag(&tag));
    match run(lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(lang: Lang) -> Result<(), String> {
    let command = parse_args(std::env::args().skip(1), lang)?;
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).map_err(|err| {
        lang.pick(
            "cannot read standard input: ",
            "não foi possível ler a entrada padrão: ",
        )
        .to_owned()
            + &err.to_string()
    })?;
    let describe = |err: Error| err.message(lang);
    let search = SlotSearch::from_json(&input).map_err(describe)?;
    let json = match command {
        Command::Answer => search.find_slots().to_json(),
        Command::Explain(start) => {
            serde_json::to_string(&search.explain(start)).map_err(|err| err.to_string())?
        }
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{json}").map_err(|err| err.to_string())
}

fn parse_args(mut args: impl Iterator<Item = String>, lang: Lang) -> Result<Command, String> {
    let usage = lang.pick(
        "usage: slots [--explain INSTANT] < query.json",
        "uso: slots [--explain INSTANTE] < consulta.json",
    );
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(Command::Answer),
        (Some("--explain"), Some(instant), None) => DateTime::parse_from_rfc3339(&instant)
            .map(|t| Command::Explain(t.with_timezone(&Utc)))
            .map_err(|_| {
                format!(
                    "--explain: \"{instant}\" {}",
                    lang.pick(
                        "is not an RFC 3339 instant with an offset, such as 2026-03-02T12:00:00Z",
                        "não é um instante RFC 3339 com deslocamento, como 2026-03-02T12:00:00Z",
                    )
                )
            }),
        _ => Err(usage.to_owned()),
    }
}

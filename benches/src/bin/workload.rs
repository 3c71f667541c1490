//! Prints a fixed workload as a query in the engine's JSON contract.
//!
//! Run with: cargo run -p agendo-benches --bin workload -- w1 > w1.json

use std::process::ExitCode;

use agendo_benches::Workload;

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(workload) = Workload::parse(&name) else {
        eprintln!("usage: workload w1|w2 (uso: workload w1|w2)");
        return ExitCode::from(2);
    };
    match serde_json::to_string_pretty(&workload.query()) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

//! Checks the `slots` example from the outside, as a user runs it: the
//! contract's answer exactly, the explanation, and every kind of bad input
//! refused with exit status 2 and a message naming the field, never a panic.
//! Then the benchmark tools on a real workload.

use serde_json::Value;

use crate::run;

const EXAMPLE: &[&str] = &["run", "--quiet", "-p", "agendo-core", "--example", "slots"];

/// Bad inputs made from the contract's request, each with the field its
/// message must name.
const REFUSALS: &[(&str, &str, &str, &str)] = &[
    // (what, replace this, with this, the message names). Broken JSON is
    // named where the reader stopped: here, inside the `staff` list.
    (
        "malformed JSON",
        "\"capacity\": 1 } ] }",
        "\"capacity\": 1 }",
        "staff",
    ),
    (
        "unknown zone",
        "America/Sao_Paulo",
        "Mars/Olympus_Mons",
        "timezone",
    ),
    (
        "to before from",
        "\"to\": \"2026-05-30\"",
        "\"to\": \"2026-03-01\"",
        "to",
    ),
    (
        "reversed window",
        "[\"13:00\",\"18:00\"]",
        "[\"18:00\",\"13:00\"]",
        "staff[0].weekly.mon[1]",
    ),
    (
        "25:00",
        "[\"09:00\",\"12:00\"]",
        "[\"09:00\",\"25:00\"]",
        "staff[0].weekly.mon[0][1]",
    ),
    (
        "over 400 days",
        "\"to\": \"2026-05-30\"",
        "\"to\": \"2027-05-30\"",
        "to",
    ),
    (
        "negative minutes",
        "\"buffer_after_minutes\": 0",
        "\"buffer_after_minutes\": -5",
        "buffer_after_minutes",
    ),
    (
        "negative duration",
        "\"duration_minutes\": 30",
        "\"duration_minutes\": -30",
        "duration_minutes",
    ),
    (
        "bad instant",
        "2026-03-04T12:30:00Z",
        "2026-03-04 half past noon",
        "staff[0].bookings[0].end",
    ),
    (
        "unknown field",
        "\"daily_limit\"",
        "\"daily_limt\"",
        "daily_limt",
    ),
];

pub(crate) fn check() -> Result<(), String> {
    println!("xtask: the slots example's contract");
    let root = run::root();
    let read = |name: &str| {
        let path = root.join("core/tests/contract").join(name);
        std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))
    };
    let request = read("request.json")?;
    let expected: Value =
        serde_json::from_str(&read("answer.json")?).map_err(|err| format!("answer.json: {err}"))?;

    let out = run::with_input(EXAMPLE, &request)?;
    expect(
        out.status.success(),
        "the contract's request is answered",
        &out,
    )?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: Value = serde_json::from_str(stdout.trim())
        .map_err(|err| format!("the answer is not JSON: {err}"))?;
    expect(
        answer == expected,
        "the answer is the contract's exactly",
        &out,
    )?;
    expect(
        stdout.starts_with(r#"{"slots":[{"start":"2026-03-02T12:00:00Z","end":"2026-03-02T12:30:00Z","staff":["ana"]}"#),
        "the answer is compact, in order, with UTC instants",
        &out,
    )?;

    let mut explain = EXAMPLE.to_vec();
    explain.extend(["--", "--explain", "2026-03-03T15:00:00Z"]);
    let out = run::with_input(&explain, &request)?;
    let why = String::from_utf8_lossy(&out.stdout);
    expect(
        out.status.success()
            && why.contains("\"answered\":false")
            && why.contains("outside_working_hours"),
        "--explain says a Tuesday is outside the working hours",
        &out,
    )?;

    for (what, from, to, field) in REFUSALS {
        if !request.contains(from) {
            return Err(format!("{what}: the request has no {from:?} to replace"));
        }
        let bad = request.replacen(from, to, 1);
        let out = run::with_input(EXAMPLE, &bad)?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        expect(
            out.status.code() == Some(2)
                && stderr.starts_with(&format!("{field}:"))
                && !stderr.contains("panicked"),
            &format!("{what} exits 2 naming {field}"),
            &out,
        )?;
    }
    let bad = request.replacen("America/Sao_Paulo", "Marte/Olimpo", 1);
    let mut portuguese = run::cargo();
    portuguese.env("LANG", "pt_BR.UTF-8");
    let out = run::with_input_from(portuguese, EXAMPLE, &bad)?;
    expect(
        out.status.code() == Some(2)
            && String::from_utf8_lossy(&out.stderr).contains("fuso horário desconhecido"),
        "LANG=pt_BR gives the message in Portuguese",
        &out,
    )?;

    // The benchmark tools, end to end on W2.
    let out = bench_tool("workload", &["w2"])?;
    expect(
        out.status.success(),
        "the workload generator writes W2",
        &out,
    )?;
    let w2 = String::from_utf8_lossy(&out.stdout).into_owned();
    let path = std::env::temp_dir().join(format!("agendo-w2-{}.json", std::process::id()));
    std::fs::write(&path, &w2).map_err(|err| format!("{}: {err}", path.display()))?;
    let out = bench_tool(
        "slots-bench",
        &[&path.to_string_lossy(), "--seconds", "0.2"],
    );
    let _ = std::fs::remove_file(&path);
    let out = out?;
    let report = String::from_utf8_lossy(&out.stdout);
    expect(
        out.status.success() && report.contains("slots: 22") && report.contains("median"),
        "slots-bench times W2 and finds its 22 slots",
        &out,
    )?;
    let out = run::with_input(EXAMPLE, &w2)?;
    let count = serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v["slots"].as_array().map(Vec::len));
    expect(
        count == Some(22),
        "the example answers W2 with 22 slots",
        &out,
    )?;
    Ok(())
}

/// Runs one of the `agendo-benches` binaries with `args`.
fn bench_tool(bin: &str, args: &[&str]) -> Result<std::process::Output, String> {
    let mut command = vec!["run", "--quiet", "-p", "agendo-benches", "--bin", bin, "--"];
    command.extend_from_slice(args);
    run::with_input(&command, "")
}

fn expect(ok: bool, what: &str, out: &std::process::Output) -> Result<(), String> {
    if ok {
        println!("xtask:   ok: {what}");
        return Ok(());
    }
    Err(format!(
        "{what}: not so (status {}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

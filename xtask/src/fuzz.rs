//! Runs the fuzz targets in `fuzz/` with cargo-fuzz.
//!
//! The targets build with `--sanitizer none`, which works on the stable
//! toolchain, and with debug assertions on, so an arithmetic overflow is a
//! crash. libFuzzer's `-timeout` makes any input slower than 10 seconds a
//! failure (a hang), and `-rss_limit_mb` any input using more than 2 GiB
//! (unbounded allocation).

use crate::run;

/// The fuzz targets, each with its seed inputs under `fuzz/seeds/`.
const TARGETS: &[&str] = &["query_parser", "slot_search"];

/// Reads `[--seconds N]`.
pub(crate) fn seconds(args: &[String]) -> Result<u64, String> {
    match args {
        [] => Ok(60),
        [flag, n] if flag == "--seconds" => n
            .parse()
            .map_err(|_| format!("--seconds: \"{n}\" is not a whole number of seconds")),
        _ => Err("usage: cargo xtask fuzz [--seconds N]".to_owned()),
    }
}

pub(crate) fn run(seconds: u64) -> Result<(), String> {
    let installed = run::cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        return Err(
            "cargo-fuzz is not installed: run `cargo install cargo-fuzz --locked` \
                    (.ci/run installs it)"
                .to_owned(),
        );
    }
    let root = run::root();
    for target in TARGETS {
        let corpus = root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|err| format!("{}: {err}", corpus.display()))?;
        let corpus = corpus.to_string_lossy();
        // libFuzzer stops at a corpus directory that does not exist, and git
        // keeps no empty directory, so seeds are passed only when present.
        let seeds = root.join("fuzz/seeds").join(target);
        let seeds = seeds.is_dir().then(|| seeds.to_string_lossy().into_owned());
        let time = format!("-max_total_time={seconds}");
        let mut args = vec![
            "fuzz",
            "run",
            "--fuzz-dir",
            "fuzz",
            "--sanitizer",
            "none",
            "--debug-assertions",
            target,
            &corpus,
        ];
        args.extend(seeds.as_deref());
        args.extend([
            "--",
            &time,
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-max_len=65536",
        ]);
        run::step(&format!("fuzz {target} for {seconds} s"), &args)?;
    }
    Ok(())
}

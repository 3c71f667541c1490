//! Running cargo and the project's programs.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The workspace root: xtask lives one directory below it.
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Where cargo writes its builds: `CARGO_TARGET_DIR`, or `target/` in the
/// workspace.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        None => root().join("target"),
    }
}

/// The cargo that runs xtask, so every step uses the same toolchain.
pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}

/// Runs `cargo ARGS` as one named step, its output shown as it comes.
pub(crate) fn step(name: &str, args: &[&str]) -> Result<(), String> {
    step_with(name, args, &[])
}

/// As [`step`], with `env` added to cargo's environment.
pub(crate) fn step_with(name: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    println!("xtask: {name}: cargo {}", args.join(" "));
    let status = cargo()
        .envs(env.iter().copied())
        .args(args)
        .status()
        .map_err(|err| format!("{name}: cannot run cargo: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// Runs `cargo ARGS` with `input` on standard input and returns its output.
pub(crate) fn with_input(args: &[&str], input: &str) -> Result<Output, String> {
    with_input_from(cargo(), args, input)
}

/// As [`with_input`], from a prepared `cargo` command (to set its
/// environment).
pub(crate) fn with_input_from(
    mut cargo: Command,
    args: &[&str],
    input: &str,
) -> Result<Output, String> {
    let mut child = cargo
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run cargo {}: {err}", args.join(" ")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|err| format!("cannot write to cargo {}: {err}", args.join(" ")))?;
    }
    child
        .wait_with_output()
        .map_err(|err| format!("cargo {}: {err}", args.join(" ")))
}

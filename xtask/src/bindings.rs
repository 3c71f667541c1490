//! The uniffi bindings: the library and uniffi's bindgen built together
//! (same features, so neither rebuilds the other), then Kotlin and Swift
//! sources for the apps, or the Python module for the tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::python::Venv;
use crate::run;

/// Where `cargo xtask bindings` writes by default.
const OUT: &str = "bindings/uniffi/generated";

/// Builds `agendo-ffi` and its bindgen in `profile`, answering the
/// library's path.
fn build(profile: &str) -> Result<PathBuf, String> {
    let mut args = vec!["build", "-p", "agendo-ffi"];
    if profile == "release" {
        args.push("--release");
    }
    run::step("build agendo-ffi", &args)?;
    let dir = run::target_dir().join(profile);
    Ok(dir.join(format!(
        "{}agendo_ffi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )))
}

/// Runs uniffi's bindgen on `library` for `language` into `out`.
fn generate(library: &Path, language: &str, out: &Path) -> Result<(), String> {
    let bindgen = library.with_file_name(format!("uniffi-bindgen{}", std::env::consts::EXE_SUFFIX));
    println!("xtask: uniffi: {language} into {}", out.display());
    let status = Command::new(&bindgen)
        .current_dir(run::root())
        .args(["generate", "--library"])
        .arg(library)
        .args(["--no-format", "--language", language, "--out-dir"])
        .arg(out)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", bindgen.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("uniffi-bindgen {language} failed ({status})"))
    }
}

/// `cargo xtask bindings [--out DIR]`: the release library and the Kotlin
/// and Swift sources beside it, for the apps.
pub(crate) fn kotlin_and_swift(args: &[String]) -> Result<(), String> {
    let out = match args {
        [] => run::root().join(OUT),
        [flag, dir] if flag == "--out" => PathBuf::from(dir),
        _ => return Err("usage: cargo xtask bindings [--out DIR]".to_owned()),
    };
    let library = build("release")?;
    generate(&library, "kotlin", &out.join("kotlin"))?;
    generate(&library, "swift", &out.join("swift"))?;
    println!(
        "xtask: bindings written to {}; the library is {}",
        out.display(),
        library.display()
    );
    Ok(())
}

/// Generates the Python module from the debug library and runs the
/// uniffi tests with it (the Postgres ones against the URL in `env`).
pub(crate) fn python_tests(venv: &Venv, env: &[(&str, &str)]) -> Result<(), String> {
    let library = build("debug")?;
    let out = run::target_dir().join("uniffi-python");
    let _ = std::fs::remove_dir_all(&out);
    generate(&library, "python", &out)?;
    let name = library.file_name().ok_or("no library name")?;
    std::fs::copy(&library, out.join(name))
        .map_err(|e| format!("copy {}: {e}", library.display()))?;
    let path = out.to_string_lossy().into_owned();
    let mut env = env.to_vec();
    env.push(("PYTHONPATH", &path));
    venv.run(
        "uniffi python tests",
        &[
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "bindings/uniffi/tests",
        ],
        &env,
    )
}

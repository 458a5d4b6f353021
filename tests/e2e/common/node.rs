//! Node.js for the tests that drive npm packages (the GraphQL-over-HTTP audit, the browser
//! tests): running a program with a message that says how to install it when it is missing, and
//! `npm ci` from a pinned lock file when the packages are not installed yet. A missing program
//! fails the test rather than skipping it: a check that quietly does not run checks nothing.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

/// Runs `command` to completion; `what` names it and `install` says how to get it when the
/// program is not installed.
pub fn run(command: &mut Command, what: &str, install: &str) -> Output {
    match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("{what}: the program is not installed ({e}). {install}")
        }
        Err(e) => panic!("{what}: cannot run it: {e}"),
    }
}

/// `npm ci` in `dir` (from its package-lock.json) unless every one of `packages` is installed.
/// One at a time: the SQLite and PostgreSQL variants of a test run in parallel, and two `npm ci`
/// in one folder remove each other's files.
pub fn npm_ci(dir: &Path, packages: &[&str], install: &str) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let installed = packages.iter().all(|p| {
        dir.join("node_modules")
            .join(p)
            .join("package.json")
            .exists()
    });
    if installed {
        return;
    }
    let output = run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir),
        "npm ci",
        install,
    );
    assert!(
        output.status.success(),
        "npm ci --prefix {} failed ({}):\n{}\n{}",
        dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

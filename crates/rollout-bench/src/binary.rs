//! The `rollout` binary under test: found (or built by cargo, in this binary's own profile)
//! next to `rollout-bench`, and run as a child process with a clean environment. Every command
//! runs in a scratch directory so that a stray `rollout.toml` or `ROLLOUT_*` variable of the
//! caller cannot change what is measured.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How to start `rollout`.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub path: PathBuf,
    /// The cargo profile directory it came from (`release`, `debug`), for the report.
    pub profile: String,
    /// Working directory of every child: an empty scratch directory.
    pub workdir: PathBuf,
}

impl Rollout {
    /// `given`, or the `rollout` next to this executable, first brought up to date with
    /// `cargo build -p rollout-server` in the same profile when cargo started us.
    pub fn locate(given: Option<PathBuf>, workdir: &Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot find the rollout-bench executable")?;
        let dir = exe
            .parent()
            .context("the rollout-bench executable has no directory")?
            .to_path_buf();
        let profile = dir.file_name().map_or_else(
            || "unknown".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let path = match given {
            Some(path) => path,
            None => {
                build_sibling(&profile)?;
                dir.join(format!("rollout{}", std::env::consts::EXE_SUFFIX))
            }
        };
        if !path.is_file() {
            bail!(
                "no rollout binary at {}: build it with `cargo build --release -p rollout-server` or pass --rollout-bin",
                path.display()
            );
        }
        Ok(Self {
            path,
            profile,
            workdir: workdir.to_path_buf(),
        })
    }

    /// A command for `rollout ARGS` with no inherited `ROLLOUT_*` settings.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.path);
        cmd.args(args)
            .current_dir(&self.workdir)
            .stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ROLLOUT_") {
                cmd.env_remove(key);
            }
        }
        cmd
    }

    /// Runs `rollout ARGS` to completion; fails with its stderr when it exits non-zero.
    /// Returns stdout and the wall time.
    pub fn run(&self, args: &[&str]) -> anyhow::Result<(String, Duration)> {
        self.run_with(args, &[])
    }

    /// [`Self::run`] with extra environment.
    pub fn run_with(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> anyhow::Result<(String, Duration)> {
        let started = Instant::now();
        let output = self
            .command(args)
            .envs(env.iter().copied())
            .output()
            .with_context(|| format!("cannot start {}", self.path.display()))?;
        let took = started.elapsed();
        Ok((checked(args, output)?, took))
    }
}

fn checked(args: &[&str], output: Output) -> anyhow::Result<String> {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`rollout {}` failed ({}): {}",
            redact(args),
            output.status,
            stderr.trim()
        );
    }
    Ok(stdout)
}

/// The arguments for an error message, with database URLs' passwords hidden.
fn redact(args: &[&str]) -> String {
    args.iter()
        .map(|a| match (a.find("://"), a.find('@')) {
            (Some(scheme), Some(at)) if a[scheme + 3..at].contains(':') => {
                let colon = scheme + 3 + a[scheme + 3..at].find(':').unwrap_or(0);
                format!("{}:***{}", &a[..colon], &a[at..])
            }
            _ => (*a).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds `rollout` in `profile` when cargo started this process (it sets `CARGO`); otherwise
/// the sibling binary is used as it is. Up to date, this takes about a second.
fn build_sibling(profile: &str) -> anyhow::Result<()> {
    let Some(cargo) = std::env::var_os("CARGO") else {
        return Ok(());
    };
    let manifest = crate::cli::workspace_root().join("Cargo.toml");
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["-p", "rollout-server", "--bin", "rollout"]);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    eprintln!("building rollout ({profile}) so that the server under test is current …");
    let status = cmd
        .status()
        .context("cannot run cargo to build the rollout binary")?;
    if !status.success() {
        bail!("`cargo build -p rollout-server` failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            redact(&["demo", "--database-url", "postgres://app:s3cret@db:5432/x"]),
            "demo --database-url postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact(&["postgres://postgres@127.0.0.1:5432/x", "sqlite:a.db"]),
            "postgres://postgres@127.0.0.1:5432/x sqlite:a.db"
        );
    }
}

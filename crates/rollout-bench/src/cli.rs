//! The command line and the plan it resolves to: which backends, how many procedures, how long
//! each measurement runs. Quick mode only shrinks the plan; it measures the same things, so the
//! CI smoke test exercises every code path of the full run.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Benchmark rollout against the database's own limit, on SQLite and PostgreSQL, in one run.
#[derive(Debug, Parser)]
#[command(name = "rollout-bench", version, about)]
pub struct Cli {
    /// Small dataset and short measurements (< 1 minute): a smoke test, not a measurement.
    #[arg(long)]
    pub quick: bool,
    /// Which databases to run on; `both` skips PostgreSQL with a note when it does not answer.
    #[arg(long, value_enum, default_value = "both")]
    pub backend: BackendChoice,
    /// Directory for the reports (`help` is plain text for the terminal, not rustdoc).
    #[arg(
        long,
        value_name = "DIR",
        help = "Directory for `<timestamp>.md` and `<timestamp>.json` [default: <workspace>/bench-results]"
    )]
    pub out: Option<PathBuf>,
    /// Generated procedures in the dataset [default: 28000, quick: 500].
    #[arg(long, value_name = "N")]
    pub procedures: Option<usize>,
    /// Seconds each measurement runs after its warm-up [default: 10, quick: 0.8].
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// Seconds of warm-up before each measurement [default: 3, quick: 0.2].
    #[arg(long, value_name = "SECS")]
    pub warmup: Option<f64>,
    /// PostgreSQL URL of a user that may create databases (the bench creates and drops its own
    /// `rollout_bench_*` databases). Always write the user name.
    #[arg(
        long,
        env = "ROLLOUT_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres",
        value_name = "URL"
    )]
    pub postgres_url: String,
    /// Run one part of the suite only: reminders, analytics (with the dashboard) or operations.
    #[arg(long, value_enum, value_name = "PART")]
    pub only: Option<Part>,
    /// The `rollout` binary to benchmark [default: built by cargo next to this binary].
    #[arg(long, value_name = "PATH")]
    pub rollout_bin: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

/// A part of the suite that runs on its own database and can run alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    Reminders,
    /// The project office's reads (issue 13) on the demo database.
    Analytics,
    /// Issue 15's operations: verify, backup and restore, migrate-data, the metrics scrape.
    Operations,
}

/// What one run does, with every default resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub quick: bool,
    pub backend: BackendChoice,
    /// Only this part, when given; everything otherwise.
    pub only: Option<Part>,
    pub out: PathBuf,
    pub procedures: usize,
    pub rows_to_import: usize,
    pub duration: Duration,
    pub warmup: Duration,
    /// Client counts each HTTP and reference measurement runs at.
    pub clients: Vec<usize>,
    /// Fresh empty databases started per backend for the start-to-ready figure (median taken).
    pub ready_samples: usize,
    /// Sequential requests per statement count.
    pub statement_samples: usize,
    pub postgres_url: String,
    pub rollout_bin: Option<PathBuf>,
}

/// The workspace root, where `bench-results/` lives whatever the working directory.
pub fn workspace_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

impl Cli {
    pub fn plan(self) -> anyhow::Result<Plan> {
        let quick = self.quick;
        let seconds = |given: Option<f64>, full: f64, fast: f64, what: &str| {
            let s = given.unwrap_or(if quick { fast } else { full });
            if s.is_finite() && s > 0.0 {
                Ok(Duration::from_secs_f64(s))
            } else {
                Err(anyhow::anyhow!(
                    "--{what} must be a positive number of seconds"
                ))
            }
        };
        let procedures = self.procedures.unwrap_or(if quick { 500 } else { 28_000 });
        if procedures < 100 {
            anyhow::bail!(
                "--procedures must be at least 100 (the list measurement reads pages of 100)"
            );
        }
        Ok(Plan {
            quick,
            backend: self.backend,
            only: self.only,
            out: self
                .out
                .unwrap_or_else(|| workspace_root().join("bench-results")),
            procedures,
            // The import figure is for 28,000 rows: the same count as the dataset.
            rows_to_import: procedures,
            duration: seconds(self.duration, 10.0, 0.8, "duration")?,
            warmup: seconds(self.warmup, 3.0, 0.2, "warmup")?,
            clients: vec![1, 8],
            ready_samples: if quick { 1 } else { 5 },
            statement_samples: if quick { 5 } else { 20 },
            postgres_url: self.postgres_url,
            rollout_bin: self.rollout_bin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<Plan> {
        let mut all = vec!["rollout-bench"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all)?.plan()
    }

    #[test]
    fn quick_shrinks_the_plan_and_flags_override_it() {
        let quick = parse(&["--quick"]).expect("quick parses");
        assert_eq!(quick.procedures, 500);
        assert_eq!(quick.duration, Duration::from_millis(800));
        assert_eq!(quick.ready_samples, 1);
        let full = parse(&["--procedures", "1000", "--duration", "2.5"]).expect("flags parse");
        assert_eq!(full.procedures, 1000);
        assert_eq!(full.duration, Duration::from_millis(2500));
        assert_eq!(full.warmup, Duration::from_secs(3));
        assert_eq!(full.clients, vec![1, 8]);
        assert_eq!(full.only, None);
        let part = parse(&["--quick", "--only", "reminders"]).expect("--only parses");
        assert_eq!(part.only, Some(Part::Reminders));
        assert!(parse(&["--only", "nothing"]).is_err());
    }

    #[test]
    fn nonsense_values_are_refused_with_the_flag_named() {
        let err = parse(&["--duration", "0"]).expect_err("zero duration");
        assert_eq!(
            err.to_string(),
            "--duration must be a positive number of seconds"
        );
        let err = parse(&["--procedures", "10"]).expect_err("too few procedures");
        assert!(err.to_string().contains("at least 100"), "{err}");
    }
}

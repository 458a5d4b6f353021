//! `rollout-bench`: the benchmark suite. It prepares a database of generated procedures with
//! the product's own `rollout demo`, starts the real `rollout serve` on it, measures the API at
//! 1 and 8 concurrent clients next to a reference (the same SQL issued straight to the
//! database), times import, start-up and memory, and writes the results as Markdown and JSON.
//! On SQLite and on PostgreSQL, in one run:
//!
//! ```sh
//! cargo run --release -p rollout-bench -- [--quick] [--backend sqlite|postgres|both] [--only reminders] [--out DIR]
//! ```
//!
//! It measures; it does not judge the product in CI: the exit code says whether everything ran,
//! never whether a budget was met. What it deliberately leaves out: profiling (see
//! BENCHMARKS.md for how the findings were profiled) and any tuning of the databases.

mod analytics;
mod binary;
mod blockers;
mod budgets;
mod cli;
mod database;
mod evidence;
mod gql;
mod load;
mod operations;
mod prepare;
mod procfs;
mod reference;
mod reminders;
mod report;
mod scenarios;
mod server;
mod statements;
mod suite;
mod web;

use std::process::ExitCode;
use std::str::FromStr;

use anyhow::Context as _;
use clap::Parser;
use sqlx::Connection;

use crate::binary::Rollout;
use crate::cli::{BackendChoice, Cli, Plan};
use crate::database::{Backend, Databases};
use crate::report::{Report, Settings};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One thread: the load generator stays on one core of a small machine shared with the
    // server and the database (SQLite's own work runs on sqlx's worker threads).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let plan = cli.plan()?;
    let scratch = tempfile::Builder::new()
        .prefix("rollout-bench-")
        .tempdir()
        .context("cannot create a scratch directory")?;
    let rollout = Rollout::locate(plan.rollout_bin.clone(), scratch.path())?;
    let mut dbs = Databases::new(scratch.path().to_path_buf(), plan.postgres_url.clone());
    let started_at = chrono::Utc::now();
    let mut report = Report {
        started_at: started_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: procfs::Machine::describe(),
        settings: Settings {
            quick: plan.quick,
            procedures: plan.procedures,
            warmup_seconds: plan.warmup.as_secs_f64(),
            seconds_per_measurement: plan.duration.as_secs_f64(),
            clients: plan.clients.clone(),
            server_binary: rollout.path.display().to_string(),
            server_profile: rollout.profile.clone(),
            only: plan.only.map(|p| format!("{p:?}").to_lowercase()),
        },
        backends: Vec::new(),
        budgets: Vec::new(),
        notes: Vec::new(),
    };
    report.machine.sqlite = sqlite_version().await.ok();
    let backends = choose_backends(&plan, &dbs, &mut report).await?;
    let ctx = suite::Context {
        plan: &plan,
        rollout: &rollout,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(32)
            .build()
            .context("cannot build the HTTP client")?,
        scratch: scratch.path().to_path_buf(),
        ticks_per_second: procfs::ticks_per_second(),
    };
    let interrupted = tokio::select! {
        () = run_backends(&ctx, &mut dbs, &backends, &mut report) => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    let left = dbs.drop_all().await;
    if !left.is_empty() {
        eprintln!(
            "warning: could not drop PostgreSQL database(s) {}",
            left.join(", ")
        );
    }
    if interrupted {
        anyhow::bail!("interrupted; servers stopped and benchmark databases dropped");
    }
    report.finish();
    let markdown = report.markdown();
    let stamp = started_at.format("%Y%m%dT%H%M%SZ");
    let suffix = if plan.quick { "-quick" } else { "" };
    std::fs::create_dir_all(&plan.out)
        .with_context(|| format!("cannot create {}", plan.out.display()))?;
    let md_path = plan.out.join(format!("{stamp}{suffix}.md"));
    let json_path = plan.out.join(format!("{stamp}{suffix}.json"));
    std::fs::write(&md_path, &markdown)
        .with_context(|| format!("cannot write {}", md_path.display()))?;
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    println!("{markdown}");
    println!(
        "results written to {} and {}",
        md_path.display(),
        json_path.display()
    );
    Ok(if report.failed() {
        eprintln!("error: part of the benchmark failed to run (see the notes and errors above)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn run_backends(
    ctx: &suite::Context<'_>,
    dbs: &mut Databases,
    backends: &[Backend],
    report: &mut Report,
) {
    for &backend in backends {
        match suite::run(ctx, dbs, backend).await {
            Ok(results) => report.backends.push(results),
            Err(e) => {
                let note = format!("FAILED on {}: {e:#}", backend.label());
                eprintln!("{note}");
                report.notes.push(note);
            }
        }
    }
}

/// SQLite always (it needs nothing); PostgreSQL when asked for, or with `both` when it answers.
async fn choose_backends(
    plan: &Plan,
    dbs: &Databases,
    report: &mut Report,
) -> anyhow::Result<Vec<Backend>> {
    let mut backends = Vec::new();
    if plan.backend != BackendChoice::Postgres {
        backends.push(Backend::Sqlite);
    }
    if plan.backend != BackendChoice::Sqlite {
        match dbs.postgres_version().await {
            Ok(version) => {
                report.machine.postgres = Some(version);
                backends.push(Backend::Postgres);
            }
            Err(e) if plan.backend == BackendChoice::Both => {
                let note = format!("PostgreSQL skipped: {e:#}");
                eprintln!("{note}");
                report.notes.push(note);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(backends)
}

/// The SQLite library version sqlx bundles (the server links the same sqlx).
async fn sqlite_version() -> anyhow::Result<String> {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str("sqlite::memory:")?;
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await.ok();
    Ok(version)
}

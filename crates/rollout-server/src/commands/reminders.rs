//! `rollout reminders run-once [--now T] [--rule RULE]`: evaluates every reminder tick due up to
//! T (default now), of every rule or of one, and exits, for deployments that prefer an external
//! cron (set `[scheduler] enabled = false` on the replicas then; they still send what the
//! firings queued). It claims rules exactly as the in-process scheduler does, so any number of
//! run-once processes and replicas evaluating the same tick produce one firing. `--now` in the
//! future evaluates ahead; `--rule` keeps that to one rule. `rollout reminders preview RULE
//! [--count N]` lists a rule's next fire times in Tokyo time.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use clap::{Args, Subcommand};
use rollout_app::reminders::FireReport;
use rollout_app::{Actor, App, SystemClock, TOKYO};

use super::workflow::load_procedure_workflow;
use crate::backend::Database;
use crate::cli::{DatabaseArgs, WorkflowArgs};
use crate::config::Config;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum RemindersCommand {
    /// Evaluate every tick due up to --now (default: now), then exit.
    RunOnce(RunOnceArgs),
    /// List a rule's next fire times (Tokyo time), by name or id.
    Preview(PreviewArgs),
}

#[derive(Debug, Args)]
pub struct RunOnceArgs {
    /// The instant to evaluate up to, RFC 3339 (e.g. 2026-12-07T00:00:00Z).
    #[arg(long, value_name = "T")]
    pub now: Option<DateTime<Utc>>,
    /// Only this rule (name or id); the others are left for later.
    #[arg(long, value_name = "RULE")]
    pub rule: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub workflow: WorkflowArgs,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The rule's name or id.
    pub rule: String,
    /// How many fire times (1–100).
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Evaluates every tick due up to `now` on `database_url` (what `run-once` does; the end-to-end
/// tests call it as a process would).
pub async fn run_once(
    database_url: &crate::DatabaseUrl,
    migrate: bool,
    workflow: Option<&Path>,
    email_enabled: bool,
    rule: Option<&str>,
    now: DateTime<Utc>,
) -> Result<FireReport, CliError> {
    rollout_domain::bounds::check_instant(now)
        .map_err(|e| CliError::user(format!("--now: {e}")))?;
    let workflow = load_procedure_workflow(workflow)?;
    let db = Database::open(database_url, migrate).await?;
    // E-mails are queued when the deployment has e-mail configured (the servers send them).
    let settings = rollout_app::AppSettings {
        email_enabled,
        ..Default::default()
    };
    let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock)).with_settings(settings);
    let app = match db.postgres() {
        // Firings reach the replicas' `notificationAdded` subscribers through the relay.
        Some(store) => match crate::events::relay(store, app).await {
            Ok((app, relay)) => {
                let report = evaluate(&app, rule, now).await;
                relay.stop().await;
                db.close().await;
                return report;
            }
            Err(e) => {
                db.close().await;
                return Err(CliError::store("cannot relay events", e));
            }
        },
        None => app,
    };
    let report = evaluate(&app, rule, now).await;
    db.close().await;
    report
}

async fn evaluate(
    app: &App,
    rule: Option<&str>,
    now: DateTime<Utc>,
) -> Result<FireReport, CliError> {
    let only = match rule {
        None => None,
        Some(rule) => Some(find_rule(app, rule).await?.id),
    };
    app.run_due_reminders_of(now, only)
        .await
        .map_err(|e| CliError::app("cannot evaluate the reminders", e))
}

async fn find_rule(
    app: &App,
    rule: &str,
) -> Result<rollout_domain::reminders::ReminderRule, CliError> {
    app.reminder_rules(&Actor::system("cli"))
        .await
        .map_err(|e| CliError::app("cannot read the reminder rules", e))?
        .into_iter()
        .find(|r| r.name == rule || r.id.to_string() == rule)
        .ok_or_else(|| CliError::user(format!("no reminder rule is named {rule:?}")))
}

pub async fn run(config: &Config, command: &RemindersCommand) -> Result<(), CliError> {
    match command {
        RemindersCommand::RunOnce(args) => {
            // The clock to the microsecond, as every stored instant.
            let now = args.now.unwrap_or_else(|| Utc::now().trunc_subsecs(6));
            let report = run_once(
                &config.database_url,
                config.migrate,
                config.workflow.as_deref(),
                config.reminders.email_enabled(),
                args.rule.as_deref(),
                now,
            )
            .await?;
            println!(
                "evaluated up to {}: {} firing(s), {} missed tick(s), {} rule(s) handled elsewhere",
                rollout_domain::bounds::utc_text(now),
                report.firings.len(),
                report.missed,
                report.skipped
            );
            for f in &report.firings {
                println!(
                    "  rule {} tick {}: {} item(s) to {} recipient(s), {} delivery(ies) queued",
                    f.rule_id,
                    rollout_domain::bounds::utc_text(f.tick_at),
                    f.items,
                    f.recipients,
                    f.deliveries
                );
            }
            if report.failed.is_empty() {
                Ok(())
            } else {
                let lines: Vec<String> = report
                    .failed
                    .iter()
                    .map(|(r, e)| format!("rule {r}: {e}"))
                    .collect();
                Err(CliError::user(format!(
                    "some rules could not be evaluated:\n{}",
                    lines.join("\n")
                )))
            }
        }
        RemindersCommand::Preview(args) => {
            if !(1..=100).contains(&args.count) {
                return Err(CliError::user("--count must be 1–100"));
            }
            let db = Database::open(&config.database_url, config.migrate).await?;
            let workflow = load_procedure_workflow(config.workflow.as_deref())?;
            let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock));
            let result = preview(&app, &args.rule, args.count).await;
            db.close().await;
            for line in result? {
                println!("{line}");
            }
            Ok(())
        }
    }
}

async fn preview(app: &App, rule: &str, count: usize) -> Result<Vec<String>, CliError> {
    let found = find_rule(app, rule).await?;
    let schedule = app
        .parse_schedule(&found.schedule, Some(&found.time_zone))
        .map_err(|e| CliError::app("the rule's schedule does not parse", e))?;
    let times = app.preview_fire_times(&schedule, found.holiday_policy, app.now(), count);
    Ok(times
        .into_iter()
        .map(|t| {
            format!(
                "{}  ({})",
                t.with_timezone(&TOKYO).format("%Y-%m-%d %a %H:%M:%S JST"),
                rollout_domain::bounds::utc_text(t)
            )
        })
        .collect())
}

//! The reminder measurements (issue 12), on a database of their own (`rollout demo
//! --synthetic N`, a BUREAU_COORDINATOR per bureau added through `createUser`), in this order:
//!
//! 1. **Idle CPU**: `rollout serve` with [`IDLE_RULES`] enabled rules that do not fire during
//!    the window, then the same server with `ROLLOUT_SCHEDULER_ENABLED=false`; the server's
//!    CPU time over the window each time (`/proc`), as ms of CPU per minute.
//! 2. **Delivery**: endpoints × rules pinned to fire once a few seconds ahead, fired by one
//!    `rollout reminders run-once` while no server runs (deliveries due now), then `rollout
//!    serve` (scheduler off, delivery at the default concurrency) drains the outbox into a local
//!    sink ([`sink`]); deliveries per second from the sink's first to last arrival.
//! 3. **Firing**: a STALE_PROCEDURE rule (1 day; the bureaus' coordinators and the project
//!    office; in-app and a webhook) pinned 30 days ahead, fired by `rollout reminders run-once
//!    --now T`: its wall time is tick to every row committed (it commits before it exits). One
//!    rule per sample, a day apart. Their deliveries stay queued (due at T): the firing is last.

pub mod report;
mod setup;
mod sink;

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::{DurationRound, Utc};
use serde::Serialize;

use crate::database::{Backend, Databases};
use crate::gql::Gql;
use crate::prepare;
use crate::procfs;
use crate::server::{ServeOptions, Server};
use crate::suite::Context;
use setup::Rules;
use sink::Sink;

/// Enabled rules on the idle server.
pub const IDLE_RULES: usize = 50;
const ADMIN: &str = "bench-admin@rollout.local";
/// The delivery rules' kind (cheap to select) and the firing's.
const DELIVERY_KIND: &str = "QUARTERLY_REPORT_DUE";
const STALE_KIND: &str = "STALE_PROCEDURE";
/// How long the outbox may take to drain before the measurement fails.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(300);

/// One STALE_PROCEDURE firing.
#[derive(Debug, Clone, Serialize)]
pub struct FiringSample {
    /// Wall time of `rollout reminders run-once --now T`.
    pub ms: f64,
    pub items: i64,
    pub recipients: i64,
    pub deliveries: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRun {
    pub endpoints: usize,
    pub firings: usize,
    pub expected: usize,
    pub received: usize,
    pub unique_ids: usize,
    /// From the sink's first arrival to its last.
    pub seconds: f64,
    pub per_second: f64,
    /// From spawning `rollout serve` to the last arrival.
    pub since_spawn_seconds: f64,
    pub outbox_depth_after: i64,
    pub dead_after: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IdleCpu {
    pub rules: usize,
    pub window_seconds: f64,
    pub scheduler_ms_per_minute: f64,
    pub disabled_ms_per_minute: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemindersResults {
    pub procedures: i64,
    pub coordinators_added: usize,
    pub idle: IdleCpu,
    pub delivery: DeliveryRun,
    pub firings: Vec<FiringSample>,
}

fn serve_env(scheduler: bool) -> ServeOptions {
    let mut env = vec![(
        "ROLLOUT_HTTP_RATE_LIMIT_PER_SECOND".to_owned(),
        "0".to_owned(),
    )];
    if !scheduler {
        env.push(("ROLLOUT_SCHEDULER_ENABLED".to_owned(), "false".to_owned()));
    }
    ServeOptions { env }
}

/// The server's CPU over `window` after `settle`, in ms per minute.
async fn idle_cpu(
    ctx: &Context<'_>,
    server: &Server,
    settle: Duration,
    window: Duration,
) -> anyhow::Result<f64> {
    tokio::time::sleep(settle).await;
    let before = procfs::cpu_ticks(server.pid()).context("no CPU figure for the server")?;
    let started = Instant::now();
    tokio::time::sleep(window).await;
    let after = procfs::cpu_ticks(server.pid()).context("no CPU figure for the server")?;
    let cpu_ms = (after - before) as f64 / ctx.ticks_per_second * 1000.0;
    Ok((cpu_ms / started.elapsed().as_secs_f64() * 60.0 * 10.0).round() / 10.0)
}

pub async fn run(
    ctx: &Context<'_>,
    dbs: &mut Databases,
    backend: Backend,
) -> anyhow::Result<RemindersResults> {
    let plan = ctx.plan;
    let name = backend.label();
    let (endpoints, rules, samples, window) = if plan.quick {
        (5, 10, 1, Duration::from_secs(5))
    } else {
        (50, 100, 3, Duration::from_secs(30))
    };
    let settle = Duration::from_secs(2);
    let url = dbs.fresh(backend, "reminders").await?;
    eprintln!(
        "[{name}] reminders: rollout demo --synthetic {} …",
        plan.procedures
    );
    prepare::demo(ctx.rollout, &url, plan.procedures)?;
    let office_token = prepare::token(ctx.rollout, &url)?;
    let admin_token = prepare::user_token(ctx.rollout, &url, ADMIN, "ADMIN")?;
    let sink = Sink::start().await?;

    // 1. Idle CPU, with and without the tick loop.
    let server = Server::start(ctx.rollout, &ctx.http, &url, serve_env(true), None).await?;
    let office = Gql::new(ctx.http.clone(), &server.base_url, &office_token);
    let admin = Gql::new(ctx.http.clone(), &server.base_url, &admin_token);
    let procedures = office
        .post(crate::gql::SUMMARY, serde_json::json!({}))
        .await?["rolloutSummary"]["total"]
        .as_i64()
        .context("no total in rolloutSummary")?;
    let coordinators_added = setup::coordinators(&admin, &prepare::bureau_codes()?).await?;
    // Two days ago, which comes round again in about a year.
    let idle_at =
        (Utc::now() - chrono::Duration::days(2)).duration_trunc(chrono::Duration::days(1))?;
    let idle_rules = Rules {
        name: "bench idle",
        kind: DELIVERY_KIND,
        channels: &["IN_APP"],
        coordinators: false,
    };
    idle_rules.create(&office, &[idle_at; IDLE_RULES]).await?;
    eprintln!("[{name}] reminders: idle CPU, {IDLE_RULES} rules, {window:?} …");
    let scheduler_ms_per_minute = idle_cpu(ctx, &server, settle, window).await?;
    server.stop();
    let server = Server::start(ctx.rollout, &ctx.http, &url, serve_env(false), None).await?;
    let disabled_ms_per_minute = idle_cpu(ctx, &server, settle, window).await?;
    let idle = IdleCpu {
        rules: IDLE_RULES,
        window_seconds: window.as_secs_f64(),
        scheduler_ms_per_minute,
        disabled_ms_per_minute,
    };
    eprintln!(
        "[{name}] idle server CPU: {scheduler_ms_per_minute} ms/min with the scheduler, {disabled_ms_per_minute} without"
    );

    // 2. Delivery: the outbox filled while no server runs, then drained by one.
    let office = Gql::new(ctx.http.clone(), &server.base_url, &office_token);
    let admin = Gql::new(ctx.http.clone(), &server.base_url, &admin_token);
    for e in 0..endpoints {
        setup::endpoint(
            &admin,
            &format!("{}/deliver/{e}", sink.base_url),
            DELIVERY_KIND,
        )
        .await?;
    }
    setup::endpoint(&admin, &format!("{}/stale", sink.base_url), STALE_KIND).await?;
    let fire_at = (Utc::now() + chrono::Duration::seconds(3 + rules as i64 / 20))
        .duration_trunc(chrono::Duration::seconds(1))?;
    let delivery_rules = Rules {
        name: "bench delivery",
        channels: &["WEBHOOK"],
        ..idle_rules
    };
    delivery_rules
        .create(&office, &vec![fire_at; rules])
        .await?;
    if Utc::now() >= fire_at {
        bail!("creating {rules} rules took past their pinned tick {fire_at}");
    }
    let stale_first =
        (Utc::now() + chrono::Duration::days(30)).duration_trunc(chrono::Duration::days(1))?;
    let stale_ticks: Vec<_> = (0..samples)
        .map(|k| stale_first + chrono::Duration::days(k))
        .collect();
    let stale_rules = Rules {
        name: "bench stale procedures",
        kind: STALE_KIND,
        channels: &["IN_APP", "WEBHOOK"],
        coordinators: true,
    };
    stale_rules.create(&office, &stale_ticks).await?;
    server.stop();
    let wait = (fire_at - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(500);
    tokio::time::sleep(wait).await;
    // `--now` the current second: what a cron job would ask for, on any build.
    let now = Utc::now()
        .duration_trunc(chrono::Duration::seconds(1))?
        .to_rfc3339();
    let (stdout, _) = ctx.rollout.run(&[
        "reminders",
        "run-once",
        "--now",
        &now,
        "--database-url",
        &url,
    ])?;
    let fired = parse_firings(&stdout);
    let expected: usize = fired.iter().map(|f| f.2 as usize).sum();
    if fired.len() != rules || expected != rules * endpoints {
        bail!(
            "run-once fired {} rules queuing {expected} deliveries, not {rules} × {endpoints}: {stdout}",
            fired.len()
        );
    }
    eprintln!("[{name}] reminders: delivering {expected} webhooks …");
    let spawned = Instant::now();
    let server = Server::start(ctx.rollout, &ctx.http, &url, serve_env(false), None).await?;
    let office = Gql::new(ctx.http.clone(), &server.base_url, &office_token);
    let arrivals = loop {
        let a = sink.arrivals();
        if a.unique_ids >= expected {
            break a;
        }
        if spawned.elapsed() > DRAIN_TIMEOUT {
            bail!(
                "{} of {expected} deliveries arrived within {DRAIN_TIMEOUT:?}",
                a.unique_ids
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    // Outcomes are recorded after each batch is sent: let the last batch be recorded.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (outbox_depth_after, dead_after) = setup::status(&office).await?;
    server.stop();
    let (first, last) = arrivals
        .first
        .zip(arrivals.last)
        .context("no arrival times")?;
    let seconds = (last - first).as_secs_f64();
    let delivery = DeliveryRun {
        endpoints,
        firings: rules,
        expected,
        received: arrivals.delivered,
        unique_ids: arrivals.unique_ids,
        seconds: round3(seconds),
        per_second: if seconds > 0.0 {
            (arrivals.unique_ids as f64 / seconds).round()
        } else {
            0.0
        },
        since_spawn_seconds: round3((last - spawned).as_secs_f64()),
        outbox_depth_after,
        dead_after,
    };
    eprintln!(
        "[{name}] {} deliveries in {:.2} s: {}/s",
        delivery.received, delivery.seconds, delivery.per_second
    );

    // 3. The STALE_PROCEDURE firing over the dataset, last.
    let mut firings = Vec::new();
    for at in &stale_ticks {
        let now = (*at + chrono::Duration::seconds(1)).to_rfc3339();
        let (stdout, took) = ctx.rollout.run(&[
            "reminders",
            "run-once",
            "--now",
            &now,
            "--database-url",
            &url,
        ])?;
        let [(items, recipients, deliveries)] = parse_firings(&stdout)[..] else {
            bail!("run-once --now {now} did not fire exactly one rule: {stdout}");
        };
        let sample = FiringSample {
            ms: round3(took.as_secs_f64() * 1000.0),
            items,
            recipients,
            deliveries,
        };
        eprintln!(
            "[{name}] STALE_PROCEDURE firing: {} ms, {items} items to {recipients} recipients, {deliveries} deliveries",
            sample.ms
        );
        firings.push(sample);
    }
    Ok(RemindersResults {
        procedures,
        coordinators_added,
        idle,
        delivery,
        firings,
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `(items, recipients, deliveries)` of each firing `rollout reminders run-once` printed
/// ("  rule R tick T: 5 item(s) to 2 recipient(s), 1 delivery(ies) queued").
fn parse_firings(stdout: &str) -> Vec<(i64, i64, i64)> {
    stdout
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.trim_start().strip_prefix("rule ")?.split_once(": ")?;
            let mut numbers = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok());
            Some((numbers.next()?, numbers.next()?, numbers.next()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_firing_lines_of_run_once_are_read() {
        let out = "evaluated up to 2027-01-05T00:00:01Z: 2 firing(s), 0 missed tick(s), 0 rule(s) handled elsewhere\n  \
            rule 0b5e tick 2027-01-05T00:00:00Z: 27912 item(s) to 35 recipient(s), 1 delivery(ies) queued\n  \
            rule 77aa tick 2027-01-05T00:00:00Z: 0 item(s) to 0 recipient(s), 50 delivery(ies) queued\n";
        assert_eq!(parse_firings(out), vec![(27912, 35, 1), (0, 0, 50)]);
        assert!(parse_firings("evaluated up to now: 0 firing(s)\n").is_empty());
    }
}

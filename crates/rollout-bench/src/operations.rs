//! Issue 15's operations on a dataset of the suite's size (`rollout demo --synthetic N`), each
//! timed as an operator runs it: `rollout verify`; on SQLite `rollout backup` of the database and
//! `rollout restore` of the copy into a new file; on PostgreSQL `rollout migrate-data` from a
//! SQLite database of the same size into an empty PostgreSQL database; and Prometheus scraping
//! `/metrics` on the metrics listener (warm, one client) of a server on the dataset.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Serialize;

use crate::database::{Backend, Databases};
use crate::gql::{self, Gql};
use crate::load::{Op, Probe};
use crate::prepare;
use crate::scenarios::Scenarios;
use crate::server::{ServeOptions, Server};
use crate::suite::{Context, Kind, Measurement};

/// What the operations took on one backend.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OperationsResults {
    /// Procedures in the dataset.
    pub procedures: i64,
    pub verify_seconds: f64,
    /// SQLite only.
    pub backup_seconds: Option<f64>,
    pub backup_mib: Option<f64>,
    pub restore_seconds: Option<f64>,
    /// PostgreSQL only: from SQLite into this backend.
    pub migrate_data_seconds: Option<f64>,
    /// The size of one scrape's text.
    pub metrics_bytes: usize,
}

fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 100.0).round() / 100.0
}

/// One GET of the metrics endpoint, which must answer the build info.
#[derive(Debug)]
struct ScrapeOp {
    http: reqwest::Client,
    url: String,
}

impl Op for ScrapeOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let reply = self.http.get(&self.url).send().await?;
        if !reply.status().is_success() {
            bail!("GET {} answered {}", self.url, reply.status());
        }
        let text = reply.text().await?;
        if !text.contains("rollout_build_info") {
            bail!("no rollout_build_info in the scrape");
        }
        Ok(())
    }
}

/// A free port on the loopback for the metrics listener.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("no free port")?;
    Ok(listener.local_addr()?.port())
}

/// Runs the operations on `backend`; the scrape's latency goes to `out`.
pub async fn run(
    ctx: &Context<'_>,
    dbs: &mut Databases,
    backend: Backend,
    out: &mut Vec<Measurement>,
) -> anyhow::Result<OperationsResults> {
    let (plan, rollout, name) = (ctx.plan, ctx.rollout, backend.label());
    let url = dbs.fresh(backend, "operations").await?;
    eprintln!(
        "[{name}] operations: rollout demo --synthetic {} …",
        plan.procedures
    );
    prepare::demo(rollout, &url, plan.procedures)?;
    let mut results = OperationsResults::default();

    let (_, verify) = rollout.run(&["verify", "--database-url", &url])?;
    results.verify_seconds = seconds(verify);
    eprintln!("[{name}] rollout verify: {:.2} s", results.verify_seconds);

    match backend {
        Backend::Sqlite => {
            let copy = ctx.scratch.join("operations-backup.db");
            let _ = std::fs::remove_file(&copy);
            let copy_arg = copy.display().to_string();
            let (_, backup) =
                rollout.run(&["backup", "--to", &copy_arg, "--database-url", &url])?;
            results.backup_seconds = Some(seconds(backup));
            let bytes = std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0);
            results.backup_mib = Some((bytes as f64 / 1_048_576.0 * 10.0).round() / 10.0);
            let restored = dbs.fresh(Backend::Sqlite, "operations_restored").await?;
            let (_, restore) =
                rollout.run(&["restore", "--from", &copy_arg, "--database-url", &restored])?;
            results.restore_seconds = Some(seconds(restore));
            eprintln!(
                "[{name}] rollout backup: {:.2} s ({:.1} MiB); restore: {:.2} s",
                seconds(backup),
                bytes as f64 / 1_048_576.0,
                seconds(restore)
            );
        }
        Backend::Postgres => {
            let source = dbs.fresh(Backend::Sqlite, "operations_source").await?;
            prepare::demo(rollout, &source, plan.procedures)?;
            let target = dbs.fresh(Backend::Postgres, "operations_target").await?;
            let (_, copied) = rollout.run(&["migrate-data", "--from", &source, "--to", &target])?;
            results.migrate_data_seconds = Some(seconds(copied));
            eprintln!("[{name}] rollout migrate-data: {:.2} s", seconds(copied));
        }
    }

    let port = free_port()?;
    let options = ServeOptions {
        env: vec![
            (
                "ROLLOUT_HTTP_RATE_LIMIT_PER_SECOND".to_owned(),
                "0".to_owned(),
            ),
            (
                "ROLLOUT_METRICS_LISTEN".to_owned(),
                format!("127.0.0.1:{port}"),
            ),
        ],
    };
    let token = prepare::token(rollout, &url)?;
    let server = Server::start(rollout, &ctx.http, &url, options, None).await?;
    let gql = Gql::new(ctx.http.clone(), &server.base_url, &token);
    let summary = gql.post(gql::SUMMARY, serde_json::json!({})).await?;
    results.procedures = summary["rolloutSummary"]["total"]
        .as_i64()
        .context("no total in rolloutSummary")?;
    let metrics_url = format!("http://127.0.0.1:{port}/metrics");
    results.metrics_bytes = ctx
        .http
        .get(&metrics_url)
        .send()
        .await?
        .text()
        .await
        .context("the metrics scrape")?
        .len();
    let scenarios = Scenarios {
        ctx,
        name,
        gql,
        url,
        codes: Arc::new(Vec::new()),
        total: results.procedures,
        probe: Probe {
            server_pid: Some(server.pid()),
            postgres: backend == Backend::Postgres,
            ticks_per_second: ctx.ticks_per_second,
        },
    };
    let scrape = ScrapeOp {
        http: ctx.http.clone(),
        url: metrics_url,
    };
    scenarios
        .timed_for(
            Kind::MetricsScrape,
            &mut [scrape],
            out,
            plan.warmup,
            plan.duration,
        )
        .await;
    server.stop();
    Ok(results)
}

//! One backend's run, in order: the dataset (`rollout demo`, timed), the real server on it, the
//! measurements of [`crate::scenarios`] (reads, then writes, then recorded hearings), peak
//! memory, a statement counting run, the import (timed, on its own database), and
//! start-to-ready on fresh empty databases; then the reminders (issue 12, [`crate::reminders`])
//! on a database of their own. `--only reminders` runs that last part alone. Everything a
//! measurement needs is prepared before its clock starts.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde::Serialize;
use serde_json::Value;

use crate::binary::Rollout;
use crate::blockers;
use crate::cli::{Part, Plan};
use crate::database::{Backend, Databases};
use crate::evidence::{self, EvidenceListOp, TasksOp};
use crate::gql::{self, Gql, ListOp, Movable, PointReadOp, SummaryOp, TransitionOp};
use crate::load::{Probe, Stats};
use crate::operations::OperationsResults;
use crate::prepare;
use crate::reminders::{self, RemindersResults};
use crate::scenarios::{PROCEDURES_PER_CLIENT, Scenarios};
use crate::server::{ServeOptions, Server};
use crate::statements::{self, Counter, StatementCount};

/// Page sizes at which the list's statement count must be the same.
const PAGE_SIZES: [usize; 3] = [10, 50, 100];

/// What the bench measures; the report pairs each HTTP kind with its reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Transition,
    List100,
    PointRead,
    Summary,
    RefTransaction,
    RefTransactionWithAudit,
    RefPointRead,
    TasksOverdue,
    RecordHearing,
    BlockerRanking,
    BlockerRankingAfterChange,
    AddDependency,
    EarliestRelease100,
    Kpis,
    FlowMetrics,
    Bottlenecks,
    Forecast,
    ReportXlsx,
    PageOverview,
    PageList,
    PageListFiltered,
    PageProcedure,
    PageBottlenecks,
    PageLawChanges,
    PageQuality,
    PageReport,
    PageMy,
    PageAdmin,
    MetricsScrape,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Transition => "transitionProcedure (GraphQL)",
            Self::List100 => "procedures(first: 100) + bureau, state, nextTransitions",
            Self::PointRead => "procedure(code:)",
            Self::Summary => "rolloutSummary (all procedures)",
            Self::RefTransaction => "reference: UPDATE … version + INSERT history",
            Self::RefTransactionWithAudit => "reference: the same + INSERT audit_log",
            Self::RefPointRead => "reference: SELECT … WHERE code = $1",
            Self::TasksOverdue => "tasks(overdue, one bureau, first: 100)",
            Self::RecordHearing => "recordHearing, 20 applied outcomes",
            Self::BlockerRanking => "blockerRanking(first: 20), warm",
            Self::BlockerRankingAfterChange => "addDependency, then blockerRanking(first: 20)",
            Self::AddDependency => "addDependency (on a law change)",
            Self::EarliestRelease100 => "procedures(first: 100) { earliestRelease }",
            Self::Kpis => "kpis(asOf, groupBy: [BUREAU]), warm",
            Self::FlowMetrics => "flowMetrics, warm",
            Self::Bottlenecks => "bottlenecks(first: 10), warm",
            Self::Forecast => "forecast(runs: 10000)",
            Self::ReportXlsx => "quarterly report as XLSX",
            Self::PageOverview => "dashboard: GET / (overview), warm",
            Self::PageList => "dashboard: GET /procedures",
            Self::PageListFiltered => "dashboard: GET /procedures?state&priority&q",
            Self::PageProcedure => "dashboard: GET /procedures/{code}",
            Self::PageBottlenecks => "dashboard: GET /bottlenecks",
            Self::PageLawChanges => "dashboard: GET /law-changes",
            Self::PageQuality => "dashboard: GET /quality",
            Self::PageReport => "dashboard: GET /report (last quarter)",
            Self::PageMy => "dashboard: GET /my",
            Self::PageAdmin => "dashboard: GET /admin (as an administrator)",
            Self::MetricsScrape => "GET /metrics (the metrics listener), warm",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub kind: Kind,
    #[serde(flatten)]
    pub stats: Stats,
}

/// Everything measured on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct BackendResults {
    pub backend: Backend,
    pub procedures: i64,
    pub demo_seconds: f64,
    pub import_rows: usize,
    pub import_seconds: f64,
    pub ready_empty_ms: Vec<f64>,
    pub ready_populated_ms: f64,
    /// Peak resident memory with the dataset as loaded, before the recordHearing stock.
    pub peak_rss_mib: Option<f64>,
    /// Peak over the whole run, the recordHearing stock's procedures included.
    pub peak_rss_after_hearings_mib: Option<f64>,
    /// Procedures the recordHearing and graph measurements added (not in `procedures`).
    pub hearing_stock: i64,
    pub measurements: Vec<Measurement>,
    pub statements: Vec<StatementCount>,
    /// Enacting a law change that unblocks 500 waiting procedures, one sample per run, ms.
    pub enact_500_ms: Vec<f64>,
    /// Issue 12's figures, on their own database.
    pub reminders: Option<RemindersResults>,
    /// Why the reminder measurements failed, when they did (the API figures are kept).
    pub reminders_error: Option<String>,
    /// Issue 15's operations, on their own database.
    pub operations: Option<OperationsResults>,
    /// Why the operations failed, when they did.
    pub operations_error: Option<String>,
}

impl BackendResults {
    /// Results with no API measurement (`--only reminders`).
    fn without_api(backend: Backend) -> Self {
        Self {
            backend,
            procedures: 0,
            demo_seconds: 0.0,
            import_rows: 0,
            import_seconds: 0.0,
            ready_empty_ms: Vec::new(),
            ready_populated_ms: 0.0,
            peak_rss_mib: None,
            peak_rss_after_hearings_mib: None,
            hearing_stock: 0,
            measurements: Vec::new(),
            statements: Vec::new(),
            enact_500_ms: Vec::new(),
            reminders: None,
            reminders_error: None,
            operations: None,
            operations_error: None,
        }
    }

    /// Whether the API part ran (it always measures something).
    pub fn api_ran(&self) -> bool {
        self.measurements
            .iter()
            .any(|m| m.kind != Kind::MetricsScrape)
    }
}

/// What every backend's run shares.
#[derive(Debug)]
pub struct Context<'a> {
    pub plan: &'a Plan,
    pub rollout: &'a Rollout,
    pub http: reqwest::Client,
    pub scratch: PathBuf,
    pub ticks_per_second: f64,
}

fn serve_env() -> ServeOptions {
    ServeOptions {
        // The bench's clients share one token; the per-credential limit (50/s by default)
        // would measure the limiter instead of the server.
        env: vec![(
            "ROLLOUT_HTTP_RATE_LIMIT_PER_SECOND".to_owned(),
            "0".to_owned(),
        )],
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// The whole suite on one backend, or the part `--only` names.
pub async fn run(
    ctx: &Context<'_>,
    dbs: &mut Databases,
    backend: Backend,
) -> anyhow::Result<BackendResults> {
    let mut results = match ctx.plan.only {
        Some(Part::Reminders) => BackendResults::without_api(backend),
        Some(Part::Analytics) => return analytics_only(ctx, dbs, backend).await,
        Some(Part::Operations) => {
            let mut results = BackendResults::without_api(backend);
            operations(ctx, dbs, &mut results).await;
            return Ok(results);
        }
        None => {
            let mut results = api(ctx, dbs, backend).await?;
            operations(ctx, dbs, &mut results).await;
            results
        }
    };
    match reminders::run(ctx, dbs, backend).await {
        Ok(r) => results.reminders = Some(r),
        Err(e) => {
            let why = format!("{e:#}");
            eprintln!(
                "[{}] the reminder measurements FAILED: {why}",
                backend.label()
            );
            results.reminders_error = Some(why);
        }
    }
    Ok(results)
}

/// Issue 15's operations into `results`; a failure is recorded, the rest is kept.
async fn operations(ctx: &Context<'_>, dbs: &mut Databases, results: &mut BackendResults) {
    let backend = results.backend;
    match crate::operations::run(ctx, dbs, backend, &mut results.measurements).await {
        Ok(r) => {
            if results.procedures == 0 {
                results.procedures = r.procedures;
            }
            results.operations = Some(r);
        }
        Err(e) => {
            let why = format!("{e:#}");
            eprintln!("[{}] the operations FAILED: {why}", backend.label());
            results.operations_error = Some(why);
        }
    }
}

/// Only the project office's reads (`--only analytics`), on their own demo database.
async fn analytics_only(
    ctx: &Context<'_>,
    dbs: &mut Databases,
    backend: Backend,
) -> anyhow::Result<BackendResults> {
    let plan = ctx.plan;
    let name = backend.label();
    let url = dbs.fresh(backend, "main").await?;
    eprintln!("[{name}] rollout demo --synthetic {} …", plan.procedures);
    let demo = prepare::demo(ctx.rollout, &url, plan.procedures)?;
    let token = prepare::token(ctx.rollout, &url)?;
    let server = Server::start(ctx.rollout, &ctx.http, &url, serve_env(), None).await?;
    let gql = Gql::new(ctx.http.clone(), &server.base_url, &token);
    let summary = gql.post(gql::SUMMARY, serde_json::json!({})).await?;
    let total = summary["rolloutSummary"]["total"]
        .as_i64()
        .context("no total in rolloutSummary")?;
    let probe = Probe {
        server_pid: Some(server.pid()),
        postgres: backend == Backend::Postgres,
        ticks_per_second: ctx.ticks_per_second,
    };
    let scenarios = Scenarios {
        ctx,
        name,
        gql,
        url,
        codes: Arc::new(Vec::new()),
        total,
        probe,
    };
    let mut measurements = Vec::new();
    scenarios.analytics(&mut measurements).await?;
    scenarios
        .web(&token, &server.base_url, &mut measurements)
        .await?;
    server.stop();
    Ok(BackendResults {
        procedures: total,
        demo_seconds: (demo.as_secs_f64() * 100.0).round() / 100.0,
        measurements,
        ..BackendResults::without_api(backend)
    })
}

/// Issues 8–11's measurements: the API, the reference, import and start-up.
async fn api(
    ctx: &Context<'_>,
    dbs: &mut Databases,
    backend: Backend,
) -> anyhow::Result<BackendResults> {
    let plan = ctx.plan;
    let name = backend.label();
    let url = dbs.fresh(backend, "main").await?;
    eprintln!("[{name}] rollout demo --synthetic {} …", plan.procedures);
    let demo = prepare::demo(ctx.rollout, &url, plan.procedures)?;
    let token = prepare::token(ctx.rollout, &url)?;
    let server = Server::start(ctx.rollout, &ctx.http, &url, serve_env(), None).await?;
    let gql = Gql::new(ctx.http.clone(), &server.base_url, &token);
    let codes = Arc::new(
        gql.codes()
            .await
            .context("cannot list the procedure codes")?,
    );
    let summary = gql.post(gql::SUMMARY, serde_json::json!({})).await?;
    let total = summary["rolloutSummary"]["total"]
        .as_i64()
        .context("no total in rolloutSummary")?;
    let max_clients = plan.clients.iter().copied().max().unwrap_or(1);
    let mut movable = gql.movable(max_clients * PROCEDURES_PER_CLIENT).await?;
    if movable.len() < max_clients {
        bail!(
            "only {} procedures in hearing or scheduled; {max_clients} clients need one each (use more --procedures)",
            movable.len()
        );
    }
    let (bureau, overdue) = evidence::busiest_bureau(&gql)
        .await
        .context("cannot count overdue tasks per bureau")?;
    eprintln!("[{name}] overdue tasks measured on {bureau} ({overdue} overdue)");
    let probe = Probe {
        server_pid: Some(server.pid()),
        postgres: backend == Backend::Postgres,
        ticks_per_second: ctx.ticks_per_second,
    };
    let scenarios = Scenarios {
        ctx,
        name,
        gql: gql.clone(),
        url: url.clone(),
        codes: Arc::clone(&codes),
        total,
        probe,
    };
    // Reads first, on the database as loaded: the transition runs leave tens of thousands of
    // dead row versions behind (until autovacuum), which would slow the reads measured after.
    let mut measurements = Vec::new();
    for &clients in &plan.clients {
        scenarios.reads(clients, &mut measurements).await?;
        scenarios.tasks(clients, &bureau, &mut measurements).await?;
    }
    // The project office's reads, warm, on the database as loaded.
    scenarios.analytics(&mut measurements).await?;
    scenarios
        .web(&token, &server.base_url, &mut measurements)
        .await?;
    for &clients in &plan.clients {
        scenarios
            .writes(clients, &movable, &mut measurements)
            .await?;
        // The next client count starts from the versions this one left.
        movable = refresh(&gql, movable).await?;
    }
    // The memory budget is for the dataset as loaded: read the peak before the hearings' stock
    // adds its procedures.
    let mib = |kib: u64| (kib as f64 / 1024.0 * 10.0).round() / 10.0;
    let peak_rss_mib = server.peak_rss_kib().map(mib);
    let loaded = total;
    let mut total = total;
    // The dependency graph, on its own small stock (which it leaves in `hearing`), before the
    // hearings' stock multiplies the procedures the graph questions would read.
    let (enact_500_ms, graph_stock) = scenarios.graph(&mut measurements).await?;
    total += graph_stock as i64;
    // Last: every hearing adds procedures (its stock) and moves them, tasks and history rows.
    for &clients in &plan.clients {
        total += scenarios.hearings(clients, &mut measurements).await? as i64;
    }
    let peak_rss_after_hearings_mib = server.peak_rss_kib().map(mib);
    let ready_populated_ms = ms(server.ready_after);
    server.stop();

    eprintln!("[{name}] counting SQL statements per request …");
    let statements = count_statements(ctx, &url, &token, &movable, &codes, total, &bureau).await?;
    eprintln!(
        "[{name}] rollout import procedures ({} rows) …",
        plan.rows_to_import
    );
    let import_url = dbs.fresh(backend, "import").await?;
    let import_dir = ctx.scratch.join(format!("import-{}", name.to_lowercase()));
    std::fs::create_dir_all(&import_dir)?;
    let import = prepare::import(ctx.rollout, &import_url, plan.rows_to_import, &import_dir)?;
    eprintln!("[{name}] start to /readyz on empty databases …");
    let mut ready_empty_ms = Vec::new();
    for i in 0..plan.ready_samples {
        let empty = dbs.fresh(backend, &format!("empty{i}")).await?;
        let server = Server::start(ctx.rollout, &ctx.http, &empty, serve_env(), None).await?;
        ready_empty_ms.push(ms(server.ready_after));
        server.stop();
    }
    Ok(BackendResults {
        backend,
        procedures: loaded,
        demo_seconds: (demo.as_secs_f64() * 100.0).round() / 100.0,
        import_rows: plan.rows_to_import,
        import_seconds: (import.as_secs_f64() * 100.0).round() / 100.0,
        ready_empty_ms,
        ready_populated_ms,
        peak_rss_mib,
        peak_rss_after_hearings_mib,
        hearing_stock: total - loaded,
        measurements,
        statements,
        enact_500_ms,
        reminders: None,
        reminders_error: None,
        operations: None,
        operations_error: None,
    })
}

/// The same procedures with their current state and version, read through the API.
async fn refresh(gql: &Gql, movable: Vec<Movable>) -> anyhow::Result<Vec<Movable>> {
    let mut fresh = Vec::with_capacity(movable.len());
    for mut p in movable {
        let data = gql
            .post(gql::POINT_READ, serde_json::json!({ "code": p.code }))
            .await?;
        let node = &data["procedure"];
        p.version = i32::try_from(node["version"].as_i64().context("no version")?)?;
        p.state = node["state"]["key"]
            .as_str()
            .context("no state")?
            .to_owned();
        fresh.push(p);
    }
    Ok(fresh)
}

/// A separate server run with sqlx's statement log on (see [`statements`]).
async fn count_statements(
    ctx: &Context<'_>,
    url: &str,
    token: &str,
    movable: &[Movable],
    codes: &Arc<Vec<String>>,
    total: i64,
    bureau: &str,
) -> anyhow::Result<Vec<StatementCount>> {
    let counter = Arc::new(Counter::default());
    let options = ServeOptions {
        env: statements::counting_env(),
    };
    let server = Server::start(ctx.rollout, &ctx.http, url, options, Some(counter.sink())).await?;
    let gql = Gql::new(ctx.http.clone(), &server.base_url, token);
    let n = ctx.plan.statement_samples;
    let mut counts = Vec::new();
    for size in PAGE_SIZES {
        let mut op = ListOp {
            gql: gql.clone(),
            page_size: size,
            after: Value::Null,
        };
        counts.push(statements::count(&counter, &format!("list of {size}"), &mut op, n).await?);
    }
    for size in PAGE_SIZES {
        let mut op = TasksOp {
            gql: gql.clone(),
            bureau: bureau.to_owned(),
            page_size: size,
        };
        let what = format!("tasks overdue, page of {size}");
        counts.push(statements::count(&counter, &what, &mut op, n).await?);
    }
    for size in PAGE_SIZES {
        let mut op = EvidenceListOp {
            gql: gql.clone(),
            page_size: size,
            after: Value::Null,
        };
        let what = format!("procedures with evidence, page of {size}");
        counts.push(statements::count(&counter, &what, &mut op, n).await?);
    }
    let procedures = refresh(&gql, movable.iter().take(1).cloned().collect()).await?;
    let mut op = TransitionOp {
        gql: gql.clone(),
        procedures,
        next: 0,
    };
    counts.push(statements::count(&counter, "transitionProcedure", &mut op, n).await?);
    let mut op = PointReadOp::new(gql.clone(), Arc::clone(codes), 7);
    counts.push(statements::count(&counter, "procedure(code:)", &mut op, n).await?);
    let mut op = SummaryOp {
        gql: gql.clone(),
        expected_total: total,
    };
    counts.push(statements::count(&counter, "rolloutSummary", &mut op, n).await?);
    let mut op = blockers::RankingOp { gql: gql.clone() };
    counts.push(statements::count(&counter, "blockerRanking(first: 20)", &mut op, n).await?);
    for size in PAGE_SIZES {
        let mut op = blockers::EarliestPageOp {
            gql: gql.clone(),
            page_size: size,
        };
        let what = format!("earliestRelease, page of {size}");
        counts.push(statements::count(&counter, &what, &mut op, n).await?);
    }
    if counts.iter().all(|c| c.per_request == 0) {
        bail!(
            "the server logged no sqlx statements with ROLLOUT_LOG=warn,sqlx::query=debug; last stderr: {}",
            server.stderr_tail()
        );
    }
    server.stop();
    Ok(counts)
}

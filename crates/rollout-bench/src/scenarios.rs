//! The measurements of one running server, each next to its reference: reads (a list page, a
//! point read and its reference, the summary, a bureau's overdue tasks) and writes (transitions
//! and the two reference transactions; hearings that apply 20 outcomes), at a given number of
//! clients. Each prints its line as it finishes.

use std::sync::Arc;

use serde_json::Value;

use crate::analytics::{self, QueryOp, XlsxOp};
use crate::blockers::{
    self, AddDependencyOp, ChangedRankingOp, EarliestPageOp, RankingOp, UNBLOCKED,
};
use crate::evidence::{self, HearingOp, OUTCOMES, TasksOp};
use crate::gql::{self, Gql, ListOp, Movable, PointReadOp, SummaryOp, TransitionOp};
use crate::load::{self, Op, Probe, Stats};
use crate::prepare;
use crate::reference::{Pools, RefPointReadOp, RefTransitionOp};
use crate::suite::{Context, Kind, Measurement};

/// Procedures each transition client moves in turn.
pub const PROCEDURES_PER_CLIENT: usize = 16;

/// What the measurements of one server share.
#[derive(Debug)]
pub struct Scenarios<'a> {
    pub ctx: &'a Context<'a>,
    /// The backend's name, for progress lines.
    pub name: &'static str,
    pub gql: Gql,
    /// The database the server runs on, which the reference opens too.
    pub url: String,
    pub codes: Arc<Vec<String>>,
    /// The summary's expected total.
    pub total: i64,
    pub probe: Probe,
}

impl Scenarios<'_> {
    async fn timed<O: Op>(&self, kind: Kind, ops: &mut [O], out: &mut Vec<Measurement>) {
        let plan = self.ctx.plan;
        self.timed_for(kind, ops, out, plan.warmup, plan.duration)
            .await;
    }

    /// [`Self::timed`] with its own warm-up and window.
    pub(crate) async fn timed_for<O: Op>(
        &self,
        kind: Kind,
        ops: &mut [O],
        out: &mut Vec<Measurement>,
        warmup: std::time::Duration,
        window: std::time::Duration,
    ) {
        let stats: Stats = load::measure(ops, warmup, window, self.probe).await;
        eprintln!(
            "[{}] {:<58} {} client(s): {:>8.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms{}",
            self.name,
            kind.label(),
            stats.clients,
            stats.per_second,
            stats.p50_ms,
            stats.p99_ms,
            if stats.errors > 0 {
                // The first error says why, cut short: a refused import lists every line.
                let first: String = stats
                    .first_error
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(300)
                    .collect();
                format!("  {} errors (first: {first})", stats.errors)
            } else {
                String::new()
            }
        );
        out.push(Measurement { kind, stats });
    }

    /// The project office's reads (issue 13), one client each, warm (the first call of each
    /// is in the warm-up): KPIs as of the end of the last quarter, flow, bottlenecks, the
    /// forecast with 10,000 runs and the last quarter's report as XLSX.
    pub async fn analytics(&self, out: &mut Vec<Measurement>) -> anyhow::Result<()> {
        let today = (chrono::Utc::now() + chrono::TimeDelta::hours(9)).date_naive();
        let (last, last_day) = analytics::last_quarter(today);
        let gql = &self.gql;
        let as_of = last_day.to_string();
        // A forecast or a workbook can take longer than the quick mode's sub-second window (a
        // debug build in CI): give each at least 2 s of warm-up and 3 s of measurement.
        let plan = self.ctx.plan;
        let warmup = plan.warmup.max(std::time::Duration::from_secs(2));
        let window = plan.duration.max(std::time::Duration::from_secs(3));
        let ops = [
            (Kind::Kpis, QueryOp::kpis(gql, &as_of)),
            (
                Kind::FlowMetrics,
                QueryOp::plain(gql, analytics::FLOW, "flowMetrics"),
            ),
            (
                Kind::Bottlenecks,
                QueryOp::plain(gql, analytics::BOTTLENECKS, "bottlenecks"),
            ),
            (
                Kind::Forecast,
                QueryOp::plain(gql, analytics::FORECAST, "forecast"),
            ),
        ];
        for (kind, op) in ops {
            self.timed_for(kind, &mut [op], out, warmup, window).await;
        }
        let xlsx = XlsxOp {
            gql: gql.clone(),
            quarter: last,
        };
        self.timed_for(Kind::ReportXlsx, &mut [xlsx], out, warmup, window)
            .await;
        Ok(())
    }

    /// The dashboard's pages (issue 14), warm, one client each, with the analytics' window.
    pub async fn web(
        &self,
        token: &str,
        base: &str,
        out: &mut Vec<Measurement>,
    ) -> anyhow::Result<()> {
        use crate::web::{Browser, PageOp};
        let browser = Browser::sign_in(base, token).await?;
        let plan = self.ctx.plan;
        let warmup = plan.warmup.max(std::time::Duration::from_secs(2));
        let window = plan.duration.max(std::time::Duration::from_secs(3));
        let first = self
            .gql
            .post(
                "{ procedures(first: 1, filter: { states: [\"released\"], category: MAJOR }) { edges { node { code } } } }",
                serde_json::json!({}),
            )
            .await?;
        let code = first["procedures"]["edges"][0]["node"]["code"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no procedure to show"))?
            .to_owned();
        let pages = [
            (Kind::PageOverview, "/".to_owned()),
            (Kind::PageList, "/procedures".to_owned()),
            (Kind::PageListFiltered, crate::web::PAGES[2].1.to_owned()),
            (Kind::PageProcedure, format!("/procedures/{code}")),
            (Kind::PageBottlenecks, "/bottlenecks".to_owned()),
            (Kind::PageLawChanges, "/law-changes".to_owned()),
            (Kind::PageQuality, "/quality".to_owned()),
            (Kind::PageReport, "/report".to_owned()),
            (Kind::PageMy, "/my".to_owned()),
        ];
        let admin_token = crate::prepare::user_token(
            self.ctx.rollout,
            &self.url,
            "bench-admin@rollout.local",
            "ADMIN",
        )?;
        let admin = Browser::sign_in(base, &admin_token).await?;
        let pages = pages
            .into_iter()
            .map(|(kind, path)| (kind, path, browser.clone()))
            .chain([(Kind::PageAdmin, "/admin".to_owned(), admin)]);
        for (kind, path, browser) in pages {
            let largest = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let op = PageOp {
                browser,
                path: path.clone(),
                largest: largest.clone(),
            };
            self.timed_for(kind, &mut [op], out, warmup, window).await;
            eprintln!(
                "[{}] {path}: largest page {} KB (budget 200 KB)",
                self.name,
                largest.load(std::sync::atomic::Ordering::Relaxed) / 1024
            );
        }
        Ok(())
    }

    /// The list page, the point read and its reference, and the summary.
    pub async fn reads(&self, clients: usize, out: &mut Vec<Measurement>) -> anyhow::Result<()> {
        let mut ops: Vec<ListOp> = (0..clients)
            .map(|_| ListOp {
                gql: self.gql.clone(),
                page_size: 100,
                after: Value::Null,
            })
            .collect();
        self.timed(Kind::List100, &mut ops, out).await;
        let mut ops: Vec<PointReadOp> = (0..clients)
            .map(|i| PointReadOp::new(self.gql.clone(), Arc::clone(&self.codes), i as u64))
            .collect();
        self.timed(Kind::PointRead, &mut ops, out).await;
        let pools = Pools::open(&self.url, clients).await?;
        let mut ops: Vec<RefPointReadOp> = (0..clients)
            .map(|i| RefPointReadOp::new(pools.clone(), Arc::clone(&self.codes), i as u64))
            .collect();
        self.timed(Kind::RefPointRead, &mut ops, out).await;
        pools.close().await;
        let mut ops: Vec<SummaryOp> = (0..clients)
            .map(|_| SummaryOp {
                gql: self.gql.clone(),
                expected_total: self.total,
            })
            .collect();
        self.timed(Kind::Summary, &mut ops, out).await;
        Ok(())
    }

    /// Transitions over GraphQL, then the two reference transactions on the same procedures.
    pub async fn writes(
        &self,
        clients: usize,
        movable: &[Movable],
        out: &mut Vec<Measurement>,
    ) -> anyhow::Result<()> {
        let own = &movable[..movable.len().min(clients * PROCEDURES_PER_CLIENT)];
        let mut ops: Vec<TransitionOp> = gql::deal(own, clients)
            .into_iter()
            .map(|procedures| TransitionOp {
                gql: self.gql.clone(),
                procedures,
                next: 0,
            })
            .collect();
        self.timed(Kind::Transition, &mut ops, out).await;
        let pools = Pools::open(&self.url, clients).await?;
        for (kind, with_audit) in [
            (Kind::RefTransaction, false),
            (Kind::RefTransactionWithAudit, true),
        ] {
            let mut ops = reference_transitions(&pools, own, clients, with_audit).await?;
            self.timed(kind, &mut ops, out).await;
        }
        pools.close().await;
        Ok(())
    }
}

impl Scenarios<'_> {
    /// The first page of 100 of `bureau`'s overdue tasks.
    pub async fn tasks(
        &self,
        clients: usize,
        bureau: &str,
        out: &mut Vec<Measurement>,
    ) -> anyhow::Result<()> {
        let mut ops: Vec<TasksOp> = (0..clients)
            .map(|_| TasksOp {
                gql: self.gql.clone(),
                bureau: bureau.to_owned(),
                page_size: 100,
            })
            .collect();
        self.timed(Kind::TasksOverdue, &mut ops, out).await;
        Ok(())
    }

    /// `recordHearing` with 20 applied outcomes, each call on 20 procedures no call has used:
    /// first (untimed) `rollout import procedures` adds as many as the measurement can use at
    /// [`prepare::HEARINGS_PER_SECOND`], then they are dealt out to the clients. Returns how
    /// many procedures were added.
    pub async fn hearings(
        &self,
        clients: usize,
        out: &mut Vec<Measurement>,
    ) -> anyhow::Result<usize> {
        let plan = self.ctx.plan;
        let seconds = (plan.warmup + plan.duration).as_secs_f64();
        let batches = (seconds * prepare::HEARINGS_PER_SECOND).ceil() as usize;
        let dir = self
            .ctx
            .scratch
            .join(format!("stock-{}", self.name.to_lowercase()));
        std::fs::create_dir_all(&dir)?;
        // One round of stock codes per client count, so a later measurement never re-imports
        // an earlier one's codes.
        let round = self
            .ctx
            .plan
            .clients
            .iter()
            .position(|&c| c == clients)
            .unwrap_or(9);
        let added =
            prepare::hearing_stock(self.ctx.rollout, &self.url, round, batches, OUTCOMES, &dir)?;
        let stock = evidence::hearing_stock(&self.gql).await?;
        let mut ops: Vec<HearingOp> = gql::deal(&stock, clients)
            .into_iter()
            .map(|batches| HearingOp {
                gql: self.gql.clone(),
                batches,
                next: 0,
            })
            .collect();
        self.timed(Kind::RecordHearing, &mut ops, out).await;
        Ok(added)
    }
}

/// Enactments of a law change unblocking [`UNBLOCKED`] procedures, one per sample.
const ENACTMENTS: usize = 3;
/// The stock round of the graph scenarios (the hearings use one per client count from 0).
const GRAPH_ROUND: usize = 9;
/// Stock procedures paired with law changes for new edges.
const PAIRED: usize = 300;

impl Scenarios<'_> {
    /// The dependency graph: the ranking warm (1 client) and after a change, `addDependency`
    /// and a page of earliest releases at every client count, then [`ENACTMENTS`] enactments
    /// unblocking [`UNBLOCKED`] procedures each (returned, in ms, with how many procedures the
    /// stock added).
    pub async fn graph(&self, out: &mut Vec<Measurement>) -> anyhow::Result<(Vec<f64>, usize)> {
        let dir = self
            .ctx
            .scratch
            .join(format!("graph-{}", self.name.to_lowercase()));
        std::fs::create_dir_all(&dir)?;
        let wanted = ENACTMENTS * UNBLOCKED + PAIRED;
        let added = prepare::hearing_stock(
            self.ctx.rollout,
            &self.url,
            GRAPH_ROUND,
            wanted / 20,
            20,
            &dir,
        )?;
        let stock = blockers::stock(&self.gql).await?;
        if stock.len() < wanted {
            anyhow::bail!(
                "the graph stock has {} procedures, not {wanted}",
                stock.len()
            );
        }
        let (enact, paired) = stock.split_at(ENACTMENTS * UNBLOCKED);
        let laws = blockers::open_law_changes(&self.gql).await?;
        if laws.is_empty() {
            anyhow::bail!("the dataset has no open law change to depend on");
        }
        // Every (procedure, law change) pair once, neighbours on different procedures.
        let pairs: Vec<(String, String)> = laws
            .iter()
            .flat_map(|l| paired.iter().map(move |(p, _)| (p.clone(), l.clone())))
            .collect();
        let mut used = 0;
        let mut next_pairs = |clients: usize, per_client: usize| {
            let take = &pairs[used..(used + clients * per_client).min(pairs.len())];
            used += take.len();
            gql::deal(take, clients)
        };
        let plan = self.ctx.plan;
        // Enough for 1,000 calls a second per client, or a fair share of the pairs there are
        // (one client after a change, then every client count): a client that runs out
        // fails visibly instead of measuring something else.
        let clients_in_all = 1 + plan.clients.iter().sum::<usize>();
        let per_client = (((plan.warmup + plan.duration).as_secs_f64() * 1000.0) as usize)
            .min(pairs.len() / clients_in_all);
        self.timed(
            Kind::BlockerRanking,
            &mut [RankingOp {
                gql: self.gql.clone(),
            }],
            out,
        )
        .await;
        let mut ops: Vec<ChangedRankingOp> = next_pairs(1, per_client)
            .into_iter()
            .map(|pairs| ChangedRankingOp {
                add: AddDependencyOp {
                    gql: self.gql.clone(),
                    pairs,
                    next: 0,
                },
            })
            .collect();
        self.timed(Kind::BlockerRankingAfterChange, &mut ops, out)
            .await;
        for &clients in &plan.clients {
            let mut ops: Vec<AddDependencyOp> = next_pairs(clients, per_client)
                .into_iter()
                .map(|pairs| AddDependencyOp {
                    gql: self.gql.clone(),
                    pairs,
                    next: 0,
                })
                .collect();
            self.timed(Kind::AddDependency, &mut ops, out).await;
            let mut ops: Vec<EarliestPageOp> = (0..clients)
                .map(|_| EarliestPageOp {
                    gql: self.gql.clone(),
                    page_size: 100,
                })
                .collect();
            self.timed(Kind::EarliestRelease100, &mut ops, out).await;
        }
        let bureau = enact[0].1.split('-').next().unwrap_or("KANKYO").to_owned();
        let mut took = Vec::new();
        for (k, hand) in enact.chunks(UNBLOCKED).enumerate() {
            let d = blockers::enact_500(&self.gql, hand, &bureau, k).await?;
            let ms = (d.as_secs_f64() * 10_000.0).round() / 10.0;
            eprintln!(
                "[{}] enacting a law change that unblocks {UNBLOCKED}: {ms} ms",
                self.name
            );
            took.push(ms);
        }
        Ok((took, added))
    }
}

/// One reference client per hand of procedures, each starting from the stored version.
async fn reference_transitions(
    pools: &Pools,
    own: &[Movable],
    clients: usize,
    with_audit: bool,
) -> anyhow::Result<Vec<RefTransitionOp>> {
    let mut ops = Vec::new();
    for hand in gql::deal(own, clients) {
        let mut procedures = Vec::new();
        for p in hand {
            procedures.push(pools.current(&p.code).await?);
        }
        ops.push(RefTransitionOp {
            pools: pools.clone(),
            procedures,
            next: 0,
            with_audit,
        });
    }
    Ok(ops)
}

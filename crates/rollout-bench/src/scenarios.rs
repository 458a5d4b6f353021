//! The measurements of one running server, each next to its reference: reads (a list page, a
//! point read and its reference, the summary, a bureau's overdue tasks) and writes (transitions
//! and the two reference transactions; hearings that apply 20 outcomes), at a given number of
//! clients. Each prints its line as it finishes.

use std::sync::Arc;

use serde_json::Value;

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
        let stats: Stats = load::measure(ops, plan.warmup, plan.duration, self.probe).await;
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

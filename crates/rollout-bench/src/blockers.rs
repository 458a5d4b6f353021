//! The dependency-graph scenarios (issue 11) as a client sees them: `blockerRanking(first: 20)`
//! warm ([`RankingOp`]) and right after a change ([`ChangedRankingOp`]: an `addDependency`
//! then the ranking, so the server must rebuild its graph), `addDependency` with its cycle
//! check ([`AddDependencyOp`]), a page of 100 procedures with `earliestRelease`
//! ([`EarliestPageOp`]), and enacting a law change that unblocks 500 waiting procedures
//! ([`enact_500`], one transaction, timed whole).
//!
//! New edges need pairs no call has used: each pairs a procedure of the bench's own stock
//! (imported untimed, with no edges, codes `<BUREAU>-99nnnn`) with an open law change.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::gql::Gql;
use crate::load::Op;

pub const RANKING: &str = "{ blockerRanking(first: 20) { procedures processes \
    annualApplications fullyUnblocked blocker { __typename \
    ... on LawChange { code } ... on Milestone { name } ... on Procedure { code } } } }";
pub const ADD_DEPENDENCY: &str = "mutation($p: ID!, $on: ID!) { addDependency(input: \
    { procedureId: $p, on: $on, reason: \"bench\" }) { dependency { id } errors { code message } } }";
pub const EARLIEST_PAGE: &str = "query($first: Int!) { procedures(first: $first) { edges { node { \
    code earliestRelease { quarter date atRisk decidedBy { __typename } } } } } }";
const LAW_CHANGES: &str = "query($after: String) { lawChanges(first: 500, after: $after) { \
    edges { node { id code status } } pageInfo { hasNextPage endCursor } } }";
const STOCK: &str = "query($after: String) { procedures(first: 500, after: $after, \
    filter: { search: \"-99\", states: [\"hearing\"] }) { edges { node { id code version } } \
    pageInfo { hasNextPage endCursor } } }";
const CREATE_LAW: &str = "mutation($code: String!, $bureau: String!) { createLawChange(input: \
    { code: $code, titleJa: \"ベンチマーク用の法令改正\", titleEn: \"Bench law change\", \
    level: NATIONAL_LAW, ownerBureauCode: $bureau }) { lawChange { id version } errors { code message } } }";
const LAW_STATUS: &str = "mutation($id: ID!, $v: Int!, $status: LawChangeStatus!, $on: Date) { \
    changeLawChangeStatus(input: { id: $id, expectedVersion: $v, status: $status, on: $on, \
    reason: \"bench\" }) { lawChange { version } unblocked { code } stillBlocked { procedure { code } } \
    errors { code message } } }";
const WAIT: &str = "mutation($id: ID!, $v: Int!) { transitionProcedure(input: { procedureId: $id, \
    to: \"awaiting_law_change\", expectedVersion: $v, comment: \"bench: waits for a law change\" }) \
    { procedure { version } errors { code message } } }";

/// Procedures one law change unblocks in the enactment measurement.
pub const UNBLOCKED: usize = 500;

/// Fails on payload errors.
fn no_errors(payload: &Value, what: &str) -> anyhow::Result<()> {
    match payload["errors"].as_array() {
        Some(e) if !e.is_empty() => bail!("{what} refused: {payload}"),
        _ => Ok(()),
    }
}

/// `(id, code)` of the procedures of the bench's own stock still in `hearing`.
pub async fn stock(gql: &Gql) -> anyhow::Result<Vec<(String, String)>> {
    let nodes = gql.all_nodes(STOCK).await?;
    Ok(nodes
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?.to_owned(), n["code"].as_str()?.to_owned())))
        .filter(|(_, code)| code.contains("-99"))
        .collect())
}

/// The ids of the open law changes.
pub async fn open_law_changes(gql: &Gql) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = gql.post(LAW_CHANGES, json!({ "after": after })).await?;
        let page = &data["lawChanges"];
        for e in page["edges"].as_array().context("no law change edges")? {
            let status = e["node"]["status"].as_str().unwrap_or_default();
            if status != "ENACTED" && status != "WITHDRAWN" {
                out.push(e["node"]["id"].as_str().context("no id")?.to_owned());
            }
        }
        if page["pageInfo"]["hasNextPage"] != Value::Bool(true) {
            return Ok(out);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// `blockerRanking(first: 20)` on an unchanged graph.
#[derive(Debug)]
pub struct RankingOp {
    pub gql: Gql,
}

impl Op for RankingOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let data = self.gql.post(RANKING, json!({})).await?;
        let n = data["blockerRanking"]
            .as_array()
            .context("no blockerRanking")?
            .len();
        if n == 0 || n > 20 {
            bail!("blockerRanking(first: 20) returned {n} blockers");
        }
        Ok(())
    }
}

/// New edges, round robin over the client's own `(procedure, law change)` pairs.
#[derive(Debug)]
pub struct AddDependencyOp {
    pub gql: Gql,
    pub pairs: Vec<(String, String)>,
    pub next: usize,
}

impl AddDependencyOp {
    async fn add(&mut self) -> anyhow::Result<()> {
        let Some((p, on)) = self.pairs.get(self.next).cloned() else {
            bail!("ran out of prepared (procedure, law change) pairs");
        };
        self.next += 1;
        let data = self
            .gql
            .post(ADD_DEPENDENCY, json!({ "p": p, "on": on }))
            .await?;
        no_errors(&data["addDependency"], "addDependency")
    }
}

impl Op for AddDependencyOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        self.add().await
    }
}

/// An `addDependency` followed by `blockerRanking(first: 20)`: the first ranking after a change.
#[derive(Debug)]
pub struct ChangedRankingOp {
    pub add: AddDependencyOp,
}

impl Op for ChangedRankingOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        self.add.add().await?;
        RankingOp {
            gql: self.add.gql.clone(),
        }
        .call()
        .await
    }
}

/// A page of procedures with their earliest release.
#[derive(Debug)]
pub struct EarliestPageOp {
    pub gql: Gql,
    pub page_size: usize,
}

impl Op for EarliestPageOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let data = self
            .gql
            .post(EARLIEST_PAGE, json!({ "first": self.page_size }))
            .await?;
        let edges = data["procedures"]["edges"].as_array().context("no edges")?;
        if edges.len() != self.page_size
            || edges
                .iter()
                .any(|e| e["node"]["earliestRelease"]["date"].is_null())
        {
            bail!("a page without every earliest release: {data}");
        }
        Ok(())
    }
}

/// Sets up `UNBLOCKED` stock procedures waiting on one new law change (untimed), then times
/// its enactment; checks that every one of them moved. `k` numbers the law change.
pub async fn enact_500(
    gql: &Gql,
    stock: &[(String, String)],
    bureau: &str,
    k: usize,
) -> anyhow::Result<Duration> {
    if stock.len() < UNBLOCKED {
        bail!(
            "only {} stock procedures for {UNBLOCKED} to unblock",
            stock.len()
        );
    }
    let data = gql
        .post(
            CREATE_LAW,
            json!({ "code": format!("BENCH-{k:04}"), "bureau": bureau }),
        )
        .await?;
    no_errors(&data["createLawChange"], "createLawChange")?;
    let law = data["createLawChange"]["lawChange"]["id"]
        .as_str()
        .context("no law change id")?
        .to_owned();
    let mut version = data["createLawChange"]["lawChange"]["version"]
        .as_i64()
        .context("no version")?;
    for (id, _) in &stock[..UNBLOCKED] {
        let data = gql.post(WAIT, json!({ "id": id, "v": 1 })).await?;
        no_errors(&data["transitionProcedure"], "transitionProcedure")?;
        let data = gql
            .post(ADD_DEPENDENCY, json!({ "p": id, "on": law }))
            .await?;
        no_errors(&data["addDependency"], "addDependency")?;
    }
    let data = gql
        .post(
            LAW_STATUS,
            json!({ "id": law, "v": version, "status": "REQUESTED" }),
        )
        .await?;
    no_errors(&data["changeLawChangeStatus"], "changeLawChangeStatus")?;
    version += 1;
    let started = Instant::now();
    let data = gql
        .post(
            LAW_STATUS,
            json!({ "id": law, "v": version, "status": "ENACTED", "on": "2026-04-01" }),
        )
        .await?;
    let took = started.elapsed();
    let payload = &data["changeLawChangeStatus"];
    no_errors(payload, "the enactment")?;
    let moved = payload["unblocked"].as_array().map_or(0, Vec::len);
    if moved != UNBLOCKED {
        bail!("the enactment moved {moved} procedures, not {UNBLOCKED}");
    }
    Ok(took)
}

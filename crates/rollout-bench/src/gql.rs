//! GraphQL over HTTP as a client sees it: one shared keep-alive `reqwest` client, a bearer
//! token, and the four operations the issue measures ([`TransitionOp`], [`ListOp`],
//! [`PointReadOp`], [`SummaryOp`]), plus finding procedures that can be moved back and forth.
//! Every answer is checked (status 200, no GraphQL errors, no payload errors), so a fast
//! failure never counts as a fast success.

use anyhow::{Context, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::load::Op;

pub const TRANSITION: &str = "mutation($id: ID!, $to: String!, $v: Int!) { \
    transitionProcedure(input: { procedureId: $id, to: $to, expectedVersion: $v }) { \
    procedure { version } errors { code message } } }";
pub const LIST: &str = "query($first: Int!, $after: String) { procedures(first: $first, after: $after) { \
    edges { node { code bureau { code } state { key } nextTransitions { to { key } allowed } } } \
    pageInfo { hasNextPage endCursor } } }";
pub const POINT_READ: &str =
    "query($code: String!) { procedure(code: $code) { id state { key } version } }";
pub const SUMMARY: &str =
    "{ rolloutSummary { total digitised inScope digitisationRate byState { key count } } }";
const MOVABLE: &str = "query($after: String) { procedures(first: 500, after: $after, \
    filter: { states: [\"hearing\", \"scheduled\"] }) { edges { node { id code version \
    state { key } targetQuarter } } pageInfo { hasNextPage endCursor } } }";
const SET_QUARTER: &str = "mutation($id: ID!, $v: Int!) { updateProcedure(input: { id: $id, \
    expectedVersion: $v, targetQuarter: \"FY2027-Q1\" }) { procedure { version } errors { code } } }";
const CODES: &str = "query($after: String) { procedures(first: 500, after: $after) { \
    edges { node { code } } pageInfo { hasNextPage endCursor } } }";

/// A client of one server, as one user.
#[derive(Debug, Clone)]
pub struct Gql {
    http: reqwest::Client,
    url: String,
    bearer: String,
}

impl Gql {
    pub fn new(http: reqwest::Client, base_url: &str, token: &str) -> Self {
        Self {
            http,
            url: format!("{base_url}/graphql"),
            bearer: format!("Bearer {token}"),
        }
    }

    /// `GET` of a path beside `/graphql` with the bearer token; the body's length, failing on
    /// any status but 200.
    pub async fn get_len(&self, path: &str) -> anyhow::Result<usize> {
        let base = self.url.trim_end_matches("/graphql");
        let reply = self
            .http
            .get(format!("{base}{path}"))
            .header("authorization", &self.bearer)
            .send()
            .await
            .context("request failed")?;
        let status = reply.status();
        let body = reply.bytes().await.context("no body")?;
        if !status.is_success() {
            bail!("HTTP {status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body.len())
    }

    /// Sends one request; returns `data`, failing on any HTTP or GraphQL error.
    pub async fn post(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let reply = self
            .http
            .post(&self.url)
            .header("authorization", &self.bearer)
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            )
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .context("request failed")?;
        let status = reply.status();
        let mut body: Value = reply.json().await.context("answer is not JSON")?;
        if !status.is_success() {
            bail!("HTTP {status}: {body}");
        }
        if let Some(errors) = body.get("errors") {
            bail!("GraphQL errors: {errors}");
        }
        Ok(body.get_mut("data").map(Value::take).unwrap_or(Value::Null))
    }

    /// Every page of `query` (which takes `$after` and has `procedures { edges pageInfo }`),
    /// as the list of nodes.
    pub(crate) async fn all_nodes(&self, query: &str) -> anyhow::Result<Vec<Value>> {
        let mut nodes = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = self.post(query, json!({ "after": after })).await?;
            let page = &data["procedures"];
            let edges = page["edges"]
                .as_array()
                .context("no edges in the listing")?;
            nodes.extend(edges.iter().map(|e| e["node"].clone()));
            if page["pageInfo"]["hasNextPage"] != Value::Bool(true) {
                return Ok(nodes);
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
    }

    /// Every procedure code, in code order.
    pub async fn codes(&self) -> anyhow::Result<Vec<String>> {
        let nodes = self.all_nodes(CODES).await?;
        Ok(nodes
            .iter()
            .filter_map(|n| n["code"].as_str().map(str::to_owned))
            .collect())
    }

    /// Up to `wanted` procedures in `hearing` or `scheduled` with a target quarter: each can go
    /// to the other state without a guard or an approval, so a client can move it back and
    /// forth forever. Procedures in `hearing` without a quarter are given one (through the API)
    /// when those with one are too few, as on a small dataset.
    pub async fn movable(&self, wanted: usize) -> anyhow::Result<Vec<Movable>> {
        let nodes = self.all_nodes(MOVABLE).await?;
        let parse = |n: &Value| {
            Some(Movable {
                id: n["id"].as_str()?.to_owned(),
                code: n["code"].as_str()?.to_owned(),
                state: n["state"]["key"].as_str()?.to_owned(),
                version: i32::try_from(n["version"].as_i64()?).ok()?,
            })
        };
        let (ready, unplanned): (Vec<&Value>, Vec<&Value>) =
            nodes.iter().partition(|n| !n["targetQuarter"].is_null());
        let mut movable: Vec<Movable> = ready.into_iter().filter_map(parse).take(wanted).collect();
        for n in unplanned {
            if movable.len() >= wanted {
                break;
            }
            let Some(mut p) = parse(n) else { continue };
            let data = self
                .post(SET_QUARTER, json!({ "id": p.id, "v": p.version }))
                .await?;
            let payload = &data["updateProcedure"];
            match payload["procedure"]["version"].as_i64() {
                Some(v) if payload["errors"].as_array().is_none_or(Vec::is_empty) => {
                    p.version = i32::try_from(v)?;
                    movable.push(p);
                }
                _ => bail!("cannot give {} a target quarter: {payload}", p.code),
            }
        }
        Ok(movable)
    }
}

/// A procedure a client moves between `hearing` and `scheduled`, with the version it last saw.
#[derive(Debug, Clone)]
pub struct Movable {
    pub id: String,
    pub code: String,
    pub state: String,
    pub version: i32,
}

impl Movable {
    pub fn next_state(&self) -> &'static str {
        if self.state == "scheduled" {
            "hearing"
        } else {
            "scheduled"
        }
    }
}

/// Deals `items` out to `clients` like cards, so that no two clients share one.
pub fn deal<T: Clone>(items: &[T], clients: usize) -> Vec<Vec<T>> {
    let mut hands = vec![Vec::new(); clients];
    for (i, item) in items.iter().enumerate() {
        hands[i % clients].push(item.clone());
    }
    hands
}

/// `transitionProcedure` on the client's own procedures, round robin.
#[derive(Debug)]
pub struct TransitionOp {
    pub gql: Gql,
    pub procedures: Vec<Movable>,
    pub next: usize,
}

impl Op for TransitionOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let i = self.next % self.procedures.len();
        self.next += 1;
        let p = &mut self.procedures[i];
        let to = p.next_state();
        let data = self
            .gql
            .post(TRANSITION, json!({ "id": p.id, "to": to, "v": p.version }))
            .await?;
        let payload = &data["transitionProcedure"];
        if let Some(errors) = payload["errors"].as_array()
            && !errors.is_empty()
        {
            // Resynchronise from the server so that one conflict does not poison every call.
            let now = self.gql.post(POINT_READ, json!({ "code": p.code })).await?;
            p.version = i32::try_from(now["procedure"]["version"].as_i64().unwrap_or(0))?;
            p.state = now["procedure"]["state"]["key"]
                .as_str()
                .unwrap_or("hearing")
                .to_owned();
            bail!(
                "transition of {} refused: {}",
                p.code,
                Value::Array(errors.clone())
            );
        }
        let version = payload["procedure"]["version"]
            .as_i64()
            .context("no version in the transition payload")?;
        p.version = i32::try_from(version)?;
        p.state = to.to_owned();
        Ok(())
    }
}

/// Pages of `page_size` procedures with bureau, state and next transitions, walking the whole
/// listing with cursors (so deep pages are measured too) and starting over at the end.
#[derive(Debug)]
pub struct ListOp {
    pub gql: Gql,
    pub page_size: usize,
    pub after: Value,
}

impl Op for ListOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let data = self
            .gql
            .post(
                LIST,
                json!({ "first": self.page_size, "after": self.after }),
            )
            .await?;
        let page = &data["procedures"];
        let got = page["edges"].as_array().map_or(0, Vec::len);
        let more = page["pageInfo"]["hasNextPage"] == Value::Bool(true);
        if got != self.page_size && more {
            bail!("asked for {} procedures, got {got}", self.page_size);
        }
        self.after = if more {
            page["pageInfo"]["endCursor"].clone()
        } else {
            Value::Null
        };
        Ok(())
    }
}

/// `procedure(code:)` for codes drawn at random (a fixed seed per client).
#[derive(Debug)]
pub struct PointReadOp {
    pub gql: Gql,
    pub codes: std::sync::Arc<Vec<String>>,
    pub rng: SmallRng,
}

impl PointReadOp {
    pub fn new(gql: Gql, codes: std::sync::Arc<Vec<String>>, seed: u64) -> Self {
        Self {
            gql,
            codes,
            rng: SmallRng::seed_from_u64(seed),
        }
    }
}

impl Op for PointReadOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let code = &self.codes[self.rng.random_range(0..self.codes.len())];
        let data = self.gql.post(POINT_READ, json!({ "code": code })).await?;
        if data["procedure"]["version"].as_i64().is_none() {
            bail!("procedure {code} not found");
        }
        Ok(())
    }
}

/// `rolloutSummary` over every procedure.
#[derive(Debug)]
pub struct SummaryOp {
    pub gql: Gql,
    /// The total the summary must report.
    pub expected_total: i64,
}

impl Op for SummaryOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let data = self.gql.post(SUMMARY, json!({})).await?;
        let total = data["rolloutSummary"]["total"].as_i64();
        if total != Some(self.expected_total) {
            bail!("summary total {total:?}, expected {}", self.expected_total);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dealing_gives_each_client_its_own_share() {
        let hands = deal(&[1, 2, 3, 4, 5], 2);
        assert_eq!(hands, vec![vec![1, 3, 5], vec![2, 4]]);
        assert_eq!(deal(&[7], 3), vec![vec![7], vec![], vec![]]);
    }

    #[test]
    fn a_procedure_alternates_between_hearing_and_scheduled() {
        let mut p = Movable {
            id: "x".into(),
            code: "KANKYO-0001".into(),
            state: "scheduled".into(),
            version: 3,
        };
        assert_eq!(p.next_state(), "hearing");
        p.state = "hearing".into();
        assert_eq!(p.next_state(), "scheduled");
    }
}

//! The evidence scenarios (hearings, user tests, tasks) as a client sees them: a bureau's
//! overdue tasks ([`TasksOp`]), a hearing that applies 20 outcomes ([`HearingOp`]), and a page
//! of procedures with their hearings, tasks and user tests ([`EvidenceListOp`], counted for
//! statements). Queries are written against the GraphQL contract; every answer is
//! checked like the others (no GraphQL errors, no payload errors, the rows asked for).
//!
//! A hearing moves its procedures out of `hearing`, so each call needs 20 procedures no call
//! has used: [`hearing_stock`] finds the ones `rollout import procedures` added for it
//! (see [`crate::prepare::hearing_stock`]) and deals them out in batches of one bureau each.

use anyhow::{Context, bail};
use chrono::{NaiveDate, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::gql::Gql;
use crate::load::Op;

/// Outcomes per recorded hearing, as the scenario has it.
pub const OUTCOMES: usize = 20;

pub const TASKS_OVERDUE: &str = "query($bureau: String!, $first: Int!) { \
    tasks(first: $first, filter: { overdue: true, bureauCodes: [$bureau] }) { \
    edges { node { id title dueOn status overdue procedure { code } assignee { email } } } \
    pageInfo { hasNextPage endCursor } } }";
const OVERDUE_COUNT: &str = "query($bureau: String!) { \
    tasks(first: 1, filter: { overdue: true, bureauCodes: [$bureau] }) { totalCount } }";
const BUREAUS: &str = "{ bureaus { code } }";
pub const RECORD_HEARING: &str = "mutation($input: RecordHearingInput!) { \
    recordHearing(input: $input) { hearing { id outcomes { applied procedure { version } } } \
    errors { code message path } } }";
pub const EVIDENCE_LIST: &str = "query($first: Int!, $after: String) { \
    procedures(first: $first, after: $after) { edges { node { code \
    hearings { title } tasks { title } userTests { verdict } } } \
    pageInfo { hasNextPage endCursor } } }";
const STOCK: &str = "query($after: String) { procedures(first: 500, after: $after, \
    filter: { states: [\"hearing\"] }) { edges { node { id code version bureau { code } } } \
    pageInfo { hasNextPage endCursor } } }";

/// Today in Asia/Tokyo (UTC+9 all year), as the server judges dates.
fn tokyo_today() -> NaiveDate {
    (Utc::now() + TimeDelta::hours(9)).date_naive()
}

/// The bureau with the most overdue tasks (ties: the first in the bureau list), and how many.
pub async fn busiest_bureau(gql: &Gql) -> anyhow::Result<(String, i64)> {
    let data = gql.post(BUREAUS, json!({})).await?;
    let mut best: Option<(String, i64)> = None;
    for b in data["bureaus"].as_array().context("no bureaus")? {
        let code = b["code"].as_str().context("bureau without a code")?;
        let data = gql.post(OVERDUE_COUNT, json!({ "bureau": code })).await?;
        let n = data["tasks"]["totalCount"]
            .as_i64()
            .context("no totalCount")?;
        if best.as_ref().is_none_or(|(_, m)| n > *m) {
            best = Some((code.to_owned(), n));
        }
    }
    best.context("the database has no bureaus")
}

/// The first page of one bureau's overdue tasks.
#[derive(Debug)]
pub struct TasksOp {
    pub gql: Gql,
    pub bureau: String,
    pub page_size: usize,
}

impl Op for TasksOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let vars = json!({ "bureau": self.bureau, "first": self.page_size });
        let data = self.gql.post(TASKS_OVERDUE, vars).await?;
        let edges = data["tasks"]["edges"]
            .as_array()
            .context("no edges in the task listing")?;
        if edges.len() > self.page_size {
            bail!("asked for {} tasks, got {}", self.page_size, edges.len());
        }
        if let Some(e) = edges
            .iter()
            .find(|e| e["node"]["overdue"] != Value::Bool(true))
        {
            bail!("a task that is not overdue in the overdue listing: {e}");
        }
        Ok(())
    }
}

/// Pages of procedures with their hearings, tasks and user tests, walking the listing.
#[derive(Debug)]
pub struct EvidenceListOp {
    pub gql: Gql,
    pub page_size: usize,
    pub after: Value,
}

impl Op for EvidenceListOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let vars = json!({ "first": self.page_size, "after": self.after });
        let data = self.gql.post(EVIDENCE_LIST, vars).await?;
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

/// One procedure of the stock: its global id and the version it is at.
#[derive(Debug, Clone)]
pub struct Fresh {
    pub id: String,
    pub version: i64,
}

/// 20 procedures of one bureau, all in `hearing`, for one hearing.
#[derive(Debug, Clone)]
pub struct Batch {
    pub bureau: String,
    pub procedures: Vec<Fresh>,
}

/// The stock's procedures (codes `<BUREAU>-9xxxxx`) still in `hearing`, in batches of
/// [`OUTCOMES`] of one bureau each.
pub async fn hearing_stock(gql: &Gql) -> anyhow::Result<Vec<Batch>> {
    let mut by_bureau: Vec<(String, Vec<Fresh>)> = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = gql.post(STOCK, json!({ "after": after })).await?;
        let page = &data["procedures"];
        for e in page["edges"].as_array().context("no edges")? {
            let n = &e["node"];
            let (Some(code), Some(bureau)) = (n["code"].as_str(), n["bureau"]["code"].as_str())
            else {
                continue;
            };
            if !crate::prepare::is_stock_code(code) {
                continue;
            }
            let fresh = Fresh {
                id: n["id"].as_str().context("no id")?.to_owned(),
                version: n["version"].as_i64().context("no version")?,
            };
            match by_bureau.iter_mut().find(|(b, _)| b == bureau) {
                Some((_, list)) => list.push(fresh),
                None => by_bureau.push((bureau.to_owned(), vec![fresh])),
            }
        }
        if page["pageInfo"]["hasNextPage"] != Value::Bool(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let mut batches = Vec::new();
    for (bureau, list) in by_bureau {
        for chunk in list.chunks_exact(OUTCOMES) {
            batches.push(Batch {
                bureau: bureau.clone(),
                procedures: chunk.to_vec(),
            });
        }
    }
    Ok(batches)
}

/// `recordHearing` with [`OUTCOMES`] applied PROCEED outcomes (quarter and platform agreed,
/// `hearing → scheduled`) and two follow-up tasks, one prepared batch per call.
#[derive(Debug)]
pub struct HearingOp {
    pub gql: Gql,
    pub batches: Vec<Batch>,
    pub next: usize,
}

impl HearingOp {
    fn input(&self, batch: &Batch) -> Value {
        let today = tokyo_today();
        let due = (today + TimeDelta::days(14)).to_string();
        let outcomes: Vec<Value> = batch
            .procedures
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let tasks = if i < 2 {
                    json!([{ "title": "議事録の共有", "dueOn": due }])
                } else {
                    json!([])
                };
                json!({
                    "procedureId": p.id,
                    "expectedVersion": p.version,
                    "decision": "PROCEED",
                    "agreedTargetQuarter": "FY2027-Q1",
                    "agreedPlatform": "SAAS_E_APPLICATION",
                    "apply": true,
                    "tasks": tasks,
                })
            })
            .collect();
        json!({
            "bureauCode": batch.bureau,
            "heldOn": today.to_string(),
            "kind": "POLICY_DEPARTMENT",
            "title": format!("ベンチマーク ヒアリング {}", self.next),
            "attendees": ["プロジェクト推進担当", "制度所管部署"],
            "outcomes": outcomes,
        })
    }
}

impl Op for HearingOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let Some(batch) = self.batches.get(self.next).cloned() else {
            bail!(
                "ran out of prepared procedures after {} hearings (raise HEARINGS_PER_SECOND in prepare.rs)",
                self.next
            );
        };
        let input = self.input(&batch);
        self.next += 1;
        let data = self
            .gql
            .post(RECORD_HEARING, json!({ "input": input }))
            .await?;
        let payload = &data["recordHearing"];
        if let Some(errors) = payload["errors"].as_array()
            && !errors.is_empty()
        {
            bail!("hearing refused: {}", Value::Array(errors.clone()));
        }
        let outcomes = payload["hearing"]["outcomes"]
            .as_array()
            .context("no outcomes in the hearing payload")?;
        let applied = outcomes
            .iter()
            .filter(|o| o["applied"] == Value::Bool(true))
            .count();
        if applied != OUTCOMES {
            bail!("{applied} of {OUTCOMES} outcomes applied");
        }
        Ok(())
    }
}

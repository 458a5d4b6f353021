//! The project office's flow view: `flowMetrics` (WIP, time in state, cycle time, throughput,
//! aging WIP, share of time blocked, as of a date), `cumulativeFlow` (counts per state by week or
//! quarter between two dates) and `bottlenecks` (states by aging WIP, bureaus by throughput
//! deficit against a target, each number with the procedures behind it).
//!
//! The figures are the `App` use cases' (`rollout_app::analytics`); this module only checks and
//! converts arguments and shapes the results into the API's own types. Bureaus are resolved once
//! per result ([`bureau_map`]), never per row; procedures are named by the light
//! [`ProcedureRef`] (id, code, name) the use cases already carry, so a ranking of a hundred rows
//! costs no procedure read. Every duration is whole Tokyo calendar days. Everyone may read.

mod bottlenecks;
mod cumulative;
mod metrics;
mod query;

use std::collections::HashMap;

use async_graphql::{ID, SimpleObject};
use rollout_app::App;
use rollout_domain::{self as domain, BureauId};

use crate::bureau::Bureau;
use crate::errors;
use crate::ids::{NodeType, global_id};

pub(crate) use query::FlowQuery;

/// A procedure as a figure names it; `node(id:)` gives the whole procedure.
#[derive(Debug, Clone, SimpleObject)]
pub struct ProcedureRef {
    /// The procedure's global id.
    pub id: ID,
    pub code: String,
    pub name: String,
}

impl From<&rollout_app::analytics::ProcedureRef> for ProcedureRef {
    fn from(p: &rollout_app::analytics::ProcedureRef) -> Self {
        Self {
            id: global_id(NodeType::Procedure, p.id.as_uuid()),
            code: p.code.clone(),
            name: p.name.clone(),
        }
    }
}

pub(crate) fn refs(list: &[rollout_app::analytics::ProcedureRef]) -> Vec<ProcedureRef> {
    list.iter().map(ProcedureRef::from).collect()
}

/// The bureaus with these ids, read once for a whole result.
pub(crate) async fn bureau_map(
    app: &App,
    ids: &[BureauId],
) -> async_graphql::Result<HashMap<BureauId, domain::Bureau>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let bureaus = app
        .bureaus_by_ids(ids)
        .await
        .map_err(|e| errors::graphql_error(&e))?;
    Ok(bureaus.into_iter().map(|b| (b.id, b)).collect())
}

/// The bureau `id` from `map`; procedures only belong to bureaus that exist (bureaus are never
/// deleted), so a miss is a fault of ours.
pub(crate) fn known_bureau(
    map: &HashMap<BureauId, domain::Bureau>,
    id: BureauId,
) -> async_graphql::Result<Bureau> {
    map.get(&id)
        .cloned()
        .map(Bureau)
        .ok_or_else(|| errors::internal(format!("bureau {} named by the figures is unknown", id.0)))
}

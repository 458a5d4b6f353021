//! Pages whose figures are the programme's, the same for every person who may sign in (every
//! person may read every procedure): the overview and the bottlenecks. Their GraphQL result is
//! kept per page against what it was computed from — the app's analytics facts (replaced by a
//! new `Arc` whenever any procedure changes, on any replica: the store's stamp), the dependency
//! graph (a new `Arc` whenever a law change, milestone or dependency changes: the graph version)
//! and the Tokyo day — so a page is computed once per change rather than once per view.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rollout_app::deps::LoadedGraph;
use rollout_domain::analytics::ProcedureFacts;
use serde_json::Value;

use crate::Web;
use crate::format::today_tokyo;
use crate::gql::GqlError;
use crate::page;
use crate::session::Viewer;

struct Entry {
    facts: Arc<Vec<ProcedureFacts>>,
    graph: Arc<LoadedGraph>,
    day: chrono::NaiveDate,
    value: Arc<Value>,
}

/// The last result of each shared page.
#[derive(Default)]
pub(crate) struct SharedPages {
    entries: Mutex<HashMap<&'static str, Entry>>,
}

impl std::fmt::Debug for SharedPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedPages")
    }
}

fn unavailable(e: rollout_app::AppError) -> GqlError {
    GqlError {
        code: e.code().as_str().to_owned(),
        message: e.to_string(),
    }
}

/// The result of `query` with `variables(today)` for page `key`: kept while neither the facts,
/// the graph nor the day changed.
pub(crate) async fn figures(
    web: &Web,
    viewer: &Viewer,
    key: &'static str,
    query: &str,
    variables: impl FnOnce(chrono::NaiveDate) -> Value,
) -> Result<Arc<Value>, GqlError> {
    let day = today_tokyo(web.app.now());
    // Read before the query: a change that lands during it makes the next view recompute.
    let facts = web.app.analytics_facts().await.map_err(unavailable)?;
    let graph = web.app.graph().await.map_err(unavailable)?;
    let kept = web
        .shared
        .entries
        .lock()
        .expect("shared pages")
        .get(key)
        .filter(|e| Arc::ptr_eq(&e.facts, &facts) && Arc::ptr_eq(&e.graph, &graph) && e.day == day)
        .map(|e| e.value.clone());
    if let Some(value) = kept {
        return Ok(value);
    }
    let value = Arc::new(page::query(web, viewer, query, variables(day)).await?);
    web.shared.entries.lock().expect("shared pages").insert(
        key,
        Entry {
            facts,
            graph,
            day,
            value: value.clone(),
        },
    );
    Ok(value)
}

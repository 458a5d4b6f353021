//! The programme overview (`/`): headline KPIs against the targets (by procedures, processes
//! and applications, with the scope), the funnel by state, the cumulative flow over the last
//! eight quarters, the forecast with its risk rating and the quarter's changes. Each figure
//! links to the procedures list filtered to what it counts.
//!
//! Every person may read the programme's figures, so the result does not depend on who asks:
//! it is computed once per version of the analytics facts and Tokyo day (the app's facts cache
//! says when anything changed) and kept, which keeps the page fast while nothing is written.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::response::Response;
use rollout_domain::FiscalQuarter;
use rollout_domain::analytics::ProcedureFacts;
use serde_json::{Value, json};

use crate::Web;
use crate::format::today_tokyo;
use crate::page;
use crate::session::Viewer;

/// Forecast runs on the overview (the API's default is 10,000; 2,000 keep the page fast and
/// the probabilities within about a percentage point).
const FORECAST_RUNS: u32 = 2000;

const QUERY: &str = r#"
query Overview($from: Date!, $to: Date!, $quarter: FiscalQuarter!, $seed: Int!, $runs: Int!) {
  kpis { asOf overall { outOfScope procedures { digitised inScope rate } processes { digitised inScope rate } applications { digitised inScope rate } } }
  programmeTargets { key labelJa labelEn deadline measure met rate share progress gapProcedures gapProcesses }
  rolloutSummary { total inScope digitised digitisationRate byState { key count state { key kind labelJa labelEn } } }
  cumulativeFlow(from: $from, to: $to, step: QUARTER) { states { key labelJa labelEn } points { date counts } }
  forecast(runs: $runs, seed: $seed) { key labelJa labelEn deadline probability p50 p85 p95 risk remainingItems blockedItems needed runs }
  quarterSnapshot(quarter: $quarter) { complete frozen figures { quarter digitisedInQuarter processesInQuarter overall { procedures { digitised inScope rate } } } previous { quarter overall { procedures { digitised inScope rate } } } }
}"#;

/// A computed overview: the facts it was computed from, the Tokyo day, the GraphQL result.
type Entry = (Arc<Vec<ProcedureFacts>>, chrono::NaiveDate, Arc<Value>);

/// The last result, for the facts it was computed from and the day.
#[derive(Default)]
pub(crate) struct OverviewCache {
    entry: Mutex<Option<Entry>>,
}

impl std::fmt::Debug for OverviewCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OverviewCache")
    }
}

pub async fn page(State(web): State<Web>, viewer: Viewer) -> Response {
    let today = today_tokyo(web.app.now());
    let facts = match web.app.analytics_facts().await {
        Ok(facts) => facts,
        Err(e) => {
            return page::error(
                &web,
                &viewer,
                &crate::gql::GqlError {
                    code: "UNAVAILABLE".into(),
                    message: e.to_string(),
                },
            );
        }
    };
    // The facts are replaced (a new Arc) whenever anything changed; the entry holds the Arc it
    // was computed from, so comparing pointers is exact.
    let cached = web
        .overview
        .entry
        .lock()
        .expect("overview cache")
        .as_ref()
        .filter(|(f, d, _)| Arc::ptr_eq(f, &facts) && *d == today)
        .map(|(_, _, v)| v.clone());
    let data = match cached {
        Some(data) => data,
        None => {
            let quarter = FiscalQuarter::containing(today);
            let from = (0..7)
                .fold(quarter, |q, _| q.previous().unwrap_or(q))
                .first_day();
            let variables = json!({
                "from": from.to_string(),
                "to": today.to_string(),
                "quarter": quarter.to_string(),
                "seed": today.format("%Y%m%d").to_string().parse::<i64>().unwrap_or(1),
                "runs": FORECAST_RUNS,
            });
            match page::query(&web, &viewer, QUERY, variables).await {
                Ok(data) => {
                    let data = Arc::new(data);
                    *web.overview.entry.lock().expect("overview cache") =
                        Some((facts, today, data.clone()));
                    data
                }
                Err(e) => return page::error(&web, &viewer, &e),
            }
        }
    };
    let lang = viewer.lang;
    page::render(
        &web,
        &viewer,
        "overview",
        "overview.html",
        json!({ "data": *data, "flow": flow_series(&data, lang), "done_query": done_query(&data) }),
    )
}

/// The cumulative flow as series per state (the chart's input: `series[state][point]`).
fn flow_series(data: &Value, lang: crate::i18n::Lang) -> Value {
    let flow = &data["cumulativeFlow"];
    let points = flow["points"].as_array().cloned().unwrap_or_default();
    let states = flow["states"].as_array().cloned().unwrap_or_default();
    let series: Vec<Vec<Value>> = (0..states.len())
        .map(|s| points.iter().map(|p| p["counts"][s].clone()).collect())
        .collect();
    let dates: Vec<Value> = points.iter().map(|p| p["date"].clone()).collect();
    let label = match lang {
        crate::i18n::Lang::Ja => "labelJa",
        crate::i18n::Lang::En => "labelEn",
    };
    let names: Vec<Value> = states.iter().map(|s| s[label].clone()).collect();
    json!({ "states": states, "names": names, "dates": dates, "series": series })
}

/// The list's query string for the procedures counted as digitised (states of kind DONE).
fn done_query(data: &Value) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for s in data["rolloutSummary"]["byState"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if s["state"]["kind"] == "DONE"
            && let Some(key) = s["key"].as_str()
        {
            query.append_pair("state", key);
        }
    }
    query.finish()
}

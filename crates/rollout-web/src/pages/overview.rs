//! The programme overview (`/`): headline KPIs against the targets (by procedures, processes
//! and applications, with the scope), the funnel by state, the cumulative flow over the last
//! eight quarters, the forecast with its risk rating and the quarter's changes. Each figure
//! links to the procedures list filtered to what it counts.
//!
//! Every person may read the programme's figures, so the result does not depend on who asks:
//! it is computed once per change of the facts, the dependency graph or the Tokyo day
//! ([`super::shared`]), which keeps the page fast while nothing is written.

use axum::extract::State;
use axum::response::Response;
use rollout_domain::FiscalQuarter;
use serde_json::{Value, json};

use crate::Web;
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

pub async fn page(State(web): State<Web>, viewer: Viewer) -> Response {
    let data = super::shared::figures(&web, &viewer, "overview", QUERY, |today| {
        let quarter = FiscalQuarter::containing(today);
        let from = (0..7)
            .fold(quarter, |q, _| q.previous().unwrap_or(q))
            .first_day();
        json!({
            "from": from.to_string(),
            "to": today.to_string(),
            "quarter": quarter.to_string(),
            "seed": today.format("%Y%m%d").to_string().parse::<i64>().unwrap_or(1),
            "runs": FORECAST_RUNS,
        })
    })
    .await;
    let data = match data {
        Ok(data) => data,
        Err(e) => return page::error(&web, &viewer, &e),
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

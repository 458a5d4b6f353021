//! The procedures list (`/procedures`): filters by bureau, state, category, authority, platform,
//! priority, target quarter, blocked, slipped, at risk, blocker (`blocked_by`: the id of a law
//! change, milestone or procedure, as the bottlenecks and law-change pages link) and text, all
//! held in the URL (a view can be bookmarked and sent), 50 per page with the API's cursors, and
//! the same filtered list as CSV (`/procedures.csv`, every page, in the viewer's language).

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::Web;
use crate::page;
use crate::query::{self, all, one};
use crate::session::Viewer;

/// Rows per page (the API's default page size).
const PAGE: usize = 50;
/// Rows per request while exporting (the API's maximum page size).
const EXPORT_PAGE: usize = 500;
/// The most rows one export writes (every procedure of the programme fits).
const EXPORT_LIMIT: usize = 50_000;

const LIST: &str = r#"
query Procedures($filter: ProcedureFilter, $first: Int, $after: String) {
  procedures(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code name nameEn category authority platform isPriority targetQuarter slipped processCount annualApplications updatedAt
      state { key kind labelJa labelEn } bureau { code nameJa nameEn } } }
  }
}"#;

const LOOKUPS: &str =
    r#"{ bureaus { code nameJa nameEn } workflow { states { key kind labelJa labelEn } } }"#;

/// The API filter for the URL's parameters, and the parameters as the form shows them.
pub fn filter(pairs: &[(String, String)]) -> (Value, Value) {
    let mut filter = Map::new();
    let bureaus = all(pairs, "bureau");
    let states = all(pairs, "state");
    if !bureaus.is_empty() {
        filter.insert("bureauCodes".into(), json!(bureaus));
    }
    if !states.is_empty() {
        filter.insert("states".into(), json!(states));
    }
    for (param, field) in [
        ("category", "category"),
        ("authority", "authority"),
        ("platform", "platform"),
        ("quarter", "targetQuarter"),
        ("q", "search"),
        ("blocked_by", "blockedBy"),
    ] {
        if let Some(v) = one(pairs, param) {
            filter.insert(field.into(), json!(v));
        }
    }
    for (param, field) in [
        ("priority", "isPriority"),
        ("blocked", "blocked"),
        ("slipped", "slipped"),
        ("at_risk", "atRisk"),
    ] {
        match one(pairs, param) {
            Some("true") => {
                filter.insert(field.into(), json!(true));
            }
            Some("false") => {
                filter.insert(field.into(), json!(false));
            }
            _ => {}
        }
    }
    let form = json!({
        "bureau": bureaus, "state": states,
        "category": one(pairs, "category"), "authority": one(pairs, "authority"), "platform": one(pairs, "platform"),
        "quarter": one(pairs, "quarter"), "q": one(pairs, "q"),
        "priority": one(pairs, "priority"), "blocked": one(pairs, "blocked"),
        "slipped": one(pairs, "slipped"), "at_risk": one(pairs, "at_risk"),
        "blocked_by": one(pairs, "blocked_by"),
    });
    (Value::Object(filter), form)
}

pub async fn page(State(web): State<Web>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let pairs = query::pairs(raw.as_deref());
    let (filter, form) = filter(&pairs);
    let variables = json!({ "filter": filter, "first": PAGE, "after": one(&pairs, "after") });
    let (list, lookups) = futures::join!(
        page::query(&web, &viewer, LIST, variables),
        page::query(&web, &viewer, LOOKUPS, json!({}))
    );
    let (list, lookups) = match (list, lookups) {
        (Ok(list), Ok(lookups)) => (list, lookups),
        (Err(e), _) | (_, Err(e)) => return page::error(&web, &viewer, &e),
    };
    let kept = query::encode(&pairs, &["after"]);
    page::render(
        &web,
        &viewer,
        "procedures",
        "procedures.html",
        json!({
            "list": list["procedures"],
            "lookups": lookups,
            "form": form,
            "kept": kept,
            "paged": one(&pairs, "after").is_some(),
        }),
    )
}

pub async fn csv(State(web): State<Web>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let pairs = query::pairs(raw.as_deref());
    let (filter, _) = filter(&pairs);
    let words = web.templates.catalog();
    let lang = viewer.lang;
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header: Vec<String> = [
        "code",
        "name",
        "bureau",
        "state",
        "category",
        "authority",
        "platform",
        "priority",
        "target_quarter",
        "slipped",
        "processes",
        "applications",
        "updated_at",
    ]
    .iter()
    .map(|k| words.get(lang, &format!("csv.{k}")).to_owned())
    .collect();
    let _ = out.write_record(&header);
    let mut after: Option<String> = None;
    let mut written = 0;
    loop {
        let variables = json!({ "filter": filter, "first": EXPORT_PAGE, "after": after });
        let data = match page::query(&web, &viewer, LIST, variables).await {
            Ok(data) => data,
            Err(e) => return page::error(&web, &viewer, &e),
        };
        let connection = &data["procedures"];
        for edge in connection["edges"].as_array().into_iter().flatten() {
            let p = &edge["node"];
            let text = |v: &Value| match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let (name, bureau, state) = match lang {
                crate::i18n::Lang::Ja => (
                    text(&p["name"]),
                    text(&p["bureau"]["nameJa"]),
                    text(&p["state"]["labelJa"]),
                ),
                crate::i18n::Lang::En => (
                    if p["nameEn"].is_string() {
                        text(&p["nameEn"])
                    } else {
                        text(&p["name"])
                    },
                    text(&p["bureau"]["nameEn"]),
                    text(&p["state"]["labelEn"]),
                ),
            };
            let _ = out.write_record([
                text(&p["code"]),
                name,
                bureau,
                state,
                text(&p["category"]),
                text(&p["authority"]),
                text(&p["platform"]),
                text(&p["isPriority"]),
                text(&p["targetQuarter"]),
                text(&p["slipped"]),
                text(&p["processCount"]),
                text(&p["annualApplications"]),
                text(&p["updatedAt"]),
            ]);
            written += 1;
        }
        let info = &connection["pageInfo"];
        if info["hasNextPage"] != json!(true) || written >= EXPORT_LIMIT {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    match out.into_inner() {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"procedures.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not write the CSV export");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parameters_become_the_api_filter() {
        let pairs = query::pairs(Some(
            "bureau=KANKYO&bureau=FUKUSHI&state=built&priority=true&blocked=maybe&q=%E7%94%B3%E8%AB%8B&quarter=FY2026-Q3",
        ));
        let (filter, form) = filter(&pairs);
        assert_eq!(
            filter,
            json!({"bureauCodes": ["KANKYO", "FUKUSHI"], "states": ["built"], "isPriority": true, "search": "申請", "targetQuarter": "FY2026-Q3"})
        );
        assert_eq!(form["blocked"], json!("maybe"));
    }
}

//! Law changes and milestones (`/law-changes`): every law change with its status, level,
//! ministry, expected effective date and the procedures it holds back (the direct ones named,
//! the count with the indirect ones linked to the filtered procedures list), every milestone
//! likewise, and the national-request split (`nationalRequestSummary`). Each law change's row
//! has its code as anchor id, so the bottlenecks page and procedure pages can point at it.
//!
//! The page only reads; changing a status is the API's (and, later, a form's) business.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use crate::Web;
use crate::page;
use crate::session::Viewer;

/// Law changes on the page (the programme has well under this many).
const LAW_CHANGES: usize = 200;

const QUERY: &str = r#"
query LawChanges($first: Int!) {
  lawChanges(first: $first) {
    totalCount
    edges { node { id code titleJa titleEn status level open lawName article ministryJa ministryEn
      requestedOn expectedEffectiveOn enactedOn ownerBureau { code nameJa nameEn }
      direct: blockedProcedures(first: 5) { code }
      directCount: blockedCount
      allCount: blockedCount(transitive: true) } }
  }
  milestones { id name status plannedOn doneOn platform open
    direct: blockedProcedures(first: 5) { code }
    directCount: blockedCount
    allCount: blockedCount(transitive: true) }
  nationalRequestSummary { asOf lawChanges procedures requested underStudy dateShown enacted declined
    byStatus { status lawChanges procedures } }
}"#;

pub async fn page(State(web): State<Web>, viewer: Viewer) -> Response {
    match page::query(&web, &viewer, QUERY, json!({ "first": LAW_CHANGES })).await {
        Ok(data) => page::render(
            &web,
            &viewer,
            "law_changes",
            "law_changes.html",
            json!({ "data": data }),
        ),
        Err(e) => page::error(&web, &viewer, &e),
    }
}

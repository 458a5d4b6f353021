//! Where the programme is stuck (`/bottlenecks`): non-terminal states by aging WIP, bureaus by
//! throughput deficit (the API's `bottlenecks`), the open law changes, milestones and procedures
//! ranked by what clearing each would unblock (`blockerRanking`), and the procedures at risk of
//! missing their target quarter. Every count links to the procedures list filtered to what it
//! counts, as far as the list's filters can say it (a state, a bureau, a blocker, at risk).
//!
//! The page only reads; the figures are the API's for the viewer, with its permissions.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use crate::Web;
use crate::page;
use crate::session::Viewer;

/// At-risk procedures listed on the page (the list behind the link shows them all).
const AT_RISK: usize = 50;

const QUERY: &str = r#"
query Bottlenecks($atRisk: Int!) {
  bottlenecks(first: 10) {
    asOf deadline quartersLeft targetKey
    states { aging wip state { key kind labelJa labelEn slaDays } agingProcedures { code name } }
    bureaus { aging remaining deficit requiredPerQuarter releasedPerQuarterAvg releasedLastQuarter releasedLastFourQuarters
      bureau { code nameJa nameEn } agingProcedures { code name } }
  }
  blockerRanking(first: 20) {
    procedures processes annualApplications fullyUnblocked fullyUnblockedApplications
    blocker { __typename
      ... on LawChange { id code titleJa titleEn status expectedEffectiveOn }
      ... on Milestone { id name status plannedOn }
      ... on Procedure { id code name nameEn state { labelJa labelEn } } }
  }
  procedures(filter: { atRisk: true }, first: $atRisk) {
    totalCount
    edges { node { code name nameEn targetQuarter
      earliestRelease { date quarter atRisk decidedBy { __typename ... on LawChange { code } ... on Milestone { name } ... on Procedure { code } } }
      state { key labelJa labelEn } bureau { code nameJa nameEn } } }
  }
}"#;

pub async fn page(State(web): State<Web>, viewer: Viewer) -> Response {
    let data = super::shared::figures(
        &web,
        &viewer,
        "bottlenecks",
        QUERY,
        |_| json!({ "atRisk": AT_RISK }),
    )
    .await;
    match data {
        Ok(data) => page::render(
            &web,
            &viewer,
            "bottlenecks",
            "bottlenecks.html",
            json!({ "data": *data }),
        ),
        Err(e) => page::error(&web, &viewer, &e),
    }
}

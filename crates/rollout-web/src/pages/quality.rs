//! The quality map (`/quality`): the priority procedures (10,000 or more applications a year)
//! against the three principles (早く, 簡単に, 使いやすく) at the Kano level their latest
//! assessment reaches, with what limits each principle and the users' review score over the
//! review window. Cells carry a `level-<LEVEL>` class for the colour and always the level's
//! words too, so nothing is said by colour alone.
//!
//! The page only reads (`qualityMap`); assessments are recorded through the API.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use crate::Web;
use crate::page;
use crate::session::Viewer;

/// Rows on the page (the API pages the map like the procedures list).
const ROWS: usize = 100;

const QUERY: &str = r#"
query QualityMap($first: Int!) {
  qualityMap(first: $first) {
    totalCount reviewWindow
    edges { node {
      procedure { code name nameEn annualApplications bureau { code nameJa nameEn } }
      lastAssessedAt
      principles { principle labelJa labelEn level levelJa levelEn limitedBy }
      indicators { indicator labelJa labelEn }
      reviews { count mean }
    } }
  }
}"#;

pub async fn page(State(web): State<Web>, viewer: Viewer) -> Response {
    match page::query(&web, &viewer, QUERY, json!({ "first": ROWS })).await {
        Ok(data) => page::render(
            &web,
            &viewer,
            "quality",
            "quality.html",
            json!({ "map": data["qualityMap"] }),
        ),
        Err(e) => page::error(&web, &viewer, &e),
    }
}

//! The signed-in person's own work (`/my`): their open tasks (overdue ones flagged), their latest
//! notifications with the unread count, the approval requests waiting for their decision (each
//! with approve and reject forms), and for a bureau coordinator their bureau's procedures past
//! their target quarter (`slipped`) and those longer in a state than its SLA (`flowMetrics`'
//! aging WIP).
//!
//! `POST /approvals/{id}/approve` and `/approvals/{id}/reject` run the API's `approveRequest` and
//! `rejectRequest` as the viewer: who may decide is the API's rule (the same role, not the
//! requester, not twice), and its payload errors come back on this page. Success redirects back
//! to `/my` (post/redirect/get). Deciding as someone's substitute stays with the API for now.

use axum::extract::{Form, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Web;
use crate::page;
use crate::session::Viewer;

const QUERY: &str = r#"
query My {
  viewer { role bureau { code nameJa nameEn } }
  myTasks(first: 100, status: OPEN) { totalCount edges { node { id title dueOn overdue procedure { code name nameEn } } } }
  unreadNotificationCount
  notifications(first: 20) { edges { node { id subject createdAt read kind } } }
  myPendingApprovals { id transition approvals required role expiresAt comment
    requestedBy { displayName } fromState { labelJa labelEn } toState { labelJa labelEn }
    procedure { code name nameEn } }
}"#;

/// What a coordinator's bureau has fallen behind on.
const BUREAU: &str = r#"
query Bureau($codes: [String!]!) {
  slipped: procedures(filter: { bureauCodes: $codes, slipped: true }, first: 50) {
    totalCount edges { node { code name nameEn targetQuarter state { labelJa labelEn } } } }
  flowMetrics(filter: { bureauCodes: $codes }) {
    aging(first: 50) { totalCount items { daysInState slaDays p85Days reason enteredOn
      state { labelJa labelEn } procedure { code name } } } }
}"#;

const APPROVE: &str = r#"
mutation Approve($input: ApproveRequestInput!) {
  approveRequest(input: $input) { errors { code message path } request { status } }
}"#;

const REJECT: &str = r#"
mutation Reject($input: RejectRequestInput!) {
  rejectRequest(input: $input) { errors { code message path } request { status } }
}"#;

/// Renders the page, with `outcome` (a notice or a decision's errors) above the approvals.
async fn show(web: &Web, viewer: &Viewer, outcome: Value, status: StatusCode) -> Response {
    let data = match page::query(web, viewer, QUERY, json!({})).await {
        Ok(data) => data,
        Err(e) => return page::error(web, viewer, &e),
    };
    let bureau = match data["viewer"]["bureau"]["code"].as_str() {
        Some(code) => match page::query(web, viewer, BUREAU, json!({ "codes": [code] })).await {
            Ok(bureau) => bureau,
            Err(e) => return page::error(web, viewer, &e),
        },
        None => Value::Null,
    };
    let body = page::render(
        web,
        viewer,
        "my",
        "my.html",
        json!({
            "who": data["viewer"],
            "tasks": data["myTasks"],
            "unread": data["unreadNotificationCount"],
            "notifications": data["notifications"],
            "approvals": data["myPendingApprovals"],
            "bureau": bureau,
            "outcome": outcome,
        }),
    );
    (status, body).into_response()
}

pub async fn page(State(web): State<Web>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let pairs = crate::query::pairs(raw.as_deref());
    let outcome = match crate::query::one(&pairs, "done") {
        Some(done @ ("approved" | "rejected")) => json!({ "notice": done }),
        _ => Value::Null,
    };
    show(&web, &viewer, outcome, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: Option<String>,
    comment: Option<String>,
}

pub async fn approve(
    State(web): State<Web>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    decide(web, viewer, id, form, Decision::Approve).await
}

pub async fn reject(
    State(web): State<Web>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    decide(web, viewer, id, form, Decision::Reject).await
}

#[derive(Clone, Copy)]
enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// The mutation, its field in the result and the notice after success.
    fn operation(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Approve => (APPROVE, "approveRequest", "approved"),
            Self::Reject => (REJECT, "rejectRequest", "rejected"),
        }
    }
}

async fn decide(
    web: Web,
    viewer: Viewer,
    id: String,
    form: DecisionForm,
    decision: Decision,
) -> Response {
    if !crate::csrf::matches(form.csrf.as_deref(), &viewer.session.csrf_token) {
        return crate::signin::forbidden_form();
    }
    let (operation, field, notice) = decision.operation();
    let comment = form.comment.filter(|c| !c.trim().is_empty());
    let input = json!({ "id": id, "comment": comment });
    let payload = match page::query(&web, &viewer, operation, json!({ "input": input })).await {
        Ok(data) => data[field].clone(),
        Err(e) => return page::error(&web, &viewer, &e),
    };
    let errors = payload["errors"].as_array().cloned().unwrap_or_default();
    if errors.is_empty() {
        return Redirect::to(&format!("/my?done={notice}")).into_response();
    }
    let status = page::payload_status(&errors);
    show(
        &web,
        &viewer,
        json!({ "errors": errors, "request": id }),
        status,
    )
    .await
}

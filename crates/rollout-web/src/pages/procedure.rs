//! One procedure (`/procedures/{code}`): its state and what it may do next (a form per allowed
//! transition, with the comment field when the workflow requires one; refused transitions with
//! the guards' reasons), its history as a timeline, hearings, user tests, tasks, blockers and
//! dependents (drawn as a small graph), earliest release and a pending approval.
//!
//! `POST /procedures/{code}/transition` runs the API's `transitionProcedure` as the viewer with
//! the version the page showed: the API decides (a coordinator of another bureau is refused
//! there, whatever the page showed), and its payload errors come back on the page, a
//! VERSION_CONFLICT with a link to reload. Success redirects back (post/redirect/get).

use axum::extract::{Form, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rollout_domain::authz::{Action, authorize};
use rollout_domain::identity::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Web;
use crate::page;
use crate::session::Viewer;

const QUERY: &str = r#"
query Procedure($code: String!) {
  viewer { role bureau { code } }
  procedure(code: $code) {
    id code name nameEn version category authority platform isPriority targetQuarter slipped slipCount releasedOn processCount annualApplications updatedAt
    state { key kind labelJa labelEn slaDays }
    bureau { code nameJa nameEn }
    nextTransitions { allowed requiresComment blockedBy { guard message } to { key labelJa labelEn } transition { key } }
    history(first: 200) { totalCount edges { node { at actor comment from to transition fromState { labelJa labelEn } toState { labelJa labelEn } } } }
    hearings { heldOn title kind notes }
    userTests { heldOn participants verdict susScore completionRate findings }
    tasks { title status dueOn overdue assignee { displayName } }
    blockers(transitive: true) { __typename ... on LawChange { code titleJa titleEn status expectedEffectiveOn } ... on Milestone { name status plannedOn } ... on Procedure { code name nameEn state { labelJa labelEn } } }
    dependents(transitive: false) { code name nameEn state { labelJa labelEn } }
    earliestRelease { date quarter atRisk }
    pendingApproval { transition toState { labelJa labelEn } approvals required role expiresAt requestedBy { displayName } }
  }
}"#;

const TRANSITION: &str = r#"
mutation Transition($input: TransitionProcedureInput!) {
  transitionProcedure(input: $input) { errors { code message path } approvalRequest { id } record { id } }
}"#;

/// Renders the page, with `outcome` (a refusal or notice) above the actions.
async fn show(
    web: &Web,
    viewer: &Viewer,
    code: &str,
    outcome: Value,
    status: StatusCode,
) -> Response {
    match page::query(web, viewer, QUERY, json!({ "code": code })).await {
        Ok(data) if data["procedure"].is_null() => page::not_found(web, viewer),
        Ok(data) => {
            let graph = crate::svg::dependency_graph(&data["procedure"], viewer.lang);
            let may_work = may_work_on(viewer, &data);
            let body = page::render(
                web,
                viewer,
                "procedures",
                "procedure.html",
                json!({ "p": data["procedure"], "may_work": may_work, "outcome": outcome, "graph": graph }),
            );
            (status, body).into_response()
        }
        Err(e) => page::error(web, viewer, &e),
    }
}

/// Whether the viewer may move this procedure, by the domain's own rule (`authorize` with
/// `WorkOnProcedure`): the page shows the forms only then. The API checks again on every post.
fn may_work_on(viewer: &Viewer, data: &Value) -> bool {
    let Some(user) = &viewer.actor.user else {
        return false;
    };
    if user.role == Role::BureauCoordinator {
        let mine = data["viewer"]["bureau"]["code"].as_str();
        return mine.is_some() && mine == data["procedure"]["bureau"]["code"].as_str();
    }
    // Any bureau: for every other role the answer does not depend on it.
    let any = rollout_domain::BureauId::from_uuid(uuid::Uuid::nil());
    authorize(user, Action::WorkOnProcedure(any)).is_ok()
}

pub async fn page(
    State(web): State<Web>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = crate::query::pairs(raw.as_deref());
    let outcome = match crate::query::one(&pairs, "done") {
        Some(done @ ("moved" | "approval")) => json!({ "notice": done }),
        _ => Value::Null,
    };
    show(&web, &viewer, &code, outcome, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct TransitionForm {
    csrf: Option<String>,
    id: String,
    to: String,
    version: i64,
    comment: Option<String>,
}

pub async fn transition(
    State(web): State<Web>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<TransitionForm>,
) -> Response {
    if !crate::csrf::matches(form.csrf.as_deref(), &viewer.session.csrf_token) {
        return crate::signin::forbidden_form();
    }
    let comment = form.comment.filter(|c| !c.trim().is_empty());
    let input = json!({ "procedureId": form.id, "to": form.to, "expectedVersion": form.version, "comment": comment });
    let result = page::query(&web, &viewer, TRANSITION, json!({ "input": input })).await;
    let payload = match result {
        Ok(data) => data["transitionProcedure"].clone(),
        Err(e) => return page::error(&web, &viewer, &e),
    };
    let errors = payload["errors"].as_array().cloned().unwrap_or_default();
    if errors.is_empty() {
        let notice = if payload["approvalRequest"].is_object() {
            "approval"
        } else {
            "moved"
        };
        return Redirect::to(&format!(
            "/procedures/{}?done={notice}",
            form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()
        ))
        .into_response();
    }
    let status = page::payload_status(&errors);
    show(&web, &viewer, &code, json!({ "errors": errors }), status).await
}

//! What every page shares: the template context of the layout (language, the viewer, the
//! session's CSRF token, the navigation entry), rendering with it, and the error page, which
//! maps the API's stable error codes to HTTP statuses (FORBIDDEN 403, NOT_FOUND 404, VALIDATION
//! 400, UNAVAILABLE 503, anything else 500 with the details logged, not shown).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::Value;
use serde_json::{Map, Value as Json, json};

use crate::Web;
use crate::gql::{self, GqlError};
use crate::i18n::Lang;
use crate::session::Viewer;

/// The layout's context for `viewer`, with `nav` the highlighted navigation entry.
pub fn base(viewer: &Viewer, nav: &str) -> Map<String, Json> {
    let user = viewer.actor.user.as_ref();
    let mut map = Map::new();
    map.insert("lang".into(), json!(viewer.lang.as_str()));
    map.insert("csrf".into(), json!(viewer.session.csrf_token));
    map.insert("nav".into(), json!(nav));
    map.insert("path".into(), json!(viewer.path));
    map.insert(
        "me".into(),
        json!({
            "name": user.map(|u| u.display_name.clone()),
            "email": viewer.actor.label,
            "role": user.map(|u| u.role.as_str()),
        }),
    );
    map
}

/// The base context of a signed-out page.
pub fn signed_out(lang: Lang) -> Map<String, Json> {
    let mut map = Map::new();
    map.insert("lang".into(), json!(lang.as_str()));
    map
}

/// Renders `template` for `viewer` with `data` merged into the layout's context.
pub fn render(web: &Web, viewer: &Viewer, nav: &str, template: &str, data: Json) -> Response {
    let mut context = base(viewer, nav);
    if let Json::Object(extra) = data {
        context.extend(extra);
    }
    web.templates
        .render(template, Value::from(minijinja::value::Serde(&context)))
}

/// Runs a page's GraphQL operation as the viewer.
pub async fn query(
    web: &Web,
    viewer: &Viewer,
    operation: &str,
    variables: Json,
) -> Result<Json, GqlError> {
    gql::run(&web.execute, &viewer.actor, operation, variables).await
}

/// The HTTP status for an API error code.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "VALIDATION" | "BAD_USER_INPUT" => StatusCode::BAD_REQUEST,
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The HTTP status of a page that shows a mutation's payload `errors` (never empty): the
/// first error's, with a refusal 403, a stale version or a closed request 409 and any other
/// correctable input 422.
pub fn payload_status(errors: &[Json]) -> StatusCode {
    match errors.first().and_then(|e| e["code"].as_str()) {
        Some("FORBIDDEN") => StatusCode::FORBIDDEN,
        Some("NOT_FOUND") => StatusCode::NOT_FOUND,
        Some("VERSION_CONFLICT" | "APPROVAL_CLOSED") => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The error page for an API error, in the viewer's language.
pub fn error(web: &Web, viewer: &Viewer, error: &GqlError) -> Response {
    let status = status_of(&error.code);
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(code = %error.code, message = %error.message, "a dashboard page failed");
        String::new()
    } else {
        error.message.clone()
    };
    let body = render(
        web,
        viewer,
        "",
        "error.html",
        json!({ "status": status.as_u16(), "code": error.code, "message": message }),
    );
    (status, body).into_response()
}

/// A 404 page for a path that names nothing.
pub fn not_found(web: &Web, viewer: &Viewer) -> Response {
    error(
        web,
        viewer,
        &GqlError {
            code: "NOT_FOUND".into(),
            message: String::new(),
        },
    )
}

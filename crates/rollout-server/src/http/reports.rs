//! `GET /reports/quarterly/{quarter}.xlsx?lang=ja|en`: the quarterly progress report as a
//! workbook, for clients that read `quarterlyReport.xlsxPath`. It authenticates exactly like
//! `/graphql` (the same authenticator, behind the same failed-authentication budget and rate
//! limiter: see `stack::graphql_app_with`), then calls the same use case as the GraphQL field
//! (`App::quarterly_report`) and renders with `rollout-report` on a blocking thread (about a
//! second of CPU for 28,000 procedures, which must not stall the runtime's workers).
//!
//! Errors are GraphQL-style JSON bodies with `extensions.code`, like every refusal of the API:
//! 401 without usable credentials, 400 for a malformed quarter or language or a quarter that has
//! not started, 404 for a path that does not end in `.xlsx`, 503 when the database is away, 500
//! (details logged) otherwise.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rollout_app::{Actor, App, AppError};
use rollout_domain::FiscalQuarter;
use rollout_report::{Language, XLSX_CONTENT_TYPE, file_name, render_xlsx};
use serde::Deserialize;
use serde_json::Map;

use super::auth::{AuthRejection, RequestAuthenticator};
use super::endpoint::request_meta;
use super::negotiate::MediaType;
use super::reply;

/// The route's path.
pub const QUARTERLY_XLSX: &str = "/reports/quarterly/{file}";

#[derive(Clone)]
struct ReportState {
    app: App,
    authenticator: Arc<dyn RequestAuthenticator>,
}

/// The report routes, authenticated by `authenticator`.
pub fn routes(app: App, authenticator: Arc<dyn RequestAuthenticator>) -> Router {
    Router::new()
        .route(QUARTERLY_XLSX, get(quarterly_xlsx))
        .with_state(ReportState { app, authenticator })
}

#[derive(Debug, Deserialize)]
struct Params {
    lang: Option<String>,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    reply::errors(
        status,
        MediaType::Json,
        vec![reply::error(code, message, Map::new())],
    )
}

async fn quarterly_xlsx(
    State(state): State<ReportState>,
    Path(file): Path<String>,
    query: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
    request: Request,
) -> Response {
    let meta = request_meta(&request);
    let auth = match state
        .authenticator
        .authenticate(request.headers(), &meta)
        .await
    {
        Ok(auth) => auth,
        Err(rejection) => return reply::rejection(MediaType::Json, &rejection),
    };
    // Every root of the API needs an actor; an authenticator that vouches for nobody is refused.
    if auth.get::<Actor>().is_none() {
        let rejection = AuthRejection::unauthenticated("no actor for these credentials");
        return reply::rejection(MediaType::Json, &rejection);
    }
    let Some(raw) = file.strip_suffix(".xlsx") else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such report: the path is /reports/quarterly/FY2021-Q3.xlsx",
        );
    };
    let quarter = match FiscalQuarter::parse(raw) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, "VALIDATION", &e.to_string()),
    };
    let lang = match query {
        Err(e) => return error(StatusCode::BAD_REQUEST, "VALIDATION", &e.body_text()),
        Ok(Query(Params { lang: None })) => Language::Ja,
        Ok(Query(Params { lang: Some(l) })) => match Language::parse(&l) {
            Some(lang) => lang,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION",
                    &format!("lang must be ja or en, not {l:?}"),
                );
            }
        },
    };
    let report = match state.app.quarterly_report(quarter).await {
        Ok(r) => r,
        Err(AppError::Validation(fields)) => {
            let message: Vec<&str> = fields.iter().map(|f| f.message.as_str()).collect();
            return error(StatusCode::BAD_REQUEST, "VALIDATION", &message.join("; "));
        }
        Err(e @ AppError::Unavailable(_)) => {
            tracing::warn!(error = ?e, %quarter, "the quarterly report could not be read");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "the database is unavailable",
            );
        }
        Err(e) => {
            tracing::error!(error = ?e, %quarter, "the quarterly report could not be built");
            return internal();
        }
    };
    let name = file_name(&report, lang, "xlsx");
    let bytes = match tokio::task::spawn_blocking(move || render_xlsx(&report, lang)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            tracing::error!(error = %e, %quarter, "the quarterly report's workbook failed");
            return internal();
        }
        Err(e) => {
            tracing::error!(error = %e, %quarter, "the workbook's rendering task failed");
            return internal();
        }
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(XLSX_CONTENT_TYPE)),
            (CONTENT_DISPOSITION, disposition),
            // Figures of a running quarter change; and the data is not for shared caches.
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response()
}

fn internal() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "the report could not be produced",
    )
}

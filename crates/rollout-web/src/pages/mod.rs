//! The dashboard's pages, one module each: its GraphQL operation, how the URL's parameters
//! become variables, and its template. Every handler takes a [`Viewer`](crate::session::Viewer)
//! (a live session, else a redirect to sign-in) and runs its operation as that viewer.

use axum::Router;
use axum::routing::get;

use crate::Web;

mod admin;
mod bottlenecks;
mod law_changes;
mod my;
mod overview;
mod procedure;
mod procedures;
mod quality;
mod report;
mod shared;

pub(crate) use shared::SharedPages;

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/", get(overview::page))
        .route("/procedures", get(procedures::page))
        .route("/procedures.csv", get(procedures::csv))
        .route("/procedures/{code}", get(procedure::page))
        .route(
            "/procedures/{code}/transition",
            axum::routing::post(procedure::transition),
        )
        .route("/bottlenecks", get(bottlenecks::page))
        .route("/law-changes", get(law_changes::page))
        .route("/quality", get(quality::page))
        .route("/report", get(report::page))
        .route("/report/{file}", get(report::download))
        .route("/my", get(my::page))
        .route("/approvals/{id}/approve", axum::routing::post(my::approve))
        .route("/approvals/{id}/reject", axum::routing::post(my::reject))
        .route("/admin", get(admin::page))
        .route(
            "/admin/users/{id}/sessions/revoke",
            axum::routing::post(admin::revoke_sessions),
        )
}

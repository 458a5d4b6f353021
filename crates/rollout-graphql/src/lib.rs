//! The rollout GraphQL schema (async-graphql): the API's own types, converted by hand from the
//! domain types, the batching data loaders and the one mapping from use-case errors to what a
//! client sees. It implements the contract in `schema.graphql` at the workspace root, which a
//! test keeps equal to [`sdl`].
//!
//! It knows nothing of HTTP or of how a request proves who it is: the server authenticates each
//! request and attaches the acting [`Actor`] with `async_graphql::Request::data(actor)`. Every
//! root field requires one; a request without it is refused as UNAUTHENTICATED, never run as
//! somebody (the server rejects such requests before execution; this is defence in depth).
//! Permissions are decided by the `App` use cases, not here. References between objects are
//! batched per page (see `loaders`), which holds nothing beyond the request. Mutations only call
//! `App` use cases; no resolver writes to the store directly. The one subscription streams the
//! app's procedure events (see `subscription`); over which transport is the server's choice.
#![forbid(unsafe_code)]

mod analytics;
mod approval;
mod audit;
mod bureau;
mod connection;
mod enums;
pub mod error_codes;
mod errors;
mod filter;
// Issue 13: flow metrics, cumulative flow and bottlenecks.
mod flow;
mod history;
mod identity;
mod ids;
mod inputs;
mod loaders;
mod mutation;
mod node;
mod procedure;
mod query;
mod scalars;
mod subscription;
mod summary;
mod workflow;
// Issue 10: user tests and target history (h-ut).
mod target;
mod user_test;
// Issue 10: hearings and tasks.
mod hearing;
mod task;
// Issue 11: law changes, milestones and dependencies.
mod blockers;
// Issue 11: the read side of the dependency graph.
mod deps;
// Issue 12: reminders.
mod reminders;
// Issue 13: the forecast of the programme targets.
mod forecast;
// Issue 13: the quarterly progress report.
mod report;
// Issue 13: the quality map, quality assessments and user reviews.
mod quality;

use async_graphql::{Context, SDLExportOptions, Schema};
use rollout_app::{Actor, App, RequestMeta};

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

/// The schema type the server executes requests against.
pub type RolloutSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema with `app` in its data.
pub fn build_schema(app: App) -> RolloutSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .data(app)
    .extension(error_codes::ErrorCodes)
    .finish()
}

/// The SDL the code builds, with fields, arguments and enum items sorted so that the output is
/// stable and diffs of `schema.graphql` show only real changes.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .finish()
    .sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

/// The `App` in schema data; its absence is a wiring bug, reported as INTERNAL.
pub(crate) fn app<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a App> {
    ctx.data::<App>()
        .map_err(|_| errors::internal("schema built without an App in its data"))
}

/// The actor the server attached to this request, or UNAUTHENTICATED; FORBIDDEN for the review
/// intake identity, which may use no field but `submitUserReview` (see [`review_intake_actor`]).
/// Every other root field asks for its actor here, so that identity can read nothing, whatever
/// the field: reads do not otherwise ask the `App` (every person may read), and a new field is
/// covered without thinking of it.
pub(crate) fn actor(ctx: &Context<'_>) -> async_graphql::Result<Actor> {
    let actor = review_intake_actor(ctx)?;
    if let Some(user) = &actor.user
        && user.role == rollout_domain::identity::Role::ReviewIntake
    {
        return Err(errors::graphql_error(&rollout_app::AppError::Forbidden {
            message: "REVIEW_INTAKE may only submit user reviews (submitUserReview)".to_owned(),
        }));
    }
    Ok(actor)
}

/// The actor, whoever it is, for `submitUserReview` alone (the `App` decides who may submit).
/// When the server attaches the request's [`RequestMeta`] separately and the actor carries
/// none, the actor gets it, so that the audit trail records where the request came from either
/// way.
pub(crate) fn review_intake_actor(ctx: &Context<'_>) -> async_graphql::Result<Actor> {
    let Some(actor) = ctx.data_opt::<Actor>() else {
        return Err(errors::unauthenticated());
    };
    let mut actor = actor.clone();
    if actor.meta == RequestMeta::default()
        && let Some(meta) = ctx.data_opt::<RequestMeta>()
    {
        actor.meta = meta.clone();
    }
    Ok(actor)
}

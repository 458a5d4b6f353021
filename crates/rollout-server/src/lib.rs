//! The `rollout` binary's library: configuration ([`config`]), the choice of database
//! ([`backend`], the only module that names a store implementation, besides [`events`], which
//! relays procedure events between replicas through PostgreSQL, and [`cache_sync`], which does
//! the same for cache invalidations), the HTTP router ([`http`]),
//! starting and stopping the server ([`server`], also used by the end-to-end tests), logging
//! and traces ([`telemetry`], configured by [`telemetry_config`]) and the subcommands ([`commands`]).
//!
//! It holds no business rules and no SQL: use cases live in `rollout-app`, the API in
//! `rollout-graphql`, the storage in the store crates. Terminal concerns (progress bars, exit
//! codes, messages) live here and nowhere below.
#![forbid(unsafe_code)]
// The merged GraphQL roots nest deeply enough that proving the schema `Send` needs more than
// the default 128 levels.
#![recursion_limit = "256"]

pub mod analytics_config;
pub mod authenticate;
pub mod backend;
pub mod cache_sync;
pub mod cli;
pub mod commands;
pub mod config;
pub mod database_url;
pub mod error;
pub mod events;
pub mod http;
// Issue 15: `[metrics]` and the Prometheus listener.
pub mod metrics;
pub mod metrics_config;
pub mod web_config;
// Issue 13: `[quality]`.
pub mod quality_config;
pub mod refusals;
pub mod reminder_config;
pub mod server;
pub mod telemetry;
pub mod telemetry_config;

pub use database_url::DatabaseUrl;
pub use error::{CliError, exit};
pub use server::{RunningServer, ServerConfig, spawn};

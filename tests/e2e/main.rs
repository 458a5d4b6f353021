//! The end-to-end tests: the real `rollout` server, started on 127.0.0.1:0 against a fresh
//! SQLite or PostgreSQL database, driven over HTTP and WebSocket as a client would (harness in
//! `common/`). Every behaviour runs on both backends: `both_backends!` makes one test per backend,
//! named `<file>::<test>::sqlite` and `<file>::<test>::postgres`. The exception is `replicas`,
//! whose servers share one PostgreSQL database by nature: its tests carry no backend suffix.
//!
//! One test binary rather than one per file: each binary links the whole server, and eighteen of
//! them took 5.6 GB of disk and eighteen link steps in a debug build.
#![recursion_limit = "256"] // the merged GraphQL roots nest deeply (see rollout-server)

mod common;

mod analytics;
mod approval_bureaus;
mod approval_queues;
mod approvals;
mod audit;
mod auth;
mod auth_flood;
mod concurrency;
mod dashboard;
mod dashboard_sso;
mod dashboard_views;
mod dashboard_work;
mod date_bounds;
mod demo;
mod error_codes;
mod errors;
mod graphql_http_audit;
mod http_basics;
mod input_fuzz;
mod limits;
mod listing;
mod listing_totals;
mod lookups;
mod node_visibility;
mod permissions;
mod replicas;
mod roles;
mod sso;
mod subscriptions;
mod summary;
mod text_rules;
mod walk;
// Issue 10: user tests and target history (h-ut).
mod slipped;
mod user_tests;
mod workflow_file;
// Issue 10: hearings and tasks.
mod evidence_audit;
mod hearing_events;
mod hearings;
mod tasks;
// Issue 11: blocker imports, `deps dot` and the demo's law changes (h-data).
mod imports_blockers;
// Issue 11: law changes, milestones and dependencies.
mod blocker_audit;
mod blocker_permissions;
mod blocker_reads;
mod dependencies;
mod law_changes;
mod unblock_events;

// Issue 12: reminders.
mod reminders_api;
mod reminders_audit;
mod reminders_delivery;
mod reminders_email;
mod reminders_live;
mod reminders_scheduler;

// Issue 13: flow metrics, cumulative flow and bottlenecks.
mod flow;
// Issue 13: the programme's own history, replayed (h-replay).
mod replay;
mod replay_figures;
// Issue 13: the forecast of the programme targets.
mod forecast;
// Issue 13: the quarterly progress report.
mod report;
mod report_replay;
mod report_xlsx;
// Issue 13: the quality map, quality assessments and user reviews.
mod quality;
mod quality_permissions;
mod quality_reviews;

// Issue 14: the dashboard in headless Chromium with axe-core (h-browser).
mod browser;

//! API tests: GraphQL documents executed directly against the schema, over a real SQLite store
//! (one fresh temp-file database per test) with a fixed clock, each request carrying the actor
//! the server would attach. One test binary, several areas.
#![recursion_limit = "256"] // the merged GraphQL roots nest deeply (see rollout-server)

mod access;
mod approval_listing;
mod approvals;
mod audit;
mod delegations;
mod error_codes;
mod evidence_batching;
mod graph_batching;
mod harness;
mod identity;
mod listing;
mod lookups;
mod mutations;
mod outage;
mod reminder_inbox;
mod reminder_outbox;
mod reminder_rules;
mod reminder_webhooks;
mod store;
mod store_analytics;
mod store_blockers;
mod store_evidence;
// Issue 13: quality assessments and user reviews.
mod store_quality;
mod store_reminders;
// Issue 14: web sessions.
mod store_web;
mod subscriptions;
mod totals;
mod transitions;
mod user_tests;
// Issue 13: the quality map and user reviews.
mod quality;

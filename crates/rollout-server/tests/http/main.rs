//! The HTTP layer's tests, in one binary (each links the whole server): `router` runs the real
//! server on a SQLite file and `rollout serve` as a process; `endpoint` and `limits` put a tiny
//! schema (`support`) behind the production HTTP stack to test GraphQL over HTTP and its limits
//! without a database; `connections` tests the accept loop's timeouts and cap over raw TCP, `introspection` how
//! introspection counts in the complexity limit.

mod connections;
mod endpoint;
mod introspection;
mod limits;
mod router;
mod support;

//! The HTTP layer's tests, in one binary (each links the whole server): `router` runs the real
//! server on a SQLite file and `rollout serve` as a process; `endpoint` and `limits` put a tiny
//! schema (`support`) behind the production HTTP stack to test GraphQL over HTTP and its limits
//! without a database.

mod endpoint;
mod limits;
mod router;
mod support;

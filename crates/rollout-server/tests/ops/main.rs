//! Operations tests: the `rollout` binary as an operator runs it, one process per test (metrics,
//! logs and traces are process-wide, so they cannot share a process with other servers), against
//! a fresh SQLite file or PostgreSQL database. `ops_both!` makes one test per backend, named
//! `<file>::<test>::sqlite` and `<file>::<test>::postgres`, as the end-to-end tests do; under
//! `CI=true` a missing `ROLLOUT_TEST_POSTGRES_URL` fails the PostgreSQL half rather than skipping it.
//! The harness is in `common.rs`; each file is one operational promise of `docs/operations.md`.

mod backup;
mod collector;
mod common;
mod database_loss;
mod logs;
mod metrics;
mod migrate_data;
mod outage;
mod schema_at;
mod seed;
mod shutdown;
mod traces;
mod upgrade;
mod verify;

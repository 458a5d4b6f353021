//! The PostgreSQL implementation of [`rollout_store::Store`] and its sub-traits (identities,
//! approvals, the audit trail, evidence and the atomic write batch, law changes, milestones and
//! dependencies, reminders and their outbox): a connection pool, the embedded migrations of
//! `migrations/postgres`, and one module of runtime `query`/`bind` SQL per aggregate. Every
//! write inserts its audit entry in its own transaction. Its behaviour is pinned by `rollout_store::contract`, which the SQLite backend
//! passes too; business rules (allowed transitions, guards, priority) are deliberately absent
//! and come from `rollout-domain`. [`testing`] creates throwaway databases for tests. Besides
//! the store it offers LISTEN/NOTIFY as raw primitives ([`PgStore::notify`],
//! [`PgStore::listen`]) for callers that relay messages between replicas; what the messages
//! mean is theirs.
#![forbid(unsafe_code)]

mod analytics;
mod approval_listing;
mod approvals;
mod audit;
mod blockers;
mod bulk;
mod bureaus;
mod delegations;
mod errors;
mod evidence;
mod identity;
// Issue 15: bulk loads for `rollout migrate-data`.
mod import;
// Issue 15: `rollout verify`'s checks.
mod integrity;
mod listing;
mod notify;
mod paging;
mod procedures;
// Issue 13: quality assessments and user reviews.
mod quality;
mod reminders;
mod rows;
pub mod testing;
mod transitions;
// Issue 14: web sessions.
mod web;

pub use import::Import;
pub use notify::{Listener, MAX_PAYLOAD_BYTES, Received};

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::{
    Bureau, BureauCode, BureauId, IdempotencyKey, NewBureau, Procedure, ProcedureCode, ProcedureId,
    ProcedurePatch, TransitionRecord, TransitionRecordId,
};
use rollout_store::{
    HistoryCursor, IdempotencyHit, Page, PageRequest, ProcedureCursor, ProcedureFilter,
    ProcedureOrder, ProcedureSeed, Store, StoreError, StoreResult, TransitionWrite,
};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connections per process. Each replica holds at most this many, plus the one its event
/// listener keeps ([`PgStore::listen`]); with PostgreSQL's default `max_connections = 100` that
/// leaves room for several replicas, migrations and psql.
const MAX_CONNECTIONS: u32 = 10;

/// How long a request waits for a free connection before reporting the database unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Store`] over a PostgreSQL connection pool. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Only set on stores of [`testing::TestDatabase`]s: keeps the throwaway database alive until
    /// the last handle to it is dropped.
    test_database: Option<Arc<testing::DropGuard>>,
}

impl PgStore {
    /// Connects eagerly, so that a wrong URL or an unreachable server shows at start-up.
    /// The URL is never echoed into errors: it may carry a password.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = connect_options(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(errors::db("connect to PostgreSQL"))?;
        Ok(Self {
            pool,
            test_database: None,
        })
    }

    /// The version of the newest embedded migration: the schema [`Self::migrate`] leaves.
    pub fn schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Applies pending migrations. Safe when several replicas start at once: sqlx's migrator
    /// holds a PostgreSQL advisory lock for the whole run, so one applies and the others wait
    /// and then find nothing to do. Then fills the search text of rows older than migration 0004
    /// (replicas that do so at once write the same values).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            MigrateError::Execute(inner) => errors::classify("apply migrations", inner),
            other => StoreError::internal("apply migrations", other),
        })?;
        procedures::fill_search_text(&self.pool).await?;
        Ok(())
    }

    /// How the schema compares with this build's migrations, changing nothing: for a server
    /// that runs as a role that may not migrate (it needs SELECT on `_sqlx_migrations`).
    pub async fn schema_state(&self) -> Result<rollout_store::SchemaState, StoreError> {
        let recorded: bool =
            sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&self.pool)
                .await
                .map_err(errors::db("look for the migrations table"))?;
        let applied: Vec<(i64, Vec<u8>, bool)> = if recorded {
            sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
                .fetch_all(&self.pool)
                .await
                .map_err(errors::db("read the applied migrations"))?
        } else {
            Vec::new()
        };
        let expected = MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| (m.version, m.checksum.to_vec()));
        Ok(rollout_store::SchemaState::judge(expected, applied))
    }

    /// Waits for in-flight queries to finish and closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool's figures, for the server's metrics.
    pub fn pool_stats(&self) -> Vec<rollout_store::PoolStats> {
        vec![rollout_store::PoolStats {
            name: "main",
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }]
    }
}

/// A read-only transaction on one snapshot, so that a page and its total count agree even while
/// writers commit in between (READ COMMITTED would give each statement its own snapshot).
pub(crate) async fn begin_snapshot(pool: &PgPool) -> StoreResult<Transaction<'static, Postgres>> {
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(errors::db("begin read transaction"))
}

pub(crate) fn connect_options(url: &str) -> Result<PgConnectOptions, StoreError> {
    PgConnectOptions::from_str(url).map_err(|e| StoreError::internal("invalid PostgreSQL URL", e))
}

#[async_trait]
impl Store for PgStore {
    #[tracing::instrument(name = "store.ping", skip(self))]
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(errors::db("ping"))?;
        Ok(())
    }

    #[tracing::instrument(name = "store.create_bureau", skip(self, new, audit), fields(code = %new.code))]
    async fn create_bureau(
        &self,
        id: BureauId,
        new: NewBureau,
        audit: &AuditEntry,
    ) -> StoreResult<Bureau> {
        bureaus::create(&self.pool, id, new, audit).await
    }

    #[tracing::instrument(name = "store.list_bureaus", skip(self))]
    async fn list_bureaus(&self) -> StoreResult<Vec<Bureau>> {
        bureaus::list(&self.pool).await
    }

    #[tracing::instrument(name = "store.bureaus_by_ids", skip(self, ids), fields(count = ids.len()))]
    async fn bureaus_by_ids(&self, ids: &[BureauId]) -> StoreResult<Vec<Bureau>> {
        bureaus::by_ids(&self.pool, ids).await
    }

    #[tracing::instrument(name = "store.bureau_by_code", skip(self), fields(code = %code))]
    async fn bureau_by_code(&self, code: &BureauCode) -> StoreResult<Option<Bureau>> {
        bureaus::by_code(&self.pool, code).await
    }

    #[tracing::instrument(name = "store.create_procedure", skip(self, procedure, creation, audit), fields(procedure_id = %procedure.id))]
    async fn create_procedure(
        &self,
        procedure: Procedure,
        creation: TransitionRecord,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure> {
        procedures::create(&self.pool, procedure, creation, audit).await
    }

    #[tracing::instrument(name = "store.update_procedure", skip(self, patch, now, audit), fields(procedure_id = %id))]
    async fn update_procedure(
        &self,
        id: ProcedureId,
        expected_version: i32,
        patch: &ProcedurePatch,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure> {
        procedures::update(&self.pool, id, expected_version, patch, now, audit).await
    }

    #[tracing::instrument(name = "store.procedure", skip(self), fields(procedure_id = %id))]
    async fn procedure(&self, id: ProcedureId) -> StoreResult<Option<Procedure>> {
        procedures::by_id(&self.pool, id).await
    }

    #[tracing::instrument(name = "store.procedure_by_code", skip(self), fields(code = %code))]
    async fn procedure_by_code(&self, code: &ProcedureCode) -> StoreResult<Option<Procedure>> {
        procedures::by_code(&self.pool, code).await
    }

    #[tracing::instrument(name = "store.procedures_by_ids", skip(self, ids), fields(count = ids.len()))]
    async fn procedures_by_ids(&self, ids: &[ProcedureId]) -> StoreResult<Vec<Procedure>> {
        procedures::by_ids(&self.pool, ids).await
    }

    #[tracing::instrument(name = "store.existing_procedure_codes", skip(self, codes), fields(count = codes.len()))]
    async fn existing_procedure_codes(
        &self,
        codes: &[ProcedureCode],
    ) -> StoreResult<Vec<ProcedureCode>> {
        procedures::existing_codes(&self.pool, codes).await
    }

    #[tracing::instrument(name = "store.list_procedures", skip(self, filter, page), fields(first = page.first))]
    async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        order: ProcedureOrder,
        page: &PageRequest<ProcedureCursor>,
    ) -> StoreResult<Page<Procedure>> {
        listing::list(&self.pool, filter, order, page).await
    }

    #[tracing::instrument(name = "store.count_by_state", skip(self, filter))]
    async fn count_by_state(&self, filter: &ProcedureFilter) -> StoreResult<Vec<(String, i64)>> {
        listing::count_by_state(&self.pool, filter).await
    }

    #[tracing::instrument(name = "store.states_in_use", skip(self))]
    async fn states_in_use(&self) -> StoreResult<Vec<String>> {
        listing::states_in_use(&self.pool).await
    }

    #[tracing::instrument(name = "store.apply_transition", skip(self, write), fields(procedure_id = %write.plan.record.procedure_id, to = %write.plan.to_state))]
    async fn apply_transition(&self, write: &TransitionWrite) -> StoreResult<Procedure> {
        transitions::apply(&self.pool, write).await
    }

    #[tracing::instrument(name = "store.idempotency_hit", skip(self, key))]
    async fn idempotency_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<IdempotencyHit>> {
        transitions::idempotency_hit(&self.pool, owner, key).await
    }

    #[tracing::instrument(name = "store.transition_record", skip(self), fields(record_id = %id))]
    async fn transition_record(
        &self,
        id: TransitionRecordId,
    ) -> StoreResult<Option<TransitionRecord>> {
        transitions::record(&self.pool, id).await
    }

    #[tracing::instrument(name = "store.transition_records_by_ids", skip_all, fields(count = ids.len()))]
    async fn transition_records_by_ids(
        &self,
        ids: &[TransitionRecordId],
    ) -> StoreResult<Vec<TransitionRecord>> {
        transitions::records_by_ids(&self.pool, ids).await
    }

    #[tracing::instrument(name = "store.history", skip(self, page), fields(procedure_id = %procedure, first = page.first))]
    async fn history(
        &self,
        procedure: ProcedureId,
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Page<TransitionRecord>> {
        transitions::history(&self.pool, procedure, page).await
    }

    #[tracing::instrument(name = "store.histories", skip_all, fields(count = procedures.len(), first = page.first))]
    async fn histories(
        &self,
        procedures: &[ProcedureId],
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Vec<(ProcedureId, Page<TransitionRecord>)>> {
        transitions::histories(&self.pool, procedures, page).await
    }

    #[tracing::instrument(name = "store.insert_bureaus", skip(self, bureaus, audit), fields(count = bureaus.len()))]
    async fn insert_bureaus(&self, bureaus: &[Bureau], audit: &AuditEntry) -> StoreResult<u64> {
        bulk::insert_bureaus(&self.pool, bureaus, audit).await
    }

    #[tracing::instrument(name = "store.insert_procedures", skip(self, seeds, audit), fields(count = seeds.len()))]
    async fn insert_procedures(
        &self,
        seeds: &[ProcedureSeed],
        audit: &AuditEntry,
    ) -> StoreResult<u64> {
        bulk::insert_procedures(&self.pool, seeds, audit).await
    }

    #[tracing::instrument(name = "store.is_empty", skip(self))]
    async fn is_empty(&self) -> StoreResult<bool> {
        bulk::is_empty(&self.pool).await
    }

    async fn integrity(&self) -> StoreResult<rollout_store::IntegrityReport> {
        integrity::check(&self.pool).await
    }
}

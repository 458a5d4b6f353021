//! The SQLite implementation of [`rollout_store::Store`]: [`SqliteStore`].
//!
//! It owns the SQLite dialect of the schema (`migrations/sqlite`, embedded) and every SQL
//! statement run against it, split by aggregate: [`bureaus`], [`procedures`], [`listing`],
//! [`transitions`], [`bulk`], [`users`], [`tokens`], [`approvals`], [`votes`],
//! [`approval_listing`], [`delegations`], [`audit`], [`evidence`] (hearings, user tests,
//! tasks, target history and the atomic write batch) and [`blockers`] (law changes, milestones,
//! dependencies and the graph version) and [`reminders`] (rules, firings, notifications, the
//! delivery outbox, snoozes and webhook endpoints), with encodings in [`rows`] and error
//! mapping in [`errors`] and [`refs`]. It holds no business rules: which transition is allowed,
//! who may vote and when a count is reached were decided before a write reaches it.
//!
//! Auditing: every audited write inserts its entry in the same transaction as the change, so a
//! write that fails leaves no entry and a committed change never lacks one. The trail itself
//! is append-only in the schema (triggers refuse UPDATE and DELETE on `audit_log`).
//!
//! Concurrency: SQLite admits one writer at a time. A transaction that starts as a reader and
//! later writes must upgrade its lock, and when another connection got there first that upgrade
//! fails with `SQLITE_BUSY` at once, whatever the busy timeout (waiting could deadlock). So every
//! write transaction goes through a *writer pool of exactly one connection* and starts with
//! `BEGIN IMMEDIATE`: writers queue in the pool (fairly, with a timeout) instead of racing for the
//! lock, and the lock is taken up front, where the busy timeout does apply (to other processes
//! sharing the file). Reads use a separate pool; in WAL mode they run beside the writer on their
//! own snapshot, and `query_only` makes a write through that pool fail loudly instead of
//! competing for the lock. An in-memory database has one pool for both (a private in-memory
//! database exists once per connection, and a shared-cache one uses table locks that the busy
//! timeout does not cover).
//!
//! Durability: `synchronous = FULL`. In WAL mode NORMAL may lose the last committed transactions
//! on power loss; a transition the API has acknowledged (and an idempotency key a client will
//! retry with) must not vanish. FULL costs an fsync per commit (hundreds of commits a second on
//! this class of machine), far above the rate at which people approve procedures; bulk loads are
//! one transaction, so they pay it once.
#![forbid(unsafe_code)]

pub use export::Export;

mod analytics;
mod approval_listing;
mod approval_store;
mod approvals;
mod audit;
// Issue 15: `rollout backup` and `rollout restore`.
pub mod backup;
mod blockers;
mod bulk;
mod bureaus;
#[cfg(test)]
mod connect_tests;
mod delegations;
mod errors;
mod evidence;
// Issue 15: reading every table for `rollout migrate-data`.
mod export;
mod identity;
// Issue 15: `rollout verify`'s checks and `rollout backup`'s copy.
mod integrity;
mod listing;
mod migrate_lock;
mod paging;
mod procedures;
// Issue 13: quality assessments and user reviews.
mod quality;
mod refs;
mod reminders;
#[cfg(test)]
mod role_rebuild_tests;
mod rows;
mod tokens;
mod transitions;
mod users;
mod votes;
// Issue 14: web sessions.
mod web;

use std::path::PathBuf;
use std::str::FromStr;
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
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How long a statement waits for another process's lock before giving up (`Unavailable`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a call waits for a pooled connection (writers queue here) before `Unavailable`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// Readers run in parallel in WAL mode; more than a few buys nothing on a small machine.
const READERS: u32 = 4;
/// Each reader's page cache, in KiB (SQLite's `cache_size` takes KiB when negative). SQLite's
/// default, 2 MiB, is smaller than the procedures table of the whole programme (28,000 rows), so
/// every list re-read its pages from the OS with one system call per page; profiling the list
/// benchmark showed that copying in the kernel. 8 MiB holds the hot tables at the cost of at
/// most `READERS` × 8 MiB of memory.
const READER_CACHE_KIB: i64 = 8 * 1024;

/// A rollout store in one SQLite database file (or in memory, for throwaway runs).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Exactly one connection: every write transaction, and migrations.
    writer: SqlitePool,
    /// Read-only work; the same pool as `writer` for an in-memory database.
    reader: SqlitePool,
    /// The database file, whose `-migrate.lock` sibling serialises migrations between
    /// processes; `None` in memory.
    file: Option<PathBuf>,
}

impl SqliteStore {
    /// Opens (creating the file if missing) the database at `url`: `sqlite:rollout.db`,
    /// `sqlite://path/to/file.db` or `sqlite::memory:`. Does not migrate; see [`Self::migrate`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::internal(format!("invalid SQLite URL {url:?}"), e))?
            .create_if_missing(true)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT);
        // The options do not expose whether they name an in-memory database, so ask the URL.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if in_memory {
            // The database lives as long as its one connection, so the connection never expires.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(errors::ctx("open in-memory SQLite database"))?;
            return Ok(Self {
                writer: pool.clone(),
                reader: pool,
                file: None,
            });
        }
        let file = Some(options.get_filename().to_path_buf());
        // The writer connects first: it creates the file and switches it to WAL, a persistent
        // setting the readers then find in place.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone().journal_mode(SqliteJournalMode::Wal))
            .await
            .map_err(errors::ctx("open SQLite writer connection"))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(
                options
                    .pragma("query_only", "ON")
                    .pragma("cache_size", (-READER_CACHE_KIB).to_string()),
            )
            .await
            .map_err(errors::ctx("open SQLite reader connections"))?;
        Ok(Self {
            writer,
            reader,
            file,
        })
    }

    /// The version of the newest embedded migration: the schema [`Self::migrate`] leaves.
    pub fn schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Applies the embedded migrations that have not run yet, then fills the search text of rows
    /// older than migration 0004.
    ///
    /// Several processes may start on one file at once (a service restarted beside a
    /// `rollout migrate`, replicas on one host). sqlx's SQLite migrator takes no lock: each
    /// process would read the same applied list and run the same migration, and all but one
    /// fail half-way ("table already exists"), or worse, a `no-transaction` migration (0009)
    /// runs twice. So a process first takes an exclusive lock on the file's
    /// `-migrate.lock` sibling (an OS advisory lock, released when the process ends, even on
    /// a crash), and the others wait for it and then find nothing left to apply.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let _lock = match &self.file {
            Some(file) => Some(migrate_lock::acquire(file).await?),
            None => None,
        };
        MIGRATOR
            .run(&self.writer)
            .await
            .map_err(|e| StoreError::internal("run SQLite migrations", e))?;
        procedures::fill_search_text(&self.writer).await?;
        Ok(())
    }

    /// How the schema compares with this build's migrations, changing nothing (for a server
    /// started with migrations off).
    pub async fn schema_state(&self) -> Result<rollout_store::SchemaState, StoreError> {
        let recorded: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master \
             WHERE type = 'table' AND name = '_sqlx_migrations')",
        )
        .fetch_one(&self.reader)
        .await
        .map_err(errors::ctx("look for the migrations table"))?;
        let applied: Vec<(i64, Vec<u8>, bool)> = if recorded {
            sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
                .fetch_all(&self.reader)
                .await
                .map_err(errors::ctx("read the applied migrations"))?
        } else {
            Vec::new()
        };
        let expected = MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| (m.version, m.checksum.to_vec()));
        Ok(rollout_store::SchemaState::judge(expected, applied))
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// The writer's and the readers' pool figures, for the server's metrics (in memory both
    /// are the same one-connection pool).
    pub fn pool_stats(&self) -> Vec<rollout_store::PoolStats> {
        let stats = |name, pool: &SqlitePool| rollout_store::PoolStats {
            name,
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        };
        vec![stats("writer", &self.writer), stats("reader", &self.reader)]
    }
}

/// Starts a write transaction on the writer connection, taking the write lock up front.
pub(crate) async fn begin_write(writer: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
    writer
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(errors::ctx("begin write transaction"))
}

/// Starts a read transaction, so that the queries of one call see one snapshot.
pub(crate) async fn begin_read(reader: &SqlitePool) -> StoreResult<Transaction<'static, Sqlite>> {
    reader
        .begin()
        .await
        .map_err(errors::ctx("begin read transaction"))
}

pub(crate) async fn commit(tx: Transaction<'static, Sqlite>) -> StoreResult<()> {
    tx.commit().await.map_err(errors::ctx("commit"))
}

#[async_trait]
impl Store for SqliteStore {
    #[tracing::instrument(name = "store.ping", skip(self))]
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(drop)
            .map_err(errors::ctx("ping"))
    }

    #[tracing::instrument(name = "store.create_bureau", skip(self, new, audit), fields(code = %new.code))]
    async fn create_bureau(
        &self,
        id: BureauId,
        new: NewBureau,
        audit: &AuditEntry,
    ) -> StoreResult<Bureau> {
        bureaus::create(&self.writer, id, new, audit).await
    }

    #[tracing::instrument(name = "store.list_bureaus", skip(self))]
    async fn list_bureaus(&self) -> StoreResult<Vec<Bureau>> {
        bureaus::list(&self.reader).await
    }

    #[tracing::instrument(name = "store.bureaus_by_ids", skip(self, ids), fields(count = ids.len()))]
    async fn bureaus_by_ids(&self, ids: &[BureauId]) -> StoreResult<Vec<Bureau>> {
        bureaus::by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.bureau_by_code", skip(self), fields(code = %code))]
    async fn bureau_by_code(&self, code: &BureauCode) -> StoreResult<Option<Bureau>> {
        bureaus::by_code(&self.reader, code).await
    }

    #[tracing::instrument(name = "store.create_procedure", skip(self, procedure, creation, audit), fields(procedure_id = %procedure.id))]
    async fn create_procedure(
        &self,
        procedure: Procedure,
        creation: TransitionRecord,
        audit: &AuditEntry,
    ) -> StoreResult<Procedure> {
        procedures::create(&self.writer, procedure, creation, audit).await
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
        procedures::update(&self.writer, id, expected_version, patch, now, audit).await
    }

    #[tracing::instrument(name = "store.procedure", skip(self), fields(procedure_id = %id))]
    async fn procedure(&self, id: ProcedureId) -> StoreResult<Option<Procedure>> {
        procedures::get(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.procedure_by_code", skip(self), fields(code = %code))]
    async fn procedure_by_code(&self, code: &ProcedureCode) -> StoreResult<Option<Procedure>> {
        procedures::by_code(&self.reader, code).await
    }

    #[tracing::instrument(name = "store.procedures_by_ids", skip(self, ids), fields(count = ids.len()))]
    async fn procedures_by_ids(&self, ids: &[ProcedureId]) -> StoreResult<Vec<Procedure>> {
        procedures::by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.existing_procedure_codes", skip(self, codes), fields(count = codes.len()))]
    async fn existing_procedure_codes(
        &self,
        codes: &[ProcedureCode],
    ) -> StoreResult<Vec<ProcedureCode>> {
        procedures::existing_codes(&self.reader, codes).await
    }

    #[tracing::instrument(name = "store.list_procedures", skip(self, filter, page), fields(first = page.first))]
    async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        order: ProcedureOrder,
        page: &PageRequest<ProcedureCursor>,
    ) -> StoreResult<Page<Procedure>> {
        listing::list(&self.reader, filter, order, page).await
    }

    #[tracing::instrument(name = "store.count_by_state", skip(self, filter))]
    async fn count_by_state(&self, filter: &ProcedureFilter) -> StoreResult<Vec<(String, i64)>> {
        listing::count_by_state(&self.reader, filter).await
    }

    #[tracing::instrument(name = "store.states_in_use", skip(self))]
    async fn states_in_use(&self) -> StoreResult<Vec<String>> {
        listing::states_in_use(&self.reader).await
    }

    #[tracing::instrument(name = "store.apply_transition", skip(self, write), fields(procedure_id = %write.plan.record.procedure_id, to = %write.plan.to_state))]
    async fn apply_transition(&self, write: &TransitionWrite) -> StoreResult<Procedure> {
        transitions::apply(&self.writer, write).await
    }

    #[tracing::instrument(name = "store.idempotency_hit", skip(self, key))]
    async fn idempotency_hit(
        &self,
        owner: &str,
        key: &IdempotencyKey,
    ) -> StoreResult<Option<IdempotencyHit>> {
        transitions::idempotency_hit(&self.reader, owner, key).await
    }

    #[tracing::instrument(name = "store.transition_record", skip(self), fields(record_id = %id))]
    async fn transition_record(
        &self,
        id: TransitionRecordId,
    ) -> StoreResult<Option<TransitionRecord>> {
        transitions::record(&self.reader, id).await
    }

    #[tracing::instrument(name = "store.transition_records_by_ids", skip_all, fields(count = ids.len()))]
    async fn transition_records_by_ids(
        &self,
        ids: &[TransitionRecordId],
    ) -> StoreResult<Vec<TransitionRecord>> {
        transitions::records_by_ids(&self.reader, ids).await
    }

    #[tracing::instrument(name = "store.history", skip(self, page), fields(procedure_id = %procedure, first = page.first))]
    async fn history(
        &self,
        procedure: ProcedureId,
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Page<TransitionRecord>> {
        transitions::history(&self.reader, procedure, page).await
    }

    #[tracing::instrument(name = "store.histories", skip_all, fields(count = procedures.len(), first = page.first))]
    async fn histories(
        &self,
        procedures: &[ProcedureId],
        page: &PageRequest<HistoryCursor>,
    ) -> StoreResult<Vec<(ProcedureId, Page<TransitionRecord>)>> {
        transitions::histories(&self.reader, procedures, page).await
    }

    #[tracing::instrument(name = "store.insert_bureaus", skip(self, bureaus, audit), fields(count = bureaus.len()))]
    async fn insert_bureaus(&self, bureaus: &[Bureau], audit: &AuditEntry) -> StoreResult<u64> {
        bulk::insert_bureaus(&self.writer, bureaus, audit).await
    }

    #[tracing::instrument(name = "store.insert_procedures", skip(self, seeds, audit), fields(count = seeds.len()))]
    async fn insert_procedures(
        &self,
        seeds: &[ProcedureSeed],
        audit: &AuditEntry,
    ) -> StoreResult<u64> {
        bulk::insert_procedures(&self.writer, seeds, audit).await
    }

    #[tracing::instrument(name = "store.is_empty", skip(self))]
    async fn is_empty(&self) -> StoreResult<bool> {
        bulk::is_empty(&self.reader).await
    }

    #[tracing::instrument(skip(self))]
    async fn integrity(&self) -> StoreResult<rollout_store::IntegrityReport> {
        integrity::check(&self.reader).await
    }
}

//! Law changes, milestones and dependencies: the reads behind the dependency graph, and the
//! graph version that lets every replica notice a change made elsewhere.
//!
//! Writes go through the atomic batch ([`crate::Write`]): a status change that enacts a law
//! change and moves hundreds of waiting procedures is one `commit`. Every write that changes
//! the graph (an edge added or removed, a law change or milestone created or its status
//! changed) carries [`crate::Write::BumpGraphVersion`] with the version it was planned on: the
//! bump is a compare-and-set on one row, so two batches planned on the same graph cannot both
//! commit (the second gets `Conflict` and the app plans again on the new graph). That is what
//! keeps two concurrent insertions from closing a cycle together, on PostgreSQL as on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::AuditEntry;
use rollout_domain::blockers::{
    Dependency, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, Milestone,
};
use rollout_domain::{
    BureauId, DependencyId, FiscalQuarter, LawChangeId, MilestoneId, Platform, ProcedureId,
};

use crate::{Page, PageRequest, ProcedureFilter, StoreError, StoreResult};

/// Which law changes to list. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LawChangeFilter {
    pub statuses: Vec<LawChangeStatus>,
    pub levels: Vec<LawLevel>,
    pub owner_bureau_ids: Vec<BureauId>,
    /// National-level law changes only (true) or Tokyo's own only (false).
    pub national: Option<bool>,
    /// A substring of the code or either title, compared case-insensitively.
    pub search: Option<String>,
}

/// Position in the law change listing, which is ordered by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawChangeCursor {
    pub code: String,
}

/// Everything the dependency graph is built from, read in one snapshot: the graph version it
/// belongs to, every law change and milestone, and the active (not removed) dependencies.
#[derive(Debug, Clone, Default)]
pub struct GraphRows {
    pub version: i64,
    pub law_changes: Vec<LawChange>,
    pub milestones: Vec<Milestone>,
    pub dependencies: Vec<Dependency>,
}

/// The facts of one procedure that graph questions need (a narrow row, for thousands at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureFacts {
    pub id: ProcedureId,
    pub code: String,
    pub bureau_id: BureauId,
    pub state: String,
    pub released_on: Option<chrono::NaiveDate>,
    pub process_count: i64,
    /// Unknown volumes read as 0.
    pub annual_applications: i64,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
}

/// One released procedure's way from its last entry into the "scheduled" state to its
/// release, for the lead times of earliest release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadSample {
    pub platform: Option<Platform>,
    pub scheduled_at: DateTime<Utc>,
    pub released_at: DateTime<Utc>,
}

/// Law changes, milestones and dependencies loaded in bulk (demo data, imports): inserted as-is
/// in one transaction with multi-row statements, all or nothing, bumping the graph version
/// once.
#[derive(Debug, Clone, Default)]
pub struct BlockerSeed {
    pub law_changes: Vec<LawChange>,
    /// Status history of the law changes, each beginning with its creation record.
    pub law_change_history: Vec<LawChangeStatusChange>,
    pub milestones: Vec<Milestone>,
    pub dependencies: Vec<Dependency>,
    /// The graph version the load was checked against (an import's cycle and duplicate
    /// checks): it commits only if the version is still that, else `Conflict` and nothing is
    /// written. `None` (demo data, planned on no graph) moves the version on whatever it is.
    pub planned_on_graph: Option<i64>,
}

/// How a `Duplicate { entity: "dependency" }` names the edge that is already active:
/// `<procedure id> -> <KIND> <blocker id>`, alike on every backend.
pub fn dependency_key(d: &Dependency) -> String {
    format!("{} -> {} {}", d.procedure_id, d.on.kind(), d.on.uuid())
}

/// The `Conflict` of a failed [`crate::Write::BumpGraphVersion`]. [`StoreError::Conflict`]
/// carries `i32` versions (those of rows); a graph version beyond that range, which would take
/// billions of graph changes, is reported as `i32::MAX`.
pub fn graph_version_conflict(expected: i64, stored: i64) -> StoreError {
    let narrow = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    StoreError::Conflict {
        expected: narrow(expected),
        actual: narrow(stored),
    }
}

/// Reads of law changes, milestones and dependencies. Batch reads return rows in no particular
/// order unless stated.
#[async_trait]
pub trait BlockerStore: Send + Sync {
    /// The current graph version (0 before any change).
    async fn graph_version(&self) -> StoreResult<i64>;
    /// The whole graph in one consistent snapshot (a fixed number of statements, whatever its
    /// size).
    async fn graph_rows(&self) -> StoreResult<GraphRows>;
    /// The facts of the given procedures, or of every procedure when `ids` is `None`. One
    /// statement.
    async fn procedure_facts(
        &self,
        ids: Option<&[ProcedureId]>,
    ) -> StoreResult<Vec<ProcedureFacts>>;
    /// The ids of every procedure the filter matches (unordered). One statement.
    async fn procedure_ids(&self, filter: &ProcedureFilter) -> StoreResult<Vec<ProcedureId>>;
    /// For every procedure now in one of `done_states` (with `released_on` set): the time of its
    /// latest history record entering `scheduled_state` and of its latest record entering a
    /// done state after it. Procedures without both are absent.
    async fn lead_samples(
        &self,
        scheduled_state: &str,
        done_states: &[String],
    ) -> StoreResult<Vec<LeadSample>>;
    /// Inserts a seed (see [`BlockerSeed`]); returns how many rows were inserted in all.
    async fn insert_blockers(&self, seed: &BlockerSeed, audit: &AuditEntry) -> StoreResult<u64>;

    async fn law_change(&self, id: LawChangeId) -> StoreResult<Option<LawChange>>;
    async fn law_change_by_code(&self, code: &str) -> StoreResult<Option<LawChange>>;
    async fn law_changes_by_ids(&self, ids: &[LawChangeId]) -> StoreResult<Vec<LawChange>>;
    /// One keyset-paginated page, ordered by code.
    async fn list_law_changes(
        &self,
        filter: &LawChangeFilter,
        page: &PageRequest<LawChangeCursor>,
    ) -> StoreResult<Page<LawChange>>;
    /// The status history of each of `ids` (every law change when `None`), oldest first (by
    /// `at`, then id).
    async fn law_change_history(
        &self,
        ids: Option<&[LawChangeId]>,
    ) -> StoreResult<Vec<LawChangeStatusChange>>;

    async fn milestone(&self, id: MilestoneId) -> StoreResult<Option<Milestone>>;
    async fn milestones_by_ids(&self, ids: &[MilestoneId]) -> StoreResult<Vec<Milestone>>;
    /// Every milestone, by planned date (none last), then name.
    async fn list_milestones(&self) -> StoreResult<Vec<Milestone>>;

    async fn dependency(&self, id: DependencyId) -> StoreResult<Option<Dependency>>;
    async fn dependencies_by_ids(&self, ids: &[DependencyId]) -> StoreResult<Vec<Dependency>>;
    /// Every dependency ever recorded, removed ones included (for "as of" questions), by
    /// `created_at`, then id.
    async fn all_dependencies(&self) -> StoreResult<Vec<Dependency>>;
}

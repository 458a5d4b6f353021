//! The audit trail's storage: append and read, nothing else. There is deliberately no update or
//! delete; on PostgreSQL a trigger makes the database refuse them too.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::{AuditEntryId, UserId};

use crate::{Page, PageRequest, StoreResult};

/// Which audit entries to list. Every field narrows; `since` is inclusive, `until` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub actor_id: Option<UserId>,
    /// Exact action (`procedure.transition`) or a prefix ending in `.` (`procedure.`).
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub outcome: Option<AuditOutcome>,
}

/// Keyset position in the trail, oldest first: time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor {
    pub at: DateTime<Utc>,
    pub id: AuditEntryId,
}

/// The append-only audit trail.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one entry on its own (denied attempts, which change nothing else).
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Entries oldest first, keyset-paginated, with the filter's total count.
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest<AuditCursor>,
    ) -> StoreResult<Page<AuditEntry>>;
}

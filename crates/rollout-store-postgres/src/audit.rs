//! The audit trail: the insert every write shares (inside the writer's transaction), appending a
//! lone entry, and the filtered, keyset-paginated listing. There is no update or delete here,
//! and the database refuses them too (see `0002_identity_approvals_audit.sql`).
//!
//! `before`/`after` are JSON text in the domain and `jsonb` in the table: invalid JSON is
//! refused by the server rather than stored, and reading them back gives jsonb's normalised text.

use async_trait::async_trait;
use rollout_domain::audit::AuditEntry;
use rollout_store::{AuditCursor, AuditFilter, AuditStore, Page, PageRequest, StoreResult};
use sqlx::postgres::PgExecutor;
use sqlx::{Postgres, QueryBuilder};

use crate::rows::{self, audit_columns};
use crate::{PgStore, errors, paging};

/// Inserts one entry with whatever executor the caller holds: the open transaction of the write
/// it describes, so that the entry exists exactly when the change does.
pub(crate) async fn insert(executor: impl PgExecutor<'_>, entry: &AuditEntry) -> StoreResult<()> {
    let mut q = QueryBuilder::new("");
    push_insert(&mut q, entry, "");
    q.build()
        .execute(executor)
        .await
        .map_err(errors::write("insert audit entry", |constraint| {
            violated_key(entry, constraint)
        }))?;
    Ok(())
}

/// Pushes `INSERT INTO audit_log (...) SELECT <the entry's values, bound> <source>`: with an
/// empty `source` one plain insert; with ` FROM <cte>` an insert that happens only when that
/// common table expression has a row (a transition's single statement, [`crate::transitions`]).
pub(crate) fn push_insert(q: &mut QueryBuilder<Postgres>, entry: &AuditEntry, source: &str) {
    q.push(
        "INSERT INTO audit_log (id, at, actor_id, actor, on_behalf_of, action, target_type, \
         target_id, before, after, outcome, request_id, client_addr) SELECT ",
    );
    let mut values = q.separated(", ");
    values.push_bind(entry.id.as_uuid());
    values.push_bind(entry.at);
    values.push_bind(entry.actor_id.map(|u| u.as_uuid()));
    values.push_bind(&entry.actor);
    values.push_bind(entry.on_behalf_of.map(|u| u.as_uuid()));
    values.push_bind(&entry.action);
    values.push_bind(&entry.target_type);
    values.push_bind(&entry.target_id);
    values.push_bind(&entry.before);
    values.push_unseparated("::jsonb");
    values.push_bind(&entry.after);
    values.push_unseparated("::jsonb");
    values.push_bind(entry.outcome.as_str());
    values.push_bind(&entry.request_id);
    values.push_bind(&entry.client_addr);
    q.push(source);
}

/// The offending value when an insert of `entry` violates `constraint`, for [`errors::write`].
pub(crate) fn violated_key(entry: &AuditEntry, constraint: &str) -> Option<String> {
    Some(match constraint {
        "audit_log_actor_id_fkey" => entry.actor_id.map(|u| u.to_string()).unwrap_or_default(),
        _ => entry.id.to_string(),
    })
}

/// Appends ` WHERE ...` (always present, so callers can add ` AND ...`).
fn push_filter(q: &mut QueryBuilder<Postgres>, filter: &AuditFilter) {
    q.push(" WHERE TRUE");
    if let Some(since) = filter.since {
        q.push(" AND at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        q.push(" AND at < ").push_bind(until);
    }
    if let Some(actor) = filter.actor_id {
        q.push(" AND actor_id = ").push_bind(actor.as_uuid());
    }
    if let Some(action) = &filter.action {
        // `starts_with` rather than LIKE: no wildcard in the action can widen the match.
        if action.ends_with('.') {
            q.push(" AND starts_with(action, ")
                .push_bind(action.clone())
                .push(")");
        } else {
            q.push(" AND action = ").push_bind(action.clone());
        }
    }
    if let Some(target_type) = &filter.target_type {
        q.push(" AND target_type = ").push_bind(target_type.clone());
    }
    if let Some(target_id) = &filter.target_id {
        q.push(" AND target_id = ").push_bind(target_id.clone());
    }
    if let Some(outcome) = filter.outcome {
        q.push(" AND outcome = ").push_bind(outcome.as_str());
    }
}

async fn list(
    store: &PgStore,
    filter: &AuditFilter,
    page: &PageRequest<AuditCursor>,
) -> StoreResult<Page<AuditEntry>> {
    let mut q =
        QueryBuilder::<Postgres>::new(concat!("SELECT ", audit_columns!(), " FROM audit_log"));
    push_filter(&mut q, filter);
    if let Some(after) = &page.after {
        q.push(" AND (at, id) > (")
            .push_bind(after.at)
            .push(", ")
            .push_bind(after.id.as_uuid())
            .push(")");
    }
    q.push(" ORDER BY at, id LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM audit_log");
    push_filter(&mut count, filter);
    let (found, total_count) = paging::fetch(
        &store.pool,
        q.build(),
        page.with_total.then(|| count.build_query_scalar()),
        "list audit entries",
    )
    .await?;
    Ok(Page::from_overfetch(
        rows::all(&found, rows::audit_entry)?,
        page,
        total_count,
    ))
}

#[async_trait]
impl AuditStore for PgStore {
    #[tracing::instrument(name = "store.append_audit", skip(self, entry), fields(action = %entry.action, outcome = entry.outcome.as_str()))]
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        insert(&self.pool, entry).await
    }

    #[tracing::instrument(name = "store.list_audit", skip(self, filter, page), fields(first = page.first))]
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest<AuditCursor>,
    ) -> StoreResult<Page<AuditEntry>> {
        list(self, filter, page).await
    }
}

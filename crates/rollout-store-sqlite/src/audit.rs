//! The audit trail: the insert that every audited write runs inside its own transaction (so a
//! write that rolls back leaves no entry), the lone append for refused attempts, and the
//! filtered, oldest-first keyset listing. There is no UPDATE or DELETE here, and the schema's
//! triggers refuse both from anywhere else.

use async_trait::async_trait;
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::{AuditEntryId, UserId};
use rollout_store::{AuditCursor, AuditFilter, AuditStore, Page, PageRequest, StoreResult};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::errors::{self, UniqueKey};
use crate::refs::{self, Ref};
use crate::rows::{decode_all, instant, parse_instant, parse_key, parse_uuid, uuid};
use crate::{SqliteStore, begin_write, commit, paging};

/// `before` and `after` are quoted: they are keywords in SQLite's trigger syntax.
const AUDIT_COLUMNS: &str = "id, at, actor_id, actor, on_behalf_of, action, target_type, \
     target_id, \"before\", \"after\", outcome, request_id, client_addr";

#[derive(Debug, FromRow)]
struct AuditRow {
    id: String,
    at: String,
    actor_id: Option<String>,
    actor: String,
    on_behalf_of: Option<String>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    before: Option<String>,
    after: Option<String>,
    outcome: String,
    request_id: Option<String>,
    client_addr: Option<String>,
}

impl AuditRow {
    fn into_domain(self) -> StoreResult<AuditEntry> {
        let user = |column: &str, raw: Option<String>| {
            raw.map(|raw| parse_uuid(column, &raw).map(UserId))
                .transpose()
        };
        Ok(AuditEntry {
            id: AuditEntryId(parse_uuid("audit_log.id", &self.id)?),
            at: parse_instant("audit_log.at", &self.at)?,
            actor_id: user("audit_log.actor_id", self.actor_id)?,
            actor: self.actor,
            on_behalf_of: user("audit_log.on_behalf_of", self.on_behalf_of)?,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            before: self.before,
            after: self.after,
            outcome: parse_key("audit_log.outcome", &self.outcome, AuditOutcome::parse)?,
            request_id: self.request_id,
            client_addr: self.client_addr,
        })
    }
}

/// Inserts `entry` on `conn`, inside the caller's transaction. `NotFound { entity: "user" }` for
/// an unknown actor, `Duplicate { entity: "audit entry" }` for a reused id.
pub(crate) async fn insert(conn: &mut SqliteConnection, entry: &AuditEntry) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let result = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(uuid(entry.id.0))
        .bind(instant(entry.at))
        .bind(entry.actor_id.map(|u| uuid(u.0)))
        .bind(entry.actor.as_str())
        .bind(entry.on_behalf_of.map(|u| uuid(u.0)))
        .bind(entry.action.as_str())
        .bind(entry.target_type.as_str())
        .bind(entry.target_id.as_deref())
        .bind(entry.before.as_deref())
        .bind(entry.after.as_deref())
        .bind(entry.outcome.as_str())
        .bind(entry.request_id.as_deref())
        .bind(entry.client_addr.as_deref())
        .execute(&mut *conn)
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if errors::unique_violation(&e) == Some(UniqueKey::AuditId) => {
            Err(errors::duplicate("audit entry", entry.id))
        }
        Err(e) => {
            let actor: Vec<Ref> = entry.actor_id.map(|u| Ref::user(u.0)).into_iter().collect();
            Err(refs::missing(conn, e, "insert audit entry", &actor).await)
        }
    }
}

/// Inserts every entry in order, inside the caller's transaction.
pub(crate) async fn insert_all(
    conn: &mut SqliteConnection,
    entries: &[AuditEntry],
) -> StoreResult<()> {
    for entry in entries {
        insert(conn, entry).await?;
    }
    Ok(())
}

/// Appends `filter`'s conditions (always a WHERE, so callers can append `AND ...`).
fn push_filter(qb: &mut QueryBuilder<Sqlite>, filter: &AuditFilter) {
    qb.push(" WHERE TRUE");
    if let Some(since) = filter.since {
        qb.push(" AND at >= ").push_bind(instant(since));
    }
    if let Some(until) = filter.until {
        qb.push(" AND at < ").push_bind(instant(until));
    }
    if let Some(actor) = filter.actor_id {
        qb.push(" AND actor_id = ").push_bind(uuid(actor.0));
    }
    match filter.action.as_deref() {
        // A literal, case-sensitive prefix: LIKE would read `_` and `%` in action names as
        // wildcards and fold ASCII case.
        Some(prefix) if prefix.ends_with('.') => {
            let chars = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
            qb.push(" AND substr(action, 1, ")
                .push_bind(chars)
                .push(") = ")
                .push_bind(prefix.to_owned());
        }
        Some(exact) => {
            qb.push(" AND action = ").push_bind(exact.to_owned());
        }
        None => {}
    }
    if let Some(target_type) = &filter.target_type {
        qb.push(" AND target_type = ")
            .push_bind(target_type.clone());
    }
    if let Some(target_id) = &filter.target_id {
        qb.push(" AND target_id = ").push_bind(target_id.clone());
    }
    if let Some(outcome) = filter.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.as_str());
    }
}

async fn list(
    reader: &SqlitePool,
    filter: &AuditFilter,
    page: &PageRequest<AuditCursor>,
) -> StoreResult<Page<AuditEntry>> {
    let mut items_query =
        QueryBuilder::<Sqlite>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log"));
    push_filter(&mut items_query, filter);
    if let Some(cursor) = &page.after {
        items_query
            .push(" AND (at, id) > (")
            .push_bind(instant(cursor.at))
            .push(", ")
            .push_bind(uuid(cursor.id.0))
            .push(")");
    }
    let limit = page.fetch_limit();
    items_query.push(" ORDER BY at, id LIMIT ").push_bind(limit);
    let mut count_query = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM audit_log");
    push_filter(&mut count_query, filter);
    let (rows, total_count) = paging::fetch(
        reader,
        items_query.build_query_as::<AuditRow>(),
        page.with_total.then(|| count_query.build_query_scalar()),
        "list audit entries",
    )
    .await?;

    let items = decode_all(rows, AuditRow::into_domain)?;
    Ok(Page::from_overfetch(items, page, total_count))
}

#[async_trait]
impl AuditStore for SqliteStore {
    #[tracing::instrument(name = "store.append_audit", skip(self, entry), fields(action = %entry.action, outcome = entry.outcome.as_str()))]
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let mut tx = begin_write(&self.writer).await?;
        insert(&mut tx, entry).await?;
        commit(tx).await
    }

    #[tracing::instrument(name = "store.list_audit", skip(self, filter, page), fields(first = page.first))]
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest<AuditCursor>,
    ) -> StoreResult<Page<AuditEntry>> {
        list(&self.reader, filter, page).await
    }
}

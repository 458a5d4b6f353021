//! Reading approval requests in bulk: the filtered, keyset-paginated listing (newest first) and
//! the sweep's query for pending requests past their expiry. Every filter is applied in SQL;
//! what "expired" means for a single request is `ApprovalRequest::status_at`, which the sweep
//! query mirrors (a request is expired from the instant it expires).

use chrono::{DateTime, Utc};
use rollout_domain::approval::ApprovalRequest;
use rollout_store::{ApprovalCursor, ApprovalFilter, Page, PageRequest, StoreResult};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::rows::{self, request_columns};
use crate::{errors, paging};

/// Appends ` WHERE ...` (always present, so callers can add ` AND ...`).
fn push_filter(q: &mut QueryBuilder<Postgres>, filter: &ApprovalFilter) {
    q.push(" WHERE TRUE");
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        q.push(" AND status = ANY(").push_bind(statuses).push(")");
    }
    if !filter.bureau_codes.is_empty() {
        let codes: Vec<&str> = filter.bureau_codes.iter().map(|c| c.as_str()).collect();
        q.push(
            " AND procedure_id IN (SELECT p.id FROM procedures p \
             JOIN bureaus b ON b.id = p.bureau_id WHERE b.code = ANY(",
        )
        .push_bind(codes)
        .push("))");
    }
    if let Some(role) = filter.role {
        q.push(" AND role = ").push_bind(role.as_str());
    }
    if let Some(user) = filter.requested_by {
        q.push(" AND requested_by = ").push_bind(user.as_uuid());
    }
    if let Some(procedure) = filter.procedure_id {
        q.push(" AND procedure_id = ")
            .push_bind(procedure.as_uuid());
    }
    if let Some(user) = filter.not_voted_by {
        // Neither cast by them nor counted as theirs (a substitute's vote in their place).
        q.push(
            " AND NOT EXISTS (SELECT 1 FROM approval_votes v \
             WHERE v.request_id = approval_requests.id AND (v.approver = ",
        )
        .push_bind(user.as_uuid())
        .push(" OR v.counts_for = ")
        .push_bind(user.as_uuid())
        .push("))");
    }
}

pub(crate) async fn list(
    pool: &PgPool,
    filter: &ApprovalFilter,
    page: &PageRequest<ApprovalCursor>,
) -> StoreResult<Page<ApprovalRequest>> {
    let mut q = QueryBuilder::<Postgres>::new(concat!(
        "SELECT ",
        request_columns!(),
        " FROM approval_requests"
    ));
    push_filter(&mut q, filter);
    if let Some(after) = &page.after {
        q.push(" AND (created_at, id) < (")
            .push_bind(after.created_at)
            .push(", ")
            .push_bind(after.id.as_uuid())
            .push(")");
    }
    q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM approval_requests");
    push_filter(&mut count, filter);
    let (found, total_count) = paging::fetch(
        pool,
        q.build(),
        page.with_total.then(|| count.build_query_scalar()),
        "list approval requests",
    )
    .await?;
    Ok(Page::from_overfetch(
        rows::all(&found, rows::request)?,
        page,
        total_count,
    ))
}

/// Pending requests whose expiry is at or before `now`, soonest expired first.
pub(crate) async fn expired_pending(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: usize,
) -> StoreResult<Vec<ApprovalRequest>> {
    let found = sqlx::query(concat!(
        "SELECT ",
        request_columns!(),
        " FROM approval_requests WHERE status = 'PENDING' AND expires_at <= $1 \
         ORDER BY expires_at, id LIMIT $2"
    ))
    .bind(now)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await
    .map_err(errors::db("load expired approval requests"))?;
    rows::all(&found, rows::request)
}

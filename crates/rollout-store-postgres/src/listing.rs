//! Filtered, keyset-paginated procedure listings and the aggregate reads that share their
//! filter (`count_by_state`, `states_in_use`). Every filter is applied in SQL; what counts as
//! "priority" is the domain's threshold, bound as a parameter rather than restated here.

use rollout_domain::Procedure;
use rollout_domain::procedure::PRIORITY_THRESHOLD;
use rollout_domain::text::fold_for_search;
use rollout_store::{
    OrderDirection, Page, PageRequest, ProcedureCursor, ProcedureFilter, ProcedureOrder,
    ProcedureOrderField, SlipCondition, SortValue, StoreError, StoreResult,
};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::rows::{self, procedure_columns};
use crate::{errors, paging};

/// Escapes `%`, `_` and `\` so that the user's text matches literally inside `ILIKE`.
pub(crate) fn like_pattern(search: &str) -> String {
    let mut out = String::with_capacity(search.len() + 2);
    out.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Appends ` WHERE ...` (always present, so callers can add ` AND ...`).
pub(crate) fn push_filter(q: &mut QueryBuilder<Postgres>, filter: &ProcedureFilter) {
    q.push(" WHERE TRUE");
    if !filter.bureau_codes.is_empty() {
        let codes: Vec<&str> = filter.bureau_codes.iter().map(|c| c.as_str()).collect();
        q.push(" AND bureau_id IN (SELECT id FROM bureaus WHERE code = ANY(")
            .push_bind(codes)
            .push("))");
    }
    if !filter.states.is_empty() {
        q.push(" AND state = ANY(")
            .push_bind(filter.states.clone())
            .push(")");
    }
    if let Some(category) = filter.category {
        q.push(" AND category = ").push_bind(category.as_str());
    }
    if let Some(authority) = filter.authority {
        q.push(" AND authority = ").push_bind(authority.as_str());
    }
    if let Some(platform) = filter.platform {
        q.push(" AND platform = ").push_bind(platform.as_str());
    }
    match filter.is_priority {
        Some(true) => {
            q.push(" AND annual_applications >= ")
                .push_bind(PRIORITY_THRESHOLD);
        }
        Some(false) => {
            q.push(" AND (annual_applications IS NULL OR annual_applications < ")
                .push_bind(PRIORITY_THRESHOLD)
                .push(")");
        }
        None => {}
    }
    if let Some(search) = &filter.search {
        // Both sides are folded in Rust (`fold_for_search`: widths and case), so a plain,
        // case-sensitive LIKE matches exactly what SQLite's does, whatever the server's locale.
        q.push(" AND search_text LIKE ")
            .push_bind(like_pattern(&fold_for_search(search)))
            .push(" ESCAPE '\\'");
    }
    if let Some(quarter) = &filter.target_quarter {
        q.push(" AND target_quarter = ")
            .push_bind(rows::quarter_key(quarter));
    }
    if let Some(slip) = &filter.slipped {
        push_slipped(q, slip);
    }
    if let Some(ids) = &filter.ids {
        // An empty array matches nothing, as the filter says.
        let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        q.push(" AND id = ANY(").push_bind(ids).push(")");
    }
}

/// "Slipped" as the app spelled it: a target quarter of `last_ended` or earlier (quarter keys
/// sort chronologically under `COLLATE "C"`) in an unfinished state. The negation needs no NULL
/// care: with no target quarter the first operand is FALSE, so the conjunction is FALSE.
fn push_slipped(q: &mut QueryBuilder<Postgres>, slip: &SlipCondition) {
    if slip.unfinished_states.is_empty() {
        // No state can be slipped: nothing is, and everything is not.
        if slip.slipped {
            q.push(" AND FALSE");
        }
        return;
    }
    q.push(if slip.slipped { " AND (" } else { " AND NOT (" })
        .push("target_quarter IS NOT NULL AND target_quarter <= ")
        .push_bind(rows::quarter_key(&slip.last_ended))
        .push(" AND state = ANY(")
        .push_bind(slip.unfinished_states.clone())
        .push("))");
}

fn order_column(field: ProcedureOrderField) -> &'static str {
    match field {
        ProcedureOrderField::Code => "code",
        ProcedureOrderField::CreatedAt => "created_at",
        ProcedureOrderField::UpdatedAt => "updated_at",
    }
}

/// Appends the keyset condition `(field, id) > (value, id)` (or `<` descending).
fn push_keyset(
    q: &mut QueryBuilder<Postgres>,
    order: ProcedureOrder,
    cursor: &ProcedureCursor,
) -> StoreResult<()> {
    let op = match order.direction {
        OrderDirection::Asc => ">",
        OrderDirection::Desc => "<",
    };
    q.push(format_args!(
        " AND ({}, id) {op} (",
        order_column(order.field)
    ));
    match (order.field, &cursor.value) {
        (ProcedureOrderField::Code, SortValue::Text(code)) => {
            q.push_bind(code.clone());
        }
        (ProcedureOrderField::CreatedAt | ProcedureOrderField::UpdatedAt, SortValue::Time(t)) => {
            q.push_bind(*t);
        }
        _ => {
            return Err(StoreError::corrupt(format!(
                "cursor value {:?} does not fit ordering by {:?}",
                cursor.value, order.field
            )));
        }
    }
    q.push(", ").push_bind(cursor.id.as_uuid()).push(")");
    Ok(())
}

pub(crate) async fn list(
    pool: &PgPool,
    filter: &ProcedureFilter,
    order: ProcedureOrder,
    page: &PageRequest<ProcedureCursor>,
) -> StoreResult<Page<Procedure>> {
    let mut q =
        QueryBuilder::<Postgres>::new(concat!("SELECT ", procedure_columns!(), " FROM procedures"));
    push_filter(&mut q, filter);
    if let Some(cursor) = &page.after {
        push_keyset(&mut q, order, cursor)?;
    }
    let dir = match order.direction {
        OrderDirection::Asc => "ASC",
        OrderDirection::Desc => "DESC",
    };
    q.push(format_args!(
        " ORDER BY {} {dir}, id {dir} LIMIT ",
        order_column(order.field)
    ))
    .push_bind(page.fetch_limit());
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM procedures");
    push_filter(&mut count, filter);
    let (found, total_count) = paging::fetch(
        pool,
        q.build(),
        page.with_total.then(|| count.build_query_scalar()),
        "list procedures",
    )
    .await?;
    Ok(Page::from_overfetch(
        rows::all(&found, rows::procedure)?,
        page,
        total_count,
    ))
}

pub(crate) async fn count_by_state(
    pool: &PgPool,
    filter: &ProcedureFilter,
) -> StoreResult<Vec<(String, i64)>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT state, COUNT(*) FROM procedures");
    push_filter(&mut q, filter);
    q.push(" GROUP BY state ORDER BY state");
    q.build_query_as::<(String, i64)>()
        .fetch_all(pool)
        .await
        .map_err(errors::db("count procedures by state"))
}

pub(crate) async fn states_in_use(pool: &PgPool) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT state FROM procedures ORDER BY state")
        .fetch_all(pool)
        .await
        .map_err(errors::db("list states in use"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("KANKYO"), "%KANKYO%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern(""), "%%");
    }
}

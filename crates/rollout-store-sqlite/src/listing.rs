//! Procedure listings: the filter, ordering and keyset pagination in SQL, the filter's total
//! count, counts by state, and the distinct states in use. Nothing is filtered or sorted in
//! memory; a page reads at most `first + 1` rows.

use rollout_domain::Procedure;
use rollout_domain::procedure::PRIORITY_THRESHOLD;
use rollout_domain::text::fold_for_search;
use rollout_store::{
    OrderDirection, Page, PageRequest, ProcedureCursor, ProcedureFilter, ProcedureOrder,
    ProcedureOrderField, SlipCondition, SortValue, StoreError, StoreResult,
};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::blockers::ids_json;
use crate::errors::ctx;
use crate::paging;
use crate::rows::{PROCEDURE_COLUMNS, ProcedureRow, decode_all, instant, uuid};

/// `%`, `_` and the escape character itself, escaped so the user's text matches literally.
pub(crate) fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Appends ` WHERE ...` for `filter` (always a WHERE, so callers can append `AND ...`).
pub(crate) fn push_filter(qb: &mut QueryBuilder<Sqlite>, filter: &ProcedureFilter) {
    qb.push(" WHERE TRUE");
    if !filter.bureau_codes.is_empty() {
        qb.push(" AND bureau_id IN (SELECT id FROM bureaus WHERE code IN (");
        let mut list = qb.separated(", ");
        for code in &filter.bureau_codes {
            list.push_bind(code.as_str().to_owned());
        }
        qb.push("))");
    }
    if !filter.states.is_empty() {
        qb.push(" AND state IN (");
        let mut list = qb.separated(", ");
        for state in &filter.states {
            list.push_bind(state.clone());
        }
        qb.push(")");
    }
    if let Some(category) = filter.category {
        qb.push(" AND category = ").push_bind(category.as_str());
    }
    if let Some(authority) = filter.authority {
        qb.push(" AND authority = ").push_bind(authority.as_str());
    }
    if let Some(platform) = filter.platform {
        qb.push(" AND platform = ").push_bind(platform.as_str());
    }
    match filter.is_priority {
        Some(true) => {
            qb.push(" AND annual_applications >= ")
                .push_bind(PRIORITY_THRESHOLD);
        }
        Some(false) => {
            qb.push(" AND (annual_applications IS NULL OR annual_applications < ")
                .push_bind(PRIORITY_THRESHOLD)
                .push(")");
        }
        None => {}
    }
    if let Some(search) = &filter.search {
        // Both sides are folded in Rust (`fold_for_search`: widths and case); SQLite cannot
        // fold beyond ASCII case, which is why the folded text is stored.
        qb.push(" AND search_text LIKE ")
            .push_bind(like_pattern(&fold_for_search(search)))
            .push(" ESCAPE '\\'");
    }
    if let Some(quarter) = filter.target_quarter {
        qb.push(" AND target_quarter = ")
            .push_bind(quarter.to_string());
    }
    if let Some(slip) = &filter.slipped {
        push_slipped(qb, slip);
    }
    match filter.ids.as_deref() {
        None => {}
        Some([]) => {
            qb.push(" AND FALSE");
        }
        // One JSON parameter rather than a bound value per id: the app's id sets (every blocked
        // procedure) can outgrow SQLite's limit on bound variables.
        Some(ids) => {
            qb.push(" AND id IN (SELECT value FROM json_each(")
                .push_bind(ids_json(ids.iter().map(|id| id.0)))
                .push("))");
        }
    }
}

/// "Slipped" as the app spelled it: a target quarter of `last_ended` or earlier (quarter keys
/// sort chronologically) in an unfinished state. The negation needs no NULL care: with no target
/// quarter the first operand is FALSE, so the conjunction is FALSE, never NULL.
fn push_slipped(qb: &mut QueryBuilder<Sqlite>, slip: &SlipCondition) {
    if slip.unfinished_states.is_empty() {
        // No state can be slipped: nothing is, and everything is not.
        if slip.slipped {
            qb.push(" AND FALSE");
        }
        return;
    }
    qb.push(if slip.slipped { " AND (" } else { " AND NOT (" })
        .push("target_quarter IS NOT NULL AND target_quarter <= ")
        .push_bind(slip.last_ended.to_string())
        .push(" AND state IN (");
    let mut list = qb.separated(", ");
    for state in &slip.unfinished_states {
        list.push_bind(state.clone());
    }
    qb.push("))");
}

/// The cursor's sort value, encoded like the column it is compared with.
fn cursor_value(order: ProcedureOrder, cursor: &ProcedureCursor) -> StoreResult<String> {
    match (order.field, &cursor.value) {
        (ProcedureOrderField::Code, SortValue::Text(code)) => Ok(code.clone()),
        (ProcedureOrderField::CreatedAt | ProcedureOrderField::UpdatedAt, SortValue::Time(t)) => {
            Ok(instant(*t))
        }
        (field, value) => Err(StoreError::corrupt(format!(
            "cursor value {value:?} does not fit an ordering by {field:?}"
        ))),
    }
}

pub(crate) async fn list(
    reader: &SqlitePool,
    filter: &ProcedureFilter,
    order: ProcedureOrder,
    page: &PageRequest<ProcedureCursor>,
) -> StoreResult<Page<Procedure>> {
    let column = match order.field {
        ProcedureOrderField::Code => "code",
        ProcedureOrderField::CreatedAt => "created_at",
        ProcedureOrderField::UpdatedAt => "updated_at",
    };
    let (direction, after) = match order.direction {
        OrderDirection::Asc => ("ASC", ">"),
        OrderDirection::Desc => ("DESC", "<"),
    };
    let mut items_query =
        QueryBuilder::<Sqlite>::new(format!("SELECT {PROCEDURE_COLUMNS} FROM procedures"));
    push_filter(&mut items_query, filter);
    if let Some(cursor) = &page.after {
        // A row value comparison: strictly after (value, id) in the listing's direction.
        items_query
            .push(format!(" AND ({column}, id) {after} ("))
            .push_bind(cursor_value(order, cursor)?)
            .push(", ")
            .push_bind(uuid(cursor.id.0))
            .push(")");
    }
    let limit = page.fetch_limit();
    items_query
        .push(format!(
            " ORDER BY {column} {direction}, id {direction} LIMIT "
        ))
        .push_bind(limit);
    let mut count_query = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM procedures");
    push_filter(&mut count_query, filter);
    let (rows, total_count) = paging::fetch(
        reader,
        items_query.build_query_as::<ProcedureRow>(),
        page.with_total.then(|| count_query.build_query_scalar()),
        "list procedures",
    )
    .await?;

    let items = decode_all(rows, ProcedureRow::into_domain)?;
    Ok(Page::from_overfetch(items, page, total_count))
}

pub(crate) async fn count_by_state(
    reader: &SqlitePool,
    filter: &ProcedureFilter,
) -> StoreResult<Vec<(String, i64)>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT state, COUNT(*) FROM procedures");
    push_filter(&mut qb, filter);
    qb.push(" GROUP BY state ORDER BY state");
    qb.build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("count procedures by state"))
}

pub(crate) async fn states_in_use(reader: &SqlitePool) -> StoreResult<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT state FROM procedures ORDER BY state")
        .fetch_all(reader)
        .await
        .map_err(ctx("list states in use"))
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("旅券"), "%旅券%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}

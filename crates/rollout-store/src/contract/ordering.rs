//! Contract cases for ordering and keyset pagination: every field in both directions, walked two
//! rows at a time, must visit every row exactly once in the right order, with ties on the sort
//! value broken by id (in uuid byte order, which is the order of the lower-case text form).
//! Codes order by bytes (`-` < digits < letters < `_`), as Rust orders [`ProcedureCode`]s.
//!
//! [`ProcedureCode`]: rollout_domain::ProcedureCode

use std::sync::Arc;

use rollout_domain::{Procedure, ProcedureId};
use uuid::Uuid;

use super::fixtures::{at, procedure, seed_bureau, seed_procedure};
use crate::{
    OrderDirection, PageRequest, ProcedureCursor, ProcedureFilter, ProcedureOrder,
    ProcedureOrderField, Store,
};

/// Seven procedures: three share `created_at`, two pairs share `updated_at`, and the codes
/// exercise byte order. Ids are fixed and deliberately not in insertion or code order.
async fn seed_order_rows(store: &Arc<dyn Store>) -> Vec<Procedure> {
    let b = seed_bureau(store, "KANKYO").await;
    // (id, code, created_at, updated_at, state)
    let rows = [
        (0x70, "AB-0010", at(100, 0), at(300, 0), "hearing"),
        (0x10, "A_B-0001", at(100, 0), at(150, 0), "scheduled"),
        (0x50, "AB-0001", at(100, 0), at(300, 0), "hearing"),
        (0x30, "ZZ-0001", at(50, 5), at(400, 0), "scheduled"),
        (0x20, "AB1-0001", at(200, 1), at(250, 0), "hearing"),
        (0x60, "A_B-0002", at(200, 2), at(250, 0), "scheduled"),
        (0x40, "AB-0002", at(10, 0), at(500, 999_999), "hearing"),
    ];
    let mut out = Vec::new();
    for (id, code, created, updated, state) in rows {
        let mut p = procedure(code, b.id, created);
        p.id = ProcedureId(Uuid::from_u128((id << 120) | (0x7 << 76) | (0x8 << 60)));
        p.updated_at = updated;
        p.state = state.to_owned();
        out.push(seed_procedure(store, p).await);
    }
    out
}

/// What a correct backend returns: `rows` filtered by `keep`, sorted by (field, id).
fn expected(
    rows: &[Procedure],
    order: ProcedureOrder,
    keep: impl Fn(&Procedure) -> bool,
) -> Vec<String> {
    let mut rows: Vec<&Procedure> = rows.iter().filter(|p| keep(p)).collect();
    rows.sort_by(|a, b| {
        let by_field = match order.field {
            ProcedureOrderField::Code => a.code.cmp(&b.code),
            ProcedureOrderField::CreatedAt => a.created_at.cmp(&b.created_at),
            ProcedureOrderField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
        };
        by_field.then(a.id.cmp(&b.id))
    });
    if order.direction == OrderDirection::Desc {
        rows.reverse();
    }
    rows.iter().map(|p| p.code.as_str().to_owned()).collect()
}

/// Walks the listing two rows at a time and returns the codes in the order seen, checking the
/// page flags and the total on every page.
async fn walk(
    store: &Arc<dyn Store>,
    filter: &ProcedureFilter,
    order: ProcedureOrder,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<ProcedureCursor> = None;
    let total = store
        .list_procedures(
            filter,
            order,
            &PageRequest {
                first: 1000,
                after: None,
                with_total: true,
            },
        )
        .await
        .unwrap()
        .total_count
        .expect("asked for the total");
    loop {
        let request = PageRequest {
            first: 2,
            after: after.clone(),
            with_total: true,
        };
        let page = store
            .list_procedures(filter, order, &request)
            .await
            .unwrap();
        assert_eq!(
            page.total_count,
            Some(total),
            "{order:?}: total changes with the page"
        );
        assert_eq!(page.has_previous_page, after.is_some(), "{order:?}");
        seen.extend(page.items.iter().map(|p| p.code.as_str().to_owned()));
        assert!(
            seen.len() <= total as usize,
            "{order:?}: more rows than the total"
        );
        if !page.has_next_page {
            assert_eq!(seen.len(), total as usize, "{order:?}: stopped early");
            return seen;
        }
        assert_eq!(page.items.len(), 2, "{order:?}: short page before the end");
        after = Some(ProcedureCursor::of(page.items.last().unwrap(), order));
    }
}

async fn check_both_directions(
    store: &Arc<dyn Store>,
    field: ProcedureOrderField,
    want_asc: &[&str],
) {
    let rows = seed_order_rows(store).await;
    for direction in [OrderDirection::Asc, OrderDirection::Desc] {
        let order = ProcedureOrder { field, direction };
        let want = expected(&rows, order, |_| true);
        let mut concrete: Vec<String> = want_asc.iter().map(|c| (*c).to_owned()).collect();
        if direction == OrderDirection::Desc {
            concrete.reverse();
        }
        assert_eq!(want, concrete, "fixture expectation for {order:?}");
        assert_eq!(walk(store, &ProcedureFilter::default(), order).await, want);
    }
}

/// Code order is byte order, both ways, paged two at a time.
pub async fn order_by_code_pages(store: Arc<dyn Store>) {
    check_both_directions(
        &store,
        ProcedureOrderField::Code,
        &[
            "AB-0001", "AB-0002", "AB-0010", "AB1-0001", "A_B-0001", "A_B-0002", "ZZ-0001",
        ],
    )
    .await;
}

/// Creation time order with three identical times broken by id, both ways.
pub async fn order_by_created_at_pages(store: Arc<dyn Store>) {
    check_both_directions(
        &store,
        ProcedureOrderField::CreatedAt,
        &[
            "AB-0002", "ZZ-0001", "A_B-0001", "AB-0001", "AB-0010", "AB1-0001", "A_B-0002",
        ],
    )
    .await;
}

/// Update time order with two ties broken by id, both ways.
pub async fn order_by_updated_at_pages(store: Arc<dyn Store>) {
    check_both_directions(
        &store,
        ProcedureOrderField::UpdatedAt,
        &[
            "A_B-0001", "AB1-0001", "A_B-0002", "AB-0001", "AB-0010", "ZZ-0001", "AB-0002",
        ],
    )
    .await;
}

/// Cursors combine with filters: the pages cover exactly the filtered rows, and the total is
/// the filter's, whatever page is asked for.
pub async fn order_pages_with_filter(store: Arc<dyn Store>) {
    let rows = seed_order_rows(&store).await;
    let filter = ProcedureFilter {
        states: vec!["hearing".to_owned()],
        ..ProcedureFilter::default()
    };
    for field in [
        ProcedureOrderField::Code,
        ProcedureOrderField::CreatedAt,
        ProcedureOrderField::UpdatedAt,
    ] {
        for direction in [OrderDirection::Asc, OrderDirection::Desc] {
            let order = ProcedureOrder { field, direction };
            let want = expected(&rows, order, |p| p.state == "hearing");
            assert_eq!(want.len(), 4);
            assert_eq!(walk(&store, &filter, order).await, want);
        }
    }
    // A cursor past the last row: an empty page that still knows the total.
    let order = ProcedureOrder::default();
    let last = rows.iter().max_by(|a, b| a.code.cmp(&b.code)).unwrap();
    let request = PageRequest {
        first: 2,
        after: Some(ProcedureCursor::of(last, order)),
        with_total: true,
    };
    let page = store
        .list_procedures(&ProcedureFilter::default(), order, &request)
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert!(!page.has_next_page);
    assert!(page.has_previous_page);
    assert_eq!(page.total_count, Some(7));
}

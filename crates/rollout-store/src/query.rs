//! Listing parameters shared by both backends: filters, orderings, keyset cursors and pages.
//! Cursors here are typed; the GraphQL layer turns them into opaque strings.

use chrono::{DateTime, Utc};
use rollout_domain::{Authority, BureauCode, Category, FiscalQuarter, ProcedureId};

/// The most items one page may hold; larger requests are refused by the app layer.
pub const MAX_PAGE_SIZE: usize = 500;

/// Which procedures to list. Every field narrows the result; an empty filter matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcedureFilter {
    /// Empty means any bureau.
    pub bureau_codes: Vec<BureauCode>,
    /// Empty means any state.
    pub states: Vec<String>,
    pub category: Option<Category>,
    pub authority: Option<Authority>,
    /// `annual_applications >= 10,000` (true) or not, including unknown volumes (false).
    pub is_priority: Option<bool>,
    /// The platform a procedure goes online through (procedures without one never match).
    pub platform: Option<rollout_domain::Platform>,
    /// A substring of the code, the Japanese name or the English name, compared in
    /// `fold_for_search` form (case and full-/half-width differences ignored).
    pub search: Option<String>,
    pub target_quarter: Option<FiscalQuarter>,
    /// Slipped procedures (or, with `slipped: false`, the others): the app turns the idea into
    /// plain conditions, see [`SlipCondition`].
    pub slipped: Option<SlipCondition>,
    /// Only these procedures: how the app expresses ideas answered by the dependency graph
    /// (`blocked`, `atRisk`, `blockedBy`). An empty list matches nothing.
    pub ids: Option<Vec<ProcedureId>>,
}

/// "Slipped" as plain conditions: a target quarter of `last_ended` or earlier and a state among
/// `unfinished_states`. `slipped: false` selects every procedure that does not meet both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipCondition {
    pub last_ended: FiscalQuarter,
    pub unfinished_states: Vec<String>,
    pub slipped: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcedureOrderField {
    #[default]
    Code,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// Sort order of a procedure listing; ties are broken by id in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcedureOrder {
    pub field: ProcedureOrderField,
    pub direction: OrderDirection,
}

/// The sort key of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Text(String),
    Time(DateTime<Utc>),
}

/// Keyset position in a procedure listing: the row's sort value and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureCursor {
    pub value: SortValue,
    pub id: ProcedureId,
}

impl ProcedureCursor {
    /// The cursor that points at `p` under `order`.
    pub fn of(p: &rollout_domain::Procedure, order: ProcedureOrder) -> Self {
        let value = match order.field {
            ProcedureOrderField::Code => SortValue::Text(p.code.as_str().to_owned()),
            ProcedureOrderField::CreatedAt => SortValue::Time(p.created_at),
            ProcedureOrderField::UpdatedAt => SortValue::Time(p.updated_at),
        };
        Self { value, id: p.id }
    }
}

/// Keyset position in a procedure's history. History is ordered by the procedure version each
/// record produced, not by time: versions are unique per procedure and assigned under the
/// compare-and-set, so they are the true order even when two records share a timestamp or
/// replicas' clocks disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryCursor {
    pub procedure_version: i32,
}

/// Forward pagination: up to `first` items after `after`, and the filter's total only when
/// `with_total` (counting every match costs a statement of its own, often the page's dearest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<C> {
    pub first: usize,
    pub after: Option<C>,
    /// Whether to count all matching items ([`Page::total_count`]).
    pub with_total: bool,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    /// Whether a cursor was given (a page before this one exists).
    pub has_previous_page: bool,
    /// How many items match in all, ignoring pagination; `None` when the request did not ask
    /// for it (`with_total: false`). Counted in the same read as the items, so it agrees with
    /// them.
    pub total_count: Option<i64>,
}

impl<C> PageRequest<C> {
    /// The SQL `LIMIT` for this page: one row more than asked for, whose presence alone says
    /// that a next page exists (see [`Page::from_overfetch`]).
    pub fn fetch_limit(&self) -> i64 {
        i64::try_from(self.first.saturating_add(1)).unwrap_or(i64::MAX)
    }
}

impl<T> Page<T> {
    /// The page from rows fetched with [`PageRequest::fetch_limit`] and the filter's total
    /// (`None` when not counted).
    pub fn from_overfetch<C>(
        mut items: Vec<T>,
        request: &PageRequest<C>,
        total_count: Option<i64>,
    ) -> Self {
        let has_next_page = items.len() > request.first;
        items.truncate(request.first);
        Self {
            items,
            has_next_page,
            has_previous_page: request.after.is_some(),
            total_count,
        }
    }
}

/// First pages of several parents' lists from one read: `rows` are `(parent, item, the
/// parent's total)`, grouped by parent (consecutive), each group fetched with `request`'s
/// [`PageRequest::fetch_limit`] (a window function's row number), so each page is made as
/// [`Page::from_overfetch`] makes one. The cursor of `request` plays no part: first pages have
/// none.
pub fn first_pages<K: PartialEq, T, C>(
    rows: impl IntoIterator<Item = (K, T, i64)>,
    request: &PageRequest<C>,
) -> Vec<(K, Page<T>)> {
    let first_page = PageRequest::<()> {
        first: request.first,
        after: None,
        with_total: request.with_total,
    };
    let mut groups: Vec<(K, Vec<T>, i64)> = Vec::new();
    for (key, item, total) in rows {
        match groups.last_mut() {
            Some((last, items, _)) if *last == key => items.push(item),
            _ => groups.push((key, vec![item], total)),
        }
    }
    groups
        .into_iter()
        .map(|(key, items, total)| {
            let total = first_page.with_total.then_some(total);
            (key, Page::from_overfetch(items, &first_page, total))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_pages_group_by_parent_and_overfetch_each() {
        let rows = [
            ('a', 1, 3),
            ('a', 2, 3),
            ('a', 3, 3),
            ('b', 1, 1),
            ('c', 1, 2),
            ('c', 2, 2),
        ];
        let request = PageRequest::<u8> {
            first: 2,
            after: Some(9),
            with_total: true,
        };
        let pages = first_pages(rows, &request);
        let summary: Vec<_> = pages
            .iter()
            .map(|(k, p)| {
                (
                    *k,
                    p.items.clone(),
                    p.has_next_page,
                    p.has_previous_page,
                    p.total_count,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ('a', vec![1, 2], true, false, Some(3)),
                ('b', vec![1], false, false, Some(1)),
                ('c', vec![1, 2], false, false, Some(2)),
            ]
        );
        let uncounted = PageRequest::<u8> {
            first: 0,
            after: None,
            with_total: false,
        };
        let pages = first_pages([('a', 1, 3)], &uncounted);
        assert_eq!(pages[0].1.items, Vec::<i32>::new());
        assert!(pages[0].1.has_next_page && pages[0].1.total_count.is_none());
    }

    fn request(first: usize, after: Option<u8>) -> PageRequest<u8> {
        PageRequest {
            first,
            after,
            with_total: false,
        }
    }

    #[test]
    fn over_fetching_by_one_tells_whether_a_page_follows() {
        assert_eq!(request(0, None).fetch_limit(), 1);
        assert_eq!(request(500, None).fetch_limit(), 501);
        assert_eq!(request(usize::MAX, None).fetch_limit(), i64::MAX);
        let full = Page::from_overfetch(vec![1, 2, 3], &request(2, Some(0)), Some(9));
        assert_eq!(
            (
                full.items,
                full.has_next_page,
                full.has_previous_page,
                full.total_count
            ),
            (vec![1, 2], true, true, Some(9))
        );
        let last = Page::from_overfetch(vec![1, 2], &request(2, None), None);
        assert_eq!(
            (
                last.items,
                last.has_next_page,
                last.has_previous_page,
                last.total_count
            ),
            (vec![1, 2], false, false, None)
        );
    }
}

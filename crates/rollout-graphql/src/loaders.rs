//! Batched loading of the objects a page refers to: the bureau of each procedure (and user), the
//! pending approval request of each procedure, the users behind `requestedBy`, `approver`,
//! `actorUser` and the like, the votes of each approval request, the procedure of each request.
//! The objects of one page share a [`Batch`] of the keys they refer to, and the first of them
//! whose reference is asked for loads the whole page's with one store call that the others wait
//! on. Listing 100 procedures with their bureau is therefore exactly one bureau read, and none
//! when `bureau` is not selected; a page of approval requests with their requesters and votes'
//! approvers is one read of requesters and one of voters, whatever the page size.
//!
//! Why not async-graphql's `DataLoader`: it batches the keys that arrive within a time window
//! (1 ms from the first key). async-graphql resolves list items through `FuturesUnordered`,
//! which yields to the executor part-way through a long list, so the window closes early; a page
//! of 100 procedures measured 2 to 6 `bureaus_by_ids` calls instead of one. A page knows all its
//! keys up front, so batching by page is exact, needs no timer and no spawned task, and holds
//! nothing beyond the request. Bureaus are the exception: the app's cache serves them
//! (`rollout_app::cache`), so a page's bureau batch normally costs no statement. The one cost: keys found
//! only by loading (the voters of a page's votes) need a second batch, made when the first loads.
//!
//! Nested lists are batched the same way: the first `history` page of every procedure of a page
//! is one `Store::histories` read (a window function per backend), whatever the page size. A
//! page's procedures normally ask for the same page size; aliases may ask for several, and each
//! (size, counted or not) gets its own batch. Later pages (`after` given) name a place in one
//! procedure's history and are read alone.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use rollout_app::{App, AppError};
use rollout_domain::approval::ApprovalVote as VoteRow;
use rollout_domain::target::TargetChange;
use rollout_domain::workflow::GuardFacts;
use rollout_domain::{ApprovalRequestId, Bureau, BureauId, ProcedureId, TransitionRecord, UserId};
use rollout_store::{HistoryCursor, Page, PageRequest};
use tokio::sync::OnceCell;
use tracing::Instrument;

use crate::approval::{ApprovalRequest, ApprovalVote};
use crate::errors;
use crate::identity::User;
use crate::procedure::Procedure;
use crate::user_test::UserTest;

/// The values behind a set of keys, loaded together on first use.
#[derive(Debug)]
pub(crate) struct Batch<K, V> {
    keys: Vec<K>,
    /// A failure is kept too, so that a page's objects report it once each instead of each
    /// retrying the read.
    loaded: OnceCell<Result<HashMap<K, V>, Arc<AppError>>>,
}

impl<K: Copy + Ord + Hash, V> Batch<K, V> {
    pub(crate) fn new(keys: impl IntoIterator<Item = K>) -> Self {
        let mut keys: Vec<K> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        Self {
            keys,
            loaded: OnceCell::new(),
        }
    }

    /// The loaded values; `load` runs once, for every key, on first use (not at all for an
    /// empty batch). A key without a value is simply absent from the map.
    pub(crate) async fn loaded<F, Fut>(
        &self,
        what: &'static str,
        load: F,
    ) -> async_graphql::Result<&HashMap<K, V>>
    where
        F: FnOnce(Vec<K>) -> Fut,
        Fut: Future<Output = Result<HashMap<K, V>, AppError>>,
    {
        let loaded = self
            .loaded
            .get_or_init(|| async {
                if self.keys.is_empty() {
                    return Ok(HashMap::new());
                }
                let span = tracing::info_span!("load_batch", what, count = self.keys.len());
                load(self.keys.clone())
                    .instrument(span)
                    .await
                    .map_err(Arc::new)
            })
            .await;
        loaded.as_ref().map_err(|e| errors::graphql_error(e))
    }
}

pub(crate) fn keyed<K: Hash + Eq, V>(items: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, V> {
    items.into_iter().map(|v| (key(&v), v)).collect()
}

pub(crate) fn missing(what: &str, id: impl std::fmt::Display) -> async_graphql::Error {
    errors::internal(format!("{what} {id} is referenced but does not exist"))
}

/// The bureaus of a page of procedures or users.
pub(crate) type BureauBatch = Batch<BureauId, Bureau>;

impl BureauBatch {
    /// The bureau `id`, which must be one of the batch's keys.
    pub(crate) async fn get(&self, app: &App, id: BureauId) -> async_graphql::Result<Bureau> {
        let map = self
            .loaded("bureaus", |ids| async move {
                let rows = app.bureaus_by_ids(&ids).await?;
                Ok(keyed(rows, |b| b.id))
            })
            .await?;
        map.get(&id).cloned().ok_or_else(|| missing("bureau", id))
    }
}

/// The users a page refers to; the users of one batch share one bureau batch in turn.
pub(crate) type UserBatch = Batch<UserId, User>;

impl UserBatch {
    /// The user `id`, which must be one of the batch's keys.
    pub(crate) async fn get(&self, app: &App, id: UserId) -> async_graphql::Result<User> {
        let map = self
            .loaded("users", |ids| async move {
                let rows = app.store().users_by_ids(&ids).await?;
                Ok(keyed(User::page(rows), User::key))
            })
            .await?;
        map.get(&id).cloned().ok_or_else(|| missing("user", id))
    }
}

/// The pending approval request of each procedure of a page, if it has one.
pub(crate) type PendingBatch = Batch<ProcedureId, ApprovalRequest>;

impl PendingBatch {
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
    ) -> async_graphql::Result<Option<ApprovalRequest>> {
        let map = self
            .loaded("pending_approvals", |ids| async move {
                let rows = app.store().pending_approvals_for(&ids).await?;
                Ok(keyed(ApprovalRequest::page(rows), |r| r.row().procedure_id))
            })
            .await?;
        Ok(map.get(&id).cloned())
    }
}

/// The procedures of a page of approval requests, themselves one page (sharing their bureaus).
pub(crate) type ProcedureBatch = Batch<ProcedureId, Procedure>;

impl ProcedureBatch {
    pub(crate) async fn get(&self, app: &App, id: ProcedureId) -> async_graphql::Result<Procedure> {
        let map = self
            .loaded("procedures", |ids| async move {
                let rows = app.store().procedures_by_ids(&ids).await?;
                Ok(keyed(Procedure::page(rows), |p| p.row().id))
            })
            .await?;
        map.get(&id)
            .cloned()
            .ok_or_else(|| missing("procedure", id))
    }
}

/// The votes of each approval request of a page, oldest first. The voters of all of them share
/// one user batch, made once the votes are known.
pub(crate) type VoteBatch = Batch<ApprovalRequestId, Vec<ApprovalVote>>;

impl VoteBatch {
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ApprovalRequestId,
    ) -> async_graphql::Result<Vec<ApprovalVote>> {
        let map = self
            .loaded("votes", |ids| async move {
                let rows = app.store().votes_for(&ids).await?;
                Ok(group_votes(rows))
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }
}

fn group_votes(rows: Vec<VoteRow>) -> HashMap<ApprovalRequestId, Vec<ApprovalVote>> {
    let voters = Arc::new(UserBatch::new(
        rows.iter()
            .flat_map(|v| std::iter::once(v.approver).chain(v.on_behalf_of)),
    ));
    let mut grouped: HashMap<ApprovalRequestId, Vec<ApprovalVote>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.request_id)
            .or_default()
            .push(ApprovalVote::new(row, voters.clone()));
    }
    grouped
}

/// One batch of first history pages: the page size and whether totals are counted.
type HistoryBatch = Batch<ProcedureId, Page<TransitionRecord>>;

/// The first history pages of a page of procedures, one batch per kind of page asked for.
#[derive(Debug)]
pub(crate) struct HistoryBatches {
    procedures: Vec<ProcedureId>,
    by_request: Mutex<HashMap<(usize, bool), Arc<HistoryBatch>>>,
}

impl HistoryBatches {
    pub(crate) fn new(procedures: impl IntoIterator<Item = ProcedureId>) -> Self {
        Self {
            procedures: procedures.into_iter().collect(),
            by_request: Mutex::new(HashMap::new()),
        }
    }

    /// The first page of `id`'s history as `request` describes it (its cursor is not used).
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
        request: &PageRequest<HistoryCursor>,
    ) -> async_graphql::Result<Page<TransitionRecord>> {
        let (first, with_total) = (request.first, request.with_total);
        let batch = self
            .by_request
            .lock()
            .map_err(|_| errors::internal("a history batch lock was poisoned"))?
            .entry((first, with_total))
            .or_insert_with(|| Arc::new(Batch::new(self.procedures.iter().copied())))
            .clone();
        let map = batch
            .loaded("histories", |ids| async move {
                let request = PageRequest {
                    first,
                    after: None,
                    with_total,
                };
                let pages = app.store().histories(&ids, &request).await?;
                Ok(pages.into_iter().collect())
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_else(|| Page {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: false,
            total_count: with_total.then_some(0),
        }))
    }
}

/// The user tests of each procedure of a page, oldest first; their recorders share one user
/// batch, made once the tests are known (as the voters of a page's votes are).
pub(crate) type UserTestsBatch = Batch<ProcedureId, Vec<UserTest>>;

impl UserTestsBatch {
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
    ) -> async_graphql::Result<Vec<UserTest>> {
        let map = self
            .loaded("user_tests", |ids| async move {
                let rows = app.store().user_tests_for_procedures(&ids).await?;
                Ok(group(UserTest::page(rows), |t| t.row().procedure_id))
            })
            .await?;
        Ok(map.get(&id).cloned().unwrap_or_default())
    }
}

/// The target history of each procedure of a page, oldest first.
pub(crate) type TargetHistoryBatch = Batch<ProcedureId, Vec<TargetChange>>;

impl TargetHistoryBatch {
    pub(crate) async fn get(
        &self,
        app: &App,
        id: ProcedureId,
    ) -> async_graphql::Result<&[TargetChange]> {
        let map = self
            .loaded("target_histories", |ids| async move {
                Ok(group(app.store().target_changes_for(&ids).await?, |c| {
                    c.procedure_id
                }))
            })
            .await?;
        Ok(map.get(&id).map_or(&[], Vec::as_slice))
    }
}

/// The guard facts of each procedure of a page.
/// The guard facts of a page's procedures: read once, and only for those in a state where a
/// way out has a guard that judges them (`built` and `user_tested` in the default workflow); the others need none.
#[derive(Debug)]
pub(crate) struct GuardFactsBatch {
    states: Vec<(ProcedureId, String)>,
    batch: Batch<ProcedureId, GuardFacts>,
}

impl GuardFactsBatch {
    pub(crate) fn new<'a>(rows: impl IntoIterator<Item = &'a rollout_domain::Procedure>) -> Self {
        let states: Vec<(ProcedureId, String)> =
            rows.into_iter().map(|p| (p.id, p.state.clone())).collect();
        Self {
            batch: Batch::new(states.iter().map(|(id, _)| *id)),
            states,
        }
    }

    pub(crate) async fn get(
        &self,
        app: &App,
        row: &rollout_domain::Procedure,
    ) -> async_graphql::Result<GuardFacts> {
        let workflow = app.workflow();
        if !workflow.reads_stored_facts(&row.state) {
            return Ok(GuardFacts::NOT_JUDGED);
        }
        let map = self
            .batch
            .loaded("guard_facts", |_| async move {
                let needed: Vec<ProcedureId> = self
                    .states
                    .iter()
                    .filter(|(_, state)| workflow.reads_stored_facts(state))
                    .map(|(id, _)| *id)
                    .collect();
                app.guard_facts(&needed).await
            })
            .await?;
        map.get(&row.id)
            .cloned()
            .ok_or_else(|| errors::internal(format!("no guard facts were loaded for {}", row.id)))
    }
}

/// Rows grouped by key, each group in the order the rows came.
fn group<K: Hash + Eq, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut grouped: HashMap<K, Vec<V>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}

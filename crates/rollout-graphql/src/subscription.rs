//! The `Subscription` root: `procedureEvents`, the changes committed through this server (and, on
//! PostgreSQL, through every other replica) as they happen (`rollout_app::events`), narrowed by
//! bureau, procedure and kind; and `notificationAdded`, the viewer's own reminders as they fire
//! (see `reminders::stream`).
//!
//! An event carries ids only; `procedure`, `record` and `approvalRequest` are read when a client
//! selects them, so an event nobody asks details of costs no read, and events filtered out cost
//! nothing at all (the filter compares ids in memory). `procedure` is the procedure as it is when
//! the event is resolved, which may be newer than `procedureVersion` if changes follow quickly.
//!
//! Like every root field it requires an actor (UNAUTHENTICATED otherwise); events are readable by
//! every role, as procedures are. Which transport carries the stream (WebSocket) and how its
//! caller authenticated is the server's business, and so is how events reach this process from
//! other replicas (the app's event relay).

use std::collections::HashSet;

use async_graphql::futures_util::{Stream, StreamExt, future, stream};
use async_graphql::{Context, Enum, ID, InputObject, Object, Subscription};
use rollout_app::events::next_event;
use rollout_app::{App, EventKind};
use rollout_domain::{BureauCode, BureauId, ProcedureId};
use tokio::sync::OnceCell;
use tracing::instrument;

use crate::approval::ApprovalRequest;
use crate::history::TransitionRecord;
use crate::ids::{NodeType, argument_id};
use crate::procedure::Procedure;
use crate::reminders::Notification;
use crate::scalars::DateTime;
use crate::{actor, app, errors};

/// The subscription root.
#[derive(Debug, Default)]
pub struct SubscriptionRoot;

/// What happened to a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ProcedureEventKind {
    #[graphql(name = "CREATED")]
    Created,
    #[graphql(name = "UPDATED")]
    Updated,
    /// It moved to another state, directly or by the approval that completed a gated
    /// transition.
    #[graphql(name = "TRANSITIONED")]
    Transitioned,
    /// A gated transition was requested and waits for approvals.
    #[graphql(name = "APPROVAL_REQUESTED")]
    ApprovalRequested,
    /// An approval request closed: approved, rejected, failed, withdrawn or expired.
    #[graphql(name = "APPROVAL_DECIDED")]
    ApprovalDecided,
}

impl From<EventKind> for ProcedureEventKind {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Created => Self::Created,
            EventKind::Updated => Self::Updated,
            EventKind::Transitioned => Self::Transitioned,
            EventKind::ApprovalRequested => Self::ApprovalRequested,
            EventKind::ApprovalDecided => Self::ApprovalDecided,
        }
    }
}

impl From<ProcedureEventKind> for EventKind {
    fn from(kind: ProcedureEventKind) -> Self {
        match kind {
            ProcedureEventKind::Created => Self::Created,
            ProcedureEventKind::Updated => Self::Updated,
            ProcedureEventKind::Transitioned => Self::Transitioned,
            ProcedureEventKind::ApprovalRequested => Self::ApprovalRequested,
            ProcedureEventKind::ApprovalDecided => Self::ApprovalDecided,
        }
    }
}

/// Which events to receive; every given field narrows them, and an empty list narrows nothing
/// (as in `ProcedureFilter`).
#[derive(Debug, Clone, Default, InputObject)]
pub struct ProcedureEventFilter {
    /// Events of procedures in any of these bureaus (as the procedure is after the change).
    pub bureau_codes: Option<Vec<String>>,
    /// Events of this procedure only.
    pub procedure_id: Option<ID>,
    /// Events of any of these kinds.
    pub kinds: Option<Vec<ProcedureEventKind>>,
}

/// A [`ProcedureEventFilter`] resolved to ids; `None` lets everything through.
#[derive(Debug, Default)]
struct Matcher {
    bureaus: Option<HashSet<BureauId>>,
    procedure: Option<ProcedureId>,
    kinds: Option<HashSet<EventKind>>,
}

impl Matcher {
    /// Resolves bureau codes to ids: a malformed or unknown code is a VALIDATION error rather
    /// than a subscription that silently never fires.
    async fn resolve(app: &App, filter: ProcedureEventFilter) -> async_graphql::Result<Self> {
        let mut bureaus = HashSet::new();
        for raw in filter.bureau_codes.unwrap_or_default() {
            let code = BureauCode::parse(&raw).map_err(|e| errors::validation(e.0))?;
            let bureau = app
                .store()
                .bureau_by_code(&code)
                .await
                .map_err(errors::store_error)?
                .ok_or_else(|| errors::validation(format!("no bureau with code {code}")))?;
            bureaus.insert(bureau.id);
        }
        let procedure = filter
            .procedure_id
            .map(|id| argument_id(&id, NodeType::Procedure).map(ProcedureId))
            .transpose()?;
        let kinds: HashSet<EventKind> = filter
            .kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(Self {
            bureaus: (!bureaus.is_empty()).then_some(bureaus),
            procedure,
            kinds: (!kinds.is_empty()).then_some(kinds),
        })
    }

    fn matches(&self, event: &rollout_app::ProcedureEvent) -> bool {
        self.bureaus
            .as_ref()
            .is_none_or(|b| b.contains(&event.bureau_id))
            && self.procedure.is_none_or(|p| p == event.procedure_id)
            && self.kinds.as_ref().is_none_or(|k| k.contains(&event.kind))
    }
}

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Changes to procedures committed from now on, through this server or any other replica on
    /// the same database, in the order they reach this server. A subscriber that falls far behind
    /// skips the oldest events; reload after a reconnect.
    #[instrument(skip_all)]
    async fn procedure_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProcedureEventFilter>,
    ) -> async_graphql::Result<impl Stream<Item = ProcedureEvent>> {
        actor(ctx)?;
        let app = app(ctx)?;
        // Before anything awaits: events committed while the filter resolves are kept too.
        let receiver = app.subscribe();
        let matcher = Matcher::resolve(app, filter.unwrap_or_default()).await?;
        let events = stream::unfold(receiver, |mut receiver| async move {
            next_event(&mut receiver)
                .await
                .map(|event| (event, receiver))
        });
        Ok(events
            .filter(move |event| future::ready(matcher.matches(event)))
            .map(ProcedureEvent::new))
    }

    /// The viewer's notifications as reminder rules fire, through this server or any other
    /// replica on the same database. A subscriber that falls far behind skips the oldest
    /// firings; reload `notifications` after a reconnect.
    #[instrument(skip_all)]
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Notification>>> {
        let actor = actor(ctx)?;
        if actor.user.is_none() {
            return Err(errors::unauthenticated());
        }
        let app = app(ctx)?;
        let receiver = app.subscribe_reminders();
        Ok(crate::reminders::notifications_added(
            app.clone(),
            actor,
            receiver,
        ))
    }
}

/// One committed change of one procedure.
#[derive(Debug)]
pub struct ProcedureEvent {
    event: rollout_app::ProcedureEvent,
    /// Read once, for `procedure` and `record.procedure` both.
    procedure: OnceCell<Procedure>,
}

impl ProcedureEvent {
    fn new(event: rollout_app::ProcedureEvent) -> Self {
        Self {
            event,
            procedure: OnceCell::new(),
        }
    }

    async fn load_procedure(&self, app: &App) -> async_graphql::Result<&Procedure> {
        let id = self.event.procedure_id;
        self.procedure
            .get_or_try_init(|| async move {
                app.store()
                    .procedure(id)
                    .await
                    .map_err(errors::store_error)?
                    .map(Procedure::single)
                    .ok_or_else(|| {
                        errors::internal(format!("procedure {id} has an event but does not exist"))
                    })
            })
            .await
    }
}

#[Object]
impl ProcedureEvent {
    async fn kind(&self) -> ProcedureEventKind {
        self.event.kind.into()
    }

    /// The procedure as it is now.
    #[instrument(skip_all, fields(procedure = %self.event.procedure_id))]
    async fn procedure(&self, ctx: &Context<'_>) -> async_graphql::Result<Procedure> {
        self.load_procedure(app(ctx)?).await.cloned()
    }

    /// The procedure's version after the change; approval events that moved nothing carry the
    /// version it had then.
    async fn procedure_version(&self) -> i32 {
        self.event.procedure_version
    }

    async fn at(&self) -> DateTime {
        DateTime(self.event.at)
    }

    /// Who caused the change: an e-mail address, or `system:…` (`system:expiry` for expiries).
    /// For the approval that applies a gated transition this is the approver; the record names
    /// the requester.
    async fn actor(&self) -> &str {
        &self.event.actor
    }

    /// The history record the change wrote: the creation record for CREATED, the transition
    /// for TRANSITIONED and for an APPROVAL_DECIDED that applied one; null otherwise.
    #[instrument(skip_all, fields(procedure = %self.event.procedure_id))]
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TransitionRecord>> {
        let Some(id) = self.event.record_id else {
            return Ok(None);
        };
        let app = app(ctx)?;
        let row = app
            .store()
            .transition_record(id)
            .await
            .map_err(errors::store_error)?
            .ok_or_else(|| {
                errors::internal(format!("record {id} has an event but does not exist"))
            })?;
        let procedure = self.load_procedure(app).await?.clone();
        Ok(Some(TransitionRecord::new(row, procedure)))
    }

    /// The approval request the event is about (APPROVAL_REQUESTED, APPROVAL_DECIDED) or that
    /// applied the transition (TRANSITIONED after approval); null otherwise.
    #[instrument(skip_all, fields(procedure = %self.event.procedure_id))]
    async fn approval_request(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ApprovalRequest>> {
        let Some(id) = self.event.approval_request_id else {
            return Ok(None);
        };
        ApprovalRequest::referenced(ctx, id).await.map(Some)
    }
}

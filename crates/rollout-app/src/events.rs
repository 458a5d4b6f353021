//! Procedure events: what happened to a procedure, published by the use cases after their write
//! has committed, for live subscribers (the GraphQL `procedureEvents` subscription). An event
//! names the procedure, its bureau, its version after the change, when, who, and the history
//! record or approval request involved; readers load whatever else they show.
//!
//! Delivery is best effort and per process. Events travel over an in-memory broadcast channel:
//! publishing never fails a use case (nobody listening is normal), and a subscriber that falls
//! more than [`EVENT_BUFFER`] events behind skips the oldest ones rather than slowing writers
//! down ([`next_event`] logs how many it missed). With several replicas on PostgreSQL a
//! subscriber sees only the changes made through its own replica; delivering across replicas
//! (PostgreSQL LISTEN/NOTIFY feeding each replica's channel) is a later step, and this type is
//! where it would plug in. Events are not a durable log: the history and the audit trail are.
//!
//! Deliberately not published: replays of idempotent retries (nothing was written), votes that
//! do not close a request, and bulk loads (imports, demo data), whose thousands of rows would
//! flood every subscriber; clients reload after those.

use chrono::{DateTime, Utc};
use rollout_domain::approval::ApprovalRequest;
use rollout_domain::{
    ApprovalRequestId, BureauId, Procedure, ProcedureId, TransitionRecord, TransitionRecordId,
};
use tokio::sync::broadcast;

use crate::{Actor, App};

/// How many events each subscriber may fall behind before it skips the oldest.
pub const EVENT_BUFFER: usize = 1024;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Created,
    Updated,
    /// The procedure moved to another state (directly, or by the approval that completed a
    /// gated transition).
    Transitioned,
    /// A gated transition was requested and waits for approvals.
    ApprovalRequested,
    /// An approval request closed: approved (the procedure moved), rejected, failed, withdrawn
    /// or expired.
    ApprovalDecided,
}

/// One committed change of one procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureEvent {
    pub kind: EventKind,
    pub procedure_id: ProcedureId,
    pub bureau_id: BureauId,
    /// The procedure's version after the change; approval events that moved nothing carry the
    /// version the procedure has.
    pub procedure_version: i32,
    pub at: DateTime<Utc>,
    /// Who caused it: an e-mail address or `system:…` (the history record names the requester
    /// of a gated transition, the event names the approver who completed it).
    pub actor: String,
    /// The history record the change wrote (creation, transition).
    pub record_id: Option<TransitionRecordId>,
    /// The approval request involved, if any.
    pub approval_request_id: Option<ApprovalRequestId>,
}

impl ProcedureEvent {
    fn of(kind: EventKind, procedure: &Procedure, actor: &Actor, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            procedure_id: procedure.id,
            bureau_id: procedure.bureau_id,
            procedure_version: procedure.version,
            at,
            actor: actor.label.clone(),
            record_id: None,
            approval_request_id: None,
        }
    }

    /// `procedure` as created, with its creation record.
    pub fn created(procedure: &Procedure, record: TransitionRecordId, actor: &Actor) -> Self {
        Self {
            record_id: Some(record),
            ..Self::of(EventKind::Created, procedure, actor, procedure.created_at)
        }
    }

    pub fn updated(procedure: &Procedure, actor: &Actor) -> Self {
        Self::of(EventKind::Updated, procedure, actor, procedure.updated_at)
    }

    /// `procedure` after the transition `record` describes.
    pub fn transitioned(procedure: &Procedure, record: &TransitionRecord, actor: &Actor) -> Self {
        Self {
            record_id: Some(record.id),
            approval_request_id: record.approval_request_id,
            ..Self::of(EventKind::Transitioned, procedure, actor, record.at)
        }
    }

    pub fn approval_requested(
        procedure: &Procedure,
        request: &ApprovalRequest,
        actor: &Actor,
    ) -> Self {
        Self {
            approval_request_id: Some(request.id),
            ..Self::of(
                EventKind::ApprovalRequested,
                procedure,
                actor,
                request.created_at,
            )
        }
    }

    /// `request` closed; `procedure` as it is after the decision, `record` the transition the
    /// decision applied, if it applied one.
    pub fn approval_decided(
        procedure: &Procedure,
        request: &ApprovalRequest,
        record: Option<TransitionRecordId>,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            approval_request_id: Some(request.id),
            record_id: record,
            ..Self::of(
                EventKind::ApprovalDecided,
                procedure,
                actor,
                request.closed_at.unwrap_or(at),
            )
        }
    }
}

/// The sending half every clone of an [`App`] shares.
#[derive(Debug, Clone)]
pub(crate) struct EventBus {
    sender: broadcast::Sender<ProcedureEvent>,
}

impl EventBus {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity).0,
        }
    }

    fn publish(&self, event: ProcedureEvent) {
        // `Err` only says that nobody is subscribed right now, which is no failure.
        let _ = self.sender.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<ProcedureEvent> {
        self.sender.subscribe()
    }

    fn has_subscribers(&self) -> bool {
        self.sender.receiver_count() > 0
    }
}

impl App {
    /// Events from now on, in commit order of this process. Read them with [`next_event`].
    pub fn subscribe(&self) -> broadcast::Receiver<ProcedureEvent> {
        self.events.subscribe()
    }

    /// Called after the change has committed; never fails.
    pub(crate) fn publish(&self, event: ProcedureEvent) {
        tracing::debug!(kind = ?event.kind, procedure = %event.procedure_id, "event published");
        self.events.publish(event);
    }

    /// Publishes that `request` closed without moving its procedure (rejected, failed,
    /// withdrawn, expired). The event needs the procedure's bureau and version, which these
    /// paths have not read; the read is skipped when nobody listens, and a failed read costs
    /// the event, never the decision, which has committed already.
    pub(crate) async fn publish_closed(&self, request: &ApprovalRequest, actor: &Actor) {
        if !self.events.has_subscribers() {
            return;
        }
        match self.store().procedure(request.procedure_id).await {
            Ok(Some(procedure)) => self.publish(ProcedureEvent::approval_decided(
                &procedure,
                request,
                None,
                actor,
                self.now(),
            )),
            Ok(None) => {}
            Err(e) => tracing::warn!(
                error = %e,
                request = %request.id,
                "approval closed, but its event was not published: the procedure could not be read"
            ),
        }
    }

    /// Publishes that `request` closed by a decision: with the transition it applied
    /// (`applied`: the procedure after it and its record) as a decision and a transition,
    /// otherwise as [`App::publish_closed`] does.
    pub(crate) async fn publish_decided(
        &self,
        actor: &Actor,
        request: &ApprovalRequest,
        applied: Option<(&Procedure, &TransitionRecord)>,
    ) {
        let Some((procedure, record)) = applied else {
            return self.publish_closed(request, actor).await;
        };
        let at = self.now();
        self.publish(ProcedureEvent::approval_decided(
            procedure,
            request,
            Some(record.id),
            actor,
            at,
        ));
        self.publish(ProcedureEvent::transitioned(procedure, record, actor));
    }
}

/// The next event of `receiver`, skipping over events it fell too far behind to keep (logged
/// with how many); `None` once the application is gone.
pub async fn next_event(
    receiver: &mut broadcast::Receiver<ProcedureEvent>,
) -> Option<ProcedureEvent> {
    loop {
        match receiver.recv().await {
            Ok(event) => return Some(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "a slow event subscriber skipped events");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rollout_domain::{Authority, Category, ProcedureCode};
    use uuid::Uuid;

    use super::*;

    fn procedure(version: i32) -> Procedure {
        let at = Utc.with_ymd_and_hms(2026, 6, 15, 3, 0, 0).unwrap();
        Procedure {
            id: ProcedureId(Uuid::from_u128(1)),
            code: ProcedureCode::parse("KANKYO-0001").unwrap(),
            name: "手続".into(),
            name_en: None,
            bureau_id: BureauId(Uuid::from_u128(2)),
            category: Category::Standard,
            authority: Authority::Tokyo,
            annual_applications: None,
            process_count: 1,
            platform: None,
            target_quarter: None,
            released_on: None,
            state: "hearing".into(),
            version,
            created_at: at,
            updated_at: at + chrono::TimeDelta::hours(version.into()),
        }
    }

    fn updated(version: i32) -> ProcedureEvent {
        ProcedureEvent::updated(&procedure(version), &Actor::system("test"))
    }

    #[test]
    fn an_update_event_names_the_procedure_its_bureau_and_new_version() {
        let event = updated(3);
        assert_eq!(event.kind, EventKind::Updated);
        assert_eq!(event.procedure_id, ProcedureId(Uuid::from_u128(1)));
        assert_eq!(event.bureau_id, BureauId(Uuid::from_u128(2)));
        assert_eq!(event.procedure_version, 3);
        assert_eq!(
            event.at,
            Utc.with_ymd_and_hms(2026, 6, 15, 6, 0, 0).unwrap()
        );
        assert_eq!(event.actor, "system:test");
        assert_eq!((event.record_id, event.approval_request_id), (None, None));
    }

    #[tokio::test]
    async fn publishing_without_subscribers_is_no_failure_and_later_subscribers_see_later_events() {
        let bus = EventBus::new(4);
        bus.publish(updated(2));
        assert!(!bus.has_subscribers());
        let mut receiver = bus.subscribe();
        assert!(bus.has_subscribers());
        bus.publish(updated(3));
        let event = next_event(&mut receiver).await.unwrap();
        assert_eq!(
            event.procedure_version, 3,
            "the event before subscribing is not seen"
        );
    }

    #[tokio::test]
    async fn a_lagging_subscriber_skips_to_the_oldest_kept_event_and_goes_on() {
        let bus = EventBus::new(2);
        let mut slow = bus.subscribe();
        for version in 1..=5 {
            bus.publish(updated(version));
        }
        let mut seen = Vec::new();
        for _ in 0..2 {
            seen.push(next_event(&mut slow).await.unwrap().procedure_version);
        }
        assert_eq!(seen, [4, 5], "events 1 to 3 were skipped");
        bus.publish(updated(6));
        assert_eq!(next_event(&mut slow).await.unwrap().procedure_version, 6);
    }

    #[tokio::test]
    async fn subscribers_end_when_every_sender_is_gone() {
        let bus = EventBus::new(2);
        let mut receiver = bus.subscribe();
        bus.publish(updated(7));
        drop(bus);
        assert_eq!(
            next_event(&mut receiver).await.map(|e| e.procedure_version),
            Some(7),
            "what was sent before is still delivered"
        );
        assert_eq!(next_event(&mut receiver).await, None);
    }
}

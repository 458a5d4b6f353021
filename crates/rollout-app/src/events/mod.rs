//! Procedure events: what happened to a procedure, published by the use cases after their write
//! has committed, for live subscribers (the GraphQL `procedureEvents` subscription). An event
//! names the procedure, its bureau, its version after the change, when, who, and the history
//! record or approval request involved; readers load whatever else they show.
//!
//! Delivery is best effort. Each process has an in-memory broadcast channel that its subscribers
//! read ([`App::subscribe`]); publishing never fails a use case (nobody listening is normal), and
//! a subscriber that falls more than [`EVENT_BUFFER`] events behind skips the oldest ones rather
//! than slowing writers down ([`next_event`] logs how many it missed).
//!
//! Where a published event goes is the [`EventRelay`]'s business (`bus.rs`). Without one (a
//! single process, as on SQLite) it goes straight into the local channel. With several replicas
//! on one PostgreSQL database the server installs a relay ([`App::with_event_relay`]) that sends
//! every event to every replica, this one included, in the [`wire`] format; each replica's
//! listener hands what arrives to [`App::deliver`], so every subscriber sees every replica's
//! changes exactly once, in the order the relay delivers them. This module knows nothing of
//! PostgreSQL: the relay is built in `rollout-server`. Events lost on the way (a dropped
//! connection, a lagging subscriber) are not replayed: events are not a durable log, the history
//! and the audit trail are.
//!
//! [`App::subscribe`]: crate::App::subscribe
//! [`App::with_event_relay`]: crate::App::with_event_relay
//! [`App::deliver`]: crate::App::deliver
//!
//! Deliberately not published: replays of idempotent retries (nothing was written), votes that
//! do not close a request, and bulk loads (imports, demo data), whose thousands of rows would
//! flood every subscriber; clients reload after those.

mod bus;
mod topics;
pub mod wire;

use chrono::{DateTime, Utc};
use rollout_domain::approval::ApprovalRequest;
use rollout_domain::{
    ApprovalRequestId, BureauId, Procedure, ProcedureId, TransitionRecord, TransitionRecordId,
};

pub(crate) use bus::EventBus;
pub use bus::{EVENT_BUFFER, EventRelay, next_event};
pub use topics::{AppEvent, ReminderSignal};
pub use wire::WireError;

use crate::Actor;

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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use rollout_domain::{Authority, Category, ProcedureCode};
    use uuid::Uuid;

    use super::*;

    pub(super) fn procedure(version: i32) -> Procedure {
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

    pub(super) fn updated(version: i32) -> ProcedureEvent {
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
}

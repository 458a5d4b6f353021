//! Transition history: one record per state change, written in the same database transaction as
//! the change. The record of a procedure's creation has no `from` state.

use chrono::{DateTime, Utc};

use crate::{ApprovalRequestId, ProcedureId, TransitionRecordId};

/// One state change of one procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRecord {
    pub id: TransitionRecordId,
    pub procedure_id: ProcedureId,
    /// `None` for the record that creates the procedure in the initial state.
    pub from_state: Option<String>,
    pub to_state: String,
    /// The transition key from the workflow definition (`"create"` for creation).
    pub transition: String,
    pub actor: String,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// `name@version` of the workflow definition that allowed the change.
    pub workflow_version: String,
    /// The procedure's version after this change.
    pub procedure_version: i32,
    /// The approval request whose approvals allowed this change, for gated transitions.
    pub approval_request_id: Option<ApprovalRequestId>,
}

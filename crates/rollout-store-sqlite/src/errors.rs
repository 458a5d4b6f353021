//! Maps `sqlx` errors onto [`StoreError`], once. Constraint violations are recognised here and
//! named by the table and columns SQLite reports (SQLite's messages carry no constraint names),
//! but turning them into `Duplicate`/`NotFound` with the offending key is left to the call site,
//! which knows the key; this module only classifies.

use rollout_store::StoreError;
use sqlx::error::ErrorKind;

/// Which unique key a `UNIQUE constraint failed` error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UniqueKey {
    BureauId,
    BureauCode,
    ProcedureId,
    ProcedureCode,
    RecordId,
    /// `transition_records_procedure_version_key`: two records for one procedure version.
    RecordVersion,
    IdempotencyKey,
    UserId,
    UserEmail,
    TokenId,
    TokenHash,
    RequestId,
    /// `approval_requests_one_pending`: a second pending request for one procedure.
    OnePendingRequest,
    /// The vote's primary key: one approver twice on one request.
    VoteApprover,
    /// `approval_votes_counts_for_key`: two votes counting for the same person.
    VoteCountsFor,
    DelegationId,
    AuditId,
    HearingId,
    /// `hearings_idempotency_key`: an owner's idempotency key used for a second hearing.
    HearingKey,
    HearingOutcome,
    UserTestId,
    TaskId,
    LawChangeId,
    LawChangeCode,
    LawChangeHistoryId,
    MilestoneId,
    DependencyId,
    /// `dependencies_one_active`: a second active edge between the same procedure and blocker.
    ActiveDependency,
    ReminderRuleId,
    ReminderRuleName,
    FiringId,
    /// `reminder_firings_rule_id_tick_at_key`: a rule's tick fired twice.
    FiringTick,
    NotificationId,
    DeliveryId,
    WebhookEndpointId,
    WebSessionHash,
}

/// The unique key `e` violated, if it is a unique violation on one of ours.
pub(crate) fn unique_violation(e: &sqlx::Error) -> Option<UniqueKey> {
    let db = e.as_database_error()?;
    if db.kind() != ErrorKind::UniqueViolation {
        return None;
    }
    let columns = db.message().strip_prefix("UNIQUE constraint failed: ")?;
    Some(match columns {
        "bureaus.id" => UniqueKey::BureauId,
        "bureaus.code" => UniqueKey::BureauCode,
        "procedures.id" => UniqueKey::ProcedureId,
        "procedures.code" => UniqueKey::ProcedureCode,
        "transition_records.id" => UniqueKey::RecordId,
        "transition_records.procedure_id, transition_records.procedure_version" => {
            UniqueKey::RecordVersion
        }
        "idempotency_keys.owner, idempotency_keys.key" => UniqueKey::IdempotencyKey,
        "users.id" => UniqueKey::UserId,
        "users.email" => UniqueKey::UserEmail,
        "api_tokens.id" => UniqueKey::TokenId,
        "api_tokens.secret_hash" => UniqueKey::TokenHash,
        "approval_requests.id" => UniqueKey::RequestId,
        // A partial unique index is reported by its column, like a constraint.
        "approval_requests.procedure_id" => UniqueKey::OnePendingRequest,
        "approval_votes.request_id, approval_votes.approver" => UniqueKey::VoteApprover,
        "approval_votes.request_id, approval_votes.counts_for" => UniqueKey::VoteCountsFor,
        "delegations.id" => UniqueKey::DelegationId,
        "audit_log.id" => UniqueKey::AuditId,
        "hearings.id" => UniqueKey::HearingId,
        "hearings.idempotency_owner, hearings.idempotency_key" => UniqueKey::HearingKey,
        "hearing_outcomes.hearing_id, hearing_outcomes.position" => UniqueKey::HearingOutcome,
        "user_tests.id" => UniqueKey::UserTestId,
        "tasks.id" => UniqueKey::TaskId,
        "law_changes.id" => UniqueKey::LawChangeId,
        "law_changes.code" => UniqueKey::LawChangeCode,
        "law_change_history.id" => UniqueKey::LawChangeHistoryId,
        "milestones.id" => UniqueKey::MilestoneId,
        "dependencies.id" => UniqueKey::DependencyId,
        "dependencies.procedure_id, dependencies.on_kind, dependencies.on_id" => {
            UniqueKey::ActiveDependency
        }
        "reminder_rules.id" => UniqueKey::ReminderRuleId,
        "reminder_rules.name" => UniqueKey::ReminderRuleName,
        "reminder_firings.id" => UniqueKey::FiringId,
        "reminder_firings.rule_id, reminder_firings.tick_at" => UniqueKey::FiringTick,
        "notifications.id" => UniqueKey::NotificationId,
        "deliveries.id" => UniqueKey::DeliveryId,
        "webhook_endpoints.id" => UniqueKey::WebhookEndpointId,
        "web_sessions.id_hash" => UniqueKey::WebSessionHash,
        _ => return None,
    })
}

/// Whether `e` is a foreign-key violation. SQLite does not say which reference failed, so the
/// caller works that out from what it was writing.
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|db| db.kind() == ErrorKind::ForeignKeyViolation)
}

pub(crate) fn duplicate(entity: &'static str, key: impl ToString) -> StoreError {
    StoreError::Duplicate {
        entity,
        key: key.to_string(),
    }
}

pub(crate) fn not_found(entity: &'static str, key: impl ToString) -> StoreError {
    StoreError::NotFound {
        entity,
        key: key.to_string(),
    }
}

/// SQLite primary result codes that mean "the database cannot serve us right now" rather than
/// "this request is wrong": BUSY/LOCKED (the busy timeout ran out), IOERR, FULL, CANTOPEN.
const TRANSIENT_CODES: [i64; 5] = [5, 6, 10, 13, 14];

/// Everything not recognised as a constraint violation by the caller: unreachable or exhausted
/// databases become `Unavailable`, the rest `Internal` with `context` and the source kept.
pub(crate) fn from_sqlx(context: &str, e: sqlx::Error) -> StoreError {
    let transient = match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i64>().ok())
            .is_some_and(|code| TRANSIENT_CODES.contains(&(code & 0xff))),
        _ => false,
    };
    if transient {
        StoreError::Unavailable(Box::new(e))
    } else {
        StoreError::internal(context, e)
    }
}

/// `from_sqlx` for call sites that expect no constraint violation at all.
pub(crate) fn ctx(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| from_sqlx(context, e)
}

//! Turns `sqlx` errors into [`StoreError`], once, at the edge of this crate. Unique and foreign
//! key violations are recognised by constraint name (the names are fixed in
//! `migrations/postgres`), so a new constraint cannot be mistaken for an old one. It does not
//! decide what a missing row means: callers that read zero rows say so themselves.

use rollout_store::StoreError;
use sqlx::error::ErrorKind;
use sqlx::postgres::PgDatabaseError;

/// SQLSTATE classes and codes that mean "the server is not there right now", not "the query is
/// wrong": class 08 (connection exception), 53300 too_many_connections, 57P01–57P03 shutdown
/// and start-up states.
fn is_unavailable_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "53300" | "57P01" | "57P02" | "57P03")
}

/// Maps any `sqlx` error: connection-level trouble becomes `Unavailable`, everything else
/// `Internal` with `context` and the error kept as the source.
pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| classify(context, err)
}

pub(crate) fn classify(context: &'static str, err: sqlx::Error) -> StoreError {
    let unavailable = match &err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|c| is_unavailable_code(&c)),
        _ => false,
    };
    if unavailable {
        StoreError::Unavailable(Box::new(err))
    } else {
        StoreError::internal(context, err)
    }
}

/// A violated constraint, as reported by the server.
#[derive(Debug)]
pub(crate) struct Violation<'e> {
    pub kind: ErrorKind,
    pub constraint: &'e str,
    /// The server's `Key (col)=(value) ...` detail, for the offending value in bulk inserts.
    pub detail: Option<&'e str>,
}

pub(crate) fn violation(err: &sqlx::Error) -> Option<Violation<'_>> {
    let sqlx::Error::Database(e) = err else {
        return None;
    };
    let constraint = e.constraint()?;
    let detail = e
        .try_downcast_ref::<PgDatabaseError>()
        .and_then(|pg| pg.detail());
    Some(Violation {
        kind: e.kind(),
        constraint,
        detail,
    })
}

/// The value in a detail like `Key (code)=(KANKYO-0001) already exists.`. The message text is
/// the server's (and could be translated with `lc_messages`), so callers fall back to a generic
/// key when it does not parse.
pub(crate) fn detail_value(detail: Option<&str>) -> Option<String> {
    let rest = detail?.split_once(")=(")?.1;
    let end = rest.rfind(") ")?;
    Some(rest[..end].to_owned())
}

/// What a violated constraint means: the entity, and whether the value is taken (`Duplicate`)
/// or refers to something missing (`NotFound`). Constraints not listed (checks, and any added
/// later) are bugs, reported as `Internal`.
fn meaning(kind: ErrorKind, constraint: &str) -> Option<(&'static str, bool)> {
    use ErrorKind::{ForeignKeyViolation as Missing, UniqueViolation as Taken};
    Some(match (kind, constraint) {
        (Taken, "bureaus_pkey" | "bureaus_code_key") => ("bureau", true),
        (Taken, "procedures_pkey" | "procedures_code_key") => ("procedure", true),
        (Taken, "idempotency_keys_pkey") => ("idempotency key", true),
        (Taken, "users_pkey" | "users_email_key") => ("user", true),
        (Taken, "api_tokens_pkey" | "api_tokens_secret_hash_key") => ("token", true),
        (Taken, "approval_requests_pkey" | "approval_requests_one_pending") => {
            ("approval request", true)
        }
        (Taken, "approval_votes_pkey" | "approval_votes_counts_for_key") => ("vote", true),
        (Taken, "delegations_pkey") => ("delegation", true),
        (Taken, "audit_log_pkey") => ("audit entry", true),
        (Taken, "hearings_pkey") => ("hearing", true),
        (Taken, "hearings_idempotency_key") => ("idempotency key", true),
        (Taken, "hearing_outcomes_pkey") => ("hearing outcome", true),
        (Taken, "user_tests_pkey") => ("user test", true),
        (Taken, "tasks_pkey") => ("task", true),
        (Taken, "law_changes_pkey" | "law_changes_code_key") => ("law change", true),
        (Taken, "law_change_history_pkey") => ("law change status change", true),
        (Taken, "milestones_pkey") => ("milestone", true),
        (Taken, "dependencies_pkey" | "dependencies_one_active") => ("dependency", true),
        (Taken, "reminder_rules_pkey" | "reminder_rules_name_key") => ("reminder rule", true),
        (Taken, "reminder_firings_pkey" | "reminder_firings_rule_id_tick_at_key") => {
            ("firing", true)
        }
        (Taken, "notifications_pkey") => ("notification", true),
        (Taken, "deliveries_pkey") => ("delivery", true),
        (Taken, "webhook_endpoints_pkey") => ("webhook endpoint", true),
        (Taken, "web_sessions_pkey") => ("web session", true),
        (
            Missing,
            "reminder_rules_created_by_fkey"
            | "notifications_user_id_fkey"
            | "reminded_items_user_id_fkey"
            | "snoozes_user_id_fkey"
            | "user_preferences_user_id_fkey"
            | "web_sessions_user_id_fkey",
        ) => ("user", false),
        (
            Missing,
            "reminder_firings_rule_id_fkey"
            | "notifications_rule_id_fkey"
            | "reminded_items_rule_id_fkey",
        ) => ("reminder rule", false),
        (Missing, "notifications_firing_id_fkey" | "deliveries_firing_id_fkey") => {
            ("firing", false)
        }
        (Missing, "deliveries_endpoint_id_fkey") => ("webhook endpoint", false),
        (Missing, "law_changes_owner_bureau_id_fkey") => ("bureau", false),
        (Missing, "law_change_history_law_change_id_fkey") => ("law change", false),
        (Missing, "dependencies_procedure_id_fkey") => ("procedure", false),
        (
            Missing,
            "law_change_history_actor_id_fkey"
            | "dependencies_created_by_fkey"
            | "dependencies_removed_by_fkey",
        ) => ("user", false),
        (Missing, "hearings_bureau_id_fkey" | "tasks_bureau_id_fkey") => ("bureau", false),
        (
            Missing,
            "hearing_outcomes_procedure_id_fkey"
            | "user_tests_procedure_id_fkey"
            | "tasks_procedure_id_fkey"
            | "target_changes_procedure_id_fkey"
            | "field_revisions_procedure_id_fkey",
        ) => ("procedure", false),
        (
            Missing,
            "hearings_created_by_fkey"
            | "user_tests_recorded_by_fkey"
            | "tasks_assignee_id_fkey"
            | "tasks_created_by_fkey",
        ) => ("user", false),
        (Missing, "hearing_outcomes_hearing_id_fkey" | "tasks_hearing_id_fkey") => {
            ("hearing", false)
        }
        (Missing, "hearing_outcomes_transition_record_id_fkey") => ("transition record", false),
        (Missing, "hearing_outcomes_approval_request_id_fkey") => ("approval request", false),
        (Missing, "procedures_bureau_id_fkey" | "users_bureau_id_fkey") => ("bureau", false),
        (
            Missing,
            "transition_records_procedure_id_fkey" | "approval_requests_procedure_id_fkey",
        ) => ("procedure", false),
        (
            Missing,
            "api_tokens_user_id_fkey"
            | "approval_requests_requested_by_fkey"
            | "approval_votes_approver_fkey"
            | "approval_votes_on_behalf_of_fkey"
            | "delegations_delegator_fkey"
            | "delegations_delegate_fkey"
            | "audit_log_actor_id_fkey",
        ) => ("user", false),
        (
            Missing,
            "approval_votes_request_id_fkey" | "transition_records_approval_request_id_fkey",
        ) => ("approval request", false),
        _ => return None,
    })
}

/// The mapping shared by every write: taken unique keys become `Duplicate`, references to
/// missing rows `NotFound` (see [`meaning`]). `key_of(constraint)` names the offending value
/// when the caller knows it (single-row writes); otherwise it is read from the server's detail,
/// or left empty.
pub(crate) fn write<F>(context: &'static str, key_of: F) -> impl FnOnce(sqlx::Error) -> StoreError
where
    F: FnOnce(&str) -> Option<String>,
{
    move |err| {
        let mapped = violation(&err).and_then(|v| {
            let (entity, duplicate) = meaning(v.kind, v.constraint)?;
            let key = key_of(v.constraint)
                .or_else(|| detail_value(v.detail))
                .unwrap_or_default();
            Some(if duplicate {
                StoreError::Duplicate { entity, key }
            } else {
                StoreError::NotFound { entity, key }
            })
        });
        mapped.unwrap_or_else(|| classify(context, err))
    }
}

/// A missing row that a write needed (an update or revocation of an unknown id).
pub(crate) fn not_found(entity: &'static str, key: impl ToString) -> StoreError {
    StoreError::NotFound {
        entity,
        key: key.to_string(),
    }
}

/// For writes whose offending value the server's detail names best (bulk inserts).
pub(crate) fn from_detail(_constraint: &str) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_values() {
        assert_eq!(
            detail_value(Some("Key (code)=(KANKYO-0001) already exists.")).as_deref(),
            Some("KANKYO-0001")
        );
        assert_eq!(
            detail_value(Some(
                "Key (bureau_id)=(0190a0e4-0000-7000-8000-000000000001) is not present in table \"bureaus\"."
            ))
            .as_deref(),
            Some("0190a0e4-0000-7000-8000-000000000001")
        );
        assert_eq!(detail_value(Some("something else")), None);
        assert_eq!(detail_value(None), None);
    }

    #[test]
    fn constraints_name_their_entity() {
        use ErrorKind::{ForeignKeyViolation as Missing, UniqueViolation as Taken};
        let cases = [
            (Taken, "users_email_key", Some(("user", true))),
            (Taken, "api_tokens_secret_hash_key", Some(("token", true))),
            (
                Taken,
                "approval_requests_one_pending",
                Some(("approval request", true)),
            ),
            (Taken, "approval_votes_pkey", Some(("vote", true))),
            (Taken, "approval_votes_counts_for_key", Some(("vote", true))),
            (
                Missing,
                "approval_votes_on_behalf_of_fkey",
                Some(("user", false)),
            ),
            (Missing, "audit_log_actor_id_fkey", Some(("user", false))),
            (
                Missing,
                "transition_records_approval_request_id_fkey",
                Some(("approval request", false)),
            ),
            (
                Missing,
                "approval_requests_procedure_id_fkey",
                Some(("procedure", false)),
            ),
            // A name under the wrong kind, or an unknown one, is a bug rather than a refusal.
            (Missing, "users_email_key", None),
            (Taken, "transition_records_procedure_version_key", None),
        ];
        for (kind, constraint, expected) in cases {
            assert_eq!(meaning(kind, constraint), expected, "{constraint}");
        }
    }

    #[test]
    fn connection_errors_are_unavailable() {
        let io = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(matches!(classify("ping", io), StoreError::Unavailable(_)));
        assert!(matches!(
            classify("ping", sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        match classify("decode", sqlx::Error::RowNotFound) {
            StoreError::Internal { context, source } => {
                assert_eq!(context, "decode");
                assert!(source.is_some());
            }
            other => panic!("expected Internal, got {other:?}"),
        }
        assert!(is_unavailable_code("08006"));
        assert!(is_unavailable_code("57P01"));
        assert!(!is_unavailable_code("23505"));
    }
}

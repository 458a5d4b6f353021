//! The contract every [`Store`](crate::Store) implementation must pass, written once and
//! generic over the backend. Each case is a `pub async fn(Arc<dyn Store>)` that expects a fresh,
//! migrated, empty database and asserts concrete values and error variants; the
//! [`store_contract_tests!`](crate::store_contract_tests) macro expands to one
//! `#[tokio::test]` per case around a backend's factory.
//!
//! The suite knows no backend: no SQL, no connection strings, no sleeping. Fixtures use fixed,
//! microsecond-precise times so that exact round-trips can be asserted on every backend. Every
//! write carries an audit entry built by [`fixtures::audit`] (users, tokens, approvals and
//! delegations come from [`people`]), and cases assert on the trail through `list_audit`: a
//! successful write leaves exactly its entries, a refused one none.
//!
//! Instantiate it from a backend's integration tests (the crate needs `tokio` as a
//! dev-dependency):
//!
//! ```text
//! async fn fresh_store() -> Option<std::sync::Arc<dyn rollout_store::Store>> { /* ... */ }
//! rollout_store::store_contract_tests!(fresh_store);
//! ```
//! The factory returns `None` to skip every case (for a backend whose database is not configured).

pub mod analytics;
pub mod approval_listing;
pub mod approvals;
pub mod audit;
pub mod audit_listing;
pub mod blocker_fixtures;
pub mod blocker_graph;
pub mod blocker_reads;
pub mod blockers;
pub mod bulk;
pub mod bureaus;
pub mod delegations;
pub mod evidence_batch;
pub mod evidence_concurrency;
pub mod evidence_fixtures;
pub mod evidence_reads;
pub mod evidence_target;
pub mod evidence_tasks;
pub mod fixtures;
pub mod histories;
pub mod identity;
// Issue 15: the stored-data checks of `rollout verify`.
pub mod integrity;
pub mod listing;
pub mod ordering;
pub mod people;
pub mod procedures;
pub mod quality;
pub mod reminder_fixtures;
pub mod reminder_outbox;
pub mod reminder_reads;
pub mod reminders;
pub mod search;
pub mod totals;
pub mod transitions;
pub mod votes;
// Issue 14: web sessions and the language preference.
pub mod web;

pub use analytics::*;
pub use approval_listing::*;
pub use approvals::*;
pub use audit::*;
pub use audit_listing::*;
pub use blocker_graph::*;
pub use blocker_reads::*;
pub use blockers::*;
pub use bulk::*;
pub use bureaus::*;
pub use delegations::*;
pub use evidence_batch::*;
pub use evidence_concurrency::*;
pub use evidence_reads::*;
pub use evidence_target::*;
pub use evidence_tasks::*;
pub use histories::*;
pub use identity::*;
pub use integrity::*;
pub use listing::*;
pub use ordering::*;
pub use procedures::*;
pub use quality::*;
pub use reminder_outbox::*;
pub use reminder_reads::*;
pub use reminders::*;
pub use search::*;
pub use totals::*;
pub use transitions::*;
pub use votes::*;
pub use web::*;

/// Expands to one multi-threaded `#[tokio::test]` per contract case. `$factory` is the path of an
/// `async fn() -> Option<Arc<dyn Store>>` that returns a fresh, migrated, empty store, or `None`
/// to skip. Two worker threads make the concurrency cases genuinely parallel.
#[macro_export]
macro_rules! store_contract_tests {
    ($factory:path) => {
        $crate::store_contract_tests!(@cases $factory;
            bureau_create_and_lookup,
            analytics_facts_and_stamp,
            field_revision_of_unknown_procedure_writes_nothing,
            quarter_freezes_once,
            bureau_duplicate_code,
            bureau_list_ordered_by_code,
            bureau_by_ids_ignores_unknown,
            procedure_create_records_history,
            procedure_duplicate_code,
            procedure_unknown_bureau,
            procedure_lookups,
            procedure_values_round_trip,
            update_changes_fields,
            update_clears_optional_fields,
            update_stale_version_conflicts,
            update_not_found,
            list_filters_each_field,
            list_filters_combined,
            list_search,
            list_search_wildcards_literal,
            list_search_folds_widths,
            list_first_zero,
            list_total_only_when_asked,
            history_total_only_when_asked,
            approval_list_total_only_when_asked,
            audit_list_total_only_when_asked,
            count_by_state_and_states_in_use,
            order_by_code_pages,
            order_by_created_at_pages,
            order_by_updated_at_pages,
            order_pages_with_filter,
            transition_applies,
            transition_stale_version_conflicts,
            transition_unknown_procedure,
            transition_idempotency_claim,
            transition_reused_key_duplicate,
            idempotency_keys_are_per_owner,
            transition_concurrent_single_winner,
            transition_concurrent_key_single_winner,
            history_pages,
            histories_match_history_per_procedure,
            transition_record_lookup,
            bulk_insert_bureaus,
            bulk_insert_bureaus_all_or_nothing,
            bulk_insert_procedures,
            bulk_insert_procedures_all_or_nothing,
            bulk_large_batches,
            is_empty_and_ping,
            audit_written_with_each_write,
            audit_failed_writes_leave_nothing,
            audit_round_trips_every_field,
            audit_list_filters,
            audit_list_pages,
            user_create_and_lookups,
            user_duplicate_email,
            user_unknown_bureau,
            user_update_replaces_fields,
            users_listed_by_email,
            token_create_and_lookup,
            token_duplicate_hash,
            token_touch_and_revoke,
            tokens_listed_newest_first,
            approval_request_create_and_lookup,
            approval_request_one_pending_per_procedure,
            approval_request_unknown_references,
            pending_approvals_for_batches,
            close_request_once,
            expired_pending_sweep,
            vote_counted_while_pending,
            vote_reaching_quorum_applies_transition,
            vote_apply_conflict_writes_nothing,
            vote_rejection_closes,
            vote_duplicate_approver,
            vote_duplicate_counts_for,
            vote_stale_or_unknown,
            vote_concurrent_single_winner,
            approval_list_filters,
            approval_list_pages,
            delegation_create_and_lookup,
            delegations_to_cover_days_inclusive,
            delegations_listed_newest_first,
            delegation_revoke_keeps_first_time,
            batch_failure_writes_nothing,
            records_by_ids_match_single_reads,
            crossed_batches_queue_instead_of_deadlocking,
            batch_transition_after_update,
            batch_hearing_round_trips,
            batch_open_approval_duplicate,
            batch_hearing_key_per_owner,
            update_task_version_conflict,
            latest_user_test_verdicts_since_last_move,
            hearing_list_and_batches,
            slipped_filter_both_ways,
            insert_evidence_all_or_nothing,
            task_list_filters,
            task_list_pages,
            target_changes_kept_in_order,
            target_changes_need_their_procedure,
            law_change_insert_and_lookups,
            law_change_update_and_history,
            law_change_listing,
            milestones_round_trip,
            dependency_insert_remove_and_readd,
            graph_version_conflict_writes_nothing,
            concurrent_graph_changes_single_winner,
            graph_rows_and_procedure_facts,
            procedure_ids_and_the_ids_filter,
            lead_samples_from_history,
            insert_blockers_all_or_nothing,
            reminder_rule_insert_update_and_conflicts,
            reminder_claim_exclusive_until_lease_expires,
            advance_cursor_needs_attempt_and_cursor,
            firing_once_per_rule_and_tick,
            notifications_page_newest_first,
            deliveries_claimed_once_each,
            delivery_failures_retry_and_die,
            webhook_endpoints_round_trip,
            procedure_activity_state_entered_at,
            reminder_kind_reads,
            people_languages_and_snoozes,
            reminded_items_upsert_in_bulk,
            quality_assessments_latest_and_history,
            quality_writes_need_their_references,
            user_reviews_counted_per_rating_and_quarter,
            web_session_insert_and_read,
            web_session_revoke_once,
            web_sessions_revoke_all,
            web_session_housekeeping,
            web_session_writes_need_their_user,
            user_language_upsert,
            integrity_clean_after_audited_writes,
            integrity_detects_history_drift,
            integrity_detects_unaudited_transition,
        );
    };
    (@cases $factory:path; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(store) = $factory().await else {
                    eprintln!("{}: skipped, the factory gave no store", stringify!($case));
                    return;
                };
                $crate::contract::$case(store).await;
            }
        )+
    };
}

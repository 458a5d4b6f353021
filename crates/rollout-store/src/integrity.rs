//! What `rollout verify` asks of a database's stored data, and the shape of the answer: the
//! invariants the schema cannot enforce by itself (or that a restore, a hand edit or a copy with
//! triggers off could break), each under a stable key that tests, operators and the docs use.
//!
//! Each backend runs the checks in its own SQL ([`crate::Store::integrity`]); what the checks are,
//! which references exist between tables (enforced by a foreign key or not) and how a finding
//! reads are defined here once, so both backends check the same things. Checks that need the
//! workflow definition (is every state one the workflow defines) or the binary (is the schema
//! this build's) belong to the layers that know those, not to the store.
//!
//! The version rule the checks follow: a procedure's `version` counts every change (a transition
//! or a field patch, see `update_procedure`), and each history record carries the version the
//! procedure reached with it; so versions of records are distinct, the creation record has
//! version 1, and the procedure's version is never below its latest record's.

/// A procedure's `version` is below the version its latest history record reached.
pub const VERSION_BEHIND_HISTORY: &str = "procedure.version_behind_history";
/// A procedure's `state` is not the state its latest history record moved it to.
pub const STATE_DIFFERS_FROM_HISTORY: &str = "procedure.state_differs_from_history";
/// A procedure has no creation record at version 1 (no `from` state), or one elsewhere.
pub const HISTORY_WITHOUT_CREATION: &str = "history.creation";
/// A history record's `from` state is not the state the previous record moved to.
pub const HISTORY_CHAIN_BROKEN: &str = "history.chain";
/// A transition record (not a creation, not bulk-loaded) has no `procedure.transition` audit
/// entry naming its procedure and the version it reached. Both writes of a transition are in one
/// transaction (`apply_transition`, or a batch's `Transition` with its `Audit`); a bulk load
/// (`procedure.import`, `demo.procedures`) writes one entry for all its records.
pub const TRANSITION_UNAUDITED: &str = "audit.transition_unaudited";
/// Prefix of the orphan checks: `orphan.<table>.<column>`.
pub const ORPHAN_PREFIX: &str = "orphan";

/// The audit actions of bulk loads, which write one entry for many procedures and their
/// histories (the records inserted with them have no entry each).
pub const BULK_LOAD_ACTIONS: &[&str] = &["procedure.import", "demo.procedures"];

/// One reference from a column to another table's `id`, whether or not a foreign key enforces
/// it (PostgreSQL loaded with triggers off, or SQLite with `foreign_keys` off, would not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub table: &'static str,
    pub column: &'static str,
    /// The table whose `id` the column names.
    pub target: &'static str,
    /// For a column that points into one of several tables: the kind column and the value
    /// that selects `target`.
    pub when: Option<(&'static str, &'static str)>,
}

impl Reference {
    /// The stable key of this reference's check, e.g. `orphan.tasks.assignee_id`.
    pub fn key(&self) -> String {
        format!("{ORPHAN_PREFIX}.{}.{}", self.table, self.column)
    }

    /// The finding for a dangling `id` named by `count` rows (both as the backend read them).
    pub fn finding(&self, (id, count): (String, String)) -> (String, String) {
        let detail = format!(
            "named by {count} row(s) of {}, but no {} has that id",
            self.table, self.target
        );
        (id, detail)
    }
}

/// A backend's check statement with its placeholders filled: `{limit}` with one more than
/// [`FINDINGS_PER_CHECK`] (so that [`IntegrityReport::add`] can tell a cut list) and `{bulk}`
/// with [`BULK_LOAD_ACTIONS`] as quoted literals for an `IN (…)` (constants without quotes).
pub fn fill(statement: &str) -> String {
    let bulk = BULK_LOAD_ACTIONS
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ");
    statement
        .replace("{limit}", &(FINDINGS_PER_CHECK + 1).to_string())
        .replace("{bulk}", &bulk)
}

const fn fk(table: &'static str, column: &'static str, target: &'static str) -> Reference {
    Reference {
        table,
        column,
        target,
        when: None,
    }
}

const fn poly(column_kind: (&'static str, &'static str), target: &'static str) -> Reference {
    Reference {
        table: "dependencies",
        column: "on_id",
        target,
        when: Some(column_kind),
    }
}

/// Every reference between tables of the schema (migrations 0001–0010, same in both
/// dialects). The last three have no foreign key in either backend: `dependencies.on_id`
/// points into one of three tables by `on_kind`, and `audit_log.on_behalf_of` was never
/// declared one.
pub const REFERENCES: &[Reference] = &[
    fk("procedures", "bureau_id", "bureaus"),
    fk("transition_records", "procedure_id", "procedures"),
    fk(
        "transition_records",
        "approval_request_id",
        "approval_requests",
    ),
    fk("idempotency_keys", "record_id", "transition_records"),
    fk("users", "bureau_id", "bureaus"),
    fk("api_tokens", "user_id", "users"),
    fk("approval_requests", "procedure_id", "procedures"),
    fk("approval_requests", "requested_by", "users"),
    fk("approval_votes", "request_id", "approval_requests"),
    fk("approval_votes", "approver", "users"),
    fk("approval_votes", "on_behalf_of", "users"),
    fk("delegations", "delegator", "users"),
    fk("delegations", "delegate", "users"),
    fk("audit_log", "actor_id", "users"),
    fk("audit_log", "on_behalf_of", "users"),
    fk("hearings", "bureau_id", "bureaus"),
    fk("hearings", "created_by", "users"),
    fk("hearing_outcomes", "hearing_id", "hearings"),
    fk("hearing_outcomes", "procedure_id", "procedures"),
    fk(
        "hearing_outcomes",
        "transition_record_id",
        "transition_records",
    ),
    fk(
        "hearing_outcomes",
        "approval_request_id",
        "approval_requests",
    ),
    fk("user_tests", "procedure_id", "procedures"),
    fk("user_tests", "recorded_by", "users"),
    fk("tasks", "procedure_id", "procedures"),
    fk("tasks", "bureau_id", "bureaus"),
    fk("tasks", "assignee_id", "users"),
    fk("tasks", "hearing_id", "hearings"),
    fk("tasks", "created_by", "users"),
    fk("target_changes", "procedure_id", "procedures"),
    fk("law_changes", "owner_bureau_id", "bureaus"),
    fk("law_change_history", "law_change_id", "law_changes"),
    fk("law_change_history", "actor_id", "users"),
    fk("dependencies", "procedure_id", "procedures"),
    fk("dependencies", "created_by", "users"),
    fk("dependencies", "removed_by", "users"),
    fk("reminder_rules", "created_by", "users"),
    fk("reminder_firings", "rule_id", "reminder_rules"),
    fk("notifications", "user_id", "users"),
    fk("notifications", "rule_id", "reminder_rules"),
    fk("notifications", "firing_id", "reminder_firings"),
    fk("deliveries", "firing_id", "reminder_firings"),
    fk("deliveries", "endpoint_id", "webhook_endpoints"),
    fk("reminded_items", "rule_id", "reminder_rules"),
    fk("reminded_items", "user_id", "users"),
    fk("snoozes", "user_id", "users"),
    fk("user_preferences", "user_id", "users"),
    fk("field_revisions", "procedure_id", "procedures"),
    fk("quality_assessments", "procedure_id", "procedures"),
    fk("quality_assessments", "assessed_by", "users"),
    fk("user_reviews", "procedure_id", "procedures"),
    fk("user_reviews", "submitted_by", "users"),
    fk("web_sessions", "user_id", "users"),
    poly(("on_kind", "LAW_CHANGE"), "law_changes"),
    poly(("on_kind", "MILESTONE"), "milestones"),
    poly(("on_kind", "PROCEDURE"), "procedures"),
];

/// How many findings one check lists at most; past that the report says the list was cut, so a
/// badly damaged database still gives a readable answer.
pub const FINDINGS_PER_CHECK: usize = 100;

/// One violation: which check, what it concerns (a procedure code, a dangling id) and what is
/// wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable key such as [`VERSION_BEHIND_HISTORY`] or `orphan.tasks.assignee_id`.
    pub check: String,
    pub subject: String,
    pub detail: String,
}

/// What a run of the store's checks looked at and what it found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrityReport {
    /// `(what, how many)`: rows read per table, for the operator's summary.
    pub checked: Vec<(String, i64)>,
    /// The keys of the checks that ran, in order.
    pub checks: Vec<String>,
    pub findings: Vec<Finding>,
}

impl IntegrityReport {
    /// The findings of one check.
    pub fn of(&self, check: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.check == check).collect()
    }

    /// Adds a check's findings from `(subject, detail)` rows read with a limit of
    /// [`FINDINGS_PER_CHECK`] + 1, saying so when the list was cut.
    pub fn add(&mut self, check: &str, rows: Vec<(String, String)>) {
        if !self.checks.iter().any(|c| c == check) {
            self.checks.push(check.to_owned());
        }
        let cut = rows.len() > FINDINGS_PER_CHECK;
        for (subject, detail) in rows.into_iter().take(FINDINGS_PER_CHECK) {
            self.findings.push(Finding {
                check: check.to_owned(),
                subject,
                detail,
            });
        }
        if cut {
            self.findings.push(Finding {
                check: check.to_owned(),
                subject: "…".to_owned(),
                detail: format!("more than {FINDINGS_PER_CHECK} findings; listing stopped"),
            });
        }
    }
}

/// The counted tables of the summary line.
pub const COUNTED_TABLES: &[&str] = &[
    "procedures",
    "transition_records",
    "audit_log",
    "users",
    "approval_requests",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_is_cut_and_says_so() {
        let mut report = IntegrityReport::default();
        let rows = (0..=FINDINGS_PER_CHECK)
            .map(|i| (i.to_string(), "x".to_owned()))
            .collect();
        report.add("k", rows);
        assert_eq!(report.of("k").len(), FINDINGS_PER_CHECK + 1);
        assert!(
            report
                .findings
                .last()
                .unwrap()
                .detail
                .contains("listing stopped")
        );
        assert_eq!(report.checks, ["k"]);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill("IN ({bulk}) LIMIT {limit}"),
            format!(
                "IN ('procedure.import', 'demo.procedures') LIMIT {}",
                FINDINGS_PER_CHECK + 1
            )
        );
    }

    #[test]
    fn every_reference_has_its_own_key_but_the_polymorphic_one() {
        let mut keys: Vec<String> = REFERENCES.iter().map(Reference::key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), REFERENCES.len() - 2);
    }
}

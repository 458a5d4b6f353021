//! The use cases' Prometheus counters, recorded through the `metrics` facade once a change has
//! committed: transitions by workflow edge, approval requests opened, and approval requests
//! closed by how they closed. The facade is a no-op until a process installs a recorder (only
//! `rollout serve` with `[metrics] listen` does), so tests and one-shot commands pay nothing.
//!
//! Labels are bounded by construction: states come from the workflow definition, decisions from
//! [`ApprovalStatus`]. [`App::register_metrics`] describes the counters and gives every workflow
//! edge and decision its series at zero, so that `rate()` and alerts see them before the first
//! event. Not here: how the numbers are exported (the server's business).

use rollout_domain::TransitionRecord;
use rollout_domain::approval::ApprovalStatus;
use rollout_store::Write;

use crate::App;

/// Transitions applied, by workflow edge (`from`, `to`): direct, approved, by a hearing or by
/// the automatic unblocking.
pub const TRANSITIONS: &str = "rollout_transitions_total";
/// Approval requests opened for gated transitions.
pub const APPROVALS_OPENED: &str = "rollout_approvals_opened_total";
/// Approval requests closed, by `decision`: approved, rejected, failed, withdrawn, expired.
pub const APPROVALS_DECIDED: &str = "rollout_approvals_decided_total";

/// How an approval request that is no longer pending closed, as a label value.
fn decision(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::Pending => "pending",
        ApprovalStatus::Approved => "approved",
        ApprovalStatus::Rejected => "rejected",
        ApprovalStatus::Withdrawn => "withdrawn",
        ApprovalStatus::Expired => "expired",
        ApprovalStatus::Failed => "failed",
    }
}

fn edge(from: &str, to: &str) -> metrics::Counter {
    metrics::counter!(TRANSITIONS, "from" => from.to_owned(), "to" => to.to_owned())
}

/// Counts a committed transition (creation records, which have no `from`, are not transitions).
pub(crate) fn transition(record: &TransitionRecord) {
    if let Some(from) = &record.from_state {
        edge(from, &record.to_state).increment(1);
    }
}

pub(crate) fn approval_opened() {
    metrics::counter!(APPROVALS_OPENED).increment(1);
}

pub(crate) fn approval_closed(status: ApprovalStatus) {
    metrics::counter!(APPROVALS_DECIDED, "decision" => decision(status)).increment(1);
}

/// Counts what a committed batch did: its transitions and the approval requests it opened.
pub(crate) fn committed(writes: &[Write]) {
    for write in writes {
        match write {
            Write::Transition(plan) => transition(&plan.record),
            Write::OpenApproval(_) => approval_opened(),
            _ => {}
        }
    }
}

impl App {
    /// Describes the use cases' counters and sets every series to zero (each edge of the
    /// workflow, each decision) in the process's recorder; call once after installing it.
    pub fn register_metrics(&self) {
        metrics::describe_counter!(
            TRANSITIONS,
            "Transitions applied, by workflow edge (from, to)."
        );
        metrics::describe_counter!(
            APPROVALS_OPENED,
            "Approval requests opened for gated transitions."
        );
        metrics::describe_counter!(APPROVALS_DECIDED, "Approval requests closed, by decision.");
        for t in self.workflow().transitions() {
            edge(&t.from, &t.to).increment(0);
        }
        metrics::counter!(APPROVALS_OPENED).increment(0);
        for status in ApprovalStatus::ALL {
            if *status != ApprovalStatus::Pending {
                metrics::counter!(APPROVALS_DECIDED, "decision" => decision(*status)).increment(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_closed_status_has_its_own_decision_label() {
        let labels: std::collections::BTreeSet<_> = ApprovalStatus::ALL
            .iter()
            .filter(|s| **s != ApprovalStatus::Pending)
            .map(|s| decision(*s))
            .collect();
        assert_eq!(
            labels.into_iter().collect::<Vec<_>>(),
            ["approved", "expired", "failed", "rejected", "withdrawn"]
        );
    }
}

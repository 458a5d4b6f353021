//! Validation rules about what transitions are used for, beside the shape rules of
//! [`super::validate`]: guards and approvals that suit the workflow's subject, and the
//! `on_unblock` transitions the system takes when a procedure's last blocker is cleared.
//! Reported in file order, in the same list as every other violation.

use super::definition::{StateKind, WorkflowDefinition};
use super::validate::WorkflowError;

/// Guards must apply to the declared subject ([`super::Guard::applies_to`]); approvals only
/// to subjects that have them.
pub(super) fn check_subject(def: &WorkflowDefinition, errors: &mut Vec<WorkflowError>) {
    let subject = def.subject();
    for t in def.transitions() {
        for g in t.guards.iter().filter(|g| !g.applies_to(subject)) {
            errors.push(WorkflowError::GuardNotForSubject {
                transition: t.key.clone(),
                guard: g.name(),
                subject,
            });
        }
        if t.approval.is_some() && !subject.has_approvals() {
            errors.push(WorkflowError::ApprovalNotForSubject {
                transition: t.key.clone(),
                subject,
            });
        }
    }
}

/// `on_unblock` transitions leave a BLOCKED state, need no comment and no approval (nobody is
/// there to give them), and every BLOCKED state that can be entered has at least one, of which
/// at least one has no data guard, so that clearing the last blocker always moves a procedure.
pub(super) fn check_unblock(def: &WorkflowDefinition, errors: &mut Vec<WorkflowError>) {
    for t in def.transitions().iter().filter(|t| t.on_unblock) {
        if let Some(from) = def.state(&t.from).filter(|s| s.kind != StateKind::Blocked) {
            errors.push(WorkflowError::UnblockNotFromBlocked {
                transition: t.key.clone(),
                state: t.from.clone(),
                kind: from.kind,
            });
        }
        if t.requires_comment() {
            errors.push(WorkflowError::UnblockRequiresComment {
                transition: t.key.clone(),
            });
        }
        if t.approval.is_some() {
            errors.push(WorkflowError::UnblockNeedsApproval {
                transition: t.key.clone(),
            });
        }
    }
    for state in def.states().iter().filter(|s| s.kind == StateKind::Blocked) {
        let entered = def
            .transitions()
            .iter()
            .any(|t| t.to == state.key && t.from != state.key);
        if !entered {
            continue;
        }
        let unblock: Vec<_> = def.unblock_transitions_from(&state.key).collect();
        if unblock.is_empty() {
            errors.push(WorkflowError::NoUnblockTransition {
                state: state.key.clone(),
            });
        } else if unblock
            .iter()
            .all(|t| t.guards.iter().any(|g| !g.is_request_guard()))
        {
            errors.push(WorkflowError::UnblockAlwaysGuarded {
                state: state.key.clone(),
                transitions: unblock.iter().map(|t| t.key.clone()).collect(),
            });
        }
    }
}

//! Who may do what. One function, [`authorize`], decides every permission from the user and the
//! action, so that the rules are read and tested in one place. Data is never filtered here: a
//! denied action is refused whole, and callers report it without revealing the target.

use crate::BureauId;
use crate::identity::{Role, User};

/// Something a user wants to do. Actions on procedures carry the bureau that owns the
/// procedure (for a move between bureaus, the caller checks both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read procedures, bureaus, the workflow, summaries.
    Read,
    ManageUsers,
    ManageBureaus,
    ManageWorkflow,
    /// Create, update or move a procedure of this bureau; also import into it.
    WorkOnProcedure(BureauId),
    /// Decide approval requests that need `role`, in principle (whatever the bureau): what
    /// substitutes and `canApproveFor` are checked against.
    DecideApproval(Role),
    /// Approve or reject one request that needs `role` for a procedure of this bureau: a
    /// coordinator decides only for their own bureau, the project office for every bureau.
    DecideApprovalIn(Role, BureauId),
    /// Read and export the audit trail.
    ReadAudit,
    /// Create, list and revoke one's own API tokens.
    ManageOwnTokens,
    /// Complete or cancel a task of this bureau assigned to this user (if anyone): the
    /// bureau's people may, and so may the assignee whatever bureau they coordinate.
    CloseTask {
        bureau: BureauId,
        assignee: Option<crate::UserId>,
    },
    /// Create and update law changes and milestones, and set a milestone's status: the project
    /// office's job. (Dependencies are [`Action::WorkOnProcedure`] of the dependent's bureau.)
    ManageBlockers,
    /// Change the status and notes of a law change whose request this bureau owns.
    FollowLawChange(BureauId),
    /// Create, change, pause and preview reminder rules: the project office's and admins' job.
    ManageReminders,
    /// Manage webhook endpoints (URLs and their secrets): admins only.
    ManageWebhooks,
    /// See the scheduler's status and the outbox, retry a dead delivery: admins, and the
    /// project office that owns the rules.
    OperateScheduler,
    /// Freeze a quarter's figures (the project office's record of what it reported).
    FreezeQuarter,
    /// Record a quality assessment of a procedure (issue 13): the project office's job, and
    /// admins'.
    RecordQualityAssessment,
    /// Submit a resident's user review of a procedure: only the review intake identity (the
    /// e-application sites' review form), never a person's token.
    SubmitUserReview,
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} may not {what}")]
pub struct Denied {
    pub role: Role,
    pub what: String,
}

/// Decides whether `user` may perform `action`. Disabled users may do nothing.
pub fn authorize(user: &User, action: Action) -> Result<(), Denied> {
    let allowed = !user.disabled
        && match (user.role, action) {
            // A service identity: it submits reviews and does nothing else, not even read or
            // manage its own tokens (an administrator issues and revokes them).
            (Role::ReviewIntake, action) => action == Action::SubmitUserReview,
            (_, Action::Read) => true,
            (_, Action::ManageOwnTokens) => true,
            (Role::ProjectOffice | Role::Admin, Action::RecordQualityAssessment) => true,
            (Role::Admin, Action::ManageUsers | Action::ManageBureaus | Action::ManageWorkflow) => {
                true
            }
            (Role::Admin | Role::ProjectOffice, Action::ReadAudit) => true,
            (Role::ProjectOffice, Action::WorkOnProcedure(_)) => true,
            (Role::BureauCoordinator, Action::WorkOnProcedure(b)) => user.bureau_id == Some(b),
            (Role::ProjectOffice, Action::CloseTask { .. }) => true,
            (Role::ProjectOffice, Action::ManageBlockers | Action::FollowLawChange(_)) => true,
            (Role::BureauCoordinator, Action::FollowLawChange(b)) => user.bureau_id == Some(b),
            (
                Role::ProjectOffice | Role::Admin,
                Action::ManageReminders | Action::OperateScheduler,
            ) => true,
            (Role::Admin, Action::ManageWebhooks) => true,
            (Role::ProjectOffice, Action::FreezeQuarter) => true,
            (Role::BureauCoordinator, Action::CloseTask { bureau, assignee }) => {
                user.bureau_id == Some(bureau) || assignee == Some(user.id)
            }
            // Approving is the project office's job (and, in custom workflows, coordinators');
            // administrators and viewers never decide, whatever a workflow file says.
            (
                role @ (Role::ProjectOffice | Role::BureauCoordinator),
                Action::DecideApproval(needed),
            ) => role == needed,
            (Role::ProjectOffice, Action::DecideApprovalIn(needed, _)) => {
                needed == Role::ProjectOffice
            }
            (Role::BureauCoordinator, Action::DecideApprovalIn(needed, b)) => {
                needed == Role::BureauCoordinator && user.bureau_id == Some(b)
            }
            _ => false,
        };
    if allowed {
        Ok(())
    } else {
        Err(Denied {
            role: user.role,
            what: describe(action),
        })
    }
}

fn describe(action: Action) -> String {
    match action {
        Action::Read => "read".into(),
        Action::ManageUsers => "manage users".into(),
        Action::ManageBureaus => "manage bureaus".into(),
        Action::ManageWorkflow => "manage the workflow".into(),
        Action::WorkOnProcedure(_) => "change this procedure".into(),
        Action::DecideApproval(role) => format!("decide approvals that need {role}"),
        Action::DecideApprovalIn(role, _) => {
            format!("decide approvals that need {role} for this bureau's procedures")
        }
        Action::ReadAudit => "read the audit trail".into(),
        Action::ManageOwnTokens => "manage API tokens".into(),
        Action::CloseTask { .. } => "complete or cancel this task".into(),
        Action::ManageBlockers => "manage law changes and milestones".into(),
        Action::FollowLawChange(_) => "change this law change's status".into(),
        Action::ManageReminders => "manage reminder rules".into(),
        Action::ManageWebhooks => "manage webhook endpoints".into(),
        Action::OperateScheduler => "operate the scheduler and its deliveries".into(),
        Action::FreezeQuarter => "freeze a quarter's figures".into(),
        Action::RecordQualityAssessment => "record quality assessments".into(),
        Action::SubmitUserReview => "submit user reviews".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use crate::identity::Email;
    use chrono::DateTime;
    use uuid::Uuid;

    fn user(role: Role, bureau: Option<u128>) -> User {
        User {
            id: UserId(Uuid::nil()),
            display_name: "x".into(),
            email: Email::parse("x@example.jp").unwrap(),
            role,
            bureau_id: bureau.map(|b| BureauId(Uuid::from_u128(b))),
            disabled: false,
            created_at: DateTime::UNIX_EPOCH,
        }
    }

    fn close(bureau: BureauId, assignee: Option<UserId>) -> Action {
        Action::CloseTask { bureau, assignee }
    }

    #[test]
    fn the_role_table() {
        let own = BureauId(Uuid::from_u128(1));
        let other = BureauId(Uuid::from_u128(2));
        let admin = user(Role::Admin, None);
        let office = user(Role::ProjectOffice, None);
        let coordinator = user(Role::BureauCoordinator, Some(1));
        let viewer = user(Role::Viewer, None);
        let cases = [
            (&admin, Action::ManageUsers, true),
            (&admin, Action::ManageBureaus, true),
            (&admin, Action::WorkOnProcedure(own), false),
            (&admin, Action::ReadAudit, true),
            (&office, Action::WorkOnProcedure(other), true),
            (&office, Action::DecideApproval(Role::ProjectOffice), true),
            (&office, Action::ManageUsers, false),
            (&office, Action::ReadAudit, true),
            (&coordinator, Action::WorkOnProcedure(own), true),
            (&coordinator, Action::WorkOnProcedure(other), false),
            (
                &coordinator,
                Action::DecideApproval(Role::ProjectOffice),
                false,
            ),
            (&coordinator, Action::ReadAudit, false),
            (&viewer, Action::Read, true),
            (&office, close(other, None), true),
            (&coordinator, close(own, None), true),
            (&coordinator, close(other, None), false),
            (&coordinator, close(other, Some(UserId(Uuid::nil()))), true),
            (&viewer, close(own, Some(UserId(Uuid::nil()))), false),
            (&admin, close(own, None), false),
            (&viewer, Action::WorkOnProcedure(own), false),
            (&viewer, Action::ManageOwnTokens, true),
            (&viewer, Action::DecideApproval(Role::Viewer), false),
            (&admin, Action::DecideApproval(Role::Admin), false),
            (
                &office,
                Action::DecideApprovalIn(Role::ProjectOffice, other),
                true,
            ),
            (
                &office,
                Action::DecideApprovalIn(Role::BureauCoordinator, own),
                false,
            ),
            (
                &coordinator,
                Action::DecideApproval(Role::BureauCoordinator),
                true,
            ),
            (
                &coordinator,
                Action::DecideApprovalIn(Role::BureauCoordinator, own),
                true,
            ),
            (
                &coordinator,
                Action::DecideApprovalIn(Role::BureauCoordinator, other),
                false,
            ),
            (
                &coordinator,
                Action::DecideApprovalIn(Role::ProjectOffice, own),
                false,
            ),
            (&admin, Action::DecideApprovalIn(Role::Admin, own), false),
        ];
        for (u, action, expected) in cases {
            assert_eq!(
                authorize(u, action).is_ok(),
                expected,
                "{:?} {action:?}",
                u.role
            );
        }
    }

    #[test]
    fn quality_assessments_are_the_offices_and_reviews_the_intakes_alone() {
        let own = BureauId(Uuid::from_u128(1));
        let intake = user(Role::ReviewIntake, None);
        for role in Role::ALL {
            let u = user(*role, (*role == Role::BureauCoordinator).then_some(1));
            assert_eq!(
                authorize(&u, Action::RecordQualityAssessment).is_ok(),
                matches!(role, Role::ProjectOffice | Role::Admin),
                "{role} recording an assessment"
            );
            assert_eq!(
                authorize(&u, Action::SubmitUserReview).is_ok(),
                *role == Role::ReviewIntake,
                "{role} submitting a review"
            );
        }
        // The intake identity may do nothing else at all.
        let everything_else = [
            Action::Read,
            Action::ManageOwnTokens,
            Action::ManageUsers,
            Action::ManageBureaus,
            Action::ManageWorkflow,
            Action::WorkOnProcedure(own),
            Action::DecideApproval(Role::ReviewIntake),
            Action::DecideApprovalIn(Role::ReviewIntake, own),
            Action::ReadAudit,
            close(own, Some(intake.id)),
            Action::ManageBlockers,
            Action::FollowLawChange(own),
            Action::ManageReminders,
            Action::ManageWebhooks,
            Action::OperateScheduler,
            Action::RecordQualityAssessment,
        ];
        for action in everything_else {
            let denied = authorize(&intake, action).unwrap_err();
            assert!(
                denied.to_string().starts_with("REVIEW_INTAKE may not"),
                "{denied}"
            );
        }
        let mut disabled = intake.clone();
        disabled.disabled = true;
        assert!(authorize(&disabled, Action::SubmitUserReview).is_err());
    }

    #[test]
    fn disabled_users_may_do_nothing() {
        let mut u = user(Role::ProjectOffice, None);
        u.disabled = true;
        assert!(authorize(&u, Action::Read).is_err());
    }
}

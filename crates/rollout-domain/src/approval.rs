//! Approvals: transitions that a workflow marks as gated wait for M distinct approvals from a
//! role before they are applied. This module holds the request, its votes, substitute approvers
//! (delegations) and the rules for casting a vote. Applying the transition once the count is
//! reached, re-checking guards and the version, is the app layer's job with the engine.
//!
//! Four eyes are kept strictly: nobody decides their own request, and one person casts at most
//! one vote per request whatever hats they wear, so a substitute cannot supply two of two
//! approvals by voting once as themselves and once for the person they stand in for.

use chrono::{DateTime, NaiveDate, Utc};

use crate::authz::{self, Action};
use crate::identity::{Role, User};
use crate::{ApprovalRequestId, BureauId, DelegationId, ProcedureId, UserId};

/// What a gated transition needs: `required` distinct approvals from users who may decide for
/// `role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalPolicy {
    pub role: Role,
    pub required: u32,
}

/// Where an approval request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApprovalStatus {
    Pending,
    /// Enough approvals: the transition was applied.
    Approved,
    Rejected,
    /// The requester took it back.
    Withdrawn,
    /// Nobody decided within the time allowed.
    Expired,
    /// Enough approvals, but the procedure had changed or a guard no longer held: nothing moved.
    Failed,
}

impl ApprovalStatus {
    pub const ALL: &'static [ApprovalStatus] = &[
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Withdrawn,
        Self::Expired,
        Self::Failed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
            Self::Withdrawn => "WITHDRAWN",
            Self::Expired => "EXPIRED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
    }
}

/// A request to apply a gated transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRequest {
    pub id: ApprovalRequestId,
    pub procedure_id: ProcedureId,
    /// The transition key and its end points, as requested.
    pub transition: String,
    pub from_state: String,
    pub to_state: String,
    /// The procedure version the request was made against; the transition applies only if the
    /// procedure is still at this version when the last approval arrives.
    pub expected_version: i32,
    pub comment: Option<String>,
    pub requested_by: UserId,
    pub policy: ApprovalPolicy,
    pub status: ApprovalStatus,
    /// Why it closed, for REJECTED (the rejection's comment), FAILED and EXPIRED.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version of the request itself (votes race too).
    pub version: i32,
}

impl ApprovalRequest {
    /// The status as of `now`: a pending request past its expiry is expired even before anyone
    /// has written that down.
    pub fn status_at(&self, now: DateTime<Utc>) -> ApprovalStatus {
        if self.status == ApprovalStatus::Pending && now >= self.expires_at {
            ApprovalStatus::Expired
        } else {
            self.status
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "APPROVE",
            Self::Reject => "REJECT",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Approve, Self::Reject]
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(raw.trim()))
    }
}

/// One person's decision on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalVote {
    pub request_id: ApprovalRequestId,
    /// The person who decided.
    pub approver: UserId,
    /// When deciding as a substitute: the person they stood in for, whose vote this counts as.
    pub on_behalf_of: Option<UserId>,
    pub decision: Decision,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl ApprovalVote {
    /// The person whose vote this counts as.
    pub fn counts_for(&self) -> UserId {
        self.on_behalf_of.unwrap_or(self.approver)
    }
}

/// A substitute approver: `delegate` may decide in `delegator`'s place from `starts_on` to
/// `ends_on` inclusive (dates in Asia/Tokyo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub id: DelegationId,
    pub delegator: UserId,
    pub delegate: UserId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Delegation {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.revoked_at.is_none() && self.starts_on <= day && day <= self.ends_on
    }
}

/// Why a delegation cannot be made.
pub fn validate_delegation(
    delegator: &User,
    delegate: &User,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if delegator.id == delegate.id {
        errors.push((
            "delegateId",
            "nobody can be their own substitute".to_owned(),
        ));
    }
    for (field, day) in [("startsOn", starts_on), ("endsOn", ends_on)] {
        if let Err(e) = crate::bounds::check_date(day) {
            errors.push((field, e.to_string()));
        }
    }
    if ends_on < starts_on {
        errors.push(("endsOn", "the delegation ends before it starts".to_owned()));
    }
    if delegate.disabled {
        errors.push((
            "delegateId",
            "the substitute's account is disabled".to_owned(),
        ));
    }
    if authz::authorize(delegate, Action::DecideApproval(delegator.role)).is_err() {
        errors.push((
            "delegateId",
            format!(
                "a {} cannot stand in for a {}",
                delegate.role, delegator.role
            ),
        ));
    } else if delegator.role == Role::BureauCoordinator && delegate.bureau_id != delegator.bureau_id
    {
        // Coordinators decide only for their own bureau, so must their substitutes.
        errors.push((
            "delegateId",
            "a coordinator's substitute must coordinate the same bureau".to_owned(),
        ));
    }
    errors
}

/// Why a vote is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoteRefused {
    #[error("the request is already closed ({})", .0.as_str())]
    Closed(ApprovalStatus),
    #[error("nobody approves their own request")]
    OwnRequest,
    #[error("each person decides once per request")]
    AlreadyVoted,
    #[error("this request needs a decision from {0}")]
    WrongRole(Role),
    #[error("no substitute arrangement covers today")]
    NoDelegation,
    #[error("this request is for a procedure of another bureau")]
    OtherBureau,
}

/// What a vote leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteOutcome {
    /// Counted; more approvals are needed.
    Pending { approvals: u32, required: u32 },
    /// This approval completes the count: apply the transition now.
    QuorumReached,
    /// A rejection closes the request.
    Rejected,
}

/// Who is voting: the person, and the delegation they use if they stand in for someone.
#[derive(Debug, Clone, Copy)]
pub struct Voter<'a> {
    pub user: &'a User,
    /// The person stood in for, and the arrangement that allows it.
    pub substitute_for: Option<(&'a User, &'a Delegation)>,
}

/// Decides whether `voter` may cast `decision` on `request` (which already has `votes`, and is
/// for a procedure of `bureau`) and what it leads to. Both the voter and whoever they stand in
/// for must be able to decide for the request's role in that bureau.
pub fn cast_vote(
    request: &ApprovalRequest,
    bureau: BureauId,
    votes: &[ApprovalVote],
    voter: Voter<'_>,
    decision: Decision,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<VoteOutcome, VoteRefused> {
    let status = request.status_at(now);
    if status != ApprovalStatus::Pending {
        return Err(VoteRefused::Closed(status));
    }
    let counts_as = match voter.substitute_for {
        None => voter.user,
        Some((principal, delegation)) => {
            let valid = delegation.delegate == voter.user.id
                && delegation.delegator == principal.id
                && delegation.covers(today);
            if !valid {
                return Err(VoteRefused::NoDelegation);
            }
            principal
        }
    };
    if request.requested_by == voter.user.id || request.requested_by == counts_as.id {
        return Err(VoteRefused::OwnRequest);
    }
    if authz::authorize(counts_as, Action::DecideApproval(request.policy.role)).is_err()
        || authz::authorize(voter.user, Action::DecideApproval(request.policy.role)).is_err()
    {
        return Err(VoteRefused::WrongRole(request.policy.role));
    }
    let in_bureau = Action::DecideApprovalIn(request.policy.role, bureau);
    if authz::authorize(counts_as, in_bureau).is_err()
        || authz::authorize(voter.user, in_bureau).is_err()
    {
        return Err(VoteRefused::OtherBureau);
    }
    let already = votes.iter().any(|v| {
        v.approver == voter.user.id
            || v.counts_for() == counts_as.id
            || v.counts_for() == voter.user.id
    });
    if already {
        return Err(VoteRefused::AlreadyVoted);
    }
    Ok(match decision {
        Decision::Reject => VoteOutcome::Rejected,
        Decision::Approve => {
            let approvals = 1 + votes
                .iter()
                .filter(|v| v.decision == Decision::Approve)
                .count() as u32;
            if approvals >= request.policy.required {
                VoteOutcome::QuorumReached
            } else {
                VoteOutcome::Pending {
                    approvals,
                    required: request.policy.required,
                }
            }
        }
    })
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;

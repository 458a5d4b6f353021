//! Builders for the identity and approval values the contract cases store: users, API tokens
//! with their secret hashes, approval requests, votes with their audit entries, and delegations.
//! Like [`super::fixtures`] they build domain values directly and decide nothing: the store
//! records whatever the app layer decided.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rollout_domain::approval::{
    ApprovalPolicy, ApprovalRequest, ApprovalStatus, ApprovalVote, Decision, Delegation,
};
use rollout_domain::audit::AuditEntry;
use rollout_domain::identity::{Email, Role, User};
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::{ApprovalRequestId, BureauId, DelegationId, Procedure, TokenId, UserId};
use uuid::Uuid;

use super::fixtures::{at, audit, procedure, seed_bureau, seed_procedure};
use crate::{Store, StoreError, TransitionWrite, VoteWrite};

/// A user with a fresh id, named after the local part of `email`, enabled.
pub fn user(email: &str, role: Role, bureau: Option<BureauId>, created: DateTime<Utc>) -> User {
    User {
        id: UserId(Uuid::now_v7()),
        display_name: format!("{} さん", email.split('@').next().unwrap_or(email)),
        email: Email::parse(email).unwrap(),
        role,
        bureau_id: bureau,
        disabled: false,
        created_at: created,
    }
}

/// Creates a project-office user (no bureau) with address `email` and returns it.
pub async fn seed_user(store: &Arc<dyn Store>, email: &str) -> User {
    let u = user(email, Role::ProjectOffice, None, at(0, 0));
    store
        .create_user(&u, &audit("user.create", "User", u.id, u.created_at))
        .await
        .unwrap()
}

/// A fake secret hash: 64 lower-case hex digits derived from `seed`.
pub fn secret_hash(seed: u8) -> TokenHash {
    TokenHash(format!("{seed:02x}").repeat(32))
}

/// A live token of `owner` with a fresh id, created at `created`, never used.
pub fn token(owner: UserId, name: &str, created: DateTime<Utc>) -> ApiToken {
    ApiToken {
        id: TokenId(Uuid::now_v7()),
        user_id: owner,
        name: name.to_owned(),
        prefix: format!("rlt_{}", name.chars().take(4).collect::<String>()),
        created_at: created,
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
    }
}

/// A pending request by `by` to abolish `p` (as stored), needing `required` project-office
/// approvals, version 1, expiring a week after `created`.
pub fn approval_request(
    p: &Procedure,
    by: UserId,
    required: u32,
    created: DateTime<Utc>,
) -> ApprovalRequest {
    ApprovalRequest {
        id: ApprovalRequestId(Uuid::now_v7()),
        procedure_id: p.id,
        transition: "abolish".to_owned(),
        from_state: p.state.clone(),
        to_state: "abolished".to_owned(),
        expected_version: p.version,
        comment: Some("制度廃止のため".to_owned()),
        requested_by: by,
        policy: ApprovalPolicy {
            role: Role::ProjectOffice,
            required,
        },
        status: ApprovalStatus::Pending,
        reason: None,
        created_at: created,
        expires_at: created + Duration::days(7),
        closed_at: None,
        version: 1,
    }
}

/// Stores `request` through `create_approval_request`.
pub async fn seed_request(store: &Arc<dyn Store>, request: &ApprovalRequest) -> ApprovalRequest {
    let entry = audit(
        "approval.request",
        "ApprovalRequest",
        request.id,
        request.created_at,
    );
    store
        .create_approval_request(request, &entry)
        .await
        .unwrap()
}

/// `approver`'s own vote on `request` at `at`, with a comment.
pub fn vote(
    request: &ApprovalRequest,
    approver: UserId,
    decision: Decision,
    at: DateTime<Utc>,
) -> ApprovalVote {
    ApprovalVote {
        request_id: request.id,
        approver,
        on_behalf_of: None,
        decision,
        comment: Some(format!("{} です", decision.as_str())),
        at,
    }
}

/// The audit entry of `vote`: by its approver, on behalf of their principal if any.
pub fn vote_audit(vote: &ApprovalVote) -> AuditEntry {
    let action = match vote.decision {
        Decision::Approve => "approval.approve",
        Decision::Reject => "approval.reject",
    };
    AuditEntry {
        actor_id: Some(vote.approver),
        actor: format!("voter-{}", vote.approver),
        on_behalf_of: vote.on_behalf_of,
        ..audit(action, "ApprovalRequest", vote.request_id, vote.at)
    }
}

/// A vote against `request`'s current version that neither closes it nor applies anything.
pub fn counted(request: &ApprovalRequest, vote: ApprovalVote) -> VoteWrite {
    VoteWrite {
        audit: vec![vote_audit(&vote)],
        vote,
        expected_request_version: request.version,
        close: None,
        apply: None,
    }
}

/// A vote that closes `request` with `status` and `reason`, applying `apply` if given. The
/// store writes `apply`'s own audit entry as `apply_transition` would, plus the vote's.
pub fn closing(
    request: &ApprovalRequest,
    vote: ApprovalVote,
    status: ApprovalStatus,
    reason: Option<&str>,
    apply: Option<TransitionWrite>,
) -> VoteWrite {
    VoteWrite {
        audit: vec![vote_audit(&vote)],
        vote,
        expected_request_version: request.version,
        close: Some((status, reason.map(str::to_owned))),
        apply,
    }
}

/// A delegation from `delegator` to `delegate` covering `starts_on..=ends_on`, created at
/// `created`.
pub fn delegation(
    delegator: UserId,
    delegate: UserId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    created: DateTime<Utc>,
) -> Delegation {
    Delegation {
        id: DelegationId(Uuid::now_v7()),
        delegator,
        delegate,
        starts_on,
        ends_on,
        created_at: created,
        revoked_at: None,
    }
}

/// Stores `d` through `create_delegation`.
pub async fn seed_delegation(store: &Arc<dyn Store>, d: &Delegation) -> Delegation {
    let entry = audit("delegation.create", "Delegation", d.id, d.created_at);
    store.create_delegation(d, &entry).await.unwrap()
}

/// The scene most approval cases start from: a bureau, one procedure in it, a requester and
/// three project-office approvers.
#[derive(Debug)]
pub struct Scene {
    pub procedure: Procedure,
    pub requester: User,
    pub approvers: [User; 3],
}

pub async fn scene(store: &Arc<dyn Store>) -> Scene {
    let b = seed_bureau(store, "KANKYO").await;
    let procedure = seed_procedure(store, procedure("KANKYO-0001", b.id, at(0, 0))).await;
    let requester = seed_user(store, "requester@metro.tokyo.lg.jp").await;
    let approvers = [
        seed_user(store, "sato@metro.tokyo.lg.jp").await,
        seed_user(store, "suzuki@metro.tokyo.lg.jp").await,
        seed_user(store, "takahashi@metro.tokyo.lg.jp").await,
    ];
    Scene {
        procedure,
        requester,
        approvers,
    }
}

/// Asserts `result` is `NotFound { entity, key }`.
pub fn expect_not_found<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    entity: &str,
    key: impl ToString,
) {
    match result {
        Err(StoreError::NotFound { entity: e, key: k }) => {
            assert_eq!((e, k), (entity, key.to_string()));
        }
        other => panic!("expected NotFound {entity}, got {other:?}"),
    }
}

/// Asserts `result` is `Duplicate { entity, key }`.
pub fn expect_duplicate<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    entity: &str,
    key: impl ToString,
) {
    match result {
        Err(StoreError::Duplicate { entity: e, key: k }) => {
            assert_eq!((e, k), (entity, key.to_string()));
        }
        other => panic!("expected Duplicate {entity}, got {other:?}"),
    }
}

/// Asserts `result` is `Conflict { expected, actual }`.
pub fn expect_conflict<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    expected: i32,
    actual: i32,
) {
    match result {
        Err(StoreError::Conflict {
            expected: e,
            actual: a,
        }) => assert_eq!((e, a), (expected, actual)),
        other => panic!("expected Conflict {{ {expected}, {actual} }}, got {other:?}"),
    }
}

//! Decoding rows of the access-control tables: users, API tokens, approval requests and votes,
//! delegations and audit entries. Like the parent module, it keeps each column list beside its
//! decoder and reports values the domain refuses as corrupt; it never writes.

use rollout_domain::approval::{
    ApprovalPolicy, ApprovalRequest, ApprovalStatus, ApprovalVote, Decision, Delegation,
};
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::identity::{Email, Role, User};
use rollout_domain::token::ApiToken;
use rollout_domain::{
    ApprovalRequestId, AuditEntryId, BureauId, DelegationId, ProcedureId, TokenId, UserId,
};
use rollout_store::StoreError;
use sqlx::postgres::PgRow;

use super::{corrupt, get, keyed, parsed};

macro_rules! user_columns {
    () => {
        "id, display_name, email, role, bureau_id, disabled, created_at"
    };
}

/// The owner's columns in a token-and-user join, renamed apart from the token's own.
macro_rules! owner_columns {
    () => {
        "u.id AS owner_id, u.display_name AS owner_display_name, u.email AS owner_email, \
         u.role AS owner_role, u.bureau_id AS owner_bureau_id, u.disabled AS owner_disabled, \
         u.created_at AS owner_created_at"
    };
}

/// Never the secret hash: nothing outside the look-up needs it.
macro_rules! token_columns {
    () => {
        "id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at"
    };
}

/// [`token_columns`] qualified for a join with `users u` (both tables have `id`, `created_at`).
macro_rules! joined_token_columns {
    () => {
        "t.id, t.user_id, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, \
         t.revoked_at"
    };
}

macro_rules! request_columns {
    () => {
        "id, procedure_id, transition, from_state, to_state, expected_version, comment, \
         requested_by, role, required, status, reason, created_at, expires_at, closed_at, version"
    };
}

macro_rules! vote_columns {
    () => {
        "request_id, approver, on_behalf_of, decision, comment, at"
    };
}

macro_rules! delegation_columns {
    () => {
        "id, delegator, delegate, starts_on, ends_on, created_at, revoked_at"
    };
}

/// `before`/`after` come back as text: the domain carries JSON text, and jsonb's text form is
/// normalised (key order, spacing), which is why the contract compares them as parsed JSON.
macro_rules! audit_columns {
    () => {
        "id, at, actor_id, actor, on_behalf_of, action, target_type, target_id, \
         before::text AS before, after::text AS after, outcome, request_id, client_addr"
    };
}

pub(crate) use {
    audit_columns, delegation_columns, joined_token_columns, owner_columns, request_columns,
    token_columns, user_columns, vote_columns,
};

/// Column names of a user, so that one decoder reads both plain rows and joined owners.
struct UserColumns {
    id: &'static str,
    display_name: &'static str,
    email: &'static str,
    role: &'static str,
    bureau_id: &'static str,
    disabled: &'static str,
    created_at: &'static str,
}

const USER: UserColumns = UserColumns {
    id: "id",
    display_name: "display_name",
    email: "email",
    role: "role",
    bureau_id: "bureau_id",
    disabled: "disabled",
    created_at: "created_at",
};

const OWNER: UserColumns = UserColumns {
    id: "owner_id",
    display_name: "owner_display_name",
    email: "owner_email",
    role: "owner_role",
    bureau_id: "owner_bureau_id",
    disabled: "owner_disabled",
    created_at: "owner_created_at",
};

fn user_from(row: &PgRow, c: &UserColumns) -> Result<User, StoreError> {
    const T: &str = "users";
    Ok(User {
        id: UserId(get(row, c.id)?),
        display_name: get(row, c.display_name)?,
        email: parsed(row, T, c.email, Email::parse)?,
        role: parsed(row, T, c.role, keyed(Role::parse))?,
        bureau_id: get::<Option<uuid::Uuid>>(row, c.bureau_id)?.map(BureauId),
        disabled: get(row, c.disabled)?,
        created_at: get(row, c.created_at)?,
    })
}

pub(crate) fn user(row: &PgRow) -> Result<User, StoreError> {
    user_from(row, &USER)
}

/// The user of a row selected with [`owner_columns`].
pub(crate) fn owner(row: &PgRow) -> Result<User, StoreError> {
    user_from(row, &OWNER)
}

pub(crate) fn token(row: &PgRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: TokenId(get(row, "id")?),
        user_id: UserId(get(row, "user_id")?),
        name: get(row, "name")?,
        prefix: get(row, "prefix")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        last_used_at: get(row, "last_used_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

pub(crate) fn request(row: &PgRow) -> Result<ApprovalRequest, StoreError> {
    const T: &str = "approval_requests";
    let required: i32 = get(row, "required")?;
    Ok(ApprovalRequest {
        id: ApprovalRequestId(get(row, "id")?),
        procedure_id: ProcedureId(get(row, "procedure_id")?),
        transition: get(row, "transition")?,
        from_state: get(row, "from_state")?,
        to_state: get(row, "to_state")?,
        expected_version: get(row, "expected_version")?,
        comment: get(row, "comment")?,
        requested_by: UserId(get(row, "requested_by")?),
        policy: ApprovalPolicy {
            role: parsed(row, T, "role", keyed(Role::parse))?,
            required: u32::try_from(required)
                .map_err(|_| corrupt(T, "required", &required.to_string()))?,
        },
        status: parsed(row, T, "status", keyed(ApprovalStatus::parse))?,
        reason: get(row, "reason")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
        closed_at: get(row, "closed_at")?,
        version: get(row, "version")?,
    })
}

pub(crate) fn vote(row: &PgRow) -> Result<ApprovalVote, StoreError> {
    Ok(ApprovalVote {
        request_id: ApprovalRequestId(get(row, "request_id")?),
        approver: UserId(get(row, "approver")?),
        on_behalf_of: get::<Option<uuid::Uuid>>(row, "on_behalf_of")?.map(UserId),
        decision: parsed(row, "approval_votes", "decision", keyed(Decision::parse))?,
        comment: get(row, "comment")?,
        at: get(row, "at")?,
    })
}

pub(crate) fn delegation(row: &PgRow) -> Result<Delegation, StoreError> {
    Ok(Delegation {
        id: DelegationId(get(row, "id")?),
        delegator: UserId(get(row, "delegator")?),
        delegate: UserId(get(row, "delegate")?),
        starts_on: get(row, "starts_on")?,
        ends_on: get(row, "ends_on")?,
        created_at: get(row, "created_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

pub(crate) fn audit_entry(row: &PgRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: AuditEntryId(get(row, "id")?),
        at: get(row, "at")?,
        actor_id: get::<Option<uuid::Uuid>>(row, "actor_id")?.map(UserId),
        actor: get(row, "actor")?,
        on_behalf_of: get::<Option<uuid::Uuid>>(row, "on_behalf_of")?.map(UserId),
        action: get(row, "action")?,
        target_type: get(row, "target_type")?,
        target_id: get(row, "target_id")?,
        before: get(row, "before")?,
        after: get(row, "after")?,
        outcome: parsed(row, "audit_log", "outcome", keyed(AuditOutcome::parse))?,
        request_id: get(row, "request_id")?,
        client_addr: get(row, "client_addr")?,
    })
}

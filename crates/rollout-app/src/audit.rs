//! Building audit entries and reading the trail. Every use case that changes data hands its
//! entry to the store with the change, so both commit or neither does; refused attempts are
//! appended on their own. `before`/`after` are compact JSON snapshots made here by hand, which
//! keeps wire formats out of the domain crate.

use chrono::{DateTime, Utc};
use rollout_domain::approval::{ApprovalRequest, Delegation};
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::bounds;
use rollout_domain::identity::User;
use rollout_domain::text::TextKind;
use rollout_domain::token::ApiToken;
use rollout_domain::{AuditEntryId, Bureau, Procedure, UserId};
use rollout_store::{AuditCursor, AuditFilter, MAX_PAGE_SIZE, Page, PageRequest};
use serde_json::{Value, json};

use crate::{Actor, App, AppError, AppResult, RequestMeta, new_uuid};

/// The thing an entry is about.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: &'static str,
    pub id: Option<String>,
}

impl Target {
    pub fn new(kind: &'static str, id: impl ToString) -> Self {
        Self {
            kind,
            id: Some(id.to_string()),
        }
    }
    pub fn kind(kind: &'static str) -> Self {
        Self { kind, id: None }
    }
}

impl App {
    /// An entry for `action` by `actor` on `target`, stamped now.
    pub(crate) fn audit_entry(
        &self,
        actor: &Actor,
        action: &str,
        target: &Target,
        before: Option<Value>,
        after: Option<Value>,
    ) -> AuditEntry {
        self.audit_entry_as(
            actor,
            None,
            action,
            target,
            before,
            after,
            AuditOutcome::Success,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn audit_entry_as(
        &self,
        actor: &Actor,
        on_behalf_of: Option<UserId>,
        action: &str,
        target: &Target,
        before: Option<Value>,
        after: Option<Value>,
        outcome: AuditOutcome,
    ) -> AuditEntry {
        AuditEntry {
            id: AuditEntryId(new_uuid()),
            at: self.now(),
            actor_id: actor.user_id(),
            actor: actor.label.clone(),
            on_behalf_of,
            action: action.to_owned(),
            target_type: target.kind.to_owned(),
            target_id: target.id.clone(),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
            outcome,
            request_id: actor.meta.request_id.clone(),
            client_addr: actor.meta.client_addr.clone(),
        }
    }

    /// Records a refused attempt. A failure to record it is logged, not raised: the caller is
    /// already answering with the refusal, which must not turn into an internal error.
    pub async fn record_denied(
        &self,
        actor: &Actor,
        action: &str,
        target: &Target,
        outcome: AuditOutcome,
    ) {
        let entry = self.audit_entry_as(actor, None, action, target, None, None, outcome);
        if let Err(e) = self.store().append_audit(&entry).await {
            tracing::error!(error = %e, action, "could not record a denied attempt in the audit trail");
        }
    }

    /// Records `count` refused authentications from `client_addr` since `since` as one entry:
    /// the summary of a window whose refusals were not recorded one by one. The count and the
    /// window's start are the entry's `after`, `{"refusals": count, "since": "…"}`.
    pub async fn record_refusal_summary(
        &self,
        client_addr: Option<String>,
        count: u64,
        since: DateTime<Utc>,
    ) {
        let anonymous = Actor {
            user: None,
            label: "anonymous".into(),
            meta: RequestMeta {
                request_id: None,
                client_addr,
            },
        };
        let after = json!({ "refusals": count, "since": bounds::utc_text(since) });
        let entry = self.audit_entry_as(
            &anonymous,
            None,
            "authenticate",
            &Target::kind("Session"),
            None,
            Some(after),
            AuditOutcome::Unauthenticated,
        );
        if let Err(e) = self.store().append_audit(&entry).await {
            tracing::error!(error = %e, count, "could not record refused authentications in the audit trail");
        }
    }

    /// One page of the audit trail, oldest first. Admins and the project office only.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest<AuditCursor>,
    ) -> AppResult<Page<AuditEntry>> {
        self.require(
            actor,
            rollout_domain::authz::Action::ReadAudit,
            "audit.read",
            &Target::kind("AuditLog"),
        )
        .await?;
        if page.first > MAX_PAGE_SIZE {
            return Err(AppError::validation(
                "first",
                format!("first must be at most {MAX_PAGE_SIZE}"),
            ));
        }
        let mut filter = filter.clone();
        crate::text::TextChecks::default()
            .check_opt("action", TextKind::Identifier, filter.action.as_mut())
            .check_opt(
                "targetType",
                TextKind::Identifier,
                filter.target_type.as_mut(),
            )
            .check_opt("targetId", TextKind::Identifier, filter.target_id.as_mut())
            .finish()?;
        Ok(self.store().list_audit(&filter, &page).await?)
    }
}

pub(crate) fn opt<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref()
        .map_or(Value::Null, |x| Value::String(x.to_string()))
}

/// An instant as the API writes it (RFC 3339, UTC, `Z`), not chrono's `Display` form.
fn opt_instant(v: Option<DateTime<Utc>>) -> Value {
    v.map_or(Value::Null, |t| Value::String(bounds::utc_text(t)))
}

pub(crate) fn procedure_json(p: &Procedure) -> Value {
    json!({
        "id": p.id.to_string(), "code": p.code.as_str(), "name": p.name, "nameEn": p.name_en,
        "bureauId": p.bureau_id.to_string(), "category": p.category.as_str(),
        "authority": p.authority.as_str(), "annualApplications": p.annual_applications,
        "processCount": p.process_count, "platform": p.platform.map(|x| x.as_str()),
        "targetQuarter": opt(&p.target_quarter), "releasedOn": opt(&p.released_on),
        "state": p.state, "version": p.version,
    })
}

pub(crate) fn bureau_json(b: &Bureau) -> Value {
    json!({ "id": b.id.to_string(), "code": b.code.as_str(), "nameJa": b.name_ja, "nameEn": b.name_en })
}

pub(crate) fn user_json(u: &User) -> Value {
    json!({
        "id": u.id.to_string(), "displayName": u.display_name, "email": u.email.as_str(),
        "role": u.role.as_str(), "bureauId": opt(&u.bureau_id), "disabled": u.disabled,
    })
}

/// A token without its secret (which is never stored, let alone audited).
pub(crate) fn token_json(t: &ApiToken) -> Value {
    json!({
        "id": t.id.to_string(), "userId": t.user_id.to_string(), "name": t.name, "prefix": t.prefix,
        "expiresAt": opt_instant(t.expires_at), "revokedAt": opt_instant(t.revoked_at),
    })
}

pub(crate) fn approval_json(r: &ApprovalRequest) -> Value {
    json!({
        "id": r.id.to_string(), "procedureId": r.procedure_id.to_string(), "transition": r.transition,
        "from": r.from_state, "to": r.to_state, "expectedVersion": r.expected_version,
        "role": r.policy.role.as_str(), "required": r.policy.required, "status": r.status.as_str(),
        "reason": r.reason, "requestedBy": r.requested_by.to_string(), "version": r.version,
    })
}

pub(crate) fn delegation_json(d: &Delegation) -> Value {
    json!({
        "id": d.id.to_string(), "delegator": d.delegator.to_string(), "delegate": d.delegate.to_string(),
        "startsOn": d.starts_on.to_string(), "endsOn": d.ends_on.to_string(), "revokedAt": opt_instant(d.revoked_at),
    })
}

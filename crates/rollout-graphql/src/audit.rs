//! The audit trail as the API shows it: `AuditEntry`, the `AuditFilter` input and
//! `Query.auditLog` (admins and the project office; anyone else gets FORBIDDEN, and the refusal
//! is itself recorded by the use case).
//!
//! `before`/`after` are stored as JSON text and served as the `JSON` scalar, parsed here. An
//! entry is not a `Node`: the store has no read of one entry by id (only filtered listings), so
//! its `id` is the bare uuid, which is also how other entries' `targetId` name things.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Json, Object};
use rollout_domain::audit as domain;
use rollout_domain::{AuditEntryId, UserId};
use rollout_store::AuditCursor;
use serde_json::Value;
use tracing::instrument;

use crate::connection::{AuditEntryConnection, page_request, page_size};
use crate::enums::AuditOutcome;
use crate::identity::User;
use crate::ids::{NodeType, TimeOrdering, argument_id, decode_time_cursor};
use crate::loaders::UserBatch;
use crate::scalars::DateTime;
use crate::{actor, app, errors};

/// Who did what to which thing, with the state before and after.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    row: domain::AuditEntry,
    /// The actors (and principals) of every entry of the same page.
    users: Arc<UserBatch>,
}

impl AuditEntry {
    pub(crate) fn page(rows: Vec<domain::AuditEntry>) -> Vec<Self> {
        let users = Arc::new(UserBatch::new(
            rows.iter()
                .flat_map(|e| e.actor_id.into_iter().chain(e.on_behalf_of)),
        ));
        rows.into_iter()
            .map(|row| Self {
                row,
                users: users.clone(),
            })
            .collect()
    }

    async fn user(
        &self,
        ctx: &Context<'_>,
        id: Option<UserId>,
    ) -> async_graphql::Result<Option<User>> {
        match id {
            None => Ok(None),
            Some(id) => Ok(Some(self.users.get(app(ctx)?, id).await?)),
        }
    }

    fn snapshot(
        &self,
        text: Option<&str>,
        which: &str,
    ) -> async_graphql::Result<Option<Json<Value>>> {
        text.map(|t| {
            serde_json::from_str(t).map(Json).map_err(|e| {
                errors::internal(format!(
                    "audit entry {} has a malformed `{which}`: {e}",
                    self.row.id
                ))
            })
        })
        .transpose()
    }
}

#[Object]
impl AuditEntry {
    /// The entry's uuid.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }

    async fn at(&self) -> DateTime {
        DateTime(self.row.at)
    }

    /// How the actor was shown: their e-mail address, `system:…`, or "anonymous".
    async fn actor(&self) -> &str {
        &self.row.actor
    }

    /// The authenticated user; null for the system and for unauthenticated attempts.
    async fn actor_user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        self.user(ctx, self.row.actor_id).await
    }

    /// When the actor acted as someone's substitute: whom they stood in for.
    async fn on_behalf_of(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        self.user(ctx, self.row.on_behalf_of).await
    }

    /// A dotted verb, e.g. `procedure.transition`, `approval.approve`, `token.create`.
    async fn action(&self) -> &str {
        &self.row.action
    }

    /// `Procedure`, `Bureau`, `User`, `ApiToken`, `ApprovalRequest`, `Delegation`, …
    async fn target_type(&self) -> &str {
        &self.row.target_type
    }

    /// The target's uuid; null when the attempt named no single thing.
    async fn target_id(&self) -> Option<&str> {
        self.row.target_id.as_deref()
    }

    /// The target before the change; null for creations and refused attempts.
    async fn before(&self) -> async_graphql::Result<Option<Json<Value>>> {
        self.snapshot(self.row.before.as_deref(), "before")
    }

    /// The target after the change; null for refused attempts, except the summary of refused
    /// authentications from one address: `{"refusals": count, "since": time}`.
    async fn after(&self) -> async_graphql::Result<Option<Json<Value>>> {
        self.snapshot(self.row.after.as_deref(), "after")
    }

    async fn outcome(&self) -> AuditOutcome {
        self.row.outcome.into()
    }

    /// The HTTP request's id, to find it in the server's logs.
    async fn request_id(&self) -> Option<&str> {
        self.row.request_id.as_deref()
    }

    async fn client_address(&self) -> Option<&str> {
        self.row.client_addr.as_deref()
    }
}

/// Which audit entries to list; every given field narrows the result.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "AuditFilter")]
pub struct AuditFilterInput {
    /// Inclusive.
    pub since: Option<DateTime>,
    /// Exclusive.
    pub until: Option<DateTime>,
    /// A User id.
    pub actor_id: Option<ID>,
    /// An exact action (`procedure.transition`) or a prefix ending in "." (`procedure.`).
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub outcome: Option<AuditOutcome>,
}

impl AuditFilterInput {
    fn into_store(self) -> async_graphql::Result<rollout_store::AuditFilter> {
        let text = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(rollout_store::AuditFilter {
            since: self.since.map(|t| t.0),
            until: self.until.map(|t| t.0),
            actor_id: self
                .actor_id
                .map(|id| argument_id(&id, NodeType::User).map(UserId))
                .transpose()?,
            action: text(self.action),
            target_type: text(self.target_type),
            target_id: text(self.target_id),
            outcome: self.outcome.map(Into::into),
        })
    }
}

#[derive(Debug, Default)]
pub(crate) struct AuditQuery;

#[Object]
impl AuditQuery {
    /// One page of the audit trail (default 50, at most 500), oldest first. Admins and the
    /// project office only.
    #[instrument(skip_all)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditFilterInput>,
    ) -> async_graphql::Result<AuditEntryConnection> {
        let actor = actor(ctx)?;
        let first = page_size(first)?;
        let after = after
            .map(|raw| decode_time_cursor(&raw, TimeOrdering::Audit))
            .transpose()
            .map_err(|e| errors::validation(e.0))?
            .map(|(at, id)| AuditCursor {
                at,
                id: AuditEntryId(id),
            });
        let filter = filter.unwrap_or_default().into_store()?;
        let page = app(ctx)?
            .audit_log(&actor, &filter, page_request(ctx, first, after))
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(AuditEntryConnection::new(page))
    }
}

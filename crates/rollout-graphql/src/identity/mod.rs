//! People and their credentials as the API shows them: `User`, `ApiToken` and `Viewer` (the
//! authenticated user with what they may decide), plus their queries and mutations. Who may see
//! or change what is decided by the `App` use cases; this module only shapes the results. A
//! token's secret is never part of these types: it exists only in `createToken`'s payload.

mod mutation;
mod query;

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use rollout_domain::authz::{self, Action};
use rollout_domain::{UserId, identity as domain, token};

pub(crate) use mutation::IdentityMutation;
pub(crate) use query::IdentityQuery;

use crate::app;
use crate::bureau::Bureau;
use crate::enums::Role;
use crate::ids::{NodeType, global_id};
use crate::loaders::{BureauBatch, UserBatch};
use crate::scalars::DateTime;

/// A person (or automation account) who acts in rollout.
#[derive(Debug, Clone)]
pub struct User {
    row: domain::User,
    /// Shared by every user of the same page.
    bureaus: Arc<BureauBatch>,
}

impl User {
    pub(crate) fn single(row: domain::User) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one user has one user")
    }

    /// The users of one page, whose bureaus load together.
    pub(crate) fn page(rows: Vec<domain::User>) -> Vec<Self> {
        let bureaus = Arc::new(BureauBatch::new(rows.iter().filter_map(|u| u.bureau_id)));
        rows.into_iter()
            .map(|row| Self {
                row,
                bureaus: bureaus.clone(),
            })
            .collect()
    }

    pub(crate) fn key(&self) -> UserId {
        self.row.id
    }

    async fn load_bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Bureau>> {
        let Some(id) = self.row.bureau_id else {
            return Ok(None);
        };
        Ok(Some(Bureau(self.bureaus.get(app(ctx)?, id).await?)))
    }
}

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        global_id(NodeType::User, self.row.id.as_uuid())
    }

    async fn display_name(&self) -> &str {
        &self.row.display_name
    }

    /// The login name, lower-cased; also how the user appears in history (`actor`).
    async fn email(&self) -> &str {
        self.row.email.as_str()
    }

    async fn role(&self) -> Role {
        self.row.role.into()
    }

    /// The bureau of a BUREAU_COORDINATOR; null for every other role.
    async fn bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Bureau>> {
        self.load_bureau(ctx).await
    }

    /// A disabled user cannot authenticate; their history stays.
    async fn disabled(&self) -> bool {
        self.row.disabled
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }
}

/// An API token, without its secret. `prefix` (the secret's first characters) tells tokens
/// apart in a list.
#[derive(Debug, Clone)]
pub struct ApiToken {
    row: token::ApiToken,
    /// The owners of the tokens of the same page.
    users: Arc<UserBatch>,
}

impl ApiToken {
    pub(crate) fn page(rows: Vec<token::ApiToken>) -> Vec<Self> {
        let users = Arc::new(UserBatch::new(rows.iter().map(|t| t.user_id)));
        rows.into_iter()
            .map(|row| Self {
                row,
                users: users.clone(),
            })
            .collect()
    }

    pub(crate) fn single(row: token::ApiToken) -> Self {
        Self::page(vec![row])
            .pop()
            .expect("a page of one token has one token")
    }
}

#[Object]
impl ApiToken {
    pub async fn id(&self) -> ID {
        global_id(NodeType::ApiToken, self.row.id.as_uuid())
    }

    /// What the token is for, chosen by its owner.
    async fn name(&self) -> &str {
        &self.row.name
    }

    /// The first characters of the secret, to recognise it without revealing it.
    async fn prefix(&self) -> &str {
        &self.row.prefix
    }

    /// Whom the token acts as.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        self.users.get(app(ctx)?, self.row.user_id).await
    }

    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// Null for a token that does not expire.
    async fn expires_at(&self) -> Option<DateTime> {
        self.row.expires_at.map(DateTime)
    }

    /// Updated at most once a minute.
    async fn last_used_at(&self) -> Option<DateTime> {
        self.row.last_used_at.map(DateTime)
    }

    async fn revoked_at(&self) -> Option<DateTime> {
        self.row.revoked_at.map(DateTime)
    }
}

/// The authenticated user and what they may decide.
#[derive(Debug, Clone)]
pub struct Viewer {
    user: User,
}

#[Object]
impl Viewer {
    async fn user(&self) -> &User {
        &self.user
    }

    async fn role(&self) -> Role {
        self.user.row.role.into()
    }

    /// The bureau of a BUREAU_COORDINATOR; null for every other role.
    async fn bureau(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Bureau>> {
        self.user.load_bureau(ctx).await
    }

    /// The language the viewer reads reminders in (JA until they choose; `setMyLanguage`).
    async fn language(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<crate::reminders::Language> {
        let language = app(ctx)?
            .my_language(&crate::actor(ctx)?)
            .await
            .map_err(|e| crate::errors::graphql_error(&e))?;
        Ok(language.into())
    }

    /// The roles whose approval requests this user may decide. Standing in for someone as
    /// their substitute never adds a role: a substitute must be able to decide for it too.
    async fn can_approve_for(&self) -> Vec<Role> {
        domain::Role::ALL
            .iter()
            .copied()
            .filter(|r| authz::authorize(&self.user.row, Action::DecideApproval(*r)).is_ok())
            .map(Role::from)
            .collect()
    }
}

//! The identity queries: `viewer`, `users` (admins only) and `tokens` (one's own; admins see
//! everybody's). A refused read is a GraphQL error with code FORBIDDEN.

use async_graphql::{Context, Object};
use tracing::instrument;

use super::{ApiToken, User, Viewer};
use crate::{actor, app, errors};

#[derive(Debug, Default)]
pub(crate) struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The authenticated user.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let actor = actor(ctx)?;
        // The system acts only outside GraphQL (CLI, housekeeping); a request always has a person.
        let user = actor.user.ok_or_else(errors::unauthenticated)?;
        Ok(Viewer {
            user: User::single(user),
        })
    }

    /// Every user, ordered by e-mail address. Admins only.
    #[instrument(skip_all)]
    async fn users(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let users = app(ctx)?
            .list_users(&actor(ctx)?)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(User::page(users))
    }

    /// The viewer's API tokens, newest first; admins see everybody's. Secrets are never shown.
    #[instrument(skip_all)]
    async fn tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        let tokens = app(ctx)?
            .list_tokens(&actor(ctx)?)
            .await
            .map_err(|e| errors::graphql_error(&e))?;
        Ok(ApiToken::page(tokens))
    }
}

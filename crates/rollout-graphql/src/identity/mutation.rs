//! The identity mutations: `createUser` and `updateUser` (admins), `createToken` and
//! `revokeToken` (one's own; admins anyone's). Each calls one `App` use case; expected failures
//! come back as payload errors (see [`crate::errors`]).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use rollout_app::{CreateUser, IssuedToken, UpdateUser};
use rollout_domain::{TokenId, UserId};
use tracing::instrument;

use super::{ApiToken, User};
use crate::enums::Role;
use crate::errors::{UserError, payload_errors};
use crate::ids::NodeType;
use crate::inputs::{clearable, input_id, settable};
use crate::scalars::DateTime;
use crate::{actor, app};

#[derive(Debug, Clone, InputObject)]
pub struct CreateUserInput {
    pub display_name: String,
    /// The login name; stored lower-cased and unique.
    pub email: String,
    pub role: Role,
    /// Required for BUREAU_COORDINATOR, refused for every other role.
    pub bureau_code: Option<String>,
}

/// Absent fields are left alone. `bureauCode: null` removes the bureau; a user who stops being a
/// BUREAU_COORDINATOR loses theirs without saying so.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateUserInput {
    pub id: ID,
    pub display_name: MaybeUndefined<String>,
    pub role: MaybeUndefined<Role>,
    pub bureau_code: MaybeUndefined<String>,
    /// A disabled user cannot authenticate; nobody can disable themselves.
    pub disabled: MaybeUndefined<bool>,
}

impl UpdateUserInput {
    fn into_command(self) -> Result<(UserId, UpdateUser), Vec<UserError>> {
        let mut errors = Vec::new();
        let id = input_id(&self.id, NodeType::User, "id")
            .map_err(|e| errors.push(e))
            .ok();
        let update = UpdateUser {
            display_name: settable(self.display_name, "displayName", |v| v, &mut errors),
            role: settable(self.role, "role", Into::into, &mut errors),
            bureau_code: clearable(self.bureau_code, |v| v),
            disabled: settable(self.disabled, "disabled", |v| v, &mut errors),
        };
        match id {
            Some(id) if errors.is_empty() => Ok((UserId(id), update)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateTokenInput {
    /// What the token is for (1-100 characters).
    pub name: String,
    /// Null for a token that does not expire.
    pub expires_at: Option<DateTime>,
    /// Whose token it is; defaults to the viewer. Only admins issue tokens to others.
    pub user_id: Option<ID>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RevokeTokenInput {
    pub id: ID,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct UserPayload {
    pub user: Option<User>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct ApiTokenPayload {
    pub token: Option<ApiToken>,
    pub errors: Vec<UserError>,
}

/// The new token and its secret. `Debug` shows no secret: [`IssuedToken`] redacts it.
#[derive(Debug, Clone)]
pub struct CreateTokenPayload {
    issued: Option<IssuedToken>,
    errors: Vec<UserError>,
}

#[Object]
impl CreateTokenPayload {
    async fn token(&self) -> Option<ApiToken> {
        self.issued
            .as_ref()
            .map(|i| ApiToken::single(i.token.clone()))
    }

    /// The bearer secret. Shown here once and never again: only its hash is stored.
    async fn secret(&self) -> Option<&str> {
        self.issued.as_ref().map(|i| i.secret.expose())
    }

    async fn errors(&self) -> &[UserError] {
        &self.errors
    }
}

#[derive(Debug, Default)]
pub(crate) struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Adds a user. Admins only.
    #[instrument(skip_all)]
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> async_graphql::Result<UserPayload> {
        let actor = actor(ctx)?;
        let command = CreateUser {
            display_name: input.display_name,
            email: input.email,
            role: input.role.into(),
            bureau_code: input.bureau_code,
        };
        Ok(match app(ctx)?.create_user(&actor, command).await {
            Ok(u) => UserPayload {
                user: Some(User::single(u)),
                errors: Vec::new(),
            },
            Err(e) => UserPayload {
                user: None,
                errors: payload_errors(&e, "bureauCode")?,
            },
        })
    }

    /// Changes a user's name, role, bureau or whether they are disabled. Admins only.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserInput,
    ) -> async_graphql::Result<UserPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| UserPayload { user: None, errors };
        let (id, update) = match input.into_command() {
            Ok(command) => command,
            Err(errors) => return Ok(failed(errors)),
        };
        Ok(match app(ctx)?.update_user(&actor, id, update).await {
            Ok(u) => UserPayload {
                user: Some(User::single(u)),
                errors: Vec::new(),
            },
            Err(e) => failed(payload_errors(&e, "id")?),
        })
    }

    /// Issues an API token; its secret is in this payload and nowhere else, ever.
    #[instrument(skip_all)]
    async fn create_token(
        &self,
        ctx: &Context<'_>,
        input: CreateTokenInput,
    ) -> async_graphql::Result<CreateTokenPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| CreateTokenPayload {
            issued: None,
            errors,
        };
        let owner = match input
            .user_id
            .as_ref()
            .map(|id| input_id(id, NodeType::User, "userId"))
        {
            None => None,
            Some(Ok(id)) => Some(UserId(id)),
            Some(Err(error)) => return Ok(failed(vec![error])),
        };
        let result = app(ctx)?
            .create_token(&actor, owner, &input.name, input.expires_at.map(|t| t.0))
            .await;
        Ok(match result {
            Ok(issued) => CreateTokenPayload {
                issued: Some(issued),
                errors: Vec::new(),
            },
            Err(e) => failed(payload_errors(&e, "userId")?),
        })
    }

    /// Revokes a token at once. Owners revoke their own; admins anyone's.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        input: RevokeTokenInput,
    ) -> async_graphql::Result<ApiTokenPayload> {
        let actor = actor(ctx)?;
        let failed = |errors| ApiTokenPayload {
            token: None,
            errors,
        };
        let id = match input_id(&input.id, NodeType::ApiToken, "id") {
            Ok(id) => TokenId(id),
            Err(error) => return Ok(failed(vec![error])),
        };
        Ok(match app(ctx)?.revoke_token(&actor, id).await {
            Ok(t) => ApiTokenPayload {
                token: Some(ApiToken::single(t)),
                errors: Vec::new(),
            },
            Err(e) => failed(payload_errors(&e, "id")?),
        })
    }
}

//! Users and API tokens: managing them (admins), authenticating requests (the server hands the
//! bearer secret or a verified JWT identity here), and the first-start bootstrap that creates an
//! admin so the quick start needs no manual set-up.

use chrono::{DateTime, Utc};
use rollout_domain::authz::Action;
use rollout_domain::bounds;
use rollout_domain::identity::{Email, Role, User, validate_user};
use rollout_domain::text::TextKind;
use rollout_domain::token::ApiToken;
use rollout_domain::{BureauCode, TokenId, UserId};
use tracing::instrument;

use crate::audit::{Target, token_json, user_json};
use crate::cache::CacheChange;
use crate::procedures::field_errors;
use crate::text::clean;
use crate::{Actor, App, AppError, AppResult, FieldError, new_uuid};

/// Input of `create_user`.
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub bureau_code: Option<String>,
}

/// Changes to a user; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// `Some(None)` removes the bureau.
    pub bureau_code: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// A freshly created token and its secret, which exists only in this value.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: ApiToken,
    pub secret: rollout_auth::SecretString,
}

/// A JWT that the server has verified, reduced to what rollout needs.
pub use rollout_auth::JwtIdentity;

impl App {
    async fn bureau_for(&self, raw: Option<&str>) -> AppResult<Option<rollout_domain::BureauId>> {
        let Some(raw) = raw else { return Ok(None) };
        let code = BureauCode::parse(raw).map_err(|e| AppError::validation("bureauCode", e.0))?;
        match self.bureau_by_code(&code).await? {
            Some(b) => Ok(Some(b.id)),
            None => Err(AppError::validation(
                "bureauCode",
                format!("no bureau with code {code}"),
            )),
        }
    }

    #[instrument(name = "app.create_user", skip(self, actor, input), fields(actor = %actor.label))]
    pub async fn create_user(&self, actor: &Actor, input: CreateUser) -> AppResult<User> {
        self.require(
            actor,
            Action::ManageUsers,
            "user.create",
            &Target::kind("User"),
        )
        .await?;
        let display_name = clean("displayName", TextKind::Name, &input.display_name)?;
        let mut errors: Vec<FieldError> = Vec::new();
        let email = Email::parse(&input.email)
            .map_err(|e| {
                errors.push(FieldError {
                    path: vec!["email".into()],
                    message: e.0,
                })
            })
            .ok();
        let bureau = self.bureau_for(input.bureau_code.as_deref()).await?;
        errors.extend(field_errors(validate_user(
            &display_name,
            input.role,
            bureau,
        )));
        let (Some(email), true) = (email, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let user = User {
            id: UserId(new_uuid()),
            display_name: display_name.trim().to_owned(),
            email,
            role: input.role,
            bureau_id: bureau,
            disabled: false,
            created_at: self.now(),
        };
        let audit = self.audit_entry(
            actor,
            "user.create",
            &Target::new("User", user.id),
            None,
            Some(user_json(&user)),
        );
        self.store()
            .create_user(&user, &audit)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Duplicate { message, .. } => AppError::Duplicate {
                    path: vec!["email".into()],
                    message,
                },
                other => other,
            })
    }

    #[instrument(name = "app.update_user", skip(self, actor, input), fields(actor = %actor.label, user = %id))]
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        input: UpdateUser,
    ) -> AppResult<User> {
        let target = Target::new("User", id);
        self.require(actor, Action::ManageUsers, "user.update", &target)
            .await?;
        let current = self
            .store()
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "user",
                key: id.to_string(),
            })?;
        let mut next = current.clone();
        if let Some(name) = input.display_name {
            next.display_name = clean("displayName", TextKind::Name, &name)?
                .trim()
                .to_owned();
        }
        if let Some(role) = input.role {
            next.role = role;
        }
        if let Some(bureau) = input.bureau_code {
            next.bureau_id = self.bureau_for(bureau.as_deref()).await?;
        } else if next.role != Role::BureauCoordinator {
            next.bureau_id = None;
        }
        if let Some(disabled) = input.disabled {
            if disabled && actor.user_id() == Some(id) {
                return Err(AppError::validation(
                    "disabled",
                    "you cannot disable your own account",
                ));
            }
            next.disabled = disabled;
        }
        let errors = validate_user(&next.display_name, next.role, next.bureau_id);
        if !errors.is_empty() {
            return Err(AppError::Validation(field_errors(errors)));
        }
        // Nothing to change (a repeated `disable`, say) writes nothing, so the trail only
        // records real changes.
        if next == current {
            return Ok(current);
        }
        let audit = self.audit_entry(
            actor,
            "user.update",
            &target,
            Some(user_json(&current)),
            Some(user_json(&next)),
        );
        let updated = self.store().update_user(&next, &audit).await?;
        self.changed(CacheChange::User(id)).await;
        Ok(updated)
    }

    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<User>> {
        self.require(
            actor,
            Action::ManageUsers,
            "user.list",
            &Target::kind("User"),
        )
        .await?;
        Ok(self.store().list_users().await?)
    }

    /// Issues a token to `owner` (default: the actor). Admins may issue tokens to anyone (for
    /// automation accounts); everyone else only to themselves.
    #[instrument(name = "app.create_token", skip(self, actor, name), fields(actor = %actor.label))]
    pub async fn create_token(
        &self,
        actor: &Actor,
        owner: Option<UserId>,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> AppResult<IssuedToken> {
        let owner = match (owner, actor.user_id()) {
            (Some(o), me) if Some(o) != me => {
                self.require(
                    actor,
                    Action::ManageUsers,
                    "token.create",
                    &Target::kind("ApiToken"),
                )
                .await?;
                o
            }
            (_, Some(me)) => {
                self.require(
                    actor,
                    Action::ManageOwnTokens,
                    "token.create",
                    &Target::kind("ApiToken"),
                )
                .await?;
                me
            }
            (None, None) => return Err(AppError::validation("userId", "say whose token this is")),
            (Some(o), None) => o,
        };
        let user = self
            .store()
            .user(owner)
            .await?
            .ok_or_else(|| AppError::validation("userId", "no such user"))?;
        let name = clean("name", TextKind::TokenName, name)?;
        if name.trim().is_empty() {
            return Err(AppError::validation("name", "a token needs a name"));
        }
        let now = self.now();
        if let Some(Err(e)) = expires_at.map(bounds::check_instant) {
            return Err(AppError::validation("expiresAt", e.to_string()));
        }
        if expires_at.is_some_and(|t| t <= now) {
            return Err(AppError::validation(
                "expiresAt",
                "the expiry must be in the future",
            ));
        }
        let issued = rollout_auth::generate_secret();
        let token = ApiToken {
            id: TokenId(new_uuid()),
            user_id: user.id,
            name: name.trim().to_owned(),
            prefix: issued.prefix.clone(),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        let audit = self.audit_entry(
            actor,
            "token.create",
            &Target::new("ApiToken", token.id),
            None,
            Some(token_json(&token)),
        );
        let token = self
            .store()
            .create_token(&token, &issued.hash, &audit)
            .await?;
        Ok(IssuedToken {
            token,
            secret: issued.secret,
        })
    }

    /// The actor's own tokens; admins see everybody's.
    pub async fn list_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        let all = crate::reads::sees_everyones(actor);
        Ok(self
            .store()
            .list_tokens(if all { None } else { actor.user_id() })
            .await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> AppResult<ApiToken> {
        let target = Target::new("ApiToken", id);
        let token = self
            .store()
            .token(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "token",
                key: id.to_string(),
            })?;
        if actor.user.is_some() && actor.user_id() != Some(token.user_id) {
            self.require(actor, Action::ManageUsers, "token.revoke", &target)
                .await?;
        }
        // Revoking again changes nothing: the token keeps the time it was really revoked and
        // the trail gets no second entry.
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        let now = self.now();
        let mut after = token.clone();
        after.revoked_at = Some(now);
        let audit = self.audit_entry(
            actor,
            "token.revoke",
            &target,
            Some(token_json(&token)),
            Some(token_json(&after)),
        );
        let revoked = self.store().revoke_token(id, now, &audit).await?;
        self.changed(CacheChange::Token(id)).await;
        Ok(revoked)
    }

    /// The user behind a bearer secret. Any failure is `Unauthenticated` with a reason for the
    /// log; the client only learns that its credentials were not accepted. Refusals are not
    /// recorded here: the caller records them (the server aggregates them per client address,
    /// so that a flood of forged tokens cannot grow the audit trail without bound).
    ///
    /// A token verified within the last [`CACHE_TTL`](crate::cache::CACHE_TTL) is not read
    /// again (see `cache`), but its expiry is checked against the clock every time. The use is
    /// noted in memory and written later ([`App::flush_token_uses`]).
    pub async fn authenticate_token(&self, secret: &str) -> AppResult<User> {
        let hash = rollout_auth::hash_secret(secret);
        let now = self.now();
        if let Some((token, user)) = self.cached_token(&hash) {
            return match token.check(now) {
                Ok(()) => {
                    self.note_token_use(&hash, &token);
                    Ok(user)
                }
                Err(rejection) => {
                    self.forget_token(&hash);
                    Err(AppError::Unauthenticated {
                        message: rejection.to_string(),
                    })
                }
            };
        }
        let generation = self.token_generation();
        let reason = match self.store().token_by_hash(&hash).await? {
            None => "unknown token".to_owned(),
            Some((_, user)) if user.disabled => "the user is disabled".to_owned(),
            Some((token, user)) => match token.check(now) {
                Ok(()) => {
                    self.cache_token(hash.clone(), token.clone(), user.clone(), generation);
                    self.note_token_use(&hash, &token);
                    return Ok(user);
                }
                Err(rejection) => rejection.to_string(),
            },
        };
        Err(AppError::Unauthenticated { message: reason })
    }

    /// The user for a verified JWT, created or brought up to date from its claims (single
    /// sign-on: the identity provider is authoritative for role and bureau when it sends them).
    pub async fn authenticate_jwt(&self, identity: &JwtIdentity) -> AppResult<User> {
        let existing = self.store().user_by_email(&identity.email).await?;
        let bureau = self
            .bureau_for(identity.bureau_code.as_deref())
            .await
            .map_err(|_| AppError::Unauthenticated {
                message: format!(
                    "the token names an unknown bureau {:?}",
                    identity.bureau_code
                ),
            })?;
        let system = Actor::system("sso");
        let wanted_role = identity.role;
        match existing {
            Some(user) if user.disabled => Err(AppError::Unauthenticated {
                message: "the user is disabled".into(),
            }),
            Some(user) => {
                let mut next = user.clone();
                if let Some(role) = wanted_role {
                    next.role = role;
                    next.bureau_id = bureau;
                }
                if next == user {
                    return Ok(user);
                }
                let audit = self.audit_entry(
                    &system,
                    "user.sync",
                    &Target::new("User", user.id),
                    Some(user_json(&user)),
                    Some(user_json(&next)),
                );
                let synced = self.store().update_user(&next, &audit).await?;
                self.changed(CacheChange::User(user.id)).await;
                Ok(synced)
            }
            None => {
                let role = wanted_role.unwrap_or(Role::Viewer);
                let user = User {
                    id: UserId(new_uuid()),
                    // A name the identity provider sends that breaks the text rule is not
                    // a reason to refuse the sign-in: the e-mail address stands in for it.
                    display_name: identity
                        .display_name
                        .as_deref()
                        .and_then(|n| clean("displayName", TextKind::Name, n).ok())
                        .unwrap_or_else(|| identity.email.to_string()),
                    email: identity.email.clone(),
                    role,
                    bureau_id: bureau,
                    disabled: false,
                    created_at: self.now(),
                };
                if !validate_user(&user.display_name, user.role, user.bureau_id).is_empty() {
                    return Err(AppError::Unauthenticated {
                        message: "the token's role and bureau claims disagree".into(),
                    });
                }
                let audit = self.audit_entry(
                    &system,
                    "user.provision",
                    &Target::new("User", user.id),
                    None,
                    Some(user_json(&user)),
                );
                Ok(self.store().create_user(&user, &audit).await?)
            }
        }
    }

    /// On a database without users: creates an admin and a token for it, returning the secret
    /// to show once. `None` when users exist, also when another replica starting at the same
    /// time created the administrator first (its creation then fails here on the unique e-mail,
    /// and that replica shows the token).
    pub async fn bootstrap_admin(&self, email: &str) -> AppResult<Option<(User, IssuedToken)>> {
        if self.store().count_users().await? > 0 {
            return Ok(None);
        }
        let system = Actor::system("bootstrap");
        let created = self
            .create_user(
                &system,
                CreateUser {
                    display_name: "Administrator".into(),
                    email: email.into(),
                    role: Role::Admin,
                    bureau_code: None,
                },
            )
            .await;
        let admin = match created {
            Ok(admin) => admin,
            Err(e) => {
                let made_by_another = self.store().count_users().await.is_ok_and(|n| n > 0);
                if made_by_another {
                    return Ok(None);
                }
                return Err(e);
            }
        };
        let token = self
            .create_token(&system, Some(admin.id), "bootstrap", None)
            .await?;
        Ok(Some((admin, token)))
    }
}

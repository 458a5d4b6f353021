//! Who is calling: the server's [`RequestAuthenticator`]. A bearer secret that looks like a
//! rollout API token is checked against the token store; anything else is tried as a JWT from
//! the deployment's identity provider when single sign-on is configured. Every refusal is the
//! same 401 to the client (it learns only that its credentials were not accepted), and is
//! logged with its real reason and recorded in the audit trail as UNAUTHENTICATED through the
//! aggregating [`RefusalLog`] (a bounded number of rows per client address a minute). The same check
//! serves HTTP requests and WebSocket connections ([`BearerAuthenticator::authenticate_secret`]).

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::{HeaderMap, header};
use rollout_app::{Actor, App, AppError};
use rollout_auth::{JwtVerifier, looks_like_token};

use crate::http::{AuthData, AuthRejection, RequestAuthenticator, RequestMeta};
use crate::refusals::RefusalLog;

/// Authenticates with API tokens and, optionally, OIDC JWTs.
pub struct BearerAuthenticator {
    app: App,
    jwt: Option<JwtVerifier>,
    refusals: Arc<RefusalLog>,
}

impl std::fmt::Debug for BearerAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuthenticator")
            .field("single_sign_on", &self.jwt.is_some())
            .finish()
    }
}

impl BearerAuthenticator {
    /// `refusals` records what this refuses; the server flushes it every window.
    pub fn new(app: App, jwt: Option<JwtVerifier>, refusals: Arc<RefusalLog>) -> Self {
        Self { app, jwt, refusals }
    }

    async fn refuse(&self, meta: &rollout_app::RequestMeta, why: &str) -> AuthRejection {
        self.refusals.refused(meta, "Session", why).await;
        refused()
    }
}

fn app_meta(meta: &RequestMeta) -> rollout_app::RequestMeta {
    rollout_app::RequestMeta {
        request_id: meta.request_id.clone(),
        client_addr: meta.client_addr.map(|a| a.to_string()),
    }
}

/// The credential of an `Authorization: Bearer …` header, if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

impl BearerAuthenticator {
    /// Who `secret` (a bearer credential; `None` when none was sent) belongs to. The one check
    /// behind every transport: the `Authorization` header of HTTP requests, and the
    /// `connection_init` payload of WebSocket connections, which `http::ws` hands over as that
    /// same header.
    pub async fn authenticate_secret(
        &self,
        secret: Option<&str>,
        meta: rollout_app::RequestMeta,
    ) -> Result<Actor, AuthRejection> {
        let Some(secret) = secret else {
            return Err(self.refuse(&meta, "no bearer credentials").await);
        };
        let user = if looks_like_token(secret) {
            match self.app.authenticate_token(secret).await {
                Ok(user) => user,
                Err(AppError::Unauthenticated { message }) => {
                    self.refusals.refused(&meta, "ApiToken", &message).await;
                    return Err(refused());
                }
                Err(e) => return Err(unavailable(e)),
            }
        } else if let Some(verifier) = &self.jwt {
            let identity = match verifier.verify(secret, self.app.now()).await {
                Ok(identity) => identity,
                Err(e) => return Err(self.refuse(&meta, &format!("JWT {}: {e}", e.code())).await),
            };
            match self.app.authenticate_jwt(&identity).await {
                Ok(user) => user,
                Err(AppError::Unauthenticated { message }) => {
                    return Err(self.refuse(&meta, &message).await);
                }
                Err(e) => return Err(unavailable(e)),
            }
        } else {
            return Err(self
                .refuse(
                    &meta,
                    "not a rollout token, and single sign-on is not configured",
                )
                .await);
        };
        Ok(Actor::user(user, meta))
    }
}

#[async_trait]
impl RequestAuthenticator for BearerAuthenticator {
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        meta: &RequestMeta,
    ) -> Result<AuthData, AuthRejection> {
        let actor = self
            .authenticate_secret(bearer(headers), app_meta(meta))
            .await?;
        Ok(AuthData::new().with(actor))
    }
}

/// The dashboard's token sign-in: a pasted token is checked as an `Authorization: Bearer` header
/// would be, by the API's authenticator behind its own failed-authentication budget (a
/// [`crate::http::Guarded`] of the same limits as `/graphql`'s), so refusals are logged and
/// audited the same way and guessing is throttled per address.
pub struct HeaderCheck(pub Arc<dyn RequestAuthenticator>);

impl std::fmt::Debug for HeaderCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeaderCheck")
    }
}

#[async_trait]
impl rollout_web::SecretCheck for HeaderCheck {
    async fn actor_for(
        &self,
        secret: &str,
        meta: rollout_app::RequestMeta,
    ) -> Result<Actor, rollout_web::signin::Refused> {
        use rollout_web::signin::Refused;
        let mut headers = HeaderMap::new();
        let value = format!("Bearer {secret}")
            .parse()
            .map_err(|_| Refused::Invalid)?;
        headers.insert(header::AUTHORIZATION, value);
        let meta = RequestMeta {
            request_id: meta.request_id,
            client_addr: meta.client_addr.and_then(|a| a.parse().ok()),
        };
        match self.0.authenticate(&headers, &meta).await {
            Ok(data) => data.get::<Actor>().cloned().ok_or(Refused::Invalid),
            Err(r) if r.status == axum::http::StatusCode::SERVICE_UNAVAILABLE => {
                Err(Refused::Unavailable)
            }
            Err(r) if r.status == axum::http::StatusCode::TOO_MANY_REQUESTS => {
                Err(Refused::RateLimited)
            }
            Err(_) => Err(Refused::Invalid),
        }
    }
}

/// What every refused client is told, whatever the reason.
fn refused() -> AuthRejection {
    AuthRejection::unauthenticated("send valid credentials: Authorization: Bearer <token>")
}

/// The store failed while checking credentials: a server-side problem, not the client's.
fn unavailable(e: AppError) -> AuthRejection {
    tracing::error!(error = %crate::error::report(&e), "could not check credentials");
    AuthRejection {
        status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
        code: "UNAVAILABLE",
        message: "credentials could not be checked right now; try again".into(),
        retry_after: None,
    }
}

//! Who is looking at a page: the [`Viewer`] extractor reads the session cookie, asks the app for
//! the session's actor (unknown, expired or revoked sessions and disabled users have none) and
//! the user's language. Without a live session a page answers with a redirect to the sign-in
//! page that comes back to where the visitor was; a form post answers 401 (nothing runs).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rollout_app::{Actor, RequestMeta};
use rollout_domain::web_session::WebSession;

use crate::Web;
use crate::cookies;
use crate::i18n::{self, Lang};

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub session: WebSession,
    /// The cookie's secret (to close this session on sign-out).
    pub secret: String,
    pub lang: Lang,
    /// The page's path and query, for forms that come back to it.
    pub path: String,
}

/// Someone who may not be signed in (the sign-in page, the language switch).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub viewer: Option<Viewer>,
    pub lang: Lang,
    pub meta: RequestMeta,
}

/// The request id and the peer address, for the audit trail.
pub fn meta(parts: &Parts) -> RequestMeta {
    RequestMeta {
        request_id: parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        client_addr: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.to_string()),
    }
}

fn visitor_lang(parts: &Parts) -> Lang {
    i18n::negotiate(cookies::get(&parts.headers, cookies::LANGUAGE))
}

/// The live session of the request, if any; `Err` when the database could not be asked.
async fn lookup(parts: &Parts, web: &Web) -> Result<Option<Viewer>, Response> {
    let Some(secret) = cookies::get(&parts.headers, cookies::SESSION) else {
        return Ok(None);
    };
    let found = web
        .app
        .web_session_actor(secret, meta(parts))
        .await
        .map_err(|e| unavailable(&e))?;
    let Some((actor, session)) = found else {
        return Ok(None);
    };
    let stored = match actor.user_id() {
        Some(user) => web
            .app
            .language_of(user)
            .await
            .map_err(|e| unavailable(&e))?,
        None => None,
    };
    Ok(Some(Viewer {
        lang: stored.unwrap_or_else(|| visitor_lang(parts)),
        actor,
        session,
        secret: secret.to_owned(),
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned()),
    }))
}

fn unavailable(e: &rollout_app::AppError) -> Response {
    tracing::error!(error = %e, "could not read the web session");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        "the database is not answering; try again in a moment",
    )
        .into_response()
}

impl FromRequestParts<Web> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        match lookup(parts, web).await? {
            Some(viewer) => Ok(viewer),
            None if parts.method == Method::GET || parts.method == Method::HEAD => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!(
                    "{}?next={}",
                    crate::SIGN_IN_PATH,
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                Err(Redirect::to(&target).into_response())
            }
            None => Err((StatusCode::UNAUTHORIZED, "sign in first").into_response()),
        }
    }
}

impl FromRequestParts<Web> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let viewer = lookup(parts, web).await?;
        Ok(Self {
            lang: viewer
                .as_ref()
                .map(|v| v.lang)
                .unwrap_or_else(|| visitor_lang(parts)),
            viewer,
            meta: meta(parts),
        })
    }
}

/// Where to go after signing in: only a path of this site (never another origin).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_returns_only_to_this_site() {
        assert_eq!(
            safe_next(Some("/procedures?state=built")),
            "/procedures?state=built"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}

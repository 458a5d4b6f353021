//! Signing in with an API token (pasted once, exchanged for a session cookie), signing out, and
//! the language switch. The token is checked by the same authenticator as the API's bearer
//! header ([`SecretCheck`]), so a refusal is logged and audited exactly as one at `/graphql`.
//! The forms of signed-out pages carry a double-submit token (cookie `rollout_pre`); signed-in
//! forms carry the session's token. Sessions are opened and closed by the app, which audits
//! both (`session.open`, `session.close`).

use async_trait::async_trait;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rollout_app::{Actor, RequestMeta};
use rollout_domain::identity::Role;
use serde::Deserialize;
use serde_json::json;

use crate::i18n::Lang;
use crate::session::{Viewer, Visitor, safe_next};
use crate::{Web, cookies, csrf, page};

/// Why a pasted token did not sign anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Unknown, expired, revoked, a disabled user: the visitor is told only that it failed.
    Invalid,
    /// The credential store could not be asked.
    Unavailable,
    /// Too many refused attempts from this address (or everyone) lately: try again later.
    RateLimited,
}

impl Refused {
    /// The words (catalog key) and the status the sign-in page answers this refusal with.
    fn shown(self) -> (&'static str, StatusCode) {
        match self {
            Self::Invalid => ("signin.refused", StatusCode::UNAUTHORIZED),
            Self::RateLimited => ("signin.rate_limited", StatusCode::TOO_MANY_REQUESTS),
            Self::Unavailable => ("signin.unavailable", StatusCode::SERVICE_UNAVAILABLE),
        }
    }
}

/// Turns a bearer secret into an actor, as the API's authenticator does.
#[async_trait]
pub trait SecretCheck: Send + Sync {
    async fn actor_for(&self, secret: &str, meta: RequestMeta) -> Result<Actor, Refused>;
}

pub fn routes() -> Router<Web> {
    Router::new()
        .route(crate::SIGN_IN_PATH, get(show).post(sign_in))
        .route("/signout", post(sign_out))
        .route("/language", post(switch_language))
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

/// The pre-session token of this visitor, and the `Set-Cookie` that gives them one if new.
fn pre_session(headers: &HeaderMap, secure: bool) -> (String, Option<header::HeaderValue>) {
    match cookies::get(headers, cookies::PRE_SESSION) {
        Some(token) => (token.to_owned(), None),
        None => {
            let token = csrf::new_token();
            let cookie = cookies::set(cookies::PRE_SESSION, &token, None, secure);
            (token, Some(cookie))
        }
    }
}

fn sign_in_page(
    web: &Web,
    lang: Lang,
    headers: &HeaderMap,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let (token, cookie) = pre_session(headers, web.settings.secure_cookies);
    let mut context = page::signed_out(lang);
    context.insert("pre".into(), json!(token));
    context.insert("next".into(), json!(next));
    context.insert("error".into(), json!(error));
    context.insert("sso".into(), json!(web.oidc.is_some()));
    let back: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    context.insert(
        "path".into(),
        json!(format!("{}?next={back}", crate::SIGN_IN_PATH)),
    );
    let body = web.templates.render(
        "signin.html",
        minijinja::Value::from(minijinja::value::Serde(&context)),
    );
    let mut response = (status, body).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

async fn show(
    State(web): State<Web>,
    visitor: Visitor,
    headers: HeaderMap,
    Query(next): Query<Next>,
) -> Response {
    let next = safe_next(next.next.as_deref());
    if visitor.viewer.is_some() {
        return Redirect::to(&next).into_response();
    }
    sign_in_page(&web, visitor.lang, &headers, &next, None, StatusCode::OK)
}

#[derive(Deserialize)]
struct SignInForm {
    token: Option<String>,
    pre: Option<String>,
    next: Option<String>,
}

async fn sign_in(
    State(web): State<Web>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let lang = visitor.lang;
    let expected = cookies::get(&headers, cookies::PRE_SESSION).unwrap_or_default();
    if !csrf::matches(form.pre.as_deref(), expected) {
        return forbidden_form();
    }
    let secret = form.token.as_deref().map(str::trim).unwrap_or_default();
    let words = web.templates.catalog();
    if secret.is_empty() {
        let message = words.get(lang, "signin.token_missing");
        return sign_in_page(
            &web,
            lang,
            &headers,
            &next,
            Some(message),
            StatusCode::BAD_REQUEST,
        );
    }
    let actor = match web.check.actor_for(secret, visitor.meta.clone()).await {
        Ok(actor) => actor,
        Err(refused) => {
            let (key, status) = refused.shown();
            let message = words.get(lang, key);
            return sign_in_page(&web, lang, &headers, &next, Some(message), status);
        }
    };
    open_session(&web, &actor, &next, lang, &headers).await
}

/// Opens a session for `actor` and sends them to `next` with the session cookie; shared by the
/// token and the OIDC sign-in.
pub(crate) async fn open_session(
    web: &Web,
    actor: &Actor,
    next: &str,
    lang: Lang,
    headers: &HeaderMap,
) -> Response {
    let words = web.templates.catalog();
    if actor
        .user
        .as_ref()
        .is_some_and(|u| u.role == Role::ReviewIntake)
    {
        let message = words.get(lang, "signin.not_for_service");
        return sign_in_page(
            web,
            lang,
            headers,
            next,
            Some(message),
            StatusCode::FORBIDDEN,
        );
    }
    let ttl =
        chrono::Duration::from_std(web.settings.session_ttl).unwrap_or(chrono::Duration::hours(8));
    match web.app.open_web_session(actor, ttl).await {
        Ok(opened) => {
            let cookie = cookies::set(
                cookies::SESSION,
                opened.secret.expose(),
                Some(web.settings.session_ttl.as_secs()),
                web.settings.secure_cookies,
            );
            let mut response = Redirect::to(next).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::clear(cookies::PRE_SESSION, web.settings.secure_cookies),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "could not open a web session");
            let message = words.get(lang, "signin.unavailable");
            sign_in_page(
                web,
                lang,
                headers,
                next,
                Some(message),
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    }
}

/// The refusal of a form without its token (or with another).
pub(crate) fn forbidden_form() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form's security token is missing or out of date: reload the page and try again",
    )
        .into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn sign_out(State(web): State<Web>, viewer: Viewer, Form(form): Form<CsrfForm>) -> Response {
    if !csrf::matches(form.csrf.as_deref(), &viewer.session.csrf_token) {
        return forbidden_form();
    }
    if let Err(e) = web
        .app
        .close_web_session(&viewer.actor, &viewer.secret)
        .await
    {
        tracing::error!(error = %e, "could not close a web session");
        return (StatusCode::SERVICE_UNAVAILABLE, "try again in a moment").into_response();
    }
    let mut response = Redirect::to(crate::SIGN_IN_PATH).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::clear(cookies::SESSION, web.settings.secure_cookies),
    );
    response
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    csrf: Option<String>,
    pre: Option<String>,
    next: Option<String>,
}

async fn switch_language(
    State(web): State<Web>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(lang) = Lang::parse(&form.lang) else {
        return (StatusCode::BAD_REQUEST, "lang must be ja or en").into_response();
    };
    match &visitor.viewer {
        Some(viewer) => {
            if !csrf::matches(form.csrf.as_deref(), &viewer.session.csrf_token) {
                return forbidden_form();
            }
            if let Err(e) = web.app.set_my_language(&viewer.actor, lang).await {
                tracing::error!(error = %e, "could not store a language preference");
                return (StatusCode::SERVICE_UNAVAILABLE, "try again in a moment").into_response();
            }
        }
        None => {
            let expected = cookies::get(&headers, cookies::PRE_SESSION).unwrap_or_default();
            if !csrf::matches(form.pre.as_deref(), expected) {
                return forbidden_form();
            }
        }
    }
    let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            cookies::LANGUAGE,
            lang.as_str(),
            Some(365 * 86_400),
            web.settings.secure_cookies,
        ),
    );
    response
}

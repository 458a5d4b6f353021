//! rollout's web dashboard: server-rendered pages for the project office and the bureau
//! coordinators, served by `rollout serve` itself from templates and assets embedded in the
//! binary (closed networks such as LGWAN reach no CDN).
//!
//! Every page is a client of the public GraphQL contract executed *in-process*: a handler runs
//! one GraphQL operation with the session's [`Actor`](rollout_app::Actor) in the request data
//! (see [`gql`]) and renders the JSON result with a template. The pages' permissions,
//! visibility rules and error codes are therefore the API's by construction: there is no
//! second permission model and no second read path. Forms post to handlers that run the API's
//! mutations the same way.
//!
//! What this crate owns itself: sessions (cookies, CSRF, sign-in with a token or OIDC, sign-out;
//! the rows are the app's, see `rollout_app::App::open_web_session`), the language of each page,
//! Japanese formatting of dates and quarters, server-rendered SVG charts, and the security
//! headers (a Content-Security-Policy with no external origin).
#![forbid(unsafe_code)]

mod assets;
mod cookies;
mod csrf;
mod format;
pub mod gql;
mod headers;
mod i18n;
pub mod oidc;
mod page;
mod pages;
mod query;
mod render;
mod session;
pub mod signin;
mod svg;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use rollout_app::App;

pub use gql::Executor;
pub use oidc::OidcClient;
pub use signin::SecretCheck;

/// Paths the dashboard serves (for the server's own routes to stay clear of).
pub const SIGN_IN_PATH: &str = "/signin";

/// What a deployment sets for the dashboard (`[web]` in the configuration file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSettings {
    /// How long a session lasts after sign-in (it is not extended by use).
    pub session_ttl: Duration,
    /// Whether the cookies carry `Secure` (the server is reached over TLS, directly or through
    /// a proxy that terminates it).
    pub secure_cookies: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::from_secs(8 * 3600),
            secure_cookies: false,
        }
    }
}

/// Everything a page handler needs; cheap to clone.
#[derive(Clone)]
pub struct Web {
    pub(crate) app: App,
    pub(crate) execute: Executor,
    pub(crate) check: Arc<dyn SecretCheck>,
    pub(crate) oidc: Option<Arc<OidcClient>>,
    pub(crate) settings: WebSettings,
    pub(crate) templates: Arc<render::Templates>,
    pub(crate) shared: Arc<pages::SharedPages>,
}

impl std::fmt::Debug for Web {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Web")
            .field("settings", &self.settings)
            .field("oidc", &self.oidc.is_some())
            .finish()
    }
}

impl Web {
    /// `execute` runs GraphQL requests against the server's schema; `check` turns a pasted API
    /// token into an actor exactly as the API's authenticator does (refusals logged and
    /// audited there); `oidc` enables single sign-on.
    pub fn new(
        app: App,
        execute: Executor,
        check: Arc<dyn SecretCheck>,
        oidc: Option<Arc<OidcClient>>,
        settings: WebSettings,
    ) -> Self {
        Self {
            app,
            execute,
            check,
            oidc,
            settings,
            templates: Arc::new(render::Templates::load()),
            shared: Arc::default(),
        }
    }

    /// The dashboard's routes: pages, forms, downloads, sign-in and the embedded assets, with
    /// the security headers on every response.
    pub fn router(self) -> Router {
        pages::routes()
            .merge(signin::routes())
            .merge(oidc::routes())
            .with_state(self)
            .merge(assets::routes())
            .layer(axum::middleware::from_fn(headers::security_headers))
    }
}

//! Starting and stopping the HTTP server: [`spawn`] connects and migrates the database, loads
//! and checks the workflow, optionally loads demo data, binds the listener, on PostgreSQL starts
//! relaying procedure events ([`crate::events`]) and cache changes ([`crate::cache_sync`])
//! between replicas, and serves in a task ([`crate::http::serve`]); token uses are written every
//! few seconds. [`RunningServer::shutdown`] stops accepting, lets requests in flight finish,
//! writes the last refusal summaries ([`crate::refusals`]) and token uses, stops the listeners
//! and closes the pool. `rollout serve` and the end-to-end tests use the same path.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rollout_app::demo::{DemoError, DemoOptions};
use rollout_app::{App, AppSettings, SystemClock};
use rollout_auth::{JwtVerifier, OidcConfig};
use rollout_domain::identity::Role;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::authenticate::BearerAuthenticator;
use crate::backend::Database;
use crate::commands::workflow::load_procedure_workflow;
use crate::database_url::DatabaseUrl;
use crate::error::CliError;
use crate::http::{HttpSettings, HttpState, ShutdownTiming, Stopping, router_with};
use crate::refusals::{self, RefusalLog};

/// What the server needs to start. `Debug` redacts the database URL's password.
#[derive(Clone)]
pub struct ServerConfig {
    /// Port 0 picks a free port; [`RunningServer::addr`] tells which.
    pub listen: SocketAddr,
    pub database_url: String,
    /// A workflow file replacing the embedded default.
    pub workflow_file: Option<PathBuf>,
    /// Load the demo data (and demo users with tokens) when the database is empty.
    pub demo: bool,
    /// With `demo`: load the programme's replayed history (`deploy/demo/history/`) instead of
    /// the generated demo data.
    pub demo_replay: bool,
    /// Limits, CORS, rate limiting and introspection of the GraphQL endpoint.
    pub http: HttpSettings,
    /// Accept JWTs from this identity provider as well as API tokens.
    pub oidc: Option<OidcConfig>,
    pub app: AppSettings,
    /// The administrator created on first start, when the database has no users.
    pub admin_email: String,
    /// Apply pending migrations on start; when false, only check that the schema is current.
    pub migrate: bool,
    /// The clock of the use cases; `None` is the system clock. Tests fix it (a day that ends
    /// at midnight in Tokyo), never production.
    pub clock: Option<Arc<dyn rollout_app::Clock>>,
    /// The scheduler (`[scheduler]`) and e-mail (`[email]`).
    pub reminders: crate::reminder_config::ReminderConfig,
    /// Programme targets and the forecast's window (`[analytics]`).
    pub analytics: rollout_app::analytics::AnalyticsSettings,
    /// A quality thresholds file replacing the embedded default (`[quality] thresholds`).
    pub quality_thresholds: Option<PathBuf>,
    /// The dashboard's sessions and single sign-on (`[web]`).
    pub web: crate::web_config::WebConfig,
    /// `GET /metrics` on its own listener (`[metrics] listen`), once the recorder is installed
    /// ([`crate::metrics::install`], which only `rollout serve` calls); `None`: no metrics.
    pub metrics: Option<crate::metrics::Exporter>,
}

impl ServerConfig {
    /// A configuration with every other setting at its default.
    pub fn new(listen: SocketAddr, database_url: impl Into<String>) -> Self {
        Self {
            listen,
            database_url: database_url.into(),
            workflow_file: None,
            demo: false,
            demo_replay: false,
            http: HttpSettings::default(),
            oidc: None,
            app: AppSettings::default(),
            admin_email: crate::config::DEFAULT_ADMIN_EMAIL.to_owned(),
            migrate: true,
            clock: None,
            reminders: crate::reminder_config::ReminderConfig::default(),
            analytics: rollout_app::analytics::AnalyticsSettings::default(),
            quality_thresholds: None,
            web: crate::web_config::WebConfig::default(),
            metrics: None,
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("database_url", &DatabaseUrl::new(self.database_url.clone()))
            .field("workflow_file", &self.workflow_file)
            .field("demo", &self.demo)
            .field("demo_replay", &self.demo_replay)
            .field("http", &self.http)
            .field("oidc", &self.oidc.as_ref().map(|o| o.issuer.as_str()))
            .field("app", &self.app)
            .field("admin_email", &self.admin_email)
            .field("migrate", &self.migrate)
            .field("clock", &self.clock)
            .field("quality_thresholds", &self.quality_thresholds)
            .field("metrics", &self.metrics)
            .finish()
    }
}

/// A login made for the demo: who, as which role, and their token's secret.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub role: Role,
    pub token: String,
}

impl From<rollout_app::demo::DemoIdentity> for DemoLogin {
    fn from(p: rollout_app::demo::DemoIdentity) -> Self {
        Self {
            email: p.user.email.to_string(),
            role: p.user.role,
            token: p.token.secret.expose().to_owned(),
        }
    }
}

/// A server serving in a background task.
#[derive(Debug)]
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where `GET /metrics` is served, when metrics are on.
    pub metrics_addr: Option<SocketAddr>,
    admin_token: Option<String>,
    demo_logins: Vec<DemoLogin>,
    /// Dropping it (with the server) also starts a graceful shutdown.
    shutdown: watch::Sender<bool>,
    stopping: Stopping,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The secret of the administrator's token, when this start created the first admin.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// The demo users' tokens, when this start loaded the demo data.
    pub fn demo_identities(&self) -> &[DemoLogin] {
        &self.demo_logins
    }

    /// What `rollout serve` does on SIGTERM: `/readyz` answers 503 at once, requests are still
    /// served for `timing.delay`, then [`Self::shutdown`] runs; all within `timing.grace`. When
    /// the grace runs out first, the error says so and whatever was left is cut short by the
    /// process's exit.
    pub async fn stop(self, timing: ShutdownTiming) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timing.grace;
        self.stopping.begin();
        tracing::info!(
            delay_secs = timing.delay.as_secs(),
            grace_secs = timing.grace.as_secs(),
            "stopping: /readyz answers 503 from now on"
        );
        tokio::time::sleep(timing.delay).await;
        match tokio::time::timeout_at(deadline, self.shutdown()).await {
            Ok(stopped) => stopped,
            Err(_) => Err(CliError::user(format!(
                "the server did not stop within its shutdown grace of {} s \
                 (http.shutdown_grace_secs): work still in flight was cut short",
                timing.grace.as_secs()
            ))
            .into()),
        }
    }

    /// Stops accepting connections, waits for requests in flight and background work, and
    /// closes the database.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        // The task may have ended already (and dropped the receiver); its result says how.
        let _ = self.shutdown.send(true);
        self.task.await??;
        Ok(())
    }
}

/// Starts the server. Errors are [`CliError`]s inside the `anyhow::Error`, so callers can
/// downcast to choose an exit code.
pub async fn spawn(config: ServerConfig) -> anyhow::Result<RunningServer> {
    Ok(start(config).await?)
}

/// How often pending approval requests past their deadline are closed. Listing closes them
/// too; this keeps the stored status honest for reports that read the database directly.
const EXPIRY_SWEEP: Duration = Duration::from_secs(60);

/// How often token uses noted in memory are written: `last_used_at` is precise to a minute
/// plus this.
const TOKEN_USE_FLUSH: Duration = Duration::from_secs(5);

async fn start(config: ServerConfig) -> Result<RunningServer, CliError> {
    let url = DatabaseUrl::new(config.database_url);
    let workflow = load_procedure_workflow(config.workflow_file.as_deref())?;
    let thresholds = crate::quality_config::load_thresholds(config.quality_thresholds.as_deref())
        .map_err(CliError::user)?;
    let web_oidc = match (&config.oidc, &config.web.oidc) {
        (Some(provider), Some(client)) => {
            // ID tokens name the dashboard's client as their audience.
            let mut for_web = provider.clone();
            for_web.audience = client.client_id.clone();
            let verifier = JwtVerifier::new(for_web).await.map_err(|e| {
                CliError::user(format!(
                    "the dashboard's single sign-on is misconfigured: {e}"
                ))
            })?;
            Some(Arc::new(rollout_web::OidcClient {
                client_id: client.client_id.clone(),
                client_secret: client.client_secret.clone(),
                authorization_endpoint: client.authorization_endpoint.clone(),
                token_endpoint: client.token_endpoint.clone(),
                redirect_url: client.redirect_url.clone(),
                scopes: client
                    .scopes
                    .clone()
                    .unwrap_or_else(|| "openid email profile".to_owned()),
                verifier: Arc::new(verifier),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .map_err(|e| CliError::user(format!("cannot build an HTTP client: {e}")))?,
            }))
        }
        _ => None,
    };
    let jwt = match config.oidc {
        None => None,
        Some(oidc) => Some(
            JwtVerifier::new(oidc)
                .await
                .map_err(|e| CliError::user(format!("single sign-on is misconfigured: {e}")))?,
        ),
    };
    let channels = config.reminders.channels().map_err(CliError::user)?;
    let db = Database::open(&url, config.migrate).await?;
    let clock = config.clock.unwrap_or_else(|| Arc::new(SystemClock));
    let settings = rollout_app::AppSettings {
        email_enabled: config.reminders.email_enabled(),
        ..config.app
    };
    let app = App::new(db.store.clone(), workflow, clock)
        .with_settings(settings)
        .with_analytics(config.analytics.clone())
        .with_quality_thresholds(thresholds);
    let demo = config.demo.then_some(config.demo_replay);
    let prepared = match prepare(&app, demo, &config.admin_email).await {
        Ok(p) => p,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let listener = match TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            db.close().await;
            return Err(CliError::user(format!(
                "cannot listen on {}: {e}",
                config.listen
            )));
        }
    };
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::user(format!("cannot read the bound address: {e}")))?;
    let metrics = match &config.metrics {
        None => None,
        Some(exporter) => match exporter.bind().await {
            Ok(bound) => Some(bound),
            Err(e) => {
                db.close().await;
                return Err(e);
            }
        },
    };
    let metrics_addr = metrics.as_ref().map(|m| m.addr);
    let wal = crate::metrics::wal_file(&url);
    // Only now: preparing publishes nothing, and every clone of the app made from here on
    // publishes through the relay.
    let (app, relay) = match db.postgres() {
        None => (app, None),
        Some(store) => match crate::events::relay(store, app).await {
            Ok((app, relay)) => (app, Some(relay)),
            Err(e) => {
                db.close().await;
                return Err(CliError::store(
                    format!("cannot listen for events on {url}"),
                    e,
                ));
            }
        },
    };
    let (app, cache_listener) = match db.postgres() {
        None => (app, None),
        Some(store) => match crate::cache_sync::listen(store, app).await {
            Ok((app, listener)) => (app, Some(listener)),
            Err(e) => {
                if let Some(relay) = relay {
                    relay.stop().await;
                }
                db.close().await;
                return Err(CliError::store(
                    format!("cannot listen for cache changes on {url}"),
                    e,
                ));
            }
        },
    };
    let refusals = Arc::new(RefusalLog::new(app.clone()));
    let last_flush = app.clone();
    let authenticator = Arc::new(BearerAuthenticator::new(app.clone(), jwt, refusals.clone()));
    let schema = rollout_graphql::build_schema(app.clone());
    let execute: rollout_web::Executor = {
        let schema = schema.clone();
        Arc::new(move |request| {
            let schema = schema.clone();
            Box::pin(async move { schema.execute(request).await })
        })
    };
    let check: Arc<dyn crate::http::RequestAuthenticator> = match config.http.auth_failures {
        Some(limit) => Arc::new(crate::http::Guarded::new(authenticator.clone(), limit)),
        None => authenticator.clone(),
    };
    let web = rollout_web::Web::new(
        app.clone(),
        execute,
        Arc::new(crate::authenticate::HeaderCheck(check)),
        web_oidc,
        config.web.settings.clone(),
    );
    let stopping = Stopping::default();
    let routes = router_with(
        HttpState {
            schema,
            store: db.store.clone(),
            app: app.clone(),
            web: web.router(),
            stopping: stopping.clone(),
        },
        &config.http,
        authenticator,
    );
    let (shutdown, stop) = watch::channel(false);
    let metrics = metrics.map(|m| m.spawn(&app, db.clone(), wal, stop.clone()));
    let scheduler = rollout_scheduler::spawn(
        app.clone(),
        config.reminders.scheduler(),
        channels,
        stop.clone(),
    );
    let sweeper = tokio::spawn(every(
        Duration::ZERO,
        EXPIRY_SWEEP,
        stop.clone(),
        move || {
            let app = app.clone();
            async move { expire_due_approvals(&app).await }
        },
    ));
    // A window is a whole period from the start: a flush at once would cut the first one short.
    let summaries = tokio::spawn(every(refusals::WINDOW, refusals::WINDOW, stop.clone(), {
        let refusals = refusals.clone();
        move || {
            let refusals = refusals.clone();
            async move { refusals.flush().await }
        }
    }));
    let token_uses = tokio::spawn(every(TOKEN_USE_FLUSH, TOKEN_USE_FLUSH, stop.clone(), {
        let app = last_flush.clone();
        move || {
            let app = app.clone();
            async move {
                app.flush_token_uses().await;
            }
        }
    }));
    let task = tokio::spawn(async move {
        let mut stop = stop;
        let served = crate::http::serve(listener, routes, config.http.connections, async move {
            // A dropped sender means the handle is gone: shut down as well.
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await;
        for (task, what) in [
            (sweeper, "the expiry sweep"),
            (summaries, "the refusal summaries"),
            (token_uses, "the token use flush"),
            (scheduler, "the reminder scheduler"),
        ] {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "{what} ended abnormally");
            }
        }
        if let Some(Err(e)) = futures::future::OptionFuture::from(metrics).await {
            tracing::error!(error = %e, "the metrics listener ended abnormally");
        }
        // No request is in flight any more: the last window's refusals are complete.
        refusals.flush().await;
        last_flush.flush_token_uses().await;
        if let Some(listener) = cache_listener {
            listener.stop().await;
        }
        if let Some(relay) = relay {
            relay.stop().await;
        }
        db.close().await;
        tracing::info!("server stopped");
        served
    });
    tracing::info!(%addr, "listening");
    Ok(RunningServer {
        addr,
        metrics_addr,
        admin_token: prepared.admin_token,
        demo_logins: prepared.demo_logins,
        shutdown,
        stopping,
        task,
    })
}

/// Runs `job` after `first` and then every `period` until shutdown; a run in progress is
/// finished first.
async fn every<F, Fut>(
    first: Duration,
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + first, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            // A change (or a dropped sender) means shutdown: the flag only ever becomes true.
            _ = stop.changed() => return,
            _ = tick.tick() => job().await,
        }
    }
}

/// Closes expired approval requests. Safe on several replicas at once: each close is a
/// compare-and-set.
async fn expire_due_approvals(app: &App) {
    match app.expire_due_approvals().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(closed = n, "expired approval requests closed"),
        Err(e) => tracing::warn!(error = %crate::error::report(&e), "expiry sweep failed"),
    }
}

/// What preparing the database produced for the operator to see once.
#[derive(Debug, Default)]
struct Prepared {
    admin_token: Option<String>,
    demo_logins: Vec<DemoLogin>,
}

/// Checks stored data against the workflow, loads demo data if asked (`Some(replay)`: the
/// replayed history when `replay`) and the database is empty, and creates the first
/// administrator when there are no users.
async fn prepare(app: &App, demo: Option<bool>, admin_email: &str) -> Result<Prepared, CliError> {
    app.check_stored_states()
        .await
        .map_err(|e| CliError::app("the workflow does not fit the stored data", e))?;
    let mut prepared = Prepared::default();
    // The administrator first: demo data brings its users (the recorders of its hearings and
    // tasks), and the first administrator is made only while there are no users at all. After
    // `rollout demo`, `serve` says how to make a token (`rollout token create`) instead.
    if let Some((admin, token)) = app
        .bootstrap_admin(admin_email)
        .await
        .map_err(|e| CliError::app("cannot create the first administrator", e))?
    {
        tracing::info!(email = %admin.email, "no users yet: created the first administrator");
        prepared.admin_token = Some(token.secret.expose().to_owned());
    }
    let mut demo_loaded = false;
    if let Some(replay) = demo {
        let loaded = if replay {
            app.load_replay(&|_| {}).await
        } else {
            app.load_demo(DemoOptions::default(), &|_| {}).await
        };
        match loaded {
            Ok(report) => {
                demo_loaded = true;
                tracing::info!(
                    bureaus = report.bureaus,
                    procedures = report.real_procedures + report.synthetic_procedures,
                    "database was empty: demo data loaded"
                );
            }
            Err(DemoError::NotEmpty) => {
                tracing::info!("database is not empty: demo data not loaded")
            }
            Err(DemoError::Replay(why)) => {
                return Err(CliError::user(format!(
                    "cannot replay the programme's history: {why}"
                )));
            }
            Err(DemoError::App(e)) => return Err(CliError::app("cannot load demo data", e)),
        }
    }
    if demo_loaded {
        let people = app
            .create_demo_identities()
            .await
            .map_err(|e| CliError::app("cannot create the demo users", e))?;
        prepared.demo_logins = people.into_iter().map(DemoLogin::from).collect();
    }
    Ok(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let config = ServerConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            "postgres://rollout:hunter2@db/rollout",
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(
            printed.contains("postgres://rollout:***@db/rollout"),
            "{printed}"
        );
    }

    /// Tests and callers may run `spawn` inside `tokio::spawn`, which needs a `Send` future.
    #[test]
    fn spawn_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let future = spawn(ServerConfig {
            demo: true,
            ..ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), "sqlite::memory:")
        });
        assert_send(&future);
    }
}

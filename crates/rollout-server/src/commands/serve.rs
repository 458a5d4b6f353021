//! `rollout serve`: starts the server (see [`crate::server`]) and stops it gracefully on SIGINT
//! or SIGTERM, within `[http] shutdown_grace_secs` ([`crate::server::RunningServer::stop`]).

use crate::config::Config;
use crate::error::CliError;
use crate::server::{ServerConfig, spawn};

pub async fn run(config: &Config, demo: bool, replay: bool) -> Result<(), CliError> {
    // The recorder is process-wide: installed here, in the binary's serve path, and nowhere
    // that in-process servers (the end-to-end tests start many) would run.
    let metrics = match config.metrics.listen {
        Some(listen) => Some(crate::metrics::install(listen)?),
        None => None,
    };
    let server = spawn(ServerConfig {
        workflow_file: config.workflow.clone(),
        demo,
        demo_replay: replay,
        http: config.http.clone(),
        oidc: config.oidc.clone(),
        app: rollout_app::AppSettings {
            approval_expiry_days: config.approval_expiry_days,
            release_lead_days: config.release_lead_days,
            review_rate_per_minute: config.quality.review_rate_per_minute,
            ..rollout_app::AppSettings::default()
        },
        reminders: config.reminders.clone(),
        analytics: config.analytics.clone(),
        web: config.web.clone(),
        quality_thresholds: config.quality.thresholds.clone(),
        admin_email: config.admin_email.clone(),
        migrate: config.migrate,
        metrics,
        ..ServerConfig::new(config.listen, config.database_url.expose())
    })
    .await
    .map_err(into_cli_error)?;
    if let Some(token) = server.admin_token() {
        println!(
            "No users yet: created the administrator {}. Their API token, shown only now:\n\n    {token}\n",
            config.admin_email
        );
    }
    if !server.demo_identities().is_empty() {
        super::demo::print_logins(server.demo_identities());
    }
    if server.admin_token().is_none() && server.demo_identities().is_empty() {
        // An existing database: tokens were shown when they were made, so say how to get one.
        println!(
            "To get an API token: rollout token create --user <e-mail> --name <what it is for> \
             (rollout user list shows the users)"
        );
    }
    println!(
        "The dashboard: {}/ (sign in with one of the tokens)",
        server.url()
    );
    if let Some(addr) = server.metrics_addr {
        // The operations tests read the metrics address from this line: keep its shape.
        println!("metrics at http://{addr}/metrics");
    }
    // Scripts and the benchmark read the address from this line: keep its shape.
    println!("rollout is serving; GraphiQL at {}/graphql", server.url());
    println!("Requests need a header: Authorization: Bearer <token>");
    shutdown_signal().await;
    server
        .stop(config.http.shutdown)
        .await
        .map_err(into_cli_error)?;
    Ok(())
}

/// `spawn` reports [`CliError`]s through `anyhow`; anything else (a join failure) is internal.
fn into_cli_error(e: anyhow::Error) -> CliError {
    match e.downcast::<CliError>() {
        Ok(cli) => cli,
        Err(other) => CliError::Internal {
            context: "the server failed".to_owned(),
            source: other.into(),
        },
    }
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}

//! Refused authentications in the audit trail, aggregated so that an anonymous client cannot
//! grow the append-only log without bound. Per client address and window (the time between two
//! [`RefusalLog::flush`]es, [`WINDOW`] when the server runs them), the first
//! [`RECORDED_PER_WINDOW`] refusals are entries of their own (with their request id, to follow
//! up a mistyped token), and the rest is one summary entry with their count, written at the
//! window's end. N refusals from one address in one window are thus at most
//! `RECORDED_PER_WINDOW + 1` rows, whatever N; and since every refusal first passes the
//! failed-authentication budget (`http::auth_limit`), the addresses a window can see are bounded
//! too. The log lines follow the same rule: one line per recorded refusal, one per summary.
//!
//! Deliberately not here: deciding what is refused (`authenticate`) and how often clients may
//! try (`http::auth_limit`).

use std::collections::HashMap;
use std::mem;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rollout_app::audit::Target;
use rollout_app::{Actor, App, RequestMeta};
use rollout_domain::audit::AuditOutcome;

/// How often the server summarises and starts a new window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Refusals per address and window recorded one by one before they are only counted.
pub const RECORDED_PER_WINDOW: u32 = 10;

#[derive(Debug)]
struct Window {
    since: DateTime<Utc>,
    recorded: u32,
    counted: u64,
}

/// The aggregating recorder the authenticator hands its refusals to.
#[derive(Debug)]
pub struct RefusalLog {
    app: App,
    /// Keyed by address without port: a client's every connection is the same source.
    windows: Mutex<HashMap<Option<IpAddr>, Window>>,
}

impl RefusalLog {
    pub fn new(app: App) -> Self {
        Self {
            app,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Records (or counts) one refusal of `target` (`ApiToken`, `Session`) for `reason`.
    pub async fn refused(&self, meta: &RequestMeta, target: &'static str, reason: &str) {
        let source = meta
            .client_addr
            .as_deref()
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .map(|a| a.ip());
        let record = {
            let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            let window = windows.entry(source).or_insert_with(|| Window {
                since: self.app.now(),
                recorded: 0,
                counted: 0,
            });
            if window.recorded < RECORDED_PER_WINDOW {
                window.recorded += 1;
                true
            } else {
                window.counted += 1;
                false
            }
        };
        if !record {
            return;
        }
        tracing::info!(reason, client = ?source, "request refused: not authenticated");
        let anonymous = Actor {
            user: None,
            label: "anonymous".into(),
            meta: meta.clone(),
        };
        self.app
            .record_denied(
                &anonymous,
                "authenticate",
                &Target::kind(target),
                AuditOutcome::Unauthenticated,
            )
            .await;
    }

    /// Ends the window: writes one summary entry per address with refusals only counted, and
    /// starts afresh. The server runs it every [`WINDOW`] and once more at shutdown.
    pub async fn flush(&self) {
        let windows = mem::take(&mut *self.windows.lock().unwrap_or_else(|e| e.into_inner()));
        for (source, window) in windows {
            if window.counted == 0 {
                continue;
            }
            tracing::warn!(
                client = ?source,
                refusals = window.counted,
                since = %window.since,
                "refused authentications not recorded one by one"
            );
            self.app
                .record_refusal_summary(
                    source.map(|ip| ip.to_string()),
                    window.counted,
                    window.since,
                )
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use rollout_app::SystemClock;
    use rollout_store::{AuditFilter, PageRequest};

    use crate::backend::Database;
    use crate::commands::workflow::load_workflow;
    use crate::database_url::DatabaseUrl;

    fn from(addr: &str, request: usize) -> RequestMeta {
        RequestMeta {
            request_id: Some(format!("r{request}")),
            client_addr: Some(addr.to_owned()),
        }
    }

    #[tokio::test]
    async fn a_flood_from_one_address_is_a_bounded_number_of_rows() {
        let db = Database::connect(&DatabaseUrl::new("sqlite::memory:"))
            .await
            .unwrap();
        let app = App::new(
            db.store.clone(),
            load_workflow(None).unwrap(),
            Arc::new(SystemClock),
        );
        let log = RefusalLog::new(app);
        for i in 0..300 {
            // Another port each time: still one source.
            let addr = format!("192.0.2.7:{}", 40_000 + i);
            log.refused(&from(&addr, i), "ApiToken", "unknown token")
                .await;
        }
        log.refused(
            &from("198.51.100.1:5000", 0),
            "Session",
            "no bearer credentials",
        )
        .await;
        let rows = || async {
            let page = PageRequest {
                first: 100,
                after: None,
                with_total: false,
            };
            db.store
                .list_audit(&AuditFilter::default(), &page)
                .await
                .unwrap()
                .items
        };
        assert_eq!(rows().await.len(), RECORDED_PER_WINDOW as usize + 1);
        log.flush().await;
        let entries = rows().await;
        assert_eq!(entries.len(), RECORDED_PER_WINDOW as usize + 2);
        let summary = entries.last().unwrap();
        assert_eq!(summary.client_addr.as_deref(), Some("192.0.2.7"));
        assert_eq!(summary.outcome, AuditOutcome::Unauthenticated);
        let after: serde_json::Value =
            serde_json::from_str(summary.after.as_deref().unwrap()).unwrap();
        assert_eq!(after["refusals"], 300 - u64::from(RECORDED_PER_WINDOW));
        log.flush().await;
        assert_eq!(
            rows().await.len(),
            entries.len(),
            "nothing left to summarise"
        );
        log.refused(&from("192.0.2.7:1", 0), "ApiToken", "unknown token")
            .await;
        assert_eq!(
            rows().await.len(),
            entries.len() + 1,
            "a new window records again"
        );
        db.close().await;
    }
}

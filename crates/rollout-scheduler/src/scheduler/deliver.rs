//! The delivery loop: claims due outbox deliveries (a lease and an attempt number each), sends
//! them through their channel concurrently, and records each outcome under its attempt number:
//! delivered, retried later (exponential backoff with jitter, `Retry-After` honoured), or DEAD
//! (out of attempts, or refused for good). A crash between sending and recording leaves the
//! lease to expire and the message to be sent again under the same id: delivery is at least
//! once, and receivers de-duplicate by `webhook-id`.

use chrono::Utc;
use futures::StreamExt;
use rand::Rng;
use rollout_app::App;
use rollout_domain::reminders::records::{Delivery, DeliveryTarget};
use tokio::sync::watch;
use tracing::{debug, warn};

use super::{SchedulerSettings, pause, sleep_until};
use crate::delivery::webhook::{self, WebhookRequest, WebhookSecret};
use crate::delivery::{EmailSender, Next, Outcome};

/// How deliveries leave: e-mail when configured, and the HTTP client for webhooks.
#[derive(Debug, Clone)]
pub struct Channels {
    pub email: Option<std::sync::Arc<EmailSender>>,
    pub http: reqwest::Client,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliverReport {
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
    /// Outcomes not recorded because the claim had gone stale.
    pub stale: usize,
}

async fn send(
    app: &App,
    channels: &Channels,
    settings: &SchedulerSettings,
    d: &Delivery,
) -> Outcome {
    match &d.target {
        DeliveryTarget::Email {
            to,
            to_name,
            subject,
            body,
        } => match &channels.email {
            Some(sender) => sender.send(to, to_name.as_deref(), subject, body).await,
            None => Outcome::Dead {
                error: "e-mail is not configured on this server ([email] transport)".into(),
            },
        },
        DeliveryTarget::Webhook {
            endpoint, payload, ..
        } => {
            let endpoint = match app.webhook_endpoint_for_delivery(*endpoint).await {
                Ok(Some(e)) if e.enabled => e,
                Ok(Some(_)) => {
                    return Outcome::Dead {
                        error: "the endpoint is disabled".into(),
                    };
                }
                Ok(None) => {
                    return Outcome::Dead {
                        error: "the endpoint was removed".into(),
                    };
                }
                Err(e) => {
                    return Outcome::Retry {
                        after: None,
                        error: e.to_string(),
                    };
                }
            };
            let now = app.now();
            let secrets: Vec<WebhookSecret> = endpoint
                .signing_secrets(now)
                .into_iter()
                .filter_map(|s| WebhookSecret::parse(s).ok())
                .collect();
            let request = WebhookRequest {
                url: endpoint.url.clone(),
                msg_id: format!("msg_{}", d.id),
                timestamp: Utc::now().timestamp(),
                payload: payload.clone().into_bytes(),
                secrets,
            };
            webhook::send(&channels.http, &request, settings.webhook_timeout).await
        }
    }
}

/// Claims and sends every delivery due now, in batches, until none is due.
pub async fn deliver_due(
    app: &App,
    channels: &Channels,
    settings: &SchedulerSettings,
) -> DeliverReport {
    let mut report = DeliverReport::default();
    let batch_size = settings.concurrency.max(1) * 4;
    loop {
        let batch = match app.claim_deliveries(batch_size).await {
            Ok(b) => b,
            Err(e) => {
                warn!(error = %e, "deliveries could not be claimed");
                return report;
            }
        };
        let n = batch.len();
        let outcomes: Vec<(Delivery, Outcome)> = futures::stream::iter(batch)
            .map(|d| async move {
                let outcome = send(app, channels, settings, &d).await;
                (d, outcome)
            })
            .buffer_unordered(settings.concurrency.max(1))
            .collect()
            .await;
        for (d, outcome) in outcomes {
            record(app, settings, &d, &outcome, &mut report).await;
        }
        if n < batch_size {
            return report;
        }
    }
}

async fn record(
    app: &App,
    settings: &SchedulerSettings,
    d: &Delivery,
    outcome: &Outcome,
    report: &mut DeliverReport,
) {
    let attempt = d.attempts;
    let jitter: f64 = rand::rng().random();
    let next = settings
        .retry
        .decide(u32::try_from(attempt).unwrap_or(u32::MAX), outcome, jitter);
    let error = match outcome {
        Outcome::Delivered => "",
        Outcome::Retry { error, .. } | Outcome::Dead { error } => error.as_str(),
    };
    let recorded = match next {
        Next::Done => {
            report.delivered += 1;
            super::metrics::delivery(d.channel(), super::metrics::DELIVERED);
            app.delivery_succeeded(d.id, attempt).await
        }
        Next::RetryIn(delay) => {
            report.retried += 1;
            super::metrics::delivery(d.channel(), super::metrics::RETRIED);
            let at =
                app.now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
            app.delivery_failed(d.id, attempt, error, Some(at)).await
        }
        Next::Dead => {
            report.dead += 1;
            super::metrics::delivery(d.channel(), super::metrics::DEAD);
            warn!(delivery = %d.id, channel = d.channel(), attempt, error, "delivery is DEAD");
            app.delivery_failed(d.id, attempt, error, None).await
        }
    };
    match recorded {
        Ok(true) => debug!(delivery = %d.id, attempt, "delivery outcome recorded"),
        Ok(false) => report.stale += 1,
        Err(e) => warn!(delivery = %d.id, error = %e, "a delivery outcome could not be recorded"),
    }
}

pub(super) async fn delivery_loop(
    app: App,
    settings: SchedulerSettings,
    channels: Channels,
    mut stop: watch::Receiver<bool>,
) {
    let mut signals = app.subscribe_reminders();
    loop {
        if *stop.borrow() {
            break;
        }
        let report = deliver_due(&app, &channels, &settings).await;
        if report != DeliverReport::default() {
            debug!(?report, "deliveries sent");
        }
        let next = app.next_delivery_due().await.unwrap_or(None);
        let dur = sleep_until(next, app.now(), &settings);
        // Any signal may mean new deliveries (a firing) or one put back (a wake-up).
        if !pause(dur, &mut signals, |_| true, &mut stop).await {
            break;
        }
    }
}

//! The scheduler every `rollout serve` runs: a tick loop that evaluates due reminder ticks
//! (`App::run_due_reminders`, exactly once across replicas by the store's claims) and a
//! delivery loop that drains the outbox (`deliver.rs`). Neither polls busily: each sleeps
//! until its next known instant (the earliest fire time, the earliest due retry), capped at
//! [`SchedulerSettings::max_sleep`] so that a lost wake-up only delays, or until a wake-up on
//! the app's `reminders` topic (a rule changed or a firing committed, on any replica).

mod deliver;
pub mod metrics;

use std::time::Duration;

use chrono::{DateTime, Utc};
use rollout_app::App;
use rollout_app::events::{ReminderSignal, next_event};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tracing::{info, warn};

pub use deliver::{Channels, DeliverReport, deliver_due};

use crate::delivery::RetryPolicy;

/// How the scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    /// Evaluate ticks in this process (`[scheduler] enabled`); deliveries are sent regardless.
    pub ticks: bool,
    /// Deliveries sent at once.
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// The longest sleep: the bound on how late a lost wake-up makes anything.
    pub max_sleep: Duration,
    /// The shortest sleep between evaluations that found work held by another replica.
    pub min_sleep: Duration,
    /// The shortest sleep after an evaluation that failed (the database away, a rule that
    /// cannot be evaluated): a failing rule's due tick stays due, and without this floor it
    /// would be retried every `min_sleep`.
    pub failure_sleep: Duration,
    /// One webhook call's time limit.
    pub webhook_timeout: Duration,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            ticks: true,
            concurrency: 16,
            retry: RetryPolicy::default(),
            max_sleep: Duration::from_secs(60),
            min_sleep: Duration::from_millis(200),
            failure_sleep: Duration::from_secs(5),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// Starts the loops; they end when `stop` turns true, after finishing the work in hand.
pub fn spawn(
    app: App,
    settings: SchedulerSettings,
    channels: Channels,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let ticks = settings
            .ticks
            .then(|| tokio::spawn(tick_loop(app.clone(), settings.clone(), stop.clone())));
        deliver::delivery_loop(app, settings, channels, stop).await;
        if let Some(t) = ticks
            && let Err(e) = t.await
        {
            warn!(error = %e, "the tick loop ended abnormally");
        }
    })
}

/// How long to sleep until `next` (with a little slack so the tick is due on waking), within
/// the settings' bounds.
pub(crate) fn sleep_until(
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    settings: &SchedulerSettings,
) -> Duration {
    let wanted = next.map_or(settings.max_sleep, |t| {
        (t - now).to_std().unwrap_or(Duration::ZERO) + Duration::from_millis(5)
    });
    wanted.clamp(settings.min_sleep, settings.max_sleep)
}

/// Waits for `dur`, a reminder signal (when `wake` says it matters) or the stop; `false` on stop.
pub(crate) async fn pause(
    dur: Duration,
    signals: &mut broadcast::Receiver<ReminderSignal>,
    wake: fn(&ReminderSignal) -> bool,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let sleep = tokio::time::sleep(dur);
    tokio::pin!(sleep);
    let mut app_gone = false;
    loop {
        tokio::select! {
            () = &mut sleep => return true,
            signal = next_event(signals), if !app_gone => match signal {
                Some(s) if wake(&s) => return true,
                Some(_) => {}
                // The app is gone: only the sleep or the stop can end this wait now.
                None => app_gone = true,
            },
            _ = stop.wait_for(|s| *s) => return false,
        }
    }
}

async fn tick_loop(app: App, settings: SchedulerSettings, mut stop: watch::Receiver<bool>) {
    let mut signals = app.subscribe_reminders();
    info!("reminder scheduler started");
    loop {
        if *stop.borrow() {
            break;
        }
        let now = app.now();
        let failed = match app.run_due_reminders(now).await {
            Ok(report) => {
                metrics::evaluated(report.firings.len(), report.missed);
                if !report.firings.is_empty() || report.missed > 0 {
                    info!(
                        firings = report.firings.len(),
                        missed = report.missed,
                        skipped = report.skipped,
                        "reminder ticks evaluated"
                    );
                }
                !report.failed.is_empty()
            }
            Err(e) => {
                warn!(error = %e, "reminder ticks could not be evaluated");
                true
            }
        };
        let next = app.next_fire_time().await.unwrap_or_else(|e| {
            warn!(error = %e, "the next fire time could not be read");
            None
        });
        let mut dur = sleep_until(next, app.now(), &settings);
        if failed {
            dur = dur.max(settings.failure_sleep);
        }
        if !pause(
            dur,
            &mut signals,
            |s| matches!(s, ReminderSignal::Wake),
            &mut stop,
        )
        .await
        {
            break;
        }
    }
    info!("reminder scheduler stopped");
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn sleeps_until_the_next_instant_within_the_bounds() {
        let settings = SchedulerSettings::default();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).unwrap();
        let soon = now + chrono::Duration::seconds(3);
        assert_eq!(
            sleep_until(Some(soon), now, &settings),
            Duration::from_millis(3005)
        );
        let far = now + chrono::Duration::days(1);
        assert_eq!(sleep_until(Some(far), now, &settings), settings.max_sleep);
        assert_eq!(sleep_until(None, now, &settings), settings.max_sleep);
        let past = now - chrono::Duration::seconds(10);
        assert_eq!(sleep_until(Some(past), now, &settings), settings.min_sleep);
    }
}

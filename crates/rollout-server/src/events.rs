//! Procedure events across replicas on PostgreSQL: [`PgEventRelay`] is the app's
//! [`EventRelay`] that NOTIFYs each published event on [`CHANNEL`], and a listener task LISTENs
//! on it and hands every event it receives, this replica's own included, to
//! [`App::deliver`]. So every subscriber of every replica sees every change once, in the order
//! PostgreSQL delivers the notifications; nothing is delivered locally first, which would show
//! a replica's own events twice.
//!
//! Best effort, like the events themselves: an event that cannot be sent (NOTIFY failed) still
//! reaches this replica's subscribers but no other's; events sent while a listener's connection
//! is down never reach that replica (the listener reconnects and logs the gap); a payload that
//! is not an event (another build's, or anything a client of the database sent) is logged and
//! skipped. The history is the durable record. On SQLite (one process) none of this runs.
//!
//! Sending happens on a task of its own, so a use case never waits for PostgreSQL after its
//! commit; the queue between them keeps publication order. What queued up while a NOTIFY was
//! under way goes in the next one statement (`BATCH` at most), so that one round trip per
//! event does not hold a busy replica back. Both tasks stop with the server, after the requests
//! in flight: what those published is still sent.

use std::sync::Arc;

use rollout_app::events::AppEvent;
use rollout_app::{App, EventRelay};
use rollout_store::StoreError;
use rollout_store_postgres::{Listener, PgStore};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// The PostgreSQL notification channel of procedure events.
pub const CHANNEL: &str = "rollout_procedure_events";

/// Events published but not yet sent; past this (PostgreSQL far slower than the writers)
/// further events are dropped with a warning, as a lagging subscriber skips them.
const QUEUE: usize = rollout_app::events::EVENT_BUFFER;

/// The most events sent in one NOTIFY statement.
const BATCH: usize = 64;

/// The app's relay on PostgreSQL: queues each event for the sending task.
#[derive(Debug)]
pub struct PgEventRelay {
    queue: mpsc::Sender<AppEvent>,
}

impl EventRelay for PgEventRelay {
    fn relay(&self, event: AppEvent) {
        if let Err(e) = self.queue.try_send(event) {
            let (reason, event) = match e {
                mpsc::error::TrySendError::Full(event) => ("the queue is full", event),
                mpsc::error::TrySendError::Closed(event) => ("the relay has stopped", event),
            };
            tracing::warn!(?event, reason, "event dropped: no replica will see it");
        }
    }
}

/// The running relay's tasks.
#[derive(Debug)]
pub struct RelayTasks {
    stop: watch::Sender<bool>,
    sender: JoinHandle<()>,
    listener: JoinHandle<()>,
}

impl RelayTasks {
    /// Sends what is still queued, then stops both tasks and closes the listening connection.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for (task, what) in [(self.sender, "sender"), (self.listener, "listener")] {
            if let Err(e) = task.await {
                tracing::error!(error = %e, task = what, "the event relay ended abnormally");
            }
        }
    }
}

/// Makes `app` publish through PostgreSQL and starts the relay's tasks. Listening has begun when
/// this returns, so no event published through the returned app can be missed by this replica.
pub async fn relay(store: &PgStore, app: App) -> Result<(App, RelayTasks), StoreError> {
    let listener = store.listen(CHANNEL).await?;
    let (queue, queued) = mpsc::channel(QUEUE);
    let app = app.with_event_relay(Arc::new(PgEventRelay { queue }));
    let (stop, stopped) = watch::channel(false);
    let sender = tokio::spawn(send(store.clone(), app.clone(), queued, stopped.clone()));
    let listener = tokio::spawn(listen(listener, app.clone(), stopped));
    tracing::info!(
        channel = CHANNEL,
        "procedure events are relayed through PostgreSQL"
    );
    Ok((
        app,
        RelayTasks {
            stop,
            sender,
            listener,
        },
    ))
}

/// NOTIFYs queued events in order until stopped, then those still queued.
async fn send(
    store: PgStore,
    app: App,
    mut queued: mpsc::Receiver<AppEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            biased;
            received = queued.recv_many(&mut batch, BATCH) => if received == 0 {
                return;
            },
            // A change or a dropped sender: both mean stop.
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
        notify(&store, &app, &mut batch).await;
    }
    // Whatever the requests finished before shutdown published.
    queued.close();
    while queued.recv_many(&mut batch, BATCH).await > 0 {
        notify(&store, &app, &mut batch).await;
    }
}

/// Sends and empties `batch`.
async fn notify(store: &PgStore, app: &App, batch: &mut Vec<AppEvent>) {
    let payloads: Vec<String> = batch.iter().map(AppEvent::to_wire).collect();
    if let Err(e) = store.notify_all(CHANNEL, &payloads).await {
        tracing::warn!(
            error = %crate::error::report(&e),
            events = batch.len(),
            "NOTIFY failed: the events reach this replica's subscribers only"
        );
        // PostgreSQL sent none of them, so the listener will not bring them back: no duplicate.
        for event in batch.drain(..) {
            app.deliver(event);
        }
    }
    batch.clear();
}

/// Delivers every event on [`CHANNEL`] to this replica's subscribers until stopped.
async fn listen(mut listener: Listener, app: App, mut stop: watch::Receiver<bool>) {
    loop {
        let payload = tokio::select! {
            payload = listener.recv() => match payload {
                Some(payload) => payload,
                None => break,
            },
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        deliver(&app, &payload);
    }
    listener.close().await;
}

/// Delivers the event `payload` encodes; anything else is logged (shortened) and skipped.
fn deliver(app: &App, payload: &str) {
    match AppEvent::from_wire(payload) {
        Ok(event) => app.deliver(event),
        Err(e) => {
            let shown: String = payload.chars().take(200).collect();
            tracing::warn!(
                error = %e,
                payload = %shown,
                channel = CHANNEL,
                "skipped a notification that is not an event"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rollout_app::events::next_event;
    use rollout_app::{EventKind, ProcedureEvent, SystemClock};
    use rollout_domain::workflow::default_workflow;
    use rollout_domain::{BureauId, ProcedureId};
    use rollout_store_sqlite::SqliteStore;
    use tokio::sync::broadcast::error::TryRecvError;
    use uuid::Uuid;

    use super::*;

    async fn app() -> App {
        let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
        App::new(Arc::new(store), default_workflow(), Arc::new(SystemClock))
    }

    fn event() -> ProcedureEvent {
        ProcedureEvent {
            kind: EventKind::Transitioned,
            procedure_id: ProcedureId(Uuid::from_u128(1)),
            bureau_id: BureauId(Uuid::from_u128(2)),
            procedure_version: 4,
            at: chrono::DateTime::UNIX_EPOCH,
            actor: "a@example.jp".into(),
            record_id: None,
            approval_request_id: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when `ROLLOUT_TEST_POSTGRES_URL` is not set
    /// (a failure under `CI=true`, where PostgreSQL must be tested).
    async fn postgres() -> Option<rollout_store_postgres::testing::TestDatabase> {
        let url = rollout_store_postgres::testing::admin_url_from_env()?;
        Some(
            rollout_store_postgres::testing::TestDatabase::create(&url)
                .await
                .expect("a test database"),
        )
    }

    fn numbered(n: i32) -> ProcedureEvent {
        ProcedureEvent {
            procedure_version: n,
            ..event()
        }
    }

    #[tokio::test]
    async fn the_sender_notifies_in_order_in_batches_and_sends_what_is_queued_at_stop() {
        let Some(db) = postgres().await else {
            return;
        };
        let store = db.store();
        let mut listener = store.listen(CHANNEL).await.unwrap();
        let (queue, queued) = mpsc::channel(QUEUE);
        let count = 3 * BATCH as i32 + 1;
        for n in 1..=count {
            queue.try_send(numbered(n).into()).unwrap();
        }
        let (stop, stopped) = watch::channel(true);
        let app = App::new(
            Arc::new(store.clone()),
            default_workflow(),
            Arc::new(SystemClock),
        );
        send(store, app, queued, stopped).await;
        drop(stop);
        for n in 1..=count {
            let payload = tokio::time::timeout(std::time::Duration::from_secs(10), listener.recv())
                .await
                .expect("a notification in time")
                .unwrap();
            assert_eq!(ProcedureEvent::from_wire(&payload).unwrap(), numbered(n));
        }
        listener.close().await;
    }

    #[tokio::test]
    async fn events_whose_notify_failed_reach_this_replicas_subscribers() {
        let Some(db) = postgres().await else {
            return;
        };
        let store = db.store();
        let app = App::new(
            Arc::new(store.clone()),
            default_workflow(),
            Arc::new(SystemClock),
        );
        let mut receiver = app.subscribe();
        store.close().await;
        let (queue, queued) = mpsc::channel(QUEUE);
        for n in 1..=3 {
            queue.try_send(numbered(n).into()).unwrap();
        }
        let (_stop, stopped) = watch::channel(true);
        send(store, app, queued, stopped).await;
        for n in 1..=3 {
            assert_eq!(next_event(&mut receiver).await, Some(numbered(n)));
        }
    }

    #[tokio::test]
    async fn malformed_payloads_are_skipped_and_later_events_still_delivered() {
        let app = app().await;
        let mut receiver = app.subscribe();
        let mut newer_version =
            serde_json::from_str::<serde_json::Value>(&event().to_wire()).unwrap();
        newer_version["v"] = 99.into();
        for payload in [
            "",
            "{",
            "null",
            "\u{0}",
            "{\"v\":1}",
            &newer_version.to_string(),
            &"x".repeat(7_999),
        ] {
            deliver(&app, payload);
        }
        assert_eq!(receiver.try_recv(), Err(TryRecvError::Empty));
        deliver(&app, &event().to_wire());
        assert_eq!(next_event(&mut receiver).await, Some(event()));
    }

    #[test]
    fn a_full_or_stopped_relay_drops_events_instead_of_waiting() {
        let (queue, mut queued) = mpsc::channel(1);
        let relay = PgEventRelay { queue };
        relay.relay(event().into());
        relay.relay(
            ProcedureEvent {
                procedure_version: 5,
                ..event()
            }
            .into(),
        );
        assert_eq!(queued.try_recv().ok(), Some(event().into()));
        assert_eq!(
            queued.try_recv().ok(),
            None,
            "the second event found the queue full"
        );
        queued.close();
        relay.relay(event().into());
        assert_eq!(
            queued.try_recv().ok(),
            None,
            "nothing is queued once stopped"
        );
    }
}

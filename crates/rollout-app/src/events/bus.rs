//! Where published events go: the process's broadcast channel, which its subscribers read, and
//! the optional [`EventRelay`] that carries events to every replica first. The [`App`] methods
//! that publish, subscribe and deliver live here, so that the use cases only say what happened.
//!
//! It does not know how a relay works (the PostgreSQL one is in `rollout-server`), nor does it
//! deduplicate: a relay delivers each event to each replica once, its own replica included, and
//! a replica with a relay never puts its own events straight into its channel.

use std::sync::Arc;

use rollout_domain::approval::ApprovalRequest;
use rollout_domain::{Procedure, TransitionRecord};
use tokio::sync::broadcast;

use super::ProcedureEvent;
use super::topics::{AppEvent, ReminderSignal};
use crate::{Actor, App};

/// How many events each subscriber may fall behind before it skips the oldest.
pub const EVENT_BUFFER: usize = 1024;

/// Carries committed events to every replica of the deployment, this one included, where the
/// replica's listener hands each to [`App::deliver`].
///
/// [`EventRelay::relay`] runs on the use case's task right after its commit, so it must neither
/// block nor fail: a relay queues the event and sends it from a task of its own, in the order it
/// was given. An event it cannot carry is lost (logged), never an error of the use case.
pub trait EventRelay: std::fmt::Debug + Send + Sync {
    fn relay(&self, event: AppEvent);
}

/// The sending half every clone of an [`App`] shares.
#[derive(Debug, Clone)]
pub(crate) struct EventBus {
    /// This process's subscribers read from it.
    sender: broadcast::Sender<ProcedureEvent>,
    /// The `reminders` topic's subscribers (schedulers, `notificationAdded`) read from it.
    reminders: broadcast::Sender<ReminderSignal>,
    /// Set on replicas that share a database: published events go through it instead of
    /// straight into `sender`, and come back through [`App::deliver`].
    relay: Option<Arc<dyn EventRelay>>,
}

impl EventBus {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity).0,
            reminders: broadcast::channel(capacity).0,
            relay: None,
        }
    }

    fn publish(&self, event: impl Into<AppEvent>) {
        let event = event.into();
        match &self.relay {
            Some(relay) => relay.relay(event),
            None => self.deliver(event),
        }
    }

    fn deliver(&self, event: impl Into<AppEvent>) {
        // `Err` only says that nobody is subscribed right now, which is no failure.
        match event.into() {
            AppEvent::Procedure(e) => {
                let _ = self.sender.send(e);
            }
            AppEvent::Reminder(s) => {
                let _ = self.reminders.send(s);
            }
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<ProcedureEvent> {
        self.sender.subscribe()
    }

    /// Whether anybody may receive a published event: always through a relay, since the other
    /// replicas' subscribers are not known here.
    fn may_be_heard(&self) -> bool {
        self.relay.is_some() || self.sender.receiver_count() > 0
    }
}

impl App {
    /// Publishes through `relay` from now on (see [`EventRelay`]). Set it before the app is
    /// cloned: clones made earlier keep publishing to this process only.
    pub fn with_event_relay(mut self, relay: Arc<dyn EventRelay>) -> Self {
        self.events.relay = Some(relay);
        self
    }

    /// Events from now on, in the order they are delivered to this process. Read them with
    /// [`next_event`].
    pub fn subscribe(&self) -> broadcast::Receiver<ProcedureEvent> {
        self.events.subscribe()
    }

    /// Hands an event that the relay brought (from any replica, this one included) to this
    /// process's subscribers. Never fails; nobody listening is normal.
    pub fn deliver(&self, event: impl Into<AppEvent>) {
        let event = event.into();
        tracing::debug!(?event, "event delivered");
        self.events.deliver(event);
    }

    /// Called after the change has committed; never fails.
    pub(crate) fn publish(&self, event: ProcedureEvent) {
        tracing::debug!(kind = ?event.kind, procedure = %event.procedure_id, "event published");
        self.events.publish(event);
    }

    /// The `reminders` topic from now on (firings, wake-ups), from every replica.
    pub fn subscribe_reminders(&self) -> broadcast::Receiver<ReminderSignal> {
        self.events.reminders.subscribe()
    }

    /// Tells every replica's scheduler to re-read rules and the outbox (after a commit).
    pub fn wake_scheduler(&self) {
        self.events.publish(ReminderSignal::Wake);
    }

    /// Tells every replica that `firing` committed (its notifications exist).
    pub(crate) fn publish_firing(&self, firing: &rollout_domain::reminders::Firing) {
        self.events.publish(ReminderSignal::Fired {
            firing: firing.id,
            rule: firing.rule_id,
        });
    }

    /// Publishes that `request` closed without moving its procedure (rejected, failed,
    /// withdrawn, expired). The event needs the procedure's bureau and version, which these
    /// paths have not read; the read is skipped when nobody can listen, and a failed read costs
    /// the event, never the decision, which has committed already.
    pub(crate) async fn publish_closed(&self, request: &ApprovalRequest, actor: &Actor) {
        if !self.events.may_be_heard() {
            return;
        }
        match self.store().procedure(request.procedure_id).await {
            Ok(Some(procedure)) => self.publish(ProcedureEvent::approval_decided(
                &procedure,
                request,
                None,
                actor,
                self.now(),
            )),
            Ok(None) => {}
            Err(e) => tracing::warn!(
                error = %e,
                request = %request.id,
                "approval closed, but its event was not published: the procedure could not be read"
            ),
        }
    }

    /// Publishes that `request` closed by a decision: with the transition it applied
    /// (`applied`: the procedure after it and its record) as a decision and a transition,
    /// otherwise as [`App::publish_closed`] does.
    pub(crate) async fn publish_decided(
        &self,
        actor: &Actor,
        request: &ApprovalRequest,
        applied: Option<(&Procedure, &TransitionRecord)>,
    ) {
        let Some((procedure, record)) = applied else {
            return self.publish_closed(request, actor).await;
        };
        let at = self.now();
        self.publish(ProcedureEvent::approval_decided(
            procedure,
            request,
            Some(record.id),
            actor,
            at,
        ));
        self.publish(ProcedureEvent::transitioned(procedure, record, actor));
    }
}

/// The next event of `receiver`, skipping over events it fell too far behind to keep (logged
/// with how many); `None` once the application is gone.
pub async fn next_event<T: Clone>(receiver: &mut broadcast::Receiver<T>) -> Option<T> {
    loop {
        match receiver.recv().await {
            Ok(event) => return Some(event),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "a slow event subscriber skipped events");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::super::tests::updated;
    use super::*;

    /// A relay that keeps what it is given, as a real one queues it.
    #[derive(Debug, Default)]
    struct Recording(Mutex<Vec<ProcedureEvent>>);

    impl EventRelay for Recording {
        fn relay(&self, event: AppEvent) {
            let AppEvent::Procedure(event) = event else {
                panic!("only procedure events are published here")
            };
            self.0.lock().unwrap().push(event);
        }
    }

    #[tokio::test]
    async fn with_a_relay_events_reach_subscribers_only_when_delivered() {
        let relay = Arc::new(Recording::default());
        let mut bus = EventBus::new(4);
        bus.relay = Some(relay.clone());
        assert!(bus.may_be_heard(), "other replicas may listen");
        let mut receiver = bus.subscribe();
        bus.publish(updated(2));
        assert_eq!(
            receiver.try_recv(),
            Err(broadcast::error::TryRecvError::Empty),
            "a published event waits for the relay"
        );
        let relayed: Vec<_> = relay.0.lock().unwrap().drain(..).collect();
        assert_eq!(relayed, [updated(2)]);
        for event in relayed {
            bus.deliver(event);
        }
        assert_eq!(next_event(&mut receiver).await, Some(updated(2)));
        assert_eq!(
            receiver.try_recv(),
            Err(broadcast::error::TryRecvError::Empty),
            "delivered once"
        );
    }

    #[tokio::test]
    async fn publishing_without_subscribers_is_no_failure_and_later_subscribers_see_later_events() {
        let bus = EventBus::new(4);
        bus.publish(updated(2));
        assert!(!bus.may_be_heard());
        let mut receiver = bus.subscribe();
        assert!(bus.may_be_heard());
        bus.publish(updated(3));
        let event = next_event(&mut receiver).await.unwrap();
        assert_eq!(
            event.procedure_version, 3,
            "the event before subscribing is not seen"
        );
    }

    #[tokio::test]
    async fn a_lagging_subscriber_skips_to_the_oldest_kept_event_and_goes_on() {
        let bus = EventBus::new(2);
        let mut slow = bus.subscribe();
        for version in 1..=5 {
            bus.publish(updated(version));
        }
        let mut seen = Vec::new();
        for _ in 0..2 {
            seen.push(next_event(&mut slow).await.unwrap().procedure_version);
        }
        assert_eq!(seen, [4, 5], "events 1 to 3 were skipped");
        bus.publish(updated(6));
        assert_eq!(next_event(&mut slow).await.unwrap().procedure_version, 6);
    }

    #[tokio::test]
    async fn subscribers_end_when_every_sender_is_gone() {
        let bus = EventBus::new(2);
        let mut receiver = bus.subscribe();
        bus.publish(updated(7));
        drop(bus);
        assert_eq!(
            next_event(&mut receiver).await.map(|e| e.procedure_version),
            Some(7),
            "what was sent before is still delivered"
        );
        assert_eq!(next_event(&mut receiver).await, None);
    }
}

//! `notificationAdded`: the viewer's notifications as firings commit, through this server or
//! any other replica (the app's relay carries one `ReminderSignal::Fired` per firing). Each
//! subscriber loads its own notifications of each firing, one read per firing, so a firing the
//! viewer had no part in costs one empty read and sends nothing. A subscriber that falls far
//! behind skips the oldest signals; reload `notifications` after a reconnect.

use async_graphql::futures_util::{Stream, StreamExt, stream};
use rollout_app::events::{ReminderSignal, next_event};
use rollout_app::{Actor, App};

use super::Notification;
use crate::errors;

/// The stream of `actor`'s notifications from the signals `receiver` gets from now on. A
/// failed read is an error item (the client sees it, the stream goes on).
pub(crate) fn notifications_added(
    app: App,
    actor: Actor,
    receiver: tokio::sync::broadcast::Receiver<ReminderSignal>,
) -> impl Stream<Item = async_graphql::Result<Notification>> {
    let signals = stream::unfold(receiver, |mut receiver| async move {
        next_event(&mut receiver)
            .await
            .map(|signal| (signal, receiver))
    });
    signals
        .filter_map(|signal| async move {
            match signal {
                ReminderSignal::Fired { firing, .. } => Some(firing),
                ReminderSignal::Wake => None,
            }
        })
        .then(move |firing| {
            let app = app.clone();
            let actor = actor.clone();
            async move {
                let items: Vec<async_graphql::Result<Notification>> =
                    match app.my_firing_notifications(&actor, firing).await {
                        Ok(rows) => Notification::page(rows).into_iter().map(Ok).collect(),
                        Err(e) => vec![Err(errors::graphql_error(&e))],
                    };
                stream::iter(items)
            }
        })
        .flatten()
}

//! Contract cases for what a firing leaves behind: in-app notifications (paged newest first,
//! unread only, marked read only by their owner), the delivery outbox (claims never hand one
//! delivery to two senders, completion and failure only under the current attempt, retries,
//! dead letters and an operator's retry, the outbox's figures) and webhook endpoints.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use rollout_domain::reminders::DeliveryStatus;
use rollout_domain::{DeliveryId, NotificationId, WebhookEndpointId};
use uuid::Uuid;

use super::fixtures::at;
use super::people::{expect_conflict, expect_not_found, seed_user};
use super::reminder_fixtures::{email, endpoint, notification, seed_firing, webhook_call};
use crate::{NotificationQuery, OutboxStats, Store, Write};

pub async fn notifications_page_newest_first(store: Arc<dyn Store>) {
    let kato = seed_user(&store, "kato@metro.tokyo.lg.jp").await;
    let sato = seed_user(&store, "sato@metro.tokyo.lg.jp").await;
    let f = seed_firing(&store).await;
    // Two share an instant: the id breaks the tie, newest (largest) first.
    let mut mine: Vec<_> = [at(100, 0), at(300, 0), at(200, 0), at(200, 0), at(400, 1)]
        .into_iter()
        .map(|t| notification(&f, kato.id, t))
        .collect();
    let theirs = notification(&f, sato.id, at(250, 0));
    let mut all = mine.clone();
    all.push(theirs.clone());
    store
        .commit(&[Write::InsertNotifications(all)])
        .await
        .unwrap();
    mine.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));

    let mut query = NotificationQuery {
        user_id: kato.id,
        unread_only: false,
        before: None,
        limit: 2,
    };
    let mut pages = Vec::new();
    loop {
        let page = store.notifications(&query).await.unwrap();
        let Some(last) = page.last() else { break };
        query.before = Some((last.created_at, last.id));
        pages.push(page);
    }
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(
        pages.concat(),
        mine,
        "every field round-trips, newest first"
    );
    assert_eq!(store.unread_notifications(kato.id).await.unwrap(), 5);

    // Marking names ids of two people: only the caller's change.
    let marked = store
        .mark_notifications_read(kato.id, Some(&[mine[0].id, theirs.id]), at(500, 0))
        .await
        .unwrap();
    assert_eq!(marked, 1);
    assert_eq!(store.unread_notifications(sato.id).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(kato.id).await.unwrap(), 4);
    let again = store
        .mark_notifications_read(kato.id, Some(&[mine[0].id]), at(600, 0))
        .await
        .unwrap();
    assert_eq!(again, 0, "already read");
    assert_eq!(
        store
            .mark_notifications_read(kato.id, Some(&[]), at(600, 0))
            .await
            .unwrap(),
        0
    );
    let unread = NotificationQuery {
        user_id: kato.id,
        unread_only: true,
        before: None,
        limit: 10,
    };
    let ids: Vec<NotificationId> = store
        .notifications(&unread)
        .await
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(ids, mine[1..].iter().map(|n| n.id).collect::<Vec<_>>());
    let read = store.notifications_by_ids(&[mine[0].id]).await.unwrap();
    assert_eq!(read[0].read_at, Some(at(500, 0)));
    assert!(store.notifications_by_ids(&[]).await.unwrap().is_empty());
    let unknown = NotificationId(Uuid::now_v7());
    assert_eq!(
        store
            .notifications_by_ids(&[unknown, theirs.id])
            .await
            .unwrap(),
        vec![theirs.clone()]
    );
    assert_eq!(
        store.firing_notifications(f.id, sato.id).await.unwrap(),
        vec![theirs.clone()]
    );

    assert_eq!(
        store
            .mark_notifications_read(kato.id, None, at(700, 0))
            .await
            .unwrap(),
        4
    );
    assert_eq!(store.unread_notifications(kato.id).await.unwrap(), 0);
    assert_eq!(store.unread_notifications(sato.id).await.unwrap(), 1);

    // A notification for an unknown person is refused by name.
    let ghost = rollout_domain::UserId(Uuid::now_v7());
    let err = store
        .commit(&[Write::InsertNotifications(vec![notification(
            &f,
            ghost,
            at(1, 0),
        )])])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "user", ghost);
}

pub async fn deliveries_claimed_once_each(store: Arc<dyn Store>) {
    let f = seed_firing(&store).await;
    let now = at(1_000, 0);
    let lease = Duration::seconds(60);
    let due: Vec<_> = (0..5)
        .map(|i| email(Some(f.id), now - Duration::seconds(50 - i), at(10, 0)))
        .collect();
    let later = email(Some(f.id), now + Duration::seconds(1), at(10, 0));
    let mut batch = due.clone();
    batch.push(later.clone());
    store
        .commit(&[Write::InsertDeliveries(batch)])
        .await
        .unwrap();
    assert_eq!(store.delivery(later.id).await.unwrap(), Some(later.clone()));

    let (a, b) = tokio::join!(
        store.claim_deliveries(now, now + lease, 3),
        store.claim_deliveries(now, now + lease, 3)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.len() + b.len(),
        5,
        "every due delivery, the future one not"
    );
    let ids: HashSet<DeliveryId> = a.iter().chain(&b).map(|d| d.id).collect();
    assert_eq!(ids.len(), 5, "no delivery claimed twice");
    assert!(!ids.contains(&later.id));
    for d in a.iter().chain(&b) {
        assert_eq!((d.attempts, d.lease_until), (1, Some(now + lease)));
    }
    let first = if a.len() == 3 { &a } else { &b };
    let dues: Vec<_> = first.iter().map(|d| d.next_attempt_at).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted, "oldest due first");
    assert!(
        store
            .claim_deliveries(now, now + lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The lease ends: the rest go out again under attempt 2; attempt 1 can no longer finish.
    let d = due[0].id;
    let retaken = store
        .claim_deliveries(now + lease, now + lease * 2, 10)
        .await
        .unwrap();
    assert_eq!(retaken.len(), 6);
    assert!(
        retaken
            .iter()
            .filter(|x| x.id != later.id)
            .all(|x| x.attempts == 2)
    );
    assert!(!store.complete_delivery(d, 1, now + lease).await.unwrap());
    assert!(store.complete_delivery(d, 2, now + lease).await.unwrap());
    let done = store.delivery(d).await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.delivered_at, done.lease_until),
        (DeliveryStatus::Delivered, Some(now + lease), None)
    );
    assert!(
        !store.complete_delivery(d, 2, now + lease).await.unwrap(),
        "once"
    );
    assert!(
        !store
            .complete_delivery(DeliveryId(Uuid::now_v7()), 1, now)
            .await
            .unwrap()
    );
}

pub async fn delivery_failures_retry_and_die(store: Arc<dyn Store>) {
    let now = at(1_000, 0);
    let lease = Duration::seconds(60);
    let d = email(None, now, at(5, 0));
    let other = email(None, now + Duration::hours(1), at(6, 0));
    store
        .commit(&[Write::InsertDeliveries(vec![d.clone(), other.clone()])])
        .await
        .unwrap();
    assert_eq!(
        store.outbox_stats().await.unwrap(),
        OutboxStats {
            pending: 2,
            oldest_pending_at: Some(at(5, 0)),
            next_attempt_at: Some(now),
            dead: 0,
        }
    );
    let claimed = store.claim_deliveries(now, now + lease, 10).await.unwrap();
    assert_eq!(claimed.iter().map(|x| x.id).collect::<Vec<_>>(), vec![d.id]);

    let retry_at = now + Duration::minutes(5);
    assert!(
        !store
            .fail_delivery(d.id, 2, "stale", Some(retry_at))
            .await
            .unwrap(),
        "a stale attempt changes nothing"
    );
    assert!(
        store
            .fail_delivery(d.id, 1, "421 try later", Some(retry_at))
            .await
            .unwrap()
    );
    let failed = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(
        (
            failed.status,
            failed.attempts,
            failed.next_attempt_at,
            failed.lease_until
        ),
        (DeliveryStatus::Pending, 1, retry_at, None)
    );
    assert_eq!(failed.last_error.as_deref(), Some("421 try later"));
    assert!(
        store
            .claim_deliveries(now + lease, retry_at, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = store
        .claim_deliveries(retry_at, retry_at + lease, 1)
        .await
        .unwrap();
    assert_eq!((claimed[0].id, claimed[0].attempts), (d.id, 2));

    assert!(
        store
            .fail_delivery(d.id, 2, "550 no such user", None)
            .await
            .unwrap()
    );
    let dead = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(
        (dead.status, dead.lease_until),
        (DeliveryStatus::Dead, None)
    );
    assert!(!store.fail_delivery(d.id, 2, "again", None).await.unwrap());
    assert_eq!(
        store.outbox_stats().await.unwrap(),
        OutboxStats {
            pending: 1,
            oldest_pending_at: Some(at(6, 0)),
            next_attempt_at: Some(other.next_attempt_at),
            dead: 1,
        }
    );
    assert_eq!(
        store
            .deliveries(Some(DeliveryStatus::Dead), 10)
            .await
            .unwrap(),
        vec![dead.clone()]
    );
    let listed: Vec<DeliveryId> = store
        .deliveries(None, 10)
        .await
        .unwrap()
        .iter()
        .map(|x| x.id)
        .collect();
    assert_eq!(listed, vec![other.id, d.id], "newest first");

    // An operator puts the dead letter back: due now, attempts kept.
    let retry = at(5_000, 0);
    store
        .commit(&[Write::RetryDelivery {
            id: d.id,
            now: retry,
        }])
        .await
        .unwrap();
    let back = store.delivery(d.id).await.unwrap().unwrap();
    assert_eq!(
        (back.status, back.attempts, back.next_attempt_at),
        (DeliveryStatus::Pending, 2, retry)
    );
    let err = store
        .commit(&[Write::RetryDelivery {
            id: d.id,
            now: retry,
        }])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "delivery", d.id);
    let claimed = store
        .claim_deliveries(retry, retry + lease, 10)
        .await
        .unwrap();
    let attempts: Vec<(DeliveryId, i32)> = claimed.iter().map(|x| (x.id, x.attempts)).collect();
    assert_eq!(attempts, vec![(other.id, 1), (d.id, 3)], "oldest due first");
}

pub async fn webhook_endpoints_round_trip(store: Arc<dyn Store>) {
    let first = endpoint(at(10, 0));
    let mut second = endpoint(at(20, 0));
    second.event_types.clear();
    second.description = None;
    store
        .commit(&[
            Write::InsertWebhookEndpoint(second.clone()),
            Write::InsertWebhookEndpoint(first.clone()),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.webhook_endpoints().await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    let mut rotated = first.clone();
    rotated.previous_secret = Some(first.secret.clone());
    rotated.previous_secret_expires_at = Some(at(90_000, 0));
    rotated.secret = "whsec_bmV3".to_owned();
    rotated.enabled = false;
    rotated.version = 2;
    rotated.updated_at = at(30, 0);
    store
        .commit(&[Write::UpdateWebhookEndpoint {
            endpoint: rotated.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap();
    assert_eq!(
        store.webhook_endpoint(first.id).await.unwrap(),
        Some(rotated.clone())
    );
    let err = store
        .commit(&[Write::UpdateWebhookEndpoint {
            endpoint: rotated.clone(),
            expected_version: 1,
        }])
        .await
        .unwrap_err();
    expect_conflict::<()>(Err(err.error), 1, 2);
    let unknown = WebhookEndpointId(Uuid::now_v7());
    assert_eq!(store.webhook_endpoint(unknown).await.unwrap(), None);

    let call = webhook_call(first.id, at(40, 0));
    store
        .commit(&[Write::InsertDeliveries(vec![call.clone()])])
        .await
        .unwrap();
    assert_eq!(store.delivery(call.id).await.unwrap(), Some(call));
    let stray = webhook_call(unknown, at(40, 0));
    let err = store
        .commit(&[Write::InsertDeliveries(vec![stray])])
        .await
        .unwrap_err();
    expect_not_found::<()>(Err(err.error), "webhook endpoint", unknown);
}

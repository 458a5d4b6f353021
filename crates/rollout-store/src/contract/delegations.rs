//! Contract cases for delegations (substitute approvers): creation and exact round-trips, the
//! user references, which arrangements cover a day (both ends inclusive, revoked ones never),
//! newest-first listings by either party, and revocation that keeps the first time.

use std::sync::Arc;

use rollout_domain::approval::Delegation;
use rollout_domain::{DelegationId, UserId};
use uuid::Uuid;

use super::fixtures::{at, audit, audit_trail, date};
use super::people::{delegation, expect_not_found, seed_delegation, seed_user};
use crate::Store;

fn sorted(mut found: Vec<Delegation>) -> Vec<DelegationId> {
    found.sort_by_key(|d| d.id);
    found.into_iter().map(|d| d.id).collect()
}

/// A delegation round-trips exactly and its creation is audited; an unknown delegator or
/// delegate is `NotFound { entity: "user", key: id }` and nothing is stored.
pub async fn delegation_create_and_lookup(store: Arc<dyn Store>) {
    let a = seed_user(&store, "a@example.jp").await;
    let b = seed_user(&store, "b@example.jp").await;
    let d = delegation(
        a.id,
        b.id,
        date(2025, 4, 1),
        date(2026, 3, 31),
        at(10, 999_999),
    );
    let entry = audit("delegation.create", "Delegation", d.id, at(10, 999_999));
    assert_eq!(store.create_delegation(&d, &entry).await.unwrap(), d);
    assert_eq!(store.delegation(d.id).await.unwrap(), Some(d.clone()));
    assert_eq!(
        store
            .delegation(DelegationId(Uuid::now_v7()))
            .await
            .unwrap(),
        None
    );
    let trail = audit_trail(&store).await;
    assert_eq!(trail.last(), Some(&entry));

    let ghost = UserId(Uuid::now_v7());
    for (from, to) in [(ghost, b.id), (a.id, ghost)] {
        let bad = delegation(from, to, date(2025, 4, 1), date(2025, 4, 2), at(11, 0));
        let entry = audit("delegation.create", "Delegation", bad.id, at(11, 0));
        expect_not_found(store.create_delegation(&bad, &entry).await, "user", ghost);
        assert_eq!(store.delegation(bad.id).await.unwrap(), None);
    }
    assert_eq!(store.list_delegations(None).await.unwrap(), vec![d]);
    assert_eq!(audit_trail(&store).await, trail);
}

/// `delegations_to(delegate, day)` gives the unrevoked arrangements to that delegate whose
/// period includes `day`, first and last day included.
pub async fn delegations_to_cover_days_inclusive(store: Arc<dyn Store>) {
    let a = seed_user(&store, "a@example.jp").await;
    let b = seed_user(&store, "b@example.jp").await;
    let c = seed_user(&store, "c@example.jp").await;
    let d_user = seed_user(&store, "d@example.jp").await;
    let ten_days = seed_delegation(
        &store,
        &delegation(a.id, b.id, date(2025, 4, 1), date(2025, 4, 10), at(1, 0)),
    )
    .await;
    let one_day = seed_delegation(
        &store,
        &delegation(c.id, b.id, date(2025, 4, 5), date(2025, 4, 5), at(2, 0)),
    )
    .await;
    seed_delegation(
        &store,
        &delegation(a.id, c.id, date(2025, 3, 1), date(2025, 5, 31), at(3, 0)),
    )
    .await;
    let revoked = seed_delegation(
        &store,
        &delegation(
            d_user.id,
            b.id,
            date(2025, 3, 1),
            date(2025, 5, 31),
            at(4, 0),
        ),
    )
    .await;
    let entry = audit("delegation.revoke", "Delegation", revoked.id, at(5, 0));
    store
        .revoke_delegation(revoked.id, at(5, 0), &entry)
        .await
        .unwrap();

    let cases = [
        (date(2025, 3, 31), vec![]),
        (date(2025, 4, 1), vec![ten_days.id]),
        (date(2025, 4, 4), vec![ten_days.id]),
        (
            date(2025, 4, 5),
            sorted(vec![ten_days.clone(), one_day.clone()]),
        ),
        (date(2025, 4, 6), vec![ten_days.id]),
        (date(2025, 4, 10), vec![ten_days.id]),
        (date(2025, 4, 11), vec![]),
    ];
    for (day, expected) in cases {
        let found = store.delegations_to(b.id, day).await.unwrap();
        assert_eq!(sorted(found), expected, "{day}");
    }
    let exact = store.delegations_to(b.id, date(2025, 4, 1)).await.unwrap();
    assert_eq!(exact, vec![ten_days]);
    assert!(
        store
            .delegations_to(a.id, date(2025, 4, 5))
            .await
            .unwrap()
            .is_empty()
    );
}

/// `list_delegations` gives those a user gave or received, or all, newest first (ties by id,
/// highest first).
pub async fn delegations_listed_newest_first(store: Arc<dyn Store>) {
    let a = seed_user(&store, "a@example.jp").await;
    let b = seed_user(&store, "b@example.jp").await;
    let c = seed_user(&store, "c@example.jp").await;
    let spec = [
        (a.id, b.id, 10, 1),
        (b.id, c.id, 30, 2),
        (c.id, a.id, 20, 3),
        (a.id, c.id, 20, 4),
    ];
    for (from, to, second, id) in spec {
        let mut d = delegation(from, to, date(2025, 4, 1), date(2025, 4, 30), at(second, 0));
        d.id = DelegationId(Uuid::from_u128(id));
        seed_delegation(&store, &d).await;
    }
    let ids = |found: Vec<Delegation>| -> Vec<u128> {
        found.into_iter().map(|d| d.id.0.as_u128()).collect()
    };
    assert_eq!(
        ids(store.list_delegations(Some(a.id)).await.unwrap()),
        [4, 3, 1]
    );
    assert_eq!(
        ids(store.list_delegations(Some(b.id)).await.unwrap()),
        [2, 1]
    );
    assert_eq!(
        ids(store.list_delegations(Some(c.id)).await.unwrap()),
        [2, 4, 3]
    );
    assert_eq!(
        ids(store.list_delegations(None).await.unwrap()),
        [2, 4, 3, 1]
    );
    let nobody = UserId(Uuid::now_v7());
    assert!(
        store
            .list_delegations(Some(nobody))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Revocation sets the time once (revoking again keeps the first and is audited again); an
/// unknown delegation is `NotFound { entity: "delegation" }`.
pub async fn delegation_revoke_keeps_first_time(store: Arc<dyn Store>) {
    let a = seed_user(&store, "a@example.jp").await;
    let b = seed_user(&store, "b@example.jp").await;
    let d = seed_delegation(
        &store,
        &delegation(a.id, b.id, date(2025, 4, 1), date(2025, 4, 30), at(1, 0)),
    )
    .await;
    let first = audit("delegation.revoke", "Delegation", d.id, at(50, 5));
    let revoked = store
        .revoke_delegation(d.id, at(50, 5), &first)
        .await
        .unwrap();
    let expected = Delegation {
        revoked_at: Some(at(50, 5)),
        ..d.clone()
    };
    assert_eq!(revoked, expected);
    let second = audit("delegation.revoke", "Delegation", d.id, at(60, 0));
    let again = store
        .revoke_delegation(d.id, at(60, 0), &second)
        .await
        .unwrap();
    assert_eq!(again, expected);
    assert_eq!(store.delegation(d.id).await.unwrap(), Some(expected));

    let ghost = DelegationId(Uuid::now_v7());
    let entry = audit("delegation.revoke", "Delegation", ghost, at(70, 0));
    expect_not_found(
        store.revoke_delegation(ghost, at(70, 0), &entry).await,
        "delegation",
        ghost,
    );
    let trail = audit_trail(&store).await;
    assert_eq!(trail[trail.len() - 2..], [first, second]);
}

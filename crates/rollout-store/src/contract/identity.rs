//! Contract cases for users and API tokens: creation and exact round-trips, the unique e-mail
//! address and secret hash, the bureau reference, replacement updates, lookups and listing
//! orders, use and revocation of tokens, and the audit entry each write leaves.

use std::sync::Arc;

use chrono::Duration;
use rollout_domain::identity::{Email, Role};
use rollout_domain::{BureauId, TokenId, UserId};
use uuid::Uuid;

use super::fixtures::{at, audit, audit_trail, seed_bureau};
use super::people::{expect_duplicate, expect_not_found, secret_hash, seed_user, token, user};
use crate::Store;

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

/// `create_user` stores every field exactly (a bureau coordinator with a bureau, a disabled
/// viewer); the user is found by id, by address and in batch, counted, and the write audited.
pub async fn user_create_and_lookups(store: Arc<dyn Store>) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    let b = seed_bureau(&store, "KANKYO").await;
    let coordinator = user(
        "Tanaka@Metro.Tokyo.lg.jp",
        Role::BureauCoordinator,
        Some(b.id),
        at(10, 123_456),
    );
    let entry = audit("user.create", "User", coordinator.id, at(10, 123_456));
    let created = store.create_user(&coordinator, &entry).await.unwrap();
    assert_eq!(created, coordinator);
    assert_eq!(created.email.as_str(), "tanaka@metro.tokyo.lg.jp");

    let mut viewer = user("viewer@example.jp", Role::Viewer, None, at(20, 1));
    viewer.disabled = true;
    viewer.display_name = "閲覧 \"専用\"".to_owned();
    let viewer_entry = audit("user.create", "User", viewer.id, at(20, 1));
    store.create_user(&viewer, &viewer_entry).await.unwrap();

    assert_eq!(
        store.user(coordinator.id).await.unwrap(),
        Some(coordinator.clone())
    );
    assert_eq!(store.user(viewer.id).await.unwrap(), Some(viewer.clone()));
    assert_eq!(store.user(UserId(Uuid::now_v7())).await.unwrap(), None);
    assert_eq!(
        store
            .user_by_email(&email("TANAKA@metro.tokyo.lg.jp"))
            .await
            .unwrap(),
        Some(coordinator.clone())
    );
    assert_eq!(
        store.user_by_email(&email("nobody@x.jp")).await.unwrap(),
        None
    );
    let mut batch = store
        .users_by_ids(&[viewer.id, UserId(Uuid::now_v7()), coordinator.id])
        .await
        .unwrap();
    batch.sort_by(|a, b| a.email.cmp(&b.email));
    assert_eq!(batch, vec![coordinator, viewer]);
    assert!(store.users_by_ids(&[]).await.unwrap().is_empty());
    assert_eq!(store.count_users().await.unwrap(), 2);

    let trail = audit_trail(&store).await;
    assert_eq!(trail[trail.len() - 2..], [entry, viewer_entry]);
}

/// A taken address is `Duplicate { entity: "user", key: email }`, on creation and on update;
/// the failed writes store nothing and leave no audit entry.
pub async fn user_duplicate_email(store: Arc<dyn Store>) {
    let first = seed_user(&store, "sato@metro.tokyo.lg.jp").await;
    let other = seed_user(&store, "suzuki@metro.tokyo.lg.jp").await;
    let before = audit_trail(&store).await;

    let again = user("sato@metro.tokyo.lg.jp", Role::Viewer, None, at(5, 0));
    let entry = audit("user.create", "User", again.id, at(5, 0));
    expect_duplicate(
        store.create_user(&again, &entry).await,
        "user",
        "sato@metro.tokyo.lg.jp",
    );
    assert_eq!(store.user(again.id).await.unwrap(), None);

    let mut taken = other.clone();
    taken.email = first.email.clone();
    let entry = audit("user.update", "User", other.id, at(6, 0));
    expect_duplicate(
        store.update_user(&taken, &entry).await,
        "user",
        "sato@metro.tokyo.lg.jp",
    );
    assert_eq!(store.user(other.id).await.unwrap(), Some(other));
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(audit_trail(&store).await, before);
}

/// An unknown bureau is `NotFound { entity: "bureau", key: id }`, on creation and on update.
pub async fn user_unknown_bureau(store: Arc<dyn Store>) {
    let ghost = BureauId(Uuid::now_v7());
    let u = user(
        "x@example.jp",
        Role::BureauCoordinator,
        Some(ghost),
        at(0, 0),
    );
    let entry = audit("user.create", "User", u.id, at(0, 0));
    expect_not_found(store.create_user(&u, &entry).await, "bureau", ghost);
    assert_eq!(store.count_users().await.unwrap(), 0);

    let existing = seed_user(&store, "y@example.jp").await;
    let moved = rollout_domain::identity::User {
        role: Role::BureauCoordinator,
        bureau_id: Some(ghost),
        ..existing.clone()
    };
    let entry = audit("user.update", "User", existing.id, at(1, 0));
    expect_not_found(store.update_user(&moved, &entry).await, "bureau", ghost);
    assert_eq!(store.user(existing.id).await.unwrap(), Some(existing));
}

/// `update_user` replaces name, address, role, bureau and the disabled flag (never the id or
/// creation time); an unknown user is `NotFound { entity: "user", key: id }`.
pub async fn user_update_replaces_fields(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "ZAIMU").await;
    let original = seed_user(&store, "old@example.jp").await;
    let changed = rollout_domain::identity::User {
        display_name: "新しい名前".to_owned(),
        email: email("new@example.jp"),
        role: Role::BureauCoordinator,
        bureau_id: Some(b.id),
        disabled: true,
        ..original.clone()
    };
    let entry = audit("user.update", "User", original.id, at(30, 0));
    assert_eq!(
        store.update_user(&changed, &entry).await.unwrap(),
        changed.clone()
    );
    assert_eq!(
        store.user(original.id).await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(
        store.user_by_email(&email("old@example.jp")).await.unwrap(),
        None
    );
    assert_eq!(audit_trail(&store).await.last(), Some(&entry));

    let back = rollout_domain::identity::User {
        role: Role::Viewer,
        bureau_id: None,
        disabled: false,
        ..changed
    };
    let entry = audit("user.update", "User", original.id, at(31, 0));
    assert_eq!(store.update_user(&back, &entry).await.unwrap(), back);
    assert_eq!(store.user(original.id).await.unwrap(), Some(back));

    let ghost = user("ghost@example.jp", Role::Viewer, None, at(0, 0));
    let entry = audit("user.update", "User", ghost.id, at(32, 0));
    expect_not_found(store.update_user(&ghost, &entry).await, "user", ghost.id);
    assert_eq!(store.count_users().await.unwrap(), 1);
}

/// `list_users` orders by address whatever the insertion order.
pub async fn users_listed_by_email(store: Arc<dyn Store>) {
    assert!(store.list_users().await.unwrap().is_empty());
    for address in ["watanabe@x.jp", "ito@x.jp", "yamamoto@x.jp", "abe@x.jp"] {
        seed_user(&store, address).await;
    }
    let listed: Vec<String> = store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email.as_str().to_owned())
        .collect();
    assert_eq!(
        listed,
        ["abe@x.jp", "ito@x.jp", "watanabe@x.jp", "yamamoto@x.jp"]
    );
    assert_eq!(store.count_users().await.unwrap(), 4);
}

/// A token round-trips; `token_by_hash` finds it with its user, an unknown hash finds nothing;
/// the creation is audited.
pub async fn token_create_and_lookup(store: Arc<dyn Store>) {
    let owner = seed_user(&store, "owner@example.jp").await;
    let mut t = token(owner.id, "reminder job", at(100, 250));
    t.expires_at = Some(at(100, 250) + Duration::days(90));
    let entry = audit("token.create", "ApiToken", t.id, at(100, 250));
    let created = store
        .create_token(&t, &secret_hash(1), &entry)
        .await
        .unwrap();
    assert_eq!(created, t);
    assert_eq!(store.token(t.id).await.unwrap(), Some(t.clone()));
    assert_eq!(store.token(TokenId(Uuid::now_v7())).await.unwrap(), None);
    assert_eq!(
        store.token_by_hash(&secret_hash(1)).await.unwrap(),
        Some((t, owner))
    );
    assert_eq!(store.token_by_hash(&secret_hash(2)).await.unwrap(), None);
    assert_eq!(audit_trail(&store).await.last(), Some(&entry));
}

/// A second token with a stored secret hash is `Duplicate { entity: "token", key: new token's
/// id }` (the hash itself is never echoed); a token of an unknown user is `NotFound { entity:
/// "user" }`. Neither is stored or audited.
pub async fn token_duplicate_hash(store: Arc<dyn Store>) {
    let owner = seed_user(&store, "owner@example.jp").await;
    let first = token(owner.id, "laptop", at(1, 0));
    let entry = audit("token.create", "ApiToken", first.id, at(1, 0));
    store
        .create_token(&first, &secret_hash(7), &entry)
        .await
        .unwrap();
    let trail = audit_trail(&store).await;

    let second = token(owner.id, "desktop", at(2, 0));
    let entry = audit("token.create", "ApiToken", second.id, at(2, 0));
    expect_duplicate(
        store.create_token(&second, &secret_hash(7), &entry).await,
        "token",
        second.id,
    );
    assert_eq!(store.token(second.id).await.unwrap(), None);

    let ghost = UserId(Uuid::now_v7());
    let orphan = token(ghost, "orphan", at(3, 0));
    let entry = audit("token.create", "ApiToken", orphan.id, at(3, 0));
    expect_not_found(
        store.create_token(&orphan, &secret_hash(8), &entry).await,
        "user",
        ghost,
    );
    assert_eq!(store.list_tokens(None).await.unwrap(), vec![first]);
    assert_eq!(audit_trail(&store).await, trail);
}

/// `touch_tokens` records the last use (later uses overwrite it; an unknown id is ignored);
/// `revoke_token` sets the revocation time once: revoking again keeps the first time, and each
/// call is audited. An unknown token is `NotFound { entity: "token" }`.
pub async fn token_touch_and_revoke(store: Arc<dyn Store>) {
    let owner = seed_user(&store, "owner@example.jp").await;
    let t = token(owner.id, "ci", at(0, 0));
    let entry = audit("token.create", "ApiToken", t.id, at(0, 0));
    store
        .create_token(&t, &secret_hash(3), &entry)
        .await
        .unwrap();

    store.touch_tokens(&[]).await.unwrap();
    store.touch_tokens(&[(t.id, at(50, 5))]).await.unwrap();
    let other = token(owner.id, "other", at(0, 0));
    let entry = audit("token.create", "ApiToken", other.id, at(0, 0));
    store
        .create_token(&other, &secret_hash(4), &entry)
        .await
        .unwrap();
    // The last call wins; an unknown token is skipped, not an error.
    store
        .touch_tokens(&[
            (t.id, at(60, 6)),
            (TokenId(Uuid::now_v7()), at(61, 0)),
            (other.id, at(62, 0)),
        ])
        .await
        .unwrap();
    let other = store.token(other.id).await.unwrap().unwrap();
    assert_eq!(other.last_used_at, Some(at(62, 0)));
    let used = store.token(t.id).await.unwrap().unwrap();
    assert_eq!(used.last_used_at, Some(at(60, 6)));
    assert_eq!(used.revoked_at, None);

    let first = audit("token.revoke", "ApiToken", t.id, at(70, 7));
    let revoked = store.revoke_token(t.id, at(70, 7), &first).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(at(70, 7)));
    assert_eq!(revoked.last_used_at, Some(at(60, 6)));
    let second = audit("token.revoke", "ApiToken", t.id, at(80, 0));
    let again = store.revoke_token(t.id, at(80, 0), &second).await.unwrap();
    assert_eq!(again.revoked_at, Some(at(70, 7)));
    let (stored, _) = store.token_by_hash(&secret_hash(3)).await.unwrap().unwrap();
    assert_eq!(stored, again);

    let ghost = TokenId(Uuid::now_v7());
    let entry = audit("token.revoke", "ApiToken", ghost, at(90, 0));
    expect_not_found(
        store.revoke_token(ghost, at(90, 0), &entry).await,
        "token",
        ghost,
    );
    let trail = audit_trail(&store).await;
    assert_eq!(trail[trail.len() - 2..], [first, second]);
}

/// `list_tokens` gives one user's tokens, or everybody's, newest first (ties by id, newest id
/// first).
pub async fn tokens_listed_newest_first(store: Arc<dyn Store>) {
    let a = seed_user(&store, "a@example.jp").await;
    let b = seed_user(&store, "b@example.jp").await;
    let mut made = Vec::new();
    for (n, (owner, when)) in [(a.id, 10), (b.id, 30), (a.id, 20), (a.id, 20), (b.id, 5)]
        .into_iter()
        .enumerate()
    {
        let mut t = token(owner, &format!("token-{n}"), at(when, 0));
        t.id = TokenId(Uuid::from_u128(n as u128 + 1));
        let entry = audit("token.create", "ApiToken", t.id, at(when, 0));
        let hash = secret_hash(n as u8 + 10);
        made.push(store.create_token(&t, &hash, &entry).await.unwrap());
    }
    let names = |tokens: Vec<rollout_domain::token::ApiToken>| -> Vec<String> {
        tokens.into_iter().map(|t| t.name).collect()
    };
    assert_eq!(
        names(store.list_tokens(Some(a.id)).await.unwrap()),
        ["token-3", "token-2", "token-0"]
    );
    assert_eq!(
        names(store.list_tokens(Some(b.id)).await.unwrap()),
        ["token-1", "token-4"]
    );
    assert_eq!(
        names(store.list_tokens(None).await.unwrap()),
        ["token-1", "token-3", "token-2", "token-0", "token-4"]
    );
    assert!(
        store
            .list_tokens(Some(UserId(Uuid::now_v7())))
            .await
            .unwrap()
            .is_empty()
    );
}

//! Contract cases for the web dashboard's sessions and language (issue 14): a session
//! round-trips every field and is found by its hash; the list holds a user's live sessions only,
//! newest first; revoking keeps the first time and names an unknown session, revoking all
//! touches only the user's live sessions; opening a session deletes that user's sessions
//! expired for more than a week; unknown users and taken hashes write nothing; the language is
//! an upsert read back per user.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rollout_domain::UserId;
use rollout_domain::reminders::Language;
use rollout_domain::web_session::WebSession;
use uuid::Uuid;

use super::fixtures::{at, audit_trail, commit_one};
use super::people::{expect_duplicate, expect_not_found, seed_user};
use crate::{EXPIRED_SESSION_RETENTION, Store, StoreError, Write};

/// A session of `user` opened at `opened` for eight hours, its hash derived from `seed`.
fn session(user: UserId, seed: u8, opened: DateTime<Utc>) -> WebSession {
    WebSession {
        id_hash: format!("{seed:02x}").repeat(32),
        user_id: user,
        csrf_token: format!("csrf-{seed}"),
        created_at: opened,
        expires_at: opened + TimeDelta::hours(8),
        revoked_at: None,
        client_addr: None,
    }
}

async fn commit(store: &Arc<dyn Store>, write: Write) -> Result<(), StoreError> {
    commit_one(store, write, "session.write").await
}

async fn open(store: &Arc<dyn Store>, s: &WebSession) {
    commit(store, Write::InsertWebSession(s.clone()))
        .await
        .unwrap();
}

async fn stored(store: &Arc<dyn Store>, s: &WebSession) -> Option<WebSession> {
    store.web_session(&s.id_hash).await.unwrap()
}

fn hashes(sessions: &[WebSession]) -> Vec<&str> {
    sessions.iter().map(|s| s.id_hash.as_str()).collect()
}

/// Every field round-trips; the list is the user's live sessions, newest first, and leaves out
/// revoked, expired and other users' sessions.
pub async fn web_session_insert_and_read(store: Arc<dyn Store>) {
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let other = seed_user(&store, "other@metro.tokyo.lg.jp").await;
    let mut full = session(u.id, 1, at(100, 123_456));
    full.client_addr = Some("2001:db8::1".into());
    full.expires_at = at(90_000, 654_321);
    let older = session(u.id, 2, at(50, 0));
    let expired = session(u.id, 3, at(0, 0) - TimeDelta::hours(9));
    let revoked = session(u.id, 4, at(60, 0));
    let others = session(other.id, 5, at(70, 0));
    for s in [&full, &older, &expired, &revoked, &others] {
        open(&store, s).await;
    }
    commit(
        &store,
        Write::RevokeWebSession {
            id_hash: revoked.id_hash.clone(),
            at: at(200, 0),
        },
    )
    .await
    .unwrap();

    assert_eq!(stored(&store, &full).await, Some(full.clone()));
    assert_eq!(
        stored(&store, &expired).await,
        Some(expired.clone()),
        "kept"
    );
    assert_eq!(store.web_session(&"ff".repeat(32)).await.unwrap(), None);

    let live = store.web_sessions_of(u.id, at(300, 0)).await.unwrap();
    assert_eq!(live, [full.clone(), older.clone()], "newest first");
    // At the expiry instant a session is no longer live.
    let later = store.web_sessions_of(u.id, older.expires_at).await.unwrap();
    assert_eq!(hashes(&later), [full.id_hash.as_str()]);
    let nobody = UserId(Uuid::from_u128(9));
    assert!(
        store
            .web_sessions_of(nobody, at(0, 0))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Revoking sets the time once (a second revocation keeps the first); an unknown session is
/// `NotFound` and its batch, audit entry included, writes nothing.
pub async fn web_session_revoke_once(store: Arc<dyn Store>) {
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let s = session(u.id, 1, at(100, 0));
    open(&store, &s).await;
    for when in [at(200, 7), at(300, 0)] {
        commit(
            &store,
            Write::RevokeWebSession {
                id_hash: s.id_hash.clone(),
                at: when,
            },
        )
        .await
        .unwrap();
    }
    let revoked = stored(&store, &s).await.unwrap();
    assert_eq!(
        revoked.revoked_at,
        Some(at(200, 7)),
        "the first time is kept"
    );
    assert!(!revoked.is_live(at(250, 0)));

    let trail = audit_trail(&store).await.len();
    expect_not_found(
        commit(
            &store,
            Write::RevokeWebSession {
                id_hash: "ee".repeat(32),
                at: at(300, 0),
            },
        )
        .await,
        "web session",
        "",
    );
    assert_eq!(audit_trail(&store).await.len(), trail, "nothing written");
}

/// Revoking a user's sessions revokes the live ones at that instant only: expired, already
/// revoked and other users' sessions keep what they had; a user without sessions is no error.
pub async fn web_sessions_revoke_all(store: Arc<dyn Store>) {
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let other = seed_user(&store, "other@metro.tokyo.lg.jp").await;
    let a = session(u.id, 1, at(100, 0));
    let b = session(u.id, 2, at(200, 0));
    let expired = session(u.id, 3, at(0, 0) - TimeDelta::hours(9));
    let earlier = session(u.id, 4, at(50, 0));
    let others = session(other.id, 5, at(100, 0));
    for s in [&a, &b, &expired, &earlier, &others] {
        open(&store, s).await;
    }
    commit(
        &store,
        Write::RevokeWebSession {
            id_hash: earlier.id_hash.clone(),
            at: at(60, 0),
        },
    )
    .await
    .unwrap();
    let now = at(1_000, 0);
    commit(
        &store,
        Write::RevokeUserWebSessions {
            user: u.id,
            at: now,
        },
    )
    .await
    .unwrap();

    assert_eq!(stored(&store, &a).await.unwrap().revoked_at, Some(now));
    assert_eq!(stored(&store, &b).await.unwrap().revoked_at, Some(now));
    assert_eq!(stored(&store, &expired).await.unwrap().revoked_at, None);
    assert_eq!(
        stored(&store, &earlier).await.unwrap().revoked_at,
        Some(at(60, 0))
    );
    assert_eq!(stored(&store, &others).await.unwrap().revoked_at, None);
    assert!(store.web_sessions_of(u.id, now).await.unwrap().is_empty());
    assert_eq!(
        store.web_sessions_of(other.id, now).await.unwrap(),
        [others]
    );

    let lonely = seed_user(&store, "lonely@metro.tokyo.lg.jp").await;
    commit(
        &store,
        Write::RevokeUserWebSessions {
            user: lonely.id,
            at: now,
        },
    )
    .await
    .unwrap();
}

/// Opening a session deletes that user's sessions that expired more than
/// [`EXPIRED_SESSION_RETENTION`] before it opened, and nothing else.
pub async fn web_session_housekeeping(store: Arc<dyn Store>) {
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let other = seed_user(&store, "other@metro.tokyo.lg.jp").await;
    let opened = at(1_000_000, 0);
    let cutoff = opened - EXPIRED_SESSION_RETENTION;
    let expiring = |user, seed, expires_at: DateTime<Utc>| {
        let mut s = session(user, seed, expires_at - TimeDelta::hours(8));
        s.expires_at = expires_at;
        s
    };
    let stale = expiring(u.id, 1, cutoff - TimeDelta::microseconds(1));
    let stale_revoked = expiring(u.id, 2, cutoff - TimeDelta::days(3));
    let recent = expiring(u.id, 3, cutoff);
    let others_stale = expiring(other.id, 4, cutoff - TimeDelta::days(1));
    for s in [&stale, &stale_revoked, &recent, &others_stale] {
        open(&store, s).await;
    }
    commit(
        &store,
        Write::RevokeWebSession {
            id_hash: stale_revoked.id_hash.clone(),
            at: stale_revoked.created_at,
        },
    )
    .await
    .unwrap();

    let new = session(u.id, 9, opened);
    open(&store, &new).await;
    assert_eq!(stored(&store, &stale).await, None, "deleted");
    assert_eq!(stored(&store, &stale_revoked).await, None, "deleted");
    assert_eq!(stored(&store, &recent).await, Some(recent.clone()), "kept");
    assert_eq!(
        stored(&store, &others_stale).await,
        Some(others_stale),
        "another user's"
    );
    assert_eq!(stored(&store, &new).await, Some(new));
}

/// A session of an unknown user is `NotFound { user }`, a taken hash `Duplicate { web session }`
/// keyed by the user (never by the hash); either batch writes nothing, not even its
/// housekeeping.
pub async fn web_session_writes_need_their_user(store: Arc<dyn Store>) {
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let expired = session(u.id, 1, at(0, 0));
    open(&store, &expired).await;
    let trail = audit_trail(&store).await.len();

    let ghost = UserId(Uuid::from_u128(8));
    expect_not_found(
        commit(
            &store,
            Write::InsertWebSession(session(ghost, 2, at(10, 0))),
        )
        .await,
        "user",
        ghost,
    );
    assert_eq!(audit_trail(&store).await.len(), trail, "nothing written");

    // A taken hash, in a batch whose housekeeping would delete `expired`: the refusal rolls
    // the deletion back with the rest.
    let mut live = session(u.id, 3, at(100, 0));
    live.expires_at = at(0, 0) + TimeDelta::days(60);
    open(&store, &live).await;
    let trail = audit_trail(&store).await.len();
    let mut clash = session(u.id, 3, at(0, 0) + TimeDelta::days(30));
    clash.csrf_token = "another".into();
    expect_duplicate(
        commit(&store, Write::InsertWebSession(clash)).await,
        "web session",
        u.id,
    );
    assert_eq!(
        stored(&store, &live).await,
        Some(live.clone()),
        "not overwritten"
    );
    assert_eq!(
        stored(&store, &expired).await,
        Some(expired),
        "housekeeping undone"
    );
    assert_eq!(audit_trail(&store).await.len(), trail, "nothing written");
}

/// The language is absent until chosen, then the latest choice; it is per user, and an unknown
/// user's is `NotFound` and writes nothing.
pub async fn user_language_upsert(store: Arc<dyn Store>) {
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let other = seed_user(&store, "other@metro.tokyo.lg.jp").await;
    assert_eq!(store.user_language(u.id).await.unwrap(), None);
    for language in [Language::En, Language::Ja, Language::En] {
        commit(
            &store,
            Write::SetLanguage {
                user_id: u.id,
                language,
            },
        )
        .await
        .unwrap();
        assert_eq!(store.user_language(u.id).await.unwrap(), Some(language));
    }
    assert_eq!(store.user_language(other.id).await.unwrap(), None);

    let trail = audit_trail(&store).await.len();
    let ghost = UserId(Uuid::from_u128(8));
    expect_not_found(
        commit(
            &store,
            Write::SetLanguage {
                user_id: ghost,
                language: Language::En,
            },
        )
        .await,
        "user",
        ghost,
    );
    assert_eq!(store.user_language(ghost).await.unwrap(), None);
    assert_eq!(audit_trail(&store).await.len(), trail);
}

//! The cache on a real (SQLite) store and a fixed clock: what is served from it, for how long,
//! what drops it, and its bound.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rollout_domain::identity::{Email, Role, User};
use rollout_domain::token::{ApiToken, TokenHash};
use rollout_domain::workflow::default_workflow;
use rollout_domain::{BureauCode, BureauId, NewBureau, TokenId, UserId};
use rollout_store_sqlite::SqliteStore;

use super::{CACHE_TTL, CacheChange, TOKEN_CACHE_CAPACITY};
use crate::audit::Target;
use crate::{Actor, App, AppError, CreateBureau, CreateUser, FixedClock, UpdateUser};

fn start() -> DateTime<Utc> {
    "2026-06-15T03:00:00Z".parse().unwrap()
}

async fn app() -> (App, Arc<FixedClock>) {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(FixedClock::new(start()));
    let app = App::new(Arc::new(store), default_workflow(), clock.clone());
    (app, clock)
}

/// A user with a token; returns the token and its secret.
async fn token(app: &App, expires_at: Option<DateTime<Utc>>) -> (ApiToken, String) {
    let system = Actor::system("test");
    let user = app
        .create_user(
            &system,
            CreateUser {
                display_name: "Tester".into(),
                email: "tester@example.jp".into(),
                role: Role::Admin,
                bureau_code: None,
            },
        )
        .await
        .unwrap();
    let issued = app
        .create_token(&system, Some(user.id), "t", expires_at)
        .await
        .unwrap();
    (issued.token, issued.secret.expose().to_owned())
}

/// Revokes behind the app's back, as another replica would.
async fn revoke_in_store(app: &App, id: TokenId) {
    let audit = app.audit_entry(
        &Actor::system("test"),
        "token.revoke",
        &Target::new("ApiToken", id),
        None,
        None,
    );
    app.store()
        .revoke_token(id, app.now(), &audit)
        .await
        .unwrap();
}

fn refused(result: Result<User, AppError>) -> bool {
    matches!(result, Err(AppError::Unauthenticated { .. }))
}

#[tokio::test]
async fn a_verified_token_is_trusted_for_the_ttl_then_read_again() {
    let (app, clock) = app().await;
    let (token, secret) = token(&app, None).await;
    app.authenticate_token(&secret).await.unwrap();
    revoke_in_store(&app, token.id).await;
    clock.advance(CACHE_TTL - TimeDelta::milliseconds(1));
    assert!(
        app.authenticate_token(&secret).await.is_ok(),
        "served from the cache"
    );
    clock.advance(TimeDelta::milliseconds(1));
    assert!(refused(app.authenticate_token(&secret).await));
}

#[tokio::test]
async fn expiry_is_honoured_on_a_hit() {
    let (app, clock) = app().await;
    let (_, secret) = token(&app, Some(start() + TimeDelta::seconds(2))).await;
    app.authenticate_token(&secret).await.unwrap();
    clock.advance(TimeDelta::seconds(2));
    let result = app.authenticate_token(&secret).await;
    assert!(
        matches!(&result, Err(AppError::Unauthenticated { message }) if message.contains("expired")),
        "{result:?}"
    );
}

#[tokio::test]
async fn revoking_or_disabling_through_the_app_takes_effect_at_once() {
    let (app, _clock) = app().await;
    let (token, secret) = token(&app, None).await;
    app.authenticate_token(&secret).await.unwrap();
    app.revoke_token(&Actor::system("test"), token.id)
        .await
        .unwrap();
    assert!(refused(app.authenticate_token(&secret).await));

    let system = Actor::system("test");
    let other = app
        .create_token(&system, Some(token.user_id), "u", None)
        .await
        .unwrap();
    let secret = other.secret.expose().to_owned();
    app.authenticate_token(&secret).await.unwrap();
    let disable = UpdateUser {
        disabled: Some(true),
        ..UpdateUser::default()
    };
    app.update_user(&system, token.user_id, disable)
        .await
        .unwrap();
    assert!(refused(app.authenticate_token(&secret).await));
}

#[tokio::test]
async fn a_notified_change_drops_the_entry_and_a_read_begun_before_it_is_not_cached() {
    let (app, _clock) = app().await;
    let (token, secret) = token(&app, None).await;
    app.authenticate_token(&secret).await.unwrap();
    revoke_in_store(&app, token.id).await;
    app.apply_cache_change(CacheChange::User(token.user_id));
    assert!(refused(app.authenticate_token(&secret).await));

    let hash = rollout_auth::hash_secret(&secret);
    let generation = app.token_generation();
    app.apply_cache_change(CacheChange::Token(TokenId(uuid::Uuid::nil())));
    let user = app.store().user(token.user_id).await.unwrap().unwrap();
    app.cache_token(hash.clone(), token, user, generation);
    assert_eq!(app.cached_token(&hash), None);
}

fn fake(n: u128) -> (TokenHash, ApiToken, User) {
    let user = User {
        id: UserId(uuid::Uuid::from_u128(n)),
        display_name: "x".into(),
        email: Email::parse("x@example.jp").unwrap(),
        role: Role::Viewer,
        bureau_id: None,
        disabled: false,
        created_at: start(),
    };
    let token = ApiToken {
        id: TokenId(uuid::Uuid::from_u128(n)),
        user_id: user.id,
        name: "t".into(),
        prefix: "p".into(),
        created_at: start(),
        expires_at: None,
        last_used_at: None,
        revoked_at: None,
    };
    (TokenHash(n.to_string()), token, user)
}

#[tokio::test]
async fn the_token_cache_is_bounded_and_evicts_the_oldest() {
    let (app, _clock) = app().await;
    let total = TOKEN_CACHE_CAPACITY as u128 * 3;
    for n in 0..total {
        let (hash, token, user) = fake(n);
        // Invalidations in between leave stale keys in the eviction order.
        if n % 7 == 0 {
            app.apply_cache_change(CacheChange::Token(token.id));
        }
        app.cache_token(hash, token, user, app.token_generation());
    }
    let tokens = super::lock(&app.caches.shared.tokens);
    assert_eq!(tokens.entries.len(), TOKEN_CACHE_CAPACITY);
    assert!(tokens.order.len() <= 2 * TOKEN_CACHE_CAPACITY);
    drop(tokens);
    assert!(app.cached_token(&fake(0).0).is_none(), "the oldest went");
    assert!(app.cached_token(&fake(total - 1).0).is_some());
}

#[tokio::test]
async fn uses_are_written_by_the_flush_once_a_minute_per_token() {
    let (app, clock) = app().await;
    let (token, secret) = token(&app, None).await;
    app.authenticate_token(&secret).await.unwrap();
    app.authenticate_token(&secret).await.unwrap();
    assert_eq!(
        app.store()
            .token(token.id)
            .await
            .unwrap()
            .unwrap()
            .last_used_at,
        None
    );
    assert_eq!(app.flush_token_uses().await, 1);
    let stored = app.store().token(token.id).await.unwrap().unwrap();
    assert_eq!(stored.last_used_at, Some(start()));
    clock.advance(TimeDelta::seconds(30));
    app.authenticate_token(&secret).await.unwrap();
    assert_eq!(app.flush_token_uses().await, 0, "within the minute");
    clock.advance(TimeDelta::seconds(31));
    app.authenticate_token(&secret).await.unwrap();
    assert_eq!(app.flush_token_uses().await, 1);
}

#[tokio::test]
async fn bureaus_are_cached_reloaded_on_change_and_on_a_miss() {
    let (app, clock) = app().await;
    let system = Actor::system("test");
    let create = |code: &str| CreateBureau {
        code: code.into(),
        name_ja: "局".into(),
        name_en: "Bureau".into(),
    };
    let kankyo = app.create_bureau(&system, create("KANKYO")).await.unwrap();
    assert_eq!(
        app.bureaus_by_ids(&[kankyo.id]).await.unwrap(),
        std::slice::from_ref(&kankyo)
    );
    let first = app.bureau_directory().await.unwrap();
    clock.advance(CACHE_TTL - TimeDelta::milliseconds(1));
    assert!(Arc::ptr_eq(&first, &app.bureau_directory().await.unwrap()));

    let fukushi = app.create_bureau(&system, create("FUKUSHI")).await.unwrap();
    let code = BureauCode::parse("FUKUSHI").unwrap();
    assert_eq!(app.bureau_by_code(&code).await.unwrap(), Some(fukushi));

    // Created behind the app's back (another replica, its notification not yet here).
    let audit = app.audit_entry(
        &system,
        "bureau.create",
        &Target::kind("Bureau"),
        None,
        None,
    );
    let new = NewBureau {
        code: BureauCode::parse("KOWAN").unwrap(),
        name_ja: "港湾局".into(),
        name_en: "Port".into(),
    };
    let id = BureauId(uuid::Uuid::now_v7());
    let kowan = app.store().create_bureau(id, new, &audit).await.unwrap();
    assert_eq!(app.bureaus_by_ids(&[kankyo.id, id]).await.unwrap().len(), 2);
    assert_eq!(app.bureau_by_code(&kowan.code).await.unwrap(), Some(kowan));
    let unknown = BureauCode::parse("NOPE").unwrap();
    assert_eq!(app.bureau_by_code(&unknown).await.unwrap(), None);
}

#[test]
fn changes_survive_the_wire_and_nothing_else_parses() {
    let id = uuid::Uuid::from_u128(7);
    for change in [
        CacheChange::Token(TokenId(id)),
        CacheChange::User(UserId(id)),
        CacheChange::Bureaus,
        CacheChange::Everything,
    ] {
        assert_eq!(CacheChange::from_wire(&change.to_wire()), Some(change));
    }
    for bad in ["", "token:", "user:x", "bureau", "token:1:2", "everything:"] {
        assert_eq!(CacheChange::from_wire(bad), None, "{bad}");
    }
}

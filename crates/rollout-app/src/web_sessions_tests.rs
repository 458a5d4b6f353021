//! The web session use cases on a real (SQLite) store and a fixed clock: what a session gives
//! and for how long, who may open, close, list and revoke sessions, and what the trail records.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rollout_domain::UserId;
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::identity::Role;
use rollout_domain::reminders::Language;
use rollout_domain::workflow::default_workflow;
use rollout_store::{AuditFilter, PageRequest};
use rollout_store_sqlite::SqliteStore;

use crate::{Actor, App, AppError, CreateUser, FixedClock, RequestMeta, UpdateUser};

const TTL: TimeDelta = TimeDelta::hours(8);

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

async fn person(app: &App, email: &str, role: Role) -> Actor {
    let user = app
        .create_user(
            &Actor::system("test"),
            CreateUser {
                display_name: "Tester".into(),
                email: email.into(),
                role,
                bureau_code: None,
            },
        )
        .await
        .unwrap();
    Actor::user(user, from("192.0.2.7"))
}

fn from(addr: &str) -> RequestMeta {
    RequestMeta {
        request_id: Some("req-1".into()),
        client_addr: Some(addr.into()),
    }
}

fn id(actor: &Actor) -> UserId {
    actor.user_id().unwrap()
}

/// The trail's entries with `action`, oldest first.
async fn trail(app: &App, action: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..AuditFilter::default()
    };
    let page = PageRequest {
        first: 100,
        after: None,
        with_total: false,
    };
    app.store().list_audit(&filter, &page).await.unwrap().items
}

#[tokio::test]
async fn an_opened_session_gives_its_user_until_it_expires() {
    let (app, clock) = app().await;
    let viewer = person(&app, "viewer@example.jp", Role::Viewer).await;
    let opened = app.open_web_session(&viewer, TTL).await.unwrap();
    let secret = opened.secret.expose().to_owned();
    assert_eq!(secret.len(), 43);
    assert_eq!(
        opened.session.id_hash,
        rollout_auth::hash_secret(&secret).0,
        "only the hash is kept"
    );
    assert_eq!(opened.session.expires_at, start() + TTL);
    assert_eq!(opened.session.client_addr.as_deref(), Some("192.0.2.7"));
    assert_eq!(opened.session.csrf_token.len(), 43);
    assert_ne!(opened.session.csrf_token, secret);

    let (actor, session) = app
        .web_session_actor(&secret, from("198.51.100.1"))
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(actor.user, viewer.user);
    assert_eq!(actor.meta, from("198.51.100.1"), "the request's meta");
    assert_eq!(session, opened.session);

    let entries = trail(&app, "session.open").await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e.target_type.as_str(), e.target_id.clone(), e.outcome),
        ("User", Some(id(&viewer).to_string()), AuditOutcome::Success)
    );
    let after = e.after.as_deref().unwrap();
    assert!(
        !after.contains(&secret) && !after.contains(&session.id_hash),
        "{after}"
    );
    assert!(!after.contains(&session.csrf_token), "{after}");

    clock.advance(TTL - TimeDelta::microseconds(1));
    assert!(
        app.web_session_actor(&secret, from("x"))
            .await
            .unwrap()
            .is_some()
    );
    clock.advance(TimeDelta::microseconds(1));
    assert!(
        app.web_session_actor(&secret, from("x"))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        app.web_session_actor("forged", from("x"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_disabled_user_has_no_session_and_cannot_open_one() {
    let (app, _) = app().await;
    let viewer = person(&app, "viewer@example.jp", Role::Viewer).await;
    let opened = app.open_web_session(&viewer, TTL).await.unwrap();
    let disable = UpdateUser {
        disabled: Some(true),
        ..UpdateUser::default()
    };
    let user = app
        .update_user(&Actor::system("test"), id(&viewer), disable)
        .await
        .unwrap();
    let found = app
        .web_session_actor(opened.secret.expose(), RequestMeta::default())
        .await
        .unwrap();
    assert!(found.is_none());
    let disabled = Actor::user(user, RequestMeta::default());
    assert!(matches!(
        app.open_web_session(&disabled, TTL).await,
        Err(AppError::Forbidden { .. })
    ));
}

#[tokio::test]
async fn only_people_who_may_read_open_sessions() {
    let (app, _) = app().await;
    assert!(matches!(
        app.open_web_session(&Actor::system("test"), TTL).await,
        Err(AppError::Unauthenticated { .. })
    ));
    let intake = person(&app, "intake@example.jp", Role::ReviewIntake).await;
    assert!(matches!(
        app.open_web_session(&intake, TTL).await,
        Err(AppError::Forbidden { .. })
    ));
    let refused = trail(&app, "session.open").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].outcome, AuditOutcome::Forbidden);

    let viewer = person(&app, "viewer@example.jp", Role::Viewer).await;
    for ttl in [TimeDelta::zero(), TimeDelta::MAX] {
        assert!(matches!(
            app.open_web_session(&viewer, ttl).await,
            Err(AppError::Validation(_))
        ));
    }
}

#[tokio::test]
async fn signing_out_revokes_ones_own_session_once() {
    let (app, clock) = app().await;
    let viewer = person(&app, "viewer@example.jp", Role::Viewer).await;
    let other = person(&app, "other@example.jp", Role::Viewer).await;
    let mine = app.open_web_session(&viewer, TTL).await.unwrap();
    let theirs = app.open_web_session(&other, TTL).await.unwrap();

    assert!(matches!(
        app.close_web_session(&viewer, theirs.secret.expose()).await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        app.close_web_session(&viewer, "forged").await,
        Err(AppError::NotFound { .. })
    ));
    clock.advance(TimeDelta::minutes(5));
    app.close_web_session(&viewer, mine.secret.expose())
        .await
        .unwrap();
    let found = app
        .web_session_actor(mine.secret.expose(), RequestMeta::default())
        .await
        .unwrap();
    assert!(found.is_none(), "revoked");
    let stored = app
        .store()
        .web_session(&mine.session.id_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.revoked_at, Some(start() + TimeDelta::minutes(5)));

    clock.advance(TimeDelta::minutes(5));
    app.close_web_session(&viewer, mine.secret.expose())
        .await
        .unwrap();
    assert_eq!(trail(&app, "session.close").await.len(), 1, "once");
    let still = app
        .web_session_actor(theirs.secret.expose(), RequestMeta::default())
        .await
        .unwrap();
    assert!(still.is_some(), "another's session is untouched");
}

#[tokio::test]
async fn admins_list_and_revoke_a_users_sessions() {
    let (app, _) = app().await;
    let admin = person(&app, "admin@example.jp", Role::Admin).await;
    let viewer = person(&app, "viewer@example.jp", Role::Viewer).await;
    let office = person(&app, "po@example.jp", Role::ProjectOffice).await;
    let first = app.open_web_session(&viewer, TTL).await.unwrap();
    let second = app.open_web_session(&viewer, TTL).await.unwrap();

    let own = app.web_sessions_of(&viewer, id(&viewer)).await.unwrap();
    assert_eq!(own.len(), 2);
    let seen = app.web_sessions_of(&admin, id(&viewer)).await.unwrap();
    assert_eq!(seen, own);
    assert!(matches!(
        app.web_sessions_of(&office, id(&viewer)).await,
        Err(AppError::Forbidden { .. })
    ));

    assert!(matches!(
        app.revoke_web_sessions(&office, id(&viewer)).await,
        Err(AppError::Forbidden { .. })
    ));
    let refused = trail(&app, "session.revoke_all").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].outcome, AuditOutcome::Forbidden);

    assert_eq!(
        app.revoke_web_sessions(&admin, id(&viewer)).await.unwrap(),
        2
    );
    for s in [&first, &second] {
        let found = app
            .web_session_actor(s.secret.expose(), RequestMeta::default())
            .await
            .unwrap();
        assert!(found.is_none());
    }
    assert_eq!(
        app.revoke_web_sessions(&admin, id(&viewer)).await.unwrap(),
        0
    );
    let done = trail(&app, "session.revoke_all").await;
    assert_eq!(done.len(), 2, "the refusal and one revocation");
    assert_eq!(done[1].after.as_deref(), Some(r#"{"revoked":2}"#));

    let ghost = UserId(uuid::Uuid::nil());
    assert!(matches!(
        app.revoke_web_sessions(&admin, ghost).await,
        Err(AppError::NotFound { entity: "user", .. })
    ));
}

#[tokio::test]
async fn the_language_is_absent_until_chosen() {
    let (app, _) = app().await;
    let viewer = person(&app, "viewer@example.jp", Role::Viewer).await;
    assert_eq!(app.language_of(id(&viewer)).await.unwrap(), None);
    assert_eq!(app.my_language(&viewer).await.unwrap(), Language::Ja);
    app.set_my_language(&viewer, Language::En).await.unwrap();
    assert_eq!(
        app.language_of(id(&viewer)).await.unwrap(),
        Some(Language::En)
    );
    assert_eq!(app.my_language(&viewer).await.unwrap(), Language::En);
}

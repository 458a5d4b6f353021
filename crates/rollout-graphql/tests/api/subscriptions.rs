//! `procedureEvents`: the subscription stream executed directly against the schema while
//! mutations run, and the app's events underneath it. Each stream is polled once before the
//! change it waits for: the first poll runs the resolver up to its first wait, by which time it
//! has subscribed, so no event can slip by and no test sleeps.

use std::time::Duration;

use async_graphql::futures_util::stream::BoxStream;
use async_graphql::futures_util::{FutureExt, StreamExt};
use async_graphql::{Request, Response, Variables};
use chrono::TimeDelta;
use rollout_app::events::next_event;
use rollout_app::{Actor, AppError, CreateProcedure, EventKind};
use rollout_domain::identity::{Role, User};
use rollout_domain::{Authority, Category};
use rollout_store::PageRequest;
use serde_json::{Value, json};

use crate::approvals::{WITHDRAW, approve_as, ready_to_release};
use crate::harness::{Api, actor, errors_of};

const EVENTS: &str = "subscription($filter: ProcedureEventFilter) {
    procedureEvents(filter: $filter) {
        kind procedureVersion at actor
        procedure { code version state { key } }
        record { from to transition actor procedureVersion }
        approvalRequest { id status }
    }
}";

/// How long a test waits for an event that must come.
const PATIENCE: Duration = Duration::from_secs(5);

/// A running `procedureEvents` subscription.
struct Events {
    stream: BoxStream<'static, Response>,
}

impl Events {
    /// Subscribes as `user` with `filter`; returns once the resolver listens.
    fn start(api: &Api, user: &User, filter: Value) -> Self {
        let request = Request::new(EVENTS)
            .variables(Variables::from_json(json!({ "filter": filter })))
            .data(actor(user));
        let mut stream = api.schema.execute_stream(request);
        assert!(
            stream.next().now_or_never().is_none(),
            "nothing has happened yet, so there is nothing to deliver"
        );
        Self { stream }
    }

    /// The next event, which must arrive without errors.
    async fn next(&mut self) -> Value {
        let response = tokio::time::timeout(PATIENCE, self.stream.next())
            .await
            .expect("no event arrived in time")
            .expect("the subscription ended");
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response.data.into_json().unwrap()["procedureEvents"].clone()
    }
}

/// The first response of a subscription that must be refused.
async fn refused(api: &Api, user: Option<&User>, filter: Value) -> Vec<(String, Option<String>)> {
    let mut request =
        Request::new(EVENTS).variables(Variables::from_json(json!({ "filter": filter })));
    if let Some(user) = user {
        request = request.data(actor(user));
    }
    let mut stream = api.schema.execute_stream(request);
    let first = tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("a refusal arrives at once")
        .expect("a refusal is one response");
    errors_of(first)
}

async fn two_bureaus(api: &Api) -> (Value, Value) {
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    let quarter = json!({"targetQuarter": "FY2026-Q2"});
    let kankyo = api
        .create_procedure("KANKYO-0001", "KANKYO", quarter.clone())
        .await;
    let fukushi = api
        .create_procedure("FUKUSHI-0001", "FUKUSHI", quarter)
        .await;
    (kankyo["id"].clone(), fukushi["id"].clone())
}

fn schedule(id: &Value, version: i64) -> Value {
    json!({"procedureId": id, "to": "scheduled", "expectedVersion": version})
}

#[tokio::test]
async fn a_transition_reaches_subscribers_of_its_bureau_only() {
    let api = Api::new().await;
    let (kankyo, fukushi) = two_bureaus(&api).await;
    let mut events = Events::start(&api, &api.po, json!({"bureauCodes": ["KANKYO"]}));

    let other = api.transition(schedule(&fukushi, 1)).await;
    assert_eq!(other["errors"], json!([]));
    let moved = api.transition(schedule(&kankyo, 1)).await;
    assert_eq!(moved["errors"], json!([]));

    assert_eq!(
        events.next().await,
        json!({"kind": "TRANSITIONED", "procedureVersion": 2, "at": "2026-06-15T03:00:00Z",
               "actor": "po@example.jp",
               "procedure": {"code": "KANKYO-0001", "version": 2, "state": {"key": "scheduled"}},
               "record": {"from": "hearing", "to": "scheduled", "transition": "schedule",
                          "actor": "po@example.jp", "procedureVersion": 2},
               "approvalRequest": null}),
        "the FUKUSHI transition, committed first, was filtered out"
    );
}

#[tokio::test]
async fn creation_update_and_kinds_filter_and_replays_publish_nothing() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let mut all = Events::start(&api, &api.po, json!(null));
    let mut updates = Events::start(&api, &api.po, json!({"kinds": ["UPDATED"]}));

    let p = api
        .create_procedure(
            "KANKYO-0001",
            "KANKYO",
            json!({"targetQuarter": "FY2026-Q2"}),
        )
        .await;
    let created = all.next().await;
    assert_eq!(
        (
            &created["kind"],
            &created["procedureVersion"],
            &created["record"]
        ),
        (
            &json!("CREATED"),
            &json!(1),
            &json!({"from": null, "to": "hearing", "transition": "create",
                    "actor": "po@example.jp", "procedureVersion": 1})
        )
    );

    let keyed = json!({"procedureId": p["id"], "to": "scheduled", "expectedVersion": 1,
                       "idempotencyKey": "sub-test-1"});
    assert_eq!(api.transition(keyed.clone()).await["replayed"], false);
    assert_eq!(api.transition(keyed).await["replayed"], true);
    let renamed = api
        .update(json!({"id": p["id"], "expectedVersion": 2, "name": "改名"}))
        .await;
    assert_eq!(renamed["errors"], json!([]));

    assert_eq!(all.next().await["kind"], "TRANSITIONED");
    let update = all.next().await;
    assert_eq!(
        (
            &update["kind"],
            &update["procedureVersion"],
            &update["record"]
        ),
        (&json!("UPDATED"), &json!(3), &json!(null)),
        "the replayed transition published nothing"
    );
    let only = updates.next().await;
    assert_eq!(
        (&only["kind"], &only["procedure"]["code"]),
        (&json!("UPDATED"), &json!("KANKYO-0001")),
        "creation and transition are not UPDATED events"
    );
}

#[tokio::test]
async fn a_release_by_approval_is_a_request_a_decision_and_a_transition() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let office = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let id = ready_to_release(&api, "KANKYO-0001").await;
    let mut events = Events::start(&api, &api.po, json!({"procedureId": id}));

    let asked = api
        .transition(json!({"procedureId": id, "to": "released", "expectedVersion": 4}))
        .await;
    let request_id = asked["approvalRequest"]["id"].clone();
    let requested = events.next().await;
    assert_eq!(
        (
            &requested["kind"],
            &requested["procedureVersion"],
            &requested["record"]
        ),
        (&json!("APPROVAL_REQUESTED"), &json!(4), &json!(null))
    );
    assert_eq!(
        requested["approvalRequest"],
        json!({"id": request_id, "status": "PENDING"})
    );

    assert_eq!(
        approve_as(&api, &office, &request_id).await["errors"],
        json!([])
    );
    let decided = events.next().await;
    assert_eq!(
        (
            &decided["kind"],
            &decided["procedureVersion"],
            &decided["actor"]
        ),
        (
            &json!("APPROVAL_DECIDED"),
            &json!(5),
            &json!("po2@example.jp")
        )
    );
    assert_eq!(
        decided["approvalRequest"],
        json!({"id": request_id, "status": "APPROVED"})
    );
    assert_eq!(decided["record"]["to"], "released");
    let moved = events.next().await;
    assert_eq!(
        (&moved["kind"], &moved["procedure"]["state"]["key"]),
        (&json!("TRANSITIONED"), &json!("released"))
    );
    assert_eq!(
        (&moved["record"]["actor"], &moved["approvalRequest"]["id"]),
        (&json!("po@example.jp"), &request_id),
        "the record names the requester, the event the approval behind it"
    );
}

#[tokio::test]
async fn withdrawn_and_expired_requests_are_decisions_that_move_nothing() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let id = ready_to_release(&api, "KANKYO-0001").await;
    let mut events = Events::start(
        &api,
        &api.po,
        json!({"procedureId": id, "kinds": ["APPROVAL_DECIDED"]}),
    );
    let release = json!({"procedureId": id, "to": "released", "expectedVersion": 4});

    let first = api.transition(release.clone()).await["approvalRequest"]["id"].clone();
    let withdrawn = api.data(WITHDRAW, json!({"input": {"id": first}})).await;
    assert_eq!(withdrawn["withdrawRequest"]["errors"], json!([]));
    let event = events.next().await;
    assert_eq!(
        (
            &event["actor"],
            &event["procedureVersion"],
            &event["record"]
        ),
        (&json!("po@example.jp"), &json!(4), &json!(null))
    );
    assert_eq!(
        event["approvalRequest"],
        json!({"id": first, "status": "WITHDRAWN"})
    );

    let second = api.transition(release).await["approvalRequest"]["id"].clone();
    api.clock.advance(TimeDelta::days(15));
    assert_eq!(api.app.expire_due_approvals().await.unwrap(), 1);
    let event = events.next().await;
    assert_eq!(
        (
            &event["actor"],
            &event["at"],
            &event["procedure"]["version"]
        ),
        (
            &json!("system:expiry"),
            &json!("2026-06-30T03:00:00Z"),
            &json!(4)
        )
    );
    assert_eq!(
        event["approvalRequest"],
        json!({"id": second, "status": "EXPIRED"})
    );
}

#[tokio::test]
async fn subscribing_needs_an_actor_and_a_sound_filter() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let anonymous = refused(&api, None, json!(null)).await;
    assert_eq!(anonymous.len(), 1, "{anonymous:?}");
    assert_eq!(anonymous[0].1.as_deref(), Some("UNAUTHENTICATED"));

    for (filter, message) in [
        (
            json!({"bureauCodes": ["NOWHERE"]}),
            "no bureau with code NOWHERE",
        ),
        (
            json!({"procedureId": "bm9wZQ"}),
            "\"bm9wZQ\" is not a valid id",
        ),
    ] {
        let errors = refused(&api, Some(&api.po), filter.clone()).await;
        assert_eq!(errors.len(), 1, "{filter}: {errors:?}");
        assert_eq!(errors[0].1.as_deref(), Some("VALIDATION"), "{filter}");
        assert!(errors[0].0.contains(message), "{filter}: {errors:?}");
    }
}

/// The app layer on its own: use cases publish to every subscriber of the process, after the
/// commit, with the ids the history holds.
#[tokio::test]
async fn use_cases_publish_to_every_subscriber_after_commit() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let mut first = api.app.subscribe();
    let mut second = api.app.clone().subscribe();
    let actor = Actor::user(api.po.clone(), Default::default());
    let created = api
        .app
        .create_procedure(
            &actor,
            CreateProcedure {
                code: "KANKYO-0009".into(),
                name: "手続".into(),
                name_en: None,
                bureau_code: "KANKYO".into(),
                category: Category::Standard,
                authority: Authority::Tokyo,
                annual_applications: None,
                process_count: None,
                platform: None,
                target_quarter: None,
            },
        )
        .await
        .unwrap();
    let history = api
        .app
        .store()
        .history(
            created.id,
            &PageRequest {
                first: 10,
                after: None,
                with_total: false,
            },
        )
        .await
        .unwrap();
    for receiver in [&mut first, &mut second] {
        let event = tokio::time::timeout(PATIENCE, next_event(receiver))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (event.kind, event.procedure_id, event.bureau_id),
            (EventKind::Created, created.id, created.bureau_id)
        );
        assert_eq!(event.record_id, Some(history.items[0].id));
        assert_eq!(
            (event.procedure_version, event.actor.as_str()),
            (1, "po@example.jp")
        );
        assert!(receiver.is_empty(), "one change, one event");
    }

    let refused = api
        .app
        .create_procedure(
            &actor,
            CreateProcedure {
                code: "KANKYO-0009".into(),
                name: "重複".into(),
                name_en: None,
                bureau_code: "KANKYO".into(),
                category: Category::Standard,
                authority: Authority::Tokyo,
                annual_applications: None,
                process_count: None,
                platform: None,
                target_quarter: None,
            },
        )
        .await;
    assert!(
        matches!(refused, Err(AppError::Duplicate { .. })),
        "the code is taken: {refused:?}"
    );
    assert!(first.is_empty(), "a failed use case publishes nothing");
}

//! The operator's side of the outbox through the schema, with a real firing and a delivery the
//! app records as refused for good: `deliveries` lists it as DEAD with its endpoint,
//! `schedulerStatus` counts it, `retryDelivery` puts it back under the same id (and refuses one
//! that is not DEAD), and only the project office and admins may do any of it.

use chrono::{TimeZone, Utc};
use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Api, codes, codes_and_paths};
use crate::reminder_rules::{create_rule_as, definition};

const DEAD: &str = "{ deliveries { id channel status attempts lastError recipient deliveredAt } }";
const RETRY: &str = "mutation($i: RetryDeliveryInput!) { retryDelivery(input: $i) {
    delivery { id status attempts } errors { code message path } } }";

#[tokio::test]
async fn a_dead_delivery_is_listed_counted_and_retried_under_its_id() {
    let api = Api::new().await;
    let endpoint = api
        .data_as(
            &api.admin,
            "mutation { createWebhookEndpoint(input: {url: \"https://hooks.example.jp/gone\"}) {
               endpoint { id } errors { code } } }",
            json!({}),
        )
        .await["createWebhookEndpoint"]["endpoint"]["id"]
        .clone();
    let milestone = api
        .data(
            "mutation { createMilestone(input: {name: \"SaaS基盤稼働\", plannedOn: \"2026-07-01\"}) { errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(milestone["createMilestone"]["errors"], json!([]));
    let mut input = definition("webhook");
    input["schedule"] = json!("0 9 * * *");
    input["channels"] = json!(["WEBHOOK"]);
    assert_eq!(
        create_rule_as(&api, &api.po, input).await["errors"],
        json!([])
    );

    let at = Utc.with_ymd_and_hms(2026, 6, 16, 0, 1, 0).unwrap();
    api.clock.set(at);
    let report = api.app.run_due_reminders(at).await.unwrap();
    assert_eq!(report.firings[0].deliveries, 1, "{report:?}");
    let pending = api
        .data(
            "{ schedulerStatus { outboxDepth deadDeliveries } }",
            json!({}),
        )
        .await;
    assert_eq!(
        pending["schedulerStatus"],
        json!({"outboxDepth": 1, "deadDeliveries": 0})
    );
    assert_eq!(api.data(DEAD, json!({})).await["deliveries"], json!([]));
    let all = api
        .data("{ deliveries(status: null) { status } }", json!({}))
        .await;
    assert_eq!(all["deliveries"], json!([{"status": "PENDING"}]));

    // The worker's attempt: the receiver answered 410, so no retry.
    let claimed = api.app.claim_deliveries(10).await.unwrap();
    let d = &claimed[0];
    assert!(
        api.app
            .delivery_failed(d.id, d.attempts, "HTTP 410 Gone", None)
            .await
            .unwrap()
    );

    let dead = api.data(DEAD, json!({})).await["deliveries"].clone();
    assert_eq!(
        dead,
        json!([{"id": dead[0]["id"], "channel": "WEBHOOK", "status": "DEAD", "attempts": 1,
                "lastError": "HTTP 410 Gone", "recipient": endpoint, "deliveredAt": null}])
    );
    let status = api
        .data(
            "{ schedulerStatus { outboxDepth deadDeliveries } }",
            json!({}),
        )
        .await;
    assert_eq!(
        status["schedulerStatus"],
        json!({"outboxDepth": 0, "deadDeliveries": 1})
    );

    let coordinator = {
        api.create_bureau("KANKYO").await;
        api.add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
            .await
    };
    assert_eq!(
        api.error_code_as(&coordinator, DEAD, json!({})).await,
        "FORBIDDEN"
    );
    let id = json!({"i": {"id": dead[0]["id"]}});
    let refused = api.data_as(&coordinator, RETRY, id.clone()).await;
    assert_eq!(codes(&refused["retryDelivery"]), ["FORBIDDEN"]);

    let retried = api.data(RETRY, id.clone()).await["retryDelivery"].clone();
    assert_eq!(
        retried,
        json!({"delivery": {"id": dead[0]["id"], "status": "PENDING", "attempts": 1}, "errors": []})
    );
    let again = api.data(RETRY, id).await;
    assert_eq!(
        codes_and_paths(&again["retryDelivery"]),
        [("VALIDATION".to_owned(), json!(["id"]))]
    );
    let wrong = api.data(RETRY, json!({"i": {"id": endpoint}})).await;
    assert_eq!(
        codes_and_paths(&wrong["retryDelivery"]),
        [("VALIDATION".to_owned(), json!(["id"]))]
    );
    assert_eq!(wrong["retryDelivery"]["delivery"], Value::Null);
}

//! Webhook endpoints through the schema: admins alone manage them, the signing secret is shown
//! by the payload that made or rotated it and is no field of `WebhookEndpoint`, and changes go
//! under the endpoint's version.

use serde_json::json;

use crate::harness::{Api, codes, codes_and_paths};
use crate::reminder_rules::with;

const CREATE_ENDPOINT: &str = "mutation($i: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $i) { endpoint { id url eventTypes enabled version } secret
      errors { code message path } } }";
const UPDATE_ENDPOINT: &str = "mutation($i: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(input: $i) { endpoint { version url } secret errors { code path } } }";

#[tokio::test]
async fn only_admins_manage_webhook_endpoints_and_a_secret_is_shown_once() {
    let api = Api::new().await;
    let input =
        json!({"i": {"url": "https://hooks.example.jp/rollout", "eventTypes": ["TASK_OVERDUE"]}});
    let by_po = api.data(CREATE_ENDPOINT, input.clone()).await;
    assert_eq!(codes(&by_po["createWebhookEndpoint"]), ["FORBIDDEN"]);
    assert_eq!(
        api.error_code("{ webhookEndpoints { id } }", json!({}))
            .await,
        "FORBIDDEN"
    );

    let created =
        api.data_as(&api.admin, CREATE_ENDPOINT, input).await["createWebhookEndpoint"].clone();
    assert_eq!(created["errors"], json!([]));
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(created["endpoint"]["eventTypes"], json!(["TASK_OVERDUE"]));
    let id = created["endpoint"]["id"].clone();

    let fields = api
        .data(
            r#"{ __type(name: "WebhookEndpoint") { fields { name } } }"#,
            json!({}),
        )
        .await;
    let names: Vec<&str> = fields["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(!names.iter().any(|n| n.contains("ecret")), "{names:?}");

    let base = json!({"id": id, "expectedVersion": 1, "url": "https://hooks.example.jp/v2", "enabled": true});
    let kept = api
        .data_as(&api.admin, UPDATE_ENDPOINT, json!({"i": base}))
        .await["updateWebhookEndpoint"]
        .clone();
    assert_eq!(
        kept,
        json!({"endpoint": {"version": 2, "url": "https://hooks.example.jp/v2"},
                            "secret": null, "errors": []})
    );
    let rotate = with(base, json!({"expectedVersion": 2, "rotateSecret": true}));
    let rotated = api
        .data_as(&api.admin, UPDATE_ENDPOINT, json!({"i": rotate.clone()}))
        .await["updateWebhookEndpoint"]
        .clone();
    let new_secret = rotated["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);
    let stale = api
        .data_as(&api.admin, UPDATE_ENDPOINT, json!({"i": rotate}))
        .await;
    assert_eq!(
        codes_and_paths(&stale["updateWebhookEndpoint"]),
        [("VERSION_CONFLICT".to_owned(), json!(["expectedVersion"]))]
    );
    let bad_url = json!({"i": {"url": "ftp://hooks.example.jp"}});
    let bad = api.data_as(&api.admin, CREATE_ENDPOINT, bad_url).await;
    assert_eq!(
        codes_and_paths(&bad["createWebhookEndpoint"]),
        [("VALIDATION".to_owned(), json!(["url"]))]
    );
    let listed = api
        .data_as(
            &api.admin,
            "{ webhookEndpoints { id url version } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["webhookEndpoints"],
        json!([{"id": id, "url": "https://hooks.example.jp/v2", "version": 3}])
    );
}

//! The audit trail of issue 12's mutations over real HTTP, on both backends: creating and
//! pausing a reminder rule, creating and rotating a webhook endpoint each leave one SUCCESS
//! entry naming who did it; a refused rule leaves a FORBIDDEN entry and no rule; a rule with a
//! bad schedule leaves neither a rule nor an entry; no entry ever carries a webhook secret.
//! Viewers and bureau coordinators are refused every managing mutation and keep their own side.

use serde_json::{Value, json};

use crate::common::{TestServer, TestUser, both_backends, nodes, ok_data, payload_errors};

both_backends!(
    reminder_mutations_are_audited,
    viewers_and_coordinators_manage_only_their_own_side,
);

/// The entries of `action` (with `outcome` if given), newest first.
async fn entries(server: &TestServer, action: &str, outcome: Option<&str>) -> Vec<Value> {
    let mut filter = json!({ "action": action });
    if let Some(o) = outcome {
        filter["outcome"] = json!(o);
    }
    let data = server
        .data_as(
            &server.admin,
            "query($f: AuditFilter) { auditLog(filter: $f, first: 50) { edges { node {
               action targetType targetId outcome actor before after } } } }",
            json!({ "f": filter }),
        )
        .await;
    nodes(&data["auditLog"])
}

fn rule_input(name: &str, schedule: &str) -> Value {
    json!({"name": name, "schedule": schedule, "kind": "TASK_OVERDUE",
           "recipients": {"assignee": true}, "channels": ["IN_APP"]})
}

async fn rule_count(server: &TestServer) -> usize {
    let data = ok_data(
        server
            .gql(
                "{ reminderRules(first: 50) { edges { node { id } } } }",
                json!({}),
            )
            .await,
    );
    nodes(&data["reminderRules"]).len()
}

async fn endpoint_mutation(
    server: &TestServer,
    user: &TestUser,
    field: &str,
    input: Value,
) -> Value {
    let ty = format!("{}{}Input", field[..1].to_uppercase(), &field[1..]);
    let q = format!(
        "mutation($i: {ty}!) {{ {field}(input: $i) {{ endpoint {{ id version }} secret errors {{ code message path }} }} }}"
    );
    ok_data(server.gql_as(user, &q, json!({"i": input})).await)[field].clone()
}

async fn reminder_mutations_are_audited(server: TestServer) {
    // Created by the project office: one SUCCESS entry with the definition after.
    let created = server
        .create_rule(&server.po, rule_input("期限切れタスク", "0 9 * * 1-5"))
        .await;
    assert_eq!(payload_errors(&created), vec![]);
    let list = entries(&server, "reminder_rule.create", Some("SUCCESS")).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(
        (&list[0]["targetType"], &list[0]["actor"]),
        (&json!("ReminderRule"), &json!(server.po.email))
    );
    assert_eq!(list[0]["after"]["schedule"], "0 9 * * 1-5");
    assert_eq!(list[0]["after"]["kind"], "TASK_OVERDUE");

    // Paused: one update entry, enabled before and not after.
    let paused = ok_data(
        server
            .gql_as(
                &server.po,
                "mutation($i: SetReminderRuleEnabledInput!) { setReminderRuleEnabled(input: $i) { rule { enabled version } errors { code } } }",
                json!({"i": {"id": created["rule"]["id"], "expectedVersion": 1, "enabled": false}}),
            )
            .await,
    );
    assert_eq!(paused["setReminderRuleEnabled"]["rule"]["enabled"], false);
    let list = entries(&server, "reminder_rule.update", Some("SUCCESS")).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(
        (&list[0]["before"]["enabled"], &list[0]["after"]["enabled"]),
        (&json!(true), &json!(false))
    );

    // Refused for a viewer: FORBIDDEN in the payload and in the trail, and no rule.
    let refused = server
        .create_rule(&server.viewer, rule_input("viewer's", "0 9 * * *"))
        .await;
    assert_eq!(
        payload_errors(&refused).first().map(|e| e.0.as_str()),
        Some("FORBIDDEN"),
        "{refused}"
    );
    let list = entries(&server, "reminder_rule.create", Some("FORBIDDEN")).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(list[0]["actor"], json!(server.viewer.email));
    assert_eq!(rule_count(&server).await, 1);

    // A bad schedule: VALIDATION naming the field, nothing written, nothing audited.
    let bad = server
        .create_rule(&server.po, rule_input("壊れた", "0 9 * *"))
        .await;
    let errors = payload_errors(&bad);
    assert_eq!(errors.len(), 1, "{bad}");
    assert_eq!(errors[0].0, "VALIDATION");
    assert_eq!(bad["errors"][0]["path"], json!(["schedule"]), "{bad}");
    assert_eq!(rule_count(&server).await, 1);
    assert_eq!(
        entries(&server, "reminder_rule.create", None).await.len(),
        2
    );

    // Webhook endpoints: the admin's; the secret is in the payload once and in no entry.
    let made = endpoint_mutation(
        &server,
        &server.admin,
        "createWebhookEndpoint",
        json!({"url": "https://hooks.example.jp/rollout", "eventTypes": ["TASK_OVERDUE"]}),
    )
    .await;
    assert_eq!(payload_errors(&made), vec![]);
    let first_secret = made["secret"].as_str().unwrap().to_owned();
    let rotated = endpoint_mutation(
        &server,
        &server.admin,
        "updateWebhookEndpoint",
        json!({"id": made["endpoint"]["id"], "expectedVersion": 1, "url": "https://hooks.example.jp/rollout",
               "enabled": true, "rotateSecret": true}),
    )
    .await;
    assert_eq!(payload_errors(&rotated), vec![]);
    let second_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(first_secret, second_secret);
    let created = entries(&server, "webhook_endpoint.create", Some("SUCCESS")).await;
    let updated = entries(&server, "webhook_endpoint.update", Some("SUCCESS")).await;
    assert_eq!((created.len(), updated.len()), (1, 1));
    assert_eq!(updated[0]["after"]["secretRotated"], true);
    let trail = format!("{created:?}{updated:?}");
    assert!(
        !trail.contains("whsec_"),
        "a secret reached the audit trail: {trail}"
    );
    // The project office may not manage endpoints: FORBIDDEN, audited, nothing made.
    let po = endpoint_mutation(
        &server,
        &server.po,
        "createWebhookEndpoint",
        json!({"url": "https://hooks.example.jp/other"}),
    )
    .await;
    assert_eq!(
        payload_errors(&po).first().map(|e| e.0.as_str()),
        Some("FORBIDDEN"),
        "{po}"
    );
    assert_eq!(
        entries(&server, "webhook_endpoint.create", Some("FORBIDDEN"))
            .await
            .len(),
        1
    );
}

/// Every mutation that manages rules, endpoints or deliveries is refused to a viewer and to a
/// bureau coordinator; the mutations about one's own notifications work for both.
async fn viewers_and_coordinators_manage_only_their_own_side(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let coordinator = server.coordinator("KANKYO").await;
    let rule = server
        .create_rule(&server.po, rule_input("毎朝", "0 9 * * *"))
        .await;
    let rule_id = rule["rule"]["id"].clone();
    let endpoint = endpoint_mutation(
        &server,
        &server.admin,
        "createWebhookEndpoint",
        json!({"url": "https://hooks.example.jp/rollout"}),
    )
    .await;
    let endpoint_id = endpoint["endpoint"]["id"].clone();
    let mut definition = rule_input("毎朝", "0 10 * * *");
    definition["id"] = rule_id.clone();
    definition["expectedVersion"] = json!(1);
    let managing = [
        (
            "createReminderRule",
            "CreateReminderRuleInput",
            rule_input("x", "0 9 * * *"),
        ),
        ("updateReminderRule", "UpdateReminderRuleInput", definition),
        (
            "setReminderRuleEnabled",
            "SetReminderRuleEnabledInput",
            json!({"id": rule_id, "expectedVersion": 1, "enabled": false}),
        ),
        (
            "createWebhookEndpoint",
            "CreateWebhookEndpointInput",
            json!({"url": "https://hooks.example.jp/x"}),
        ),
        (
            "updateWebhookEndpoint",
            "UpdateWebhookEndpointInput",
            json!({"id": endpoint_id, "expectedVersion": 1, "url": "https://hooks.example.jp/y",
                   "enabled": true, "rotateSecret": true}),
        ),
        (
            "retryDelivery",
            "RetryDeliveryInput",
            json!({"id": "RGVsaXZlcnk6MDE5MzAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw"}),
        ),
    ];
    for user in [&server.viewer, &coordinator] {
        for (field, ty, input) in &managing {
            let q = format!("mutation($i: {ty}!) {{ {field}(input: $i) {{ errors {{ code }} }} }}");
            let reply = server.gql_as(user, &q, json!({"i": input})).await;
            let codes: Vec<&str> = reply["data"][field]["errors"]
                .as_array()
                .map(|e| e.iter().filter_map(|e| e["code"].as_str()).collect())
                .unwrap_or_default();
            let top = reply["errors"][0]["extensions"]["code"].as_str();
            assert!(
                codes == ["FORBIDDEN"] || top == Some("FORBIDDEN"),
                "{field} as {}: {reply}",
                user.email
            );
        }
        // Their own side works: language, snooze, marking read.
        let own = ok_data(
            server
                .gql_as(
                    user,
                    "mutation { setMyLanguage(input: { language: EN }) { language errors { code } }
                       snoozeReminderItem(input: { itemKey: \"report:2026-09-30\", until: \"2027-01-05\" }) { until errors { code } }
                       markNotificationsRead(input: {}) { count errors { code } } }",
                    json!({}),
                )
                .await,
        );
        assert_eq!(own["setMyLanguage"]["errors"], json!([]), "{own}");
        assert_eq!(own["snoozeReminderItem"]["errors"], json!([]), "{own}");
        assert_eq!(own["markNotificationsRead"]["count"], 0, "{own}");
    }
    // Nothing the refused calls tried was written.
    let rules = ok_data(
        server
            .gql(
                "{ reminderRules(first: 10) { edges { node { schedule enabled version } } } }",
                json!({}),
            )
            .await,
    );
    assert_eq!(
        nodes(&rules["reminderRules"]),
        vec![json!({"schedule": "0 9 * * *", "enabled": true, "version": 1})]
    );
}

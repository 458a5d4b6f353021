//! The audit trail of issue 12's mutations over real HTTP, on both backends: creating and
//! pausing a reminder rule, creating and rotating a webhook endpoint each leave one SUCCESS
//! entry naming who did it; a refused rule leaves a FORBIDDEN entry and no rule; a rule with a
//! bad schedule leaves neither a rule nor an entry; no entry ever carries a webhook secret.

use serde_json::{Value, json};

use crate::common::{TestServer, TestUser, both_backends, nodes, ok_data, payload_errors};

both_backends!(reminder_mutations_are_audited);

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

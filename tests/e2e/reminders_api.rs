//! The reminders API over real HTTP, on both backends, with the server's clock fixed at Monday
//! 28 December 2026, 10:00 in Tokyo: a rule created, read back, changed and paused under its
//! version; a bad schedule and a bad time zone refused at their input path; fire times of a
//! weekday-morning rule in Tokyo (09:00 Tokyo = 00:00Z) with and without the New Year closure;
//! who may manage rules and webhook endpoints; a webhook secret shown once and never again.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::common::{
    Options, RULE_FIELDS, TestServer, both_backends, graphql_error_codes, ok_data, payload_errors,
};

both_backends!(
    with super::options;
    a_rule_is_created_changed_paused_and_read_back,
    fire_times_are_tokyo_mornings_around_the_new_year_closure,
    rules_are_the_project_offices_and_webhooks_the_admins,
);

/// Monday 2026-12-28 10:00 in Tokyo, the day before the year-end closure.
pub(crate) fn options() -> Options {
    let at: DateTime<Utc> = "2026-12-28T01:00:00Z".parse().unwrap();
    Options {
        clock: Some(std::sync::Arc::new(rollout_app::FixedClock::new(at))),
        ..Options::default()
    }
}

/// Weekdays at 09:00 Tokyo, for the project office, in the app.
fn weekday_rule(name: &str) -> Value {
    json!({
        "name": name, "schedule": "0 9 * * 1-5", "kind": "TASK_OVERDUE",
        "recipients": {"projectOffice": true, "assignee": true}, "channels": ["IN_APP"],
    })
}

const UPDATE: &str = "mutation($i: UpdateReminderRuleInput!) { updateReminderRule(input: $i) {
    rule { id name schedule version enabled } errors { code message path } } }";
const ENABLE: &str =
    "mutation($i: SetReminderRuleEnabledInput!) { setReminderRuleEnabled(input: $i) {
    rule { enabled version schedule } errors { code message path } } }";

async fn a_rule_is_created_changed_paused_and_read_back(server: TestServer) {
    let created = server
        .create_rule(&server.po, weekday_rule("朝の期限切れタスク"))
        .await;
    assert_eq!(payload_errors(&created), vec![], "{created}");
    let rule = created["rule"].clone();
    assert_eq!(
        (
            &rule["timeZone"],
            &rule["version"],
            &rule["enabled"],
            &rule["holidayPolicy"]
        ),
        (
            &json!("Asia/Tokyo"),
            &json!(1),
            &json!(true),
            &json!("FIRE")
        )
    );
    let id = rule["id"].as_str().unwrap().to_owned();

    let mut changed = weekday_rule("朝の期限切れタスク");
    changed["id"] = json!(id);
    changed["expectedVersion"] = json!(1);
    changed["schedule"] = json!("30 8 * * 1-5");
    let updated = ok_data(server.gql(UPDATE, json!({"i": changed})).await);
    assert_eq!(payload_errors(&updated["updateReminderRule"]), vec![]);
    let paused = ok_data(
        server
            .gql(
                ENABLE,
                json!({"i": {"id": id, "expectedVersion": 2, "enabled": false}}),
            )
            .await,
    );
    assert_eq!(
        paused["setReminderRuleEnabled"]["rule"],
        json!({"enabled": false, "version": 3, "schedule": "30 8 * * 1-5"})
    );
    let stale = ok_data(
        server
            .gql(
                ENABLE,
                json!({"i": {"id": id, "expectedVersion": 2, "enabled": true}}),
            )
            .await,
    );
    assert_eq!(
        payload_errors(&stale["setReminderRuleEnabled"]),
        vec![("VERSION_CONFLICT".to_owned(), "expectedVersion".to_owned())]
    );

    let read = ok_data(
        server
            .gql(
                &format!(
                    "query($id: ID!) {{ reminderRule(id: $id) {{ {RULE_FIELDS} }}
                          reminderRules {{ totalCount edges {{ node {{ id }} }} }} }}"
                ),
                json!({"id": id}),
            )
            .await,
    );
    let stored = &read["reminderRule"];
    assert_eq!(
        (
            &stored["schedule"],
            &stored["enabled"],
            &stored["version"],
            &stored["kind"]
        ),
        (
            &json!("30 8 * * 1-5"),
            &json!(false),
            &json!(3),
            &json!("TASK_OVERDUE")
        )
    );
    assert_eq!(read["reminderRules"]["totalCount"], 1);

    // A bad schedule or time zone saves nothing and says which field is wrong.
    for (extra, path) in [
        (json!({"schedule": "0 9 * *"}), "schedule"),
        (json!({"timeZone": "Asia/Atlantis"}), "timeZone"),
        (json!({"scope": {"states": ["limbo"]}}), "scope/states/0"),
    ] {
        let mut input = weekday_rule("bad");
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let refused = server.create_rule(&server.po, input).await;
        assert_eq!(
            payload_errors(&refused),
            vec![("VALIDATION".to_owned(), path.to_owned())],
            "{extra}: {refused}"
        );
        assert_eq!(refused["rule"], Value::Null);
    }
    let count = ok_data(
        server
            .gql("{ reminderRules { totalCount } }", json!({}))
            .await,
    );
    assert_eq!(count["reminderRules"]["totalCount"], 1);
}

const NEXT: &str = "query($id: ID!) { reminderRule(id: $id) { nextFireTimes(count: 6) } }";

async fn fire_times_are_tokyo_mornings_around_the_new_year_closure(server: TestServer) {
    let every_weekday = server
        .create_rule(&server.po, weekday_rule("every weekday"))
        .await;
    let mut closed = weekday_rule("business days");
    closed["holidayPolicy"] = json!("NEXT_BUSINESS_DAY");
    let business_days = server.create_rule(&server.po, closed).await;
    let times = |data: &Value| data["reminderRule"]["nextFireTimes"].clone();

    let fire = ok_data(
        server
            .gql(NEXT, json!({"id": every_weekday["rule"]["id"]}))
            .await,
    );
    assert_eq!(
        times(&fire),
        json!([
            "2026-12-29T00:00:00Z",
            "2026-12-30T00:00:00Z",
            "2026-12-31T00:00:00Z",
            "2027-01-01T00:00:00Z",
            "2027-01-04T00:00:00Z",
            "2027-01-05T00:00:00Z"
        ]),
        "every weekday at 09:00 Tokyo, holidays or not"
    );
    // 29 December – 3 January are closed and 11 January is Coming of Age Day: the closed
    // weekdays' ticks move to 4 January and are one tick there.
    let next = ok_data(
        server
            .gql(NEXT, json!({"id": business_days["rule"]["id"]}))
            .await,
    );
    assert_eq!(
        times(&next),
        json!([
            "2027-01-04T00:00:00Z",
            "2027-01-05T00:00:00Z",
            "2027-01-06T00:00:00Z",
            "2027-01-07T00:00:00Z",
            "2027-01-08T00:00:00Z",
            "2027-01-12T00:00:00Z"
        ])
    );
    let preview = ok_data(
        server
            .gql(
                r#"{ previewSchedule(schedule: "0 9 * * 1-5", holidayPolicy: NEXT_BUSINESS_DAY, count: 6) }"#,
                json!({}),
            )
            .await,
    );
    assert_eq!(preview["previewSchedule"], times(&next));
    let bad = server
        .gql(r#"{ previewSchedule(schedule: "0 9 * *") }"#, json!({}))
        .await;
    assert_eq!(graphql_error_codes(&bad), ["VALIDATION"]);
}

const CREATE_ENDPOINT: &str = "mutation($i: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $i) { endpoint { id url version } secret errors { code message path } } }";

async fn rules_are_the_project_offices_and_webhooks_the_admins(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let coordinator = server.coordinator("KANKYO").await;
    let refused = server.create_rule(&coordinator, weekday_rule("mine")).await;
    assert_eq!(
        payload_errors(&refused),
        vec![("FORBIDDEN".to_owned(), String::new())]
    );
    let read = server
        .gql_as(&coordinator, "{ reminderRules { totalCount } }", json!({}))
        .await;
    assert_eq!(graphql_error_codes(&read), ["FORBIDDEN"]);

    let input =
        json!({"i": {"url": "https://hooks.example.jp/rollout", "eventTypes": ["TASK_OVERDUE"]}});
    let by_po = ok_data(
        server
            .gql_as(&server.po, CREATE_ENDPOINT, input.clone())
            .await,
    );
    assert_eq!(
        payload_errors(&by_po["createWebhookEndpoint"]),
        vec![("FORBIDDEN".to_owned(), String::new())]
    );
    let created = ok_data(server.gql_as(&server.admin, CREATE_ENDPOINT, input).await);
    let created = &created["createWebhookEndpoint"];
    assert_eq!(payload_errors(created), vec![]);
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");

    // Never again: the endpoint has no secret field, and its listing does not carry it.
    let asked = server
        .gql_as(
            &server.admin,
            "{ webhookEndpoints { id secret } }",
            json!({}),
        )
        .await;
    assert_eq!(graphql_error_codes(&asked), ["GRAPHQL_VALIDATION_FAILED"]);
    let listed = ok_data(
        server
            .gql_as(
                &server.admin,
                "{ webhookEndpoints { id url version } }",
                json!({}),
            )
            .await,
    );
    assert_eq!(listed["webhookEndpoints"], json!([created["endpoint"]]));
    assert!(!listed.to_string().contains(secret));
    let by_po = server
        .gql_as(&server.po, "{ webhookEndpoints { id } }", json!({}))
        .await;
    assert_eq!(graphql_error_codes(&by_po), ["FORBIDDEN"]);
}

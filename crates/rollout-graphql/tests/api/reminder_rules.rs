//! Reminder rules and webhook endpoints through the schema: a rule created, read back, changed
//! and paused under its version; every problem of a definition reported at its input path;
//! schedule previews in Tokyo time under the holiday policies; who may manage rules.

use chrono::{TimeZone, Utc};
use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Api, codes, codes_and_paths, user_id};

pub const RULE: &str = "id name schedule timeZone kind days enabled version quietDays
    holidayPolicy misfirePolicy channels missedTicks lastFiredAt
    scope { bureaus { code } states priorityOnly }
    recipients { assignee bureauCoordinators projectOffice users { email } }";

/// A valid definition: MILESTONE_DUE on weekdays at 09:00 Tokyo for the project office.
pub fn definition(name: &str) -> Value {
    json!({
        "name": name, "schedule": "0 9 * * 1-5", "kind": "MILESTONE_DUE", "days": 30,
        "recipients": {"projectOffice": true}, "channels": ["IN_APP"],
    })
}

pub fn with(mut base: Value, extra: Value) -> Value {
    base.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    base
}

pub async fn create_rule_as(
    api: &Api,
    user: &rollout_domain::identity::User,
    input: Value,
) -> Value {
    let query = format!(
        "mutation($i: CreateReminderRuleInput!) {{ createReminderRule(input: $i) {{
           rule {{ {RULE} }} errors {{ code message path }} }} }}"
    );
    api.data_as(user, &query, json!({"i": input})).await["createReminderRule"].clone()
}

async fn update(api: &Api, input: Value) -> Value {
    let query = format!(
        "mutation($i: UpdateReminderRuleInput!) {{ updateReminderRule(input: $i) {{
           rule {{ {RULE} }} errors {{ code message path }} }} }}"
    );
    api.data(&query, json!({"i": input})).await["updateReminderRule"].clone()
}

async fn set_enabled(api: &Api, id: &Value, version: i64, enabled: bool) -> Value {
    api.data(
        "mutation($i: SetReminderRuleEnabledInput!) { setReminderRuleEnabled(input: $i) {
           rule { enabled version schedule name } errors { code message path } } }",
        json!({"i": {"id": id, "expectedVersion": version, "enabled": enabled}}),
    )
    .await["setReminderRuleEnabled"]
        .clone()
}

#[tokio::test]
async fn a_rule_is_created_read_back_changed_and_paused_under_its_version() {
    let api = Api::new().await;
    let kankyo = api.create_bureau("KANKYO").await;
    let named = api.add_user("named@example.jp", Role::Viewer, None).await;
    let input = with(
        definition("平日朝のマイルストーン"),
        json!({
            "scope": {"bureauIds": [kankyo["id"]], "states": ["hearing"], "priorityOnly": true},
            "recipients": {"bureauCoordinators": true, "userIds": [user_id(&api, &named).await]},
            "channels": ["EMAIL", "IN_APP", "IN_APP"], "quietDays": 7,
            "holidayPolicy": "NEXT_BUSINESS_DAY",
        }),
    );
    let created = create_rule_as(&api, &api.po, input).await;
    assert_eq!(created["errors"], json!([]), "{created}");
    let rule = &created["rule"];
    let expected = json!({
        "name": "平日朝のマイルストーン", "schedule": "0 9 * * 1-5", "timeZone": "Asia/Tokyo",
        "kind": "MILESTONE_DUE", "days": 30, "enabled": true, "version": 1, "quietDays": 7,
        "holidayPolicy": "NEXT_BUSINESS_DAY", "misfirePolicy": "FIRE_ONCE",
        "channels": ["IN_APP", "EMAIL"], "missedTicks": 0, "lastFiredAt": null,
        "scope": {"bureaus": [{"code": "KANKYO"}], "states": ["hearing"], "priorityOnly": true},
        "recipients": {"assignee": false, "bureauCoordinators": true, "projectOffice": false,
                       "users": [{"email": "named@example.jp"}]},
    });
    let mut shown = rule.clone();
    shown.as_object_mut().unwrap().remove("id");
    assert_eq!(shown, expected);

    let read = api
        .data(
            &format!(
                "query($id: ID!) {{ reminderRule(id: $id) {{ {RULE} }} node(id: $id) {{ id }}
                      reminderRules {{ totalCount edges {{ node {{ id }} }} }} }}"
            ),
            json!({"id": rule["id"]}),
        )
        .await;
    assert_eq!(read["reminderRule"], *rule);
    assert_eq!(read["node"]["id"], rule["id"]);
    assert_eq!(read["reminderRules"]["totalCount"], 1);

    // The whole definition is replaced: what is not given takes its default.
    let changed = update(
        &api,
        with(
            definition("平日朝のマイルストーン"),
            json!({"id": rule["id"], "expectedVersion": 1, "schedule": "30 8 * * 1-5"}),
        ),
    )
    .await;
    assert_eq!(changed["errors"], json!([]), "{changed}");
    assert_eq!(
        (
            &changed["rule"]["version"],
            &changed["rule"]["schedule"],
            &changed["rule"]["scope"]["bureaus"],
            &changed["rule"]["holidayPolicy"]
        ),
        (
            &json!(2),
            &json!("30 8 * * 1-5"),
            &json!([]),
            &json!("FIRE")
        )
    );

    let paused = set_enabled(&api, &rule["id"], 2, false).await;
    assert_eq!(paused["errors"], json!([]), "{paused}");
    assert_eq!(
        paused["rule"],
        json!({"enabled": false, "version": 3, "schedule": "30 8 * * 1-5",
               "name": "平日朝のマイルストーン"})
    );
    let stale = set_enabled(&api, &rule["id"], 2, true).await;
    assert_eq!(
        codes_and_paths(&stale),
        [("VERSION_CONFLICT".to_owned(), json!(["expectedVersion"]))]
    );
    assert_eq!(stale["rule"], Value::Null);
}

#[tokio::test]
async fn every_problem_of_a_definition_is_reported_at_its_input_path() {
    let api = Api::new().await;
    let cases = [
        (
            json!({"schedule": "0 9 * *"}),
            vec![("VALIDATION", json!(["schedule"]))],
        ),
        (
            json!({"timeZone": "Mars/Olympus"}),
            vec![("VALIDATION", json!(["timeZone"]))],
        ),
        (
            json!({"kind": "TASK_DUE_SOON", "days": null}),
            vec![("VALIDATION", json!(["days"]))],
        ),
        (
            json!({"kind": "TASK_OVERDUE", "days": 3}),
            vec![("VALIDATION", json!(["days"]))],
        ),
        (
            json!({"scope": {"states": ["hearing", "nowhere"]}, "channels": []}),
            vec![
                ("VALIDATION", json!(["channels"])),
                ("VALIDATION", json!(["scope", "states", "1"])),
            ],
        ),
        (
            json!({"scope": {"bureauIds": ["nonsense"]}}),
            vec![("VALIDATION", json!(["scope", "bureauIds", "0"]))],
        ),
        (
            json!({"recipients": {}}),
            vec![("VALIDATION", json!(["recipients"]))],
        ),
    ];
    for (extra, expected) in cases {
        let payload = create_rule_as(&api, &api.po, with(definition("bad"), extra.clone())).await;
        let mut got = codes_and_paths(&payload);
        got.sort_by_key(|a| a.1.to_string());
        let expected: Vec<(String, Value)> = expected
            .into_iter()
            .map(|(c, p)| (c.to_owned(), p))
            .collect();
        assert_eq!(got, expected, "{extra}: {payload}");
        assert_eq!(payload["rule"], Value::Null);
    }
    let first = create_rule_as(&api, &api.po, definition("taken")).await;
    assert_eq!(first["errors"], json!([]));
    let again = create_rule_as(&api, &api.po, definition("taken")).await;
    assert_eq!(
        codes_and_paths(&again),
        [("DUPLICATE".to_owned(), json!(["name"]))]
    );
    let listed = api
        .data("{ reminderRules { totalCount } }", json!({}))
        .await;
    assert_eq!(
        listed["reminderRules"]["totalCount"], 1,
        "nothing else was saved"
    );
}

const PREVIEW: &str = "query($s: String!, $tz: String, $h: HolidayPolicy, $n: Int) {
    previewSchedule(schedule: $s, timeZone: $tz, holidayPolicy: $h, count: $n) }";

#[tokio::test]
async fn previews_list_fire_times_in_tokyo_under_the_holiday_policy() {
    let api = Api::new().await;
    // The clock stands at Monday 2026-06-15 12:00 Tokyo: the next weekday mornings at 09:00
    // Tokyo are midnight UTC.
    let weekdays = api.data(PREVIEW, json!({"s": "0 9 * * 1-5", "n": 5})).await;
    assert_eq!(
        weekdays["previewSchedule"],
        json!([
            "2026-06-16T00:00:00Z",
            "2026-06-17T00:00:00Z",
            "2026-06-18T00:00:00Z",
            "2026-06-19T00:00:00Z",
            "2026-06-22T00:00:00Z"
        ])
    );
    let created = create_rule_as(&api, &api.po, definition("weekday mornings")).await;
    let next = api
        .data(
            "query($id: ID!) { reminderRule(id: $id) { nextFireTimes(count: 3) } }",
            json!({"id": created["rule"]["id"]}),
        )
        .await;
    let first_three = &weekdays["previewSchedule"].as_array().unwrap()[..3];
    assert_eq!(
        next["reminderRule"]["nextFireTimes"].as_array().unwrap(),
        first_three
    );

    // Across the New Year: 29 December to 3 January are closed, 11 January 2027 is Coming of
    // Age Day. Every daily tick on a closed day moves to the next business day, once.
    api.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 28, 1, 0, 0).unwrap());
    let new_year = api
        .data(
            PREVIEW,
            json!({"s": "0 9 * * *", "h": "NEXT_BUSINESS_DAY", "n": 6}),
        )
        .await;
    assert_eq!(
        new_year["previewSchedule"],
        json!([
            "2027-01-04T00:00:00Z",
            "2027-01-05T00:00:00Z",
            "2027-01-06T00:00:00Z",
            "2027-01-07T00:00:00Z",
            "2027-01-08T00:00:00Z",
            "2027-01-12T00:00:00Z"
        ])
    );
    let skip = api
        .data(
            PREVIEW,
            json!({"s": "0 9 * * *", "h": "SKIP", "n": 2, "tz": "Asia/Tokyo"}),
        )
        .await;
    assert_eq!(
        skip["previewSchedule"],
        json!(["2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z"])
    );

    for (vars, what) in [
        (json!({"s": "0 9 * *"}), "four fields"),
        (
            json!({"s": "0 9 * * *", "tz": "Mars/Olympus"}),
            "an unknown time zone",
        ),
        (
            json!({"s": "0 9 * * *", "n": 101}),
            "more than 100 fire times",
        ),
    ] {
        assert_eq!(api.error_code(PREVIEW, vars).await, "VALIDATION", "{what}");
    }
}

#[tokio::test]
async fn only_the_project_office_and_admins_manage_rules() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let coordinator = api
        .add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
        .await;
    let refused = create_rule_as(&api, &coordinator, definition("mine")).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"]);
    let by_admin = create_rule_as(&api, &api.admin, definition("admin's")).await;
    assert_eq!(by_admin["errors"], json!([]));
    let id = &by_admin["rule"]["id"];
    for read in [
        "{ reminderRules { totalCount } }",
        "{ schedulerStatus { missedTicks } }",
    ] {
        assert_eq!(
            api.error_code_as(&coordinator, read, json!({})).await,
            "FORBIDDEN",
            "{read}"
        );
    }
    let node = api
        .data_as(
            &coordinator,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(node["node"], Value::Null, "a refused reader sees no rule");
    let pause = api
        .data_as(
            &coordinator,
            "mutation($i: SetReminderRuleEnabledInput!) { setReminderRuleEnabled(input: $i) { errors { code } } }",
            json!({"i": {"id": id, "expectedVersion": 1, "enabled": false}}),
        )
        .await;
    assert_eq!(codes(&pause["setReminderRuleEnabled"]), ["FORBIDDEN"]);
    let status = api
        .data("{ schedulerStatus { rules { rule { name } nextFireAt missedTicks } outboxDepth deadDeliveries } }", json!({}))
        .await;
    assert_eq!(
        status["schedulerStatus"],
        json!({"rules": [{"rule": {"name": "admin's"}, "nextFireAt": "2026-06-16T00:00:00Z",
                          "missedTicks": 0}], "outboxDepth": 0, "deadDeliveries": 0})
    );
}

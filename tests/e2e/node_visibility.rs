//! `node(id:)` shows each type exactly to whom the type's own query shows it: users to admins
//! and to themselves (`users`, `viewer`), tokens to their owner and admins (`tokens`),
//! delegations to their parties and admins (`delegations`), and bureaus, procedures, history
//! records, approval requests, user tests, law changes, milestones and dependencies to every role (their queries are open to all), reminder
//! rules to the project office and admins (`reminderRules`) and notifications to their owner
//! alone (`notifications`). To anyone else the node is null, as for an id that does not exist.
//!
//! The table is checked against the schema: every type implementing `Node` (read by
//! introspection) must have a row, so a Node type added later fails here until its visibility
//! is written down.

use std::collections::BTreeSet;

use chrono::{TimeDelta, Utc};
use serde_json::json;

use crate::common::{TestServer, TestUser, both_backends, daily_ticks};

both_backends!(node_obeys_each_types_query_permissions);

/// Who looks, in the order of the `seen` columns below.
const LOOKERS: [&str; 5] = [
    "ADMIN",
    "PROJECT_OFFICE",
    "COORDINATOR_OWN",
    "COORDINATOR_OTHER",
    "VIEWER",
];

/// A day in Tokyo, `days` from today.
fn tokyo_day(days: i64) -> String {
    (Utc::now() + TimeDelta::hours(9) + TimeDelta::days(days))
        .date_naive()
        .to_string()
}

/// The string at `path` in `data`.
fn id_at(data: &serde_json::Value, path: &[&str]) -> String {
    let mut v = data;
    for p in path {
        v = &v[*p];
    }
    v.as_str()
        .unwrap_or_else(|| panic!("no id at {path:?}: {data}"))
        .to_owned()
}

async fn node_obeys_each_types_query_permissions(server: TestServer) {
    let bureau = server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let own = server.coordinator("KANKYO").await;
    let other = server.coordinator("FUKUSHI").await;
    let procedure = server
        .create_procedure(json!({
            "code": "KANKYO-0001", "name": "産業廃棄物処理業の許可申請", "bureauCode": "KANKYO",
            "category": "MAJOR", "authority": "TOKYO", "targetQuarter": "FY2025-Q2",
            "platform": "DEDICATED_SYSTEM",
        }))
        .await;
    let procedure_id = id_at(&procedure, &["id"]);
    let moved = server
        .accepted_as(&own, &procedure_id, "scheduled", 1, "agreed")
        .await;
    let gated = server
        .accepted_as(
            &server.po,
            &procedure_id,
            "abolished",
            2,
            "merged into another",
        )
        .await;
    let token = server.data_as(&own, "{ tokens { id } }", json!({})).await;
    let delegation = server
        .data_as(
            &server.po,
            "mutation($input: CreateDelegationInput!) {
               createDelegation(input: $input) { delegation { id } errors { code message path } }
             }",
            json!({ "input": {
                "delegateId": server.po2.id, "startsOn": tokyo_day(-1), "endsOn": tokyo_day(1),
            } }),
        )
        .await;

    let user_test = server.pass_user_test_as(&own, &procedure_id).await;
    // Issue 10: a hearing (held today in Tokyo) that left a task.
    let hearing = server
        .data_as(
            &server.po,
            "mutation($input: RecordHearingInput!) {
               recordHearing(input: $input) { hearing { id tasks { id } } errors { code message path } }
             }",
            json!({ "input": {
                "bureauCode": "KANKYO", "heldOn": tokyo_day(0), "kind": "OTHER", "title": "打合せ",
                "outcomes": [{ "procedureId": procedure_id, "expectedVersion": 2, "decision": "UNDECIDED",
                               "tasks": [{ "title": "確認" }] }],
            } }),
        )
        .await;

    // Issue 11: a law change, a milestone and a dependency (every role reads them).
    let law = server.law_change("LAW-0001", "KANKYO").await;
    let milestone = server.milestone("SaaS platform").await;
    let dependency = server
        .depends(&procedure_id, law["id"].as_str().unwrap())
        .await;

    // Issue 12: a reminder rule (read by those who manage reminders) and, from its firing, the
    // project office's notification (its owner's alone).
    let rule = server
        .daily_milestone_rule("node visibility", json!(["IN_APP"]), json!({}))
        .await;
    let fired = server.run_once(daily_ticks(Utc::now(), 1)[0]).await;
    assert_eq!(fired.firings.len(), 1, "{fired:?}");
    let inbox = server
        .data_as(
            &server.po,
            "{ notifications(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;

    // Per Node type: an object of it, and whether each of LOOKERS sees it.
    let table: Vec<(&str, String, [bool; 5])> = vec![
        ("Bureau", id_at(&bureau, &["id"]), [true; 5]),
        ("Procedure", procedure_id.clone(), [true; 5]),
        (
            "TransitionRecord",
            id_at(&moved, &["record", "id"]),
            [true; 5],
        ),
        (
            "ApprovalRequest",
            id_at(&gated, &["approvalRequest", "id"]),
            [true; 5],
        ),
        // Seen by whoever sees its procedure.
        ("UserTest", id_at(&user_test, &["id"]), [true; 5]),
        // The own-bureau coordinator's user and token: theirs and the admin's to see.
        ("User", own.id.clone(), [true, false, true, false, false]),
        (
            "ApiToken",
            token["tokens"][0]["id"].as_str().unwrap().to_owned(),
            [true, false, true, false, false],
        ),
        // Given by the project office (to po2): its parties and the admin.
        (
            "Delegation",
            id_at(&delegation, &["createDelegation", "delegation", "id"]),
            [true, true, false, false, false],
        ),
        // Hearings and tasks: every role reads them (`hearings`, `tasks`).
        (
            "Hearing",
            id_at(&hearing, &["recordHearing", "hearing", "id"]),
            [true; 5],
        ),
        (
            "Task",
            hearing["recordHearing"]["hearing"]["tasks"][0]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("no task: {hearing}"))
                .to_owned(),
            [true; 5],
        ),
        ("LawChange", id_at(&law, &["id"]), [true; 5]),
        ("Milestone", id_at(&milestone, &["id"]), [true; 5]),
        ("Dependency", dependency, [true; 5]),
        (
            "ReminderRule",
            id_at(&rule, &["id"]),
            [true, true, false, false, false],
        ),
        (
            "Notification",
            id_at(&inbox["notifications"]["edges"][0], &["node", "id"]),
            [false, true, false, false, false],
        ),
    ];

    let schema = server
        .data(
            r#"{ __type(name: "Node") { possibleTypes { name } } }"#,
            json!({}),
        )
        .await;
    let node_types: BTreeSet<String> = schema["__type"]["possibleTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    let covered: BTreeSet<String> = table.iter().map(|(ty, ..)| (*ty).to_owned()).collect();
    assert_eq!(
        covered, node_types,
        "every Node type needs a row saying who may see it through node(id:)"
    );

    let lookers: [&TestUser; 5] = [&server.admin, &server.po, &own, &other, &server.viewer];
    for (ty, id, seen) in &table {
        for ((who, user), expected) in LOOKERS.iter().zip(lookers).zip(seen) {
            let reply = server
                .gql_as(
                    user,
                    "query($id: ID!) { node(id: $id) { __typename id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(
                reply["errors"],
                serde_json::Value::Null,
                "{ty} as {who}: {reply}"
            );
            let node = &reply["data"]["node"];
            if *expected {
                assert_eq!(
                    (node["__typename"].as_str(), node["id"].as_str()),
                    (Some(*ty), Some(id.as_str())),
                    "{ty} as {who} should be visible: {reply}"
                );
            } else {
                assert!(node.is_null(), "{ty} as {who} should be null: {reply}");
            }
        }
    }
}

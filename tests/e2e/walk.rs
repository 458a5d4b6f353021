//! One procedure walked through the whole default workflow, hearing → scheduled → built →
//! user_tested → released, as different users (the release through its approval, the user test
//! through a passing `recordUserTest`): what `nextTransitions` offers at each step, how the version moves, `releasedOn`, and the history
//! that results, whose `actor` is each user's e-mail address.

use crate::common::{PROCEDURE_FIELDS, TestServer, TestUser, both_backends};
use serde_json::{Value, json};

both_backends!(full_walk_to_released);

/// `to → (allowed, requiresComment, blocking guard names)` of `nextTransitions`, sorted by `to`.
async fn options(server: &TestServer, id: &str) -> Vec<(String, bool, bool, Vec<String>)> {
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { nextTransitions {
               transition { key from { key } to { key } }
               to { key } allowed requiresComment blockedBy { guard message }
             } } }",
            json!({ "id": id }),
        )
        .await;
    let mut out: Vec<_> = data["procedure"]["nextTransitions"]
        .as_array()
        .unwrap_or_else(|| panic!("no nextTransitions: {data}"))
        .iter()
        .map(|o| {
            assert_eq!(o["transition"]["to"]["key"], o["to"]["key"], "{o}");
            let blocked: Vec<String> = o["blockedBy"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    assert!(!b["message"].as_str().unwrap().is_empty(), "{b}");
                    b["guard"].as_str().unwrap().to_owned()
                })
                .collect();
            assert_eq!(o["allowed"], json!(blocked.is_empty()), "{o}");
            (
                o["to"]["key"].as_str().unwrap().to_owned(),
                o["allowed"].as_bool().unwrap(),
                o["requiresComment"].as_bool().unwrap(),
                blocked,
            )
        })
        .collect();
    out.sort();
    out
}

fn opt(
    to: &str,
    allowed: bool,
    comment: bool,
    blocked: &[&str],
) -> (String, bool, bool, Vec<String>) {
    (
        to.to_owned(),
        allowed,
        comment,
        blocked.iter().map(|s| s.to_string()).collect(),
    )
}

/// One successful ungated transition as `actor` with `comment`; checks the payload and returns it.
async fn transition(
    server: &TestServer,
    actor: &TestUser,
    id: &str,
    to: &str,
    version: i64,
    comment: &str,
) -> Value {
    let payload = server.accepted_as(actor, id, to, version, comment).await;
    assert!(payload["approvalRequest"].is_null(), "{payload}");
    assert_eq!(payload["procedure"]["state"]["key"], to);
    assert_eq!(payload["procedure"]["version"], version + 1);
    let record = &payload["record"];
    assert_eq!(record["to"], to);
    assert_eq!(record["actor"], actor.email.as_str());
    assert!(record["approvalRequest"].is_null(), "{record}");
    assert_eq!(record["comment"], comment);
    assert_eq!(record["procedureVersion"], version + 1);
    payload
}

async fn update(server: &TestServer, input: Value) -> Value {
    let payload = server.update_procedure(input.clone()).await;
    assert_eq!(payload["errors"], json!([]), "update {input}: {payload}");
    payload["procedure"].clone()
}

async fn full_walk_to_released(server: TestServer) {
    server
        .create_bureau(
            "SEIKATSU",
            "生活文化局",
            "Bureau of Citizens, Culture and Sports",
        )
        .await;
    let bob = server.coordinator("SEIKATSU").await;
    let (alice, carol) = (&server.po, &server.po2);
    let payload = server
        .create_procedure_payload(
            &bob,
            json!({
                "code": "SEIKATSU-0101", "name": "私立学校の設置認可申請", "bureauCode": "SEIKATSU",
                "category": "MAJOR", "authority": "TOKYO", "annualApplications": 15000,
            }),
        )
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let created = &payload["procedure"];
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["state"],
        json!({ "key": "hearing", "kind": "INITIAL" })
    );
    assert!(
        created["targetQuarter"].is_null()
            && created["platform"].is_null()
            && created["releasedOn"].is_null()
    );
    assert_eq!(created["isPriority"], true);

    // hearing: scheduling waits for a target quarter; the other exits need only a comment.
    assert_eq!(
        options(&server, &id).await,
        [
            opt("abolished", true, true, &[]),
            opt("awaiting_law_change", true, true, &[]),
            opt("scheduled", false, false, &["target_quarter_set"]),
        ]
    );
    let p = update(
        &server,
        json!({ "id": id, "expectedVersion": 1, "targetQuarter": "FY2025-Q3" }),
    )
    .await;
    assert_eq!(
        (p["version"].as_i64(), &p["targetQuarter"]),
        (Some(2), &json!("FY2025-Q3"))
    );
    assert_eq!(
        p["state"]["key"], "hearing",
        "an update never changes the state"
    );
    assert_eq!(
        options(&server, &id).await[2],
        opt("scheduled", true, false, &[])
    );

    transition(
        &server,
        alice,
        &id,
        "scheduled",
        2,
        "schedule agreed at hearing",
    )
    .await;
    assert_eq!(
        options(&server, &id).await,
        [
            opt("abolished", true, true, &[]),
            opt("awaiting_law_change", true, true, &[]),
            opt("built", false, false, &["platform_set"]),
            opt("hearing", true, false, &[]),
        ]
    );
    let p = update(
        &server,
        json!({ "id": id, "expectedVersion": 3, "platform": "JOINT_E_APPLICATION" }),
    )
    .await;
    assert_eq!(
        (p["version"].as_i64(), &p["platform"]),
        (Some(4), &json!("JOINT_E_APPLICATION"))
    );
    assert_eq!(
        options(&server, &id).await[2],
        opt("built", true, false, &[])
    );

    transition(
        &server,
        &bob,
        &id,
        "built",
        4,
        "form published on the joint portal",
    )
    .await;
    assert_eq!(
        options(&server, &id).await,
        [
            opt("awaiting_law_change", true, true, &[]),
            opt("scheduled", true, false, &[]),
            opt("user_tested", false, false, &["user_test_passed"]),
        ]
    );
    // A passing user test, which changes no version, lets it move on.
    server.pass_user_test_as(carol, &id).await;
    assert_eq!(
        options(&server, &id).await[2],
        opt("user_tested", true, false, &[])
    );
    transition(
        &server,
        carol,
        &id,
        "user_tested",
        5,
        "five applicants tested it",
    )
    .await;
    assert_eq!(
        options(&server, &id).await,
        [
            opt("awaiting_law_change", true, true, &[]),
            opt("built", true, false, &[]),
            opt("released", true, false, &[]),
        ]
    );
    // Releasing needs one project-office approval: the request leaves the procedure where it is.
    let requested = server
        .transition_as(
            alice,
            json!({ "procedureId": id, "to": "released", "expectedVersion": 6, "comment": "live" }),
        )
        .await;
    assert_eq!(requested["errors"], json!([]), "{requested}");
    assert!(requested["record"].is_null(), "{requested}");
    assert_eq!(requested["procedure"]["version"], 6);
    assert_eq!(requested["procedure"]["state"]["key"], "user_tested");
    let request = &requested["approvalRequest"];
    assert_eq!(
        (
            &request["status"],
            &request["approvals"],
            &request["required"]
        ),
        (&json!("PENDING"), &json!(0), &json!(1))
    );
    assert_eq!(server.snapshot(&id).await, (6, 4));
    let tokyo_today = || (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let before = tokyo_today();
    let released = server
        .approve_as(carol, request["id"].as_str().unwrap(), None, Some("ok"))
        .await;
    let after = tokyo_today();
    assert_eq!(released["errors"], json!([]), "{released}");
    assert_eq!(released["request"]["status"], "APPROVED");
    assert_eq!(released["procedure"]["version"], 7);
    assert_eq!(released["procedure"]["state"]["key"], "released");
    let query = format!("query($id: ID!) {{ procedure(id: $id) {{ {PROCEDURE_FIELDS} }} }}");
    let released = server.data(&query, json!({ "id": id })).await;
    let released_on = released["procedure"]["releasedOn"]
        .as_str()
        .unwrap_or_else(|| panic!("{released}"));
    let released_on = chrono::NaiveDate::parse_from_str(released_on, "%Y-%m-%d").unwrap();
    assert!(
        released_on == before || released_on == after,
        "releasedOn {released_on}, Tokyo today {after}"
    );
    assert_eq!(released["procedure"]["state"]["kind"], "DONE");
    assert_eq!(options(&server, &id).await, [], "released is terminal");

    let p = server.data(&query, json!({ "id": id })).await["procedure"].clone();
    assert_eq!(p["version"], 7);
    assert_eq!(p["releasedOn"], json!(released_on.to_string()));
    assert_eq!(
        (&p["targetQuarter"], &p["platform"]),
        (&json!("FY2025-Q3"), &json!("JOINT_E_APPLICATION"))
    );

    let history = server.history(&id).await;
    let steps: Vec<(Value, &str, &str, &str, Value, i64)> = vec![
        (
            Value::Null,
            "hearing",
            "create",
            bob.email.as_str(),
            Value::Null,
            1,
        ),
        (
            json!("hearing"),
            "scheduled",
            "schedule",
            alice.email.as_str(),
            json!("schedule agreed at hearing"),
            3,
        ),
        (
            json!("scheduled"),
            "built",
            "build",
            bob.email.as_str(),
            json!("form published on the joint portal"),
            5,
        ),
        (
            json!("built"),
            "user_tested",
            "user_test",
            carol.email.as_str(),
            json!("five applicants tested it"),
            6,
        ),
        // An approved transition is the requester's, with the requester's comment.
        (
            json!("user_tested"),
            "released",
            "release",
            alice.email.as_str(),
            json!("live"),
            7,
        ),
    ];
    assert_eq!(
        history.len(),
        steps.len(),
        "updates add no history: {history:#?}"
    );
    for (record, (from, to, key, actor, comment, version)) in history.iter().zip(&steps) {
        assert_eq!(&record["from"], from, "{record}");
        assert_eq!(record["to"], *to, "{record}");
        assert_eq!(record["transition"], *key, "{record}");
        assert_eq!(record["actor"], *actor, "{record}");
        assert_eq!(&record["comment"], comment, "{record}");
        assert_eq!(record["procedureVersion"], *version, "{record}");
        assert_eq!(record["toState"]["key"], *to, "{record}");
        assert_eq!(
            record["fromState"]["key"].as_str(),
            from.as_str(),
            "{record}"
        );
        assert!(
            !record["workflowVersion"].as_str().unwrap().is_empty(),
            "{record}"
        );
    }
    assert_eq!(history[4]["toState"]["labelEn"], "Released");
    assert_eq!(history[4]["approvalRequest"]["id"], request["id"]);
    assert_eq!(history[4]["approvalRequest"]["status"], "APPROVED");
    assert!(
        history[..4].iter().all(|r| r["approvalRequest"].is_null()),
        "{history:#?}"
    );
    let times: Vec<_> = history
        .iter()
        .map(|r| chrono::DateTime::parse_from_rfc3339(r["at"].as_str().unwrap()).unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "history not oldest first: {times:?}"
    );

    // The history pages like any connection: 2 + 2 + 1, same records in the same order.
    let mut paged = Vec::new();
    let mut after = Value::Null;
    for (expected_len, has_next) in [(2, true), (2, true), (1, false)] {
        let data = server
            .data(
                "query($id: ID!, $after: String) { procedure(id: $id) { history(first: 2, after: $after) {
                   totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }",
                json!({ "id": id, "after": after }),
            )
            .await;
        let page = &data["procedure"]["history"];
        assert_eq!(page["totalCount"], 5);
        assert_eq!(page["edges"].as_array().unwrap().len(), expected_len);
        assert_eq!(page["pageInfo"]["hasNextPage"], has_next);
        paged.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone()),
        );
        after = page["pageInfo"]["endCursor"].clone();
    }
    let ids: Vec<Value> = history.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(paged, ids);
}

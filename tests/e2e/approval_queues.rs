//! Who decides approval requests, and until when, over real HTTP: substitutes (a project-office
//! user names another for a range of days; the substitute's vote counts as theirs and records
//! both, and uses up the substitute's own vote on that request), each user's queue
//! (`myPendingApprovals`), and expiry (a server whose requests expire at once).

use crate::common::{Options, TestServer, TestUser, both_backends, payload_errors};
use chrono::{TimeDelta, Utc};
use rollout_app::AppSettings;
use serde_json::{Value, json};

both_backends!(
    a_substitute_votes_for_the_delegator,
    each_user_sees_what_they_may_decide,
);
both_backends!(with super::expire_at_once; requests_expire);

fn expire_at_once() -> Options {
    Options {
        app: Some(AppSettings {
            approval_expiry_days: 0,
            ..AppSettings::default()
        }),
        ..Options::default()
    }
}

fn errs(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_owned(), path.to_owned())]
}

/// KANKYO and `count` procedures in it (KANKYO-0001…), made by the project office.
async fn procedures(server: &TestServer, count: usize) -> Vec<String> {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let mut ids = Vec::new();
    for i in 1..=count {
        let p = server
            .simple_procedure("KANKYO", &format!("KANKYO-{i:04}"))
            .await;
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Requests abolishing `id` (at version 1) as `user`; returns the approval request.
async fn request_abolish(server: &TestServer, user: &TestUser, id: &str) -> Value {
    let payload = server
        .transition_as(
            user,
            json!({ "procedureId": id, "to": "abolished", "expectedVersion": 1, "comment": "不要" }),
        )
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert!(payload["record"].is_null(), "{payload}");
    payload["approvalRequest"].clone()
}

/// Today's date in Tokyo shifted by `days`, as the API writes dates.
fn tokyo_day(days: i64) -> String {
    (Utc::now() + TimeDelta::hours(9) + TimeDelta::days(days))
        .date_naive()
        .to_string()
}

const DELEGATE: &str = "mutation($input: CreateDelegationInput!) { createDelegation(input: $input) {
    delegation { id delegator { email } delegate { email } startsOn endsOn revokedAt } errors { code message path } } }";

async fn a_substitute_votes_for_the_delegator(server: TestServer) {
    let ids = procedures(&server, 2).await;
    let (a, b) = (&server.po2, &server.po3);
    // Yesterday to tomorrow: today is covered even if the test runs across midnight in Tokyo.
    let input = json!({ "delegateId": b.id, "startsOn": tokyo_day(-1), "endsOn": tokyo_day(1) });
    let data = server.data_as(a, DELEGATE, json!({ "input": input })).await;
    let payload = &data["createDelegation"];
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let delegation = &payload["delegation"];
    assert_eq!(
        (
            &delegation["delegator"]["email"],
            &delegation["delegate"]["email"],
            &delegation["endsOn"]
        ),
        (&json!(a.email), &json!(b.email), &json!(tokyo_day(1)))
    );
    for (user, seen) in [(a, 1), (b, 1), (&server.po, 0)] {
        let data = server
            .data_as(user, "{ delegations { id } }", json!({}))
            .await;
        assert_eq!(
            data["delegations"].as_array().unwrap().len(),
            seen,
            "{}",
            user.email
        );
    }
    // Only someone who could decide in the delegator's place may stand in for them.
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let coordinator = server.coordinator("FUKUSHI").await;
    let data = server
        .data_as(a, DELEGATE, json!({ "input": { "delegateId": coordinator.id, "startsOn": tokyo_day(0), "endsOn": tokyo_day(0) } }))
        .await;
    assert_eq!(
        payload_errors(&data["createDelegation"]),
        errs("VALIDATION", "delegateId")
    );

    let request = request_abolish(&server, &server.po, &ids[0]).await;
    let req = request["id"].as_str().unwrap();
    let by_b = server
        .approve_as(b, req, Some(&a.id), Some("代理で承認"))
        .await;
    assert_eq!(by_b["errors"], json!([]), "{by_b}");
    assert_eq!(
        (&by_b["request"]["status"], &by_b["request"]["approvals"]),
        (&json!("PENDING"), &json!(1))
    );
    assert_eq!(
        by_b["request"]["votes"][0]["approver"]["email"],
        b.email.as_str(),
        "{by_b}"
    );
    assert_eq!(
        by_b["request"]["votes"][0]["onBehalfOf"]["email"],
        a.email.as_str()
    );
    // That was the substitute's one vote on this request, and it was the delegator's too.
    for (who, payload) in [
        (
            "the substitute as themselves",
            server.approve_as(b, req, None, None).await,
        ),
        ("the delegator", server.approve_as(a, req, None, None).await),
    ] {
        assert_eq!(
            payload_errors(&payload),
            errs("DUPLICATE", "id"),
            "{who}: {payload}"
        );
    }
    let po4 = server
        .create_user("po.watanabe@e2e.rollout.test", "PROJECT_OFFICE", None)
        .await;
    let unauthorised = server.approve_as(&po4, req, Some(&a.id), None).await;
    assert_eq!(
        payload_errors(&unauthorised),
        errs("FORBIDDEN", ""),
        "{unauthorised}"
    );
    assert_eq!(
        unauthorised["errors"][0]["message"],
        "no substitute arrangement covers today"
    );
    let last = server.approve_as(&po4, req, None, None).await;
    assert_eq!(
        (
            &last["request"]["status"],
            &last["procedure"]["state"]["key"]
        ),
        (&json!("APPROVED"), &json!("abolished")),
        "{last}"
    );

    let data = server
        .data_as(
            &server.admin,
            r#"{ auditLog(filter: { action: "approval.approve", outcome: SUCCESS }) { edges { node { actor onBehalfOf { email } } } } }"#,
            json!({}),
        )
        .await;
    let entries: Vec<Value> = data["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(
        entries,
        [
            json!({ "actor": b.email, "onBehalfOf": { "email": a.email } }),
            json!({ "actor": po4.email, "onBehalfOf": null }),
        ]
    );

    // Once revoked, the arrangement no longer lets the substitute decide.
    let delegation_id = delegation["id"].clone();
    let data = server
        .data_as(a, "mutation($id: ID!) { revokeDelegation(input: { id: $id }) { delegation { revokedAt } errors { code } } }", json!({ "id": delegation_id }))
        .await;
    assert!(
        data["revokeDelegation"]["delegation"]["revokedAt"].is_string(),
        "{data}"
    );
    let request = request_abolish(&server, &server.po, &ids[1]).await;
    let refused = server
        .approve_as(b, request["id"].as_str().unwrap(), Some(&a.id), None)
        .await;
    assert_eq!(payload_errors(&refused), errs("FORBIDDEN", ""), "{refused}");
}

async fn each_user_sees_what_they_may_decide(server: TestServer) {
    let ids = procedures(&server, 2).await;
    let coordinator = server.coordinator("KANKYO").await;
    let first = request_abolish(&server, &server.po, &ids[0]).await;
    request_abolish(&server, &server.po2, &ids[1]).await;

    // Not one's own; soonest deadline first; nothing for those who cannot decide.
    assert_eq!(server.pending_codes(&server.po).await, ["KANKYO-0002"]);
    assert_eq!(server.pending_codes(&server.po2).await, ["KANKYO-0001"]);
    assert_eq!(
        server.pending_codes(&server.po3).await,
        ["KANKYO-0001", "KANKYO-0002"]
    );
    for user in [&server.viewer, &server.admin, &coordinator] {
        assert_eq!(
            server.pending_codes(user).await,
            Vec::<String>::new(),
            "{}",
            user.email
        );
    }
    // A decided request leaves the decider's queue, not the others'.
    let voted = server
        .approve_as(&server.po3, first["id"].as_str().unwrap(), None, None)
        .await;
    assert_eq!(voted["request"]["status"], "PENDING", "{voted}");
    assert_eq!(server.pending_codes(&server.po3).await, ["KANKYO-0002"]);
    assert_eq!(server.pending_codes(&server.po2).await, ["KANKYO-0001"]);
    let pending = server
        .data(
            "{ approvals(filter: { statuses: [PENDING], role: PROJECT_OFFICE }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(pending["approvals"]["totalCount"], 2);
}

async fn requests_expire(server: TestServer) {
    let ids = procedures(&server, 1).await;
    let request = request_abolish(&server, &server.po, &ids[0]).await;
    let req = request["id"].as_str().unwrap().to_owned();
    assert_eq!(
        request["status"], "EXPIRED",
        "a deadline of zero days: {request}"
    );

    // Listing closes it for good, with the reason.
    let data = server
        .data(
            "{ approvals { totalCount edges { node { id status reason closedAt createdAt expiresAt } } } }",
            json!({}),
        )
        .await;
    let node = &data["approvals"]["edges"][0]["node"];
    assert_eq!(
        (&node["id"], &node["status"]),
        (&json!(req), &json!("EXPIRED")),
        "{data}"
    );
    assert_eq!(node["createdAt"], node["expiresAt"]);
    assert!(node["closedAt"].is_string(), "{node}");
    let reason = node["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("not decided by "), "{node}");

    for payload in [
        server.approve_as(&server.po2, &req, None, None).await,
        server.reject_as(&server.po2, &req, "no").await,
        server.withdraw_as(&server.po, &req).await,
    ] {
        assert_eq!(
            payload_errors(&payload),
            errs("APPROVAL_CLOSED", ""),
            "{payload}"
        );
    }
    assert_eq!(server.snapshot(&ids[0]).await, (1, 1));
    assert_eq!(
        server.pending_codes(&server.po2).await,
        Vec::<String>::new()
    );
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { pendingApproval { id } } }",
            json!({ "id": ids[0] }),
        )
        .await;
    assert!(data["procedure"]["pendingApproval"].is_null(), "{data}");
    // An expired request blocks nothing: asking again opens a new one.
    let again = request_abolish(&server, &server.po, &ids[0]).await;
    assert_ne!(again["id"], json!(req));
}

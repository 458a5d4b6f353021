//! The approval life cycle over real HTTP, on the default workflow (releasing needs one
//! PROJECT_OFFICE approval, abolishing two): a gated request leaves the procedure where it is
//! until the last approval applies it; nobody decides their own request and everyone decides
//! once; a rejection, a withdrawal or a change to the procedure closes the request and nothing
//! moves; a closed request takes no more decisions (APPROVAL_CLOSED). Substitutes, expiry and
//! the approver's queue are in `approval_queues.rs`.

use crate::common::{REQUEST_FIELDS, TestServer, TestUser, both_backends, payload_errors};
use serde_json::{Value, json};

both_backends!(
    release_needs_one_approval,
    abolish_needs_two_distinct_approvals,
    reject_and_withdraw_close_the_request,
    a_change_after_the_request_fails_it,
);

fn errs(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_owned(), path.to_owned())]
}

/// Requests the gated transition to `to` as `user` and asserts that it waits: no record, the
/// procedure unchanged at `version`. Returns the approval request.
async fn request(
    server: &TestServer,
    user: &TestUser,
    id: &str,
    to: &str,
    version: i64,
    comment: &str,
) -> Value {
    let payload = server.accepted_as(user, id, to, version, comment).await;
    assert!(payload["record"].is_null(), "{payload}");
    assert_eq!(payload["procedure"]["version"], version, "{payload}");
    assert_ne!(payload["procedure"]["state"]["key"], to, "{payload}");
    let request = payload["approvalRequest"].clone();
    assert_eq!(request["status"], "PENDING", "{payload}");
    assert_eq!(request["approvals"], 0);
    assert_eq!(request["role"], "PROJECT_OFFICE");
    assert_eq!(request["to"], to);
    request
}

/// The procedure's state key and pending approval request id (null when none).
async fn pending(server: &TestServer, id: &str) -> (Value, Value) {
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { state { key } pendingApproval { id } } }",
            json!({ "id": id }),
        )
        .await;
    let p = &data["procedure"];
    (
        p["state"]["key"].clone(),
        p["pendingApproval"]["id"].clone(),
    )
}

/// A procedure in KANKYO whose guards hold, made by `user`; returns its id.
async fn procedure(server: &TestServer, user: &TestUser, code: &str) -> String {
    let payload = server
        .create_procedure_payload(
            user,
            json!({ "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
                    "category": "STANDARD", "authority": "TOKYO",
                    "targetQuarter": "FY2026-Q1", "platform": "MYNA_PORTAL" }),
        )
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    payload["procedure"]["id"].as_str().unwrap().to_owned()
}

async fn bureau(server: &TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
}

async fn release_needs_one_approval(server: TestServer) {
    bureau(&server).await;
    let coordinator = server.coordinator("KANKYO").await;
    let id = procedure(&server, &coordinator, "KANKYO-0001").await;
    let mut version = 1;
    for to in ["scheduled", "built", "user_tested"] {
        if to == "user_tested" {
            server.pass_user_test_as(&coordinator, &id).await;
        }
        let moved = server
            .transition_as(
                &coordinator,
                json!({ "procedureId": id, "to": to, "expectedVersion": version }),
            )
            .await;
        assert_eq!(moved["errors"], json!([]), "{moved}");
        version += 1;
    }
    let req = request(
        &server,
        &coordinator,
        &id,
        "released",
        version,
        "ready to go live",
    )
    .await;
    let req_id = req["id"].as_str().unwrap();
    assert_eq!(
        (&req["required"], &req["transition"], &req["from"]),
        (&json!(1), &json!("release"), &json!("user_tested"))
    );
    assert_eq!(server.snapshot(&id).await, (4, 4), "nothing moved");
    assert_eq!(
        pending(&server, &id).await,
        (json!("user_tested"), json!(req_id))
    );

    // Asking again for the same thing answers with the same request; anything else is refused.
    let again = server
        .transition_as(&coordinator, json!({ "procedureId": id, "to": "released", "expectedVersion": 4, "comment": "ready to go live" }))
        .await;
    assert_eq!(
        (&again["replayed"], &again["approvalRequest"]["id"]),
        (&json!(true), &json!(req_id)),
        "{again}"
    );
    let other = server
        .transition(json!({ "procedureId": id, "to": "released", "expectedVersion": 4, "comment": "me too" }))
        .await;
    assert_eq!(payload_errors(&other), errs("DUPLICATE", "to"), "{other}");

    // The requester cannot decide; the project office can.
    let own = server.approve_as(&coordinator, req_id, None, None).await;
    assert_eq!(payload_errors(&own), errs("FORBIDDEN", ""), "{own}");
    assert_eq!(
        own["errors"][0]["message"],
        "nobody approves their own request"
    );
    let approved = server
        .approve_as(&server.po, req_id, None, Some("確認済み"))
        .await;
    assert_eq!(approved["errors"], json!([]), "{approved}");
    let r = &approved["request"];
    assert_eq!(
        (&r["status"], &r["approvals"]),
        (&json!("APPROVED"), &json!(1))
    );
    assert!(r["closedAt"].is_string() && r["reason"].is_null(), "{r}");
    assert_eq!(
        r["votes"],
        json!([{ "approver": { "email": server.po.email }, "onBehalfOf": null, "decision": "APPROVE",
                 "comment": "確認済み", "at": r["votes"][0]["at"] }])
    );
    assert_eq!(approved["procedure"]["state"]["key"], "released");
    assert_eq!(approved["procedure"]["version"], 5);
    assert_eq!(
        pending(&server, &id).await,
        (json!("released"), Value::Null)
    );
    let history = server.history(&id).await;
    let last = &history[4];
    assert_eq!(
        (&last["to"], &last["actor"], &last["comment"]),
        (
            &json!("released"),
            &json!(coordinator.email),
            &json!("ready to go live")
        )
    );
    assert_eq!(
        last["approvalRequest"],
        json!({ "id": req_id, "status": "APPROVED" })
    );

    // Closed: no more decisions of any kind.
    for payload in [
        server.approve_as(&server.po2, req_id, None, None).await,
        server.reject_as(&server.po2, req_id, "too late").await,
        server.withdraw_as(&coordinator, req_id).await,
    ] {
        assert_eq!(
            payload_errors(&payload),
            errs("APPROVAL_CLOSED", ""),
            "{payload}"
        );
    }
    assert_eq!(server.approval(req_id).await["status"], "APPROVED");
}

async fn abolish_needs_two_distinct_approvals(server: TestServer) {
    bureau(&server).await;
    let id = procedure(&server, &server.po, "KANKYO-0001").await;
    let req = request(&server, &server.po, &id, "abolished", 1, "統合により廃止").await;
    let req_id = req["id"].as_str().unwrap();
    assert_eq!(
        (&req["required"], &req["transition"]),
        (&json!(2), &json!("abolish"))
    );

    let first = server.approve_as(&server.po2, req_id, None, None).await;
    assert_eq!(first["errors"], json!([]), "{first}");
    assert_eq!(
        (&first["request"]["status"], &first["request"]["approvals"]),
        (&json!("PENDING"), &json!(1))
    );
    assert_eq!(
        first["procedure"]["state"]["key"], "hearing",
        "one of two moves nothing"
    );
    assert_eq!(server.snapshot(&id).await, (1, 1));

    // One vote per person, whichever way; the requester has none.
    let twice = server.approve_as(&server.po2, req_id, None, None).await;
    assert_eq!(payload_errors(&twice), errs("DUPLICATE", "id"), "{twice}");
    let change_of_mind = server.reject_as(&server.po2, req_id, "やはり反対").await;
    assert_eq!(
        payload_errors(&change_of_mind),
        errs("DUPLICATE", "id"),
        "{change_of_mind}"
    );
    let own = server.approve_as(&server.po, req_id, None, None).await;
    assert_eq!(payload_errors(&own), errs("FORBIDDEN", ""), "{own}");
    assert_eq!(server.approval(req_id).await["approvals"], 1);

    let second = server.approve_as(&server.po3, req_id, None, None).await;
    assert_eq!(second["errors"], json!([]), "{second}");
    assert_eq!(
        (
            &second["request"]["status"],
            &second["request"]["approvals"]
        ),
        (&json!("APPROVED"), &json!(2))
    );
    assert_eq!(second["procedure"]["state"]["key"], "abolished");
    let approvers: Vec<&Value> = second["request"]["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["approver"]["email"])
        .collect();
    assert_eq!(
        approvers,
        [&json!(server.po2.email), &json!(server.po3.email)],
        "oldest first"
    );
    assert_eq!(server.snapshot(&id).await, (2, 2));
}

async fn reject_and_withdraw_close_the_request(server: TestServer) {
    bureau(&server).await;
    let id = procedure(&server, &server.po, "KANKYO-0001").await;
    let req = request(&server, &server.po, &id, "abolished", 1, "不要").await;
    let req_id = req["id"].as_str().unwrap();
    let rejected = server
        .reject_as(&server.po2, req_id, "まだ利用者がいる")
        .await;
    assert_eq!(rejected["errors"], json!([]), "{rejected}");
    let r = &rejected["request"];
    assert_eq!(
        (&r["status"], &r["reason"], &r["approvals"]),
        (&json!("REJECTED"), &json!("まだ利用者がいる"), &json!(0))
    );
    assert_eq!(r["votes"][0]["decision"], "REJECT");
    assert_eq!(rejected["procedure"]["state"]["key"], "hearing");
    let late = server.approve_as(&server.po3, req_id, None, None).await;
    assert_eq!(payload_errors(&late), errs("APPROVAL_CLOSED", ""), "{late}");
    assert_eq!(pending(&server, &id).await, (json!("hearing"), Value::Null));

    // A new request is possible once the old one is closed; only its requester withdraws it.
    let again = request(&server, &server.po, &id, "abolished", 1, "不要（再申請）").await;
    let again_id = again["id"].as_str().unwrap();
    assert_ne!(again_id, req_id);
    for other in [&server.po2, &server.viewer] {
        let refused = server.withdraw_as(other, again_id).await;
        assert_eq!(payload_errors(&refused), errs("FORBIDDEN", ""), "{refused}");
        assert_eq!(
            refused["errors"][0]["message"],
            "only the requester may withdraw a request"
        );
    }
    let withdrawn = server.withdraw_as(&server.po, again_id).await;
    assert_eq!(withdrawn["errors"], json!([]), "{withdrawn}");
    assert_eq!(
        (
            &withdrawn["request"]["status"],
            &withdrawn["request"]["reason"]
        ),
        (&json!("WITHDRAWN"), &Value::Null)
    );
    assert!(withdrawn["request"]["closedAt"].is_string());
    for payload in [
        server.withdraw_as(&server.po, again_id).await,
        server.approve_as(&server.po2, again_id, None, None).await,
    ] {
        assert_eq!(
            payload_errors(&payload),
            errs("APPROVAL_CLOSED", ""),
            "{payload}"
        );
    }
    let statuses = server
        .data(
            &format!("query($id: ID!) {{ approvals(filter: {{ procedureId: $id }}) {{ totalCount edges {{ node {{ {REQUEST_FIELDS} }} }} }} }}"),
            json!({ "id": id }),
        )
        .await;
    let listed: Vec<&Value> = statuses["approvals"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["status"])
        .collect();
    assert_eq!(
        listed,
        [&json!("WITHDRAWN"), &json!("REJECTED")],
        "newest first"
    );
    assert_eq!(server.snapshot(&id).await, (1, 1));
}

/// The race the version check exists for: the procedure changes between the request and its
/// last approval, so the approval closes the request as FAILED and moves nothing.
async fn a_change_after_the_request_fails_it(server: TestServer) {
    bureau(&server).await;
    let id = procedure(&server, &server.po, "KANKYO-0001").await;
    let req = request(&server, &server.po, &id, "abolished", 1, "不要").await;
    let req_id = req["id"].as_str().unwrap();
    let first = server.approve_as(&server.po2, req_id, None, None).await;
    assert_eq!(first["request"]["status"], "PENDING", "{first}");
    let updated = server
        .update_procedure(json!({ "id": id, "expectedVersion": 1, "annualApplications": 12000 }))
        .await;
    assert_eq!(updated["errors"], json!([]), "{updated}");
    assert_eq!(updated["procedure"]["version"], 2);

    let last = server.approve_as(&server.po3, req_id, None, None).await;
    assert_eq!(
        last["errors"],
        json!([]),
        "the vote itself is recorded: {last}"
    );
    let r = &last["request"];
    assert_eq!(
        (&r["status"], &r["approvals"]),
        (&json!("FAILED"), &json!(2))
    );
    assert_eq!(
        r["reason"],
        "the procedure changed after the request (version 1 in hearing, now version 2 in hearing); nothing moved"
    );
    assert_eq!(last["procedure"]["state"]["key"], "hearing");
    assert_eq!(
        server.snapshot(&id).await,
        (2, 1),
        "no abolition in the history"
    );
    assert_eq!(pending(&server, &id).await, (json!("hearing"), Value::Null));
    let closed = server.approve_as(&server.po3, req_id, None, None).await;
    assert_eq!(
        payload_errors(&closed),
        errs("APPROVAL_CLOSED", ""),
        "{closed}"
    );
}

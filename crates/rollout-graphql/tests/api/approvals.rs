//! Gated transitions through GraphQL: a request opens instead of the move, approvers decide
//! (never on their own request), the last approval moves the procedure, and every way a request
//! closes without moving it: rejection, withdrawal, expiry, and a procedure that changed meanwhile.

use chrono::TimeDelta;
use rollout_domain::identity::{Role, User};
use serde_json::{Value, json};

use crate::harness::{Api, codes, codes_and_paths};

pub const DECIDE_FIELDS: &str = "request { id status approvals required reason closedAt
        votes { approver { email } onBehalfOf { email } decision comment at } }
    procedure { version state { key } }
    errors { code message path }";

/// Approves request `id` as `user` and returns the payload.
pub async fn approve_as(api: &Api, user: &User, id: &Value) -> Value {
    decide(api, user, "approveRequest", json!({ "id": id })).await
}

/// Runs `approveRequest` or `rejectRequest` with `input` as `user`.
pub async fn decide(api: &Api, user: &User, mutation: &str, input: Value) -> Value {
    let input_type = if mutation == "approveRequest" {
        "ApproveRequestInput"
    } else {
        "RejectRequestInput"
    };
    let query = format!(
        "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {DECIDE_FIELDS} }} }}"
    );
    api.data_as(user, &query, json!({ "input": input })).await[mutation].clone()
}

const REQUEST: &str = "query($id: ID!) { node(id: $id) { ... on ApprovalRequest {
    status approvals reason votes { approver { email } } procedure { version state { key } } } } }";

async fn request(api: &Api, id: &Value) -> Value {
    api.data(REQUEST, json!({ "id": id })).await["node"].clone()
}

pub const WITHDRAW: &str = "mutation($input: WithdrawRequestInput!) {
    withdrawRequest(input: $input) { request { status closedAt } errors { code path } } }";

/// A KANKYO procedure moved to `user_tested` (version 4), ready to be released.
pub async fn ready_to_release(api: &Api, code: &str) -> Value {
    let p = api
        .create_procedure(
            code,
            "KANKYO",
            json!({"targetQuarter": "FY2026-Q2", "platform": "JGRANTS"}),
        )
        .await;
    for (to, version) in [("scheduled", 1), ("built", 2), ("user_tested", 3)] {
        if to == "user_tested" {
            crate::user_tests::pass_user_test(api, &p["id"]).await;
        }
        let step = api
            .transition(json!({"procedureId": p["id"], "to": to, "expectedVersion": version}))
            .await;
        assert_eq!(step["errors"], json!([]), "{to}");
    }
    p["id"].clone()
}

/// Asks to release `id` (at version 4) as the default PROJECT_OFFICE user.
async fn request_release(api: &Api, id: &Value) -> Value {
    let payload = api
        .transition(
            json!({"procedureId": id, "to": "released", "expectedVersion": 4,
                           "comment": "go live"}),
        )
        .await;
    assert_eq!(payload["errors"], json!([]));
    payload
}

#[tokio::test]
async fn a_release_waits_for_one_project_office_approval() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let coordinator = api
        .add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
        .await;
    let office = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let id = ready_to_release(&api, "KANKYO-0001").await;

    let asked = request_release(&api, &id).await;
    assert_eq!(asked["record"], json!(null));
    assert_eq!(asked["replayed"], false);
    assert_eq!(
        asked["procedure"],
        json!({"version": 4, "releasedOn": null, "state": {"key": "user_tested", "kind": "ACTIVE"}})
    );
    let request_id = asked["approvalRequest"]["id"].clone();
    assert_eq!(
        asked["approvalRequest"],
        json!({"id": request_id, "status": "PENDING", "from": "user_tested", "to": "released",
               "transition": "release", "required": 1, "approvals": 0, "role": "PROJECT_OFFICE",
               "comment": "go live", "expectedVersion": 4,
               "requestedBy": {"email": "po@example.jp"}})
    );
    assert_eq!(
        api.written(&id).await,
        json!({"version": 4, "state": {"key": "user_tested"}, "history": {"totalCount": 4}})
    );
    let pending = api
        .data(
            "query($id: ID!) { procedure(id: $id) { pendingApproval { id status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        pending["procedure"]["pendingApproval"],
        json!({"id": request_id, "status": "PENDING"})
    );

    let again = request_release(&api, &id).await;
    assert_eq!(
        again["replayed"], true,
        "the same request while it is pending"
    );
    assert_eq!(again["approvalRequest"]["id"], request_id);

    for (who, name) in [(&api.po, "the requester"), (&coordinator, "a coordinator")] {
        let refused = approve_as(&api, who, &request_id).await;
        assert_eq!(
            codes_and_paths(&refused),
            [("FORBIDDEN".to_owned(), json!(null))],
            "{name}"
        );
        assert_eq!(refused["request"], json!(null));
    }
    assert_eq!(request(&api, &request_id).await["approvals"], 0);

    let approved = decide(
        &api,
        &office,
        "approveRequest",
        json!({"id": request_id, "comment": "ok"}),
    )
    .await;
    assert_eq!(approved["errors"], json!([]));
    assert_eq!(
        approved["request"],
        json!({"id": request_id, "status": "APPROVED", "approvals": 1, "required": 1,
               "reason": null, "closedAt": "2026-06-15T03:00:00Z",
               "votes": [{"approver": {"email": "po2@example.jp"}, "onBehalfOf": null,
                          "decision": "APPROVE", "comment": "ok", "at": "2026-06-15T03:00:00Z"}]})
    );
    assert_eq!(
        approved["procedure"],
        json!({"version": 5, "state": {"key": "released"}})
    );
    let after = api
        .data(
            "query($id: ID!) { procedure(id: $id) { releasedOn pendingApproval { id }
                history(first: 10) { totalCount edges { node { transition actor comment
                    approvalRequest { id status } } } } } }",
            json!({ "id": id }),
        )
        .await;
    let procedure = &after["procedure"];
    assert_eq!(procedure["releasedOn"], "2026-06-15");
    assert_eq!(procedure["pendingApproval"], json!(null));
    assert_eq!(procedure["history"]["totalCount"], 5);
    assert_eq!(
        procedure["history"]["edges"][4]["node"],
        json!({"transition": "release", "actor": "po@example.jp", "comment": "go live",
               "approvalRequest": {"id": request_id, "status": "APPROVED"}})
    );
    assert_eq!(
        procedure["history"]["edges"][3]["node"]["approvalRequest"],
        json!(null)
    );

    let third = api
        .add_user("po3@example.jp", Role::ProjectOffice, None)
        .await;
    let late = approve_as(&api, &third, &request_id).await;
    assert_eq!(
        codes_and_paths(&late),
        [("APPROVAL_CLOSED".to_owned(), json!(null))]
    );
    assert_eq!(api.written(&id).await["version"], 5, "nothing more moved");
}

#[tokio::test]
async fn abolishing_needs_two_distinct_approvals() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let c = api
        .add_user("po3@example.jp", Role::ProjectOffice, None)
        .await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let asked = api
        .transition(
            json!({"procedureId": p["id"], "to": "abolished", "expectedVersion": 1,
                           "comment": "merged into KANKYO-0002"}),
        )
        .await;
    assert_eq!(asked["approvalRequest"]["required"], 2);
    let id = asked["approvalRequest"]["id"].clone();

    let first = approve_as(&api, &b, &id).await;
    assert_eq!(first["errors"], json!([]));
    assert_eq!(first["request"]["status"], "PENDING");
    assert_eq!(first["request"]["approvals"], 1);
    assert_eq!(
        first["procedure"],
        json!({"version": 1, "state": {"key": "hearing"}})
    );

    let twice = approve_as(&api, &b, &id).await;
    assert_eq!(
        codes_and_paths(&twice),
        [("DUPLICATE".to_owned(), json!(["id"]))]
    );

    let second = approve_as(&api, &c, &id).await;
    assert_eq!(second["errors"], json!([]));
    assert_eq!(second["request"]["status"], "APPROVED");
    assert_eq!(second["request"]["approvals"], 2);
    let voters: Vec<_> = second["request"]["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["approver"]["email"].clone())
        .collect();
    assert_eq!(voters, [json!("po2@example.jp"), json!("po3@example.jp")]);
    assert_eq!(
        second["procedure"],
        json!({"version": 2, "state": {"key": "abolished"}})
    );
}

#[tokio::test]
async fn a_rejection_closes_the_request_with_its_reason() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let id = ready_to_release(&api, "KANKYO-0001").await;
    let request_id = request_release(&api, &id).await["approvalRequest"]["id"].clone();

    let rejected = decide(
        &api,
        &b,
        "rejectRequest",
        json!({"id": request_id, "comment": "user test incomplete"}),
    )
    .await;
    assert_eq!(rejected["errors"], json!([]));
    assert_eq!(rejected["request"]["status"], "REJECTED");
    assert_eq!(rejected["request"]["reason"], "user test incomplete");
    assert_eq!(rejected["request"]["votes"][0]["decision"], "REJECT");
    assert_eq!(
        rejected["procedure"],
        json!({"version": 4, "state": {"key": "user_tested"}})
    );
    assert_eq!(
        api.written(&id).await,
        json!({"version": 4, "state": {"key": "user_tested"}, "history": {"totalCount": 4}})
    );

    let anew = request_release(&api, &id).await;
    assert_eq!(
        anew["replayed"], false,
        "a closed request does not block a new one"
    );
    assert_ne!(anew["approvalRequest"]["id"], request_id);
}

#[tokio::test]
async fn only_the_requester_withdraws_and_closed_requests_take_no_decision() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let id = ready_to_release(&api, "KANKYO-0001").await;
    let request_id = request_release(&api, &id).await["approvalRequest"]["id"].clone();

    let input = json!({"input": {"id": request_id}});
    let refused = api.data_as(&b, WITHDRAW, input.clone()).await;
    assert_eq!(codes(&refused["withdrawRequest"]), ["FORBIDDEN"]);
    let withdrawn = api.data(WITHDRAW, input.clone()).await;
    assert_eq!(
        withdrawn["withdrawRequest"],
        json!({"request": {"status": "WITHDRAWN", "closedAt": "2026-06-15T03:00:00Z"}, "errors": []})
    );
    let again = api.data(WITHDRAW, input).await;
    assert_eq!(
        codes_and_paths(&again["withdrawRequest"]),
        [("APPROVAL_CLOSED".to_owned(), json!(null))]
    );
    for mutation in ["approveRequest", "rejectRequest"] {
        let late = decide(&api, &b, mutation, json!({ "id": request_id })).await;
        assert_eq!(codes(&late), ["APPROVAL_CLOSED"], "{mutation}");
    }
    assert_eq!(request(&api, &request_id).await["votes"], json!([]));
    assert_eq!(api.written(&id).await["version"], 4);
}

#[tokio::test]
async fn a_procedure_changed_after_the_request_fails_the_last_approval() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let id = ready_to_release(&api, "KANKYO-0001").await;
    let request_id = request_release(&api, &id).await["approvalRequest"]["id"].clone();
    let updated = api
        .update(json!({"id": id, "expectedVersion": 4, "name": "改名した手続"}))
        .await;
    assert_eq!(updated["procedure"]["version"], 5);

    let approved = approve_as(&api, &b, &request_id).await;
    assert_eq!(
        approved["errors"],
        json!([]),
        "the decision itself is recorded"
    );
    let request = &approved["request"];
    assert_eq!(request["status"], "FAILED");
    let reason = request["reason"].as_str().unwrap();
    assert!(reason.contains("changed after the request"), "{reason}");
    assert!(reason.contains("nothing moved"), "{reason}");
    assert_eq!(
        approved["procedure"],
        json!({"version": 5, "state": {"key": "user_tested"}})
    );
    assert_eq!(
        api.written(&id).await,
        json!({"version": 5, "state": {"key": "user_tested"}, "history": {"totalCount": 4}})
    );
}

#[tokio::test]
async fn an_expired_request_shows_as_expired_and_takes_no_decision() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let id = ready_to_release(&api, "KANKYO-0001").await;
    let asked = request_release(&api, &id).await;
    let request_id = asked["approvalRequest"]["id"].clone();
    api.clock.advance(TimeDelta::days(15));

    assert_eq!(
        request(&api, &request_id).await["status"],
        "EXPIRED",
        "before any sweep"
    );
    let pending = api
        .data(
            "query($id: ID!) { procedure(id: $id) { pendingApproval { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(pending["procedure"]["pendingApproval"], json!(null));
    let late = approve_as(&api, &b, &request_id).await;
    assert_eq!(codes(&late), ["APPROVAL_CLOSED"]);

    let listed = api
        .data(
            "{ approvals(filter: {statuses: [EXPIRED]}) { totalCount edges { node { id reason } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["approvals"]["totalCount"], 1,
        "listing closes it first"
    );
    assert_eq!(listed["approvals"]["edges"][0]["node"]["id"], request_id);
    let reason = listed["approvals"]["edges"][0]["node"]["reason"]
        .as_str()
        .unwrap();
    assert!(reason.starts_with("not decided by"), "{reason}");
}

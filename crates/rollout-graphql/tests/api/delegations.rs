//! Substitute approvers through GraphQL: making, listing, seeing and revoking a delegation, and a
//! substitute's decision, which counts as the delegator's and records both names; one person
//! still casts one vote per request, whichever hat they wear.

use rollout_domain::identity::Role;
use serde_json::json;

use crate::approvals::{approve_as, decide};
use crate::harness::{Api, codes, codes_and_paths, user_id};

#[tokio::test]
async fn a_substitute_decides_for_the_delegator_and_still_votes_once() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let c = api
        .add_user("po3@example.jp", Role::ProjectOffice, None)
        .await;
    let d = api
        .add_user("po4@example.jp", Role::ProjectOffice, None)
        .await;
    let create = "mutation($input: CreateDelegationInput!) { createDelegation(input: $input) {
        delegation { id delegator { email } delegate { email } startsOn endsOn revokedAt }
        errors { code path } } }";
    let made = api
        .data_as(
            &b,
            create,
            json!({"input": {"delegateId": user_id(&api, &c).await, "startsOn": "2026-06-15",
                             "endsOn": "2026-06-30"}}),
        )
        .await;
    let delegation = &made["createDelegation"]["delegation"];
    assert_eq!(made["createDelegation"]["errors"], json!([]));
    assert_eq!(
        delegation,
        &json!({"id": delegation["id"], "delegator": {"email": "po2@example.jp"},
                "delegate": {"email": "po3@example.jp"}, "startsOn": "2026-06-15",
                "endsOn": "2026-06-30", "revokedAt": null})
    );
    let node = "query($id: ID!) { node(id: $id) { ... on Delegation { delegate { email } } } }";
    let seen = api.data_as(&c, node, json!({"id": delegation["id"]})).await;
    assert_eq!(
        seen["node"],
        json!({"delegate": {"email": "po3@example.jp"}})
    );
    let hidden = api.data_as(&d, node, json!({"id": delegation["id"]})).await;
    assert_eq!(hidden["node"], json!(null), "not a party to it");
    let to_self = api
        .data_as(
            &b,
            create,
            json!({"input": {"delegateId": user_id(&api, &b).await, "startsOn": "2026-06-15",
                             "endsOn": "2026-06-14"}}),
        )
        .await;
    assert_eq!(
        codes_and_paths(&to_self["createDelegation"]),
        [
            ("VALIDATION".to_owned(), json!(["delegateId"])),
            ("VALIDATION".to_owned(), json!(["endsOn"]))
        ]
    );
    let listed = "{ delegations { delegator { email } delegate { email } } }";
    assert_eq!(
        api.data_as(&c, listed, json!({})).await["delegations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.data_as(&api.admin, listed, json!({})).await["delegations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.data(listed, json!({})).await["delegations"],
        json!([]),
        "not a party"
    );

    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let asked = api
        .transition(
            json!({"procedureId": p["id"], "to": "abolished", "expectedVersion": 1,
                           "comment": "no longer needed"}),
        )
        .await;
    let id = asked["approvalRequest"]["id"].clone();
    let b_id = user_id(&api, &b).await;

    let as_b = decide(
        &api,
        &c,
        "approveRequest",
        json!({"id": id, "onBehalfOf": b_id}),
    )
    .await;
    assert_eq!(as_b["errors"], json!([]));
    assert_eq!(as_b["request"]["status"], "PENDING");
    assert_eq!(
        as_b["request"]["votes"][0]["approver"]["email"],
        "po3@example.jp"
    );
    assert_eq!(
        as_b["request"]["votes"][0]["onBehalfOf"]["email"],
        "po2@example.jp"
    );

    for (who, name) in [(&c, "the substitute as themselves"), (&b, "the delegator")] {
        let second = approve_as(&api, who, &id).await;
        assert_eq!(
            codes(&second),
            ["DUPLICATE"],
            "{name}: one person, one vote"
        );
    }
    let not_delegated = decide(
        &api,
        &d,
        "approveRequest",
        json!({"id": id, "onBehalfOf": b_id}),
    )
    .await;
    assert_eq!(codes(&not_delegated), ["FORBIDDEN"]);

    let done = approve_as(&api, &d, &id).await;
    assert_eq!(done["request"]["status"], "APPROVED");
    assert_eq!(done["procedure"]["state"]["key"], "abolished");

    let revoke = "mutation($input: RevokeDelegationInput!) { revokeDelegation(input: $input) {
        delegation { revokedAt } errors { code } } }";
    let vars = json!({"input": {"id": delegation["id"]}});
    let by_c = api.data_as(&c, revoke, vars.clone()).await;
    assert_eq!(
        codes(&by_c["revokeDelegation"]),
        ["FORBIDDEN"],
        "only the delegator revokes"
    );
    let by_b = api.data_as(&b, revoke, vars).await;
    assert_eq!(
        by_b["revokeDelegation"],
        json!({"delegation": {"revokedAt": "2026-06-15T03:00:00Z"}, "errors": []})
    );
    let q = api
        .create_procedure("KANKYO-0002", "KANKYO", json!({}))
        .await;
    let next = api
        .transition(
            json!({"procedureId": q["id"], "to": "abolished", "expectedVersion": 1,
                           "comment": "duplicate"}),
        )
        .await;
    let revoked = decide(
        &api,
        &c,
        "approveRequest",
        json!({"id": next["approvalRequest"]["id"], "onBehalfOf": b_id}),
    )
    .await;
    assert_eq!(
        codes(&revoked),
        ["FORBIDDEN"],
        "a revoked delegation no longer counts"
    );
}

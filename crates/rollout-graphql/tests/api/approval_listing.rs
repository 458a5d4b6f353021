//! Reading approvals: the filtered, paged listing, the viewer's own queue, batched loading of
//! what a page of requests refers to, and ids checked before a decision runs.

use rollout_domain::identity::Role;
use serde_json::json;

use crate::approvals::{WITHDRAW, approve_as, decide};
use crate::harness::{Api, codes_and_paths, user_id};

#[tokio::test]
async fn approvals_are_listed_newest_first_and_filtered() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let mut requests = Vec::new();
    for (code, bureau, requester) in [
        ("KANKYO-0001", "KANKYO", &api.po),
        ("KANKYO-0002", "KANKYO", &b),
        ("FUKUSHI-0001", "FUKUSHI", &api.po),
    ] {
        let p = api.create_procedure(code, bureau, json!({})).await;
        let asked = api
            .transition_as(
                requester,
                json!({"procedureId": p["id"], "to": "abolished", "expectedVersion": 1,
                       "comment": "out of scope"}),
            )
            .await;
        assert_eq!(asked["approvalRequest"]["status"], "PENDING", "{code}");
        requests.push(p["id"].clone());
    }
    let page = "query($first: Int, $after: String, $filter: ApprovalFilter) {
        approvals(first: $first, after: $after, filter: $filter) { totalCount
            pageInfo { hasNextPage endCursor } edges { node { id procedure { code } } } } }";
    let first = api.data(page, json!({"first": 2})).await["approvals"].clone();
    assert_eq!(first["totalCount"], 3);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = api
        .data(
            page,
            json!({"first": 2, "after": first["pageInfo"]["endCursor"]}),
        )
        .await["approvals"]
        .clone();
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let order: Vec<_> = [&first, &second]
        .iter()
        .flat_map(|p| p["edges"].as_array().unwrap().clone())
        .map(|e| e["node"]["procedure"]["code"].clone())
        .collect();
    assert_eq!(
        order,
        [
            json!("FUKUSHI-0001"),
            json!("KANKYO-0002"),
            json!("KANKYO-0001")
        ]
    );

    let b_id = user_id(&api, &b).await;
    let cases = [
        (json!({"bureauCodes": ["FUKUSHI"]}), 1),
        (json!({"requestedBy": b_id}), 1),
        (json!({"procedureId": requests[0]}), 1),
        (
            json!({"statuses": ["PENDING"], "role": "PROJECT_OFFICE"}),
            3,
        ),
        (json!({"statuses": ["APPROVED"]}), 0),
    ];
    for (filter, count) in cases {
        let data = api.data(page, json!({ "filter": filter })).await;
        assert_eq!(data["approvals"]["totalCount"], count, "{filter}");
    }
    for vars in [
        json!({"after": "nope"}),
        json!({"first": 501}),
        json!({"filter": {"requestedBy": requests[0]}}),
        json!({"filter": {"bureauCodes": ["kankyo"]}}),
    ] {
        assert_eq!(
            api.error_code(page, vars.clone()).await,
            "VALIDATION",
            "{vars}"
        );
    }

    let mine = "{ myPendingApprovals { procedure { code } } }";
    let for_b = api.data_as(&b, mine, json!({})).await;
    let codes: Vec<_> = for_b["myPendingApprovals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["procedure"]["code"].clone())
        .collect();
    assert_eq!(codes.len(), 2, "not their own: {codes:?}");
    assert!(!codes.contains(&json!("KANKYO-0002")));
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    assert_eq!(
        api.data_as(&viewer, mine, json!({})).await["myPendingApprovals"],
        json!([])
    );
}

#[tokio::test]
async fn pending_approvals_and_people_load_once_per_page() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    for n in 1..=6 {
        let p = api
            .create_procedure(&format!("KANKYO-000{n}"), "KANKYO", json!({}))
            .await;
        if n % 3 == 0 {
            continue;
        }
        let asked = api
            .transition(
                json!({"procedureId": p["id"], "to": "abolished", "expectedVersion": 1,
                               "comment": "out of scope"}),
            )
            .await;
        approve_as(&api, &b, &asked["approvalRequest"]["id"]).await;
    }
    api.store.reset();
    let data = api
        .data(
            "{ procedures(first: 10) { edges { node { code pendingApproval {
                approvals requestedBy { email bureau { code } }
                votes { approver { email } onBehalfOf { email } } } } } } }",
            json!({}),
        )
        .await;
    let edges = data["procedures"]["edges"].as_array().unwrap();
    let with_request = edges
        .iter()
        .filter(|e| e["node"]["pendingApproval"] != json!(null))
        .count();
    assert_eq!(with_request, 4);
    assert_eq!(
        edges[0]["node"]["pendingApproval"],
        json!({"approvals": 1, "requestedBy": {"email": "po@example.jp", "bureau": null},
               "votes": [{"approver": {"email": "po2@example.jp"}, "onBehalfOf": null}]})
    );
    assert_eq!(api.store.calls("pending_approvals_for"), 1);
    assert_eq!(api.store.calls("votes_for"), 1);
    assert_eq!(
        api.store.calls("users_by_ids"),
        2,
        "requesters, then voters"
    );
    assert_eq!(api.store.calls("user"), 0);

    api.store.reset();
    let listed = api
        .data(
            "{ approvals { edges { node { requestedBy { email } procedure { code bureau { code } }
                votes { approver { email } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["approvals"]["edges"].as_array().unwrap().len(), 4);
    assert_eq!(api.store.calls("procedures_by_ids"), 1);
    assert_eq!(
        api.store.calls("bureaus_by_ids") + api.store.calls("list_bureaus"),
        0,
        "bureaus come from the app's cache"
    );
    assert_eq!(api.store.calls("votes_for"), 1);
    assert_eq!(api.store.calls("users_by_ids"), 2);
}

#[tokio::test]
async fn decisions_check_their_ids_before_anything_runs() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let both = decide(
        &api,
        &b,
        "rejectRequest",
        json!({"id": p["id"], "onBehalfOf": "nope"}),
    )
    .await;
    assert_eq!(
        codes_and_paths(&both),
        [
            ("VALIDATION".to_owned(), json!(["id"])),
            ("VALIDATION".to_owned(), json!(["onBehalfOf"]))
        ]
    );
    assert_eq!(
        (&both["request"], &both["procedure"]),
        (&json!(null), &json!(null))
    );
    let unknown = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "ApprovalRequest:0190f5a2-7b3c-7def-8123-456789abcdef",
    );
    let missing = approve_as(&api, &b, &json!(unknown)).await;
    assert_eq!(
        codes_and_paths(&missing),
        [("NOT_FOUND".to_owned(), json!(["id"]))]
    );
    let withdraw = api.data(WITHDRAW, json!({"input": {"id": unknown}})).await;
    assert_eq!(
        codes_and_paths(&withdraw["withdrawRequest"]),
        [("NOT_FOUND".to_owned(), json!(["id"]))]
    );
}

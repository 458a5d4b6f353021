//! The audit trail through GraphQL: who may read it, the entries changes leave (with the target
//! before and after, and where the request came from), refused attempts, substitutes, paging.

use base64::Engine;
use rollout_app::{Actor, RequestMeta};
use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::approvals::{approve_as, decide};
use crate::harness::{Api, CLIENT, user_id};

const LOG: &str = "query($first: Int, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id at actor actorUser { email } onBehalfOf { email } action
            targetType targetId before after outcome requestId clientAddress } } } }";

/// The entries matching `filter`, as the admin sees them.
async fn entries(api: &Api, filter: Value) -> Vec<Value> {
    let data = api
        .data_as(&api.admin, LOG, json!({ "filter": filter }))
        .await;
    data["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The bare uuid behind a global id, which is how the trail names targets.
fn uuid_of(global_id: &Value) -> String {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id.as_str().unwrap())
        .unwrap();
    let text = String::from_utf8(raw).unwrap();
    text.split_once(':').unwrap().1.to_owned()
}

#[tokio::test]
async fn only_admins_and_the_project_office_read_the_trail_and_refusals_are_recorded() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let coordinator = api
        .add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
        .await;
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    for user in [&coordinator, &viewer] {
        let code = api.error_code_as(user, LOG, json!({})).await;
        assert_eq!(code, "FORBIDDEN", "{}", user.email);
    }
    let po = api.data(LOG, json!({})).await;
    assert!(po["auditLog"]["totalCount"].as_i64().unwrap() >= 4);

    let refused = entries(&api, json!({"action": "audit.read"})).await;
    let who: Vec<_> = refused
        .iter()
        .map(|e| {
            assert_eq!(e["outcome"], "FORBIDDEN");
            assert_eq!(e["targetType"], "AuditLog");
            assert_eq!((&e["before"], &e["after"]), (&json!(null), &json!(null)));
            e["actorUser"]["email"].clone()
        })
        .collect();
    assert_eq!(
        who,
        [json!("kankyo@example.jp"), json!("viewer@example.jp")]
    );
}

#[tokio::test]
async fn changes_leave_entries_with_before_after_and_the_request() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let renamed = api
        .update(json!({"id": p["id"], "expectedVersion": 1, "name": "新しい名前"}))
        .await;
    assert_eq!(renamed["errors"], json!([]));

    let target = uuid_of(&p["id"]);
    let found = entries(&api, json!({"targetType": "Procedure", "targetId": target})).await;
    assert_eq!(found.len(), 2);
    let (create, update) = (&found[0], &found[1]);
    for (entry, action) in [(create, "procedure.create"), (update, "procedure.update")] {
        assert_eq!(entry["action"], action);
        assert_eq!(entry["actor"], "po@example.jp");
        assert_eq!(entry["actorUser"], json!({"email": "po@example.jp"}));
        assert_eq!(entry["onBehalfOf"], json!(null));
        assert_eq!(entry["outcome"], "SUCCESS");
        assert_eq!(entry["targetId"], target.as_str());
        assert_eq!(entry["requestId"], "req-po@example.jp");
        assert_eq!(entry["clientAddress"], CLIENT);
        assert_eq!(entry["at"], "2026-06-15T03:00:00Z");
        assert!(uuid::Uuid::parse_str(entry["id"].as_str().unwrap()).is_ok());
    }
    assert_eq!(create["before"], json!(null));
    assert_eq!(create["after"]["code"], "KANKYO-0001");
    assert_eq!(create["after"]["name"], "手続 KANKYO-0001");
    assert_eq!(create["after"]["version"], 1);
    assert_eq!(update["before"]["name"], "手続 KANKYO-0001");
    assert_eq!(update["before"]["version"], 1);
    assert_eq!(update["after"]["name"], "新しい名前");

    let by_prefix = entries(&api, json!({"action": "procedure."})).await;
    assert_eq!(by_prefix.len(), 2);
    let bureaus = entries(&api, json!({"action": "bureau.create"})).await;
    assert_eq!(bureaus.len(), 1);
    assert_eq!(bureaus[0]["actor"], "admin@example.jp");
    assert_eq!(bureaus[0]["after"]["code"], "KANKYO");
}

#[tokio::test]
async fn a_forbidden_attempt_is_recorded_and_changes_nothing() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    let refused = api
        .transition_as(
            &viewer,
            json!({"procedureId": p["id"], "to": "awaiting_law_change", "expectedVersion": 1,
                   "comment": "x"}),
        )
        .await;
    assert_eq!(refused["errors"][0]["code"], "FORBIDDEN");

    let viewer_id = user_id(&api, &viewer).await;
    let found = entries(&api, json!({"outcome": "FORBIDDEN", "actorId": viewer_id})).await;
    assert_eq!(found.len(), 1);
    let entry = &found[0];
    assert_eq!(entry["action"], "procedure.transition");
    assert_eq!(entry["targetType"], "Procedure");
    assert_eq!(entry["targetId"], uuid_of(&p["id"]).as_str());
    assert_eq!(entry["actorUser"]["email"], "viewer@example.jp");
    assert_eq!(
        (&entry["before"], &entry["after"]),
        (&json!(null), &json!(null))
    );
    assert_eq!(entry["requestId"], "req-viewer@example.jp");
    assert_eq!(
        api.written(&p["id"]).await,
        json!({"version": 1, "state": {"key": "hearing"}, "history": {"totalCount": 1}})
    );
}

#[tokio::test]
async fn a_substitute_decision_records_on_whose_behalf() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let b = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let c = api
        .add_user("po3@example.jp", Role::ProjectOffice, None)
        .await;
    let made = api
        .data_as(
            &b,
            "mutation($input: CreateDelegationInput!) { createDelegation(input: $input) { errors { code } } }",
            json!({"input": {"delegateId": user_id(&api, &c).await, "startsOn": "2026-06-01",
                             "endsOn": "2026-06-15"}}),
        )
        .await;
    assert_eq!(made["createDelegation"]["errors"], json!([]));
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let asked = api
        .transition(
            json!({"procedureId": p["id"], "to": "abolished", "expectedVersion": 1,
                           "comment": "gone"}),
        )
        .await;
    let id = asked["approvalRequest"]["id"].clone();
    let vote = decide(
        &api,
        &c,
        "approveRequest",
        json!({"id": id, "onBehalfOf": user_id(&api, &b).await}),
    )
    .await;
    assert_eq!(vote["errors"], json!([]));

    let found = entries(&api, json!({"action": "approval.approve"})).await;
    assert_eq!(found.len(), 1);
    let entry = &found[0];
    assert_eq!(entry["actorUser"]["email"], "po3@example.jp");
    assert_eq!(entry["onBehalfOf"]["email"], "po2@example.jp");
    assert_eq!(entry["targetType"], "ApprovalRequest");
    assert_eq!(entry["targetId"], uuid_of(&id).as_str());
    assert_eq!(entry["before"]["status"], "PENDING");
    assert_eq!(entry["after"]["status"], "PENDING", "one of two approvals");
    let requested = entries(&api, json!({"action": "approval.request"})).await;
    assert_eq!(requested[0]["actorUser"]["email"], "po@example.jp");
    assert_eq!(requested[0]["after"]["to"], "abolished");
}

#[tokio::test]
async fn the_trail_pages_oldest_first_and_loads_its_people_once() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    let other = api
        .add_user("po2@example.jp", Role::ProjectOffice, None)
        .await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let asked = api
        .transition(
            json!({"procedureId": p["id"], "to": "abolished", "expectedVersion": 1,
                           "comment": "gone"}),
        )
        .await;
    approve_as(&api, &other, &asked["approvalRequest"]["id"]).await;

    let all = api.data_as(&api.admin, LOG, json!({"first": 500})).await;
    let total = all["auditLog"]["totalCount"].as_i64().unwrap();
    let actions: Vec<_> = all["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "token.create",
            "user.create",
            "bureau.create",
            "bureau.create",
            "user.create",
            "procedure.create",
            "approval.request",
            "approval.approve"
        ]
    );
    assert_eq!(total, 9);

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = api
            .data_as(&api.admin, LOG, json!({"first": 4, "after": after}))
            .await["auditLog"]
            .clone();
        assert_eq!(page["totalCount"], total);
        for edge in page["edges"].as_array().unwrap() {
            seen.push(edge["node"]["action"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, actions);

    let window = json!({"since": "2026-06-15T03:00:00Z", "until": "2026-06-15T03:00:00.000001Z"});
    assert_eq!(entries(&api, window).await.len(), 9);
    let later = json!({"since": "2026-06-15T03:00:01Z"});
    assert_eq!(entries(&api, later).await, Vec::<Value>::new());

    let approvals = api
        .data("{ approvals { pageInfo { endCursor } } }", json!({}))
        .await;
    for vars in [
        json!({"after": "garbage"}),
        json!({"after": approvals["approvals"]["pageInfo"]["endCursor"]}),
        json!({"filter": {"actorId": p["id"]}}),
    ] {
        assert_eq!(
            api.error_code_as(&api.admin, LOG, vars.clone()).await,
            "VALIDATION",
            "{vars}"
        );
    }

    api.store.reset();
    api.data_as(&api.admin, LOG, json!({"first": 500})).await;
    assert_eq!(
        api.store.calls("users_by_ids"),
        1,
        "one read for every actor of the page"
    );
    assert_eq!(api.store.calls("user"), 0);
}

#[tokio::test]
async fn request_metadata_attached_beside_the_actor_reaches_the_trail() {
    let api = Api::new().await;
    let meta = RequestMeta {
        request_id: Some("req-7f3a".to_owned()),
        client_addr: Some("198.51.100.7".to_owned()),
    };
    let request = async_graphql::Request::new(
        r#"mutation { createBureau(input: {code: "ZAIMU", nameJa: "財務局", nameEn: "Finance"}) {
            errors { code } } }"#,
    )
    .data(Actor::user(api.admin.clone(), RequestMeta::default()))
    .data(meta);
    let response = api.schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let found = entries(&api, json!({"action": "bureau.create"})).await;
    assert_eq!(found[0]["requestId"], "req-7f3a");
    assert_eq!(found[0]["clientAddress"], "198.51.100.7");
}

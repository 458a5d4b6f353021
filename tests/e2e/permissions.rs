//! What each role may do, over real HTTP. A VIEWER reads and changes nothing; a
//! BUREAU_COORDINATOR works on its own bureau's procedures only; PROJECT_OFFICE works on every
//! procedure (user tests included); ADMIN manages users and bureaus but never moves procedures. A refused mutation is
//! a FORBIDDEN payload error that names the role's limit and nothing of the target, and writes
//! nothing; a refused query is a GraphQL error with code FORBIDDEN.

use crate::common::{
    TestServer, TestUser, both_backends, graphql_error_codes, payload_errors, uuid_of,
};
use serde_json::{Value, json};

both_backends!(
    viewer_reads_but_changes_nothing,
    coordinator_works_in_its_own_bureau_only,
    project_office_works_on_every_procedure,
    admin_manages_users_and_bureaus_only,
);

/// Two bureaus and a procedure in each (made by the project office); returns their ids.
async fn fixture(server: &TestServer) -> (String, String) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let kankyo = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let fukushi = server.simple_procedure("FUKUSHI", "FUKUSHI-0001").await;
    (
        kankyo["id"].as_str().unwrap().to_owned(),
        fukushi["id"].as_str().unwrap().to_owned(),
    )
}

/// Runs `mutation` (its root field is `field`) as `user` and asserts a FORBIDDEN payload whose
/// message is exactly `message`; returns the payload.
async fn assert_forbidden(
    server: &TestServer,
    user: &TestUser,
    field: &str,
    mutation: &str,
    variables: Value,
    message: &str,
) -> Value {
    let data = server.data_as(user, mutation, variables).await;
    let payload = data[field].clone();
    assert_eq!(
        payload_errors(&payload),
        [("FORBIDDEN".to_owned(), String::new())],
        "{field} as {}: {payload}",
        user.email
    );
    assert_eq!(payload["errors"][0]["message"], message, "{field}");
    for (name, value) in payload.as_object().unwrap() {
        if name != "errors" {
            assert!(value.is_null(), "{field}: {name} is set: {payload}");
        }
    }
    payload
}

/// Asserts that a query was refused with a FORBIDDEN GraphQL error and gave no data.
async fn assert_query_forbidden(server: &TestServer, user: &TestUser, query: &str) {
    let response = server.gql_as(user, query, json!({})).await;
    assert_eq!(
        graphql_error_codes(&response),
        ["FORBIDDEN"],
        "{query}: {response}"
    );
    assert!(response["data"].is_null(), "{query}: {response}");
}

const CREATE: &str = "mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { procedure { id } errors { code message path } } }";
const UPDATE: &str = "mutation($input: UpdateProcedureInput!) { updateProcedure(input: $input) { procedure { id } errors { code message path } } }";
const TRANSITION: &str = "mutation($input: TransitionProcedureInput!) { transitionProcedure(input: $input) { procedure { id } record { id } approvalRequest { id } errors { code message path } } }";
const CREATE_BUREAU: &str = "mutation { createBureau(input: { code: \"ZAIMU\", nameJa: \"財務局\", nameEn: \"Bureau of Finance\" }) { bureau { code } errors { code message path } } }";
const CREATE_USER: &str = "mutation { createUser(input: { email: \"new@e2e.rollout.test\", displayName: \"new\", role: VIEWER }) { user { id } errors { code message path } } }";
const UPDATE_USER: &str = "mutation($id: ID!) { updateUser(input: { id: $id, role: ADMIN }) { user { role } errors { code message path } } }";
const CREATE_TOKEN: &str = "mutation($id: ID) { createToken(input: { name: \"x\", userId: $id }) { secret token { id } errors { code message path } } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawRequest(input: { id: $id }) { request { id } errors { code message path } } }";
const DELEGATE: &str = "mutation($id: ID!) { createDelegation(input: { delegateId: $id, startsOn: \"2026-01-01\", endsOn: \"2099-01-01\" }) { delegation { id } errors { code message path } } }";
const RECORD_USER_TEST: &str = "mutation($input: RecordUserTestInput!) { recordUserTest(input: $input) { userTest { id } errors { code message path } } }";
const APPROVE: &str = "mutation($id: ID!) { approveRequest(input: { id: $id }) { request { id } procedure { id } errors { code message path } } }";

fn user_test(procedure: &str) -> Value {
    json!({ "input": TestServer::user_test_input(procedure, "PASS") })
}

/// How many user tests procedure `id` has.
async fn user_tests(server: &TestServer, id: &str) -> usize {
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { userTests { id } } }",
            json!({ "id": id }),
        )
        .await;
    data["procedure"]["userTests"]
        .as_array()
        .map_or(0, Vec::len)
}

// Issue 10: hearings and tasks.
const RECORD_HEARING: &str = "mutation($input: RecordHearingInput!) { recordHearing(input: $input) { hearing { id } errors { code message path } } }";
const CREATE_TASK: &str = "mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id } errors { code message path } } }";
const UPDATE_TASK: &str = "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { id } errors { code message path } } }";
const COMPLETE_TASK: &str = "mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { id } errors { code message path } } }";
const CANCEL_TASK: &str = "mutation($input: CancelTaskInput!) { cancelTask(input: $input) { task { id } errors { code message path } } }";

/// A task of `procedure` made by the project office; its id.
async fn task_of(server: &TestServer, procedure: &str) -> String {
    let data = server
        .data(
            CREATE_TASK,
            json!({ "input": { "title": "確認", "procedureId": procedure } }),
        )
        .await;
    data["createTask"]["task"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createTask: {data}"))
        .to_owned()
}

/// Every hearing and task mutation as `user` on `procedure` (of `bureau`) and on `task`, each
/// refused with `change` (recording, creating, updating) or `close` (completing, cancelling).
async fn assert_evidence_forbidden(
    server: &TestServer,
    user: &TestUser,
    (bureau, procedure, task): (&str, &str, &str),
    change: &str,
    close: &str,
) {
    let hearing = json!({ "input": { "bureauCode": bureau, "heldOn": "2026-01-15", "kind": "OTHER", "title": "x",
        "outcomes": [{ "procedureId": procedure, "expectedVersion": 1, "decision": "UNDECIDED" }] } });
    let create = json!({ "input": { "title": "x", "procedureId": procedure } });
    let update = json!({ "input": { "id": task, "expectedVersion": 1, "title": "y" } });
    let version = json!({ "input": { "id": task, "expectedVersion": 1 } });
    for (field, query, variables, message) in [
        ("recordHearing", RECORD_HEARING, hearing, change),
        ("createTask", CREATE_TASK, create, change),
        ("updateTask", UPDATE_TASK, update, change),
        ("completeTask", COMPLETE_TASK, version.clone(), close),
        ("cancelTask", CANCEL_TASK, version, close),
    ] {
        assert_forbidden(server, user, field, query, variables, message).await;
    }
    let data = server
        .data("query($id: ID!) { node(id: $id) { ... on Task { version status } } hearings { totalCount } }", json!({ "id": task }))
        .await;
    assert_eq!(
        data["node"],
        json!({ "version": 1, "status": "OPEN" }),
        "{data}"
    );
    assert_eq!(data["hearings"]["totalCount"], 0);
}

fn create_input(bureau: &str, code: &str) -> Value {
    json!({ "input": { "code": code, "name": "新しい手続", "bureauCode": bureau, "category": "STANDARD", "authority": "TOKYO" } })
}

async fn viewer_reads_but_changes_nothing(server: TestServer) {
    let (kankyo, _) = fixture(&server).await;
    let viewer = &server.viewer;
    let reads = server
        .data_as(
            viewer,
            "query($id: ID!) { bureaus { code } procedures { totalCount } procedure(id: $id) { code version }
               rolloutSummary { total } workflow { name } approvals { totalCount } myPendingApprovals { id }
               delegations { id } tokens { name } }",
            json!({ "id": kankyo }),
        )
        .await;
    assert_eq!(
        reads["bureaus"],
        json!([{ "code": "FUKUSHI" }, { "code": "KANKYO" }])
    );
    assert_eq!(reads["procedures"]["totalCount"], 2);
    assert_eq!(
        reads["procedure"],
        json!({ "code": "KANKYO-0001", "version": 1 })
    );
    assert_eq!(reads["rolloutSummary"]["total"], 2);
    assert_eq!(
        reads["tokens"],
        json!([{ "name": "e2e" }]),
        "its own token only"
    );

    // An abolition request the viewer will try to decide and withdraw.
    let v = 1;
    let requested = server
        .transition(json!({ "procedureId": kankyo, "to": "abolished", "expectedVersion": v, "comment": "duplicate" }))
        .await;
    let request = requested["approvalRequest"]["id"].clone();
    assert!(request.is_string(), "{requested}");
    let before = server.snapshot(kankyo.as_str()).await;

    let (change, users) = (
        "VIEWER may not change this procedure",
        "VIEWER may not manage users",
    );
    let update = json!({ "input": { "id": kankyo, "expectedVersion": v, "name": "x" } });
    let transition =
        json!({ "input": { "procedureId": kankyo, "to": "scheduled", "expectedVersion": v } });
    let (po, request_id) = (json!({ "id": server.po.id }), json!({ "id": request }));
    let decide = "this request needs a decision from PROJECT_OFFICE";
    let withdraw = "only the requester may withdraw a request";
    let delegate = "VIEWER may not decide approvals that need VIEWER";
    for (field, query, variables, message) in [
        (
            "createProcedure",
            CREATE,
            create_input("KANKYO", "KANKYO-0002"),
            change,
        ),
        ("updateProcedure", UPDATE, update, change),
        ("transitionProcedure", TRANSITION, transition, change),
        (
            "recordUserTest",
            RECORD_USER_TEST,
            user_test(&kankyo),
            change,
        ),
        (
            "createBureau",
            CREATE_BUREAU,
            json!({}),
            "VIEWER may not manage bureaus",
        ),
        ("createUser", CREATE_USER, json!({}), users),
        ("updateUser", UPDATE_USER, json!({ "id": viewer.id }), users),
        ("createToken", CREATE_TOKEN, po.clone(), users),
        ("approveRequest", APPROVE, request_id.clone(), decide),
        ("withdrawRequest", WITHDRAW, request_id, withdraw),
        ("createDelegation", DELEGATE, po, delegate),
    ] {
        assert_forbidden(&server, viewer, field, query, variables, message).await;
    }
    assert_query_forbidden(&server, viewer, "{ users { id } }").await;
    assert_query_forbidden(&server, viewer, "{ auditLog { totalCount } }").await;

    // Nothing was written, and its own tokens are still its own business.
    assert_eq!(server.snapshot(&kankyo).await, before);
    assert_eq!(user_tests(&server, &kankyo).await, 0);
    let data = server
        .data("{ procedures { totalCount } bureaus { code } }", json!({}))
        .await;
    assert_eq!(data["procedures"]["totalCount"], 2);
    assert_eq!(data["bureaus"].as_array().unwrap().len(), 2);
    assert_eq!(
        server.approval(request.as_str().unwrap()).await["status"],
        "PENDING"
    );
    let own = server
        .data_as(viewer, CREATE_TOKEN, json!({ "id": null }))
        .await;
    assert_eq!(own["createToken"]["errors"], json!([]), "{own}");
    let task = task_of(&server, &kankyo).await;
    let close = "VIEWER may not complete or cancel this task";
    assert_evidence_forbidden(&server, viewer, ("KANKYO", &kankyo, &task), change, close).await;
}

async fn coordinator_works_in_its_own_bureau_only(server: TestServer) {
    let (own, other) = fixture(&server).await;
    let coordinator = server.coordinator("KANKYO").await;

    // Its own bureau: create, update, transition.
    let created = server
        .data_as(&coordinator, CREATE, create_input("KANKYO", "KANKYO-0002"))
        .await;
    assert_eq!(created["createProcedure"]["errors"], json!([]), "{created}");
    let updated = server
        .update_procedure_as(
            &coordinator,
            json!({ "id": own, "expectedVersion": 1, "targetQuarter": "FY2026-Q2" }),
        )
        .await;
    assert_eq!(updated["errors"], json!([]), "{updated}");
    let moved = server
        .transition_as(
            &coordinator,
            json!({ "procedureId": own, "to": "scheduled", "expectedVersion": 2 }),
        )
        .await;
    assert_eq!(moved["errors"], json!([]), "{moved}");
    assert_eq!(moved["record"]["actor"], coordinator.email.as_str());
    let tested = server
        .data_as(&coordinator, RECORD_USER_TEST, user_test(&own))
        .await;
    assert_eq!(tested["recordUserTest"]["errors"], json!([]), "{tested}");

    // Another bureau's procedure: refused without a word about it, and nothing written.
    let own_before = server.snapshot(&own).await;
    let other_before = server.snapshot(&other).await;
    assert_eq!(own_before, (3, 2));
    let message = "BUREAU_COORDINATOR may not change this procedure";
    let refusals = [
        (
            "createProcedure",
            CREATE,
            create_input("FUKUSHI", "FUKUSHI-0002"),
        ),
        (
            "updateProcedure",
            UPDATE,
            json!({ "input": { "id": other, "expectedVersion": 1, "name": "乗っ取り" } }),
        ),
        (
            "transitionProcedure",
            TRANSITION,
            json!({ "input": { "procedureId": other, "to": "abolished", "expectedVersion": 1, "comment": "x" } }),
        ),
        ("recordUserTest", RECORD_USER_TEST, user_test(&other)),
        // Moving its own procedure into another bureau is working on that bureau too.
        (
            "updateProcedure",
            UPDATE,
            json!({ "input": { "id": own, "expectedVersion": 3, "bureauCode": "FUKUSHI" } }),
        ),
    ];
    for (field, query, variables) in refusals {
        let payload =
            assert_forbidden(&server, &coordinator, field, query, variables, message).await;
        let text = payload.to_string();
        let uuid = uuid_of("Procedure", &other).to_string();
        for secret in ["FUKUSHI", "手続", other.as_str(), uuid.as_str()] {
            assert!(!text.contains(secret), "{field} reveals {secret}: {text}");
        }
    }
    assert_eq!(server.snapshot(&own).await, own_before);
    assert_eq!(server.snapshot(&other).await, other_before);
    assert_eq!(
        (
            user_tests(&server, &own).await,
            user_tests(&server, &other).await
        ),
        (1, 0)
    );
    let data = server
        .data("query { procedure(code: \"KANKYO-0001\") { bureau { code } } procedures(filter: { bureauCodes: [\"FUKUSHI\"] }) { totalCount } }", json!({}))
        .await;
    assert_eq!(data["procedure"]["bureau"]["code"], "KANKYO");
    assert_eq!(data["procedures"]["totalCount"], 1);

    // It reads everything, but neither the user list nor the audit trail.
    let all = server
        .data_as(&coordinator, "{ procedures { totalCount } }", json!({}))
        .await;
    assert_eq!(all["procedures"]["totalCount"], 3);
    assert_query_forbidden(&server, &coordinator, "{ users { id } }").await;
    assert_query_forbidden(&server, &coordinator, "{ auditLog { totalCount } }").await;
    // Another bureau's hearings and tasks, likewise.
    let task = task_of(&server, &other).await;
    let close = "BUREAU_COORDINATOR may not complete or cancel this task";
    let target = ("FUKUSHI", other.as_str(), task.as_str());
    assert_evidence_forbidden(&server, &coordinator, target, message, close).await;
}

async fn project_office_works_on_every_procedure(server: TestServer) {
    let (kankyo, fukushi) = fixture(&server).await;
    let po = &server.po;
    for (id, bureau) in [(&kankyo, "FUKUSHI"), (&fukushi, "KANKYO")] {
        let payload = server
            .update_procedure(json!({ "id": id, "expectedVersion": 1, "bureauCode": bureau, "targetQuarter": "FY2026-Q3" }))
            .await;
        assert_eq!(payload["errors"], json!([]), "{payload}");
        assert_eq!(payload["procedure"]["bureau"]["code"], bureau);
        assert_eq!(server.step(id, "scheduled", 2, None).await, 3);
        let tested = server.data_as(po, RECORD_USER_TEST, user_test(id)).await;
        assert_eq!(tested["recordUserTest"]["errors"], json!([]), "{tested}");
    }
    // Gated transitions are requested and decided by the project office (never its own).
    let requested = server
        .transition_as(po, json!({ "procedureId": kankyo, "to": "abolished", "expectedVersion": 3, "comment": "統合" }))
        .await;
    let request = requested["approvalRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for approver in [&server.po2, &server.po3] {
        let decided = server.approve_as(approver, &request, None, None).await;
        assert_eq!(decided["errors"], json!([]), "{decided}");
    }
    assert_eq!(server.snapshot(&kankyo).await, (4, 3));
    let log = server
        .data_as(po, "{ auditLog { totalCount } }", json!({}))
        .await;
    assert!(
        log["auditLog"]["totalCount"].as_i64().unwrap() > 10,
        "{log}"
    );
    // Users and bureaus are the administrator's.
    assert_forbidden(
        &server,
        po,
        "createBureau",
        CREATE_BUREAU,
        json!({}),
        "PROJECT_OFFICE may not manage bureaus",
    )
    .await;
    assert_forbidden(
        &server,
        po,
        "createUser",
        CREATE_USER,
        json!({}),
        "PROJECT_OFFICE may not manage users",
    )
    .await;
    assert_query_forbidden(&server, po, "{ users { id } }").await;
    // Every bureau's tasks: created, updated and closed.
    let task = task_of(&server, &fukushi).await;
    for (query, field, input) in [
        (
            UPDATE_TASK,
            "updateTask",
            json!({ "id": task, "expectedVersion": 1, "title": "再確認" }),
        ),
        (
            CANCEL_TASK,
            "cancelTask",
            json!({ "id": task, "expectedVersion": 2, "reason": "不要" }),
        ),
    ] {
        let data = server.data_as(po, query, json!({ "input": input })).await;
        assert_eq!(data[field]["errors"], json!([]), "{field}: {data}");
    }
}

async fn admin_manages_users_and_bureaus_only(server: TestServer) {
    let (kankyo, _) = fixture(&server).await;
    let admin = &server.admin;
    let bureau = server.data_as(admin, CREATE_BUREAU, json!({})).await;
    assert_eq!(
        bureau["createBureau"]["bureau"]["code"], "ZAIMU",
        "{bureau}"
    );
    let user = server
        .create_user("zaimu@e2e.rollout.test", "VIEWER", None)
        .await;
    let data = server
        .data_as(
            admin,
            "mutation($id: ID!) { updateUser(input: { id: $id, role: BUREAU_COORDINATOR, bureauCode: \"ZAIMU\" }) {
               user { role bureau { code } } errors { code } } }",
            json!({ "id": user.id }),
        )
        .await;
    assert_eq!(
        data["updateUser"],
        json!({ "user": { "role": "BUREAU_COORDINATOR", "bureau": { "code": "ZAIMU" } }, "errors": [] })
    );
    let users = server
        .data_as(
            admin,
            "{ users { email } auditLog { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(users["users"].as_array().unwrap().len(), 6, "{users}");
    // An administrator does not work on procedures, nor decide approvals.
    let requested = server
        .transition(json!({ "procedureId": kankyo, "to": "abolished", "expectedVersion": 1, "comment": "x" }))
        .await;
    let request = requested["approvalRequest"]["id"].clone();
    let message = "ADMIN may not change this procedure";
    for (field, query, variables, message) in [
        (
            "createProcedure",
            CREATE,
            create_input("ZAIMU", "ZAIMU-0001"),
            message,
        ),
        (
            "updateProcedure",
            UPDATE,
            json!({ "input": { "id": kankyo, "expectedVersion": 1, "name": "x" } }),
            message,
        ),
        (
            "transitionProcedure",
            TRANSITION,
            json!({ "input": { "procedureId": kankyo, "to": "awaiting_law_change", "expectedVersion": 1, "comment": "x" } }),
            message,
        ),
        (
            "approveRequest",
            APPROVE,
            json!({ "id": request }),
            "this request needs a decision from PROJECT_OFFICE",
        ),
        (
            "recordUserTest",
            RECORD_USER_TEST,
            user_test(&kankyo),
            message,
        ),
    ] {
        assert_forbidden(&server, admin, field, query, variables, message).await;
    }
    assert_eq!(server.snapshot(&kankyo).await, (1, 1));
    assert_eq!(user_tests(&server, &kankyo).await, 0);
    let task = task_of(&server, &kankyo).await;
    let close = "ADMIN may not complete or cancel this task";
    assert_evidence_forbidden(&server, admin, ("KANKYO", &kankyo, &task), message, close).await;
    // Nobody disables themselves, not even an administrator.
    let data = server
        .data_as(admin, "mutation($id: ID!) { updateUser(input: { id: $id, disabled: true }) { user { id } errors { code path } } }", json!({ "id": admin.id }))
        .await;
    assert_eq!(
        payload_errors(&data["updateUser"]),
        [("VALIDATION".to_owned(), "disabled".to_owned())]
    );
}

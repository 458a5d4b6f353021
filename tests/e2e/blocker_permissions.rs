//! Who may change law changes, milestones and dependencies, over real HTTP, one row per
//! mutation and role (the companion of `permissions.rs`, whose procedure rows it mirrors): the
//! project office manages law changes and milestones; a coordinator of the owning bureau
//! changes a law change's status and notes (nothing else); a coordinator adds and removes
//! dependencies of its own bureau's procedures, on anything; an administrator and a viewer change
//! none of it. A refusal is FORBIDDEN with the role's limit as message and writes nothing.

use crate::common::{TestServer, TestUser, both_backends, payload_errors};
use serde_json::{Value, json};

both_backends!(every_blocker_mutation_has_its_permission_row);

/// Who acts, in the order of each row's `allowed` columns.
const ROLES: [&str; 5] = [
    "ADMIN",
    "PROJECT_OFFICE",
    "COORDINATOR_OWN",
    "COORDINATOR_OTHER",
    "VIEWER",
];

/// The refusal message of `role` (as the API names it) for `what`.
fn denied(role: &str, what: &str) -> String {
    let role = match role {
        "COORDINATOR_OWN" | "COORDINATOR_OTHER" => "BUREAU_COORDINATOR",
        other => other,
    };
    format!("{role} may not {what}")
}

/// Runs `query` as `user`; the payload of `field`.
async fn run(
    server: &TestServer,
    user: &TestUser,
    field: &str,
    query: &str,
    input: Value,
) -> Value {
    let data = server.data_as(user, query, json!({ "input": input })).await;
    data[field].clone()
}

async fn every_blocker_mutation_has_its_permission_row(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let own = server.coordinator("KANKYO").await;
    let other = server.coordinator("FUKUSHI").await;
    let users: [&TestUser; 5] = [&server.admin, &server.po, &own, &other, &server.viewer];
    let procedure = server.simple_procedure("KANKYO", "KANKYO-0001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let manage = "manage law changes and milestones";
    let follow = "change this law change's status";
    let work = "change this procedure";
    const LAW: &str = "mutation($input: CreateLawChangeInput!) { createLawChange(input: $input) { lawChange { id version } errors { code message path } } }";
    const UPDATE_LAW: &str = "mutation($input: UpdateLawChangeInput!) { updateLawChange(input: $input) { lawChange { id version } errors { code message path } } }";
    const STATUS: &str = "mutation($input: ChangeLawChangeStatusInput!) { changeLawChangeStatus(input: $input) { lawChange { id version } errors { code message path } } }";
    const MILESTONE: &str = "mutation($input: CreateMilestoneInput!) { createMilestone(input: $input) { milestone { id version } errors { code message path } } }";
    const UPDATE_MILESTONE: &str = "mutation($input: UpdateMilestoneInput!) { updateMilestone(input: $input) { milestone { id version } errors { code message path } } }";
    const MILESTONE_STATUS: &str = "mutation($input: ChangeMilestoneStatusInput!) { changeMilestoneStatus(input: $input) { milestone { id version } errors { code message path } } }";
    const ADD: &str = "mutation($input: AddDependencyInput!) { addDependency(input: $input) { dependency { id } errors { code message path } } }";
    const REMOVE: &str = "mutation($input: RemoveDependencyInput!) { removeDependency(input: $input) { dependency { id } errors { code message path } } }";

    for (i, (role, user)) in ROLES.iter().zip(users).enumerate() {
        // Fresh objects per role, made by the project office, so that each row starts alike.
        let law = server
            .law_change(&format!("LAW-{:04}", i + 1), "KANKYO")
            .await;
        let law_id = law["id"].as_str().unwrap().to_owned();
        let milestone = server.milestone(&format!("Milestone {i}")).await;
        let milestone_id = milestone["id"].as_str().unwrap().to_owned();
        let other_law = server
            .law_change(&format!("LAW-{:04}", i + 101), "KANKYO")
            .await;
        let dependency = server
            .depends(&procedure, other_law["id"].as_str().unwrap())
            .await;

        let po = *role == "PROJECT_OFFICE";
        let owner = po || *role == "COORDINATOR_OWN";
        // (field, query, input, allowed, refusal)
        let rows: Vec<(&str, &str, Value, bool, &str)> = vec![
            (
                "createLawChange",
                LAW,
                json!({ "code": format!("LAW-{:04}", i + 201), "titleJa": "改正",
                "level": "CABINET_ORDER", "ownerBureauCode": "KANKYO" }),
                po,
                manage,
            ),
            (
                "updateLawChange",
                UPDATE_LAW,
                json!({ "id": law_id, "expectedVersion": 1, "titleJa": "新しい題名" }),
                po,
                manage,
            ),
            (
                "updateLawChange",
                UPDATE_LAW,
                json!({ "id": law_id, "expectedVersion": if po { 2 } else { 1 }, "notes": "省と協議中" }),
                owner,
                follow,
            ),
            (
                "changeLawChangeStatus",
                STATUS,
                json!({ "id": law_id, "expectedVersion": if po { 3 } else if owner { 2 } else { 1 },
                "status": "REQUESTED", "on": "2021-06-30" }),
                owner,
                follow,
            ),
            (
                "createMilestone",
                MILESTONE,
                json!({ "name": format!("New milestone {i}") }),
                po,
                manage,
            ),
            (
                "updateMilestone",
                UPDATE_MILESTONE,
                json!({ "id": milestone_id, "expectedVersion": 1, "name": "Renamed" }),
                po,
                manage,
            ),
            (
                "changeMilestoneStatus",
                MILESTONE_STATUS,
                json!({ "id": milestone_id, "expectedVersion": if po { 2 } else { 1 },
                "status": "CANCELLED" }),
                po,
                manage,
            ),
            (
                "addDependency",
                ADD,
                json!({ "procedureId": procedure, "on": law_id }),
                owner,
                work,
            ),
            (
                "removeDependency",
                REMOVE,
                json!({ "id": dependency, "reason": "not needed" }),
                owner,
                work,
            ),
        ];
        for (field, query, input, allowed, what) in rows {
            let payload = run(&server, user, field, query, input.clone()).await;
            if allowed {
                assert_eq!(payload["errors"], json!([]), "{field} as {role}: {payload}");
            } else {
                assert_eq!(
                    payload_errors(&payload),
                    [("FORBIDDEN".to_owned(), String::new())],
                    "{field} as {role}: {payload}"
                );
                assert_eq!(
                    payload["errors"][0]["message"],
                    denied(role, what),
                    "{field} as {role}"
                );
            }
        }
        // What a refused role tried left no trace.
        let after = server
            .data(
                "query($l: ID!, $m: ID!, $d: ID!) { l: node(id: $l) { ... on LawChange { version status } }
                   m: node(id: $m) { ... on Milestone { version status } }
                   d: node(id: $d) { ... on Dependency { open } } }",
                json!({ "l": law_id, "m": milestone_id, "d": dependency }),
            )
            .await;
        let law_version = if po {
            4
        } else if owner {
            3
        } else {
            1
        };
        assert_eq!(after["l"]["version"], law_version, "{role}: {after}");
        assert_eq!(
            after["m"]["version"],
            if po { 3 } else { 1 },
            "{role}: {after}"
        );
        assert_eq!(after["d"]["open"], !owner, "{role}: {after}");
    }

    // Every role reads them: two law changes per row and the one the project office made.
    for (role, user) in ROLES.iter().zip(users) {
        let reads = server
            .data_as(
                user,
                r#"{ lawChanges(first: 100) { totalCount } lawChange(code: "LAW-0001") { code }
                     milestones { id } }"#,
                json!({}),
            )
            .await;
        assert_eq!(reads["lawChanges"]["totalCount"], 11, "{role}: {reads}");
        assert_eq!(reads["lawChange"]["code"], "LAW-0001", "{role}");
        assert_eq!(
            reads["milestones"].as_array().map(Vec::len),
            Some(6),
            "{role}"
        );
    }
}

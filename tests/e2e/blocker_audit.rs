//! The audit trail of issue 11's mutations over real HTTP: creating, updating and moving a law
//! change or a milestone, adding and removing a dependency each leave one SUCCESS entry (who, the
//! dotted action, the target, the state after) in the transaction of the change.

use crate::common::{TestServer, both_backends, nodes, uuid_of};
use serde_json::{Value, json};

both_backends!(blocker_mutations_are_audited);

/// Exactly one successful entry with `action` on the object whose global id is `id`; it.
async fn one_entry(server: &TestServer, action: &str, kind: &str, id: &str) -> Value {
    let target = uuid_of(kind, id).to_string();
    let data = server
        .data_as(
            &server.admin,
            "query($filter: AuditFilter) { auditLog(filter: $filter, first: 50) { edges { node {
               action targetType targetId outcome actor after } } } }",
            json!({ "filter": { "action": action, "targetId": target } }),
        )
        .await;
    let list = nodes(&data["auditLog"]);
    assert_eq!(list.len(), 1, "{action} on {kind} {target}: {list:#?}");
    let e = list[0].clone();
    assert_eq!(
        (&e["targetType"], &e["outcome"], &e["actor"]),
        (
            &json!(kind),
            &json!("SUCCESS"),
            &json!(server.po.email.as_str())
        ),
        "{e}"
    );
    e
}

/// Runs the mutation `field` with `input` of type `field`'s input type; it must succeed.
async fn run(server: &TestServer, field: &str, input: Value) -> Value {
    let ty = format!("{}{}Input", field[..1].to_uppercase(), &field[1..]);
    let mutation = format!(
        "mutation($input: {ty}!) {{ {field}(input: $input) {{ errors {{ code message path }} }} }}"
    );
    let data = server.data(&mutation, json!({ "input": input })).await;
    let payload = data[field].clone();
    assert_eq!(payload["errors"], json!([]), "{field}: {payload}");
    payload
}

async fn blocker_mutations_are_audited(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let procedure = server.simple_procedure("KANKYO", "KANKYO-0001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let law = server.law_change("LAW-0007", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    let e = one_entry(&server, "law_change.create", "LawChange", &law_id).await;
    assert_eq!(e["after"]["code"], "LAW-0007");
    run(
        &server,
        "updateLawChange",
        json!({ "id": law_id, "expectedVersion": 1, "notes": "照会中" }),
    )
    .await;
    let e = one_entry(&server, "law_change.update", "LawChange", &law_id).await;
    assert_eq!(e["after"]["notes"], "照会中");
    server
        .law_change_to(&law_id, 2, "REQUESTED", Some("2021-06-30"))
        .await;
    let e = one_entry(&server, "law_change.status", "LawChange", &law_id).await;
    assert_eq!(e["after"]["status"], "REQUESTED");

    let m = server.milestone("SaaS platform").await;
    let m_id = m["id"].as_str().unwrap().to_owned();
    one_entry(&server, "milestone.create", "Milestone", &m_id).await;
    run(
        &server,
        "updateMilestone",
        json!({ "id": m_id, "expectedVersion": 1, "plannedOn": "2027-06-01" }),
    )
    .await;
    let e = one_entry(&server, "milestone.update", "Milestone", &m_id).await;
    assert_eq!(e["after"]["plannedOn"], "2027-06-01");
    run(
        &server,
        "changeMilestoneStatus",
        json!({ "id": m_id, "expectedVersion": 2, "status": "CANCELLED", "reason": "調達中止" }),
    )
    .await;
    let e = one_entry(&server, "milestone.status", "Milestone", &m_id).await;
    assert_eq!(
        (&e["after"]["status"], &e["after"]["reason"]),
        (&json!("CANCELLED"), &json!("調達中止"))
    );

    let dependency = server.depends(&procedure, &law_id).await;
    let e = one_entry(&server, "dependency.add", "Dependency", &dependency).await;
    assert_eq!(e["after"]["onKind"], "LAW_CHANGE");
    run(
        &server,
        "removeDependency",
        json!({ "id": dependency, "reason": "不要" }),
    )
    .await;
    let e = one_entry(&server, "dependency.remove", "Dependency", &dependency).await;
    assert_eq!(
        (&e["after"]["removed"], &e["after"]["removedReason"]),
        (&json!(true), &json!("不要"))
    );
}

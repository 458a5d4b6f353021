//! Law changes over real HTTP: the life cycle REQUESTED → UNDER_STUDY → DATE_SHOWN → ENACTED,
//! whose last step moves the procedures waiting on it alone, in the same transaction, as
//! `system:unblock` transitions naming the law change (to `scheduled` with a target quarter,
//! else to `hearing`), while a procedure that also waits on an open milestone stays and says
//! so; the release guard refusing with GUARD_FAILED naming every open blocker, direct and
//! transitive, and allowing once they are cleared; bad input refused field by field.

use crate::common::{TestServer, both_backends, nodes, payload_errors, uuid_of};
use serde_json::{Value, json};

both_backends!(
    enacting_a_law_change_unblocks_what_waits_on_it_alone,
    the_release_guard_names_every_open_blocker,
    bad_blocker_input_is_refused_field_by_field,
);

/// A procedure of `bureau` with `code` and `extra` fields, made by the project office; its id.
async fn procedure(server: &TestServer, bureau: &str, code: &str, extra: Value) -> String {
    let mut input = json!({ "code": code, "name": format!("手続 {code}"), "bureauCode": bureau,
                            "category": "MAJOR", "authority": "NATIONAL" });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    server.create_procedure(input).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The audit entries with `action` on the object `uuid`, read as the administrator.
async fn audited(server: &TestServer, action: &str, uuid: &str) -> Vec<Value> {
    let data = server
        .data_as(
            &server.admin,
            "query($filter: AuditFilter) { auditLog(filter: $filter, first: 50) { edges { node {
               action targetType targetId outcome actor after } } } }",
            json!({ "filter": { "action": action, "targetId": uuid } }),
        )
        .await;
    nodes(&data["auditLog"])
}

fn codes_of(list: &Value) -> Vec<String> {
    let mut codes: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

async fn enacting_a_law_change_unblocks_what_waits_on_it_alone(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let targeted = procedure(
        &server,
        "KANKYO",
        "KANKYO-0001",
        json!({ "targetQuarter": "FY2027-Q2" }),
    )
    .await;
    let untargeted = procedure(&server, "KANKYO", "KANKYO-0002", json!({})).await;
    let also_milestone = procedure(&server, "KANKYO", "KANKYO-0003", json!({})).await;
    for id in [&targeted, &untargeted, &also_milestone] {
        server
            .step(id, "awaiting_law_change", 1, Some("法改正が必要"))
            .await;
    }
    let law = server.law_change("LAW-0007", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    let platform = server
        .milestone("SaaS e-application platform goes live")
        .await;
    let platform_id = platform["id"].as_str().unwrap().to_owned();
    for id in [&targeted, &untargeted, &also_milestone] {
        server.depends(id, &law_id).await;
    }
    server.depends(&also_milestone, &platform_id).await;

    // The first steps close nothing and move nothing.
    let mut version = 1;
    for (status, on) in [
        ("REQUESTED", Some("2021-06-30")),
        ("UNDER_STUDY", None),
        ("DATE_SHOWN", Some("2027-04-01")),
    ] {
        let payload = server.law_change_to(&law_id, version, status, on).await;
        assert_eq!(payload["lawChange"]["status"], status, "{payload}");
        assert_eq!(payload["unblocked"], json!([]), "{payload}");
        assert_eq!(payload["stillBlocked"], json!([]), "{payload}");
        version += 1;
    }
    let enacted = server
        .law_change_to(&law_id, version, "ENACTED", Some("2026-11-30"))
        .await;
    let lc = &enacted["lawChange"];
    assert_eq!(lc["status"], "ENACTED");
    assert_eq!(lc["enactedOn"], "2026-11-30");
    assert_eq!(lc["expectedEffectiveOn"], "2027-04-01");
    assert_eq!(lc["requestedOn"], "2021-06-30");
    let history: Vec<(Value, Value)> = lc["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        history,
        [
            (json!(null), json!("NOT_REQUESTED")),
            (json!("NOT_REQUESTED"), json!("REQUESTED")),
            (json!("REQUESTED"), json!("UNDER_STUDY")),
            (json!("UNDER_STUDY"), json!("DATE_SHOWN")),
            (json!("DATE_SHOWN"), json!("ENACTED")),
        ]
    );
    assert_eq!(lc["history"][4]["actor"], server.po.email.as_str());
    assert_eq!(lc["history"][4]["reason"], "to ENACTED");

    // Two moved on by themselves; the third still waits on the platform, and says so.
    assert_eq!(
        codes_of(&enacted["unblocked"]),
        ["KANKYO-0001", "KANKYO-0002"]
    );
    let states: Vec<(String, Value)> = enacted["unblocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_owned(),
                p["state"]["key"].clone(),
            )
        })
        .collect();
    for (code, state) in states {
        let expected = if code == "KANKYO-0001" {
            "scheduled"
        } else {
            "hearing"
        };
        assert_eq!(state, expected, "{code}: {enacted}");
    }
    assert_eq!(
        enacted["stillBlocked"],
        json!([{ "procedure": { "code": "KANKYO-0003", "state": { "key": "awaiting_law_change" } },
                 "blockers": [{ "__typename": "Milestone", "name": "SaaS e-application platform goes live" }] }])
    );
    for (id, to) in [(&targeted, "scheduled"), (&untargeted, "hearing")] {
        let history = server.history(id).await;
        let last = history.last().unwrap();
        assert_eq!(last["to"], to, "{last}");
        assert_eq!(last["actor"], "system:unblock", "{last}");
        let comment = last["comment"].as_str().unwrap();
        assert!(
            comment.contains("LAW-0007")
                && comment.contains("enacted")
                && comment.contains("to ENACTED"),
            "the comment names the law change and why: {comment}"
        );
        let entries = audited(
            &server,
            "procedure.transition",
            &uuid_of("Procedure", id).to_string(),
        )
        .await;
        let system: Vec<&Value> = entries
            .iter()
            .filter(|e| e["actor"] == "system:unblock")
            .collect();
        assert_eq!(system.len(), 1, "{entries:#?}");
        assert_eq!(system[0]["after"]["state"], to);
        assert_eq!(system[0]["outcome"], "SUCCESS");
    }
    assert_eq!(server.snapshot(&also_milestone).await, (2, 2), "untouched");
    let status_entries = audited(
        &server,
        "law_change.status",
        &uuid_of("LawChange", &law_id).to_string(),
    )
    .await;
    assert_eq!(status_entries.len(), 4, "{status_entries:#?}");
    assert_eq!(status_entries[3]["after"]["status"], "ENACTED");

    // The platform going live frees the third.
    let done = server
        .data(
            &format!(
                "mutation($input: ChangeMilestoneStatusInput!) {{ changeMilestoneStatus(input: $input) {{
                   milestone {{ status doneOn version }} {} errors {{ code message path }} }} }}",
                crate::common::UNBLOCK_FIELDS
            ),
            json!({ "input": { "id": platform_id, "expectedVersion": 1, "status": "DONE",
                               "on": "2026-12-01", "reason": "稼働開始" } }),
        )
        .await;
    let done = &done["changeMilestoneStatus"];
    assert_eq!(done["errors"], json!([]), "{done}");
    assert_eq!(
        done["milestone"],
        json!({ "status": "DONE", "doneOn": "2026-12-01", "version": 2 })
    );
    assert_eq!(codes_of(&done["unblocked"]), ["KANKYO-0003"]);
    let last = server.history(&also_milestone).await.pop().unwrap();
    assert_eq!(last["actor"], "system:unblock");
    assert!(
        last["comment"]
            .as_str()
            .unwrap()
            .contains("SaaS e-application platform goes live"),
        "{last}"
    );
}

/// Walks procedure `id` (with target quarter and platform) to `user_tested`; its version.
async fn to_user_tested(server: &TestServer, id: &str) -> i64 {
    let mut version = server.step(id, "scheduled", 1, None).await;
    version = server.step(id, "built", version, None).await;
    server.pass_user_test(id).await;
    server.step(id, "user_tested", version, None).await
}

async fn the_release_guard_names_every_open_blocker(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let ready = json!({ "targetQuarter": "FY2027-Q1", "platform": "SAAS_E_APPLICATION" });
    let p = procedure(&server, "KANKYO", "KANKYO-0012", ready.clone()).await;
    let q = procedure(&server, "KANKYO", "KANKYO-0013", ready).await;
    let law = server.law_change("LAW-0001", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    let m = server.milestone("Payment gateway procured").await;
    let m_id = m["id"].as_str().unwrap().to_owned();
    server.depends(&p, &law_id).await;
    server.depends(&p, &q).await;
    server.depends(&q, &m_id).await;
    let version = to_user_tested(&server, &p).await;

    let refused = server
        .transition(json!({ "procedureId": p, "to": "released", "expectedVersion": version }))
        .await;
    assert_eq!(
        payload_errors(&refused),
        [(
            "GUARD_FAILED".to_owned(),
            "guards/no_open_blockers".to_owned()
        )],
        "{refused}"
    );
    let message = refused["errors"][0]["message"].as_str().unwrap();
    for blocker in ["LAW-0001", "KANKYO-0013", "Payment gateway procured"] {
        assert!(message.contains(blocker), "names {blocker}: {message}");
    }
    assert_eq!(server.snapshot(&p).await.0, version, "nothing written");

    // Clear them: enact the law change, finish the milestone, release the blocking procedure.
    for (v, (status, on)) in (1..).zip([
        ("REQUESTED", Some("2021-06-30")),
        ("UNDER_STUDY", None),
        ("DATE_SHOWN", Some("2026-10-01")),
        ("ENACTED", Some("2026-10-01")),
    ]) {
        server.law_change_to(&law_id, v, status, on).await;
    }
    let still = server
        .transition(json!({ "procedureId": p, "to": "released", "expectedVersion": version }))
        .await;
    let message = still["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        !message.contains("LAW-0001") && message.contains("KANKYO-0013"),
        "{still}"
    );
    let done = server
        .data(
            "mutation($input: ChangeMilestoneStatusInput!) { changeMilestoneStatus(input: $input) {
               errors { code message path } } }",
            json!({ "input": { "id": m_id, "expectedVersion": 1, "status": "DONE" } }),
        )
        .await;
    assert_eq!(done["changeMilestoneStatus"]["errors"], json!([]), "{done}");
    server.release(&q, 1).await;
    let released = server.step(&p, "released", version, None).await;
    assert_eq!(released, version + 1);
}

async fn bad_blocker_input_is_refused_field_by_field(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let law = server.law_change("LAW-0002", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    let base = json!({ "code": "LAW-0003", "titleJa": "改正", "level": "NATIONAL_LAW", "ownerBureauCode": "KANKYO" });
    let with = |patch: Value| {
        let mut input = base.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        input
    };
    for (input, code, path) in [
        (with(json!({ "code": "law 3" })), "VALIDATION", "code"),
        (with(json!({ "code": "LAW-0002" })), "DUPLICATE", "code"),
        (with(json!({ "titleJa": "  " })), "VALIDATION", "titleJa"),
        (
            with(json!({ "ownerBureauCode": "NOWHERE" })),
            "VALIDATION",
            "ownerBureauCode",
        ),
        (
            with(json!({ "level": "TOKYO_RULE", "ministryJa": "環境省" })),
            "VALIDATION",
            "ministryJa",
        ),
        (with(json!({ "notes": "a\u{0}b" })), "VALIDATION", "notes"),
    ] {
        let payload = server.create_law_change_as(&server.po, input.clone()).await;
        assert_eq!(
            payload_errors(&payload),
            [(code.to_owned(), path.to_owned())],
            "{input}: {payload}"
        );
        assert_eq!(payload["lawChange"], json!(null));
    }
    for (input, code, path) in [
        (
            json!({ "id": law_id, "expectedVersion": 1, "status": "ENACTED" }),
            "INVALID_TRANSITION",
            "status",
        ),
        (
            json!({ "id": law_id, "expectedVersion": 7, "status": "REQUESTED" }),
            "VERSION_CONFLICT",
            "expectedVersion",
        ),
        (
            json!({ "id": "nonsense", "expectedVersion": 1, "status": "REQUESTED" }),
            "VALIDATION",
            "id",
        ),
    ] {
        let payload = server
            .change_law_change_status_as(&server.po, input.clone())
            .await;
        assert_eq!(
            payload_errors(&payload),
            [(code.to_owned(), path.to_owned())],
            "{input}: {payload}"
        );
    }
    let m = server.milestone("Platform").await;
    let data = server
        .data(
            "mutation($a: ChangeMilestoneStatusInput!, $b: ChangeMilestoneStatusInput!, $c: UpdateMilestoneInput!) {
               a: changeMilestoneStatus(input: $a) { errors { code message path } }
               b: changeMilestoneStatus(input: $b) { errors { code message path } }
               c: updateMilestone(input: $c) { errors { code message path } } }",
            json!({
                "a": { "id": m["id"], "expectedVersion": 1, "status": "DONE", "on": "2099-01-01" },
                "b": { "id": m["id"], "expectedVersion": 1, "status": "CANCELLED", "on": "2026-01-01" },
                "c": { "id": m["id"], "expectedVersion": 1, "name": null },
            }),
        )
        .await;
    assert_eq!(
        payload_errors(&data["a"]),
        [("VALIDATION".to_owned(), "on".to_owned())],
        "{data}"
    );
    assert_eq!(
        payload_errors(&data["b"]),
        [("VALIDATION".to_owned(), "on".to_owned())],
        "{data}"
    );
    assert_eq!(
        payload_errors(&data["c"]),
        [("VALIDATION".to_owned(), "name".to_owned())],
        "{data}"
    );
    let after = server
        .data("query($id: ID!) { node(id: $id) { ... on Milestone { version status } } lawChanges { totalCount } }", json!({ "id": m["id"] }))
        .await;
    assert_eq!(after["node"], json!({ "version": 1, "status": "PLANNED" }));
    assert_eq!(after["lawChanges"]["totalCount"], 1);
}

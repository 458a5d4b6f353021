//! Dependencies over real HTTP: an edge that would close a cycle is refused with CYCLE and the
//! cycle spelled out in procedure codes (a self-dependency too); an unknown blocker is
//! NOT_FOUND and the same edge twice DUPLICATE, each at `on`; two concurrent insertions that
//! would close a cycle together never both succeed (many pairs at once, on each backend); a
//! removed dependency is recorded (who, when, why), still readable, and no longer blocks.

use crate::common::{TestServer, both_backends, global_id, payload_errors};
use futures::future::join_all;
use serde_json::{Value, json};

both_backends!(
    a_cycle_is_refused_with_the_cycle_spelled_out,
    concurrent_insertions_never_close_a_cycle,
    a_removed_dependency_is_recorded_and_no_longer_blocks,
);

async fn id_of(server: &TestServer, bureau: &str, code: &str) -> String {
    server.simple_procedure(bureau, code).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn one_error(payload: &Value, code: &str, path: &str) -> String {
    assert_eq!(
        payload_errors(payload),
        [(code.to_owned(), path.to_owned())],
        "{payload}"
    );
    assert_eq!(payload["dependency"], json!(null), "{payload}");
    payload["errors"][0]["message"].as_str().unwrap().to_owned()
}

async fn a_cycle_is_refused_with_the_cycle_spelled_out(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("TOSHI", "都市整備局", "Bureau of Urban Development")
        .await;
    let kankyo = id_of(&server, "KANKYO", "KANKYO-0012").await;
    let toshi = id_of(&server, "TOSHI", "TOSHI-0003").await;
    let third = id_of(&server, "TOSHI", "TOSHI-0004").await;
    let coordinator = server.coordinator("KANKYO").await;

    // A coordinator links its procedure to another bureau's.
    let added = server
        .add_dependency_as(&coordinator, &kankyo, &toshi)
        .await;
    assert_eq!(added["errors"], json!([]), "{added}");
    let d = &added["dependency"];
    assert_eq!(d["from"]["code"], "KANKYO-0012");
    assert_eq!(
        d["on"],
        json!({ "__typename": "Procedure", "code": "TOSHI-0003" })
    );
    assert_eq!(d["createdBy"]["email"], coordinator.email.as_str());
    assert_eq!(
        (d["open"].clone(), d["reason"].clone()),
        (json!(true), json!("needs it"))
    );
    server.depends(&toshi, &third).await;

    let direct = server.add_dependency_as(&server.po, &toshi, &kankyo).await;
    let message = one_error(&direct, "CYCLE", "on");
    assert!(
        message.contains("TOSHI-0003 → KANKYO-0012 → TOSHI-0003"),
        "{message}"
    );
    let longer = server.add_dependency_as(&server.po, &third, &kankyo).await;
    let message = one_error(&longer, "CYCLE", "on");
    assert!(
        message.contains("TOSHI-0004 → KANKYO-0012 → TOSHI-0003 → TOSHI-0004"),
        "{message}"
    );
    let itself = server.add_dependency_as(&server.po, &kankyo, &kankyo).await;
    let message = one_error(&itself, "CYCLE", "on");
    assert!(message.contains("KANKYO-0012 → KANKYO-0012"), "{message}");

    let unknown = global_id("LawChange", uuid::Uuid::now_v7());
    one_error(
        &server
            .add_dependency_as(&server.po, &kankyo, &unknown)
            .await,
        "NOT_FOUND",
        "on",
    );
    one_error(
        &server.add_dependency_as(&server.po, &kankyo, &toshi).await,
        "DUPLICATE",
        "on",
    );
    let bureau = server.data("{ bureaus { id } }", json!({})).await["bureaus"][0]["id"].clone();
    one_error(
        &server
            .add_dependency_as(&server.po, &kankyo, bureau.as_str().unwrap())
            .await,
        "VALIDATION",
        "on",
    );
    let blocked = server
        .data(
            "query($id: ID!) { node(id: $id) { ... on Procedure { code } } }",
            json!({ "id": toshi }),
        )
        .await;
    assert_eq!(blocked["node"]["code"], "TOSHI-0003");
}

/// Pairs of procedures; for each pair, `a → b` and `b → a` are sent at the same time.
const PAIRS: usize = 12;

async fn concurrent_insertions_never_close_a_cycle(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let mut pairs = Vec::new();
    for i in 0..PAIRS {
        let a = id_of(&server, "KANKYO", &format!("KANKYO-{:04}", 2 * i + 1)).await;
        let b = id_of(&server, "KANKYO", &format!("KANKYO-{:04}", 2 * i + 2)).await;
        pairs.push((a, b));
    }
    let server = &server;
    let sends = pairs.iter().flat_map(|(a, b)| {
        [
            server.add_dependency_as(&server.po, a, b),
            server.add_dependency_as(&server.po2, b, a),
        ]
    });
    let results = join_all(sends).await;
    for (i, pair) in results.chunks(2).enumerate() {
        let outcomes: Vec<Vec<(String, String)>> = pair.iter().map(payload_errors).collect();
        let wins = outcomes.iter().filter(|o| o.is_empty()).count();
        let cycles = outcomes
            .iter()
            .filter(|o| **o == [("CYCLE".to_owned(), "on".to_owned())])
            .count();
        assert_eq!((wins, cycles), (1, 1), "pair {i}: {pair:#?}");
    }
    // What was written agrees: one edge per pair, and no cycle can be closed now either.
    for (a, b) in &pairs {
        let again = [
            server.add_dependency_as(&server.po, a, b).await,
            server.add_dependency_as(&server.po, b, a).await,
        ];
        let codes: Vec<String> = again
            .iter()
            .map(|p| payload_errors(p)[0].0.clone())
            .collect();
        let mut codes = codes;
        codes.sort();
        assert_eq!(codes, ["CYCLE", "DUPLICATE"], "{again:#?}");
    }
}

async fn a_removed_dependency_is_recorded_and_no_longer_blocks(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let p = server
        .create_procedure(
            json!({ "code": "KANKYO-0001", "name": "手続", "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2027-Q1",
            "platform": "SAAS_E_APPLICATION" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let law = server.law_change("LAW-0009", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    let coordinator = server.coordinator("KANKYO").await;
    let dependency = server.depends(&p, &law_id).await;
    let blocked =
        "query($id: ID!) { node(id: $id) { ... on LawChange { blockedProcedures { code } } } }";
    let listed = server.data(blocked, json!({ "id": law_id })).await;
    assert_eq!(
        listed["node"]["blockedProcedures"],
        json!([{ "code": "KANKYO-0001" }])
    );

    let mut version = server.step(&p, "scheduled", 1, None).await;
    version = server.step(&p, "built", version, None).await;
    server.pass_user_test(&p).await;
    version = server.step(&p, "user_tested", version, None).await;
    let refused = server
        .transition(json!({ "procedureId": p, "to": "released", "expectedVersion": version }))
        .await;
    assert_eq!(payload_errors(&refused)[0].0, "GUARD_FAILED", "{refused}");

    let removed = server
        .data_as(
            &coordinator,
            "mutation($input: RemoveDependencyInput!) { removeDependency(input: $input) {
               dependency { id open removedAt removedBy { email } removedReason } errors { code message path } } }",
            json!({ "input": { "id": dependency, "reason": "Tokyo's own ordinance suffices" } }),
        )
        .await;
    let payload = &removed["removeDependency"];
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let d = &payload["dependency"];
    assert_eq!(d["open"], false);
    assert!(d["removedAt"].is_string(), "{d}");
    assert_eq!(d["removedBy"]["email"], coordinator.email.as_str());
    assert_eq!(d["removedReason"], "Tokyo's own ordinance suffices");

    // Still readable by id, no longer listed as blocking, and no longer in the way.
    let read = server
        .data(
            "query($id: ID!) { node(id: $id) { ... on Dependency { removedReason open from { code } } } }",
            json!({ "id": dependency }),
        )
        .await;
    assert_eq!(
        read["node"],
        json!({ "removedReason": "Tokyo's own ordinance suffices", "open": false, "from": { "code": "KANKYO-0001" } })
    );
    let listed = server.data(blocked, json!({ "id": law_id })).await;
    assert_eq!(listed["node"]["blockedProcedures"], json!([]));
    let again = server
        .data_as(
            &coordinator,
            "mutation($input: RemoveDependencyInput!) { removeDependency(input: $input) { errors { code message path } } }",
            json!({ "input": { "id": dependency } }),
        )
        .await;
    assert_eq!(
        payload_errors(&again["removeDependency"]),
        [("VALIDATION".to_owned(), "id".to_owned())]
    );
    server.step(&p, "released", version, None).await;
}

//! `rolloutSummary`: the programme's headline figures after procedures have been released,
//! abolished and scheduled through real transitions, overall and per bureau.

use crate::common::{TestServer, both_backends};
use serde_json::{Value, json};

both_backends!(summary_counts_released_and_abolished);

const SUMMARY: &str = "query($filter: ProcedureFilter) { rolloutSummary(filter: $filter) {
    total digitised inScope digitisationRate byState { key count state { key kind } } } }";

async fn summary(server: &TestServer, filter: Value) -> Value {
    server.data(SUMMARY, json!({ "filter": filter })).await["rolloutSummary"].clone()
}

/// `(key, count)` pairs of `byState`, in the order the server gives them.
fn by_state(summary: &Value) -> Vec<(String, i64)> {
    summary["byState"]
        .as_array()
        .unwrap_or_else(|| panic!("no byState: {summary}"))
        .iter()
        .map(|s| {
            assert_eq!(s["state"]["key"], s["key"], "{s}");
            (
                s["key"].as_str().unwrap().to_owned(),
                s["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn expected_states(counts: [i64; 7]) -> Vec<(String, i64)> {
    let keys = [
        "hearing",
        "scheduled",
        "built",
        "user_tested",
        "released",
        "awaiting_law_change",
        "abolished",
    ];
    keys.iter().map(|k| k.to_string()).zip(counts).collect()
}

async fn summary_counts_released_and_abolished(server: TestServer) {
    // Nothing yet: a zero rate rather than a division by zero.
    let empty = summary(&server, Value::Null).await;
    assert_eq!(
        (&empty["total"], &empty["digitised"], &empty["inScope"]),
        (&json!(0), &json!(0), &json!(0))
    );
    assert_eq!(empty["digitisationRate"].as_f64(), Some(0.0));
    assert_eq!(by_state(&empty), expected_states([0; 7]));

    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let mut ids = Vec::new();
    for (i, bureau) in ["KANKYO", "KANKYO", "KANKYO", "KANKYO", "FUKUSHI", "FUKUSHI"]
        .iter()
        .enumerate()
    {
        let procedure = server
            .create_procedure(json!({
                "code": format!("{bureau}-{:04}", i + 1), "name": format!("手続{i}"),
                "bureauCode": bureau, "category": "STANDARD", "authority": "TOKYO",
                "platform": "JOINT_E_APPLICATION", "targetQuarter": "FY2025-Q4",
            }))
            .await;
        ids.push(procedure["id"].as_str().unwrap().to_owned());
    }
    // KANKYO: two released, one abolished, one left in hearing.
    // FUKUSHI: one released, one scheduled then blocked on a law change.
    assert_eq!(server.release(&ids[0], 1).await, 5);
    assert_eq!(server.release(&ids[1], 1).await, 5);
    server
        .step(&ids[2], "abolished", 1, Some("merged into KANKYO-0001"))
        .await;
    assert_eq!(server.release(&ids[4], 1).await, 5);
    let v = server.step(&ids[5], "scheduled", 1, None).await;
    server
        .step(
            &ids[5],
            "awaiting_law_change",
            v,
            Some("needs a national ordinance"),
        )
        .await;

    let all = summary(&server, Value::Null).await;
    assert_eq!(all["total"], 6);
    assert_eq!(all["digitised"], 3);
    assert_eq!(all["inScope"], 5);
    assert_eq!(all["digitisationRate"].as_f64().unwrap(), 3.0 / 5.0);
    assert_eq!(by_state(&all), expected_states([1, 0, 0, 0, 3, 1, 1]));
    assert_eq!(all["byState"][4]["state"]["kind"], "DONE");
    assert_eq!(all["byState"][6]["state"]["kind"], "CLOSED");

    let kankyo = summary(&server, json!({ "bureauCodes": ["KANKYO"] })).await;
    assert_eq!(
        (&kankyo["total"], &kankyo["digitised"], &kankyo["inScope"]),
        (&json!(4), &json!(2), &json!(3))
    );
    assert_eq!(kankyo["digitisationRate"].as_f64().unwrap(), 2.0 / 3.0);
    assert_eq!(by_state(&kankyo), expected_states([1, 0, 0, 0, 2, 0, 1]));

    let fukushi = summary(&server, json!({ "bureauCodes": ["FUKUSHI"] })).await;
    assert_eq!(
        (
            &fukushi["total"],
            &fukushi["digitised"],
            &fukushi["inScope"]
        ),
        (&json!(2), &json!(1), &json!(2))
    );
    assert_eq!(fukushi["digitisationRate"].as_f64().unwrap(), 0.5);

    // The summary honours the other filters too: only abolished procedures are out of scope.
    let closed = summary(&server, json!({ "states": ["abolished"] })).await;
    assert_eq!(
        (&closed["total"], &closed["digitised"], &closed["inScope"]),
        (&json!(1), &json!(0), &json!(0))
    );
    assert_eq!(closed["digitisationRate"].as_f64(), Some(0.0));
}

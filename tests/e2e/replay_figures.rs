//! The programme's published figures, read back through the analytics from the replayed history
//! (`deploy/demo/history/`): the major procedures within Tokyo's authority digitised at each
//! reported date against a scope of 119, the subsidies on jGrants, the share of processes of
//! the other procedures, and what the scope ledger says of the abolished majors.

use serde_json::{Value, json};

use crate::common::{Options, TestServer, both_backends};

fn replay_options() -> Options {
    Options {
        demo_replay: true,
        ..Options::default()
    }
}

both_backends!(with super::replay_options; published_figures_from_history);

const KPIS: &str = "query($asOf: Date, $filter: ProcedureFilter) {
  kpis(asOf: $asOf, filter: $filter) { overall {
    procedures { digitised inScope } processes { digitised inScope } } } }";

async fn overall(server: &TestServer, as_of: &str, filter: Value) -> Value {
    server
        .data(KPIS, json!({ "asOf": as_of, "filter": filter }))
        .await["kpis"]["overall"]
        .clone()
}

fn pair(figures: &Value, measure: &str) -> (i64, i64) {
    (
        figures[measure]["digitised"].as_i64().unwrap(),
        figures[measure]["inScope"].as_i64().unwrap(),
    )
}

async fn published_figures_from_history(server: TestServer) {
    let major = json!({ "category": "MAJOR" });
    for (as_of, digitised) in [
        ("2021-03-31", 56),
        ("2021-09-30", 68),
        ("2021-12-31", 71),
        ("2025-09-30", 115),
    ] {
        let f = overall(&server, as_of, major.clone()).await;
        assert_eq!(
            pair(&f, "procedures"),
            (digitised, 119),
            "majors as of {as_of}"
        );
    }
    let subsidy = json!({ "category": "SUBSIDY" });
    assert_eq!(
        pair(
            &overall(&server, "2021-09-30", subsidy.clone()).await,
            "procedures"
        )
        .0,
        12
    );
    assert_eq!(
        pair(&overall(&server, "2021-12-31", subsidy).await, "procedures"),
        (18, 32)
    );
    // The other procedures, by processes: 88.6% on 2025-09-30 (25,694 of 29,000).
    let standard = overall(&server, "2025-09-30", json!({ "category": "STANDARD" })).await;
    let (done, scope) = pair(&standard, "processes");
    assert_eq!((done, scope), (25_694, 29_000));
    assert_eq!(format!("{:.1}", done as f64 * 100.0 / scope as f64), "88.6");
    // 31 majors were planned for January–March 2022 as things stood on 2021-12-31.
    let planned = overall(
        &server,
        "2021-12-31",
        json!({ "category": "MAJOR", "targetQuarter": "FY2021-Q4" }),
    )
    .await;
    assert_eq!(pair(&planned, "procedures"), (0, 31));
}

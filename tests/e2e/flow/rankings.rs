//! The cumulative flow by week and by quarter, and the bottleneck ranking with the procedures
//! behind each number, on the history `super` builds (checked as of the end of FY2025-Q2).

use serde_json::{Value, json};

use super::{close, codes};
use crate::common::TestServer;

/// `[date, counts…]` of each point, checked against the states' order.
async fn series(server: &TestServer, from: &str, to: &str, step: &str) -> Vec<Value> {
    let data = server
        .data(
            "query($from: Date!, $to: Date!, $step: FlowStep!) {
               cumulativeFlow(from: $from, to: $to, step: $step) {
                 from to step states { key } points { date counts } } }",
            json!({ "from": from, "to": to, "step": step }),
        )
        .await;
    let flow = &data["cumulativeFlow"];
    assert_eq!(flow["step"], step);
    assert_eq!(
        flow["states"],
        json!([{ "key": "hearing" }, { "key": "scheduled" }, { "key": "built" },
               { "key": "user_tested" }, { "key": "released" },
               { "key": "awaiting_law_change" }, { "key": "abolished" }])
    );
    flow["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!([p["date"], p["counts"]]))
        .collect()
}

pub(super) async fn cumulative(server: &TestServer) {
    // Weeks counted from 1 April: the 7th, 14th, …, and `to` itself.
    let weeks = series(server, "2025-04-01", "2025-05-20", "WEEK").await;
    assert_eq!(
        weeks,
        vec![
            json!(["2025-04-07", [5, 0, 0, 0, 0, 0, 0]]),
            json!(["2025-04-14", [3, 1, 0, 0, 0, 1, 0]]),
            json!(["2025-04-21", [2, 2, 0, 0, 0, 1, 0]]),
            json!(["2025-04-28", [2, 2, 0, 0, 0, 1, 0]]),
            json!(["2025-05-05", [2, 1, 1, 0, 0, 1, 0]]),
            json!(["2025-05-12", [3, 1, 0, 1, 0, 0, 0]]),
            json!(["2025-05-19", [3, 1, 0, 0, 1, 0, 0]]),
            json!(["2025-05-20", [3, 1, 0, 0, 1, 0, 0]]),
        ]
    );
    let quarters = series(server, "2025-04-01", "2025-10-01", "QUARTER").await;
    assert_eq!(
        quarters,
        vec![
            json!(["2025-06-30", [2, 1, 0, 0, 1, 1, 0]]),
            json!(["2025-09-30", [2, 0, 0, 0, 2, 1, 0]]),
            json!(["2025-10-01", [2, 0, 0, 0, 2, 1, 0]]),
        ]
    );
}

pub(super) async fn bottlenecks(server: &TestServer) {
    let data = server
        .data(
            "{ bottlenecks(asOf: \"2025-09-30\") { asOf targetKey deadline quartersLeft
                 states { state { key } wip aging agingProcedures { code } wipProcedures { code } }
                 bureaus { bureau { code } aging agingProcedures { code } remaining
                   remainingProcedures { code } releasedLastQuarter releasedLastFourQuarters
                   releasedProcedures { code } releasedPerQuarterAvg requiredPerQuarter deficit } } }",
            json!({}),
        )
        .await;
    let b = &data["bottlenecks"];
    assert_eq!(b["targetKey"], "tokyo-scope-100-fy2026");
    assert_eq!(b["deadline"], "2027-03-31");
    // FY2025-Q2 to FY2026-Q4.
    assert_eq!(b["quartersLeft"], 7);
    let states: Vec<Value> = b["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            json!([
                s["state"]["key"],
                s["wip"],
                s["aging"],
                codes(&s["agingProcedures"]),
                codes(&s["wipProcedures"])
            ])
        })
        .collect();
    assert_eq!(
        states,
        vec![
            json!([
                "hearing",
                2,
                2,
                ["KANKYO-0003", "TOSHI-0002"],
                ["KANKYO-0003", "TOSHI-0002"]
            ]),
            json!(["awaiting_law_change", 1, 1, ["TOSHI-0001"], ["TOSHI-0001"]]),
            json!(["scheduled", 0, 0, [], []]),
            json!(["built", 0, 0, [], []]),
            json!(["user_tested", 0, 0, [], []]),
        ]
    );
    // TOSHI must release 2 in 7 quarters and released none; KANKYO has 1 left and released A
    // last quarter (B, released this quarter, is not a past quarter's release yet).
    let bureaus = b["bureaus"].as_array().unwrap();
    assert_eq!(bureaus.len(), 2, "{b}");
    let (toshi, kankyo) = (&bureaus[0], &bureaus[1]);
    assert_eq!(toshi["bureau"]["code"], "TOSHI");
    assert_eq!(toshi["aging"], 2);
    assert_eq!(
        codes(&toshi["agingProcedures"]),
        ["TOSHI-0002", "TOSHI-0001"]
    );
    assert_eq!(toshi["remaining"], 2);
    assert_eq!(
        codes(&toshi["remainingProcedures"]),
        ["TOSHI-0002", "TOSHI-0001"]
    );
    assert_eq!(toshi["releasedLastQuarter"], 0);
    assert_eq!(codes(&toshi["releasedProcedures"]), Vec::<String>::new());
    assert!(close(&toshi["requiredPerQuarter"], 2.0 / 7.0), "{toshi}");
    assert!(close(&toshi["deficit"], 2.0 / 7.0), "{toshi}");
    assert_eq!(kankyo["bureau"]["code"], "KANKYO");
    assert_eq!(kankyo["remaining"], 1);
    assert_eq!(codes(&kankyo["remainingProcedures"]), ["KANKYO-0003"]);
    assert_eq!(kankyo["releasedLastQuarter"], 1);
    assert_eq!(kankyo["releasedLastFourQuarters"], 1);
    assert_eq!(codes(&kankyo["releasedProcedures"]), ["KANKYO-0001"]);
    assert!(close(&kankyo["releasedPerQuarterAvg"], 0.25), "{kankyo}");
    assert!(close(&kankyo["requiredPerQuarter"], 1.0 / 7.0), "{kankyo}");
    assert!(close(&kankyo["deficit"], 1.0 / 7.0 - 0.25), "{kankyo}");

    // `first` cuts both rankings; a named target moves the deadline.
    let data = server
        .data(
            "{ bottlenecks(asOf: \"2025-09-30\", first: 1, target: \"processes-70-fy2023\") {
                 deadline quartersLeft states { state { key } } bureaus { bureau { code } } } }",
            json!({}),
        )
        .await;
    let b = &data["bottlenecks"];
    assert_eq!(b["deadline"], "2024-03-31");
    assert_eq!(b["quartersLeft"], 1, "a passed deadline leaves one quarter");
    assert_eq!(b["states"], json!([{ "state": { "key": "hearing" } }]));
    assert_eq!(b["bureaus"], json!([{ "bureau": { "code": "TOSHI" } }]));
}

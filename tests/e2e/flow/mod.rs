//! Flow metrics, the cumulative flow and bottlenecks over HTTP, on a history built through the
//! API with the server's clock moved between transitions (noon in Tokyo on each date), so every
//! figure can be counted by hand: five procedures of two bureaus from 1 April 2025, two released
//! (FY2025-Q1 and Q2), one waiting on a law change, one back from one, one never moved.
//!
//! Checked: WIP, time in state per state and bureau (nearest-rank p50/p85/p95), cycle time,
//! throughput per quarter, aging WIP past the SLA and past the p85 (cut to `first` with its
//! total), the share of time blocked, the cumulative flow by week and by quarter, the ranking of
//! states and bureaus with the procedures behind each number (`rankings`), an answer as of a
//! past date that later transitions leave unchanged, and the VALIDATION errors of bad arguments
//! (`arguments`).

mod arguments;
mod rankings;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::{Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, start};

/// One test per backend on a server whose clock the test holds (`both_backends!` gives the
/// test no handle on the clock it would start the server with).
macro_rules! clocked {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            use crate::common::Backend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::run(Backend::Sqlite, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::run(Backend::Postgres, super::$name).await;
            }
        }
    )+};
}

clocked!(flow_and_bottlenecks_of_a_counted_history);

/// Noon in Tokyo on `date`.
fn noon(date: &str) -> DateTime<Utc> {
    format!("{date}T12:00:00+09:00").parse().unwrap()
}

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestServer, Arc<FixedClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let clock = Arc::new(FixedClock::new(noon("2025-04-01")));
    let options = Options {
        clock: Some(clock.clone() as Arc<dyn Clock>),
        ..Options::default()
    };
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    test(server, clock).await;
    harness.shutdown().await;
}

/// A procedure whose data guards hold; returns its id.
async fn procedure(server: &TestServer, code: &str, bureau: &str, processes: i64) -> String {
    let p = server
        .create_procedure(json!({
            "code": code, "name": format!("手続 {code}"), "bureauCode": bureau,
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2026-Q4",
            "platform": "JGRANTS", "processCount": processes,
        }))
        .await;
    p["id"].as_str().unwrap().to_owned()
}

/// The procedures and their versions, moved one dated step at a time.
struct History<'a> {
    server: &'a TestServer,
    clock: &'a FixedClock,
    versions: std::collections::HashMap<String, i64>,
}

impl History<'_> {
    /// Moves `id` to `to` at noon on `date` (Tokyo), recording a passing user test held that
    /// day first when `to` is `user_tested`.
    async fn step(&mut self, date: &str, id: &str, to: &str) {
        self.clock.set(noon(date));
        if to == "user_tested" {
            let mut input = TestServer::user_test_input(id, "PASS");
            input["heldOn"] = json!(date);
            let payload = self
                .server
                .record_user_test_as(&self.server.po, input)
                .await;
            assert_eq!(payload["errors"], json!([]), "recordUserTest: {payload}");
        }
        let comment = match to {
            "awaiting_law_change" => Some("法改正待ち"),
            "abolished" => Some("統合"),
            _ => None,
        };
        let version = self.versions.entry(id.to_owned()).or_insert(1);
        *version = self.server.step(id, to, *version, comment).await;
    }
}

const METRICS: &str = "query($asOf: Date, $filter: ProcedureFilter, $first: Int! = 50) {
  flowMetrics(asOf: $asOf, filter: $filter) {
    asOf
    wip { state { key } procedures processes }
    timeInState { state { key } bureau { code } samples p50Days p85Days p95Days }
    cycleTime { samples p50Days p85Days p95Days }
    throughput { quarter procedures processes }
    aging(first: $first) { totalCount items { procedure { code name } state { key slaDays }
      bureau { code } enteredOn daysInState slaDays p85Days reason } }
    blockedShare { blockedDays openDays share }
    blockedShareByBureau { bureau { code } blockedDays openDays share }
  } }";

async fn metrics(server: &TestServer, vars: Value) -> Value {
    server.data(METRICS, vars).await["flowMetrics"].clone()
}

/// `[state, bureau or null, samples, p50, p85, p95]` rows of `timeInState`. The bureau rows of a
/// state come by bureau id, which the test does not choose: they are put in code order (states
/// keep their order, the all-bureaus row, with no code, stays first).
fn time_rows(m: &Value) -> Vec<Value> {
    let mut rows: Vec<Value> = m["timeInState"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["state"]["key"],
                r["bureau"]["code"],
                r["samples"],
                r["p50Days"],
                r["p85Days"],
                r["p95Days"]
            ])
        })
        .collect();
    let states: Vec<Value> = rows.iter().map(|r| r[0].clone()).collect();
    let key = |r: &Value| {
        let state = states.iter().position(|s| *s == r[0]).unwrap();
        (state, r[1].as_str().unwrap_or("").to_owned())
    };
    rows.sort_by_key(key);
    rows
}

pub(super) fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

pub(super) fn close(actual: &Value, expected: f64) -> bool {
    (actual.as_f64().unwrap() - expected).abs() < 1e-9
}

async fn flow_and_bottlenecks_of_a_counted_history(server: TestServer, clock: Arc<FixedClock>) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("TOSHI", "都市整備局", "Bureau of Urban Development")
        .await;
    // 2025-04-01: all five enter `hearing`.
    let a = procedure(&server, "KANKYO-0001", "KANKYO", 3).await;
    let b = procedure(&server, "KANKYO-0002", "KANKYO", 1).await;
    let c = procedure(&server, "TOSHI-0001", "TOSHI", 1).await;
    let d = procedure(&server, "KANKYO-0003", "KANKYO", 2).await;
    let e = procedure(&server, "TOSHI-0002", "TOSHI", 1).await;
    let mut h = History {
        server: &server,
        clock: &clock,
        versions: Default::default(),
    };
    h.step("2025-04-11", &a, "scheduled").await;
    h.step("2025-04-11", &e, "awaiting_law_change").await;
    h.step("2025-04-21", &b, "scheduled").await;
    h.step("2025-05-01", &a, "built").await;
    h.step("2025-05-11", &a, "user_tested").await;
    h.step("2025-05-11", &e, "hearing").await;
    h.step("2025-05-16", &a, "released").await;
    h.step("2025-06-01", &c, "awaiting_law_change").await;
    h.step("2025-07-01", &b, "built").await;
    h.step("2025-08-10", &b, "user_tested").await;
    h.step("2025-08-20", &b, "released").await;
    clock.set(noon("2025-10-01"));

    // As of the end of FY2025-Q2. Every role reads it, the viewer included.
    let q2 = json!({ "asOf": "2025-09-30" });
    let m = metrics(&server, q2.clone()).await;
    let seen_by_viewer = server.data_as(&server.viewer, METRICS, q2.clone()).await;
    assert_eq!(seen_by_viewer["flowMetrics"], m);
    assert_eq!(m["asOf"], "2025-09-30");
    assert_eq!(
        m["wip"],
        json!([
            { "state": { "key": "hearing" }, "procedures": 2, "processes": 3 },
            { "state": { "key": "scheduled" }, "procedures": 0, "processes": 0 },
            { "state": { "key": "built" }, "procedures": 0, "processes": 0 },
            { "state": { "key": "user_tested" }, "procedures": 0, "processes": 0 },
            { "state": { "key": "awaiting_law_change" }, "procedures": 1, "processes": 1 },
        ])
    );
    // Finished stays: hearing A 10, B 20, C 61, E 10; scheduled A 20, B 71; built A 10, B 40;
    // user_tested A 5, B 10; awaiting_law_change E 30.
    assert_eq!(
        time_rows(&m),
        vec![
            json!(["hearing", null, 4, 10, 61, 61]),
            json!(["hearing", "KANKYO", 2, 10, 20, 20]),
            json!(["hearing", "TOSHI", 2, 10, 61, 61]),
            json!(["scheduled", null, 2, 20, 71, 71]),
            json!(["scheduled", "KANKYO", 2, 20, 71, 71]),
            json!(["built", null, 2, 10, 40, 40]),
            json!(["built", "KANKYO", 2, 10, 40, 40]),
            json!(["user_tested", null, 2, 5, 10, 10]),
            json!(["user_tested", "KANKYO", 2, 5, 10, 10]),
            json!(["awaiting_law_change", null, 1, 30, 30, 30]),
            json!(["awaiting_law_change", "TOSHI", 1, 30, 30, 30]),
        ]
    );
    assert_eq!(
        m["cycleTime"],
        json!({ "samples": 2, "p50Days": 45, "p85Days": 141, "p95Days": 141 })
    );
    assert_eq!(
        m["throughput"],
        json!([
            { "quarter": "FY2025-Q1", "procedures": 1, "processes": 3 },
            { "quarter": "FY2025-Q2", "procedures": 1, "processes": 1 },
        ])
    );
    // D and E are past hearing's 60-day SLA; C has waited on the law change longer than that
    // state's p85 (30 days), which has no SLA.
    assert_eq!(m["aging"]["totalCount"], 3);
    assert_eq!(
        m["aging"]["items"],
        json!([
            { "procedure": { "code": "KANKYO-0003", "name": "手続 KANKYO-0003" },
              "state": { "key": "hearing", "slaDays": 60 }, "bureau": { "code": "KANKYO" },
              "enteredOn": "2025-04-01", "daysInState": 182, "slaDays": 60, "p85Days": 61,
              "reason": "PAST_SLA" },
            { "procedure": { "code": "TOSHI-0002", "name": "手続 TOSHI-0002" },
              "state": { "key": "hearing", "slaDays": 60 }, "bureau": { "code": "TOSHI" },
              "enteredOn": "2025-05-11", "daysInState": 142, "slaDays": 60, "p85Days": 61,
              "reason": "PAST_SLA" },
            { "procedure": { "code": "TOSHI-0001", "name": "手続 TOSHI-0001" },
              "state": { "key": "awaiting_law_change", "slaDays": null },
              "bureau": { "code": "TOSHI" }, "enteredOn": "2025-06-01", "daysInState": 121,
              "slaDays": null, "p85Days": 30, "reason": "PAST_P85" },
        ])
    );
    // Open days: A 45, B 141, C 182 (121 blocked), D 182, E 182 (30 blocked).
    assert_eq!(m["blockedShare"]["blockedDays"], 151);
    assert_eq!(m["blockedShare"]["openDays"], 732);
    assert!(close(&m["blockedShare"]["share"], 151.0 / 732.0), "{m}");
    let by_bureau = m["blockedShareByBureau"].as_array().unwrap();
    let mut rows: Vec<Value> = by_bureau
        .iter()
        .map(|r| json!([r["bureau"]["code"], r["blockedDays"], r["openDays"]]))
        .collect();
    rows.sort_by_key(|r| r[0].as_str().unwrap().to_owned());
    assert_eq!(
        rows,
        vec![json!(["KANKYO", 0, 368]), json!(["TOSHI", 151, 364])]
    );
    // A cut list keeps its whole count.
    let first = metrics(&server, json!({ "asOf": "2025-09-30", "first": 1 })).await;
    assert_eq!(first["aging"]["totalCount"], 3);
    let items = first["aging"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{first}");
    assert_eq!(items[0]["procedure"]["code"], "KANKYO-0003");
    // The filter is judged as of the date: TOSHI's procedures only.
    let toshi = metrics(
        &server,
        json!({ "asOf": "2025-09-30", "filter": { "bureauCodes": ["TOSHI"] } }),
    )
    .await;
    assert_eq!(toshi["wip"][0]["procedures"], 1);
    assert_eq!(toshi["wip"][4]["procedures"], 1);
    assert_eq!(toshi["cycleTime"]["samples"], 0);
    assert_eq!(toshi["aging"]["totalCount"], 2);

    rankings::cumulative(&server).await;
    rankings::bottlenecks(&server).await;

    // Later history (D scheduled, C abolished) leaves the past unchanged and shows today.
    h.step("2025-10-15", &d, "scheduled").await;
    h.step("2025-10-15", &c, "abolished").await;
    assert_eq!(metrics(&server, q2).await, m, "as of 2025-09-30, again");
    let now = metrics(&server, json!({})).await;
    assert_eq!(now["asOf"], "2025-10-15");
    assert_eq!(now["wip"][0]["procedures"], 1, "{now}");
    assert_eq!(now["wip"][1]["procedures"], 1, "{now}");
    assert_eq!(now["wip"][4]["procedures"], 0, "{now}");
}

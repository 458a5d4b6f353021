//! The project office's figures over HTTP, on a fixed clock: `kpis(asOf)` replays history (the
//! figures of a past date do not move when later transitions and field changes are written),
//! counts by procedures, processes and applications within the scope Tokyo can decide, groups;
//! `scopeLedger` names what entered and left the scope; `programmeTargets` gives exact gaps;
//! `freezeQuarter` is the project office's, refuses an unfinished quarter, is idempotent, and
//! what it froze equals the recomputation from history.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::{Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, payload_errors, start};

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

clocked!(
    kpis_are_replayed_from_history,
    quarters_freeze_once_and_match_history
);

/// Walks `id` from hearing to released on `day` (the clock's Tokyo date), with the passing user
/// test `built → user_tested` needs held that day.
async fn release_on(server: &TestServer, id: &str, mut version: i64, day: &str) {
    for to in ["scheduled", "built", "user_tested", "released"] {
        if to == "user_tested" {
            let mut input = TestServer::user_test_input(id, "PASS");
            input["heldOn"] = json!(day);
            let payload = server.record_user_test_as(&server.po, input).await;
            assert_eq!(payload["errors"], json!([]), "{payload}");
        }
        version = server.step(id, to, version, None).await;
    }
}

fn tokyo(at: &str) -> DateTime<Utc> {
    format!("{at}+09:00").parse().unwrap()
}

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestServer, Arc<FixedClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let clock = Arc::new(FixedClock::new(tokyo("2021-07-01T10:00:00")));
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

const KPIS: &str = "query($asOf: Date, $filter: ProcedureFilter, $groupBy: [KpiGroupBy!]) {
  kpis(asOf: $asOf, filter: $filter, groupBy: $groupBy) {
    asOf
    overall { ...F }
    groups { bureau { code } category authority isPriority figures { ...F } }
  } }
  fragment F on KpiFigures {
    procedures { digitised inScope rate } processes { digitised inScope rate }
    applications { digitised inScope } outOfScope }";

async fn kpis(server: &TestServer, as_of: &str, group_by: Value) -> Value {
    server
        .data(KPIS, json!({ "asOf": as_of, "groupBy": group_by }))
        .await["kpis"]
        .clone()
}

/// `[digitised, inScope]` of procedures, processes and applications.
fn triple(figures: &Value) -> [[i64; 2]; 3] {
    let pair = |k: &str| {
        [
            figures[k]["digitised"].as_i64().unwrap(),
            figures[k]["inScope"].as_i64().unwrap(),
        ]
    };
    [pair("procedures"), pair("processes"), pair("applications")]
}

/// Four KANKYO procedures and one FUKUSHI, created on 2021-07-01:
/// P1 (3 processes, 20,000 a year) released on 2021-08-02; P2 (2) abolished 2021-11-01;
/// P3 (5) became NATIONAL on 2021-12-01; P4 (1) released 2022-01-10; F1 (4) in hearing.
async fn world(server: &TestServer, clock: &FixedClock) -> Vec<String> {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let mut ids = Vec::new();
    for (code, processes, volume) in [
        ("KANKYO-0001", 3, Some(20_000)),
        ("KANKYO-0002", 2, None),
        ("KANKYO-0003", 5, Some(1_000)),
        ("KANKYO-0004", 1, None),
        ("FUKUSHI-0001", 4, Some(500)),
    ] {
        let bureau = code.split('-').next().unwrap();
        let p = server
            .create_procedure(json!({
                "code": code, "name": format!("{code}の届出"), "bureauCode": bureau,
                "category": "MAJOR", "authority": "TOKYO", "processCount": processes,
                "annualApplications": volume, "platform": "SAAS_E_APPLICATION",
                "targetQuarter": "FY2021-Q4",
            }))
            .await;
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    clock.set(tokyo("2021-08-02T10:00:00"));
    release_on(server, &ids[0], 1, "2021-08-02").await;
    clock.set(tokyo("2021-11-01T10:00:00"));
    server
        .step(&ids[1], "abolished", 1, Some("統合により廃止"))
        .await;
    clock.set(tokyo("2021-12-01T10:00:00"));
    let updated = server
        .update_procedure(
            json!({ "id": ids[2], "expectedVersion": 1, "authority": "NATIONAL",
                                  "reason": "旅券法の改正が必要" }),
        )
        .await;
    assert_eq!(updated["errors"], json!([]), "{updated}");
    clock.set(tokyo("2022-01-10T10:00:00"));
    release_on(server, &ids[3], 1, "2022-01-10").await;
    ids
}

async fn kpis_are_replayed_from_history(server: TestServer, clock: Arc<FixedClock>) {
    let ids = world(&server, &clock).await;
    clock.set(tokyo("2022-04-05T09:00:00"));

    // As of 2021-09-30: all five in scope, P1 digitised.
    let q2 = kpis(&server, "2021-09-30", json!(["BUREAU"])).await;
    assert_eq!(q2["asOf"], "2021-09-30");
    assert_eq!(
        triple(&q2["overall"]),
        [[1, 5], [3, 15], [20_000, 21_500]],
        "{q2}"
    );
    let groups = q2["groups"].as_array().unwrap();
    let kankyo = groups
        .iter()
        .find(|g| g["bureau"]["code"] == "KANKYO")
        .unwrap();
    assert_eq!(triple(&kankyo["figures"])[0], [1, 4]);
    assert!(
        groups.iter().all(|g| g["category"].is_null()),
        "not grouped by category"
    );

    // As of 2021-12-31: P2 abolished and P3 national are out, with their processes.
    let q3 = kpis(&server, "2021-12-31", json!(["AUTHORITY"])).await;
    assert_eq!(
        triple(&q3["overall"]),
        [[1, 3], [3, 8], [20_000, 20_500]],
        "{q3}"
    );
    assert_eq!(q3["overall"]["outOfScope"], 2);
    assert_eq!(
        q3["overall"]["procedures"]["rate"].as_f64(),
        Some(1.0 / 3.0)
    );
    let national = q3["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["authority"] == "NATIONAL")
        .unwrap();
    assert_eq!(triple(&national["figures"])[0], [0, 0]);

    // Later changes leave earlier dates alone: move P4 back out and change F1's processes.
    server.step(&ids[4], "scheduled", 1, None).await;
    let updated = server
        .update_procedure(json!({ "id": ids[4], "expectedVersion": 2, "processCount": 40 }))
        .await;
    assert_eq!(updated["errors"], json!([]), "{updated}");
    assert_eq!(kpis(&server, "2021-09-30", json!(["BUREAU"])).await, q2);
    assert_eq!(kpis(&server, "2021-12-31", json!(["AUTHORITY"])).await, q3);
    let now = kpis(&server, "2022-04-05", json!([])).await;
    assert_eq!(
        triple(&now["overall"])[1],
        [4, 44],
        "today sees the new count"
    );

    // Filters are judged as of the date; priority = 10,000+ a year.
    let priority = server
        .data(
            KPIS,
            json!({ "asOf": "2021-09-30", "filter": { "isPriority": true } }),
        )
        .await;
    assert_eq!(triple(&priority["kpis"]["overall"])[0], [1, 1]);
    let hearing = server
        .data(
            KPIS,
            json!({ "asOf": "2021-09-30", "filter": { "states": ["hearing"] } }),
        )
        .await;
    assert_eq!(triple(&hearing["kpis"]["overall"])[0], [0, 4]);

    // The ledger says why the denominator moved in FY2021-Q3.
    let ledger = server
        .data(
            "{ scopeLedger(from: \"2021-10-01\", to: \"2021-12-31\") {
                 proceduresBefore processesBefore proceduresAfter processesAfter
                 entries { code entered reason comment processes } } }",
            json!({}),
        )
        .await["scopeLedger"]
        .clone();
    assert_eq!(
        ledger,
        json!({
            "proceduresBefore": 5, "processesBefore": 15, "proceduresAfter": 3, "processesAfter": 8,
            "entries": [
                { "code": "KANKYO-0002", "entered": false, "reason": "ABOLISHED",
                  "comment": "統合により廃止", "processes": 2 },
                { "code": "KANKYO-0003", "entered": false, "reason": "BECAME_NATIONAL",
                  "comment": "旅券法の改正が必要", "processes": 5 },
            ]
        })
    );

    // Targets: 70% of processes (3 of 8 as of 2021-12-31 → 3 more), 100% (5 more).
    let targets = server
        .data(
            "{ programmeTargets(asOf: \"2021-12-31\") { key share deadline measure
                 gapProcedures gapProcesses met } }",
            json!({}),
        )
        .await["programmeTargets"]
        .clone();
    assert_eq!(
        targets,
        json!([
            { "key": "processes-70-fy2023", "share": 0.7, "deadline": "2024-03-31",
              "measure": "PROCESSES", "gapProcedures": 2, "gapProcesses": 3, "met": false },
            { "key": "tokyo-scope-100-fy2026", "share": 1.0, "deadline": "2027-03-31",
              "measure": "PROCESSES", "gapProcedures": 2, "gapProcesses": 5, "met": false },
        ])
    );

    // A future date is refused with VALIDATION.
    let future = server.gql(KPIS, json!({ "asOf": "2022-04-06" })).await;
    assert_eq!(
        future["errors"][0]["extensions"]["code"], "VALIDATION",
        "{future}"
    );
}

const SNAPSHOT: &str =
    "fragment Q on QuarterFigures { quarter digitisedInQuarter processesInQuarter
    overall { procedures { digitised inScope } processes { digitised inScope } }
    categories { category digitisedInQuarter figures { procedures { digitised inScope } } } }
  fragment S on QuarterSnapshot { frozen frozenBy complete figures { ...Q } previous { ...Q }
    change { overall { proceduresDigitised proceduresInScope processesInScope } } }";

async fn freeze(server: &TestServer, user: &crate::common::TestUser, quarter: &str) -> Value {
    let q = format!(
        "mutation($q: FiscalQuarter!) {{ freezeQuarter(input: {{ quarter: $q }}) {{
           snapshot {{ ...S }} errors {{ code message path }} }} }} {SNAPSHOT}"
    );
    server.data_as(user, &q, json!({ "q": quarter })).await["freezeQuarter"].clone()
}

async fn snapshot(server: &TestServer, quarter: &str) -> Value {
    let q = format!(
        "query($q: FiscalQuarter!) {{ quarterSnapshot(quarter: $q) {{ ...S }} }} {SNAPSHOT}"
    );
    server.data(&q, json!({ "q": quarter })).await["quarterSnapshot"].clone()
}

async fn quarters_freeze_once_and_match_history(server: TestServer, clock: Arc<FixedClock>) {
    world(&server, &clock).await;
    // 2022-01-10: FY2021-Q3 has ended, FY2021-Q4 has not.
    let computed = snapshot(&server, "FY2021-Q3").await;
    assert_eq!(computed["frozen"], false);
    assert_eq!(computed["complete"], true);
    assert_eq!(computed["figures"]["digitisedInQuarter"], 0);
    assert_eq!(computed["change"]["overall"]["proceduresInScope"], -2);

    let refused = freeze(&server, &server.viewer, "FY2021-Q3").await;
    assert_eq!(payload_errors(&refused)[0].0, "FORBIDDEN", "{refused}");
    let coordinator = server.coordinator("KANKYO").await;
    let refused = freeze(&server, &coordinator, "FY2021-Q3").await;
    assert_eq!(payload_errors(&refused)[0].0, "FORBIDDEN", "{refused}");
    let early = freeze(&server, &server.po, "FY2021-Q4").await;
    assert_eq!(
        payload_errors(&early),
        vec![("VALIDATION".to_owned(), "quarter".to_owned())]
    );

    let frozen = freeze(&server, &server.po, "FY2021-Q3").await;
    assert_eq!(frozen["errors"], json!([]), "{frozen}");
    let frozen = frozen["snapshot"].clone();
    assert_eq!(frozen["frozen"], true);
    assert_eq!(frozen["frozenBy"], server.po.email);
    assert_eq!(
        frozen["figures"], computed["figures"],
        "frozen = recomputed from history"
    );

    // Later history (a release in Q4) changes neither the snapshot nor the recomputation.
    clock.set(tokyo("2022-02-01T10:00:00"));
    let again = freeze(&server, &server.po2, "FY2021-Q3").await;
    assert_eq!(
        again["snapshot"], frozen,
        "idempotent: the first freeze stands"
    );
    assert_eq!(snapshot(&server, "FY2021-Q3").await, frozen);
    clock.set(tokyo("2022-04-01T10:00:00"));
    let q4 = snapshot(&server, "FY2021-Q4").await;
    assert_eq!(
        q4["figures"]["digitisedInQuarter"], 1,
        "P4 released on 2022-01-10"
    );
    assert_eq!(q4["previous"], frozen["figures"]);
    assert_eq!(q4["change"]["overall"]["proceduresDigitised"], 1);
    // Audited: one SUCCESS (the idempotent second freeze writes nothing), and the two refusals.
    let trail = server
        .data_as(
            &server.admin,
            "{ auditLog(filter: { action: \"quarter.freeze\" }, first: 50) { edges { node {
               targetId outcome actor after } } } }",
            json!({}),
        )
        .await;
    let entries: Vec<(String, String)> = trail["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            assert_eq!(n["targetId"], "FY2021-Q3", "{n}");
            (
                n["outcome"].as_str().unwrap().to_owned(),
                n["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let success: Vec<_> = entries.iter().filter(|e| e.0 == "SUCCESS").collect();
    assert_eq!(success.len(), 1, "{entries:?}");
    assert_eq!(success[0].1, server.po.email);
    assert_eq!(
        entries.iter().filter(|e| e.0 == "FORBIDDEN").count(),
        2,
        "{entries:?}"
    );
    let major = &q4["figures"]["categories"][0];
    assert_eq!(major["category"], "MAJOR");
    assert_eq!(
        major["figures"]["procedures"],
        json!({ "digitised": 2, "inScope": 3 })
    );
}

//! The dependency graph's read side over HTTP: `blockerRanking` (transitive counts, each
//! procedure once, what becomes fully unblocked), `Procedure.blockers`/`dependents`, the
//! `blocked`/`atRisk`/`blockedBy` filters, `earliestRelease` (an undated law change leaves the
//! quarter open and flags a target as at risk; dates decide once shown), `dependencyGraph`,
//! and the national-request split reproduced as of a past date on a fixed clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::{Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, both_backends, codes, start};

both_backends!(the_graph_answers_what_blocks_and_what_clearing_it_is_worth);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_split_as_of_a_past_date_sqlite() {
    national_split(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_split_as_of_a_past_date_postgres() {
    national_split(Backend::Postgres).await;
}

/// A procedure with volumes; its id.
async fn procedure(server: &TestServer, code: &str, bureau: &str, extra: Value) -> String {
    let mut input = json!({ "code": code, "name": format!("手続 {code}"), "bureauCode": bureau,
                            "category": "MAJOR", "authority": "TOKYO" });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    server.create_procedure(input).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

const BLOCKER: &str =
    "__typename ... on LawChange { code } ... on Milestone { name } ... on Procedure { code }";

/// The code or name of a `Blocker` value.
fn label(b: &Value) -> String {
    b["code"]
        .as_str()
        .or_else(|| b["name"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn filtered(server: &TestServer, filter: Value) -> Vec<String> {
    let data = server
        .data(
            "query($filter: ProcedureFilter) { procedures(first: 50, filter: $filter) {
               edges { node { code } } } }",
            json!({ "filter": filter }),
        )
        .await;
    let mut found = codes(&data["procedures"]);
    found.sort();
    found
}

async fn the_graph_answers_what_blocks_and_what_clearing_it_is_worth(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("TOSHI", "都市整備局", "Bureau of Urban Development")
        .await;
    let a = procedure(
        &server,
        "KANKYO-0001",
        "KANKYO",
        json!({ "annualApplications": 1000, "processCount": 2 }),
    )
    .await;
    let b = procedure(
        &server,
        "TOSHI-0001",
        "TOSHI",
        json!({ "annualApplications": 500, "processCount": 1 }),
    )
    .await;
    let c = procedure(
        &server,
        "KANKYO-0002",
        "KANKYO",
        json!({ "annualApplications": 300, "processCount": 1, "targetQuarter": "FY2025-Q1",
                "platform": "JGRANTS" }),
    )
    .await;
    procedure(&server, "KANKYO-0003", "KANKYO", json!({})).await;
    let law = server.law_change("LAW-0001", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    let milestone = server.milestone("SaaS platform go-live").await;
    let m_id = milestone["id"].as_str().unwrap().to_owned();
    // A needs the law; B needs A; C needs the law and the milestone.
    server.depends(&a, &law_id).await;
    server.depends(&b, &a).await;
    server.depends(&c, &law_id).await;
    server.depends(&c, &m_id).await;

    // Counts from the graph alone, and the first few procedures only when asked.
    let counted = server
        .data(
            "{ lawChange(code: \"LAW-0001\") { blockedCount all: blockedCount(transitive: true)
               firstOne: blockedProcedures(first: 1) { code } every: blockedProcedures { code } } }",
            json!({}),
        )
        .await["lawChange"]
        .clone();
    assert_eq!(counted["blockedCount"], 2, "{counted}");
    assert_eq!(counted["all"], 3, "A, C and, through A, B: {counted}");
    assert_eq!(
        counted["firstOne"].as_array().unwrap().len(),
        1,
        "{counted}"
    );
    assert_eq!(counted["every"].as_array().unwrap().len(), 2, "{counted}");
    let refused = server
        .gql(
            "{ lawChange(code: \"LAW-0001\") { blockedProcedures(first: -1) { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );

    let q = format!(
        "{{ blockerRanking(first: 10) {{ blocker {{ {BLOCKER} }} procedures processes
             annualApplications fullyUnblocked fullyUnblockedApplications }} }}"
    );
    let ranking = server.data(&q, json!({})).await["blockerRanking"].clone();
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = ranking
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                label(&r["blocker"]),
                n("procedures"),
                n("processes"),
                n("annualApplications"),
                n("fullyUnblocked"),
                n("fullyUnblockedApplications"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // The law holds A, B (through A) and C back; only A waits on it alone.
            ("LAW-0001".to_owned(), 3, 4, 1800, 1, 1000),
            ("KANKYO-0001".to_owned(), 1, 1, 500, 1, 500),
            ("SaaS platform go-live".to_owned(), 1, 1, 300, 0, 0),
        ],
        "{ranking}"
    );
    // Counting only one bureau's procedures.
    let q = "{ blockerRanking(first: 1, filter: { bureauCodes: [\"TOSHI\"] }) {
                 blocker { __typename } procedures annualApplications } }";
    let only_toshi = server.data(q, json!({})).await["blockerRanking"].clone();
    assert_eq!(only_toshi.as_array().unwrap().len(), 1, "{only_toshi}");
    assert_eq!(
        only_toshi[0]["annualApplications"],
        json!(500),
        "{only_toshi}"
    );

    // What blocks B, directly and along the graph; who depends on A.
    let q = format!(
        "query($code: String!) {{ procedure(code: $code) {{
           direct: blockers {{ {BLOCKER} }}
           all: blockers(transitive: true) {{ {BLOCKER} }}
           dependents(transitive: true) {{ code }} }} }}"
    );
    let p = server.data(&q, json!({ "code": "TOSHI-0001" })).await["procedure"].clone();
    let labels = |v: &Value| v.as_array().unwrap().iter().map(label).collect::<Vec<_>>();
    assert_eq!(labels(&p["direct"]), vec!["KANKYO-0001"], "{p}");
    assert_eq!(labels(&p["all"]), vec!["KANKYO-0001", "LAW-0001"], "{p}");
    let p = server.data(&q, json!({ "code": "KANKYO-0001" })).await["procedure"].clone();
    assert_eq!(labels(&p["dependents"]), vec!["TOSHI-0001"], "{p}");

    // The graph-answered filters.
    let blocked = vec!["KANKYO-0001", "KANKYO-0002", "TOSHI-0001"];
    assert_eq!(filtered(&server, json!({ "blocked": true })).await, blocked);
    assert_eq!(
        filtered(&server, json!({ "blocked": false })).await,
        vec!["KANKYO-0003"]
    );
    assert_eq!(
        filtered(&server, json!({ "blockedBy": law_id })).await,
        blocked
    );
    assert_eq!(
        filtered(
            &server,
            json!({ "blockedBy": a, "bureauCodes": ["KANKYO"] })
        )
        .await,
        Vec::<String>::new()
    );

    // Earliest release: the law has no date yet, so C's quarter is open and its target at risk.
    let q = format!(
        "query($code: String!) {{ procedure(code: $code) {{ earliestRelease {{
           quarter date atRisk decidedBy {{ {BLOCKER} }} }} }} }}"
    );
    let er =
        server.data(&q, json!({ "code": "KANKYO-0002" })).await["procedure"]["earliestRelease"]
            .clone();
    assert_eq!(er["quarter"], Value::Null, "{er}");
    assert_eq!(er["atRisk"], json!(true), "{er}");
    assert_eq!(labels(&er["decidedBy"]), vec!["LAW-0001"], "{er}");
    assert_eq!(
        filtered(&server, json!({ "atRisk": true })).await,
        vec!["KANKYO-0002"]
    );
    // Once the ministry shows a date, the latest date decides: the milestone (2027-03-01)
    // plus the default lead time of 180 days is 2027-08-28, in FY2027-Q2.
    server
        .law_change_to(&law_id, 1, "REQUESTED", Some("2026-01-10"))
        .await;
    server
        .law_change_to(&law_id, 2, "DATE_SHOWN", Some("2027-01-15"))
        .await;
    let er =
        server.data(&q, json!({ "code": "KANKYO-0002" })).await["procedure"]["earliestRelease"]
            .clone();
    assert_eq!(
        (
            er["quarter"].clone(),
            er["date"].clone(),
            er["atRisk"].clone()
        ),
        (json!("FY2027-Q2"), json!("2027-08-28"), json!(true)),
        "{er}"
    );
    assert_eq!(
        labels(&er["decidedBy"]),
        vec!["SaaS platform go-live"],
        "{er}"
    );
    // B waits on A, which waits on the law (2027-01-15 + 180 days = 2027-07-14), then B's own
    // lead time: 2028-01-10, decided by A then the law.
    let er = server.data(&q, json!({ "code": "TOSHI-0001" })).await["procedure"]["earliestRelease"]
        .clone();
    assert_eq!(er["date"], json!("2028-01-10"), "{er}");
    assert_eq!(
        labels(&er["decidedBy"]),
        vec!["KANKYO-0001", "LAW-0001"],
        "{er}"
    );

    // The law's neighbourhood towards its dependents.
    let q = format!(
        "query($root: ID!) {{ dependencyGraph(root: $root, depth: 2, direction: DEPENDENTS) {{
           nodes {{ {BLOCKER} }} edges {{ from {{ code }} on {{ {BLOCKER} }} }} }} }}"
    );
    let g = server.data(&q, json!({ "root": law_id })).await["dependencyGraph"].clone();
    let mut nodes = labels(&g["nodes"]);
    assert_eq!(nodes.remove(0), "LAW-0001", "the root comes first: {g}");
    nodes.sort();
    assert_eq!(
        nodes,
        vec!["KANKYO-0001", "KANKYO-0002", "TOSHI-0001"],
        "{g}"
    );
    assert_eq!(g["edges"].as_array().unwrap().len(), 3, "{g}");
    // A root of another type is refused.
    let bureau_id = server.data("{ bureaus { id } }", json!({})).await["bureaus"][0]["id"].clone();
    let refused = server.gql(&q, json!({ "root": bureau_id })).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        json!("VALIDATION"),
        "{refused}"
    );
}

/// 2021-06-01 in Tokyo: requests are made and answered until the end of 2021, then some move.
async fn national_split(backend: Backend) {
    let at = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
    let clock = Arc::new(FixedClock::new(at("2021-06-01T10:00:00+09:00")));
    let options = Options {
        clock: Some(clock.clone() as Arc<dyn Clock>),
        ..Options::default()
    };
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    server
        .create_bureau(
            "SEIKATSU",
            "生活文化局",
            "Bureau of Citizens, Culture and Sports",
        )
        .await;
    // 31 national requests: 7 get a date, 13 a national study, 11 no answer by December.
    let mut ids = Vec::new();
    for n in 0..31 {
        let law = server.law_change(&format!("LAW-{n:04}"), "SEIKATSU").await;
        let id = law["id"].as_str().unwrap().to_owned();
        server.law_change_to(&id, 1, "REQUESTED", None).await;
        match n {
            0..7 => {
                server
                    .law_change_to(&id, 2, "DATE_SHOWN", Some("2023-01-04"))
                    .await;
            }
            7..20 => {
                server.law_change_to(&id, 2, "UNDER_STUDY", None).await;
            }
            _ => {}
        }
        ids.push(id);
    }
    // Tokyo's own rule does not count as a national request.
    let own = server
        .create_law_change_as(
            &server.po,
            json!({ "code": "TOKYO-0001", "titleJa": "都規則の改正", "level": "TOKYO_RULE",
                    "ownerBureauCode": "SEIKATSU" }),
        )
        .await;
    assert_eq!(own["errors"], json!([]), "{own}");
    // A procedure behind two requests counts once.
    let p = procedure(&server, "SEIKATSU-0001", "SEIKATSU", json!({})).await;
    server.depends(&p, &ids[0]).await;
    server.depends(&p, &ids[7]).await;

    // In 2022: two dated changes are enacted, one unanswered request goes to study.
    clock.set(at("2022-02-01T10:00:00+09:00"));
    server
        .law_change_to(&ids[0], 3, "ENACTED", Some("2022-01-31"))
        .await;
    server
        .law_change_to(&ids[1], 3, "ENACTED", Some("2022-01-31"))
        .await;
    server.law_change_to(&ids[30], 2, "UNDER_STUDY", None).await;

    let q = "query($asOf: Date) { nationalRequestSummary(asOf: $asOf) {
               asOf lawChanges procedures dateShown underStudy requested enacted declined
               byStatus { status lawChanges procedures } } }";
    let then =
        server.data(q, json!({ "asOf": "2021-12-31" })).await["nationalRequestSummary"].clone();
    let split = |s: &Value| {
        [
            "lawChanges",
            "dateShown",
            "underStudy",
            "requested",
            "enacted",
            "procedures",
        ]
        .map(|k| s[k].as_i64().unwrap())
    };
    assert_eq!(split(&then), [31, 7, 13, 11, 0, 1], "{then}");
    let now = server.data(q, json!({ "asOf": null })).await["nationalRequestSummary"].clone();
    assert_eq!(now["asOf"], json!("2022-02-01"), "{now}");
    assert_eq!(split(&now), [31, 5, 14, 10, 2, 1], "{now}");
    let enacted = now["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == json!("ENACTED"))
        .cloned()
        .unwrap();
    assert_eq!(
        (enacted["lawChanges"].clone(), enacted["procedures"].clone()),
        (json!(2), json!(1)),
        "{now}"
    );
    harness.shutdown().await;
}

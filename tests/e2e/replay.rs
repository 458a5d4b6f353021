//! The programme's own history, replayed (`demo_replay`): the server loads
//! `deploy/demo/history/` into a fresh database through the call `rollout demo --replay` makes
//! (`App::load_replay`), and serves it over HTTP: the national-request split the programme
//! reported for December 2021, every procedure of the dataset, and named procedures' histories
//! on the dataset's days (moves at 10:00 Tokyo time).

use serde_json::{Value, json};

use crate::common::{Options, TestServer, both_backends};

fn replay_options() -> Options {
    Options {
        demo_replay: true,
        ..Options::default()
    }
}

both_backends!(with super::replay_options; replayed_history);

const PROCEDURE: &str = "query($code: String!) { procedure(code: $code) {
    name category authority state { key } releasedOn targetQuarter
    targetHistory { at from to }
    history(first: 20) { totalCount edges { node { to at actor } } } } }";

/// The procedure with `code`, and its moves as (state, Tokyo time of the move, actor).
async fn history(server: &TestServer, code: &str) -> (Value, Vec<(String, String, String)>) {
    let data = server.data(PROCEDURE, json!({ "code": code })).await;
    let p = data["procedure"].clone();
    let moves = p["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            let at: chrono::DateTime<chrono::FixedOffset> =
                n["at"].as_str().unwrap().parse().unwrap();
            let tokyo = at.with_timezone(&rollout_app::TOKYO);
            (
                n["to"].as_str().unwrap().to_owned(),
                tokyo.format("%Y-%m-%d %H:%M").to_string(),
                n["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (p, moves)
}

async fn replayed_history(server: TestServer) {
    let data = server
        .data(
            r#"{ nationalRequestSummary(asOf: "2021-12-31") {
                   lawChanges dateShown underStudy requested enacted procedures }
                 all: procedures(first: 1) { totalCount }
                 majors: procedures(first: 1, filter: { category: MAJOR }) { totalCount }
                 national: procedures(first: 1, filter: { category: MAJOR, authority: NATIONAL }) { totalCount }
                 subsidies: procedures(first: 1, filter: { category: SUBSIDY }) { totalCount } }"#,
            json!({}),
        )
        .await;
    let s = &data["nationalRequestSummary"];
    let split = [
        "lawChanges",
        "dateShown",
        "underStudy",
        "requested",
        "enacted",
        "procedures",
    ]
    .map(|k| s[k].as_i64().unwrap());
    assert_eq!(split, [31, 7, 13, 11, 0, 67], "{s}");
    let total = |k: &str| data[k]["totalCount"].as_i64().unwrap();
    assert_eq!(
        ["all", "majors", "national", "subsidies"].map(total),
        [613, 169, 40, 32],
        "{data}"
    );

    // Released in October–December 2021, the FY2021-Q3 report's example.
    let (p, moves) = history(&server, "DIGITAL-0001").await;
    assert_eq!(p["name"], "実習用通学定期乗車券の発売申込の届出");
    assert_eq!(
        (&p["category"], &p["authority"]),
        (&json!("MAJOR"), &json!("TOKYO"))
    );
    assert_eq!(p["state"]["key"], "released");
    let states: Vec<&str> = moves.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        states,
        ["hearing", "scheduled", "built", "user_tested", "released"],
        "{moves:?}"
    );
    let (_, released, _) = moves.last().unwrap();
    assert!(
        ("2021-10-01".."2022-01-01").contains(&released.as_str()) && released.ends_with("10:00"),
        "{moves:?}"
    );
    assert_eq!(p["releasedOn"], json!(released[..10]));

    // Planned for January–March 2022 at the end of 2021, its target set before then.
    let (p, _) = history(&server, "KANKYO-0002").await;
    assert_eq!(p["name"], "地球温暖化対策計画書の提出");
    let first = &p["targetHistory"][0];
    assert_eq!(
        (&first["from"], &first["to"]),
        (&Value::Null, &json!("FY2021-Q4"))
    );
    assert!(first["at"].as_str().unwrap() < "2021-12-31", "{p}");

    // The passport application waited for the Passport Act and went online the day it was
    // enacted, moved on by the system.
    let (p, moves) = history(&server, "SEIKATSU-0001").await;
    assert_eq!(p["name"], "一般旅券の発給申請");
    let waited = moves.iter().find(|(s, _, _)| s == "awaiting_law_change");
    assert_eq!(
        waited.map(|m| m.1.as_str()),
        Some("2021-03-01 10:00"),
        "{moves:?}"
    );
    let unblocked = moves.iter().find(|(_, _, a)| a == "system:unblock");
    assert_eq!(
        unblocked.map(|m| (m.0.as_str(), m.1.as_str())),
        Some(("scheduled", "2023-03-27 10:00")),
        "{moves:?}"
    );
    assert_eq!(p["releasedOn"], "2023-03-27");
}

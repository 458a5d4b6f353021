//! Slipped procedures and target history over HTTP, on a fixed clock: a procedure has slipped
//! once its target quarter has ended in Tokyo while it is neither done nor closed, which turns
//! at midnight in Tokyo (15:00 UTC the day before), not at midnight UTC. `Procedure.slipped`,
//! `procedures(filter: { slipped })` and `rolloutSummary(filter: { slipped })` agree. Every
//! change of a target quarter is kept in `targetHistory` with its time, actor and reason, and
//! `slipCount` counts the moves to a later quarter.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::{Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestServer, codes, payload_errors, start};

/// One test per backend, each on a server whose clock the test holds.
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
    slipped_turns_at_midnight_in_tokyo,
    target_history_keeps_every_change
);

/// 23:59:59 on 2026-09-30 in Tokyo, the last second of FY2026-Q2.
fn last_second_of_q2() -> DateTime<Utc> {
    "2026-09-30T23:59:59+09:00".parse().unwrap()
}

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestServer, Arc<FixedClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let clock = Arc::new(FixedClock::new(last_second_of_q2()));
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

/// A KANKYO procedure with `target` (and a platform); returns its id.
async fn procedure(server: &TestServer, code: &str, target: Option<&str>) -> String {
    let p = server
        .create_procedure(json!({
            "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": target,
            "platform": "JGRANTS",
        }))
        .await;
    p["id"].as_str().unwrap().to_owned()
}

/// Codes of `procedures(filter: { slipped })`, the codes whose `slipped` field is true, and
/// the summary's total for the same filter.
async fn slipped(server: &TestServer, slipped: bool) -> (Vec<String>, Vec<String>, i64) {
    let data = server
        .data(
            "query($slipped: Boolean) {
               listed: procedures(filter: { slipped: $slipped }) { edges { node { code } } }
               all: procedures(first: 100) { edges { node { code slipped } } }
               rolloutSummary(filter: { slipped: $slipped }) { total } }",
            json!({ "slipped": slipped }),
        )
        .await;
    let flagged = data["all"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["slipped"] == slipped)
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect();
    let total = data["rolloutSummary"]["total"].as_i64().unwrap();
    (codes(&data["listed"]), flagged, total)
}

async fn slipped_turns_at_midnight_in_tokyo(server: TestServer, clock: Arc<FixedClock>) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    // Q2 ends tonight; Q1 has ended; Q3 is to come; no target at all.
    let q2 = procedure(&server, "KANKYO-0001", Some("FY2026-Q2")).await;
    let q1 = procedure(&server, "KANKYO-0002", Some("FY2026-Q1")).await;
    procedure(&server, "KANKYO-0003", Some("FY2026-Q3")).await;
    procedure(&server, "KANKYO-0004", None).await;
    // Finished procedures never slip: released (DONE) and abolished (CLOSED), both in Q1.
    let released = procedure(&server, "KANKYO-0005", Some("FY2026-Q1")).await;
    server.release(&released, 1).await;
    let abolished = procedure(&server, "KANKYO-0006", Some("FY2026-Q1")).await;
    server.step(&abolished, "abolished", 1, Some("統合")).await;
    // Waiting on national law is not finished: it slips like any other.
    let waiting = procedure(&server, "KANKYO-0007", Some("FY2026-Q1")).await;
    server
        .step(&waiting, "awaiting_law_change", 1, Some("国の法改正待ち"))
        .await;
    let v = server.step(&q2, "scheduled", 1, None).await;
    server.step(&q2, "built", v, None).await;
    server.step(&q1, "scheduled", 1, None).await;

    let strings = |codes: &[&str]| codes.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let before = strings(&["KANKYO-0002", "KANKYO-0007"]);
    assert_eq!(slipped(&server, true).await, (before.clone(), before, 2));
    let others = strings(&[
        "KANKYO-0001",
        "KANKYO-0003",
        "KANKYO-0004",
        "KANKYO-0005",
        "KANKYO-0006",
    ]);
    assert_eq!(slipped(&server, false).await, (others.clone(), others, 5));

    // One second later it is 2026-10-01 in Tokyo (still 2026-09-30 in UTC): Q2 has ended.
    clock.set("2026-10-01T00:00:00+09:00".parse().unwrap());
    let after = strings(&["KANKYO-0001", "KANKYO-0002", "KANKYO-0007"]);
    assert_eq!(slipped(&server, true).await, (after.clone(), after, 3));
    let others = strings(&["KANKYO-0003", "KANKYO-0004", "KANKYO-0005", "KANKYO-0006"]);
    assert_eq!(slipped(&server, false).await, (others.clone(), others, 4));

    // User-tested is not released: still slipped. Moving the target later ends a slip.
    server.pass_user_test(&q2).await;
    server.step(&q2, "user_tested", 3, None).await;
    let moved = server
        .update_procedure(
            json!({ "id": q1, "expectedVersion": 2, "targetQuarter": "FY2026-Q4",
                                  "reason": "業者の納期遅延" }),
        )
        .await;
    assert_eq!(moved["errors"], json!([]), "{moved}");
    let still = strings(&["KANKYO-0001", "KANKYO-0007"]);
    assert_eq!(slipped(&server, true).await, (still.clone(), still, 2));
    let data = server
        .data(
            "{ procedures(filter: { slipped: true, states: [\"user_tested\"] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["procedures"]["totalCount"], 1,
        "slipped combines with other filters"
    );
}

/// `targetHistory` and `slipCount` of procedure `id`.
async fn history(server: &TestServer, id: &str) -> (Vec<Value>, i64) {
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { slipCount targetHistory { from to at actor reason } } }",
            json!({ "id": id }),
        )
        .await;
    let p = &data["procedure"];
    (
        p["targetHistory"].as_array().unwrap().clone(),
        p["slipCount"].as_i64().unwrap(),
    )
}

fn change(
    from: Option<&str>,
    to: Option<&str>,
    at: &str,
    actor: &str,
    reason: Option<&str>,
) -> Value {
    json!({ "from": from, "to": to, "at": at, "actor": actor, "reason": reason })
}

async fn target_history_keeps_every_change(server: TestServer, clock: Arc<FixedClock>) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let coordinator = server.coordinator("KANKYO").await;
    let (po, co) = (server.po.email.as_str(), coordinator.email.as_str());
    let id = procedure(&server, "KANKYO-0001", Some("FY2026-Q2")).await;
    let none = procedure(&server, "KANKYO-0002", None).await;
    assert_eq!(
        history(&server, &none).await,
        (vec![], 0),
        "no target, no history"
    );

    let mut expected = vec![change(
        None,
        Some("FY2026-Q2"),
        "2026-09-30T14:59:59Z",
        po,
        None,
    )];
    assert_eq!(history(&server, &id).await, (expected.clone(), 0));

    let mut version = 1;
    // (at, who, input, the change it makes, slip count after it)
    let steps: Vec<(&str, _, Value, Option<Value>, i64)> = vec![
        (
            "2026-10-01T01:00:00Z",
            &coordinator,
            json!({ "targetQuarter": "FY2026-Q4", "reason": "  業者の納期遅延 " }),
            Some(change(
                Some("FY2026-Q2"),
                Some("FY2026-Q4"),
                "2026-10-01T01:00:00Z",
                co,
                Some("業者の納期遅延"),
            )),
            1,
        ),
        // Earlier again: a change, not a slip; a blank reason is no reason.
        (
            "2026-10-02T01:00:00Z",
            &server.po,
            json!({ "targetQuarter": "FY2026-Q3", "reason": " " }),
            Some(change(
                Some("FY2026-Q4"),
                Some("FY2026-Q3"),
                "2026-10-02T01:00:00Z",
                po,
                None,
            )),
            1,
        ),
        // Other fields, or the same quarter again: no history.
        (
            "2026-10-03T01:00:00Z",
            &server.po,
            json!({ "name": "改名" }),
            None,
            1,
        ),
        (
            "2026-10-04T01:00:00Z",
            &server.po,
            json!({ "targetQuarter": "FY2026-Q3", "reason": "確認" }),
            None,
            1,
        ),
        (
            "2026-10-05T01:00:00Z",
            &server.po,
            json!({ "targetQuarter": "FY2027-Q1", "platform": null }),
            Some(change(
                Some("FY2026-Q3"),
                Some("FY2027-Q1"),
                "2026-10-05T01:00:00Z",
                po,
                None,
            )),
            2,
        ),
        // Cleared: kept, not a slip.
        (
            "2026-10-06T01:00:00Z",
            &server.po,
            json!({ "targetQuarter": null, "reason": "再調整" }),
            Some(change(
                Some("FY2027-Q1"),
                None,
                "2026-10-06T01:00:00Z",
                po,
                Some("再調整"),
            )),
            2,
        ),
    ];
    for (at, user, mut input, made, slips) in steps {
        clock.set(at.parse().unwrap());
        input["id"] = json!(id);
        input["expectedVersion"] = json!(version);
        let payload = server.update_procedure_as(user, input.clone()).await;
        assert_eq!(payload["errors"], json!([]), "{input}: {payload}");
        version += 1;
        expected.extend(made);
        assert_eq!(
            history(&server, &id).await,
            (expected.clone(), slips),
            "{input}"
        );
    }

    // Refused updates leave no history: a stale version, a bad reason, another bureau's user.
    for (user, input, error) in [
        (
            &server.po,
            json!({ "id": id, "expectedVersion": version - 1, "targetQuarter": "FY2028-Q1" }),
            ("VERSION_CONFLICT", "expectedVersion"),
        ),
        (
            &server.po,
            json!({ "id": id, "expectedVersion": version, "targetQuarter": "FY2028-Q1",
                    "reason": "bell\u{7}" }),
            ("VALIDATION", "reason"),
        ),
        (
            &server.viewer,
            json!({ "id": id, "expectedVersion": version, "targetQuarter": "FY2028-Q1" }),
            ("FORBIDDEN", ""),
        ),
    ] {
        let payload = server.update_procedure_as(user, input).await;
        assert_eq!(
            payload_errors(&payload),
            [(error.0.to_owned(), error.1.to_owned())],
            "{payload}"
        );
    }
    assert_eq!(history(&server, &id).await, (expected, 2));
}

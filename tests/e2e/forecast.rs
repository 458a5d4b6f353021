//! `forecast(target, runs, seed, weeks)` over HTTP on both backends, on histories whose answers
//! are known. A fixed clock moves through four Mondays, releasing one procedure each, so that
//! the last four weeks' pace is exactly one release a week: the forecast of the remaining
//! procedures is then certain, week by week, whatever the seed. Over the default 26 weeks the
//! same four releases make a pace of one in four-and-a-half weeks, whose probability of meeting
//! a target is a binomial the Monte Carlo answer must be close to; the same seed must give the
//! very same answer. Blockers hold procedures back: a law change expected after the deadline
//! (directly, or through the procedure a procedure depends on) turns a certain target into a
//! certain miss, and an unanswered request (no date) holds its procedure beyond any horizon.
//! Arguments out of range, and unknown targets, are VALIDATION errors.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::{Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{
    Backend, Options, TestServer, both_backends, graphql_error_codes, post_graphql, start,
};

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

clocked!(the_forecast_follows_the_pace_and_the_blockers);
both_backends!(the_forecast_refuses_bad_arguments);

/// 10:00 on a Tokyo date.
fn at(date: &str) -> DateTime<Utc> {
    format!("{date}T10:00:00+09:00").parse().unwrap()
}

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestServer, Arc<FixedClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let clock = Arc::new(FixedClock::new(at("2026-06-01")));
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

const FORECAST: &str = "query($target: String, $runs: Int!, $seed: Int, $weeks: Int) {
    forecast(target: $target, runs: $runs, seed: $seed, weeks: $weeks) {
      key labelJa labelEn deadline measure category needed probability metRuns p50 p85 p95 risk
      runs seed weeksOfHistory horizonWeeks remainingItems blockedItems asOf } }";

/// The forecasts of `forecast` with these arguments (runs 1,000 unless given).
async fn forecast(server: &TestServer, args: Value) -> Vec<Value> {
    let mut vars = json!({ "runs": 1000 });
    vars.as_object_mut()
        .unwrap()
        .extend(args.as_object().unwrap().clone());
    let data = server.data(FORECAST, vars).await;
    data["forecast"]
        .as_array()
        .unwrap_or_else(|| panic!("no forecast: {data}"))
        .clone()
}

/// The forecast of the target `key` among `all`.
fn of<'a>(all: &'a [Value], key: &str) -> &'a Value {
    all.iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no forecast of {key}: {all:?}"))
}

const SEVENTY: &str = "processes-70-fy2023";
const ALL: &str = "tokyo-scope-100-fy2026";

/// `(needed, probability, metRuns, risk, [p50, p85, p95], blockedItems)` of a forecast.
fn outcome(f: &Value) -> (i64, f64, i64, String, [Value; 3], i64) {
    (
        f["needed"].as_i64().unwrap(),
        f["probability"].as_f64().unwrap(),
        f["metRuns"].as_i64().unwrap(),
        f["risk"].as_str().unwrap().to_owned(),
        [f["p50"].clone(), f["p85"].clone(), f["p95"].clone()],
        f["blockedItems"].as_i64().unwrap(),
    )
}

/// A certain completion on `date` (or never, with `Value::Null`).
fn dates(date: Value) -> [Value; 3] {
    [date.clone(), date.clone(), date]
}

async fn the_forecast_follows_the_pace_and_the_blockers(
    server: TestServer,
    clock: Arc<FixedClock>,
) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let mut ids = Vec::new();
    for n in 1..=8 {
        let code = format!("KANKYO-{n:04}");
        let p = server
            .create_procedure(json!({
                "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
                "category": "STANDARD", "authority": "TOKYO", "processCount": 1,
                "targetQuarter": "FY2026-Q4", "platform": "JGRANTS",
            }))
            .await;
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    // One release each Monday: 2026-06-08, -15, -22 and -29, which is today.
    for (id, day) in ids
        .iter()
        .zip(["2026-06-08", "2026-06-15", "2026-06-22", "2026-06-29"])
    {
        clock.set(at(day));
        server.release(id, 1).await;
    }

    // Of 8 processes 4 are online. 70% needs 6 (2 more) by 2024-03-31, long past: a certain
    // miss, though the pace of one a week gets there in two weeks. 100% needs the 4 others
    // by 2027-03-31: certain, in four weeks.
    let steady = forecast(&server, json!({ "weeks": 4, "seed": 1 })).await;
    assert_eq!(steady.len(), 2, "{steady:?}");
    assert_eq!(
        steady
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [SEVENTY, ALL],
        "in the configured order"
    );
    let seventy = of(&steady, SEVENTY);
    assert_eq!(
        outcome(seventy),
        (2, 0.0, 0, "OFF_TRACK".into(), dates(json!("2026-07-13")), 0),
        "{seventy}"
    );
    let all = of(&steady, ALL);
    assert_eq!(
        outcome(all),
        (
            4,
            1.0,
            1000,
            "ON_TRACK".into(),
            dates(json!("2026-07-27")),
            0
        ),
        "{all}"
    );
    assert_eq!(
        (
            &all["asOf"],
            &all["deadline"],
            &all["measure"],
            &all["category"]
        ),
        (
            &json!("2026-06-29"),
            &json!("2027-03-31"),
            &json!("PROCESSES"),
            &Value::Null
        ),
        "{all}"
    );
    assert_eq!(
        (
            &all["runs"],
            &all["seed"],
            &all["weeksOfHistory"],
            &all["horizonWeeks"],
            &all["remainingItems"]
        ),
        (&json!(1000), &json!(1), &json!(4), &json!(520), &json!(4)),
        "{all}"
    );
    // A steady pace is certain whatever the seed; one target alone answers as among all.
    let alone = forecast(&server, json!({ "weeks": 4, "seed": 99, "target": ALL })).await;
    assert_eq!(alone.len(), 1, "{alone:?}");
    let mut expected = all.clone();
    expected["seed"] = json!(99);
    assert_eq!(alone[0], expected);

    // Over the default 26 weeks the same releases are a pace of 4 in 26 weeks: meeting 100%
    // needs 4 releases in the 39 weeks ending by the deadline (the 40th ends on 2027-04-05),
    // a probability of P(Binomial(39, 4/26) >= 4) = 0.8704.
    let first = forecast(&server, json!({ "seed": 7 })).await;
    let again = forecast(&server, json!({ "seed": 7 })).await;
    assert_eq!(first, again, "the same seed gives the same answer");
    let all = of(&first, ALL);
    assert_eq!(all["weeksOfHistory"], 26, "the configured default: {all}");
    let p = all["probability"].as_f64().unwrap();
    assert!((p - 0.8704).abs() < 0.05, "far from the binomial: {all}");
    assert_eq!(
        all["metRuns"].as_f64().unwrap() / 1000.0,
        p,
        "probability = metRuns / runs: {all}"
    );
    let expected_risk = if p >= 0.85 { "ON_TRACK" } else { "AT_RISK" };
    assert_eq!(all["risk"], expected_risk, "{all}");
    let [p50, p85, p95] = [&all["p50"], &all["p85"], &all["p95"]].map(|d| d.as_str().unwrap());
    assert!(
        "2026-07-27" < p50 && p50 <= p85 && p85 <= p95,
        "slower than the steady pace, in order: {all}"
    );
    // Without arguments: 10,000 runs and the documented seed, the same answer every time.
    let defaults = server
        .data(
            "{ forecast { key runs seed probability p50 p85 p95 } }",
            json!({}),
        )
        .await;
    let twice = server
        .data(
            "{ forecast { key runs seed probability p50 p85 p95 } }",
            json!({}),
        )
        .await;
    assert_eq!(defaults, twice);
    assert_eq!(
        (
            &defaults["forecast"][1]["runs"],
            &defaults["forecast"][1]["seed"]
        ),
        (&json!(10_000), &json!(2026)),
        "{defaults}"
    );

    // KANKYO-0008 waits on a law change the ministry expects on 2027-06-30, after the
    // deadline: 100% becomes a certain miss, reached in the week holding that date (week
    // 53, ending 2027-07-05). The 70% target does not need it.
    let law = server.law_change("LAW-0001", "KANKYO").await;
    let law = law["id"].as_str().unwrap().to_owned();
    server.law_change_to(&law, 1, "REQUESTED", None).await;
    server
        .law_change_to(&law, 2, "DATE_SHOWN", Some("2027-06-30"))
        .await;
    server.depends(&ids[7], &law).await;
    let blocked = forecast(&server, json!({ "weeks": 4 })).await;
    assert_eq!(
        outcome(of(&blocked, ALL)),
        (4, 0.0, 0, "OFF_TRACK".into(), dates(json!("2027-07-05")), 1),
        "{blocked:?}"
    );
    assert_eq!(
        outcome(of(&blocked, SEVENTY)),
        (2, 0.0, 0, "OFF_TRACK".into(), dates(json!("2026-07-13")), 1),
        "{blocked:?}"
    );

    // KANKYO-0007 needs KANKYO-0008: held back by the same law change, transitively. Both
    // come free in week 53; at one a week the second is out in week 54.
    server.depends(&ids[6], &ids[7]).await;
    let chained = forecast(&server, json!({ "weeks": 4 })).await;
    assert_eq!(
        outcome(of(&chained, ALL)),
        (4, 0.0, 0, "OFF_TRACK".into(), dates(json!("2027-07-12")), 2),
        "{chained:?}"
    );

    // KANKYO-0006 waits on a request the ministry has not answered: no date, so never within
    // the horizon. 100% cannot be reached at all; 70% needs KANKYO-0005 and one of the two
    // held until week 53.
    let unanswered = server.law_change("LAW-0002", "KANKYO").await;
    let unanswered = unanswered["id"].as_str().unwrap().to_owned();
    server
        .law_change_to(&unanswered, 1, "REQUESTED", None)
        .await;
    server.depends(&ids[5], &unanswered).await;
    let undated = forecast(&server, json!({ "weeks": 4 })).await;
    assert_eq!(
        outcome(of(&undated, ALL)),
        (4, 0.0, 0, "OFF_TRACK".into(), dates(Value::Null), 3),
        "{undated:?}"
    );
    assert_eq!(
        outcome(of(&undated, SEVENTY)),
        (2, 0.0, 0, "OFF_TRACK".into(), dates(json!("2027-07-05")), 3),
        "{undated:?}"
    );
}

async fn the_forecast_refuses_bad_arguments(server: TestServer) {
    // Everyone may read it; on an empty programme nothing is needed.
    let data = server
        .data_as(
            &server.viewer,
            "{ forecast(runs: 10) { key needed probability risk remainingItems } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["forecast"],
        json!([
            { "key": SEVENTY, "needed": 0, "probability": 1.0, "risk": "ON_TRACK", "remainingItems": 0 },
            { "key": ALL, "needed": 0, "probability": 1.0, "risk": "ON_TRACK", "remainingItems": 0 },
        ])
    );

    // Seeds beyond 32 bits are accepted and echoed.
    let big = server
        .data(
            "{ forecast(runs: 10, seed: 1099511627776, target: \"tokyo-scope-100-fy2026\") { seed } }",
            json!({}),
        )
        .await;
    assert_eq!(big["forecast"], json!([{ "seed": 1_099_511_627_776_i64 }]));

    let refused = [
        (json!({ "target": "processes-99-fy2099" }), "target"),
        (json!({ "runs": 0 }), "runs"),
        (json!({ "runs": 100_001 }), "runs"),
        (json!({ "runs": -1 }), "runs"),
        (json!({ "seed": -1 }), "seed"),
        (json!({ "weeks": 0 }), "weeks"),
        (json!({ "weeks": 521 }), "weeks"),
        (json!({ "weeks": -3 }), "weeks"),
    ];
    for (args, field) in refused {
        let mut vars = json!({ "runs": 1000 });
        vars.as_object_mut()
            .unwrap()
            .extend(args.as_object().unwrap().clone());
        let reply = server.gql(FORECAST, vars).await;
        assert_eq!(
            graphql_error_codes(&reply),
            ["VALIDATION"],
            "{args}: {reply}"
        );
        let message = reply["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(field), "{args}: {message}");
        assert_eq!(reply["data"], Value::Null, "{args}: {reply}");
    }

    // A request without a token is refused before it runs.
    let reply = post_graphql(
        server.http(),
        &server.url(""),
        None,
        &[],
        "{ forecast { key } }",
        json!({}),
    )
    .await;
    crate::common::assert_unauthenticated(&reply, "forecast without a token");
}

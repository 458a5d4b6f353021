//! The quality map over real HTTP, on both databases and a fixed clock (issue 13): the project
//! office records assessments, the map shows priority procedures only, each indicator and
//! principle at the Kano level the default thresholds give, and a later assessment replaces the
//! map's row while the earlier one stays in the history; a bad assessment is refused field by
//! field and an unknown procedure named. Who may assess is `quality_permissions.rs`; the
//! helpers here serve it and `quality_reviews.rs` too.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rollout_app::{AppSettings, Clock, FixedClock};
use serde_json::{Value, json};

use crate::common::{
    Backend, Options, TestServer, TestUser, nodes, payload_errors, start, uuid_of,
};

/// One test per backend, each on a server whose clock the test holds; `with N` sets the review
/// rate per minute.
macro_rules! clocked {
    (with $rate:literal: $($name:ident),+ $(,)?) => {
        crate::quality::clocked!(@rate Some($rate); $($name),+);
    };
    (@rate $rate:expr; $($name:ident),+) => {$(
        mod $name {
            use crate::common::Backend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::quality::run(Backend::Sqlite, $rate, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::quality::run(Backend::Postgres, $rate, super::$name).await;
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {
        crate::quality::clocked!(@rate None; $($name),+);
    };
}
pub(crate) use clocked;

clocked!(
    assessments_fill_the_map_and_keep_their_history,
    a_bad_assessment_is_refused_field_by_field,
);

/// 10:00 on 15 January 2026 in Tokyo: FY2025-Q4.
pub(crate) fn start_time() -> DateTime<Utc> {
    "2026-01-15T10:00:00+09:00".parse().unwrap()
}

pub(crate) async fn run<F, Fut>(backend: Backend, review_rate: Option<u32>, test: F)
where
    F: FnOnce(TestServer, Arc<FixedClock>) -> Fut,
    Fut: Future<Output = ()>,
{
    let clock = Arc::new(FixedClock::new(start_time()));
    let options = Options {
        clock: Some(clock.clone() as Arc<dyn Clock>),
        app: review_rate.map(|n| AppSettings {
            review_rate_per_minute: n,
            ..AppSettings::default()
        }),
        ..Options::default()
    };
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    test(server, clock).await;
    harness.shutdown().await;
}

/// KANKYO and a procedure of it with `annual` applications a year; returns its id.
pub(crate) async fn procedure(server: &TestServer, code: &str, annual: i64) -> String {
    let p = server
        .create_procedure(json!({
            "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
            "category": "MAJOR", "authority": "TOKYO", "annualApplications": annual,
        }))
        .await;
    p["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn kankyo(server: &TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
}

pub(crate) const RECORD: &str = "mutation($input: RecordQualityAssessmentInput!) {
    recordQualityAssessment(input: $input) {
      assessment { id note assessedAt assessedBy { email } indicators { onlineEndToEnd
        smartphoneReady attachments identityCheck fee standardDays actualDays }
        levels { indicator level } }
      errors { code message path } } }";

/// Runs `recordQualityAssessment` as `user`; its payload.
pub(crate) async fn assess_as(server: &TestServer, user: &TestUser, input: Value) -> Value {
    let data = server
        .data_as(user, RECORD, json!({ "input": input }))
        .await;
    data["recordQualityAssessment"].clone()
}

/// A good procedure: online, on phones, one attachment, My Number Card, cashless, 7 of 14 days.
pub(crate) fn good(id: &str) -> Value {
    json!({ "procedureId": id, "onlineEndToEnd": true, "smartphoneReady": true, "attachments": 1,
            "identityCheck": "MY_NUMBER_CARD", "fee": "CASHLESS", "standardDays": 14,
            "actualDays": 7, "note": "オンライン完結、添付1件" })
}

pub(crate) const MAP: &str = "query($filter: ProcedureFilter) { qualityMap(filter: $filter) {
    totalCount reviewWindow edges { node {
      procedure { code qualityAssessments { note assessedBy { email } } }
      assessment { note } lastAssessedAt
      indicators { indicator level levelJa }
      principles { principle labelJa level levelJa levelEn limitedBy }
      reviews { count mean distribution } } } } }";

/// The map's rows (nodes) under `filter`, as `user`.
pub(crate) async fn map_as(server: &TestServer, user: &TestUser, filter: Value) -> Value {
    server.data_as(user, MAP, json!({ "filter": filter })).await["qualityMap"].clone()
}

/// `indicator → level` of a row, in the map's column order.
pub(crate) fn indicator_levels(row: &Value) -> Vec<(String, Value)> {
    row["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["indicator"].as_str().unwrap().to_owned(),
                i["level"].clone(),
            )
        })
        .collect()
}

/// `(principle, level, limitedBy)` of a row.
pub(crate) fn principle_levels(row: &Value) -> Vec<(String, Value, Value)> {
    row["principles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["principle"].as_str().unwrap().to_owned(),
                p["level"].clone(),
                p["limitedBy"].clone(),
            )
        })
        .collect()
}

fn levels(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(i, l)| ((*i).to_owned(), l.clone()))
        .collect()
}

async fn assessments_fill_the_map_and_keep_their_history(
    server: TestServer,
    clock: Arc<FixedClock>,
) {
    kankyo(&server).await;
    let busy = procedure(&server, "KANKYO-0001", 50_000).await;
    let exactly = procedure(&server, "KANKYO-0002", 10_000).await;
    procedure(&server, "KANKYO-0003", 9_999).await;

    let first = assess_as(&server, &server.po, good(&busy)).await;
    assert_eq!(first["errors"], json!([]), "{first}");
    let a = &first["assessment"];
    assert_eq!(a["assessedBy"]["email"], server.po.email.as_str());
    assert_eq!(a["assessedAt"], "2026-01-15T01:00:00Z");
    assert_eq!(
        a["indicators"],
        json!({ "onlineEndToEnd": true, "smartphoneReady": true, "attachments": 1,
                "identityCheck": "MY_NUMBER_CARD", "fee": "CASHLESS", "standardDays": 14,
                "actualDays": 7 })
    );
    assert_eq!(
        a["levels"].as_array().unwrap().len(),
        6,
        "no review score: {a}"
    );

    let map = map_as(&server, &server.viewer, json!(null)).await;
    assert_eq!(map["totalCount"], 2, "priority procedures only: {map}");
    assert_eq!(
        map["reviewWindow"],
        json!(["FY2025-Q1", "FY2025-Q2", "FY2025-Q3", "FY2025-Q4"])
    );
    let rows = nodes(&map);
    assert_eq!(rows[0]["procedure"]["code"], "KANKYO-0001");
    assert_eq!(
        indicator_levels(&rows[0]),
        levels(&[
            ("ONLINE_END_TO_END", json!("ONE_DIMENSIONAL")),
            ("SMARTPHONE_READY", json!("MUST_BE")),
            ("ATTACHMENTS", json!("ONE_DIMENSIONAL")),
            ("IDENTITY_CHECK", json!("ONE_DIMENSIONAL")),
            ("FEE", json!("ONE_DIMENSIONAL")),
            ("PROCESSING_DAYS", json!("ATTRACTIVE")),
            ("REVIEW_SCORE", json!(null)),
        ])
    );
    assert_eq!(
        principle_levels(&rows[0]),
        [
            (
                "FASTER".into(),
                json!("ONE_DIMENSIONAL"),
                json!(["ONLINE_END_TO_END", "FEE"])
            ),
            (
                "SIMPLER".into(),
                json!("ONE_DIMENSIONAL"),
                json!(["ONLINE_END_TO_END", "ATTACHMENTS", "IDENTITY_CHECK", "FEE"])
            ),
            (
                "EASIER".into(),
                json!("MUST_BE"),
                json!(["SMARTPHONE_READY"])
            ),
        ]
    );
    let easier = &rows[0]["principles"][2];
    assert_eq!(
        (&easier["labelJa"], &easier["levelJa"], &easier["levelEn"]),
        (
            &json!("使いやすく"),
            &json!("当たり前品質"),
            &json!("must-be")
        )
    );
    assert_eq!(rows[0]["lastAssessedAt"], "2026-01-15T01:00:00Z");
    // Not yet assessed: a row with nothing scored.
    assert_eq!(rows[1]["procedure"]["code"], "KANKYO-0002");
    assert_eq!(rows[1]["assessment"], json!(null));
    assert!(indicator_levels(&rows[1]).iter().all(|(_, l)| l.is_null()));
    assert!(
        principle_levels(&rows[1])
            .iter()
            .all(|(_, l, by)| l.is_null() && by == &json!([]))
    );
    assert_eq!(
        rows[1]["reviews"],
        json!({ "count": 0, "mean": null, "distribution": [0, 0, 0, 0, 0] })
    );

    // A day later an administrator finds it worse: the map shows the new assessment.
    clock.advance(TimeDelta::days(1));
    let worse = json!({ "procedureId": busy, "onlineEndToEnd": false, "smartphoneReady": true,
        "attachments": 7, "identityCheck": "ID_UPLOAD", "fee": "CASH_ONLY", "standardDays": 14,
        "actualDays": 21 });
    let second = assess_as(&server, &server.admin, worse).await;
    assert_eq!(second["errors"], json!([]), "{second}");
    let map = map_as(&server, &server.po, json!({ "search": "KANKYO-0001" })).await;
    let row = &nodes(&map)[0];
    assert_eq!(row["assessment"]["note"], json!(null));
    assert_eq!(row["lastAssessedAt"], "2026-01-16T01:00:00Z");
    assert_eq!(
        principle_levels(row),
        [
            (
                "FASTER".into(),
                json!("NOT_MET"),
                json!(["ONLINE_END_TO_END", "FEE", "PROCESSING_DAYS"])
            ),
            (
                "SIMPLER".into(),
                json!("NOT_MET"),
                json!(["ONLINE_END_TO_END", "ATTACHMENTS", "FEE"])
            ),
            (
                "EASIER".into(),
                json!("MUST_BE"),
                json!(["SMARTPHONE_READY", "IDENTITY_CHECK"])
            ),
        ]
    );
    // The history keeps both, newest first.
    let history = &row["procedure"]["qualityAssessments"];
    assert_eq!(
        history,
        &json!([
            { "note": null, "assessedBy": { "email": server.admin.email } },
            { "note": "オンライン完結、添付1件", "assessedBy": { "email": server.po.email } },
        ])
    );

    // The filter narrows the priority procedures; asking for the others finds none.
    for (filter, total) in [
        (json!({ "isPriority": false }), 0),
        (json!({ "isPriority": true }), 2),
        (json!({ "search": "KANKYO-0003" }), 0),
        (json!({ "bureauCodes": ["KANKYO"] }), 2),
    ] {
        let map = map_as(&server, &server.po, filter.clone()).await;
        assert_eq!(map["totalCount"], total, "{filter}");
    }
    let _ = exactly;

    // Each assessment is audited with a snapshot.
    let id = second["assessment"]["id"].as_str().unwrap();
    let target = uuid_of("QualityAssessment", id).to_string();
    let trail = server
        .data_as(
            &server.admin,
            "query($f: AuditFilter) { auditLog(filter: $f) { edges { node {
               actor outcome targetType after } } } }",
            json!({ "f": { "action": "quality_assessment.record", "targetId": target } }),
        )
        .await;
    let entries = nodes(&trail["auditLog"]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (
            &entries[0]["actor"],
            &entries[0]["outcome"],
            &entries[0]["targetType"]
        ),
        (
            &json!(server.admin.email),
            &json!("SUCCESS"),
            &json!("QualityAssessment")
        )
    );
    assert_eq!(entries[0]["after"]["attachments"], 7, "{}", entries[0]);
}

async fn a_bad_assessment_is_refused_field_by_field(server: TestServer, _clock: Arc<FixedClock>) {
    kankyo(&server).await;
    let id = procedure(&server, "KANKYO-0001", 20_000).await;
    let fingerprints = server.fingerprinter().await;
    let before = fingerprints.take().await;

    let mut bad = good(&id);
    bad["attachments"] = json!(101);
    bad["standardDays"] = json!(-1);
    bad["actualDays"] = json!(3651);
    bad["note"] = json!("あ".repeat(4001));
    let payload = assess_as(&server, &server.po, bad).await;
    assert_eq!(payload["assessment"], json!(null));
    let mut found = payload_errors(&payload);
    found.sort();
    let every = ["actualDays", "attachments", "note", "standardDays"];
    assert_eq!(
        found,
        every.map(|f| ("VALIDATION".to_owned(), f.to_owned())),
        "every broken rule at once: {payload}"
    );
    let mut over = good(&id);
    over["attachments"] = json!(101);
    over["actualDays"] = json!(3651);
    let payload = assess_as(&server, &server.po, over).await;
    assert_eq!(
        payload_errors(&payload),
        [
            ("VALIDATION".to_owned(), "attachments".to_owned()),
            ("VALIDATION".to_owned(), "actualDays".to_owned()),
        ],
        "{payload}"
    );
    let message = payload["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 100 attachments"), "{message}");

    let ghost = crate::common::global_id("Procedure", uuid::Uuid::from_u128(7));
    let payload = assess_as(&server, &server.po, good(&ghost)).await;
    assert_eq!(
        payload_errors(&payload),
        [("NOT_FOUND".to_owned(), "procedureId".to_owned())]
    );
    let payload = assess_as(&server, &server.po, good("not-an-id")).await;
    assert_eq!(
        payload_errors(&payload),
        [("VALIDATION".to_owned(), "procedureId".to_owned())]
    );
    assert_eq!(fingerprints.take().await, before, "nothing was written");
    fingerprints.close().await;
}

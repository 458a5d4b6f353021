//! Residents' user reviews over real HTTP, on both databases and a fixed clock (issue 13): the
//! review intake identity submits them and they are counted per procedure and per fiscal
//! quarter of their day in Tokyo (a review at 00:00 on 1 April in Tokyo, still 31 March in UTC,
//! is the new fiscal year's), and the map's review score counts the review window only, from
//! the minimum number of reviews on; nobody else may submit (a coordinator's token included)
//! and the intake identity may do nothing else; a rating off the scale, a comment too long and
//! an unknown procedure are refused at their field; past the per-identity limit the answer is
//! RATE_LIMITED until the clock has moved on.

use std::sync::Arc;

use chrono::TimeDelta;
use rollout_app::FixedClock;
use serde_json::{Value, json};

use crate::common::{
    TestServer, TestUser, global_id, graphql_error_codes, nodes, payload_errors, uuid_of,
};
use crate::quality::{MAP, clocked, kankyo, map_as, principle_levels, procedure};

clocked!(
    reviews_are_counted_per_procedure_and_quarter,
    only_the_review_intake_identity_submits_reviews,
    bad_reviews_are_refused_at_their_field,
);
clocked!(with 3: reviews_over_the_rate_limit_are_refused);

const SUBMIT: &str = "mutation($input: SubmitUserReviewInput!) { submitUserReview(input: $input) {
    review { id procedureId rating comment channel submittedAt quarter }
    errors { code message path } } }";

const SUMMARY: &str = "query($id: ID!, $from: FiscalQuarter, $to: FiscalQuarter) {
    userReviewSummary(procedureId: $id, from: $from, to: $to) {
      procedure { code } overall { count mean distribution }
      quarters { quarter reviews { count mean distribution } } } }";

async fn intake(server: &TestServer, name: &str) -> TestUser {
    let email = format!("{name}@e-shinsei.e2e.rollout.test");
    server.create_user(&email, "REVIEW_INTAKE", None).await
}

fn review(id: &str, rating: i64) -> Value {
    json!({ "procedureId": id, "rating": rating, "channel": "SMARTPHONE" })
}

async fn submit_as(server: &TestServer, user: &TestUser, input: Value) -> Value {
    let data = server
        .data_as(user, SUBMIT, json!({ "input": input }))
        .await;
    data["submitUserReview"].clone()
}

async fn submitted(server: &TestServer, user: &TestUser, input: Value) -> Value {
    let payload = submit_as(server, user, input).await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    payload["review"].clone()
}

fn at(clock: &FixedClock, rfc3339: &str) {
    clock.set(rfc3339.parse().unwrap());
}

async fn reviews_are_counted_per_procedure_and_quarter(server: TestServer, clock: Arc<FixedClock>) {
    kankyo(&server).await;
    let id = procedure(&server, "KANKYO-0001", 30_000).await;
    let other = procedure(&server, "KANKYO-0002", 30_000).await;
    let form = intake(&server, "form").await;

    // FY2025-Q4: two on 15 January, one at the last second of March in Tokyo.
    submitted(&server, &form, review(&id, 5)).await;
    submitted(&server, &form, review(&id, 4)).await;
    at(&clock, "2026-03-31T23:59:59+09:00");
    let mut with_comment = review(&id, 2);
    with_comment["comment"] = json!("  入力画面が複雑でした\r\n");
    with_comment["channel"] = json!("PC");
    let kept = submitted(&server, &form, with_comment).await;
    assert_eq!(
        kept["comment"], "入力画面が複雑でした",
        "cleaned and trimmed"
    );
    assert_eq!(kept["quarter"], "FY2025-Q4");
    // FY2026-Q1 from midnight in Tokyo, while UTC is still on 31 March.
    at(&clock, "2026-04-01T00:00:00+09:00");
    let first_of_april = submitted(&server, &form, review(&id, 5)).await;
    assert_eq!(
        first_of_april,
        json!({ "id": first_of_april["id"], "procedureId": id, "rating": 5, "comment": null,
                "channel": "SMARTPHONE", "submittedAt": "2026-03-31T15:00:00Z",
                "quarter": "FY2026-Q1" })
    );
    submitted(&server, &form, review(&id, 5)).await;
    submitted(&server, &form, review(&other, 1)).await;

    let vars = json!({ "id": id, "from": "FY2025-Q3", "to": "FY2026-Q1" });
    let summary = server.data_as(&server.viewer, SUMMARY, vars).await;
    let zero = json!({ "count": 0, "mean": null, "distribution": [0, 0, 0, 0, 0] });
    assert_eq!(
        summary["userReviewSummary"],
        json!({
            "procedure": { "code": "KANKYO-0001" },
            "overall": { "count": 5, "mean": 4.2, "distribution": [0, 1, 0, 1, 3] },
            "quarters": [
                { "quarter": "FY2025-Q3", "reviews": zero },
                { "quarter": "FY2025-Q4", "reviews":
                    { "count": 3, "mean": 11.0 / 3.0, "distribution": [0, 1, 0, 1, 1] } },
                { "quarter": "FY2026-Q1", "reviews":
                    { "count": 2, "mean": 5.0, "distribution": [0, 0, 0, 0, 2] } },
            ],
        })
    );
    // By default the current quarter and the seven before it.
    let summary = server
        .data_as(&server.viewer, SUMMARY, json!({ "id": other }))
        .await;
    let quarters = summary["userReviewSummary"]["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 8);
    assert_eq!(
        (&quarters[0]["quarter"], &quarters[7]["quarter"]),
        (&json!("FY2024-Q2"), &json!("FY2026-Q1"))
    );
    assert_eq!(quarters[7]["reviews"]["count"], 1);

    // The map counts the window (FY2025-Q2 … FY2026-Q1); five reviews are too few to score.
    let row = |map: &Value| nodes(map)[0].clone();
    let map = map_as(&server, &server.po, json!({ "search": "KANKYO-0001" })).await;
    assert_eq!(row(&map)["reviews"]["count"], 5);
    assert_eq!(row(&map)["indicators"][6]["level"], json!(null));
    for _ in 0..5 {
        submitted(&server, &form, review(&id, 5)).await;
    }
    // Ten reviews, 46 / 10 = 4.6: attractive, and the only scored indicator of EASIER.
    let map = map_as(&server, &server.po, json!({ "search": "KANKYO-0001" })).await;
    let r = row(&map);
    assert_eq!(r["reviews"]["mean"], 4.6);
    assert_eq!(
        r["indicators"][6],
        json!({ "indicator": "REVIEW_SCORE",
        "level": "ATTRACTIVE", "levelJa": "魅力的品質" })
    );
    assert_eq!(
        principle_levels(&r)[2],
        (
            "EASIER".to_owned(),
            json!("ATTRACTIVE"),
            json!(["REVIEW_SCORE"])
        )
    );
    // A year on, they have left the window.
    at(&clock, "2027-04-10T09:00:00+09:00");
    let map = map_as(&server, &server.po, json!({ "search": "KANKYO-0001" })).await;
    assert_eq!(map["reviewWindow"][3], "FY2027-Q1");
    assert_eq!(row(&map)["reviews"]["count"], 0);
    assert_eq!(row(&map)["indicators"][6]["level"], json!(null));

    // Audited without the resident's words.
    let target = uuid_of("UserReview", kept["id"].as_str().unwrap()).to_string();
    let trail = server
        .data_as(
            &server.admin,
            "query($f: AuditFilter) { auditLog(filter: $f) { edges { node { actor after } } } }",
            json!({ "f": { "action": "user_review.submit", "targetId": target } }),
        )
        .await;
    let entries = nodes(&trail["auditLog"]);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor"], form.email.as_str());
    let after = &entries[0]["after"];
    assert_eq!(
        (&after["rating"], &after["withComment"]),
        (&json!(2), &json!(true))
    );
    assert!(!after.to_string().contains("入力画面"), "{after}");
}

async fn only_the_review_intake_identity_submits_reviews(
    server: TestServer,
    _clock: Arc<FixedClock>,
) {
    kankyo(&server).await;
    let id = procedure(&server, "KANKYO-0001", 30_000).await;
    let coordinator = server.coordinator("KANKYO").await;
    let form = intake(&server, "form").await;
    let fingerprints = server.fingerprinter().await;
    let before = fingerprints.take().await;
    let people = [
        (&coordinator, "BUREAU_COORDINATOR"),
        (&server.po, "PROJECT_OFFICE"),
        (&server.admin, "ADMIN"),
        (&server.viewer, "VIEWER"),
    ];
    for (user, role) in people {
        let payload = submit_as(&server, user, review(&id, 5)).await;
        assert_eq!(
            payload_errors(&payload),
            [("FORBIDDEN".to_owned(), String::new())]
        );
        assert_eq!(
            payload["errors"][0]["message"],
            format!("{role} may not submit user reviews")
        );
    }
    assert_eq!(fingerprints.take().await, before, "nothing was written");
    fingerprints.close().await;
    let trail = server
        .data_as(
            &server.admin,
            "query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }",
            json!({ "f": { "action": "user_review.submit", "outcome": "FORBIDDEN" } }),
        )
        .await;
    assert_eq!(trail["auditLog"]["totalCount"], 4, "each refusal recorded");

    // The intake identity does nothing else: no read, not even of itself, no token of its own.
    let own_id = form.id.clone();
    for (query, vars) in [
        ("{ procedures { totalCount } }", json!({})),
        ("{ viewer { role } }", json!({})),
        (MAP, json!({})),
        (SUMMARY, json!({ "id": id })),
        (
            "mutation($input: CreateTokenInput!) { createToken(input: $input) { secret } }",
            json!({ "input": { "name": "mine", "userId": own_id } }),
        ),
    ] {
        let reply = server.gql_as(&form, query, vars).await;
        assert_eq!(
            graphql_error_codes(&reply),
            ["FORBIDDEN"],
            "{query}: {reply}"
        );
        assert_eq!(reply["data"], json!(null), "{query}: {reply}");
    }
    submitted(&server, &form, review(&id, 4)).await;
    let summary = server
        .data_as(&coordinator, SUMMARY, json!({ "id": id }))
        .await;
    assert_eq!(
        summary["userReviewSummary"]["overall"]["count"], 1,
        "everyone reads"
    );
}

async fn bad_reviews_are_refused_at_their_field(server: TestServer, _clock: Arc<FixedClock>) {
    kankyo(&server).await;
    let id = procedure(&server, "KANKYO-0001", 30_000).await;
    let form = intake(&server, "form").await;
    let fingerprints = server.fingerprinter().await;
    let before = fingerprints.take().await;
    let with = |rating: i64, comment: Value| {
        let mut input = review(&id, rating);
        input["comment"] = comment;
        input
    };
    let v = |path: &str| ("VALIDATION".to_owned(), path.to_owned());
    let cases = [
        (review(&id, 0), vec![v("rating")]),
        (review(&id, 6), vec![v("rating")]),
        (review(&id, -1), vec![v("rating")]),
        (with(3, json!("あ".repeat(4001))), vec![v("comment")]),
        (with(3, json!("ベル\u{0007}")), vec![v("comment")]),
        (
            with(9, json!("あ".repeat(4001))),
            vec![v("comment"), v("rating")],
        ),
        (
            review(&global_id("Procedure", uuid::Uuid::from_u128(9)), 3),
            vec![("NOT_FOUND".to_owned(), "procedureId".to_owned())],
        ),
        (review("not-an-id", 3), vec![v("procedureId")]),
    ];
    for (input, expected) in cases {
        let payload = submit_as(&server, &form, input.clone()).await;
        assert_eq!(payload["review"], json!(null));
        assert_eq!(payload_errors(&payload), expected, "{input}");
    }
    let message = submit_as(&server, &form, review(&id, 0)).await["errors"][0]["message"].clone();
    assert_eq!(message, "a rating is a whole number from 1 to 5 (got 0)");
    assert_eq!(fingerprints.take().await, before, "nothing was written");
    fingerprints.close().await;
    // The limits are inclusive.
    let longest = submitted(&server, &form, with(1, json!("あ".repeat(4000)))).await;
    assert_eq!(longest["comment"].as_str().unwrap().chars().count(), 4000);
    submitted(&server, &form, review(&id, 5)).await;
}

async fn reviews_over_the_rate_limit_are_refused(server: TestServer, clock: Arc<FixedClock>) {
    kankyo(&server).await;
    let id = procedure(&server, "KANKYO-0001", 30_000).await;
    let form = intake(&server, "form").await;
    let kiosk = intake(&server, "kiosk").await;
    for _ in 0..3 {
        submitted(&server, &form, review(&id, 4)).await;
    }
    let fingerprints = server.fingerprinter().await;
    let before = fingerprints.take().await;
    let refused = submit_as(&server, &form, review(&id, 4)).await;
    assert_eq!(
        payload_errors(&refused),
        [("RATE_LIMITED".to_owned(), String::new())]
    );
    assert_eq!(
        refused["errors"][0]["message"],
        "more than 3 reviews a minute from this identity: try again in 20 s"
    );
    assert_eq!(fingerprints.take().await, before, "nothing was written");
    fingerprints.close().await;
    // Another identity has its own budget; the first gets one more 20 seconds on.
    submitted(&server, &kiosk, review(&id, 3)).await;
    clock.advance(TimeDelta::seconds(19));
    let payload = submit_as(&server, &form, review(&id, 4)).await;
    assert_eq!(
        payload_errors(&payload),
        [("RATE_LIMITED".to_owned(), String::new())]
    );
    clock.advance(TimeDelta::seconds(1));
    submitted(&server, &form, review(&id, 4)).await;
    let payload = submit_as(&server, &form, review(&id, 4)).await;
    assert_eq!(
        payload_errors(&payload),
        [("RATE_LIMITED".to_owned(), String::new())]
    );

    let summary = server
        .data_as(&server.po, SUMMARY, json!({ "id": id }))
        .await;
    assert_eq!(summary["userReviewSummary"]["overall"]["count"], 5);
}

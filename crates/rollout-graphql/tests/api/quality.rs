//! The quality map seen from GraphQL (issue 13): the review intake identity is refused every
//! root field but `submitUserReview` before anything is read, and a page of the map with its
//! nested assessments costs a fixed number of store calls whatever its size.

use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::access::ROOT_FIELDS;
use crate::harness::{Api, errors_of};

const RECORD: &str = "mutation($input: RecordQualityAssessmentInput!) {
    recordQualityAssessment(input: $input) { assessment { id } errors { code message path } } }";

#[tokio::test]
async fn the_review_intake_identity_may_use_no_other_field() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let intake = api
        .add_user("form@e-shinsei.example.jp", Role::ReviewIntake, None)
        .await;
    api.store.reset();
    for (field, query) in ROOT_FIELDS.iter().filter(|(f, _)| *f != "submitUserReview") {
        let response = api.raw_as(&intake, query, json!({})).await;
        let data = response.data.clone().into_json().unwrap();
        assert!(data.is_null() || data[*field].is_null(), "{field}: {data}");
        assert_eq!(
            errors_of(response),
            [(
                "REVIEW_INTAKE may only submit user reviews (submitUserReview)".to_owned(),
                Some("FORBIDDEN".to_owned())
            )],
            "{field}"
        );
    }
    assert_eq!(api.store.total_calls(), 0, "nothing reached the store");
}

/// `count` priority procedures of KANKYO, each assessed once; their ids.
async fn assessed(api: &Api, count: usize) -> Vec<Value> {
    let mut ids = Vec::new();
    for n in 1..=count {
        let p = api
            .create_procedure(
                &format!("KANKYO-{n:04}"),
                "KANKYO",
                json!({ "annualApplications": 10_000 + n }),
            )
            .await;
        let input = json!({ "input": {
            "procedureId": p["id"], "onlineEndToEnd": true, "smartphoneReady": n % 2 == 0,
            "attachments": n, "identityCheck": "MY_NUMBER_CARD", "fee": "CASHLESS",
            "standardDays": 10, "actualDays": 5, "note": format!("評価 {n}"),
        } });
        let data = api.data(RECORD, input).await;
        assert_eq!(
            data["recordQualityAssessment"]["errors"],
            json!([]),
            "{data}"
        );
        ids.push(p["id"].clone());
    }
    ids
}

#[tokio::test]
async fn a_page_of_the_map_is_a_fixed_number_of_reads() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    assessed(&api, 8).await;
    // Not a priority procedure: not on the map.
    api.create_procedure(
        "KANKYO-0100",
        "KANKYO",
        json!({ "annualApplications": 9_999 }),
    )
    .await;

    api.store.reset();
    let data = api
        .data(
            "{ qualityMap(first: 100) { totalCount reviewWindow edges { node {
                procedure { code bureau { code } qualityAssessments { note assessedBy { email } } }
                assessment { note assessedBy { email } levels { indicator level } }
                indicators { indicator level } principles { principle level limitedBy }
                reviews { count mean distribution } } } } }",
            json!({}),
        )
        .await;
    let map = &data["qualityMap"];
    assert_eq!(map["totalCount"], 8);
    let edges = map["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 8);
    for (i, edge) in edges.iter().enumerate() {
        let node = &edge["node"];
        let n = i + 1;
        assert_eq!(node["procedure"]["code"], format!("KANKYO-{n:04}"));
        assert_eq!(node["assessment"]["note"], format!("評価 {n}"));
        assert_eq!(node["assessment"]["assessedBy"]["email"], "po@example.jp");
        assert_eq!(
            node["procedure"]["qualityAssessments"][0]["note"],
            format!("評価 {n}")
        );
        assert_eq!(
            node["reviews"],
            json!({ "count": 0, "mean": null, "distribution": [0, 0, 0, 0, 0] })
        );
    }
    let calls = [
        "list_procedures",
        "latest_quality_assessments",
        "review_counts",
        "quality_assessments_for",
        "users_by_ids",
        "procedure",
        "procedures_by_ids",
    ]
    .map(|m| (m, api.store.calls(m)));
    assert_eq!(
        calls,
        [
            ("list_procedures", 1),
            ("latest_quality_assessments", 1),
            ("review_counts", 1),
            ("quality_assessments_for", 1),
            // The map's assessors, and those of the procedures' histories.
            ("users_by_ids", 2),
            ("procedure", 0),
            ("procedures_by_ids", 0),
        ]
    );
}

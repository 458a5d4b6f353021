//! Who may record quality assessments, over real HTTP on both databases (issue 13): the project
//! office and admins; a coordinator (of the procedure's own bureau) and a viewer are refused
//! with their role's limit, nothing written and the refusal audited; the review intake identity
//! is refused the field itself. Everyone who reads sees the map, except that identity.

use std::sync::Arc;

use rollout_app::FixedClock;
use serde_json::json;

use crate::common::{TestServer, graphql_error_codes, nodes, payload_errors};
use crate::quality::{MAP, RECORD, assess_as, clocked, good, kankyo, map_as, procedure};

clocked!(only_the_project_office_and_admins_assess);

async fn only_the_project_office_and_admins_assess(server: TestServer, _clock: Arc<FixedClock>) {
    kankyo(&server).await;
    let id = procedure(&server, "KANKYO-0001", 20_000).await;
    let coordinator = server.coordinator("KANKYO").await;
    let intake = server
        .create_user("form@e-shinsei.e2e.rollout.test", "REVIEW_INTAKE", None)
        .await;
    let fingerprints = server.fingerprinter().await;
    let before = fingerprints.take().await;
    for (user, role) in [
        (&coordinator, "BUREAU_COORDINATOR"),
        (&server.viewer, "VIEWER"),
    ] {
        let payload = assess_as(&server, user, good(&id)).await;
        assert_eq!(
            payload_errors(&payload),
            [("FORBIDDEN".to_owned(), String::new())],
            "{role}: {payload}"
        );
        assert_eq!(
            payload["errors"][0]["message"],
            format!("{role} may not record quality assessments")
        );
    }
    // The review intake identity may not even ask: the field itself is refused.
    let reply = server
        .gql_as(&intake, RECORD, json!({ "input": good(&id) }))
        .await;
    assert_eq!(graphql_error_codes(&reply), ["FORBIDDEN"], "{reply}");
    assert_eq!(fingerprints.take().await, before, "nothing was written");
    fingerprints.close().await;

    // The refusals of people are audited.
    let trail = server
        .data_as(
            &server.admin,
            "query($f: AuditFilter) { auditLog(filter: $f) { edges { node { actor outcome } } } }",
            json!({ "f": { "action": "quality_assessment.record" } }),
        )
        .await;
    let mut refused: Vec<(String, String)> = nodes(&trail["auditLog"])
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    refused.sort();
    let mut expected = vec![
        (coordinator.email.clone(), "FORBIDDEN".to_owned()),
        (server.viewer.email.clone(), "FORBIDDEN".to_owned()),
    ];
    expected.sort();
    assert_eq!(refused, expected);

    // Everyone who reads sees the map; the intake identity reads nothing.
    for user in [&coordinator, &server.viewer, &server.admin] {
        assert_eq!(map_as(&server, user, json!(null)).await["totalCount"], 1);
    }
    let reply = server.gql_as(&intake, MAP, json!({})).await;
    assert_eq!(graphql_error_codes(&reply), ["FORBIDDEN"], "{reply}");
}

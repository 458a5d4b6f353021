//! Bad arguments of the flow fields are VALIDATION errors (a future date, a reversed or too
//! long series, a quarter before the fiscal calendar, bounds, unknown target, a filter that has
//! no meaning as of a date), the longest series allowed is served to any role, and nothing is
//! read without a token.

use serde_json::json;

use crate::common::{TestServer, assert_unauthenticated, both_backends, graphql_error_codes};

both_backends!(bad_arguments_are_validation_errors);

async fn bad_arguments_are_validation_errors(server: TestServer) {
    let cases = [
        // A future date, a reversed range, too many weeks, a quarter before the fiscal calendar.
        "{ flowMetrics(asOf: \"2199-01-01\") { asOf } }",
        "{ cumulativeFlow(from: \"2024-05-01\", to: \"2024-04-01\") { from } }",
        "{ cumulativeFlow(from: \"2000-01-01\", to: \"2020-01-01\", step: WEEK) { from } }",
        "{ cumulativeFlow(from: \"1950-01-01\", to: \"1951-01-01\", step: QUARTER) { from } }",
        "{ cumulativeFlow(from: \"2024-01-01\", to: \"2199-01-01\") { from } }",
        // Bounds and names.
        "{ bottlenecks(first: 0) { asOf } }",
        "{ bottlenecks(first: 101) { asOf } }",
        "{ bottlenecks(target: \"no-such-target\") { asOf } }",
        "{ flowMetrics { aging(first: 501) { totalCount } } }",
        "{ flowMetrics(filter: { slipped: true }) { asOf } }",
        "{ flowMetrics(filter: { bureauCodes: [\"NOWHERE\"] }) { asOf } }",
    ];
    for query in cases {
        let reply = server.gql(query, json!({})).await;
        assert_eq!(
            graphql_error_codes(&reply),
            ["VALIDATION"],
            "{query}: {reply}"
        );
    }
    // 520 weeks is the most a series may have; anyone signed in may read it.
    let data = server
        .data_as(
            &server.viewer,
            "{ cumulativeFlow(from: \"2010-01-01\", to: \"2019-12-19\") { points { date } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["cumulativeFlow"]["points"].as_array().unwrap().len(),
        520
    );
    // Without a token nothing is read.
    for query in [
        "{ flowMetrics { asOf } }",
        "{ cumulativeFlow(from: \"2024-01-01\", to: \"2024-02-01\") { from } }",
        "{ bottlenecks { asOf } }",
    ] {
        let reply = server.request(None, &[], query, json!({})).await;
        assert_unauthenticated(&reply, query);
    }
}

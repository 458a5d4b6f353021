//! Unexpected failures: a database outage reaches the client as a GraphQL error with a fixed
//! message and code, never as a payload error and never with the cause's details.

use serde_json::json;

use crate::harness::{Api, CREATE_BUREAU};

#[tokio::test]
async fn an_outage_is_a_graphql_error_without_details() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    api.store.set_outage(true);

    let documents = [
        ("{ bureaus { code } }", json!({})),
        ("{ procedures { totalCount } }", json!({})),
        ("{ rolloutSummary { total } }", json!({})),
        (
            CREATE_BUREAU,
            json!({"input": {"code": "FUKUSHI", "nameJa": "福祉局", "nameEn": "Welfare"}}),
        ),
    ];
    for (query, vars) in documents {
        let response = api.raw_as(&api.admin, query, vars).await;
        let errors: Vec<_> = response
            .errors
            .iter()
            .map(|e| {
                let code = e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
                (e.message.clone(), code.map(|c| c.into_json().unwrap()))
            })
            .collect();
        assert_eq!(
            errors,
            [(
                "database unavailable".to_owned(),
                Some(json!("UNAVAILABLE"))
            )],
            "{query}"
        );
        assert_eq!(response.data.into_json().unwrap(), json!(null), "{query}");
    }

    api.store.set_outage(false);
    let bureaus = api.data("{ bureaus { code } }", json!({})).await;
    assert_eq!(
        bureaus["bureaus"],
        json!([{"code": "KANKYO"}]),
        "the failed create wrote nothing"
    );
}

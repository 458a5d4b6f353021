//! `totalCount` on demand over HTTP: every page of a listing read without `totalCount` has the
//! same edges and pageInfo as the same page read with it, and the count is right (it equals the
//! edges a whole walk yields). The server asks the store for the count only in the second case
//! (proved by the API tests and `tests/list_statements.rs`); here the answers must not tell the
//! difference.

use crate::common::{TestServer, both_backends};
use crate::listing::seed;
use serde_json::{Value, json};

both_backends!(total_count_only_adds_the_count);

const PAGE: &str = "SELECTION pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { __typename } }";

/// Walks the connection at `path` of `query` (whose connection selects `PAGE`, paged by
/// `$after`) in pages, reading each twice, without and with `totalCount`. Returns the total.
async fn walk_both_ways(server: &TestServer, query: &str, vars: Value, path: &[&str]) -> i64 {
    let bare_query = query.replace("PAGE", &PAGE.replace("SELECTION", ""));
    let counted_query = query.replace("PAGE", &PAGE.replace("SELECTION", "totalCount"));
    let at = |data: Value| path.iter().fold(data, |v, key| v[key].clone());
    let (mut after, mut walked, mut totals) = (Value::Null, 0, Vec::new());
    loop {
        let mut vars = vars.clone();
        vars["after"] = after;
        let bare = at(server.data(&bare_query, vars.clone()).await);
        let counted = at(server.data(&counted_query, vars).await);
        assert!(bare.get("totalCount").is_none(), "{bare}");
        assert_eq!(bare["edges"], counted["edges"], "{query}");
        assert_eq!(bare["pageInfo"], counted["pageInfo"], "{query}");
        totals.push(counted["totalCount"].as_i64().expect("an Int"));
        walked += bare["edges"].as_array().unwrap().len() as i64;
        if bare["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = bare["pageInfo"]["endCursor"].clone();
    }
    assert!(
        totals.iter().all(|t| *t == walked),
        "{query}: {totals:?} != {walked}"
    );
    walked
}

async fn total_count_only_adds_the_count(server: TestServer) {
    let procedures = seed(&server).await;
    let list = "query($after: String, $filter: ProcedureFilter) {
        procedures(first: 5, after: $after, filter: $filter) { PAGE } }";
    let all = walk_both_ways(&server, list, json!({}), &["procedures"]).await;
    assert_eq!(all, 12);
    let kankyo = json!({"filter": {"bureauCodes": ["KANKYO"], "category": "SUBSIDY"}});
    assert_eq!(
        walk_both_ways(&server, list, kankyo, &["procedures"]).await,
        2
    );
    let nothing = json!({"filter": {"states": ["released"]}});
    assert_eq!(
        walk_both_ways(&server, list, nothing, &["procedures"]).await,
        0
    );

    let bureau = r#"query($after: String) {
        bureau(code: "FUKUSHI") { procedures(first: 4, after: $after) { PAGE } } }"#;
    let path = ["bureau", "procedures"];
    assert_eq!(walk_both_ways(&server, bureau, json!({}), &path).await, 6);

    // FUKUSHI-0001 was moved to `scheduled`: created, then one transition.
    let moved = procedures
        .iter()
        .find(|p| p["code"] == "FUKUSHI-0001")
        .unwrap();
    let history = "query($id: ID!, $after: String) {
        procedure(id: $id) { history(first: 1, after: $after) { PAGE } } }";
    let vars = json!({"id": moved["id"]});
    assert_eq!(
        walk_both_ways(&server, history, vars, &["procedure", "history"]).await,
        2
    );

    // Two bureaus, twelve procedures and two transitions, at least; reading leaves no entry.
    let audit = "query($after: String) { auditLog(first: 7, after: $after) { PAGE } }";
    assert!(walk_both_ways(&server, audit, json!({}), &["auditLog"]).await >= 16);
}

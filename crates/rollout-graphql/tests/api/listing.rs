//! Query.procedures, Bureau.procedures and Procedure.history: filters, keyset pagination with
//! cursor continuity, argument validation, and one bureau read per page.

use serde_json::{Value, json};

use crate::harness::Api;

const PAGE: &str =
    "query($first: Int, $after: String, $filter: ProcedureFilter, $orderBy: ProcedureOrder) {
    procedures(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { code } }
    }
}";

fn codes(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Five KANKYO procedures (two of them subsidies) and three FUKUSHI ones.
async fn seeded() -> Api {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    for n in 1..=5 {
        let category = if n % 2 == 0 { "SUBSIDY" } else { "STANDARD" };
        api.create_procedure(
            &format!("KANKYO-000{n}"),
            "KANKYO",
            json!({"category": category}),
        )
        .await;
    }
    for n in 1..=3 {
        api.create_procedure(&format!("FUKUSHI-000{n}"), "FUKUSHI", json!({}))
            .await;
    }
    api
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps() {
    let api = seeded().await;
    let filter = json!({"bureauCodes": ["KANKYO"]});
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = api
            .data(PAGE, json!({"first": 2, "after": after, "filter": filter}))
            .await;
        let page = &data["procedures"];
        assert_eq!(page["totalCount"], 5);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], pages > 0);
        let edges = page["edges"].as_array().unwrap();
        assert_eq!(page["pageInfo"]["startCursor"], edges[0]["cursor"]);
        assert_eq!(
            page["pageInfo"]["endCursor"],
            edges[edges.len() - 1]["cursor"]
        );
        seen.extend(codes(page));
        pages += 1;
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "KANKYO-0001",
            "KANKYO-0002",
            "KANKYO-0003",
            "KANKYO-0004",
            "KANKYO-0005"
        ]
    );

    let desc = api
        .data(PAGE, json!({"first": 3, "orderBy": {"direction": "DESC"}}))
        .await;
    assert_eq!(
        codes(&desc["procedures"]),
        ["KANKYO-0005", "KANKYO-0004", "KANKYO-0003"]
    );
    assert_eq!(desc["procedures"]["totalCount"], 8);

    let empty = api.data(PAGE, json!({"first": 0})).await;
    assert_eq!(empty["procedures"]["edges"], json!([]));
    assert_eq!(empty["procedures"]["pageInfo"]["endCursor"], json!(null));
    assert_eq!(empty["procedures"]["totalCount"], 8);
}

#[tokio::test]
async fn filters_narrow_the_listing() {
    let api = seeded().await;
    let cases = [
        (
            json!({"category": "SUBSIDY"}),
            vec!["KANKYO-0002", "KANKYO-0004"],
        ),
        (json!({"search": "fukushi-0002"}), vec!["FUKUSHI-0002"]),
        (json!({"states": ["scheduled"]}), vec![]),
        (
            json!({"bureauCodes": ["FUKUSHI"], "authority": "NATIONAL"}),
            vec![],
        ),
    ];
    for (filter, expected) in cases {
        let data = api.data(PAGE, json!({ "filter": filter })).await;
        assert_eq!(codes(&data["procedures"]), expected, "{filter}");
        assert_eq!(data["procedures"]["totalCount"], expected.len(), "{filter}");
    }
    let bureau = api
        .data(
            "{ bureau(code: \"FUKUSHI\") { code procedures(filter: {bureauCodes: [\"KANKYO\"]}) {
                totalCount edges { node { code } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        bureau["bureau"]["procedures"]["totalCount"], 3,
        "the bureau replaces the filter"
    );
}

#[tokio::test]
async fn bad_listing_arguments_are_validation_errors() {
    let api = seeded().await;
    let first_page = api.data(PAGE, json!({"first": 2})).await;
    let cursor = first_page["procedures"]["pageInfo"]["endCursor"].clone();
    let cases = [
        json!({"first": 501}),
        json!({"first": -1}),
        json!({"after": "not a cursor"}),
        json!({"after": cursor, "orderBy": {"direction": "DESC"}}),
        json!({"after": cursor, "orderBy": {"field": "UPDATED_AT"}}),
        json!({"filter": {"bureauCodes": ["kankyo"]}}),
        json!({"filter": {"states": ["schedueld"]}}),
    ];
    for vars in cases {
        assert_eq!(
            api.error_code(PAGE, vars.clone()).await,
            "VALIDATION",
            "{vars}"
        );
    }
    let max = api.data(PAGE, json!({"first": 500})).await;
    assert_eq!(codes(&max["procedures"]).len(), 8);
    let history = "query($after: String) { procedures(first: 1) { edges { node {
        history(first: 1, after: $after) { totalCount } } } } }";
    assert_eq!(
        api.error_code(history, json!({ "after": cursor })).await,
        "VALIDATION",
        "a listing cursor is not a history cursor"
    );
}

#[tokio::test]
async fn history_pages_follow_each_other() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    for (to, version) in [("awaiting_law_change", 1), ("hearing", 2)] {
        let step = api
            .transition(
                json!({"procedureId": p["id"], "to": to, "expectedVersion": version,
                               "comment": "waiting"}),
            )
            .await;
        assert_eq!(step["errors"], json!([]));
    }
    let query = "query($id: ID!, $after: String) { procedure(id: $id) {
        history(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
            edges { node { to } } } } }";
    let first = api.data(query, json!({"id": p["id"]})).await;
    let first = &first["procedure"]["history"];
    assert_eq!(first["totalCount"], 3);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = api
        .data(
            query,
            json!({"id": p["id"], "after": first["pageInfo"]["endCursor"]}),
        )
        .await;
    let second = &second["procedure"]["history"];
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let to: Vec<_> = [first, second]
        .iter()
        .flat_map(|page| page["edges"].as_array().unwrap().clone())
        .map(|e| e["node"]["to"].clone())
        .collect();
    assert_eq!(
        to,
        [
            json!("hearing"),
            json!("awaiting_law_change"),
            json!("hearing")
        ]
    );
}

#[tokio::test]
async fn a_hundred_procedures_load_their_bureaus_in_one_batch() {
    let api = Api::new().await;
    let bureaus = ["KANKYO", "FUKUSHI", "KENSETSU", "ZAIMU"];
    for code in bureaus {
        api.create_bureau(code).await;
    }
    for n in 0..100 {
        let bureau = bureaus[n % bureaus.len()];
        api.create_procedure(&format!("{bureau}-{n:04}"), bureau, json!({}))
            .await;
    }
    api.store.reset();
    let data = api
        .data(
            "{ procedures(first: 100) { totalCount edges { node { code bureau { code nameEn } } } } }",
            json!({}),
        )
        .await;
    let edges = data["procedures"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 100);
    for edge in edges {
        let code = edge["node"]["code"].as_str().unwrap();
        let bureau = &edge["node"]["bureau"];
        let prefix = code.split('-').next().unwrap();
        assert_eq!(bureau["code"], prefix, "{code}");
        assert_eq!(bureau["nameEn"], format!("{prefix} Bureau"), "{code}");
    }
    assert_eq!(
        (api.store.bureau_reads(), api.store.calls("list_bureaus")),
        (0, 0),
        "the page's one bureau batch is served by the app's cache, which creating the procedures filled"
    );

    api.store.reset();
    let bare = api
        .data(
            "{ procedures(first: 100) { edges { node { code } } } }",
            json!({}),
        )
        .await;
    assert_eq!(bare["procedures"]["edges"].as_array().unwrap().len(), 100);
    assert_eq!(
        api.store.bureau_reads(),
        0,
        "no bureau read when no bureau is selected"
    );

    api.store.reset();
    let records = api
        .data(
            "{ procedures(first: 20) { edges { node { code history { edges { node {
                procedure { code bureau { code } } } } } } } } }",
            json!({}),
        )
        .await;
    for edge in records["procedures"]["edges"].as_array().unwrap() {
        let record = &edge["node"]["history"]["edges"][0]["node"];
        assert_eq!(record["procedure"]["code"], edge["node"]["code"]);
        let prefix = edge["node"]["code"]
            .as_str()
            .unwrap()
            .split('-')
            .next()
            .unwrap();
        assert_eq!(record["procedure"]["bureau"]["code"], prefix);
    }
    assert_eq!(
        (api.store.bureau_reads(), api.store.calls("list_bureaus")),
        (0, 0),
        "records' bureaus come from the app's cache too"
    );
    assert_eq!(
        (api.store.calls("histories"), api.store.calls("history")),
        (1, 0),
        "the page's histories are one read"
    );

    // Two page sizes through aliases: one read each, and each procedure gets its own records.
    api.store.reset();
    let aliased = api
        .data(
            "{ procedures(first: 20) { edges { node { code
                one: history(first: 1) { totalCount edges { node { to } } }
                two: history(first: 2) { edges { node { to } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(api.store.calls("histories"), 2, "one read per page size");
    for edge in aliased["procedures"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        assert_eq!(node["one"]["edges"].as_array().unwrap().len(), 1, "{node}");
        assert_eq!(node["one"]["edges"][0]["node"]["to"], "hearing", "{node}");
        assert!(node["one"]["totalCount"].as_i64().unwrap() >= 1, "{node}");
    }
}

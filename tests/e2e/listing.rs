//! Reading procedures back: every filter of `procedures`, keyset pagination over HTTP, ordering,
//! `bureaus`, and a bureau's own `procedures`.

use crate::common::{TestServer, both_backends, codes, graphql_error_codes};
use serde_json::{Value, json};

both_backends!(
    filters,
    pagination_walks_every_procedure_once,
    order_by_updated_at_desc,
    bureaus_and_bureau_procedures,
);

/// `(code, Japanese name, English name, category, authority, annual applications, target quarter)`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'static str>,
);

/// Deliberately not in code order, so that ordering by code is observable.
#[rustfmt::skip]
const FIXTURE: &[Row] = &[
    ("KANKYO-0005", "電気自動車の購入補助金申請", "Electric vehicle purchase subsidy", "SUBSIDY", "TOKYO", Some(20_000), Some("FY2025-Q1")),
    ("FUKUSHI-0003", "保育所等の補助金申請", "Nursery subsidy application", "SUBSIDY", "TOKYO", Some(900), Some("FY2025-Q1")),
    ("KANKYO-0001", "産業廃棄物処理業の許可申請", "Industrial waste disposal licence", "MAJOR", "TOKYO", Some(12_000), Some("FY2025-Q1")),
    ("FUKUSHI-0006", "児童手当の認定請求", "Child allowance claim", "MAJOR", "NATIONAL", Some(9_999), None),
    ("FUKUSHI-0001", "介護保険事業者の指定申請", "Designation of care providers", "MAJOR", "TOKYO", Some(25_000), Some("FY2025-Q1")),
    ("KANKYO-0003", "騒音規制法に基づく届出", "Noise regulation notification", "STANDARD", "NATIONAL", Some(400), None),
    ("FUKUSHI-0005", "生活保護の相談予約", "Public assistance consultation booking", "STANDARD", "NATIONAL", Some(10_000), Some("FY2026-Q3")),
    ("KANKYO-0002", "太陽光発電設備の補助金申請", "Solar panel subsidy application", "SUBSIDY", "TOKYO", Some(30_000), Some("FY2025-Q2")),
    ("FUKUSHI-0002", "障害者手帳の交付申請", "Disability certificate application", "MAJOR", "NATIONAL", Some(48_000), Some("FY2025-Q2")),
    ("KANKYO-0006", "浄化槽設置の届出", "Septic tank installation notice", "STANDARD", "TOKYO", None, None),
    ("FUKUSHI-0004", "福祉施設の変更届", "Welfare facility change notice", "STANDARD", "TOKYO", None, None),
    ("KANKYO-0004", "土壌汚染状況調査の報告", "Soil contamination survey report", "STANDARD", "TOKYO", Some(150), Some("FY2026-Q3")),
];

#[rustfmt::skip]
const ALL: [&str; 12] = [
    "FUKUSHI-0001", "FUKUSHI-0002", "FUKUSHI-0003", "FUKUSHI-0004", "FUKUSHI-0005", "FUKUSHI-0006",
    "KANKYO-0001", "KANKYO-0002", "KANKYO-0003", "KANKYO-0004", "KANKYO-0005", "KANKYO-0006",
];

/// Two bureaus and the twelve procedures of [`FIXTURE`]; FUKUSHI-0001 and KANKYO-0001 are then
/// moved to `scheduled`. Returns the procedures by code.
pub(crate) async fn seed(server: &TestServer) -> Vec<Value> {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let mut created = Vec::new();
    for (code, name, name_en, category, authority, volume, quarter) in FIXTURE {
        let bureau = code.split('-').next().unwrap();
        let procedure = server
            .create_procedure(json!({
                "code": code, "name": name, "nameEn": name_en, "bureauCode": bureau,
                "category": category, "authority": authority,
                "annualApplications": volume, "targetQuarter": quarter,
            }))
            .await;
        assert_eq!(
            procedure["isPriority"],
            json!(volume.is_some_and(|v| v >= 10_000)),
            "{procedure}"
        );
        assert_eq!(procedure["state"]["key"], "hearing");
        assert_eq!(procedure["version"], 1);
        created.push(procedure);
    }
    for procedure in &created {
        if ["FUKUSHI-0001", "KANKYO-0001"].contains(&procedure["code"].as_str().unwrap()) {
            server
                .step(procedure["id"].as_str().unwrap(), "scheduled", 1, None)
                .await;
        }
    }
    created
}

/// The codes `procedures(filter: $filter)` returns, checking totalCount against them.
async fn filtered(server: &TestServer, filter: Value) -> Vec<String> {
    let data = server
        .data(
            "query($filter: ProcedureFilter) {
               procedures(first: 500, filter: $filter) { totalCount edges { node { code } } }
             }",
            json!({ "filter": filter }),
        )
        .await;
    let found = codes(&data["procedures"]);
    assert_eq!(
        data["procedures"]["totalCount"],
        json!(found.len()),
        "filter {filter}"
    );
    found
}

async fn filters(server: TestServer) {
    seed(&server).await;
    let kankyo: Vec<&str> = ALL
        .iter()
        .copied()
        .filter(|c| c.starts_with("KANKYO"))
        .collect();
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), ALL.to_vec()),
        (json!({ "bureauCodes": ["KANKYO"] }), kankyo.clone()),
        (
            json!({ "bureauCodes": ["KANKYO", "FUKUSHI"] }),
            ALL.to_vec(),
        ),
        (
            json!({ "states": ["scheduled"] }),
            vec!["FUKUSHI-0001", "KANKYO-0001"],
        ),
        (json!({ "states": ["released", "abolished"] }), vec![]),
        (
            json!({ "category": "SUBSIDY" }),
            vec!["FUKUSHI-0003", "KANKYO-0002", "KANKYO-0005"],
        ),
        (
            json!({ "authority": "NATIONAL" }),
            vec![
                "FUKUSHI-0002",
                "FUKUSHI-0005",
                "FUKUSHI-0006",
                "KANKYO-0003",
            ],
        ),
        (
            json!({ "isPriority": true }),
            vec![
                "FUKUSHI-0001",
                "FUKUSHI-0002",
                "FUKUSHI-0005",
                "KANKYO-0001",
                "KANKYO-0002",
                "KANKYO-0005",
            ],
        ),
        // Unknown volumes count as not priority; 9,999 is just below the threshold.
        (
            json!({ "isPriority": false }),
            vec![
                "FUKUSHI-0003",
                "FUKUSHI-0004",
                "FUKUSHI-0006",
                "KANKYO-0003",
                "KANKYO-0004",
                "KANKYO-0006",
            ],
        ),
        (
            json!({ "search": "補助金" }),
            vec!["FUKUSHI-0003", "KANKYO-0002", "KANKYO-0005"],
        ),
        (
            json!({ "search": "届出" }),
            vec!["KANKYO-0003", "KANKYO-0006"],
        ),
        (
            json!({ "search": "SUBSIDY" }),
            vec!["FUKUSHI-0003", "KANKYO-0002", "KANKYO-0005"],
        ),
        (json!({ "search": "fukushi-000" }), ALL[..6].to_vec()),
        (json!({ "search": "存在しない" }), vec![]),
        (
            json!({ "targetQuarter": "FY2025-Q1" }),
            vec!["FUKUSHI-0001", "FUKUSHI-0003", "KANKYO-0001", "KANKYO-0005"],
        ),
        (
            json!({ "targetQuarter": "FY2026-Q3" }),
            vec!["FUKUSHI-0005", "KANKYO-0004"],
        ),
        (
            json!({ "bureauCodes": ["KANKYO"], "isPriority": true, "states": ["hearing"] }),
            vec!["KANKYO-0002", "KANKYO-0005"],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            filtered(&server, filter.clone()).await,
            expected,
            "filter {filter}"
        );
    }
}

async fn pagination_walks_every_procedure_once(server: TestServer) {
    seed(&server).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let data = server
            .data(
                "query($after: String) { procedures(first: 5, after: $after) {
                   totalCount
                   pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                   edges { cursor node { code } }
                 } }",
                json!({ "after": after }),
            )
            .await;
        let connection = &data["procedures"];
        let page = codes(connection);
        let info = &connection["pageInfo"];
        assert_eq!(connection["totalCount"], 12, "page {pages}");
        assert_eq!(
            info["hasPreviousPage"],
            json!(after.is_some()),
            "page {pages}"
        );
        let edges = connection["edges"].as_array().unwrap();
        assert_eq!(info["startCursor"], edges[0]["cursor"], "page {pages}");
        assert_eq!(
            info["endCursor"],
            edges[edges.len() - 1]["cursor"],
            "page {pages}"
        );
        seen.extend(page);
        pages += 1;
        if info["hasNextPage"] == json!(false) {
            break;
        }
        assert!(pages < 5, "pagination does not end: {seen:?}");
        after = Some(info["endCursor"].as_str().unwrap().to_owned());
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ALL);

    // A page of zero asks only for the count.
    let data = server
        .data(
            "{ procedures(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["procedures"]["totalCount"], 12);
    assert_eq!(data["procedures"]["edges"], json!([]));
    assert_eq!(data["procedures"]["pageInfo"]["hasNextPage"], true);

    // Pagination composes with a filter.
    let data = server
        .data(
            r#"{ procedures(first: 2, filter: { bureauCodes: ["KANKYO"] }) {
                 totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&data["procedures"]), ["KANKYO-0001", "KANKYO-0002"]);
    assert_eq!(data["procedures"]["totalCount"], 6);
    let data = server
        .data(
            r#"query($after: String) { procedures(first: 10, after: $after, filter: { bureauCodes: ["KANKYO"] }) {
                 totalCount pageInfo { hasNextPage } edges { node { code } } } }"#,
            json!({ "after": data["procedures"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        codes(&data["procedures"]),
        ["KANKYO-0003", "KANKYO-0004", "KANKYO-0005", "KANKYO-0006"]
    );
    assert_eq!(data["procedures"]["pageInfo"]["hasNextPage"], false);

    // A cursor that was never issued is refused rather than read as "from the start".
    let response = server
        .gql(
            "{ procedures(first: 5, after: \"not a cursor!\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"]);
}

async fn order_by_updated_at_desc(server: TestServer) {
    let procedures = seed(&server).await;
    let by_code = |code: &str| {
        procedures.iter().find(|p| p["code"] == code).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Touch three procedures in a known order; the last touched comes first.
    for (code, version) in [("KANKYO-0006", 1), ("FUKUSHI-0004", 1), ("KANKYO-0001", 2)] {
        let payload = server
            .update_procedure(
                json!({ "id": by_code(code), "expectedVersion": version, "processCount": 3 }),
            )
            .await;
        assert_eq!(payload["errors"], json!([]), "{payload}");
        assert_eq!(payload["procedure"]["version"], version + 1);
    }
    let query = "query($after: String) { procedures(first: 4, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
                   totalCount pageInfo { hasNextPage endCursor } edges { node { code updatedAt } } } }";
    let mut all = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = server.data(query, json!({ "after": after })).await;
        let connection = &data["procedures"];
        assert_eq!(connection["totalCount"], 12);
        for edge in connection["edges"].as_array().unwrap() {
            let at =
                chrono::DateTime::parse_from_rfc3339(edge["node"]["updatedAt"].as_str().unwrap())
                    .unwrap_or_else(|e| panic!("updatedAt not RFC 3339: {e}: {edge}"));
            all.push((edge["node"]["code"].as_str().unwrap().to_owned(), at));
        }
        if connection["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    let order: Vec<&str> = all.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        order[..3],
        ["KANKYO-0001", "FUKUSHI-0004", "KANKYO-0006"],
        "{order:?}"
    );
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, ALL, "every procedure exactly once");
    assert!(
        all.windows(2).all(|w| w[0].1 >= w[1].1),
        "not descending: {all:?}"
    );

    let data = server
        .data("{ procedures(first: 3, orderBy: { field: CODE, direction: DESC }) { edges { node { code } } } }", json!({}))
        .await;
    assert_eq!(
        codes(&data["procedures"]),
        ["KANKYO-0006", "KANKYO-0005", "KANKYO-0004"]
    );
}

async fn bureaus_and_bureau_procedures(server: TestServer) {
    seed(&server).await;
    let data = server
        .data(
            r#"{ bureaus { code nameJa nameEn }
                 kankyo: bureau(code: "KANKYO") { code nameEn
                   procedures(first: 50, filter: { bureauCodes: ["FUKUSHI"], category: STANDARD }) {
                     totalCount edges { node { code bureau { code } } } } }
                 missing: bureau(code: "NAIMU") { code } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["bureaus"],
        json!([
            { "code": "FUKUSHI", "nameJa": "福祉局", "nameEn": "Bureau of Social Welfare" },
            { "code": "KANKYO", "nameJa": "環境局", "nameEn": "Bureau of Environment" },
        ])
    );
    let kankyo = &data["kankyo"];
    assert_eq!(kankyo["nameEn"], "Bureau of Environment");
    // The bureau replaces `bureauCodes`; the other filters still apply.
    assert_eq!(
        codes(&kankyo["procedures"]),
        ["KANKYO-0003", "KANKYO-0004", "KANKYO-0006"]
    );
    assert_eq!(kankyo["procedures"]["totalCount"], 3);
    for edge in kankyo["procedures"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["bureau"]["code"], "KANKYO");
    }
    assert!(data["missing"].is_null(), "{data}");
}

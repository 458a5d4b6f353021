//! Dates and instants at the edges of the supported range (1900-01-01 to 2200-12-31, instants
//! to 2200-12-31T23:59:59.999999Z in UTC) through every field that takes one: the extreme
//! accepted values are stored and read back equal, through the API and in the audit trail's
//! snapshots; the values just outside are refused with VALIDATION naming the field, and nothing
//! is written, so every listing still works afterwards.

use crate::common::{TestServer, graphql_error_codes, nodes, ok_data, uuid_of};
use serde_json::{Value, json};

both_backends!(
    token_expiries_at_the_edges,
    delegation_dates_at_the_edges,
    procedure_dates_and_quarters_at_the_edges,
    audit_filters_at_the_edges,
);

use crate::common::both_backends;

const FIRST_INSTANT: &str = "1900-01-01T00:00:00Z";
const LAST_INSTANT: &str = "2200-12-31T23:59:59.999999Z";

const CREATE_TOKEN: &str = "mutation($input: CreateTokenInput!) { createToken(input: $input) {
    token { id expiresAt } errors { code message path } } }";

/// Asserts that `response` was refused before execution: no data, VALIDATION, and a message
/// that names `field` (async-graphql puts the argument path into it).
fn assert_refused(response: &Value, field: &str, what: &str) {
    assert!(response["data"].is_null(), "{what}: {response}");
    assert_eq!(
        graphql_error_codes(response),
        ["VALIDATION"],
        "{what}: {response}"
    );
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains(field), "{what}: {message}");
}

/// The ids and expiries of every token, as the administrator lists them.
async fn tokens(server: &TestServer) -> Vec<Value> {
    let data = server
        .data_as(&server.admin, "{ tokens { id expiresAt } }", json!({}))
        .await;
    data["tokens"].as_array().expect("a token list").clone()
}

/// The `after` snapshot of the one audit entry with `action` on `target_id`.
async fn snapshot_after(server: &TestServer, action: &str, target_id: &str) -> Value {
    let data = server
        .data_as(
            &server.admin,
            "query($filter: AuditFilter) { auditLog(filter: $filter, first: 10) { edges { node { after } } } }",
            json!({ "filter": { "action": action, "targetId": target_id } }),
        )
        .await;
    let list = nodes(&data["auditLog"]);
    assert_eq!(list.len(), 1, "{action} {target_id}: {data}");
    list[0]["after"].clone()
}

async fn token_expiries_at_the_edges(server: TestServer) {
    // The last instant, also spelled with an offset that stays inside once converted to UTC.
    for (sent, stored) in [
        (LAST_INSTANT, LAST_INSTANT),
        ("2201-01-01T08:59:59.999999+09:00", LAST_INSTANT),
        ("2200-12-31T22:59:59.999999-01:00", LAST_INSTANT),
    ] {
        let input = json!({ "name": format!("until {sent}"), "expiresAt": sent });
        let data = server
            .data_as(&server.viewer, CREATE_TOKEN, json!({ "input": input }))
            .await;
        let payload = &data["createToken"];
        assert_eq!(payload["errors"], json!([]), "{sent}: {payload}");
        assert_eq!(payload["token"]["expiresAt"], stored, "{sent}");
        let id = payload["token"]["id"].as_str().unwrap();
        let listed = tokens(&server).await;
        let token = listed.iter().find(|t| t["id"] == id).expect("listed");
        assert_eq!(token["expiresAt"], stored, "{sent} as listed");
        let uuid = uuid_of("ApiToken", id).to_string();
        let after = snapshot_after(&server, "token.create", &uuid).await;
        assert_eq!(after["expiresAt"], stored, "{sent} in the audit snapshot");
    }

    let before = tokens(&server).await;
    for bad in [
        "9999-12-31T23:59:59-23:59",
        "2200-12-31T23:59:59-01:00",
        "2201-01-01T00:00:00Z",
        "2026-04-01T09:30:00.1234567Z",
        "2099-06-30T23:59:60Z",
    ] {
        let input = json!({ "name": "too far", "expiresAt": bad });
        let response = server
            .gql_as(&server.viewer, CREATE_TOKEN, json!({ "input": input }))
            .await;
        assert_refused(&response, "expiresAt", bad);
    }
    // The same refusal for a value written in the document itself.
    let inline = r#"mutation { createToken(input: { name: "x", expiresAt: "+10000-01-01T00:00:00Z" }) { token { id } } }"#;
    let response = server.gql_as(&server.viewer, inline, json!({})).await;
    assert_refused(&response, "expiresAt", "inline");
    assert_eq!(tokens(&server).await, before, "nothing was written");
}

const DELEGATE: &str =
    "mutation($input: CreateDelegationInput!) { createDelegation(input: $input) {
    delegation { id startsOn endsOn } errors { code message path } } }";

/// Every delegation, as the administrator lists them.
async fn delegations(server: &TestServer) -> Value {
    let query = "{ delegations { id startsOn endsOn } }";
    server.data_as(&server.admin, query, json!({})).await["delegations"].clone()
}

async fn delegation_dates_at_the_edges(server: TestServer) {
    let (a, b) = (&server.po2, &server.po3);
    let input = json!({ "delegateId": b.id, "startsOn": "1900-01-01", "endsOn": "2200-12-31" });
    let data = server.data_as(a, DELEGATE, json!({ "input": input })).await;
    let payload = &data["createDelegation"];
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let expected = json!({ "startsOn": "1900-01-01", "endsOn": "2200-12-31" });
    assert_eq!(
        json!({ "startsOn": payload["delegation"]["startsOn"], "endsOn": payload["delegation"]["endsOn"] }),
        expected
    );
    let before = delegations(&server).await;
    assert_eq!(before.as_array().map(Vec::len), Some(1), "{before}");
    assert_eq!(before[0]["endsOn"], "2200-12-31");
    assert_eq!(before[0]["startsOn"], "1900-01-01");
    let id = payload["delegation"]["id"].as_str().unwrap();
    let after = snapshot_after(
        &server,
        "delegation.create",
        &uuid_of("Delegation", id).to_string(),
    )
    .await;
    assert_eq!(
        (&after["startsOn"], &after["endsOn"]),
        (&expected["startsOn"], &expected["endsOn"])
    );

    for (field, starts, ends) in [
        ("startsOn", "1899-12-31", "2026-12-31"),
        ("endsOn", "2026-01-01", "2201-01-01"),
        ("endsOn", "2026-01-01", "+10000-01-01"),
    ] {
        let input = json!({ "delegateId": b.id, "startsOn": starts, "endsOn": ends });
        let response = server.gql_as(a, DELEGATE, json!({ "input": input })).await;
        assert_refused(&response, field, &format!("{starts}..{ends}"));
    }
    assert_eq!(delegations(&server).await, before, "nothing was written");
}

async fn procedure_dates_and_quarters_at_the_edges(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let id = server.simple_procedure("KANKYO", "KANKYO-0001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut version = 1;
    for (released, quarter) in [("1900-01-01", "FY1989-Q1"), ("2200-12-31", "FY2199-Q4")] {
        let input = json!({ "id": id, "expectedVersion": version,
                            "releasedOn": released, "targetQuarter": quarter });
        let payload = server.update_procedure(input).await;
        assert_eq!(payload["errors"], json!([]), "{released}: {payload}");
        version += 1;
        // Read back through the bureau's listing, the read the issue saw fail for everyone.
        let data = server
            .data(
                "query($q: FiscalQuarter) { procedures(filter: { bureauCodes: [\"KANKYO\"], targetQuarter: $q }) { totalCount edges { node { releasedOn targetQuarter } } } }",
                json!({ "q": quarter }),
            )
            .await;
        assert_eq!(
            nodes(&data["procedures"]),
            [json!({ "releasedOn": released, "targetQuarter": quarter })]
        );
        let entries = server
            .data_as(
                &server.admin,
                "query($f: AuditFilter) { auditLog(filter: $f, first: 10) { edges { node { after } } } }",
                json!({ "f": { "action": "procedure.update", "targetId": uuid_of("Procedure", &id).to_string() } }),
            )
            .await;
        let last = nodes(&entries["auditLog"]).pop().expect("an update entry");
        let after = &last["after"];
        assert_eq!(
            (&after["releasedOn"], &after["targetQuarter"]),
            (&json!(released), &json!(quarter))
        );
    }

    let snapshot = server.snapshot(&id).await;
    for (field, bad) in [
        ("releasedOn", "1899-12-31"),
        ("releasedOn", "2201-01-01"),
        ("releasedOn", "+10000-01-01"),
        ("targetQuarter", "FY2200-Q1"),
    ] {
        let response = server
            .gql(
                "mutation($input: UpdateProcedureInput!) { updateProcedure(input: $input) { errors { code } } }",
                json!({ "input": { "id": id, "expectedVersion": version, field: bad } }),
            )
            .await;
        assert_refused(&response, field, bad);
    }
    assert_eq!(server.snapshot(&id).await, snapshot, "nothing was written");
    let data = server
        .data(
            "{ procedures(filter: { bureauCodes: [\"KANKYO\"] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["procedures"]["totalCount"], 1);

    // createProcedure takes a quarter too.
    let input = |code: &str, quarter: &str| {
        json!({ "code": code, "name": "手続", "bureauCode": "KANKYO", "category": "STANDARD",
                "authority": "TOKYO", "targetQuarter": quarter })
    };
    for (code, quarter) in [("KANKYO-0002", "FY1989-Q1"), ("KANKYO-0003", "FY2199-Q4")] {
        let created = server.create_procedure(input(code, quarter)).await;
        assert_eq!(created["targetQuarter"], quarter);
    }
    let create = "mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { errors { code } } }";
    for bad in ["FY1988-Q4", "FY2200-Q1"] {
        let response = server
            .gql(create, json!({ "input": input("KANKYO-0004", bad) }))
            .await;
        assert_refused(&response, "targetQuarter", bad);
    }
    let data = server
        .data(
            "{ procedures(filter: { bureauCodes: [\"KANKYO\"] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["procedures"]["totalCount"], 3, "nothing was written");
}

async fn audit_filters_at_the_edges(server: TestServer) {
    let query = "query($f: AuditFilter) { auditLog(filter: $f, first: 1) { totalCount } }";
    let all = ok_data(
        server
            .gql_as(&server.admin, query, json!({ "f": {} }))
            .await,
    );
    let total = all["auditLog"]["totalCount"].as_i64().unwrap();
    assert!(total > 0, "{all}");
    let edges = json!({ "f": { "since": FIRST_INSTANT, "until": LAST_INSTANT } });
    let data = ok_data(server.gql_as(&server.admin, query, edges).await);
    assert_eq!(data["auditLog"]["totalCount"], total);

    for (field, bad) in [
        ("since", "1899-12-31T23:59:59.999999Z"),
        ("until", "2201-01-01T00:00:00Z"),
        ("until", "9999-12-31T23:59:59-23:59"),
    ] {
        let response = server
            .gql_as(&server.admin, query, json!({ "f": { field: bad } }))
            .await;
        assert_refused(&response, field, bad);
    }
}

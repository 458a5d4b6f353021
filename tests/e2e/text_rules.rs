//! The one rule for free text, as a client meets it: NUL and control characters refused with
//! VALIDATION at the field's path and nothing written, newline and tab kept in comments, text
//! stored composed (NFC), every kind of field length-limited, an enormous search refused before
//! the database sees it, and searches that find full-width and half-width forms alike.

use crate::common::{TestServer, both_backends, codes, graphql_error_codes, payload_errors};
use serde_json::{Value, json};

both_backends!(
    control_characters_are_refused_and_nothing_is_written,
    comments_keep_lines_and_text_is_stored_composed,
    over_long_inputs_are_refused,
    an_enormous_search_is_a_validation_error,
    search_matches_either_width,
);

fn one(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_owned(), path.to_owned())]
}

async fn procedure_total(server: &TestServer) -> i64 {
    server
        .data("{ procedures { totalCount } }", json!({}))
        .await["procedures"]["totalCount"]
        .as_i64()
        .unwrap()
}

fn procedure_input(code: &str, name: &str) -> Value {
    json!({ "code": code, "name": name, "bureauCode": "KANKYO", "category": "STANDARD", "authority": "TOKYO" })
}

async fn control_characters_are_refused_and_nothing_is_written(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Environment")
        .await;
    for (name, message) in [
        ("狩猟\u{0}免許", "name must not contain the NUL character"),
        (
            "狩猟\u{7}免許",
            "name must not contain the control character U+0007 (character 3)",
        ),
        (
            "狩猟\n免許",
            "name must not contain the control character U+000A (character 3)",
        ),
        (
            "abc\u{202E}gpj",
            "name must not contain the control character U+202E (character 4)",
        ),
    ] {
        let payload = server
            .create_procedure_payload(&server.po, procedure_input("KANKYO-0001", name))
            .await;
        assert_eq!(
            payload_errors(&payload),
            one("VALIDATION", "name"),
            "{payload}"
        );
        assert_eq!(payload["errors"][0]["message"], message, "{payload}");
        assert!(payload["procedure"].is_null());
    }
    assert_eq!(procedure_total(&server).await, 0, "nothing was created");

    let p = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let id = p["id"].as_str().unwrap();
    let payload = server
        .update_procedure(json!({ "id": id, "expectedVersion": 1, "nameEn": "Hunting\u{0}" }))
        .await;
    assert_eq!(
        payload_errors(&payload),
        one("VALIDATION", "nameEn"),
        "{payload}"
    );
    let payload = server
        .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "comment": "ok\u{0}" }))
        .await;
    assert_eq!(
        payload_errors(&payload),
        one("VALIDATION", "comment"),
        "{payload}"
    );
    assert_eq!(
        server.snapshot(id).await,
        (1, 1),
        "no update, no transition"
    );

    let data = server
        .data_as(
            &server.admin,
            "mutation { createBureau(input: { code: \"ZAIMU\", nameJa: \"財務\\u0000局\", nameEn: \"Finance\" }) {
               bureau { code } errors { code path } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        payload_errors(&data["createBureau"]),
        one("VALIDATION", "nameJa")
    );
    let data = server
        .data_as(
            &server.admin,
            "mutation { createUser(input: { displayName: \"A\\u001bB\", email: \"a@example.jp\", role: VIEWER }) {
               user { id } errors { code path } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        payload_errors(&data["createUser"]),
        one("VALIDATION", "displayName")
    );
    let data = server.data("{ bureaus { code } }", json!({})).await;
    assert_eq!(data["bureaus"], json!([{ "code": "KANKYO" }]));
}

async fn comments_keep_lines_and_text_is_stored_composed(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Environment")
        .await;
    // か + U+3099 (combining voiced mark) is stored as が.
    let mut input = procedure_input("KANKYO-0001", "か\u{3099}いこく人登録");
    input["targetQuarter"] = json!("FY2026-Q1");
    let p = server.create_procedure(input).await;
    assert_eq!(p["name"], "がいこく人登録");
    let id = p["id"].as_str().unwrap();
    let comment = "一行目\n\t二行目";
    let payload = server
        .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "comment": comment }))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert_eq!(payload["record"]["comment"], comment);
    // A Windows line ending is kept as one newline.
    let payload = server
        .transition(json!({ "procedureId": id, "to": "hearing", "expectedVersion": 2, "comment": "a\r\nb" }))
        .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert_eq!(payload["record"]["comment"], "a\nb");
}

async fn over_long_inputs_are_refused(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Environment")
        .await;
    let long_code = format!("KANKYO-{}", "1".repeat(26));
    let payload = server
        .create_procedure_payload(&server.po, procedure_input(&long_code, "x"))
        .await;
    assert_eq!(
        payload_errors(&payload),
        one("VALIDATION", "code"),
        "{payload}"
    );
    let payload = server
        .create_procedure_payload(
            &server.po,
            procedure_input("KANKYO-0001", &"名".repeat(201)),
        )
        .await;
    assert_eq!(
        payload_errors(&payload),
        one("VALIDATION", "name"),
        "{payload}"
    );
    assert_eq!(
        payload["errors"][0]["message"],
        "name must be at most 200 characters (got 201)"
    );
    assert_eq!(procedure_total(&server).await, 0);

    let p = server
        .create_procedure(procedure_input("KANKYO-0001", &"名".repeat(200)))
        .await;
    let id = p["id"].as_str().unwrap();
    let payload = server
        .transition(json!({ "procedureId": id, "to": "scheduled", "expectedVersion": 1, "comment": "c".repeat(4001) }))
        .await;
    assert_eq!(
        payload_errors(&payload),
        one("VALIDATION", "comment"),
        "{payload}"
    );
    assert_eq!(server.snapshot(id).await, (1, 1));
}

async fn an_enormous_search_is_a_validation_error(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Environment")
        .await;
    server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let query = "query($f: ProcedureFilter) { procedures(filter: $f) { totalCount } }";
    for search in ["x".repeat(60_000), "x".repeat(201), "a\u{0}b".to_owned()] {
        let response = server
            .gql(query, json!({ "f": { "search": search } }))
            .await;
        assert_eq!(graphql_error_codes(&response), ["VALIDATION"], "{response}");
    }
    let response = server
        .gql(
            "query($f: ProcedureFilter) { rolloutSummary(filter: $f) { total } }",
            json!({ "f": { "search": "x".repeat(60_000) } }),
        )
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"], "{response}");
    let response = server
        .gql_as(
            &server.admin,
            "query($f: AuditFilter) { auditLog(filter: $f) { totalCount } }",
            json!({ "f": { "action": "procedure.\u{0}" } }),
        )
        .await;
    assert_eq!(graphql_error_codes(&response), ["VALIDATION"], "{response}");
}

async fn search_matches_either_width(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Environment")
        .await;
    server
        .create_procedure(procedure_input("KANKYO-0012", "シンセイ手続"))
        .await;
    server
        .create_procedure(procedure_input("KANKYO-0013", "ｶﾞｲｺｸｼﾞﾝ登録"))
        .await;
    let query = "query($f: ProcedureFilter) { procedures(filter: $f) { edges { node { code } } } }";
    for (search, expected) in [
        ("ＫＡＮＫＹＯ-００１２", "KANKYO-0012"),
        ("kankyo-0012", "KANKYO-0012"),
        ("ｼﾝｾｲ", "KANKYO-0012"),
        ("ガイコクジン", "KANKYO-0013"),
    ] {
        let data = server
            .data(query, json!({ "f": { "search": search } }))
            .await;
        assert_eq!(codes(&data["procedures"]), [expected], "{search}");
    }
}

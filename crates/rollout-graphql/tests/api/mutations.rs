//! createBureau, createProcedure and updateProcedure: the created values, payload errors with
//! their codes and paths, absent versus null in updates, and scalar rejection.

use serde_json::json;

use crate::harness::{Api, CREATE_BUREAU, CREATE_PROCEDURE, codes_and_paths};

const COUNT: &str = "{ procedures { totalCount } }";

#[tokio::test]
async fn create_bureau_and_procedure_return_what_was_stored() {
    let api = Api::new().await;
    let bureau = api.create_bureau("KANKYO").await;
    assert_eq!(bureau["code"], "KANKYO");
    assert_eq!(bureau["nameJa"], "KANKYO局");
    assert_eq!(bureau["nameEn"], "KANKYO Bureau");

    let p = api
        .create_procedure(
            "KANKYO-0001",
            "KANKYO",
            json!({"nameEn": "Permit", "annualApplications": 12000, "processCount": 3,
                   "platform": "JGRANTS", "targetQuarter": "FY2026-Q2", "category": "SUBSIDY"}),
        )
        .await;
    assert_eq!(
        p,
        json!({
            "id": p["id"], "code": "KANKYO-0001", "name": "手続 KANKYO-0001", "nameEn": "Permit",
            "category": "SUBSIDY", "authority": "TOKYO", "annualApplications": 12000,
            "isPriority": true, "processCount": 3, "platform": "JGRANTS", "version": 1,
            "targetQuarter": "FY2026-Q2", "releasedOn": null,
            "createdAt": "2026-06-15T03:00:00Z", "updatedAt": "2026-06-15T03:00:00Z",
            "bureau": {"code": "KANKYO"}, "state": {"key": "hearing", "kind": "INITIAL"},
        })
    );

    let history = api
        .data(
            "query($id: ID!) { procedure(id: $id) { history { totalCount edges { node {
                from to transition actor comment procedureVersion workflowVersion
                fromState { key } toState { labelEn } } } } } }",
            json!({ "id": p["id"] }),
        )
        .await;
    assert_eq!(
        history["procedure"]["history"],
        json!({"totalCount": 1, "edges": [{"node": {
            "from": null, "to": "hearing", "transition": "create", "actor": "po@example.jp",
            "comment": null, "procedureVersion": 1, "workflowVersion": "tokyo-digitisation@1",
            "fromState": null, "toState": {"labelEn": "Hearing"}
        }}]})
    );
}

#[tokio::test]
async fn validation_errors_name_every_bad_field() {
    let api = Api::new().await;
    let data = api
        .data_as(
            &api.admin,
            CREATE_BUREAU,
            json!({"input": {"code": "kankyo", "nameJa": " ", "nameEn": "Environment"}}),
        )
        .await;
    assert_eq!(data["createBureau"]["bureau"], json!(null));
    assert_eq!(
        codes_and_paths(&data["createBureau"]),
        [
            ("VALIDATION".to_owned(), json!(["code"])),
            ("VALIDATION".to_owned(), json!(["nameJa"]))
        ]
    );

    let input = json!({"code": "kankyo-1", "name": "  ", "bureauCode": "NOPE", "processCount": 0,
                       "category": "MAJOR", "authority": "NATIONAL"});
    let data = api.data(CREATE_PROCEDURE, json!({ "input": input })).await;
    assert_eq!(data["createProcedure"]["procedure"], json!(null));
    let paths: Vec<_> = codes_and_paths(&data["createProcedure"])
        .into_iter()
        .map(|(code, path)| {
            assert_eq!(code, "VALIDATION");
            path
        })
        .collect();
    assert_eq!(
        paths,
        [
            json!(["name"]),
            json!(["processCount"]),
            json!(["code"]),
            json!(["bureauCode"])
        ]
    );
    assert_eq!(
        api.data(COUNT, json!({})).await["procedures"]["totalCount"],
        0
    );
}

#[tokio::test]
async fn taken_codes_are_duplicates() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let again = api
        .data_as(
            &api.admin,
            CREATE_BUREAU,
            json!({"input": {"code": "KANKYO", "nameJa": "環境局", "nameEn": "Environment"}}),
        )
        .await;
    assert_eq!(
        codes_and_paths(&again["createBureau"]),
        [("DUPLICATE".to_owned(), json!(["code"]))]
    );

    api.create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let input = json!({"code": "KANKYO-0001", "name": "別の手続", "bureauCode": "KANKYO",
                       "category": "MAJOR", "authority": "TOKYO"});
    let again = api.data(CREATE_PROCEDURE, json!({ "input": input })).await;
    assert_eq!(
        codes_and_paths(&again["createProcedure"]),
        [("DUPLICATE".to_owned(), json!(["code"]))]
    );
    assert_eq!(
        api.data(COUNT, json!({})).await["procedures"]["totalCount"],
        1
    );
}

#[tokio::test]
async fn update_tells_absent_from_null() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    let p = api
        .create_procedure(
            "KANKYO-0001",
            "KANKYO",
            json!({"nameEn": "Permit", "annualApplications": 12000, "platform": "JGRANTS"}),
        )
        .await;
    let payload = api
        .update(json!({"id": p["id"], "expectedVersion": 1, "nameEn": null,
                       "targetQuarter": "FY2026-Q3", "bureauCode": "FUKUSHI"}))
        .await;
    assert_eq!(payload["errors"], json!([]));
    assert_eq!(
        payload["procedure"],
        json!({"id": p["id"], "name": "手続 KANKYO-0001", "nameEn": null,
               "annualApplications": 12000, "platform": "JGRANTS", "version": 2,
               "targetQuarter": "FY2026-Q3", "releasedOn": null, "bureau": {"code": "FUKUSHI"}})
    );

    let cleared = api
        .update(
            json!({"id": p["id"], "expectedVersion": 2, "platform": null,
                       "annualApplications": null, "releasedOn": "2026-04-01"}),
        )
        .await;
    assert_eq!(cleared["procedure"]["platform"], json!(null));
    assert_eq!(cleared["procedure"]["annualApplications"], json!(null));
    assert_eq!(cleared["procedure"]["releasedOn"], "2026-04-01");
    assert_eq!(cleared["procedure"]["targetQuarter"], "FY2026-Q3");
    assert_eq!(cleared["procedure"]["version"], 3);
}

#[tokio::test]
async fn update_errors_carry_codes_and_paths() {
    let api = Api::new().await;
    let bureau = api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;

    let cases = [
        (
            json!({"id": p["id"], "expectedVersion": 1, "name": null}),
            "VALIDATION",
            json!(["name"]),
        ),
        (
            json!({"id": p["id"], "expectedVersion": 1, "bureauCode": "NOPE"}),
            "VALIDATION",
            json!(["bureauCode"]),
        ),
        (
            json!({"id": p["id"], "expectedVersion": 1, "processCount": 0}),
            "VALIDATION",
            json!(["processCount"]),
        ),
        (
            json!({"id": p["id"], "expectedVersion": 1}),
            "VALIDATION",
            json!(["input"]),
        ),
        (
            json!({"id": p["id"], "expectedVersion": 7, "name": "新"}),
            "VERSION_CONFLICT",
            json!(["expectedVersion"]),
        ),
        (
            json!({"id": bureau["id"], "expectedVersion": 1, "name": "新"}),
            "VALIDATION",
            json!(["id"]),
        ),
        (
            json!({"id": "not-an-id", "expectedVersion": 1, "name": "新"}),
            "VALIDATION",
            json!(["id"]),
        ),
        (
            json!({"id": unknown_procedure_id(), "expectedVersion": 1, "name": "新"}),
            "NOT_FOUND",
            json!(["id"]),
        ),
    ];
    for (input, code, path) in cases {
        let payload = api.update(input.clone()).await;
        assert_eq!(payload["procedure"], json!(null), "{input}");
        assert_eq!(
            codes_and_paths(&payload),
            [(code.to_owned(), path)],
            "{input}"
        );
    }
    let version = api
        .data(
            "query($id: ID!) { procedure(id: $id) { version } }",
            json!({"id": p["id"]}),
        )
        .await;
    assert_eq!(version["procedure"]["version"], 1, "nothing was written");
}

#[tokio::test]
async fn malformed_scalars_are_rejected_before_anything_runs() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let input = json!({"code": "KANKYO-0001", "name": "手続", "bureauCode": "KANKYO",
                       "category": "MAJOR", "authority": "TOKYO", "targetQuarter": "FY2025-Q5"});
    let errors = api
        .errors(CREATE_PROCEDURE, json!({ "input": input }))
        .await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.contains("FiscalQuarter"), "{errors:?}");
    assert_eq!(errors[0].1.as_deref(), Some("VALIDATION"));
    assert_eq!(
        api.data(COUNT, json!({})).await["procedures"]["totalCount"],
        0
    );

    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let bad_date =
        json!({"input": {"id": p["id"], "expectedVersion": 1, "releasedOn": "2026-4-1"}});
    let errors = api.errors(crate::harness::UPDATE, bad_date).await;
    assert!(errors[0].0.contains("Date"), "{errors:?}");
    let bad_filter = "{ procedures(filter: {targetQuarter: \"FY2025-Q03\"}) { totalCount } }";
    assert_eq!(api.error_code(bad_filter, json!({})).await, "VALIDATION");
}

/// A well-formed Procedure id that names no procedure.
pub fn unknown_procedure_id() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("Procedure:0190f5a2-7b3c-7def-8123-456789abcdef")
}

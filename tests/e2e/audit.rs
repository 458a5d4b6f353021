//! The audit trail over real HTTP: every change leaves one entry with who (e-mail address and
//! user), what (a dotted action), which thing (type and uuid), the state before and after (JSON),
//! the HTTP request's id and the client's address; refused attempts are entries too (outcome
//! FORBIDDEN, no snapshots); `auditLog` pages and filters it; and the database refuses to
//! rewrite it, whatever connects to it.

use crate::common::{TestServer, TestUser, both_backends, nodes, ok_data, uuid_of};
use serde_json::{Value, json};

both_backends!(
    changes_are_audited,
    refused_attempts_are_audited,
    the_trail_pages_and_filters,
    the_table_is_append_only,
);

const ENTRY: &str = "id at actor actorUser { id } onBehalfOf { id } action targetType targetId \
    before after outcome requestId clientAddress";

/// The entries matching `filter`, oldest first, read as the administrator.
async fn entries(server: &TestServer, filter: Value) -> Vec<Value> {
    let data = server
        .data_as(
            &server.admin,
            &format!("query($filter: AuditFilter) {{ auditLog(filter: $filter, first: 500) {{ totalCount edges {{ node {{ {ENTRY} }} }} }} }}"),
            json!({ "filter": filter }),
        )
        .await;
    let list = nodes(&data["auditLog"]);
    assert_eq!(data["auditLog"]["totalCount"], list.len());
    list
}

/// The single entry with `action` on the target `target_id`.
async fn entry(server: &TestServer, action: &str, target_id: &str) -> Value {
    let list = entries(server, json!({ "action": action, "targetId": target_id })).await;
    assert_eq!(list.len(), 1, "{action} on {target_id}: {list:#?}");
    list[0].clone()
}

/// Runs a mutation as `user` with `x-request-id: request_id`; returns `data`.
async fn traced(
    server: &TestServer,
    user: &TestUser,
    request_id: &str,
    query: &str,
    variables: Value,
) -> Value {
    let reply = server
        .request(
            Some(&user.token),
            &[("x-request-id", request_id)],
            query,
            variables,
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.headers["x-request-id"], request_id,
        "the id is echoed"
    );
    ok_data(reply.body)
}

/// The members `keys` of the object `v` (absent ones as null), to compare several at once.
fn pick(v: &Value, keys: &[&str]) -> Value {
    keys.iter()
        .map(|k| ((*k).to_owned(), v[*k].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Asserts who did it and from where.
fn assert_from(entry: &Value, user: &TestUser, request_id: &str) {
    assert_eq!(entry["actor"], user.email.as_str(), "{entry}");
    assert_eq!(entry["actorUser"]["id"], user.id.as_str(), "{entry}");
    assert_eq!(entry["requestId"], request_id, "{entry}");
    let address = entry["clientAddress"].as_str().unwrap_or_default();
    assert!(address.starts_with("127.0.0.1:"), "{entry}");
}

async fn changes_are_audited(server: TestServer) {
    let data = traced(
        &server,
        &server.admin,
        "e2e-bureau-1",
        "mutation { createBureau(input: { code: \"KANKYO\", nameJa: \"環境局\", nameEn: \"Bureau of Environment\" }) { bureau { id } } }",
        json!({}),
    )
    .await;
    let bureau = uuid_of(
        "Bureau",
        data["createBureau"]["bureau"]["id"].as_str().unwrap(),
    )
    .to_string();
    let e = entry(&server, "bureau.create", &bureau).await;
    assert_from(&e, &server.admin, "e2e-bureau-1");
    assert_eq!(
        pick(&e, &["targetType", "outcome", "before"]),
        json!({ "targetType": "Bureau", "outcome": "SUCCESS", "before": null })
    );
    assert_eq!(
        e["after"],
        json!({ "id": bureau, "code": "KANKYO", "nameJa": "環境局", "nameEn": "Bureau of Environment" })
    );

    let data = traced(
        &server,
        &server.po,
        "e2e-create-1",
        "mutation { createProcedure(input: { code: \"KANKYO-0001\", name: \"騒音の届出\", bureauCode: \"KANKYO\", category: STANDARD, authority: TOKYO }) { procedure { id } } }",
        json!({}),
    )
    .await;
    let id = data["createProcedure"]["procedure"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let uuid = uuid_of("Procedure", &id).to_string();
    let e = entry(&server, "procedure.create", &uuid).await;
    assert_from(&e, &server.po, "e2e-create-1");
    assert!(e["before"].is_null(), "{e}");
    assert_eq!(
        pick(&e["after"], &["code", "state", "version", "bureauId"]),
        json!({ "code": "KANKYO-0001", "state": "hearing", "version": 1, "bureauId": bureau })
    );

    traced(
        &server,
        &server.po,
        "e2e-update-1",
        "mutation($id: ID!) { updateProcedure(input: { id: $id, expectedVersion: 1, name: \"騒音規制法の届出\", targetQuarter: \"FY2026-Q2\" }) { errors { code } } }",
        json!({ "id": id }),
    )
    .await;
    let e = entry(&server, "procedure.update", &uuid).await;
    assert_from(&e, &server.po, "e2e-update-1");
    let fields = ["name", "targetQuarter", "version"];
    assert_eq!(
        pick(&e["before"], &fields),
        json!({ "name": "騒音の届出", "targetQuarter": null, "version": 1 })
    );
    assert_eq!(
        pick(&e["after"], &fields),
        json!({ "name": "騒音規制法の届出", "targetQuarter": "FY2026-Q2", "version": 2 })
    );

    // A malformed request id is replaced by one the server makes, which the entry carries.
    let reply = server
        .request(
            Some(&server.po.token),
            &[("x-request-id", "has spaces in it")],
            "mutation($id: ID!) { transitionProcedure(input: { procedureId: $id, to: \"scheduled\", expectedVersion: 2 }) { errors { code } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        ok_data(reply.body)["transitionProcedure"]["errors"],
        json!([])
    );
    let generated = reply.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(generated, "has spaces in it");
    let e = entry(&server, "procedure.transition", &uuid).await;
    assert_from(&e, &server.po, &generated);
    assert_eq!(
        [
            pick(&e["before"], &["state", "version"]),
            pick(&e["after"], &["state", "version"])
        ],
        [
            json!({ "state": "hearing", "version": 2 }),
            json!({ "state": "scheduled", "version": 3 })
        ]
    );

    // A token's entry never holds its secret.
    let data = traced(
        &server,
        &server.viewer,
        "e2e-token-1",
        "mutation { createToken(input: { name: \"cli\" }) { secret token { id prefix } } }",
        json!({}),
    )
    .await;
    let token = &data["createToken"];
    let secret = token["secret"].as_str().unwrap();
    let e = entry(
        &server,
        "token.create",
        &uuid_of("ApiToken", token["token"]["id"].as_str().unwrap()).to_string(),
    )
    .await;
    assert_from(&e, &server.viewer, "e2e-token-1");
    assert_eq!(
        pick(&e["after"], &["name", "prefix", "userId"]),
        json!({ "name": "cli", "prefix": token["token"]["prefix"],
                "userId": uuid_of("User", &server.viewer.id).to_string() })
    );
    assert!(
        !e.to_string().contains(secret),
        "the secret leaked into the trail: {e}"
    );
}

async fn refused_attempts_are_audited(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let p = server.simple_procedure("FUKUSHI", "FUKUSHI-0001").await;
    let uuid = uuid_of("Procedure", p["id"].as_str().unwrap()).to_string();
    let coordinator = server.coordinator("KANKYO").await;

    let update = traced(
        &server,
        &server.viewer,
        "e2e-denied-1",
        "mutation($id: ID!) { updateProcedure(input: { id: $id, expectedVersion: 1, name: \"x\" }) { errors { code } } }",
        json!({ "id": p["id"] }),
    )
    .await;
    assert_eq!(update["updateProcedure"]["errors"][0]["code"], "FORBIDDEN");
    let transition = traced(
        &server,
        &coordinator,
        "e2e-denied-2",
        "mutation($id: ID!) { transitionProcedure(input: { procedureId: $id, to: \"abolished\", expectedVersion: 1, comment: \"x\" }) { errors { code } } }",
        json!({ "id": p["id"] }),
    )
    .await;
    assert_eq!(
        transition["transitionProcedure"]["errors"][0]["code"],
        "FORBIDDEN"
    );
    let reply = server
        .request(
            Some(&coordinator.token),
            &[("x-request-id", "e2e-denied-3")],
            "{ auditLog { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(reply.body["errors"][0]["extensions"]["code"], "FORBIDDEN");

    let denied = entries(&server, json!({ "outcome": "FORBIDDEN" })).await;
    let fields = [
        "action",
        "targetType",
        "targetId",
        "requestId",
        "before",
        "after",
    ];
    let summary: Vec<Value> = denied.iter().map(|e| pick(e, &fields)).collect();
    let row = |action: &str, kind: &str, target: Value, request: &str| {
        json!({ "action": action, "targetType": kind, "targetId": target, "requestId": request,
                "before": null, "after": null })
    };
    assert_eq!(
        summary,
        [
            row("procedure.update", "Procedure", json!(uuid), "e2e-denied-1"),
            row(
                "procedure.transition",
                "Procedure",
                json!(uuid),
                "e2e-denied-2"
            ),
            row("audit.read", "AuditLog", Value::Null, "e2e-denied-3"),
        ]
    );
    assert_from(&denied[0], &server.viewer, "e2e-denied-1");
    assert_from(&denied[1], &coordinator, "e2e-denied-2");
    assert_from(&denied[2], &coordinator, "e2e-denied-3");
    let by_coordinator = entries(
        &server,
        json!({ "actorId": coordinator.id, "outcome": "FORBIDDEN" }),
    )
    .await;
    assert_eq!(by_coordinator.len(), 2);
    assert_eq!(server.snapshot(p["id"].as_str().unwrap()).await, (1, 1));
}

async fn the_trail_pages_and_filters(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    for i in 1..=4 {
        server
            .simple_procedure("KANKYO", &format!("KANKYO-{i:04}"))
            .await;
    }
    let all = entries(&server, Value::Null).await;
    // The cast (4 users, 4 tokens; the bootstrap admin and its token), the bureau, 4 procedures.
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    let count = |action: &str| actions.iter().filter(|a| **a == action).count();
    assert_eq!(
        (count("user.create"), count("token.create")),
        (5, 5),
        "{actions:?}"
    );
    let mut expected = vec!["bureau.create"];
    expected.extend(["procedure.create"; 4]);
    assert_eq!(&actions[actions.len() - 5..], expected);
    let times: Vec<_> = all
        .iter()
        .map(|e| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {times:?}"
    );

    // Pages of 3 give the same entries in the same order, each once.
    let (mut paged, mut after, mut pages) = (Vec::new(), Value::Null, 0);
    loop {
        let data = server
            .data_as(
                &server.admin,
                "query($after: String) { auditLog(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
                json!({ "after": after }),
            )
            .await;
        let page = &data["auditLog"];
        assert_eq!(page["totalCount"], all.len());
        paged.extend(nodes(page).into_iter().map(|n| n["id"].clone()));
        pages += 1;
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(pages <= all.len(), "the pages do not end");
    }
    let ids: Vec<Value> = all.iter().map(|e| e["id"].clone()).collect();
    assert_eq!(paged, ids);
    assert_eq!(pages, all.len().div_ceil(3));

    // Filters narrow: an action prefix, a type, an actor, a time window (`until` exclusive).
    let since = all[all.len() - 4]["at"].clone();
    for (filter, expected) in [
        (json!({ "action": "procedure." }), 4),
        (json!({ "targetType": "Bureau" }), 1),
        (json!({ "actorId": server.po.id }), 4),
        (json!({ "since": since, "action": "procedure.create" }), 4),
        (json!({ "until": all[0]["at"] }), 0),
    ] {
        let found = entries(&server, filter.clone()).await;
        assert_eq!(found.len(), expected, "{filter}");
    }
    let response = server
        .gql_as(
            &server.admin,
            "{ auditLog(first: 501) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"], "VALIDATION",
        "{response}"
    );
}

async fn the_table_is_append_only(server: TestServer) {
    let before = entries(&server, Value::Null).await;
    assert!(!before.is_empty());
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET outcome = 'SUCCESS' WHERE outcome = 'SUCCESS'",
        "DELETE FROM audit_log",
        // An upsert over stored rows (`WHERE true` keeps SQLite's parser from reading ON as a join).
        "INSERT INTO audit_log (id, at, actor, action, target_type, outcome) \
         SELECT id, at, 'someone else', action, target_type, outcome FROM audit_log WHERE true \
         ON CONFLICT (id) DO UPDATE SET actor = 'someone else'",
    ] {
        let refused = server.raw_sql(sql).await;
        let message = refused.expect_err(sql);
        assert!(
            message.contains("audit_log is append-only"),
            "{sql}: {message}"
        );
    }
    let own_dialect = match server.backend {
        crate::common::Backend::Postgres => "TRUNCATE audit_log",
        // REPLACE deletes the row it collides with without firing DELETE triggers.
        crate::common::Backend::Sqlite => {
            "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log"
        }
    };
    let message = server.raw_sql(own_dialect).await.expect_err(own_dialect);
    assert!(message.contains("append-only"), "{own_dialect}: {message}");
    // Nothing was changed by any of it.
    assert_eq!(entries(&server, Value::Null).await, before);
}

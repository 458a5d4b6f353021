//! Moving from SQLite to PostgreSQL (docs/operations.md): `rollout migrate-data` copies every
//! table, row for row and value for value, into an empty PostgreSQL database, which a server
//! then serves as the SQLite one did (same procedures and histories, the same tokens). It
//! refuses a target that holds data and a source at another schema version. Each test needs
//! both databases, so none is a `::sqlite`/`::postgres` twin.

use std::collections::BTreeMap;

use chrono::DateTime;
use serde_json::{Value, json};

use crate::common::{Backend, Db, postgres_admin_url, rollout, serve, succeeded};
use crate::schema_at::{Conn, Rows, build_at, versions};
use crate::upgrade::FIXTURE_TOKEN;

/// `rollout migrate-data --from SRC --to DST`, run in the source's directory.
fn migrate_data(src: &Db, dst: &Db) -> std::process::Output {
    rollout(
        src.dir.path(),
        &["migrate-data", "--from", &src.url, "--to", &dst.url],
        &[],
    )
}

/// PostgreSQL's type of every column, and whether the database generates it.
async fn column_types(dst: &mut Conn) -> BTreeMap<(String, String), (String, bool)> {
    let Conn::Postgres(c) = dst else {
        panic!("the target is PostgreSQL")
    };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_generated::text \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(c)
    .await
    .expect("columns");
    rows.into_iter()
        .map(|(t, c, ty, generated)| ((t, c), (ty, generated == "ALWAYS")))
        .collect()
}

/// A value in one form whichever backend it came from: instants as UTC microseconds, 0/1 as
/// booleans, JSON text as JSON, reals as floats.
fn canonical(value: &Value, sql_type: &str) -> Value {
    match (sql_type, value) {
        (_, Value::Null) => Value::Null,
        ("timestamp with time zone", Value::String(s)) => {
            let at = DateTime::parse_from_rfc3339(s)
                .unwrap_or_else(|e| panic!("{s:?} is not an instant: {e}"))
                .to_utc();
            Value::String(at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        }
        ("boolean", Value::Number(n)) => Value::Bool(n.as_i64() == Some(1)),
        ("jsonb" | "ARRAY", Value::String(s)) => serde_json::from_str(s).expect("JSON text"),
        ("double precision", Value::Number(n)) => json!(n.as_f64()),
        _ => value.clone(),
    }
}

/// `rows` of `table` in canonical form, generated columns left out, sorted.
fn canonical_rows(
    table: &str,
    rows: &Rows,
    types: &BTreeMap<(String, String), (String, bool)>,
) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|row| {
            let kept: serde_json::Map<String, Value> = row
                .iter()
                .filter_map(|(column, value)| {
                    let (sql_type, generated) = types
                        .get(&(table.to_owned(), column.clone()))
                        .unwrap_or_else(|| panic!("PostgreSQL has no column {table}.{column}"));
                    (!generated).then(|| (column.clone(), canonical(value, sql_type)))
                })
                .collect();
            Value::Object(kept).to_string()
        })
        .collect();
    out.sort();
    out
}

/// Asserts that every table of the source is in the target with the same rows; returns the
/// source's row count per table.
async fn assert_same_rows(src: &Db, dst: &Db) -> BTreeMap<String, usize> {
    let mut from = Conn::open(src).await;
    let mut to = Conn::open(dst).await;
    let types = column_types(&mut to).await;
    let source = from.dump().await;
    let target = to.dump().await;
    assert_eq!(
        source.keys().collect::<Vec<_>>(),
        target.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, rows) in &source {
        assert_eq!(
            canonical_rows(table, &target[table], &types),
            canonical_rows(table, rows, &types),
            "the rows of {table} differ between SQLite and PostgreSQL"
        );
    }
    from.close().await;
    to.close().await;
    source
        .iter()
        .map(|(t, rows)| (t.clone(), rows.len()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_data_copies_every_table_of_the_schema() {
    if postgres_admin_url().is_none() {
        return;
    }
    // The upgrade fixtures of every version: each fills the tables its migration added, so a
    // table that migrate-data forgot shows here as a difference.
    let src = Db::fresh(Backend::Sqlite).await;
    let latest = *versions(Backend::Sqlite).await.last().expect("migrations");
    build_at(&src, latest).await;
    let dst = Db::fresh(Backend::Postgres).await;
    let out = succeeded(&migrate_data(&src, &dst));
    assert!(out.contains("every table's row count matches"), "{out}");
    assert!(out.contains("verify: no violations"), "{out}");
    assert!(succeeded(&dst.rollout(&["verify"])).contains("no violations"));

    let counts = assert_same_rows(&src, &dst).await;
    let empty: Vec<&String> = counts
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(t, _)| t)
        .collect();
    assert!(
        empty.is_empty(),
        "tables without rows in the fixtures, so their copy is not checked: {empty:?}; \
         add rows for them to tests/fixtures/upgrade/*/NNNN.sql"
    );
    for (table, n) in &counts {
        assert!(
            out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [table.as_str(), &n.to_string(), &n.to_string()]),
            "no count line for {table} ({n}): {out}"
        );
    }

    // Identity sequences were moved past the copied ids: the next revision gets a new id.
    let mut to = Conn::open(&dst).await;
    let Conn::Postgres(c) = &mut to else {
        unreachable!()
    };
    let (max, next): (i64, i64) = sqlx::query_as(
        "WITH ins AS (INSERT INTO target_changes (procedure_id, at, actor) \
         VALUES ('01900000-0000-7000-8000-000000000101', now(), 'test') RETURNING id) \
         SELECT (SELECT MAX(id) FROM target_changes), (SELECT id FROM ins)",
    )
    .fetch_one(&mut *c)
    .await
    .expect("insert after the copy");
    assert!(next > max, "new id {next} after the copied {max}");
    to.close().await;

    // The API on the target: the fixtures' token still signs in.
    let served = serve(&dst, "", &[]);
    let body = served
        .graphql(FIXTURE_TOKEN, "{ viewer { user { email } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["viewer"]["user"]["email"], "admin@metro.example.jp",
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_data_refuses_a_used_target_and_a_source_of_another_version() {
    if postgres_admin_url().is_none() {
        return;
    }
    let src = Db::fresh(Backend::Sqlite).await;
    let latest = *versions(Backend::Sqlite).await.last().expect("migrations");
    build_at(&src, latest - 1).await;
    let dst = Db::fresh(Backend::Postgres).await;
    let refused = migrate_data(&src, &dst);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("older schema than this rollout"),
        "{stderr}"
    );

    succeeded(&src.rollout(&["migrate"]));
    succeeded(&migrate_data(&src, &dst));
    let again = migrate_data(&src, &dst);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not empty (rows in "), "{stderr}");
    // The refused second copy changed nothing.
    assert_same_rows(&src, &dst).await;
}

/// The demo users' tokens as `rollout demo --users` prints them: (role, e-mail, token).
fn demo_logins(stdout: &str) -> Vec<(String, String, String)> {
    stdout
        .lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [role, email, token] if token.starts_with("rlt_") => {
                    Some((role.to_owned(), email.to_owned(), token.to_owned()))
                }
                _ => None,
            },
        )
        .collect()
}

/// Runs `query` and returns its data, failing on any GraphQL error or payload error.
async fn data(served: &crate::common::Served, token: &str, query: &str, vars: Value) -> Value {
    let body = served.graphql(token, query, vars).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    for payload in body["data"].as_object().expect("data").values() {
        let errors = &payload["errors"];
        assert!(
            errors.is_null() || errors.as_array().is_some_and(Vec::is_empty),
            "{query}: {body}"
        );
    }
    body["data"].clone()
}

const PROCEDURE: &str = "query($code: String) { procedure(code: $code) { code version \
    state { key } pendingApproval { status votes { decision } } \
    history(first: 50) { totalCount edges { node { from to actor at } } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_data_moves_a_used_demo_database_to_postgres() {
    if postgres_admin_url().is_none() {
        return;
    }
    let src = Db::fresh(Backend::Sqlite).await;
    let logins = demo_logins(&succeeded(&src.rollout(&["demo", "--users"])));
    let office: Vec<&String> = logins
        .iter()
        .filter(|(role, ..)| role == "PROJECT_OFFICE")
        .map(|(.., token)| token)
        .collect();
    assert_eq!(office.len(), 2, "{logins:?}");

    // Activity on the SQLite server: a transition, a gated one with a vote, a new token, a
    // reminder rule and a language preference.
    let mut served = serve(&src, "", &[]);
    let list = data(
        &served,
        office[0],
        "{ procedures(first: 500, filter: { states: [\"hearing\", \"scheduled\"] }) { \
         edges { node { id code version state { key } } } } }",
        json!({}),
    )
    .await;
    let listed = list["procedures"]["edges"].as_array().expect("procedures");
    let in_state = |key: &str| {
        listed
            .iter()
            .map(|e| &e["node"])
            .find(|p| p["state"]["key"] == key)
            .unwrap_or_else(|| panic!("a demo procedure in {key}"))
    };
    let (reopened, abolished) = (in_state("scheduled"), in_state("hearing"));
    let transition = "mutation($id: ID!, $to: String!, $v: Int!, $c: String) { \
        transitionProcedure(input: { procedureId: $id, to: $to, expectedVersion: $v, \
        comment: $c }) { errors { code message } approvalRequest { id } } }";
    data(
        &served,
        office[0],
        transition,
        json!({ "id": reopened["id"], "to": "hearing", "v": reopened["version"] }),
    )
    .await;
    let gated = data(
        &served,
        office[0],
        transition,
        json!({ "id": abolished["id"], "to": "abolished", "v": abolished["version"],
                "c": "統合のため廃止" }),
    )
    .await;
    let request = &gated["transitionProcedure"]["approvalRequest"]["id"];
    data(
        &served,
        office[1],
        "mutation($id: ID!) { approveRequest(input: { id: $id }) { errors { code message } } }",
        json!({ "id": request }),
    )
    .await;
    let token = data(
        &served,
        office[0],
        "mutation { createToken(input: { name: \"migration laptop\" }) { secret errors { code message } } }",
        json!({}),
    )
    .await["createToken"]["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    data(
        &served,
        office[0],
        "mutation { createReminderRule(input: { name: \"承認待ち\", schedule: \"0 9 * * 1-5\", \
         kind: APPROVAL_PENDING, days: 3, channels: [IN_APP], recipients: { projectOffice: true } }) \
         { errors { code message } } }",
        json!({}),
    )
    .await;
    data(
        &served,
        office[1],
        "mutation { setMyLanguage(input: { language: EN }) { errors { code message } } }",
        json!({}),
    )
    .await;
    let mut before = Vec::new();
    for p in [reopened, abolished] {
        before.push(data(&served, &token, PROCEDURE, json!({ "code": p["code"] })).await);
    }
    served.sigterm();
    assert_eq!(
        served.wait_exit(std::time::Duration::from_secs(60)),
        Some(0)
    );

    let dst = Db::fresh(Backend::Postgres).await;
    let out = succeeded(&migrate_data(&src, &dst));
    assert!(out.contains("every table's row count matches"), "{out}");
    assert!(out.contains("verify: no violations"), "{out}");
    assert!(succeeded(&dst.rollout(&["verify"])).contains("no violations"));
    let counts = assert_same_rows(&src, &dst).await;
    for table in [
        "procedures",
        "transition_records",
        "audit_log",
        "api_tokens",
        "users",
    ] {
        assert!(counts[table] > 0, "{table} empty in the demo: {counts:?}");
    }

    // A server on the target serves the same procedures; the token made on SQLite works.
    let served = serve(&dst, "", &[]);
    for (p, was) in [reopened, abolished].into_iter().zip(&before) {
        let now = data(&served, &token, PROCEDURE, json!({ "code": p["code"] })).await;
        assert_eq!(&now, was, "{} after the move", p["code"]);
    }
    assert_eq!(before[0]["procedure"]["state"]["key"], "hearing");
    assert_eq!(
        before[1]["procedure"]["pendingApproval"]["status"],
        "PENDING"
    );
    let viewer = data(
        &served,
        office[1],
        "{ viewer { user { email } } }",
        json!({}),
    )
    .await;
    assert!(viewer["viewer"]["user"]["email"].is_string(), "{viewer}");
}

//! `docs/operations.md`, "Metrics": `[metrics] listen` serves Prometheus text on its own port
//! (never on the public one), and a known sequence of requests produces exactly the counts the
//! table promises. The sequence runs on a small workflow of its own (one direct step, one gated
//! step) so that transitions and approvals are both exercised with the administrator's token.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::common::{Backend, Db, Served, serve};
use crate::ops_both;

/// draft → review directly, review → done behind one project-office approval.
const WORKFLOW: &str = r#"
[workflow]
name = "ops-metrics"
version = 1

[[states]]
key = "draft"
label_ja = "下書き"
label_en = "Draft"
kind = "INITIAL"

[[states]]
key = "review"
label_ja = "確認"
label_en = "Review"
kind = "ACTIVE"

[[states]]
key = "done"
label_ja = "完了"
label_en = "Done"
kind = "DONE"

[[transitions]]
key = "submit"
from = "draft"
to = "review"

[[transitions]]
key = "publish"
from = "review"
to = "done"
approval = { role = "PROJECT_OFFICE", count = 1 }
"#;

/// Every metric `docs/operations.md` documents, on both backends.
const DOCUMENTED: [&str; 17] = [
    "rollout_http_requests_total",
    "rollout_http_request_duration_seconds_bucket",
    "rollout_graphql_errors_total",
    "rollout_transitions_total",
    "rollout_approvals_opened_total",
    "rollout_approvals_decided_total",
    "rollout_reminder_firings_total",
    "rollout_reminder_missed_ticks_total",
    "rollout_deliveries_total",
    "rollout_outbox_pending",
    "rollout_outbox_oldest_pending_age_seconds",
    "rollout_outbox_dead",
    "rollout_db_pool_connections",
    "rollout_db_pool_max_connections",
    "rollout_build_info",
    "rollout_database_up",
    "rollout_http_request_duration_seconds_count",
];

/// One sample per series: `name{a="x",b="y"}` (labels sorted) → value.
fn parse(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        let key = match series.split_once('{') {
            None => series.to_owned(),
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("closing brace");
                let mut pairs: Vec<&str> = split_labels(labels);
                pairs.sort_unstable();
                format!("{name}{{{}}}", pairs.join(","))
            }
        };
        assert!(
            samples.insert(key, value).is_none(),
            "duplicate series: {line}"
        );
    }
    samples
}

/// `a="x",b="y"` → [`a="x"`, `b="y"`], commas inside quotes kept.
fn split_labels(labels: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in labels.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&labels[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < labels.len() {
        parts.push(&labels[start..]);
    }
    parts
}

fn metrics_url(served: &Served) -> String {
    served
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("metrics at "))
        .unwrap_or_else(|| panic!("no `metrics at` line in: {}", served.stdout))
        .to_owned()
}

async fn scrape(url: &str) -> BTreeMap<String, f64> {
    let response = reqwest::get(url).await.expect("GET /metrics");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    parse(&response.text().await.expect("a body"))
}

fn value(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("no series {series} in {:#?}", samples.keys()))
}

async fn named(served: &Served, token: &str, query: &str, variables: Value) -> Value {
    let body = served.graphql(token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

ops_both!(
    a_known_sequence_is_counted_exactly,
    |backend: Backend| async move {
        let db = Db::fresh(backend).await;
        std::fs::write(db.dir.path().join("workflow.toml"), WORKFLOW).expect("write the workflow");
        let served = serve(
            &db,
            "workflow = \"workflow.toml\"\n[metrics]\nlisten = \"127.0.0.1:0\"\n",
            &[],
        );
        let url = metrics_url(&served);
        assert!(!served.admin_token.is_empty(), "{}", served.stdout);

        let admin = served.admin_token.clone();
        // The project office works on procedures; the administrator makes its user and token.
        let user = named(
        &served,
        &admin,
        "mutation CreateUser($input: CreateUserInput!) {
           createUser(input: $input) { user { id } errors { code } } }",
        json!({ "input": { "email": "po@example.jp", "displayName": "PO", "role": "PROJECT_OFFICE" } }),
    )
    .await;
        let user_id = user["createUser"]["user"]["id"].clone();
        let token = named(
            &served,
            &admin,
            "mutation CreateToken($input: CreateTokenInput!) {
           createToken(input: $input) { secret errors { code } } }",
            json!({ "input": { "name": "metrics test", "userId": user_id } }),
        )
        .await;
        let po = token["createToken"]["secret"]
            .as_str()
            .unwrap_or_else(|| panic!("a token: {token} (user: {user})"))
            .to_owned();
        let bureau = named(
            &served,
            &admin,
            "mutation CreateBureau($input: CreateBureauInput!) {
           createBureau(input: $input) { bureau { code } errors { code } } }",
            json!({ "input": { "code": "MX", "nameJa": "計測局", "nameEn": "Metrics" } }),
        )
        .await;
        assert_eq!(bureau["createBureau"]["errors"], json!([]), "{bureau}");
        let created = named(
            &served,
            &po,
            "mutation CreateProcedure($input: CreateProcedureInput!) {
           createProcedure(input: $input) { procedure { id version } errors { code } } }",
            json!({ "input": { "code": "MX-0001", "name": "計測", "bureauCode": "MX",
                           "category": "STANDARD", "authority": "TOKYO" } }),
        )
        .await;
        let procedure = &created["createProcedure"]["procedure"];
        let id = procedure["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a procedure: {created}"))
            .to_owned();
        let move_to = "mutation Move($input: TransitionProcedureInput!) {
        transitionProcedure(input: $input) {
          procedure { version } approvalRequest { id } errors { code } } }";
        let moved = named(
        &served,
        &po,
        move_to,
        json!({ "input": { "procedureId": id, "expectedVersion": procedure["version"], "to": "review" } }),
    )
    .await;
        let moved = &moved["transitionProcedure"];
        assert_eq!(moved["errors"], json!([]), "{moved}");
        let version = moved["procedure"]["version"].clone();
        // A payload error with a stable code: there is no way back to draft.
        let refused = named(
            &served,
            &po,
            move_to,
            json!({ "input": { "procedureId": id, "expectedVersion": version, "to": "draft" } }),
        )
        .await;
        assert_eq!(
            refused["transitionProcedure"]["errors"][0]["code"], "INVALID_TRANSITION",
            "{refused}"
        );
        // The gated step opens an approval request, which its requester withdraws.
        let gated = named(
            &served,
            &po,
            move_to,
            json!({ "input": { "procedureId": id, "expectedVersion": version, "to": "done" } }),
        )
        .await;
        let request = gated["transitionProcedure"]["approvalRequest"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("an approval request: {gated}"))
            .to_owned();
        let withdrawn = named(
        &served,
        &po,
        "mutation Withdraw($id: ID!) { withdrawRequest(input: { id: $id }) { errors { code } } }",
        json!({ "id": request }),
    )
    .await;
        assert_eq!(
            withdrawn["withdrawRequest"]["errors"],
            json!([]),
            "{withdrawn}"
        );
        // Refused before its operation is read: a token that does not exist.
        let unauthenticated = served
            .graphql(
                "rlt_not_a_token",
                "query Hidden { bureaus { code } }",
                json!({}),
            )
            .await;
        assert_eq!(
            unauthenticated["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{unauthenticated}"
        );
        // A document that does not validate: a GraphQL error in `errors`.
        let invalid = served
            .graphql(
                &served.admin_token,
                "query Broken { noSuchField }",
                json!({}),
            )
            .await;
        assert_eq!(
            invalid["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{invalid}"
        );

        let m = scrape(&url).await;
        let requests = |operation: &str, outcome: &str| {
            value(
                &m,
                &format!(
                    "rollout_http_requests_total{{operation=\"{operation}\",outcome=\"{outcome}\",route=\"/graphql\"}}"
                ),
            )
        };
        assert_eq!(requests("CreateUser", "ok"), 1.0);
        assert_eq!(requests("CreateToken", "ok"), 1.0);
        assert_eq!(requests("CreateBureau", "ok"), 1.0);
        assert_eq!(requests("CreateProcedure", "ok"), 1.0);
        // Payload errors are data: the three moves all answered `ok`.
        assert_eq!(requests("Move", "ok"), 3.0);
        assert_eq!(requests("Withdraw", "ok"), 1.0);
        assert_eq!(
            requests("(anonymous)", "client_error"),
            1.0,
            "the refused request"
        );
        assert_eq!(requests("Broken", "graphql_error"), 1.0);
        assert_eq!(
            value(
                &m,
                "rollout_http_request_duration_seconds_count{operation=\"Move\",route=\"/graphql\"}"
            ),
            3.0
        );
        let errors = |code: &str, kind: &str| {
            value(
                &m,
                &format!("rollout_graphql_errors_total{{code=\"{code}\",kind=\"{kind}\"}}"),
            )
        };
        assert_eq!(errors("INVALID_TRANSITION", "payload"), 1.0);
        assert_eq!(errors("UNAUTHENTICATED", "refused"), 1.0);
        assert_eq!(errors("GRAPHQL_VALIDATION_FAILED", "error"), 1.0);
        assert_eq!(
            value(
                &m,
                "rollout_transitions_total{from=\"draft\",to=\"review\"}"
            ),
            1.0
        );
        assert_eq!(
            value(&m, "rollout_transitions_total{from=\"review\",to=\"done\"}"),
            0.0,
            "gated: not moved, but its series exists from the start"
        );
        assert_eq!(value(&m, "rollout_approvals_opened_total"), 1.0);
        assert_eq!(
            value(
                &m,
                "rollout_approvals_decided_total{decision=\"withdrawn\"}"
            ),
            1.0
        );
        assert_eq!(
            value(&m, "rollout_approvals_decided_total{decision=\"approved\"}"),
            0.0
        );
        assert_eq!(value(&m, "rollout_reminder_firings_total"), 0.0);
        assert_eq!(value(&m, "rollout_reminder_missed_ticks_total"), 0.0);
        assert_eq!(
            value(
                &m,
                "rollout_deliveries_total{channel=\"webhook\",outcome=\"dead\"}"
            ),
            0.0
        );
        assert_eq!(value(&m, "rollout_outbox_pending"), 0.0);
        assert_eq!(value(&m, "rollout_outbox_oldest_pending_age_seconds"), 0.0);
        assert_eq!(value(&m, "rollout_outbox_dead"), 0.0);
        assert_eq!(value(&m, "rollout_database_up"), 1.0);
        let (backend_label, pool) = match backend {
            Backend::Sqlite => ("sqlite", "writer"),
            Backend::Postgres => ("postgres", "main"),
        };
        assert_eq!(
            value(
                &m,
                &format!(
                    "rollout_build_info{{backend=\"{backend_label}\",version=\"{}\"}}",
                    env!("CARGO_PKG_VERSION")
                )
            ),
            1.0
        );
        assert!(
            value(
                &m,
                &format!("rollout_db_pool_max_connections{{pool=\"{pool}\"}}")
            ) >= 1.0
        );
        let open = value(
            &m,
            &format!("rollout_db_pool_connections{{pool=\"{pool}\",state=\"idle\"}}"),
        ) + value(
            &m,
            &format!("rollout_db_pool_connections{{pool=\"{pool}\",state=\"in_use\"}}"),
        );
        assert!(
            open >= 1.0,
            "the pool holds a connection after the requests: {open}"
        );
        let names: Vec<&str> = m.keys().map(|k| k.split('{').next().unwrap()).collect();
        for name in DOCUMENTED {
            assert!(names.contains(&name), "{name} missing from the scrape");
        }
        // …and every metric the scrape shows is in the operator's table.
        let docs = include_str!("../../../../docs/operations.md");
        for name in &names {
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| name.strip_suffix(suffix))
                .filter(|f| f.ends_with("_seconds"))
                .unwrap_or(name);
            assert!(
                docs.contains(&format!("| `{family}` |")),
                "{family} is not in the table of docs/operations.md"
            );
        }
        let wal = names.contains(&"rollout_sqlite_wal_bytes");
        assert_eq!(
            wal,
            backend == Backend::Sqlite,
            "the WAL size exists on SQLite only"
        );
        if backend == Backend::Sqlite {
            assert!(
                value(&m, "rollout_sqlite_wal_bytes") > 0.0,
                "writes went to the WAL"
            );
        }

        // The public port does not serve the metrics.
        let public = reqwest::get(format!("{}/metrics", served.url))
            .await
            .expect("GET public /metrics");
        assert_eq!(public.status(), 404);
        let body = public.text().await.unwrap_or_default();
        assert!(!body.contains("rollout_http_requests_total"), "{body}");
    }
);

ops_both!(
    metrics_are_off_unless_configured,
    |backend: Backend| async move {
        let db = Db::fresh(backend).await;
        let served = serve(&db, "", &[]);
        assert!(
            !served.stdout.contains("metrics at"),
            "no metrics line without [metrics] listen: {}",
            served.stdout
        );
        let public = reqwest::get(format!("{}/metrics", served.url))
            .await
            .expect("GET public /metrics");
        assert_eq!(public.status(), 404);
    }
);

ops_both!(
    the_environment_turns_metrics_on,
    |backend: Backend| async move {
        let db = Db::fresh(backend).await;
        let served = serve(&db, "", &[("ROLLOUT_METRICS_LISTEN", "127.0.0.1:0")]);
        let m = scrape(&metrics_url(&served)).await;
        assert_eq!(value(&m, "rollout_database_up"), 1.0);
    }
);

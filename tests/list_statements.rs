//! SQL statements per listing, counted from sqlx's own `sqlx::query` events (the source the
//! benchmark counts from too): without `with_total` every listing (procedures, history, approval
//! requests, audit trail) sends exactly one statement, its `SELECT`; with it, that same
//! `SELECT` and one `COUNT(*)`. And a page of procedures with their bureau and nested `history`,
//! read through the GraphQL schema, costs the same few statements for 10, 50 or 100 procedures:
//! nested lists are batched, never one read per row, and the bureaus come from the app's cache.
//! In the steady state an API token costs no statement either: the first request reads it, the
//! next ones find it cached, and none writes `last_used_at`. A transition through the use case is
//! one read of the procedure and its writes; on PostgreSQL those writes are one statement (and
//! its commit). On SQLite, and on PostgreSQL when `ROLLOUT_TEST_POSTGRES_URL` is set.
//!
//! The recorder is the process-wide tracing subscriber, so this file is a test binary of its own
//! with a single test, and the backends run one after the other. No timing is involved: a
//! listing's statements are logged before its future completes.

use std::sync::{Arc, Mutex};

use async_graphql::Request;
use rollout_app::{Actor, App, CreateUser, FixedClock, SystemClock, TransitionCommand};
use rollout_domain::ProcedureId;
use rollout_domain::identity::Role;
use rollout_domain::workflow::default_workflow;
use rollout_store::contract::fixtures::{
    at, audit, plan, procedure, quarter, seed_bureau, seed_procedure, seed_with_history, transition,
};
use rollout_store::contract::people::{approval_request, scene, seed_request};
use rollout_store::{
    ApprovalFilter, AuditFilter, PageRequest, ProcedureFilter, ProcedureOrder, Store,
};
use rollout_store_postgres::testing::TestDatabase;
use rollout_store_sqlite::SqliteStore;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every statement sqlx logged since the last [`take`].
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records the SQL of each `sqlx::query` event.
struct Recorder;

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut sql = Sql::default();
        event.record(&mut sql);
        // sqlx gives short statements whole in `summary` and long ones in `db.statement`.
        let text = if sql.statement.trim().is_empty() {
            sql.summary
        } else {
            sql.statement
        };
        STATEMENTS.lock().unwrap().push(text.trim().to_owned());
    }
}

#[derive(Default)]
struct Sql {
    summary: String,
    statement: String,
}

impl Visit for Sql {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// The statements since the last call, without connection set-up: the pool may open a
/// connection at any acquire (it returns released ones in the background), and a new SQLite
/// connection first runs its `PRAGMA`s; they belong to the connection, not to the listing.
fn take() -> Vec<String> {
    let mut all = std::mem::take(&mut *STATEMENTS.lock().unwrap());
    all.retain(|s| !s.starts_with("PRAGMA "));
    all
}

/// The four paged listings of the store.
#[derive(Debug, Clone, Copy)]
enum Listing {
    Procedures,
    History(ProcedureId),
    Approvals,
    Audit,
}

impl Listing {
    /// Reads the first page of 2 and returns its total.
    async fn read(self, store: &Arc<dyn Store>, with_total: bool) -> Option<i64> {
        fn page<C>(with_total: bool) -> PageRequest<C> {
            PageRequest {
                first: 2,
                after: None,
                with_total,
            }
        }
        match self {
            Listing::Procedures => {
                let filter = ProcedureFilter::default();
                let order = ProcedureOrder::default();
                let page = page(with_total);
                let p = store.list_procedures(&filter, order, &page).await;
                p.unwrap().total_count
            }
            Listing::History(id) => {
                store
                    .history(id, &page(with_total))
                    .await
                    .unwrap()
                    .total_count
            }
            Listing::Approvals => {
                let filter = ApprovalFilter::default();
                let p = store
                    .list_approval_requests(&filter, &page(with_total))
                    .await;
                p.unwrap().total_count
            }
            Listing::Audit => {
                let p = store
                    .list_audit(&AuditFilter::default(), &page(with_total))
                    .await;
                p.unwrap().total_count
            }
        }
    }
}

/// Seeds a few rows of every kind, then reads each listing without and with its total.
async fn check(backend: &str, store: Arc<dyn Store>) {
    let s = scene(&store).await;
    let b = seed_bureau(&store, "ZAIMU").await;
    let p = seed_procedure(&store, procedure("ZAIMU-0001", b.id, at(1, 0))).await;
    let p = store
        .apply_transition(&transition(plan(&p, "scheduled", at(2, 0))))
        .await
        .unwrap();
    for n in 0..3 {
        let code = format!("ZAIMU-{:04}", n + 2);
        let q = seed_procedure(&store, procedure(&code, b.id, at(3 + n, 0))).await;
        seed_request(
            &store,
            &approval_request(&q, s.requester.id, 1, at(10 + n, 0)),
        )
        .await;
    }

    for listing in [
        Listing::Procedures,
        Listing::History(p.id),
        Listing::Approvals,
        Listing::Audit,
    ] {
        take();

        assert_eq!(listing.read(&store, false).await, None);
        let bare = take();
        assert!(listing.read(&store, true).await.is_some_and(|n| n > 0));
        let counted = take();

        assert_eq!(
            bare.len(),
            1,
            "{backend} {listing:?} without total: {bare:#?}"
        );
        let select = &bare[0];
        assert!(
            select.starts_with("SELECT") && !select.contains("COUNT("),
            "{backend} {listing:?}: {select}"
        );
        assert!(
            counted.contains(select),
            "{backend} {listing:?}: the page's SELECT changed with the count: {counted:#?}"
        );
        let counts = counted.iter().filter(|s| s.contains("COUNT(*)")).count();
        assert_eq!(counts, 1, "{backend} {listing:?} with total: {counted:#?}");
    }
}

/// A page of `n` procedures, each with its bureau and a first history page of five (with its
/// total), read through the schema as the server runs it; returns the statements it sent.
async fn nested_page(schema: &rollout_graphql::RolloutSchema, n: usize) -> Vec<String> {
    let query = format!(
        r#"{{ procedures(first: {n}, filter: {{ bureauCodes: ["KENSETSU"] }}) {{ edges {{ node {{
            code bureau {{ code }} history(first: 5) {{ totalCount edges {{ node {{ to }} }} }} }} }} }} }}"#
    );
    take();
    let response = schema
        .execute(Request::new(query).data(Actor::system("statements")))
        .await;
    let statements = take();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let edges = data["procedures"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), n);
    for edge in edges {
        let history = &edge["node"]["history"];
        assert_eq!(history["edges"].as_array().unwrap().len(), 5, "{edge}");
        assert_eq!(history["totalCount"], 6, "{edge}");
        assert_eq!(edge["node"]["bureau"]["code"], "KENSETSU");
    }
    statements
}

/// Nested lists cost a fixed number of statements: the page and its histories, once the
/// bureaus are cached (the first page reads them too).
async fn check_nested(backend: &str, store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KENSETSU").await;
    let seeds: Vec<_> = (0..100)
        .map(|n| {
            let p = procedure(&format!("KENSETSU-{:04}", n + 1), b.id, at(100 + n, 0));
            seed_with_history(p, 5)
        })
        .collect();
    store
        .insert_procedures(
            &seeds,
            &audit("procedure.import", "Import", "batch", at(0, 0)),
        )
        .await
        .unwrap();
    // A clock that stands still: the cache's TTL cannot run out between the pages.
    let clock = Arc::new(FixedClock::new(at(200, 0)));
    let app = App::new(store, default_workflow(), clock);
    let schema = rollout_graphql::build_schema(app.clone());
    let first = nested_page(&schema, 10).await;
    assert_eq!(first.len(), 3, "{backend}: the first page: {first:#?}");
    let mut counts = Vec::new();
    for n in [10, 50, 100] {
        let statements = nested_page(&schema, n).await;
        assert_eq!(
            statements.len(),
            2,
            "{backend}: page of {n} with history: {statements:#?}"
        );
        counts.push(statements.len());
    }
    assert_eq!(counts, [2, 2, 2], "{backend}");
    check_authentication(backend, &app).await;
}

/// A token is read on its first use and then served from the cache; no use writes.
async fn check_authentication(backend: &str, app: &App) {
    let system = Actor::system("statements");
    let user = CreateUser {
        display_name: "Statements".into(),
        email: format!("statements@{}.example.jp", backend.to_lowercase()),
        role: Role::Viewer,
        bureau_code: None,
    };
    let user = app.create_user(&system, user).await.unwrap();
    let issued = app
        .create_token(&system, Some(user.id), "t", None)
        .await
        .unwrap();
    let secret = issued.secret.expose().to_owned();
    take();
    app.authenticate_token(&secret).await.unwrap();
    let first = take();
    assert_eq!(first.len(), 1, "{backend}: the first use: {first:#?}");
    for _ in 0..3 {
        app.authenticate_token(&secret).await.unwrap();
        let again = take();
        assert!(again.is_empty(), "{backend}: a later use: {again:#?}");
    }
}

/// A transition without an idempotency key, through the use case: the procedure's read, then
/// the writes. PostgreSQL sends them as one statement in a transaction (sqlx logs its `COMMIT`,
/// not its `BEGIN`); SQLite's writer sends each on its own, inside one transaction.
async fn check_transition(backend: &str, store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KOWAN").await;
    let mut p = procedure("KOWAN-0001", b.id, at(1, 0));
    p.target_quarter = Some(quarter("FY2026-Q2"));
    let p = seed_procedure(&store, p).await;
    let app = App::new(store, default_workflow(), Arc::new(SystemClock));
    take();
    let outcome = app
        .transition(
            &Actor::system("statements"),
            TransitionCommand {
                procedure_id: p.id,
                to: "scheduled".to_owned(),
                expected_version: p.version,
                comment: None,
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
    let statements = take();
    assert_eq!(outcome.procedure.version, p.version + 1);
    assert!(
        statements[0].starts_with("SELECT"),
        "{backend}: {statements:#?}"
    );
    let writes: &[&str] = if backend == "PostgreSQL" {
        &["WITH moved AS (UPDATE procedures", "COMMIT"]
    } else {
        &[
            "UPDATE procedures",
            "INSERT INTO transition_records",
            "INSERT INTO audit_log",
        ]
    };
    assert_eq!(
        statements.len(),
        1 + writes.len(),
        "{backend}: {statements:#?}"
    );
    for (sent, expected) in statements[1..].iter().zip(writes) {
        assert!(sent.starts_with(expected), "{backend}: {statements:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_counts_only_when_asked() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Recorder))
        .expect("the only subscriber of this test binary");

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("statements.db").display());
    let sqlite = SqliteStore::connect(&url).await.unwrap();
    sqlite.migrate().await.unwrap();
    let sqlite: Arc<dyn Store> = Arc::new(sqlite);
    check("SQLite", sqlite.clone()).await;
    check_nested("SQLite", sqlite.clone()).await;
    check_transition("SQLite", sqlite).await;

    match std::env::var("ROLLOUT_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            let db = TestDatabase::create(&admin_url).await.unwrap();
            check("PostgreSQL", Arc::new(db.store())).await;
            check_nested("PostgreSQL", Arc::new(db.store())).await;
            check_transition("PostgreSQL", Arc::new(db.store())).await;
        }
        // CI must never pass without the PostgreSQL half, the same rule as the e2e harness's.
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "ROLLOUT_TEST_POSTGRES_URL is not set, and CI=true: PostgreSQL may not be skipped"
            )
        }
        Err(_) => eprintln!("PostgreSQL skipped: ROLLOUT_TEST_POSTGRES_URL is not set"),
    }
}

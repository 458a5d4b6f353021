//! SQL statements per listing, counted from sqlx's own `sqlx::query` events (the source the
//! benchmark counts from too): without `with_total` every listing (procedures, history, approval
//! requests, audit trail) sends exactly one statement, its `SELECT`; with it, that same
//! `SELECT` and one `COUNT(*)`. And a page of procedures with their bureau and nested `history`,
//! read through the GraphQL schema, costs the same few statements for 10, 50 or 100 procedures:
//! nested lists are batched, never one read per row, and the bureaus come from the app's cache.
//! In the steady state an API token costs no statement either: the first request reads it, the
//! next ones find it cached, and none writes `last_used_at`. A transition through the use case is
//! one read of the procedure, one of its guard facts, and its writes; on PostgreSQL those writes are one statement (and
//! its commit). Evidence reads are as frugal: a page of tasks is one statement whatever its
//! size, a page of hearings two, and every batch read one. On SQLite, and on PostgreSQL when
//! `ROLLOUT_TEST_POSTGRES_URL` is set.
//!
//! The recorder is the process-wide tracing subscriber, so this file is a test binary of its own
//! with a single test, and the backends run one after the other. No timing is involved: a
//! listing's statements are logged before its future completes.
#![recursion_limit = "256"] // the merged GraphQL roots nest deeply (see rollout-server)

use std::sync::{Arc, Mutex};

use async_graphql::Request;
use rollout_app::{Actor, App, CreateUser, FixedClock, SystemClock, TransitionCommand};
use rollout_domain::hearing::HearingDecision;
use rollout_domain::identity::Role;
use rollout_domain::user_test::UserTestVerdict;
use rollout_domain::workflow::default_workflow;
use rollout_domain::{BureauId, HearingId, ProcedureId, TaskId};
use rollout_store::contract::evidence_fixtures::{hearing, outcome, task, user_test};
use rollout_store::contract::evidence_target::change;
use rollout_store::contract::fixtures::{
    at, audit, date, plan, procedure, quarter, seed_bureau, seed_procedure, seed_with_history,
    transition,
};
use rollout_store::contract::people::{approval_request, scene, seed_request, seed_user};
use rollout_store::{
    ApprovalFilter, AuditFilter, EvidenceSeed, HearingFilter, OverdueAsOf, PageRequest,
    ProcedureFilter, ProcedureOrder, Store, TaskCursor, TaskFilter,
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

/// A transition without an idempotency key, through the use case: the procedure's read, its
/// guard facts' read, then the writes. PostgreSQL sends them as one statement in a transaction (sqlx logs its `COMMIT`,
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
    // The procedure; no guard facts, since no way out of `hearing` has a guard that reads
    // them (from `built` the latest user test would be read too).
    assert!(
        statements[0].starts_with("SELECT") && statements[0].contains("FROM procedures"),
        "{backend}: {statements:#?}"
    );
    assert!(
        !statements.iter().any(|s| s.contains("FROM user_tests")),
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

/// Seeds 100 procedures with a hearing, three tasks, a user test and a target change each.
async fn seed_evidence(
    store: &Arc<dyn Store>,
) -> (BureauId, Vec<ProcedureId>, Vec<HearingId>, Vec<TaskId>) {
    let b = seed_bureau(store, "SHOBO").await;
    let u = seed_user(store, "evidence@metro.tokyo.lg.jp").await;
    let seeds: Vec<_> = (0..100)
        .map(|n| seed_with_history(procedure(&format!("SHOBO-{:04}", n + 1), b.id, at(n, 0)), 1))
        .collect();
    let load = audit("procedure.import", "Import", "batch", at(0, 0));
    store.insert_procedures(&seeds, &load).await.unwrap();
    let ids: Vec<ProcedureId> = seeds.iter().map(|s| s.procedure.id).collect();
    let mut seed = EvidenceSeed::default();
    for (n, p) in ids.iter().enumerate() {
        let h = hearing(
            b.id,
            u.id,
            date(2025, 4, 1),
            at(200, 0),
            vec![outcome(*p, HearingDecision::Proceed)],
        );
        for k in 0..3 {
            let due = (k != 0).then(|| date(2025, 4, 1 + (n % 20) as u32));
            let mut t = task(&format!("task {n}-{k}"), b.id, u.id, due, at(200, 0));
            t.procedure_id = Some(*p);
            t.hearing_id = Some(h.id);
            seed.tasks.push(t);
        }
        seed.hearings.push(h);
        seed.user_tests
            .push(user_test(*p, u.id, UserTestVerdict::Pass, at(300, 0)));
        seed.target_changes
            .push(change(*p, None, Some("FY2025-Q3"), 300, None));
    }
    let load = audit("evidence.import", "Import", "batch", at(0, 0));
    store.insert_evidence(&seed, &load).await.unwrap();
    let hearings = seed.hearings.iter().map(|h| h.id).collect();
    let tasks = seed.tasks.iter().map(|t| t.id).collect();
    (b.id, ids, hearings, tasks)
}

/// Task pages of 10, 50 and 100 are one statement (two with the total), a page of hearings two
/// (the page, its outcomes), and every batch read of evidence one, whatever the number of ids.
async fn check_evidence(backend: &str, store: Arc<dyn Store>) {
    let (bureau, procedures, hearings, tasks) = seed_evidence(&store).await;
    let overdue = TaskFilter {
        bureau_ids: vec![bureau],
        overdue: Some(OverdueAsOf {
            today: date(2025, 4, 15),
            overdue: true,
        }),
        ..TaskFilter::default()
    };
    for filter in [TaskFilter::default(), overdue] {
        for first in [10, 50, 100] {
            for with_total in [false, true] {
                let page = PageRequest {
                    first,
                    after: None,
                    with_total,
                };
                take();
                let listed = store.list_tasks(&filter, &page).await.unwrap();
                // With the total, PostgreSQL reads page and count in one snapshot and logs its
                // COMMIT; transaction control is not a query.
                let statements: Vec<String> = take()
                    .into_iter()
                    .filter(|s| !matches!(s.as_str(), "BEGIN" | "COMMIT" | "ROLLBACK"))
                    .collect();
                assert!(!listed.items.is_empty(), "{backend}");
                let want = if with_total { 2 } else { 1 };
                assert_eq!(
                    statements.len(),
                    want,
                    "{backend}: tasks, page of {first}: {statements:#?}"
                );
                let after = listed.items.last().map(|t| TaskCursor {
                    due_on: t.due_on,
                    id: t.id,
                });
                take();
                store
                    .list_tasks(
                        &filter,
                        &PageRequest {
                            first,
                            after,
                            with_total: false,
                        },
                    )
                    .await
                    .unwrap();
                assert_eq!(take().len(), 1, "{backend}: a later page of {first}");
            }
        }
    }
    for first in [10, 50, 100] {
        take();
        let page = store
            .list_hearings(
                &HearingFilter::default(),
                &PageRequest {
                    first,
                    after: None,
                    with_total: false,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), first);
        let statements = take();
        assert_eq!(
            statements.len(),
            2,
            "{backend}: hearings, page of {first}: {statements:#?}"
        );
    }
    for n in [1, 10, 100] {
        let (p, h, t) = (&procedures[..n], &hearings[..n], &tasks[..n]);
        let reads: Vec<(&str, usize)> = vec![
            (
                "hearings_by_ids",
                store.hearings_by_ids(h).await.unwrap().len(),
            ),
            (
                "hearings_for_procedures",
                store.hearings_for_procedures(p).await.unwrap().len(),
            ),
            (
                "user_tests_for_procedures",
                store.user_tests_for_procedures(p).await.unwrap().len(),
            ),
            (
                "latest_user_test_verdicts",
                store.latest_user_test_verdicts(p).await.unwrap().len(),
            ),
            ("tasks_by_ids", store.tasks_by_ids(t).await.unwrap().len()),
            (
                "tasks_for_procedures",
                store.tasks_for_procedures(p, None).await.unwrap().len(),
            ),
            (
                "tasks_for_hearings",
                store.tasks_for_hearings(h).await.unwrap().len(),
            ),
            (
                "target_changes_for",
                store.target_changes_for(p).await.unwrap().len(),
            ),
        ];
        let statements = take();
        for (name, found) in &reads {
            assert!(*found >= n, "{backend}: {name} of {n} found {found}");
        }
        assert_eq!(
            statements.len(),
            reads.len(),
            "{backend}: one statement per batch read of {n}: {statements:#?}"
        );
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
    check_evidence("SQLite", sqlite.clone()).await;
    check_transition("SQLite", sqlite).await;

    match std::env::var("ROLLOUT_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            let db = TestDatabase::create(&admin_url).await.unwrap();
            check("PostgreSQL", Arc::new(db.store())).await;
            check_nested("PostgreSQL", Arc::new(db.store())).await;
            check_evidence("PostgreSQL", Arc::new(db.store())).await;
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

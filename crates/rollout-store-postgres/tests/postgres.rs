//! What only the PostgreSQL backend has to prove, beyond the shared contract: error mapping for
//! unreachable servers and corrupt rows, migrations racing at start-up, the life cycle of test
//! databases, and bulk-loading a full-size programme.

mod common;

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rollout_domain::audit::AuditEntry;
use rollout_domain::{BureauId, ProcedureCode, ProcedureId};
use rollout_store::contract::fixtures::{at, audit, bureau, first, procedure, seed_with_history};
use rollout_store::{
    AuditFilter, AuditStore, PageRequest, ProcedureFilter, ProcedureOrder, Store, StoreError,
};
use rollout_store_postgres::PgStore;
use rollout_store_postgres::testing::TestDatabase;
use sqlx::{Connection, Executor, PgConnection};
use uuid::{NoContext, Timestamp, Uuid};

/// The audit entry of a bulk load (each call gets a fresh id).
fn load() -> AuditEntry {
    audit("import.load", "Import", "test", at(0, 0))
}

async fn database_exists(admin_url: &str, name: &str) -> bool {
    let mut admin = PgConnection::connect(admin_url).await.unwrap();
    let found: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    admin.close().await.unwrap();
    found
}

#[tokio::test]
async fn unreachable_server_is_unavailable_and_keeps_the_password_out() {
    let err = PgStore::connect("postgres://postgres:hunter2@127.0.0.1:1/rollout")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(!format!("{err:?} {err}").contains("hunter2"));
}

#[tokio::test]
async fn malformed_url_is_internal() {
    let err = PgStore::connect("postgres://user@host:notaport/db")
        .await
        .unwrap_err();
    match err {
        StoreError::Internal { context, source } => {
            assert_eq!(context, "invalid PostgreSQL URL");
            assert!(source.is_some());
        }
        other => panic!("expected Internal, got {other:?}"),
    }
}

/// On the default single-threaded test runtime, which the guard's blocking drop must not stall.
#[tokio::test]
async fn test_database_lives_until_the_last_handle_goes() {
    let Some(admin_url) = common::admin_url("test_database_lifecycle") else {
        return;
    };
    let db = TestDatabase::create(&admin_url).await.unwrap();
    let name = db.name().to_owned();
    assert!(name.starts_with("rollout_test_"), "{name}");
    assert!(db.url().ends_with(&format!("/{name}")), "{}", db.url());
    let store = db.store();
    drop(db);
    assert!(database_exists(&admin_url, &name).await);
    assert!(store.is_empty().await.unwrap());
    drop(store);
    assert!(!database_exists(&admin_url, &name).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_test_databases_are_swept_and_fresh_ones_kept() {
    let Some(admin_url) = common::admin_url("stale_sweep") else {
        return;
    };
    let two_hours_ago = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 7200;
    let stale = Uuid::new_v7(Timestamp::from_unix(NoContext, two_hours_ago, 0));
    let stale = format!("rollout_test_{}", stale.simple());
    let fresh = format!("rollout_test_{}", Uuid::now_v7().simple());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    for name in [&stale, &fresh] {
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .await
            .unwrap();
    }

    let db = TestDatabase::create(&admin_url).await.unwrap();
    assert!(!database_exists(&admin_url, &stale).await);
    assert!(database_exists(&admin_url, &fresh).await);

    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE \"{fresh}\"")))
        .await
        .unwrap();
    admin.close().await.unwrap();
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_apply_once() {
    let Some(db) = common::database("concurrent_migrations").await else {
        return;
    };
    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        .await
        .unwrap();

    let mut replicas = Vec::new();
    for _ in 0..4 {
        replicas.push(PgStore::connect(db.url()).await.unwrap());
    }
    let results = futures::future::join_all(replicas.iter().map(|r| r.migrate())).await;
    for result in results {
        result.unwrap();
    }
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let shipped = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/postgres"
    ))
    .unwrap()
    .filter(|f| f.as_ref().unwrap().path().extension() == Some("sql".as_ref()))
    .count();
    assert_eq!(applied, i64::try_from(shipped).unwrap());
    assert!(shipped >= 2, "{shipped} migrations found");
    assert!(replicas[0].is_empty().await.unwrap());
    for replica in &replicas {
        replica.close().await;
    }
    conn.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_rows_name_the_column() {
    let Some(db) = common::database("corrupt_rows").await else {
        return;
    };
    let store = db.store();
    let b = bureau("KANKYO");
    store
        .insert_bureaus(std::slice::from_ref(&b), &load())
        .await
        .unwrap();
    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    let bad_code = ProcedureId(Uuid::now_v7());
    let bad_quarter = ProcedureId(Uuid::now_v7());
    for (id, code, quarter) in [
        (bad_code, "not a code", None),
        (bad_quarter, "KANKYO-0002", Some("FY20-Q9")),
    ] {
        sqlx::query(
            "INSERT INTO procedures (id, code, name, bureau_id, category, authority, \
             process_count, target_quarter, state, version, created_at, updated_at) \
             VALUES ($1, $2, 'x', $3, 'MAJOR', 'TOKYO', 1, $4, 'hearing', 1, now(), now())",
        )
        .bind(id.as_uuid())
        .bind(code)
        .bind(b.id.as_uuid())
        .bind(quarter)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn.close().await.unwrap();

    for (id, column, value) in [
        (bad_code, "procedures.code", "not a code"),
        (bad_quarter, "procedures.target_quarter", "FY20-Q9"),
    ] {
        match store.procedure(id).await.unwrap_err() {
            StoreError::Internal { context, .. } => {
                assert!(context.contains(column), "{context}");
                assert!(context.contains(value), "{context}");
            }
            other => panic!("expected Internal, got {other:?}"),
        }
    }
}

/// The whole programme (28,000 procedures, four history records each) loads in one call and comes
/// out complete. Its speed is measured by the benchmark (`rollout-bench`, import budget); the
/// time is only printed here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_of_the_whole_programme() {
    let Some(db) = common::database("bulk_load").await else {
        return;
    };
    let store = db.store();
    let bureaus: Vec<_> = (0..50).map(|n| bureau(&format!("B{n:02}"))).collect();
    assert_eq!(store.insert_bureaus(&bureaus, &load()).await.unwrap(), 50);
    let seeds: Vec<_> = (0..28_000u32)
        .map(|n| {
            let b = &bureaus[n as usize % bureaus.len()];
            let code = ProcedureCode::numbered(&b.code, n);
            seed_with_history(procedure(code.as_str(), b.id, at(i64::from(n), 0)), 3)
        })
        .collect();

    let started = Instant::now();
    assert_eq!(
        store.insert_procedures(&seeds, &load()).await.unwrap(),
        28_000
    );
    let took = started.elapsed();
    eprintln!("loaded 28,000 procedures and 112,000 records in {took:?}");

    let page = store
        .list_procedures(
            &ProcedureFilter::default(),
            ProcedureOrder::default(),
            &PageRequest {
                first: 1,
                after: None,
                with_total: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(28_000));
    let last = &seeds[27_999];
    let history = store
        .history(
            last.procedure.id,
            &PageRequest {
                first: 10,
                after: None,
                with_total: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(history.items, last.history);
    assert_eq!(
        store.procedure(last.procedure.id).await.unwrap().as_ref(),
        Some(&last.procedure)
    );
}

/// Bulk loads name the offending value from the server's report, and store nothing on failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_load_failures_name_the_key_and_store_nothing() {
    let Some(db) = common::database("bulk_failures").await else {
        return;
    };
    let store = db.store();
    let b = bureau("KANKYO");
    store
        .insert_bureaus(std::slice::from_ref(&b), &load())
        .await
        .unwrap();
    let taken = seed_with_history(procedure("KANKYO-0001", b.id, at(0, 0)), 1);
    store
        .insert_procedures(std::slice::from_ref(&taken), &load())
        .await
        .unwrap();

    let fresh = |code: &str| seed_with_history(procedure(code, b.id, at(1, 0)), 2);
    let clash = seed_with_history(procedure("KANKYO-0001", b.id, at(2, 0)), 0);
    let err = store
        .insert_procedures(&[fresh("KANKYO-0002"), clash], &load())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "procedure KANKYO-0001 already exists");

    let ghost = BureauId(Uuid::now_v7());
    let orphan = seed_with_history(procedure("KANKYO-0003", ghost, at(3, 0)), 0);
    let err = store
        .insert_procedures(&[fresh("KANKYO-0004"), orphan], &load())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), format!("bureau {ghost} not found"));

    let mut stray = fresh("KANKYO-0005");
    let missing = ProcedureId(Uuid::now_v7());
    stray.history[1].procedure_id = missing;
    let err = store
        .insert_procedures(&[stray], &load())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), format!("procedure {missing} not found"));

    let mut twin = bureau("ZAIMU");
    twin.code = b.code.clone();
    let err = store
        .insert_bureaus(&[bureau("TOSHI"), twin], &load())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "bureau KANKYO already exists");

    let page = store
        .list_procedures(
            &ProcedureFilter::default(),
            ProcedureOrder::default(),
            &PageRequest {
                first: 10,
                after: None,
                with_total: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items, vec![taken.procedure]);
    assert_eq!(store.list_bureaus().await.unwrap(), vec![b]);
    // Only the two loads that succeeded left an audit entry.
    let trail = store
        .list_audit(
            &AuditFilter::default(),
            &PageRequest {
                first: 10,
                after: None,
                with_total: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(trail.total_count, Some(2));
}

/// Rows written before migration 0004 have no search text; migrating again (as every start
/// does) fills them with the domain's folding, so they are found like new rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_text_of_older_rows_is_filled_at_migration() {
    let Some(db) = common::database("search_fill").await else {
        return;
    };
    let store = db.store();
    let b = bureau("KANKYO");
    store
        .insert_bureaus(std::slice::from_ref(&b), &load())
        .await
        .unwrap();
    let seeds: Vec<_> = (1..=3)
        .map(|n| {
            let mut p = procedure(&format!("KANKYO-000{n}"), b.id, at(n, 0));
            p.name = format!("ｼﾝｾｲ{n}");
            seed_with_history(p, 0)
        })
        .collect();
    store.insert_procedures(&seeds, &load()).await.unwrap();
    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    conn.execute("UPDATE procedures SET search_text = NULL")
        .await
        .unwrap();
    let search = ProcedureFilter {
        search: Some("シンセイ".into()),
        ..Default::default()
    };
    let found = || async {
        store
            .list_procedures(&search, ProcedureOrder::default(), &first(10))
            .await
            .unwrap()
            .items
            .len()
    };
    assert_eq!(found().await, 0);
    store.migrate().await.unwrap();
    assert_eq!(found().await, 3);
    let missing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM procedures WHERE search_text IS NULL")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(missing, 0);
}

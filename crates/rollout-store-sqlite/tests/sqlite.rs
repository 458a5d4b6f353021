//! SQLite-specific behaviour outside the shared contract: URL forms and file creation, the
//! schema's own guards (STRICT, CHECK), corrupt stored values, error classification, and
//! migrations that can run twice.

use std::sync::Arc;

use rollout_domain::audit::AuditEntry;
use rollout_domain::{ProcedureCode, ProcedureId};
use rollout_store::contract::fixtures::{at, audit, bureau, first, procedure, seed_with_history};
use rollout_store::{Store, StoreError};
use rollout_store_sqlite::SqliteStore;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

fn import_audit() -> AuditEntry {
    audit("import", "Import", "test", at(0, 0))
}

/// A migrated store at `dir/name` reached through `sqlite:` + path, plus a raw connection to
/// the same file for writing what the store never would.
async fn store_and_raw(dir: &tempfile::TempDir) -> (SqliteStore, SqliteConnection) {
    let path = dir.path().join("raw.db");
    let store = SqliteStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    (store, raw)
}

#[tokio::test]
async fn connect_creates_a_missing_file_and_migrations_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    assert!(!path.exists());
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(path.exists());
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert!(store.is_empty().await.unwrap());
    store.close().await;

    let reopened = SqliteStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    reopened.migrate().await.unwrap();
    assert!(reopened.is_empty().await.unwrap());
    reopened.close().await;
}

#[tokio::test]
async fn unreachable_and_closed_databases_are_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("missing-dir").join("x.db");
    match SqliteStore::connect(&format!("sqlite://{}", nowhere.display())).await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }

    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.close().await;
    match store.ping().await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn the_schema_refuses_unknown_enum_keys_and_wrong_types() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut raw) = store_and_raw(&dir).await;
    let b = bureau("KANKYO");
    store
        .insert_bureaus(std::slice::from_ref(&b), &import_audit())
        .await
        .unwrap();
    let insert = |category: &str, process_count: &str| {
        format!(
            "INSERT INTO procedures (id, code, name, bureau_id, category, authority, \
             process_count, state, version, created_at, updated_at) VALUES ('p', 'KANKYO-0001', \
             'n', '{}', '{category}', 'TOKYO', {process_count}, 'hearing', 1, 't', 't')",
            b.id
        )
    };
    let err = sqlx::query(sqlx::AssertSqlSafe(insert("HUGE", "1")))
        .execute(&mut raw)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
    let err = sqlx::query(sqlx::AssertSqlSafe(insert("MAJOR", "'many'")))
        .execute(&mut raw)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot store TEXT value in INTEGER column"),
        "{err}"
    );
    sqlx::query(sqlx::AssertSqlSafe(insert("MAJOR", "1")))
        .execute(&mut raw)
        .await
        .unwrap();
}

#[tokio::test]
async fn corrupt_stored_values_are_internal_errors_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut raw) = store_and_raw(&dir).await;
    let b = bureau("KANKYO");
    store
        .insert_bureaus(std::slice::from_ref(&b), &import_audit())
        .await
        .unwrap();
    let seeds = [
        seed_with_history(procedure("KANKYO-0001", b.id, at(0, 0)), 0),
        seed_with_history(procedure("KANKYO-0002", b.id, at(1, 0)), 0),
    ];
    store
        .insert_procedures(&seeds, &import_audit())
        .await
        .unwrap();
    let (time_id, quarter_id) = (seeds[0].procedure.id, seeds[1].procedure.id);
    sqlx::query("UPDATE procedures SET updated_at = 'yesterday' WHERE id = ?")
        .bind(time_id.to_string())
        .execute(&mut raw)
        .await
        .unwrap();
    sqlx::query("UPDATE procedures SET target_quarter = 'FY2025-Q5' WHERE id = ?")
        .bind(quarter_id.to_string())
        .execute(&mut raw)
        .await
        .unwrap();

    let store: Arc<dyn Store> = Arc::new(store);
    let expect_corrupt = |result: Result<_, StoreError>, column: &str| match result {
        Err(StoreError::Internal {
            context,
            source: None,
        }) => {
            assert!(
                context.ends_with(&format!("in column {column}")),
                "{context}"
            );
        }
        other => panic!("expected a corrupt {column}, got {other:?}"),
    };
    expect_corrupt(
        store.procedure(time_id).await.map(drop),
        "procedures.updated_at",
    );
    expect_corrupt(
        store
            .procedure_by_code(&ProcedureCode::parse("KANKYO-0002").unwrap())
            .await
            .map(drop),
        "procedures.target_quarter",
    );
    expect_corrupt(
        store
            .procedures_by_ids(&[ProcedureId(uuid::Uuid::now_v7()), quarter_id])
            .await
            .map(drop),
        "procedures.target_quarter",
    );
}

/// The store trusts the use cases to refuse instants outside `rollout_domain::bounds`; should
/// one slip through, the write it cannot read back must fail whole rather than commit a row
/// that breaks every later listing.
#[tokio::test]
async fn a_row_that_cannot_be_read_back_is_not_committed() {
    use chrono::{TimeZone, Utc};
    use rollout_store::contract::fixtures::audit_trail;
    use rollout_store::contract::people::{secret_hash, seed_user, token};

    let dir = tempfile::tempdir().unwrap();
    let (store, _raw) = store_and_raw(&dir).await;
    let store: Arc<dyn Store> = Arc::new(store);
    let owner = seed_user(&store, "far@example.jp").await;
    let trail = audit_trail(&store).await.len();
    let mut far = token(owner.id, "far", at(0, 0));
    // 9999-12-31T23:59:59-23:59, year 10000 in UTC: written as "+10000-…", unreadable.
    far.expires_at = Some(Utc.with_ymd_and_hms(10000, 1, 1, 23, 58, 59).unwrap());
    let entry = audit("token.create", "ApiToken", far.id, at(0, 0));
    match store.create_token(&far, &secret_hash(7), &entry).await {
        Err(StoreError::Internal { context, .. }) => {
            assert!(context.contains("api_tokens.expires_at"), "{context}")
        }
        other => panic!("expected a corrupt-value error, got {other:?}"),
    }
    assert_eq!(store.list_tokens(None).await.unwrap(), []);
    assert_eq!(
        audit_trail(&store).await.len(),
        trail,
        "no audit entry either"
    );
}

/// Rows written before migration 0004 have no search text; migrating again (as every start
/// does) fills them with the domain's folding, so they are found like new rows.
#[tokio::test]
async fn search_text_of_older_rows_is_filled_at_migration() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut raw) = store_and_raw(&dir).await;
    let b = bureau("KANKYO");
    store
        .insert_bureaus(std::slice::from_ref(&b), &import_audit())
        .await
        .unwrap();
    let seeds: Vec<_> = (1..=3)
        .map(|n| {
            let mut p = procedure(&format!("KANKYO-000{n}"), b.id, at(n, 0));
            p.name = format!("ｼﾝｾｲ{n}");
            seed_with_history(p, 0)
        })
        .collect();
    store
        .insert_procedures(&seeds, &import_audit())
        .await
        .unwrap();
    sqlx::query("UPDATE procedures SET search_text = NULL")
        .execute(&mut raw)
        .await
        .unwrap();
    let search = rollout_store::ProcedureFilter {
        search: Some("シンセイ".into()),
        ..Default::default()
    };
    let found = |store: SqliteStore| {
        let search = search.clone();
        async move {
            let page = store
                .list_procedures(&search, Default::default(), &first(10))
                .await
                .unwrap();
            page.items.len()
        }
    };
    assert_eq!(found(store.clone()).await, 0);
    store.migrate().await.unwrap();
    assert_eq!(found(store.clone()).await, 3);
    let missing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM procedures WHERE search_text IS NULL")
            .fetch_one(&mut raw)
            .await
            .unwrap();
    assert_eq!(missing, 0);
}

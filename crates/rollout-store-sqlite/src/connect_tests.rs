//! Checks of the connection set-up that the contract cannot see: the pragmas each pool runs
//! with and the reader pool's refusal to write.

use super::SqliteStore;
use sqlx::SqlitePool;

async fn pragma<T>(pool: &SqlitePool, name: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
{
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn temp_store(dir: &tempfile::TempDir) -> SqliteStore {
    let url = format!("sqlite://{}", dir.path().join("pragmas.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

#[tokio::test]
async fn writer_and_readers_run_with_the_documented_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(&dir).await;
    for pool in [&store.writer, &store.reader] {
        assert_eq!(pragma::<String>(pool, "journal_mode").await, "wal");
        assert_eq!(pragma::<i64>(pool, "synchronous").await, 2, "FULL");
        assert_eq!(pragma::<i64>(pool, "foreign_keys").await, 1);
        assert_eq!(pragma::<i64>(pool, "busy_timeout").await, 5000);
    }
    assert_eq!(pragma::<i64>(&store.writer, "query_only").await, 0);
    assert_eq!(pragma::<i64>(&store.reader, "query_only").await, 1);
    assert_eq!(
        pragma::<i64>(&store.reader, "cache_size").await,
        -8192,
        "8 MiB"
    );
    assert_eq!(store.writer.options().get_max_connections(), 1);
    store.close().await;
}

#[tokio::test]
async fn the_reader_pool_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(&dir).await;
    let err = sqlx::query("INSERT INTO bureaus VALUES ('x', 'AB', 'a', 'b')")
        .execute(&store.reader)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
    store.close().await;
}

#[tokio::test]
async fn an_in_memory_database_is_one_pool_that_keeps_its_data() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    sqlx::query("INSERT INTO bureaus VALUES ('x', 'AB', 'a', 'b')")
        .execute(&store.writer)
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bureaus")
        .fetch_one(&store.reader)
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(store.reader.options().get_max_connections(), 1);
    store.close().await;
}

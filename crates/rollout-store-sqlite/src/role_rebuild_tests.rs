//! Migration 0009 rebuilds `users` to widen its role check (SQLite cannot alter a CHECK): the
//! rows written before it, and the foreign keys of the tables that refer to users, must come
//! through unchanged, and the connection must have its foreign keys back on afterwards.

use std::borrow::Cow;

use sqlx::SqlitePool;
use sqlx::migrate::Migrator;

use super::{MIGRATOR, SqliteStore};

const USER: &str = "01900000-0000-7000-8000-000000000001";
const BUREAU: &str = "01900000-0000-7000-8000-0000000000b1";

async fn exec(pool: &SqlitePool, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(pool)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn users_and_their_references_survive_the_role_check_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("rebuild.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    let before_0009 = Migrator {
        migrations: Cow::Owned(MIGRATOR.iter().filter(|m| m.version < 9).cloned().collect()),
        ..Migrator::DEFAULT
    };
    before_0009.run(&store.writer).await.unwrap();
    let w = &store.writer;
    exec(
        w,
        &format!("INSERT INTO bureaus VALUES ('{BUREAU}', 'KANKYO', '環境局', 'Environment')"),
    )
    .await
    .unwrap();
    exec(
        w,
        &format!(
            "INSERT INTO users VALUES ('{USER}', '田中', 'tanaka@example.jp', \
             'BUREAU_COORDINATOR', '{BUREAU}', 0, '2025-04-01T00:00:00.000000Z')"
        ),
    )
    .await
    .unwrap();
    exec(
        w,
        &format!(
            "INSERT INTO api_tokens (id, user_id, name, prefix, secret_hash, created_at) VALUES \
             ('01900000-0000-7000-8000-0000000000c1', '{USER}', 'laptop', 'rlt_abc', \
             'hash-1', '2025-04-01T00:00:00.000000Z')"
        ),
    )
    .await
    .unwrap();
    // Before 0009 the role does not exist.
    let intake = "INSERT INTO users VALUES ('01900000-0000-7000-8000-000000000002', '申請フォーム', \
                  'form@example.jp', 'REVIEW_INTAKE', NULL, 0, '2025-04-01T00:00:00.000000Z')";
    assert!(exec(w, intake).await.is_err());

    store.migrate().await.unwrap();

    let row: (String, String, Option<String>) =
        sqlx::query_as("SELECT email, role, bureau_id FROM users WHERE id = ?")
            .bind(USER)
            .fetch_one(w)
            .await
            .unwrap();
    assert_eq!(
        row,
        (
            "tanaka@example.jp".into(),
            "BUREAU_COORDINATOR".into(),
            Some(BUREAU.into())
        )
    );
    exec(w, intake).await.unwrap();
    assert!(
        exec(
            w,
            "UPDATE users SET role = 'ROOT' WHERE email = 'form@example.jp'"
        )
        .await
        .is_err(),
        "the widened check still refuses unknown roles"
    );
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(w)
        .await
        .unwrap();
    assert_eq!(foreign_keys, 1, "foreign keys back on after the migration");
    let violations: Vec<(String,)> =
        sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
            .fetch_all(w)
            .await
            .unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    // The tokens' reference names the rebuilt table: a token of nobody is refused, and a user
    // with tokens cannot be deleted.
    let orphan = "INSERT INTO api_tokens (id, user_id, name, prefix, secret_hash, created_at) \
                  VALUES ('01900000-0000-7000-8000-0000000000c2', \
                  '01900000-0000-7000-8000-0000000000ff', 'x', 'rlt_x', 'hash-2', \
                  '2025-04-01T00:00:00.000000Z')";
    let err = exec(w, orphan).await.unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    let err = exec(w, &format!("DELETE FROM users WHERE id = '{USER}'"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    let schema: String = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'api_tokens'",
    )
    .fetch_one(w)
    .await
    .unwrap();
    assert!(schema.contains("REFERENCES users (id)"), "{schema}");
    store.close().await;
}

//! What PostgreSQL itself guarantees about the audit trail, beyond the shared contract: the
//! database refuses to change or remove entries whoever asks (a psql session included, whatever
//! statement it uses), and
//! `before`/`after` are stored as jsonb, so they read back in jsonb's normalised text.

mod common;

use rollout_store::Store;
use rollout_store::contract::fixtures::{at, audit, audit_trail};
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_change_audit_entries() {
    let Some(db) = common::database("audit_append_only").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(db.store());
    let mut entry = audit("user.create", "User", "4711", at(5, 123_456));
    entry.after = Some(r#"{"email": "sato@metro.tokyo.lg.jp"}"#.to_owned());
    store.append_audit(&entry).await.unwrap();

    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    let id = entry.id.to_string();
    let upsert = |tail: &str| {
        format!(
            "INSERT INTO audit_log (id, at, actor, action, target_type, outcome) \
             VALUES ('{id}', now(), 'x', 'x', 'x', 'SUCCESS') {tail}"
        )
    };
    for (statement, refused) in [
        ("UPDATE audit_log SET actor = 'x'".to_owned(), "UPDATE"),
        ("DELETE FROM audit_log".to_owned(), "DELETE"),
        ("TRUNCATE audit_log".to_owned(), "TRUNCATE"),
        // Refused even when no row would be touched: the triggers are per statement.
        ("DELETE FROM audit_log WHERE false".to_owned(), "DELETE"),
        // PostgreSQL has no REPLACE; its rewriting inserts fire the UPDATE trigger.
        (
            upsert("ON CONFLICT (id) DO UPDATE SET actor = 'x'"),
            "UPDATE",
        ),
        (
            format!(
                "MERGE INTO audit_log a USING (SELECT '{id}'::uuid AS id) s ON a.id = s.id \
                 WHEN MATCHED THEN UPDATE SET actor = 'x'"
            ),
            "UPDATE",
        ),
        (
            format!(
                "MERGE INTO audit_log a USING (SELECT '{id}'::uuid AS id) s ON a.id = s.id \
                 WHEN MATCHED THEN DELETE"
            ),
            "DELETE",
        ),
    ] {
        let err = conn
            .execute(sqlx::AssertSqlSafe(statement.clone()))
            .await
            .unwrap_err();
        let db_err = err
            .as_database_error()
            .unwrap_or_else(|| panic!("{statement}: not a database error: {err:?}"));
        assert_eq!(db_err.code().as_deref(), Some("42501"), "{statement}");
        assert_eq!(
            db_err.message(),
            format!("audit_log is append-only: {refused} refused"),
            "{statement}"
        );
    }
    // A plain duplicate is refused by the primary key and rewrites nothing.
    let err = conn
        .execute(sqlx::AssertSqlSafe(upsert("")))
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("23505")
    );
    conn.close().await.unwrap();

    assert_eq!(audit_trail(&store).await, vec![entry]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_reads_back_in_jsonb_normal_form() {
    let Some(db) = common::database("audit_jsonb").await else {
        return;
    };
    let store: Arc<dyn Store> = Arc::new(db.store());
    let mut entry = audit("procedure.update", "Procedure", "p-1", at(1, 0));
    entry.before = Some(r#"{"version":1,"name":"申請","tags":["a","b"]}"#.to_owned());
    entry.after = Some("null".to_owned());
    store.append_audit(&entry).await.unwrap();

    let stored = audit_trail(&store).await;
    assert_eq!(stored.len(), 1);
    // Keys by length then bytes, one space after `:` and `,`: jsonb's output, not the input.
    assert_eq!(
        stored[0].before.as_deref(),
        Some(r#"{"name": "申請", "tags": ["a", "b"], "version": 1}"#)
    );
    assert_eq!(stored[0].after.as_deref(), Some("null"));

    let mut broken = audit("procedure.update", "Procedure", "p-1", at(2, 0));
    broken.before = Some("{not json".to_owned());
    let err = store.append_audit(&broken).await.unwrap_err();
    assert!(
        matches!(err, rollout_store::StoreError::Internal { ref context, .. } if context == "insert audit entry"),
        "{err:?}"
    );
    assert_eq!(audit_trail(&store).await.len(), 1);
}

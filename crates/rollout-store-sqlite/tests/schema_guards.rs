//! SQLite-specific checks of the guards in `0002_identity_approvals_audit.sql` that the shared
//! contract cannot reach through the port: the audit trail refuses UPDATE and DELETE from any
//! connection, snapshots must be JSON, and the one-pending-request and one-vote-per-person
//! rules hold for raw writes too.

use std::sync::Arc;

use rollout_domain::approval::Decision;
use rollout_domain::audit::AuditEntry;
use rollout_store::contract::fixtures::{at, audit, audit_trail};
use rollout_store::contract::people::{approval_request, counted, scene, seed_request, vote};
use rollout_store::{Store, StoreError};
use rollout_store_sqlite::SqliteStore;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;

/// A migrated store in `dir` and a raw connection to the same file.
async fn store_and_raw(dir: &tempfile::TempDir) -> (Arc<dyn Store>, SqliteConnection) {
    let path = dir.path().join("guards.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    (Arc::new(store), raw)
}

async fn raw_error(raw: &mut SqliteConnection, sql: &str) -> String {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(raw)
        .await
        .expect_err(sql)
        .to_string()
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut raw) = store_and_raw(&dir).await;
    let entry = AuditEntry {
        before: Some(r#"{"state": "hearing"}"#.to_owned()),
        ..audit("procedure.transition", "Procedure", "p-1", at(1, 0))
    };
    store.append_audit(&entry).await.unwrap();

    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE action = 'procedure.transition'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'procedure.transition'",
    ] {
        let err = raw_error(&mut raw, sql).await;
        assert!(err.contains("audit_log is append-only"), "{sql}: {err}");
    }
    assert_eq!(audit_trail(&store).await, vec![entry]);
}

#[tokio::test]
async fn audit_snapshots_must_be_json_and_a_refused_entry_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _raw) = store_and_raw(&dir).await;
    let broken = AuditEntry {
        after: Some("{state: hearing".to_owned()),
        ..audit("procedure.update", "Procedure", "p-1", at(1, 0))
    };
    match store.append_audit(&broken).await {
        Err(StoreError::Internal {
            source: Some(source),
            ..
        }) => {
            assert!(
                source.to_string().contains("CHECK constraint failed"),
                "{source}"
            );
        }
        other => panic!("expected an internal error, got {other:?}"),
    }
    assert!(audit_trail(&store).await.is_empty());
}

#[tokio::test]
async fn one_pending_request_and_one_vote_per_person_hold_for_raw_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut raw) = store_and_raw(&dir).await;
    let s = scene(&store).await;
    let r = seed_request(
        &store,
        &approval_request(&s.procedure, s.requester.id, 2, at(10, 0)),
    )
    .await;
    let own = vote(&r, s.approvers[0].id, Decision::Approve, at(20, 0));
    store.record_vote(&counted(&r, own)).await.unwrap();

    let second_pending = format!(
        "INSERT INTO approval_requests SELECT 'other-id', procedure_id, transition, from_state, \
         to_state, expected_version, comment, requested_by, role, required, status, reason, \
         created_at, expires_at, closed_at, version FROM approval_requests WHERE id = '{}'",
        r.id
    );
    let err = raw_error(&mut raw, &second_pending).await;
    assert!(
        err.contains("UNIQUE constraint failed: approval_requests.procedure_id"),
        "{err}"
    );

    let as_substitute = format!(
        "INSERT INTO approval_votes (request_id, approver, on_behalf_of, decision, at) \
         VALUES ('{}', '{}', '{}', 'APPROVE', 't')",
        r.id, s.approvers[1].id, s.approvers[0].id
    );
    let err = raw_error(&mut raw, &as_substitute).await;
    assert!(
        err.contains(
            "UNIQUE constraint failed: approval_votes.request_id, approval_votes.counts_for"
        ),
        "{err}"
    );
    let counts_for: String = sqlx::query_scalar("SELECT counts_for FROM approval_votes")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(counts_for, s.approvers[0].id.to_string());
}

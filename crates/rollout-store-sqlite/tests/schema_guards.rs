//! SQLite-specific checks of the guards in `0002_identity_approvals_audit.sql` and
//! `0003_hardening.sql` that the shared contract cannot reach through the port: the audit trail
//! refuses every statement that could rewrite a row (UPDATE, DELETE, the REPLACE family, upserts,
//! with and without recursive triggers) from any connection, snapshots must be JSON, and the one-pending-request and one-vote-per-person
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

/// Every SQL path that could rewrite or remove a stored entry, beyond plain UPDATE and DELETE.
/// REPLACE deletes the conflicting row without firing DELETE triggers unless recursive triggers
/// are on, so each is tried both ways.
#[tokio::test]
async fn the_audit_log_refuses_every_rewriting_statement() {
    let dir = tempfile::tempdir().unwrap();
    let (store, mut raw) = store_and_raw(&dir).await;
    let entry = audit("procedure.transition", "Procedure", "p-1", at(1, 0));
    store.append_audit(&entry).await.unwrap();
    let id = entry.id.to_string();
    let copy = |verb: &str, columns: &str, values: &str, tail: &str| {
        format!(
            "{verb} audit_log (id, at, actor, action, target_type, outcome{columns}) \
             VALUES ('{id}', 't', 'evil', 'x', 'y', 'SUCCESS'{values}){tail}"
        )
    };
    let other = format!("{id}-other");
    let statements = [
        copy("INSERT OR REPLACE INTO", "", "", ""),
        copy("REPLACE INTO", "", "", ""),
        copy(
            "INSERT INTO",
            "",
            "",
            " ON CONFLICT (id) DO UPDATE SET actor = 'evil'",
        ),
        copy(
            "INSERT INTO",
            "",
            "",
            " ON CONFLICT DO UPDATE SET actor = 'evil'",
        ),
        copy("INSERT OR IGNORE INTO", "", "", ""),
        // A new id on the stored row's rowid: the table has a hidden rowid that REPLACE honours.
        copy("INSERT OR REPLACE INTO", ", rowid", ", 1", "").replace(&id, &other),
        // A row that would sit where a BEFORE INSERT trigger sees an automatic rowid.
        copy("INSERT INTO", ", rowid", ", -1", "").replace(&id, &other),
        format!("UPDATE OR REPLACE audit_log SET id = '{other}' WHERE id = '{id}'"),
        format!("UPDATE OR IGNORE audit_log SET actor = 'evil' WHERE id = '{id}'"),
        "DELETE FROM audit_log WHERE rowid = 1".to_owned(),
    ];
    for recursive in ["OFF", "ON"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA recursive_triggers = {recursive}"
        )))
        .execute(&mut raw)
        .await
        .unwrap();
        for sql in &statements {
            let err = raw_error(&mut raw, sql).await;
            assert!(
                err.contains("audit_log is append-only"),
                "recursive_triggers {recursive}, {sql}: {err}"
            );
        }
    }
    assert_eq!(audit_trail(&store).await, vec![entry.clone()]);

    // Appending still works, and its rowid is the next positive one.
    let next = audit("procedure.transition", "Procedure", "p-1", at(2, 0));
    store.append_audit(&next).await.unwrap();
    assert_eq!(audit_trail(&store).await, vec![entry, next]);
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

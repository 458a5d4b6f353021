//! `rollout verify` (docs/operations.md, "Backups and restores"): clean on a freshly migrated
//! database with the demo data, and each kind of violation found, under its key and naming its
//! subject, after corrupting the data with raw SQL as a hand edit or a restore with checks off
//! could; exit codes 0 (clean), 1 (violations), 3 (unreachable), 4 (nothing to check).

use crate::common::{Backend, Db, all_output, exit_code, raw_sql, raw_strings, succeeded};
use crate::ops_both;

/// A uuid that names nothing in any table.
const NOBODY: &str = "0badc0de-0000-4000-8000-000000000000";

/// Every key `verify` reports it ran, whatever the data.
const CHECK_KEYS: &[&str] = &[
    "schema.version",
    "procedure.version_behind_history",
    "procedure.state_differs_from_history",
    "history.creation",
    "history.chain",
    "audit.transition_unaudited",
    "orphan.procedures.bureau_id",
    "orphan.audit_log.on_behalf_of",
    "orphan.dependencies.on_id",
    "workflow.unknown_state",
];

/// A migrated database holding the demo data.
async fn demo_db(backend: Backend) -> Db {
    let db = Db::fresh(backend).await;
    succeeded(&db.rollout(&["demo"]));
    db
}

ops_both!(verify_clean_after_demo, |backend| async move {
    let db = demo_db(backend).await;
    let out = db.rollout(&["verify"]);
    let stdout = succeeded(&out);
    assert_eq!(exit_code(&out), 0);
    assert!(stdout.contains("no violations"), "{stdout}");
    assert!(!stdout.contains("violation "), "{stdout}");
    let procedures: Vec<String> = raw_strings(&db, "SELECT code FROM procedures").await;
    assert!(
        stdout.contains(&format!("read {} procedures", procedures.len())),
        "{stdout}"
    );
    for key in CHECK_KEYS {
        assert!(stdout.contains(key), "{key} not run: {stdout}");
    }
});

ops_both!(verify_detects_each_violation, |backend| async move {
    let db = demo_db(backend).await;
    // A procedure with a second record, for the broken chain; the others are any.
    let chained = raw_strings(
        &db,
        "SELECT p.code FROM procedures p JOIN transition_records r ON r.procedure_id = p.id \
         WHERE r.procedure_version = 2 ORDER BY p.code",
    )
    .await
    .into_iter()
    .next()
    .expect("a demo procedure with two history records");
    let codes: Vec<String> = raw_strings(&db, "SELECT code FROM procedures ORDER BY code")
        .await
        .into_iter()
        .filter(|c| *c != chained)
        .collect();
    let [behind, moved, unknown, headless, unaudited, orphan, ..] = &codes[..] else {
        panic!("the demo has too few procedures: {codes:?}");
    };
    raw_sql(
        &db,
        &[
            format!("UPDATE procedures SET version = 0 WHERE code = '{behind}'"),
            format!(
                "UPDATE procedures SET state = CASE WHEN state = 'abolished' THEN 'hearing' \
                 ELSE 'abolished' END WHERE code = '{moved}'"
            ),
            format!("UPDATE procedures SET state = 'limbo' WHERE code = '{unknown}'"),
            format!(
                "UPDATE transition_records SET from_state = 'hearing' WHERE procedure_version = 1 \
                 AND procedure_id = (SELECT id FROM procedures WHERE code = '{headless}')"
            ),
            format!(
                "UPDATE transition_records SET from_state = 'nowhere' WHERE procedure_version = 2 \
                 AND procedure_id = (SELECT id FROM procedures WHERE code = '{chained}')"
            ),
            // A transition written behind the app's back: a record and a version, no audit.
            format!(
                "INSERT INTO transition_records (id, procedure_id, from_state, to_state, \
                 transition, actor, at, workflow_version, procedure_version) \
                 SELECT 'a0000000-0000-4000-8000-000000000001', id, state, state, 'manual', \
                 'dba', '2099-01-01T00:00:00.000000Z', 'tokyo-dx@1', version + 1 \
                 FROM procedures WHERE code = '{unaudited}'"
            ),
            format!("UPDATE procedures SET version = version + 1 WHERE code = '{unaudited}'"),
            format!("UPDATE procedures SET bureau_id = '{NOBODY}' WHERE code = '{orphan}'"),
            format!(
                "INSERT INTO audit_log (id, at, actor, on_behalf_of, action, target_type, \
                 outcome) VALUES ('a0000000-0000-4000-8000-000000000002', \
                 '2099-01-01T00:00:00.000000Z', 'dba', '{NOBODY}', 'manual.edit', 'Nothing', \
                 'SUCCESS')"
            ),
        ],
    )
    .await;

    let out = db.rollout(&["verify"]);
    let text = all_output(&out);
    assert_eq!(exit_code(&out), 1, "{text}");
    let has = |key: &str, subject: &str| {
        text.lines()
            .any(|l| l.starts_with(&format!("violation {key} {subject}: ")))
    };
    for (key, subject) in [
        ("procedure.version_behind_history", behind.as_str()),
        ("procedure.state_differs_from_history", moved),
        ("procedure.state_differs_from_history", unknown),
        ("workflow.unknown_state", "limbo"),
        ("history.creation", headless),
        ("history.chain", chained.as_str()),
        ("audit.transition_unaudited", unaudited),
        ("orphan.procedures.bureau_id", NOBODY),
        ("orphan.audit_log.on_behalf_of", NOBODY),
    ] {
        assert!(has(key, subject), "no {key} for {subject}:\n{text}");
    }
    assert!(text.contains("violation(s)"), "{text}");
});

ops_both!(verify_refuses_another_schema, |backend| async move {
    let db = demo_db(backend).await;
    raw_sql(
        &db,
        &[
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
           execution_time) SELECT 9999, 'from a newer build', success, checksum, execution_time \
           FROM _sqlx_migrations WHERE version = 1"
                .to_owned(),
        ],
    )
    .await;
    let out = db.rollout(&["verify"]);
    let text = all_output(&out);
    assert_eq!(exit_code(&out), 1, "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("violation schema.version ")),
        "{text}"
    );
    assert!(text.contains("9999"), "{text}");
    // Nothing else is judged against another build's tables.
    assert!(!text.contains("history.chain"), "{text}");
});

ops_both!(
    verify_exit_codes_for_what_cannot_be_checked,
    |backend| async move {
        let db = Db::fresh(backend).await;
        let (url, code) = match backend {
            Backend::Sqlite => (
                format!("sqlite:{}", db.dir.path().join("missing.db").display()),
                4,
            ),
            Backend::Postgres => ("postgres://postgres@127.0.0.1:1/nothing".to_owned(), 3),
        };
        let out = crate::common::rollout(db.dir.path(), &["verify", "--database-url", &url], &[]);
        let text = all_output(&out);
        assert_eq!(exit_code(&out), code, "{text}");
        if backend == Backend::Sqlite {
            assert!(text.contains("nothing to verify"), "{text}");
            assert!(
                !db.dir.path().join("missing.db").exists(),
                "verify created the file"
            );
        }
        // A workflow file that cannot be read: nothing is checked either.
        succeeded(&db.rollout(&["migrate"]));
        let out = db.rollout(&["verify", "--workflow", "no-such-workflow.toml"]);
        let text = all_output(&out);
        assert_eq!(exit_code(&out), 4, "{text}");
        assert!(text.contains("no-such-workflow.toml"), "{text}");
    }
);

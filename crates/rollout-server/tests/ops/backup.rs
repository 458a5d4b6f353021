//! `rollout backup` and `rollout restore` (docs/operations.md, "Backups and restores"): a copy
//! made while eight clients write through GraphQL restores into a new file that `rollout verify`
//! finds clean and that holds everything acknowledged before the copy began; the refusals
//! (an existing file, a database in use, a damaged or newer backup) leave files untouched. Both
//! commands are SQLite's: on PostgreSQL they refuse and point to pg_dump/pg_restore.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{
    Backend, Db, Served, all_output, exit_code, raw_sql_at, raw_strings, raw_strings_at, rollout,
    serve, succeeded,
};
use crate::ops_both;

const WRITERS: usize = 8;

/// The schema version this build migrates to: its newest migration file.
fn newest_migration() -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    std::fs::read_dir(dir)
        .expect("migrations")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.split('_').next()?.parse::<i64>().ok()
        })
        .max()
        .expect("a migration")
}

/// A database at the schema before this build's newest migration (migrated with the older
/// migration files only), as a backup made by the previous release would be; returns its path.
async fn older_backup(dir: &Path) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    let older = dir.join("older-migrations");
    std::fs::create_dir(&older).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let name = entry.unwrap().file_name();
        let version: i64 = name
            .to_string_lossy()
            .split('_')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if version < newest_migration() {
            std::fs::copy(source.join(&name), older.join(&name)).unwrap();
        }
    }
    let file = dir.join("older.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}?mode=rwc", file.display()))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(older.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool.close().await;
    file.display().to_string()
}

/// Loads the demo data with its users and returns a project-office token (the office may
/// create and move procedures of every bureau).
fn demo_with_office(db: &Db) -> String {
    // Generated procedures make the copy take long enough (tenths of a second) for the writers
    // to commit during it.
    let out = succeeded(&db.rollout(&["demo", "--users", "--synthetic", "1500"]));
    out.lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("PROJECT_OFFICE")).then(|| words.last())?
        })
        .unwrap_or_else(|| panic!("no PROJECT_OFFICE token in: {out}"))
        .to_owned()
}

/// Asserts a GraphQL mutation payload has no errors and returns it.
fn payload<'a>(body: &'a Value, field: &str) -> &'a Value {
    let p = &body["data"][field];
    assert!(
        body["errors"].is_null() && p["errors"].as_array().is_some_and(Vec::is_empty),
        "{field} failed: {body}"
    );
    p
}

/// What the writers were told was done: each procedure's code and the last version
/// acknowledged for it.
type Acked = Arc<Mutex<HashMap<String, i64>>>;

/// One writer: creates procedures (in `bureau`) and moves each back and forth between hearing
/// and scheduled a few times, recording every acknowledged version, until `stop`.
async fn writer(
    served: Arc<Served>,
    token: String,
    bureau: String,
    n: usize,
    acked: Acked,
    stop: Arc<AtomicBool>,
) {
    let prefix = format!("BK{}", (b'A' + n as u8) as char);
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let code = format!("{prefix}-{i:04}");
        let body = served
            .graphql(
                &token,
                "mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { \
                 procedure { id version } errors { code message } } }",
                json!({ "input": {
                    "code": code, "name": format!("並行書き込み {code}"), "bureauCode": bureau,
                    "category": "STANDARD", "authority": "TOKYO",
                    "targetQuarter": "FY2026-Q3", "platform": "JGRANTS",
                }}),
            )
            .await;
        let created = payload(&body, "createProcedure");
        let id = created["procedure"]["id"].as_str().expect("id").to_owned();
        let mut version = created["procedure"]["version"].as_i64().expect("version");
        acked.lock().unwrap().insert(code.clone(), version);
        for step in 0..4 {
            let to = if step % 2 == 0 {
                "scheduled"
            } else {
                "hearing"
            };
            let body = served
                .graphql(
                    &token,
                    "mutation($input: TransitionProcedureInput!) { transitionProcedure(input: \
                     $input) { procedure { version } errors { code message } } }",
                    json!({ "input": { "procedureId": id, "expectedVersion": version, "to": to }}),
                )
                .await;
            version = payload(&body, "transitionProcedure")["procedure"]["version"]
                .as_i64()
                .expect("version");
            acked.lock().unwrap().insert(code.clone(), version);
        }
    }
}

/// `(code, version, records)` of the writers' procedures in the database at `url`.
async fn written(url: &str) -> HashMap<String, (i64, i64)> {
    raw_strings_at(
        Backend::Sqlite,
        url,
        "SELECT code || ' ' || version || ' ' || (SELECT COUNT(*) FROM transition_records r \
         WHERE r.procedure_id = p.id) FROM procedures p WHERE code LIKE 'BK%'",
    )
    .await
    .into_iter()
    .map(|line| {
        let parts: Vec<&str> = line.split(' ').collect();
        (
            parts[0].to_owned(),
            (parts[1].parse().unwrap(), parts[2].parse().unwrap()),
        )
    })
    .collect()
}

/// The refusal of a command that only SQLite has, on PostgreSQL.
fn assert_postgres_refusal(db: &Db, args: &[&str], tool: &str) {
    let out = db.rollout(args);
    let text = all_output(&out);
    assert_eq!(exit_code(&out), 1, "{text}");
    assert!(
        text.contains("SQLite databases only")
            && text.contains(tool)
            && text.contains("docs/operations.md"),
        "{text}"
    );
}

ops_both!(backup_during_concurrent_writers, |backend| async move {
    let db = Db::fresh(backend).await;
    let copy = db.dir.path().join("backup.db");
    let copy_arg = copy.display().to_string();
    if backend == Backend::Postgres {
        succeeded(&db.rollout(&["migrate"]));
        assert_postgres_refusal(
            &db,
            &["backup", "--to", &copy_arg],
            "pg_dump --format=custom",
        );
        assert!(!copy.exists(), "a refused backup wrote a file");
        return;
    }
    let token = demo_with_office(&db);
    let bureau = raw_strings(&db, "SELECT code FROM bureaus ORDER BY code").await[0].clone();
    let served = Arc::new(serve(&db, "", &[]));
    let acked: Acked = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| {
            tokio::spawn(writer(
                Arc::clone(&served),
                token.clone(),
                bureau.clone(),
                n,
                Arc::clone(&acked),
                Arc::clone(&stop),
            ))
        })
        .collect();
    // Every writer is under way before the copy starts.
    while (0..WRITERS).any(|n| {
        let prefix = format!("BK{}-", (b'A' + n as u8) as char);
        !acked.lock().unwrap().keys().any(|c| c.starts_with(&prefix))
    }) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before: HashMap<String, i64> = acked.lock().unwrap().clone();
    let (dir, url) = (db.dir.path().to_owned(), db.url.clone());
    let backed_up = tokio::task::spawn_blocking(move || {
        rollout(
            &dir,
            &["backup", "--to", &copy_arg, "--database-url", &url],
            &[],
        )
    })
    .await
    .unwrap();
    let after: usize = acked.lock().unwrap().values().map(|v| *v as usize).sum();
    let acked_before: usize = before.values().map(|v| *v as usize).sum();
    // For the record (no assertion on timing): how many writes were acknowledged by then.
    println!("writes acknowledged before the backup: {acked_before}, by its end: {after}");
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("a writer failed");
    }
    let summary = succeeded(&backed_up);
    assert!(
        summary.contains("backed up")
            && summary.contains(&format!("schema version {}", newest_migration())),
        "{summary}"
    );

    let restored = db.dir.path().join("restored.db");
    let restored_url = format!("sqlite:{}", restored.display());
    let out = rollout(
        db.dir.path(),
        &[
            "restore",
            "--from",
            "backup.db",
            "--database-url",
            &restored_url,
        ],
        &[],
    );
    let said = succeeded(&out);
    assert!(
        said.contains("restored") && said.contains("no violations"),
        "{said}"
    );
    let out = rollout(
        db.dir.path(),
        &["verify", "--database-url", &restored_url],
        &[],
    );
    assert!(succeeded(&out).contains("no violations"));

    let copied = written(&restored_url).await;
    for (code, version) in &before {
        let (stored, records) = copied
            .get(code)
            .unwrap_or_else(|| panic!("{code} was acknowledged before the backup, not in it"));
        assert!(
            stored >= version,
            "{code}: {stored} < acknowledged {version}"
        );
        assert_eq!(stored, records, "{code}: version and history disagree");
    }
    for (code, (version, records)) in &copied {
        assert_eq!(version, records, "{code}: version and history disagree");
    }
});

ops_both!(backup_and_restore_refusals, |backend| async move {
    let db = Db::fresh(backend).await;
    let existing = db.dir.path().join("exists.db");
    std::fs::write(&existing, "keep").unwrap();
    let existing_arg = existing.display().to_string();
    if backend == Backend::Postgres {
        succeeded(&db.rollout(&["migrate"]));
        assert_postgres_refusal(
            &db,
            &["restore", "--from", &existing_arg, "--force"],
            "pg_restore",
        );
        assert_postgres_refusal(&db, &["backup", "--to", "new.db"], "pg_dump");
        assert!(!db.dir.path().join("new.db").exists());
        return;
    }
    succeeded(&db.rollout(&["demo"]));
    // Never over an existing file.
    let out = db.rollout(&["backup", "--to", &existing_arg]);
    assert_eq!(exit_code(&out), 1);
    assert!(
        all_output(&out).contains("already exists"),
        "{}",
        all_output(&out)
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep");
    succeeded(&db.rollout(&["backup", "--to", "good.db"]));

    // Not over the configured database without --force, nor while a server has it open.
    let out = db.rollout(&["restore", "--from", "good.db"]);
    assert_eq!(exit_code(&out), 1);
    assert!(all_output(&out).contains("--force"), "{}", all_output(&out));
    let mut served = serve(&db, "", &[]);
    let out = db.rollout(&["restore", "--from", "good.db", "--force"]);
    assert_eq!(exit_code(&out), 1);
    assert!(all_output(&out).contains("in use"), "{}", all_output(&out));
    served.sigterm();
    served.wait_exit(Duration::from_secs(60));
    let said = succeeded(&db.rollout(&["restore", "--from", "good.db", "--force"]));
    assert!(said.contains("no violations"), "{said}");
    succeeded(&db.rollout(&["verify"]));

    // A backup older than this build (made before its newest migration) is migrated on the
    // copy, checked and restored.
    let older = older_backup(db.dir.path()).await;
    let older_target = format!("sqlite:{}", db.dir.path().join("from-older.db").display());
    let out = rollout(
        db.dir.path(),
        &["restore", "--from", &older, "--database-url", &older_target],
        &[],
    );
    let said = succeeded(&out);
    assert!(
        said.contains(&format!("schema version {}", newest_migration() - 1)),
        "{said}"
    );
    let versions = raw_strings_at(
        Backend::Sqlite,
        &older_target,
        "SELECT CAST(MAX(version) AS TEXT) FROM _sqlx_migrations",
    )
    .await;
    assert_eq!(versions, [newest_migration().to_string()]);
    succeeded(&rollout(
        db.dir.path(),
        &["verify", "--database-url", &older_target],
        &[],
    ));

    // A backup that is not a database, that breaks an invariant, or that is newer: refused,
    // and nothing is left behind.
    let target = format!("sqlite:{}", db.dir.path().join("new.db").display());
    let out = rollout(
        db.dir.path(),
        &[
            "restore",
            "--from",
            &existing_arg,
            "--database-url",
            &target,
        ],
        &[],
    );
    assert_ne!(exit_code(&out), 0, "{}", all_output(&out));
    let broken = db.dir.path().join("broken.db");
    std::fs::copy(db.dir.path().join("good.db"), &broken).unwrap();
    let broken_url = format!("sqlite:{}", broken.display());
    raw_sql_at(
        Backend::Sqlite,
        &broken_url,
        &["UPDATE procedures SET version = 0".to_owned()],
    )
    .await;
    let out = rollout(
        db.dir.path(),
        &["restore", "--from", "broken.db", "--database-url", &target],
        &[],
    );
    let text = all_output(&out);
    assert_eq!(exit_code(&out), 1, "{text}");
    assert!(
        text.contains("violation procedure.version_behind_history"),
        "{text}"
    );
    let newer = db.dir.path().join("newer.db");
    std::fs::copy(db.dir.path().join("good.db"), &newer).unwrap();
    raw_sql_at(
        Backend::Sqlite,
        &format!("sqlite:{}", newer.display()),
        &[
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
           execution_time) SELECT 9999, 'newer', success, checksum, execution_time \
           FROM _sqlx_migrations WHERE version = 1"
                .to_owned(),
        ],
    )
    .await;
    let out = rollout(
        db.dir.path(),
        &["restore", "--from", "newer.db", "--database-url", &target],
        &[],
    );
    let text = all_output(&out);
    assert_eq!(exit_code(&out), 1, "{text}");
    assert!(text.contains("newer than this build"), "{text}");
    let left: Vec<String> = std::fs::read_dir(db.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("new.db") || n.contains(".restore-"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
});

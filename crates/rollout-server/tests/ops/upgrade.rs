//! Upgrades (docs/operations.md, "Upgrades"): `rollout migrate` brings a database from every
//! earlier schema version, holding data, to the latest without losing or changing a row;
//! every version has a fixture (so the next migration cannot skip one); a rollout refuses a
//! database that a newer rollout migrated, whatever the command and with migrations on or
//! off; and several `rollout migrate` started at once apply each migration once.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{BIN, Backend, Db, serve, succeeded};
use crate::ops_both;
use crate::schema_at::{Conn, Rows, build_at, fixture, versions};

/// The known secret of the upgrade fixtures' API token (`0002.sql`).
pub const FIXTURE_TOKEN: &str = "rlt_upgrade_fixture_admin_token_do_not_use_0001";

#[tokio::test]
async fn every_schema_version_has_a_fixture() {
    let sqlite = versions(Backend::Sqlite).await;
    let postgres = versions(Backend::Postgres).await;
    assert_eq!(
        sqlite, postgres,
        "the two migration folders have the same versions"
    );
    for version in &sqlite {
        assert!(
            fixture(Backend::Sqlite, *version).is_some(),
            "migration {version:04} has no upgrade fixture: add \
             tests/fixtures/upgrade/{version:04}.sql (see the README there)"
        );
    }
}

/// Columns that `rollout migrate` fills after migrating, where rows older than the column
/// hold NULL (0004's search text, computed in Rust); checked on their own below.
const FILLED_AFTER_MIGRATING: &[(&str, &str)] = &[("procedures", "search_text")];

/// `rows` with only the given columns kept, sorted.
fn projected(rows: &Rows, columns: &[String]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|row| {
            let kept: serde_json::Map<_, _> = columns
                .iter()
                .map(|c| (c.clone(), row.get(c).cloned().unwrap_or_default()))
                .collect();
            serde_json::Value::Object(kept).to_string()
        })
        .collect();
    out.sort();
    out
}

ops_both!(upgrades_from_every_earlier_version, |backend| async move {
    let all = versions(backend).await;
    let latest = *all.last().expect("migrations");
    for from in all {
        let db = Db::fresh(backend).await;
        build_at(&db, from).await;
        let mut conn = Conn::open(&db).await;
        assert_eq!(conn.schema_version().await, from);
        let before = conn.dump().await;
        conn.close().await;

        let out = succeeded(&db.rollout(&["migrate"]));
        assert!(
            out.contains(&format!("version {latest}")),
            "from {from}: {out}"
        );

        let mut conn = Conn::open(&db).await;
        assert_eq!(conn.schema_version().await, latest, "from {from}");
        let after = conn.dump().await;
        for (table, rows) in &before {
            let columns: Vec<String> = rows
                .first()
                .map(|r| r.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .filter(|c: &String| {
                    !FILLED_AFTER_MIGRATING.contains(&(table.as_str(), c.as_str()))
                })
                .collect();
            let now = after
                .get(table)
                .unwrap_or_else(|| panic!("from {from}: table {table} is gone"));
            assert_eq!(
                projected(now, &columns),
                projected(rows, &columns),
                "from {from}: the rows of {table} changed"
            );
        }
        // 0004's search text is filled for the rows written before it.
        let unfilled = after["procedures"]
            .iter()
            .filter(|p| p["search_text"].is_null())
            .count();
        assert_eq!(unfilled, 0, "from {from}: procedures without search text");
        conn.close().await;

        // `rollout verify` finds every invariant holding on the upgraded data.
        let verified = succeeded(&db.rollout(&["verify"]));
        assert!(
            verified.contains("no violations"),
            "from {from}: {verified}"
        );

        // Through the API: the old token still signs in and the procedure has its history.
        if from >= 2 {
            let served = serve(&db, "", &[]);
            let body = served
                .graphql(
                    FIXTURE_TOKEN,
                    "query($code: String) { procedure(code: $code) { code state { key } \
                     history(first: 20) { totalCount edges { node { from to actor } } } } }",
                    json!({ "code": "FUKUSHI-0001" }),
                )
                .await;
            let procedure = &body["data"]["procedure"];
            assert_eq!(procedure["code"], "FUKUSHI-0001", "from {from}: {body}");
            let steps: Vec<String> = procedure["history"]["edges"]
                .as_array()
                .expect("history")
                .iter()
                .map(|e| e["node"]["to"].as_str().unwrap_or_default().to_owned())
                .collect();
            let mut expected = vec!["hearing", "scheduled", "built"];
            if from >= 3 {
                expected.push("scheduled");
            }
            assert_eq!(steps, expected, "from {from}: {body}");
        }
    }
});

/// Marks `db` as migrated by a newer rollout: one more version than this build knows.
async fn from_the_future(db: &Db, version: i64) {
    let mut conn = Conn::open(db).await;
    let checksum = match db.backend {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    conn.script(&format!(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, \
         execution_time) VALUES ({version}, 'from a newer rollout', CURRENT_TIMESTAMP, TRUE, \
         {checksum}, 1);"
    ))
    .await
    .expect("record a newer migration");
    conn.close().await;
}

/// Runs `rollout ARGS --database-url URL` with `env`, failing the test if it has not exited
/// within a minute (a server that did not refuse would run forever).
fn run_bounded(db: &Db, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = Command::new(BIN)
        .current_dir(db.dir.path())
        .args(args)
        .args(["--database-url", &db.url])
        .envs(env.iter().copied())
        .env("ROLLOUT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rollout starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("rollout {args:?} still running after a minute: it did not refuse");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read stderr");
    (status.code(), stderr)
}

ops_both!(refuses_a_database_newer_than_itself, |backend| async move {
    let db = Db::fresh(backend).await;
    succeeded(&db.rollout(&["migrate"]));
    let latest = *versions(backend).await.last().expect("migrations");
    let newer = latest + 1;
    from_the_future(&db, newer).await;
    let mut conn = Conn::open(&db).await;
    let recorded = conn.recorded_versions().await;
    conn.close().await;

    let expected = format!(
        "is at schema version {newer}, newer than this rollout (version {latest}): upgrade rollout"
    );
    for (args, env) in [
        (vec!["migrate"], vec![]),
        (vec!["serve", "--listen", "127.0.0.1:0"], vec![]),
        (
            vec!["serve", "--listen", "127.0.0.1:0"],
            vec![("ROLLOUT_MIGRATE", "false")],
        ),
        (vec!["user", "list"], vec![]),
        (vec!["user", "list"], vec![("ROLLOUT_MIGRATE", "false")]),
    ] {
        let (code, stderr) = run_bounded(&db, &args, &env);
        assert_eq!(code, Some(1), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains(&expected), "{args:?} {env:?}: {stderr}");
    }
    let mut conn = Conn::open(&db).await;
    assert_eq!(
        conn.recorded_versions().await,
        recorded,
        "the newer database is left as it was"
    );
    conn.close().await;
});

ops_both!(
    concurrent_migrations_apply_each_once,
    |backend| async move {
        let db = Db::fresh(backend).await;
        let children: Vec<_> = (0..4)
            .map(|_| {
                Command::new(BIN)
                    .current_dir(db.dir.path())
                    .args(["migrate", "--database-url", &db.url])
                    .env("ROLLOUT_LOG", "warn")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("rollout migrate starts")
            })
            .collect();
        for child in children {
            succeeded(&child.wait_with_output().expect("wait"));
        }
        let mut conn = Conn::open(&db).await;
        let expected: Vec<String> = versions(backend)
            .await
            .iter()
            .map(|v| format!("{v}:1"))
            .collect();
        assert_eq!(conn.recorded_versions().await, expected);
        let tables = conn.tables().await;
        assert!(tables.contains(&"web_sessions".to_owned()), "{tables:?}");
        conn.close().await;
    }
);

ops_both!(
    replicas_starting_together_on_an_empty_database_all_serve,
    |backend| async move {
        let db = Db::fresh(backend).await;
        // Three servers at once on a database that does not exist yet (SQLite) or is empty
        // (PostgreSQL): each migrates or waits for the migration, and one of them creates the
        // first administrator; the others find it made.
        let served: Vec<crate::common::Served> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| crate::common::serve(&db, "", &[])))
                .collect();
            starts
                .into_iter()
                .map(|s| s.join().expect("serve"))
                .collect()
        });
        let tokens: Vec<&str> = served
            .iter()
            .map(|s| s.admin_token.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(tokens.len(), 1, "one start shows the administrator's token");
        for server in &served {
            let who = server
                .graphql(
                    tokens[0],
                    "{ viewer { role user { email } } }",
                    serde_json::json!({}),
                )
                .await;
            assert_eq!(who["data"]["viewer"]["role"], "ADMIN", "{who}");
        }
    }
);

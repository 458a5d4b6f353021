//! The deployment with two PostgreSQL roles (`deploy/postgres/roles.sql`): the schema's owner
//! migrates, the server runs as an application role with migrations off, works as usual, and
//! cannot rewrite the audit trail, disable its trigger or change the schema. With migrations off
//! a server refuses a schema that is not its build's, on either backend.
//!
//! Roles are cluster-wide, so their names carry the test database's name, and a guard drops
//! them after the database (even when the test fails). Not `both_backends!`: the role split is
//! PostgreSQL's; the SQLite half is only the refusal to start.

use std::net::SocketAddr;
use std::time::Duration;

use rollout_server::{ServerConfig, spawn};
use rollout_store_postgres::PgStore;
use rollout_store_postgres::testing::TestDatabase;
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};

use crate::common::{ok_data, post_graphql, postgres_admin_url};

const ROLES_SQL: &str = include_str!("../../deploy/postgres/roles.sql");

/// `url` with its user name replaced by `user` (no password: the test server trusts local
/// connections).
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}@{host}")
}

/// The roles script as psql would run it with `-v owner=... -v app=...`: psql's meta-commands
/// dropped, its `:'name'` variables substituted.
fn roles_script(owner: &str, app: &str) -> String {
    ROLES_SQL
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(":'owner_password'", "''")
        .replace(":'app_password'", "''")
        .replace(":'owner'", &format!("'{owner}'"))
        .replace(":'app'", &format!("'{app}'"))
}

/// Drops the test's roles when dropped, after the database that uses them (declare it first).
struct RolesGuard {
    admin_url: String,
    roles: Vec<String>,
}

impl Drop for RolesGuard {
    fn drop(&mut self) {
        let admin_url = std::mem::take(&mut self.admin_url);
        let roles = std::mem::take(&mut self.roles);
        // Its own thread and runtime: Drop cannot await, and the test's runtime may be busy.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test roles");
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await?;
                for role in roles {
                    admin
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP ROLE IF EXISTS \"{role}\""
                        )))
                        .await?;
                }
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test roles: {dropped:?}");
        }
    }
}

fn server_config(url: String, migrate: bool) -> ServerConfig {
    ServerConfig {
        migrate,
        ..ServerConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), url)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_role_cannot_rewrite_the_audit_trail() {
    let Some(admin_url) = postgres_admin_url() else {
        return;
    };
    let roles_guard;
    let db = TestDatabase::create_empty(&admin_url)
        .await
        .expect("an empty test database");
    let owner = format!("{}_owner", db.name());
    let app = format!("{}_app", db.name());
    roles_guard = RolesGuard {
        admin_url: admin_url.clone(),
        roles: vec![app.clone(), owner.clone()],
    };

    let mut superuser = PgConnection::connect(db.url()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(roles_script(&owner, &app)))
        .execute(&mut superuser)
        .await
        .expect("the roles script");
    superuser.close().await.unwrap();
    let (owner_url, app_url) = (as_user(db.url(), &owner), as_user(db.url(), &app));

    // Before `rollout migrate`: the server as the app role refuses to start, and says why.
    let refused = spawn(server_config(app_url.clone(), false))
        .await
        .expect_err("an unmigrated schema with migrations off");
    let message = format!("{refused:#}");
    assert!(
        message.contains("is behind this build (migrations 1, 2, 3")
            && message.contains("rollout migrate"),
        "{message}"
    );
    // The app role cannot migrate either.
    assert!(spawn(server_config(app_url.clone(), true)).await.is_err());

    let migrator = PgStore::connect(&owner_url).await.unwrap();
    migrator.migrate().await.expect("migrations as the owner");
    migrator.close().await;

    let server = spawn(server_config(app_url.clone(), false))
        .await
        .expect("the server as the app role");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let admin = server
        .admin_token()
        .expect("a first administrator")
        .to_owned();
    let gql = |query: &'static str| {
        let (client, url, admin) = (client.clone(), server.url(), admin.clone());
        async move {
            let reply = post_graphql(&client, &url, Some(&admin), &[], query, json!({})).await;
            ok_data(reply.body)
        }
    };
    let created = gql(
        r#"mutation { createBureau(input: { code: "KANKYO", nameJa: "環境局", nameEn: "Bureau of Environment" }) { errors { code } } }"#,
    )
    .await;
    assert_eq!(created["createBureau"]["errors"], json!([]), "{created}");
    let trail = gql("{ auditLog(first: 100) { totalCount } }").await;
    let entries = trail["auditLog"]["totalCount"].as_i64().unwrap();
    assert!(
        entries >= 2,
        "the first administrator and the bureau: {trail}"
    );

    let mut as_app = PgConnection::connect(&app_url).await.unwrap();
    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "DROP TABLE audit_log",
        "SET session_replication_role = replica",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'forged', true, '\\x00', 0)",
        "CREATE TABLE shadow (id int)",
    ] {
        let err = as_app.execute(statement).await.expect_err(statement);
        let db_err = err
            .as_database_error()
            .unwrap_or_else(|| panic!("{statement}: {err}"));
        assert_eq!(
            db_err.code().as_deref(),
            Some("42501"),
            "{statement}: {err}"
        );
        let message = db_err.message();
        assert!(
            message.starts_with("permission denied") || message.starts_with("must be owner"),
            "{statement}: {message}"
        );
    }
    as_app.close().await.unwrap();
    let trail = gql("{ auditLog(first: 100) { totalCount } }").await;
    assert_eq!(
        trail["auditLog"]["totalCount"],
        json!(entries),
        "nothing was rewritten"
    );

    server.shutdown().await.unwrap();
    drop(db);
    drop(roles_guard);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_off_refuses_an_unmigrated_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}/rollout.db", dir.path().display());
    let refused = spawn(server_config(url.clone(), false))
        .await
        .expect_err("an empty database with migrations off");
    let message = format!("{refused:#}");
    assert!(
        message.contains("is behind this build") && message.contains("rollout migrate"),
        "{message}"
    );
    // Once migrated, the same setting starts.
    let server = spawn(server_config(url.clone(), true)).await.unwrap();
    server.shutdown().await.unwrap();
    let server = spawn(server_config(url, false)).await.unwrap();
    server.shutdown().await.unwrap();
}

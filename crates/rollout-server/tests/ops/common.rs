//! The harness of the operations tests: a fresh database per test ([`Db`]), the `rollout` binary
//! run as a command ([`rollout`]) or served ([`Served`], its stderr kept for log assertions), a
//! signed-in GraphQL client ([`Served::graphql`]) and the twin-test macro [`ops_both!`].
#![allow(dead_code)] // each test file uses its own part of the harness

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rollout_store_postgres::testing::TestDatabase;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The binary under test, built by cargo for this package's tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_rollout");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test per backend: `ops_both!(name, |backend| async move { ... });` makes
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! ops_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::common::postgres_admin_url().is_none() {
                    return;
                }
                ($body)($crate::common::Backend::Postgres).await;
            }
        }
    };
}

/// The PostgreSQL admin URL, or `None` when the PostgreSQL half is skipped (never under CI).
pub fn postgres_admin_url() -> Option<String> {
    rollout_store_postgres::testing::admin_url_from_env()
}

/// A fresh, empty database (not migrated: the binary migrates it) and a working directory.
pub struct Db {
    pub backend: Backend,
    pub url: String,
    /// The working directory of every command run on this database (SQLite's file lives here).
    pub dir: TempDir,
    pg: Option<TestDatabase>,
}

impl Db {
    pub async fn fresh(backend: Backend) -> Db {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match backend {
            Backend::Sqlite => Db {
                backend,
                url: format!("sqlite:{}", dir.path().join("rollout.db").display()),
                dir,
                pg: None,
            },
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("PostgreSQL URL");
                let pg = TestDatabase::create_empty(&admin)
                    .await
                    .expect("a PostgreSQL test database");
                Db {
                    backend,
                    url: pg.url().to_owned(),
                    dir,
                    pg: Some(pg),
                }
            }
        }
    }

    /// An existing database at `url` (made by the test some other way), with a fresh working
    /// directory.
    pub fn at(backend: Backend, url: &str) -> Db {
        Db {
            backend,
            url: url.to_owned(),
            dir: tempfile::tempdir().expect("a temporary directory"),
            pg: None,
        }
    }

    /// The SQLite file (panics on PostgreSQL).
    pub fn sqlite_file(&self) -> PathBuf {
        assert_eq!(self.backend, Backend::Sqlite);
        self.dir.path().join("rollout.db")
    }

    /// Runs `rollout ARGS --database-url URL` in the working directory and waits for it.
    pub fn rollout(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--database-url", &self.url]);
        rollout(self.dir.path(), &all, &[])
    }
}

impl Db {
    /// Adds a user with `role` (and `bureau`) through the CLI and returns a new API token of theirs.
    pub fn user_with_token(&self, email: &str, role: &str, bureau: Option<&str>) -> String {
        let mut add = vec![
            "user", "add", "--email", email, "--name", email, "--role", role,
        ];
        if let Some(bureau) = bureau {
            add.extend(["--bureau", bureau]);
        }
        succeeded(&self.rollout(&add));
        self.token_of(email)
    }

    /// A new API token of the user `email`, made with the CLI.
    pub fn token_of(&self, email: &str) -> String {
        let out =
            succeeded(&self.rollout(&["token", "create", "--user", email, "--name", "ops test"]));
        out.split_whitespace()
            .find(|w| w.starts_with("rlt_"))
            .unwrap_or_else(|| panic!("no token in {out}"))
            .to_owned()
    }
}

/// Runs `rollout ARGS` in `dir` with `env` added, and waits for it.
pub fn rollout(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .envs(env.iter().copied())
        .env("ROLLOUT_LOG", "warn")
        .output()
        .expect("rollout runs")
}

/// Panics with the command's output unless it succeeded; returns its stdout.
pub fn succeeded(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "rollout failed ({}):\nstdout: {stdout}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A running `rollout serve`: its URL, the administrator's token printed on first start, and
/// every line it wrote to stderr (the logs), collected by a thread.
pub struct Served {
    pub child: Child,
    pub url: String,
    pub admin_token: String,
    pub stdout: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

/// Starts `rollout serve --listen 127.0.0.1:0` on `db`, with `config` written to `rollout.toml`
/// in its working directory (empty for the defaults) and `env` added; waits for it to serve.
pub fn serve(db: &Db, config: &str, env: &[(&str, &str)]) -> Served {
    serve_at(db, &db.url, config, env)
}

/// [`serve`] with another URL for `db` (through a proxy, say).
pub fn serve_at(db: &Db, url: &str, config: &str, env: &[(&str, &str)]) -> Served {
    std::fs::write(db.dir.path().join("rollout.toml"), config).expect("write rollout.toml");
    let mut child = Command::new(BIN)
        .current_dir(db.dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .env("ROLLOUT_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rollout serve starts");
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let lines = Arc::clone(&stderr);
    let pipe = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            lines.lock().expect("log lines").push(line);
        }
    });
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let url = loop {
        let mut line = String::new();
        let read = out.read_line(&mut line).expect("read stdout");
        assert!(
            read > 0,
            "rollout serve exited before serving; stdout: {printed}\nstderr: {}",
            stderr.lock().unwrap().join("\n")
        );
        printed.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("rollout is serving; GraphiQL at ") {
            break rest
                .strip_suffix("/graphql")
                .expect("URL/graphql")
                .to_owned();
        }
    };
    // Keep draining stdout so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines().map_while(Result::ok) {});
    let admin_token = printed
        .split_whitespace()
        .find(|w| w.starts_with("rlt_"))
        .unwrap_or_default()
        .to_owned();
    Served {
        child,
        url,
        admin_token,
        stdout: printed,
        stderr,
    }
}

impl Served {
    /// Every stderr line so far.
    pub fn logs(&self) -> Vec<String> {
        self.stderr.lock().expect("log lines").clone()
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit and returns its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(
                start.elapsed() < limit,
                "rollout serve did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs a GraphQL operation with `token`; returns the whole response body.
    pub async fn graphql(&self, token: &str, query: &str, variables: Value) -> Value {
        reqwest::Client::new()
            .post(format!("{}/graphql", self.url))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql")
            .json()
            .await
            .expect("a JSON body")
    }
}

/// A WebSocket to the server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Served {
    /// A `graphql-transport-ws` connection signed in with `token` and subscribed (id `1`) to
    /// every procedure event; the subscription is not yet known to be live.
    pub async fn subscribe_to_procedure_events(&self, token: &str) -> Socket {
        use futures::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        use tokio_tungstenite::tungstenite::http::HeaderValue;

        let url = format!("{}/graphql/ws", self.url.replacen("http://", "ws://", 1));
        let mut request = url.as_str().into_client_request().expect("a ws:// URL");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the WebSocket handshake");
        let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}});
        socket.send(Message::text(init.to_string())).await.unwrap();
        let ack = socket.next().await.expect("an answer").expect("a message");
        assert_eq!(ack.to_text().unwrap(), r#"{"type":"connection_ack"}"#);
        let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query":
            "subscription { procedureEvents { kind procedure { code } } }"}});
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        socket
    }

    /// The code of every procedure `token` can see, paging through the whole list.
    pub async fn procedure_codes(&self, token: &str) -> BTreeSet<String> {
        let query = "query($after: String) { procedures(first: 100, after: $after) {
            pageInfo { hasNextPage endCursor } edges { node { code } } } }";
        let mut codes = BTreeSet::new();
        let mut after = Value::Null;
        loop {
            let page = self.graphql(token, query, json!({ "after": after })).await;
            let list = &page["data"]["procedures"];
            let edges = list["edges"]
                .as_array()
                .unwrap_or_else(|| panic!("no procedures in {page}"));
            codes.extend(
                edges
                    .iter()
                    .map(|e| e["node"]["code"].as_str().expect("a code").to_owned()),
            );
            if list["pageInfo"]["hasNextPage"] != json!(true) {
                return codes;
            }
            after = list["pageInfo"]["endCursor"].clone();
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Request lines drown the rest: leave them out.
            let logs: Vec<String> = self
                .logs()
                .into_iter()
                .filter(|l| !l.contains("finished processing request"))
                .collect();
            let tail = &logs[logs.len().saturating_sub(150)..];
            eprintln!("the server's last log lines:\n{}", tail.join("\n"));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `statements` on `db` behind the application's back, as a person with a SQL prompt (or
/// a restore with checks off) could: SQLite with `foreign_keys` off, PostgreSQL with triggers
/// (and so foreign keys) off for the session (`session_replication_role = replica`).
pub async fn raw_sql(db: &Db, statements: &[String]) {
    raw_sql_at(db.backend, &db.url, statements).await;
}

/// [`raw_sql`] on the database at `url` (a restored copy, a backup file).
pub async fn raw_sql_at(backend: Backend, url: &str, statements: &[String]) {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    // The same loop on either connection type.
    macro_rules! run_all {
        ($conn:ident) => {
            for sql in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut $conn)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        };
    }
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .expect("SQLite URL")
                .foreign_keys(false)
                .connect()
                .await
                .expect("connect to SQLite");
            run_all!(conn);
            conn.close().await.expect("close");
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::raw_sql("SET session_replication_role = replica")
                .execute(&mut conn)
                .await
                .expect("triggers off");
            run_all!(conn);
            conn.close().await.expect("close");
        }
    }
}

/// The first column of every row `sql` returns, as text (cast it in the query).
pub async fn raw_strings(db: &Db, sql: &str) -> Vec<String> {
    raw_strings_at(db.backend, &db.url, sql).await
}

/// [`raw_strings`] on the database at `url`.
pub async fn raw_strings_at(backend: Backend, url: &str, sql: &str) -> Vec<String> {
    use sqlx::Connection;
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(url)
                .await
                .expect("connect to SQLite");
            sqlx::query_scalar(sql)
                .fetch_all(&mut conn)
                .await
                .expect("query")
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query_scalar(sql)
                .fetch_all(&mut conn)
                .await
                .expect("query")
        }
    }
}

/// The exit code of a finished command.
pub fn exit_code(output: &Output) -> i32 {
    output.status.code().expect("exited with a code")
}

/// stdout and stderr of a finished command, together, for assertions on its words.
pub fn all_output(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

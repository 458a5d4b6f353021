//! The reminder guarantees with real processes, as an operator runs them: several `rollout
//! serve` replicas on one database with a per-second rule (one replica killed with SIGKILL and
//! restarted mid-run), and two `rollout reminders run-once --now T` processes stepping a second
//! rule through 100 daily ticks side by side. Afterwards the database must hold exactly one
//! firing per tick, with no gap, and each recipient exactly one notification per firing. On
//! PostgreSQL with three replicas; on SQLite with one server (SQLite is one server's database)
//! and the same two run-once processes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rollout");

fn command(db: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ROLLOUT_")) {
        cmd.env_remove(key);
    }
    cmd.env("ROLLOUT_DATABASE_URL", db)
        .env("ROLLOUT_LOG", "warn");
    cmd
}

/// A running `rollout serve`: its URL and, on first start, the administrator's token.
struct Server {
    child: Child,
    url: String,
    admin_token: Option<String>,
}

fn serve(db: &str, dir: &Path) -> Server {
    let mut child = command(db, dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("rollout serve starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut token, mut next_is_token) = (None, false);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rollout serve did not print its address in time");
        };
        let line = line.trim().to_owned();
        if next_is_token && !line.is_empty() {
            token = Some(line.clone());
            next_is_token = false;
        }
        if line.contains("Their API token, shown only now") {
            next_is_token = true;
        }
        if let Some(rest) = line.strip_prefix("rollout is serving; GraphiQL at ") {
            let url = rest.trim_end_matches("/graphql").to_owned();
            return Server {
                child,
                url,
                admin_token: token,
            };
        }
    }
}

fn terminate(server: &mut Server) {
    let _ = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if server.child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.child.kill();
}

/// One GraphQL request, waited for (these tests drive processes, so they are synchronous).
fn gql(url: &str, token: &str, query: &str, vars: Value) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: Value = runtime.block_on(async {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(format!("{url}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": vars }))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a JSON answer")
    });
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn payload(data: &Value, field: &str) -> Value {
    let p = &data[field];
    assert_eq!(p["errors"], json!([]), "{field}: {p}");
    p.clone()
}

/// Creates the project-office user with a token, a milestone every rule reports, and the two
/// rules; returns (project office token, per-second rule id, daily rule id).
fn set_up(url: &str, admin: &str) -> (String, String, String) {
    let user = payload(
        &gql(
            url,
            admin,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } errors { code message } } }",
            json!({"i": {"email": "po@metro.tokyo.lg.jp", "displayName": "プロジェクト室", "role": "PROJECT_OFFICE"}}),
        ),
        "createUser",
    );
    let po = payload(
        &gql(url, admin, "mutation($i: CreateTokenInput!) { createToken(input: $i) { secret errors { code message } } }",
            json!({"i": {"name": "reminders test", "userId": user["user"]["id"]}})),
        "createToken",
    )["secret"].as_str().unwrap().to_owned();
    payload(
        &gql(
            url,
            &po,
            "mutation($i: CreateMilestoneInput!) { createMilestone(input: $i) { milestone { id } errors { code message } } }",
            json!({"i": {"name": "SaaS電子申請基盤の稼働", "plannedOn": "2027-03-31"}}),
        ),
        "createMilestone",
    );
    let rule = |name: &str, schedule: &str| {
        payload(
            &gql(url, &po, "mutation($i: CreateReminderRuleInput!) { createReminderRule(input: $i) { rule { id } errors { code message path } } }",
                json!({"i": {"name": name, "schedule": schedule, "kind": "MILESTONE_DUE", "days": 3650,
                    "scope": {}, "recipients": {"projectOffice": true}, "channels": ["IN_APP"]}})),
            "createReminderRule",
        )["rule"]["id"].as_str().unwrap().to_owned()
    };
    (
        po.clone(),
        rule("毎秒の確認", "* * * * * *"),
        rule("毎朝9時", "0 9 * * *"),
    )
}

/// The next `n` 09:00 Tokyo instants after `after`.
fn daily_ticks(after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
    let mut first = Utc.from_utc_datetime(&after.date_naive().and_hms_opt(0, 0, 0).unwrap());
    while first <= after {
        first += chrono::Duration::days(1);
    }
    (0..n as i64)
        .map(|k| first + chrono::Duration::days(k))
        .collect()
}

/// Steps the daily rule: for each tick, two run-once processes at once.
fn step(db: &str, dir: &Path, ticks: &[DateTime<Utc>]) {
    for tick in ticks {
        let now = tick.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let children: Vec<Child> = (0..2)
            .map(|_| {
                command(db, dir)
                    .args(["reminders", "run-once", "--rule", "毎朝9時", "--now", &now])
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("run-once starts")
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "run-once --now {now} failed");
        }
    }
}

/// What a backend reads back for one rule (by name): its firings' ticks and, per firing, the
/// number of notifications and of distinct recipients.
struct Firings {
    ticks: Vec<DateTime<Utc>>,
    /// (firing, notifications in it, of which distinct users)
    per_firing: Vec<(i64, i64)>,
}

fn check(rule: &str, f: &Firings, expected: Option<&[DateTime<Utc>]>) {
    let mut sorted = f.ticks.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        f.ticks.len(),
        "rule {rule}: a tick fired twice"
    );
    match expected {
        Some(e) => assert_eq!(sorted, e, "rule {rule}: exactly the stepped ticks fired"),
        None => {
            assert!(
                sorted.len() >= 10,
                "rule {rule}: only {} firings",
                sorted.len()
            );
            let span = (*sorted.last().unwrap() - sorted[0]).num_seconds() + 1;
            assert_eq!(
                span as usize,
                sorted.len(),
                "rule {rule}: a second was skipped"
            );
        }
    }
    for (n, users) in &f.per_firing {
        assert_eq!(
            (*n, *users),
            (1, 1),
            "rule {rule}: one notification for the one recipient per firing"
        );
    }
}

fn pause_rule(url: &str, po: &str, rule: &str) {
    let data = gql(
        url,
        po,
        "query($id: ID!) { node(id: $id) { ... on ReminderRule { version } } }",
        json!({"id": rule}),
    );
    let version = data["node"]["version"].as_i64().unwrap();
    payload(
        &gql(
            url,
            po,
            "mutation($i: SetReminderRuleEnabledInput!) { setReminderRuleEnabled(input: $i) { rule { enabled } errors { code message } } }",
            json!({"i": {"id": rule, "expectedVersion": version, "enabled": false}}),
        ),
        "setReminderRuleEnabled",
    );
}

mod postgres;
mod sqlite;

/// Runs the scenario on `db` with `replicas` servers and checks what the database holds.
fn scenario(db: &str, replicas: usize, read: &dyn Fn(&str) -> Firings) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut servers = vec![serve(db, dir.path())];
    let admin = servers[0]
        .admin_token
        .clone()
        .expect("the first start made an administrator");
    let (po, rule1, _rule2) = set_up(&servers[0].url, &admin);
    for _ in 1..replicas {
        servers.push(serve(db, dir.path()));
    }
    // `preview` lists the daily rule's next mornings in Tokyo time.
    let preview = command(db, dir.path())
        .args(["reminders", "preview", "毎朝9時", "--count", "3"])
        .output()
        .unwrap();
    assert!(
        preview.status.success(),
        "{}",
        String::from_utf8_lossy(&preview.stderr)
    );
    let lines: Vec<String> = String::from_utf8_lossy(&preview.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains(" 09:00:00 JST") && l.contains("T00:00:00Z")),
        "{lines:?}"
    );
    // Without --now, run-once evaluates up to the clock (to the microsecond).
    let plain = command(db, dir.path())
        .args(["reminders", "run-once", "--rule", "毎朝9時"])
        .output()
        .unwrap();
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    assert!(String::from_utf8_lossy(&plain.stdout).starts_with("evaluated up to "));
    let ticks = daily_ticks(Utc::now(), 100);
    let stepper = {
        let (db, dir, ticks) = (db.to_owned(), dir.path().to_owned(), ticks.clone());
        std::thread::spawn(move || step(&db, &dir, &ticks))
    };
    std::thread::sleep(Duration::from_secs(6));
    // SIGKILL: no shutdown, no lease given back, nothing flushed.
    let victim = servers.len() - 1;
    servers[victim].child.kill().unwrap();
    servers[victim].child.wait().unwrap();
    servers[victim] = serve(db, dir.path());
    while started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(200));
    }
    stepper.join().expect("the run-once steps succeeded");
    pause_rule(&servers[0].url, &po, &rule1);
    for s in &mut servers {
        terminate(s);
    }
    check("毎秒の確認", &read("毎秒の確認"), None);
    check("毎朝9時", &read("毎朝9時"), Some(&ticks));
}

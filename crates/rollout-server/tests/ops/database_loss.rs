//! A replica that loses its database (docs/operations.md, "Health and readiness"): PostgreSQL
//! becomes unreachable under load — every connection cut and new ones refused, as when the
//! database server stops or fails over — so `/readyz` answers 503; when it is reachable again
//! the replica recovers by itself: ready, reads and writes succeed, and the event relay
//! (LISTEN/NOTIFY) delivers to a subscription opened before the loss.
//!
//! Two losses (`outage.rs`): every connection cut by a TCP proxy (a partition or failover), and
//! a PostgreSQL server of the test's own stopped with `pg_ctl stop -m fast` and started again
//! (the shared server, which other tests use at the same time, is never stopped). PostgreSQL
//! only, by nature: an embedded SQLite file cannot be lost this way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Backend, Db, Served, postgres_admin_url, serve_at};
use crate::outage::{Cluster, Proxy, through};

/// Polls `/readyz` until it answers `status`; panics after a minute.
async fn wait_for_readiness(served: &Served, status: u16) {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        let answer = client.get(format!("{}/readyz", served.url)).send().await;
        if answer.is_ok_and(|r| r.status() == status) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/readyz never answered {status}");
}

const CREATE: &str = "mutation($input: CreateProcedureInput!) {
    createProcedure(input: $input) { procedure { code } errors { code message } } }";

async fn create(served: &Served, token: &str, code: &str) -> Value {
    served
        .graphql(
            token,
            CREATE,
            json!({ "input": { "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
                    "category": "STANDARD", "authority": "TOKYO" } }),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_cut_off_from_postgresql_is_not_ready_and_recovers_by_itself() {
    if postgres_admin_url().is_none() {
        return;
    }
    let db = Db::fresh(Backend::Postgres).await;
    let (_, upstream) = through(&db.url, "127.0.0.1:1".parse().unwrap());
    let proxy = Proxy::start(upstream).await;
    let (url, _) = through(&db.url, proxy.addr);
    loses_and_recovers(&db, &url, || proxy.cut(), || proxy.restore()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_postgresql_stops_is_not_ready_and_recovers_when_it_starts() {
    // Needs the PostgreSQL server binaries as well as the shared server: required under CI.
    if postgres_admin_url().is_none() {
        return;
    }
    let cluster = Cluster::start_new()
        .unwrap_or_else(|e| panic!("cannot run a private PostgreSQL server: {e}"));
    let db = Db::at(Backend::Postgres, &cluster.url());
    let url = db.url.clone();
    let stop = || tokio::task::block_in_place(|| cluster.stop().expect("pg_ctl stop"));
    let start = || tokio::task::block_in_place(|| cluster.start().expect("pg_ctl start"));
    loses_and_recovers(&db, &url, stop, start).await;
}

/// Serves `db` at `url` under load, loses the database with `lose`, checks the replica says it
/// is not ready and answers errors, gets it back with `regain`, and checks the replica recovers
/// by itself: ready, writes stored, the relay delivering to a subscription opened before.
async fn loses_and_recovers(db: &Db, url: &str, lose: impl Fn(), regain: impl Fn()) {
    let served = serve_at(db, url, "[http]\nrate_limit_per_second = 0\n", &[]);
    let admin = served.admin_token.clone();
    let bureau = served
        .graphql(
            &admin,
            "mutation { createBureau(input: { code: \"KANKYO\", nameJa: \"環境局\", nameEn: \"Bureau of Environment\" }) { errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        bureau["data"]["createBureau"]["errors"],
        json!([]),
        "{bureau}"
    );
    let token = db.user_with_token("po@rollout.local", "PROJECT_OFFICE", None);

    // A subscription that lives through the loss.
    let mut socket = served.subscribe_to_procedure_events(&admin).await;

    // Live before the loss: a procedure created now is heard of.
    let created = create(&served, &token, "KANKYO-0000").await;
    assert_eq!(
        created["data"]["createProcedure"]["errors"],
        json!([]),
        "{created}"
    );
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("the subscription is live")
        .unwrap()
        .unwrap();
    assert!(
        first.to_text().unwrap().contains("KANKYO-0000"),
        "{first:?}"
    );

    // Load: readers listing procedures until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (url, token, stop, answered) = (
                served.url.clone(),
                token.clone(),
                stop.clone(),
                answered.clone(),
            );
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                while !stop.load(Ordering::SeqCst) {
                    let sent = client
                        .post(format!("{url}/graphql"))
                        .bearer_auth(&token)
                        .json(&json!({"query": "{ procedures(first: 20) { totalCount } }"}))
                        .timeout(Duration::from_secs(60))
                        .send()
                        .await;
                    // Every request gets an answer, during the loss too (an error, not a hang).
                    let response =
                        sent.unwrap_or_else(|e| panic!("the replica did not answer: {e}"));
                    let body: Value = response.json().await.expect("a GraphQL answer");
                    assert!(
                        body["data"]["procedures"]["totalCount"].is_number()
                            || body["errors"].is_array(),
                        "{body}"
                    );
                    answered.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    wait_for_readiness(&served, 200).await;

    lose();
    wait_for_readiness(&served, 503).await;
    let during = create(&served, &token, "KANKYO-0001").await;
    assert!(
        during["errors"].is_array() || during["data"]["createProcedure"]["errors"] != json!([]),
        "a write succeeded without a database: {during}"
    );

    regain();
    wait_for_readiness(&served, 200).await;
    // Writes work again, and the relay is back: the subscription opened before the loss hears
    // of procedures created now. Events sent while this replica's listener was still
    // reconnecting are lost (notifications are not stored; clients reload after a gap), so a
    // few writes may pass before one is heard of.
    let mut heard = None;
    for probe in 2..60 {
        let code = format!("KANKYO-{probe:04}");
        let after = create(&served, &token, &code).await;
        if after["data"]["createProcedure"]["errors"] != json!([]) {
            // The pool may still meet a connection it has not yet found dead.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let wait = tokio::time::timeout(Duration::from_secs(1), async {
            loop {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        let message: Value = serde_json::from_str(&text).unwrap();
                        let event = message["payload"]["data"]["procedureEvents"].clone();
                        if event["procedure"]["code"] == code.as_str() {
                            return event;
                        }
                    }
                    Some(Ok(_)) => {}
                    other => panic!("the subscription ended: {other:?}"),
                }
            }
        })
        .await;
        if let Ok(event) = wait {
            heard = Some((code, event));
            break;
        }
    }
    let (code, event) = heard.expect("no event after recovery: the relay did not reconnect");
    assert_eq!(event["kind"], "CREATED", "{event}");
    let before = answered.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    for reader in readers {
        reader.await.unwrap();
    }
    assert!(before > 0);
    assert!(
        served.procedure_codes(&token).await.contains(&code),
        "the write after recovery is stored"
    );
}

//! SIGTERM under load (docs/operations.md, "Health and readiness"): `/readyz` turns 503 at the
//! signal while requests are still answered for `shutdown_delay_secs`; then the listener closes,
//! every request that got an answer got a successful one, an open subscription is closed with
//! 1001 ("going away"), the process exits 0 within the grace, and every acknowledged write is
//! in the database when a server starts on it again. A request still in flight when the grace
//! runs out is cut, and the exit status and message say so.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Backend, Db, serve};
use crate::ops_both;

/// Writers at once, as the "8 concurrent writers".
const WRITERS: usize = 8;

const CREATE: &str = "mutation($input: CreateProcedureInput!) {
    createProcedure(input: $input) { procedure { code } errors { code message } } }";

/// What one writer saw: the codes the server acknowledged, and any answer that was not a
/// success (which must never happen).
#[derive(Debug, Default)]
struct Seen {
    acknowledged: Vec<String>,
    failed_answers: Vec<String>,
    sent_after_signal: usize,
}

async fn writer(url: String, token: String, n: usize, signalled: Arc<AtomicBool>) -> Seen {
    let client = reqwest::Client::new();
    let mut seen = Seen::default();
    for i in 0.. {
        let code = format!("KANKYO-{n}{i:03}");
        let after_signal = signalled.load(Ordering::SeqCst);
        let body = json!({ "query": CREATE, "variables": { "input": {
            "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO" } } });
        let response = client
            .post(format!("{url}/graphql"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            // Refused or closed before an answer: not acknowledged, and the server is going.
            Err(e) => {
                assert!(after_signal || signalled.load(Ordering::SeqCst), "{e}");
                return seen;
            }
        };
        if after_signal {
            seen.sent_after_signal += 1;
        }
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let payload = &answer["data"]["createProcedure"];
        if status == 200 && payload["errors"] == json!([]) && payload["procedure"]["code"] == code {
            seen.acknowledged.push(code);
        } else {
            seen.failed_answers.push(format!("{status} {answer}"));
            return seen; // one is enough to fail the test
        }
        if i > 2000 {
            panic!("the server never stopped");
        }
    }
    seen
}

ops_both!(
    sigterm_under_load_loses_no_acknowledged_request,
    |backend: Backend| async move {
        let db = Db::fresh(backend).await;
        let config = "[http]\nshutdown_delay_secs = 5\nshutdown_grace_secs = 20\nrate_limit_per_second = 0\n";
        let mut served = serve(&db, config, &[]);
        let token = served.admin_token.clone();
        let created = served
        .graphql(
            &token,
            "mutation { createBureau(input: { code: \"KANKYO\", nameJa: \"環境局\", nameEn: \"Bureau of Environment\" }) { errors { code } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            created["data"]["createBureau"]["errors"],
            json!([]),
            "{created}"
        );

        // A subscription, open when the signal comes.
        let mut socket = served.subscribe_to_procedure_events(&token).await;

        let po = db.user_with_token("po@rollout.local", "PROJECT_OFFICE", None);
        let signalled = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|n| tokio::spawn(writer(served.url.clone(), po.clone(), n, signalled.clone())))
            .collect();
        // Load first: wait until the writers together have been acknowledged a few times.
        let client = reqwest::Client::new();
        let count = "{ procedures(first: 1) { totalCount } }";
        for _ in 0..600 {
            let total =
                served.graphql(&token, count, json!({})).await["data"]["procedures"]["totalCount"]
                    .as_i64()
                    .unwrap_or(0);
            if total >= 3 * WRITERS as i64 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            client
                .get(format!("{}/readyz", served.url))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        signalled.store(true, Ordering::SeqCst);
        served.sigterm();

        // During the delay: not ready (once the signal is handled), and still answering.
        let mut readiness = None;
        for _ in 0..200 {
            let answer = client.get(format!("{}/readyz", served.url)).send().await;
            let answer = answer.expect("still serving during the delay");
            if answer.status() == 503 {
                readiness = Some(answer.text().await.unwrap());
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(readiness.as_deref(), Some("shutting down"));
        let answered = served.graphql(&token, count, json!({})).await;
        assert!(
            answered["data"]["procedures"]["totalCount"].is_number(),
            "{answered}"
        );

        // The subscription is told the server is going away.
        let close = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(frame) = socket.next().await {
                if let Ok(Message::Close(frame)) = frame {
                    return frame.map(|f| u16::from(f.code));
                }
            }
            None
        })
        .await
        .expect("the subscription was closed in time");
        assert_eq!(close, Some(1001));

        assert_eq!(served.wait_exit(Duration::from_secs(30)), Some(0));
        let mut acknowledged = BTreeSet::new();
        let mut after_signal = 0;
        for writer in writers {
            let seen = writer.await.unwrap();
            assert_eq!(
                seen.failed_answers,
                Vec::<String>::new(),
                "an answer that was not a success"
            );
            after_signal += seen.sent_after_signal;
            acknowledged.extend(seen.acknowledged);
        }
        assert!(acknowledged.len() >= 3 * WRITERS, "{}", acknowledged.len());
        // Requests still came in during the delay and were answered.
        assert!(after_signal > 0, "no request was answered after the signal");
        let logs = served.logs().join("\n");
        assert!(logs.contains("stopping: /readyz answers 503"), "{logs}");
        drop(served);

        // Nothing acknowledged is lost.
        let again = serve(&db, "", &[]);
        let token = db.token_of("po@rollout.local");
        let stored = again.procedure_codes(&token).await;
        let lost: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
    }
);

ops_both!(
    a_request_outliving_the_grace_is_cut_and_the_exit_says_so,
    |backend: Backend| async move {
        use tokio::io::AsyncWriteExt;

        let db = Db::fresh(backend).await;
        let mut served = serve(
            &db,
            "[http]\nshutdown_grace_secs = 2\n",
            &[("ROLLOUT_LOG", "info,tower_http=debug")],
        );
        // A request whose body never finishes arriving: in flight until the client gives up.
        let mut slow = tokio::net::TcpStream::connect(served.url.trim_start_matches("http://"))
            .await
            .unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: rollout\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {}\r\nContent-Length: 1000\r\n\r\n{{\"query\":",
            served.admin_token
        );
        slow.write_all(head.as_bytes()).await.unwrap();
        slow.flush().await.unwrap();
        // In flight once the server has read its head, which tower-http's trace says at debug.
        let started = |s: &crate::common::Served| {
            s.logs()
                .iter()
                .any(|l| l.contains("started processing request"))
        };
        for _ in 0..500 {
            if started(&served) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(started(&served), "the slow request never started");
        served.sigterm();
        let code = served.wait_exit(Duration::from_secs(15));
        let logs = served.logs().join("\n");
        assert_eq!(code, Some(1), "{logs}");
        assert!(
            logs.contains("did not stop within its shutdown grace of 2 s"),
            "{logs}"
        );
        drop(slow);
    }
);

//! Reminder e-mail end to end, on both backends: a firing's digests leave through SMTP to a
//! local sink the test starts, one message per recipient, subject and body in each recipient's
//! language (Japanese by default, English for who chose it).

use std::time::Duration;

use chrono::Utc;
use rollout_scheduler::delivery::email::testing::{decode_words, parse, smtp_sink};
use rollout_scheduler::delivery::{EmailConfig, EmailTransportConfig, TlsMode};
use serde_json::json;

use crate::common::{Options, TestServer, daily_ticks, ok_data, start};

async fn run(backend: crate::common::Backend) {
    let (port, log) = smtp_sink("250 OK").await;
    let reminders = rollout_server::reminder_config::ReminderConfig {
        email: EmailTransportConfig::Smtp(EmailConfig {
            host: "127.0.0.1".into(),
            port: Some(port),
            tls: TlsMode::None,
            username: None,
            password: None,
            from: "rollout <rollout@metro.tokyo.lg.jp>".into(),
            timeout: Duration::from_secs(5),
        }),
        max_sleep: Duration::from_secs(1),
        ..Default::default()
    };
    let options = Options {
        reminders: Some(reminders),
        ..Options::default()
    };
    let Some((server, harness)) = start(backend, options).await else {
        return;
    };
    digests_arrive_in_each_language(&server, &log).await;
    harness.shutdown().await;
}

async fn digests_arrive_in_each_language(
    server: &TestServer,
    log: &rollout_scheduler::delivery::email::testing::Log,
) {
    let set = ok_data(
        server
            .gql_as(
                &server.po2,
                "mutation { setMyLanguage(input: { language: EN }) { language errors { code } } }",
                json!({}),
            )
            .await,
    );
    assert_eq!(set["setMyLanguage"]["language"], "EN");
    server.milestone("SaaS電子申請基盤の稼働").await;
    server
        .daily_milestone_rule("朝のメール", json!(["EMAIL"]), json!({}))
        .await;
    let report = server.run_once(daily_ticks(Utc::now(), 1)[0]).await;
    assert_eq!(
        report.firings[0].deliveries, 3,
        "one e-mail per project-office member"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while log.lock().unwrap().len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the e-mails did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let received: Vec<(Vec<String>, String)> = log
        .lock()
        .unwrap()
        .iter()
        .map(|m| (m.rcpt_to.clone(), m.data.clone()))
        .collect();
    let find = |email: &str| {
        let m = received
            .iter()
            .find(|(to, _)| to.iter().any(|r| r.contains(email)))
            .unwrap_or_else(|| panic!("no message to {email}"));
        parse(&m.1)
    };
    let ja = find(&server.po.email);
    assert_eq!(
        decode_words(ja.header("subject")),
        "【rollout】期日が近いマイルストーン（1件）"
    );
    assert!(
        ja.body
            .contains("- SaaS電子申請基盤の稼働: 期日 2027年3月1日"),
        "{}",
        ja.body
    );
    let en = find(&server.po2.email);
    assert_eq!(
        decode_words(en.header("subject")),
        "[rollout] Milestones due (1)"
    );
    assert!(
        en.body.contains("- SaaS電子申請基盤の稼働: due 2027-03-01"),
        "{}",
        en.body
    );
    // The outbox empties: every delivery is recorded DELIVERED (just after the sink's reply).
    loop {
        let status = ok_data(
            server
                .gql(
                    "{ schedulerStatus { outboxDepth deadDeliveries } }",
                    json!({}),
                )
                .await,
        );
        if status["schedulerStatus"] == json!({"outboxDepth": 0, "deadDeliveries": 0}) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    run(crate::common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    run(crate::common::Backend::Postgres).await;
}

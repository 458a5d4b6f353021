//! E-mail sent to a tiny SMTP sink on 127.0.0.1:0 that this file runs itself, and to a folder.
//! The sink speaks just enough SMTP for lettre (greeting, EHLO, MAIL, RCPT, DATA, QUIT) and
//! records each message; the tests decode what arrived as a mail client would.

use std::time::Duration;

use super::testing::{decode_words, parse, smtp_sink};
use super::{EmailConfig, EmailError, EmailSender, EmailTransportConfig, TlsMode};
use crate::delivery::Outcome;

const SUBJECT: &str = "【リマインダー】第3四半期のリリース手続きの承認期限が近づいています";
const BODY: &str = "山田様\n\n手続き「会計システム更新」の承認期限は 2026年12月10日 です。\nご対応をお願いします。\n";

fn smtp_config(port: u16) -> EmailTransportConfig {
    EmailTransportConfig::Smtp(EmailConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls: TlsMode::None,
        username: None,
        password: None,
        from: "rollout <rollout@example.invalid>".into(),
        timeout: Duration::from_secs(5),
    })
}

fn assert_japanese_message_intact(raw: &str) {
    let message = parse(raw);
    assert_eq!(decode_words(message.header("subject")), SUBJECT);
    assert_eq!(message.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(message.body, BODY);
    let to = decode_words(message.header("to"));
    assert!(
        to.contains("山田 太郎") && to.contains("<yamada@example.invalid>"),
        "{to}"
    );
    assert_eq!(message.header("from"), "rollout <rollout@example.invalid>");
    assert_eq!(message.header("mime-version"), "1.0");
    let message_id = message.header("message-id");
    assert!(
        message_id.starts_with('<') && message_id.ends_with('>') && message_id.contains('@'),
        "{message_id}"
    );
    assert!(
        raw.is_ascii(),
        "the message should be 7-bit clean for any relay"
    );
}

/// Sends the Japanese test message to Yamada through a sender built from `config`.
async fn send_to_yamada(config: &EmailTransportConfig) -> Outcome {
    let sender = EmailSender::new(config)
        .unwrap()
        .expect("the transport is on");
    sender
        .send("yamada@example.invalid", Some("山田 太郎"), SUBJECT, BODY)
        .await
}

#[tokio::test]
async fn japanese_subject_and_body_arrive_intact_over_smtp() {
    let (port, log) = smtp_sink("250 OK").await;
    assert_eq!(send_to_yamada(&smtp_config(port)).await, Outcome::Delivered);
    let received = log.lock().unwrap().pop().expect("the sink got the message");
    assert_eq!(received.mail_from, "<rollout@example.invalid>");
    assert_eq!(received.rcpt_to, ["<yamada@example.invalid>"]);
    assert_japanese_message_intact(&received.data);
}

#[tokio::test]
async fn a_transient_rcpt_reply_is_retried() {
    let (port, _log) = smtp_sink("451 4.3.0 mailbox busy, try later").await;
    let sender = EmailSender::new(&smtp_config(port)).unwrap().unwrap();
    let outcome = sender
        .send("yamada@example.invalid", None, SUBJECT, BODY)
        .await;
    let Outcome::Retry { after: None, error } = outcome else {
        panic!("451 should be retried: {outcome:?}")
    };
    assert!(
        error.contains("451") && error.contains("mailbox busy"),
        "{error}"
    );
}

#[tokio::test]
async fn a_permanent_rcpt_reply_is_dead() {
    let (port, log) = smtp_sink("550 5.1.1 no such user").await;
    let sender = EmailSender::new(&smtp_config(port)).unwrap().unwrap();
    let outcome = sender
        .send("nobody@example.invalid", None, SUBJECT, BODY)
        .await;
    let Outcome::Dead { error } = outcome else {
        panic!("550 should be dead: {outcome:?}")
    };
    assert!(
        error.contains("550") && error.contains("no such user"),
        "{error}"
    );
    assert!(
        log.lock().unwrap().is_empty(),
        "no DATA after a refused recipient"
    );
}

#[tokio::test]
async fn a_relay_that_is_not_there_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let sender = EmailSender::new(&smtp_config(port)).unwrap().unwrap();
    let outcome = sender
        .send("yamada@example.invalid", None, SUBJECT, BODY)
        .await;
    assert!(
        matches!(outcome, Outcome::Retry { after: None, .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_malformed_recipient_is_dead_without_connecting() {
    let (port, log) = smtp_sink("250 OK").await;
    let sender = EmailSender::new(&smtp_config(port)).unwrap().unwrap();
    let outcome = sender.send("not an address", None, SUBJECT, BODY).await;
    let Outcome::Dead { error } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        error.starts_with("invalid recipient address `not an address`"),
        "{error}"
    );
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_file_transport_writes_an_eml_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmailTransportConfig::File {
        dir: dir.path().to_owned(),
        from: "rollout <rollout@example.invalid>".into(),
    };
    assert_eq!(send_to_yamada(&config).await, Outcome::Delivered);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    assert_japanese_message_intact(&std::fs::read_to_string(&files[0]).unwrap());
}

#[tokio::test]
async fn a_missing_folder_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let config = EmailTransportConfig::File {
        dir: dir.path().join("absent"),
        from: "rollout@example.invalid".into(),
    };
    let sender = EmailSender::new(&config).unwrap().unwrap();
    let outcome = sender
        .send("yamada@example.invalid", None, SUBJECT, BODY)
        .await;
    assert!(matches!(outcome, Outcome::Retry { .. }), "{outcome:?}");
}

#[test]
fn off_builds_no_sender() {
    assert!(
        EmailSender::new(&EmailTransportConfig::Off)
            .unwrap()
            .is_none()
    );
}

#[test]
fn bad_configurations_are_refused() {
    let EmailTransportConfig::Smtp(base) = smtp_config(25) else {
        unreachable!()
    };
    let with = |change: fn(&mut EmailConfig)| {
        let mut config = base.clone();
        change(&mut config);
        EmailSender::new(&EmailTransportConfig::Smtp(config)).unwrap_err()
    };
    assert!(matches!(
        with(|c| c.from = "no mailbox here".into()),
        EmailError::InvalidFrom(_)
    ));
    assert!(matches!(
        with(|c| c.username = Some("rollout".into())),
        EmailError::IncompleteCredentials
    ));
    let in_clear =
        with(|c| (c.username, c.password) = (Some("rollout".into()), Some("s3cret-pw".into())));
    assert!(matches!(in_clear, EmailError::CredentialsWithoutTls));
    assert!(!in_clear.to_string().contains("s3cret-pw"));
}

#[test]
fn credentials_over_tls_are_accepted() {
    let EmailTransportConfig::Smtp(mut config) = smtp_config(465) else {
        unreachable!()
    };
    config.tls = TlsMode::Tls;
    (config.username, config.password) = (Some("rollout".into()), Some("s3cret-pw".into()));
    let sender = EmailSender::new(&EmailTransportConfig::Smtp(config))
        .unwrap()
        .unwrap();
    assert!(!format!("{sender:?}").contains("s3cret-pw"));
}

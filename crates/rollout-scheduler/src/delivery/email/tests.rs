//! E-mail sent to a tiny SMTP sink on 127.0.0.1:0 that this file runs itself, and to a folder.
//! The sink speaks just enough SMTP for lettre (greeting, EHLO, MAIL, RCPT, DATA, QUIT) and
//! records each message; the tests decode what arrived as a mail client would.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::{EmailConfig, EmailError, EmailSender, EmailTransportConfig, TlsMode};
use crate::delivery::Outcome;

const SUBJECT: &str = "【リマインダー】第3四半期のリリース手続きの承認期限が近づいています";
const BODY: &str = "山田様\n\n手続き「会計システム更新」の承認期限は 2026年12月10日 です。\nご対応をお願いします。\n";

#[derive(Debug, Default)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

type Log = Arc<Mutex<Vec<Received>>>;

/// Starts the sink; it answers RCPT with `rcpt_reply` (e.g. "250 OK", "451 4.3.0 try later").
async fn smtp_sink(rcpt_reply: &'static str) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let recorded = Arc::clone(&log);
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let recorded = Arc::clone(&recorded);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let mut message = Received::default();
                write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut line = String::new();
                while lines.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let command = line.trim_end().to_owned();
                    line.clear();
                    let upper = command.to_ascii_uppercase();
                    let reply = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        "250-sink.test\r\n250 8BITMIME"
                    } else if let Some(from) = upper.strip_prefix("MAIL FROM:") {
                        message.mail_from = command[command.len() - from.len()..].to_owned();
                        "250 OK"
                    } else if upper.starts_with("RCPT TO:") {
                        message.rcpt_to.push(command["RCPT TO:".len()..].to_owned());
                        rcpt_reply
                    } else if upper == "DATA" {
                        write
                            .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                            .await
                            .unwrap();
                        message.data = read_data(&mut lines).await;
                        recorded.lock().unwrap().push(std::mem::take(&mut message));
                        "250 queued"
                    } else if upper == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        "250 OK"
                    };
                    write
                        .write_all(format!("{reply}\r\n").as_bytes())
                        .await
                        .unwrap();
                }
            });
        }
    });
    (port, log)
}

/// Reads DATA up to the lone dot, undoing dot-stuffing, with CRLF line ends kept.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    let mut data = String::new();
    let mut line = String::new();
    while lines.read_line(&mut line).await.unwrap() > 0 {
        if line == ".\r\n" {
            break;
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
        line.clear();
    }
    data
}

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

/// A message's headers (unfolded, names lower-cased) and its decoded body.
struct Parsed {
    headers: Vec<(String, String)>,
    body: String,
}

impl Parsed {
    fn header(&self, name: &str) -> &str {
        let found = self.headers.iter().find(|(n, _)| n == name);
        &found
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .1
    }
}

fn parse(raw: &str) -> Parsed {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .expect("a blank line after the headers");
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            headers
                .last_mut()
                .expect("a folded line follows a header")
                .1
                .push_str(line);
        } else {
            let (name, value) = line.split_once(':').expect("name: value");
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let encoding = headers
        .iter()
        .find(|(n, _)| n == "content-transfer-encoding")
        .map(|(_, v)| v.to_ascii_lowercase());
    let bytes = match encoding.as_deref() {
        Some("base64") => BASE64
            .decode(body.split_whitespace().collect::<String>())
            .unwrap(),
        Some("quoted-printable") => quoted_printable(body.replace("=\r\n", "").as_bytes(), false),
        _ => body.as_bytes().to_vec(),
    };
    Parsed {
        headers,
        body: String::from_utf8(bytes)
            .expect("a UTF-8 body")
            .replace("\r\n", "\n"),
    }
}

/// Decodes `=XX` escapes (and, in an encoded word, `_` as a space).
fn quoted_printable(input: &[u8], underscore_is_space: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'=' => {
                let hex = std::str::from_utf8(&input[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'_' if underscore_is_space => (out.push(b' '), i += 1).1,
            byte => (out.push(byte), i += 1).1,
        }
    }
    out
}

/// Decodes the RFC 2047 encoded words of a header value; the whitespace between two adjacent
/// encoded words is dropped, as the RFC says. The bytes of all words are joined before UTF-8
/// decoding, so a character split across words still decodes.
fn decode_words(value: &str) -> String {
    let mut bytes = Vec::new();
    let mut previous_was_word = false;
    for token in value.split_inclusive([' ', '\t']) {
        let word = token.trim_end();
        let parts: Vec<&str> = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .map(|w| w.split('?').collect())
            .unwrap_or_default();
        if let [charset, encoding, text] = parts[..] {
            assert!(charset.eq_ignore_ascii_case("utf-8"), "{charset}");
            match encoding {
                "B" | "b" => bytes.extend(BASE64.decode(text).unwrap()),
                "Q" | "q" => bytes.extend(quoted_printable(text.as_bytes(), true)),
                other => panic!("unknown encoding {other}"),
            }
            previous_was_word = true;
        } else {
            if previous_was_word && bytes.last() != Some(&b' ') {
                bytes.push(b' ');
            }
            bytes.extend(token.as_bytes());
            previous_was_word = false;
        }
    }
    String::from_utf8(bytes)
        .expect("UTF-8 encoded words")
        .trim_end()
        .to_owned()
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

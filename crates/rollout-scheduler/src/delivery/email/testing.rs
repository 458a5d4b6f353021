//! Test support, public so that the workspace's end-to-end tests use the same: a tiny SMTP
//! sink on 127.0.0.1:0 (greeting, EHLO, MAIL, RCPT, DATA, QUIT) that records each message, and
//! a decoder that reads what arrived as a mail client would (unfolded headers, RFC 2047 encoded
//! words, base64 or quoted-printable bodies). Not used by the product.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Default)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
}

pub type Log = Arc<Mutex<Vec<Received>>>;

/// Starts the sink; it answers RCPT with `rcpt_reply` (e.g. "250 OK", "451 4.3.0 try later").
pub async fn smtp_sink(rcpt_reply: &'static str) -> (u16, Log) {
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

/// A message's headers (unfolded, names lower-cased) and its decoded body.
#[derive(Debug)]
pub struct Parsed {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Parsed {
    pub fn header(&self, name: &str) -> &str {
        let found = self.headers.iter().find(|(n, _)| n == name);
        &found
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .1
    }
}

pub fn parse(raw: &str) -> Parsed {
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
pub fn decode_words(value: &str) -> String {
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

//! The accept loop's limits over raw TCP (`rollout_server::http::serve`): a client that sends
//! half a request line and stops is closed after `header_read_timeout`, an idle keep-alive
//! connection after `idle_timeout`, a connection over `max_connections` at once; a keep-alive
//! client that keeps asking is served on one connection.

use std::time::{Duration, Instant};

use rollout_server::http::{ConnectionLimits, HttpSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{TestServer, serve, settings};

/// Far above every timeout these tests set: a close must come well before it.
const GENEROUS: Duration = Duration::from_secs(15);

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";

async fn server(limits: ConnectionLimits) -> TestServer {
    serve(HttpSettings {
        connections: limits,
        ..settings()
    })
    .await
}

async fn connect(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.url.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection (EOF or reset); panics if it stays open past
/// [`GENEROUS`]. Returns what was read before.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0_u8; 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(GENEROUS, read_all)
        .await
        .expect("the server kept the connection open");
    seen
}

/// Sends `GET /healthz` and reads its whole response (its body is `ok`).
async fn healthz(stream: &mut TcpStream) -> String {
    stream.write_all(HEALTHZ).await.unwrap();
    let mut seen = Vec::new();
    let mut buf = [0_u8; 1024];
    while !seen.ends_with(b"\r\n\r\nok") {
        let n = tokio::time::timeout(GENEROUS, stream.read(&mut buf))
            .await
            .expect("no response")
            .expect("read");
        assert!(n > 0, "closed before the response: {seen:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(seen).unwrap()
}

fn limits(header: u64, idle: u64, max: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: Duration::from_secs(header),
        idle_timeout: Duration::from_secs(idle),
        max_connections: max,
    }
}

#[tokio::test]
async fn a_half_sent_request_line_is_closed_after_the_header_timeout() {
    let server = server(limits(1, 60, 16)).await;
    let started = Instant::now();
    let mut stream = connect(&server).await;
    stream.write_all(b"POST /graphql HT").await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "closed before the timeout"
    );
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
}

#[tokio::test]
async fn a_keep_alive_connection_is_reused_and_then_closed_when_idle() {
    let server = server(limits(30, 1, 16)).await;
    let mut stream = connect(&server).await;
    for _ in 0..3 {
        let response = healthz(&mut stream).await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }
    assert!(until_closed(&mut stream).await.is_empty());
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once() {
    let server = server(limits(30, 30, 2)).await;
    let mut held = vec![connect(&server).await, connect(&server).await];
    // Both are being served: each answers, so the server has counted them.
    for stream in &mut held {
        healthz(stream).await;
    }
    let mut third = connect(&server).await;
    let _ = third.write_all(HEALTHZ).await;
    let answer = until_closed(&mut third).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));

    // A slot frees once a held connection is gone (the server notices the close).
    drop(held.pop());
    let deadline = Instant::now() + GENEROUS;
    loop {
        let mut next = connect(&server).await;
        let _ = next.write_all(HEALTHZ).await;
        let answer = until_closed_or_answered(&mut next).await;
        if answer.starts_with(b"HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "no slot was freed");
        tokio::task::yield_now().await;
    }
}

/// The first bytes of an answer, or nothing when the connection is closed unanswered.
async fn until_closed_or_answered(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = [0_u8; 64];
    match tokio::time::timeout(GENEROUS, stream.read(&mut buf)).await {
        Ok(Ok(n)) => buf[..n].to_vec(),
        Ok(Err(_)) => Vec::new(),
        Err(_) => panic!("neither answered nor closed"),
    }
}

//! The accept loop: serves a router over HTTP/1.1 (with upgrades, for `/graphql/ws`) on a TCP
//! listener, within [`ConnectionLimits`], until a shutdown signal. It replaces `axum::serve`,
//! which has no timeouts and no cap on connections, so that a slow or idle client cannot hold a
//! connection and a crowd cannot exhaust file descriptors.
//!
//! - Each connection's [`Activity`] is one of: reading a request head (since the connection
//!   opened, or since the first byte after an idle spell), handling requests, or idle. A
//!   watchdog closes it when a head has taken longer than `header_read_timeout` or it has been
//!   idle longer than `idle_timeout`. While a request is being handled nothing here closes it:
//!   the router's own timeouts bound requests.
//! - A semaphore caps connections; one accepted over the cap is closed at once (the client sees
//!   the connection closed rather than a hang, and a load balancer can try another replica).
//!   The slot travels with the socket, so upgraded WebSocket connections count too.
//! - Every request carries `ConnectInfo<SocketAddr>`, the peer address, as with
//!   `http::with_client_addrs`.
//! - Shutdown stops accepting, lets requests in flight finish (each connection closes after its
//!   current response), then drops the router, which ends WebSocket connections (`http::ws`),
//!   and waits briefly for them to close.
//!
//! Deliberately not here: TLS and HTTP/2 (a reverse proxy's business), and anything about
//! requests (the router's).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use super::settings::ConnectionLimits;

/// How often each connection's watchdog looks at the clock: the timeouts are whole seconds.
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// How long shutdown waits for upgraded (WebSocket) connections once HTTP has drained.
const UPGRADED_GRACE: Duration = Duration::from_secs(5);

/// A warning that connections are being refused is logged at most this often.
const WARN_EVERY: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` completes, then drains as described above.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    // Each connection task holds a receiver; `closed()` resolves once every one has ended.
    let (drained, connection_alive) = watch::channel(());
    let mut last_warned: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if last_warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    %peer,
                    "connection refused: too many open connections"
                );
                last_warned = Some(Instant::now());
            }
            drop(stream);
            continue;
        };
        // Small JSON answers: Nagle's delay would only add latency.
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            peer,
            router: router.clone(),
            limits,
            stopping: stopping.clone(),
            _alive: connection_alive.clone(),
        };
        tokio::spawn(connection.serve(stream, slot));
    }
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    let _ = stop.send(true);
    drop(connection_alive);
    drained.closed().await;
    // The last router gone: WebSocket connections are told to close (`http::ws`).
    drop(router);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(UPGRADED_GRACE, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("WebSocket connections still open at shutdown");
    }
    Ok(())
}

/// Errors of `accept` are about one connection (reset before accepted) or about the process
/// (out of file descriptors); either way the loop goes on, pausing in the second case so as
/// not to spin.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

struct Connection {
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    stopping: watch::Receiver<bool>,
    _alive: watch::Receiver<()>,
}

impl Connection {
    async fn serve(mut self, stream: TcpStream, slot: OwnedSemaphorePermit) {
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            io: stream,
            activity: activity.clone(),
            _slot: slot,
        });
        let (peer, router, watched) = (self.peer, self.router.clone(), activity.clone());
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let in_flight = InFlight::start(watched.clone());
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                drop(in_flight);
                response
            }
        });
        let connection = http1::Builder::new()
            .serve_connection(io, service)
            .with_upgrades();
        tokio::pin!(connection);
        let mut watchdog = tokio::time::interval(WATCH_EVERY);
        let mut stopping = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(e) = served {
                        tracing::debug!(peer = %self.peer, error = %e, "connection ended with an error");
                    }
                    return;
                }
                // A dropped sender means shutdown as well.
                _ = self.stopping.wait_for(|stop| *stop), if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
                _ = watchdog.tick() => {
                    if let Some(why) = activity.expired(&self.limits) {
                        tracing::debug!(peer = %self.peer, why, "connection closed");
                        return;
                    }
                }
            }
        }
    }
}

/// What a connection is doing, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for or reading a request head.
    Head(Instant),
    /// This many requests are being handled.
    Busy(usize),
    /// Nothing asked and nothing being handled.
    Idle(Instant),
}

#[derive(Debug)]
struct Activity(Mutex<Phase>);

impl Activity {
    fn new() -> Self {
        Self(Mutex::new(Phase::Head(Instant::now())))
    }

    fn phase(&self) -> Phase {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, next: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *phase = next(*phase);
    }

    fn bytes_read(&self) {
        self.update(|phase| match phase {
            Phase::Idle(_) => Phase::Head(Instant::now()),
            other => other,
        });
    }

    /// Why the connection should be closed now, if it should.
    fn expired(&self, limits: &ConnectionLimits) -> Option<&'static str> {
        match self.phase() {
            Phase::Head(since) if since.elapsed() >= limits.header_read_timeout => {
                Some("no complete request head within header_read_timeout")
            }
            Phase::Idle(since) if since.elapsed() >= limits.idle_timeout => {
                Some("idle for idle_timeout")
            }
            _ => None,
        }
    }
}

/// One request being handled, from its head's arrival until its response is ready (or it is
/// abandoned).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> Self {
        activity.update(|phase| match phase {
            Phase::Busy(n) => Phase::Busy(n + 1),
            _ => Phase::Busy(1),
        });
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.update(|phase| match phase {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }
}

/// The socket, telling its [`Activity`] when bytes arrive, and holding the connection's slot.
struct Watched {
    io: TcpStream,
    activity: Arc<Activity>,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1,
        }
    }

    fn at(phase: Phase) -> Activity {
        Activity(Mutex::new(phase))
    }

    #[test]
    fn each_phase_has_its_own_deadline() {
        let long_ago = Instant::now() - Duration::from_secs(61);
        let a_while_ago = Instant::now() - Duration::from_secs(11);
        assert!(at(Phase::Head(a_while_ago)).expired(&limits()).is_some());
        assert_eq!(at(Phase::Idle(a_while_ago)).expired(&limits()), None);
        assert!(at(Phase::Idle(long_ago)).expired(&limits()).is_some());
        assert_eq!(at(Phase::Busy(1)).expired(&limits()), None);
        assert_eq!(at(Phase::Head(Instant::now())).expired(&limits()), None);
    }

    #[test]
    fn requests_and_bytes_move_the_phase() {
        let activity = Arc::new(at(Phase::Idle(Instant::now())));
        activity.bytes_read();
        assert!(matches!(activity.phase(), Phase::Head(_)));
        let first = InFlight::start(activity.clone());
        let second = InFlight::start(activity.clone());
        activity.bytes_read();
        assert_eq!(activity.phase(), Phase::Busy(2));
        drop(first);
        assert_eq!(activity.phase(), Phase::Busy(1));
        drop(second);
        assert!(matches!(activity.phase(), Phase::Idle(_)));
    }
}

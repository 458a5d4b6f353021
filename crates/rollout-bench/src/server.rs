//! One running `rollout serve`, started as a child process on `127.0.0.1:0`: its address (read
//! from its stdout), the time from spawn to `/readyz` answering 200, and its peak memory. Its
//! stderr is drained by a thread that hands every line to a [`LineSink`] (the statement counter
//! reads sqlx's log there) and keeps the last lines for error messages. The child is killed when
//! the handle is dropped, so a failed run leaves no server behind.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::binary::Rollout;
use crate::procfs;

/// How long a server may take to print its address and then to answer `/readyz`.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Polling interval of `/readyz`: short, since start-to-ready is one of the figures.
const READY_POLL: Duration = Duration::from_millis(2);
/// Lines of stderr kept for the message when the server dies.
const STDERR_TAIL: usize = 20;

/// Something that wants every stderr line of the server.
pub type LineSink = Arc<dyn Fn(&str) + Send + Sync>;

#[derive(Debug, Default)]
pub struct ServeOptions {
    /// Extra environment (log filter and format, HTTP settings).
    pub env: Vec<(String, String)>,
}

pub struct Server {
    child: Child,
    pub base_url: String,
    /// From spawn to the first 200 from `/readyz`.
    pub ready_after: Duration,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("pid", &self.child.id())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts `rollout serve` on `database_url` and waits until `/readyz` answers 200.
    pub async fn start(
        rollout: &Rollout,
        http: &reqwest::Client,
        database_url: &str,
        options: ServeOptions,
        sink: Option<LineSink>,
    ) -> anyhow::Result<Self> {
        let mut cmd = rollout.command(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ]);
        cmd.envs(options.env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd.spawn().context("cannot start `rollout serve`")?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let stderr = child.stderr.take().context("no stderr pipe")?;
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        drain_stderr(stderr, Arc::clone(&stderr_tail), sink);
        let (url_tx, url_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(url) = serving_url(&line) {
                    sent = url_tx.send(url).is_ok();
                }
            }
        });
        let mut server = Self {
            child,
            base_url: String::new(),
            ready_after: Duration::ZERO,
            stderr_tail,
        };
        server.base_url = server.wait_for_url(&url_rx, started).await?;
        server.wait_ready(http, started).await?;
        server.ready_after = started.elapsed();
        Ok(server)
    }

    async fn wait_for_url(
        &mut self,
        rx: &mpsc::Receiver<String>,
        started: Instant,
    ) -> anyhow::Result<String> {
        loop {
            if let Ok(url) = rx.try_recv() {
                return Ok(url);
            }
            self.check_alive()?;
            if started.elapsed() > START_TIMEOUT {
                bail!("`rollout serve` printed no address within {START_TIMEOUT:?}");
            }
            tokio::time::sleep(READY_POLL).await;
        }
    }

    async fn wait_ready(&mut self, http: &reqwest::Client, started: Instant) -> anyhow::Result<()> {
        let url = format!("{}/readyz", self.base_url);
        loop {
            if let Ok(reply) = http.get(&url).send().await
                && reply.status().is_success()
            {
                return Ok(());
            }
            self.check_alive()?;
            if started.elapsed() > START_TIMEOUT {
                bail!("{url} did not answer 200 within {START_TIMEOUT:?}");
            }
            tokio::time::sleep(READY_POLL).await;
        }
    }

    fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self
            .child
            .try_wait()
            .context("cannot wait for the server")?
        {
            // Give the stderr thread a moment to collect the last words.
            std::thread::sleep(Duration::from_millis(100));
            bail!("`rollout serve` exited ({status}): {}", self.stderr_tail());
        }
        Ok(())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        procfs::peak_rss_kib(self.pid())
    }

    pub fn stderr_tail(&self) -> String {
        let tail = self
            .stderr_tail
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default();
        tail.into_iter().collect::<Vec<_>>().join("\n")
    }

    /// Stops the server (SIGKILL: nothing it would do on a graceful stop is measured).
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn drain_stderr(
    stderr: std::process::ChildStderr,
    tail: Arc<Mutex<VecDeque<String>>>,
    sink: Option<LineSink>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(sink) = &sink {
                sink(&line);
            }
            if let Ok(mut t) = tail.lock() {
                if t.len() == STDERR_TAIL {
                    t.pop_front();
                }
                t.push_back(line);
            }
        }
    });
}

/// The base URL in serve's "rollout is serving; GraphiQL at http://HOST:PORT/graphql" line.
fn serving_url(line: &str) -> Option<String> {
    let rest = line.strip_prefix("rollout is serving; GraphiQL at ")?;
    Some(rest.trim().strip_suffix("/graphql")?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_comes_from_the_serving_line_only() {
        assert_eq!(
            serving_url("rollout is serving; GraphiQL at http://127.0.0.1:40123/graphql"),
            Some("http://127.0.0.1:40123".to_owned())
        );
        assert_eq!(serving_url("    rlt_abcdef"), None);
        assert_eq!(serving_url("rollout is serving; GraphiQL at nowhere"), None);
    }
}

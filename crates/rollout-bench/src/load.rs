//! The load generator: N clients, each a closed loop (send, wait for the answer, send again)
//! over its own [`Op`], for a warm-up and then a fixed measuring window. An operation counts
//! when it both started and finished inside the window; its latency goes into an HDR histogram
//! (microseconds, 3 significant digits). CPU used by the server, by this process and by
//! PostgreSQL is sampled at the window's edges, so each figure says who was busy.
//!
//! All clients run as futures of one task on the bench's single-threaded runtime: the load
//! generator is bounded to one core of a small machine, and it never needs `Send` state.

use std::future::Future;
use std::time::Duration;

use futures::future::join_all;
use hdrhistogram::Histogram;
use serde::Serialize;
// tokio's clock is the system's monotonic clock, except in tests, which pause it.
use tokio::time::Instant;

use crate::procfs;

/// Latencies above this are clamped (they would be a finding in themselves).
const MAX_LATENCY_US: u64 = 60_000_000;
/// A measurement with a larger share of failed operations did not run properly.
const MAX_ERROR_SHARE: f64 = 0.01;

/// One client's unit of work.
pub trait Op {
    fn call(&mut self) -> impl Future<Output = anyhow::Result<()>>;
}

/// Whose CPU time to sample.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    pub server_pid: Option<u32>,
    pub postgres: bool,
    pub ticks_per_second: f64,
}

#[derive(Debug, Clone, Copy)]
struct CpuSample {
    server: u64,
    bench: u64,
    postgres: u64,
    machine: Option<u64>,
}

impl Probe {
    fn sample(&self) -> CpuSample {
        CpuSample {
            server: self.server_pid.and_then(procfs::cpu_ticks).unwrap_or(0),
            bench: procfs::cpu_ticks(std::process::id()).unwrap_or(0),
            postgres: if self.postgres {
                procfs::postgres_ticks()
            } else {
                0
            },
            machine: procfs::machine_busy_ticks(),
        }
    }
}

/// Cores kept busy during the window (CPU seconds / wall seconds), per process group.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CpuUse {
    pub server: Option<f64>,
    /// This process: the HTTP clients, or for the reference the SQL clients (and for SQLite,
    /// SQLite itself, which runs inside the process that opens the file).
    pub bench: f64,
    pub postgres: Option<f64>,
    /// Everything else on the machine (other users' builds and tests on a shared machine):
    /// busy time of all CPUs minus the three above. High values mean a noisy measurement.
    pub others: Option<f64>,
}

/// What one measurement found.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub clients: usize,
    pub seconds: f64,
    pub ops: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub cpu: CpuUse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

impl Stats {
    /// Whether the measurement ran: some operations succeeded and hardly any failed.
    pub fn ran(&self) -> bool {
        self.ops > 0 && (self.errors as f64) <= MAX_ERROR_SHARE * (self.ops + self.errors) as f64
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant bounds are valid")
}

struct ClientResult {
    hist: Histogram<u64>,
    errors: u64,
    first_error: Option<String>,
}

/// Runs every op in `clients` concurrently: `warmup`, then `window`.
pub async fn measure<O: Op>(
    clients: &mut [O],
    warmup: Duration,
    window: Duration,
    probe: Probe,
) -> Stats {
    let start = Instant::now();
    let from = start + warmup;
    let until = from + window;
    let workers = join_all(clients.iter_mut().map(|op| run_client(op, from, until)));
    let cpu_window = async {
        tokio::time::sleep_until(from).await;
        let a = probe.sample();
        let t0 = Instant::now();
        tokio::time::sleep_until(until).await;
        let b = probe.sample();
        (a, b, t0.elapsed())
    };
    let (results, (a, b, cpu_wall)) = futures::join!(workers, cpu_window);
    summarise(results, window, cpu_use(probe, a, b, cpu_wall))
}

async fn run_client<O: Op>(op: &mut O, from: Instant, until: Instant) -> ClientResult {
    let mut hist = histogram();
    let mut errors = 0;
    let mut first_error = None;
    loop {
        let t0 = Instant::now();
        if t0 >= until {
            break;
        }
        let outcome = op.call().await;
        let t1 = Instant::now();
        if t0 < from || t1 > until {
            continue;
        }
        match outcome {
            Ok(()) => {
                let us = u64::try_from((t1 - t0).as_micros()).unwrap_or(MAX_LATENCY_US);
                hist.saturating_record(us.clamp(1, MAX_LATENCY_US));
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    ClientResult {
        hist,
        errors,
        first_error,
    }
}

fn cpu_use(probe: Probe, a: CpuSample, b: CpuSample, wall: Duration) -> CpuUse {
    let cores = |x: u64, y: u64| {
        let secs = wall.as_secs_f64().max(1e-9);
        (y.saturating_sub(x) as f64 / probe.ticks_per_second / secs * 100.0).round() / 100.0
    };
    let ours = b.server.saturating_sub(a.server)
        + b.bench.saturating_sub(a.bench)
        + b.postgres.saturating_sub(a.postgres);
    let others = match (a.machine, b.machine) {
        (Some(x), Some(y)) => Some(cores(x + ours, y)),
        _ => None,
    };
    CpuUse {
        server: probe.server_pid.map(|_| cores(a.server, b.server)),
        bench: cores(a.bench, b.bench),
        postgres: probe.postgres.then(|| cores(a.postgres, b.postgres)),
        others,
    }
}

fn summarise(results: Vec<ClientResult>, window: Duration, cpu: CpuUse) -> Stats {
    let clients = results.len();
    let mut all = histogram();
    let mut errors = 0;
    let mut first_error = None;
    for r in results {
        // Same bounds everywhere, so adding cannot fail.
        let _ = all.add(&r.hist);
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    let ms = |us: u64| (us as f64 / 10.0).round() / 100.0;
    let seconds = window.as_secs_f64();
    let ops = all.len();
    Stats {
        clients,
        seconds,
        ops,
        errors,
        per_second: (ops as f64 / seconds * 10.0).round() / 10.0,
        p50_ms: ms(all.value_at_quantile(0.50)),
        p90_ms: ms(all.value_at_quantile(0.90)),
        p99_ms: ms(all.value_at_quantile(0.99)),
        max_ms: ms(all.max()),
        cpu,
        first_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sleeps a fixed time; every third call fails when `failing`.
    struct Sleeper {
        calls: u64,
        failing: bool,
    }

    impl Op for Sleeper {
        async fn call(&mut self) -> anyhow::Result<()> {
            self.calls += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
            if self.failing && self.calls.is_multiple_of(3) {
                anyhow::bail!("call {} failed", self.calls);
            }
            Ok(())
        }
    }

    fn probe() -> Probe {
        Probe {
            server_pid: None,
            postgres: false,
            ticks_per_second: 100.0,
        }
    }

    // Virtual time (`start_paused`): every sleep takes exactly what it says and the counts are
    // exact, whatever else the machine is doing.
    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn counts_only_the_window_and_reports_latency() {
        let mut clients: Vec<Sleeper> = (0..2)
            .map(|_| Sleeper {
                calls: 0,
                failing: false,
            })
            .collect();
        let warmup = Duration::from_millis(100);
        let window = Duration::from_millis(400);
        let stats = measure(&mut clients, warmup, window, probe()).await;
        assert_eq!(stats.clients, 2);
        assert_eq!(stats.errors, 0);
        // Two clients at 5 ms per call for 400 ms: 160 calls, none of the 20 per client in the
        // 100 ms warm-up.
        assert_eq!(stats.ops, 160);
        let total_calls: u64 = clients.iter().map(|c| c.calls).sum();
        assert_eq!(total_calls, 200, "warm-up and window calls were made");
        assert_eq!((stats.p50_ms, stats.p99_ms, stats.max_ms), (5.0, 5.0, 5.0));
        assert_eq!(stats.per_second, 400.0);
        assert!(stats.ran());
        assert_eq!(stats.cpu.server, None);
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn failures_are_counted_and_the_first_kept() {
        let mut clients = vec![Sleeper {
            calls: 0,
            failing: true,
        }];
        let stats = measure(
            &mut clients,
            Duration::ZERO,
            Duration::from_millis(200),
            probe(),
        )
        .await;
        // 40 calls of 5 ms in 200 ms, every third one failing.
        assert_eq!((stats.ops, stats.errors), (27, 13));
        let first = stats.first_error.clone().expect("an error was kept");
        assert!(
            first.starts_with("call ") && first.ends_with(" failed"),
            "{first}"
        );
        assert!(!stats.ran(), "a third of calls failing is not a run");
    }
}

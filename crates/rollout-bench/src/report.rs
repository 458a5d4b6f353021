//! The results of a run as JSON (everything) and Markdown (the tables BENCHMARKS.md shows):
//! per backend, every measurement with its ratio to the reference, the one-off figures, and
//! the budgets marked met or missed. Budgets are targets to report against; quick runs
//! say their figures are not comparable.

use std::fmt::Write as _;

use serde::Serialize;

use crate::budgets::{self, Verdict};
use crate::procfs::Machine;
use crate::suite::{BackendResults, Kind, Measurement};

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub quick: bool,
    pub procedures: usize,
    pub warmup_seconds: f64,
    pub seconds_per_measurement: f64,
    pub clients: Vec<usize>,
    pub server_binary: String,
    pub server_profile: String,
    /// The one part run (`--only`), when not the whole suite.
    pub only: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub started_at: String,
    pub machine: Machine,
    pub settings: Settings,
    pub backends: Vec<BackendResults>,
    pub budgets: Vec<Verdict>,
    /// Backends that were skipped or failed, and why.
    pub notes: Vec<String>,
}

impl Report {
    /// Whether anything failed to run (a backend's error, or a measurement with failures).
    pub fn failed(&self) -> bool {
        self.notes.iter().any(|n| n.starts_with("FAILED"))
            || self.backends.iter().any(|b| b.reminders_error.is_some())
            || self.backends.iter().any(|b| b.operations_error.is_some())
            || self
                .backends
                .iter()
                .flat_map(|b| &b.measurements)
                .any(|m| !m.stats.ran())
    }

    pub fn finish(&mut self) {
        self.budgets = budgets::evaluate(&self.backends);
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let s = &self.settings;
        let _ = writeln!(
            md,
            "# rollout benchmark, {}{}\n",
            self.started_at,
            if s.quick {
                " (quick: a smoke test, not a measurement)"
            } else {
                ""
            }
        );
        let _ = writeln!(md, "- Machine: {}", self.machine.one_line());
        let _ = writeln!(
            md,
            "- Databases: SQLite {} (WAL, synchronous=FULL, bundled with sqlx), PostgreSQL {} (local, default settings)",
            self.machine.sqlite.as_deref().unwrap_or("?"),
            self.machine.postgres.as_deref().unwrap_or("not used")
        );
        let _ = writeln!(
            md,
            "- Server: `rollout serve` ({} build), log level info, HTTP rate limit off; load generator, server and database share the machine's {} CPUs",
            s.server_profile, self.machine.logical_cpus
        );
        if let Some(part) = &s.only {
            let _ = writeln!(
                md,
                "- Dataset: `rollout demo --synthetic {}`; only the {part} part of the suite\n",
                s.procedures
            );
        } else {
            api_settings(&mut md, s);
        }
        for note in &self.notes {
            let _ = writeln!(md, "> {note}\n");
        }
        for b in &self.backends {
            backend_section(&mut md, b);
        }
        budgets::markdown(&mut md, &self.budgets, s.quick);
        md
    }
}

fn api_settings(md: &mut String, s: &Settings) {
    let _ = writeln!(
        md,
        "- Dataset: `rollout demo --synthetic {}`; each measurement {:.1} s after {:.1} s of warm-up, at {} client(s), closed loop\n",
        s.procedures,
        s.seconds_per_measurement,
        s.warmup_seconds,
        s.clients
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" and ")
    );
}

fn find(b: &BackendResults, kind: Kind, clients: usize) -> Option<&Measurement> {
    b.measurements
        .iter()
        .find(|m| m.kind == kind && m.stats.clients == clients)
}

/// `rollout / reference` for the same client count.
pub fn ratio(b: &BackendResults, kind: Kind, reference: Kind, clients: usize) -> Option<f64> {
    let ours = find(b, kind, clients)?.stats.per_second;
    let theirs = find(b, reference, clients)?.stats.per_second;
    (theirs > 0.0).then(|| (ours / theirs * 100.0).round() / 100.0)
}

fn ratio_text(b: &BackendResults, m: &Measurement) -> String {
    let c = m.stats.clients;
    let of = |reference: Kind, what: &str| {
        let r = ratio(b, m.kind, reference, c)?;
        let theirs = find(b, reference, c)?.stats.per_second;
        Some(format!("{r:.2} of {theirs:.0}/s ({what})"))
    };
    let parts: Vec<String> = match m.kind {
        Kind::Transition => [
            of(Kind::RefTransaction, "update+insert"),
            of(Kind::RefTransactionWithAudit, "+ audit"),
        ]
        .into_iter()
        .flatten()
        .collect(),
        Kind::PointRead => of(Kind::RefPointRead, "SELECT").into_iter().collect(),
        _ => Vec::new(),
    };
    if parts.is_empty() {
        "".to_owned()
    } else {
        parts.join("; ")
    }
}

fn cpu_text(m: &Measurement) -> String {
    let c = &m.stats.cpu;
    let show = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
    format!(
        "{} / {:.2} / {} / {}",
        show(c.server),
        c.bench,
        show(c.postgres),
        show(c.others)
    )
}

fn backend_section(md: &mut String, b: &BackendResults) {
    if !b.api_ran() {
        let _ = writeln!(md, "## {}\n", b.backend.label());
    } else {
        api_tables(md, b);
    }
    if let Some(r) = &b.reminders {
        crate::reminders::report::markdown(md, r);
    }
    if let Some(e) = &b.reminders_error {
        let _ = writeln!(md, "> The reminder measurements FAILED: {e}\n");
    }
    if let Some(ops) = &b.operations {
        operations_table(md, ops, b);
    }
    if let Some(e) = &b.operations_error {
        let _ = writeln!(md, "> The operations FAILED: {e}\n");
    }
}

/// Issue 15's operations, wall time of each command on the dataset.
fn operations_table(
    md: &mut String,
    ops: &crate::operations::OperationsResults,
    b: &BackendResults,
) {
    let seconds = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2} s"));
    let _ = writeln!(md, "| operation (issue 15) | wall time |\n|---|---|");
    let _ = writeln!(md, "| `rollout verify` | {:.2} s |", ops.verify_seconds);
    let _ = writeln!(
        md,
        "| `rollout backup --to FILE` (SQLite) | {}{} |",
        seconds(ops.backup_seconds),
        ops.backup_mib
            .map_or_else(String::new, |m| format!(" ({m:.1} MiB)"))
    );
    let _ = writeln!(
        md,
        "| `rollout restore --from FILE` (SQLite) | {} |",
        seconds(ops.restore_seconds)
    );
    let _ = writeln!(
        md,
        "| `rollout migrate-data` from SQLite (PostgreSQL) | {} |",
        seconds(ops.migrate_data_seconds)
    );
    if let Some(m) = b
        .measurements
        .iter()
        .find(|m| m.kind == Kind::MetricsScrape)
    {
        let _ = writeln!(
            md,
            "| `GET /metrics`, warm, one client: p50 / p99 | {:.2} / {:.2} ms ({:.0}/s) |",
            m.stats.p50_ms, m.stats.p99_ms, m.stats.per_second
        );
    }
    let _ = writeln!(
        md,
        "| one `/metrics` scrape | {} bytes |\n",
        ops.metrics_bytes
    );
}

fn api_tables(md: &mut String, b: &BackendResults) {
    let _ = writeln!(
        md,
        "## {} ({} procedures)\n",
        b.backend.label(),
        b.procedures
    );
    let _ = writeln!(
        md,
        "| measurement | clients | per second | p50 ms | p99 ms | max ms | rollout ÷ reference | CPU cores: server / bench / postgres / others |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---|---|");
    let mut rows: Vec<&Measurement> = b.measurements.iter().collect();
    rows.sort_by_key(|m| (kind_order(m.kind), m.stats.clients));
    for m in rows {
        let errors = if m.stats.errors > 0 {
            format!(
                " ({} errors: {})",
                m.stats.errors,
                m.stats.first_error.as_deref().unwrap_or("")
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            md,
            "| {}{} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {} | {} |",
            m.kind.label(),
            errors,
            m.stats.clients,
            m.stats.per_second,
            m.stats.p50_ms,
            m.stats.p99_ms,
            m.stats.max_ms,
            ratio_text(b, m),
            cpu_text(m)
        );
    }
    let _ = writeln!(md, "\n| figure | value |\n|---|---|");
    let _ = writeln!(
        md,
        "| `rollout demo --synthetic` (wall time) | {:.2} s |",
        b.demo_seconds
    );
    let _ = writeln!(
        md,
        "| `rollout import procedures` of {} rows (wall time) | {:.2} s |",
        b.import_rows, b.import_seconds
    );
    let _ = writeln!(
        md,
        "| start to `/readyz`, empty database (median of {}) | {} ms (samples: {}) |",
        b.ready_empty_ms.len(),
        median(&b.ready_empty_ms).map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
        b.ready_empty_ms
            .iter()
            .map(|v| format!("{v:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        md,
        "| start to `/readyz`, {} procedures | {:.1} ms |",
        b.procedures, b.ready_populated_ms
    );
    let _ = writeln!(
        md,
        "| server peak resident memory (VmHWM), {} procedures as loaded | {} |",
        b.procedures,
        b.peak_rss_mib
            .map_or_else(|| "unknown".to_owned(), |v| format!("{v:.1} MiB"))
    );
    let _ = writeln!(
        md,
        "| the same after the recordHearing stock (+{} procedures) | {} |",
        b.hearing_stock,
        b.peak_rss_after_hearings_mib
            .map_or_else(|| "unknown".to_owned(), |v| format!("{v:.1} MiB"))
    );
    let counts = b
        .statements
        .iter()
        .map(|c| {
            if c.min == c.max {
                format!("{}: {}", c.request, c.per_request)
            } else {
                format!("{}: {} ({}–{})", c.request, c.per_request, c.min, c.max)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(md, "| SQL statements per request (median) | {counts} |\n");
    for (request, title) in [
        ("list of 100", "`procedures(first: 100)`"),
        (
            "procedures with evidence, page of 100",
            "`procedures(first: 100) { hearings tasks userTests }`",
        ),
        (
            "tasks overdue, page of 100",
            "`tasks(overdue, one bureau, first: 100)`",
        ),
    ] {
        if let Some(list) = b.statements.iter().find(|c| c.request == request) {
            let _ = writeln!(md, "Statements of one {title} request:\n");
            for s in &list.one_request {
                let _ = writeln!(md, "- `{}`", s.replace('`', "'"));
            }
            let _ = writeln!(md);
        }
    }
}

fn kind_order(k: Kind) -> u8 {
    match k {
        Kind::Transition => 0,
        Kind::RefTransaction => 1,
        Kind::RefTransactionWithAudit => 2,
        Kind::List100 => 3,
        Kind::PointRead => 4,
        Kind::RefPointRead => 5,
        Kind::Summary => 6,
        Kind::TasksOverdue => 7,
        Kind::RecordHearing => 8,
        Kind::BlockerRanking => 9,
        Kind::BlockerRankingAfterChange => 10,
        Kind::AddDependency => 11,
        Kind::EarliestRelease100 => 12,
        Kind::Kpis => 13,
        Kind::FlowMetrics => 14,
        Kind::Bottlenecks => 15,
        Kind::Forecast => 16,
        Kind::ReportXlsx => 17,
        Kind::PageOverview => 18,
        Kind::PageList => 19,
        Kind::PageListFiltered => 20,
        Kind::PageProcedure => 21,
        Kind::PageBottlenecks => 22,
        Kind::PageLawChanges => 23,
        Kind::PageQuality => 24,
        Kind::PageReport => 25,
        Kind::PageMy => 26,
        Kind::PageAdmin => 27,
        Kind::MetricsScrape => 28,
    }
}

pub fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2]),
        n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_odd_and_even_samples() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[30.0, 10.0, 20.0]), Some(20.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}

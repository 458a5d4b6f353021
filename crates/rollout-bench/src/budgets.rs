//! The issues' budgets, each checked against one figure per backend. Where an issue names no
//! concurrency, the stricter reading is used: throughput ratios, list latency and the
//! `recordHearing` p99 at 8 clients, the summary's p99 with one client (a user waiting on it),
//! memory over the whole run.

use std::fmt::Write as _;

use serde::Serialize;

use crate::database::Backend;
use crate::reminders;
use crate::report::{median, ratio};
use crate::suite::{BackendResults, Kind};

/// Concurrency at which throughput budgets are judged.
const CLIENTS: usize = 8;

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub budget: String,
    pub backend: Backend,
    /// The measured figure, with its unit.
    pub value: String,
    pub met: bool,
}

pub fn evaluate(backends: &[BackendResults]) -> Vec<Verdict> {
    let mut out = Vec::new();
    for b in backends {
        let mut push = |budget: &str, value: Option<(String, bool)>| {
            if let Some((value, met)) = value {
                out.push(Verdict {
                    budget: budget.to_owned(),
                    backend: b.backend,
                    value,
                    met,
                });
            }
        };
        let stat = |kind: Kind, clients: usize| {
            b.measurements
                .iter()
                .find(|m| m.kind == kind && m.stats.clients == clients)
                .map(|m| &m.stats)
        };
        push(
            "transitions, 8 clients: ≥ 50% of the reference's transactions/s",
            ratio(b, Kind::Transition, Kind::RefTransaction, CLIENTS)
                .map(|r| (format!("{:.0}%", r * 100.0), r >= 0.5)),
        );
        if b.backend == Backend::Postgres {
            push(
                "transitions, 8 clients: p99 < 20 ms",
                stat(Kind::Transition, CLIENTS)
                    .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 20.0)),
            );
        }
        push(
            "list of 100, 8 clients: p99 < 20 ms",
            stat(Kind::List100, CLIENTS).map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 20.0)),
        );
        // The same count at page sizes 10, 50 and 100: no statement per row.
        let same_count = |prefix: &str| {
            let pages: Vec<u64> = b
                .statements
                .iter()
                .filter(|c| c.request.starts_with(prefix))
                .map(|c| c.per_request)
                .collect();
            (!pages.is_empty()).then(|| {
                let same = pages.windows(2).all(|w| w[0] == w[1]);
                let shown = pages.iter().map(|p| format!("{p}")).collect::<Vec<_>>();
                (shown.join(" / "), same && pages.len() == 3)
            })
        };
        push(
            "list: same number of SQL statements at page sizes 10, 50, 100",
            same_count("list of "),
        );
        push(
            "point read, 8 clients: ≥ 25% of the reference's reads/s",
            ratio(b, Kind::PointRead, Kind::RefPointRead, CLIENTS)
                .map(|r| (format!("{:.0}%", r * 100.0), r >= 0.25)),
        );
        push(
            "rolloutSummary over all procedures: p99 < 20 ms (1 client)",
            stat(Kind::Summary, 1).map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 20.0)),
        );
        push(
            "tasks(overdue, one bureau, first: 100), 8 clients: p99 < 20 ms",
            stat(Kind::TasksOverdue, CLIENTS)
                .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 20.0)),
        );
        push(
            "tasks overdue: same number of SQL statements at page sizes 10, 50, 100",
            same_count("tasks overdue, page of "),
        );
        push(
            "recordHearing with 20 applied outcomes, 8 clients: p99 < 60 ms",
            stat(Kind::RecordHearing, CLIENTS)
                .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 60.0)),
        );
        push(
            "procedures(first: N) { hearings tasks userTests }: same number of SQL statements at N = 10, 50, 100",
            same_count("procedures with evidence, page of "),
        );
        for (kind, budget, what) in [
            (
                Kind::Kpis,
                50.0,
                "kpis(asOf, groupBy: [BUREAU]), warm: p99 < 50 ms (1 client)",
            ),
            (
                Kind::FlowMetrics,
                50.0,
                "flowMetrics, warm: p99 < 50 ms (1 client)",
            ),
            (
                Kind::Bottlenecks,
                50.0,
                "bottlenecks(first: 10), warm: p99 < 50 ms (1 client)",
            ),
            (
                Kind::Forecast,
                300.0,
                "forecast with 10,000 runs: p99 < 300 ms (1 client)",
            ),
            (
                Kind::ReportXlsx,
                2000.0,
                "quarterly report as XLSX: p99 < 2 s (1 client)",
            ),
            (
                Kind::PageOverview,
                100.0,
                "dashboard overview page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageList,
                100.0,
                "dashboard procedures page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageListFiltered,
                100.0,
                "dashboard filtered procedures page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageProcedure,
                100.0,
                "dashboard procedure page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageBottlenecks,
                100.0,
                "dashboard bottlenecks page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageLawChanges,
                100.0,
                "dashboard law changes page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageQuality,
                100.0,
                "dashboard quality map page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageReport,
                100.0,
                "dashboard quarterly report page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageMy,
                100.0,
                "dashboard my-work page: p99 < 100 ms (1 client)",
            ),
            (
                Kind::PageAdmin,
                100.0,
                "dashboard administration page: p99 < 100 ms (1 client)",
            ),
        ] {
            push(
                what,
                stat(kind, 1).map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < budget)),
            );
        }
        push(
            "blockerRanking(first: 20), warm: p99 < 100 ms (1 client)",
            stat(Kind::BlockerRanking, 1)
                .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 100.0)),
        );
        push(
            "blockerRanking(first: 20), first call after a change (with the change): p99 < 300 ms",
            stat(Kind::BlockerRankingAfterChange, 1)
                .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 300.0)),
        );
        push(
            "addDependency with its cycle check, 8 clients: p99 < 20 ms",
            stat(Kind::AddDependency, CLIENTS)
                .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 20.0)),
        );
        push(
            "earliestRelease for a page of 100, 8 clients: p99 < 50 ms",
            stat(Kind::EarliestRelease100, CLIENTS)
                .map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 50.0)),
        );
        push(
            "enacting a law change that unblocks 500 procedures: < 2 s (slowest sample)",
            b.enact_500_ms.iter().copied().reduce(f64::max).map(|v| {
                (
                    format!("{v:.0} ms (of {})", b.enact_500_ms.len()),
                    v < 2000.0,
                )
            }),
        );
        push(
            "earliestRelease: same number of SQL statements at page sizes 10, 50, 100",
            same_count("earliestRelease, page of "),
        );
        push(
            "import of the dataset's row count: < 5 s",
            (b.import_rows > 0).then(|| {
                (
                    format!("{:.2} s ({} rows)", b.import_seconds, b.import_rows),
                    b.import_seconds < 5.0,
                )
            }),
        );
        if b.backend == Backend::Sqlite {
            push(
                "start to ready, empty SQLite database: < 1 s",
                median(&b.ready_empty_ms).map(|v| (format!("{v:.0} ms"), v < 1000.0)),
            );
        }
        push(
            "server peak memory, dataset as loaded: < 150 MB",
            b.peak_rss_mib.map(|v| {
                let mb = v * 1.048_576;
                (format!("{mb:.0} MB"), mb < 150.0)
            }),
        );
        for (budget, value, met) in b.reminders.iter().flat_map(reminders::report::verdicts) {
            push(&budget, Some((value, met)));
        }
        push(
            "GET /metrics, warm: p99 < 50 ms",
            stat(Kind::MetricsScrape, 1).map(|s| (format!("{:.2} ms", s.p99_ms), s.p99_ms < 50.0)),
        );
        if let Some(ops) = &b.operations {
            for (budget, value, limit) in [
                (
                    "rollout verify, the dataset: < 30 s",
                    Some(ops.verify_seconds),
                    30.0,
                ),
                (
                    "rollout backup (SQLite), the dataset: < 30 s",
                    ops.backup_seconds,
                    30.0,
                ),
                (
                    "rollout restore (SQLite), the dataset: < 60 s",
                    ops.restore_seconds,
                    60.0,
                ),
                (
                    "rollout migrate-data into PostgreSQL, the dataset: < 300 s",
                    ops.migrate_data_seconds,
                    300.0,
                ),
            ] {
                push(budget, value.map(|v| (format!("{v:.2} s"), v < limit)));
            }
        }
    }
    out
}

pub fn markdown(md: &mut String, verdicts: &[Verdict], quick: bool) {
    let _ = writeln!(md, "## Budgets\n");
    if quick {
        let _ = writeln!(
            md,
            "Quick run: small dataset and sub-second measurements, so these verdicts say nothing about the budgets.\n"
        );
    }
    let _ = writeln!(
        md,
        "| budget | backend | measured | verdict |\n|---|---|---|---|"
    );
    for v in verdicts {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            v.budget,
            v.backend.label(),
            v.value,
            if v.met { "met" } else { "**missed**" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{CpuUse, Stats};
    use crate::statements::StatementCount;
    use crate::suite::Measurement;

    fn stats(clients: usize, per_second: f64, p99_ms: f64) -> Stats {
        Stats {
            clients,
            seconds: 10.0,
            ops: 100,
            errors: 0,
            per_second,
            p50_ms: p99_ms / 2.0,
            p90_ms: p99_ms,
            p99_ms,
            max_ms: p99_ms,
            cpu: CpuUse::default(),
            first_error: None,
        }
    }

    fn results(backend: Backend, list_statements: [u64; 3]) -> BackendResults {
        let m = |kind, clients, per_second, p99| Measurement {
            kind,
            stats: stats(clients, per_second, p99),
        };
        BackendResults {
            backend,
            procedures: 28_044,
            demo_seconds: 9.0,
            import_rows: 28_000,
            import_seconds: 6.5,
            ready_empty_ms: vec![80.0, 90.0, 70.0],
            ready_populated_ms: 120.0,
            peak_rss_mib: Some(60.0),
            peak_rss_after_hearings_mib: Some(70.0),
            hearing_stock: 0,
            measurements: vec![
                m(Kind::Transition, 8, 1200.0, 25.0),
                m(Kind::RefTransaction, 8, 2000.0, 5.0),
                m(Kind::List100, 8, 300.0, 12.0),
                m(Kind::PointRead, 8, 400.0, 3.0),
                m(Kind::RefPointRead, 8, 2000.0, 1.0),
                m(Kind::Summary, 1, 90.0, 18.0),
                m(Kind::TasksOverdue, 8, 700.0, 12.0),
                m(Kind::RecordHearing, 8, 40.0, 75.0),
                m(Kind::BlockerRanking, 1, 30.0, 45.0),
                m(Kind::AddDependency, 8, 500.0, 24.0),
            ],
            statements: [
                ("list of", list_statements),
                ("tasks overdue, page of", [2, 2, 2]),
                ("procedures with evidence, page of", [5, 5, 6]),
                ("earliestRelease, page of", [6, 6, 6]),
            ]
            .iter()
            .flat_map(|(request, counts)| {
                counts
                    .iter()
                    .zip([10, 50, 100])
                    .map(move |(n, size)| StatementCount {
                        request: format!("{request} {size}"),
                        per_request: *n,
                        min: *n,
                        max: *n,
                        one_request: Vec::new(),
                    })
            })
            .collect(),
            enact_500_ms: vec![900.0, 2100.0],
            reminders: None,
            reminders_error: None,
            operations: None,
            operations_error: None,
        }
    }

    fn verdict<'a>(all: &'a [Verdict], prefix: &str) -> &'a Verdict {
        all.iter()
            .find(|v| v.budget.starts_with(prefix))
            .unwrap_or_else(|| panic!("no verdict for {prefix}"))
    }

    #[test]
    fn each_budget_is_judged_on_its_figure() {
        let all = evaluate(&[results(Backend::Postgres, [4, 4, 4])]);
        let tx = verdict(&all, "transitions, 8 clients: ≥");
        assert_eq!((tx.value.as_str(), tx.met), ("60%", true));
        let p99 = verdict(&all, "transitions, 8 clients: p99");
        assert_eq!((p99.value.as_str(), p99.met), ("25.00 ms", false));
        let reads = verdict(&all, "point read");
        assert_eq!((reads.value.as_str(), reads.met), ("20%", false));
        assert!(verdict(&all, "list: same").met);
        assert!(verdict(&all, "rolloutSummary").met);
        assert!(!verdict(&all, "import").met);
        assert_eq!(verdict(&all, "server peak").value, "63 MB");
        assert!(verdict(&all, "blockerRanking(first: 20), warm").met);
        let add = verdict(&all, "addDependency");
        assert_eq!((add.value.as_str(), add.met), ("24.00 ms", false));
        let enact = verdict(&all, "enacting");
        assert_eq!((enact.value.as_str(), enact.met), ("2100 ms (of 2)", false));
        assert!(verdict(&all, "earliestRelease: same").met);
        assert!(
            all.iter().all(|v| !v.budget.starts_with("start to ready")),
            "SQLite only"
        );
    }

    #[test]
    fn the_evidence_budgets_are_judged_on_their_own_figures() {
        let all = evaluate(&[results(Backend::Sqlite, [3, 3, 3])]);
        let tasks = verdict(&all, "tasks(overdue");
        assert_eq!((tasks.value.as_str(), tasks.met), ("12.00 ms", true));
        let pages = verdict(&all, "tasks overdue: same");
        assert_eq!((pages.value.as_str(), pages.met), ("2 / 2 / 2", true));
        let hearing = verdict(&all, "recordHearing");
        assert_eq!((hearing.value.as_str(), hearing.met), ("75.00 ms", false));
        let nested = verdict(&all, "procedures(first: N)");
        assert_eq!((nested.value.as_str(), nested.met), ("5 / 5 / 6", false));
        assert!(
            verdict(&all, "list: same").met,
            "counted apart from the nested lists"
        );
    }

    #[test]
    fn a_statement_count_that_grows_with_the_page_is_a_miss() {
        let all = evaluate(&[results(Backend::Sqlite, [3, 3, 5])]);
        let list = verdict(&all, "list: same");
        assert_eq!((list.value.as_str(), list.met), ("3 / 3 / 5", false));
        assert_eq!(verdict(&all, "start to ready").value, "80 ms");
        assert!(
            all.iter()
                .all(|v| !v.budget.contains("p99 < 20 ms") || !v.budget.starts_with("transitions"))
        );
    }
}

//! The reminder figures as the report shows them (a Markdown table per backend) and judged
//! against issue 12's budgets: the firing under 10 s (slowest sample), at least 500 webhook
//! deliveries a second, and an idle scheduler within 0.1% of a core (60 ms of CPU a minute) of
//! a server without one, which is how "indistinguishable" is read here.

use std::fmt::Write as _;

use super::RemindersResults;

/// The firing budget, ms.
const FIRING_MS: f64 = 10_000.0;
/// The delivery budget, per second.
const DELIVERIES_PER_SECOND: f64 = 500.0;
/// The idle difference read as indistinguishable, ms of CPU per minute.
const IDLE_MS_PER_MINUTE: f64 = 60.0;

/// `(budget, measured, met)` for each of the three figures.
pub fn verdicts(r: &RemindersResults) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    if let Some(slowest) = r.firings.iter().map(|f| f.ms).reduce(f64::max) {
        let items = r.firings.first().map_or(0, |f| f.items);
        out.push((
            "STALE_PROCEDURE firing over the dataset, tick to every row committed: < 10 s (slowest sample)".to_owned(),
            format!("{:.2} s ({items} items, of {})", slowest / 1000.0, r.firings.len()),
            slowest < FIRING_MS,
        ));
    }
    let d = &r.delivery;
    out.push((
        "webhook deliveries to a local sink, default concurrency: ≥ 500/s".to_owned(),
        format!(
            "{:.0}/s ({} in {:.2} s)",
            d.per_second, d.unique_ids, d.seconds
        ),
        d.per_second >= DELIVERIES_PER_SECOND && d.dead_after == 0,
    ));
    let i = &r.idle;
    let extra = i.scheduler_ms_per_minute - i.disabled_ms_per_minute;
    out.push((
        format!(
            "idle scheduler with {} rules: within 60 ms CPU/min of no scheduler",
            i.rules
        ),
        format!(
            "{:.0} vs {:.0} ms CPU/min",
            i.scheduler_ms_per_minute, i.disabled_ms_per_minute
        ),
        extra <= IDLE_MS_PER_MINUTE,
    ));
    out
}

pub fn markdown(md: &mut String, r: &RemindersResults) {
    let _ = writeln!(
        md,
        "Reminders ({} procedures, {} coordinators added, one per bureau):\n",
        r.procedures, r.coordinators_added
    );
    let _ = writeln!(md, "| reminder figure | value |\n|---|---|");
    for (k, f) in r.firings.iter().enumerate() {
        let _ = writeln!(
            md,
            "| STALE_PROCEDURE firing {}: `run-once --now T` wall time | {:.1} ms: {} items to {} recipients, {} deliveries queued |",
            k + 1,
            f.ms,
            f.items,
            f.recipients,
            f.deliveries
        );
    }
    let d = &r.delivery;
    let _ = writeln!(
        md,
        "| webhook deliveries ({} endpoints × {} firings) | {} arrived ({} distinct ids) in {:.3} s first to last: **{:.0}/s**; {:.2} s from spawning the server; outbox depth after {}, dead {} |",
        d.endpoints,
        d.firings,
        d.received,
        d.unique_ids,
        d.seconds,
        d.per_second,
        d.since_spawn_seconds,
        d.outbox_depth_after,
        d.dead_after
    );
    let i = &r.idle;
    let _ = writeln!(
        md,
        "| idle server CPU over {:.0} s, {} rules | {:.1} ms/min with the scheduler, {:.1} ms/min with `ROLLOUT_SCHEDULER_ENABLED=false` |\n",
        i.window_seconds, i.rules, i.scheduler_ms_per_minute, i.disabled_ms_per_minute
    );
}

#[cfg(test)]
mod tests {
    use super::super::{DeliveryRun, FiringSample, IdleCpu};
    use super::*;

    fn results(firing_ms: [f64; 2], per_second: f64, idle: (f64, f64)) -> RemindersResults {
        RemindersResults {
            procedures: 28_044,
            coordinators_added: 31,
            idle: IdleCpu {
                rules: 50,
                window_seconds: 30.0,
                scheduler_ms_per_minute: idle.0,
                disabled_ms_per_minute: idle.1,
            },
            delivery: DeliveryRun {
                endpoints: 50,
                firings: 100,
                expected: 5000,
                received: 5000,
                unique_ids: 5000,
                seconds: 5000.0 / per_second,
                per_second,
                since_spawn_seconds: 9.0,
                outbox_depth_after: 0,
                dead_after: 0,
            },
            firings: firing_ms
                .iter()
                .map(|&ms| FiringSample {
                    ms,
                    items: 27_000,
                    recipients: 35,
                    deliveries: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn each_reminder_budget_is_judged_on_its_figure() {
        let v = verdicts(&results([4_000.0, 10_500.0], 800.0, (20.0, 10.0)));
        assert_eq!(v.len(), 3);
        assert_eq!(
            (v[0].1.as_str(), v[0].2),
            ("10.50 s (27000 items, of 2)", false)
        );
        assert_eq!((v[1].1.as_str(), v[1].2), ("800/s (5000 in 6.25 s)", true));
        assert_eq!((v[2].1.as_str(), v[2].2), ("20 vs 10 ms CPU/min", true));
        let v = verdicts(&results([900.0, 800.0], 499.0, (200.0, 10.0)));
        assert!(v[0].2);
        assert!(!v[1].2, "499/s is under 500");
        assert!(!v[2].2, "190 ms a minute more is not indistinguishable");
    }
}

//! Earliest release: the latest expected date among a procedure's open blockers along the
//! graph, plus the lead time of its platform.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};

use crate::blockers::BlockerRef;
use crate::{FiscalQuarter, Platform, ProcedureId};

use super::{DepGraph, EarliestRelease, Procs};

/// Days from `scheduled` to `released`, per platform: the median of history when there are
/// enough samples, else a configured default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadTimes {
    /// Platforms (None = no platform) with enough samples, and their median.
    measured: HashMap<Option<Platform>, u32>,
    default_days: u32,
}

impl LeadTimes {
    /// From samples `(platform, days)`; a platform with fewer than `min_samples` uses
    /// `default_days`. Negative samples are ignored; an even count takes the lower median.
    pub fn from_samples(
        samples: &[(Option<Platform>, i64)],
        min_samples: usize,
        default_days: u32,
    ) -> Self {
        let mut by_platform: HashMap<Option<Platform>, Vec<i64>> = HashMap::new();
        for &(platform, days) in samples {
            if days >= 0 {
                by_platform.entry(platform).or_default().push(days);
            }
        }
        let measured = by_platform
            .into_iter()
            .filter(|(_, days)| !days.is_empty() && days.len() >= min_samples)
            .map(|(platform, mut days)| {
                days.sort_unstable();
                let median = days[(days.len() - 1) / 2];
                (platform, u32::try_from(median).unwrap_or(u32::MAX))
            })
            .collect();
        Self {
            measured,
            default_days,
        }
    }

    pub fn days(&self, platform: Option<Platform>) -> u32 {
        self.measured
            .get(&platform)
            .copied()
            .unwrap_or(self.default_days)
    }
}

fn quarter_of(d: NaiveDate) -> Option<FiscalQuarter> {
    FiscalQuarter::try_containing(d).ok()
}

fn plus_days(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX)
}

/// Nothing (open) blocks: released on its date, or free today.
fn unblocked(date: NaiveDate, target: Option<FiscalQuarter>) -> EarliestRelease {
    EarliestRelease {
        date,
        quarter: quarter_of(date),
        decided_by: Vec::new(),
        at_risk: target.is_some_and(|t| t.last_day() < date),
    }
}

impl DepGraph {
    /// The earliest release of each of `ps` (every id gets an entry; a procedure the graph
    /// does not know has nothing blocking it).
    pub fn earliest_releases(
        &self,
        ps: &[ProcedureId],
        procs: &Procs,
        leads: &LeadTimes,
        today: NaiveDate,
    ) -> HashMap<ProcedureId, EarliestRelease> {
        let mut memo: HashMap<ProcedureId, EarliestRelease> = HashMap::new();
        let mut in_progress: HashSet<ProcedureId> = HashSet::new();
        // Depth-first without recursion (chains can be thousands long): `(p, false)` asks for
        // p, `(p, true)` computes it once its procedure blockers are known.
        let mut stack: Vec<(ProcedureId, bool)> = Vec::new();
        for &root in ps {
            stack.push((root, false));
            while let Some((p, expanded)) = stack.pop() {
                if expanded {
                    let er = self.release_from_blockers(p, procs, leads, today, &memo);
                    in_progress.remove(&p);
                    memo.insert(p, er);
                    continue;
                }
                // Already known, or on the current path (a cycle: left undated).
                if memo.contains_key(&p) || in_progress.contains(&p) {
                    continue;
                }
                if !procs.get(&p).is_some_and(|n| n.open) {
                    // Released or abolished (or unknown): its own date, nothing deciding it.
                    let date = procs.get(&p).and_then(|n| n.released_on).unwrap_or(today);
                    memo.insert(p, unblocked(date, None));
                    continue;
                }
                in_progress.insert(p);
                stack.push((p, true));
                for q in self.open_blockers(p, procs) {
                    if let BlockerRef::Procedure(q) = q
                        && !memo.contains_key(&q)
                        && !in_progress.contains(&q)
                    {
                        stack.push((q, false));
                    }
                }
            }
        }
        ps.iter().map(|p| (*p, memo[p].clone())).collect()
    }

    /// The open direct blockers of `p`, in [`BlockerRef`] order.
    fn open_blockers(&self, p: ProcedureId, procs: &Procs) -> Vec<BlockerRef> {
        self.idx(BlockerRef::Procedure(p))
            .map_or_else(Vec::new, |i| {
                self.out
                    .of(i)
                    .iter()
                    .map(|&v| self.node_ref(v))
                    .filter(|&v| self.is_open(v, procs))
                    .collect()
            })
    }

    /// The earliest release of open `p` whose procedure blockers are in `memo` (one missing
    /// is on a cycle and counts as undated).
    fn release_from_blockers(
        &self,
        p: ProcedureId,
        procs: &Procs,
        leads: &LeadTimes,
        today: NaiveDate,
        memo: &HashMap<ProcedureId, EarliestRelease>,
    ) -> EarliestRelease {
        let node = &procs[&p];
        let target = node.target_quarter;
        let mut undated: Option<BlockerRef> = None;
        let mut latest: Option<(NaiveDate, BlockerRef)> = None;
        // Ascending BlockerRef order: the first undated one and the first of equal latest
        // dates are the smallest.
        for b in self.open_blockers(p, procs) {
            let date = match b {
                BlockerRef::Procedure(q) => memo.get(&q).and_then(|er| er.quarter.map(|_| er.date)),
                other => self.blocker(other).and_then(|n| n.expected_on),
            };
            match date {
                None => {
                    undated.get_or_insert(b);
                }
                Some(d) if latest.is_none_or(|(l, _)| d > l) => latest = Some((d, b)),
                Some(_) => {}
            }
        }
        let lead = leads.days(node.platform);
        let (deciding, date, quarter) = match (undated, latest) {
            (None, None) => return unblocked(today, target),
            (Some(u), known) => {
                let base = known.map_or(today, |(d, _)| d);
                (u, plus_days(base, lead).max(today), None)
            }
            (None, Some((d, b))) => {
                let date = plus_days(d, lead).max(today);
                (b, date, quarter_of(date))
            }
        };
        let mut decided_by = vec![deciding];
        if let BlockerRef::Procedure(q) = deciding
            && let Some(er) = memo.get(&q)
        {
            decided_by.extend(er.decided_by.iter().copied());
        }
        EarliestRelease {
            date,
            quarter,
            at_risk: target.is_some_and(|t| quarter.is_none() || t.last_day() < date),
            decided_by,
        }
    }
}

//! Earliest release: the latest expected date among a procedure's open blockers along the
//! graph, plus the lead time of its platform.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::{Platform, ProcedureId};

use super::{DepGraph, EarliestRelease, Procs};

/// Days from `scheduled` to `released`, per platform: the median of history when there are
/// enough samples, else a configured default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadTimes {
    // by platform (None = no platform) and the default
}

impl LeadTimes {
    /// From samples `(platform, days)`; a platform with fewer than `min_samples` uses
    /// `default_days`.
    pub fn from_samples(
        samples: &[(Option<Platform>, i64)],
        min_samples: usize,
        default_days: u32,
    ) -> Self {
        todo!()
    }

    pub fn days(&self, platform: Option<Platform>) -> u32 {
        todo!()
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
        todo!()
    }
}

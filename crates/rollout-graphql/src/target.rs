//! Target-quarter history as the API shows it: `TargetChange`, one change of a procedure's
//! target quarter (by an update, a hearing or an import). The history of a page of procedures is
//! read in one batch (`loaders::TargetHistoryBatch`); what counts as a slip is the domain's.

use async_graphql::SimpleObject;
use rollout_domain::target as domain;

use crate::scalars::{DateTime, FiscalQuarter};

/// One change of a procedure's target quarter.
#[derive(Debug, Clone, SimpleObject)]
pub struct TargetChange {
    /// Null for the first target a procedure got.
    #[graphql(name = "from")]
    pub from_quarter: Option<FiscalQuarter>,
    /// Null when the target was cleared.
    #[graphql(name = "to")]
    pub to_quarter: Option<FiscalQuarter>,
    pub at: DateTime,
    /// Who changed it, named as history records name actors.
    pub actor: String,
    pub reason: Option<String>,
}

impl From<&domain::TargetChange> for TargetChange {
    fn from(c: &domain::TargetChange) -> Self {
        Self {
            from_quarter: c.from.map(FiscalQuarter),
            to_quarter: c.to.map(FiscalQuarter),
            at: DateTime(c.at),
            actor: c.actor.clone(),
            reason: c.reason.clone(),
        }
    }
}

//! `rollout verify`'s use case: the store's checks of the stored data
//! ([`rollout_store::integrity`]) plus the one only the app can make, that every procedure is in
//! a state the loaded workflow defines (a restore under another workflow file, or a workflow
//! edited after the data was written, would break it). The schema-version check is the
//! server's: only the binary knows which migrations it embeds.

use rollout_store::{Finding, IntegrityReport, ProcedureFilter};
use tracing::instrument;

use crate::{App, AppResult};

/// A procedure is in a state the loaded workflow does not define.
pub const UNKNOWN_STATE: &str = "workflow.unknown_state";

impl App {
    /// Runs every data check against the store and the loaded workflow; changes nothing.
    #[instrument(skip(self))]
    pub async fn verify(&self) -> AppResult<IntegrityReport> {
        let mut report = self.store().integrity().await?;
        let by_state = self
            .store()
            .count_by_state(&ProcedureFilter::default())
            .await?;
        let workflow = self.workflow();
        report.checks.push(UNKNOWN_STATE.to_owned());
        for (state, count) in by_state {
            if workflow.state(&state).is_none() {
                report.findings.push(Finding {
                    check: UNKNOWN_STATE.to_owned(),
                    subject: state.clone(),
                    detail: format!(
                        "{count} procedure(s) are in state {state}, which workflow {} does not \
                         define",
                        workflow.version_tag()
                    ),
                });
            }
        }
        Ok(report)
    }
}

//! Target quarters over time: the history entry every change of a procedure's target quarter
//! leaves (creation, update, import; hearings build theirs the same way), and "slipped" as of
//! today in Tokyo, both for one procedure and as the plain listing condition the stores apply
//! (`SlipCondition`), so that no backend decides what slipped means.

use chrono::NaiveDate;
use rollout_domain::target::{self, TargetChange};
use rollout_domain::workflow::WorkflowDefinition;
use rollout_domain::{FiscalQuarter, Procedure, ProcedureId};
use rollout_store::SlipCondition;

use crate::App;

impl App {
    /// The history entry of a change of `procedure`'s target quarter from `from` to `to`, made
    /// now by `actor` (a history label, as in transition records); `None` when nothing changed.
    pub(crate) fn target_change(
        &self,
        procedure: ProcedureId,
        from: Option<FiscalQuarter>,
        to: Option<FiscalQuarter>,
        actor: &str,
        reason: Option<&str>,
    ) -> Option<TargetChange> {
        (from != to).then(|| TargetChange {
            procedure_id: procedure,
            from,
            to,
            at: self.now(),
            actor: actor.to_owned(),
            reason: reason.map(str::to_owned),
        })
    }

    /// Whether `p`'s target quarter has ended (today in Tokyo) without it being finished.
    pub fn is_slipped(&self, p: &Procedure) -> bool {
        target::is_slipped(self.workflow(), p, self.today())
    }
}

/// The listing condition for slipped procedures (`slipped: true`) or the others (`false`) as of
/// `today` in Tokyo; `None` when no supported quarter has ended by then.
pub fn slip_condition(
    def: &WorkflowDefinition,
    today: NaiveDate,
    slipped: bool,
) -> Option<SlipCondition> {
    Some(SlipCondition {
        last_ended: target::last_ended_quarter(today)?,
        unfinished_states: target::unfinished_states(def),
        slipped,
    })
}

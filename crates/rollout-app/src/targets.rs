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

#[cfg(test)]
mod tests {
    //! Every way a target quarter is set leaves its entry, on a real (SQLite) store.

    use std::sync::Arc;

    use rollout_domain::workflow::default_workflow;
    use rollout_domain::{Authority, Category, ProcedureCode, ProcedurePatch};
    use rollout_store_sqlite::SqliteStore;

    use super::*;
    use crate::{Actor, CreateBureau, CreateProcedure, FixedClock, UpdateProcedure};

    fn q(raw: &str) -> Option<FiscalQuarter> {
        Some(raw.parse().unwrap())
    }

    #[tokio::test]
    async fn creation_update_and_import_record_target_changes() {
        let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let clock = Arc::new(FixedClock::new("2026-06-15T03:00:00Z".parse().unwrap()));
        let app = App::new(Arc::new(store), default_workflow(), clock);
        let actor = Actor::system("test");
        let bureau = CreateBureau {
            code: "KANKYO".into(),
            name_ja: "環境局".into(),
            name_en: "Environment".into(),
        };
        app.create_bureau(&actor, bureau).await.unwrap();
        let created = app
            .create_procedure(
                &actor,
                CreateProcedure {
                    code: "KANKYO-0001".into(),
                    name: "手続".into(),
                    name_en: None,
                    bureau_code: "KANKYO".into(),
                    category: Category::Standard,
                    authority: Authority::Tokyo,
                    annual_applications: None,
                    process_count: None,
                    platform: None,
                    target_quarter: q("FY2026-Q2"),
                },
            )
            .await
            .unwrap();
        let update = |quarter: &str, reason: Option<&str>| UpdateProcedure {
            patch: ProcedurePatch {
                target_quarter: Some(q(quarter)),
                ..ProcedurePatch::default()
            },
            bureau_code: None,
            reason: reason.map(str::to_owned),
        };
        let updated = app
            .update_procedure(&actor, created.id, 1, update("FY2026-Q4", Some("遅延")))
            .await
            .unwrap();
        assert_eq!(updated.target_quarter, q("FY2026-Q4"));
        // The same quarter again changes the row's version but not its target history.
        app.update_procedure(&actor, created.id, 2, update("FY2026-Q4", Some("確認")))
            .await
            .unwrap();

        let csv = "code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter\n\
                   KANKYO-0002,届出,,KANKYO,STANDARD,TOKYO,,,,FY2027-Q1\n\
                   KANKYO-0003,申請,,KANKYO,STANDARD,TOKYO,,,,\n";
        app.import_procedures(&actor, csv.as_bytes(), &|_| {})
            .await
            .unwrap();
        let imported = app
            .store()
            .procedure_by_code(&ProcedureCode::parse("KANKYO-0002").unwrap())
            .await
            .unwrap()
            .unwrap();
        let untargeted = app
            .store()
            .procedure_by_code(&ProcedureCode::parse("KANKYO-0003").unwrap())
            .await
            .unwrap()
            .unwrap();

        let ids = [created.id, imported.id, untargeted.id];
        let changes: Vec<_> = app
            .store()
            .target_changes_for(&ids)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.procedure_id, c.from, c.to, c.actor, c.reason))
            .collect();
        let label = "system:test".to_owned();
        assert_eq!(
            changes
                .iter()
                .filter(|c| c.0 == created.id)
                .cloned()
                .collect::<Vec<_>>(),
            [
                (created.id, None, q("FY2026-Q2"), label.clone(), None),
                (
                    created.id,
                    q("FY2026-Q2"),
                    q("FY2026-Q4"),
                    label.clone(),
                    Some("遅延".to_owned())
                ),
            ]
        );
        assert_eq!(
            changes
                .iter()
                .filter(|c| c.0 != created.id)
                .cloned()
                .collect::<Vec<_>>(),
            [(imported.id, None, q("FY2027-Q1"), label, None)],
            "an imported target is recorded; no target, no entry"
        );
    }
}

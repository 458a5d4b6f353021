//! Contract cases for [`Store::integrity`](crate::Store::integrity): clean after writes made the
//! way the app makes them (audited transitions, patches that bump the version without a record,
//! bulk loads under one entry), and each history and audit check firing on data that breaks it.
//! The data is broken through the store's own doors, which apply no workflow rule: a bulk load
//! stores a seed as given, and a batch stores a transition without the audit entry the app
//! always adds. Orphan rows cannot be made without raw SQL (foreign keys refuse them), so their
//! checks are exercised by the operations tests (`tests/ops/verify.rs`) on both backends.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::ProcedurePatch;
use rollout_domain::workflow::PlannedTransition;

use super::fixtures::{at, audit, plan, procedure, seed_bureau, seed_procedure, seed_with_history};
use crate::integrity::{
    HISTORY_CHAIN_BROKEN, HISTORY_WITHOUT_CREATION, STATE_DIFFERS_FROM_HISTORY,
    TRANSITION_UNAUDITED, VERSION_BEHIND_HISTORY,
};
use crate::{IntegrityReport, Store, TransitionWrite, Write};

/// The app's audit entry of a transition: `procedure.transition` on the procedure, with the
/// version it reaches in `after`.
fn transition_audit(plan: &PlannedTransition) -> rollout_domain::audit::AuditEntry {
    let mut entry = audit(
        "procedure.transition",
        "Procedure",
        plan.record.procedure_id,
        plan.record.at,
    );
    entry.after = Some(format!(
        r#"{{"state":"{}","version":{}}}"#,
        plan.to_state, plan.record.procedure_version
    ));
    entry
}

fn subjects(report: &IntegrityReport, check: &str) -> Vec<String> {
    let mut s: Vec<String> = report
        .of(check)
        .into_iter()
        .map(|f| f.subject.clone())
        .collect();
    s.sort();
    s
}

fn count(report: &IntegrityReport, table: &str) -> i64 {
    report
        .checked
        .iter()
        .find(|(t, _)| t == table)
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("{table} not counted in {:?}", report.checked))
}

fn bulk_audit(when: DateTime<Utc>) -> rollout_domain::audit::AuditEntry {
    audit("procedure.import", "Procedure", "batch", when)
}

/// Transitions audited as the app audits them, a patch between them (a version with no
/// record) and a bulk load under one entry: nothing to report, and the rows are counted.
pub async fn integrity_clean_after_audited_writes(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "ZAIMU").await;
    let p = seed_procedure(&store, procedure("ZAIMU-0001", b.id, at(10, 0))).await;
    let first = plan(&p, "scheduled", at(20, 0));
    let p = store
        .apply_transition(&TransitionWrite {
            audit: transition_audit(&first),
            plan: first,
            idempotency: None,
        })
        .await
        .unwrap();
    let patch = ProcedurePatch {
        name: Some("改名".to_owned()),
        ..ProcedurePatch::default()
    };
    let entry = audit("procedure.update", "Procedure", p.id, at(30, 0));
    let p = store
        .update_procedure(p.id, p.version, &patch, at(30, 0), &entry)
        .await
        .unwrap();
    let second = plan(&p, "built", at(40, 0));
    store
        .commit(&[
            Write::Audit(transition_audit(&second)),
            Write::Transition(second),
        ])
        .await
        .unwrap();
    let seed = seed_with_history(procedure("ZAIMU-0002", b.id, at(0, 0)), 3);
    store
        .insert_procedures(&[seed], &bulk_audit(at(3600, 0)))
        .await
        .unwrap();

    let report = store.integrity().await.unwrap();
    assert_eq!(report.findings, vec![], "{report:?}");
    assert_eq!(count(&report, "procedures"), 2);
    assert_eq!(count(&report, "transition_records"), 3 + 4);
    for check in [
        VERSION_BEHIND_HISTORY,
        STATE_DIFFERS_FROM_HISTORY,
        HISTORY_WITHOUT_CREATION,
        HISTORY_CHAIN_BROKEN,
        TRANSITION_UNAUDITED,
        "orphan.transition_records.procedure_id",
        "orphan.dependencies.on_id",
    ] {
        assert!(
            report.checks.iter().any(|c| c == check),
            "{check} did not run"
        );
    }
}

/// Histories loaded as given that break each rule are each reported under their check, naming
/// the procedure; the procedure loaded intact is not.
pub async fn integrity_detects_history_drift(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "ZAIMU").await;
    let intact = seed_with_history(procedure("ZAIMU-0010", b.id, at(0, 0)), 2);
    let mut behind = seed_with_history(procedure("ZAIMU-0011", b.id, at(0, 0)), 2);
    behind.procedure.version = 2;
    let mut moved = seed_with_history(procedure("ZAIMU-0012", b.id, at(0, 0)), 2);
    moved.procedure.state = "released".to_owned();
    let mut headless = seed_with_history(procedure("ZAIMU-0013", b.id, at(0, 0)), 2);
    headless.history.remove(0);
    let mut broken = seed_with_history(procedure("ZAIMU-0014", b.id, at(0, 0)), 3);
    broken.history[2].from_state = Some("released".to_owned());
    store
        .insert_procedures(
            &[intact, behind, moved, headless, broken],
            &bulk_audit(at(3600, 0)),
        )
        .await
        .unwrap();

    let report = store.integrity().await.unwrap();
    assert_eq!(subjects(&report, VERSION_BEHIND_HISTORY), ["ZAIMU-0011"]);
    assert_eq!(
        subjects(&report, STATE_DIFFERS_FROM_HISTORY),
        ["ZAIMU-0012"]
    );
    assert_eq!(subjects(&report, HISTORY_WITHOUT_CREATION), ["ZAIMU-0013"]);
    assert_eq!(subjects(&report, HISTORY_CHAIN_BROKEN), ["ZAIMU-0014"]);
    assert_eq!(
        subjects(&report, TRANSITION_UNAUDITED),
        Vec::<String>::new()
    );
    let version = &report.of(VERSION_BEHIND_HISTORY)[0].detail;
    assert!(version.contains("version 2 is below 3"), "{version}");
}

/// A transition stored without its audit entry (a batch missing the `Audit` write the app always
/// adds) is reported; an audited one beside it is not.
pub async fn integrity_detects_unaudited_transition(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "ZAIMU").await;
    let audited = seed_procedure(&store, procedure("ZAIMU-0020", b.id, at(10, 0))).await;
    let bare = seed_procedure(&store, procedure("ZAIMU-0021", b.id, at(10, 0))).await;
    let ok = plan(&audited, "scheduled", at(20, 0));
    store
        .commit(&[Write::Audit(transition_audit(&ok)), Write::Transition(ok)])
        .await
        .unwrap();
    let bare_plan = plan(&bare, "scheduled", at(20, 0));
    // An entry that names the procedure but another version is not this record's.
    let mut other = transition_audit(&bare_plan);
    other.after = Some(r#"{"state":"scheduled","version":7}"#.to_owned());
    store
        .commit(&[Write::Audit(other), Write::Transition(bare_plan)])
        .await
        .unwrap();

    let report = store.integrity().await.unwrap();
    assert_eq!(subjects(&report, TRANSITION_UNAUDITED), ["ZAIMU-0021"]);
    let detail = &report.of(TRANSITION_UNAUDITED)[0].detail;
    assert!(
        detail.contains("scheduled") && detail.contains("version 2"),
        "{detail}"
    );
    assert_eq!(report.findings.len(), 1, "{report:?}");
}

//! Builders for the values the contract cases store: fixed, microsecond-precise times, bureaus,
//! procedures with their creation records, planned transitions and the audit entries every write
//! carries. They build domain values directly (no workflow engine) because the store must accept
//! whatever the app layer decided. Users, tokens, approvals and delegations are built in
//! [`super::people`].

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::{
    AuditEntryId, Authority, Bureau, BureauCode, BureauId, Category, FiscalQuarter, NewBureau,
    Procedure, ProcedureCode, ProcedureId, TransitionRecord, TransitionRecordId,
    workflow::PlannedTransition,
};
use uuid::Uuid;

use crate::{AuditFilter, ProcedureSeed, Store, StoreError, TransitionWrite, Write};

/// The initial workflow state every fixture procedure starts in.
pub const INITIAL: &str = "hearing";
/// The workflow version tag the fixture records carry.
pub const WORKFLOW: &str = "tokyo-dx@1";

/// `2025-04-01T00:00:00Z` plus `seconds` and `micros`: fixed, microsecond-precise instants.
pub fn at(seconds: i64, micros: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap()
        + Duration::seconds(seconds)
        + Duration::microseconds(micros)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn quarter(raw: &str) -> FiscalQuarter {
    FiscalQuarter::parse(raw).unwrap()
}

pub fn bureau_code(raw: &str) -> BureauCode {
    BureauCode::parse(raw).unwrap()
}

pub fn procedure_code(raw: &str) -> ProcedureCode {
    ProcedureCode::parse(raw).unwrap()
}

/// A successful audit entry by the fixture actor (no user account), with a fresh id. `before`
/// and `after` stay empty; cases that store JSON set it themselves.
pub fn audit(
    action: &str,
    target_type: &str,
    target_id: impl ToString,
    at: DateTime<Utc>,
) -> AuditEntry {
    AuditEntry {
        id: AuditEntryId(Uuid::now_v7()),
        at,
        actor_id: None,
        actor: "tester".to_owned(),
        on_behalf_of: None,
        action: action.to_owned(),
        target_type: target_type.to_owned(),
        target_id: Some(target_id.to_string()),
        before: None,
        after: None,
        outcome: AuditOutcome::Success,
        request_id: None,
        client_addr: None,
    }
}

/// Commits `write` and an audit entry for `action` in one batch, as the app does; the failure
/// of the batch is the write's.
pub async fn commit_one(
    store: &Arc<dyn Store>,
    write: Write,
    action: &str,
) -> Result<(), StoreError> {
    let entry = audit(action, "Test", "x", at(500, 0));
    store
        .commit(&[write, Write::Audit(entry)])
        .await
        .map_err(|e| e.error)
}

/// Every audit entry in the store (up to a thousand), oldest first.
pub async fn audit_trail(store: &Arc<dyn Store>) -> Vec<AuditEntry> {
    store
        .list_audit(&AuditFilter::default(), &first(1000))
        .await
        .unwrap()
        .items
}

/// The write that applies `plan` without an idempotency key, audited as `procedure.transition`.
pub fn transition(plan: PlannedTransition) -> TransitionWrite {
    let audit = audit(
        "procedure.transition",
        "Procedure",
        plan.record.procedure_id,
        plan.record.at,
    );
    TransitionWrite {
        plan,
        idempotency: None,
        audit,
    }
}

/// A bureau value with a fresh id and names derived from the code.
pub fn bureau(code: &str) -> Bureau {
    Bureau {
        id: BureauId(Uuid::now_v7()),
        code: bureau_code(code),
        name_ja: format!("{code}局"),
        name_en: format!("Bureau of {code}"),
    }
}

/// Creates the bureau `code` through `create_bureau` and returns it.
pub async fn seed_bureau(store: &Arc<dyn Store>, code: &str) -> Bureau {
    let b = bureau(code);
    let new = NewBureau {
        code: b.code.clone(),
        name_ja: b.name_ja.clone(),
        name_en: b.name_en.clone(),
    };
    let entry = audit("bureau.create", "Bureau", b.id, at(0, 0));
    store.create_bureau(b.id, new, &entry).await.unwrap()
}

/// A version-1 procedure in [`INITIAL`], created and updated at `created`, with every optional
/// field empty.
pub fn procedure(code: &str, bureau: BureauId, created: DateTime<Utc>) -> Procedure {
    Procedure {
        id: ProcedureId(Uuid::now_v7()),
        code: procedure_code(code),
        name: format!("{code} 申請"),
        name_en: None,
        bureau_id: bureau,
        category: Category::Standard,
        authority: Authority::Tokyo,
        annual_applications: None,
        process_count: 1,
        platform: None,
        target_quarter: None,
        released_on: None,
        state: INITIAL.to_owned(),
        version: 1,
        created_at: created,
        updated_at: created,
    }
}

/// The creation record of `p` (no `from` state, version 1, at `p.created_at`).
pub fn creation(p: &Procedure) -> TransitionRecord {
    TransitionRecord {
        id: TransitionRecordId(Uuid::now_v7()),
        procedure_id: p.id,
        from_state: None,
        to_state: p.state.clone(),
        transition: "create".to_owned(),
        actor: "tester".to_owned(),
        comment: None,
        at: p.created_at,
        workflow_version: WORKFLOW.to_owned(),
        approval_request_id: None,
        procedure_version: 1,
    }
}

/// Stores `p` with its creation record through `create_procedure`.
pub async fn seed_procedure(store: &Arc<dyn Store>, p: Procedure) -> Procedure {
    let record = creation(&p);
    let entry = audit("procedure.create", "Procedure", p.id, p.created_at);
    store.create_procedure(p, record, &entry).await.unwrap()
}

/// The plan to move `p` (as currently stored) to `to` at `now`, keeping `released_on`.
pub fn plan(p: &Procedure, to: &str, now: DateTime<Utc>) -> PlannedTransition {
    PlannedTransition {
        expected_version: p.version,
        to_state: to.to_owned(),
        released_on: p.released_on,
        record: TransitionRecord {
            id: TransitionRecordId(Uuid::now_v7()),
            procedure_id: p.id,
            from_state: Some(p.state.clone()),
            to_state: to.to_owned(),
            transition: format!("to_{to}"),
            actor: "approver".to_owned(),
            comment: Some("承認します".to_owned()),
            at: now,
            workflow_version: WORKFLOW.to_owned(),
            procedure_version: p.version + 1,
            approval_request_id: None,
        },
    }
}

/// A bulk-load seed: `p`, its creation record, and `extra` transitions one minute apart, each
/// bumping the version. The procedure row reflects the last transition.
pub fn seed_with_history(mut p: Procedure, extra: usize) -> ProcedureSeed {
    let mut history = vec![creation(&p)];
    let states = ["scheduled", "built", "user_tested", "released"];
    for step in 0..extra {
        let to = states[step % states.len()];
        let now = p.created_at + Duration::minutes(step as i64 + 1);
        let planned = plan(&p, to, now);
        p.state = planned.to_state.clone();
        p.version = planned.record.procedure_version;
        p.updated_at = now;
        history.push(planned.record);
    }
    ProcedureSeed {
        procedure: p,
        history,
        target_changes: Vec::new(),
    }
}

/// Sorted codes of `items`, for order-independent comparisons.
pub fn sorted_codes(items: &[Procedure]) -> Vec<String> {
    let mut codes: Vec<String> = items.iter().map(|p| p.code.as_str().to_owned()).collect();
    codes.sort();
    codes
}

/// Codes of `items` in the order given.
pub fn codes(items: &[Procedure]) -> Vec<&str> {
    items.iter().map(|p| p.code.as_str()).collect()
}

/// The first `first` items, from the beginning, with the total.
pub fn first<C>(first: usize) -> crate::PageRequest<C> {
    crate::PageRequest {
        first,
        after: None,
        with_total: true,
    }
}

/// Every record of `procedure`'s history (up to a thousand), oldest first.
pub async fn full_history(store: &Arc<dyn Store>, procedure: ProcedureId) -> Vec<TransitionRecord> {
    store.history(procedure, &first(1000)).await.unwrap().items
}

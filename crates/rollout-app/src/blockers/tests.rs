//! The automatic unblocking at scale, on a real (SQLite) store: enacting a law change that 500
//! waiting procedures need moves all of them in the one batch of the status change, and a
//! procedure that also waits on an open milestone stays, naming it.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use rollout_domain::blockers::{BlockerRef, Dependency, LawChangeStatus, LawLevel};
use rollout_domain::workflow::default_workflow;
use rollout_domain::{
    Authority, Category, DependencyId, Procedure, ProcedureCode, ProcedureId, TransitionRecord,
    TransitionRecordId,
};
use rollout_store::{BlockerSeed, ProcedureSeed};
use rollout_store_sqlite::SqliteStore;

use crate::audit::Target;
use crate::{
    Actor, App, ChangeLawChangeStatus, CreateBureau, CreateLawChange, CreateMilestone, FixedClock,
    new_uuid,
};

const WAITING: usize = 500;

fn now() -> DateTime<Utc> {
    "2026-06-15T03:00:00Z".parse().unwrap()
}

async fn app() -> App {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    App::new(
        Arc::new(store),
        default_workflow(),
        Arc::new(FixedClock::new(now())),
    )
}

/// `n` procedures of `bureau` waiting in `awaiting_law_change`, every other one with a target.
fn waiting(bureau: rollout_domain::BureauId, n: usize) -> Vec<ProcedureSeed> {
    (0..n)
        .map(|i| {
            let id = ProcedureId(new_uuid());
            let procedure = Procedure {
                id,
                code: ProcedureCode::parse(&format!("KANKYO-{:04}", i + 1)).unwrap(),
                name: format!("手続 {i}"),
                name_en: None,
                bureau_id: bureau,
                category: Category::Standard,
                authority: Authority::National,
                annual_applications: Some(100),
                process_count: 1,
                platform: None,
                target_quarter: (i % 2 == 0).then(|| "FY2027-Q1".parse().unwrap()),
                released_on: None,
                state: "awaiting_law_change".into(),
                version: 1,
                created_at: now(),
                updated_at: now(),
            };
            let creation = TransitionRecord {
                id: TransitionRecordId(new_uuid()),
                procedure_id: id,
                from_state: None,
                to_state: procedure.state.clone(),
                transition: "create".into(),
                actor: "system:test".into(),
                comment: None,
                at: now(),
                workflow_version: "tokyo-digitisation@1".into(),
                procedure_version: 1,
                approval_request_id: None,
            };
            ProcedureSeed {
                procedure,
                history: vec![creation],
                target_changes: Vec::new(),
            }
        })
        .collect()
}

fn edge(from: ProcedureId, on: BlockerRef) -> Dependency {
    Dependency {
        id: DependencyId(new_uuid()),
        procedure_id: from,
        on,
        reason: None,
        created_by: None,
        created_at: now(),
        removed_at: None,
        removed_by: None,
        removed_reason: None,
    }
}

#[tokio::test]
async fn enacting_a_law_change_moves_hundreds_of_procedures_in_one_batch() {
    let app = app().await;
    let system = Actor::system("test");
    let bureau = app
        .create_bureau(
            &system,
            CreateBureau {
                code: "KANKYO".into(),
                name_ja: "環境局".into(),
                name_en: "Bureau of Environment".into(),
            },
        )
        .await
        .unwrap();
    let seeds = waiting(bureau.id, WAITING + 1);
    let audit = app.audit_entry(&system, "import", &Target::kind("Procedure"), None, None);
    app.store().insert_procedures(&seeds, &audit).await.unwrap();
    let law = app
        .create_law_change(
            &system,
            CreateLawChange {
                code: "LAW-0007".into(),
                title_ja: "廃棄物処理法施行規則の改正".into(),
                title_en: None,
                level: LawLevel::MinisterialOrdinance,
                ministry_ja: Some("環境省".into()),
                ministry_en: Some("Ministry of the Environment".into()),
                law_name: None,
                article: None,
                owner_bureau_code: "KANKYO".into(),
                notes: None,
            },
        )
        .await
        .unwrap();
    let platform = app
        .create_milestone(
            &system,
            CreateMilestone {
                name: "SaaS platform".into(),
                platform: None,
                planned_on: None,
                notes: None,
            },
        )
        .await
        .unwrap();
    let mut dependencies: Vec<Dependency> = seeds
        .iter()
        .map(|s| edge(s.procedure.id, BlockerRef::LawChange(law.id)))
        .collect();
    let last = seeds.last().unwrap().procedure.id;
    dependencies.push(edge(last, BlockerRef::Milestone(platform.id)));
    let seed = BlockerSeed {
        dependencies,
        ..BlockerSeed::default()
    };
    let audit = app.audit_entry(&system, "import", &Target::kind("Dependency"), None, None);
    app.store().insert_blockers(&seed, &audit).await.unwrap();

    let requested = app
        .change_law_change_status(
            &system,
            law.id,
            1,
            ChangeLawChangeStatus {
                status: LawChangeStatus::Requested,
                on: None,
                reason: None,
            },
        )
        .await
        .unwrap();
    assert!(requested.unblocked.moved.is_empty());
    let started = Instant::now();
    let enacted = app
        .change_law_change_status(
            &system,
            law.id,
            2,
            ChangeLawChangeStatus {
                status: LawChangeStatus::Enacted,
                on: Some("2026-06-01".parse().unwrap()),
                reason: Some("公布".into()),
            },
        )
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(enacted.unblocked.moved.len(), WAITING, "took {took:?}");
    assert_eq!(enacted.unblocked.still_blocked.len(), 1);
    let still = &enacted.unblocked.still_blocked[0];
    assert_eq!(still.procedure.id, last);
    assert_eq!(still.blockers, [BlockerRef::Milestone(platform.id)]);

    let stored = app
        .store()
        .procedures_by_ids(&seeds.iter().map(|s| s.procedure.id).collect::<Vec<_>>())
        .await
        .unwrap();
    let moved = |state: &str| stored.iter().filter(|p| p.state == state).count();
    assert_eq!(
        (
            moved("scheduled"),
            moved("hearing"),
            moved("awaiting_law_change")
        ),
        (WAITING / 2, WAITING / 2, 1),
        "those with a target quarter go to scheduled, the others to hearing"
    );
    assert!(
        stored
            .iter()
            .filter(|p| p.id != last)
            .all(|p| p.version == 2)
    );
    assert!(took.as_secs() < 10, "500 moves took {took:?}");
}

//! Tests of the law change, milestone and dependency imports: row checks on their own, then
//! whole imports into an in-memory SQLite store (unknown codes, duplicates, cycles spelled in
//! codes, all or nothing).

use std::sync::Arc;

use rollout_domain::blockers::LawChangeStatus;
use rollout_domain::workflow::default_workflow;
use rollout_store_sqlite::SqliteStore;

use super::*;
use crate::{Actor, App, FixedClock};

fn ignore(_: ImportProgress) {}

fn problems(result: Result<ImportReport, ImportError>) -> Vec<(u64, String)> {
    match result {
        Err(ImportError::Rows(errors)) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

const LAW_HEADER: &str = "code,title_ja,title_en,level,ministry_ja,ministry_en,law_name,article,owner_bureau_code,status,requested_on,expected_effective_on,enacted_on,notes\n";

fn law_rows(body: &str) -> Vec<(u64, String)> {
    let text = format!("{LAW_HEADER}{body}");
    let (rows, mut errors) = read_rows(text.as_bytes(), LAW_CHANGE_COLUMNS).expect("readable");
    for r in &rows {
        law_changes::parse_row(r, &mut errors);
    }
    errors.into_iter().map(|e| (e.line, e.message)).collect()
}

#[test]
fn a_law_change_row_reports_every_problem_by_column() {
    let errors = law_rows(concat!(
        "LAW-0001,旅券法,Passport Act,NATIONAL_LAW,外務省,MOFA,旅券法,,SEIKATSU,DATE_SHOWN,2021-03-01,2023-03-27,,\n",
        "law 7,,,statute,,,,,seikatsu,DONE,2021-13-01,,,\n",
        "LAW-0003,x,,NATIONAL_LAW,,,,,KANKYO,DATE_SHOWN,,,2022-01-01,\n",
        "LAW-0004,x,,TOKYO_RULE,環境省,,,,KANKYO,ENACTED,2022-01-01,,2021-01-01,\n",
    ));
    let line = |n: u64| -> Vec<&str> {
        errors
            .iter()
            .filter(|(l, _)| *l == n)
            .map(|(_, m)| m.as_str())
            .collect()
    };
    assert!(line(2).is_empty(), "{:?}", line(2));
    let bad = line(3);
    assert_eq!(bad.len(), 6, "{bad:#?}");
    assert!(bad[0].starts_with("code: \"law 7\" is not a law change code"));
    assert_eq!(bad[1], "title_ja must not be empty");
    assert!(bad[2].starts_with("level \"statute\" is not one of NATIONAL_LAW"));
    assert!(bad[3].starts_with("owner_bureau_code: bureau code \"seikatsu\""));
    assert!(bad[4].starts_with("status \"DONE\" is not one of NOT_REQUESTED"));
    assert_eq!(
        bad[5],
        "requested_on \"2021-13-01\" is not a date (YYYY-MM-DD)"
    );
    assert_eq!(
        line(4),
        [
            "ministry_ja is required for a national rule (NATIONAL_LAW)",
            "expected_effective_on is required when status is DATE_SHOWN",
            "enacted_on must be empty unless status is ENACTED (it is DATE_SHOWN)",
        ]
    );
    assert_eq!(
        line(5),
        [
            "ministry_ja and ministry_en must be empty for Tokyo's own rule (TOKYO_RULE)",
            "enacted_on 2021-01-01 is before requested_on 2022-01-01",
        ]
    );
}

/// An app on an empty in-memory store with two bureaus and three procedures.
async fn app() -> App {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let now = "2026-12-06T00:30:00Z".parse().unwrap();
    let app = App::new(
        Arc::new(store),
        default_workflow(),
        Arc::new(FixedClock::new(now)),
    );
    let actor = Actor::system("test");
    let bureaus = "code,name_ja,name_en\nKANKYO,環境局,Environment\nTOSHI,都市整備局,Urban\n";
    app.import_bureaus(&actor, bureaus.as_bytes(), &ignore)
        .await
        .unwrap();
    let procedures = "code,name,name_en,bureau_code,category,authority,annual_applications,process_count,platform,target_quarter\n\
        KANKYO-0012,産廃許可,,KANKYO,STANDARD,NATIONAL,,,,\n\
        TOSHI-0003,建設業許可,,TOSHI,STANDARD,NATIONAL,,,,\n\
        TOSHI-0004,宅建,,TOSHI,STANDARD,TOKYO,,,,\n";
    app.import_procedures(&actor, procedures.as_bytes(), &ignore)
        .await
        .unwrap();
    app
}

const DEP_HEADER: &str = "procedure_code,on_kind,on_code,reason\n";

#[tokio::test]
async fn blockers_import_and_cycles_are_refused_with_the_cycle_spelled_out() {
    let app = app().await;
    let actor = Actor::system("import");
    let laws = format!(
        "{LAW_HEADER}LAW-0001,廃棄物処理法,,NATIONAL_LAW,環境省,Ministry of the Environment,,,KANKYO,UNDER_STUDY,2021-03-01,,,\n"
    );
    let report = app
        .import_law_changes(&actor, laws.as_bytes(), &ignore)
        .await
        .unwrap();
    assert_eq!(report.imported, 1);
    let stored = app
        .store()
        .law_change_by_code("LAW-0001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, LawChangeStatus::UnderStudy);
    let history = app
        .store()
        .law_change_history(Some(&[stored.id]))
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from_status, history[0].actor.as_str()),
        (None, "system:import")
    );
    let again = app
        .import_law_changes(&actor, laws.as_bytes(), &ignore)
        .await;
    assert_eq!(
        problems(again),
        [(
            2,
            "law change LAW-0001 already exists in the database".to_owned()
        )]
    );

    let milestones = "name,platform,planned_on,status,done_on,notes\nSaaS live,SAAS_E_APPLICATION,2022-03-01,DONE,2022-03-01,\nBad,fax,,DONE,,\n";
    assert_eq!(
        problems(app.import_milestones(&actor, milestones.as_bytes(), &ignore).await),
        [
            (3, "platform \"fax\" is not one of JOINT_E_APPLICATION, SAAS_E_APPLICATION, JGRANTS, MYNA_PORTAL, OTHER_NATIONAL_SYSTEM, DEDICATED_SYSTEM (case does not matter)".to_owned()),
            (3, "done_on is required when status is DONE".to_owned()),
        ]
    );
    let good = &milestones[..milestones.find("Bad").unwrap()];
    assert_eq!(
        app.import_milestones(&actor, good.as_bytes(), &ignore)
            .await
            .unwrap()
            .imported,
        1
    );

    let deps = format!(
        "{DEP_HEADER}KANKYO-0012,LAW_CHANGE,LAW-0001,needs the law\nKANKYO-0012,procedure,TOSHI-0003,\nTOSHI-0003,MILESTONE,SaaS live,\n"
    );
    let report = app
        .import_dependencies(&actor, deps.as_bytes(), &ignore)
        .await
        .unwrap();
    assert_eq!(report.imported, 3);
    assert_eq!(app.graph().await.unwrap().dependencies.len(), 3);

    let bad = format!(
        "{DEP_HEADER}TOSHI-0004,PROCEDURE,KANKYO-0012,\nTOSHI-0003,PROCEDURE,TOSHI-0004,closes it\nTOSHI-0003,LAW_CHANGE,LAW-0099,\nKANKYO-0012,LAW_CHANGE,LAW-0001,\nTOSHI-0004,PROCEDURE,KANKYO-0012,\nTOSHI-0004,PROCEDURE,TOSHI-0004,\nNOPE-0001,SOMETHING,,\n"
    );
    let found = problems(
        app.import_dependencies(&actor, bad.as_bytes(), &ignore)
            .await,
    );
    assert_eq!(
        found,
        [
            (
                3,
                "this dependency would close a cycle: TOSHI-0003 → TOSHI-0004 → KANKYO-0012 → TOSHI-0003"
                    .to_owned()
            ),
            (4, "on_code: unknown law change \"LAW-0099\"".to_owned()),
            (5, "KANKYO-0012 already depends on LAW-0001 in the database".to_owned()),
            (6, "duplicate dependency TOSHI-0004 on KANKYO-0012 (first on line 2)".to_owned()),
            (7, "TOSHI-0004 cannot depend on itself".to_owned()),
            (8, "on_kind \"SOMETHING\" is not one of LAW_CHANGE, MILESTONE, PROCEDURE (case does not matter)".to_owned()),
            (8, "on_code is required".to_owned()),
        ]
    );
    assert_eq!(
        app.graph().await.unwrap().dependencies.len(),
        3,
        "nothing written"
    );
}

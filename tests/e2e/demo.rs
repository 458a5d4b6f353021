//! Smoke test of the demo data set (`demo: true`): the server seeds a fresh database with Tokyo's
//! bureaus and a realistic spread of procedures that the API then serves consistently, and with
//! demo logins (two project-office users, a coordinator of two bureaus, a viewer) whose tokens sign
//! in as those users.
//! SQLite only: seeding goes through the same store calls that the contract suite covers on both.

use crate::common::{Backend, Options, TestServer, codes, ok_data, start};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_sqlite() {
    let options = Options {
        demo: true,
        ..Options::default()
    };
    let (server, harness) = start(Backend::Sqlite, options)
        .await
        .expect("the SQLite server always starts");
    let logins: Vec<(String, String, String)> = harness
        .running()
        .demo_identities()
        .iter()
        .map(|l| (l.email.clone(), l.role.to_string(), l.token.clone()))
        .collect();
    let mut roles: Vec<&str> = logins.iter().map(|(_, role, _)| role.as_str()).collect();
    roles.sort();
    assert_eq!(
        roles,
        [
            "BUREAU_COORDINATOR",
            "BUREAU_COORDINATOR",
            "PROJECT_OFFICE",
            "PROJECT_OFFICE",
            "VIEWER"
        ],
        "{logins:?}"
    );
    for (email, role, token) in &logins {
        let reply = server
            .request(
                Some(token),
                &[],
                "{ viewer { role user { email } } }",
                json!({}),
            )
            .await;
        assert_eq!(reply.status, 200, "{email}: {reply:?}");
        let data = ok_data(reply.body);
        assert_eq!(data["viewer"]["role"], role.as_str());
        assert_eq!(data["viewer"]["user"]["email"], email.as_str());
    }
    demo_data(server).await;
    harness.shutdown().await;
}

async fn demo_data(server: TestServer) {
    let data = server
        .data(
            "{ bureaus { code nameJa nameEn }
               procedures(first: 500) { totalCount edges { node { code bureau { code } history(first: 1) { totalCount } } } }
               rolloutSummary { total } }",
            json!({}),
        )
        .await;
    let bureaus = data["bureaus"].as_array().unwrap();
    assert_eq!(bureaus.len(), 31, "{:?}", data["bureaus"]);
    for bureau in bureaus {
        assert!(!bureau["nameJa"].as_str().unwrap().is_empty(), "{bureau}");
        assert!(!bureau["nameEn"].as_str().unwrap().is_empty(), "{bureau}");
    }
    let total = data["procedures"]["totalCount"].as_i64().unwrap();
    assert!(total >= 44, "only {total} demo procedures");
    assert_eq!(data["rolloutSummary"]["total"], total);
    let listed = codes(&data["procedures"]);
    assert_eq!(listed.len() as i64, total.min(500));
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "listed in code order");
    let bureau_codes: Vec<&str> = bureaus
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    for edge in data["procedures"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        assert!(
            bureau_codes.contains(&node["bureau"]["code"].as_str().unwrap()),
            "{node}"
        );
        assert!(
            node["history"]["totalCount"].as_i64().unwrap() >= 1,
            "no creation record: {node}"
        );
    }
}

/// The demo's law changes reproduce the national-request split the programme reported for
/// December 2021 (7 with a date, 13 under study, 11 requested), read straight from the store
/// and counted by the domain; `deps dot` draws the passport law change with both procedures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_law_changes_sqlite() {
    use rollout_domain::blockers::LawChangeStatus;
    use rollout_domain::deps::national::national_request_summary;
    use rollout_store::BlockerStore;

    let options = Options {
        demo: true,
        ..Options::default()
    };
    let (server, harness) = start(Backend::Sqlite, options)
        .await
        .expect("the SQLite server always starts");
    let store = rollout_store_sqlite::SqliteStore::connect(&server.database_url)
        .await
        .expect("open the demo database");
    let rows = store.graph_rows().await.unwrap();
    let history = store.law_change_history(None).await.unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
    let until = "2021-12-31T14:59:59Z".parse().unwrap();
    let summary = national_request_summary(
        &rows.law_changes,
        &history,
        &rows.dependencies,
        as_of,
        until,
    );
    let count = |s: LawChangeStatus| {
        summary
            .by_status
            .iter()
            .find(|c| c.status == s)
            .map_or(-1, |c| c.law_changes)
    };
    assert_eq!(
        [
            LawChangeStatus::DateShown,
            LawChangeStatus::UnderStudy,
            LawChangeStatus::Requested
        ]
        .map(count),
        [7, 13, 11],
        "{summary:?}"
    );
    let passport = crate::imports_blockers::dot(&server, Some("LAW-0001"), 1)
        .await
        .unwrap();
    for code in ["LAW-0001", "SEIKATSU-0001", "SEIKATSU-0002"] {
        assert!(passport.contains(code), "{code} missing from\n{passport}");
    }
    harness.shutdown().await;
}

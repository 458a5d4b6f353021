//! The dashboard's "My work" and "Administration" pages over HTTP against both databases: a
//! coordinator's /my flags their overdue task and lists their bureau's slipped procedure, the
//! project office's /my offers the release waiting for its approval, and approving it there moves
//! the procedure (as the API then reports); /admin is the administrator's (403 for a viewer),
//! and "end all sessions" signs the user out everywhere while a viewer posting it gets 403.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rollout_app::FixedClock;
use serde_json::json;

use crate::common::web::WebSession;
use crate::common::{Backend, Options, TestServer, both_backends, run};

both_backends!(administration_is_the_administrators);

mod my_work_lists_tasks_and_approvals_and_approving_moves_the_procedure {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::my_work(super::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::my_work(super::Backend::Postgres).await;
    }
}

/// A KANKYO procedure walked to `user_tested` (target FY2026-Q1, long past on the test's
/// clock, so it has slipped); returns its id and version.
async fn tested_procedure(server: &TestServer) -> (String, i64) {
    let p = server
        .create_procedure(json!({
            "code": "KANKYO-0001", "name": "テスト手続 KANKYO-0001", "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2026-Q1",
            "platform": "JGRANTS",
        }))
        .await;
    let id = p["id"].as_str().unwrap().to_owned();
    let mut version = p["version"].as_i64().unwrap();
    for to in ["scheduled", "built", "user_tested"] {
        if to == "user_tested" {
            server.pass_user_test(&id).await;
        }
        version = server.step(&id, to, version, None).await;
    }
    (id, version)
}

/// Starts on 2026-11-25 in Tokyo; tasks are due that day, then the clock moves two days on.
async fn my_work(backend: Backend) {
    let start: DateTime<Utc> = "2026-11-25T01:00:00Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let options = Options {
        clock: Some(clock.clone()),
        ..Options::default()
    };
    run(backend, options, |server| async move {
        server
            .create_bureau("KANKYO", "環境局", "Bureau of Environment")
            .await;
        let (id, version) = tested_procedure(&server).await;
        let coordinator = server.coordinator("KANKYO").await;
        for (title, due) in [("様式の確認", "2026-11-25"), ("説明会の準備", "2026-12-20")] {
            let created = server
                .data_as(
                    &server.po,
                    "mutation($input: CreateTaskInput!) { createTask(input: $input) { errors { code message path } } }",
                    json!({ "input": { "title": title, "procedureId": id, "assigneeId": coordinator.id, "dueOn": due } }),
                )
                .await;
            assert_eq!(created["createTask"]["errors"], json!([]), "{created}");
        }
        clock.advance(TimeDelta::days(2));

        // The coordinator asks for the release; it waits for the project office.
        let asked = server
            .accepted_as(&coordinator, &id, "released", version, "公開します")
            .await;
        let request = asked["approvalRequest"]["id"].as_str().unwrap().to_owned();

        let mut mine = WebSession::sign_in(&server, &coordinator.token).await;
        let page = mine.get("/my").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let row = |body: &str, marker: &str| {
            let at = body.find(marker).unwrap_or_else(|| panic!("no {marker}: {body}"));
            body[..at].rsplit("<tr").next().unwrap().to_owned()
                + &body[at..].chars().take(300).collect::<String>()
        };
        let overdue = row(&page.body, "様式の確認");
        assert!(overdue.contains("data-overdue=\"true\""), "{overdue}");
        let later = row(&page.body, "説明会の準備");
        assert!(later.contains("data-overdue=\"false\""), "{later}");
        assert!(
            page.body.contains("id=\"slipped\"")
                && page.body.contains("href=\"/procedures/KANKYO-0001\""),
            "the bureau's slipped procedure: {}",
            page.body
        );
        assert!(
            !page.body.contains(&format!("data-approval=\"{request}\"")),
            "the requester does not decide their own request"
        );

        let mut office = WebSession::sign_in(&server, &server.po.token).await;
        let page = office.get("/my").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let pending = row(&page.body, &format!("data-approval=\"{request}\""));
        assert!(
            pending.contains("data-procedure=\"KANKYO-0001\""),
            "{pending}"
        );
        assert!(page.body.contains(&format!("action=\"/approvals/{request}/approve\"")));
        let csrf = page.hidden("csrf").unwrap();

        let refused = office
            .post(&format!("/approvals/{request}/approve"), &[("comment", "ok")])
            .await;
        assert_eq!(refused.status, 403, "no CSRF token: {}", refused.body);

        let done = office
            .post(
                &format!("/approvals/{request}/approve"),
                &[("csrf", &csrf), ("comment", "確認しました")],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/my?done=approved"));
        let state = server
            .data(
                "query($id: ID!) { procedure(id: $id) { state { key } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(state["procedure"]["state"]["key"], "released", "{state}");
        assert_eq!(server.approval(&request).await["status"], "APPROVED");

        // A second decision on the closed request comes back on the page with the API's code.
        let again = office
            .post(
                &format!("/approvals/{request}/reject"),
                &[("csrf", &csrf), ("comment", "遅すぎ")],
            )
            .await;
        assert_eq!(again.status, 409, "{}", again.body);
        assert!(
            again.body.contains("data-code=\"APPROVAL_CLOSED\""),
            "{}",
            again.body
        );
    })
    .await;
}

async fn administration_is_the_administrators(server: TestServer) {
    let mut admin = WebSession::sign_in(&server, &server.admin.token).await;
    let page = admin.get("/admin").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for id in ["users", "tokens", "rules", "webhooks", "scheduler-summary"] {
        assert!(page.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(
        page.body
            .contains(&format!("data-user=\"{}\"", server.viewer.email))
    );
    // The layout escapes the nav's paths (`/` as `&#x2f;`).
    let nav_entry = "href=\"&#x2f;admin\"";
    assert!(page.body.contains(nav_entry), "the admin's nav entry");

    let mut viewer = WebSession::sign_in(&server, &server.viewer.token).await;
    let mut other_device = WebSession::sign_in(&server, &server.viewer.token).await;
    let refused = viewer.get("/admin").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("この操作を行う権限がありません"));
    assert!(!refused.body.contains(nav_entry), "no nav entry");

    // A viewer cannot end anybody's sessions, not even with a valid form.
    let viewer_csrf = viewer.csrf().await;
    let path = format!("/admin/users/{}/sessions/revoke", server.po.id);
    let forbidden = viewer.post(&path, &[("csrf", &viewer_csrf)]).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    let mut office = WebSession::sign_in(&server, &server.po.token).await;
    assert_eq!(office.get("/my").await.status, 200, "untouched");

    // The administrator ends the viewer's sessions: both of them.
    let csrf = page.hidden("csrf").unwrap();
    let path = format!("/admin/users/{}/sessions/revoke", server.viewer.id);
    let without = admin.post(&path, &[]).await;
    assert_eq!(without.status, 403, "no CSRF token");
    assert_eq!(viewer.get("/my").await.status, 200, "nothing ran");
    let done = admin.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/admin?revoked=2"));
    for session in [&mut viewer, &mut other_device] {
        let next = session.get("/my").await;
        assert_eq!(next.status, 303, "{}", next.body);
        assert_eq!(next.location.as_deref(), Some("/signin?next=%2Fmy"));
    }
    let notice = admin.get("/admin?revoked=2").await;
    assert!(
        notice.body.contains("data-revoked=\"2\""),
        "{}",
        notice.body
    );
    assert_eq!(admin.get("/admin").await.status, 200, "the admin stays in");
    let own = admin.get("/my").await;
    assert_eq!(own.status, 200, "everyone has a My work page: {}", own.body);

    let audit = server
        .data_as(
            &server.admin,
            "{ auditLog(filter: { action: \"session.revoke_all\" }, first: 10) { edges { node { actor outcome } } } }",
            json!({}),
        )
        .await;
    let outcomes: Vec<_> = audit["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["actor"].clone(), e["node"]["outcome"].clone()))
        .collect();
    assert!(
        outcomes.contains(&(json!(server.viewer.email), json!("FORBIDDEN"))),
        "{audit}"
    );
    assert!(
        outcomes.contains(&(json!(server.admin.email), json!("SUCCESS"))),
        "{audit}"
    );
}

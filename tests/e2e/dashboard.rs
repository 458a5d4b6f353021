//! The web dashboard over HTTP against both databases: sign-in with a token and sign-out, the
//! overview's figures equal to the API's, the list's URL filters and CSV, a transition from a
//! procedure page (history grows), refusals shown with their reasons (a guard, a stale version),
//! a coordinator of another bureau without edit buttons and refused server-side, CSRF, the
//! language switch kept per user, and the security headers. What a browser renders is
//! tests/e2e/browser.rs's.

use serde_json::json;

use crate::common::web::WebSession;
use crate::common::{TestServer, both_backends};

both_backends!(
    signing_in_with_a_token_opens_a_session_and_signing_out_ends_it,
    the_overview_shows_the_figures_the_api_returns,
    the_list_filters_by_url_and_exports_the_same_rows,
    a_transition_from_the_procedure_page_grows_its_history,
    refused_transitions_say_why,
    a_coordinator_cannot_change_another_bureaus_procedure,
    forms_without_the_csrf_token_are_refused,
    the_language_is_kept_per_user,
    guessing_tokens_at_the_sign_in_form_is_throttled,
);

async fn procedure_with_target(server: &TestServer, bureau: &str, code: &str) -> serde_json::Value {
    server
        .create_procedure(json!({
            "code": code, "name": format!("テスト手続 {code}"), "bureauCode": bureau,
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2027-Q1",
        }))
        .await
}

async fn signing_in_with_a_token_opens_a_session_and_signing_out_ends_it(server: TestServer) {
    let mut anonymous = WebSession::new(&server);
    let page = anonymous.get("/procedures?state=hearing").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/signin?next=%2Fprocedures%3Fstate%3Dhearing")
    );

    let refused = {
        let form = anonymous.get("/signin").await;
        let pre = form.hidden("pre").unwrap();
        anonymous
            .post(
                "/signin",
                &[("token", "rollout_not-a-real-token"), ("pre", &pre)],
            )
            .await
    };
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("signin-error"));
    assert!(!anonymous.cookies.contains_key("rollout_session"));

    let mut session = WebSession::sign_in(&server, &server.po.token).await;
    let cookie = session.cookies["rollout_session"].clone();
    assert!(
        !server.po.token.contains(&cookie),
        "the cookie is not the token"
    );
    let home = session.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains(&server.po.email) || home.body.contains("佐藤 一郎"));
    let csp = home.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'self'") && !csp.contains("http"),
        "{csp}"
    );

    let csrf = session.csrf().await;
    let out = session.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert!(!session.cookies.contains_key("rollout_session"));
    // The old cookie no longer opens anything, even if a copy of it was kept.
    session.cookies.insert("rollout_session".into(), cookie);
    let after = session.get("/").await;
    assert_eq!(after.status, 303, "a revoked session is not accepted");

    let audit = server
        .data_as(
            &server.admin,
            "{ auditLog(filter: { action: \"session.open\" }, first: 10) { edges { node { actor outcome } } } }",
            json!({}),
        )
        .await;
    let opened = audit["auditLog"]["edges"].as_array().unwrap();
    assert!(
        opened.iter().any(|e| e["node"]["actor"] == server.po.email),
        "{audit}"
    );
}

async fn the_overview_shows_the_figures_the_api_returns(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    for code in ["KANKYO-0001", "KANKYO-0002", "KANKYO-0003"] {
        server.simple_procedure("KANKYO", code).await;
    }
    let api = server
        .data("{ kpis { overall { procedures { digitised inScope } processes { digitised inScope } } } rolloutSummary { total } }", json!({}))
        .await;
    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;
    let page = session.get("/").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let figure = |kpi: &str, name: &str| {
        let card = page
            .body
            .split(&format!("data-kpi=\"{kpi}\""))
            .nth(1)
            .unwrap();
        let at = card.find(&format!("data-figure=\"{name}\">")).unwrap() + name.len() + 15;
        card[at..].split('<').next().unwrap().to_owned()
    };
    let overall = &api["kpis"]["overall"];
    assert_eq!(
        figure("procedures", "inScope"),
        overall["procedures"]["inScope"].to_string()
    );
    assert_eq!(
        figure("procedures", "digitised"),
        overall["procedures"]["digitised"].to_string()
    );
    assert_eq!(
        figure("processes", "inScope"),
        overall["processes"]["inScope"].to_string()
    );
    assert!(page.body.contains(&format!(
        "data-figure=\"total\">{}<",
        api["rolloutSummary"]["total"]
    )));
    // The figures are kept between views, but not past a change: a new procedure is counted.
    let total = api["rolloutSummary"]["total"].as_i64().unwrap();
    server.simple_procedure("KANKYO", "KANKYO-0004").await;
    let again = session.get("/").await;
    assert!(
        again
            .body
            .contains(&format!("data-figure=\"total\">{}<", total + 1)),
        "the overview kept stale figures"
    );
}

async fn the_list_filters_by_url_and_exports_the_same_rows(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    server.simple_procedure("KANKYO", "KANKYO-0001").await;
    server.simple_procedure("KANKYO", "KANKYO-0002").await;
    server.simple_procedure("FUKUSHI", "FUKUSHI-0001").await;
    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;
    let page = session.get("/procedures?bureau=KANKYO&state=hearing").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("href=\"/procedures/KANKYO-0001\""));
    assert!(page.body.contains("href=\"/procedures/KANKYO-0002\""));
    assert!(!page.body.contains("FUKUSHI-0001"), "filtered out");
    assert!(
        page.body
            .contains("href=\"/procedures.csv?bureau=KANKYO&amp;state=hearing\""),
        "the export keeps the filter"
    );
    let csv = session
        .get("/procedures.csv?bureau=KANKYO&state=hearing")
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let rows: Vec<&str> = csv.body.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{}", csv.body);
    assert!(rows[0].starts_with("KANKYO-0001,"), "{rows:?}");
    // The platform filter: only the procedure going online through jGrants.
    let id = server
        .data(
            "{ procedure(code: \"KANKYO-0002\") { id version } }",
            json!({}),
        )
        .await;
    let updated = server
        .update_procedure(json!({ "id": id["procedure"]["id"], "expectedVersion": id["procedure"]["version"], "platform": "JGRANTS" }))
        .await;
    assert_eq!(updated["errors"], json!([]), "{updated}");
    let by_platform = session.get("/procedures?platform=JGRANTS").await;
    assert!(
        by_platform
            .body
            .contains("href=\"/procedures/KANKYO-0002\""),
        "{}",
        by_platform.body
    );
    assert!(
        !by_platform
            .body
            .contains("href=\"/procedures/KANKYO-0001\"")
    );
    let bad = session.get("/procedures?category=NOPE").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

async fn a_transition_from_the_procedure_page_grows_its_history(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    procedure_with_target(&server, "KANKYO", "KANKYO-0010").await;
    let coordinator = server.coordinator("KANKYO").await;
    let mut session = WebSession::sign_in(&server, &coordinator.token).await;
    let page = session.get("/procedures/KANKYO-0010").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("data-transition=\"scheduled\""),
        "{}",
        page.body
    );
    let before = page.body.matches("<li><strong>").count();
    let form: Vec<(&str, String)> = vec![
        ("csrf", page.hidden("csrf").unwrap()),
        ("id", page.hidden("id").unwrap()),
        ("to", "scheduled".into()),
        ("version", page.hidden("version").unwrap()),
        ("comment", "ヒアリング完了".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let moved = session
        .post("/procedures/KANKYO-0010/transition", &form)
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let after = session.get(moved.location.as_deref().unwrap()).await;
    assert!(
        after.body.contains("data-state=\"scheduled\""),
        "{}",
        after.body
    );
    assert_eq!(
        after.body.matches("<li><strong>").count(),
        before + 1,
        "one more history entry"
    );
    assert!(after.body.contains("ヒアリング完了"));
    let api = server
        .data("{ procedure(code: \"KANKYO-0010\") { state { key } history { edges { node { actor comment } } } } }", json!({}))
        .await;
    let last = api["procedure"]["history"]["edges"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["node"]["actor"], coordinator.email);
    assert_eq!(last["node"]["comment"], "ヒアリング完了");
}

async fn refused_transitions_say_why(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server.simple_procedure("KANKYO", "KANKYO-0020").await;
    let mut session = WebSession::sign_in(&server, &server.po.token).await;
    let page = session.get("/procedures/KANKYO-0020").await;
    // No target quarter: the guard's reason is on the page instead of a button.
    assert!(
        page.body.contains("data-refused=\"scheduled\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("data-transition=\"scheduled\""));
    // A stale version: VERSION_CONFLICT with a way to reload, and nothing written.
    let fixed = procedure_with_target(&server, "KANKYO", "KANKYO-0021").await;
    let page = session.get("/procedures/KANKYO-0021").await;
    let (csrf, id) = (page.hidden("csrf").unwrap(), page.hidden("id").unwrap());
    assert_eq!(id, fixed["id"].as_str().unwrap());
    server
        .step(&id, "scheduled", fixed["version"].as_i64().unwrap(), None)
        .await;
    let stale = session
        .post(
            "/procedures/KANKYO-0021/transition",
            &[
                ("csrf", &csrf),
                ("id", &id),
                ("to", "scheduled"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("data-code=\"VERSION_CONFLICT\"")
            && stale.body.contains("id=\"reload\""),
        "{}",
        stale.body
    );
}

async fn a_coordinator_cannot_change_another_bureaus_procedure(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let theirs = procedure_with_target(&server, "FUKUSHI", "FUKUSHI-0030").await;
    let coordinator = server.coordinator("KANKYO").await;
    let mut session = WebSession::sign_in(&server, &coordinator.token).await;
    let page = session.get("/procedures/FUKUSHI-0030").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("data-transition="),
        "no edit buttons: {}",
        page.body
    );
    assert!(page.body.contains("id=\"read-only\""));
    let csrf = page.hidden("csrf").unwrap();
    let id = theirs["id"].as_str().unwrap();
    let posted = session
        .post(
            "/procedures/FUKUSHI-0030/transition",
            &[
                ("csrf", &csrf),
                ("id", id),
                ("to", "scheduled"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(posted.status, 403, "{}", posted.body);
    let api = server
        .data(
            "{ procedure(code: \"FUKUSHI-0030\") { state { key } version } }",
            json!({}),
        )
        .await;
    assert_eq!(api["procedure"]["state"]["key"], "hearing");
    assert_eq!(api["procedure"]["version"], 1);
}

async fn forms_without_the_csrf_token_are_refused(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let procedure = procedure_with_target(&server, "KANKYO", "KANKYO-0040").await;
    let mut session = WebSession::sign_in(&server, &server.po.token).await;
    let id = procedure["id"].as_str().unwrap();
    for csrf in [None, Some("forged")] {
        let mut form = vec![("id", id), ("to", "scheduled"), ("version", "1")];
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        let posted = session
            .post("/procedures/KANKYO-0040/transition", &form)
            .await;
        assert_eq!(posted.status, 403, "{csrf:?}: {}", posted.body);
    }
    let out = session.post("/signout", &[]).await;
    assert_eq!(out.status, 403, "sign-out needs the token too");
    assert_eq!(session.get("/").await.status, 200, "still signed in");
    let api = server
        .data(
            "{ procedure(code: \"KANKYO-0040\") { version } }",
            json!({}),
        )
        .await;
    assert_eq!(api["procedure"]["version"], 1, "nothing was written");
    // The sign-in form's own token (login CSRF).
    let mut other = WebSession::new(&server);
    let _ = other.get("/signin").await;
    let forged = other
        .post("/signin", &[("token", &server.po.token), ("pre", "forged")])
        .await;
    assert_eq!(forged.status, 403);
}

async fn the_language_is_kept_per_user(server: TestServer) {
    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;
    let home = session.get("/").await;
    assert!(
        home.body.starts_with("<!doctype html>\n<html lang=\"ja\">"),
        "Japanese by default"
    );
    let csrf = session.csrf().await;
    let switched = session
        .post(
            "/language",
            &[("lang", "en"), ("csrf", &csrf), ("next", "/procedures")],
        )
        .await;
    assert_eq!(switched.status, 303);
    assert_eq!(switched.location.as_deref(), Some("/procedures"));
    // A new browser (no language cookie) signing in as the same person reads English.
    let mut elsewhere = WebSession::sign_in(&server, &server.viewer.token).await;
    elsewhere.cookies.remove("rollout_lang");
    let page = elsewhere.get("/").await;
    assert!(
        page.body.contains("<html lang=\"en\">"),
        "{}",
        &page.body[..200]
    );
    let api = server
        .data_as(&server.viewer, "{ viewer { language } }", json!({}))
        .await;
    assert_eq!(
        api["viewer"]["language"], "EN",
        "one preference for the dashboard and reminders"
    );
}

async fn guessing_tokens_at_the_sign_in_form_is_throttled(server: TestServer) {
    let mut guesser = WebSession::new(&server);
    let pre = guesser.get("/signin").await.hidden("pre").unwrap();
    let mut statuses = Vec::new();
    for i in 0..36 {
        let token = format!("rlt_{:0>43}", i);
        let page = guesser
            .post("/signin", &[("token", &token), ("pre", &pre)])
            .await;
        statuses.push(page.status.as_u16());
        if page.status == 429 {
            assert!(page.body.contains("signin-error"), "{}", page.body);
        }
    }
    // The API's failed-authentication budget: 30 a minute per address, then 429 before any check.
    assert!(statuses[..30].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[30..].iter().all(|s| *s == 429), "{statuses:?}");
    assert!(!guesser.cookies.contains_key("rollout_session"));
}

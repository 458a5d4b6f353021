//! The dashboard's read-only views over HTTP against both databases (issue 14): the
//! bottlenecks page ranks a law change by what it holds back and lists the procedure at risk,
//! with links the procedures list understands (`blocked_by`, `at_risk`); the law-changes page
//! anchors each law change by its code with what it blocks and the national-request split the
//! API gives; the quality map shows a priority procedure's principles by level in words and
//! class; the quarterly report shows the last finished quarter, downloads the API's Markdown
//! and an XLSX workbook, and refuses a malformed or future quarter with a 400 page.

use chrono::{TimeDelta, Utc};
use rollout_domain::FiscalQuarter;
use serde_json::{Value, json};

use crate::common::web::WebSession;
use crate::common::{TestServer, both_backends};

both_backends!(
    bottlenecks_rank_blockers_and_list_procedures_at_risk,
    law_changes_show_what_each_blocks_and_the_national_split,
    the_quality_map_shows_levels_in_words_and_colour,
    the_report_page_shows_the_quarter_and_downloads_it,
);

/// Percent-encoding as the templates' `urlencode` writes it (all but letters, digits, `/.-_`).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The table row of `page` that `marker` (an attribute of its `<tr>`) opens.
fn row<'a>(page: &'a str, marker: &str) -> &'a str {
    let rest = page
        .split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no row {marker} in the page: {page}"));
    rest.split("</tr>").next().unwrap()
}

/// KANKYO with KANKYO-0001 waiting for an undated national law change LAW-0001 (so at risk of
/// missing FY2027-Q1) and KANKYO-0002 waiting for nothing; the law change.
async fn blocked_programme(server: &TestServer) -> Value {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let mut ids = Vec::new();
    for code in ["KANKYO-0001", "KANKYO-0002"] {
        let p = server
            .create_procedure(json!({
                "code": code, "name": format!("手続 {code}"), "bureauCode": "KANKYO",
                "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2027-Q1",
                "annualApplications": 500, "processCount": 2,
            }))
            .await;
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    let law = server.law_change("LAW-0001", "KANKYO").await;
    server.depends(&ids[0], law["id"].as_str().unwrap()).await;
    law
}

async fn bottlenecks_rank_blockers_and_list_procedures_at_risk(server: TestServer) {
    let law = blocked_programme(&server).await;
    let law_id = law["id"].as_str().unwrap();
    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;
    let page = session.get("/bottlenecks").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("aria-current=\"page\""), "nav entry");
    let row = row(&page.body, "data-blocker=\"LAW-0001\"");
    let link = format!(
        "href=\"/procedures?blocked_by={}\" data-figure=\"procedures\">1<",
        encode(law_id)
    );
    assert!(row.contains(&link), "{row}");
    let risk = page.body.split("id=\"at-risk\"").nth(1).unwrap();
    assert!(risk.contains("href=\"/procedures?at_risk=true\""), "{risk}");
    assert!(risk.contains("data-procedure=\"KANKYO-0001\""), "{risk}");
    assert!(!risk.contains("data-procedure=\"KANKYO-0002\""), "{risk}");
    assert!(page.body.contains("id=\"state-bottlenecks\""));
    assert!(page.body.contains("href=\"/procedures?state="));

    // The links lead to lists with exactly what they count.
    let list = session
        .get(&format!("/procedures?blocked_by={}", encode(law_id)))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("href=\"/procedures/KANKYO-0001\""));
    assert!(!list.body.contains("href=\"/procedures/KANKYO-0002\""));
    let list = session.get("/procedures?at_risk=true").await;
    assert!(list.body.contains("href=\"/procedures/KANKYO-0001\""));
    assert!(!list.body.contains("href=\"/procedures/KANKYO-0002\""));
}

async fn law_changes_show_what_each_blocks_and_the_national_split(server: TestServer) {
    let law = blocked_programme(&server).await;
    server.milestone("SaaS platform go-live").await;
    let api = server
        .data(
            "{ nationalRequestSummary { lawChanges procedures } }",
            json!({}),
        )
        .await;
    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;
    let page = session.get("/law-changes").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let row = row(&page.body, "<tr id=\"LAW-0001\"");
    assert!(row.contains("data-status=\"NOT_REQUESTED\""), "{row}");
    assert!(row.contains("環境省"), "{row}");
    assert!(row.contains("href=\"/procedures/KANKYO-0001\""), "{row}");
    assert!(!row.contains("KANKYO-0002"), "{row}");
    assert!(
        row.contains(&format!(
            "href=\"/procedures?blocked_by={}\" data-figure=\"blocked\">1<",
            encode(law["id"].as_str().unwrap())
        )),
        "{row}"
    );
    assert!(
        page.body
            .contains("data-milestone=\"SaaS platform go-live\"")
    );
    let summary = &api["nationalRequestSummary"];
    assert!(page.body.contains(&format!(
        "data-figure=\"lawChanges\">{}<",
        summary["lawChanges"]
    )));
    assert!(page.body.contains(&format!(
        "data-figure=\"procedures\">{}<",
        summary["procedures"]
    )));
}

async fn the_quality_map_shows_levels_in_words_and_colour(server: TestServer) {
    crate::quality::kankyo(&server).await;
    let id = crate::quality::procedure(&server, "KANKYO-0900", 20_000).await;
    crate::quality::procedure(&server, "KANKYO-0901", 50).await;
    let payload = crate::quality::assess_as(&server, &server.po, crate::quality::good(&id)).await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let api = crate::quality::map_as(&server, &server.viewer, json!({})).await;
    let principles = api["edges"][0]["node"]["principles"]
        .as_array()
        .unwrap()
        .clone();

    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;
    let page = session.get("/quality").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        !page.body.contains("KANKYO-0901"),
        "only priority procedures"
    );
    let row = row(&page.body, "data-procedure=\"KANKYO-0900\"");
    for p in &principles {
        let level = p["level"].as_str().unwrap_or("NONE");
        let cell = format!(
            "class=\"level-{level}\" data-principle=\"{}\" data-level=\"{level}\"",
            p["principle"].as_str().unwrap()
        );
        assert!(row.contains(&cell), "{cell} in {row}");
        if let Some(words) = p["levelJa"].as_str() {
            assert!(row.contains(words), "{words} in {row}");
        }
    }
    assert!(
        principles.iter().any(|p| p["level"].is_string()),
        "an assessed procedure has levels: {api}"
    );
}

/// The fiscal quarter before today's in Tokyo: the last finished one.
fn last_finished_quarter() -> FiscalQuarter {
    let today = (Utc::now() + TimeDelta::hours(9)).date_naive();
    FiscalQuarter::containing(today).previous().unwrap()
}

async fn the_report_page_shows_the_quarter_and_downloads_it(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server.simple_procedure("KANKYO", "KANKYO-0001").await;
    let quarter = last_finished_quarter().to_string();
    let mut session = WebSession::sign_in(&server, &server.viewer.token).await;

    let page = session.get("/report").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&format!("data-quarter=\"{quarter}\"")),
        "the last finished quarter by default"
    );
    assert!(
        page.body
            .contains(&format!("<option value=\"{quarter}\" selected>"))
    );
    let report = page.body.split("data-report=").nth(1).unwrap();
    assert!(
        report.contains("<h2>") && report.contains("<table"),
        "{report}"
    );
    assert!(
        !page.body.contains("<style"),
        "the report's stylesheet is left out"
    );
    assert_eq!(page.body.matches("<main").count(), 1);

    let english = session
        .get(&format!("/report?quarter={quarter}&lang=en"))
        .await;
    assert_eq!(english.status, 200, "{}", english.body);
    assert!(
        english
            .body
            .contains("<article class=\"report-body\" lang=\"en\"")
    );

    let api = server
        .data(
            "query($q: FiscalQuarter!) { quarterlyReport(quarter: $q, lang: JA) { markdown } }",
            json!({ "q": quarter }),
        )
        .await;
    let md = session.get(&format!("/report/{quarter}.md?lang=ja")).await;
    assert_eq!(md.status, 200, "{}", md.body);
    assert_eq!(
        md.headers["content-type"].to_str().unwrap(),
        "text/markdown; charset=utf-8"
    );
    let disposition = md.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(
        md.body,
        api["quarterlyReport"]["markdown"].as_str().unwrap()
    );

    let xlsx = session
        .get(&format!("/report/{quarter}.xlsx?lang=en"))
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.body);
    assert_eq!(
        xlsx.headers["content-type"].to_str().unwrap(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    // The body is read as (lossy) text; the ZIP signature is ASCII and survives.
    assert!(xlsx.body.starts_with("PK"), "a ZIP container");

    for bad in [
        "/report?quarter=FY2025-Q9",
        "/report?quarter=FY2099-Q1",
        "/report?lang=fr",
        "/report/next-quarter.md",
        "/report/FY2025-Q9.xlsx",
    ] {
        let page = session.get(bad).await;
        assert_eq!(page.status, 400, "{bad}: {}", page.body);
        assert!(page.body.contains("role=\"alert\""), "{bad}: an error page");
    }
    assert_eq!(
        session.get(&format!("/report/{quarter}.pdf")).await.status,
        404
    );
}

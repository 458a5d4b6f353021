//! The quarterly progress report (`/report`): a form choosing one of the recent fiscal quarters
//! and the report's language, the report itself shown in the page, and its downloads:
//! `/report/{quarter}.md?lang=` (the API's `quarterlyReport.markdown`) and
//! `/report/{quarter}.xlsx?lang=` (the workbook of `rollout-report`, as the server's
//! `/reports/quarterly/{quarter}.xlsx` writes it). Without a choice the page shows the last
//! finished quarter (today in Tokyo) in the viewer's language.
//!
//! The report's HTML comes from `quarterlyReport.html`, a whole document whose every text
//! `rollout-report` escaped; the page keeps what is inside its `<body>` (the inline stylesheet
//! would break the page's CSP, and a second `<main>` and `<h1>` its outline), with the headings
//! one level down under the page's own `<h1>`.

use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rollout_app::AppError;
use rollout_domain::FiscalQuarter;
use rollout_report::{XLSX_CONTENT_TYPE, render_xlsx};
use serde_json::json;

use crate::Web;
use crate::format::today_tokyo;
use crate::gql::GqlError;
use crate::i18n::Lang;
use crate::page;
use crate::query::{self, one};
use crate::session::Viewer;

/// Quarters offered besides the running one: the last two fiscal years.
const RECENT: usize = 8;

const REPORT: &str = r#"
query Report($quarter: FiscalQuarter!, $lang: Language!) {
  quarterlyReport(quarter: $quarter, lang: $lang) { quarter asOf complete nextQuarter html }
}"#;

const MARKDOWN: &str = r#"
query ReportMarkdown($quarter: FiscalQuarter!, $lang: Language!) {
  quarterlyReport(quarter: $quarter, lang: $lang) { markdown }
}"#;

/// The quarters the form offers, newest first: the running one and the [`RECENT`] before it.
fn recent_quarters(today: chrono::NaiveDate) -> Vec<FiscalQuarter> {
    let mut out = vec![FiscalQuarter::containing(today)];
    while out.len() <= RECENT {
        match out.last().and_then(FiscalQuarter::previous) {
            Some(q) => out.push(q),
            None => break,
        }
    }
    out
}

fn invalid(message: String) -> GqlError {
    GqlError {
        code: "VALIDATION".into(),
        message,
    }
}

/// The quarter and report language a request asks for, or why they cannot be read.
fn choice(
    quarter: Option<&str>,
    lang: Option<&str>,
    today: chrono::NaiveDate,
    viewer: Lang,
) -> Result<(FiscalQuarter, Lang), GqlError> {
    let quarter = match quarter {
        None => {
            let running = FiscalQuarter::containing(today);
            running.previous().unwrap_or(running)
        }
        Some(raw) => FiscalQuarter::parse(raw).map_err(|e| invalid(e.to_string()))?,
    };
    let lang = match lang {
        None => viewer,
        Some(raw) => Lang::parse(raw)
            .ok_or_else(|| invalid(format!("lang must be ja or en, not {raw:?}")))?,
    };
    Ok((quarter, lang))
}

fn variables(quarter: FiscalQuarter, lang: Lang) -> serde_json::Value {
    json!({ "quarter": quarter.to_string(), "lang": lang.as_str().to_uppercase() })
}

pub async fn page(State(web): State<Web>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let pairs = query::pairs(raw.as_deref());
    let today = today_tokyo(web.app.now());
    let (quarter, lang) = match choice(
        one(&pairs, "quarter"),
        one(&pairs, "lang"),
        today,
        viewer.lang,
    ) {
        Ok(choice) => choice,
        Err(e) => return page::error(&web, &viewer, &e),
    };
    let data = match page::query(&web, &viewer, REPORT, variables(quarter, lang)).await {
        Ok(data) => data,
        Err(e) => return page::error(&web, &viewer, &e),
    };
    let report = &data["quarterlyReport"];
    let mut choices: Vec<String> = recent_quarters(today)
        .iter()
        .map(ToString::to_string)
        .collect();
    if !choices.contains(&quarter.to_string()) {
        choices.push(quarter.to_string());
    }
    page::render(
        &web,
        &viewer,
        "report",
        "report.html",
        json!({
            "quarter": quarter.to_string(),
            "report_lang": lang.as_str(),
            "choices": choices,
            "report": { "asOf": report["asOf"], "complete": report["complete"], "nextQuarter": report["nextQuarter"] },
            "body": embedded(report["html"].as_str().unwrap_or_default()),
        }),
    )
}

/// `/report/{quarter}.md` and `/report/{quarter}.xlsx`.
pub async fn download(
    State(web): State<Web>,
    viewer: Viewer,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some((quarter, extension)) = file.rsplit_once('.') else {
        return page::not_found(&web, &viewer);
    };
    if !matches!(extension, "md" | "xlsx") {
        return page::not_found(&web, &viewer);
    }
    let pairs = query::pairs(raw.as_deref());
    let today = today_tokyo(web.app.now());
    let (quarter, lang) = match choice(Some(quarter), one(&pairs, "lang"), today, viewer.lang) {
        Ok(choice) => choice,
        Err(e) => return page::error(&web, &viewer, &e),
    };
    let name = format!("quarterly-report-{quarter}-{}.{extension}", lang.as_str());
    let body = if extension == "md" {
        match page::query(&web, &viewer, MARKDOWN, variables(quarter, lang)).await {
            Ok(data) => data["quarterlyReport"]["markdown"]
                .as_str()
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
            Err(e) => return page::error(&web, &viewer, &e),
        }
    } else {
        match workbook(&web, quarter, lang).await {
            Ok(bytes) => bytes,
            Err(e) => return page::error(&web, &viewer, &e),
        }
    };
    let content_type = if extension == "md" {
        "text/markdown; charset=utf-8"
    } else {
        XLSX_CONTENT_TYPE
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition),
            // A running quarter's figures change; and the data is not for shared caches.
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        body,
    )
        .into_response()
}

/// The workbook through the same use case as the API's field and download (anyone signed in
/// may read the report), rendered on a blocking thread: about a second of CPU for the whole
/// programme, which must not stall the runtime's workers.
async fn workbook(web: &Web, quarter: FiscalQuarter, lang: Lang) -> Result<Vec<u8>, GqlError> {
    let report = match web.app.quarterly_report(quarter).await {
        Ok(report) => report,
        Err(AppError::Validation(fields)) => {
            let message: Vec<&str> = fields.iter().map(|f| f.message.as_str()).collect();
            return Err(invalid(message.join("; ")));
        }
        Err(e @ AppError::Unavailable(_)) => {
            tracing::warn!(error = ?e, %quarter, "the quarterly report could not be read");
            return Err(GqlError {
                code: "UNAVAILABLE".into(),
                message: String::new(),
            });
        }
        Err(e) => return Err(GqlError::internal(format!("{e:?}"))),
    };
    match tokio::task::spawn_blocking(move || render_xlsx(&report, lang)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(GqlError::internal(e.to_string())),
        Err(e) => Err(GqlError::internal(format!(
            "the workbook's task failed: {e}"
        ))),
    }
}

/// What of the report's own document goes into the page: the inside of its `<body>` without
/// its `<main>`, headings one level down, section ids prefixed. Every text in it was escaped by
/// `rollout-report`, so tags can only be its own.
fn embedded(document: &str) -> String {
    let body = document
        .split_once("<body>")
        .map_or(document, |(_, rest)| rest);
    let body = body
        .rsplit_once("</body>")
        .map_or(body, |(inside, _)| inside);
    let mut out = body
        .replace("<main>", "")
        .replace("</main>", "")
        .replace("id=\"s", "id=\"report-s")
        .replace("aria-labelledby=\"s", "aria-labelledby=\"report-s");
    for (from, to) in [(5, 6), (4, 5), (3, 4), (2, 3), (1, 2)] {
        out = out
            .replace(&format!("<h{from}"), &format!("<h{to}"))
            .replace(&format!("</h{from}>"), &format!("</h{to}>"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_last_finished_quarter_in_the_viewers_language() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let (q, lang) = choice(None, None, today, Lang::En).unwrap();
        assert_eq!((q.to_string(), lang), ("FY2025-Q3".to_owned(), Lang::En));
        let (q, lang) = choice(Some("FY2024-Q1"), Some("ja"), today, Lang::En).unwrap();
        assert_eq!((q.to_string(), lang), ("FY2024-Q1".to_owned(), Lang::Ja));
        assert_eq!(
            choice(Some("2024Q1"), None, today, Lang::Ja)
                .unwrap_err()
                .code,
            "VALIDATION"
        );
        assert_eq!(
            choice(None, Some("fr"), today, Lang::Ja).unwrap_err().code,
            "VALIDATION"
        );
        let offered = recent_quarters(today);
        assert_eq!(offered.len(), RECENT + 1);
        assert_eq!(offered[0].to_string(), "FY2025-Q4");
        assert_eq!(offered[RECENT].to_string(), "FY2023-Q4");
    }

    #[test]
    fn the_report_document_is_reduced_to_its_body() {
        let document = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head><style>x</style></head>\n<body>\n<main>\n<h1>報告 &lt;b&gt;</h1>\n<section aria-labelledby=\"s0\">\n<h2 id=\"s0\">主要</h2>\n<h3>進捗</h3>\n</section>\n</main>\n<footer><p>注</p></footer>\n</body>\n</html>\n";
        let body = embedded(document);
        assert!(!body.contains("<style") && !body.contains("<main") && !body.contains("<body"));
        assert!(body.contains("<h2>報告 &lt;b&gt;</h2>"), "{body}");
        assert!(body.contains("<h3 id=\"report-s0\">主要</h3>"), "{body}");
        assert!(body.contains("aria-labelledby=\"report-s0\""), "{body}");
        assert!(
            body.contains("<h4>進捗</h4>") && body.contains("<footer>"),
            "{body}"
        );
    }
}

//! `GET /reports/quarterly/{quarter}.xlsx?lang=…` on the history of `report`: with a bearer
//! token (any role) a workbook that calamine opens, its cells holding the quarter's figures, in
//! Japanese or English; without credentials 401 like `/graphql`; a malformed quarter or
//! language, or a quarter not started, 400; another extension 404.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use rollout_app::FixedClock;
use serde_json::Value;

use crate::common::{TestServer, graphql_error_codes};
use crate::report::history;

mod xlsx_downloads {
    use crate::common::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        crate::report::run(Backend::Sqlite, super::xlsx_downloads).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        crate::report::run(Backend::Postgres, super::xlsx_downloads).await;
    }
}

struct Download {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

async fn get(server: &TestServer, path: &str, bearer: Option<&str>) -> Download {
    let mut request = server.http().get(server.url(path));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    Download {
        status: response.status(),
        headers: response.headers().clone(),
        bytes: response.bytes().await.expect("a body").to_vec(),
    }
}

fn header<'a>(d: &'a Download, name: &str) -> &'a str {
    d.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// The error code of a JSON error body.
fn code(d: &Download) -> Vec<String> {
    let body: Value = serde_json::from_slice(&d.bytes).expect("a JSON error body");
    graphql_error_codes(&body)
}

fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook");
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn num(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

/// Column B of rows 5–9 (0-based 4–8): in the quarter, digitised, in scope, the rate, planned.
fn figures(range: &Range<Data>, col: u32) -> Vec<f64> {
    (4..=8).map(|row| num(range, row, col)).collect()
}

async fn xlsx_downloads(server: TestServer, clock: Arc<FixedClock>) {
    history(&server, &clock).await;
    let path = "/reports/quarterly/FY2021-Q3.xlsx";
    let ja = get(&server, &format!("{path}?lang=ja"), Some(&server.po.token)).await;
    assert_eq!(
        ja.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&ja.bytes)
    );
    assert_eq!(
        header(&ja, "content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        header(&ja, "content-disposition"),
        "attachment; filename=\"quarterly-report-FY2021-Q3-ja.xlsx\""
    );
    assert_eq!(header(&ja, "cache-control"), "private, no-store");
    let major = sheet(&ja.bytes, "主要手続");
    assert_eq!(figures(&major, 1), [2.0, 3.0, 4.0, 0.75, 1.0]);
    let other = sheet(&ja.bytes, "その他の手続");
    assert_eq!(figures(&other, 2), [40.0, 40.0, 100.0, 0.4, 60.0]);
    let subsidies = sheet(&ja.bytes, "補助金");
    assert_eq!(figures(&subsidies, 1), [1.0, 1.0, 2.0, 0.5, 1.0]);
    let national = sheet(&ja.bytes, "国への要望");
    assert_eq!(num(&national, 4, 1), 1.0, "date shown");
    assert_eq!(num(&national, 8, 1), 1.0, "total");
    let data = sheet(&ja.bytes, "データ");
    // A header and the nine procedures.
    assert_eq!(data.rows().count(), 10);

    // Without `lang`, Japanese; the viewer may download it too; English on request.
    let default = get(&server, path, Some(&server.viewer.token)).await;
    assert_eq!(default.status, StatusCode::OK);
    assert_eq!(
        figures(&sheet(&default.bytes, "主要手続"), 1),
        [2.0, 3.0, 4.0, 0.75, 1.0]
    );
    let en = get(&server, &format!("{path}?lang=en"), Some(&server.po.token)).await;
    assert_eq!(en.status, StatusCode::OK);
    assert_eq!(
        header(&en, "content-disposition"),
        "attachment; filename=\"quarterly-report-FY2021-Q3-en.xlsx\""
    );
    assert_eq!(
        figures(&sheet(&en.bytes, "Major procedures"), 1),
        [2.0, 3.0, 4.0, 0.75, 1.0]
    );

    // No credentials, or bad ones: 401 with the Bearer challenge, as /graphql.
    for bearer in [None, Some("rollout_not-a-real-token")] {
        let refused = get(&server, path, bearer).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{bearer:?}");
        assert!(header(&refused, "www-authenticate").starts_with("Bearer"));
        assert_eq!(code(&refused), ["UNAUTHENTICATED"]);
    }

    let token = Some(server.po.token.as_str());
    for bad in [
        "/reports/quarterly/FY2021-Q5.xlsx",
        "/reports/quarterly/fy2021-q3.xlsx",
        "/reports/quarterly/FY2021-Q3.xlsx?lang=fr",
        // Not started on 2022-01-10.
        "/reports/quarterly/FY2022-Q1.xlsx",
    ] {
        let refused = get(&server, bad, token).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(code(&refused), ["VALIDATION"], "{bad}");
    }
    let other_format = get(&server, "/reports/quarterly/FY2021-Q3.pdf", token).await;
    assert_eq!(other_format.status, StatusCode::NOT_FOUND);
}

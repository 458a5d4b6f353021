//! The web dashboard in a real browser, on both databases: `tests/browser/dashboard.mjs` drives
//! headless Chromium (playwright-core) through sign-in, the overview's figures, the filtered
//! list, a transition and its history, a stale form and a refused transition, another bureau's
//! read-only page, the pages other parts add when present, the English pages and sign-out. Every
//! page is checked with axe-core (no serious or critical WCAG 2.1 AA violation) and under the
//! real Content-Security-Policy (no violation), and screenshotted into
//! `target/screenshots/<backend>/`. What the server decides without a browser is
//! tests/e2e/dashboard.rs's.
//!
//! Needs Node.js 18+ with npm and Chromium (`/usr/bin/chromium`, or the path in `CHROMIUM`).
//! `npm ci` installs the pinned packages into `tests/browser/node_modules` when they are missing.
//! Without them the test fails with how to install them: a browser check that quietly does not
//! run checks nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

use crate::common::{TestServer, both_backends, node};

both_backends!(the_dashboard_works_in_a_browser_and_passes_axe);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

const INSTALL: &str = "The browser tests need Node.js 18+ with npm and Chromium: \
     `apt-get install -y --no-install-recommends nodejs npm chromium` (Debian/Ubuntu), or set \
     CHROMIUM to a Chromium or Chrome binary. .ci/run installs Chromium when it is missing.";

fn run(command: &mut Command, what: &str) -> Output {
    node::run(command, what, INSTALL)
}

/// The Chromium binary, which must exist.
fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "Chromium is not at {}. {INSTALL}",
        path.display()
    );
    path
}

async fn procedure(server: &TestServer, bureau: &str, code: &str, quarter: Option<&str>) {
    server
        .create_procedure(json!({
            "code": code, "name": format!("ブラウザ試験手続 {code}"), "nameEn": format!("Browser test {code}"),
            "bureauCode": bureau, "category": "STANDARD", "authority": "TOKYO",
            "targetQuarter": quarter, "processCount": 3, "annualApplications": 1200,
        }))
        .await;
}

async fn the_dashboard_works_in_a_browser_and_passes_axe(server: TestServer) {
    let version = run(Command::new("node").arg("--version"), "node --version");
    assert!(
        version.status.success(),
        "node --version failed: {version:?}"
    );
    let chromium = chromium();
    let dir = browser_dir();
    node::npm_ci(&dir, &["playwright-core", "axe-core"], INSTALL);

    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    procedure(&server, "KANKYO", "KANKYO-0101", Some("FY2027-Q1")).await;
    procedure(&server, "KANKYO", "KANKYO-0102", None).await;
    procedure(&server, "KANKYO", "KANKYO-0103", Some("FY2026-Q4")).await;
    procedure(&server, "FUKUSHI", "FUKUSHI-0101", Some("FY2027-Q1")).await;
    let coordinator = server.coordinator("KANKYO").await;
    let api = server
        .data("{ kpis { overall { procedures { inScope } } } }", json!({}))
        .await;
    let in_scope = api["kpis"]["overall"]["procedures"]["inScope"].to_string();

    let backend = format!("{:?}", server.backend).to_lowercase();
    let screenshots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(&backend);
    // Only this run's pages: a page that is no longer visited leaves no stale picture.
    let _ = std::fs::remove_dir_all(&screenshots);
    let mut command = Command::new("node");
    command
        .arg(dir.join("dashboard.mjs"))
        .env("BASE_URL", server.url(""))
        .env("PO_TOKEN", &server.po.token)
        .env("COORD_TOKEN", &coordinator.token)
        .env("ADMIN_TOKEN", &server.admin.token)
        .env("MOVE_CODE", "KANKYO-0101")
        .env("REFUSED_CODE", "KANKYO-0102")
        .env("OTHER_CODE", "FUKUSHI-0101")
        .env("BUREAU", "KANKYO")
        .env("EXPECT_IN_SCOPE", &in_scope)
        .env("SCREENSHOT_DIR", &screenshots)
        .env("CHROMIUM", &chromium);
    // The browser talks to the server running on this runtime: run node off its worker threads.
    let output = tokio::task::spawn_blocking(move || run(&mut command, "node dashboard.mjs"))
        .await
        .expect("the browser runner thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success() && stdout.lines().any(|l| l == "PASS"),
        "the browser run failed ({}) on {backend}:\n{stdout}\n{stderr}",
        output.status
    );
    // The transition the browser made is the API's.
    let moved = server
        .data(
            "{ procedure(code: \"KANKYO-0101\") { state { key } history { edges { node { comment } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(moved["procedure"]["state"]["key"], "scheduled", "{moved}");
    assert!(
        moved["procedure"]["history"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["comment"] == "ブラウザから日程確定"),
        "{moved}"
    );
}

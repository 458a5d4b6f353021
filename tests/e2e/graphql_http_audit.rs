//! GraphQL-over-HTTP conformance: the `graphql-http` npm package's server audit suite (pinned in
//! `tests/graphql-http/package-lock.json`) run against the real server. Every MUST and SHOULD
//! audit has to pass; the failures are listed by id and reason.
//!
//! Needs Node.js (18 or later) and, the first time, npm's registry: `npm ci` installs the suite
//! into `tests/graphql-http/node_modules` when it is missing. Without `node` the test fails
//! rather than skips: a conformance check that quietly does not run checks nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{Backend, Options, node, start};

fn audit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graphql-http")
}

const INSTALL: &str = "The GraphQL-over-HTTP audit needs Node.js 18+ and npm on PATH (CI has \
     them); install them to run this test.";

fn run(command: &mut Command, what: &str) -> Output {
    node::run(command, what, INSTALL)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_endpoint_passes_the_graphql_http_audits() {
    let version = run(Command::new("node").arg("--version"), "node --version");
    assert!(
        version.status.success(),
        "node --version failed: {version:?}"
    );
    let dir = audit_dir();
    node::npm_ci(&dir, &["graphql-http", "graphql"], INSTALL);

    let (server, harness) = start(Backend::Sqlite, Options::default())
        .await
        .expect("the SQLite server always starts");
    let url = server.url("/graphql");
    let authorization = format!("Bearer {}", server.admin.token);
    let script = dir.join("audit.mjs");
    // The audits talk to the server running on this runtime: run node off its worker threads.
    let output = tokio::task::spawn_blocking(move || {
        run(
            Command::new("node")
                .arg(&script)
                .arg(&url)
                .env("GRAPHQL_AUDIT_AUTHORIZATION", authorization),
            "node audit.mjs",
        )
    })
    .await
    .expect("the audit runner thread");
    harness.shutdown().await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("SUMMARY "))
        .unwrap_or_else(|| {
            panic!(
                "the audit runner printed no summary ({}):\n{stdout}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("error ") || l.starts_with("warn "))
        .collect();
    assert!(
        failures.is_empty(),
        "{} MUST/SHOULD audits failed ({summary}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    let total: usize = summary
        .split_whitespace()
        .find_map(|field| field.strip_prefix("total="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(total >= 60, "only {total} audits ran: {summary}");
    assert!(
        output.status.success(),
        "audit runner exited with {}",
        output.status
    );
}

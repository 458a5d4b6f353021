//! SQL statements issued per request, counted from the server's own log: a separate short
//! server run with `ROLLOUT_LOG=warn,sqlx::query=debug` and `ROLLOUT_LOG_FORMAT=json`, where
//! sqlx logs every statement it executes as one JSON line with target `sqlx::query`. Requests
//! are sent one at a time and each is counted on its own; the figure is the median. Chosen over
//! `pg_stat_statements` (not installed by default, and PostgreSQL only) and over
//! `pg_stat_database` (counts transactions, not statements): this works on both backends and
//! counts exactly what the server sends.
//!
//! What sqlx logs is what goes over the wire (or into SQLite): on PostgreSQL `BEGIN` and
//! `COMMIT` are statements too; on SQLite sqlx's worker begins and commits without logging.
//! The once-a-minute update of a token's `last_used_at` is left out: it is not per request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::load::Op;
use crate::server::LineSink;

/// Recording a token's last use happens at most once a minute per token, not per request;
/// counted, it would land in one sample or another at random.
const TOKEN_TOUCH: &str = "UPDATE api_tokens SET last_used_at";
/// Time for the stderr thread to read what the server wrote before a count is taken. The
/// server logs each statement before it answers, so only the pipe lies in between.
const SETTLE: Duration = Duration::from_millis(30);

/// The server's environment for a counting run.
pub fn counting_env() -> Vec<(String, String)> {
    vec![
        (
            "ROLLOUT_LOG".to_owned(),
            "warn,sqlx::query=debug".to_owned(),
        ),
        ("ROLLOUT_LOG_FORMAT".to_owned(), "json".to_owned()),
        (
            "ROLLOUT_HTTP_RATE_LIMIT_PER_SECOND".to_owned(),
            "0".to_owned(),
        ),
    ]
}

/// Counts sqlx's statement lines; while `capturing`, also keeps each statement's summary.
#[derive(Debug, Default)]
pub struct Counter {
    lines: AtomicU64,
    capture: Mutex<Option<Vec<String>>>,
}

impl Counter {
    pub fn sink(self: &Arc<Self>) -> LineSink {
        let me = Arc::clone(self);
        Arc::new(move |line: &str| me.observe(line))
    }

    fn observe(&self, line: &str) {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            return;
        };
        if event["target"] != "sqlx::query" {
            return;
        }
        let fields = &event["fields"];
        let text = fields["db.statement"]
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| fields["summary"].as_str())
            .unwrap_or("?");
        let text = first_words(text);
        if text.starts_with(TOKEN_TOUCH) {
            return;
        }
        self.lines.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut capture) = self.capture.lock()
            && let Some(statements) = capture.as_mut()
        {
            statements.push(text);
        }
    }

    fn count(&self) -> u64 {
        self.lines.load(Ordering::SeqCst)
    }

    fn set_capture(&self, on: bool) -> Vec<String> {
        match self.capture.lock() {
            Ok(mut c) => {
                let taken = c.take().unwrap_or_default();
                *c = on.then(Vec::new);
                taken
            }
            Err(_) => Vec::new(),
        }
    }
}

/// A statement shortened for the report: whitespace collapsed, at most 90 characters.
fn first_words(sql: &str) -> String {
    let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 90 {
        flat
    } else {
        format!("{}…", flat.chars().take(89).collect::<String>())
    }
}

/// Statements per request of one kind, and the statements of one such request.
#[derive(Debug, Clone, Serialize)]
pub struct StatementCount {
    pub request: String,
    /// The median over the samples: a background statement (the approval expiry sweep) that
    /// lands beside one request does not move it.
    pub per_request: u64,
    pub min: u64,
    pub max: u64,
    pub one_request: Vec<String>,
}

/// Sends `op` `samples` times one after another (after two warm-up calls), counting the
/// statements of each request on its own; the statements of the first counted request are
/// kept to show.
pub async fn count<O: Op>(
    counter: &Counter,
    request: &str,
    op: &mut O,
    samples: usize,
) -> anyhow::Result<StatementCount> {
    for _ in 0..2 {
        op.call().await?;
    }
    tokio::time::sleep(SETTLE).await;
    counter.set_capture(true);
    let mut counts = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let before = counter.count();
        op.call().await?;
        tokio::time::sleep(SETTLE).await;
        counts.push(counter.count() - before);
    }
    let mut captured = counter.set_capture(false);
    let first = usize::try_from(counts[0]).unwrap_or(usize::MAX);
    captured.truncate(first);
    counts.sort_unstable();
    Ok(StatementCount {
        request: request.to_owned(),
        per_request: counts[counts.len() / 2],
        min: counts[0],
        max: counts[counts.len() - 1],
        one_request: captured,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlx_statement_lines_count_and_are_captured() {
        let counter = Counter::default();
        counter.set_capture(true);
        counter.observe(
            r#"{"level":"DEBUG","fields":{"summary":"SELECT id, code …","db.statement":"\n\nSELECT id,   code FROM procedures\nWHERE code = $1"},"target":"sqlx::query"}"#,
        );
        counter.observe(r#"{"level":"WARN","fields":{"message":"x"},"target":"rollout_app"}"#);
        counter.observe("not json at all");
        counter
            .observe(r#"{"fields":{"summary":"COMMIT","db.statement":""},"target":"sqlx::query"}"#);
        assert_eq!(counter.count(), 2);
        assert_eq!(
            counter.set_capture(false),
            vec![
                "SELECT id, code FROM procedures WHERE code = $1".to_owned(),
                "COMMIT".to_owned()
            ]
        );
    }

    #[test]
    fn long_statements_are_cut_at_ninety_characters() {
        let long = format!("SELECT {}", "x, ".repeat(60));
        let short = first_words(&long);
        assert_eq!(short.chars().count(), 90);
        assert!(short.ends_with('…'));
    }
}

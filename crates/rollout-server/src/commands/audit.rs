//! `rollout audit export`: the audit trail between two instants as CSV or JSON Lines, streamed
//! page by page so that a year of entries never sits in memory. Dates without a time mean
//! midnight in Asia/Tokyo, the programme's calendar.

use std::io::{BufWriter, Write};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rollout_app::{Actor, App, SystemClock, TOKYO};
use rollout_domain::audit::AuditEntry;
use rollout_domain::bounds;
use rollout_domain::workflow::default_workflow;
use rollout_store::{AuditCursor, AuditFilter, PageRequest};
use serde_json::{Value, json};

use crate::backend::Database;
use crate::cli::{AuditExportArgs, ExportFormat};
use crate::config::Config;
use crate::error::CliError;

const PAGE: usize = 500;

/// Parses `2026-04-01` (midnight in Tokyo) or an RFC 3339 instant, within the supported range
/// of [`bounds`].
pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    let t = match DateTime::parse_from_rfc3339(raw) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => {
            let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                format!("{raw:?} is neither a date (2026-04-01) nor an RFC 3339 time")
            })?;
            let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
            let t = TOKYO
                .from_local_datetime(&midnight)
                .single()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{raw:?} is not a valid time in Asia/Tokyo"))?;
            // Tokyo's midnight of 1900-01-01 is still 1899 in UTC; nothing is older anyway.
            match bounds::check_date(day) {
                Ok(_) => t.max(bounds::first_instant()),
                Err(e) => return Err(format!("{raw:?}: {e}")),
            }
        }
    };
    bounds::check_instant(t).map_err(|e| format!("{raw:?}: {e}"))
}

fn json_of(text: &Option<String>) -> Value {
    text.as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

fn line(e: &AuditEntry) -> Value {
    json!({
        "id": e.id.to_string(), "at": e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor": e.actor, "actorId": e.actor_id.map(|u| u.to_string()),
        "onBehalfOf": e.on_behalf_of.map(|u| u.to_string()), "action": e.action,
        "targetType": e.target_type, "targetId": e.target_id, "outcome": e.outcome.as_str(),
        "requestId": e.request_id, "clientAddress": e.client_addr,
        "before": json_of(&e.before), "after": json_of(&e.after),
    })
}

const CSV_HEADER: [&str; 13] = [
    "id",
    "at",
    "actor",
    "actor_id",
    "on_behalf_of",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "request_id",
    "client_address",
    "before",
    "after",
];

fn csv_row(e: &AuditEntry) -> [String; 13] {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        e.id.to_string(),
        e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.actor.clone(),
        e.actor_id.map(|u| u.to_string()).unwrap_or_default(),
        e.on_behalf_of.map(|u| u.to_string()).unwrap_or_default(),
        e.action.clone(),
        e.target_type.clone(),
        s(&e.target_id),
        e.outcome.as_str().to_owned(),
        s(&e.request_id),
        s(&e.client_addr),
        s(&e.before),
        s(&e.after),
    ]
}

pub async fn export(config: &Config, args: AuditExportArgs) -> Result<(), CliError> {
    let filter = AuditFilter {
        since: args
            .since
            .as_deref()
            .map(parse_instant)
            .transpose()
            .map_err(|e| CliError::user(format!("--since: {e}")))?,
        until: args
            .until
            .as_deref()
            .map(parse_instant)
            .transpose()
            .map_err(|e| CliError::user(format!("--until: {e}")))?,
        ..AuditFilter::default()
    };
    if let (Some(s), Some(u)) = (filter.since, filter.until)
        && u <= s
    {
        return Err(CliError::user("--until must be after --since"));
    }
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let db = Database::open_existing(&config.database_url, config.migrate).await?;
    let app = App::new(db.store.clone(), default_workflow(), Arc::new(SystemClock));
    let result = write_all(&app, &filter, args.format, BufWriter::new(out)).await;
    db.close().await;
    let count = result?;
    eprintln!("exported {count} audit entries");
    Ok(())
}

/// Where entries go: a CSV writer (with its header) or plain lines of JSON.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> Sink<W> {
    fn new(format: ExportFormat, out: W) -> Result<Self, CliError> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER)
                    .map_err(|e| CliError::user(e.to_string()))?;
                Self::Csv(Box::new(w))
            }
            ExportFormat::Jsonl => Self::Jsonl(out),
        })
    }

    fn write(&mut self, e: &AuditEntry) -> Result<(), CliError> {
        let failed = |e: String| CliError::user(format!("cannot write the export: {e}"));
        match self {
            Self::Csv(w) => w
                .write_record(csv_row(e))
                .map_err(|e| failed(e.to_string())),
            Self::Jsonl(w) => writeln!(w, "{}", line(e)).map_err(|e| failed(e.to_string())),
        }
    }

    fn finish(self) -> Result<(), CliError> {
        let flushed = match self {
            Self::Csv(mut w) => w.flush(),
            Self::Jsonl(mut w) => w.flush(),
        };
        flushed.map_err(|e| CliError::user(format!("cannot write the export: {e}")))
    }
}

async fn write_all<W: Write>(
    app: &App,
    filter: &AuditFilter,
    format: ExportFormat,
    out: W,
) -> Result<u64, CliError> {
    let system = Actor::system("audit-export");
    let mut sink = Sink::new(format, out)?;
    let mut after: Option<AuditCursor> = None;
    let mut count = 0u64;
    loop {
        let page = app
            .audit_log(
                &system,
                filter,
                PageRequest {
                    first: PAGE,
                    after,
                    with_total: false,
                },
            )
            .await
            .map_err(|e| CliError::app("cannot read the audit trail", e))?;
        for e in &page.items {
            sink.write(e)?;
            count += 1;
        }
        match page.items.last() {
            Some(last) if page.has_next_page => {
                after = Some(AuditCursor {
                    at: last.at,
                    id: last.id,
                });
            }
            _ => break,
        }
    }
    sink.finish()?;
    Ok(count)
}

//! The wire format of a [`ProcedureEvent`], for relays that carry events between processes: one
//! JSON object with a format version `v`, ids as hyphenated UUID strings and the time as
//! RFC 3339 in UTC, e.g.
//!
//! ```json
//! {"v":1,"kind":"transitioned","procedure":"0196…","bureau":"0196…","procedureVersion":3,
//!  "at":"2026-06-15T03:00:00.123456Z","actor":"a@example.jp","record":"0196…","approvalRequest":null}
//! ```
//!
//! Replicas of different releases share the channel during a rolling upgrade, so the format is
//! kept apart from the Rust types: a field may be added (older readers ignore unknown fields),
//! but a change that older readers would misread bumps `v`, and a reader refuses versions it does
//! not know. A payload that cannot be read is a [`WireError`] for the caller to log and skip.
//! An event is a few hundred bytes: four UUIDs, a timestamp, the kind and an actor label (an
//! e-mail address of at most 254 bytes, or a fixed `system:…` purpose) stay under 1,000, far
//! below PostgreSQL's 8,000-byte NOTIFY limit.

use chrono::{DateTime, SecondsFormat, Utc};
use rollout_domain::{ApprovalRequestId, BureauId, ProcedureId, TransitionRecordId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{EventKind, ProcedureEvent};

/// The format version this build writes and reads.
pub const WIRE_VERSION: u32 = 1;

/// Why a payload is not an event this build can read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("not an event in the wire format: {0}")]
    Json(#[from] serde_json::Error),
    #[error("event format version {0} is not known (this build reads {WIRE_VERSION})")]
    Version(u32),
    #[error("unknown event kind {0:?}")]
    Kind(String),
    #[error("{field} is not a UUID: {value:?}")]
    Id { field: &'static str, value: String },
    #[error("at is not an RFC 3339 time: {0:?}")]
    Time(String),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    v: u32,
    kind: String,
    procedure: String,
    bureau: String,
    procedure_version: i32,
    at: String,
    actor: String,
    record: Option<String>,
    approval_request: Option<String>,
}

impl EventKind {
    fn wire_name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Transitioned => "transitioned",
            Self::ApprovalRequested => "approval_requested",
            Self::ApprovalDecided => "approval_decided",
        }
    }

    fn from_wire_name(name: &str) -> Result<Self, WireError> {
        Ok(match name {
            "created" => Self::Created,
            "updated" => Self::Updated,
            "transitioned" => Self::Transitioned,
            "approval_requested" => Self::ApprovalRequested,
            "approval_decided" => Self::ApprovalDecided,
            other => return Err(WireError::Kind(other.to_owned())),
        })
    }
}

fn uuid(field: &'static str, value: &str) -> Result<Uuid, WireError> {
    Uuid::parse_str(value).map_err(|_| WireError::Id {
        field,
        value: value.to_owned(),
    })
}

impl ProcedureEvent {
    /// The event as one JSON object in the wire format.
    pub fn to_wire(&self) -> String {
        let wire = Wire {
            v: WIRE_VERSION,
            kind: self.kind.wire_name().to_owned(),
            procedure: self.procedure_id.0.to_string(),
            bureau: self.bureau_id.0.to_string(),
            procedure_version: self.procedure_version,
            // `AutoSi` writes as many fractional digits as the time has, so it reads back equal.
            at: self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            actor: self.actor.clone(),
            record: self.record_id.map(|id| id.0.to_string()),
            approval_request: self.approval_request_id.map(|id| id.0.to_string()),
        };
        serde_json::to_string(&wire).expect("a struct of strings and numbers always serialises")
    }

    /// Reads an event written by [`ProcedureEvent::to_wire`] (of this or a compatible build).
    pub fn from_wire(payload: &str) -> Result<Self, WireError> {
        let wire: Wire = serde_json::from_str(payload)?;
        if wire.v != WIRE_VERSION {
            return Err(WireError::Version(wire.v));
        }
        let at = DateTime::parse_from_rfc3339(&wire.at)
            .map_err(|_| WireError::Time(wire.at.clone()))?
            .with_timezone(&Utc);
        Ok(Self {
            kind: EventKind::from_wire_name(&wire.kind)?,
            procedure_id: ProcedureId(uuid("procedure", &wire.procedure)?),
            bureau_id: BureauId(uuid("bureau", &wire.bureau)?),
            procedure_version: wire.procedure_version,
            at,
            actor: wire.actor,
            record_id: wire
                .record
                .map(|r| uuid("record", &r).map(TransitionRecordId))
                .transpose()?,
            approval_request_id: wire
                .approval_request
                .map(|r| uuid("approvalRequest", &r).map(ApprovalRequestId))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use serde_json::{Value, json};

    use super::super::tests::updated;
    use super::*;

    /// An event of every kind, with every optional id set and a time with microseconds.
    fn every_kind() -> Vec<ProcedureEvent> {
        [
            EventKind::Created,
            EventKind::Updated,
            EventKind::Transitioned,
            EventKind::ApprovalRequested,
            EventKind::ApprovalDecided,
        ]
        .into_iter()
        .enumerate()
        .map(|(i, kind)| ProcedureEvent {
            kind,
            at: updated(3).at + TimeDelta::microseconds(123_456),
            record_id: Some(TransitionRecordId(Uuid::from_u128(10 + i as u128))),
            approval_request_id: (i % 2 == 0).then(|| ApprovalRequestId(Uuid::from_u128(20))),
            actor: "coordinator@kankyo.metro.tokyo.lg.jp".into(),
            ..updated(3)
        })
        .collect()
    }

    #[test]
    fn every_kind_reads_back_equal() {
        for event in every_kind().into_iter().chain([updated(7)]) {
            let payload = event.to_wire();
            assert_eq!(
                ProcedureEvent::from_wire(&payload).unwrap(),
                event,
                "{payload}"
            );
        }
    }

    #[test]
    fn the_format_is_stable_json_with_uuid_strings_and_rfc3339_time() {
        let event = &every_kind()[2];
        let payload: Value = serde_json::from_str(&event.to_wire()).unwrap();
        assert_eq!(
            payload,
            json!({
                "v": 1, "kind": "transitioned",
                "procedure": "00000000-0000-0000-0000-000000000001",
                "bureau": "00000000-0000-0000-0000-000000000002",
                "procedureVersion": 3, "at": "2026-06-15T06:00:00.123456Z",
                "actor": "coordinator@kankyo.metro.tokyo.lg.jp",
                "record": "00000000-0000-0000-0000-00000000000c",
                "approvalRequest": "00000000-0000-0000-0000-000000000014",
            })
        );
    }

    #[test]
    fn fields_added_by_a_newer_build_are_ignored() {
        let mut payload: Value = serde_json::from_str(&updated(4).to_wire()).unwrap();
        payload["origin"] = json!("replica-b");
        assert_eq!(
            ProcedureEvent::from_wire(&payload.to_string()).unwrap(),
            updated(4)
        );
    }

    #[test]
    fn malformed_payloads_are_errors_that_say_what_is_wrong() {
        let good: Value = serde_json::from_str(&updated(4).to_wire()).unwrap();
        let with = |field: &str, value: Value| {
            let mut changed = good.clone();
            changed[field] = value;
            changed.to_string()
        };
        let cases = [
            ("".to_owned(), "not an event in the wire format"),
            ("not json".to_owned(), "not an event in the wire format"),
            ("[1, 2]".to_owned(), "not an event in the wire format"),
            (json!({"v": 1}).to_string(), "missing field"),
            (with("v", json!(2)), "event format version 2 is not known"),
            (with("v", json!("1")), "not an event in the wire format"),
            (
                with("kind", json!("deleted")),
                "unknown event kind \"deleted\"",
            ),
            (
                with("procedure", json!("KANKYO-0001")),
                "procedure is not a UUID",
            ),
            (with("bureau", json!(7)), "not an event in the wire format"),
            (with("record", json!("")), "record is not a UUID"),
            (
                with("at", json!("2026-06-15 06:00")),
                "at is not an RFC 3339 time",
            ),
            (
                with("procedureVersion", json!(1e12)),
                "not an event in the wire format",
            ),
        ];
        for (payload, expected) in cases {
            let err = ProcedureEvent::from_wire(&payload).unwrap_err().to_string();
            assert!(err.contains(expected), "{payload}: {err}");
        }
    }

    #[test]
    fn the_largest_event_stays_far_below_the_notify_limit() {
        let event = ProcedureEvent {
            // The longest e-mail address users may have.
            actor: format!("{}@{}", "a".repeat(64), "b".repeat(189)),
            ..every_kind()[4].clone()
        };
        let len = event.to_wire().len();
        assert!(len < 1_000, "{len} bytes");
    }
}

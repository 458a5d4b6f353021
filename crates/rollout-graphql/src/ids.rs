//! Global ids and pagination cursors, the two opaque strings the API hands out.
//!
//! A global id is base64url (no padding) of `<TypeName>:<uuid>`; decoding checks the type prefix so
//! a bureau id can never be used as a procedure id. A cursor is base64url of a small JSON object
//! that names the ordering it belongs to, so a cursor taken under `CODE ASC` is refused under
//! `UPDATED_AT DESC` instead of silently skipping rows. Neither is meant to be built by clients;
//! both are stable across releases because clients store them.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rollout_store::{
    HistoryCursor, OrderDirection, ProcedureCursor, ProcedureOrder, ProcedureOrderField, SortValue,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The object types that have global ids. `AuditEntry` is absent: the store cannot read one
/// entry by id, so entries are not nodes (see `audit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeType {
    Bureau,
    Procedure,
    TransitionRecord,
    User,
    ApiToken,
    ApprovalRequest,
    Delegation,
    UserTest,
    Hearing,
    Task,
    LawChange,
    Milestone,
    Dependency,
    // Issue 12: reminders. Rules and notifications are nodes; firings, deliveries and webhook
    // endpoints have ids (for `retryDelivery`, `updateWebhookEndpoint`) but no `node` lookup.
    ReminderRule,
    Notification,
    ReminderFiring,
    Delivery,
    WebhookEndpoint,
    // Issue 13: assessments and reviews have ids (history, the audit trail) but no `node`
    // lookup.
    QualityAssessment,
    UserReview,
}

impl NodeType {
    const ALL: [NodeType; 20] = [
        Self::Bureau,
        Self::Procedure,
        Self::TransitionRecord,
        Self::User,
        Self::ApiToken,
        Self::ApprovalRequest,
        Self::Delegation,
        Self::UserTest,
        Self::Hearing,
        Self::Task,
        Self::LawChange,
        Self::Milestone,
        Self::Dependency,
        Self::ReminderRule,
        Self::Notification,
        Self::ReminderFiring,
        Self::Delivery,
        Self::WebhookEndpoint,
        Self::QualityAssessment,
        Self::UserReview,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Bureau => "Bureau",
            Self::Procedure => "Procedure",
            Self::TransitionRecord => "TransitionRecord",
            Self::User => "User",
            Self::ApiToken => "ApiToken",
            Self::ApprovalRequest => "ApprovalRequest",
            Self::Delegation => "Delegation",
            Self::UserTest => "UserTest",
            Self::Hearing => "Hearing",
            Self::Task => "Task",
            Self::LawChange => "LawChange",
            Self::Milestone => "Milestone",
            Self::Dependency => "Dependency",
            Self::ReminderRule => "ReminderRule",
            Self::Notification => "Notification",
            Self::ReminderFiring => "ReminderFiring",
            Self::Delivery => "Delivery",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::QualityAssessment => "QualityAssessment",
            Self::UserReview => "UserReview",
        }
    }
}

/// A malformed id or cursor; the message is safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub String);

/// A client's id or cursor, quoted for an error message, cut short when it is longer than any
/// real one: a message must not echo back a megabyte the client sent.
fn shown(raw: &str) -> String {
    match raw.char_indices().nth(SHOWN_MAX) {
        None => format!("{raw:?}"),
        Some((cut, _)) => format!("{:?}… ({} characters)", &raw[..cut], raw.chars().count()),
    }
}

/// Like [`shown`], unquoted: for a part of a decoded cursor.
fn shown_bare(raw: &str) -> String {
    match raw.char_indices().nth(SHOWN_MAX) {
        None => raw.to_owned(),
        Some((cut, _)) => format!("{}… ({} characters)", &raw[..cut], raw.chars().count()),
    }
}

/// Longer than any id or cursor this server makes (a cursor is about 110 characters).
const SHOWN_MAX: usize = 200;

pub(crate) fn global_id(ty: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", ty.name())))
}

/// Decodes any global id into its type and uuid.
pub(crate) fn decode_global_id(raw: &str) -> Result<(NodeType, Uuid), Malformed> {
    let bad = || Malformed(format!("{} is not a valid id", shown(raw)));
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (prefix, uuid) = text.split_once(':').ok_or_else(bad)?;
    let ty = NodeType::ALL
        .into_iter()
        .find(|t| t.name() == prefix)
        .ok_or_else(bad)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| bad())?;
    Ok((ty, uuid))
}

/// Decodes a global id that must be of type `ty`.
pub(crate) fn decode_global_id_as(raw: &str, ty: NodeType) -> Result<Uuid, Malformed> {
    match decode_global_id(raw)? {
        (found, uuid) if found == ty => Ok(uuid),
        (found, _) => Err(Malformed(format!(
            "{} is a {} id, not a {} id",
            shown(raw),
            found.name(),
            ty.name()
        ))),
    }
}

/// The uuid of a query argument's global id of type `ty`, or a VALIDATION error.
pub(crate) fn argument_id(raw: &str, ty: NodeType) -> async_graphql::Result<Uuid> {
    decode_global_id_as(raw, ty).map_err(|e| crate::errors::validation(e.0))
}

/// The wire form of every cursor kind; `o` names the ordering the cursor belongs to.
#[derive(Serialize, Deserialize)]
struct CursorWire {
    o: String,
    /// The sort value: the code, or an RFC 3339 time.
    v: String,
    id: String,
}

const HISTORY_ORDERING: &str = "HISTORY";

/// The orderings of the listings keyed on a time and an id, newest or oldest first as the store
/// pages them; a cursor of one is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeOrdering {
    /// Approval requests, newest first.
    Approvals,
    /// The audit trail, oldest first.
    Audit,
    /// A person's notifications, newest first.
    Notifications,
}

impl TimeOrdering {
    const fn tag(self) -> &'static str {
        match self {
            Self::Approvals => "APPROVALS",
            Self::Audit => "AUDIT",
            Self::Notifications => "NOTIFICATIONS",
        }
    }
}

fn ordering_tag(order: ProcedureOrder) -> String {
    let field = match order.field {
        ProcedureOrderField::Code => "CODE",
        ProcedureOrderField::CreatedAt => "CREATED_AT",
        ProcedureOrderField::UpdatedAt => "UPDATED_AT",
    };
    let direction = match order.direction {
        OrderDirection::Asc => "ASC",
        OrderDirection::Desc => "DESC",
    };
    format!("{field}:{direction}")
}

fn encode_wire(wire: &CursorWire) -> String {
    let json = serde_json::to_vec(wire).expect("a struct of strings always serialises");
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_wire(raw: &str) -> Result<CursorWire, Malformed> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| Malformed(format!("{} is not a valid cursor", shown(raw))))
}

fn time_text(t: DateTime<Utc>) -> String {
    rollout_domain::bounds::utc_text(t)
}

/// A cursor is client input too: its instant must be one the stores can compare against.
fn parse_time(raw: &str, v: &str) -> Result<DateTime<Utc>, Malformed> {
    DateTime::parse_from_rfc3339(v)
        .ok()
        .and_then(|t| rollout_domain::bounds::check_instant(t.with_timezone(&Utc)).ok())
        .ok_or_else(|| Malformed(format!("{} is not a valid cursor", shown(raw))))
}

fn parse_uuid(raw: &str, id: &str) -> Result<Uuid, Malformed> {
    Uuid::parse_str(id).map_err(|_| Malformed(format!("{} is not a valid cursor", shown(raw))))
}

pub(crate) fn encode_procedure_cursor(cursor: &ProcedureCursor, order: ProcedureOrder) -> String {
    let v = match &cursor.value {
        SortValue::Text(s) => s.clone(),
        SortValue::Time(t) => time_text(*t),
    };
    encode_wire(&CursorWire {
        o: ordering_tag(order),
        v,
        id: cursor.id.to_string(),
    })
}

/// Decodes a procedure cursor, refusing one that was issued under another ordering.
pub(crate) fn decode_procedure_cursor(
    raw: &str,
    order: ProcedureOrder,
) -> Result<ProcedureCursor, Malformed> {
    let wire = decode_wire(raw)?;
    let expected = ordering_tag(order);
    if wire.o != expected {
        return Err(Malformed(format!(
            "cursor {} belongs to the ordering {}, not {expected}",
            shown(raw),
            shown_bare(&wire.o)
        )));
    }
    let value = match order.field {
        ProcedureOrderField::Code => SortValue::Text(wire.v),
        ProcedureOrderField::CreatedAt | ProcedureOrderField::UpdatedAt => {
            SortValue::Time(parse_time(raw, &wire.v)?)
        }
    };
    Ok(ProcedureCursor {
        value,
        id: rollout_domain::ProcedureId(parse_uuid(raw, &wire.id)?),
    })
}

pub(crate) fn encode_history_cursor(cursor: &HistoryCursor) -> String {
    encode_wire(&CursorWire {
        o: HISTORY_ORDERING.to_owned(),
        v: cursor.procedure_version.to_string(),
        id: String::new(),
    })
}

pub(crate) fn decode_history_cursor(raw: &str) -> Result<HistoryCursor, Malformed> {
    let wire = decode_wire(raw)?;
    if wire.o != HISTORY_ORDERING {
        return Err(Malformed(format!(
            "cursor {} belongs to a procedure listing, not to a history",
            shown(raw)
        )));
    }
    let procedure_version = wire
        .v
        .parse::<i32>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| Malformed(format!("cursor {} is not a history position", shown(raw))))?;
    Ok(HistoryCursor { procedure_version })
}

/// A cursor of a time-keyed listing.
pub(crate) fn encode_time_cursor(ordering: TimeOrdering, at: DateTime<Utc>, id: Uuid) -> String {
    encode_wire(&CursorWire {
        o: ordering.tag().to_owned(),
        v: time_text(at),
        id: id.to_string(),
    })
}

/// Decodes a cursor of `ordering`, refusing one issued by another listing.
pub(crate) fn decode_time_cursor(
    raw: &str,
    ordering: TimeOrdering,
) -> Result<(DateTime<Utc>, Uuid), Malformed> {
    let wire = decode_wire(raw)?;
    if wire.o != ordering.tag() {
        return Err(Malformed(format!(
            "cursor {} does not belong to this listing",
            shown(raw)
        )));
    }
    Ok((parse_time(raw, &wire.v)?, parse_uuid(raw, &wire.id)?))
}

// Issue 10: the hearing listing (held on, latest first) and the task listing (due date, none
// last); a cursor of one is refused by the other and by every other listing.
const HEARINGS_ORDERING: &str = "HEARINGS";
const TASKS_ORDERING: &str = "TASKS";

pub(crate) fn encode_hearing_cursor(c: &rollout_store::HearingCursor) -> String {
    encode_wire(&CursorWire {
        o: HEARINGS_ORDERING.to_owned(),
        v: c.held_on.to_string(),
        id: c.id.to_string(),
    })
}

pub(crate) fn decode_hearing_cursor(raw: &str) -> Result<rollout_store::HearingCursor, Malformed> {
    let wire = decode_wire(raw)?;
    let held_on = (wire.o == HEARINGS_ORDERING)
        .then(|| wire.v.parse().ok())
        .flatten()
        .filter(|d| rollout_domain::bounds::check_date(*d).is_ok())
        .ok_or_else(|| {
            Malformed(format!(
                "cursor {} does not belong to this listing",
                shown(raw)
            ))
        })?;
    Ok(rollout_store::HearingCursor {
        held_on,
        id: rollout_domain::HearingId(parse_uuid(raw, &wire.id)?),
    })
}

pub(crate) fn encode_task_cursor(c: &rollout_store::TaskCursor) -> String {
    encode_wire(&CursorWire {
        o: TASKS_ORDERING.to_owned(),
        v: c.due_on.map(|d| d.to_string()).unwrap_or_default(),
        id: c.id.to_string(),
    })
}

pub(crate) fn decode_task_cursor(raw: &str) -> Result<rollout_store::TaskCursor, Malformed> {
    let wire = decode_wire(raw)?;
    let bad = || {
        Malformed(format!(
            "cursor {} does not belong to this listing",
            shown(raw)
        ))
    };
    if wire.o != TASKS_ORDERING {
        return Err(bad());
    }
    let due_on = match wire.v.as_str() {
        "" => None,
        v => Some(
            v.parse()
                .ok()
                .filter(|d| rollout_domain::bounds::check_date(*d).is_ok())
                .ok_or_else(bad)?,
        ),
    };
    Ok(rollout_store::TaskCursor {
        due_on,
        id: rollout_domain::TaskId(parse_uuid(raw, &wire.id)?),
    })
}

const LAW_CHANGE_ORDERING: &str = "LAW_CHANGE_CODE";

/// The law change listing is ordered by code, which is unique: the cursor is the code alone.
pub(crate) fn encode_law_change_cursor(c: &rollout_store::LawChangeCursor) -> String {
    encode_wire(&CursorWire {
        o: LAW_CHANGE_ORDERING.to_owned(),
        v: c.code.clone(),
        id: String::new(),
    })
}

pub(crate) fn decode_law_change_cursor(
    raw: &str,
) -> Result<rollout_store::LawChangeCursor, Malformed> {
    let wire = decode_wire(raw)?;
    if wire.o != LAW_CHANGE_ORDERING {
        return Err(Malformed(format!(
            "the cursor {} does not belong to the law change listing",
            shown(raw)
        )));
    }
    Ok(rollout_store::LawChangeCursor { code: wire.v })
}

// Issue 12: reminder rules, listed by name (then id) and sliced in memory.
const REMINDER_RULES_ORDERING: &str = "REMINDER_RULES";

pub(crate) fn encode_rule_cursor(name: &str, id: Uuid) -> String {
    encode_wire(&CursorWire {
        o: REMINDER_RULES_ORDERING.to_owned(),
        v: name.to_owned(),
        id: id.to_string(),
    })
}

pub(crate) fn decode_rule_cursor(raw: &str) -> Result<(String, Uuid), Malformed> {
    let wire = decode_wire(raw)?;
    if wire.o != REMINDER_RULES_ORDERING {
        return Err(Malformed(format!(
            "the cursor {} does not belong to the reminder rule listing",
            shown(raw)
        )));
    }
    Ok((wire.v, parse_uuid(raw, &wire.id)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollout_domain::ProcedureId;

    const UUID: &str = "0190f5a2-7b3c-7def-8123-456789abcdef";

    #[test]
    fn global_ids_carry_their_type() {
        let uuid = Uuid::parse_str(UUID).unwrap();
        let id = global_id(NodeType::Procedure, uuid);
        assert_eq!(
            id.0,
            URL_SAFE_NO_PAD.encode(format!("Procedure:{UUID}")),
            "the contract fixes the encoding"
        );
        assert_eq!(decode_global_id(&id).unwrap(), (NodeType::Procedure, uuid));
        assert_eq!(decode_global_id_as(&id, NodeType::Procedure).unwrap(), uuid);
        let err = decode_global_id_as(&id, NodeType::Bureau).unwrap_err();
        assert!(
            err.0.contains("is a Procedure id, not a Bureau id"),
            "{}",
            err.0
        );
    }

    #[test]
    fn long_ids_are_cut_short_in_messages() {
        let long = "x".repeat(100_000);
        let message = decode_global_id(&long).unwrap_err().0;
        assert!(message.len() < 300, "{message}");
        assert!(
            message.ends_with("… (100000 characters) is not a valid id"),
            "{message}"
        );
        let short = decode_global_id("abc").unwrap_err().0;
        assert_eq!(short, "\"abc\" is not a valid id");
    }

    #[test]
    fn malformed_global_ids_are_refused() {
        let cases = [
            "not base64!".to_owned(),
            URL_SAFE_NO_PAD.encode("Procedure"),
            URL_SAFE_NO_PAD.encode(format!("Widget:{UUID}")),
            URL_SAFE_NO_PAD.encode("Procedure:not-a-uuid"),
        ];
        for raw in cases {
            assert!(decode_global_id(&raw).is_err(), "{raw} accepted");
        }
    }

    #[test]
    fn procedure_cursors_belong_to_one_ordering() {
        let code_asc = ProcedureOrder::default();
        let cursor = ProcedureCursor {
            value: SortValue::Text("KANKYO-0001".into()),
            id: ProcedureId(Uuid::parse_str(UUID).unwrap()),
        };
        let raw = encode_procedure_cursor(&cursor, code_asc);
        assert_eq!(decode_procedure_cursor(&raw, code_asc).unwrap(), cursor);
        let desc = ProcedureOrder {
            field: ProcedureOrderField::Code,
            direction: OrderDirection::Desc,
        };
        let err = decode_procedure_cursor(&raw, desc).unwrap_err();
        assert!(err.0.contains("CODE:ASC, not CODE:DESC"), "{}", err.0);
        assert!(decode_history_cursor(&raw).is_err());
    }

    #[test]
    fn time_cursors_round_trip_to_the_microsecond() {
        let at = DateTime::parse_from_rfc3339("2026-04-01T09:30:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let order = ProcedureOrder {
            field: ProcedureOrderField::UpdatedAt,
            direction: OrderDirection::Desc,
        };
        let cursor = ProcedureCursor {
            value: SortValue::Time(at),
            id: ProcedureId(Uuid::parse_str(UUID).unwrap()),
        };
        let raw = encode_procedure_cursor(&cursor, order);
        assert_eq!(decode_procedure_cursor(&raw, order).unwrap(), cursor);

        let history = HistoryCursor {
            procedure_version: 3,
        };
        let raw = encode_history_cursor(&history);
        assert_eq!(decode_history_cursor(&raw).unwrap(), history);
        assert!(decode_procedure_cursor(&raw, order).is_err());
        assert!(decode_history_cursor("garbage").is_err());
    }

    #[test]
    fn time_cursors_belong_to_one_listing() {
        let at = DateTime::parse_from_rfc3339("2026-06-15T03:00:00.000123Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = Uuid::parse_str(UUID).unwrap();
        let raw = encode_time_cursor(TimeOrdering::Audit, at, id);
        assert_eq!(
            decode_time_cursor(&raw, TimeOrdering::Audit).unwrap(),
            (at, id)
        );
        let err = decode_time_cursor(&raw, TimeOrdering::Approvals).unwrap_err();
        assert!(err.0.contains("does not belong"), "{}", err.0);
        assert!(decode_history_cursor(&raw).is_err());
        let history = encode_history_cursor(&HistoryCursor {
            procedure_version: 2,
        });
        assert!(decode_time_cursor(&history, TimeOrdering::Audit).is_err());
        // A forged cursor with an instant outside the supported range is malformed too.
        let forged = encode_wire(&CursorWire {
            o: TimeOrdering::Audit.tag().to_owned(),
            v: "1800-01-01T00:00:00Z".to_owned(),
            id: id.to_string(),
        });
        assert!(decode_time_cursor(&forged, TimeOrdering::Audit).is_err());
    }

    #[test]
    fn law_change_cursors_round_trip_and_belong_to_their_listing() {
        let c = rollout_store::LawChangeCursor {
            code: "LAW-0007".into(),
        };
        let raw = encode_law_change_cursor(&c);
        assert_eq!(decode_law_change_cursor(&raw).unwrap(), c);
        let history = encode_history_cursor(&HistoryCursor {
            procedure_version: 2,
        });
        assert!(decode_law_change_cursor(&history).is_err());
        assert!(decode_law_change_cursor("garbage").is_err());
    }

    #[test]
    fn rule_cursors_round_trip_and_belong_to_their_listing() {
        let id = Uuid::parse_str(UUID).unwrap();
        let raw = encode_rule_cursor("期限切れタスク", id);
        assert_eq!(
            decode_rule_cursor(&raw).unwrap(),
            ("期限切れタスク".to_owned(), id)
        );
        let at = DateTime::parse_from_rfc3339("2026-06-15T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let other = encode_time_cursor(TimeOrdering::Notifications, at, id);
        assert!(decode_rule_cursor(&other).is_err());
        assert!(decode_time_cursor(&raw, TimeOrdering::Notifications).is_err());
        assert_eq!(
            decode_time_cursor(&other, TimeOrdering::Notifications).unwrap(),
            (at, id)
        );
    }

    #[test]
    fn every_node_type_round_trips() {
        let uuid = Uuid::parse_str(UUID).unwrap();
        for ty in NodeType::ALL {
            let id = global_id(ty, uuid);
            assert_eq!(decode_global_id(&id).unwrap(), (ty, uuid), "{}", ty.name());
        }
    }
}

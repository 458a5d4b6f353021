//! Row ↔ domain conversion: the textual encodings of the schema (lower-case hyphenated UUIDs,
//! fixed-width microsecond UTC instants, ISO dates, enum keys) and the row structs that decode
//! them. A stored value that does not parse is reported as corrupt, naming its column; nothing
//! here touches a connection.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rollout_domain::{
    ApprovalRequestId, Authority, Bureau, BureauCode, BureauId, Category, FiscalQuarter, Platform,
    Procedure, ProcedureCode, ProcedureId, TransitionRecord, TransitionRecordId,
};
use rollout_store::{StoreError, StoreResult};
use uuid::Uuid;

/// Instants are RFC 3339 in UTC at a fixed width, `2026-04-01T00:00:00.000000Z` (microseconds,
/// `Z`), so text order is time order and both backends round-trip the same values. Written and
/// read with chrono's RFC 3339 routines rather than a `strftime` pattern: every row has two or
/// more instants, and interpreting a pattern per value was a visible share of a list's time.
const INSTANT_LEN: usize = "2026-04-01T00:00:00.000000Z".len();

pub(crate) fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// ISO 8601 calendar date, `2026-04-01`.
pub(crate) fn day(d: NaiveDate) -> String {
    d.to_string()
}

/// `Uuid`'s `Display` is lower-case hyphenated: the form whose text order is uuid byte order.
pub(crate) fn uuid(id: Uuid) -> String {
    id.hyphenated().to_string()
}

pub(crate) fn corrupt(column: &str, raw: &str) -> StoreError {
    StoreError::corrupt(format!("corrupt value {raw:?} in column {column}"))
}

/// Only the form [`instant`] writes: RFC 3339 also allows other offsets and precisions, which
/// would break the text order, so they are corrupt here.
pub(crate) fn parse_instant(column: &str, raw: &str) -> StoreResult<DateTime<Utc>> {
    if raw.len() != INSTANT_LEN || !raw.ends_with('Z') || raw.as_bytes()[10] != b'T' {
        return Err(corrupt(column, raw));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt(column, raw))
}

pub(crate) fn parse_day(column: &str, raw: &str) -> StoreResult<NaiveDate> {
    if raw.len() != "2026-04-01".len() {
        return Err(corrupt(column, raw));
    }
    raw.parse::<NaiveDate>().map_err(|_| corrupt(column, raw))
}

pub(crate) fn parse_uuid(column: &str, raw: &str) -> StoreResult<Uuid> {
    Uuid::try_parse(raw).map_err(|_| corrupt(column, raw))
}

pub(crate) fn parse_i32(column: &str, raw: i64) -> StoreResult<i32> {
    i32::try_from(raw).map_err(|_| corrupt(column, &raw.to_string()))
}

pub(crate) fn parse_with<T, E>(
    column: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> StoreResult<T> {
    parse(raw).map_err(|_| corrupt(column, raw))
}

pub(crate) fn parse_key<T>(
    column: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> StoreResult<T> {
    parse(raw).ok_or_else(|| corrupt(column, raw))
}

pub(crate) const BUREAU_COLUMNS: &str = "id, code, name_ja, name_en";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct BureauRow {
    id: String,
    code: String,
    name_ja: String,
    name_en: String,
}

impl BureauRow {
    pub(crate) fn into_domain(self) -> StoreResult<Bureau> {
        Ok(Bureau {
            id: BureauId(parse_uuid("bureaus.id", &self.id)?),
            code: parse_with("bureaus.code", &self.code, BureauCode::parse)?,
            name_ja: self.name_ja,
            name_en: self.name_en,
        })
    }
}

/// The column list of `procedures` in [`ProcedureRow`] and [`ProcedureParams`] order.
pub(crate) const PROCEDURE_COLUMNS: &str = "id, code, name, name_en, bureau_id, category, \
     authority, annual_applications, process_count, platform, target_quarter, released_on, \
     state, version, created_at, updated_at";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ProcedureRow {
    id: String,
    code: String,
    name: String,
    name_en: Option<String>,
    bureau_id: String,
    category: String,
    authority: String,
    annual_applications: Option<i64>,
    process_count: i64,
    platform: Option<String>,
    target_quarter: Option<String>,
    released_on: Option<String>,
    state: String,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl ProcedureRow {
    pub(crate) fn into_domain(self) -> StoreResult<Procedure> {
        Ok(Procedure {
            id: ProcedureId(parse_uuid("procedures.id", &self.id)?),
            code: parse_with("procedures.code", &self.code, ProcedureCode::parse)?,
            name: self.name,
            name_en: self.name_en,
            bureau_id: BureauId(parse_uuid("procedures.bureau_id", &self.bureau_id)?),
            category: parse_key("procedures.category", &self.category, Category::parse)?,
            authority: parse_key("procedures.authority", &self.authority, Authority::parse)?,
            annual_applications: self.annual_applications,
            process_count: parse_i32("procedures.process_count", self.process_count)?,
            platform: self
                .platform
                .map(|raw| parse_key("procedures.platform", &raw, Platform::parse))
                .transpose()?,
            target_quarter: self
                .target_quarter
                .map(|raw| parse_with("procedures.target_quarter", &raw, FiscalQuarter::parse))
                .transpose()?,
            released_on: self
                .released_on
                .map(|raw| parse_day("procedures.released_on", &raw))
                .transpose()?,
            state: self.state,
            version: parse_i32("procedures.version", self.version)?,
            created_at: parse_instant("procedures.created_at", &self.created_at)?,
            updated_at: parse_instant("procedures.updated_at", &self.updated_at)?,
        })
    }
}

/// A procedure encoded for binding, in [`PROCEDURE_COLUMNS`] order.
#[derive(Debug)]
pub(crate) struct ProcedureParams {
    pub id: String,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_id: String,
    pub category: &'static str,
    pub authority: &'static str,
    pub annual_applications: Option<i64>,
    pub process_count: i64,
    pub platform: Option<&'static str>,
    pub target_quarter: Option<String>,
    pub released_on: Option<String>,
    pub state: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Not in [`PROCEDURE_COLUMNS`]: written, never read back.
    pub search_text: String,
}

impl From<&Procedure> for ProcedureParams {
    fn from(p: &Procedure) -> Self {
        Self {
            id: uuid(p.id.0),
            code: p.code.as_str().to_owned(),
            name: p.name.clone(),
            name_en: p.name_en.clone(),
            bureau_id: uuid(p.bureau_id.0),
            category: p.category.as_str(),
            authority: p.authority.as_str(),
            annual_applications: p.annual_applications,
            process_count: i64::from(p.process_count),
            platform: p.platform.map(Platform::as_str),
            target_quarter: p.target_quarter.map(|q| q.to_string()),
            released_on: p.released_on.map(day),
            state: p.state.clone(),
            version: i64::from(p.version),
            created_at: instant(p.created_at),
            updated_at: instant(p.updated_at),
            search_text: p.search_text(),
        }
    }
}

/// The column list of `transition_records` in [`RecordRow`] and [`RecordParams`] order.
pub(crate) const RECORD_COLUMNS: &str = "id, procedure_id, from_state, to_state, transition, \
     actor, comment, at, workflow_version, procedure_version, approval_request_id";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RecordRow {
    id: String,
    procedure_id: String,
    from_state: Option<String>,
    to_state: String,
    transition: String,
    actor: String,
    comment: Option<String>,
    at: String,
    workflow_version: String,
    procedure_version: i64,
    approval_request_id: Option<String>,
}

impl RecordRow {
    pub(crate) fn into_domain(self) -> StoreResult<TransitionRecord> {
        Ok(TransitionRecord {
            id: TransitionRecordId(parse_uuid("transition_records.id", &self.id)?),
            procedure_id: ProcedureId(parse_uuid(
                "transition_records.procedure_id",
                &self.procedure_id,
            )?),
            from_state: self.from_state,
            to_state: self.to_state,
            transition: self.transition,
            actor: self.actor,
            comment: self.comment,
            at: parse_instant("transition_records.at", &self.at)?,
            workflow_version: self.workflow_version,
            procedure_version: parse_i32(
                "transition_records.procedure_version",
                self.procedure_version,
            )?,
            approval_request_id: self
                .approval_request_id
                .map(|raw| {
                    parse_uuid("transition_records.approval_request_id", &raw)
                        .map(ApprovalRequestId)
                })
                .transpose()?,
        })
    }
}

/// A transition record encoded for binding, in [`RECORD_COLUMNS`] order.
#[derive(Debug)]
pub(crate) struct RecordParams {
    pub id: String,
    pub procedure_id: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub transition: String,
    pub actor: String,
    pub comment: Option<String>,
    pub at: String,
    pub workflow_version: String,
    pub procedure_version: i64,
    pub approval_request_id: Option<String>,
}

impl From<&TransitionRecord> for RecordParams {
    fn from(r: &TransitionRecord) -> Self {
        Self {
            id: uuid(r.id.0),
            procedure_id: uuid(r.procedure_id.0),
            from_state: r.from_state.clone(),
            to_state: r.to_state.clone(),
            transition: r.transition.clone(),
            actor: r.actor.clone(),
            comment: r.comment.clone(),
            at: instant(r.at),
            workflow_version: r.workflow_version.clone(),
            procedure_version: i64::from(r.procedure_version),
            approval_request_id: r.approval_request_id.map(|id| uuid(id.0)),
        }
    }
}

/// Decodes every row, stopping at the first corrupt one.
pub(crate) fn decode_all<R, T>(
    rows: Vec<R>,
    decode: impl Fn(R) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    rows.into_iter().map(decode).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_are_fixed_width_and_round_trip() {
        let t = Utc.with_ymd_and_hms(2025, 4, 1, 9, 5, 7).unwrap();
        assert_eq!(instant(t), "2025-04-01T09:05:07.000000Z");
        let precise = t + chrono::Duration::microseconds(42);
        assert_eq!(instant(precise), "2025-04-01T09:05:07.000042Z");
        assert_eq!(parse_instant("c", &instant(precise)).unwrap(), precise);
    }

    #[test]
    fn only_the_written_form_reads_back() {
        // Valid RFC 3339, but not what `instant` writes: their text order is not time order.
        for other in [
            "2025-04-01T18:05:07.000000+09:00",
            "2025-04-01T09:05:07Z",
            "2025-04-01T09:05:07.000000000Z",
            "2025-04-01 09:05:07.000000Z",
            "2025-04-01T09:05:07.00000xZ",
        ] {
            assert!(parse_instant("c", other).is_err(), "{other}");
        }
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(day(d), "2026-03-31");
        assert_eq!(parse_day("c", "2026-03-31").unwrap(), d);
        for other in ["2026-3-31", "2026-03-31T00:00:00Z", "+2026-03-31"] {
            assert!(parse_day("c", other).is_err(), "{other}");
        }
    }

    #[test]
    fn corrupt_values_name_their_column() {
        let err = parse_instant("procedures.created_at", "yesterday").unwrap_err();
        assert_eq!(
            err.to_string(),
            "storage error: corrupt value \"yesterday\" in column procedures.created_at"
        );
        let err = parse_key("procedures.category", "HUGE", Category::parse).unwrap_err();
        assert!(err.to_string().ends_with("in column procedures.category"));
    }

    #[test]
    fn uuids_are_lower_case_hyphenated() {
        let id = Uuid::parse_str("0190F3A1-7B2C-7D4E-8F00-0123456789AB").unwrap();
        assert_eq!(uuid(id), "0190f3a1-7b2c-7d4e-8f00-0123456789ab");
    }
}

//! Decoding rows into domain values. Every column list that a query selects lives here beside
//! the decoder that reads it, so the two cannot drift. Values the domain would refuse (an
//! unknown category key, a malformed code or quarter) are reported as corrupt data naming the
//! column, never silently replaced. Writing values is left to the modules that write. The
//! access-control tables (users, tokens, approvals, delegations, audit) are decoded in
//! [`access`].

use rollout_domain::{
    ApprovalRequestId, Authority, Bureau, BureauCode, BureauId, Category, FiscalQuarter, Platform,
    Procedure, ProcedureCode, ProcedureId, TransitionRecord, TransitionRecordId,
};
use rollout_store::StoreError;
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::errors;

mod access;

pub(crate) use access::*;

/// Column lists as macros so that queries can be `concat!`-ed into `&'static str` at compile time.
macro_rules! bureau_columns {
    () => {
        "id, code, name_ja, name_en"
    };
}

macro_rules! procedure_columns {
    () => {
        "id, code, name, name_en, bureau_id, category, authority, annual_applications, \
         process_count, platform, target_quarter, released_on, state, version, created_at, \
         updated_at"
    };
}

macro_rules! record_columns {
    () => {
        "id, procedure_id, from_state, to_state, transition, actor, comment, at, \
         workflow_version, procedure_version, approval_request_id"
    };
}

pub(crate) use {bureau_columns, procedure_columns, record_columns};

/// Reads one column, mapping a type mismatch to `Internal` with the column in the context.
pub(crate) fn get<'r, T>(row: &'r PgRow, column: &'static str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(errors::db(column))
}

pub(crate) fn corrupt(table: &str, column: &str, value: &str) -> StoreError {
    StoreError::corrupt(format!("corrupt row: {table}.{column} holds {value:?}"))
}

/// Parses a stored text column with the domain's parser; a refusal is corrupt data.
pub(crate) fn parsed<T, E>(
    row: &PgRow,
    table: &str,
    column: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let raw: String = get(row, column)?;
    parse(&raw).map_err(|_| corrupt(table, column, &raw))
}

pub(crate) fn parsed_opt<T, E>(
    row: &PgRow,
    table: &str,
    column: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    let raw: Option<String> = get(row, column)?;
    raw.map(|raw| parse(&raw).map_err(|_| corrupt(table, column, &raw)))
        .transpose()
}

pub(crate) fn keyed<T>(parse: fn(&str) -> Option<T>) -> impl FnOnce(&str) -> Result<T, ()> {
    move |raw| parse(raw).ok_or(())
}

pub(crate) fn bureau(row: &PgRow) -> Result<Bureau, StoreError> {
    Ok(Bureau {
        id: BureauId(get(row, "id")?),
        code: parsed(row, "bureaus", "code", BureauCode::parse)?,
        name_ja: get(row, "name_ja")?,
        name_en: get(row, "name_en")?,
    })
}

pub(crate) fn procedure(row: &PgRow) -> Result<Procedure, StoreError> {
    const T: &str = "procedures";
    Ok(Procedure {
        id: ProcedureId(get(row, "id")?),
        code: parsed(row, T, "code", ProcedureCode::parse)?,
        name: get(row, "name")?,
        name_en: get(row, "name_en")?,
        bureau_id: BureauId(get(row, "bureau_id")?),
        category: parsed(row, T, "category", keyed(Category::parse))?,
        authority: parsed(row, T, "authority", keyed(Authority::parse))?,
        annual_applications: get(row, "annual_applications")?,
        process_count: get(row, "process_count")?,
        platform: parsed_opt(row, T, "platform", keyed(Platform::parse))?,
        target_quarter: parsed_opt(row, T, "target_quarter", FiscalQuarter::parse)?,
        released_on: get(row, "released_on")?,
        state: get(row, "state")?,
        version: get(row, "version")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub(crate) fn record(row: &PgRow) -> Result<TransitionRecord, StoreError> {
    Ok(TransitionRecord {
        id: TransitionRecordId(get(row, "id")?),
        procedure_id: ProcedureId(get(row, "procedure_id")?),
        from_state: get(row, "from_state")?,
        to_state: get(row, "to_state")?,
        transition: get(row, "transition")?,
        actor: get(row, "actor")?,
        comment: get(row, "comment")?,
        at: get(row, "at")?,
        workflow_version: get(row, "workflow_version")?,
        procedure_version: get(row, "procedure_version")?,
        approval_request_id: get::<Option<uuid::Uuid>>(row, "approval_request_id")?
            .map(ApprovalRequestId),
    })
}

pub(crate) fn all<T>(
    rows: &[PgRow],
    decode: fn(&PgRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(decode).collect()
}

/// The stored text of a fiscal quarter; its lexicographic order is chronological.
pub(crate) fn quarter_key(q: &FiscalQuarter) -> String {
    q.to_string()
}

//! Mutation inputs and their conversion to the use cases' commands. Everything a client can get
//! wrong before a use case runs (a malformed id, an explicit null on a field that cannot be
//! cleared) is collected here as payload errors, all at once, with the input path.
//!
//! `UpdateProcedureInput` uses `MaybeUndefined` so that an absent field (leave it alone) and an
//! explicit null (clear it) stay distinct down to `ProcedurePatch`'s `Option<Option<_>>`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use rollout_app::{CreateBureau, CreateProcedure, TransitionCommand, UpdateProcedure};
use rollout_domain::{ProcedureId, ProcedurePatch};
use uuid::Uuid;

use crate::enums::{Authority, Platform, ProcedureCategory};
use crate::errors::{ErrorCode, UserError};
use crate::ids::{NodeType, decode_global_id_as};
use crate::scalars::{Date, FiscalQuarter};

#[derive(Debug, Clone, InputObject)]
pub struct CreateBureauInput {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

impl From<CreateBureauInput> for CreateBureau {
    fn from(i: CreateBureauInput) -> Self {
        Self {
            code: i.code,
            name_ja: i.name_ja,
            name_en: i.name_en,
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateProcedureInput {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_code: String,
    pub category: ProcedureCategory,
    pub authority: Authority,
    pub annual_applications: Option<i32>,
    /// Defaults to 1.
    pub process_count: Option<i32>,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
}

impl From<CreateProcedureInput> for CreateProcedure {
    fn from(i: CreateProcedureInput) -> Self {
        Self {
            code: i.code,
            name: i.name,
            name_en: i.name_en,
            bureau_code: i.bureau_code,
            category: i.category.into(),
            authority: i.authority.into(),
            annual_applications: i.annual_applications.map(i64::from),
            process_count: i.process_count,
            platform: i.platform.map(Into::into),
            target_quarter: i.target_quarter.map(|q| q.0),
        }
    }
}

/// Absent fields are left alone; an explicit null clears an optional field (nameEn,
/// annualApplications, platform, targetQuarter, releasedOn). The state never changes here.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateProcedureInput {
    pub id: ID,
    pub expected_version: i32,
    pub name: MaybeUndefined<String>,
    pub name_en: MaybeUndefined<String>,
    pub bureau_code: MaybeUndefined<String>,
    pub category: MaybeUndefined<ProcedureCategory>,
    pub authority: MaybeUndefined<Authority>,
    pub annual_applications: MaybeUndefined<i32>,
    pub process_count: MaybeUndefined<i32>,
    pub platform: MaybeUndefined<Platform>,
    pub target_quarter: MaybeUndefined<FiscalQuarter>,
    pub released_on: MaybeUndefined<Date>,
    /// Why the target quarter changes: kept with the change in `targetHistory` (ignored when
    /// the target quarter stays the same).
    pub reason: Option<String>,
}

/// A field that may be set but not cleared: an explicit null is an error, not "leave alone",
/// so a client that sends `name: null` learns it did nothing.
pub(crate) fn settable<T, U>(
    value: MaybeUndefined<T>,
    field: &str,
    convert: impl FnOnce(T) -> U,
    errors: &mut Vec<UserError>,
) -> Option<U> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => {
            errors.push(UserError::new(
                ErrorCode::Validation,
                &[field],
                format!("{field} cannot be cleared"),
            ));
            None
        }
        MaybeUndefined::Value(v) => Some(convert(v)),
    }
}

pub(crate) fn clearable<T, U>(
    value: MaybeUndefined<T>,
    convert: impl FnOnce(T) -> U,
) -> Option<Option<U>> {
    Option::<Option<T>>::from(value).map(|v| v.map(convert))
}

/// The uuid of an input's global id of type `ty`, or a VALIDATION payload error at `field`.
pub(crate) fn input_id(id: &ID, ty: NodeType, field: &str) -> Result<Uuid, UserError> {
    decode_global_id_as(id, ty).map_err(|e| UserError::new(ErrorCode::Validation, &[field], e.0))
}

/// The procedure id of an input, or a VALIDATION payload error at `field`.
pub(crate) fn procedure_id(id: &ID, field: &str) -> Result<ProcedureId, UserError> {
    input_id(id, NodeType::Procedure, field).map(ProcedureId)
}

impl UpdateProcedureInput {
    /// The use case's arguments, or every problem with the input.
    pub(crate) fn into_command(
        self,
    ) -> Result<(ProcedureId, i32, UpdateProcedure), Vec<UserError>> {
        let mut errors = Vec::new();
        let id = procedure_id(&self.id, "id")
            .map_err(|e| errors.push(e))
            .ok();
        let patch = ProcedurePatch {
            name: settable(self.name, "name", |v| v, &mut errors),
            name_en: clearable(self.name_en, |v| v),
            bureau_id: None,
            category: settable(self.category, "category", Into::into, &mut errors),
            authority: settable(self.authority, "authority", Into::into, &mut errors),
            annual_applications: clearable(self.annual_applications, i64::from),
            process_count: settable(self.process_count, "processCount", |v| v, &mut errors),
            platform: clearable(self.platform, Into::into),
            target_quarter: clearable(self.target_quarter, |q| q.0),
            released_on: clearable(self.released_on, |d| d.0),
        };
        let bureau_code = settable(self.bureau_code, "bureauCode", |v| v, &mut errors);
        match id {
            Some(id) if errors.is_empty() => Ok((
                id,
                self.expected_version,
                UpdateProcedure {
                    patch,
                    bureau_code,
                    reason: self.reason,
                },
            )),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct TransitionProcedureInput {
    pub procedure_id: ID,
    /// The key of the target state.
    pub to: String,
    pub expected_version: i32,
    pub comment: Option<String>,
    /// Makes the request safe to retry: a retry with the same key and request returns the first
    /// result (`replayed: true`) and writes nothing.
    pub idempotency_key: Option<String>,
}

impl TransitionProcedureInput {
    pub(crate) fn into_command(self) -> Result<TransitionCommand, UserError> {
        Ok(TransitionCommand {
            procedure_id: procedure_id(&self.procedure_id, "procedureId")?,
            to: self.to,
            expected_version: self.expected_version,
            comment: self.comment,
            idempotency_key: self.idempotency_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::global_id;

    fn update(id: ID) -> UpdateProcedureInput {
        UpdateProcedureInput {
            id,
            expected_version: 3,
            name: MaybeUndefined::Undefined,
            name_en: MaybeUndefined::Null,
            bureau_code: MaybeUndefined::Undefined,
            category: MaybeUndefined::Undefined,
            authority: MaybeUndefined::Undefined,
            annual_applications: MaybeUndefined::Value(12_000),
            process_count: MaybeUndefined::Undefined,
            platform: MaybeUndefined::Undefined,
            target_quarter: MaybeUndefined::Undefined,
            released_on: MaybeUndefined::Undefined,
            reason: None,
        }
    }

    #[test]
    fn absent_null_and_value_stay_distinct() {
        let uuid = Uuid::now_v7();
        let (id, version, cmd) = update(global_id(NodeType::Procedure, uuid))
            .into_command()
            .unwrap();
        assert_eq!((id, version), (ProcedureId(uuid), 3));
        assert_eq!(cmd.patch.name, None);
        assert_eq!(cmd.patch.name_en, Some(None));
        assert_eq!(cmd.patch.annual_applications, Some(Some(12_000)));
        assert_eq!(cmd.patch.platform, None);
        assert_eq!(cmd.bureau_code, None);
    }

    #[test]
    fn bad_ids_and_uncleareable_nulls_are_all_reported() {
        let mut input = update(global_id(NodeType::Bureau, Uuid::now_v7()));
        input.name = MaybeUndefined::Null;
        let errors = input.into_command().unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.clone().unwrap()).collect();
        assert_eq!(paths, [vec!["id".to_owned()], vec!["name".to_owned()]]);
        assert!(errors.iter().all(|e| e.code == ErrorCode::Validation));
    }
}

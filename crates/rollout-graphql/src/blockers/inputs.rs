//! The inputs of the blocker mutations and their conversion into use-case commands; every
//! problem with an input (a malformed id, a field that cannot be cleared) is reported at once.

use async_graphql::{ID, InputObject, MaybeUndefined};
use rollout_app::{
    AddDependency, ChangeLawChangeStatus, ChangeMilestoneStatus, CreateLawChange, CreateMilestone,
    UpdateLawChange, UpdateMilestone,
};
use rollout_domain::blockers::BlockerRef;
use rollout_domain::{LawChangeId, MilestoneId, ProcedureId};

use crate::enums::{LawChangeStatus, LawLevel, MilestoneStatus, Platform};
use crate::errors::{ErrorCode, UserError};
use crate::ids::{NodeType, decode_global_id};
use crate::inputs::{clearable, input_id, settable};
use crate::scalars::Date;

#[derive(Debug, Clone, InputObject)]
pub struct CreateLawChangeInput {
    /// E.g. "LAW-0007": upper-case letters, digits and hyphens, a letter first.
    pub code: String,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub level: LawLevel,
    /// The ministry that owns the rule; empty for Tokyo's own rules.
    pub ministry_ja: Option<String>,
    pub ministry_en: Option<String>,
    pub law_name: Option<String>,
    pub article: Option<String>,
    /// The code of the Tokyo bureau that owns the request.
    pub owner_bureau_code: String,
    pub notes: Option<String>,
}

impl From<CreateLawChangeInput> for CreateLawChange {
    fn from(i: CreateLawChangeInput) -> Self {
        Self {
            code: i.code,
            title_ja: i.title_ja,
            title_en: i.title_en,
            level: i.level.into(),
            ministry_ja: i.ministry_ja,
            ministry_en: i.ministry_en,
            law_name: i.law_name,
            article: i.article,
            owner_bureau_code: i.owner_bureau_code,
            notes: i.notes,
        }
    }
}

/// Absent fields are left alone; an explicit null clears an optional one. The status changes
/// only through `changeLawChangeStatus`. A coordinator of the owning bureau may change `notes`
/// alone.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateLawChangeInput {
    pub id: ID,
    pub expected_version: i32,
    pub title_ja: MaybeUndefined<String>,
    pub title_en: MaybeUndefined<String>,
    pub level: MaybeUndefined<LawLevel>,
    pub ministry_ja: MaybeUndefined<String>,
    pub ministry_en: MaybeUndefined<String>,
    pub law_name: MaybeUndefined<String>,
    pub article: MaybeUndefined<String>,
    pub owner_bureau_code: MaybeUndefined<String>,
    pub notes: MaybeUndefined<String>,
}

impl UpdateLawChangeInput {
    pub(crate) fn into_command(
        self,
    ) -> Result<(LawChangeId, i32, UpdateLawChange), Vec<UserError>> {
        let mut errors = Vec::new();
        let id = input_id(&self.id, NodeType::LawChange, "id")
            .map_err(|e| errors.push(e))
            .ok();
        let update = UpdateLawChange {
            title_ja: settable(self.title_ja, "titleJa", |v| v, &mut errors),
            title_en: clearable(self.title_en, |v| v),
            level: settable(self.level, "level", Into::into, &mut errors),
            ministry_ja: clearable(self.ministry_ja, |v| v),
            ministry_en: clearable(self.ministry_en, |v| v),
            law_name: clearable(self.law_name, |v| v),
            article: clearable(self.article, |v| v),
            owner_bureau_code: settable(
                self.owner_bureau_code,
                "ownerBureauCode",
                |v| v,
                &mut errors,
            ),
            notes: clearable(self.notes, |v| v),
        };
        match (id, errors.is_empty()) {
            (Some(id), true) => Ok((LawChangeId(id), self.expected_version, update)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct ChangeLawChangeStatusInput {
    pub id: ID,
    pub expected_version: i32,
    pub status: LawChangeStatus,
    /// The date the status names: requested on (REQUESTED), the expected effective date
    /// (DATE_SHOWN), enacted on (ENACTED).
    pub on: Option<Date>,
    pub reason: Option<String>,
}

impl ChangeLawChangeStatusInput {
    pub(crate) fn into_command(
        self,
    ) -> Result<(LawChangeId, i32, ChangeLawChangeStatus), UserError> {
        let id = input_id(&self.id, NodeType::LawChange, "id")?;
        Ok((
            LawChangeId(id),
            self.expected_version,
            ChangeLawChangeStatus {
                status: self.status.into(),
                on: self.on.map(|d| d.0),
                reason: self.reason,
            },
        ))
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateMilestoneInput {
    /// 1 to 200 characters, e.g. "SaaS e-application platform goes live".
    pub name: String,
    pub platform: Option<Platform>,
    pub planned_on: Option<Date>,
    pub notes: Option<String>,
}

impl From<CreateMilestoneInput> for CreateMilestone {
    fn from(i: CreateMilestoneInput) -> Self {
        Self {
            name: i.name,
            platform: i.platform.map(Into::into),
            planned_on: i.planned_on.map(|d| d.0),
            notes: i.notes,
        }
    }
}

/// Absent fields are left alone; an explicit null clears platform, planned date or notes.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateMilestoneInput {
    pub id: ID,
    pub expected_version: i32,
    pub name: MaybeUndefined<String>,
    pub platform: MaybeUndefined<Platform>,
    pub planned_on: MaybeUndefined<Date>,
    pub notes: MaybeUndefined<String>,
}

impl UpdateMilestoneInput {
    pub(crate) fn into_command(
        self,
    ) -> Result<(MilestoneId, i32, UpdateMilestone), Vec<UserError>> {
        let mut errors = Vec::new();
        let id = input_id(&self.id, NodeType::Milestone, "id")
            .map_err(|e| errors.push(e))
            .ok();
        let update = UpdateMilestone {
            name: settable(self.name, "name", |v| v, &mut errors),
            platform: clearable(self.platform, Into::into),
            planned_on: clearable(self.planned_on, |d| d.0),
            notes: clearable(self.notes, |v| v),
        };
        match (id, errors.is_empty()) {
            (Some(id), true) => Ok((MilestoneId(id), self.expected_version, update)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct ChangeMilestoneStatusInput {
    pub id: ID,
    pub expected_version: i32,
    pub status: MilestoneStatus,
    /// The day a DONE milestone happened (today in Asia/Tokyo when absent); only with DONE.
    pub on: Option<Date>,
    pub reason: Option<String>,
}

impl ChangeMilestoneStatusInput {
    pub(crate) fn into_command(
        self,
    ) -> Result<(MilestoneId, i32, ChangeMilestoneStatus), UserError> {
        let id = input_id(&self.id, NodeType::Milestone, "id")?;
        Ok((
            MilestoneId(id),
            self.expected_version,
            ChangeMilestoneStatus {
                status: self.status.into(),
                on: self.on.map(|d| d.0),
                reason: self.reason,
            },
        ))
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct AddDependencyInput {
    /// The Procedure that waits.
    pub procedure_id: ID,
    /// What it waits on: a LawChange, Milestone or Procedure id.
    pub on: ID,
    pub reason: Option<String>,
}

/// The blocker an id names, or a VALIDATION error at `field`.
pub(crate) fn blocker_id(id: &ID, field: &str) -> Result<BlockerRef, UserError> {
    let bad = |m: String| UserError::new(ErrorCode::Validation, &[field], m);
    match decode_global_id(id).map_err(|e| bad(e.0))? {
        (NodeType::LawChange, u) => Ok(BlockerRef::LawChange(LawChangeId(u))),
        (NodeType::Milestone, u) => Ok(BlockerRef::Milestone(MilestoneId(u))),
        (NodeType::Procedure, u) => Ok(BlockerRef::Procedure(ProcedureId(u))),
        (other, _) => Err(bad(format!(
            "a {} cannot block a procedure: give a LawChange, Milestone or Procedure id",
            other.name()
        ))),
    }
}

impl AddDependencyInput {
    pub(crate) fn into_command(self) -> Result<AddDependency, Vec<UserError>> {
        let procedure = input_id(&self.procedure_id, NodeType::Procedure, "procedureId");
        let on = blocker_id(&self.on, "on");
        match (procedure, on) {
            (Ok(p), Ok(on)) => Ok(AddDependency {
                procedure_id: ProcedureId(p),
                on,
                reason: self.reason,
            }),
            (p, on) => Err(p.err().into_iter().chain(on.err()).collect()),
        }
    }
}

#[derive(Debug, Clone, InputObject)]
pub struct RemoveDependencyInput {
    pub id: ID,
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::ids::global_id;

    #[test]
    fn a_blocker_is_a_law_change_a_milestone_or_a_procedure() {
        let u = Uuid::from_u128(7);
        for (ty, expected) in [
            (NodeType::LawChange, BlockerRef::LawChange(LawChangeId(u))),
            (NodeType::Milestone, BlockerRef::Milestone(MilestoneId(u))),
            (NodeType::Procedure, BlockerRef::Procedure(ProcedureId(u))),
        ] {
            assert_eq!(blocker_id(&global_id(ty, u), "on").unwrap(), expected);
        }
        let err = blocker_id(&global_id(NodeType::Bureau, u), "on").unwrap_err();
        assert_eq!(
            (err.code, err.path),
            (ErrorCode::Validation, Some(vec!["on".to_owned()]))
        );
        assert!(blocker_id(&ID("nonsense".into()), "on").is_err());
    }

    #[test]
    fn add_dependency_reports_both_bad_ids() {
        let input = AddDependencyInput {
            procedure_id: ID("x".into()),
            on: ID("y".into()),
            reason: None,
        };
        let errors = input.into_command().unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.clone()).collect();
        assert_eq!(
            paths,
            [
                Some(vec!["procedureId".to_owned()]),
                Some(vec!["on".to_owned()])
            ]
        );
    }
}

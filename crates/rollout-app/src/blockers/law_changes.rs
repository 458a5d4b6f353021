//! Law changes: the project office records them (`create_law_change`) and corrects them
//! (`update_law_change`, `Action::ManageBlockers`); a coordinator of the owning bureau may change
//! their notes alone (`Action::FollowLawChange`). The status is not changed here but in
//! `law_change_status`. A new law change starts NOT_REQUESTED with its creation record.

use rollout_domain::authz::Action;
use rollout_domain::blockers::{
    LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, check_law_change_code,
};
use rollout_domain::text::TextKind;
use rollout_domain::{LawChangeId, LawChangeStatusChangeId};
use rollout_store::Write;
use tracing::instrument;

use super::{GraphBatch, check_version, law_change_json, non_blank};
use crate::audit::Target;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, new_uuid};

/// A law change to record.
#[derive(Debug, Clone)]
pub struct CreateLawChange {
    pub code: String,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub level: LawLevel,
    pub ministry_ja: Option<String>,
    pub ministry_en: Option<String>,
    pub law_name: Option<String>,
    pub article: Option<String>,
    pub owner_bureau_code: String,
    pub notes: Option<String>,
}

/// The fields to change; `None` leaves a field alone, `Some(None)` clears it. The status is
/// changed only by [`App::change_law_change_status`], the code never.
#[derive(Debug, Clone, Default)]
pub struct UpdateLawChange {
    pub title_ja: Option<String>,
    pub title_en: Option<Option<String>>,
    pub level: Option<LawLevel>,
    pub ministry_ja: Option<Option<String>>,
    pub ministry_en: Option<Option<String>>,
    pub law_name: Option<Option<String>>,
    pub article: Option<Option<String>>,
    pub owner_bureau_code: Option<String>,
    pub notes: Option<Option<String>>,
}

impl UpdateLawChange {
    /// Whether only the notes are given: what a coordinator of the owning bureau may change.
    fn only_notes(&self) -> bool {
        let Self {
            title_ja,
            title_en,
            level,
            ministry_ja,
            ministry_en,
            law_name,
            article,
            owner_bureau_code,
            notes: _,
        } = self;
        title_ja.is_none()
            && title_en.is_none()
            && level.is_none()
            && ministry_ja.is_none()
            && ministry_en.is_none()
            && law_name.is_none()
            && article.is_none()
            && owner_bureau_code.is_none()
    }
}

pub(super) fn not_found(id: LawChangeId) -> AppError {
    AppError::NotFound {
        entity: "law change",
        key: id.to_string(),
    }
}

/// Tokyo's own rules have no ministry; a blank title is no title.
fn check_fields(l: &LawChange) -> AppResult<()> {
    let mut errors = Vec::new();
    if l.title_ja.trim().is_empty() {
        errors.push(("titleJa", "a Japanese title needs 1 to 200 characters"));
    }
    if !l.level.is_national() && (l.ministry_ja.is_some() || l.ministry_en.is_some()) {
        let field = if l.ministry_ja.is_some() {
            "ministryJa"
        } else {
            "ministryEn"
        };
        errors.push((field, "Tokyo's own rules have no ministry: leave it empty"));
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(AppError::Validation(
        errors
            .into_iter()
            .map(|(f, m)| crate::FieldError {
                path: vec![f.to_owned()],
                message: m.to_owned(),
            })
            .collect(),
    ))
}

/// A taken code, pointing at `code`.
fn duplicate_code(code: &str) -> AppError {
    AppError::Duplicate {
        path: vec!["code".to_owned()],
        message: format!("law change {code} already exists"),
    }
}

impl App {
    #[instrument(name = "app.create_law_change", skip_all, fields(code = %input.code, actor = %actor.label))]
    pub async fn create_law_change(
        &self,
        actor: &Actor,
        input: CreateLawChange,
    ) -> AppResult<LawChange> {
        let mut input = input;
        TextChecks::default()
            .check("code", TextKind::Code, &mut input.code)
            .check("titleJa", TextKind::Name, &mut input.title_ja)
            .check_opt("titleEn", TextKind::Name, input.title_en.as_mut())
            .check_opt("ministryJa", TextKind::Name, input.ministry_ja.as_mut())
            .check_opt("ministryEn", TextKind::Name, input.ministry_en.as_mut())
            .check_opt("lawName", TextKind::Name, input.law_name.as_mut())
            .check_opt("article", TextKind::Name, input.article.as_mut())
            .check(
                "ownerBureauCode",
                TextKind::Code,
                &mut input.owner_bureau_code,
            )
            .check_opt("notes", TextKind::Comment, input.notes.as_mut())
            .finish()?;
        let id = LawChangeId(new_uuid());
        let target = Target::new("LawChange", id);
        self.require(actor, Action::ManageBlockers, "law_change.create", &target)
            .await?;
        let code =
            check_law_change_code(&input.code).map_err(|m| AppError::validation("code", m))?;
        let owner = self
            .bureau_id(&input.owner_bureau_code, "ownerBureauCode")
            .await?;
        let now = self.now();
        let law_change = LawChange {
            id,
            code,
            title_ja: input.title_ja.trim().to_owned(),
            title_en: non_blank(input.title_en),
            level: input.level,
            ministry_ja: non_blank(input.ministry_ja),
            ministry_en: non_blank(input.ministry_en),
            law_name: non_blank(input.law_name),
            article: non_blank(input.article),
            owner_bureau_id: owner,
            status: LawChangeStatus::NotRequested,
            requested_on: None,
            expected_effective_on: None,
            enacted_on: None,
            notes: non_blank(input.notes),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        check_fields(&law_change)?;
        let creation = LawChangeStatusChange {
            id: LawChangeStatusChangeId(new_uuid()),
            law_change_id: id,
            from_status: None,
            to_status: law_change.status,
            on: None,
            reason: None,
            actor: actor.label.clone(),
            actor_id: actor.user_id(),
            at: now,
        };
        let audit = self.audit_entry(
            actor,
            "law_change.create",
            &target,
            None,
            Some(law_change_json(&law_change)),
        );
        let result = self
            .commit_on_graph(|graph| {
                let (law_change, creation, audit) =
                    (law_change.clone(), creation.clone(), audit.clone());
                async move {
                    if graph
                        .law_changes
                        .values()
                        .any(|l| l.code == law_change.code)
                    {
                        return Err(duplicate_code(&law_change.code));
                    }
                    let writes = vec![
                        Write::InsertLawChange(law_change.clone()),
                        Write::LawChangeStatus(creation),
                        Write::Audit(audit),
                    ];
                    Ok(GraphBatch::advancing(writes, law_change))
                }
            })
            .await;
        match result {
            Err(AppError::Duplicate { path, .. }) if path.is_empty() => {
                Err(duplicate_code(&law_change.code))
            }
            other => other,
        }
    }

    #[instrument(name = "app.update_law_change", skip_all, fields(law_change = %id, actor = %actor.label))]
    pub async fn update_law_change(
        &self,
        actor: &Actor,
        id: LawChangeId,
        expected_version: i32,
        input: UpdateLawChange,
    ) -> AppResult<LawChange> {
        let mut input = input;
        TextChecks::default()
            .check_opt("titleJa", TextKind::Name, input.title_ja.as_mut())
            .check_opt(
                "titleEn",
                TextKind::Name,
                input.title_en.as_mut().and_then(Option::as_mut),
            )
            .check_opt(
                "ministryJa",
                TextKind::Name,
                input.ministry_ja.as_mut().and_then(Option::as_mut),
            )
            .check_opt(
                "ministryEn",
                TextKind::Name,
                input.ministry_en.as_mut().and_then(Option::as_mut),
            )
            .check_opt(
                "lawName",
                TextKind::Name,
                input.law_name.as_mut().and_then(Option::as_mut),
            )
            .check_opt(
                "article",
                TextKind::Name,
                input.article.as_mut().and_then(Option::as_mut),
            )
            .check_opt(
                "ownerBureauCode",
                TextKind::Code,
                input.owner_bureau_code.as_mut(),
            )
            .check_opt(
                "notes",
                TextKind::Comment,
                input.notes.as_mut().and_then(Option::as_mut),
            )
            .finish()?;
        let input = &input;
        self.commit_on_graph(|_graph| async move {
            let current = self
                .store()
                .law_change(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let action = if input.only_notes() {
                Action::FollowLawChange(current.owner_bureau_id)
            } else {
                Action::ManageBlockers
            };
            let target = Target::new("LawChange", id);
            self.require(actor, action, "law_change.update", &target)
                .await?;
            check_version(expected_version, current.version)?;
            let owner = match &input.owner_bureau_code {
                Some(code) => self.bureau_id(code, "ownerBureauCode").await?,
                None => current.owner_bureau_id,
            };
            let now = self.now();
            let keep = |new: &Option<Option<String>>, old: &Option<String>| {
                new.clone().map_or_else(|| old.clone(), non_blank)
            };
            let after = LawChange {
                title_ja: input
                    .title_ja
                    .as_ref()
                    .map_or_else(|| current.title_ja.clone(), |t| t.trim().to_owned()),
                title_en: keep(&input.title_en, &current.title_en),
                level: input.level.unwrap_or(current.level),
                ministry_ja: keep(&input.ministry_ja, &current.ministry_ja),
                ministry_en: keep(&input.ministry_en, &current.ministry_en),
                law_name: keep(&input.law_name, &current.law_name),
                article: keep(&input.article, &current.article),
                owner_bureau_id: owner,
                notes: keep(&input.notes, &current.notes),
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            let unchanged = LawChange {
                version: after.version,
                updated_at: now,
                ..current.clone()
            };
            if after == unchanged {
                return Err(AppError::validation(
                    "input",
                    "nothing to update: give at least one changed field",
                ));
            }
            check_fields(&after)?;
            let audit = self.audit_entry(
                actor,
                "law_change.update",
                &target,
                Some(law_change_json(&current)),
                Some(law_change_json(&after)),
            );
            let writes = vec![
                Write::UpdateLawChange {
                    law_change: after.clone(),
                    expected_version: current.version,
                },
                Write::Audit(audit),
            ];
            Ok(GraphBatch::advancing(writes, after))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use rollout_domain::BureauId;
    use uuid::Uuid;

    use super::*;

    fn law(level: LawLevel, ministry: Option<&str>, title: &str) -> LawChange {
        let now = Utc::now();
        LawChange {
            id: LawChangeId(Uuid::from_u128(1)),
            code: "LAW-0001".into(),
            title_ja: title.into(),
            title_en: None,
            level,
            ministry_ja: ministry.map(str::to_owned),
            ministry_en: None,
            law_name: None,
            article: None,
            owner_bureau_id: BureauId(Uuid::from_u128(2)),
            status: LawChangeStatus::NotRequested,
            requested_on: None,
            expected_effective_on: None,
            enacted_on: None,
            notes: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn only_a_notes_change_is_a_coordinators_to_make() {
        let notes = UpdateLawChange {
            notes: Some(Some("協議中".into())),
            ..UpdateLawChange::default()
        };
        assert!(notes.only_notes());
        assert!(UpdateLawChange::default().only_notes());
        for other in [
            UpdateLawChange {
                title_en: Some(None),
                ..notes.clone()
            },
            UpdateLawChange {
                level: Some(LawLevel::Notice),
                ..notes.clone()
            },
            UpdateLawChange {
                owner_bureau_code: Some("FUKUSHI".into()),
                ..notes.clone()
            },
        ] {
            assert!(!other.only_notes(), "{other:?}");
        }
    }

    #[test]
    fn tokyo_rules_name_no_ministry_and_every_law_change_a_title() {
        assert!(check_fields(&law(LawLevel::NationalLaw, Some("環境省"), "改正")).is_ok());
        assert!(check_fields(&law(LawLevel::TokyoRule, None, "改正")).is_ok());
        let Err(AppError::Validation(errors)) =
            check_fields(&law(LawLevel::TokyoOrdinance, Some("環境省"), " "))
        else {
            panic!("accepted");
        };
        let paths: Vec<&str> = errors.iter().map(|e| e.path[0].as_str()).collect();
        assert_eq!(paths, ["titleJa", "ministryJa"]);
    }
}

//! Law changes: the project office records them (`create_law_change`) and corrects them
//! (`update_law_change`, `Action::ManageBlockers`); the project office or a coordinator of the
//! owning bureau follows their status (`change_law_change_status`, `Action::FollowLawChange`)
//! and may change their notes. A status change is planned by the law-change workflow (its own
//! TOML, run by the same engine as procedures) and recorded in the history; when it closes the
//! law change (ENACTED, WITHDRAWN) the procedures waiting only on it move on in the same batch
//! (`unblock`). A new law change starts NOT_REQUESTED with its creation record.

use chrono::NaiveDate;
use rollout_domain::authz::Action;
use rollout_domain::blockers::{
    BlockerRef, LawChange, LawChangeStatus, LawChangeStatusChange, LawLevel, check_law_change_code,
};
use rollout_domain::text::TextKind;
use rollout_domain::workflow::TransitionRefused;
use rollout_domain::{LawChangeId, LawChangeStatusChangeId};
use rollout_store::Write;
use tracing::instrument;

use super::shim::{StatusChangeRequest, plan_status_change};
use super::unblock::Unblocked;
use super::{GraphBatch, check_version, law_change_json, non_blank};
use crate::audit::Target;
use crate::hearings::problem;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, ErrorCode, new_uuid};

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

/// A status change to make: `on` is the date the status names (requested on, the expected
/// effective date shown, enacted on).
#[derive(Debug, Clone)]
pub struct ChangeLawChangeStatus {
    pub status: LawChangeStatus,
    pub on: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// A status change made, and what it unblocked.
#[derive(Debug, Clone)]
pub struct LawChangeStatusChanged {
    pub law_change: LawChange,
    pub record: LawChangeStatusChange,
    pub unblocked: Unblocked,
}

fn not_found(id: LawChangeId) -> AppError {
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

/// A refused status change, pointing at the input's `status` (or at the failed guard).
fn refused(e: TransitionRefused) -> AppError {
    match e {
        TransitionRefused::GuardsFailed(failures) => AppError::Problems(
            failures
                .into_iter()
                .map(|f| {
                    problem(
                        ErrorCode::GuardFailed,
                        &["guards", f.guard.name()],
                        f.message,
                    )
                })
                .collect(),
        ),
        other => AppError::Problems(vec![problem(
            ErrorCode::InvalidTransition,
            &["status"],
            other.to_string(),
        )]),
    }
}

/// A taken code, pointing at `code`.
fn duplicate_code(code: &str) -> AppError {
    AppError::Duplicate {
        path: vec!["code".to_owned()],
        message: format!("law change {code} already exists"),
    }
}

impl App {
    #[instrument(skip_all, fields(code = %input.code, actor = %actor.label))]
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
                    Ok(GraphBatch::on(&graph, writes, law_change))
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

    #[instrument(skip_all, fields(law_change = %id, actor = %actor.label))]
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
        self.commit_on_graph(|graph| async move {
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
            Ok(GraphBatch::on(&graph, writes, after))
        })
        .await
    }

    /// Moves a law change to `cmd.status` as its workflow allows; closing it (ENACTED,
    /// WITHDRAWN) moves the procedures it alone held back, in the same batch.
    #[instrument(skip_all, fields(law_change = %id, to = %cmd.status.as_str(), actor = %actor.label))]
    pub async fn change_law_change_status(
        &self,
        actor: &Actor,
        id: LawChangeId,
        expected_version: i32,
        cmd: ChangeLawChangeStatus,
    ) -> AppResult<LawChangeStatusChanged> {
        let mut cmd = cmd;
        TextChecks::default()
            .check_opt("reason", TextKind::Comment, cmd.reason.as_mut())
            .finish()?;
        let reason = non_blank(cmd.reason.clone());
        let (cmd, reason) = (&cmd, &reason);
        self.commit_on_graph(|graph| async move {
            let current = self
                .store()
                .law_change(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let target = Target::new("LawChange", id);
            self.require(
                actor,
                Action::FollowLawChange(current.owner_bureau_id),
                "law_change.status",
                &target,
            )
            .await?;
            check_version(expected_version, current.version)?;
            let planned = plan_status_change(
                self.law_change_workflow(),
                &current,
                &StatusChangeRequest {
                    to: cmd.status,
                    on: cmd.on,
                    reason: reason.as_deref(),
                    actor: &actor.label,
                    actor_id: actor.user_id(),
                    now: self.now(),
                    today: self.today(),
                    record_id: LawChangeStatusChangeId(new_uuid()),
                },
            )
            .map_err(refused)?;
            let audit = self.audit_entry(
                actor,
                "law_change.status",
                &target,
                Some(law_change_json(&current)),
                Some(law_change_json(&planned.law_change)),
            );
            let mut writes = vec![
                Write::UpdateLawChange {
                    law_change: planned.law_change.clone(),
                    expected_version: planned.expected_version,
                },
                Write::LawChangeStatus(planned.record.clone()),
                Write::Audit(audit),
            ];
            let mut events = Vec::new();
            let unblocked = if current.is_open() && !planned.law_change.is_open() {
                let why = self.law_change_cleared(&planned.law_change, reason.as_deref());
                self.plan_unblock(
                    &graph,
                    BlockerRef::LawChange(id),
                    &why,
                    &mut writes,
                    &mut events,
                )
                .await?
            } else {
                Unblocked::default()
            };
            let mut batch = GraphBatch::on(
                &graph,
                writes,
                LawChangeStatusChanged {
                    law_change: planned.law_change,
                    record: planned.record,
                    unblocked,
                },
            );
            batch.events = events;
            Ok(batch)
        })
        .await
    }

    /// The comment of the automatic moves a closed law change sets off:
    /// `LAW-0007 enacted (施行済み): <reason>`.
    fn law_change_cleared(&self, l: &LawChange, reason: Option<&str>) -> String {
        let key = l.status.state_key();
        let label = self
            .law_change_workflow()
            .state(&key)
            .map(|s| format!(" ({})", s.label_ja))
            .unwrap_or_default();
        let head = format!("{} {}{label}", l.code, key.replace('_', " "));
        match reason {
            Some(r) => format!("{head}: {r}"),
            None => head,
        }
    }
}

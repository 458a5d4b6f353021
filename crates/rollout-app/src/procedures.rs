//! Creating and updating bureaus and procedures, listing and summarising them. Input arrives as
//! loosely typed values (as a client wrote them) and is validated here, every problem at once,
//! with the path of the offending field. A creation with a target quarter, and an update that
//! changes it, append a target-history entry in the same batch as the change and its audit.

use rollout_domain::analytics::revisions_between;
use rollout_domain::bounds;
use rollout_domain::procedure::validate_fields;
use rollout_domain::text::TextKind;
use rollout_domain::{
    Authority, Bureau, BureauCode, BureauId, Category, FiscalQuarter, NewBureau, Platform,
    Procedure, ProcedureCode, ProcedureId, ProcedurePatch, RolloutSummary, TransitionRecord,
    TransitionRecordId,
};
use rollout_store::{
    MAX_PAGE_SIZE, Page, PageRequest, ProcedureCursor, ProcedureFilter, ProcedureOrder, Write,
};
use tracing::instrument;

use rollout_domain::authz::Action;

use crate::audit::{Target, bureau_json, procedure_json};
use crate::text::{TextChecks, clean};
use crate::{Actor, App, AppError, AppResult, FieldError, ProcedureEvent, new_uuid};

/// Input of `create_bureau`.
#[derive(Debug, Clone)]
pub struct CreateBureau {
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
}

/// Input of `create_procedure`; enums and quarters are already parsed by the caller.
#[derive(Debug, Clone)]
pub struct CreateProcedure {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub bureau_code: String,
    pub category: Category,
    pub authority: Authority,
    pub annual_applications: Option<i64>,
    pub process_count: Option<i32>,
    pub platform: Option<Platform>,
    pub target_quarter: Option<FiscalQuarter>,
}

/// Input of `update_procedure`: the fields to change (see [`ProcedurePatch`]), with the bureau
/// given by code.
#[derive(Debug, Clone, Default)]
pub struct UpdateProcedure {
    pub patch: ProcedurePatch,
    pub bureau_code: Option<String>,
    /// Why the target quarter changes; kept in the target history with the change, ignored
    /// when the target quarter stays the same.
    pub reason: Option<String>,
}

pub(crate) fn field_errors(errors: Vec<(&'static str, String)>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|(f, message)| FieldError {
            path: vec![f.to_owned()],
            message,
        })
        .collect()
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl App {
    #[instrument(name = "app.create_bureau", skip(self, input, actor), fields(code = %input.code, actor = %actor.label))]
    pub async fn create_bureau(&self, actor: &Actor, input: CreateBureau) -> AppResult<Bureau> {
        self.require(
            actor,
            Action::ManageBureaus,
            "bureau.create",
            &Target::kind("Bureau"),
        )
        .await?;
        let mut input = input;
        TextChecks::default()
            .check("code", TextKind::Code, &mut input.code)
            .check("nameJa", TextKind::Name, &mut input.name_ja)
            .check("nameEn", TextKind::Name, &mut input.name_en)
            .finish()?;
        let mut errors = Vec::new();
        let code = BureauCode::parse(&input.code)
            .map_err(|e| {
                errors.push(FieldError {
                    path: vec!["code".into()],
                    message: e.0,
                })
            })
            .ok();
        for (field, value) in [("nameJa", &input.name_ja), ("nameEn", &input.name_en)] {
            if value.trim().is_empty() {
                errors.push(FieldError {
                    path: vec![field.into()],
                    message: format!("{field} must not be empty"),
                });
            }
        }
        let (Some(code), true) = (code, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let new = NewBureau {
            code,
            name_ja: input.name_ja.trim().to_owned(),
            name_en: input.name_en.trim().to_owned(),
        };
        let id = BureauId(new_uuid());
        let after = bureau_json(&Bureau {
            id,
            code: new.code.clone(),
            name_ja: new.name_ja.clone(),
            name_en: new.name_en.clone(),
        });
        let audit = self.audit_entry(
            actor,
            "bureau.create",
            &Target::new("Bureau", id),
            None,
            Some(after),
        );
        let created = self
            .store()
            .create_bureau(id, new, &audit)
            .await
            .map_err(|e| with_path(e.into(), "code"))?;
        self.changed(crate::CacheChange::Bureaus).await;
        Ok(created)
    }

    pub(crate) async fn bureau_id(&self, raw: &str, field: &str) -> AppResult<BureauId> {
        let code = BureauCode::parse(raw).map_err(|e| AppError::validation(field, e.0))?;
        match self.bureau_by_code(&code).await? {
            Some(b) => Ok(b.id),
            None => Err(AppError::validation(
                field,
                format!("no bureau with code {code}"),
            )),
        }
    }

    #[instrument(name = "app.create_procedure", skip(self, input, actor), fields(procedure_id = tracing::field::Empty, code = %input.code, actor = %actor.label))]
    pub async fn create_procedure(
        &self,
        actor: &Actor,
        input: CreateProcedure,
    ) -> AppResult<Procedure> {
        let mut input = input;
        TextChecks::default()
            .check("code", TextKind::Code, &mut input.code)
            .check("name", TextKind::Name, &mut input.name)
            .check_opt("nameEn", TextKind::Name, input.name_en.as_mut())
            .check("bureauCode", TextKind::Code, &mut input.bureau_code)
            .finish()?;
        let process_count = input.process_count.unwrap_or(1);
        let mut errors = field_errors(validate_fields(
            &input.name,
            input.annual_applications,
            process_count,
        ));
        let code = ProcedureCode::parse(&input.code)
            .map_err(|e| {
                errors.push(FieldError {
                    path: vec!["code".into()],
                    message: e.0,
                })
            })
            .ok();
        let bureau = match self.bureau_id(&input.bureau_code, "bureauCode").await {
            Ok(id) => Some(id),
            Err(AppError::Validation(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(other) => return Err(other),
        };
        if let Some(bureau_id) = bureau {
            self.require(
                actor,
                Action::WorkOnProcedure(bureau_id),
                "procedure.create",
                &Target::kind("Procedure"),
            )
            .await?;
        }
        let (Some(code), Some(bureau_id), true) = (code, bureau, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let now = self.now();
        let initial = self.workflow().initial().key.clone();
        let procedure = Procedure {
            id: ProcedureId(new_uuid()),
            code,
            name: input.name.trim().to_owned(),
            name_en: non_blank(input.name_en),
            bureau_id,
            category: input.category,
            authority: input.authority,
            annual_applications: input.annual_applications,
            process_count,
            platform: input.platform,
            target_quarter: input.target_quarter,
            released_on: None,
            state: initial.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tracing::Span::current().record("procedure_id", tracing::field::display(procedure.id));
        let creation = creation_record(self, &procedure, &actor.label);
        let record_id = creation.id;
        let audit = self.audit_entry(
            actor,
            "procedure.create",
            &Target::new("Procedure", procedure.id),
            None,
            Some(procedure_json(&procedure)),
        );
        // A first target is the start of the procedure's target history.
        let first_target = self.target_change(
            procedure.id,
            None,
            procedure.target_quarter,
            &actor.label,
            None,
        );
        let writes: Vec<Write> = [Write::CreateProcedure {
            procedure: procedure.clone(),
            creation,
        }]
        .into_iter()
        .chain(first_target.map(Write::TargetChange))
        .chain([Write::Audit(audit)])
        .collect();
        self.store()
            .commit(&writes)
            .await
            .map_err(|e| with_path(e.error.into(), "code"))?;
        self.publish(ProcedureEvent::created(&procedure, record_id, actor));
        Ok(procedure)
    }

    #[instrument(name = "app.update_procedure", skip(self, input, actor), fields(procedure_id = %id, actor = %actor.label))]
    pub async fn update_procedure(
        &self,
        actor: &Actor,
        id: ProcedureId,
        expected_version: i32,
        input: UpdateProcedure,
    ) -> AppResult<Procedure> {
        let mut input = input;
        let mut patch = input.patch;
        TextChecks::default()
            .check_opt("name", TextKind::Name, patch.name.as_mut())
            .check_opt(
                "nameEn",
                TextKind::Name,
                patch.name_en.as_mut().and_then(Option::as_mut),
            )
            .check_opt("bureauCode", TextKind::Code, input.bureau_code.as_mut())
            .check_opt("reason", TextKind::Comment, input.reason.as_mut())
            .finish()?;
        input.reason = non_blank(input.reason);
        let current = self
            .store()
            .procedure(id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                entity: "procedure",
                key: id.to_string(),
            })?;
        let target = Target::new("Procedure", id);
        self.require(
            actor,
            Action::WorkOnProcedure(current.bureau_id),
            "procedure.update",
            &target,
        )
        .await?;
        if let Some(raw) = &input.bureau_code {
            let moved_to = self.bureau_id(raw, "bureauCode").await?;
            self.require(
                actor,
                Action::WorkOnProcedure(moved_to),
                "procedure.update",
                &target,
            )
            .await?;
            patch.bureau_id = Some(moved_to);
        }
        patch.name = patch.name.map(|n| n.trim().to_owned());
        patch.name_en = patch.name_en.map(non_blank);
        if current.version != expected_version {
            return Err(AppError::VersionConflict {
                expected: expected_version,
                actual: current.version,
            });
        }
        if patch.is_empty() {
            return Err(AppError::validation(
                "input",
                "nothing to update: give at least one field",
            ));
        }
        let after = patch.apply_to(&current);
        let mut errors =
            validate_fields(&after.name, after.annual_applications, after.process_count);
        if let Some(Err(e)) = after.released_on.map(bounds::check_date) {
            errors.push(("releasedOn", e.to_string()));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(field_errors(errors)));
        }
        let now = self.now();
        let after = Procedure {
            version: current.version + 1,
            updated_at: now,
            ..after
        };
        let audit = self.audit_entry(
            actor,
            "procedure.update",
            &target,
            Some(procedure_json(&current)),
            Some(procedure_json(&after)),
        );
        let moved = self.target_change(
            id,
            current.target_quarter,
            after.target_quarter,
            &actor.label,
            input.reason.as_deref(),
        );
        let writes: Vec<Write> = [Write::UpdateProcedure {
            id,
            expected_version,
            patch,
            now,
        }]
        .into_iter()
        .chain(moved.map(Write::TargetChange))
        .chain(
            revisions_between(&current, &after, now, &actor.label, input.reason.as_deref())
                .into_iter()
                .map(Write::FieldRevision),
        )
        .chain([Write::Audit(audit)])
        .collect();
        self.store()
            .commit(&writes)
            .await
            .map_err(|e| AppError::from(e.error))?;
        self.publish(ProcedureEvent::updated(&after, actor));
        Ok(after)
    }

    /// One page of procedures, counted only when `page.with_total`; `page.first` must be
    /// between 0 and [`MAX_PAGE_SIZE`].
    #[instrument(name = "app.list_procedures", skip(self, filter, page), fields(first = page.first, with_total = page.with_total))]
    pub async fn list_procedures(
        &self,
        filter: &ProcedureFilter,
        order: ProcedureOrder,
        page: PageRequest<ProcedureCursor>,
    ) -> AppResult<Page<Procedure>> {
        check_page_size(page.first)?;
        let filter = check_filter(filter)?;
        Ok(self.store().list_procedures(&filter, order, &page).await?)
    }

    #[instrument(name = "app.summary", skip(self, filter))]
    pub async fn summary(&self, filter: &ProcedureFilter) -> AppResult<RolloutSummary> {
        let filter = check_filter(filter)?;
        let counts = self.store().count_by_state(&filter).await?;
        Ok(RolloutSummary::from_counts(self.workflow(), &counts))
    }
}

/// The filter with its free text through the rule: the search term is length-limited here, before
/// any store sees it (stores fold it with `fold_for_search` and compare it with their folded
/// column).
fn check_filter(filter: &ProcedureFilter) -> AppResult<ProcedureFilter> {
    let mut filter = filter.clone();
    if let Some(term) = &filter.search {
        filter.search = Some(clean("search", TextKind::Search, term)?);
    }
    for state in &mut filter.states {
        *state = clean("states", TextKind::Identifier, state)?;
    }
    Ok(filter)
}

/// Refuses page sizes above [`MAX_PAGE_SIZE`] with a message that says the limit.
pub fn check_page_size(first: usize) -> AppResult<()> {
    if first > MAX_PAGE_SIZE {
        return Err(AppError::validation(
            "first",
            format!("first must be at most {MAX_PAGE_SIZE} (got {first}); page with `after`"),
        ));
    }
    Ok(())
}

/// The history record of a procedure's creation in the workflow's initial state.
pub(crate) fn creation_record(app: &App, p: &Procedure, actor: &str) -> TransitionRecord {
    TransitionRecord {
        id: TransitionRecordId(new_uuid()),
        procedure_id: p.id,
        from_state: None,
        to_state: p.state.clone(),
        transition: "create".to_owned(),
        actor: actor.to_owned(),
        comment: None,
        at: p.created_at,
        workflow_version: app.workflow().version_tag(),
        procedure_version: p.version,
        approval_request_id: None,
    }
}

/// Points a `Duplicate` from the store at the input field that carries the unique key.
fn with_path(e: AppError, field: &str) -> AppError {
    match e {
        AppError::Duplicate { path, message } if path.is_empty() => AppError::Duplicate {
            path: vec![field.to_owned()],
            message,
        },
        other => other,
    }
}

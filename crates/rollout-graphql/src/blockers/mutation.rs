//! The blocker mutations: `createLawChange`, `updateLawChange`, `changeLawChangeStatus`,
//! `createMilestone`, `updateMilestone`, `changeMilestoneStatus`, `addDependency`,
//! `removeDependency`. Each calls one `App` use case; expected failures (CYCLE with the cycle
//! spelled out, VERSION_CONFLICT, INVALID_TRANSITION, FORBIDDEN, …) come back as payload errors
//! (see [`crate::errors`]). A status change that closes a blocker reports the procedures it
//! moved (`unblocked`) and those still waiting, with what holds them (`stillBlocked`).

use async_graphql::{Context, Object, SimpleObject};
use rollout_app::{App, Unblocked};
use rollout_domain::DependencyId;
use rollout_domain::blockers::BlockerRef;
use tracing::instrument;

use super::inputs::{
    AddDependencyInput, ChangeLawChangeStatusInput, ChangeMilestoneStatusInput,
    CreateLawChangeInput, CreateMilestoneInput, RemoveDependencyInput, UpdateLawChangeInput,
    UpdateMilestoneInput,
};
use super::{BlockedProcedure, Dependency, LawChange, Milestone, resolve_blockers};
use crate::errors::{UserError, payload_errors};
use crate::ids::NodeType;
use crate::inputs::input_id;
use crate::procedure::Procedure;
use crate::{actor, app};

/// The law change after the mutation, and what a status change that closed it unblocked.
#[derive(Debug, Clone, SimpleObject)]
pub struct LawChangePayload {
    pub law_change: Option<LawChange>,
    /// The procedures moved on by this change (as system transitions).
    pub unblocked: Vec<Procedure>,
    /// Procedures waiting on it that still wait, with what still blocks them.
    pub still_blocked: Vec<BlockedProcedure>,
    pub errors: Vec<UserError>,
}

/// The milestone after the mutation, and what a status change that closed it unblocked.
#[derive(Debug, Clone, SimpleObject)]
pub struct MilestonePayload {
    pub milestone: Option<Milestone>,
    pub unblocked: Vec<Procedure>,
    pub still_blocked: Vec<BlockedProcedure>,
    pub errors: Vec<UserError>,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct DependencyPayload {
    pub dependency: Option<Dependency>,
    pub errors: Vec<UserError>,
}

/// The API form of an unblocking: the procedures as one page, their blockers in one read.
async fn unblocked_parts(
    app: &App,
    u: Unblocked,
) -> async_graphql::Result<(Vec<Procedure>, Vec<BlockedProcedure>)> {
    let refs: Vec<BlockerRef> = u
        .still_blocked
        .iter()
        .flat_map(|s| s.blockers.iter().copied())
        .collect();
    let mut blockers = resolve_blockers(app, &refs).await?.into_iter();
    let counts: Vec<usize> = u.still_blocked.iter().map(|s| s.blockers.len()).collect();
    let n_moved = u.moved.len();
    let mut all = Procedure::page(
        u.moved
            .into_iter()
            .chain(u.still_blocked.into_iter().map(|s| s.procedure))
            .collect(),
    );
    let waiting = all.split_off(n_moved);
    let still = waiting
        .into_iter()
        .zip(counts)
        .map(|(procedure, n)| BlockedProcedure {
            procedure,
            blockers: blockers.by_ref().take(n).collect(),
        })
        .collect();
    Ok((all, still))
}

fn law_change_failed(errors: Vec<UserError>) -> LawChangePayload {
    LawChangePayload {
        law_change: None,
        unblocked: Vec::new(),
        still_blocked: Vec::new(),
        errors,
    }
}

fn law_change_done(l: rollout_domain::blockers::LawChange) -> LawChangePayload {
    LawChangePayload {
        law_change: Some(LawChange::single(l)),
        ..law_change_failed(Vec::new())
    }
}

fn milestone_failed(errors: Vec<UserError>) -> MilestonePayload {
    MilestonePayload {
        milestone: None,
        unblocked: Vec::new(),
        still_blocked: Vec::new(),
        errors,
    }
}

fn milestone_done(m: rollout_domain::blockers::Milestone) -> MilestonePayload {
    MilestonePayload {
        milestone: Some(Milestone::single(m)),
        ..milestone_failed(Vec::new())
    }
}

fn dependency_payload(
    result: Result<rollout_domain::blockers::Dependency, Vec<UserError>>,
) -> DependencyPayload {
    match result {
        Ok(d) => DependencyPayload {
            dependency: Some(Dependency::single(d)),
            errors: Vec::new(),
        },
        Err(errors) => DependencyPayload {
            dependency: None,
            errors,
        },
    }
}

#[derive(Debug, Default)]
pub(crate) struct BlockerMutation;

#[Object]
impl BlockerMutation {
    /// Records a law change (NOT_REQUESTED). Project office.
    #[instrument(skip_all, fields(code = %input.code))]
    async fn create_law_change(
        &self,
        ctx: &Context<'_>,
        input: CreateLawChangeInput,
    ) -> async_graphql::Result<LawChangePayload> {
        let actor = actor(ctx)?;
        Ok(
            match app(ctx)?.create_law_change(&actor, input.into()).await {
                Ok(l) => law_change_done(l),
                Err(e) => law_change_failed(payload_errors(&e, "code")?),
            },
        )
    }

    /// Changes a law change's fields (not its status). Project office; a coordinator of the
    /// owning bureau may change `notes` alone.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_law_change(
        &self,
        ctx: &Context<'_>,
        input: UpdateLawChangeInput,
    ) -> async_graphql::Result<LawChangePayload> {
        let actor = actor(ctx)?;
        let (id, expected, update) = match input.into_command() {
            Ok(c) => c,
            Err(errors) => return Ok(law_change_failed(errors)),
        };
        let result = app(ctx)?
            .update_law_change(&actor, id, expected, update)
            .await;
        Ok(match result {
            Ok(l) => law_change_done(l),
            Err(e) => law_change_failed(payload_errors(&e, "id")?),
        })
    }

    /// Moves a law change along its life cycle. ENACTED or WITHDRAWN moves on, in the same
    /// transaction, every procedure waiting on it alone. Project office, or a coordinator of
    /// the owning bureau.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn change_law_change_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeLawChangeStatusInput,
    ) -> async_graphql::Result<LawChangePayload> {
        let actor = actor(ctx)?;
        let (id, expected, cmd) = match input.into_command() {
            Ok(c) => c,
            Err(e) => return Ok(law_change_failed(vec![e])),
        };
        let app = app(ctx)?;
        Ok(
            match app
                .change_law_change_status(&actor, id, expected, cmd)
                .await
            {
                Ok(changed) => {
                    let (unblocked, still_blocked) =
                        unblocked_parts(app, changed.unblocked).await?;
                    LawChangePayload {
                        law_change: Some(LawChange::single(changed.law_change)),
                        unblocked,
                        still_blocked,
                        errors: Vec::new(),
                    }
                }
                Err(e) => law_change_failed(payload_errors(&e, "id")?),
            },
        )
    }

    /// Records a milestone (PLANNED). Project office.
    #[instrument(skip_all)]
    async fn create_milestone(
        &self,
        ctx: &Context<'_>,
        input: CreateMilestoneInput,
    ) -> async_graphql::Result<MilestonePayload> {
        let actor = actor(ctx)?;
        Ok(
            match app(ctx)?.create_milestone(&actor, input.into()).await {
                Ok(m) => milestone_done(m),
                Err(e) => milestone_failed(payload_errors(&e, "name")?),
            },
        )
    }

    /// Changes a milestone's name, platform, planned date or notes. Project office.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn update_milestone(
        &self,
        ctx: &Context<'_>,
        input: UpdateMilestoneInput,
    ) -> async_graphql::Result<MilestonePayload> {
        let actor = actor(ctx)?;
        let (id, expected, update) = match input.into_command() {
            Ok(c) => c,
            Err(errors) => return Ok(milestone_failed(errors)),
        };
        let result = app(ctx)?
            .update_milestone(&actor, id, expected, update)
            .await;
        Ok(match result {
            Ok(m) => milestone_done(m),
            Err(e) => milestone_failed(payload_errors(&e, "id")?),
        })
    }

    /// Sets a milestone's status. DONE or CANCELLED moves on, in the same transaction, every
    /// procedure waiting on it alone. Project office.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn change_milestone_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeMilestoneStatusInput,
    ) -> async_graphql::Result<MilestonePayload> {
        let actor = actor(ctx)?;
        let (id, expected, cmd) = match input.into_command() {
            Ok(c) => c,
            Err(e) => return Ok(milestone_failed(vec![e])),
        };
        let app = app(ctx)?;
        Ok(
            match app.change_milestone_status(&actor, id, expected, cmd).await {
                Ok(changed) => {
                    let (unblocked, still_blocked) =
                        unblocked_parts(app, changed.unblocked).await?;
                    MilestonePayload {
                        milestone: Some(Milestone::single(changed.milestone)),
                        unblocked,
                        still_blocked,
                        errors: Vec::new(),
                    }
                }
                Err(e) => milestone_failed(payload_errors(&e, "id")?),
            },
        )
    }

    /// Records that a procedure needs a law change, a milestone or another procedure. Refused
    /// with CYCLE (the cycle spelled out) when it would close one. The procedure's bureau's
    /// coordinators and the project office.
    #[instrument(skip_all, fields(procedure = %input.procedure_id.as_str()))]
    async fn add_dependency(
        &self,
        ctx: &Context<'_>,
        input: AddDependencyInput,
    ) -> async_graphql::Result<DependencyPayload> {
        let actor = actor(ctx)?;
        let cmd = match input.into_command() {
            Ok(c) => c,
            Err(errors) => return Ok(dependency_payload(Err(errors))),
        };
        let result = app(ctx)?.add_dependency(&actor, cmd).await;
        Ok(dependency_payload(match result {
            Ok(d) => Ok(d),
            Err(e) => Err(payload_errors(&e, "procedureId")?),
        }))
    }

    /// Removes a dependency, recording who, when and why; it stays readable.
    #[instrument(skip_all, fields(id = %input.id.as_str()))]
    async fn remove_dependency(
        &self,
        ctx: &Context<'_>,
        input: RemoveDependencyInput,
    ) -> async_graphql::Result<DependencyPayload> {
        let actor = actor(ctx)?;
        let id = match input_id(&input.id, NodeType::Dependency, "id") {
            Ok(id) => DependencyId(id),
            Err(e) => return Ok(dependency_payload(Err(vec![e]))),
        };
        let result = app(ctx)?.remove_dependency(&actor, id, input.reason).await;
        Ok(dependency_payload(match result {
            Ok(d) => Ok(d),
            Err(e) => Err(payload_errors(&e, "id")?),
        }))
    }
}

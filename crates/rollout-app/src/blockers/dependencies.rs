//! Dependencies: a coordinator links their bureau's procedure to what it needs (a law change, a
//! milestone or any bureau's procedure) and removes the link again (`Action::WorkOnProcedure`
//! of the dependent's bureau). An edge that would close a cycle is refused with CYCLE and the
//! cycle spelled out in procedure codes; an unknown blocker is NOT_FOUND, the same active edge
//! twice DUPLICATE. Removal is recorded (who, when, why), never a delete.
//!
//! Concurrency: the cycle check runs on the graph of one version and the batch bumps exactly
//! that version, so of two insertions that would close a cycle together only the first to
//! commit stands; the other plans again on the new graph and is refused (`commit_on_graph`).

use rollout_domain::authz::Action;
use rollout_domain::blockers::{BlockerRef, Dependency};
use rollout_domain::text::TextKind;
use rollout_domain::{DependencyId, Procedure, ProcedureId};
use rollout_store::Write;
use tracing::instrument;

use super::{GraphBatch, blocker_label, dependency_json, non_blank};
use crate::audit::Target;
use crate::deps::LoadedGraph;
use crate::hearings::problem;
use crate::text::TextChecks;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// "Procedure `procedure_id` needs `on`".
#[derive(Debug, Clone)]
pub struct AddDependency {
    pub procedure_id: ProcedureId,
    pub on: BlockerRef,
    pub reason: Option<String>,
}

fn procedure_not_found(id: ProcedureId) -> AppError {
    AppError::NotFound {
        entity: "procedure",
        key: id.to_string(),
    }
}

fn on_error(code: ErrorCode, message: String) -> AppError {
    AppError::Problems(vec![problem(code, &["on"], message)])
}

impl App {
    async fn procedure_or_not_found(&self, id: ProcedureId) -> AppResult<Procedure> {
        self.store()
            .procedure(id)
            .await?
            .ok_or_else(|| procedure_not_found(id))
    }

    /// NOT_FOUND (at `on`) unless the blocker exists.
    async fn check_blocker_exists(&self, graph: &LoadedGraph, on: BlockerRef) -> AppResult<()> {
        let exists = match on {
            BlockerRef::LawChange(id) => graph.law_changes.contains_key(&id),
            BlockerRef::Milestone(id) => graph.milestones.contains_key(&id),
            BlockerRef::Procedure(id) => self.store().procedure(id).await?.is_some(),
        };
        if exists {
            Ok(())
        } else {
            let kind = on.kind().to_lowercase().replace('_', " ");
            Err(on_error(
                ErrorCode::NotFound,
                format!("{kind} {} not found", on.uuid()),
            ))
        }
    }

    /// The cycle as procedure codes: `KANKYO-0012 → TOSHI-0003 → KANKYO-0012`.
    async fn spell_cycle(&self, graph: &LoadedGraph, cycle: &[BlockerRef]) -> AppResult<String> {
        let ids: Vec<ProcedureId> = cycle
            .iter()
            .filter_map(|b| match b {
                BlockerRef::Procedure(p) => Some(*p),
                _ => None,
            })
            .collect();
        let procs = self.procs(Some(&ids)).await?;
        Ok(cycle
            .iter()
            .map(|b| blocker_label(graph, &procs, *b))
            .collect::<Vec<_>>()
            .join(" → "))
    }

    #[instrument(name = "app.add_dependency", skip_all, fields(procedure_id = %cmd.procedure_id, actor = %actor.label))]
    pub async fn add_dependency(&self, actor: &Actor, cmd: AddDependency) -> AppResult<Dependency> {
        let mut cmd = cmd;
        TextChecks::default()
            .check_opt("reason", TextKind::Comment, cmd.reason.as_mut())
            .finish()?;
        let cmd = &cmd;
        let id = DependencyId(crate::new_uuid());
        if !matches!(cmd.on, BlockerRef::Procedure(_)) {
            return self.add_edge_to_blocker(actor, cmd, id).await;
        }
        let result = self
            .commit_on_graph(|graph| async move {
                let p = self.procedure_or_not_found(cmd.procedure_id).await?;
                let target = Target::new("Dependency", id);
                self.require(
                    actor,
                    Action::WorkOnProcedure(p.bureau_id),
                    "dependency.add",
                    &target,
                )
                .await?;
                if cmd.on == BlockerRef::Procedure(p.id) {
                    return Err(on_error(
                        ErrorCode::Cycle,
                        format!(
                            "a procedure cannot depend on itself: {0} → {0}",
                            p.code.as_str()
                        ),
                    ));
                }
                self.check_blocker_exists(&graph, cmd.on).await?;
                if graph
                    .dependencies
                    .values()
                    .any(|d| d.procedure_id == p.id && d.on == cmd.on)
                {
                    return Err(on_error(
                        ErrorCode::Duplicate,
                        format!("{} already depends on it", p.code.as_str()),
                    ));
                }
                if let Some(cycle) = graph.graph.cycle_if_added(p.id, cmd.on) {
                    let spelled = self.spell_cycle(&graph, &cycle).await?;
                    return Err(on_error(
                        ErrorCode::Cycle,
                        format!("this dependency would close a cycle: {spelled}"),
                    ));
                }
                let (dependency, writes) = self.edge_writes(actor, id, &p, cmd, &target);
                // Only an edge to a procedure can close a cycle: only its plan depends on the graph.
                Ok(match cmd.on {
                    BlockerRef::Procedure(_) => GraphBatch::on(&graph, writes, dependency),
                    _ => GraphBatch::advancing(writes, dependency),
                })
            })
            .await;
        // The same edge committed concurrently by a batch that did not plan on the graph.
        match result {
            Err(AppError::Duplicate { path, message }) if path.is_empty() => {
                Err(on_error(ErrorCode::Duplicate, message))
            }
            other => other,
        }
    }

    /// The new edge and its writes (the insert and its audit entry).
    fn edge_writes(
        &self,
        actor: &Actor,
        id: DependencyId,
        p: &Procedure,
        cmd: &AddDependency,
        target: &Target,
    ) -> (Dependency, Vec<Write>) {
        let dependency = Dependency {
            id,
            procedure_id: p.id,
            on: cmd.on,
            reason: non_blank(cmd.reason.clone()),
            created_by: actor.user_id(),
            created_at: self.now(),
            removed_at: None,
            removed_by: None,
            removed_reason: None,
        };
        let audit = self.audit_entry(
            actor,
            "dependency.add",
            target,
            None,
            Some(dependency_json(&dependency)),
        );
        let writes = vec![
            Write::InsertDependency(dependency.clone()),
            Write::Audit(audit),
        ];
        (dependency, writes)
    }

    /// An edge to a law change or milestone: it closes no cycle, so its plan reads no graph
    /// (a reload after every change would cost a whole graph read per call); the store refuses
    /// an unknown blocker (NOT_FOUND) and the same active edge (DUPLICATE) in the insert.
    async fn add_edge_to_blocker(
        &self,
        actor: &Actor,
        cmd: &AddDependency,
        id: DependencyId,
    ) -> AppResult<Dependency> {
        let p = self.procedure_or_not_found(cmd.procedure_id).await?;
        let target = Target::new("Dependency", id);
        self.require(
            actor,
            Action::WorkOnProcedure(p.bureau_id),
            "dependency.add",
            &target,
        )
        .await?;
        let (dependency, writes) = self.edge_writes(actor, id, &p, cmd, &target);
        let batch = GraphBatch::advancing(writes, dependency);
        match self.store().commit(&batch.writes).await {
            Ok(()) => Ok(batch.value),
            Err(e) => Err(match e.error {
                rollout_store::StoreError::Duplicate { .. } => on_error(
                    ErrorCode::Duplicate,
                    format!("{} already depends on it", p.code.as_str()),
                ),
                rollout_store::StoreError::NotFound { entity, key } if entity != "procedure" => {
                    on_error(ErrorCode::NotFound, format!("{entity} {key} not found"))
                }
                other => other.into(),
            }),
        }
    }

    /// Marks a dependency removed, recording who, when and why.
    #[instrument(name = "app.remove_dependency", skip_all, fields(dependency = %id, actor = %actor.label))]
    pub async fn remove_dependency(
        &self,
        actor: &Actor,
        id: DependencyId,
        reason: Option<String>,
    ) -> AppResult<Dependency> {
        let mut reason = reason;
        TextChecks::default()
            .check_opt("reason", TextKind::Comment, reason.as_mut())
            .finish()?;
        let reason = &non_blank(reason);
        self.commit_on_graph(|_graph| async move {
            let current = self
                .store()
                .dependency(id)
                .await?
                .ok_or_else(|| AppError::NotFound {
                    entity: "dependency",
                    key: id.to_string(),
                })?;
            let p = self.procedure_or_not_found(current.procedure_id).await?;
            let target = Target::new("Dependency", id);
            self.require(
                actor,
                Action::WorkOnProcedure(p.bureau_id),
                "dependency.remove",
                &target,
            )
            .await?;
            if let Some(at) = current.removed_at {
                return Err(AppError::validation(
                    "id",
                    format!("the dependency was already removed at {at}"),
                ));
            }
            let removed = Dependency {
                removed_at: Some(self.now()),
                removed_by: actor.user_id(),
                removed_reason: reason.clone(),
                ..current.clone()
            };
            let audit = self.audit_entry(
                actor,
                "dependency.remove",
                &target,
                Some(dependency_json(&current)),
                Some(dependency_json(&removed)),
            );
            let writes = vec![
                Write::RemoveDependency {
                    id,
                    removed_by: removed.removed_by,
                    removed_at: removed.removed_at.unwrap_or_else(|| self.now()),
                    reason: removed.removed_reason.clone(),
                },
                Write::Audit(audit),
            ];
            Ok(GraphBatch::advancing(writes, removed))
        })
        .await
    }
}

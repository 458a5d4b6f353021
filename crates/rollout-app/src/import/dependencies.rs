//! Importing dependencies (`procedure_code,on_kind,on_code,reason`): "this procedure needs that
//! law change, milestone or procedure". Beyond each row's own fields, the names must resolve
//! (procedure codes, law change codes, milestone names), an edge may appear once in the file and
//! must not already be active, and the file's edges, taken in file order on top of the stored
//! graph, must not close a cycle: each edge that would is reported with the cycle spelled out
//! in codes (`KANKYO-0012 → TOSHI-0003 → KANKYO-0012`).
//!
//! The cycle check asks the domain's [`DepGraph::cycle_if_added`]. Rebuilding the graph after
//! every accepted edge would cost a full build per row, so the file's edges are first checked
//! together: an edge that closes no cycle in the graph with *all* of them closes none in any
//! part of it, and when no edge does, the whole file is acyclic. Only the edges flagged there
//! are checked again, each on the stored graph plus the edges accepted before it.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use rollout_domain::authz::Action;
use rollout_domain::blockers::{BlockerRef, Dependency};
use rollout_domain::deps::{DepGraph, Edge};
use rollout_domain::text::TextKind;
use rollout_domain::{BureauId, DependencyId, ProcedureCode, ProcedureId};
use rollout_store::BlockerSeed;
use tracing::instrument;

use super::fields::required;
use super::{
    CsvRow, DEPENDENCY_COLUMNS, ImportError, ImportProgress, ImportReport, RowError, push_problems,
    read_rows, report_checking, rows_error,
};
use crate::audit::Target;
use crate::deps::LoadedGraph;
use crate::{Actor, App, AppError, new_uuid};

/// What a dependency row's `on_kind` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnKind {
    LawChange,
    Milestone,
    Procedure,
}

const ON_KINDS: &[&str] = &["LAW_CHANGE", "MILESTONE", "PROCEDURE"];

impl OnKind {
    fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_uppercase().as_str() {
            "LAW_CHANGE" => Some(Self::LawChange),
            "MILESTONE" => Some(Self::Milestone),
            "PROCEDURE" => Some(Self::Procedure),
            _ => None,
        }
    }
}

/// A row whose every field is valid on its own.
#[derive(Debug)]
struct Row {
    line: u64,
    procedure: ProcedureCode,
    kind: OnKind,
    on: String,
    reason: Option<String>,
}

fn parse_row(row: &CsvRow, errors: &mut Vec<RowError>) -> Option<Row> {
    let mut problems = Vec::new();
    let procedure = ProcedureCode::parse(row.get(0))
        .map_err(|e| problems.push(format!("procedure_code: {e}")))
        .ok();
    let kind = required(
        row.get(1),
        "on_kind",
        OnKind::parse,
        ON_KINDS,
        &mut problems,
    );
    let on = row.text(2, "on_code", TextKind::Name, &mut problems);
    if on.as_deref() == Some("") {
        problems.push("on_code is required".to_owned());
    }
    let reason = row
        .text(3, "reason", TextKind::Comment, &mut problems)
        .filter(|s| !s.is_empty());
    let parsed = match (procedure, kind, on) {
        (Some(procedure), Some(kind), Some(on)) if problems.is_empty() => Some(Row {
            line: row.line,
            procedure,
            kind,
            on,
            reason,
        }),
        _ => None,
    };
    push_problems(errors, row.line, problems);
    parsed
}

/// Codes and names of everything an edge may name, both ways.
struct Names<'a> {
    procedures: HashMap<String, (ProcedureId, BureauId)>,
    codes: HashMap<ProcedureId, String>,
    law_changes: HashMap<&'a str, BlockerRef>,
    milestones: HashMap<&'a str, BlockerRef>,
    graph: &'a LoadedGraph,
}

impl Names<'_> {
    fn resolve(&self, kind: OnKind, on: &str) -> Result<BlockerRef, String> {
        let found = match kind {
            OnKind::LawChange => self.law_changes.get(on).copied(),
            OnKind::Milestone => self.milestones.get(on).copied(),
            OnKind::Procedure => self
                .procedures
                .get(on)
                .map(|(id, _)| BlockerRef::Procedure(*id)),
        };
        found.ok_or_else(|| {
            let what = match kind {
                OnKind::LawChange => "law change",
                OnKind::Milestone => "milestone",
                OnKind::Procedure => "procedure",
            };
            format!("on_code: unknown {what} {on:?}")
        })
    }

    fn label(&self, node: BlockerRef) -> String {
        match node {
            BlockerRef::Procedure(id) => self.codes.get(&id).cloned(),
            BlockerRef::LawChange(id) => self.graph.law_changes.get(&id).map(|l| l.code.clone()),
            BlockerRef::Milestone(id) => self.graph.milestones.get(&id).map(|m| m.name.clone()),
        }
        .unwrap_or_else(|| format!("{}:{}", node.kind(), node.uuid()))
    }
}

/// The stored graph with `extra` edges on top.
fn graph_with(loaded: &LoadedGraph, extra: &[Edge]) -> DepGraph {
    let nodes = loaded
        .law_changes
        .keys()
        .map(|id| BlockerRef::LawChange(*id))
        .chain(
            loaded
                .milestones
                .keys()
                .map(|id| BlockerRef::Milestone(*id)),
        )
        .filter_map(|b| loaded.graph.blocker(b).map(|n| (b, n.clone())))
        .collect();
    let mut edges: Vec<Edge> = loaded
        .dependencies
        .values()
        .map(|d| Edge {
            id: d.id,
            from: d.procedure_id,
            on: d.on,
        })
        .collect();
    edges.extend_from_slice(extra);
    DepGraph::new(nodes, &edges)
}

/// For each candidate (in file order) that would close a cycle on top of the stored graph and
/// the candidates accepted before it: its index and the cycle.
fn cycles(loaded: &LoadedGraph, candidates: &[Edge]) -> Vec<(usize, Vec<BlockerRef>)> {
    let all = graph_with(loaded, candidates);
    let flagged: HashSet<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, e)| all.cycle_if_added(e.from, e.on).is_some())
        .map(|(i, _)| i)
        .collect();
    let mut rejected = Vec::new();
    let mut refused: HashSet<usize> = HashSet::new();
    for i in (0..candidates.len()).filter(|i| flagged.contains(i)) {
        let before: Vec<Edge> = (0..i)
            .filter(|j| !refused.contains(j))
            .map(|j| candidates[j])
            .collect();
        let e = candidates[i];
        if let Some(cycle) = graph_with(loaded, &before).cycle_if_added(e.from, e.on) {
            refused.insert(i);
            rejected.push((i, cycle));
        }
    }
    rejected
}

impl App {
    /// Imports a dependencies CSV file, all rows or none (see the module comment).
    #[instrument(name = "app.import_dependencies", skip(self, actor, input, progress), fields(actor = %actor.label))]
    pub async fn import_dependencies(
        &self,
        actor: &Actor,
        input: impl Read,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport, ImportError> {
        let (rows, mut errors) = read_rows(input, DEPENDENCY_COLUMNS)?;
        let graph = self.graph().await?;
        let facts = self
            .store()
            .procedure_facts(None)
            .await
            .map_err(AppError::from)?;
        let names = Names {
            codes: facts.iter().map(|f| (f.id, f.code.clone())).collect(),
            procedures: facts
                .into_iter()
                .map(|f| (f.code, (f.id, f.bureau_id)))
                .collect(),
            law_changes: graph
                .law_changes
                .values()
                .map(|l| (l.code.as_str(), BlockerRef::LawChange(l.id)))
                .collect(),
            milestones: graph
                .milestones
                .values()
                .map(|m| (m.name.as_str(), BlockerRef::Milestone(m.id)))
                .collect(),
            graph: &graph,
        };
        let active: HashSet<(ProcedureId, BlockerRef)> = graph
            .dependencies
            .values()
            .map(|d| (d.procedure_id, d.on))
            .collect();
        let mut first_line: HashMap<(ProcedureId, BlockerRef), u64> = HashMap::new();
        let mut lines = Vec::new();
        let mut candidates = Vec::new();
        let mut reasons = Vec::new();
        let mut bureaus: Vec<BureauId> = Vec::new();
        for (i, raw) in rows.iter().enumerate() {
            report_checking(progress, i, rows.len());
            let Some(row) = parse_row(raw, &mut errors) else {
                continue;
            };
            let mut problems = Vec::new();
            let from = names.procedures.get(row.procedure.as_str()).copied();
            if from.is_none() {
                problems.push(format!(
                    "procedure_code: unknown procedure {}",
                    row.procedure
                ));
            }
            let on = names
                .resolve(row.kind, &row.on)
                .map_err(|e| problems.push(e))
                .ok();
            if let (Some((from, bureau)), Some(on)) = (from, on) {
                let key = (from, on);
                if on == BlockerRef::Procedure(from) {
                    problems.push(format!("{} cannot depend on itself", row.procedure));
                } else if let Some(first) = first_line.get(&key) {
                    problems.push(format!(
                        "duplicate dependency {} on {} (first on line {first})",
                        row.procedure, row.on
                    ));
                } else if active.contains(&key) {
                    problems.push(format!(
                        "{} already depends on {} in the database",
                        row.procedure, row.on
                    ));
                } else {
                    first_line.insert(key, row.line);
                    lines.push(row.line);
                    candidates.push(Edge {
                        id: DependencyId(new_uuid()),
                        from,
                        on,
                    });
                    reasons.push(row.reason);
                    bureaus.push(bureau);
                }
            }
            push_problems(&mut errors, row.line, problems);
        }
        report_checking(progress, rows.len(), rows.len());
        for (i, cycle) in cycles(&graph, &candidates) {
            let spelled: Vec<String> = cycle.into_iter().map(|n| names.label(n)).collect();
            errors.push(RowError {
                line: lines[i],
                message: format!(
                    "this dependency would close a cycle: {}",
                    spelled.join(" → ")
                ),
            });
        }
        if !errors.is_empty() {
            return Err(rows_error(errors));
        }
        let now = self.now();
        let seed = BlockerSeed {
            dependencies: candidates
                .iter()
                .zip(reasons)
                .map(|(e, reason)| Dependency {
                    id: e.id,
                    procedure_id: e.from,
                    on: e.on,
                    reason,
                    created_by: actor.user_id(),
                    created_at: now,
                    removed_at: None,
                    removed_by: None,
                    removed_reason: None,
                })
                .collect(),
            // Checked for cycles and duplicates on this graph: a change made meanwhile
            // refuses the load rather than let it close a cycle.
            planned_on_graph: Some(graph.version),
            ..BlockerSeed::default()
        };
        let keys: Vec<String> = candidates
            .iter()
            .map(|e| {
                format!(
                    "{} → {}",
                    names.label(BlockerRef::Procedure(e.from)),
                    names.label(e.on)
                )
            })
            .collect();
        bureaus.sort();
        bureaus.dedup();
        let actions: Vec<Action> = bureaus.into_iter().map(Action::WorkOnProcedure).collect();
        let target = Target::kind("Dependency");
        self.write_blockers(
            actor,
            ("dependency.import", &target),
            &actions,
            &seed,
            keys,
            progress,
        )
        .await?;
        Ok(ImportReport {
            imported: seed.dependencies.len() as u64,
        })
    }
}

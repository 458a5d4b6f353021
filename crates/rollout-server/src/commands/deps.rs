//! `rollout deps dot [--root CODE] [--depth N]`: the dependency graph as Graphviz DOT, whole or
//! the neighbourhood of one node (both directions). Nodes are labelled with procedure codes, law
//! change codes and milestone names; whether each is still open comes from the graph (law
//! changes, milestones) and from the procedures' current states. The drawing itself is the
//! domain's [`deps::dot::to_dot`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rollout_app::{App, SystemClock};
use rollout_domain::ProcedureId;
use rollout_domain::blockers::BlockerRef;
use rollout_domain::deps::{self, Direction};

use clap::{Args, Subcommand};

use super::workflow::load_procedure_workflow;
use crate::backend::Database;
use crate::cli::{DatabaseArgs, WorkflowArgs};
use crate::config::Config;
use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum DepsCommand {
    /// Print the dependency graph as Graphviz DOT (closed blockers greyed).
    Dot(DepsDotArgs),
}

#[derive(Debug, Args)]
pub struct DepsDotArgs {
    /// Only the neighbourhood of this node: a procedure code, law change code or milestone name.
    #[arg(long, value_name = "CODE")]
    pub root: Option<String>,
    /// How many steps from the root, both ways (with --root).
    #[arg(long, value_name = "N", default_value_t = 3, requires = "root")]
    pub depth: usize,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub workflow: WorkflowArgs,
}

/// The DOT text `rollout deps dot` prints.
pub async fn dot(config: &Config, args: &DepsDotArgs) -> Result<String, CliError> {
    let workflow = load_procedure_workflow(config.workflow.as_deref())?;
    let db = Database::open(&config.database_url, config.migrate).await?;
    let app = App::new(db.store.clone(), workflow, Arc::new(SystemClock));
    let result = render(&app, args).await;
    db.close().await;
    result
}

async fn render(app: &App, args: &DepsDotArgs) -> Result<String, CliError> {
    let loaded = app
        .graph()
        .await
        .map_err(|e| CliError::app("cannot load the dependency graph", e))?;
    let nodes: Vec<BlockerRef> = match &args.root {
        Some(root) => {
            let root = resolve(app, &loaded, root).await?;
            loaded
                .graph
                .neighbourhood(root, args.depth, Direction::Both)
                .0
        }
        None => {
            let mut all: BTreeSet<BlockerRef> = loaded
                .law_changes
                .keys()
                .map(|id| BlockerRef::LawChange(*id))
                .chain(
                    loaded
                        .milestones
                        .keys()
                        .map(|id| BlockerRef::Milestone(*id)),
                )
                .collect();
            for d in loaded.dependencies.values() {
                all.insert(BlockerRef::Procedure(d.procedure_id));
                all.insert(d.on);
            }
            all.into_iter().collect()
        }
    };
    let ids: Vec<ProcedureId> = nodes
        .iter()
        .filter_map(|n| match n {
            BlockerRef::Procedure(id) => Some(*id),
            _ => None,
        })
        .collect();
    let procs = app
        .procs(Some(&ids))
        .await
        .map_err(|e| CliError::app("cannot read the procedures", e))?;
    let labels: HashMap<BlockerRef, String> = nodes
        .iter()
        .map(|n| {
            let label = match n {
                BlockerRef::Procedure(id) => procs.get(id).map(|p| p.code.clone()),
                BlockerRef::LawChange(id) => loaded.law_changes.get(id).map(|l| l.code.clone()),
                BlockerRef::Milestone(id) => loaded.milestones.get(id).map(|m| m.name.clone()),
            };
            (*n, label.unwrap_or_else(|| n.uuid().to_string()))
        })
        .collect();
    let label = |n: BlockerRef| labels.get(&n).cloned().unwrap_or_default();
    let open = |n: BlockerRef| match n {
        BlockerRef::Procedure(id) => procs.get(&id).is_some_and(|p| p.open),
        other => loaded.graph.blocker(other).is_some_and(|b| b.open),
    };
    Ok(deps::dot::to_dot(&loaded.graph, &nodes, &label, &open))
}

/// The node a `--root` names: a law change code, a milestone name or a procedure code (tried in
/// that order; law change codes and procedure codes have different shapes).
async fn resolve(
    app: &App,
    loaded: &rollout_app::deps::LoadedGraph,
    root: &str,
) -> Result<BlockerRef, CliError> {
    if let Some(l) = loaded.law_changes.values().find(|l| l.code == root) {
        return Ok(BlockerRef::LawChange(l.id));
    }
    if let Some(m) = loaded.milestones.values().find(|m| m.name == root) {
        return Ok(BlockerRef::Milestone(m.id));
    }
    if let Ok(code) = rollout_domain::ProcedureCode::parse(root)
        && let Some(p) = app
            .store()
            .procedure_by_code(&code)
            .await
            .map_err(|e| CliError::app("cannot read the procedure", e.into()))?
    {
        return Ok(BlockerRef::Procedure(p.id));
    }
    Err(CliError::user(format!(
        "--root {root:?} is not a procedure code, law change code or milestone name in this \
         database"
    )))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::DatabaseUrl;
    use crate::cli::{Cli, Command};

    #[test]
    fn blocker_imports_and_deps_dot_parse() {
        let cli = Cli::try_parse_from([
            "rollout",
            "deps",
            "dot",
            "--root",
            "LAW-0001",
            "--depth",
            "2",
            "--database-url",
            "sqlite:x.db",
        ])
        .unwrap();
        let Command::Deps(DepsCommand::Dot(args)) = &cli.command else {
            panic!("{cli:?}");
        };
        assert_eq!((args.root.as_deref(), args.depth), (Some("LAW-0001"), 2));
        assert_eq!(
            cli.command.flags().database_url,
            Some(DatabaseUrl::new("sqlite:x.db"))
        );
        assert!(Cli::try_parse_from(["rollout", "deps", "dot", "--depth", "2"]).is_err());
        for kind in ["law-changes", "milestones", "dependencies"] {
            let cli = Cli::try_parse_from(["rollout", "import", kind, "f.csv"]).unwrap();
            assert!(matches!(cli.command, Command::Import(_)), "{kind}");
        }
    }
}

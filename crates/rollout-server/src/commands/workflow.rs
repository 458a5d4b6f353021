//! `rollout workflow check FILE` and `rollout workflow dot [FILE]`, and the loading of workflow
//! files that `serve`, `import` and `demo` share.

use std::path::Path;

use rollout_domain::workflow::{
    StateKind, SubjectKind, WorkflowDefinition, default_workflow, dot::to_dot,
};

use crate::error::CliError;

/// The workflow in `path`, or the embedded default. A file that does not validate is refused
/// with every error listed, one per line.
pub fn load_workflow(path: Option<&Path>) -> Result<WorkflowDefinition, CliError> {
    let Some(path) = path else {
        return Ok(default_workflow());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::user(format!("cannot read workflow file {}: {e}", path.display()))
    })?;
    WorkflowDefinition::from_toml(&text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("  - {e}")).collect();
        CliError::user(format!(
            "workflow file {} is invalid ({} error(s)):\n{}",
            path.display(),
            errors.len(),
            lines.join("\n")
        ))
    })
}

/// The procedures' workflow: [`load_workflow`], refusing a file written for another subject
/// (a law-change life cycle cannot run procedures).
pub fn load_procedure_workflow(path: Option<&Path>) -> Result<WorkflowDefinition, CliError> {
    let def = load_workflow(path)?;
    if def.subject() != SubjectKind::Procedure {
        return Err(CliError::user(format!(
            "workflow file {} describes {} (subject = {:?}), not procedures",
            path.map_or_else(|| "(default)".to_owned(), |p| p.display().to_string()),
            def.subject().plural(),
            def.subject().as_str()
        )));
    }
    Ok(def)
}

/// One line describing a valid workflow: its tag, its states by kind and its transitions.
pub fn summary(def: &WorkflowDefinition) -> String {
    let kinds: Vec<String> = StateKind::ALL
        .iter()
        .filter_map(|&kind| {
            let n = def.states_of_kind(kind).count();
            (n > 0).then(|| format!("{n} {}", kind.as_str().to_ascii_lowercase()))
        })
        .collect();
    format!(
        "{}: {} states ({}), {} transitions, initial state {:?}",
        def.version_tag(),
        def.states().len(),
        kinds.join(", "),
        def.transitions().len(),
        def.initial().key
    )
}

pub fn check(path: &Path) -> Result<(), CliError> {
    let def = load_workflow(Some(path))?;
    println!("OK {}: {}", path.display(), summary(&def));
    Ok(())
}

pub fn dot(path: Option<&Path>) -> Result<(), CliError> {
    let def = load_workflow(path)?;
    print!("{}", to_dot(&def));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_states_by_kind_and_transitions() {
        let def = WorkflowDefinition::from_toml(
            r#"
            [workflow]
            name = "tiny"
            version = 2
            [[states]]
            key = "draft"
            label_ja = "下書き"
            label_en = "Draft"
            kind = "INITIAL"
            [[states]]
            key = "live"
            label_ja = "公開"
            label_en = "Live"
            kind = "DONE"
            [[transitions]]
            key = "publish"
            from = "draft"
            to = "live"
            "#,
        )
        .expect("valid workflow");
        assert_eq!(
            summary(&def),
            "tiny@2: 2 states (1 initial, 1 done), 1 transitions, initial state \"draft\""
        );
    }
}

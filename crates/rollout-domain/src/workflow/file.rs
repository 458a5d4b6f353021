//! The workflow file format (TOML), see `default.toml` for a complete example. This is the one
//! place in the domain crate that uses serde: a file format, not a wire type. Unknown keys are
//! refused so that a typo (`comment_requried`) cannot silently weaken a workflow.

use serde::Deserialize;

use super::definition::{StateDef, StateKind, TransitionDef, WorkflowDefinition};
use super::guards::Guard;
use super::subject::SubjectKind;
use super::validate::WorkflowError;
use crate::approval::ApprovalPolicy;
use crate::identity::Role;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    workflow: FileHeader,
    #[serde(default)]
    states: Vec<FileState>,
    #[serde(default)]
    transitions: Vec<FileTransition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHeader {
    name: String,
    version: u32,
    /// `procedure` (the default) or `law_change`.
    subject: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileState {
    key: String,
    label_ja: String,
    label_en: String,
    kind: String,
    sla_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTransition {
    key: String,
    from: String,
    to: String,
    #[serde(default)]
    guards: Vec<String>,
    #[serde(default)]
    comment_required: bool,
    approval: Option<FileApproval>,
    #[serde(default)]
    on_unblock: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApproval {
    role: String,
    count: u32,
}

/// Parses and validates a workflow file; all problems are reported together. Only a syntax error
/// stops early: an unknown guard, kind, role or subject is reported with every rule violation of the rest
/// of the file. A state of unknown kind takes part as ACTIVE, and the rules that depend on kinds
/// (an initial and a done state, reachability) are then left out, since they would only repeat
/// the unknown kind as a guess; likewise an unknown subject is taken as `procedure` without
/// reporting guards and approvals that would not suit it.
pub fn parse(text: &str) -> Result<WorkflowDefinition, Vec<WorkflowError>> {
    let file: FileDef =
        toml::from_str(text).map_err(|e| vec![WorkflowError::Syntax(e.to_string())])?;
    let mut errors = Vec::new();
    let mut unknown_kind = false;
    let mut unknown_subject = false;
    let subject = match file.workflow.subject.as_deref() {
        None => SubjectKind::Procedure,
        Some(raw) => SubjectKind::parse(raw).unwrap_or_else(|| {
            unknown_subject = true;
            errors.push(WorkflowError::UnknownSubject {
                subject: raw.to_owned(),
            });
            SubjectKind::Procedure
        }),
    };
    let states = file
        .states
        .into_iter()
        .map(|s| {
            let kind = StateKind::parse(&s.kind).unwrap_or_else(|| {
                unknown_kind = true;
                errors.push(WorkflowError::UnknownKind {
                    state: s.key.clone(),
                    kind: s.kind.clone(),
                });
                StateKind::Active
            });
            StateDef {
                key: s.key,
                label_ja: s.label_ja,
                label_en: s.label_en,
                kind,
                sla_days: s.sla_days,
            }
        })
        .collect();
    let transitions = file
        .transitions
        .into_iter()
        .map(|t| {
            let mut guards: Vec<Guard> = Vec::new();
            for name in &t.guards {
                match Guard::parse(name) {
                    Some(g) if !guards.contains(&g) => guards.push(g),
                    Some(_) => {}
                    None => errors.push(WorkflowError::UnknownGuard {
                        transition: t.key.clone(),
                        guard: name.clone(),
                    }),
                }
            }
            if t.comment_required && !guards.contains(&Guard::Comment) {
                guards.push(Guard::Comment);
            }
            let approval = t.approval.and_then(|a| match Role::parse(&a.role) {
                Some(role) => Some(ApprovalPolicy {
                    role,
                    required: a.count,
                }),
                None => {
                    errors.push(WorkflowError::UnknownRole {
                        transition: t.key.clone(),
                        role: a.role,
                    });
                    None
                }
            });
            TransitionDef {
                key: t.key,
                from: t.from,
                to: t.to,
                guards,
                approval,
                on_unblock: t.on_unblock,
            }
        })
        .collect();
    let rules = WorkflowDefinition::new(
        file.workflow.name,
        file.workflow.version,
        subject,
        states,
        transitions,
    );
    match rules {
        Ok(def) if errors.is_empty() => Ok(def),
        Ok(_) => Err(errors),
        Err(violations) => {
            errors.extend(
                violations
                    .into_iter()
                    .filter(|e| !(unknown_kind && e.depends_on_kinds()))
                    .filter(|e| !(unknown_subject && e.depends_on_subject())),
            );
            Err(errors)
        }
    }
}

//! Unit tests of the workflow module as a whole: the default workflow, every validation rule,
//! the engine, paths, DOT output, and the summary that counts states by kind. Split by feature;
//! this file holds the builders they share.

mod blockers;
mod default_workflow;
mod dot;
mod engine;
mod law_change;
mod messages;
mod path;
mod subject;
mod summary;
mod unknown_names;
mod validation;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{WorkflowDefinition, WorkflowError};
use crate::{Authority, BureauId, Category, Procedure, ProcedureCode, ProcedureId};

/// A workflow file with the given `(key, kind)` states (labels derived from the key) and
/// `(key, from, to)` transitions, without guards.
fn toml(states: &[(&str, &str)], transitions: &[(&str, &str, &str)]) -> String {
    let mut out = String::from("[workflow]\nname = \"test\"\nversion = 1\n");
    for (key, kind) in states {
        out.push_str(&format!(
            "\n[[states]]\nkey = {key:?}\nlabel_ja = \"{key}（日本語）\"\nlabel_en = \"{key} (English)\"\nkind = {kind:?}\n"
        ));
    }
    for (key, from, to) in transitions {
        out.push_str(&format!(
            "\n[[transitions]]\nkey = {key:?}\nfrom = {from:?}\nto = {to:?}\n"
        ));
    }
    out
}

fn parse(text: &str) -> WorkflowDefinition {
    WorkflowDefinition::from_toml(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
}

/// The errors a workflow file is refused with; fails the test if it is accepted.
fn refused(text: &str) -> Vec<WorkflowError> {
    match WorkflowDefinition::from_toml(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(errors) => errors,
    }
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// A procedure in `state`, version 3, with no platform, target quarter or release date.
fn procedure(state: &str) -> Procedure {
    Procedure {
        id: ProcedureId::from_uuid(Uuid::from_u128(0x11)),
        code: ProcedureCode::parse("KANKYO-0012").unwrap(),
        name: "産業廃棄物処理業許可申請".to_owned(),
        name_en: None,
        bureau_id: BureauId::from_uuid(Uuid::from_u128(0x22)),
        category: Category::Major,
        authority: Authority::Tokyo,
        annual_applications: Some(12_000),
        process_count: 1,
        platform: None,
        target_quarter: None,
        released_on: None,
        state: state.to_owned(),
        version: 3,
        created_at: at("2025-04-01T00:00:00Z"),
        updated_at: at("2025-05-01T00:00:00Z"),
    }
}

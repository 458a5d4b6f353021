//! Graphviz DOT output of a workflow's state graph, for the command line and the documentation.
//!
//! The text is deterministic (file order for nodes and edges, no hash-map iteration) so that a
//! rendered diagram can be committed and diffed. Rendering to SVG/PNG is left to Graphviz itself:
//! this module only writes text.

use super::definition::{StateDef, StateKind, TransitionDef, WorkflowDefinition};

/// Escapes `raw` for use inside a DOT string. Backslashes are doubled because Graphviz reads
/// `\n`, `\l` and friends inside labels; real line breaks become `\n` so a label never splits
/// the statement.
fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// `raw` as a quoted DOT string (also used by [`crate::deps::dot`]).
pub(crate) fn quote(raw: &str) -> String {
    format!("\"{}\"", escape(raw))
}

/// Node attributes per kind: the start stands out, finished states are filled, blocked ones warn.
fn node_style(kind: StateKind) -> &'static str {
    match kind {
        StateKind::Initial => r#"style="rounded,bold", peripheries=2"#,
        StateKind::Active => r#"style="rounded""#,
        StateKind::Blocked => r##"style="rounded,filled", fillcolor="#ffe0b2", color="#e65100""##,
        StateKind::Done => r##"style="rounded,filled", fillcolor="#c8e6c9", color="#2e7d32""##,
        StateKind::Closed => {
            r##"style="rounded,filled", fillcolor="#e0e0e0", color="#757575", fontcolor="#424242""##
        }
    }
}

fn node_line(s: &StateDef) -> String {
    // The `\n` between key and label is Graphviz's line break, so it goes in after escaping.
    format!(
        "  {} [label=\"{}\\n{}\", {}];\n",
        quote(&s.key),
        escape(&s.key),
        escape(&s.label_ja),
        node_style(s.kind)
    )
}

fn edge_line(t: &TransitionDef) -> String {
    let mut label = t.key.clone();
    if !t.guards.is_empty() {
        let names: Vec<&str> = t.guards.iter().map(|g| g.name()).collect();
        label.push_str(&format!(" [{}]", names.join(", ")));
    }
    // A step the system takes when the last blocker is cleared is drawn dashed.
    let unblock = if t.on_unblock {
        label.push_str("\non unblock");
        ", style=dashed"
    } else {
        ""
    };
    // A gated step is drawn bold and says whose approvals it waits for, and how many.
    let gate = match t.approval {
        Some(policy) => {
            label.push_str(&format!(
                "\napproval: {} × {}",
                policy.required,
                policy.role.as_str()
            ));
            r##", style=bold, color="#1565c0", fontcolor="#1565c0""##
        }
        None => "",
    };
    format!(
        "  {} -> {} [label={}{unblock}{gate}];\n",
        quote(&t.from),
        quote(&t.to),
        quote(&label)
    )
}

/// The state graph as a DOT `digraph`: one node per state labelled `key` and `label_ja` on two
/// lines, one edge per transition labelled with its key and, in brackets, its guards; an edge
/// gated on approval is bold, with a second line naming the role and the number of approvals;
/// an `on_unblock` edge is dashed, with a line `on unblock`.
pub fn to_dot(def: &WorkflowDefinition) -> String {
    let mut out = format!("digraph {} {{\n", quote(&def.version_tag()));
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, fontname=\"sans-serif\"];\n");
    out.push_str("  edge [fontname=\"sans-serif\", fontsize=10];\n");
    for s in def.states() {
        out.push_str(&node_line(s));
    }
    for t in def.transitions() {
        out.push_str(&edge_line(t));
    }
    out.push_str("}\n");
    out
}

//! DOT output: every state and transition appears, styles follow kinds, strings are escaped and
//! the text does not change between runs.

use super::parse;
use crate::workflow::{default_workflow, dot::to_dot};

#[test]
fn default_workflow_has_every_node_and_edge() {
    let def = default_workflow();
    let dot = to_dot(&def);
    assert!(
        dot.starts_with("digraph \"tokyo-digitisation@1\" {\n"),
        "{dot}"
    );
    assert!(dot.ends_with("}\n"));
    for s in def.states() {
        let node = format!("  \"{}\" [label=\"{}\\n{}\", ", s.key, s.key, s.label_ja);
        assert!(dot.contains(&node), "missing node {node}");
    }
    for t in def.transitions() {
        let edge = format!("  \"{}\" -> \"{}\" [label=\"{}", t.from, t.to, t.key);
        assert!(dot.contains(&edge), "missing edge {edge}");
    }
    assert_eq!(dot.matches(" -> ").count(), def.transitions().len());
    let expected_lines = [
        r#"  "hearing" [label="hearing\nヒアリング", style="rounded,bold", peripheries=2];"#,
        r##"  "released" [label="released\nオンライン化済み", style="rounded,filled", fillcolor="#c8e6c9", color="#2e7d32"];"##,
        r##"  "awaiting_law_change" [label="awaiting_law_change\n法改正待ち", style="rounded,filled", fillcolor="#ffe0b2", color="#e65100"];"##,
        r##"  "abolished" [label="abolished\n廃止", style="rounded,filled", fillcolor="#e0e0e0", color="#757575", fontcolor="#424242"];"##,
        r#"  "built" [label="built\n構築済み", style="rounded"];"#,
        r#"  "hearing" -> "scheduled" [label="schedule [target_quarter_set]"];"#,
        r#"  "scheduled" -> "built" [label="build [platform_set]"];"#,
        r#"  "built" -> "user_tested" [label="user_test [user_test_passed]"];"#,
        r#"  "hearing" -> "awaiting_law_change" [label="await_law_change [comment]"];"#,
        r#"  "awaiting_law_change" -> "hearing" [label="law_changed\non unblock", style=dashed];"#,
        r##"  "user_tested" -> "released" [label="release [no_open_blockers]\napproval: 1 × PROJECT_OFFICE", style=bold, color="#1565c0", fontcolor="#1565c0"];"##,
    ];
    for line in expected_lines {
        assert!(dot.lines().any(|l| l == line), "missing line {line}\n{dot}");
    }
}

#[test]
fn output_is_stable() {
    let first = to_dot(&default_workflow());
    let second = to_dot(&default_workflow());
    assert_eq!(first, second);
}

#[test]
fn small_workflow_renders_exactly_and_escapes_strings() {
    let def = parse(
        r#"
[workflow]
name = "say \"hi\""
version = 3

[[states]]
key = "start"
label_ja = "開始 \"引用\" C:\\temp"
label_en = "Start"
kind = "INITIAL"

[[states]]
key = "done"
label_ja = "完了"
label_en = "Done"
kind = "DONE"

[[transitions]]
key = "finish"
from = "start"
to = "done"
guards = ["platform_set", "target_quarter_set"]
comment_required = true
"#,
    );
    let expected = concat!(
        "digraph \"say \\\"hi\\\"@3\" {\n",
        "  rankdir=LR;\n",
        "  node [shape=box, fontname=\"sans-serif\"];\n",
        "  edge [fontname=\"sans-serif\", fontsize=10];\n",
        "  \"start\" [label=\"start\\n開始 \\\"引用\\\" C:\\\\temp\", style=\"rounded,bold\", peripheries=2];\n",
        "  \"done\" [label=\"done\\n完了\", style=\"rounded,filled\", fillcolor=\"#c8e6c9\", color=\"#2e7d32\"];\n",
        "  \"start\" -> \"done\" [label=\"finish [platform_set, target_quarter_set, comment]\"];\n",
        "}\n",
    );
    assert_eq!(to_dot(&def), expected);
}

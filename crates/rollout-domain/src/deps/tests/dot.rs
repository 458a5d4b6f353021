//! DOT output.

use super::{bp, graph, law, mile};
use crate::blockers::BlockerRef;
use crate::deps::dot::to_dot;

#[test]
fn dot_shapes_greying_escaping_and_only_the_given_nodes() {
    let g = graph(
        &[(law(10), true, None), (mile(20), false, None)],
        &[(1, law(10)), (1, mile(20)), (2, bp(1)), (3, bp(2))],
    );
    let label = |b: BlockerRef| match b {
        BlockerRef::LawChange(_) => "LAW-0010 \"改正\"\nline two \\ end".to_owned(),
        BlockerRef::Milestone(_) => "SaaS platform".to_owned(),
        BlockerRef::Procedure(id) => format!("P-{}", id.0.as_u128()),
    };
    let open = |b: BlockerRef| b != mile(20) && b != bp(2);
    let nodes = [bp(2), bp(1), law(10), mile(20), bp(1)];
    let text = to_dot(&g, &nodes, &label, &open);
    let expected = "digraph dependencies {\n  rankdir=LR;\n\
        \x20 n0 [label=\"P-2\", shape=ellipse, style=dashed, color=grey, fontcolor=grey];\n\
        \x20 n1 [label=\"P-1\", shape=ellipse];\n\
        \x20 n2 [label=\"LAW-0010 \\\"改正\\\"\\nline two \\\\ end\", shape=box];\n\
        \x20 n3 [label=\"SaaS platform\", shape=hexagon, style=dashed, color=grey, fontcolor=grey];\n\
        \x20 n0 -> n1;\n\
        \x20 n1 -> n2;\n\
        \x20 n1 -> n3;\n\
        }\n";
    assert_eq!(
        text, expected,
        "procedure 3 and its edge are not among the nodes"
    );
    assert_eq!(to_dot(&g, &nodes, &label, &open), text, "stable");
    assert_eq!(
        to_dot(&g, &[], &label, &open),
        "digraph dependencies {\n  rankdir=LR;\n}\n"
    );
}

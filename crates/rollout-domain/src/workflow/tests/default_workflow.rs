//! The embedded default workflow is valid and is the graph the product specification describes.

use crate::workflow::{DEFAULT_WORKFLOW_TOML, Guard, StateKind, default_workflow, validate};

#[test]
fn default_workflow_is_valid() {
    let def = default_workflow();
    assert_eq!(validate::validate(&def), []);
    assert_eq!(def.version_tag(), "tokyo-digitisation@1");
    assert_eq!(def.initial().key, "hearing");
    assert_eq!(def, super::parse(DEFAULT_WORKFLOW_TOML));
}

#[test]
fn default_states_match_the_spec() {
    let def = default_workflow();
    let states: Vec<(&str, &str, StateKind, Option<u32>)> = def
        .states()
        .iter()
        .map(|s| (s.key.as_str(), s.label_ja.as_str(), s.kind, s.sla_days))
        .collect();
    assert_eq!(
        states,
        [
            ("hearing", "ヒアリング", StateKind::Initial, Some(60)),
            ("scheduled", "実施時期決定", StateKind::Active, Some(180)),
            ("built", "構築済み", StateKind::Active, Some(60)),
            (
                "user_tested",
                "利用者テスト済み",
                StateKind::Active,
                Some(30)
            ),
            ("released", "オンライン化済み", StateKind::Done, None),
            (
                "awaiting_law_change",
                "法改正待ち",
                StateKind::Blocked,
                None
            ),
            ("abolished", "廃止", StateKind::Closed, None),
        ]
    );
}

#[test]
fn default_transitions_match_the_spec() {
    use Guard::{Comment, NoOpenBlockers, PlatformSet, TargetQuarterSet, UserTestPassed};
    let def = default_workflow();
    let transitions: Vec<(&str, &str, &str, &[Guard])> = def
        .transitions()
        .iter()
        .map(|t| {
            (
                t.key.as_str(),
                t.from.as_str(),
                t.to.as_str(),
                t.guards.as_slice(),
            )
        })
        .collect();
    let expected: [(&str, &str, &str, &[Guard]); 16] = [
        ("schedule", "hearing", "scheduled", &[TargetQuarterSet]),
        ("build", "scheduled", "built", &[PlatformSet]),
        ("user_test", "built", "user_tested", &[UserTestPassed]),
        ("release", "user_tested", "released", &[NoOpenBlockers]),
        ("reopen_hearing", "scheduled", "hearing", &[]),
        ("reschedule", "built", "scheduled", &[]),
        ("rebuild", "user_tested", "built", &[]),
        (
            "await_law_change",
            "hearing",
            "awaiting_law_change",
            &[Comment],
        ),
        (
            "await_law_change_scheduled",
            "scheduled",
            "awaiting_law_change",
            &[Comment],
        ),
        (
            "await_law_change_built",
            "built",
            "awaiting_law_change",
            &[Comment],
        ),
        (
            "await_law_change_tested",
            "user_tested",
            "awaiting_law_change",
            &[Comment],
        ),
        (
            "law_changed_schedule",
            "awaiting_law_change",
            "scheduled",
            &[TargetQuarterSet],
        ),
        ("law_changed", "awaiting_law_change", "hearing", &[]),
        ("abolish", "hearing", "abolished", &[Comment]),
        ("abolish_scheduled", "scheduled", "abolished", &[Comment]),
        (
            "abolish_blocked",
            "awaiting_law_change",
            "abolished",
            &[Comment],
        ),
    ];
    assert_eq!(transitions, expected);
    let commented: Vec<&str> = def
        .transitions()
        .iter()
        .filter(|t| t.requires_comment())
        .map(|t| t.key.as_str())
        .collect();
    assert_eq!(
        commented,
        [
            "await_law_change",
            "await_law_change_scheduled",
            "await_law_change_built",
            "await_law_change_tested",
            "abolish",
            "abolish_scheduled",
            "abolish_blocked",
        ]
    );
}

#[test]
fn default_terminal_states_have_no_way_out() {
    let def = default_workflow();
    let terminal: Vec<&str> = def.terminal_states().map(|s| s.key.as_str()).collect();
    assert_eq!(terminal, ["released", "abolished"]);
    for key in terminal {
        assert_eq!(def.transitions_from(key).count(), 0, "{key}");
    }
}

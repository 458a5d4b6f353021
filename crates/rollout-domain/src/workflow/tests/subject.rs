//! The subject a workflow file declares: its default, unknown names, and the guards and
//! approvals refused for a subject they do not suit.

use super::{parse, refused, toml};
use crate::workflow::{SubjectKind, WorkflowError};

/// A two-state workflow with `header` after `version`, and `extra` on its one transition.
fn file(header: &str, extra: &str) -> String {
    toml(
        &[("open", "INITIAL"), ("done", "DONE")],
        &[("finish", "open", "done")],
    )
    .replace("version = 1\n", &format!("version = 1\n{header}"))
        + extra
}

#[test]
fn the_subject_defaults_to_procedure() {
    assert_eq!(parse(&file("", "")).subject(), SubjectKind::Procedure);
    let lc = parse(&file("subject = \"law_change\"\n", ""));
    assert_eq!(lc.subject(), SubjectKind::LawChange);
    assert_eq!(
        parse(&file("subject = \"procedure\"\n", "")).subject(),
        SubjectKind::Procedure
    );
}

#[test]
fn guards_and_approvals_must_suit_the_subject() {
    use WorkflowError as E;
    let law = "subject = \"law_change\"\n";
    let cases: Vec<(&str, String, Vec<E>)> = vec![
        (
            "a procedure guard on a law change",
            file(
                law,
                "guards = [\"comment\", \"target_quarter_set\", \"date\"]\n",
            ),
            vec![E::GuardNotForSubject {
                transition: "finish".to_owned(),
                guard: "target_quarter_set",
                subject: SubjectKind::LawChange,
            }],
        ),
        (
            "an approval on a law change",
            file(law, "approval = { role = \"PROJECT_OFFICE\", count = 1 }\n"),
            vec![E::ApprovalNotForSubject {
                transition: "finish".to_owned(),
                subject: SubjectKind::LawChange,
            }],
        ),
        (
            "the date guard on a procedure",
            file("", "guards = [\"date\", \"no_open_blockers\"]\n"),
            vec![E::GuardNotForSubject {
                transition: "finish".to_owned(),
                guard: "date",
                subject: SubjectKind::Procedure,
            }],
        ),
        (
            "an unknown subject hides the rules that depend on it",
            file("subject = \"milestone\"\n", "guards = [\"date\"]\n"),
            vec![E::UnknownSubject {
                subject: "milestone".to_owned(),
            }],
        ),
    ];
    for (name, text, expected) in cases {
        assert_eq!(refused(&text), expected, "{name}");
    }
}

#[test]
fn subject_errors_say_what_to_fix() {
    let text = file(
        "subject = \"law_change\"\n",
        "guards = [\"platform_set\"]\napproval = { role = \"PROJECT_OFFICE\", count = 1 }\n",
    );
    let messages: Vec<String> = refused(&text).iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "transition \"finish\" uses guard \"platform_set\", which does not apply to law changes",
            "transition \"finish\" needs approval, but law changes have no approvals: remove the \
             approval",
        ]
    );
    assert_eq!(
        refused(&file("subject = \"Procedure\"\n", ""))[0].to_string(),
        "the workflow has unknown subject \"Procedure\" (expected procedure or law_change)"
    );
}

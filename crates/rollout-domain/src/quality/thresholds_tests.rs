//! The thresholds file: the embedded default parses to what it says, a changed file changes the
//! scoring, and each rule of the format refuses a file with a message naming the key.

use super::kano::{Indicator as I, KanoLevel as K, Principle as P};
use super::review::ReviewAggregate;
use super::thresholds::{DEFAULT_THRESHOLDS, Step};
use super::{QualityIndicators, QualityThresholds};

/// The default file with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    assert!(
        DEFAULT_THRESHOLDS.contains(from),
        "{from:?} not in the default file"
    );
    DEFAULT_THRESHOLDS.replacen(from, to, 1)
}

fn problems(text: &str) -> Vec<String> {
    QualityThresholds::parse(text)
        .expect_err("the file was accepted")
        .0
}

#[test]
fn the_default_file_says_what_it_means() {
    let t = QualityThresholds::parse(DEFAULT_THRESHOLDS).unwrap();
    assert_eq!(t, QualityThresholds::default());
    assert_eq!(t.principles(I::OnlineEndToEnd), [P::Faster, P::Simpler]);
    assert_eq!(t.principles(I::IdentityCheck), [P::Simpler, P::Easier]);
    assert_eq!(t.principles(I::ReviewScore), [P::Easier]);
    assert_eq!(
        t.attachments.steps,
        [
            Step {
                limit: 0,
                level: K::Attractive
            },
            Step {
                limit: 2,
                level: K::OneDimensional
            },
            Step {
                limit: 5,
                level: K::MustBe
            },
        ]
    );
    assert_eq!(
        t.review_score.steps[0],
        Step {
            limit: 450,
            level: K::Attractive
        }
    );
    assert_eq!((t.min_reviews, t.review_window_quarters), (10, 4));
}

#[test]
fn a_changed_file_changes_the_scoring() {
    let stricter = edited(
        "{ at_most = 2, level = \"ONE_DIMENSIONAL\" }",
        "{ at_most = 1, level = \"ONE_DIMENSIONAL\" }",
    );
    let t = QualityThresholds::parse(&stricter).unwrap();
    let two = QualityIndicators {
        online_end_to_end: true,
        smartphone_ready: true,
        attachments: 2,
        identity_check: super::IdentityCheck::NoCheck,
        fee: super::FeePayment::NoFee,
        standard_days: None,
        actual_days: None,
    };
    let none = ReviewAggregate::default();
    assert_eq!(t.level(I::Attachments, Some(&two), &none), Some(K::MustBe));
    assert_eq!(
        QualityThresholds::default().level(I::Attachments, Some(&two), &none),
        Some(K::OneDimensional)
    );
    // Reviews scored from fewer of them, and a fee kind left out is no longer scored.
    let t = QualityThresholds::parse(&edited("min_reviews = 10", "min_reviews = 1")).unwrap();
    assert_eq!(t.min_reviews, 1);
    let t = QualityThresholds::parse(&edited(", CASH_ONLY = \"NOT_MET\"", "")).unwrap();
    let cash = QualityIndicators {
        fee: super::FeePayment::CashOnly,
        ..two
    };
    assert_eq!(t.level(I::Fee, Some(&cash), &none), None);
}

#[test]
fn each_rule_refuses_with_its_key() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("syntax", "[online_end_to_end".into(), ""),
        (
            "a typo in a key",
            edited("at_most = 0,", "at_mots = 0,"),
            "at_mots",
        ),
        (
            "a missing indicator",
            edited(
                "[smartphone_ready]\nprinciples = [\"EASIER\"]\nyes = \"MUST_BE\"\nno = \"NOT_MET\"\n",
                "",
            ),
            "smartphone_ready",
        ),
        (
            "an unknown level",
            edited("yes = \"MUST_BE\"", "yes = \"DELIGHT\""),
            "smartphone_ready.yes: unknown level \"DELIGHT\"",
        ),
        (
            "an unknown principle",
            edited("principles = [\"SIMPLER\"]", "principles = [\"CHEAPER\"]"),
            "attachments.principles: unknown principle \"CHEAPER\"",
        ),
        (
            "no principle",
            edited("principles = [\"SIMPLER\"]", "principles = []"),
            "attachments.principles must name at least one principle",
        ),
        (
            "a principle twice",
            edited(
                "principles = [\"SIMPLER\"]",
                "principles = [\"SIMPLER\", \"SIMPLER\"]",
            ),
            "attachments.principles names SIMPLER twice",
        ),
        (
            "steps out of order",
            edited("at_most = 5,", "at_most = 1,"),
            "attachments.steps[2] must be looser than steps[1]",
        ),
        (
            "a looser step above a stricter one",
            edited(
                "{ at_most_percent = 100, level = \"MUST_BE\" }",
                "{ at_most_percent = 100, level = \"ATTRACTIVE\" }",
            ),
            "processing_days.steps[2] reaches a higher level than the stricter steps[1]",
        ),
        (
            "otherwise above the loosest step",
            edited(
                "{ at_least = 3.0, level = \"MUST_BE\" },\n]\notherwise = \"NOT_MET\"",
                "{ at_least = 3.0, level = \"MUST_BE\" },\n]\notherwise = \"ATTRACTIVE\"",
            ),
            "review_score.otherwise is above the loosest step's level",
        ),
        (
            "review steps must fall",
            edited("at_least = 4.0,", "at_least = 4.8,"),
            "review_score.steps[1] must be looser than steps[0]",
        ),
        (
            "a rating off the scale",
            edited("at_least = 4.5,", "at_least = 5.5,"),
            "at_least = 5.5 must be a rating from 1 to 5",
        ),
        (
            "a rating with three decimals",
            edited("at_least = 4.5,", "at_least = 4.555,"),
            "at most two decimals",
        ),
        (
            "no is above yes",
            edited(
                "yes = \"ONE_DIMENSIONAL\"\nno = \"NOT_MET\"",
                "yes = \"MUST_BE\"\nno = \"ATTRACTIVE\"",
            ),
            "online_end_to_end: `no` (ATTRACTIVE) is above `yes` (MUST_BE)",
        ),
        (
            "an unknown identity check",
            edited("ID_UPLOAD = \"MUST_BE\"", "PASSPORT = \"MUST_BE\""),
            "identity_check.levels: unknown value \"PASSPORT\"",
        ),
        (
            "zero minimum reviews",
            edited("min_reviews = 10", "min_reviews = 0"),
            "review_score.min_reviews must be at least 1",
        ),
        (
            "a window too long",
            edited("window_quarters = 4", "window_quarters = 41"),
            "window_quarters must be between 1 and 40 (got 41)",
        ),
        (
            "a principle nobody serves",
            edited(
                "[smartphone_ready]\nprinciples = [\"EASIER\"]",
                "[smartphone_ready]\nprinciples = [\"SIMPLER\"]",
            )
            .replacen(
                "principles = [\"SIMPLER\", \"EASIER\"]",
                "principles = [\"SIMPLER\"]",
                1,
            )
            .replacen(
                "[review_score]\nprinciples = [\"EASIER\"]",
                "[review_score]\nprinciples = [\"FASTER\"]",
                1,
            ),
            "no indicator serves the principle EASIER",
        ),
    ];
    for (what, text, expected) in cases {
        let found = problems(&text);
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{what}: {found:?} does not mention {expected:?}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = edited("yes = \"MUST_BE\"", "yes = \"DELIGHT\"")
        .replacen("min_reviews = 10", "min_reviews = 0", 1)
        .replacen("at_most = 5,", "at_most = 1,", 1);
    assert_eq!(problems(&text).len(), 3, "{:?}", problems(&text));
}

//! Kano scoring under the default thresholds: every ladder at both sides of each boundary, the
//! enumerated indicators, what is not scored, and the principle rule (lowest scored level, with
//! the indicators that hold it there).

use super::kano::{Indicator as I, KanoLevel as K, Principle as P, score};
use super::review::{Rating, ReviewAggregate};
use super::{FeePayment, IdentityCheck, QualityIndicators, QualityThresholds};

fn base() -> QualityIndicators {
    QualityIndicators {
        online_end_to_end: true,
        smartphone_ready: true,
        attachments: 0,
        identity_check: IdentityCheck::NoCheck,
        fee: FeePayment::Cashless,
        standard_days: Some(10),
        actual_days: Some(5),
    }
}

fn level(indicator: I, i: QualityIndicators) -> Option<K> {
    QualityThresholds::default().level(indicator, Some(&i), &ReviewAggregate::default())
}

/// An aggregate of `(rating, how many)` pairs.
fn reviews(pairs: &[(i64, u64)]) -> ReviewAggregate {
    ReviewAggregate::from_counts(pairs.iter().map(|&(r, n)| (Rating::new(r).unwrap(), n)))
}

#[test]
fn attachments_at_each_boundary() {
    let cases = [
        (0, K::Attractive),
        (1, K::OneDimensional),
        (2, K::OneDimensional),
        (3, K::MustBe),
        (5, K::MustBe),
        (6, K::NotMet),
        (100, K::NotMet),
    ];
    for (attachments, expected) in cases {
        let i = QualityIndicators {
            attachments,
            ..base()
        };
        assert_eq!(
            level(I::Attachments, i),
            Some(expected),
            "{attachments} attachments"
        );
    }
}

#[test]
fn processing_days_against_the_standard_period() {
    let cases = [
        // (actual, standard, level)
        (0, 10, Some(K::Attractive)),
        (5, 10, Some(K::Attractive)), // 50 % exactly
        (6, 10, Some(K::OneDimensional)),
        (8, 10, Some(K::OneDimensional)), // 80 %
        (9, 10, Some(K::MustBe)),
        (10, 10, Some(K::MustBe)), // the standard kept exactly
        (11, 10, Some(K::NotMet)),
        (21, 14, Some(K::NotMet)),
        (7, 14, Some(K::Attractive)),
        (0, 0, Some(K::Attractive)), // a same-day standard met the same day
        (1, 0, Some(K::NotMet)),
        (3650, 3650, Some(K::MustBe)),
    ];
    for (actual, standard, expected) in cases {
        let i = QualityIndicators {
            actual_days: Some(actual),
            standard_days: Some(standard),
            ..base()
        };
        assert_eq!(
            level(I::ProcessingDays, i),
            expected,
            "{actual} of {standard} days"
        );
    }
    for (actual, standard) in [(None, Some(10)), (Some(3), None), (None, None)] {
        let i = QualityIndicators {
            actual_days: actual,
            standard_days: standard,
            ..base()
        };
        assert_eq!(level(I::ProcessingDays, i), None, "needs both figures");
    }
}

#[test]
fn yes_no_and_enumerated_indicators() {
    let no = QualityIndicators {
        online_end_to_end: false,
        smartphone_ready: false,
        ..base()
    };
    assert_eq!(level(I::OnlineEndToEnd, base()), Some(K::OneDimensional));
    assert_eq!(level(I::OnlineEndToEnd, no), Some(K::NotMet));
    assert_eq!(level(I::SmartphoneReady, base()), Some(K::MustBe));
    assert_eq!(level(I::SmartphoneReady, no), Some(K::NotMet));
    for (check, expected) in [
        (IdentityCheck::NoCheck, K::Attractive),
        (IdentityCheck::MyNumberCard, K::OneDimensional),
        (IdentityCheck::IdUpload, K::MustBe),
    ] {
        let i = QualityIndicators {
            identity_check: check,
            ..base()
        };
        assert_eq!(level(I::IdentityCheck, i), Some(expected), "{check:?}");
    }
    for (fee, expected) in [
        (FeePayment::Cashless, Some(K::OneDimensional)),
        (FeePayment::CashOnly, Some(K::NotMet)),
        (FeePayment::NoFee, None),
    ] {
        let i = QualityIndicators { fee, ..base() };
        assert_eq!(level(I::Fee, i), expected, "{fee:?}");
    }
}

#[test]
fn review_score_at_each_boundary_and_below_the_minimum_count() {
    let t = QualityThresholds::default();
    let cases = [
        // 10 reviews: 5×5 + 5×4 = 45 → 4.5 exactly.
        (reviews(&[(5, 5), (4, 5)]), Some(K::Attractive)),
        // 44 / 10 = 4.4.
        (reviews(&[(5, 4), (4, 6)]), Some(K::OneDimensional)),
        // 40 / 10 = 4.0 exactly.
        (reviews(&[(4, 10)]), Some(K::OneDimensional)),
        // 39 / 10 = 3.9.
        (reviews(&[(4, 9), (3, 1)]), Some(K::MustBe)),
        // 30 / 10 = 3.0 exactly.
        (reviews(&[(3, 10)]), Some(K::MustBe)),
        // 29 / 10 = 2.9.
        (reviews(&[(3, 9), (2, 1)]), Some(K::NotMet)),
        (reviews(&[(1, 10)]), Some(K::NotMet)),
        // Nine glowing reviews are not enough to score.
        (reviews(&[(5, 9)]), None),
        (ReviewAggregate::default(), None),
    ];
    for (aggregate, expected) in cases {
        assert_eq!(
            t.review_level(&aggregate),
            expected,
            "{:?}",
            aggregate.distribution()
        );
        assert_eq!(t.level(I::ReviewScore, None, &aggregate), expected);
    }
}

#[test]
fn a_principle_takes_its_lowest_scored_indicator() {
    let t = QualityThresholds::default();
    // SIMPLER: online (ONE_DIMENSIONAL), attachments 4 (MUST_BE), identity NONE (ATTRACTIVE),
    // fee CASHLESS (ONE_DIMENSIONAL) → MUST_BE, held there by the attachments.
    let i = QualityIndicators {
        attachments: 4,
        ..base()
    };
    let good = reviews(&[(5, 10)]);
    let s = score(&t, Some(&i), &good);
    assert_eq!(s.principle(P::Simpler), Some(K::MustBe));
    let simpler = &s.principles[1];
    assert_eq!(simpler.limited_by, [I::Attachments]);
    // FASTER: online (ONE_DIMENSIONAL), fee (ONE_DIMENSIONAL), 5 of 10 days (ATTRACTIVE).
    assert_eq!(s.principle(P::Faster), Some(K::OneDimensional));
    assert_eq!(s.principles[0].limited_by, [I::OnlineEndToEnd, I::Fee]);
    // EASIER: smartphone (MUST_BE), identity (ATTRACTIVE), reviews 5.0 (ATTRACTIVE).
    assert_eq!(s.principle(P::Easier), Some(K::MustBe));
    assert_eq!(s.indicator(I::ReviewScore), Some(K::Attractive));
    assert_eq!(
        s.indicators.iter().map(|x| x.indicator).collect::<Vec<_>>(),
        I::ALL
    );

    // A missing must-be quality is not made up for elsewhere.
    let paper = QualityIndicators {
        online_end_to_end: false,
        ..base()
    };
    let s = score(&t, Some(&paper), &good);
    assert_eq!(s.principle(P::Faster), Some(K::NotMet));
    assert_eq!(s.principle(P::Simpler), Some(K::NotMet));
}

#[test]
fn unscored_indicators_do_not_count() {
    let t = QualityThresholds::default();
    // No assessment: only the reviews can be scored, and only with enough of them.
    let s = score(&t, None, &ReviewAggregate::default());
    assert!(s.indicators.iter().all(|x| x.level.is_none()));
    assert!(
        s.principles
            .iter()
            .all(|p| p.level.is_none() && p.limited_by.is_empty())
    );
    let s = score(&t, None, &reviews(&[(2, 12)]));
    assert_eq!(s.principle(P::Easier), Some(K::NotMet));
    assert_eq!(s.principles[2].limited_by, [I::ReviewScore]);
    assert_eq!(s.principle(P::Faster), None);
    // No fee and no standard period: FASTER rests on being online end to end alone.
    let i = QualityIndicators {
        fee: FeePayment::NoFee,
        standard_days: None,
        ..base()
    };
    let s = score(&t, Some(&i), &ReviewAggregate::default());
    assert_eq!(s.principle(P::Faster), Some(K::OneDimensional));
    assert_eq!(s.principles[0].limited_by, [I::OnlineEndToEnd]);
}

#[test]
fn levels_are_ordered_and_labelled() {
    assert!(K::NotMet < K::MustBe && K::MustBe < K::OneDimensional);
    assert!(K::OneDimensional < K::Attractive);
    assert_eq!(K::MustBe.label_ja(), "当たり前品質");
    assert_eq!(K::OneDimensional.label_ja(), "一元的品質");
    assert_eq!(K::Attractive.label_ja(), "魅力的品質");
    assert_eq!(K::NotMet.label_ja(), "未達");
    assert_eq!(P::Easier.label_en(), "easier to use");
}

//! Contract cases for quality assessments and user reviews (issue 13): assessments round-trip
//! every field, the latest per procedure is read for a batch (ties broken by id) and the history
//! newest first; reviews are counted per rating, over chosen quarters or all, and per quarter,
//! each in the quarter of its Tokyo day; unknown references and over-long comments write
//! nothing; users of the REVIEW_INTAKE role are stored like any other.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_domain::identity::Role;
use rollout_domain::quality::{
    FeePayment, IdentityCheck, QualityAssessment, QualityIndicators, Rating, ReviewChannel,
    UserReview,
};
use rollout_domain::{ProcedureId, QualityAssessmentId, UserId, UserReviewId};
use uuid::Uuid;

use super::fixtures::{
    at, audit, audit_trail, commit_one, procedure, quarter, seed_bureau, seed_procedure,
};
use super::people::{expect_not_found, seed_user, user};
use crate::{ReviewCount, Store, StoreError, Write};

fn indicators(attachments: u32) -> QualityIndicators {
    QualityIndicators {
        online_end_to_end: true,
        smartphone_ready: false,
        attachments,
        identity_check: IdentityCheck::MyNumberCard,
        fee: FeePayment::CashOnly,
        standard_days: Some(14),
        actual_days: None,
    }
}

fn assessment(
    procedure: ProcedureId,
    by: UserId,
    attachments: u32,
    assessed_at: DateTime<Utc>,
) -> QualityAssessment {
    QualityAssessment {
        id: QualityAssessmentId(Uuid::now_v7()),
        procedure_id: procedure,
        indicators: indicators(attachments),
        note: None,
        assessed_at,
        assessed_by: by,
    }
}

fn review(procedure: ProcedureId, by: UserId, rating: i64, submitted_at: &str) -> UserReview {
    UserReview {
        id: UserReviewId(Uuid::now_v7()),
        procedure_id: procedure,
        rating: Rating::new(rating).unwrap(),
        comment: None,
        channel: ReviewChannel::Smartphone,
        submitted_at: DateTime::parse_from_rfc3339(submitted_at).unwrap().to_utc(),
        submitted_by: by,
    }
}

async fn commit(store: &Arc<dyn Store>, write: Write) -> Result<(), StoreError> {
    commit_one(store, write, "quality.write").await
}

fn sorted(mut counts: Vec<ReviewCount>) -> Vec<(ProcedureId, Option<String>, u8, u64)> {
    counts.sort();
    counts
        .into_iter()
        .map(|c| {
            (
                c.procedure_id,
                c.quarter.map(|q| q.to_string()),
                c.rating.get(),
                c.count,
            )
        })
        .collect()
}

/// Every field round-trips; the latest of each procedure comes from one batch read, ties on
/// `assessed_at` going to the larger id; the history is newest first; unknown ids are absent.
pub async fn quality_assessments_latest_and_history(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(1, 0))).await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(1, 0))).await;
    let p3 = seed_procedure(&store, procedure("KANKYO-0003", b.id, at(1, 0))).await;

    let mut full = assessment(p1.id, u.id, 3, at(10, 123_456));
    full.note = Some("添付書類を\n3件に削減".to_owned());
    full.indicators.actual_days = Some(9);
    full.indicators.identity_check = IdentityCheck::NoCheck;
    full.indicators.fee = FeePayment::NoFee;
    let older = assessment(p1.id, u.id, 7, at(5, 0));
    let tie_a = assessment(p2.id, u.id, 1, at(20, 0));
    let tie_b = assessment(p2.id, u.id, 2, at(20, 0));
    for a in [&full, &older, &tie_a, &tie_b] {
        commit(&store, Write::InsertQualityAssessment(a.clone()))
            .await
            .unwrap();
    }

    let mut latest = store
        .latest_quality_assessments(&[p1.id, p2.id, p3.id, ProcedureId(Uuid::nil())])
        .await
        .unwrap();
    latest.sort_by_key(|a| a.procedure_id);
    let later_tie = if tie_a.id > tie_b.id { &tie_a } else { &tie_b };
    let mut expected = vec![full.clone(), later_tie.clone()];
    expected.sort_by_key(|a| a.procedure_id);
    assert_eq!(latest, expected);

    let history = store.quality_assessments_for(&[p1.id]).await.unwrap();
    assert_eq!(history, [full.clone(), older.clone()], "newest first");
    let both = store
        .quality_assessments_for(&[p1.id, p2.id])
        .await
        .unwrap();
    assert_eq!(both.len(), 4);
    assert!(store.quality_assessments_for(&[]).await.unwrap().is_empty());
    assert!(
        store
            .latest_quality_assessments(&[p3.id])
            .await
            .unwrap()
            .is_empty()
    );
}

/// An assessment or review naming an unknown procedure or user is `NotFound`, and the batch,
/// its audit entry included, writes nothing.
pub async fn quality_writes_need_their_references(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let u = seed_user(&store, "po@metro.tokyo.lg.jp").await;
    let p = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(1, 0))).await;
    let trail = audit_trail(&store).await.len();
    let ghost_p = ProcedureId(Uuid::from_u128(7));
    let ghost_u = UserId(Uuid::from_u128(8));
    expect_not_found(
        commit(
            &store,
            Write::InsertQualityAssessment(assessment(ghost_p, u.id, 1, at(9, 0))),
        )
        .await,
        "procedure",
        ghost_p,
    );
    expect_not_found(
        commit(
            &store,
            Write::InsertQualityAssessment(assessment(p.id, ghost_u, 1, at(9, 0))),
        )
        .await,
        "user",
        ghost_u,
    );
    let at_noon = "2025-05-01T03:00:00Z";
    expect_not_found(
        commit(
            &store,
            Write::InsertUserReview(review(ghost_p, u.id, 4, at_noon)),
        )
        .await,
        "procedure",
        ghost_p,
    );
    expect_not_found(
        commit(
            &store,
            Write::InsertUserReview(review(p.id, ghost_u, 4, at_noon)),
        )
        .await,
        "user",
        ghost_u,
    );
    // The database keeps a comment within 4,000 characters whatever writes the row.
    let mut long = review(p.id, u.id, 4, at_noon);
    long.comment = Some("あ".repeat(4001));
    assert!(commit(&store, Write::InsertUserReview(long)).await.is_err());
    let mut longest = review(p.id, u.id, 4, at_noon);
    longest.comment = Some("あ".repeat(4000));
    commit(&store, Write::InsertUserReview(longest))
        .await
        .unwrap();

    assert_eq!(
        audit_trail(&store).await.len(),
        trail + 1,
        "only the last batch"
    );
    assert!(
        store
            .latest_quality_assessments(&[p.id])
            .await
            .unwrap()
            .is_empty()
    );
    let counts = store.review_counts(&[p.id], None).await.unwrap();
    assert_eq!(sorted(counts), [(p.id, None, 4, 1)]);
}

/// Reviews are counted per rating (over every quarter or the chosen ones) and per quarter and
/// rating, each in the fiscal quarter of its day in Tokyo.
pub async fn user_reviews_counted_per_rating_and_quarter(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let intake = user(
        "form@e-shinsei.example.jp",
        Role::ReviewIntake,
        None,
        at(0, 0),
    );
    store
        .create_user(&intake, &audit("user.create", "User", intake.id, at(0, 0)))
        .await
        .unwrap();
    let p1 = seed_procedure(&store, procedure("KANKYO-0001", b.id, at(1, 0))).await;
    let p2 = seed_procedure(&store, procedure("KANKYO-0002", b.id, at(1, 0))).await;
    let by = intake.id;
    let reviews = [
        // 23:59:59 on 31 December in Tokyo: FY2021-Q3.
        review(p1.id, by, 5, "2021-12-31T14:59:59Z"),
        review(p1.id, by, 5, "2021-11-02T01:00:00Z"),
        review(p1.id, by, 2, "2021-10-01T00:00:00Z"),
        // 00:00 on 1 January in Tokyo: FY2021-Q4.
        review(p1.id, by, 5, "2021-12-31T15:00:00Z"),
        review(p1.id, by, 3, "2022-03-31T14:59:59Z"),
        review(p2.id, by, 1, "2022-01-10T00:00:00Z"),
    ];
    for r in &reviews {
        commit(&store, Write::InsertUserReview(r.clone()))
            .await
            .unwrap();
    }
    let (q3, q4) = (quarter("FY2021-Q3"), quarter("FY2021-Q4"));

    let all = store.review_counts(&[p1.id, p2.id], None).await.unwrap();
    let mut expected = vec![
        (p1.id, None, 2, 1),
        (p1.id, None, 3, 1),
        (p1.id, None, 5, 3),
        (p2.id, None, 1, 1),
    ];
    expected.sort();
    assert_eq!(sorted(all), expected);

    let in_q4 = store
        .review_counts(&[p1.id, p2.id], Some(&[q4]))
        .await
        .unwrap();
    let mut expected = vec![
        (p1.id, None, 3, 1),
        (p1.id, None, 5, 1),
        (p2.id, None, 1, 1),
    ];
    expected.sort();
    assert_eq!(sorted(in_q4), expected);
    assert!(
        store
            .review_counts(&[p1.id], Some(&[]))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.review_counts(&[], None).await.unwrap().is_empty());

    let by_quarter = store
        .review_counts_by_quarter(p1.id, &[q3, q4, quarter("FY2022-Q1")])
        .await
        .unwrap();
    let q = |s: &str| Some(s.to_owned());
    assert_eq!(
        sorted(by_quarter),
        [
            (p1.id, q("FY2021-Q3"), 2, 1),
            (p1.id, q("FY2021-Q3"), 5, 2),
            (p1.id, q("FY2021-Q4"), 3, 1),
            (p1.id, q("FY2021-Q4"), 5, 1),
        ]
    );
    let only_q4 = store.review_counts_by_quarter(p2.id, &[q4]).await.unwrap();
    assert_eq!(sorted(only_q4), [(p2.id, q("FY2021-Q4"), 1, 1)]);
    assert!(
        store
            .review_counts_by_quarter(p1.id, &[])
            .await
            .unwrap()
            .is_empty()
    );

    // The intake identity is a user like any other in the store.
    let stored = store.user(intake.id).await.unwrap().unwrap();
    assert_eq!((stored.role, stored.bureau_id), (Role::ReviewIntake, None));
}

//! Quality assessments and user reviews on SQLite ([`rollout_store::QualityStore`]): the two
//! inserts the write batch applies inside its transaction, the batch reads of a page (the
//! latest assessment per procedure with a window function, every assessment, review counts per
//! rating grouped in SQL) and the row encodings. Booleans are 0/1, the review's quarter is the
//! `FY2025-Q3` text the domain computes.

use async_trait::async_trait;
use rollout_domain::quality::{
    FeePayment, IdentityCheck, QualityAssessment, QualityIndicators, Rating, UserReview,
};
use rollout_domain::{FiscalQuarter, ProcedureId, QualityAssessmentId, UserId};
use rollout_store::{QualityStore, ReviewCount, StoreError, StoreResult};
use sqlx::{AssertSqlSafe, FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use crate::SqliteStore;
use crate::errors::ctx;
use crate::refs::{self, Ref};
use crate::rows::{
    corrupt, decode_all, instant, parse_instant, parse_key, parse_uuid, parse_with, uuid,
};

const ASSESSMENT_COLUMNS: &str = "id, procedure_id, online_end_to_end, smartphone_ready, \
     attachments, identity_check, fee, standard_days, actual_days, note, assessed_at, \
     assessed_by";

#[async_trait]
impl QualityStore for SqliteStore {
    #[tracing::instrument(name = "store.latest_quality_assessments", skip_all, fields(count = procedures.len()))]
    async fn latest_quality_assessments(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>> {
        assessments(&self.reader, procedures, true).await
    }

    #[tracing::instrument(name = "store.quality_assessments_for", skip_all, fields(count = procedures.len()))]
    async fn quality_assessments_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>> {
        assessments(&self.reader, procedures, false).await
    }

    #[tracing::instrument(name = "store.review_counts", skip_all, fields(count = procedures.len()))]
    async fn review_counts(
        &self,
        procedures: &[ProcedureId],
        quarters: Option<&[FiscalQuarter]>,
    ) -> StoreResult<Vec<ReviewCount>> {
        if procedures.is_empty() || quarters.is_some_and(<[_]>::is_empty) {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT procedure_id, rating, COUNT(*) FROM user_reviews WHERE procedure_id IN (",
        );
        let mut list = qb.separated(", ");
        for id in procedures {
            list.push_bind(uuid(id.0));
        }
        qb.push(")");
        if let Some(quarters) = quarters {
            push_quarters(&mut qb, quarters);
        }
        qb.push(" GROUP BY procedure_id, rating");
        let rows: Vec<(String, i64, i64)> = qb
            .build_query_as()
            .fetch_all(&self.reader)
            .await
            .map_err(ctx("count user reviews"))?;
        rows.into_iter()
            .map(|(procedure, rating, count)| {
                Ok(ReviewCount {
                    procedure_id: ProcedureId(parse_uuid("user_reviews.procedure_id", &procedure)?),
                    quarter: None,
                    rating: decode_rating(rating)?,
                    count: decode_count(count)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(name = "store.review_counts_by_quarter", skip(self, quarters), fields(procedure = %procedure))]
    async fn review_counts_by_quarter(
        &self,
        procedure: ProcedureId,
        quarters: &[FiscalQuarter],
    ) -> StoreResult<Vec<ReviewCount>> {
        if quarters.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT quarter, rating, COUNT(*) FROM user_reviews WHERE procedure_id = ",
        );
        qb.push_bind(uuid(procedure.0));
        push_quarters(&mut qb, quarters);
        qb.push(" GROUP BY quarter, rating");
        let rows: Vec<(String, i64, i64)> = qb
            .build_query_as()
            .fetch_all(&self.reader)
            .await
            .map_err(ctx("count user reviews per quarter"))?;
        rows.into_iter()
            .map(|(quarter, rating, count)| {
                Ok(ReviewCount {
                    procedure_id: procedure,
                    quarter: Some(parse_with("user_reviews.quarter", &quarter, |q| {
                        FiscalQuarter::parse(q)
                    })?),
                    rating: decode_rating(rating)?,
                    count: decode_count(count)?,
                })
            })
            .collect()
    }
}

fn push_quarters(qb: &mut QueryBuilder<Sqlite>, quarters: &[FiscalQuarter]) {
    qb.push(" AND quarter IN (");
    let mut list = qb.separated(", ");
    for q in quarters {
        list.push_bind(q.to_string());
    }
    qb.push(")");
}

fn decode_rating(raw: i64) -> StoreResult<Rating> {
    Rating::new(raw).map_err(|_| corrupt("user_reviews.rating", &raw.to_string()))
}

fn decode_count(raw: i64) -> StoreResult<u64> {
    u64::try_from(raw).map_err(|_| corrupt("COUNT(*)", &raw.to_string()))
}

/// The latest assessment per procedure (`latest`), or every one, newest first.
async fn assessments(
    reader: &SqlitePool,
    procedures: &[ProcedureId],
    latest: bool,
) -> StoreResult<Vec<QualityAssessment>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {ASSESSMENT_COLUMNS} FROM (SELECT {ASSESSMENT_COLUMNS}, ROW_NUMBER() OVER \
         (PARTITION BY procedure_id ORDER BY assessed_at DESC, id DESC) AS n \
         FROM quality_assessments WHERE procedure_id IN ("
    ));
    let mut list = qb.separated(", ");
    for id in procedures {
        list.push_bind(uuid(id.0));
    }
    qb.push("))");
    if latest {
        qb.push(" WHERE n = 1");
    }
    qb.push(" ORDER BY procedure_id, n");
    let rows: Vec<AssessmentRow> = qb
        .build_query_as()
        .fetch_all(reader)
        .await
        .map_err(ctx("load quality assessments"))?;
    decode_all(rows, AssessmentRow::into_domain)
}

/// Appends an assessment inside the batch's transaction.
pub(crate) async fn insert_assessment(
    conn: &mut SqliteConnection,
    a: &QualityAssessment,
) -> StoreResult<()> {
    let i = &a.indicators;
    let sql = format!(
        "INSERT INTO quality_assessments ({ASSESSMENT_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(uuid(a.id.0))
        .bind(uuid(a.procedure_id.0))
        .bind(i.online_end_to_end)
        .bind(i.smartphone_ready)
        .bind(i64::from(i.attachments))
        .bind(i.identity_check.as_str())
        .bind(i.fee.as_str())
        .bind(i.standard_days.map(i64::from))
        .bind(i.actual_days.map(i64::from))
        .bind(a.note.as_deref())
        .bind(instant(a.assessed_at))
        .bind(uuid(a.assessed_by.0))
        .execute(&mut *conn)
        .await;
    if let Err(e) = done {
        let references = [Ref::procedure(a.procedure_id.0), Ref::user(a.assessed_by.0)];
        return Err(refs::missing(conn, e, "insert quality assessment", &references).await);
    }
    Ok(())
}

/// Appends a review, with its quarter, inside the batch's transaction.
pub(crate) async fn insert_review(conn: &mut SqliteConnection, r: &UserReview) -> StoreResult<()> {
    let quarter = r
        .quarter()
        .map_err(|e| StoreError::internal("the fiscal quarter of a review", e))?;
    let done = sqlx::query(
        "INSERT INTO user_reviews (id, procedure_id, rating, comment, channel, submitted_at, \
         quarter, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(uuid(r.id.0))
    .bind(uuid(r.procedure_id.0))
    .bind(i64::from(r.rating.get()))
    .bind(r.comment.as_deref())
    .bind(r.channel.as_str())
    .bind(instant(r.submitted_at))
    .bind(quarter.to_string())
    .bind(uuid(r.submitted_by.0))
    .execute(&mut *conn)
    .await;
    if let Err(e) = done {
        let references = [
            Ref::procedure(r.procedure_id.0),
            Ref::user(r.submitted_by.0),
        ];
        return Err(refs::missing(conn, e, "insert user review", &references).await);
    }
    Ok(())
}

#[derive(Debug, FromRow)]
struct AssessmentRow {
    id: String,
    procedure_id: String,
    online_end_to_end: bool,
    smartphone_ready: bool,
    attachments: i64,
    identity_check: String,
    fee: String,
    standard_days: Option<i64>,
    actual_days: Option<i64>,
    note: Option<String>,
    assessed_at: String,
    assessed_by: String,
}

fn days(column: &str, raw: Option<i64>) -> StoreResult<Option<u32>> {
    raw.map(|d| u32::try_from(d).map_err(|_| corrupt(column, &d.to_string())))
        .transpose()
}

impl AssessmentRow {
    fn into_domain(self) -> StoreResult<QualityAssessment> {
        const T: &str = "quality_assessments";
        Ok(QualityAssessment {
            id: QualityAssessmentId(parse_uuid(&format!("{T}.id"), &self.id)?),
            procedure_id: ProcedureId(parse_uuid(
                &format!("{T}.procedure_id"),
                &self.procedure_id,
            )?),
            indicators: QualityIndicators {
                online_end_to_end: self.online_end_to_end,
                smartphone_ready: self.smartphone_ready,
                attachments: u32::try_from(self.attachments).map_err(|_| {
                    corrupt(&format!("{T}.attachments"), &self.attachments.to_string())
                })?,
                identity_check: parse_key(
                    &format!("{T}.identity_check"),
                    &self.identity_check,
                    IdentityCheck::parse,
                )?,
                fee: parse_key(&format!("{T}.fee"), &self.fee, FeePayment::parse)?,
                standard_days: days(&format!("{T}.standard_days"), self.standard_days)?,
                actual_days: days(&format!("{T}.actual_days"), self.actual_days)?,
            },
            note: self.note,
            assessed_at: parse_instant(&format!("{T}.assessed_at"), &self.assessed_at)?,
            assessed_by: UserId(parse_uuid(&format!("{T}.assessed_by"), &self.assessed_by)?),
        })
    }
}

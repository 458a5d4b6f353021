//! Quality assessments and user reviews on PostgreSQL ([`rollout_store::QualityStore`]): the
//! two inserts the write batch applies inside its transaction, the batch reads of a page (the
//! latest assessment per procedure with `DISTINCT ON`, every assessment, review counts per
//! rating grouped in SQL) and the row decoding. Ids travel as one `uuid[]` parameter, quarters
//! as one `text[]`. A missing procedure or user is named by the violated foreign key.

use async_trait::async_trait;
use rollout_domain::quality::{
    FeePayment, IdentityCheck, QualityAssessment, QualityIndicators, Rating, UserReview,
};
use rollout_domain::{FiscalQuarter, ProcedureId, QualityAssessmentId, UserId};
use rollout_store::{QualityStore, ReviewCount, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

use crate::PgStore;
use crate::errors;
use crate::rows::{self, corrupt, get, keyed, parsed, quarter_key};

const ASSESSMENT_COLUMNS: &str = "id, procedure_id, online_end_to_end, smartphone_ready, \
     attachments, identity_check, fee, standard_days, actual_days, note, assessed_at, \
     assessed_by";

#[async_trait]
impl QualityStore for PgStore {
    #[tracing::instrument(name = "store.latest_quality_assessments", skip_all, fields(count = procedures.len()))]
    async fn latest_quality_assessments(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>> {
        if procedures.is_empty() {
            return Ok(Vec::new());
        }
        let found = sqlx::query(AssertSqlSafe(format!(
            "SELECT DISTINCT ON (procedure_id) {ASSESSMENT_COLUMNS} FROM quality_assessments \
             WHERE procedure_id = ANY($1) ORDER BY procedure_id, assessed_at DESC, id DESC"
        )))
        .bind(ids(procedures))
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("load the latest quality assessments"))?;
        rows::all(&found, assessment)
    }

    #[tracing::instrument(name = "store.quality_assessments_for", skip_all, fields(count = procedures.len()))]
    async fn quality_assessments_for(
        &self,
        procedures: &[ProcedureId],
    ) -> StoreResult<Vec<QualityAssessment>> {
        if procedures.is_empty() {
            return Ok(Vec::new());
        }
        let found = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM quality_assessments WHERE procedure_id = ANY($1) \
             ORDER BY procedure_id, assessed_at DESC, id DESC"
        )))
        .bind(ids(procedures))
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("load quality assessments"))?;
        rows::all(&found, assessment)
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
        // A NULL list means every quarter.
        let found = sqlx::query(
            "SELECT procedure_id, rating, COUNT(*) AS n FROM user_reviews \
             WHERE procedure_id = ANY($1) AND ($2::text[] IS NULL OR quarter = ANY($2)) \
             GROUP BY procedure_id, rating",
        )
        .bind(ids(procedures))
        .bind(quarters.map(quarter_keys))
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("count user reviews"))?;
        found
            .iter()
            .map(|row| {
                Ok(ReviewCount {
                    procedure_id: ProcedureId(get(row, "procedure_id")?),
                    quarter: None,
                    rating: rating(row)?,
                    count: count(row)?,
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
        let found = sqlx::query(
            "SELECT quarter, rating, COUNT(*) AS n FROM user_reviews \
             WHERE procedure_id = $1 AND quarter = ANY($2) GROUP BY quarter, rating",
        )
        .bind(procedure.as_uuid())
        .bind(quarter_keys(quarters))
        .fetch_all(&self.pool)
        .await
        .map_err(errors::db("count user reviews per quarter"))?;
        found
            .iter()
            .map(|row| {
                Ok(ReviewCount {
                    procedure_id: procedure,
                    quarter: Some(parsed(
                        row,
                        "user_reviews",
                        "quarter",
                        FiscalQuarter::parse,
                    )?),
                    rating: rating(row)?,
                    count: count(row)?,
                })
            })
            .collect()
    }
}

fn ids(procedures: &[ProcedureId]) -> Vec<Uuid> {
    procedures.iter().map(ProcedureId::as_uuid).collect()
}

fn quarter_keys(quarters: &[FiscalQuarter]) -> Vec<String> {
    quarters.iter().map(quarter_key).collect()
}

fn rating(row: &PgRow) -> StoreResult<Rating> {
    let raw: i16 = get(row, "rating")?;
    Rating::new(i64::from(raw)).map_err(|_| corrupt("user_reviews", "rating", &raw.to_string()))
}

fn count(row: &PgRow) -> StoreResult<u64> {
    let raw: i64 = get(row, "n")?;
    u64::try_from(raw).map_err(|_| corrupt("user_reviews", "COUNT(*)", &raw.to_string()))
}

/// A foreign-key violation of an insert, named by its constraint: the procedure or the user
/// the row refers to.
fn insert_error(
    context: &'static str,
    procedure: ProcedureId,
    user: UserId,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match errors::violation(&e).map(|v| v.constraint) {
        Some("quality_assessments_procedure_id_fkey" | "user_reviews_procedure_id_fkey") => {
            errors::not_found("procedure", procedure)
        }
        Some("quality_assessments_assessed_by_fkey" | "user_reviews_submitted_by_fkey") => {
            errors::not_found("user", user)
        }
        _ => errors::classify(context, e),
    }
}

/// Appends an assessment inside the batch's transaction.
pub(crate) async fn insert_assessment(
    conn: &mut PgConnection,
    a: &QualityAssessment,
) -> StoreResult<()> {
    let i = &a.indicators;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO quality_assessments ({ASSESSMENT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )))
    .bind(a.id.as_uuid())
    .bind(a.procedure_id.as_uuid())
    .bind(i.online_end_to_end)
    .bind(i.smartphone_ready)
    .bind(i64::from(i.attachments))
    .bind(i.identity_check.as_str())
    .bind(i.fee.as_str())
    .bind(i.standard_days.map(i64::from))
    .bind(i.actual_days.map(i64::from))
    .bind(a.note.as_deref())
    .bind(a.assessed_at)
    .bind(a.assessed_by.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(insert_error(
        "insert quality assessment",
        a.procedure_id,
        a.assessed_by,
    ))?;
    Ok(())
}

/// Appends a review, with its quarter, inside the batch's transaction.
pub(crate) async fn insert_review(conn: &mut PgConnection, r: &UserReview) -> StoreResult<()> {
    let quarter = r
        .quarter()
        .map_err(|e| StoreError::internal("the fiscal quarter of a review", e))?;
    sqlx::query(
        "INSERT INTO user_reviews (id, procedure_id, rating, comment, channel, submitted_at, \
         quarter, submitted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(r.id.as_uuid())
    .bind(r.procedure_id.as_uuid())
    .bind(i16::from(r.rating.get()))
    .bind(r.comment.as_deref())
    .bind(r.channel.as_str())
    .bind(r.submitted_at)
    .bind(quarter_key(&quarter))
    .bind(r.submitted_by.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(insert_error(
        "insert user review",
        r.procedure_id,
        r.submitted_by,
    ))?;
    Ok(())
}

fn days(row: &PgRow, column: &'static str) -> StoreResult<Option<u32>> {
    let raw: Option<i32> = get(row, column)?;
    raw.map(|d| {
        u32::try_from(d).map_err(|_| corrupt("quality_assessments", column, &d.to_string()))
    })
    .transpose()
}

fn assessment(row: &PgRow) -> StoreResult<QualityAssessment> {
    const T: &str = "quality_assessments";
    let attachments: i32 = get(row, "attachments")?;
    Ok(QualityAssessment {
        id: QualityAssessmentId(get(row, "id")?),
        procedure_id: ProcedureId(get(row, "procedure_id")?),
        indicators: QualityIndicators {
            online_end_to_end: get(row, "online_end_to_end")?,
            smartphone_ready: get(row, "smartphone_ready")?,
            attachments: u32::try_from(attachments)
                .map_err(|_| corrupt(T, "attachments", &attachments.to_string()))?,
            identity_check: parsed(row, T, "identity_check", keyed(IdentityCheck::parse))?,
            fee: parsed(row, T, "fee", keyed(FeePayment::parse))?,
            standard_days: days(row, "standard_days")?,
            actual_days: days(row, "actual_days")?,
        },
        note: get(row, "note")?,
        assessed_at: get(row, "assessed_at")?,
        assessed_by: UserId(get(row, "assessed_by")?),
    })
}

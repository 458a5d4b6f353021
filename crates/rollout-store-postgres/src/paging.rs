//! One page of a keyset listing, with its total when the caller asks for one: the shared tail of
//! every paged read ([`crate::listing`], [`crate::transitions`], [`crate::approval_listing`],
//! [`crate::audit`]). With the total, the page and the count run in one repeatable-read snapshot
//! ([`crate::begin_snapshot`]), so the count describes the same rows as the page; without it the
//! page is a single statement, which is its own snapshot and needs no transaction.

use rollout_store::StoreResult;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::{Query, QueryScalar};
use sqlx::{PgPool, Postgres};

use crate::{begin_snapshot, errors};

/// The rows of `items`, and the result of `count` when there is one. `what` names the listing
/// in error messages ("list procedures").
pub(crate) async fn fetch<'q>(
    pool: &PgPool,
    items: Query<'q, Postgres, PgArguments>,
    count: Option<QueryScalar<'q, Postgres, i64, PgArguments>>,
    what: &'static str,
) -> StoreResult<(Vec<PgRow>, Option<i64>)> {
    let Some(count) = count else {
        let rows = items.fetch_all(pool).await.map_err(errors::db(what))?;
        return Ok((rows, None));
    };
    let mut tx = begin_snapshot(pool).await?;
    let rows = items.fetch_all(&mut *tx).await.map_err(errors::db(what))?;
    let total = count
        .fetch_one(&mut *tx)
        .await
        .map_err(errors::db("count the listing's total"))?;
    tx.commit().await.map_err(errors::db("commit"))?;
    Ok((rows, Some(total)))
}

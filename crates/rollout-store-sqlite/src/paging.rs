//! One page of a keyset listing, with its total when the caller asks for one: the shared tail of
//! every paged read ([`crate::listing`], [`crate::transitions`], [`crate::approval_listing`],
//! [`crate::audit`]). With the total, the page and the count run in one read transaction, so the
//! count describes the same snapshot as the page; without it the page is a single statement,
//! which is its own snapshot and needs no transaction (two round trips fewer to the SQLite
//! worker thread).

use sqlx::query::{QueryAs, QueryScalar};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{FromRow, Sqlite, SqlitePool};

use crate::errors::ctx;
use crate::{begin_read, commit};
use rollout_store::StoreResult;

/// The rows of `items`, and the result of `count` when there is one. `what` names the listing
/// in error messages ("list procedures", "count procedures").
pub(crate) async fn fetch<'q, R>(
    reader: &SqlitePool,
    items: QueryAs<'q, Sqlite, R, SqliteArguments>,
    count: Option<QueryScalar<'q, Sqlite, i64, SqliteArguments>>,
    what: &'static str,
) -> StoreResult<(Vec<R>, Option<i64>)>
where
    R: Send + Unpin + for<'r> FromRow<'r, SqliteRow>,
{
    let Some(count) = count else {
        let rows = items.fetch_all(reader).await.map_err(ctx(what))?;
        return Ok((rows, None));
    };
    let mut tx = begin_read(reader).await?;
    let rows = items.fetch_all(&mut *tx).await.map_err(ctx(what))?;
    let total = count
        .fetch_one(&mut *tx)
        .await
        .map_err(ctx("count the listing's total"))?;
    commit(tx).await?;
    Ok((rows, Some(total)))
}

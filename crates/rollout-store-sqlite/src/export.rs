//! Reading the whole database table by table, in one read snapshot, for `rollout migrate-data`
//! (issue 15): which tables there are, how many rows each holds, and its rows in chunks as
//! neutral [`Cell`]s (SQLite's storage classes, taken from each value, not from the declared
//! type). Generated columns are left out: the target computes its own. Knows nothing of what
//! the tables mean; the PostgreSQL store decides how each cell is stored there.

use rollout_store::table_copy::{Cell, TableChunk};
use rollout_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction, TypeInfo, ValueRef};

use crate::{SqliteStore, begin_read, errors};

/// An open read transaction over the whole database: every call sees the same snapshot.
#[derive(Debug)]
pub struct Export {
    tx: Transaction<'static, Sqlite>,
}

impl SqliteStore {
    /// Starts reading the database for a copy. In WAL mode a server may keep writing; the
    /// export sees the database as it was at its first read.
    pub async fn export(&self) -> StoreResult<Export> {
        Ok(Export {
            tx: begin_read(&self.reader).await?,
        })
    }
}

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Export {
    /// The schema's tables (not SQLite's own nor sqlx's migration record), by name.
    pub async fn tables(&mut self) -> StoreResult<Vec<String>> {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' \
             ORDER BY name",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(errors::ctx("list the tables"))
    }

    /// The stored (not generated) columns of `table`, in declaration order.
    pub async fn columns(&mut self, table: &str) -> StoreResult<Vec<String>> {
        // pragma_table_info leaves out generated columns (pragma_table_xinfo shows them).
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(errors::ctx("list a table's columns"))
    }

    pub async fn count(&mut self, table: &str) -> StoreResult<i64> {
        sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quoted(table)
        )))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(errors::ctx("count a table's rows"))
    }

    /// Up to `limit` rows of `table` whose rowid is above `after`, in rowid order (insertion
    /// order for these tables), with the last rowid read (`None` when there were no more).
    pub async fn chunk(
        &mut self,
        table: &str,
        columns: &[String],
        after: i64,
        limit: i64,
    ) -> StoreResult<(TableChunk, Option<i64>)> {
        let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
        let sql = format!(
            "SELECT rowid, {} FROM {} WHERE rowid > ? ORDER BY rowid LIMIT ?",
            list.join(", "),
            quoted(table)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(errors::ctx("read a table's rows"))?;
        let mut last = None;
        let mut cells = Vec::with_capacity(rows.len());
        for row in &rows {
            last = Some(
                row.try_get::<i64, _>(0)
                    .map_err(errors::ctx("read a rowid"))?,
            );
            let mut out = Vec::with_capacity(columns.len());
            for i in 1..=columns.len() {
                out.push(cell(row, i)?);
            }
            cells.push(out);
        }
        Ok((
            TableChunk {
                columns: columns.to_vec(),
                rows: cells,
            },
            last,
        ))
    }
}

/// The value at `i` by its own storage class.
fn cell(row: &sqlx::sqlite::SqliteRow, i: usize) -> StoreResult<Cell> {
    let raw = row.try_get_raw(i).map_err(errors::ctx("read a value"))?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let class = raw.type_info().name().to_owned();
    let read = errors::ctx("decode a value");
    Ok(match class.as_str() {
        "INTEGER" => Cell::Integer(row.try_get_unchecked(i).map_err(read)?),
        "REAL" => Cell::Real(row.try_get_unchecked(i).map_err(read)?),
        "TEXT" => Cell::Text(row.try_get_unchecked(i).map_err(read)?),
        "BLOB" => Cell::Blob(row.try_get_unchecked(i).map_err(read)?),
        other => {
            return Err(StoreError::corrupt(format!(
                "a value of unknown storage class {other}"
            )));
        }
    })
}

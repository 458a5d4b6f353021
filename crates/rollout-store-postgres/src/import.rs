//! Loading whole tables into a freshly migrated database in one transaction, for
//! `rollout migrate-data` (issue 15): the tables in foreign-key order, whether any holds
//! rows, a bulk insert of neutral [`Cell`]s (one `INSERT … SELECT FROM UNNEST` of text arrays
//! per chunk, each column cast to its own type here: uuid, timestamptz, date, boolean from
//! 0/1, jsonb from JSON text, arrays from JSON arrays), and identity sequences moved past the
//! copied ids. Nothing is visible to others until [`Import::commit`]; dropping an `Import`
//! rolls everything back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rollout_store::table_copy::TableChunk;
use rollout_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Postgres, Transaction};

use crate::{PgStore, errors};

/// Tables whose rows a migration inserts (0006 seeds the graph version's one row): they do not
/// make a target "not empty", and their seeded rows are replaced by the source's.
const SEEDED: &[&str] = &["graph_version"];

/// How a target column takes a value given as text.
#[derive(Debug, Clone)]
struct Column {
    /// `format_type` of the column (`uuid`, `timestamp with time zone`, `text[]`, …).
    sql_type: String,
    /// The element type of an array column, which the source holds as a JSON array.
    element: Option<String>,
    identity: bool,
    generated: bool,
}

/// An open write transaction on the target.
#[derive(Debug)]
pub struct Import {
    tx: Transaction<'static, Postgres>,
    columns: HashMap<String, HashMap<String, Column>>,
}

impl PgStore {
    /// Starts loading this database. Nothing is visible to others until `commit`.
    pub async fn import(&self) -> StoreResult<Import> {
        let tx = self
            .pool
            .begin()
            .await
            .map_err(errors::db("begin the import"))?;
        Ok(Import {
            tx,
            columns: HashMap::new(),
        })
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Import {
    /// The schema's tables (not sqlx's migration record), parents before the tables whose
    /// foreign keys point at them, alphabetical among equals.
    pub async fn tables(&mut self) -> StoreResult<Vec<String>> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(errors::db("list the tables"))?;
        let edges: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c \
             WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(errors::db("list the foreign keys"))?;
        parents_first(&names, &edges)
    }

    /// The tables that hold rows no migration put there, with their counts: a target that
    /// has any is not empty.
    pub async fn non_empty(&mut self) -> StoreResult<Vec<(String, i64)>> {
        let mut found = Vec::new();
        for table in self.tables().await? {
            if SEEDED.contains(&table.as_str()) {
                continue;
            }
            let n = self.count(&table).await?;
            if n > 0 {
                found.push((table, n));
            }
        }
        Ok(found)
    }

    /// Removes the rows migrations seeded, which the copy brings from the source.
    pub async fn clear_seeded(&mut self) -> StoreResult<()> {
        for table in SEEDED {
            sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", quoted(table))))
                .execute(&mut *self.tx)
                .await
                .map_err(errors::db("clear a seeded table"))?;
        }
        Ok(())
    }

    pub async fn count(&mut self, table: &str) -> StoreResult<i64> {
        sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quoted(table)
        )))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(errors::db("count a table's rows"))
    }

    async fn columns_of(&mut self, table: &str) -> StoreResult<&HashMap<String, Column>> {
        if !self.columns.contains_key(table) {
            let rows: Vec<(String, String, Option<String>, bool, bool)> = sqlx::query_as(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), \
                        CASE WHEN t.typcategory = 'A' THEN format_type(t.typelem, NULL) END, \
                        a.attidentity <> '', a.attgenerated <> '' \
                 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
                 WHERE a.attrelid = quote_ident($1)::regclass AND a.attnum > 0 \
                   AND NOT a.attisdropped",
            )
            .bind(table)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(errors::db("read a table's columns"))?;
            let columns = rows
                .into_iter()
                .map(|(name, sql_type, element, identity, generated)| {
                    let column = Column {
                        sql_type,
                        element,
                        identity,
                        generated,
                    };
                    (name, column)
                })
                .collect();
            self.columns.insert(table.to_owned(), columns);
        }
        Ok(&self.columns[table])
    }

    /// Inserts `chunk` into `table`, converting each text cell to its column's type. Values of
    /// identity columns are kept (`OVERRIDING SYSTEM VALUE`); generated columns are computed.
    pub async fn insert(&mut self, table: &str, chunk: &TableChunk) -> StoreResult<u64> {
        if chunk.rows.is_empty() {
            return Ok(0);
        }
        let target = self.columns_of(table).await?.clone();
        let mut names = Vec::new();
        let mut casts = Vec::new();
        let mut arrays: Vec<Vec<Option<String>>> = Vec::new();
        let mut overriding = false;
        for (i, name) in chunk.columns.iter().enumerate() {
            let column = target.get(name).ok_or_else(|| {
                StoreError::corrupt(format!("the target's {table} has no column {name}"))
            })?;
            if column.generated {
                continue;
            }
            overriding |= column.identity;
            let param = format!("u.c{}", arrays.len());
            casts.push(match &column.element {
                Some(element) => format!(
                    "CASE WHEN {param} IS NULL THEN NULL ELSE \
                     ARRAY(SELECT jsonb_array_elements_text({param}::jsonb))::{element}[] END"
                ),
                None => format!("{param}::{}", column.sql_type),
            });
            names.push(quoted(name));
            arrays.push(chunk.rows.iter().map(|row| row[i].to_text()).collect());
        }
        let params: Vec<String> = (1..=arrays.len())
            .map(|n| format!("${n}::text[]"))
            .collect();
        let aliases: Vec<String> = (0..arrays.len()).map(|n| format!("c{n}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) {} SELECT {} FROM UNNEST({}) AS u({})",
            quoted(table),
            names.join(", "),
            if overriding {
                "OVERRIDING SYSTEM VALUE"
            } else {
                ""
            },
            casts.join(", "),
            params.join(", "),
            aliases.join(", "),
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for values in arrays {
            query = query.bind(values);
        }
        let done = query
            .execute(&mut *self.tx)
            .await
            .map_err(|e| StoreError::internal(format!("load the rows of {table}"), e))?;
        Ok(done.rows_affected())
    }

    /// Moves every identity (and serial) sequence past the largest copied id, so that the next
    /// row the server inserts does not collide with a copied one. Returns `table.column` of
    /// each sequence moved.
    pub async fn reset_identities(&mut self) -> StoreResult<Vec<String>> {
        let sequenced: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() \
               AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL \
             ORDER BY 1, 2",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(errors::db("list the identity columns"))?;
        let mut moved = Vec::new();
        for (table, column) in sequenced {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                 COALESCE(MAX({c}), 0) + 1, false) FROM {t}",
                c = quoted(&column),
                t = quoted(&table)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(quoted(&table))
                .bind(&column)
                .execute(&mut *self.tx)
                .await
                .map_err(errors::db("move an identity sequence"))?;
            moved.push(format!("{table}.{column}"));
        }
        Ok(moved)
    }

    /// Makes the whole load visible at once.
    pub async fn commit(self) -> StoreResult<()> {
        self.tx
            .commit()
            .await
            .map_err(errors::db("commit the import"))
    }
}

/// `names` ordered so that every table comes after the tables it refers to (`edges` are
/// (child, parent) pairs); alphabetical where the keys leave a choice. Self-references are
/// ignored; a cycle is an error (the load would need deferred constraints).
fn parents_first(names: &[String], edges: &[(String, String)]) -> StoreResult<Vec<String>> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = names
        .iter()
        .map(|n| (n.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in edges {
        if child != parent
            && waiting.contains_key(parent.as_str())
            && let Some(parents) = waiting.get_mut(child.as_str())
        {
            parents.insert(parent.as_str());
        }
    }
    let mut order = Vec::with_capacity(names.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, parents)| parents.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            let left: Vec<&str> = waiting.keys().copied().collect();
            return Err(StoreError::corrupt(format!(
                "the foreign keys between {} form a cycle",
                left.join(", ")
            )));
        }
        for name in ready {
            waiting.remove(name);
            for parents in waiting.values_mut() {
                parents.remove(name);
            }
            order.push(name.to_owned());
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first() {
        let names: Vec<String> = ["votes", "users", "requests", "bureaus", "notes"]
            .map(String::from)
            .to_vec();
        let edge = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        let edges = vec![
            edge("votes", "requests"),
            edge("votes", "users"),
            edge("requests", "users"),
            edge("users", "bureaus"),
            edge("users", "users"),
        ];
        assert_eq!(
            parents_first(&names, &edges).unwrap(),
            ["bureaus", "notes", "users", "requests", "votes"]
        );
        let cycle = vec![edge("users", "requests"), edge("requests", "users")];
        assert!(parents_first(&names, &cycle).is_err());
    }
}

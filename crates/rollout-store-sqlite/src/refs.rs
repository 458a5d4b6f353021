//! Naming the missing row behind a foreign-key violation. SQLite reports only that some
//! reference failed, not which, so after the failed statement (which SQLite undoes by itself,
//! leaving the transaction usable) the candidates are looked up in the same transaction, in the
//! order the caller lists them. Classifying errors is [`crate::errors`]' job; this module only
//! runs the look-ups.

use rollout_store::StoreError;
use sqlx::{AssertSqlSafe, SqliteConnection};
use uuid::Uuid;

use crate::errors;
use crate::rows::uuid;

/// A reference a statement made: the entity named in `NotFound`, its table, and the id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ref {
    pub entity: &'static str,
    pub table: &'static str,
    pub id: Uuid,
}

impl Ref {
    pub(crate) fn user(id: Uuid) -> Self {
        Self {
            entity: "user",
            table: "users",
            id,
        }
    }
    pub(crate) fn bureau(id: Uuid) -> Self {
        Self {
            entity: "bureau",
            table: "bureaus",
            id,
        }
    }
    pub(crate) fn procedure(id: Uuid) -> Self {
        Self {
            entity: "procedure",
            table: "procedures",
            id,
        }
    }
}

/// `NotFound` for the first of `refs` that does not exist, when `e` is a foreign-key violation;
/// otherwise (or if every reference exists after all) `e` mapped with `context`.
pub(crate) async fn missing(
    conn: &mut SqliteConnection,
    e: sqlx::Error,
    context: &str,
    refs: &[Ref],
) -> StoreError {
    if !errors::is_foreign_key_violation(&e) {
        return errors::from_sqlx(context, e);
    }
    for r in refs {
        // Table names come from the `Ref` constructors above, never from input.
        let sql = format!("SELECT 1 FROM {} WHERE id = ?", r.table);
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(uuid(r.id))
            .fetch_optional(&mut *conn)
            .await;
        match found {
            Ok(Some(_)) => {}
            Ok(None) => return errors::not_found(r.entity, r.id),
            Err(lookup) => return errors::from_sqlx("look up a missing reference", lookup),
        }
    }
    errors::from_sqlx(context, e)
}

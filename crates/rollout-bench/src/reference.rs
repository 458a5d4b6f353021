//! The reference: what the database itself does with the same work, issued straight through
//! sqlx with no HTTP, GraphQL, authentication or workflow in between, at the same concurrency.
//!
//! - a transition's transaction as the issue defines it: compare-and-set `UPDATE` of one
//!   procedure plus one `transition_records` insert; and the same with the `audit_log` insert
//!   the product also makes in that transaction (the honest comparison);
//! - the point read `SELECT <procedure columns> FROM procedures WHERE code = $1`.
//!
//! SQLite is opened as the product opens it (WAL, `synchronous = FULL`, foreign keys, busy
//! timeout, `BEGIN IMMEDIATE`) and, like the product, writes through one connection shared by
//! all clients: SQLite has one write lock, and clients with their own connections would only
//! sleep in the busy handler. Reads get one connection per client. PostgreSQL gets one
//! connection per client for both.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Row, SqlitePool};
use uuid::Uuid;

use crate::load::Op;

/// The store's point read: every column of one procedure by its unique code.
const BY_CODE: &str = "SELECT id, code, name, name_en, bureau_id, category, authority, \
    annual_applications, process_count, platform, target_quarter, released_on, state, version, \
    created_at, updated_at FROM procedures WHERE code = $1";
const ACTOR: &str = "bench@rollout.local";

/// Connections to one database, shaped for `clients` concurrent clients.
#[derive(Debug, Clone)]
pub enum Pools {
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

impl Pools {
    pub async fn open(url: &str, clients: usize) -> anyhow::Result<Self> {
        let size = u32::try_from(clients.max(1))?;
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("invalid SQLite URL {url}"))?
                .foreign_keys(true)
                .synchronous(SqliteSynchronous::Full)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5));
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .connect_with(options.clone())
                .await
                .context("cannot open the SQLite reference writer")?;
            let reader = SqlitePoolOptions::new()
                .max_connections(size)
                .min_connections(size)
                .connect_with(options.pragma("query_only", "ON"))
                .await
                .context("cannot open the SQLite reference readers")?;
            return Ok(Self::Sqlite { writer, reader });
        }
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .min_connections(size)
            .connect(url)
            .await
            .with_context(|| "cannot open the PostgreSQL reference connections".to_owned())?;
        Ok(Self::Postgres(pool))
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite { writer, reader } => {
                writer.close().await;
                reader.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }

    /// The current id, state and version of the procedure with `code`.
    pub async fn current(&self, code: &str) -> anyhow::Result<RefProcedure> {
        let sql = "SELECT id, state, version FROM procedures WHERE code = $1";
        let (id, state, version) = match self {
            Self::Sqlite { reader, .. } => {
                let row = sqlx::query(sql).bind(code).fetch_one(reader).await?;
                let id: String = row.try_get("id")?;
                (
                    Uuid::parse_str(&id)?,
                    row.try_get("state")?,
                    row.try_get("version")?,
                )
            }
            Self::Postgres(pool) => {
                let row = sqlx::query(sql).bind(code).fetch_one(pool).await?;
                (
                    row.try_get("id")?,
                    row.try_get("state")?,
                    row.try_get("version")?,
                )
            }
        };
        Ok(RefProcedure { id, state, version })
    }
}

/// A procedure as the reference client tracks it.
#[derive(Debug, Clone)]
pub struct RefProcedure {
    pub id: Uuid,
    pub state: String,
    pub version: i32,
}

/// The transition transaction, round robin over the client's own procedures.
#[derive(Debug)]
pub struct RefTransitionOp {
    pub pools: Pools,
    pub procedures: Vec<RefProcedure>,
    pub next: usize,
    /// Also insert the audit entry, as the product does.
    pub with_audit: bool,
}

/// SQLite's instant encoding in the product: fixed-width RFC 3339 with microseconds, UTC.
fn sqlite_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Op for RefTransitionOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let i = self.next % self.procedures.len();
        self.next += 1;
        let p = &mut self.procedures[i];
        let to = if p.state == "scheduled" {
            "hearing"
        } else {
            "scheduled"
        };
        let transition = if to == "hearing" {
            "reopen_hearing"
        } else {
            "schedule"
        };
        let now = Utc::now();
        let snapshot = |state: &str, version: i32| {
            json!({ "id": p.id.to_string(), "state": state, "version": version,
                    "code": "REFERENCE-0001", "name": "参照手続", "category": "STANDARD",
                    "authority": "TOKYO", "processCount": 1, "targetQuarter": "FY2026-Q3" })
            .to_string()
        };
        let (before, after) = (snapshot(&p.state, p.version), snapshot(to, p.version + 1));
        let updated = match &self.pools {
            Pools::Sqlite { writer, .. } => {
                let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
                let at = sqlite_instant(now);
                let n = sqlx::query(
                    "UPDATE procedures SET state = $1, version = version + 1, updated_at = $2 \
                     WHERE id = $3 AND version = $4",
                )
                .bind(to)
                .bind(&at)
                .bind(p.id.to_string())
                .bind(p.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    sqlx::query(
                        "INSERT INTO transition_records (id, procedure_id, from_state, to_state, \
                         transition, actor, comment, at, workflow_version, procedure_version, \
                         approval_request_id) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, NULL)",
                    )
                    .bind(Uuid::now_v7().to_string())
                    .bind(p.id.to_string())
                    .bind(&p.state)
                    .bind(to)
                    .bind(transition)
                    .bind(ACTOR)
                    .bind(&at)
                    .bind("tokyo-digitisation@1")
                    .bind(p.version + 1)
                    .execute(&mut *tx)
                    .await?;
                    if self.with_audit {
                        sqlx::query(
                            "INSERT INTO audit_log (id, at, actor_id, actor, on_behalf_of, action, \
                             target_type, target_id, \"before\", \"after\", outcome, request_id, \
                             client_addr) VALUES ($1, $2, NULL, $3, NULL, 'procedure.transition', \
                             'Procedure', $4, $5, $6, 'SUCCESS', $7, '127.0.0.1')",
                        )
                        .bind(Uuid::now_v7().to_string())
                        .bind(&at)
                        .bind(ACTOR)
                        .bind(p.id.to_string())
                        .bind(&before)
                        .bind(&after)
                        .bind(Uuid::new_v4().to_string())
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                }
                n
            }
            Pools::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE procedures SET state = $1, version = version + 1, updated_at = $2 \
                     WHERE id = $3 AND version = $4",
                )
                .bind(to)
                .bind(now)
                .bind(p.id)
                .bind(p.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    sqlx::query(
                        "INSERT INTO transition_records (id, procedure_id, from_state, to_state, \
                         transition, actor, comment, at, workflow_version, procedure_version, \
                         approval_request_id) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, NULL)",
                    )
                    .bind(Uuid::now_v7())
                    .bind(p.id)
                    .bind(&p.state)
                    .bind(to)
                    .bind(transition)
                    .bind(ACTOR)
                    .bind(now)
                    .bind("tokyo-digitisation@1")
                    .bind(p.version + 1)
                    .execute(&mut *tx)
                    .await?;
                    if self.with_audit {
                        sqlx::query(
                            "INSERT INTO audit_log (id, at, actor_id, actor, on_behalf_of, action, \
                             target_type, target_id, before, after, outcome, request_id, \
                             client_addr) VALUES ($1, $2, NULL, $3, NULL, 'procedure.transition', \
                             'Procedure', $4, $5::jsonb, $6::jsonb, 'SUCCESS', $7, '127.0.0.1')",
                        )
                        .bind(Uuid::now_v7())
                        .bind(now)
                        .bind(ACTOR)
                        .bind(p.id.to_string())
                        .bind(&before)
                        .bind(&after)
                        .bind(Uuid::new_v4().to_string())
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                }
                n
            }
        };
        if updated != 1 {
            let fresh = self.pools.current_by_id(p.id).await?;
            let stale = p.version;
            *p = fresh;
            bail!("version {stale} of {} was stale", p.id);
        }
        p.version += 1;
        p.state = to.to_owned();
        Ok(())
    }
}

impl Pools {
    async fn current_by_id(&self, id: Uuid) -> anyhow::Result<RefProcedure> {
        let sql = "SELECT state, version FROM procedures WHERE id = $1";
        let (state, version): (String, i32) = match self {
            Self::Sqlite { reader, .. } => {
                sqlx::query_as(sql)
                    .bind(id.to_string())
                    .fetch_one(reader)
                    .await?
            }
            Self::Postgres(pool) => sqlx::query_as(sql).bind(id).fetch_one(pool).await?,
        };
        Ok(RefProcedure { id, state, version })
    }
}

/// The point read, for codes drawn at random with the same seeds as the HTTP clients.
#[derive(Debug)]
pub struct RefPointReadOp {
    pub pools: Pools,
    pub codes: Arc<Vec<String>>,
    pub rng: SmallRng,
}

impl RefPointReadOp {
    pub fn new(pools: Pools, codes: Arc<Vec<String>>, seed: u64) -> Self {
        Self {
            pools,
            codes,
            rng: SmallRng::seed_from_u64(seed),
        }
    }
}

impl Op for RefPointReadOp {
    async fn call(&mut self) -> anyhow::Result<()> {
        let code = &self.codes[self.rng.random_range(0..self.codes.len())];
        let version: i32 = match &self.pools {
            Pools::Sqlite { reader, .. } => {
                let row = sqlx::query(BY_CODE)
                    .bind(code)
                    .fetch_optional(reader)
                    .await?;
                row.context("not found")?.try_get("version")?
            }
            Pools::Postgres(pool) => {
                let row = sqlx::query(BY_CODE).bind(code).fetch_optional(pool).await?;
                row.context("not found")?.try_get("version")?
            }
        };
        if version < 1 {
            bail!("procedure {code} has version {version}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_instants_are_fixed_width_utc_with_microseconds() {
        let t = DateTime::parse_from_rfc3339("2026-04-01T09:30:00.5+09:00")
            .expect("valid instant")
            .with_timezone(&Utc);
        assert_eq!(sqlite_instant(t), "2026-04-01T00:30:00.500000Z");
    }
}

//! The only ways the end-to-end tests reach behind the API, each for something no client can do:
//! storing a token that has already expired (the API refuses an expiry in the past, and waiting
//! for one to pass would make the test depend on timing), and running raw SQL against the
//! audit table to prove that the database itself refuses to rewrite it.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::token::ApiToken;
use rollout_domain::{AuditEntryId, TokenId, UserId};
use rollout_store::IdentityStore;
use rollout_store_postgres::PgStore;
use rollout_store_sqlite::SqliteStore;
use uuid::Uuid;

use super::{Backend, TestServer, uuid_of};

impl TestServer {
    /// Stores an API token of the user `user_id` (a global ID) that expires at `expires_at`,
    /// through the same store the server uses, and returns its secret.
    pub async fn insert_token(&self, user_id: &str, expires_at: DateTime<Utc>) -> String {
        // Whole seconds, which both backends store exactly.
        let expires_at = expires_at.trunc_subsecs(0);
        let issued = rollout_auth::generate_secret();
        let token = ApiToken {
            id: TokenId(Uuid::now_v7()),
            user_id: UserId(uuid_of("User", user_id)),
            name: "inserted by the test".to_owned(),
            prefix: issued.prefix.clone(),
            created_at: expires_at - TimeDelta::days(30),
            expires_at: Some(expires_at),
            last_used_at: None,
            revoked_at: None,
        };
        let audit = AuditEntry {
            id: AuditEntryId(Uuid::now_v7()),
            at: Utc::now(),
            actor_id: None,
            actor: "system:e2e".to_owned(),
            on_behalf_of: None,
            action: "token.create".to_owned(),
            target_type: "ApiToken".to_owned(),
            target_id: Some(token.id.0.to_string()),
            before: None,
            after: None,
            outcome: AuditOutcome::Success,
            request_id: None,
            client_addr: None,
        };
        let stored = match self.backend {
            Backend::Sqlite => {
                let store = SqliteStore::connect(&self.database_url)
                    .await
                    .expect("open the SQLite database");
                let stored = store.create_token(&token, &issued.hash, &audit).await;
                store.close().await;
                stored
            }
            Backend::Postgres => {
                let store = PgStore::connect(&self.database_url)
                    .await
                    .expect("connect to the PostgreSQL database");
                let stored = store.create_token(&token, &issued.hash, &audit).await;
                store.close().await;
                stored
            }
        };
        let stored = stored.unwrap_or_else(|e| panic!("storing the token failed: {e}"));
        assert_eq!(stored.expires_at, Some(expires_at));
        issued.secret.expose().to_owned()
    }

    /// Runs one SQL statement on a connection of its own; `Ok(rows affected)` or the database's
    /// error message.
    pub async fn raw_sql(&self, sql: &str) -> Result<u64, String> {
        let statement = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database_url)
                    .await
                    .expect("open the SQLite database");
                let result = sqlx::query(statement).execute(&pool).await;
                pool.close().await;
                result.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database_url)
                    .await
                    .expect("connect to the PostgreSQL database");
                let result = sqlx::query(statement).execute(&pool).await;
                pool.close().await;
                result.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            }
        }
    }
}

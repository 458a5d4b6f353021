//! The scenario on SQLite: one server (killed and restarted) and two run-once processes on
//! one database file.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::{Firings, scenario};

#[test]
fn a_server_and_two_run_once_processes_fire_each_tick_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite:{}/rollout.db", dir.path().display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let read = |rule: &str| -> Firings {
        rt.block_on(async {
            let pool = SqlitePool::connect(&db_url).await.unwrap();
            let ticks: Vec<String> = sqlx::query_scalar(
                "SELECT f.tick_at FROM reminder_firings f JOIN reminder_rules r ON r.id = f.rule_id WHERE r.name = ?",
            )
            .bind(rule)
            .fetch_all(&pool)
            .await
            .unwrap();
            let per_firing: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT count(n.id), count(DISTINCT n.user_id) FROM reminder_firings f \
                 JOIN reminder_rules r ON r.id = f.rule_id \
                 LEFT JOIN notifications n ON n.firing_id = f.id WHERE r.name = ? GROUP BY f.id",
            )
            .bind(rule)
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            let ticks = ticks
                .iter()
                .map(|t| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc))
                .collect();
            Firings { ticks, per_firing }
        })
    };
    scenario(&db_url, 1, &read);
}

//! The scenario on PostgreSQL: three replicas and two run-once processes on one database.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{Firings, scenario};

#[test]
fn three_replicas_and_two_run_once_processes_fire_each_tick_once() {
    let Some(admin) = rollout_store_postgres::testing::admin_url_from_env() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Dropped at the end, which drops the database.
    let db = rt
        .block_on(rollout_store_postgres::testing::TestDatabase::create(
            &admin,
        ))
        .expect("a test database on ROLLOUT_TEST_POSTGRES_URL");
    let db_url = db.url().to_owned();
    let read = |rule: &str| -> Firings {
        rt.block_on(async {
            let pool = PgPool::connect(&db_url).await.unwrap();
            let ticks: Vec<DateTime<Utc>> = sqlx::query_scalar(
                "SELECT f.tick_at FROM reminder_firings f JOIN reminder_rules r ON r.id = f.rule_id WHERE r.name = $1",
            )
            .bind(rule)
            .fetch_all(&pool)
            .await
            .unwrap();
            let per_firing: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT count(n.id), count(DISTINCT n.user_id) FROM reminder_firings f \
                 JOIN reminder_rules r ON r.id = f.rule_id \
                 LEFT JOIN notifications n ON n.firing_id = f.id WHERE r.name = $1 GROUP BY f.id",
            )
            .bind(rule)
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            Firings { ticks, per_firing }
        })
    };
    scenario(&db_url, 3, &read);
    drop(db);
}

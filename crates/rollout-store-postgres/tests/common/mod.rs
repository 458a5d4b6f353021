//! What every integration test of this crate shares: the admin URL from the environment and a
//! fresh test database per test.

use rollout_store_postgres::testing::TestDatabase;

pub const URL_VAR: &str = "ROLLOUT_TEST_POSTGRES_URL";

/// The admin URL, or `None` (after saying so) when PostgreSQL tests are not configured.
pub fn admin_url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) => Some(url),
        Err(_) => {
            eprintln!("{test}: PostgreSQL tests skipped, {URL_VAR} is not set");
            None
        }
    }
}

/// A fresh, migrated database. With the URL set, failing to create one (an unreachable server
/// included) fails the test rather than skipping it.
pub async fn database(test: &str) -> Option<TestDatabase> {
    let admin_url = admin_url(test)?;
    Some(
        TestDatabase::create(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database through {URL_VAR}: {e:?}")),
    )
}

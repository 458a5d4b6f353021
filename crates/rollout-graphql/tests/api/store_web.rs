//! The counting store's forwarding of the web session reads (issue 14): each call is counted and
//! fails during an outage. The writes go through `commit`, forwarded with the evidence.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rollout_domain::UserId;
use rollout_domain::reminders::Language;
use rollout_domain::web_session::WebSession;
use rollout_store::{StoreResult, WebStore};

use crate::store::CountingStore;

#[async_trait]
impl WebStore for CountingStore {
    async fn web_session(&self, id_hash: &str) -> StoreResult<Option<WebSession>> {
        self.call("web_session")?;
        self.inner().web_session(id_hash).await
    }
    async fn user_language(&self, user: UserId) -> StoreResult<Option<Language>> {
        self.call("user_language")?;
        self.inner().user_language(user).await
    }
    async fn web_sessions_of(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<WebSession>> {
        self.call("web_sessions_of")?;
        self.inner().web_sessions_of(user, now).await
    }
}

//! A person's own side of reminders: their notifications (read, marked read), the items they
//! snooze and the language they read reminders (and the web dashboard) in. Everyone signed in
//! may do these for themselves and nobody for anyone else: the user comes from the actor, never
//! from input. The one exception is [`App::language_of`], a read for rendering a page in its
//! reader's language.

use chrono::NaiveDate;
use rollout_domain::reminders::records::Snooze;
use rollout_domain::reminders::{Language, Notification};
use rollout_domain::{FiringId, NotificationId, UserId};
use rollout_store::{NotificationQuery, Write};

use crate::{Actor, App, AppError, AppResult};

/// The most notifications one page returns.
pub const MAX_NOTIFICATION_PAGE: usize = 100;
/// The longest snooze: a year.
pub const MAX_SNOOZE_DAYS: i64 = 366;

fn me(actor: &Actor) -> AppResult<UserId> {
    actor
        .user
        .as_ref()
        .map(|u| u.id)
        .ok_or_else(|| AppError::Unauthenticated {
            message: "notifications belong to a signed-in user".into(),
        })
}

impl App {
    /// A page of the actor's notifications, newest first.
    pub async fn my_notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        before: Option<(chrono::DateTime<chrono::Utc>, NotificationId)>,
        first: usize,
    ) -> AppResult<Vec<Notification>> {
        if first > MAX_NOTIFICATION_PAGE {
            return Err(AppError::validation(
                "first",
                format!("at most {MAX_NOTIFICATION_PAGE} notifications per page"),
            ));
        }
        let query = NotificationQuery {
            user_id: me(actor)?,
            unread_only,
            before,
            limit: first,
        };
        Ok(self.store().notifications(&query).await?)
    }

    pub async fn my_unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        Ok(self.store().unread_notifications(me(actor)?).await?)
    }

    /// The actor's notification of a firing, if they got one (for `notificationAdded`).
    pub async fn my_firing_notifications(
        &self,
        actor: &Actor,
        firing: FiringId,
    ) -> AppResult<Vec<Notification>> {
        Ok(self
            .store()
            .firing_notifications(firing, me(actor)?)
            .await?)
    }

    /// Marks the actor's notifications read (those in `ids`, or all); others' are untouched.
    pub async fn mark_my_notifications_read(
        &self,
        actor: &Actor,
        ids: Option<&[NotificationId]>,
    ) -> AppResult<u64> {
        let user = me(actor)?;
        Ok(self
            .store()
            .mark_notifications_read(user, ids, self.now())
            .await?)
    }

    /// Snoozes an item (`task:<id>`, `procedure:<id>`…) for the actor until `until`
    /// (inclusive): no rule reminds them of it until the day after.
    pub async fn snooze_item(
        &self,
        actor: &Actor,
        item_key: String,
        until: NaiveDate,
    ) -> AppResult<Snooze> {
        let user = me(actor)?;
        let key = item_key.trim().to_owned();
        let known = [
            "task:",
            "procedure:",
            "approval:",
            "law_change:",
            "milestone:",
            "report:",
        ];
        if key.len() > 80 || !known.iter().any(|p| key.starts_with(p)) {
            return Err(AppError::validation(
                "itemKey",
                "an item key is what a notification's line gives, e.g. task:<id>",
            ));
        }
        let today = self.today();
        if until < today || (until - today).num_days() > MAX_SNOOZE_DAYS {
            return Err(AppError::validation(
                "until",
                format!("snooze until a day from today to {MAX_SNOOZE_DAYS} days ahead"),
            ));
        }
        let snooze = Snooze {
            user_id: user,
            item_key: key,
            until,
            created_at: self.now(),
        };
        self.store()
            .commit(&[Write::Snooze(snooze.clone())])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(snooze)
    }

    /// Sets the language the actor reads reminders and the web dashboard in. A preference, not
    /// audited.
    pub async fn set_my_language(&self, actor: &Actor, language: Language) -> AppResult<Language> {
        let user_id = me(actor)?;
        self.store()
            .commit(&[Write::SetLanguage { user_id, language }])
            .await
            .map_err(|e| AppError::from(e.error))?;
        Ok(language)
    }

    /// The actor's language (Japanese until they choose).
    pub async fn my_language(&self, actor: &Actor) -> AppResult<Language> {
        let user = me(actor)?;
        Ok(self.language_of(user).await?.unwrap_or_default())
    }

    /// The language `user` chose, `None` until they choose one (the web dashboard then follows
    /// the browser). Not a permission question: a page is rendered in its reader's language.
    pub async fn language_of(&self, user: UserId) -> AppResult<Option<Language>> {
        Ok(self.store().user_language(user).await?)
    }
}

//! Reminders (issue 12): rule management (`rules`), firing due ticks exactly once
//! (`fire`, `compose`), a person's notifications, snoozes and language (`inbox`), the outbox
//! as the delivery worker and operators see it (`outbox`), and webhook endpoints (`webhooks`).
//! The scheduler loop and the channels (SMTP, HTTP) live in `rollout-scheduler`; the rules of
//! timing, selection and digests in `rollout_domain::reminders`.

mod compose;
mod fire;
mod inbox;
mod outbox;
mod rules;
mod timing_glue;
mod webhooks;

pub use fire::{FireReport, RULE_LEASE};
pub use inbox::{MAX_NOTIFICATION_PAGE, MAX_SNOOZE_DAYS};
pub use outbox::{DELIVERY_LEASE, RuleStatus, SchedulerStatus, next_fire_of};
pub use rules::{DEFAULT_TIME_ZONE, MAX_PREVIEW, RuleDefinition};
pub use timing_glue::{CATCH_UP_WINDOW, GRACE};
pub use webhooks::{EndpointInput, ROTATION_GRACE};

#[cfg(test)]
mod fire_tests;

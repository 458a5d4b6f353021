//! Reminders (issue 12): rules on cron schedules in a time zone, the Japanese business-day
//! calendar, when a rule's ticks are due (holiday and misfire policies), which items each kind
//! of rule selects, and how items become one digest per recipient in their language. All pure:
//! "now", the facts and the ids are parameters.

pub mod calendar;
pub mod digest;
pub mod item;
mod merge;
pub mod records;
pub mod render;
pub mod rule;
pub mod schedule;
pub mod select;
pub mod timing;

pub use digest::{Digest, Language, Person, Suppressed, digests};
pub use item::{ItemSubject, ReminderItem};
pub use records::{
    Delivery, DeliveryStatus, DeliveryTarget, Firing, Notification, NotificationLine, Snooze,
    WebhookEndpoint,
};
pub use render::{Rendered, render};
pub use rule::{Channel, Recipients, ReminderKind, ReminderRule, ReminderScope};
pub use select::{Facts, LawChangeActivity, Needs, PendingApproval, ProcedureActivity, select};
pub use timing::{HolidayPolicy, MisfirePolicy};

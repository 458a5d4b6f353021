//! Cron reminders: plans, claims and dispatches due work (`scheduler`: the tick loop and the
//! delivery loop every `rollout serve` runs, driven by `rollout-app`'s use cases); the delivery
//! channels (`delivery`: SMTP and signed webhooks), which know nothing of the app.
#![forbid(unsafe_code)]

pub mod delivery;
pub mod scheduler;

pub use scheduler::{Channels, SchedulerSettings, deliver_due, spawn};

//! Cron reminders: plans, claims and dispatches due work; the delivery channels (SMTP, signed
//! webhooks).
#![forbid(unsafe_code)]

pub mod delivery;

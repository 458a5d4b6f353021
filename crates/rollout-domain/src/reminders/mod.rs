//! Reminders (issue 12): rules on cron schedules in a time zone, the Japanese business-day
//! calendar, when a rule's ticks are due (holiday and misfire policies), which items each kind
//! of rule selects, and how items become one digest per recipient. All pure: "now", the facts
//! and the ids are parameters.

pub mod calendar;
mod merge;
pub mod schedule;
pub mod timing;

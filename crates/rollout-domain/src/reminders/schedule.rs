//! Cron schedules with crontab(5) semantics in a time zone.

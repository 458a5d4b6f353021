//! Cron schedules with crontab(5) semantics in a time zone.
//!
//! Users type crontab(5) lines: five fields (`minute hour day-of-month month day-of-week`), or six
//! with seconds first, or one of the `@hourly`…`@yearly` shorthands. The `cron` crate computes
//! the instants, but it reads lines differently, so [`Schedule::parse`] checks every field itself
//! and hands the crate a line it reads the crontab(5) way:
//! - the crate wants seconds first: a five-field line gets `0` seconds;
//! - the crate numbers weekdays 1 = Sunday … 7 = Saturday, crontab 0 (or 7) = Sunday … 6: every
//!   field is expanded here to explicit values, and weekdays renumbered;
//! - the crate ANDs day of month and day of week; crontab(5) ORs them when both are restricted.
//!   Restricted means, as in Vixie cron and cronie, that the field does not start with `*` (so
//!   `*/2` counts as unrestricted and is ANDed). An OR schedule is kept as two crate schedules
//!   (day of month with any weekday, any day of month with the weekdays) merged in order.
//!
//! Refused with a [`ScheduleError`] naming the field and the bad part: Quartz extensions (`?`, `L`,
//! `W`, `#`), a seventh (year) field, out-of-range values, backwards ranges, zero steps, and day
//! and month combinations that never occur (`0 0 30 2 *`).
//!
//! The time zone is an IANA name (the app passes `Asia/Tokyo` by default). Around daylight-saving
//! changes the crate skips local times that do not exist and fires twice at those that occur
//! twice; Japan has had no daylight-saving time since 1951. The crate knows years 1970 to 2100:
//! iteration ends there.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::merge::{Merged, Stream};

/// Why an expression or time zone was refused; the message is meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Neither five nor six fields (nor a shorthand).
    #[error(
        "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got {0}"
    )]
    FieldCount(usize),
    /// Seven fields: the crate's year field, which crontab(5) does not have.
    #[error(
        "7 fields: a year field is not crontab(5) syntax; give 5 fields, or 6 with seconds first"
    )]
    YearField,
    /// One field is wrong; `field` is its name ("day of week").
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// An `@` shorthand crontab(5) has but that is not a time (`@reboot`), or an unknown one.
    #[error("{0}")]
    Shorthand(String),
    /// Every field is valid but no date matches them all.
    #[error("the schedule never fires: {0}")]
    NeverFires(String),
    /// The `cron` crate refused the line built from valid fields. Not expected: every field is
    /// checked and spelled as explicit values first; kept as an error rather than a panic
    /// because the input is a user's.
    #[error("the cron library refused \"{line}\": {message}")]
    CronLibrary { line: String, message: String },
    /// The time zone is not an IANA name chrono-tz knows.
    #[error("unknown time zone \"{0}\" (expected an IANA name such as Asia/Tokyo)")]
    UnknownTimeZone(String),
}

/// A refused time zone as its error shows it: IANA names are at most about 30 characters, so a
/// longer one is cut, and a message never echoes back a megabyte a client sent.
fn shown_zone(name: &str) -> String {
    const SHOWN: usize = 64;
    match name.char_indices().nth(SHOWN) {
        None => name.to_owned(),
        Some((cut, _)) => format!("{}… ({} characters)", &name[..cut], name.chars().count()),
    }
}

/// A validated cron schedule in a time zone: what a rule's "when" is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    expression: String,
    time_zone: Tz,
    /// One crate schedule, or two whose union is the crontab(5) OR of day of month and weekday.
    parts: Vec<cron::Schedule>,
}

/// One crontab field: its name for messages, its range, and its three-letter names if any.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Where `*` ends: `max`, except for weekdays, whose 7 only respells Sunday (0).
    star_max: u32,
    names: &'static [&'static str],
}

const fn plain(name: &'static str, min: u32, max: u32) -> Field {
    Field {
        name,
        min,
        max,
        star_max: max,
        names: &[],
    }
}

const SECOND: Field = plain("second", 0, 59);
const MINUTE: Field = plain("minute", 0, 59);
const HOUR: Field = plain("hour", 0, 23);
const DAY_OF_MONTH: Field = plain("day of month", 1, 31);
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    star_max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
};
/// 0–7 with both 0 and 7 Sunday, as crontab(5) has it.
const DAY_OF_WEEK: Field = Field {
    name: "day of week",
    min: 0,
    max: 7,
    star_max: 6,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};

impl Schedule {
    /// Parses a crontab(5) line (5 fields, or 6 with seconds first, or `@hourly`, `@daily`,
    /// `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`) in the IANA `time_zone`.
    pub fn parse(expr: &str, time_zone: &str) -> Result<Schedule, ScheduleError> {
        let tz = Tz::from_str(time_zone.trim())
            .map_err(|_| ScheduleError::UnknownTimeZone(shown_zone(time_zone)))?;
        let line = expand_shorthand(expr.trim())?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (sec, rest) = match fields.len() {
            5 => ("0", &fields[..]),
            6 => (fields[0], &fields[1..]),
            7 => return Err(ScheduleError::YearField),
            n => return Err(ScheduleError::FieldCount(n)),
        };
        let seconds = values(&SECOND, sec)?;
        let minutes = values(&MINUTE, rest[0])?;
        let hours = values(&HOUR, rest[1])?;
        let days = values(&DAY_OF_MONTH, rest[2])?;
        let months = values(&MONTH, rest[3])?;
        // The crate numbers Sunday 1 … Saturday 7; 7 (Sunday again) folds onto 0 first.
        let weekdays: BTreeSet<u32> = values(&DAY_OF_WEEK, rest[4])?
            .into_iter()
            .map(|d| d % 7 + 1)
            .collect();
        let restricted = |f: &str| !f.starts_with('*');
        let (dom_restricted, dow_restricted) = (restricted(rest[2]), restricted(rest[4]));

        let time = format!(
            "{} {} {}",
            spelled(sec, &seconds),
            spelled(rest[0], &minutes),
            spelled(rest[1], &hours)
        );
        let month = spelled(rest[3], &months);
        let dom = spelled(rest[2], &days);
        let dow = spelled(rest[4], &weekdays);
        // Whether some month of the field has some day of the field (29 February counts).
        let dates_exist = months
            .iter()
            .any(|&m| days.iter().any(|&d| d <= longest_month(m)));
        let lines = if dom_restricted && dow_restricted {
            let by_weekday = format!("{time} * {month} {dow}");
            if dates_exist {
                vec![format!("{time} {dom} {month} *"), by_weekday]
            } else {
                // `31 2 MON` fires on February's Mondays only; a dead half would cost the crate
                // a search to its last year every time it is asked.
                vec![by_weekday]
            }
        } else if dates_exist {
            vec![format!("{time} {dom} {month} {dow}")]
        } else {
            return Err(ScheduleError::NeverFires(format!(
                "no month in \"{}\" has a day in \"{}\"",
                rest[3], rest[2]
            )));
        };
        let parts = lines
            .iter()
            .map(|l| {
                cron::Schedule::from_str(l).map_err(|e| ScheduleError::CronLibrary {
                    line: l.clone(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Schedule {
            expression: expr.trim().to_owned(),
            time_zone: tz,
            parts,
        })
    }

    /// The expression as the user typed it (trimmed).
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The schedule's time zone; `time_zone().name()` is its IANA name.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The fire instants strictly after `t`, ascending.
    pub fn after(&self, t: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let local = t.with_timezone(&self.time_zone);
        let streams = self
            .parts
            .iter()
            .map(|p| Box::new(p.after(&local).map(|x| x.with_timezone(&Utc))) as Stream<'_>)
            .collect();
        Merged::new(streams, false)
    }

    /// The fire instants strictly before `t`, descending.
    pub fn before(&self, t: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let local = t.with_timezone(&self.time_zone);
        let streams = self
            .parts
            .iter()
            .map(|p| Box::new(p.after(&local).rev().map(|x| x.with_timezone(&Utc))) as Stream<'_>)
            .collect();
        Merged::new(streams, true)
    }

    /// The first `count` fire instants strictly after `after`.
    pub fn next_times(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        self.after(after).take(count).collect()
    }
}

/// crontab(5)'s shorthands as five-field lines; other lines unchanged.
fn expand_shorthand(line: &str) -> Result<&str, ScheduleError> {
    if !line.starts_with('@') {
        return Ok(line);
    }
    match line.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => Ok("0 0 1 1 *"),
        "@monthly" => Ok("0 0 1 * *"),
        "@weekly" => Ok("0 0 * * 0"),
        "@daily" | "@midnight" => Ok("0 0 * * *"),
        "@hourly" => Ok("0 * * * *"),
        "@reboot" => Err(ScheduleError::Shorthand(
            "@reboot runs at start-up, not at a time; reminders need a time".to_owned(),
        )),
        _ => Err(ScheduleError::Shorthand(format!(
            "unknown shorthand \"{line}\" (known: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)"
        ))),
    }
}

/// The longest a month can be (February counts 29: the crate searches leap years too).
fn longest_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A field for the crate: `*` as is, anything else as its explicit values (already renumbered),
/// so that the crate's own reading of ranges, steps and names never comes into play.
fn spelled(text: &str, values: &BTreeSet<u32>) -> String {
    if text == "*" {
        return "*".to_owned();
    }
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The values a crontab field selects: comma-separated `*`, `n`, `a-b`, `*/s`, `a-b/s`, with
/// names where the field has them.
fn values(field: &Field, text: &str) -> Result<BTreeSet<u32>, ScheduleError> {
    let err = |message: String| ScheduleError::Field {
        field: field.name,
        message,
    };
    let mut out = BTreeSet::new();
    for part in text.split(',') {
        if let Some(message) = quartz_extension(part) {
            return Err(err(message));
        }
        let (base, step) = match part.split_once('/') {
            Some((base, step)) => {
                let s = step
                    .parse::<u32>()
                    .ok()
                    .filter(|&s| s >= 1)
                    .ok_or_else(|| {
                        err(format!(
                            "step \"{step}\" in \"{part}\" is not a number of at least 1"
                        ))
                    })?;
                (base, Some(s))
            }
            None => (part, None),
        };
        let (lo, hi) = if base == "*" {
            (field.min, field.star_max)
        } else if let Some((a, b)) = base.split_once('-') {
            let (a, b) = (value(field, a, part)?, value(field, b, part)?);
            if a > b {
                return Err(err(format!("range \"{part}\" runs backwards")));
            }
            (a, b)
        } else {
            let v = value(field, base, part)?;
            if step.is_some() {
                return Err(err(format!(
                    "a step needs a range or * before it, not \"{part}\""
                )));
            }
            (v, v)
        };
        out.extend((lo..=hi).step_by(step.unwrap_or(1) as usize));
    }
    Ok(out)
}

/// One number or name of `field`, checked against its range.
fn value(field: &Field, text: &str, part: &str) -> Result<u32, ScheduleError> {
    let err = |message: String| ScheduleError::Field {
        field: field.name,
        message,
    };
    if let Some(i) = field
        .names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(text))
    {
        return Ok(field.min + i as u32);
    }
    let n: u32 = text.parse().map_err(|_| {
        let names = match field.names {
            [] => String::new(),
            names => format!(" or a name ({}–{})", names[0], names[names.len() - 1]),
        };
        err(format!("\"{text}\" in \"{part}\" is not a number{names}"))
    })?;
    if !(field.min..=field.max).contains(&n) {
        return Err(err(format!(
            "{n} is out of range {}–{}",
            field.min, field.max
        )));
    }
    Ok(n)
}

/// A message for the Quartz extensions the `cron` crate (and Quartz) accept but crontab(5) does not.
fn quartz_extension(part: &str) -> Option<String> {
    let upper = part.to_ascii_uppercase();
    // `L`, `5L`, `15W`, `LW`: digits (or L) before a final L or W. Month and day names never
    // have that shape (JUL ends in L but starts with letters).
    let suffixed = |c: char| {
        upper
            .strip_suffix(c)
            .is_some_and(|head| head.bytes().all(|b| b.is_ascii_digit() || b == b'L'))
    };
    let what = if part.contains('?') {
        "\"?\" (no specific value)"
    } else if part.contains('#') {
        "\"#\" (n-th weekday of the month)"
    } else if suffixed('W') {
        "\"W\" (nearest weekday)"
    } else if suffixed('L') {
        "\"L\" (last day)"
    } else {
        return None;
    };
    Some(format!(
        "\"{part}\" uses {what}, a Quartz extension crontab(5) does not have"
    ))
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;

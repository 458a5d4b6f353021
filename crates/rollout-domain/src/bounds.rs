//! The dates and instants rollout accepts, and the one text form of an instant.
//!
//! Both backends must store and return every accepted value faithfully: SQLite keeps instants
//! as fixed-width RFC 3339 text (a fifth year digit or a sign breaks it), PostgreSQL keeps
//! microseconds and writes years past 9999 in forms the API's scalars refuse. So every date and
//! instant that comes from outside (GraphQL, CLI flags, configuration) and every one computed
//! from such an input is checked here before anything is written: dates from 1900-01-01 to
//! 2200-12-31, instants from 1900-01-01T00:00:00Z to 2200-12-31T23:59:59.999999Z once converted
//! to UTC, with at most microsecond precision and no leap second. The fiscal calendar keeps its
//! own narrower year range in [`crate::fiscal`], inside this one. This module does not parse
//! text: the API and the CLI each own their accepted spellings.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Timelike, Utc};

/// The earliest accepted date.
pub const FIRST_DATE: NaiveDate = ymd(1900, 1, 1);
/// The latest accepted date.
pub const LAST_DATE: NaiveDate = ymd(2200, 12, 31);

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}

/// The earliest accepted instant, the first moment of [`FIRST_DATE`] in UTC.
pub fn first_instant() -> DateTime<Utc> {
    FIRST_DATE.and_time(NaiveTime::MIN).and_utc()
}

/// The latest accepted instant, the last microsecond of [`LAST_DATE`] in UTC.
pub fn last_instant() -> DateTime<Utc> {
    let end = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).expect("a valid time");
    LAST_DATE.and_time(end).and_utc()
}

/// Why a date or instant was refused; the message names the bound it broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OutOfRange {
    #[error("{0} is outside the supported dates, {FIRST_DATE} to {LAST_DATE}")]
    Date(NaiveDate),
    #[error(
        "{} (in UTC) is outside the supported times, 1900-01-01T00:00:00Z to 2200-12-31T23:59:59.999999Z",
        utc_text(*.0)
    )]
    Instant(DateTime<Utc>),
    #[error("times are kept to the microsecond: write at most six digits after the second")]
    Precision,
    #[error("leap seconds (:60) are not kept: use :59.999999 or the next minute")]
    LeapSecond,
    #[error(
        "{days} days from {} leaves the supported times, 1900-01-01T00:00:00Z to 2200-12-31T23:59:59.999999Z",
        utc_text(*.from)
    )]
    Days { from: DateTime<Utc>, days: i64 },
}

/// `date` if it lies in [`FIRST_DATE`]..=[`LAST_DATE`].
pub fn check_date(date: NaiveDate) -> Result<NaiveDate, OutOfRange> {
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(OutOfRange::Date(date))
    }
}

/// `t` if it lies in the accepted range and is exactly what both backends keep: whole
/// microseconds, no leap second (chrono represents one as a nanosecond count past a billion).
pub fn check_instant(t: DateTime<Utc>) -> Result<DateTime<Utc>, OutOfRange> {
    if !(first_instant()..=last_instant()).contains(&t) {
        Err(OutOfRange::Instant(t))
    } else if t.nanosecond() >= 1_000_000_000 {
        Err(OutOfRange::LeapSecond)
    } else if !t.nanosecond().is_multiple_of(1_000) {
        Err(OutOfRange::Precision)
    } else {
        Ok(t)
    }
}

/// `days` whole days after `from`, refused when the result leaves the accepted range; never
/// overflows, whatever `days` is.
pub fn days_after(from: DateTime<Utc>, days: i64) -> Result<DateTime<Utc>, OutOfRange> {
    TimeDelta::try_days(days)
        .and_then(|d| from.checked_add_signed(d))
        .and_then(|t| check_instant(t).ok())
        .ok_or(OutOfRange::Days { from, days })
}

/// The one text form of an instant, as the API's `DateTime` writes it: RFC 3339 in UTC with
/// `Z`, and only as many fraction digits as needed (none, 3, 6 or 9).
pub fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn dates_stop_at_the_bounds() {
        for (d, ok) in [
            ("1899-12-31", false),
            ("1900-01-01", true),
            ("2026-04-01", true),
            ("2200-12-31", true),
            ("2201-01-01", false),
            ("+10000-01-01", false),
            ("-0001-01-01", false),
        ] {
            assert_eq!(check_date(day(d)).is_ok(), ok, "{d}");
        }
        assert_eq!(
            check_date(day("2201-01-01")).unwrap_err().to_string(),
            "2201-01-01 is outside the supported dates, 1900-01-01 to 2200-12-31"
        );
    }

    #[test]
    fn instants_stop_at_the_bounds_in_utc() {
        for (t, ok) in [
            ("1899-12-31T23:59:59.999999Z", false),
            ("1900-01-01T00:00:00Z", true),
            ("1900-01-01T09:00:00+09:00", true),
            ("1900-01-01T08:59:59.999999+09:00", false),
            ("2200-12-31T23:59:59.999999Z", true),
            ("2201-01-01T08:59:59.999999+09:00", true),
            ("2201-01-01T00:00:00Z", false),
            ("2200-12-31T23:59:59-01:00", false),
            ("9999-12-31T23:59:59-23:59", false),
        ] {
            assert_eq!(check_instant(at(t)).is_ok(), ok, "{t}");
        }
        assert_eq!(
            check_instant(at("9999-12-31T23:59:59-23:59"))
                .unwrap_err()
                .to_string(),
            "+10000-01-01T23:58:59Z (in UTC) is outside the supported times, \
             1900-01-01T00:00:00Z to 2200-12-31T23:59:59.999999Z"
        );
    }

    #[test]
    fn only_whole_microseconds_and_no_leap_seconds() {
        assert!(check_instant(at("2026-04-01T00:00:00.123456Z")).is_ok());
        assert!(check_instant(at("2026-04-01T00:00:00.123456000Z")).is_ok());
        assert_eq!(
            check_instant(at("2026-04-01T00:00:00.1234567Z")),
            Err(OutOfRange::Precision)
        );
        assert_eq!(
            check_instant(at("2026-06-30T23:59:60Z")),
            Err(OutOfRange::LeapSecond)
        );
    }

    #[test]
    fn days_after_never_overflows() {
        let now = at("2026-04-01T00:00:00Z");
        assert_eq!(days_after(now, 14), Ok(at("2026-04-15T00:00:00Z")));
        assert_eq!(days_after(now, 0), Ok(now));
        let last_ok = (LAST_DATE - now.date_naive()).num_days();
        assert_eq!(days_after(now, last_ok), Ok(at("2200-12-31T00:00:00Z")));
        for days in [last_ok + 1, i64::from(u32::MAX), i64::MAX, i64::MIN] {
            assert_eq!(
                days_after(now, days),
                Err(OutOfRange::Days { from: now, days }),
                "{days}"
            );
        }
    }

    #[test]
    fn every_fiscal_quarter_lies_inside_the_dates() {
        use crate::FiscalQuarter;
        let first = FiscalQuarter::new(1989, 1).unwrap();
        let last = FiscalQuarter::new(2199, 4).unwrap();
        assert!(check_date(first.first_day()).is_ok());
        assert!(check_date(last.last_day()).is_ok());
        assert!(last.next().is_none());
    }

    #[test]
    fn the_text_form_is_utc_with_z() {
        assert_eq!(
            utc_text(at("2026-04-01T18:30:00+09:00")),
            "2026-04-01T09:30:00Z"
        );
        assert_eq!(utc_text(last_instant()), "2200-12-31T23:59:59.999999Z");
        assert_eq!(utc_text(first_instant()), "1900-01-01T00:00:00Z");
    }
}

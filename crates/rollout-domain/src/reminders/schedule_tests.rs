use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};

use super::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn tokyo(expr: &str) -> Schedule {
    Schedule::parse(expr, "Asia/Tokyo").unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn err(expr: &str) -> String {
    Schedule::parse(expr, "Asia/Tokyo").unwrap_err().to_string()
}

/// Thursday 2026-12-03 00:00 UTC (09:00 in Tokyo).
fn thursday() -> DateTime<Utc> {
    utc(2026, 12, 3, 0, 0, 0)
}

#[test]
fn weekdays_at_nine_in_tokyo_are_midnight_utc() {
    let s = tokyo("0 9 * * 1-5");
    let times = s.next_times(thursday(), 6);
    assert_eq!(
        times,
        [
            utc(2026, 12, 4, 0, 0, 0), // Fri (the Thursday tick itself is not strictly after)
            utc(2026, 12, 7, 0, 0, 0), // Mon
            utc(2026, 12, 8, 0, 0, 0),
            utc(2026, 12, 9, 0, 0, 0),
            utc(2026, 12, 10, 0, 0, 0),
            utc(2026, 12, 11, 0, 0, 0),
        ]
    );
    assert_eq!(s.expression(), "0 9 * * 1-5");
    assert_eq!(s.time_zone().name(), "Asia/Tokyo");
}

#[test]
fn day_of_month_and_day_of_week_both_restricted_means_either() {
    // 1 February 2027 is a Monday, 1 January a Friday.
    let s = tokyo("0 9 1 * MON");
    let times = s.next_times(utc(2026, 12, 20, 0, 0, 0), 8);
    let days: Vec<_> = times.iter().map(|t| (t.month(), t.day())).collect();
    assert_eq!(
        days,
        [
            (12, 21),
            (12, 28),
            (1, 1),
            (1, 4),
            (1, 11),
            (1, 18),
            (1, 25),
            (2, 1)
        ]
    );
    assert!(times.iter().all(|t| t.hour() == 0 && t.minute() == 0));
    // `*/2` starts with `*`, so crontab ANDs it: odd days that are Mondays.
    let and = tokyo("0 9 */2 * MON");
    for t in and.next_times(utc(2026, 12, 1, 0, 0, 0), 5) {
        let local = t.with_timezone(&chrono_tz::Asia::Tokyo);
        assert_eq!(local.weekday(), Weekday::Mon, "{t}");
        assert_eq!(local.day() % 2, 1, "{t}");
    }
}

#[test]
fn every_quarter_hour() {
    let s = tokyo("*/15 * * * *");
    let times = s.next_times(utc(2026, 12, 3, 10, 7, 30), 4);
    assert_eq!(
        times,
        [
            utc(2026, 12, 3, 10, 15, 0),
            utc(2026, 12, 3, 10, 30, 0),
            utc(2026, 12, 3, 10, 45, 0),
            utc(2026, 12, 3, 11, 0, 0),
        ]
    );
}

#[test]
fn sunday_is_0_or_7_or_sun() {
    let expected = tokyo("30 8 * * 0").next_times(thursday(), 3);
    // Sunday 6 December 08:30 Tokyo = Saturday 23:30 UTC.
    assert_eq!(expected[0], utc(2026, 12, 5, 23, 30, 0));
    assert_eq!(expected[1], utc(2026, 12, 12, 23, 30, 0));
    assert_eq!(tokyo("30 8 * * 7").next_times(thursday(), 3), expected);
    assert_eq!(tokyo("30 8 * * sun").next_times(thursday(), 3), expected);
    // 5-7 is Friday, Saturday, Sunday.
    let weekend = tokyo("0 12 * * 5-7").next_times(thursday(), 3);
    let days: Vec<_> = weekend
        .iter()
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).weekday())
        .collect();
    assert_eq!(days, [Weekday::Fri, Weekday::Sat, Weekday::Sun]);
    // Steps and lists of weekdays: Monday, Wednesday, Friday.
    let mwf: Vec<_> = tokyo("0 12 * * 1-5/2")
        .next_times(thursday(), 3)
        .iter()
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).weekday())
        .collect();
    assert_eq!(mwf, [Weekday::Fri, Weekday::Mon, Weekday::Wed]);
    assert_eq!(
        tokyo("0 12 * * MON,wed,5").next_times(thursday(), 3),
        tokyo("0 12 * * 1-5/2").next_times(thursday(), 3)
    );
}

#[test]
fn six_fields_take_seconds_first() {
    let s = tokyo("* * * * * *");
    let start = utc(2026, 12, 3, 0, 0, 0);
    assert_eq!(
        s.next_times(start, 3),
        [
            utc(2026, 12, 3, 0, 0, 1),
            utc(2026, 12, 3, 0, 0, 2),
            utc(2026, 12, 3, 0, 0, 3)
        ]
    );
    assert_eq!(
        tokyo("30 0 9 * * *").next_times(thursday(), 1),
        [utc(2026, 12, 3, 0, 0, 30)]
    );
}

#[test]
fn shorthands_are_crontab_lines() {
    assert_eq!(
        tokyo("@daily").next_times(thursday(), 2),
        tokyo("0 0 * * *").next_times(thursday(), 2)
    );
    assert_eq!(
        tokyo("@hourly").next_times(thursday(), 2)[0],
        utc(2026, 12, 3, 1, 0, 0)
    );
    assert_eq!(
        err("@reboot"),
        "@reboot runs at start-up, not at a time; reminders need a time"
    );
    assert!(err("@fortnightly").starts_with("unknown shorthand \"@fortnightly\""));
}

#[test]
fn utc_and_tokyo_differ_by_nine_hours_all_year() {
    let in_utc = Schedule::parse("0 9 * * *", "UTC").unwrap();
    assert_eq!(
        in_utc.next_times(thursday(), 1),
        [utc(2026, 12, 3, 9, 0, 0)]
    );
    // Tokyo has no daylight-saving time: 09:00 is 00:00 UTC in winter and summer alike.
    let s = tokyo("0 9 * * *");
    assert_eq!(
        s.next_times(utc(2026, 1, 10, 12, 0, 0), 1),
        [utc(2026, 1, 11, 0, 0, 0)]
    );
    assert_eq!(
        s.next_times(utc(2026, 7, 10, 12, 0, 0), 1),
        [utc(2026, 7, 11, 0, 0, 0)]
    );
}

#[test]
fn before_walks_backwards() {
    let s = tokyo("0 9 1 * MON");
    let back: Vec<_> = s.before(utc(2027, 1, 4, 0, 0, 0)).take(3).collect();
    // Strictly before Monday 4 January 09:00 Tokyo: Friday the 1st, then the Mondays before it.
    assert_eq!(
        back,
        [
            utc(2027, 1, 1, 0, 0, 0),
            utc(2026, 12, 28, 0, 0, 0),
            utc(2026, 12, 21, 0, 0, 0)
        ]
    );
}

#[test]
fn refusals_name_the_field_and_the_bad_part() {
    let cases = [
        ("0 9 * * 8", "day of week: 8 is out of range 0–7"),
        ("60 9 * * *", "minute: 60 is out of range 0–59"),
        ("0 24 * * *", "hour: 24 is out of range 0–23"),
        ("0 9 0 * *", "day of month: 0 is out of range 1–31"),
        ("0 9 * 13 *", "month: 13 is out of range 1–12"),
        (
            "0 9 ? * MON",
            "day of month: \"?\" uses \"?\" (no specific value), a Quartz extension crontab(5) does not have",
        ),
        (
            "0 9 L * *",
            "day of month: \"L\" uses \"L\" (last day), a Quartz extension crontab(5) does not have",
        ),
        (
            "0 9 15W * *",
            "day of month: \"15W\" uses \"W\" (nearest weekday), a Quartz extension crontab(5) does not have",
        ),
        (
            "0 9 * * 5#2",
            "day of week: \"5#2\" uses \"#\" (n-th weekday of the month), a Quartz extension crontab(5) does not have",
        ),
        (
            "0 9 * * 5L",
            "day of week: \"5L\" uses \"L\" (last day), a Quartz extension crontab(5) does not have",
        ),
        (
            "0 0 9 * * * 2027",
            "7 fields: a year field is not crontab(5) syntax; give 5 fields, or 6 with seconds first",
        ),
        (
            "0 9 * *",
            "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4",
        ),
        (
            "0 9 * * FUN",
            "day of week: \"FUN\" in \"FUN\" is not a number or a name (SUN–SAT)",
        ),
        ("x 9 * * *", "minute: \"x\" in \"x\" is not a number"),
        (
            "*/0 9 * * *",
            "minute: step \"0\" in \"*/0\" is not a number of at least 1",
        ),
        ("0 9 * * 5-1", "day of week: range \"5-1\" runs backwards"),
        (
            "0 9 5/2 * *",
            "day of month: a step needs a range or * before it, not \"5/2\"",
        ),
        ("0 9 1,,2 * *", "day of month: \"\" in \"\" is not a number"),
        (
            "0 0 30 2 *",
            "the schedule never fires: no month in \"2\" has a day in \"30\"",
        ),
    ];
    for (expr, message) in cases {
        assert_eq!(err(expr), message, "{expr}");
    }
    assert_eq!(
        Schedule::parse("0 9 * * *", "Asia/Tokio").unwrap_err(),
        ScheduleError::UnknownTimeZone("Asia/Tokio".to_owned())
    );
    assert_eq!(
        Schedule::parse("0 9 * * *", "Mars/Olympus")
            .unwrap_err()
            .to_string(),
        "unknown time zone \"Mars/Olympus\" (expected an IANA name such as Asia/Tokyo)"
    );
    // A megabyte of a time zone is not echoed back.
    let long = Schedule::parse("0 9 * * *", &"x".repeat(1_000_000))
        .unwrap_err()
        .to_string();
    assert!(long.len() < 200, "{long}");
    assert!(long.contains("… (1000000 characters)"), "{long}");
    // 31 February never comes, but OR with Mondays still fires: on February's Mondays.
    let feb = tokyo("0 9 31 2 MON").next_times(utc(2027, 1, 1, 0, 0, 0), 5);
    assert_eq!(feb.len(), 5);
    assert_eq!(feb[0], utc(2027, 2, 1, 0, 0, 0));
    assert_eq!(feb[4], utc(2028, 2, 7, 0, 0, 0));
    assert!(Schedule::parse("0 9 29 2 *", "Asia/Tokyo").is_ok());
}

#[test]
fn month_names_and_ranges() {
    let s = tokyo("0 9 1 jan-MAR,dec *");
    let months: Vec<_> = s
        .next_times(utc(2026, 11, 1, 0, 0, 0), 4)
        .iter()
        .map(|t| t.with_timezone(&chrono_tz::Asia::Tokyo).month())
        .collect();
    assert_eq!(months, [12, 1, 2, 3]);
}

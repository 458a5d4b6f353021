use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::*;

/// The oracle: the Japanese holidays 2000–2027 as the PyPI package `holidays` 0.60 lists them
/// (see testdata/README.md).
const ORACLE: &str = include_str!("testdata/jp_holidays_2000_2027.csv");

/// Where the oracle's name and ours differ in wording only: the act's title says
/// 即位礼正殿の儀「の」行われる日, the package writes 「が」.
const NAME_WORDING: [(&str, &str); 1] =
    [("即位礼正殿の儀の行われる日", "即位礼正殿の儀が行われる日")];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn oracle() -> BTreeMap<NaiveDate, &'static str> {
    ORACLE
        .lines()
        .filter(|l| !l.starts_with('#') && *l != "date,name")
        .map(|l| {
            let (date, name) = l.split_once(',').expect("date,name");
            (date.parse().expect("an ISO date"), name)
        })
        .collect()
}

#[test]
fn every_day_2000_to_2027_agrees_with_the_official_list() {
    let oracle = oracle();
    assert_eq!(oracle.len(), 486, "the fixture was read whole");
    let mut day = d(2000, 1, 1);
    let mut disagreements = Vec::new();
    while day <= d(2027, 12, 31) {
        let ours = holiday(day);
        let theirs = oracle.get(&day).copied();
        let same = match (ours, theirs) {
            (Some(a), Some(b)) => a == b || NAME_WORDING.contains(&(a, b)),
            (None, None) => true,
            _ => false,
        };
        if !same {
            disagreements.push(format!("{day}: ours {ours:?}, list {theirs:?}"));
        }
        day = day + Days::new(1);
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn golden_week_2025() {
    assert_eq!(holiday(d(2025, 4, 29)), Some("昭和の日"));
    assert_eq!(holiday(d(2025, 5, 3)), Some("憲法記念日")); // Saturday: no substitute
    assert_eq!(holiday(d(2025, 5, 4)), Some("みどりの日")); // Sunday
    assert_eq!(holiday(d(2025, 5, 5)), Some("こどもの日"));
    assert_eq!(holiday(d(2025, 5, 6)), Some("振替休日")); // for Sunday 4 May
    assert!(is_business_day(d(2025, 5, 2)));
    assert!(is_business_day(d(2025, 5, 7)));
    assert_eq!(next_business_day(d(2025, 5, 3)), d(2025, 5, 7));
}

#[test]
fn golden_week_2026_ends_with_a_substitute_for_sunday_3_may() {
    assert_eq!(holiday(d(2026, 5, 3)), Some("憲法記念日")); // Sunday
    assert_eq!(holiday(d(2026, 5, 4)), Some("みどりの日"));
    assert_eq!(holiday(d(2026, 5, 5)), Some("こどもの日"));
    assert_eq!(holiday(d(2026, 5, 6)), Some("振替休日"));
    assert!(!is_business_day(d(2026, 5, 6)));
    assert_eq!(next_business_day(d(2026, 5, 2)), d(2026, 5, 7));
    assert_eq!(previous_business_day(d(2026, 5, 6)), d(2026, 5, 1));
}

#[test]
fn a_sunday_holiday_gives_the_monday_before_and_after_2007() {
    assert_eq!(holiday(d(2023, 1, 1)), Some("元日"));
    assert_eq!(holiday(d(2023, 1, 2)), Some("振替休日"));
    assert_eq!(holiday(d(2024, 2, 11)), Some("建国記念の日"));
    assert_eq!(holiday(d(2024, 2, 12)), Some("振替休日"));
    // Before 2007 the substitute was the Monday after a Sunday holiday, and a Sunday was never an
    // in-between day (4 May 2003).
    assert_eq!(holiday(d(1998, 5, 4)), Some("振替休日"));
    assert_eq!(holiday(d(2002, 5, 6)), Some("振替休日"));
    assert_eq!(holiday(d(2003, 5, 4)), None);
    assert_eq!(holiday(d(2004, 5, 4)), Some("国民の休日"));
    assert_eq!(holiday(d(2009, 5, 6)), Some("振替休日")); // for Sunday 3 May, past 4 and 5 May
    // From 2007 the substitute skips to the first day that is not a holiday.
    assert_eq!(holiday(d(2015, 5, 6)), Some("振替休日"));
}

#[test]
fn the_ten_days_of_golden_week_2019() {
    let names: Vec<_> = (0..10)
        .map(|i| holiday(d(2019, 4, 27) + Days::new(i)))
        .collect();
    assert_eq!(
        names,
        [
            None, // Saturday
            None, // Sunday
            Some("昭和の日"),
            Some("国民の休日"),
            Some("天皇の即位の日"),
            Some("国民の休日"),
            Some("憲法記念日"),
            Some("みどりの日"),
            Some("こどもの日"), // Sunday
            Some("振替休日"),
        ]
    );
    assert!((0..10).all(|i| !is_business_day(d(2019, 4, 27) + Days::new(i))));
    assert_eq!(next_business_day(d(2019, 4, 27)), d(2019, 5, 7));
    assert_eq!(holiday(d(2019, 10, 22)), Some("即位礼正殿の儀の行われる日"));
}

#[test]
fn the_emperors_birthday_moved_with_the_era() {
    assert_eq!(holiday(d(2018, 12, 23)), Some("天皇誕生日"));
    assert_eq!(holiday(d(2018, 12, 24)), Some("振替休日"));
    assert_eq!(holiday(d(2019, 12, 23)), None);
    assert_eq!(holiday(d(2019, 2, 23)), None);
    assert_eq!(holiday(d(2020, 2, 23)), Some("天皇誕生日"));
    assert_eq!(holiday(d(2020, 2, 24)), Some("振替休日"));
}

#[test]
fn the_olympic_years_moved_three_holidays() {
    assert_eq!(holiday(d(2020, 7, 20)), None);
    assert_eq!(holiday(d(2020, 7, 23)), Some("海の日"));
    assert_eq!(holiday(d(2020, 7, 24)), Some("スポーツの日"));
    assert_eq!(holiday(d(2020, 8, 10)), Some("山の日"));
    assert_eq!(holiday(d(2020, 8, 11)), None);
    assert_eq!(holiday(d(2020, 10, 12)), None);
    assert_eq!(holiday(d(2021, 7, 19)), None);
    assert_eq!(holiday(d(2021, 7, 22)), Some("海の日"));
    assert_eq!(holiday(d(2021, 7, 23)), Some("スポーツの日"));
    assert_eq!(holiday(d(2021, 8, 8)), Some("山の日"));
    assert_eq!(holiday(d(2021, 8, 9)), Some("振替休日"));
    assert_eq!(holiday(d(2021, 10, 11)), None);
    assert_eq!(holiday(d(2022, 7, 18)), Some("海の日"));
}

#[test]
fn happy_mondays_and_their_older_fixed_days() {
    assert_eq!(holiday(d(1999, 1, 15)), Some("成人の日"));
    assert_eq!(holiday(d(2000, 1, 10)), Some("成人の日"));
    assert_eq!(holiday(d(2002, 7, 20)), Some("海の日"));
    assert_eq!(holiday(d(2003, 7, 21)), Some("海の日"));
    assert_eq!(holiday(d(2002, 9, 16)), Some("振替休日")); // 敬老の日 on Sunday 15 Sep
    assert_eq!(holiday(d(2003, 9, 15)), Some("敬老の日"));
    assert_eq!(holiday(d(2019, 10, 14)), Some("体育の日"));
    assert_eq!(holiday(d(2026, 10, 12)), Some("スポーツの日"));
    assert_eq!(holiday(d(2015, 8, 11)), None);
    assert_eq!(holiday(d(2016, 8, 11)), Some("山の日"));
}

#[test]
fn equinox_days_by_the_formula() {
    assert_eq!(holiday(d(2026, 3, 20)), Some("春分の日"));
    assert_eq!(holiday(d(2026, 9, 23)), Some("秋分の日"));
    assert_eq!(holiday(d(2027, 3, 21)), Some("春分の日"));
    assert_eq!(holiday(d(2027, 9, 23)), Some("秋分の日"));
    assert_eq!(holiday(d(2012, 9, 22)), Some("秋分の日"));
    assert_eq!(holiday(d(2026, 9, 22)), Some("国民の休日")); // between 敬老の日 and 秋分の日
}

#[test]
fn the_new_year_closure_runs_29_december_to_3_january() {
    assert!(!is_year_end_closure(d(2026, 12, 28)));
    assert!(is_business_day(d(2026, 12, 28)));
    for day in [
        d(2026, 12, 29),
        d(2026, 12, 31),
        d(2027, 1, 1),
        d(2027, 1, 3),
    ] {
        assert!(is_year_end_closure(day), "{day}");
        assert!(!is_business_day(day), "{day}");
    }
    assert!(!is_year_end_closure(d(2027, 1, 4)));
    assert!(is_business_day(d(2027, 1, 4)));
    assert_eq!(next_business_day(d(2026, 12, 29)), d(2027, 1, 4));
    assert_eq!(previous_business_day(d(2027, 1, 3)), d(2026, 12, 28));
    // 2021-01-04 was a Monday and open; 2020-12-28 the last open day of 2020.
    assert_eq!(next_business_day(d(2020, 12, 29)), d(2021, 1, 4));
}

#[test]
fn weekends_are_not_business_days_and_next_business_day_is_inclusive() {
    assert!(!is_business_day(d(2026, 12, 5))); // Saturday
    assert!(!is_business_day(d(2026, 12, 6))); // Sunday
    assert_eq!(next_business_day(d(2026, 12, 5)), d(2026, 12, 7));
    assert_eq!(next_business_day(d(2026, 12, 7)), d(2026, 12, 7));
    assert_eq!(previous_business_day(d(2026, 12, 6)), d(2026, 12, 4));
    assert!(!is_public_holiday(d(2026, 12, 6)));
}

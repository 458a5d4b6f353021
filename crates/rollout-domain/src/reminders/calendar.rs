//! The Japanese business-day calendar (public holidays, 29 December – 3 January closure).
//!
//! [`holiday`] answers the National Holidays Act (国民の祝日に関する法律) for one date: the fixed
//! days, the Happy Monday days, the equinox days, 振替休日, 国民の休日, and the one-off holidays
//! made by separate acts (the 2019 enthronement, the moved Olympic days of 2020 and 2021). Each
//! rule carries the year it applied from, so that past dates are answered as they were.
//! [`is_business_day`] adds weekends and the year-end closure (29 December – 3 January) most
//! offices keep.
//!
//! Scope: correct from 1980 to 2099, which is where the equinox formula holds (the Cabinet Office
//! publishes each year's equinox days in February of the year before; the formula has matched
//! them throughout). Outside that span the same formula and today's rules are applied, which is a
//! guess. Holidays a future act adds are not known until this file learns them. The checked-in
//! list `testdata/jp_holidays_2000_2027.csv` is the oracle of the tests.
//!
//! Pure: dates in, answers out. The caller decides which day "today" is (in Asia/Tokyo).

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The name of the substitute holiday given when a holiday falls on a Sunday.
const SUBSTITUTE: &str = "振替休日";
/// The name of a weekday sandwiched between two holidays.
const IN_BETWEEN: &str = "国民の休日";

/// The Japanese public holiday on `date`, with its Japanese name, or `None` on an ordinary day.
///
/// ```
/// use chrono::NaiveDate;
/// use rollout_domain::reminders::calendar::holiday;
/// let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
/// assert_eq!(holiday(d(1, 1)), Some("元日"));
/// assert_eq!(holiday(d(5, 6)), Some("振替休日"));
/// assert_eq!(holiday(d(9, 22)), Some("国民の休日"));
/// assert_eq!(holiday(d(5, 7)), None);
/// ```
pub fn holiday(date: NaiveDate) -> Option<&'static str> {
    national_holiday(date)
        .or_else(|| substitute_holiday(date).then_some(SUBSTITUTE))
        .or_else(|| in_between_holiday(date).then_some(IN_BETWEEN))
}

/// Whether `date` is a Japanese public holiday (including 振替休日 and 国民の休日).
pub fn is_public_holiday(date: NaiveDate) -> bool {
    holiday(date).is_some()
}

/// Whether `date` falls in the year-end closure, 29 December to 3 January inclusive.
pub fn is_year_end_closure(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

/// Whether `date` is a business day: Monday to Friday, not a public holiday, not in the
/// year-end closure.
pub fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !is_year_end_closure(date)
        && !is_public_holiday(date)
}

/// `date` itself when it is a business day, else the first business day after it.
///
/// # Panics
/// Only within a fortnight of `NaiveDate::MAX`, where there is no next day.
pub fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while !is_business_day(d) {
        d = d + Days::new(1);
    }
    d
}

/// `date` itself when it is a business day, else the last business day before it.
///
/// # Panics
/// Only within a fortnight of `NaiveDate::MIN`, where there is no previous day.
pub fn previous_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    while !is_business_day(d) {
        d = d - Days::new(1);
    }
    d
}

/// A 国民の祝日 proper: a day the Act (or a one-off act deeming a day one) names. Substitute and
/// in-between days are not, and must not be, since those rules are defined on these days only.
fn national_holiday(date: NaiveDate) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    if let Some(name) = one_off(y, m, d) {
        return Some(name);
    }
    // The Olympic years moved three holidays by special act; their usual days are ordinary days.
    if olympic_moved_away(y, m, d) {
        return None;
    }
    let name = match (m, d) {
        (1, 1) => "元日",
        (2, 11) if y >= 1967 => "建国記念の日",
        (2, 23) if y >= 2020 => "天皇誕生日",
        (4, 29) if y <= 1988 => "天皇誕生日",
        (4, 29) if y <= 2006 => "みどりの日",
        (4, 29) => "昭和の日",
        (5, 3) => "憲法記念日",
        (5, 4) if y >= 2007 => "みどりの日",
        (5, 5) => "こどもの日",
        (7, 20) if (1996..=2002).contains(&y) => "海の日",
        (8, 11) if y >= 2016 => "山の日",
        (9, 15) if y <= 2002 => "敬老の日",
        (10, 10) if y <= 1999 => "体育の日",
        (11, 3) => "文化の日",
        (11, 23) => "勤労感謝の日",
        (12, 23) if (1989..=2018).contains(&y) => "天皇誕生日",
        (1, 15) if y <= 1999 => "成人の日",
        _ => return happy_monday(date).or_else(|| equinox(date)),
    };
    Some(name)
}

/// The Happy Monday days: the n-th Monday of a month, from the year each rule took effect.
fn happy_monday(date: NaiveDate) -> Option<&'static str> {
    if date.weekday() != Weekday::Mon {
        return None;
    }
    let (y, nth) = (date.year(), (date.day() - 1) / 7 + 1);
    match (date.month(), nth) {
        (1, 2) if y >= 2000 => Some("成人の日"),
        (7, 3) if y >= 2003 => Some("海の日"),
        (9, 3) if y >= 2003 => Some("敬老の日"),
        (10, 2) if (2000..=2019).contains(&y) => Some("体育の日"),
        (10, 2) if y >= 2020 => Some("スポーツの日"),
        _ => None,
    }
}

/// 春分の日 and 秋分の日 by the usual formula, exact in integers (scaled by 10⁶):
/// day = ⌊20.8431 + 0.242194 (y − 1980)⌋ − ⌊(y − 1980) / 4⌋ in March, 23.2488 in September.
fn equinox(date: NaiveDate) -> Option<&'static str> {
    let n = i64::from(date.year() - 1980);
    let day = |base: i64| (base + 242_194 * n).div_euclid(1_000_000) - n.div_euclid(4);
    match date.month() {
        3 if i64::from(date.day()) == day(20_843_100) => Some("春分の日"),
        9 if i64::from(date.day()) == day(23_248_800) => Some("秋分の日"),
        _ => None,
    }
}

/// Holidays made by their own acts, deemed national holidays for the substitute and in-between
/// rules (which is how 2019-04-30 and 2019-05-02 became 国民の休日).
fn one_off(y: i32, m: u32, d: u32) -> Option<&'static str> {
    match (y, m, d) {
        (1989, 2, 24) => Some("昭和天皇の大喪の礼"),
        (1990, 11, 12) => Some("即位礼正殿の儀"),
        (1993, 6, 9) => Some("皇太子徳仁親王の結婚の儀"),
        // 天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律 (平成30年法律第99号).
        (2019, 5, 1) => Some("天皇の即位の日"),
        (2019, 10, 22) => Some("即位礼正殿の儀の行われる日"),
        // The Olympic special measures act moved these days in 2020 and 2021.
        (2020, 7, 23) | (2021, 7, 22) => Some("海の日"),
        (2020, 7, 24) | (2021, 7, 23) => Some("スポーツの日"),
        (2020, 8, 10) | (2021, 8, 8) => Some("山の日"),
        _ => None,
    }
}

/// The usual days of 海の日, スポーツの日 and 山の日 in 2020 and 2021, which were not holidays.
fn olympic_moved_away(y: i32, m: u32, d: u32) -> bool {
    matches!(
        (y, m, d),
        (2020, 7, 20)
            | (2020, 10, 12)
            | (2020, 8, 11)
            | (2021, 7, 19)
            | (2021, 10, 11)
            | (2021, 8, 11)
    )
}

/// 振替休日 (from 1973-04-12). Until 2006, the Monday after a Sunday holiday; from 2007, the first
/// day after a Sunday holiday that is not itself a national holiday (so a Sunday 5 May gives
/// Wednesday 6 May).
fn substitute_holiday(date: NaiveDate) -> bool {
    if national_holiday(date).is_some() || date < ymd(1973, 4, 12) {
        return false;
    }
    let mut d = date - Days::new(1);
    if date.year() <= 2006 {
        return d.weekday() == Weekday::Sun && national_holiday(d).is_some();
    }
    // Walk back over the run of national holidays just before `date`; a Sunday in it gives
    // `date` as its substitute. The run is at most a week long (Golden Week is five days).
    while national_holiday(d).is_some() {
        if d.weekday() == Weekday::Sun {
            return true;
        }
        d = d - Days::new(1);
    }
    false
}

/// 国民の休日 (from 1985-12-27): a day that is not a national holiday but whose day before and day
/// after are. Until 2006 the Act excluded Sundays and substitute holidays; from 2007 it does not
/// (a substitute holiday is still named 振替休日 first, by [`holiday`]'s order).
fn in_between_holiday(date: NaiveDate) -> bool {
    if date < ymd(1985, 12, 27) || national_holiday(date).is_some() {
        return false;
    }
    if date.year() <= 2006 && (date.weekday() == Weekday::Sun || substitute_holiday(date)) {
        return false;
    }
    national_holiday(date - Days::new(1)).is_some()
        && national_holiday(date + Days::new(1)).is_some()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid literal date")
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::reminders::calendar::is_business_day;

/// An instant given as Tokyo wall-clock time.
fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .unwrap()
        .with_timezone(&Utc)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn tokyo(expr: &str) -> Schedule {
    Schedule::parse(expr, "Asia/Tokyo").unwrap()
}

use HolidayPolicy::{Fire, NextBusinessDay};

#[test]
fn fire_keeps_every_tick_and_skip_drops_golden_week_2026() {
    let daily = tokyo("0 9 * * *");
    let after = jst(2026, 4, 30, 0, 0, 0);
    assert_eq!(
        next_effective(&daily, Fire, after, 3),
        daily.next_times(after, 3)
    );
    assert_eq!(
        next_effective(&daily, HolidayPolicy::Skip, after, 4),
        [
            jst(2026, 4, 30, 9, 0, 0),
            jst(2026, 5, 1, 9, 0, 0),
            // 2 May (Sat) to 6 May (振替休日) are not business days.
            jst(2026, 5, 7, 9, 0, 0),
            jst(2026, 5, 8, 9, 0, 0),
        ]
    );
}

#[test]
fn next_business_day_collapses_golden_week_2026_into_one_tick() {
    let daily = tokyo("0 9 * * *");
    assert_eq!(
        next_effective(&daily, NextBusinessDay, jst(2026, 4, 28, 12, 0, 0), 4),
        [
            // 29 April (昭和の日) moves to the 30th and collapses with its own tick.
            jst(2026, 4, 30, 9, 0, 0),
            jst(2026, 5, 1, 9, 0, 0),
            jst(2026, 5, 7, 9, 0, 0),
            jst(2026, 5, 8, 9, 0, 0),
        ]
    );
    // Starting in the middle of the holidays: their ticks are still ahead, on the 7th.
    assert_eq!(
        next_effective(&daily, NextBusinessDay, jst(2026, 5, 4, 12, 0, 0), 2),
        [jst(2026, 5, 7, 9, 0, 0), jst(2026, 5, 8, 9, 0, 0)]
    );
}

#[test]
fn moved_ticks_are_merged_in_order_not_in_raw_order() {
    // Saturday 23:00 moves to Monday 23:00, after Monday's own 08:00.
    let s = tokyo("0 8,23 * * 1,6");
    let ticks = next_effective(&s, NextBusinessDay, jst(2026, 12, 4, 0, 0, 0), 4);
    assert_eq!(
        ticks,
        [
            jst(2026, 12, 7, 8, 0, 0),
            jst(2026, 12, 7, 23, 0, 0),
            jst(2026, 12, 14, 8, 0, 0),
            jst(2026, 12, 14, 23, 0, 0),
        ]
    );
    assert!(ticks.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_substitute_holiday_is_skipped_or_moved() {
    // 21 March 2027 (春分の日) is a Sunday, so Monday the 22nd is 振替休日.
    let mondays = tokyo("0 9 * * MON");
    let after = jst(2027, 3, 20, 0, 0, 0);
    assert_eq!(
        next_effective(&mondays, HolidayPolicy::Skip, after, 1),
        [jst(2027, 3, 29, 9, 0, 0)]
    );
    assert_eq!(
        next_effective(&mondays, NextBusinessDay, after, 2),
        [jst(2027, 3, 23, 9, 0, 0), jst(2027, 3, 29, 9, 0, 0)]
    );
}

#[test]
fn the_new_year_closure_moves_to_4_january_once() {
    assert!(is_business_day(
        chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
    ));
    let daily = tokyo("0 9 * * *");
    let ticks: Vec<_> = effective_after(&daily, NextBusinessDay, jst(2026, 12, 28, 0, 0, 0))
        .take_while(|&t| t <= jst(2027, 1, 5, 0, 0, 0))
        .collect();
    assert_eq!(
        ticks,
        [jst(2026, 12, 28, 9, 0, 0), jst(2027, 1, 4, 9, 0, 0)]
    );
    // Backwards gives the same ticks.
    let back: Vec<_> = effective_before(&daily, NextBusinessDay, jst(2027, 1, 5, 0, 0, 0))
        .take_while(|&t| t > jst(2026, 12, 28, 0, 0, 0))
        .collect();
    assert_eq!(back, [jst(2027, 1, 4, 9, 0, 0), jst(2026, 12, 28, 9, 0, 0)]);
    // Evaluated on 4 January: the closure's ticks are one tick, due now.
    let plan = plan_due(
        &daily,
        NextBusinessDay,
        MisfirePolicy::FireOnce,
        jst(2026, 12, 28, 9, 0, 0),
        jst(2027, 1, 4, 9, 0, 20),
        Duration::minutes(1),
        Duration::hours(1),
        100,
    );
    assert_eq!(
        plan,
        DuePlan {
            fire: vec![jst(2027, 1, 4, 9, 0, 0)],
            missed: 0,
            missed_uncounted: false,
            cursor_to: Some(jst(2027, 1, 4, 9, 0, 0)),
        }
    );
}

/// An hourly UTC rule, last handled at 00:30, evaluated at `now`.
fn hourly(misfire: MisfirePolicy, now: DateTime<Utc>, window: Duration) -> DuePlan {
    let s = Schedule::parse("0 * * * *", "UTC").unwrap();
    plan_due(
        &s,
        Fire,
        misfire,
        utc(2026, 12, 3, 0, 30, 0),
        now,
        Duration::minutes(1),
        window,
        100,
    )
}

#[test]
fn three_ticks_of_downtime_under_each_misfire_policy() {
    let now = utc(2026, 12, 3, 3, 30, 0);
    let window = Duration::minutes(120);
    let late = [
        utc(2026, 12, 3, 1, 0, 0),
        utc(2026, 12, 3, 2, 0, 0),
        utc(2026, 12, 3, 3, 0, 0),
    ];
    let once = hourly(MisfirePolicy::FireOnce, now, window);
    assert_eq!((once.fire, once.missed), (vec![late[2]], 2));
    assert_eq!(once.cursor_to, Some(late[2]));
    let skip = hourly(MisfirePolicy::Skip, now, window);
    assert_eq!(
        (skip.fire, skip.missed, skip.cursor_to),
        (vec![], 3, Some(late[2]))
    );
    // FireAll: 02:00 and 03:00 are within 120 minutes of 03:30, 01:00 is not.
    let all = hourly(MisfirePolicy::FireAll, now, window);
    assert_eq!((all.fire, all.missed), (vec![late[1], late[2]], 1));
    let all = hourly(MisfirePolicy::FireAll, now, Duration::hours(3));
    assert_eq!((all.fire, all.missed), (late.to_vec(), 0));
    assert_eq!(MisfirePolicy::default(), MisfirePolicy::FireOnce);
}

#[test]
fn on_time_ticks_fire_under_every_policy() {
    // 03:00:40 is within the minute's grace of 03:00; 01:00 and 02:00 are late.
    let now = utc(2026, 12, 3, 3, 0, 40);
    let on_time = utc(2026, 12, 3, 3, 0, 0);
    let once = hourly(MisfirePolicy::FireOnce, now, Duration::zero());
    assert_eq!(
        (once.fire, once.missed),
        (vec![utc(2026, 12, 3, 2, 0, 0), on_time], 1)
    );
    let skip = hourly(MisfirePolicy::Skip, now, Duration::zero());
    assert_eq!((skip.fire, skip.missed), (vec![on_time], 2));
    let all = hourly(MisfirePolicy::FireAll, now, Duration::zero());
    assert_eq!((all.fire, all.missed), (vec![on_time], 2));
}

#[test]
fn the_cursor_and_now_bound_the_due_ticks() {
    // Nothing due between 00:30 and 00:59.
    let none = hourly(
        MisfirePolicy::FireOnce,
        utc(2026, 12, 3, 0, 59, 0),
        Duration::zero(),
    );
    assert_eq!(none, DuePlan::default());
    // A tick exactly at `now` is due; one exactly at the cursor is done.
    let s = Schedule::parse("0 * * * *", "UTC").unwrap();
    let (one, two) = (utc(2026, 12, 3, 1, 0, 0), utc(2026, 12, 3, 2, 0, 0));
    let plan = plan_due(
        &s,
        Fire,
        MisfirePolicy::Skip,
        one,
        two,
        Duration::zero(),
        Duration::zero(),
        10,
    );
    assert_eq!(
        (plan.fire, plan.missed, plan.cursor_to),
        (vec![two], 0, Some(two))
    );
    // A cursor at or past now: nothing.
    let plan = plan_due(
        &s,
        Fire,
        MisfirePolicy::Skip,
        two,
        one,
        Duration::zero(),
        Duration::zero(),
        10,
    );
    assert_eq!(plan, DuePlan::default());
}

#[test]
fn a_week_of_per_second_downtime_is_bounded_by_max_ticks() {
    let every_second = tokyo("* * * * * *");
    let now = jst(2026, 12, 11, 12, 0, 0);
    let plan = plan_due(
        &every_second,
        Fire,
        MisfirePolicy::FireOnce,
        jst(2026, 12, 4, 12, 0, 0),
        now,
        Duration::seconds(2),
        Duration::zero(),
        1000,
    );
    let secs = |n| now - Duration::seconds(n);
    // 12:00:00, :59 and :58 are on time; :57 is the one catch-up; 996 more were counted missed.
    assert_eq!(plan.fire, [secs(3), secs(2), secs(1), secs(0)]);
    assert_eq!(plan.missed, 996);
    assert!(plan.missed_uncounted);
    assert_eq!(plan.cursor_to, Some(now));
}

#[test]
fn per_second_ticks_across_golden_week_collapse_onto_7_may() {
    let every_second = tokyo("* * * * * *");
    // Evaluated five seconds into 7 May after downtime since the last minute of 1 May.
    let plan = plan_due(
        &every_second,
        NextBusinessDay,
        MisfirePolicy::FireOnce,
        jst(2026, 5, 1, 23, 59, 0),
        jst(2026, 5, 7, 0, 0, 5),
        Duration::seconds(10),
        Duration::zero(),
        1000,
    );
    // 7 May 00:00:00–00:00:05 (each one tick however many days moved onto it) are on time, as
    // are none of 1 May's: 23:59:59 is the catch-up, 23:59:01–:58 are missed.
    let mut expected = vec![jst(2026, 5, 1, 23, 59, 59)];
    expected.extend((0..=5).map(|s| jst(2026, 5, 7, 0, 0, s)));
    assert_eq!(plan.fire, expected);
    assert_eq!(plan.missed, 58);
    assert!(!plan.missed_uncounted);
    // The preview walks the same way forwards.
    let ahead = next_effective(
        &every_second,
        NextBusinessDay,
        jst(2026, 5, 1, 23, 59, 58),
        3,
    );
    assert_eq!(
        ahead,
        [
            jst(2026, 5, 1, 23, 59, 59),
            jst(2026, 5, 7, 0, 0, 0),
            jst(2026, 5, 7, 0, 0, 1)
        ]
    );
}

#[test]
fn a_tokyo_holiday_governs_a_utc_schedule() {
    // 15:00 UTC is midnight in Tokyo: Friday 1 May 2026 15:00 UTC is Saturday 2 May in Tokyo.
    let s = Schedule::parse("0 15 * * *", "UTC").unwrap();
    let ticks = next_effective(&s, HolidayPolicy::Skip, utc(2026, 4, 30, 0, 0, 0), 3);
    assert_eq!(
        ticks,
        [
            utc(2026, 4, 30, 15, 0, 0),
            utc(2026, 5, 6, 15, 0, 0),
            utc(2026, 5, 7, 15, 0, 0)
        ]
    );
}

/// The effective ticks in (start, end) the slow way: every raw tick from two weeks earlier (a
/// non-business stretch is shorter), mapped one by one, sorted, deduplicated.
fn brute_force(
    s: &Schedule,
    policy: HolidayPolicy,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    use crate::reminders::calendar::next_business_day;
    let mut ticks: Vec<_> = s
        .after(start - Duration::days(14))
        .take_while(|&t| t < end)
        .filter_map(|t| {
            let day = t.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
            match policy {
                Fire => Some(t),
                HolidayPolicy::Skip => is_business_day(day).then_some(t),
                NextBusinessDay => {
                    Some(t + Duration::days((next_business_day(day) - day).num_days()))
                }
            }
        })
        .filter(|&t| start < t && t < end)
        .collect();
    ticks.sort();
    ticks.dedup();
    ticks
}

#[test]
fn effective_ticks_match_the_slow_way_both_directions() {
    let schedules = [
        ("0 9 * * *", "Asia/Tokyo"),
        ("0 8,23 * * 1,6", "Asia/Tokyo"),
        ("*/40 */5 * * *", "Asia/Tokyo"),
        ("0 9 1 * MON", "Asia/Tokyo"),
        ("0 9 * * SAT", "Asia/Tokyo"),
        ("0 15,23 * * *", "UTC"),
        // New York's clocks change on 1 November 2026: 01:30 happens twice.
        ("30 1,9 * * *", "America/New_York"),
    ];
    let spans = [
        (jst(2026, 4, 25, 7, 0, 0), jst(2026, 5, 12, 0, 0, 0)),
        (jst(2026, 10, 28, 23, 0, 0), jst(2026, 11, 6, 0, 0, 0)),
        (jst(2026, 12, 24, 8, 59, 59), jst(2027, 1, 14, 9, 0, 0)),
        (jst(2019, 4, 26, 0, 0, 0), jst(2019, 5, 9, 0, 0, 0)),
        // From a Saturday afternoon: that morning's ticks have moved to Monday, still ahead.
        (jst(2026, 12, 5, 12, 0, 0), jst(2026, 12, 22, 0, 0, 0)),
    ];
    for (expr, zone) in schedules {
        let s = Schedule::parse(expr, zone).unwrap();
        for policy in [Fire, HolidayPolicy::Skip, NextBusinessDay] {
            for (start, end) in spans {
                let expected = brute_force(&s, policy, start, end);
                let forward: Vec<_> = effective_after(&s, policy, start)
                    .take_while(|&t| t < end)
                    .collect();
                assert_eq!(forward, expected, "{expr} {zone} {policy:?} from {start}");
                let mut backward: Vec<_> = effective_before(&s, policy, end)
                    .take_while(|&t| t > start)
                    .collect();
                backward.reverse();
                assert_eq!(
                    backward, expected,
                    "{expr} {zone} {policy:?} back from {end}"
                );
            }
        }
    }
}

#[test]
fn a_tick_moved_past_the_cursor_is_still_due() {
    // Evaluated on Saturday at noon, the Saturday 09:00 tick was not due: it belongs to Monday.
    let saturdays = tokyo("0 9 * * SAT");
    let saturday_noon = jst(2026, 12, 5, 12, 0, 0);
    let monday = jst(2026, 12, 7, 9, 0, 0);
    let at_noon = plan_due(
        &saturdays,
        NextBusinessDay,
        MisfirePolicy::FireOnce,
        jst(2026, 12, 5, 0, 0, 0),
        saturday_noon,
        Duration::minutes(1),
        Duration::zero(),
        10,
    );
    assert_eq!(at_noon, DuePlan::default());
    let on_monday = plan_due(
        &saturdays,
        NextBusinessDay,
        MisfirePolicy::FireOnce,
        saturday_noon,
        monday + Duration::seconds(10),
        Duration::minutes(1),
        Duration::zero(),
        10,
    );
    assert_eq!(
        (on_monday.fire, on_monday.cursor_to),
        (vec![monday], Some(monday))
    );
}

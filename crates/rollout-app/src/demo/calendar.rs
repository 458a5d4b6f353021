//! Time for generated histories: the programme's span (FY2020-Q1 to FY2026-Q4, in Tokyo time)
//! and seeded random instants and ids within it. Instants are whole seconds, which both
//! databases store exactly.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use rand::{Rng, rngs::SmallRng};
use rollout_domain::FiscalQuarter;
use uuid::Uuid;

use crate::TOKYO;

/// The first quarter of the programme.
pub(super) fn first_quarter() -> FiscalQuarter {
    FiscalQuarter::new(2020, 1).expect("FY2020-Q1 is a valid quarter")
}

/// The last quarter of the programme.
pub(super) fn last_quarter() -> FiscalQuarter {
    FiscalQuarter::new(2026, 4).expect("FY2026-Q4 is a valid quarter")
}

/// Midnight at the start of `date` in Tokyo.
pub(super) fn tokyo_midnight(date: NaiveDate) -> DateTime<Utc> {
    TOKYO
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .expect("Tokyo has no daylight saving time, so every local time is unambiguous")
        .with_timezone(&Utc)
}

/// The last second of `quarter`, Tokyo time.
pub(super) fn quarter_end(quarter: FiscalQuarter) -> DateTime<Utc> {
    tokyo_midnight(quarter.last_day()) + TimeDelta::days(1) - TimeDelta::seconds(1)
}

pub(super) fn tokyo_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&TOKYO).date_naive()
}

pub(super) fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

/// A whole-second instant in `[from, to]`; `from` when the range is empty.
pub(super) fn instant_between(
    rng: &mut SmallRng,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> DateTime<Utc> {
    let (a, b) = (from.timestamp(), to.timestamp());
    let secs = if b > a { rng.random_range(a..=b) } else { a };
    DateTime::from_timestamp(secs, 0).expect("between two valid instants")
}

/// The quarter containing `at`, clamped to the programme's span.
pub(super) fn clamped_quarter(at: DateTime<Utc>) -> FiscalQuarter {
    FiscalQuarter::containing(tokyo_date(at)).clamp(first_quarter(), last_quarter())
}

/// A quarter chosen uniformly from `from..=to` (just `from` when `to` is earlier).
pub(super) fn quarter_between(
    rng: &mut SmallRng,
    from: FiscalQuarter,
    to: FiscalQuarter,
) -> FiscalQuarter {
    let mut span = vec![from];
    let mut q = from;
    while q < to {
        match q.next() {
            Some(next) => {
                span.push(next);
                q = next;
            }
            None => break,
        }
    }
    span[rng.random_range(0..span.len())]
}

/// A UUID v7 stamped with `at`, its random part drawn from `rng`: ids sort by creation time like
/// those rollout makes itself, yet a seed reproduces them exactly.
pub(super) fn uuid_at(rng: &mut SmallRng, at: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &rng.random::<[u8; 10]>()).into_uuid()
}

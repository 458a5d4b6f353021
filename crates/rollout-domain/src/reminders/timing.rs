//! When a rule's ticks are due: holiday policy and misfire policy.

/// What a tick that falls on a non-business day does (placeholder until the timing module lands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayPolicy {
    Fire,
    Skip,
    NextBusinessDay,
}

/// What happens to ticks missed while no scheduler ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MisfirePolicy {
    #[default]
    FireOnce,
    Skip,
    FireAll,
}

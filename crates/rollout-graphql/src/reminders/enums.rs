//! The reminder enums of the API and their conversions. Most mirror a domain enum one to one;
//! `ReminderKind` names a domain kind without its parameter (the number of days is a field of
//! its own), so it converts to and from the kind's stable name instead.

use async_graphql::Enum;
use rollout_domain::reminders as domain;
use rollout_domain::reminders::rule::KIND_NAMES;

use crate::enums::mirror_enum;
use crate::errors;

/// What a reminder rule looks for. The kinds that take a number of days say what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ReminderKind {
    /// Open tasks due within `days` days (today included), not yet overdue.
    #[graphql(name = "TASK_DUE_SOON")]
    TaskDueSoon,
    /// Open tasks whose due date has passed.
    #[graphql(name = "TASK_OVERDUE")]
    TaskOverdue,
    /// Procedures in a state longer than the state's `slaDays`.
    #[graphql(name = "STAGE_SLA_EXCEEDED")]
    StageSlaExceeded,
    /// Approval requests pending for at least `days` days.
    #[graphql(name = "APPROVAL_PENDING")]
    ApprovalPending,
    /// Procedures not released whose target quarter ends within `days` days.
    #[graphql(name = "TARGET_QUARTER_AT_RISK")]
    TargetQuarterAtRisk,
    /// Open law changes with no status change for `days` days.
    #[graphql(name = "LAW_CHANGE_FOLLOW_UP")]
    LawChangeFollowUp,
    /// Planned milestones due within `days` days (or past due).
    #[graphql(name = "MILESTONE_DUE")]
    MilestoneDue,
    /// Open procedures with no change for `days` days.
    #[graphql(name = "STALE_PROCEDURE")]
    StaleProcedure,
    /// The quarterly progress report, `days` days after a fiscal quarter ends.
    #[graphql(name = "QUARTERLY_REPORT_DUE")]
    QuarterlyReportDue,
}

impl ReminderKind {
    /// In the order of the domain's `KIND_NAMES`, which [`Self::name`] indexes.
    const ALL: [Self; 9] = [
        Self::TaskDueSoon,
        Self::TaskOverdue,
        Self::StageSlaExceeded,
        Self::ApprovalPending,
        Self::TargetQuarterAtRisk,
        Self::LawChangeFollowUp,
        Self::MilestoneDue,
        Self::StaleProcedure,
        Self::QuarterlyReportDue,
    ];

    /// The kind's stable name, as the app and the store spell it.
    pub(crate) fn name(self) -> &'static str {
        let i = Self::ALL
            .iter()
            .position(|k| *k == self)
            .expect("ALL lists every kind");
        KIND_NAMES[i]
    }

    /// The kind a stored name spells; an unknown name is a stored value this build does not
    /// know, reported as INTERNAL.
    pub(crate) fn parse(name: &str) -> async_graphql::Result<Self> {
        KIND_NAMES
            .iter()
            .position(|k| *k == name)
            .map(|i| Self::ALL[i])
            .ok_or_else(|| errors::internal(format!("unknown stored reminder kind {name:?}")))
    }
}

impl From<domain::ReminderKind> for ReminderKind {
    fn from(kind: domain::ReminderKind) -> Self {
        use domain::ReminderKind as K;
        match kind {
            K::TaskDueSoon { .. } => Self::TaskDueSoon,
            K::TaskOverdue => Self::TaskOverdue,
            K::StageSlaExceeded => Self::StageSlaExceeded,
            K::ApprovalPending { .. } => Self::ApprovalPending,
            K::TargetQuarterAtRisk { .. } => Self::TargetQuarterAtRisk,
            K::LawChangeFollowUp { .. } => Self::LawChangeFollowUp,
            K::MilestoneDue { .. } => Self::MilestoneDue,
            K::StaleProcedure { .. } => Self::StaleProcedure,
            K::QuarterlyReportDue { .. } => Self::QuarterlyReportDue,
        }
    }
}

mirror_enum!(
    /// What happens to a tick on a day that is not a business day (weekends, Japanese public
    /// holidays, 29 December – 3 January).
    HolidayPolicy <=> domain::HolidayPolicy {
        Fire => "FIRE",
        Skip => "SKIP",
        NextBusinessDay => "NEXT_BUSINESS_DAY",
    }
);

mirror_enum!(
    /// What happens to ticks that came due while no scheduler ran.
    MisfirePolicy <=> domain::MisfirePolicy {
        FireOnce => "FIRE_ONCE",
        Skip => "SKIP",
        FireAll => "FIRE_ALL",
    }
);

mirror_enum!(
    /// How a reminder reaches its recipients.
    NotificationChannel <=> domain::Channel {
        InApp => "IN_APP",
        Email => "EMAIL",
        Webhook => "WEBHOOK",
    }
);

mirror_enum!(
    /// The language a person reads reminders in.
    Language <=> domain::Language {
        Ja => "JA",
        En => "EN",
    }
);

mirror_enum!(
    /// Where a delivery stands: PENDING (due or waiting for a retry), DELIVERED, or DEAD (out of
    /// attempts or refused for good; an operator may retry it).
    DeliveryStatus <=> domain::DeliveryStatus {
        Pending => "PENDING",
        Delivered => "DELIVERED",
        Dead => "DEAD",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_the_domains_names() {
        for (kind, name) in ReminderKind::ALL.iter().zip(KIND_NAMES) {
            assert_eq!(kind.name(), name);
            assert_eq!(ReminderKind::parse(name).unwrap(), *kind);
            let domain = domain::ReminderKind::from_parts(name, None)
                .or_else(|_| domain::ReminderKind::from_parts(name, Some(3)))
                .unwrap();
            assert_eq!(ReminderKind::from(domain), *kind, "{name}");
        }
        assert!(ReminderKind::parse("NOPE").is_err());
    }
}

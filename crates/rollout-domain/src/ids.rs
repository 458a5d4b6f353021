//! Typed identifiers. Every entity has a UUID (v7 when created by rollout, so that ids sort by
//! creation time); the newtypes stop a procedure id from being passed where a bureau id is meant.
//! Human-facing codes live in [`crate::codes`].

use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id. The caller supplies the uuid so that the domain stays free
            /// of randomness and the clock; see `rollout-app`'s id generator.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// Identifies a [`crate::Bureau`].
    BureauId
);
uuid_id!(
    /// Identifies a [`crate::Procedure`].
    ProcedureId
);
uuid_id!(
    /// Identifies a [`crate::TransitionRecord`].
    TransitionRecordId
);
uuid_id!(
    /// Identifies a [`crate::identity::User`].
    UserId
);
uuid_id!(
    /// Identifies a [`crate::token::ApiToken`].
    TokenId
);
uuid_id!(
    /// Identifies a [`crate::approval::ApprovalRequest`].
    ApprovalRequestId
);
uuid_id!(
    /// Identifies a [`crate::approval::Delegation`].
    DelegationId
);
uuid_id!(
    /// Identifies a [`crate::audit::AuditEntry`].
    AuditEntryId
);
uuid_id!(
    /// Identifies a [`crate::hearing::Hearing`].
    HearingId
);
uuid_id!(
    /// Identifies a [`crate::user_test::UserTest`].
    UserTestId
);
uuid_id!(
    /// Identifies a [`crate::task::Task`].
    TaskId
);
uuid_id!(
    /// Identifies a [`crate::blockers::LawChange`].
    LawChangeId
);
uuid_id!(
    /// Identifies a [`crate::blockers::Milestone`].
    MilestoneId
);
uuid_id!(
    /// Identifies a [`crate::blockers::Dependency`].
    DependencyId
);
uuid_id!(
    /// Identifies a [`crate::blockers::LawChangeStatusChange`].
    LawChangeStatusChangeId
);
uuid_id!(
    /// Identifies a [`crate::reminders::ReminderRule`].
    ReminderRuleId
);
uuid_id!(
    /// Identifies a [`crate::reminders::Firing`]: one rule's tick, fired once.
    FiringId
);
uuid_id!(
    /// Identifies a [`crate::reminders::Notification`] (one digest for one recipient).
    NotificationId
);
uuid_id!(
    /// Identifies a [`crate::reminders::Delivery`] in the outbox; a webhook's `webhook-id`.
    DeliveryId
);
uuid_id!(
    /// Identifies a [`crate::reminders::WebhookEndpoint`].
    WebhookEndpointId
);
uuid_id!(
    /// Identifies a [`crate::quality::QualityAssessment`].
    QualityAssessmentId
);
uuid_id!(
    /// Identifies a [`crate::quality::UserReview`].
    UserReviewId
);

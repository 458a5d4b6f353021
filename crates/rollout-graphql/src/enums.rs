//! The API's enums and their hand-written conversions to and from the domain and store enums.
//! The GraphQL item names are spelled out, not derived from the Rust names, because they are
//! the contract (`JOINT_E_APPLICATION`) and a renamed Rust variant must not change them.

use async_graphql::Enum;
use rollout_domain as domain;

macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident <=> $other:path { $($variant:ident => $gql:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
        pub enum $name { $(#[graphql(name = $gql)] $variant),+ }

        impl From<$other> for $name {
            fn from(v: $other) -> Self {
                use $other as O;
                match v { $(O::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $other {
            fn from(v: $name) -> Self {
                use $other as O;
                match v { $($name::$variant => O::$variant),+ }
            }
        }
    };
}

/// For the enums of other modules (`reminders`), which mirror their domain enums the same way.
pub(crate) use mirror_enum;

mirror_enum!(
    /// How the programme classifies a procedure.
    ProcedureCategory <=> domain::Category {
        Major => "MAJOR",
        Standard => "STANDARD",
        Subsidy => "SUBSIDY",
    }
);

mirror_enum!(
    /// Who can decide to digitise a procedure: Tokyo itself, or the national government.
    Authority <=> domain::Authority {
        Tokyo => "TOKYO",
        National => "NATIONAL",
    }
);

mirror_enum!(
    /// The system through which a procedure goes online.
    Platform <=> domain::Platform {
        JointEApplication => "JOINT_E_APPLICATION",
        SaasEApplication => "SAAS_E_APPLICATION",
        Jgrants => "JGRANTS",
        MynaPortal => "MYNA_PORTAL",
        OtherNationalSystem => "OTHER_NATIONAL_SYSTEM",
        DedicatedSystem => "DEDICATED_SYSTEM",
    }
);

mirror_enum!(
    /// What a workflow state means to the programme.
    StateKind <=> domain::workflow::StateKind {
        Initial => "INITIAL",
        Active => "ACTIVE",
        Blocked => "BLOCKED",
        Done => "DONE",
        Closed => "CLOSED",
    }
);

mirror_enum!(
    /// The field procedures are sorted by; ties are broken by id.
    ProcedureOrderField <=> rollout_store::ProcedureOrderField {
        Code => "CODE",
        CreatedAt => "CREATED_AT",
        UpdatedAt => "UPDATED_AT",
    }
);

mirror_enum!(
    /// Sort direction.
    OrderDirection <=> rollout_store::OrderDirection {
        Asc => "ASC",
        Desc => "DESC",
    }
);

mirror_enum!(
    /// What a user may do: ADMIN manages users and bureaus; PROJECT_OFFICE works on every
    /// procedure and decides approvals; BUREAU_COORDINATOR works on their own bureau's
    /// procedures; VIEWER reads; REVIEW_INTAKE is the e-application sites' review form, which
    /// may only submit user reviews.
    Role <=> domain::identity::Role {
        Admin => "ADMIN",
        ProjectOffice => "PROJECT_OFFICE",
        BureauCoordinator => "BUREAU_COORDINATOR",
        Viewer => "VIEWER",
        ReviewIntake => "REVIEW_INTAKE",
    }
);

mirror_enum!(
    /// Where an approval request stands. A pending request past its deadline shows as EXPIRED.
    ApprovalStatus <=> domain::approval::ApprovalStatus {
        Pending => "PENDING",
        Approved => "APPROVED",
        Rejected => "REJECTED",
        Withdrawn => "WITHDRAWN",
        Expired => "EXPIRED",
        Failed => "FAILED",
    }
);

mirror_enum!(
    /// One approver's decision.
    Decision <=> domain::approval::Decision {
        Approve => "APPROVE",
        Reject => "REJECT",
    }
);

mirror_enum!(
    /// How an audited attempt ended.
    AuditOutcome <=> domain::audit::AuditOutcome {
        Success => "SUCCESS",
        Unauthenticated => "UNAUTHENTICATED",
        Forbidden => "FORBIDDEN",
    }
);

mirror_enum!(
    /// The verdict of a user test: a PASS recorded since the procedure was built lets it move
    /// to `user_tested`.
    UserTestVerdict <=> domain::user_test::UserTestVerdict {
        Pass => "PASS",
        Fail => "FAIL",
    }
);

// Issue 10: hearings and tasks.
mirror_enum!(
    /// Who the project office met.
    HearingKind <=> domain::hearing::HearingKind {
        PolicyDepartment => "POLICY_DEPARTMENT",
        NationalMinistry => "NATIONAL_MINISTRY",
        PlatformVendor => "PLATFORM_VENDOR",
        Other => "OTHER",
    }
);

mirror_enum!(
    /// What a hearing decided for one procedure. Applied: PROCEED moves it to `scheduled`,
    /// NEEDS_LAW_CHANGE to `awaiting_law_change`, PROPOSE_ABOLITION opens the abolition's
    /// approval request, UNDECIDED moves nothing.
    HearingDecision <=> domain::hearing::HearingDecision {
        Proceed => "PROCEED",
        NeedsLawChange => "NEEDS_LAW_CHANGE",
        ProposeAbolition => "PROPOSE_ABOLITION",
        Undecided => "UNDECIDED",
    }
);

mirror_enum!(
    /// Where a task stands.
    TaskStatus <=> domain::task::TaskStatus {
        Open => "OPEN",
        Done => "DONE",
        Cancelled => "CANCELLED",
    }
);

// Issue 11: law changes, milestones and dependencies.
mirror_enum!(
    /// The level of the rule that must change: national (requested from a ministry) or Tokyo's
    /// own.
    LawLevel <=> domain::blockers::LawLevel {
        NationalLaw => "NATIONAL_LAW",
        CabinetOrder => "CABINET_ORDER",
        MinisterialOrdinance => "MINISTERIAL_ORDINANCE",
        Notice => "NOTICE",
        TokyoOrdinance => "TOKYO_ORDINANCE",
        TokyoRule => "TOKYO_RULE",
    }
);

mirror_enum!(
    /// Where a law change stands. ENACTED and WITHDRAWN no longer block; DECLINED still does.
    LawChangeStatus <=> domain::blockers::LawChangeStatus {
        NotRequested => "NOT_REQUESTED",
        Requested => "REQUESTED",
        UnderStudy => "UNDER_STUDY",
        DateShown => "DATE_SHOWN",
        Enacted => "ENACTED",
        Declined => "DECLINED",
        Withdrawn => "WITHDRAWN",
    }
);

mirror_enum!(
    /// Where a milestone stands; only a PLANNED one blocks.
    MilestoneStatus <=> domain::blockers::MilestoneStatus {
        Planned => "PLANNED",
        Done => "DONE",
        Cancelled => "CANCELLED",
    }
);

impl Default for ProcedureOrderField {
    fn default() -> Self {
        rollout_store::ProcedureOrderField::default().into()
    }
}

impl Default for OrderDirection {
    fn default() -> Self {
        rollout_store::OrderDirection::default().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_value_round_trips() {
        for c in domain::Category::ALL {
            assert_eq!(domain::Category::from(ProcedureCategory::from(*c)), *c);
        }
        for p in domain::Platform::ALL {
            assert_eq!(domain::Platform::from(Platform::from(*p)), *p);
        }
        for k in domain::workflow::StateKind::ALL {
            assert_eq!(domain::workflow::StateKind::from(StateKind::from(*k)), *k);
        }
        for r in domain::identity::Role::ALL {
            assert_eq!(domain::identity::Role::from(Role::from(*r)), *r);
        }
        for s in domain::approval::ApprovalStatus::ALL {
            assert_eq!(
                domain::approval::ApprovalStatus::from(ApprovalStatus::from(*s)),
                *s
            );
        }
        for o in domain::audit::AuditOutcome::ALL {
            assert_eq!(
                domain::audit::AuditOutcome::from(AuditOutcome::from(*o)),
                *o
            );
        }
        for v in domain::user_test::UserTestVerdict::ALL {
            assert_eq!(
                domain::user_test::UserTestVerdict::from(UserTestVerdict::from(*v)),
                *v
            );
        }
        for l in domain::blockers::LawLevel::ALL {
            assert_eq!(domain::blockers::LawLevel::from(LawLevel::from(*l)), *l);
        }
        for s in domain::blockers::LawChangeStatus::ALL {
            assert_eq!(
                domain::blockers::LawChangeStatus::from(LawChangeStatus::from(*s)),
                *s
            );
        }
        for s in domain::blockers::MilestoneStatus::ALL {
            assert_eq!(
                domain::blockers::MilestoneStatus::from(MilestoneStatus::from(*s)),
                *s
            );
        }
        assert_eq!(ProcedureOrderField::default(), ProcedureOrderField::Code);
        assert_eq!(OrderDirection::default(), OrderDirection::Asc);
    }
}

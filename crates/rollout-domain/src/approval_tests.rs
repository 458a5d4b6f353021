//! Tests of the vote rules in [`super`]: the four-eyes rule, one vote per person whatever hats
//! they wear, substitutes, quorum and closed or expired requests.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

use super::*;
use crate::identity::{Email, Role, User};

fn user(n: u128, role: Role) -> User {
    User {
        id: UserId(Uuid::from_u128(n)),
        display_name: format!("user {n}"),
        email: Email::parse(&format!("u{n}@example.jp")).unwrap(),
        role,
        bureau_id: (role == Role::BureauCoordinator).then(bureau),
        disabled: false,
        created_at: DateTime::UNIX_EPOCH,
    }
}

/// The bureau of the procedure every request here is about, and of every coordinator.
fn bureau() -> BureauId {
    BureauId(Uuid::from_u128(99))
}

fn t0() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH + TimeDelta::days(20_000)
}

fn today() -> NaiveDate {
    t0().date_naive()
}

fn request(required: u32, requested_by: &User) -> ApprovalRequest {
    ApprovalRequest {
        id: ApprovalRequestId(Uuid::from_u128(1000)),
        procedure_id: ProcedureId(Uuid::from_u128(2000)),
        transition: "release".into(),
        from_state: "user_tested".into(),
        to_state: "released".into(),
        expected_version: 4,
        comment: None,
        requested_by: requested_by.id,
        policy: ApprovalPolicy {
            role: Role::ProjectOffice,
            required,
        },
        status: ApprovalStatus::Pending,
        reason: None,
        created_at: t0(),
        expires_at: t0() + TimeDelta::days(14),
        closed_at: None,
        version: 1,
    }
}

fn vote(by: &User, on_behalf_of: Option<&User>, decision: Decision) -> ApprovalVote {
    ApprovalVote {
        request_id: ApprovalRequestId(Uuid::from_u128(1000)),
        approver: by.id,
        on_behalf_of: on_behalf_of.map(|u| u.id),
        decision,
        comment: None,
        at: t0(),
    }
}

fn delegation(from: &User, to: &User, starts: i64, ends: i64) -> Delegation {
    Delegation {
        id: DelegationId(Uuid::from_u128(3000)),
        delegator: from.id,
        delegate: to.id,
        starts_on: today() + TimeDelta::days(starts),
        ends_on: today() + TimeDelta::days(ends),
        created_at: t0(),
        revoked_at: None,
    }
}

fn me(user: &User) -> Voter<'_> {
    Voter {
        user,
        substitute_for: None,
    }
}

#[test]
fn quorum_counts_distinct_approvals() {
    let coordinator = user(1, Role::BureauCoordinator);
    let (a, b) = (user(2, Role::ProjectOffice), user(3, Role::ProjectOffice));
    let r = request(2, &coordinator);
    assert_eq!(
        cast_vote(&r, bureau(), &[], me(&a), Decision::Approve, t0(), today()),
        Ok(VoteOutcome::Pending {
            approvals: 1,
            required: 2
        })
    );
    let votes = [vote(&a, None, Decision::Approve)];
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &votes,
            me(&b),
            Decision::Approve,
            t0(),
            today()
        ),
        Ok(VoteOutcome::QuorumReached)
    );
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &votes,
            me(&b),
            Decision::Reject,
            t0(),
            today()
        ),
        Ok(VoteOutcome::Rejected)
    );
}

#[test]
fn refusals() {
    let office = user(2, Role::ProjectOffice);
    let other = user(3, Role::ProjectOffice);
    let coordinator = user(1, Role::BureauCoordinator);
    let viewer = user(4, Role::Viewer);
    let own = request(1, &office);
    assert_eq!(
        cast_vote(
            &own,
            bureau(),
            &[],
            me(&office),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::OwnRequest)
    );
    let r = request(2, &coordinator);
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &[],
            me(&viewer),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::WrongRole(Role::ProjectOffice))
    );
    let voted = [vote(&other, None, Decision::Approve)];
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &voted,
            me(&other),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::AlreadyVoted)
    );
    let mut closed = r.clone();
    closed.status = ApprovalStatus::Rejected;
    assert_eq!(
        cast_vote(
            &closed,
            bureau(),
            &[],
            me(&other),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::Closed(ApprovalStatus::Rejected))
    );
    let late = r.expires_at;
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &[],
            me(&other),
            Decision::Approve,
            late,
            today()
        ),
        Err(VoteRefused::Closed(ApprovalStatus::Expired))
    );
    assert_eq!(
        r.status_at(late - TimeDelta::seconds(1)),
        ApprovalStatus::Pending
    );
}

#[test]
fn substitutes_count_for_the_person_they_stand_in_for() {
    let coordinator = user(1, Role::BureauCoordinator);
    let (a, b, c) = (
        user(2, Role::ProjectOffice),
        user(3, Role::ProjectOffice),
        user(5, Role::ProjectOffice),
    );
    let r = request(2, &coordinator);
    let d = delegation(&a, &b, 0, 3);
    let as_a = Voter {
        user: &b,
        substitute_for: Some((&a, &d)),
    };
    assert_eq!(
        cast_vote(&r, bureau(), &[], as_a, Decision::Approve, t0(), today()),
        Ok(VoteOutcome::Pending {
            approvals: 1,
            required: 2
        })
    );
    // Four eyes: b voted for a, so b may not also vote as b, and a may not vote again.
    let votes = [vote(&b, Some(&a), Decision::Approve)];
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &votes,
            me(&b),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::AlreadyVoted)
    );
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &votes,
            me(&a),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::AlreadyVoted)
    );
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &votes,
            me(&c),
            Decision::Approve,
            t0(),
            today()
        ),
        Ok(VoteOutcome::QuorumReached)
    );
}

#[test]
fn delegations_must_cover_today_and_match() {
    let coordinator = user(1, Role::BureauCoordinator);
    let (a, b, c) = (
        user(2, Role::ProjectOffice),
        user(3, Role::ProjectOffice),
        user(5, Role::ProjectOffice),
    );
    let r = request(1, &coordinator);
    for d in [
        delegation(&a, &b, 1, 3),
        delegation(&a, &b, -3, -1),
        delegation(&c, &b, 0, 0),
    ] {
        let v = Voter {
            user: &b,
            substitute_for: Some((&a, &d)),
        };
        assert_eq!(
            cast_vote(&r, bureau(), &[], v, Decision::Approve, t0(), today()),
            Err(VoteRefused::NoDelegation),
            "{d:?}"
        );
    }
    let mut revoked = delegation(&a, &b, 0, 0);
    revoked.revoked_at = Some(t0());
    let v = Voter {
        user: &b,
        substitute_for: Some((&a, &revoked)),
    };
    assert_eq!(
        cast_vote(&r, bureau(), &[], v, Decision::Approve, t0(), today()),
        Err(VoteRefused::NoDelegation)
    );
    // A substitute cannot approve a request made by the person they stand in for.
    let by_a = request(1, &a);
    let d = delegation(&a, &b, 0, 0);
    let v = Voter {
        user: &b,
        substitute_for: Some((&a, &d)),
    };
    assert_eq!(
        cast_vote(&by_a, bureau(), &[], v, Decision::Approve, t0(), today()),
        Err(VoteRefused::OwnRequest)
    );
}

#[test]
fn delegation_validation() {
    let a = user(2, Role::ProjectOffice);
    let b = user(3, Role::ProjectOffice);
    let viewer = user(4, Role::Viewer);
    assert!(validate_delegation(&a, &b, today(), today()).is_empty());
    let fields =
        |errs: Vec<(&'static str, String)>| errs.into_iter().map(|e| e.0).collect::<Vec<_>>();
    assert_eq!(
        fields(validate_delegation(&a, &a, today(), today())),
        ["delegateId"]
    );
    assert_eq!(
        fields(validate_delegation(&a, &viewer, today(), today())),
        ["delegateId"]
    );
    assert_eq!(
        fields(validate_delegation(
            &a,
            &b,
            today(),
            today() - TimeDelta::days(1)
        )),
        ["endsOn"]
    );
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert!(validate_delegation(&a, &b, d("1900-01-01"), d("2200-12-31")).is_empty());
    assert_eq!(
        fields(validate_delegation(
            &a,
            &b,
            d("1899-12-31"),
            d("2201-01-01")
        )),
        ["startsOn", "endsOn"]
    );
}

#[test]
fn default_workflow_gates_release_and_abolition() {
    let def = crate::workflow::default_workflow();
    let gate = |from: &str, to: &str| def.transition(from, to).unwrap().approval;
    let office = |required| {
        Some(ApprovalPolicy {
            role: Role::ProjectOffice,
            required,
        })
    };
    assert_eq!(gate("user_tested", "released"), office(1));
    for from in ["hearing", "scheduled", "awaiting_law_change"] {
        assert_eq!(gate(from, "abolished"), office(2), "{from} -> abolished");
    }
    assert_eq!(gate("hearing", "scheduled"), None);
    let bad = crate::workflow::WorkflowDefinition::from_toml(
        &crate::workflow::DEFAULT_WORKFLOW_TOML.replace(
            r#"role = "PROJECT_OFFICE", count = 1"#,
            r#"role = "VIEWER", count = 0"#,
        ),
    )
    .unwrap_err();
    let names: Vec<String> = bad.iter().map(ToString::to_string).collect();
    assert_eq!(bad.len(), 2, "{names:?}");
    assert!(
        names[0].contains("VIEWER") || names[1].contains("VIEWER"),
        "{names:?}"
    );
}

#[test]
fn coordinators_decide_only_for_their_own_bureau() {
    let requester = user(1, Role::BureauCoordinator);
    let (colleague, outsider) = (
        user(6, Role::BureauCoordinator),
        User {
            bureau_id: Some(BureauId(Uuid::from_u128(98))),
            ..user(7, Role::BureauCoordinator)
        },
    );
    let mut r = request(1, &requester);
    r.policy.role = Role::BureauCoordinator;
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &[],
            me(&outsider),
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::OtherBureau)
    );
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &[],
            me(&colleague),
            Decision::Approve,
            t0(),
            today()
        ),
        Ok(VoteOutcome::QuorumReached)
    );
    // Standing in for a colleague of the right bureau does not make an outsider one of them.
    let d = delegation(&colleague, &outsider, 0, 3);
    let as_colleague = Voter {
        user: &outsider,
        substitute_for: Some((&colleague, &d)),
    };
    assert_eq!(
        cast_vote(
            &r,
            bureau(),
            &[],
            as_colleague,
            Decision::Approve,
            t0(),
            today()
        ),
        Err(VoteRefused::OtherBureau)
    );
    assert_eq!(
        validate_delegation(&colleague, &outsider, today(), today()),
        vec![(
            "delegateId",
            "a coordinator's substitute must coordinate the same bureau".to_owned()
        )]
    );
    assert!(validate_delegation(&colleague, &requester, today(), today()).is_empty());
}

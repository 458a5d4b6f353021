//! Contract cases for reading the audit trail: exact round-trips of every field, each filter of
//! `list_audit` at its boundaries (since inclusive, until exclusive; an action prefix only when
//! it ends in `.`, matched literally), and oldest-first keyset pages that cover every entry once.
//!
//! JSON snapshots are written in PostgreSQL's `jsonb` output form (keys ordered by length then
//! bytes, `": "` and `", "` separators), so both backends return them byte for byte; the port
//! promises the JSON value, not its formatting.

use std::sync::Arc;

use rollout_domain::audit::{AuditEntry, AuditOutcome};
use rollout_domain::{AuditEntryId, UserId};
use uuid::Uuid;

use super::fixtures::{at, audit, audit_trail, first};
use super::people::{expect_not_found, seed_user};
use crate::{AuditCursor, AuditFilter, PageRequest, Store};

/// The entry with id `n`, by `actor` (or anonymous), at second `second`.
fn entry(
    n: u128,
    second: i64,
    actor: Option<UserId>,
    action: &str,
    target: (&str, Option<&str>),
    outcome: AuditOutcome,
) -> AuditEntry {
    AuditEntry {
        id: AuditEntryId(Uuid::from_u128(n)),
        actor_id: actor,
        actor: actor.map_or("anonymous".to_owned(), |u| format!("user-{u}")),
        target_id: target.1.map(str::to_owned),
        outcome,
        ..audit(action, target.0, "", at(second, 0))
    }
}

/// Ids (as u128) of every entry matching `filter`, checking the total.
async fn ids(store: &Arc<dyn Store>, filter: AuditFilter) -> Vec<u128> {
    let page = store.list_audit(&filter, &first(100)).await.unwrap();
    assert_eq!(
        page.total_count,
        Some(page.items.len() as i64),
        "{filter:?}"
    );
    page.items.into_iter().map(|e| e.id.0.as_u128()).collect()
}

/// Every field round-trips exactly, for each outcome; an entry naming an unknown actor is
/// `NotFound { entity: "user" }` and is not stored.
pub async fn audit_round_trips_every_field(store: Arc<dyn Store>) {
    let actor = seed_user(&store, "actor@metro.tokyo.lg.jp").await;
    let principal = seed_user(&store, "principal@metro.tokyo.lg.jp").await;
    let before = audit_trail(&store).await;
    let full = AuditEntry {
        id: AuditEntryId(Uuid::now_v7()),
        at: at(100, 654_321),
        actor_id: Some(actor.id),
        actor: actor.email.as_str().to_owned(),
        on_behalf_of: Some(principal.id),
        action: "approval.approve".to_owned(),
        target_type: "ApprovalRequest".to_owned(),
        target_id: Some("0190f3a1-7b2c-7d4e-8f00-0123456789ab".to_owned()),
        before: Some(r#"{"status": "PENDING", "version": 1}"#.to_owned()),
        after: Some(r#"{"tags": ["至急", "二人目"], "status": "APPROVED"}"#.to_owned()),
        outcome: AuditOutcome::Success,
        request_id: Some("req-7f3a".to_owned()),
        client_addr: Some("2001:db8::1".to_owned()),
    };
    store.append_audit(&full).await.unwrap();
    let mut expected = vec![full];
    for (n, outcome) in [AuditOutcome::Unauthenticated, AuditOutcome::Forbidden]
        .into_iter()
        .enumerate()
    {
        let e = entry(
            n as u128 + 1,
            200 + n as i64,
            None,
            "token.use",
            ("ApiToken", None),
            outcome,
        );
        store.append_audit(&e).await.unwrap();
        expected.push(e);
    }
    assert_eq!(audit_trail(&store).await[before.len()..], expected);

    let ghost = UserId(Uuid::now_v7());
    let orphan = entry(
        99,
        300,
        Some(ghost),
        "x.y",
        ("X", None),
        AuditOutcome::Success,
    );
    expect_not_found(store.append_audit(&orphan).await, "user", ghost);
    assert_eq!(audit_trail(&store).await.len(), before.len() + 3);
}

/// Each filter narrows in SQL and they combine; `since` is inclusive, `until` exclusive; an
/// action ending in `.` is a literal prefix (no wildcards), any other action matches exactly.
pub async fn audit_list_filters(store: Arc<dyn Store>) {
    let u1 = seed_user(&store, "u1@example.jp").await.id;
    let u2 = seed_user(&store, "u2@example.jp").await.id;
    use AuditOutcome::{Forbidden, Success, Unauthenticated};
    let proc1 = ("Procedure", Some("P1"));
    let proc2 = ("Procedure", Some("P2"));
    let mut e5 = entry(
        5,
        40,
        Some(u2),
        "approval.approve",
        ("ApprovalRequest", Some("R1")),
        Forbidden,
    );
    e5.on_behalf_of = Some(u1);
    let entries = [
        entry(1, 10, Some(u1), "procedure.create", proc1, Success),
        // Same instant as the next one, and a larger id: comes second.
        entry(0x20, 20, Some(u2), "procedure.transition", proc1, Success),
        entry(
            0x10,
            20,
            None,
            "procedure.transition",
            proc2,
            Unauthenticated,
        ),
        entry(
            4,
            30,
            Some(u1),
            "procedures.export",
            ("Export", None),
            Success,
        ),
        e5,
        entry(6, 50, Some(u1), "procedure", proc2, Success),
        entry(7, 60, None, "a_b.c", ("X", None), Success),
    ];
    for e in &entries {
        store.append_audit(e).await.unwrap();
    }
    let after_setup = AuditFilter {
        since: Some(at(1, 0)),
        ..AuditFilter::default()
    };
    assert_eq!(
        ids(&store, after_setup.clone()).await,
        [1, 0x10, 0x20, 4, 5, 6, 7]
    );
    assert_eq!(ids(&store, AuditFilter::default()).await.len(), 9);

    let window = |since: i64, until: i64| AuditFilter {
        since: Some(at(since, 0)),
        until: Some(at(until, 0)),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&store, window(20, 40)).await, [0x10, 0x20, 4]);
    assert_eq!(ids(&store, window(1, 20)).await, [1]);
    assert_eq!(ids(&store, window(20, 20)).await, Vec::<u128>::new());
    let until = AuditFilter {
        until: Some(at(10, 1)),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&store, until).await.len(), 3);

    let actor = |u| AuditFilter {
        actor_id: Some(u),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&store, actor(u1)).await, [1, 4, 6]);
    assert_eq!(ids(&store, actor(u2)).await, [0x20, 5]);

    let action = |a: &str| AuditFilter {
        action: Some(a.to_owned()),
        ..AuditFilter::default()
    };
    assert_eq!(
        ids(&store, action("procedure.transition")).await,
        [0x10, 0x20]
    );
    assert_eq!(ids(&store, action("procedure.")).await, [1, 0x10, 0x20]);
    assert_eq!(ids(&store, action("procedure")).await, [6]);
    assert_eq!(ids(&store, action("user.")).await.len(), 2);
    assert_eq!(ids(&store, action("a_b.")).await, [7]);
    assert!(ids(&store, action("a%b.")).await.is_empty());
    assert!(ids(&store, action("a__.")).await.is_empty());
    assert!(ids(&store, action("PROCEDURE.")).await.is_empty());
    assert!(ids(&store, action("procedure.create.")).await.is_empty());

    let target = |t: &str, id: Option<&str>| AuditFilter {
        target_type: Some(t.to_owned()),
        target_id: id.map(str::to_owned),
        ..AuditFilter::default()
    };
    assert_eq!(
        ids(&store, target("Procedure", None)).await,
        [1, 0x10, 0x20, 6]
    );
    assert_eq!(
        ids(&store, target("Procedure", Some("P2"))).await,
        [0x10, 6]
    );
    let by_id = AuditFilter {
        target_id: Some("R1".to_owned()),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&store, by_id).await, [5]);

    let outcome = |o| AuditFilter {
        outcome: Some(o),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&store, outcome(Forbidden)).await, [5]);
    assert_eq!(ids(&store, outcome(Unauthenticated)).await, [0x10]);
    assert_eq!(ids(&store, outcome(Success)).await.len(), 7);

    let combined = AuditFilter {
        since: Some(at(20, 0)),
        actor_id: Some(u1),
        target_type: Some("Procedure".to_owned()),
        outcome: Some(Success),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&store, combined).await, [6]);
}

/// Pages walk the trail oldest first by (time, id), every entry exactly once, with a stable
/// total, unfiltered and filtered; `first: 0` reports only the total.
pub async fn audit_list_pages(store: Arc<dyn Store>) {
    // (second, id): ties at one instant come in id order, not insertion order.
    let spec: [(i64, u128); 9] = [
        (30, 9),
        (10, 5),
        (10, 2),
        (20, 8),
        (20, 1),
        (20, 4),
        (40, 3),
        (50, 7),
        (5, 6),
    ];
    for (second, n) in spec {
        let outcome = if n % 2 == 0 {
            AuditOutcome::Forbidden
        } else {
            AuditOutcome::Success
        };
        let e = entry(
            n,
            second,
            None,
            "procedure.update",
            ("Procedure", None),
            outcome,
        );
        store.append_audit(&e).await.unwrap();
    }
    let walk = |filter: AuditFilter, size: usize| {
        let store = store.clone();
        async move {
            let (mut seen, mut shapes) = (Vec::new(), Vec::new());
            let mut after: Option<AuditCursor> = None;
            loop {
                let request = PageRequest {
                    first: size,
                    after,
                    with_total: true,
                };
                let page = store.list_audit(&filter, &request).await.unwrap();
                assert_eq!(page.has_previous_page, after.is_some());
                shapes.push((page.items.len(), page.total_count, page.has_next_page));
                after = page
                    .items
                    .last()
                    .map(|e| AuditCursor { at: e.at, id: e.id });
                seen.extend(page.items.iter().map(|e| e.id.0.as_u128()));
                if !page.has_next_page {
                    return (seen, shapes);
                }
            }
        }
    };
    let (seen, shapes) = walk(AuditFilter::default(), 4).await;
    assert_eq!(seen, [6, 2, 5, 1, 4, 8, 9, 3, 7]);
    assert_eq!(
        shapes,
        [(4, Some(9), true), (4, Some(9), true), (1, Some(9), false)]
    );

    let success = AuditFilter {
        outcome: Some(AuditOutcome::Success),
        ..AuditFilter::default()
    };
    let (seen, shapes) = walk(success.clone(), 2).await;
    assert_eq!(seen, [5, 1, 9, 3, 7]);
    assert_eq!(
        shapes,
        [(2, Some(5), true), (2, Some(5), true), (1, Some(5), false)]
    );

    let zero = store.list_audit(&success, &first(0)).await.unwrap();
    assert!(zero.items.is_empty());
    assert_eq!((zero.total_count, zero.has_next_page), (Some(5), true));
}

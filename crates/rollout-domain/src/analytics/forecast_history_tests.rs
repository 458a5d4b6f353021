//! The weekly release history read from facts: first entries into DONE only, Tokyo weeks ending
//! on `as_of`, in scope and in the bureau of the moment of release.

use super::*;

fn tokyo(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Tokyo
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a Tokyo time")
        .with_timezone(&Utc)
}

fn procedure(
    n: u128,
    bureau: BureauId,
    authority: Authority,
    steps: &[(DateTime<Utc>, &str)],
) -> ProcedureFacts {
    let mut changes = vec![StateChange {
        at: tokyo(2024, 1, 1, 9, 0),
        to: "hearing".into(),
        comment: None,
    }];
    changes.extend(steps.iter().map(|&(at, to)| StateChange {
        at,
        to: to.into(),
        comment: None,
    }));
    ProcedureFacts {
        id: ProcedureId(Uuid::from_u128(n)),
        code: format!("P{n}"),
        name: format!("procedure {n}"),
        name_en: None,
        bureau_id: bureau,
        category: Category::Standard,
        authority,
        annual_applications: None,
        process_count: 1,
        platform: None,
        target_quarter: None,
        changes,
        revisions: Vec::new(),
        target_moves: Vec::new(),
    }
}

fn revised(
    mut p: ProcedureFacts,
    field: RevisedField,
    old: String,
    new: String,
    at: DateTime<Utc>,
) -> ProcedureFacts {
    p.revisions.push(FieldRevision {
        procedure_id: p.id,
        field,
        old: Some(old),
        new: Some(new),
        at,
        actor: "po".into(),
        reason: None,
    });
    p
}

#[test]
fn releases_are_first_entries_into_done_in_scope_by_tokyo_week() {
    let (t, n) = (Authority::Tokyo, Authority::National);
    let later = tokyo(2025, 3, 31, 12, 0);
    let facts = vec![
        // The last minutes of as_of in Tokyo (14:30 UTC): the latest week.
        procedure(1, A, t, &[(tokyo(2025, 3, 31, 23, 30), "released")]),
        // Ten minutes into the next Tokyo day: after as_of.
        procedure(2, A, t, &[(tokyo(2025, 4, 1, 0, 10), "released")]),
        // The first minute of the window (seven days × four weeks back): the oldest week.
        procedure(3, B, t, &[(tokyo(2025, 3, 4, 0, 0), "released")]),
        // The last minute before the window.
        procedure(4, B, t, &[(tokyo(2025, 3, 3, 23, 59), "released")]),
        // National authority: out of scope.
        procedure(5, A, n, &[(tokyo(2025, 3, 20, 10, 0), "released")]),
        // National when released, made Tokyo's later: not Tokyo's release.
        revised(
            procedure(6, A, t, &[(tokyo(2025, 3, 20, 10, 0), "released")]),
            RevisedField::Authority,
            "NATIONAL".into(),
            "TOKYO".into(),
            later,
        ),
        // Released by A, moved to B since: A's release.
        revised(
            procedure(7, B, t, &[(tokyo(2025, 3, 12, 10, 0), "released")]),
            RevisedField::Bureau,
            A.0.to_string(),
            B.0.to_string(),
            later,
        ),
        // Released in the oldest week, reopened and released again in the latest: counted once.
        procedure(
            8,
            A,
            t,
            &[
                (tokyo(2025, 3, 5, 10, 0), "released"),
                (tokyo(2025, 3, 6, 10, 0), "built"),
                (tokyo(2025, 3, 30, 10, 0), "released"),
            ],
        ),
        // Never released, or abolished.
        procedure(9, A, t, &[(tokyo(2025, 3, 25, 10, 0), "scheduled")]),
        procedure(10, A, t, &[(tokyo(2025, 3, 25, 10, 0), "abolished")]),
    ];
    let h = weekly_throughput(&facts, &default_workflow(), as_of(), 4).expect("valid weeks");
    assert_eq!((h.as_of, h.weeks), (as_of(), 4));
    assert_eq!(h.overall, vec![2, 1, 0, 1]);
    let expected: BTreeMap<_, _> = [(A, vec![1, 1, 0, 1]), (B, vec![1, 0, 0, 0])].into();
    assert_eq!(h.by_bureau, expected);
    let one_week = weekly_throughput(&facts, &default_workflow(), as_of(), 1).expect("valid");
    assert_eq!((one_week.overall, one_week.by_bureau.len()), (vec![1], 1));
}

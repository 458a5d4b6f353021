//! Who may do what, seen from GraphQL: the viewer per role, bureau coordinators confined to their
//! own bureau, read-only roles refused every change with nothing written, and requests without an
//! actor refused on every root field before anything runs.

use std::collections::BTreeSet;

use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Api, CREATE_BUREAU, codes, codes_and_paths, errors_of};

const VIEWER: &str = "{ viewer { user { email role bureau { code } disabled }
    role bureau { code } canApproveFor } }";

#[tokio::test]
async fn the_viewer_is_the_authenticated_user_with_their_role() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let coordinator = api
        .add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
        .await;
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    // Administrators and viewers never decide approvals, whatever a workflow file names.
    let cases = [
        (&api.admin, "ADMIN", json!(null), json!([])),
        (
            &api.po,
            "PROJECT_OFFICE",
            json!(null),
            json!(["PROJECT_OFFICE"]),
        ),
        (
            &coordinator,
            "BUREAU_COORDINATOR",
            json!({"code": "KANKYO"}),
            json!(["BUREAU_COORDINATOR"]),
        ),
        (&viewer, "VIEWER", json!(null), json!([])),
    ];
    for (user, role, bureau, approves) in cases {
        let data = api.data_as(user, VIEWER, json!({})).await;
        assert_eq!(
            data["viewer"],
            json!({"user": {"email": user.email.as_str(), "role": role, "bureau": bureau,
                            "disabled": false},
                   "role": role, "bureau": bureau, "canApproveFor": approves}),
            "{role}"
        );
    }
}

#[tokio::test]
async fn coordinators_work_on_their_own_bureau_only() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    api.create_bureau("FUKUSHI").await;
    let coordinator = api
        .add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
        .await;

    let own = api
        .create_procedure_as(&coordinator, "KANKYO-0001", "KANKYO", json!({}))
        .await;
    assert_eq!(own["errors"], json!([]));
    let own_id = own["procedure"]["id"].clone();
    let other = api
        .create_procedure_as(&coordinator, "FUKUSHI-0001", "FUKUSHI", json!({}))
        .await;
    assert_eq!(
        codes_and_paths(&other),
        [("FORBIDDEN".to_owned(), json!(null))]
    );
    assert_eq!(other["procedure"], json!(null));

    let theirs = api
        .create_procedure("FUKUSHI-0002", "FUKUSHI", json!({}))
        .await;
    let update = api
        .update_as(
            &coordinator,
            json!({"id": theirs["id"], "expectedVersion": 1, "name": "乗っ取り"}),
        )
        .await;
    assert_eq!(codes(&update), ["FORBIDDEN"]);
    let transition = api
        .transition_as(
            &coordinator,
            json!({"procedureId": theirs["id"], "to": "awaiting_law_change",
                   "expectedVersion": 1, "comment": "x"}),
        )
        .await;
    assert_eq!(codes(&transition), ["FORBIDDEN"]);
    assert_eq!(transition["procedure"], json!(null));
    assert_eq!(
        api.written(&theirs["id"]).await,
        json!({"version": 1, "state": {"key": "hearing"}, "history": {"totalCount": 1}})
    );
    let away = api
        .update_as(
            &coordinator,
            json!({"id": own_id, "expectedVersion": 1, "bureauCode": "FUKUSHI"}),
        )
        .await;
    assert_eq!(
        codes(&away),
        ["FORBIDDEN"],
        "moving a procedure needs both bureaus"
    );

    let renamed = api
        .update_as(
            &coordinator,
            json!({"id": own_id, "expectedVersion": 1, "name": "改名"}),
        )
        .await;
    assert_eq!(renamed["errors"], json!([]));
    let moved = api
        .transition_as(
            &coordinator,
            json!({"procedureId": own_id, "to": "awaiting_law_change", "expectedVersion": 2,
                   "comment": "national law first"}),
        )
        .await;
    assert_eq!(moved["errors"], json!([]));
    assert_eq!(moved["record"]["actor"], "kankyo@example.jp");
    let listed = api.data("{ procedures { totalCount } }", json!({})).await;
    assert_eq!(
        listed["procedures"]["totalCount"], 2,
        "KANKYO-0001 and FUKUSHI-0002 only"
    );
}

#[tokio::test]
async fn read_only_roles_change_nothing() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let p = api
        .create_procedure("KANKYO-0001", "KANKYO", json!({}))
        .await;
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;

    for user in [&viewer, &api.admin] {
        let who = user.email.as_str();
        let created = api
            .create_procedure_as(user, "KANKYO-0002", "KANKYO", json!({}))
            .await;
        assert_eq!(codes(&created), ["FORBIDDEN"], "{who}");
        let updated = api
            .update_as(
                user,
                json!({"id": p["id"], "expectedVersion": 1, "name": "新"}),
            )
            .await;
        assert_eq!(codes(&updated), ["FORBIDDEN"], "{who}");
        let moved = api
            .transition_as(
                user,
                json!({"procedureId": p["id"], "to": "awaiting_law_change", "expectedVersion": 1,
                       "comment": "x"}),
            )
            .await;
        assert_eq!(codes(&moved), ["FORBIDDEN"], "{who}");
    }
    let bureau = api
        .data_as(
            &viewer,
            CREATE_BUREAU,
            json!({"input": {"code": "ZAIMU", "nameJa": "財務局", "nameEn": "Finance"}}),
        )
        .await;
    assert_eq!(codes(&bureau["createBureau"]), ["FORBIDDEN"]);
    let reads = api
        .data_as(
            &viewer,
            "{ bureaus { code } procedures { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        reads,
        json!({"bureaus": [{"code": "KANKYO"}], "procedures": {"totalCount": 1}})
    );
    assert_eq!(
        api.written(&p["id"]).await,
        json!({"version": 1, "state": {"key": "hearing"}, "history": {"totalCount": 1}})
    );
}

/// One document per root field; the inputs are well-formed, so only the missing actor stops them.
pub(crate) const ROOT_FIELDS: &[(&str, &str)] = &[
    ("node", r#"{ node(id: "x") { id } }"#),
    ("bureaus", "{ bureaus { code } }"),
    ("bureau", r#"{ bureau(code: "KANKYO") { code } }"#),
    ("procedure", r#"{ procedure(code: "KANKYO-0001") { id } }"#),
    ("procedures", "{ procedures { totalCount } }"),
    ("workflow", "{ workflow { name } }"),
    ("rolloutSummary", "{ rolloutSummary { total } }"),
    ("viewer", "{ viewer { role } }"),
    ("users", "{ users { id } }"),
    ("tokens", "{ tokens { id } }"),
    ("approvals", "{ approvals { totalCount } }"),
    ("myPendingApprovals", "{ myPendingApprovals { id } }"),
    ("delegations", "{ delegations { id } }"),
    ("auditLog", "{ auditLog { totalCount } }"),
    (
        "createBureau",
        r#"mutation { createBureau(input: {code: "ZAIMU", nameJa: "財務局", nameEn: "Finance"}) { errors { code } } }"#,
    ),
    (
        "createProcedure",
        r#"mutation { createProcedure(input: {code: "KANKYO-0009", name: "x", bureauCode: "KANKYO", category: MAJOR, authority: TOKYO}) { errors { code } } }"#,
    ),
    (
        "updateProcedure",
        r#"mutation { updateProcedure(input: {id: "x", expectedVersion: 1, name: "y"}) { errors { code } } }"#,
    ),
    (
        "transitionProcedure",
        r#"mutation { transitionProcedure(input: {procedureId: "x", to: "scheduled", expectedVersion: 1}) { errors { code } } }"#,
    ),
    (
        "createUser",
        r#"mutation { createUser(input: {displayName: "x", email: "x@example.jp", role: ADMIN}) { errors { code } } }"#,
    ),
    (
        "updateUser",
        r#"mutation { updateUser(input: {id: "x", role: ADMIN}) { errors { code } } }"#,
    ),
    (
        "createToken",
        r#"mutation { createToken(input: {name: "x"}) { secret errors { code } } }"#,
    ),
    (
        "revokeToken",
        r#"mutation { revokeToken(input: {id: "x"}) { errors { code } } }"#,
    ),
    (
        "approveRequest",
        r#"mutation { approveRequest(input: {id: "x"}) { errors { code } } }"#,
    ),
    (
        "rejectRequest",
        r#"mutation { rejectRequest(input: {id: "x"}) { errors { code } } }"#,
    ),
    (
        "withdrawRequest",
        r#"mutation { withdrawRequest(input: {id: "x"}) { errors { code } } }"#,
    ),
    (
        "createDelegation",
        r#"mutation { createDelegation(input: {delegateId: "x", startsOn: "2026-06-15", endsOn: "2026-06-16"}) { errors { code } } }"#,
    ),
    (
        "revokeDelegation",
        r#"mutation { revokeDelegation(input: {id: "x"}) { errors { code } } }"#,
    ),
    (
        "recordUserTest",
        r#"mutation { recordUserTest(input: {procedureId: "x", heldOn: "2026-06-15", participants: 1, tasksAttempted: 1, tasksCompleted: 1, verdict: PASS}) { errors { code } } }"#,
    ),
    // Issue 10: hearings and tasks.
    ("hearings", "{ hearings { totalCount } }"),
    ("tasks", "{ tasks { totalCount } }"),
    ("myTasks", "{ myTasks { totalCount } }"),
    (
        "recordHearing",
        r#"mutation { recordHearing(input: {bureauCode: "KANKYO", heldOn: "2026-06-15", kind: OTHER, title: "x", outcomes: []}) { errors { code } } }"#,
    ),
    (
        "createTask",
        r#"mutation { createTask(input: {title: "x", bureauCode: "KANKYO"}) { errors { code } } }"#,
    ),
    (
        "updateTask",
        r#"mutation { updateTask(input: {id: "x", expectedVersion: 1, title: "y"}) { errors { code } } }"#,
    ),
    (
        "completeTask",
        r#"mutation { completeTask(input: {id: "x", expectedVersion: 1}) { errors { code } } }"#,
    ),
    (
        "cancelTask",
        r#"mutation { cancelTask(input: {id: "x", expectedVersion: 1}) { errors { code } } }"#,
    ),
    // Issue 11: law changes, milestones and dependencies.
    ("lawChanges", "{ lawChanges { totalCount } }"),
    ("lawChange", r#"{ lawChange(code: "LAW-0001") { id } }"#),
    ("milestones", "{ milestones { id } }"),
    ("blockerRanking", "{ blockerRanking { procedures } }"),
    (
        "dependencyGraph",
        r#"{ dependencyGraph(root: "x") { edges { id } } }"#,
    ),
    (
        "nationalRequestSummary",
        "{ nationalRequestSummary { asOf } }",
    ),
    (
        "createLawChange",
        r#"mutation { createLawChange(input: {code: "LAW-0001", titleJa: "x", level: NATIONAL_LAW, ownerBureauCode: "KANKYO"}) { errors { code } } }"#,
    ),
    (
        "updateLawChange",
        r#"mutation { updateLawChange(input: {id: "x", expectedVersion: 1, notes: "y"}) { errors { code } } }"#,
    ),
    (
        "changeLawChangeStatus",
        r#"mutation { changeLawChangeStatus(input: {id: "x", expectedVersion: 1, status: REQUESTED}) { errors { code } } }"#,
    ),
    (
        "createMilestone",
        r#"mutation { createMilestone(input: {name: "x"}) { errors { code } } }"#,
    ),
    (
        "updateMilestone",
        r#"mutation { updateMilestone(input: {id: "x", expectedVersion: 1, name: "y"}) { errors { code } } }"#,
    ),
    (
        "changeMilestoneStatus",
        r#"mutation { changeMilestoneStatus(input: {id: "x", expectedVersion: 1, status: DONE}) { errors { code } } }"#,
    ),
    (
        "addDependency",
        r#"mutation { addDependency(input: {procedureId: "x", on: "y"}) { errors { code } } }"#,
    ),
    (
        "removeDependency",
        r#"mutation { removeDependency(input: {id: "x"}) { errors { code } } }"#,
    ),
    // Issue 12: reminders.
    ("reminderRules", "{ reminderRules { totalCount } }"),
    ("reminderRule", r#"{ reminderRule(id: "x") { id } }"#),
    (
        "previewSchedule",
        r#"{ previewSchedule(schedule: "0 9 * * 1-5") }"#,
    ),
    ("notifications", "{ notifications { edges { cursor } } }"),
    ("unreadNotificationCount", "{ unreadNotificationCount }"),
    ("schedulerStatus", "{ schedulerStatus { missedTicks } }"),
    ("deliveries", "{ deliveries { id } }"),
    ("webhookEndpoints", "{ webhookEndpoints { id } }"),
    (
        "createReminderRule",
        r#"mutation { createReminderRule(input: {name: "x", schedule: "0 9 * * *", kind: TASK_OVERDUE, recipients: {projectOffice: true}, channels: [IN_APP]}) { errors { code } } }"#,
    ),
    (
        "updateReminderRule",
        r#"mutation { updateReminderRule(input: {id: "x", expectedVersion: 1, name: "x", schedule: "0 9 * * *", kind: TASK_OVERDUE, recipients: {projectOffice: true}, channels: [IN_APP]}) { errors { code } } }"#,
    ),
    (
        "setReminderRuleEnabled",
        r#"mutation { setReminderRuleEnabled(input: {id: "x", expectedVersion: 1, enabled: false}) { errors { code } } }"#,
    ),
    (
        "markNotificationsRead",
        r#"mutation { markNotificationsRead(input: {}) { count errors { code } } }"#,
    ),
    (
        "snoozeReminderItem",
        r#"mutation { snoozeReminderItem(input: {itemKey: "task:x", until: "2026-06-15"}) { errors { code } } }"#,
    ),
    (
        "setMyLanguage",
        r#"mutation { setMyLanguage(input: {language: EN}) { errors { code } } }"#,
    ),
    (
        "createWebhookEndpoint",
        r#"mutation { createWebhookEndpoint(input: {url: "https://example.jp/hook"}) { secret errors { code } } }"#,
    ),
    (
        "updateWebhookEndpoint",
        r#"mutation { updateWebhookEndpoint(input: {id: "x", expectedVersion: 1, url: "https://example.jp/hook", enabled: true}) { secret errors { code } } }"#,
    ),
    (
        "retryDelivery",
        r#"mutation { retryDelivery(input: {id: "x"}) { errors { code } } }"#,
    ),
    // Issue 13: flow metrics, cumulative flow and bottlenecks.
    ("flowMetrics", "{ flowMetrics { asOf } }"),
    (
        "cumulativeFlow",
        r#"{ cumulativeFlow(from: "2026-01-01", to: "2026-02-01") { from } }"#,
    ),
    ("bottlenecks", "{ bottlenecks { asOf } }"),
    // Issue 13: the forecast of the programme targets (h-fcapi).
    ("forecast", "{ forecast(runs: 10) { key } }"),
    ("kpis", "{ kpis { asOf } }"),
    ("programmeTargets", "{ programmeTargets { key } }"),
    (
        "scopeLedger",
        r#"{ scopeLedger(from: "2021-01-01", to: "2021-02-01") { from } }"#,
    ),
    (
        "quarterSnapshot",
        r#"{ quarterSnapshot(quarter: "FY2021-Q3") { frozen } }"#,
    ),
    (
        "freezeQuarter",
        r#"mutation { freezeQuarter(input: {quarter: "FY2021-Q3"}) { errors { code } } }"#,
    ),
    // Issue 13: the quarterly progress report.
    (
        "quarterlyReport",
        r#"{ quarterlyReport(quarter: "FY2021-Q3") { quarter } }"#,
    ),
    // Issue 13: the quality map and user reviews.
    ("qualityMap", "{ qualityMap { edges { cursor } } }"),
    (
        "userReviewSummary",
        r#"{ userReviewSummary(procedureId: "x") { overall { count } } }"#,
    ),
    (
        "recordQualityAssessment",
        r#"mutation { recordQualityAssessment(input: {procedureId: "x", onlineEndToEnd: true, smartphoneReady: true, attachments: 0, identityCheck: NONE, fee: NO_FEE}) { errors { code } } }"#,
    ),
    (
        "submitUserReview",
        r#"mutation { submitUserReview(input: {procedureId: "x", rating: 5, channel: PC}) { errors { code } } }"#,
    ),
];

fn field_names(data: &Value, root: &str) -> BTreeSet<String> {
    data["__schema"][root]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_root_field_refuses_a_request_without_an_actor() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let schema = api
        .data(
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let mut roots = field_names(&schema, "queryType");
    roots.extend(field_names(&schema, "mutationType"));
    let covered: BTreeSet<String> = ROOT_FIELDS.iter().map(|(f, _)| (*f).to_owned()).collect();
    assert_eq!(roots, covered, "every root field has a document here");

    api.store.reset();
    for (field, query) in ROOT_FIELDS {
        let response = api.raw_anonymous(query, json!({})).await;
        let data = response.data.clone().into_json().unwrap();
        assert!(data.is_null() || data[*field].is_null(), "{field}: {data}");
        let errors = errors_of(response);
        assert_eq!(
            errors,
            [(
                "this request is not authenticated".to_owned(),
                Some("UNAUTHENTICATED".to_owned())
            )],
            "{field}"
        );
    }
    assert_eq!(api.store.total_calls(), 0, "nothing reached the store");
}

//! Recording hearings over real HTTP: the five-outcome hearing with the environment
//! bureau (three procedures scheduled with a quarter and a platform, one awaiting a law change,
//! one undecided, two follow-up tasks), applied in one transaction and read back through the
//! API; the same hearing with one stale version writing nothing, with every problem named by
//! its outcome; an idempotent retry; a coordinator's hearing that lists another bureau's
//! procedure refused whole. The server's clock is fixed so that the hearing's date (2026-11-20)
//! is in the past whenever the tests run.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::common::{Options, TestServer, TestUser, both_backends, nodes, payload_errors};

both_backends!(
    with super::options;
    five_outcomes_are_applied_in_one_transaction,
    one_stale_version_writes_nothing,
    a_retry_with_the_same_key_returns_the_first_hearing,
    a_coordinator_hearing_about_another_bureau_is_refused_whole,
);

/// 2026-11-25 10:00 in Tokyo.
pub(crate) fn options() -> Options {
    let at: DateTime<Utc> = "2026-11-25T01:00:00Z".parse().unwrap();
    Options {
        clock: Some(std::sync::Arc::new(rollout_app::FixedClock::new(at))),
        ..Options::default()
    }
}

const RECORD: &str = "mutation($input: RecordHearingInput!) { recordHearing(input: $input) {
    hearing { id title heldOn kind attendees notes bureau { code } createdBy { email }
      outcomes { procedure { code } decision agreedTargetQuarter agreedPlatform issues nextStep applied
                 record { id from to transition comment } tasks { title } } }
    replayed errors { code message path } } }";

pub(crate) const TITLE: &str = "環境局 制度所管部署ヒアリング";
pub(crate) const COMMENT: &str = "環境局 制度所管部署ヒアリング (2026-11-20)";

/// The environment bureau (and the welfare bureau), five procedures in `hearing`; their ids.
pub(crate) async fn fixture(server: &TestServer) -> Vec<String> {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let p = server
            .simple_procedure("KANKYO", &format!("KANKYO-000{n}"))
            .await;
        ids.push(p["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// The hearing: three PROCEED with quarter and platform, one NEEDS_LAW_CHANGE, one
/// UNDECIDED, all applied, two tasks; `versions` are the outcomes' expected versions.
fn hearing(ids: &[String], versions: [i64; 5], assignee: &TestUser, other: &TestUser) -> Value {
    let proceed = |i: usize, platform: &str| {
        json!({ "procedureId": ids[i], "expectedVersion": versions[i], "decision": "PROCEED",
                "agreedTargetQuarter": "FY2027-Q1", "agreedPlatform": platform, "apply": true })
    };
    let mut first = proceed(0, "JOINT_E_APPLICATION");
    first["tasks"] =
        json!([{ "title": "申請様式の見直し", "assigneeId": assignee.id, "dueOn": "2026-12-15" }]);
    first["issues"] = json!("添付書類が多い");
    json!({
        "bureauCode": "KANKYO", "heldOn": "2026-11-20", "kind": "POLICY_DEPARTMENT", "title": TITLE,
        "attendees": ["環境局 総務課", "デジタルサービス局"], "notes": "五件を協議",
        "outcomes": [
            first,
            proceed(1, "SAAS_E_APPLICATION"),
            proceed(2, "DEDICATED_SYSTEM"),
            { "procedureId": ids[3], "expectedVersion": versions[3], "decision": "NEEDS_LAW_CHANGE",
              "apply": true, "nextStep": "法改正を待つ",
              "tasks": [{ "title": "国への照会", "description": "所管省庁に照会する",
                          "assigneeId": other.id, "dueOn": "2027-01-31" }] },
            { "procedureId": ids[4], "expectedVersion": versions[4], "decision": "UNDECIDED", "apply": true },
        ],
    })
}

async fn record(server: &TestServer, user: &TestUser, input: Value) -> Value {
    server
        .data_as(user, RECORD, json!({ "input": input }))
        .await["recordHearing"]
        .clone()
}

/// State key and version of each procedure.
async fn states(server: &TestServer, ids: &[String]) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for id in ids {
        let data = server
            .data(
                "query($id: ID!) { procedure(id: $id) { version state { key } } }",
                json!({ "id": id }),
            )
            .await;
        let p = &data["procedure"];
        out.push((
            p["state"]["key"].as_str().unwrap().to_owned(),
            p["version"].as_i64().unwrap(),
        ));
    }
    out
}

async fn counts(server: &TestServer) -> (i64, i64) {
    let data = server
        .data(
            "{ hearings { totalCount } tasks { totalCount } }",
            json!({}),
        )
        .await;
    (
        data["hearings"]["totalCount"].as_i64().unwrap(),
        data["tasks"]["totalCount"].as_i64().unwrap(),
    )
}

async fn five_outcomes_are_applied_in_one_transaction(server: TestServer) {
    let ids = fixture(&server).await;
    let coordinator = server.coordinator("KANKYO").await;
    let payload = record(
        &server,
        &server.po,
        hearing(&ids, [1; 5], &coordinator, &server.po2),
    )
    .await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert_eq!(payload["replayed"], false);
    let h = &payload["hearing"];
    assert_eq!(
        (&h["title"], &h["heldOn"], &h["kind"], &h["bureau"]["code"]),
        (
            &json!(TITLE),
            &json!("2026-11-20"),
            &json!("POLICY_DEPARTMENT"),
            &json!("KANKYO")
        )
    );
    assert_eq!(h["createdBy"]["email"], server.po.email.as_str());
    let outcomes = h["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 5);
    for o in &outcomes[..3] {
        assert_eq!(o["record"]["to"], "scheduled", "{o}");
        assert_eq!(o["record"]["comment"], COMMENT, "{o}");
        assert_eq!(o["agreedTargetQuarter"], "FY2027-Q1");
    }
    assert_eq!(
        outcomes[0]["tasks"],
        json!([{ "title": "申請様式の見直し" }])
    );
    assert_eq!(outcomes[0]["issues"], "添付書類が多い");
    assert_eq!(outcomes[3]["record"]["to"], "awaiting_law_change");
    assert_eq!(outcomes[3]["record"]["transition"], "await_law_change");
    assert_eq!(outcomes[3]["tasks"], json!([{ "title": "国への照会" }]));
    assert_eq!(outcomes[4]["record"], Value::Null);
    assert_eq!(outcomes[4]["decision"], "UNDECIDED");

    // The procedures moved (an update and a move for the three, a move for the fourth).
    let expected: Vec<(String, i64)> = [
        ("scheduled", 3),
        ("scheduled", 3),
        ("scheduled", 3),
        ("awaiting_law_change", 2),
        ("hearing", 1),
    ]
    .iter()
    .map(|(s, v)| ((*s).to_owned(), *v))
    .collect();
    assert_eq!(states(&server, &ids).await, expected);
    let data = server
        .data(
            "query($id: ID!) { procedure(id: $id) { targetQuarter platform
               hearings { title } tasks(status: OPEN) { title dueOn assignee { email } bureau { code } source { title } } } }",
            json!({ "id": ids[0] }),
        )
        .await;
    let p = &data["procedure"];
    assert_eq!(
        (&p["targetQuarter"], &p["platform"]),
        (&json!("FY2027-Q1"), &json!("JOINT_E_APPLICATION"))
    );
    assert_eq!(p["hearings"], json!([{ "title": TITLE }]));
    assert_eq!(
        p["tasks"],
        json!([{ "title": "申請様式の見直し", "dueOn": "2026-12-15", "assignee": { "email": coordinator.email },
                 "bureau": { "code": "KANKYO" }, "source": { "title": TITLE } }])
    );
    // The history names the hearing, and the outcome's record is that history record.
    let history = server.history(&ids[1]).await;
    let last = history.last().unwrap();
    assert_eq!(
        (&last["to"], &last["comment"]),
        (&json!("scheduled"), &json!(COMMENT))
    );
    assert_eq!(last["actor"], server.po.email.as_str());
    assert_eq!(last["id"], outcomes[1]["record"]["id"]);
    let law = server.history(&ids[3]).await;
    assert_eq!(law.last().unwrap()["comment"], COMMENT);

    // Listings: the hearing by bureau and by procedure, its tasks, the assignee's own.
    let data = server
        .data(
            "query($p: ID!) { kankyo: hearings(filter: { bureauCodes: [\"KANKYO\"] }) { totalCount }
               fukushi: hearings(filter: { bureauCodes: [\"FUKUSHI\"] }) { totalCount }
               byProcedure: hearings(filter: { procedureId: $p, heldFrom: \"2026-11-20\", heldTo: \"2026-11-20\" }) { edges { node { title } } }
               tasks { totalCount edges { node { title status overdue procedure { code } } } } }",
            json!({ "p": ids[4] }),
        )
        .await;
    assert_eq!(data["kankyo"]["totalCount"], 1);
    assert_eq!(data["fukushi"]["totalCount"], 0);
    assert_eq!(nodes(&data["byProcedure"]), [json!({ "title": TITLE })]);
    assert_eq!(
        nodes(&data["tasks"]),
        [
            json!({ "title": "申請様式の見直し", "status": "OPEN", "overdue": false, "procedure": { "code": "KANKYO-0001" } }),
            json!({ "title": "国への照会", "status": "OPEN", "overdue": false, "procedure": { "code": "KANKYO-0004" } }),
        ]
    );
    let mine = server
        .data_as(
            &coordinator,
            "{ myTasks(status: OPEN) { totalCount edges { node { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        nodes(&mine["myTasks"]),
        [json!({ "title": "申請様式の見直し" })]
    );
    let node = server
        .data("query($id: ID!) { node(id: $id) { ... on Hearing { title outcomes { procedure { code } } } } }", json!({ "id": h["id"] }))
        .await;
    assert_eq!(
        node["node"]["outcomes"][4]["procedure"]["code"],
        "KANKYO-0005"
    );
}

async fn one_stale_version_writes_nothing(server: TestServer) {
    let ids = fixture(&server).await;
    let coordinator = server.coordinator("KANKYO").await;
    // A colleague changed the fourth procedure meanwhile.
    let changed = server
        .update_procedure(json!({ "id": ids[3], "expectedVersion": 1, "name": "名称変更" }))
        .await;
    assert_eq!(changed["errors"], json!([]), "{changed}");
    let before = states(&server, &ids).await;
    let payload = record(
        &server,
        &server.po,
        hearing(&ids, [1; 5], &coordinator, &server.po2),
    )
    .await;
    assert_eq!(
        payload_errors(&payload),
        [(
            "VERSION_CONFLICT".to_owned(),
            "outcomes/3/expectedVersion".to_owned()
        )],
        "{payload}"
    );
    assert_eq!(payload["hearing"], Value::Null);
    assert_eq!(states(&server, &ids).await, before);
    assert_eq!(counts(&server).await, (0, 0));
    for id in &ids[..3] {
        assert_eq!(
            server.history(id).await.len(),
            1,
            "only the creation record"
        );
    }

    // Every problem is reported: a refused guard and a refused move besides the stale version.
    let mut input = hearing(&ids, [1; 5], &coordinator, &server.po2);
    input["outcomes"][1]["agreedTargetQuarter"] = Value::Null;
    // Already waiting on the law: there is no move from there to there.
    input["outcomes"][4]["decision"] = json!("NEEDS_LAW_CHANGE");
    server
        .step(&ids[4], "awaiting_law_change", 1, Some("国の法改正待ち"))
        .await;
    input["outcomes"][4]["expectedVersion"] = json!(2);
    let payload = record(&server, &server.po, input).await;
    assert_eq!(
        payload_errors(&payload),
        [
            ("GUARD_FAILED".to_owned(), "outcomes/1".to_owned()),
            (
                "VERSION_CONFLICT".to_owned(),
                "outcomes/3/expectedVersion".to_owned()
            ),
            ("INVALID_TRANSITION".to_owned(), "outcomes/4".to_owned()),
        ],
        "{payload}"
    );
    assert_eq!(counts(&server).await, (0, 0));
    assert_eq!(states(&server, &ids[..4]).await, before[..4]);
}

async fn a_retry_with_the_same_key_returns_the_first_hearing(server: TestServer) {
    let ids = fixture(&server).await;
    let coordinator = server.coordinator("KANKYO").await;
    let mut input = hearing(&ids, [1; 5], &coordinator, &server.po2);
    input["idempotencyKey"] = json!("hearing-2026-11-20");
    let first = record(&server, &server.po, input.clone()).await;
    assert_eq!(first["errors"], json!([]), "{first}");
    let again = record(&server, &server.po, input.clone()).await;
    assert_eq!(again["errors"], json!([]), "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["hearing"]["id"], first["hearing"]["id"]);
    assert_eq!(again["hearing"]["outcomes"], first["hearing"]["outcomes"]);
    assert_eq!(counts(&server).await, (1, 2));
    assert_eq!(states(&server, &ids).await[0], ("scheduled".to_owned(), 3));
    // The same key with another input is refused; so the first hearing stays the only one.
    input["title"] = json!("別のヒアリング");
    let other = record(&server, &server.po, input).await;
    assert_eq!(
        payload_errors(&other),
        [("DUPLICATE".to_owned(), "idempotencyKey".to_owned())],
        "{other}"
    );
    assert_eq!(counts(&server).await, (1, 2));
}

async fn a_coordinator_hearing_about_another_bureau_is_refused_whole(server: TestServer) {
    let ids = fixture(&server).await;
    let fukushi = server.simple_procedure("FUKUSHI", "FUKUSHI-0001").await;
    let coordinator = server.coordinator("KANKYO").await;
    let mut input = hearing(&ids, [1; 5], &coordinator, &coordinator);
    input["outcomes"][4] = json!({ "procedureId": fukushi["id"], "expectedVersion": 1,
                                   "decision": "PROCEED", "agreedTargetQuarter": "FY2027-Q1", "apply": true });
    let before = states(&server, &ids).await;
    let payload = record(&server, &coordinator, input.clone()).await;
    assert_eq!(
        payload_errors(&payload),
        [("FORBIDDEN".to_owned(), String::new())],
        "{payload}"
    );
    assert_eq!(
        payload["errors"][0]["message"],
        "BUREAU_COORDINATOR may not change this procedure"
    );
    assert!(!payload.to_string().contains("FUKUSHI"), "{payload}");
    assert_eq!(states(&server, &ids).await, before);
    assert_eq!(counts(&server).await, (0, 0));
    // Its own bureau's procedures only: recorded.
    input["outcomes"].as_array_mut().unwrap().pop();
    let payload = record(&server, &coordinator, input).await;
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert_eq!(counts(&server).await, (1, 2));
}

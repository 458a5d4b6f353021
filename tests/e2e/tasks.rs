//! Tasks over real HTTP: a task's life cycle (create, update, a colleague's stale update refused
//! with VERSION_CONFLICT, completion by its assignee from another bureau, a second completion
//! refused), and "overdue" with the server's clock fixed one second before and at midnight in
//! Tokyo: a task due today is not overdue, the same task a second later is; a coordinator lists
//! their own open tasks and their bureau's overdue ones.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rollout_app::FixedClock;
use serde_json::{Value, json};

use crate::common::{
    Backend, Options, TestServer, TestUser, both_backends, nodes, payload_errors, run,
};

both_backends!(with crate::hearings::options; a_task_lives_and_conflicts);

const FIELDS: &str = "id title description status version overdue dueOn completionNote completedAt
    assignee { email } bureau { code } procedure { code } createdBy { email } source { id }";

async fn mutate(server: &TestServer, user: &TestUser, field: &str, input: Value) -> Value {
    let ty = format!("{}{}Input", field[..1].to_uppercase(), &field[1..]);
    let query = format!(
        "mutation($input: {ty}!) {{ {field}(input: $input) {{ task {{ {FIELDS} }} errors {{ code message path }} }} }}"
    );
    server
        .data_as(user, &query, json!({ "input": input }))
        .await[field]
        .clone()
}

async fn bureaus(server: &TestServer) -> String {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    server
        .create_bureau("FUKUSHI", "福祉局", "Bureau of Social Welfare")
        .await;
    let p = server.simple_procedure("KANKYO", "KANKYO-0001").await;
    p["id"].as_str().unwrap().to_owned()
}

async fn a_task_lives_and_conflicts(server: TestServer) {
    let procedure = bureaus(&server).await;
    let own = server.coordinator("KANKYO").await;
    let other = server.coordinator("FUKUSHI").await;
    // The clock says 2026-11-25 in Tokyo: a due date before it is refused.
    let early = mutate(
        &server,
        &own,
        "createTask",
        json!({ "title": "x", "procedureId": procedure, "dueOn": "2026-11-24" }),
    )
    .await;
    assert_eq!(
        payload_errors(&early),
        [("VALIDATION".to_owned(), "dueOn".to_owned())],
        "{early}"
    );
    let created = mutate(
        &server,
        &own,
        "createTask",
        json!({ "title": "様式の確認", "procedureId": procedure, "assigneeId": other.id, "dueOn": "2026-11-25" }),
    )
    .await;
    assert_eq!(created["errors"], json!([]), "{created}");
    let task = &created["task"];
    assert_eq!(
        (
            &task["status"],
            &task["version"],
            &task["bureau"]["code"],
            &task["source"]
        ),
        (&json!("OPEN"), &json!(1), &json!("KANKYO"), &Value::Null)
    );
    assert_eq!(task["createdBy"]["email"], own.email.as_str());
    let id = task["id"].clone();

    let updated = mutate(
        &server,
        &own,
        "updateTask",
        json!({ "id": id, "expectedVersion": 1, "description": "添付書類も" }),
    )
    .await;
    assert_eq!(updated["errors"], json!([]), "{updated}");
    assert_eq!(
        (&updated["task"]["version"], &updated["task"]["description"]),
        (&json!(2), &json!("添付書類も"))
    );
    // A colleague working from version 1 is refused, and changes nothing.
    let stale = mutate(
        &server,
        &server.po,
        "updateTask",
        json!({ "id": id, "expectedVersion": 1, "title": "上書き" }),
    )
    .await;
    assert_eq!(
        payload_errors(&stale),
        [("VERSION_CONFLICT".to_owned(), "expectedVersion".to_owned())],
        "{stale}"
    );
    // The assignee coordinates another bureau, yet may complete it; not with a stale version.
    let stale = mutate(
        &server,
        &other,
        "completeTask",
        json!({ "id": id, "expectedVersion": 1, "note": "済" }),
    )
    .await;
    assert_eq!(
        payload_errors(&stale),
        [("VERSION_CONFLICT".to_owned(), "expectedVersion".to_owned())],
        "{stale}"
    );
    let done = mutate(
        &server,
        &other,
        "completeTask",
        json!({ "id": id, "expectedVersion": 2, "note": "確認済み" }),
    )
    .await;
    assert_eq!(done["errors"], json!([]), "{done}");
    let t = &done["task"];
    assert_eq!(
        (
            &t["status"],
            &t["version"],
            &t["completionNote"],
            &t["title"]
        ),
        (
            &json!("DONE"),
            &json!(3),
            &json!("確認済み"),
            &json!("様式の確認")
        )
    );
    assert_eq!(t["completedAt"], "2026-11-25T01:00:00Z");
    let again = mutate(
        &server,
        &other,
        "cancelTask",
        json!({ "id": id, "expectedVersion": 3, "reason": "x" }),
    )
    .await;
    assert_eq!(
        payload_errors(&again),
        [("VALIDATION".to_owned(), "id".to_owned())],
        "{again}"
    );
    assert_eq!(again["errors"][0]["message"], "the task is already DONE");
    // Not assigned to it and not its bureau: the other coordinator may not close another task.
    let second = mutate(
        &server,
        &own,
        "createTask",
        json!({ "title": "別件", "bureauCode": "KANKYO" }),
    )
    .await;
    assert_eq!(second["errors"], json!([]), "{second}");
    let refused = mutate(
        &server,
        &other,
        "cancelTask",
        json!({ "id": second["task"]["id"], "expectedVersion": 1 }),
    )
    .await;
    assert_eq!(
        payload_errors(&refused),
        [("FORBIDDEN".to_owned(), String::new())],
        "{refused}"
    );
    let node = server
        .data(
            "query($id: ID!) { node(id: $id) { ... on Task { status version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"], json!({ "status": "DONE", "version": 3 }));
}

mod overdue_around_midnight_in_tokyo {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::overdue(super::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::overdue(super::Backend::Postgres).await;
    }
}

/// 2026-12-10 23:59:59 in Tokyo, then midnight.
async fn overdue(backend: Backend) {
    let before: DateTime<Utc> = "2026-12-10T14:59:59Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(before));
    let options = Options {
        clock: Some(clock.clone()),
        ..Options::default()
    };
    run(backend, options, |server| async move {
        let procedure = bureaus(&server).await;
        let own = server.coordinator("KANKYO").await;
        for (title, due, assignee) in [
            ("今日まで", "2026-12-10", &own),
            ("明日まで", "2026-12-11", &own),
            ("同僚の", "2026-12-10", &server.po),
        ] {
            let created = mutate(&server, &server.po, "createTask", json!({ "title": title, "procedureId": procedure, "assigneeId": assignee.id, "dueOn": due })).await;
            assert_eq!(created["errors"], json!([]), "{created}");
        }
        let done = mutate(&server, &server.po, "createTask", json!({ "title": "済んだ", "procedureId": procedure, "dueOn": "2026-12-10" })).await;
        let closed = mutate(&server, &server.po, "completeTask", json!({ "id": done["task"]["id"], "expectedVersion": 1 })).await;
        assert_eq!(closed["errors"], json!([]), "{closed}");

        let query = "{ overdue: tasks(filter: { bureauCodes: [\"KANKYO\"], overdue: true }) { totalCount edges { node { title overdue } } }
                       notOverdue: tasks(filter: { overdue: false }) { totalCount }
                       dueSoon: tasks(filter: { dueBefore: \"2026-12-11\", status: OPEN }) { totalCount }
                       myTasks(status: OPEN) { edges { node { title overdue } } } }";
        let at_2359 = server.data_as(&own, query, json!({})).await;
        assert_eq!(at_2359["overdue"]["totalCount"], 0, "due today is not overdue: {at_2359}");
        assert_eq!(at_2359["notOverdue"]["totalCount"], 4);
        assert_eq!(at_2359["dueSoon"]["totalCount"], 2);
        assert_eq!(
            nodes(&at_2359["myTasks"]),
            [json!({ "title": "今日まで", "overdue": false }), json!({ "title": "明日まで", "overdue": false })]
        );

        clock.set("2026-12-10T15:00:00Z".parse().unwrap());
        let at_midnight = server.data_as(&own, query, json!({})).await;
        assert_eq!(
            nodes(&at_midnight["overdue"]),
            [json!({ "title": "今日まで", "overdue": true }), json!({ "title": "同僚の", "overdue": true })],
            "{at_midnight}"
        );
        assert_eq!(at_midnight["notOverdue"]["totalCount"], 2);
        assert_eq!(
            nodes(&at_midnight["myTasks"]),
            [json!({ "title": "今日まで", "overdue": true }), json!({ "title": "明日まで", "overdue": false })]
        );
    })
    .await;
}

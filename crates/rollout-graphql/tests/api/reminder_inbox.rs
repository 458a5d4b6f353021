//! A person's side of reminders through the schema, with real firings (`App::run_due_reminders`
//! on the fixed clock): notifications are their owner's alone (listing, `node`, marking read),
//! page newest first, show their rule only to those who may read rules, and arrive on
//! `notificationAdded` as the rule fires; snoozes and the language are the viewer's own.

use std::time::Duration;

use async_graphql::Request;
use async_graphql::futures_util::{FutureExt, StreamExt};
use chrono::{TimeDelta, TimeZone, Utc};
use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Api, actor, codes_and_paths, user_id};
use crate::reminder_rules::{create_rule_as, definition};

/// 09:00 Tokyo on 16, 17 and 18 June 2026: the first daily ticks after the harness's clock.
fn tick(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, day, 0, 0, 0).unwrap()
}

/// A planned milestone, and a daily MILESTONE_DUE rule for the project office and `named`.
async fn daily_rule(api: &Api, named: &Value) -> Value {
    let milestone = api
        .data(
            "mutation { createMilestone(input: {name: \"SaaS基盤稼働\", plannedOn: \"2026-07-01\"}) { errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(milestone["createMilestone"]["errors"], json!([]));
    let mut input = definition("毎朝のマイルストーン");
    input["schedule"] = json!("0 9 * * *");
    input["recipients"] = json!({"projectOffice": true, "userIds": [named]});
    let created = create_rule_as(api, &api.po, input).await;
    assert_eq!(created["errors"], json!([]), "{created}");
    created["rule"].clone()
}

/// Fires the rule's tick of `day` June, one minute after it.
async fn fire(api: &Api, day: u32) {
    let at = tick(day) + TimeDelta::minutes(1);
    api.clock.set(at);
    let report = api
        .app
        .run_due_reminders(at)
        .await
        .expect("the firing runs");
    assert_eq!(report.firings.len(), 1, "{report:?}");
}

const INBOX: &str = "query($after: String) { unreadNotificationCount
    notifications(first: 2, after: $after) { edges { cursor node { id kind subject read readAt
      lines { key reference title date days } rule { name } } }
      pageInfo { hasNextPage hasPreviousPage endCursor } } }";

fn ids(inbox: &Value) -> Vec<Value> {
    inbox["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect()
}

#[tokio::test]
async fn notifications_are_their_owners_page_newest_first_and_mark_read_alone() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let coordinator = api
        .add_user("kankyo@example.jp", Role::BureauCoordinator, Some("KANKYO"))
        .await;
    let rule = daily_rule(&api, &user_id(&api, &coordinator).await).await;
    for day in [16, 17, 18] {
        fire(&api, day).await;
    }

    let first = api.data(INBOX, json!({})).await;
    assert_eq!(first["unreadNotificationCount"], 3);
    let page = &first["notifications"];
    assert_eq!(
        page["pageInfo"]["hasNextPage"], true,
        "three notifications, two per page"
    );
    let newest = &page["edges"][0]["node"];
    assert_eq!(newest["kind"], "MILESTONE_DUE");
    assert_eq!(newest["read"], false);
    assert_eq!(newest["rule"], json!({"name": rule["name"]}));
    assert_eq!(newest["lines"][0]["title"], "SaaS基盤稼働");
    assert_eq!(newest["lines"][0]["date"], "2026-07-01");
    assert!(
        newest["lines"][0]["key"]
            .as_str()
            .unwrap()
            .starts_with("milestone:")
    );
    let second = api
        .data(INBOX, json!({"after": page["pageInfo"]["endCursor"]}))
        .await;
    assert_eq!(ids(&second).len(), 1);
    assert_eq!(second["notifications"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(second["notifications"]["pageInfo"]["hasPreviousPage"], true);
    let mut all = ids(&first);
    all.extend(ids(&second));
    all.dedup();
    assert_eq!(all.len(), 3, "no notification twice across pages");

    // The coordinator, a named recipient, has their own, without the rule (they may not read
    // rules); nobody sees another's notification through `node`.
    let theirs = api.data_as(&coordinator, INBOX, json!({})).await;
    assert_eq!(theirs["unreadNotificationCount"], 3);
    assert_eq!(
        theirs["notifications"]["edges"][0]["node"]["rule"],
        Value::Null
    );
    let node = "query($id: ID!) { node(id: $id) { ... on Notification { id subject } } }";
    let po_id = &all[0];
    let own = api.data(node, json!({"id": po_id})).await;
    assert_eq!(own["node"]["id"], *po_id);
    for other in [&coordinator, &api.admin] {
        let seen = api.data_as(other, node, json!({"id": po_id})).await;
        assert_eq!(seen["node"], Value::Null, "{}", other.email.as_str());
    }

    // Marking someone else's notification changes nothing; one's own, exactly it.
    let mark = "mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) {
        count unreadCount errors { code path } } }";
    let foreign = api
        .data_as(&coordinator, mark, json!({"i": {"ids": [po_id]}}))
        .await;
    assert_eq!(
        foreign["markNotificationsRead"],
        json!({"count": 0, "unreadCount": 3, "errors": []})
    );
    let mine = api.data(mark, json!({"i": {"ids": [po_id]}})).await;
    assert_eq!(
        mine["markNotificationsRead"],
        json!({"count": 1, "unreadCount": 2, "errors": []})
    );
    let bad = api.data(mark, json!({"i": {"ids": [rule["id"]]}})).await;
    assert_eq!(
        codes_and_paths(&bad["markNotificationsRead"]),
        [("VALIDATION".to_owned(), json!(["ids", "0"]))]
    );
    let rest = api.data(mark, json!({"i": {}})).await;
    assert_eq!(
        rest["markNotificationsRead"],
        json!({"count": 2, "unreadCount": 0, "errors": []})
    );
    let unread = api
        .data(
            "{ notifications(unreadOnly: true) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(unread["notifications"]["edges"], json!([]));
    let theirs = api.data_as(&coordinator, INBOX, json!({})).await;
    assert_eq!(theirs["unreadNotificationCount"], 3, "untouched");
}

const ADDED: &str = "subscription { notificationAdded { id subject lines { title } } }";

#[tokio::test]
async fn notification_added_streams_each_persons_own_as_rules_fire() {
    let api = Api::new().await;
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    let named = api.add_user("named@example.jp", Role::Viewer, None).await;
    daily_rule(&api, &user_id(&api, &named).await).await;
    let mut po = api
        .schema
        .execute_stream(Request::new(ADDED).data(actor(&api.po)));
    let mut bystander = api
        .schema
        .execute_stream(Request::new(ADDED).data(actor(&viewer)));
    assert!(po.next().now_or_never().is_none(), "nothing has fired yet");
    assert!(bystander.next().now_or_never().is_none());

    fire(&api, 16).await;
    let got = tokio::time::timeout(Duration::from_secs(5), po.next())
        .await
        .expect("the notification arrives")
        .expect("the stream goes on");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let got = got.data.into_json().unwrap()["notificationAdded"].clone();
    assert_eq!(got["lines"], json!([{"title": "SaaS基盤稼働"}]));
    let listed = api
        .data("{ notifications { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(listed["notifications"]["edges"][0]["node"]["id"], got["id"]);
    assert!(
        bystander.next().now_or_never().is_none(),
        "a firing the viewer had no part in sends them nothing"
    );
}

#[tokio::test]
async fn snoozes_and_the_language_are_the_viewers_own() {
    let api = Api::new().await;
    let language = "{ viewer { language } }";
    assert_eq!(
        api.data(language, json!({})).await["viewer"]["language"],
        "JA"
    );
    let set = api
        .data(
            "mutation { setMyLanguage(input: {language: EN}) { language errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        set["setMyLanguage"],
        json!({"language": "EN", "errors": []})
    );
    assert_eq!(
        api.data(language, json!({})).await["viewer"]["language"],
        "EN"
    );
    assert_eq!(
        api.data_as(&api.admin, language, json!({})).await["viewer"]["language"],
        "JA"
    );

    let snooze = "mutation($i: SnoozeReminderItemInput!) { snoozeReminderItem(input: $i) {
        itemKey until errors { code path } } }";
    let key = "task:0190f5a2-7b3c-7def-8123-456789abcdef";
    let ok = api
        .data(
            snooze,
            json!({"i": {"itemKey": key, "until": "2026-06-30"}}),
        )
        .await;
    assert_eq!(
        ok["snoozeReminderItem"],
        json!({"itemKey": key, "until": "2026-06-30", "errors": []})
    );
    for (input, path) in [
        (
            json!({"itemKey": "nonsense", "until": "2026-06-30"}),
            "itemKey",
        ),
        (json!({"itemKey": key, "until": "2026-06-01"}), "until"),
        (json!({"itemKey": key, "until": "2028-06-01"}), "until"),
    ] {
        let refused = api.data(snooze, json!({"i": input})).await;
        assert_eq!(
            codes_and_paths(&refused["snoozeReminderItem"]),
            [("VALIDATION".to_owned(), json!([path]))],
            "{input}"
        );
    }
}

#[tokio::test]
async fn a_page_of_the_most_notifications_knows_whether_another_follows() {
    let api = Api::new().await;
    let milestone = api
        .data(
            "mutation { createMilestone(input: {name: \"SaaS基盤稼働\", plannedOn: \"2026-07-01\"}) { errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(milestone["createMilestone"]["errors"], json!([]));
    let mut input = definition("every second");
    input["schedule"] = json!("* * * * * *");
    input["misfirePolicy"] = json!("FIRE_ALL");
    assert_eq!(
        create_rule_as(&api, &api.po, input).await["errors"],
        json!([])
    );
    let page = "query($after: String) { notifications(first: 100, after: $after) {
        edges { cursor } pageInfo { hasNextPage endCursor } } }";
    let start = crate::harness::now();
    for (seconds, next) in [(100, false), (101, true)] {
        let at = start + TimeDelta::seconds(seconds);
        api.clock.set(at);
        api.app.run_due_reminders(at).await.unwrap();
        let full = api.data(page, json!({})).await;
        assert_eq!(
            full["notifications"]["edges"].as_array().unwrap().len(),
            100
        );
        assert_eq!(
            full["notifications"]["pageInfo"]["hasNextPage"], next,
            "after {seconds} firings"
        );
        if next {
            let after = &full["notifications"]["pageInfo"]["endCursor"];
            let rest = api.data(page, json!({"after": after})).await;
            assert_eq!(rest["notifications"]["edges"].as_array().unwrap().len(), 1);
        }
    }
}

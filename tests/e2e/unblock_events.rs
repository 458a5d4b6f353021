//! The automatic moves as live events: a subscriber to the bureau's `procedureEvents` sees each
//! procedure that enacting a law change moved, as a TRANSITIONED event by `system:unblock`,
//! after the one commit.

use serde_json::{Value, json};

use crate::common::{TestServer, both_backends};
use crate::subscriptions::{Frame, MODERN, connect, subscribe};

both_backends!(automatic_moves_are_procedure_events_of_the_system);

async fn automatic_moves_are_procedure_events_of_the_system(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let mut waiting = Vec::new();
    for code in ["KANKYO-0001", "KANKYO-0002"] {
        let id = server.simple_procedure("KANKYO", code).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        server
            .step(&id, "awaiting_law_change", 1, Some("法改正待ち"))
            .await;
        waiting.push(id);
    }
    let probe = server.simple_procedure("KANKYO", "KANKYO-0009").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let law = server.law_change("LAW-0007", "KANKYO").await;
    let law_id = law["id"].as_str().unwrap().to_owned();
    for id in &waiting {
        server.depends(id, &law_id).await;
    }
    server
        .law_change_to(&law_id, 1, "REQUESTED", Some("2021-06-30"))
        .await;

    let mut socket = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
    socket
        .init(json!({"Authorization": format!("Bearer {}", server.po.token)}))
        .await;
    socket
        .send(subscribe("kankyo", json!({"bureauCodes": ["KANKYO"]})))
        .await;
    let mut probe_version = 1;
    socket
        .wait_until_live(&server, &server.po, "kankyo", &probe, &mut probe_version)
        .await;

    let enacted = server
        .law_change_to(&law_id, 2, "ENACTED", Some("2026-11-30"))
        .await;
    assert_eq!(
        enacted["unblocked"].as_array().map(Vec::len),
        Some(2),
        "{enacted}"
    );
    let mut events = Vec::new();
    for _ in 0..2 {
        let Frame::Message(message) = socket.next().await else {
            panic!("the socket closed");
        };
        let e = &message["payload"]["data"]["procedureEvents"];
        events.push((
            e["procedure"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            e["kind"].clone(),
            e["actor"].clone(),
            e["record"]["to"].clone(),
        ));
    }
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let expected = |code: &str| {
        (
            code.to_owned(),
            json!("TRANSITIONED"),
            json!("system:unblock"),
            Value::from("hearing"),
        )
    };
    assert_eq!(events, [expected("KANKYO-0001"), expected("KANKYO-0002")]);
}

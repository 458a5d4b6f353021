//! A hearing's moves as live events: a subscriber to the bureau's `procedureEvents` sees each
//! transition a hearing makes and each approval request it opens, after the one commit; and a
//! proposed abolition opens its request without abolishing anything.

use serde_json::{Value, json};

use crate::common::{TestServer, both_backends};
use crate::hearings::{COMMENT, TITLE, fixture};
use crate::subscriptions::{Frame, MODERN, connect, subscribe};

both_backends!(
    with crate::hearings::options;
    moves_are_procedure_events_and_an_abolition_waits_for_approval,
);

async fn moves_are_procedure_events_and_an_abolition_waits_for_approval(server: TestServer) {
    let ids = fixture(&server).await;
    let mut socket = connect(&server, "/graphql/ws", MODERN, None).await.unwrap();
    socket
        .init(json!({"Authorization": format!("Bearer {}", server.po.token)}))
        .await;
    socket
        .send(subscribe("kankyo", json!({"bureauCodes": ["KANKYO"]})))
        .await;
    let mut probe_version = 1;
    socket
        .wait_until_live(&server, &server.po, "kankyo", &ids[4], &mut probe_version)
        .await;

    let input = json!({
        "bureauCode": "KANKYO", "heldOn": "2026-11-20", "kind": "POLICY_DEPARTMENT", "title": TITLE,
        "outcomes": [
            { "procedureId": ids[0], "expectedVersion": 1, "decision": "PROCEED",
              "agreedTargetQuarter": "FY2027-Q1", "apply": true },
            { "procedureId": ids[1], "expectedVersion": 1, "decision": "PROPOSE_ABOLITION", "apply": true },
        ],
    });
    let payload = server
        .data(
            "mutation($input: RecordHearingInput!) { recordHearing(input: $input) {
               hearing { outcomes { record { to } approvalRequest { id status to comment } } } errors { code message path } } }",
            json!({ "input": input }),
        )
        .await["recordHearing"]
        .clone();
    assert_eq!(payload["errors"], json!([]), "{payload}");
    let outcomes = &payload["hearing"]["outcomes"];
    assert_eq!(outcomes[0]["record"]["to"], "scheduled");
    let request = &outcomes[1]["approvalRequest"];
    assert_eq!(
        (
            &outcomes[1]["record"],
            &request["status"],
            &request["to"],
            &request["comment"]
        ),
        (
            &Value::Null,
            &json!("PENDING"),
            &json!("abolished"),
            &json!(COMMENT)
        )
    );
    // The moves reach subscribers: the transition, then the opened request.
    let mut events = Vec::new();
    for _ in 0..2 {
        let Frame::Message(message) = socket.next().await else {
            panic!("the socket closed");
        };
        let e = &message["payload"]["data"]["procedureEvents"];
        events.push((
            e["kind"].clone(),
            e["procedure"]["code"].clone(),
            e["record"]["to"].clone(),
        ));
    }
    assert_eq!(
        events,
        [
            (
                json!("TRANSITIONED"),
                json!("KANKYO-0001"),
                json!("scheduled")
            ),
            (
                json!("APPROVAL_REQUESTED"),
                json!("KANKYO-0002"),
                Value::Null
            ),
        ]
    );
    // Proposing abolition abolishes nothing: the procedure waits for the approvals.
    let data = server
        .data("query($id: ID!) { procedure(id: $id) { version state { key } pendingApproval { id } } }", json!({ "id": ids[1] }))
        .await;
    let p = &data["procedure"];
    assert_eq!(
        (&p["version"], &p["state"]["key"]),
        (&json!(1), &json!("hearing"))
    );
    assert_eq!(p["pendingApproval"]["id"], request["id"]);
}

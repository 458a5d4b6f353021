//! Authentication with rollout's API tokens over real HTTP: every kind of refused credential
//! (none, unknown, another scheme, revoked, expired, a disabled user's) is the same 401 with
//! `WWW-Authenticate: Bearer` and UNAUTHENTICATED, and leaves an UNAUTHENTICATED entry in the
//! audit trail; `viewer` describes each role; history names the acting user by e-mail address.
//! Single sign-on (JWTs) is `sso.rs`'s.

use crate::common::{TestServer, TestUser, assert_unauthenticated, both_backends, nodes, ok_data};
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

both_backends!(
    refused_credentials,
    viewer_for_each_role,
    history_actor_is_the_users_email,
);

const VIEWER: &str = "{ viewer { role user { id email } bureau { code } canApproveFor } }";

/// Asks `viewer` with `secret` and asserts that it is answered as `user`.
async fn assert_accepted(server: &TestServer, secret: &str, user: &TestUser, what: &str) {
    let reply = server.request(Some(secret), &[], VIEWER, json!({})).await;
    assert_eq!(reply.status, 200, "{what}: {reply:?}");
    let data = ok_data(reply.body);
    assert_eq!(
        data["viewer"]["user"]["email"],
        user.email.as_str(),
        "{what}"
    );
}

async fn refused_credentials(server: TestServer) {
    let user = server
        .create_user("Kato.Yuki@E2E.Rollout.Test", "VIEWER", None)
        .await;
    assert_eq!(user.email, "kato.yuki@e2e.rollout.test");
    assert_accepted(&server, &user.token, &user, "a fresh token").await;
    let mut refused = 0;

    let reply = server.request(None, &[], VIEWER, json!({})).await;
    assert_unauthenticated(&reply, "no Authorization header");
    refused += 1;
    let mut tampered = user.token.clone();
    let last = if tampered.ends_with('A') { "B" } else { "A" };
    tampered.replace_range(tampered.len() - 1.., last);
    let garbage = [
        ("an unknown token", format!("Bearer rlt_{}", "x".repeat(43))),
        (
            "a token with one character changed",
            format!("Bearer {tampered}"),
        ),
        ("neither a token nor a JWT", "Bearer hello".to_owned()),
        ("an empty bearer", "Bearer ".to_owned()),
        ("another scheme", format!("Basic {}", user.token)),
    ];
    for (what, authorization) in &garbage {
        let reply = server
            .request(
                None,
                &[("authorization", authorization.as_str())],
                VIEWER,
                json!({}),
            )
            .await;
        assert_unauthenticated(&reply, what);
        refused += 1;
    }

    // Revoked: the owner revokes a second token of theirs; the first keeps working.
    let laptop = server.issue_token(&user.id, "laptop").await;
    assert_accepted(&server, &laptop, &user, "the second token").await;
    let tokens = server
        .data_as(&user, "{ tokens { id name revokedAt } }", json!({}))
        .await;
    let names: Vec<&str> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["laptop", "e2e"], "own tokens, newest first");
    let revoked = server
        .data_as(
            &user,
            "mutation($id: ID!) { revokeToken(input: { id: $id }) { token { name revokedAt } errors { code } } }",
            json!({ "id": tokens["tokens"][0]["id"] }),
        )
        .await;
    let payload = &revoked["revokeToken"];
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert_eq!(payload["token"]["name"], "laptop");
    assert!(payload["token"]["revokedAt"].is_string(), "{payload}");
    let reply = server.request(Some(&laptop), &[], VIEWER, json!({})).await;
    assert_unauthenticated(&reply, "a revoked token");
    refused += 1;
    assert_accepted(&server, &user.token, &user, "the token not revoked").await;

    // Expired: stored directly, since the API only issues tokens that expire in the future. A
    // token stored the same way that expires tomorrow works, so only the expiry differs.
    let tomorrow = server
        .insert_token(&user.id, Utc::now() + TimeDelta::days(1))
        .await;
    assert_accepted(&server, &tomorrow, &user, "a token expiring tomorrow").await;
    let expired = server
        .insert_token(&user.id, Utc::now() - TimeDelta::hours(1))
        .await;
    let reply = server.request(Some(&expired), &[], VIEWER, json!({})).await;
    assert_unauthenticated(&reply, "an expired token");
    refused += 1;

    // A disabled user's tokens stop working, and work again once the user is enabled.
    let update = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { user { disabled } errors { code } } }";
    for disabled in [true, false] {
        let data = server
            .data_as(
                &server.admin,
                update,
                json!({ "input": { "id": user.id, "disabled": disabled } }),
            )
            .await;
        assert_eq!(
            data["updateUser"],
            json!({ "user": { "disabled": disabled }, "errors": [] })
        );
        if disabled {
            let reply = server
                .request(Some(&user.token), &[], VIEWER, json!({}))
                .await;
            assert_unauthenticated(&reply, "a disabled user's token");
            refused += 1;
        }
    }
    assert_accepted(&server, &user.token, &user, "the user enabled again").await;

    // Every refusal is in the trail, anonymous and without snapshots, with where it came from.
    let data = server
        .data_as(
            &server.admin,
            "{ auditLog(filter: { outcome: UNAUTHENTICATED }, first: 100) { totalCount edges { node {
                 actor actorUser { id } action outcome before after requestId clientAddress } } } }",
            json!({}),
        )
        .await;
    let log = &data["auditLog"];
    assert_eq!(log["totalCount"], refused, "{log}");
    for entry in nodes(log) {
        assert_eq!(entry["actor"], "anonymous", "{entry}");
        assert_eq!(entry["action"], "authenticate", "{entry}");
        assert_eq!(entry["outcome"], "UNAUTHENTICATED", "{entry}");
        assert!(entry["actorUser"].is_null(), "{entry}");
        assert!(
            entry["before"].is_null() && entry["after"].is_null(),
            "{entry}"
        );
        assert!(
            entry["requestId"].as_str().is_some_and(|r| !r.is_empty()),
            "{entry}"
        );
        assert!(
            entry["clientAddress"]
                .as_str()
                .is_some_and(|a| a.starts_with("127.0.0.1:")),
            "{entry}"
        );
    }
}

async fn viewer_for_each_role(server: TestServer) {
    server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let coordinator = server.coordinator("KANKYO").await;
    assert_eq!(
        server.admin.email,
        rollout_server::config::DEFAULT_ADMIN_EMAIL
    );
    let cases: [(&TestUser, &str, Value, Value); 4] = [
        (&server.admin, "ADMIN", Value::Null, json!([])),
        (
            &server.po,
            "PROJECT_OFFICE",
            Value::Null,
            json!(["PROJECT_OFFICE"]),
        ),
        (
            &coordinator,
            "BUREAU_COORDINATOR",
            json!({ "code": "KANKYO" }),
            json!(["BUREAU_COORDINATOR"]),
        ),
        (&server.viewer, "VIEWER", Value::Null, json!([])),
    ];
    for (user, role, bureau, approves) in cases {
        let data = server.data_as(user, VIEWER, json!({})).await;
        assert_eq!(
            data["viewer"],
            json!({
                "role": role, "user": { "id": user.id, "email": user.email },
                "bureau": bureau, "canApproveFor": approves,
            }),
            "{role}"
        );
    }
}

/// Every history record names the user who acted by e-mail address: the creator, the one who
/// moved it, and for an approved abolition the requester (not the approvers).
async fn history_actor_is_the_users_email(server: TestServer) {
    server
        .create_bureau(
            "SEIKATSU",
            "生活文化局",
            "Bureau of Citizens, Culture and Sports",
        )
        .await;
    let coordinator = server.coordinator("SEIKATSU").await;
    let data = server
        .data_as(
            &coordinator,
            r#"mutation { createProcedure(input: { code: "SEIKATSU-0002", name: "旅券の申請",
                 bureauCode: "SEIKATSU", category: STANDARD, authority: NATIONAL }) {
                 procedure { id } errors { code } } }"#,
            json!({}),
        )
        .await;
    let id = data["createProcedure"]["procedure"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{data}"));
    let data = server
        .data_as(
            &coordinator,
            r#"mutation($id: ID!) { transitionProcedure(input: { procedureId: $id, to: "abolished",
                 expectedVersion: 1, comment: "handled by the national passport office" }) {
                 record { actor } approvalRequest { id required } errors { code } } }"#,
            json!({ "id": id }),
        )
        .await;
    let payload = &data["transitionProcedure"];
    assert_eq!(payload["errors"], json!([]), "{payload}");
    assert!(payload["record"].is_null(), "{payload}");
    assert_eq!(payload["approvalRequest"]["required"], 2);
    let request = payload["approvalRequest"]["id"].as_str().unwrap();
    for approver in [&server.po, &server.po2] {
        let decided = server.approve_as(approver, request, None, None).await;
        assert_eq!(decided["errors"], json!([]), "{decided}");
    }
    let actors: Vec<_> = server
        .history(id)
        .await
        .iter()
        .map(|r| (r["to"].clone(), r["actor"].clone()))
        .collect();
    assert_eq!(
        actors,
        [
            (json!("hearing"), json!("coord.seikatsu@e2e.rollout.test")),
            (json!("abolished"), json!("coord.seikatsu@e2e.rollout.test")),
        ]
    );
}

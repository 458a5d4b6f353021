//! Users and API tokens through GraphQL: admins manage users, everyone manages their own
//! tokens, and a token's secret is shown once, works, and stops working when revoked.

use chrono::TimeDelta;
use rollout_app::AppError;
use rollout_domain::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Api, codes, codes_and_paths, user_id};

const CREATE_USER: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) {
    user { id displayName email role bureau { code } disabled createdAt }
    errors { code message path } } }";

const UPDATE_USER: &str = "mutation($input: UpdateUserInput!) { updateUser(input: $input) {
    user { displayName role bureau { code } disabled } errors { code message path } } }";

const CREATE_TOKEN: &str = "mutation($input: CreateTokenInput!) { createToken(input: $input) {
    token { id name prefix user { email } createdAt expiresAt lastUsedAt revokedAt }
    secret errors { code message path } } }";

const REVOKE_TOKEN: &str = "mutation($input: RevokeTokenInput!) { revokeToken(input: $input) {
    token { id revokedAt } errors { code path } } }";

const EMAILS: &str = "{ users { email } }";

fn emails(data: &Value) -> Vec<String> {
    data["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn admins_create_and_change_users() {
    let api = Api::new().await;
    api.create_bureau("KANKYO").await;
    let input = json!({"displayName": "環境 太郎", "email": " Taro@Example.JP ",
                       "role": "BUREAU_COORDINATOR", "bureauCode": "KANKYO"});
    let created = api
        .data_as(&api.admin, CREATE_USER, json!({ "input": input }))
        .await["createUser"]
        .clone();
    assert_eq!(created["errors"], json!([]));
    let user = &created["user"];
    assert_eq!(
        user,
        &json!({"id": user["id"], "displayName": "環境 太郎", "email": "taro@example.jp",
                "role": "BUREAU_COORDINATOR", "bureau": {"code": "KANKYO"}, "disabled": false,
                "createdAt": "2026-06-15T03:00:00Z"})
    );
    let lookup = "query($id: ID!) { node(id: $id) { __typename ... on User { email } } }";
    let found = api
        .data_as(&api.admin, lookup, json!({"id": user["id"]}))
        .await;
    assert_eq!(
        found["node"],
        json!({"__typename": "User", "email": "taro@example.jp"})
    );
    // Like `users`, which is for admins: to anyone else another user's id shows nothing.
    let hidden = api.data(lookup, json!({"id": user["id"]})).await;
    assert_eq!(hidden["node"], Value::Null);

    let again = api
        .data_as(&api.admin, CREATE_USER, json!({ "input": input }))
        .await;
    assert_eq!(
        codes_and_paths(&again["createUser"]),
        [("DUPLICATE".to_owned(), json!(["email"]))]
    );
    let no_bureau =
        json!({"displayName": "x", "email": "x@example.jp", "role": "BUREAU_COORDINATOR"});
    let invalid = api
        .data_as(&api.admin, CREATE_USER, json!({ "input": no_bureau }))
        .await;
    assert_eq!(
        codes_and_paths(&invalid["createUser"]),
        [("VALIDATION".to_owned(), json!(["bureauCode"]))]
    );

    let viewer = api
        .data_as(
            &api.admin,
            UPDATE_USER,
            json!({"input": {"id": user["id"], "role": "VIEWER"}}),
        )
        .await;
    assert_eq!(
        viewer["updateUser"],
        json!({"user": {"displayName": "環境 太郎", "role": "VIEWER", "bureau": null,
                        "disabled": false}, "errors": []}),
        "leaving the coordinator role drops the bureau"
    );
    let disabled = api
        .data_as(
            &api.admin,
            UPDATE_USER,
            json!({"input": {"id": user["id"], "disabled": true, "displayName": "T. Kankyo"}}),
        )
        .await;
    assert_eq!(disabled["updateUser"]["user"]["disabled"], true);
    assert_eq!(disabled["updateUser"]["user"]["displayName"], "T. Kankyo");
    let updates = audited(&api, "user.update").await;
    let repeated = api
        .data_as(
            &api.admin,
            UPDATE_USER,
            json!({"input": {"id": user["id"], "disabled": true}}),
        )
        .await;
    assert_eq!(repeated["updateUser"]["user"]["disabled"], true);
    assert_eq!(
        audited(&api, "user.update").await,
        updates,
        "a change that changes nothing is not audited"
    );

    let admin_id = user_id(&api, &api.admin).await;
    let cases = [
        (
            json!({"id": admin_id, "disabled": true}),
            "VALIDATION",
            json!(["disabled"]),
        ),
        (
            json!({"id": user["id"], "role": null}),
            "VALIDATION",
            json!(["role"]),
        ),
        (
            json!({"id": "nope", "role": "ADMIN"}),
            "VALIDATION",
            json!(["id"]),
        ),
    ];
    for (input, code, path) in cases {
        let payload = api
            .data_as(&api.admin, UPDATE_USER, json!({ "input": input }))
            .await;
        assert_eq!(
            codes_and_paths(&payload["updateUser"]),
            [(code.to_owned(), path)],
            "{input}"
        );
    }
    assert_eq!(
        emails(&api.data_as(&api.admin, EMAILS, json!({})).await),
        ["admin@example.jp", "po@example.jp", "taro@example.jp"]
    );
}

#[tokio::test]
async fn only_admins_list_and_manage_users() {
    let api = Api::new().await;
    assert_eq!(api.error_code(EMAILS, json!({})).await, "FORBIDDEN");
    let input = json!({"displayName": "x", "email": "x@example.jp", "role": "ADMIN"});
    let refused = api.data(CREATE_USER, json!({ "input": input })).await;
    assert_eq!(
        codes_and_paths(&refused["createUser"]),
        [("FORBIDDEN".to_owned(), json!(null))]
    );
    assert_eq!(refused["createUser"]["user"], json!(null));
    let po_id = user_id(&api, &api.po).await;
    let promote = api
        .data(
            UPDATE_USER,
            json!({"input": {"id": po_id, "role": "ADMIN"}}),
        )
        .await;
    assert_eq!(
        codes(&promote["updateUser"]),
        ["FORBIDDEN"],
        "nobody promotes themselves"
    );
    assert_eq!(
        emails(&api.data_as(&api.admin, EMAILS, json!({})).await),
        ["admin@example.jp", "po@example.jp"],
        "nothing was written"
    );
}

#[tokio::test]
async fn a_token_secret_is_shown_once_works_and_stops_when_revoked() {
    let api = Api::new().await;
    let input = json!({"input": {"name": "laptop", "expiresAt": "2026-12-31T15:00:00Z"}});
    let created = api.data(CREATE_TOKEN, input).await["createToken"].clone();
    assert_eq!(created["errors"], json!([]));
    let token = &created["token"];
    let prefix = token["prefix"].as_str().unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(prefix.starts_with("rlt_") && prefix.len() == 12, "{prefix}");
    assert!(
        secret.starts_with(prefix) && secret.len() == 47,
        "a 47-character secret"
    );
    assert_eq!(
        token,
        &json!({"id": token["id"], "name": "laptop", "prefix": prefix,
                "user": {"email": "po@example.jp"}, "createdAt": "2026-06-15T03:00:00Z",
                "expiresAt": "2026-12-31T15:00:00Z", "lastUsedAt": null, "revokedAt": null})
    );
    let user = api
        .app
        .authenticate_token(secret)
        .await
        .expect("the secret works");
    assert_eq!(user.email.as_str(), "po@example.jp");

    let listed = api.data("{ tokens { id name prefix } }", json!({})).await;
    assert_eq!(
        listed["tokens"],
        json!([{"id": token["id"], "name": "laptop", "prefix": prefix}])
    );
    let fields = api
        .data(
            "{ __type(name: \"ApiToken\") { fields { name } } }",
            json!({}),
        )
        .await;
    let names = fields["__type"]["fields"].to_string().to_lowercase();
    assert!(
        !names.contains("secret") && !names.contains("hash"),
        "{names}"
    );
    let everyone = api
        .data_as(&api.admin, "{ tokens { user { email } } }", json!({}))
        .await;
    assert_eq!(
        everyone["tokens"].as_array().unwrap().len(),
        2,
        "admins see the bootstrap token and the PO's"
    );

    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let hidden = api.data_as(&viewer, node, json!({"id": token["id"]})).await;
    assert_eq!(
        hidden["node"],
        json!(null),
        "another user's token does not exist for them"
    );
    assert_eq!(
        api.data(node, json!({"id": token["id"]})).await["node"]["id"],
        token["id"]
    );

    let vars = json!({"input": {"id": token["id"]}});
    let refused = api.data_as(&viewer, REVOKE_TOKEN, vars.clone()).await;
    assert_eq!(codes(&refused["revokeToken"]), ["FORBIDDEN"]);
    let revoked = api.data(REVOKE_TOKEN, vars).await;
    assert_eq!(
        revoked["revokeToken"],
        json!({"token": {"id": token["id"], "revokedAt": "2026-06-15T03:00:00Z"}, "errors": []})
    );
    let rejected = api.app.authenticate_token(secret).await;
    assert!(
        matches!(rejected, Err(AppError::Unauthenticated { .. })),
        "{rejected:?}"
    );

    let revocations = audited(&api, "token.revoke").await;
    api.clock.advance(TimeDelta::hours(5));
    let again = api
        .data(REVOKE_TOKEN, json!({"input": {"id": token["id"]}}))
        .await;
    assert_eq!(
        again["revokeToken"],
        json!({"token": {"id": token["id"], "revokedAt": "2026-06-15T03:00:00Z"}, "errors": []}),
        "revoking again keeps the time it was really revoked"
    );
    assert_eq!(
        audited(&api, "token.revoke").await,
        revocations,
        "and writes no entry"
    );
}

/// How many audit entries of `action` the trail holds.
async fn audited(api: &Api, action: &str) -> i64 {
    let query = "query($filter: AuditFilter) { auditLog(filter: $filter) { totalCount } }";
    let data = api
        .data_as(&api.admin, query, json!({"filter": {"action": action}}))
        .await;
    data["auditLog"]["totalCount"].as_i64().unwrap()
}

#[tokio::test]
async fn tokens_for_others_are_for_admins() {
    let api = Api::new().await;
    let viewer = api.add_user("viewer@example.jp", Role::Viewer, None).await;
    let viewer_id = user_id(&api, &viewer).await;
    let for_viewer = json!({"input": {"name": "job", "userId": viewer_id}});
    let refused = api.data(CREATE_TOKEN, for_viewer.clone()).await;
    assert_eq!(codes(&refused["createToken"]), ["FORBIDDEN"]);
    assert_eq!(refused["createToken"]["secret"], json!(null));
    let issued = api.data_as(&api.admin, CREATE_TOKEN, for_viewer).await;
    assert_eq!(
        issued["createToken"]["token"]["user"]["email"],
        "viewer@example.jp"
    );
    let own = api
        .data_as(&viewer, "{ tokens { name user { email } } }", json!({}))
        .await;
    assert_eq!(
        own["tokens"],
        json!([{"name": "job", "user": {"email": "viewer@example.jp"}}])
    );

    let cases = [
        (json!({"name": " "}), json!(["name"])),
        (
            json!({"name": "old", "expiresAt": "2026-06-01T00:00:00Z"}),
            json!(["expiresAt"]),
        ),
        (json!({"name": "x", "userId": "nope"}), json!(["userId"])),
    ];
    for (input, path) in cases {
        let payload = api.data(CREATE_TOKEN, json!({ "input": input })).await;
        assert_eq!(
            codes_and_paths(&payload["createToken"]),
            [("VALIDATION".to_owned(), path)],
            "{input}"
        );
    }
}

#[tokio::test]
async fn a_token_in_use_costs_no_store_call_until_it_or_its_user_changes() {
    let api = Api::new().await;
    let viewer = api.add_user("v@example.jp", Role::Viewer, None).await;
    let id = user_id(&api, &viewer).await;
    let input = json!({"input": {"name": "ci", "userId": id}});
    let created = api.data_as(&api.admin, CREATE_TOKEN, input).await["createToken"].clone();
    assert_eq!(created["errors"], json!([]), "{created}");
    let secret = created["secret"].as_str().unwrap();
    api.app.authenticate_token(secret).await.unwrap();

    api.store.reset();
    for _ in 0..3 {
        let user = api.app.authenticate_token(secret).await.unwrap();
        assert_eq!(user.id, viewer.id);
    }
    assert_eq!(api.store.total_calls(), 0, "served from the cache");
    api.clock.advance(TimeDelta::seconds(10));
    api.app.authenticate_token(secret).await.unwrap();
    assert_eq!(
        api.store.calls("token_by_hash"),
        1,
        "read again once the TTL ran out"
    );

    let disable = json!({"input": {"id": id, "disabled": true}});
    let disabled = api.data_as(&api.admin, UPDATE_USER, disable).await;
    assert_eq!(disabled["updateUser"]["errors"], json!([]), "{disabled}");
    let refused = api.app.authenticate_token(secret).await;
    assert!(
        matches!(refused, Err(AppError::Unauthenticated { .. })),
        "refused at once: {refused:?}"
    );
}

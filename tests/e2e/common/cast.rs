//! The people the tests act as. Every server starts with a [`Cast`]: the administrator the server
//! bootstrapped, three project-office users (a requester and two approvers, since abolishing
//! needs two approvals from people other than the requester) and a viewer, each with an API
//! token made through `createUser` and `createToken` as the administrator. Bureau coordinators
//! need a bureau first, so tests make them when they need them ([`TestServer::coordinator`]).
//!
//! Users and tokens are made with two batched mutations (aliases), not eight requests: every
//! test pays for this.

use serde_json::{Value, json};

use super::{TestServer, ok_data, post_graphql};

/// One user the tests can act as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    /// Lower-case, as the server stores it and writes it into history (`actor`).
    pub email: String,
    /// The bearer secret of an API token of this user.
    pub token: String,
    /// The user's global ID.
    pub id: String,
}

/// The users every test server starts with.
#[derive(Debug, Clone)]
pub struct Cast {
    pub admin: TestUser,
    pub po: TestUser,
    pub po2: TestUser,
    pub po3: TestUser,
    pub viewer: TestUser,
}

const CAST: [(&str, &str, &str, &str); 4] = [
    (
        "po",
        "po.sato@e2e.rollout.test",
        "佐藤 一郎",
        "PROJECT_OFFICE",
    ),
    (
        "po2",
        "po.suzuki@e2e.rollout.test",
        "鈴木 二郎",
        "PROJECT_OFFICE",
    ),
    (
        "po3",
        "po.takahashi@e2e.rollout.test",
        "高橋 三郎",
        "PROJECT_OFFICE",
    ),
    (
        "viewer",
        "viewer.tanaka@e2e.rollout.test",
        "田中 花子",
        "VIEWER",
    ),
];

/// The fields of `createUser`'s and `updateUser`'s payloads that tests read back.
pub const USER_FIELDS: &str = "id email displayName role disabled bureau { code }";

impl Cast {
    /// Creates the cast through GraphQL as the administrator whose secret is `admin_token`.
    pub async fn create(client: &reqwest::Client, base_url: &str, admin_token: &str) -> Cast {
        let gql = |query: String, variables: Value| async move {
            let reply =
                post_graphql(client, base_url, Some(admin_token), &[], &query, variables).await;
            assert_eq!(reply.status, 200, "as the bootstrap admin: {reply:?}");
            ok_data(reply.body)
        };
        let me = gql("{ viewer { role user { id email } } }".into(), json!({})).await;
        assert_eq!(
            me["viewer"]["role"], "ADMIN",
            "the bootstrap token is an admin's"
        );
        let admin = TestUser {
            email: me["viewer"]["user"]["email"].as_str().unwrap().to_owned(),
            token: admin_token.to_owned(),
            id: me["viewer"]["user"]["id"].as_str().unwrap().to_owned(),
        };

        let users: String = CAST
            .iter()
            .map(|(alias, email, name, role)| {
                format!(
                    "{alias}: createUser(input: {{ email: \"{email}\", displayName: \"{name}\", role: {role} }}) \
                     {{ user {{ id email }} errors {{ code message path }} }}\n"
                )
            })
            .collect();
        let created = gql(format!("mutation {{ {users} }}"), json!({})).await;
        let mut ids = Vec::new();
        for (alias, email, _, _) in CAST {
            let payload = &created[alias];
            assert_eq!(
                payload["errors"],
                json!([]),
                "createUser {email}: {payload}"
            );
            assert_eq!(payload["user"]["email"], email);
            ids.push(payload["user"]["id"].as_str().unwrap().to_owned());
        }

        let tokens: String = CAST
            .iter()
            .zip(&ids)
            .map(|((alias, ..), id)| {
                format!(
                    "{alias}: createToken(input: {{ name: \"e2e\", userId: \"{id}\" }}) \
                     {{ secret token {{ id user {{ id }} }} errors {{ code message path }} }}\n"
                )
            })
            .collect();
        let issued = gql(format!("mutation {{ {tokens} }}"), json!({})).await;
        let mut users = CAST.iter().zip(ids).map(|((alias, email, ..), id)| {
            let payload = &issued[alias];
            assert_eq!(
                payload["errors"],
                json!([]),
                "createToken {email}: {payload}"
            );
            assert_eq!(payload["token"]["user"]["id"], json!(id));
            TestUser {
                email: (*email).to_owned(),
                token: payload["secret"].as_str().unwrap().to_owned(),
                id,
            }
        });
        let mut next = || users.next().expect("one user per cast entry");
        Cast {
            admin,
            po: next(),
            po2: next(),
            po3: next(),
            viewer: next(),
        }
    }
}

impl TestServer {
    /// Creates a user as the administrator and returns the `createUser` payload.
    pub async fn create_user_payload(
        &self,
        email: &str,
        role: &str,
        bureau: Option<&str>,
    ) -> Value {
        let data = self
            .data_as(
                &self.admin,
                &format!(
                    "mutation($input: CreateUserInput!) {{
                       createUser(input: $input) {{ user {{ {USER_FIELDS} }} errors {{ code message path }} }}
                     }}"
                ),
                json!({ "input": {
                    "email": email, "displayName": format!("e2e {role}"), "role": role,
                    "bureauCode": bureau,
                } }),
            )
            .await;
        data["createUser"].clone()
    }

    /// Issues an API token to the user `user_id` as the administrator; returns its secret.
    pub async fn issue_token(&self, user_id: &str, name: &str) -> String {
        let data = self
            .data_as(
                &self.admin,
                "mutation($input: CreateTokenInput!) {
                   createToken(input: $input) { secret token { id } errors { code message path } }
                 }",
                json!({ "input": { "name": name, "userId": user_id } }),
            )
            .await;
        let payload = &data["createToken"];
        assert_eq!(payload["errors"], json!([]), "createToken: {payload}");
        payload["secret"].as_str().unwrap().to_owned()
    }

    /// A new user with a token; the creation must succeed.
    pub async fn create_user(&self, email: &str, role: &str, bureau: Option<&str>) -> TestUser {
        let payload = self.create_user_payload(email, role, bureau).await;
        assert_eq!(
            payload["errors"],
            json!([]),
            "createUser {email}: {payload}"
        );
        let id = payload["user"]["id"].as_str().unwrap().to_owned();
        let token = self.issue_token(&id, "e2e").await;
        TestUser {
            email: email.to_lowercase(),
            token,
            id,
        }
    }

    /// A bureau coordinator of `bureau` (which must exist), e-mail `coord.<bureau>@…`.
    pub async fn coordinator(&self, bureau: &str) -> TestUser {
        let email = format!("coord.{}@e2e.rollout.test", bureau.to_lowercase());
        self.create_user(&email, "BUREAU_COORDINATOR", Some(bureau))
            .await
    }
}

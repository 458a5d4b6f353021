//! The harness the API tests share: a schema over a real, migrated SQLite store in a temp file,
//! a fixed clock, and users made through the app as the server would find them: an admin (the
//! first-start bootstrap) and a PROJECT_OFFICE user, who is the default actor; tests add more.
//! Every request carries an `Actor` for one of them, with request metadata for the audit trail.

use std::sync::Arc;

use async_graphql::{Request, Response, Variables};
use chrono::{DateTime, TimeZone, Utc};
use rollout_app::{Actor, App, CreateUser, FixedClock, RequestMeta};
use rollout_domain::identity::{Role, User};
use rollout_domain::workflow::{WorkflowDefinition, default_workflow};
use rollout_graphql::{RolloutSchema, build_schema};
use rollout_store_sqlite::SqliteStore;
use serde_json::{Value, json};

use crate::store::CountingStore;

/// 2026-06-15 12:00 in Tokyo.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 3, 0, 0).unwrap()
}

/// The client address every test request comes from.
pub const CLIENT: &str = "192.0.2.10";

/// A schema over a fresh database. The temp directory lives as long as this value.
pub struct Api {
    pub schema: RolloutSchema,
    pub store: Arc<CountingStore>,
    pub app: App,
    pub clock: Arc<FixedClock>,
    /// admin@example.jp, made by the first-start bootstrap.
    pub admin: User,
    /// po@example.jp, PROJECT_OFFICE: the actor of `data`, `create_procedure`, `transition`…
    pub po: User,
    _dir: tempfile::TempDir,
}

impl Api {
    pub async fn new() -> Self {
        Self::with_workflow(default_workflow()).await
    }

    pub async fn with_workflow(workflow: WorkflowDefinition) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("api.db").display());
        let sqlite = SqliteStore::connect(&url).await.expect("connect");
        sqlite.migrate().await.expect("migrate");
        let store = Arc::new(CountingStore::new(Arc::new(sqlite)));
        let clock = Arc::new(FixedClock::new(now()));
        let app = App::new(store.clone(), workflow, clock.clone());
        let (admin, _) = app
            .bootstrap_admin("admin@example.jp")
            .await
            .expect("bootstrap")
            .expect("an empty database gets an admin");
        let po = add_user(&app, "po@example.jp", Role::ProjectOffice, None).await;
        store.reset();
        Self {
            schema: build_schema(app.clone()),
            store,
            app,
            clock,
            admin,
            po,
            _dir: dir,
        }
    }

    /// Adds a user through the app, as the system (no permission check).
    pub async fn add_user(&self, email: &str, role: Role, bureau: Option<&str>) -> User {
        add_user(&self.app, email, role, bureau).await
    }

    /// Executes a document as `user` and returns the raw response.
    pub async fn raw_as(&self, user: &User, query: &str, vars: Value) -> Response {
        self.schema
            .execute(request(query, vars).data(actor(user)))
            .await
    }

    /// Executes a document without an actor, as a misconfigured server would.
    pub async fn raw_anonymous(&self, query: &str, vars: Value) -> Response {
        self.schema.execute(request(query, vars)).await
    }

    /// Executes a document as the PROJECT_OFFICE user; it must succeed.
    pub async fn data(&self, query: &str, vars: Value) -> Value {
        self.data_as(&self.po, query, vars).await
    }

    /// Executes a document as `user`; it must succeed. Returns `data` as JSON.
    pub async fn data_as(&self, user: &User, query: &str, vars: Value) -> Value {
        let response = self.raw_as(user, query, vars).await;
        assert!(
            response.errors.is_empty(),
            "unexpected GraphQL errors: {:?}",
            response.errors
        );
        response.data.into_json().expect("data is JSON")
    }

    /// Executes a document that must fail, as the PROJECT_OFFICE user.
    pub async fn errors(&self, query: &str, vars: Value) -> Vec<(String, Option<String>)> {
        errors_of(self.raw_as(&self.po, query, vars).await)
    }

    /// The single `extensions.code` of a document that must fail, as the PROJECT_OFFICE user.
    pub async fn error_code(&self, query: &str, vars: Value) -> String {
        self.error_code_as(&self.po, query, vars).await
    }

    /// The single `extensions.code` of a document that must fail, as `user`.
    pub async fn error_code_as(&self, user: &User, query: &str, vars: Value) -> String {
        single_code(errors_of(self.raw_as(user, query, vars).await))
    }

    /// Creates a bureau as the admin.
    pub async fn create_bureau(&self, code: &str) -> Value {
        let input = json!({"code": code, "nameJa": format!("{code}局"), "nameEn": format!("{code} Bureau")});
        let data = self
            .data_as(&self.admin, CREATE_BUREAU, json!({ "input": input }))
            .await;
        assert_eq!(data["createBureau"]["errors"], json!([]));
        data["createBureau"]["bureau"].clone()
    }

    /// Creates a procedure as the PROJECT_OFFICE user; `extra` adds or overrides input fields.
    pub async fn create_procedure(&self, code: &str, bureau: &str, extra: Value) -> Value {
        let payload = self
            .create_procedure_as(&self.po, code, bureau, extra)
            .await;
        assert_eq!(payload["errors"], json!([]), "{code}");
        payload["procedure"].clone()
    }

    /// Runs `createProcedure` as `user` and returns its payload.
    pub async fn create_procedure_as(
        &self,
        user: &User,
        code: &str,
        bureau: &str,
        extra: Value,
    ) -> Value {
        let mut input = json!({
            "code": code, "name": format!("手続 {code}"), "bureauCode": bureau,
            "category": "STANDARD", "authority": "TOKYO",
        });
        for (k, v) in extra.as_object().expect("extra is an object") {
            input[k] = v.clone();
        }
        let data = self
            .data_as(user, CREATE_PROCEDURE, json!({ "input": input }))
            .await;
        data["createProcedure"].clone()
    }

    /// Runs `transitionProcedure` as the PROJECT_OFFICE user and returns its payload.
    pub async fn transition(&self, input: Value) -> Value {
        self.transition_as(&self.po, input).await
    }

    pub async fn transition_as(&self, user: &User, input: Value) -> Value {
        self.data_as(user, TRANSITION, json!({ "input": input }))
            .await["transitionProcedure"]
            .clone()
    }

    /// Runs `updateProcedure` as the PROJECT_OFFICE user and returns its payload.
    pub async fn update(&self, input: Value) -> Value {
        self.update_as(&self.po, input).await
    }

    pub async fn update_as(&self, user: &User, input: Value) -> Value {
        self.data_as(user, UPDATE, json!({ "input": input })).await["updateProcedure"].clone()
    }

    /// A procedure's version, state key and history length, to show what was (not) written.
    pub async fn written(&self, id: &Value) -> Value {
        let data = self
            .data(
                "query($id: ID!) { procedure(id: $id) { version state { key } history { totalCount } } }",
                json!({ "id": id }),
            )
            .await;
        data["procedure"].clone()
    }
}

/// The global id of `user`, as the API shows it.
pub async fn user_id(api: &Api, user: &User) -> Value {
    let found = api
        .data_as(user, "{ viewer { user { id } } }", json!({}))
        .await;
    found["viewer"]["user"]["id"].clone()
}

async fn add_user(app: &App, email: &str, role: Role, bureau: Option<&str>) -> User {
    let input = CreateUser {
        display_name: format!("User {email}"),
        email: email.to_owned(),
        role,
        bureau_code: bureau.map(str::to_owned),
    };
    app.create_user(&Actor::system("test"), input)
        .await
        .unwrap_or_else(|e| panic!("create {email}: {e:?}"))
}

/// The actor the server would attach for `user`, with this request's metadata.
pub fn actor(user: &User) -> Actor {
    let meta = RequestMeta {
        request_id: Some(format!("req-{}", user.email)),
        client_addr: Some(CLIENT.to_owned()),
    };
    Actor::user(user.clone(), meta)
}

fn request(query: &str, vars: Value) -> Request {
    Request::new(query).variables(Variables::from_json(vars))
}

/// `(message, extensions.code)` of each error of a response that must have failed.
pub fn errors_of(response: Response) -> Vec<(String, Option<String>)> {
    assert!(
        !response.errors.is_empty(),
        "expected GraphQL errors, got none"
    );
    response
        .errors
        .into_iter()
        .map(|e| {
            let code = e
                .extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .and_then(|v| v.clone().into_json().ok())
                .and_then(|v| v.as_str().map(str::to_owned));
            (e.message, code)
        })
        .collect()
}

fn single_code(errors: Vec<(String, Option<String>)>) -> String {
    assert_eq!(errors.len(), 1, "expected one error: {errors:?}");
    errors[0]
        .1
        .clone()
        .unwrap_or_else(|| panic!("no code: {errors:?}"))
}

pub const CREATE_BUREAU: &str = "mutation($input: CreateBureauInput!) {
    createBureau(input: $input) { bureau { id code nameJa nameEn } errors { code message path } }
}";

pub const CREATE_PROCEDURE: &str = "mutation($input: CreateProcedureInput!) {
    createProcedure(input: $input) {
        procedure { id code name nameEn category authority annualApplications isPriority
            processCount platform version targetQuarter releasedOn createdAt updatedAt
            bureau { code } state { key kind } }
        errors { code message path }
    }
}";

pub const UPDATE: &str = "mutation($input: UpdateProcedureInput!) {
    updateProcedure(input: $input) {
        procedure { id name nameEn annualApplications platform version targetQuarter releasedOn
            bureau { code } }
        errors { code message path }
    }
}";

pub const TRANSITION: &str = "mutation($input: TransitionProcedureInput!) {
    transitionProcedure(input: $input) {
        procedure { version releasedOn state { key kind } }
        record { id from to transition actor comment at workflowVersion procedureVersion
            fromState { key } toState { key } procedure { code } }
        approvalRequest { id status from to transition required approvals role comment
            expectedVersion requestedBy { email } }
        replayed
        errors { code message path }
    }
}";

/// `(code, path)` of each payload error.
pub fn codes_and_paths(payload: &Value) -> Vec<(String, Value)> {
    payload["errors"]
        .as_array()
        .expect("errors is a list")
        .iter()
        .map(|e| (e["code"].as_str().unwrap().to_owned(), e["path"].clone()))
        .collect()
}

/// The codes of a payload's errors.
pub fn codes(payload: &Value) -> Vec<String> {
    codes_and_paths(payload)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

//! The data fixtures the tests share: bureaus (made by the administrator, the only role that
//! manages them), procedures and transitions (by a project-office user unless a test names
//! another), approval decisions, and reads of a procedure's version and history.
//!
//! Fixture helpers assert that the fixture itself succeeded, so a test fails at the step that
//! broke rather than later on a confusing `null`. [`TestServer::step`] goes through the approval
//! a gated transition needs, so tests about something else can release and abolish in one call.

use serde_json::{Value, json};

use super::{TestServer, TestUser};

/// The fields most tests read back from a procedure.
pub const PROCEDURE_FIELDS: &str = "id code name nameEn category authority annualApplications \
     isPriority processCount platform version targetQuarter releasedOn createdAt updatedAt \
     bureau { code } state { key kind }";

/// The fields tests read back from an approval request.
pub const REQUEST_FIELDS: &str = "id status approvals required role transition from to \
     expectedVersion comment reason createdAt expiresAt closedAt requestedBy { email } \
     procedure { id version state { key } } \
     votes { approver { email } onBehalfOf { email } decision comment at }";

impl TestServer {
    /// Creates a bureau as the administrator and returns it (`id code nameJa nameEn`).
    pub async fn create_bureau(&self, code: &str, name_ja: &str, name_en: &str) -> Value {
        let data = self
            .data_as(
                &self.admin,
                "mutation($input: CreateBureauInput!) {
                   createBureau(input: $input) { bureau { id code nameJa nameEn } errors { code message path } }
                 }",
                json!({ "input": { "code": code, "nameJa": name_ja, "nameEn": name_en } }),
            )
            .await;
        let payload = &data["createBureau"];
        assert_eq!(
            payload["errors"],
            json!([]),
            "createBureau {code}: {payload}"
        );
        payload["bureau"].clone()
    }

    /// Runs `createProcedure` with `input` as `user`; returns the payload (`procedure`, `errors`).
    pub async fn create_procedure_payload(&self, user: &TestUser, input: Value) -> Value {
        let query = format!(
            "mutation($input: CreateProcedureInput!) {{
               createProcedure(input: $input) {{ procedure {{ {PROCEDURE_FIELDS} }} errors {{ code message path }} }}
             }}"
        );
        let data = self.data_as(user, &query, json!({ "input": input })).await;
        data["createProcedure"].clone()
    }

    /// Creates a procedure that must succeed and returns it ([`PROCEDURE_FIELDS`]).
    pub async fn create_procedure(&self, input: Value) -> Value {
        let payload = self.create_procedure_payload(&self.po, input.clone()).await;
        assert_eq!(
            payload["errors"],
            json!([]),
            "createProcedure {input}: {payload}"
        );
        payload["procedure"].clone()
    }

    /// A minimal valid procedure in `bureau` with `code`, in the initial state.
    pub async fn simple_procedure(&self, bureau: &str, code: &str) -> Value {
        self.create_procedure(json!({
            "code": code, "name": format!("手続 {code}"), "bureauCode": bureau,
            "category": "STANDARD", "authority": "TOKYO",
        }))
        .await
    }

    /// Runs `updateProcedure` as the default actor; returns the payload.
    pub async fn update_procedure(&self, input: Value) -> Value {
        self.update_procedure_as(&self.po, input).await
    }

    /// Runs `updateProcedure` as `user`; returns the payload.
    pub async fn update_procedure_as(&self, user: &TestUser, input: Value) -> Value {
        let query = format!(
            "mutation($input: UpdateProcedureInput!) {{
               updateProcedure(input: $input) {{ procedure {{ {PROCEDURE_FIELDS} }} errors {{ code message path }} }}
             }}"
        );
        self.data_as(user, &query, json!({ "input": input })).await["updateProcedure"].clone()
    }

    /// Runs `transitionProcedure` as the default actor; see [`TestServer::transition_as`].
    pub async fn transition(&self, input: Value) -> Value {
        self.transition_as(&self.po, input).await
    }

    /// Runs `transitionProcedure` as `user`; returns the payload (`procedure { id version
    /// releasedOn state }`, `record`, `approvalRequest`, `replayed`, `errors`).
    pub async fn transition_as(&self, user: &TestUser, input: Value) -> Value {
        let data = self
            .data_as(
                user,
                "mutation($input: TransitionProcedureInput!) {
                   transitionProcedure(input: $input) {
                     procedure { id version releasedOn state { key kind } }
                     record { id from to transition actor comment procedureVersion workflowVersion
                              approvalRequest { id } }
                     approvalRequest { id status approvals required role transition from to }
                     replayed
                     errors { code message path }
                   }
                 }",
                json!({ "input": input }),
            )
            .await;
        data["transitionProcedure"].clone()
    }

    /// `transitionProcedure` as `user` from `version` to `to` with `comment`, which must be
    /// accepted as a first request (no errors, not an idempotent replay); returns the payload,
    /// whether it moved the procedure or opened an approval request.
    pub async fn accepted_as(
        &self,
        user: &TestUser,
        id: &str,
        to: &str,
        version: i64,
        comment: &str,
    ) -> Value {
        let payload = self
            .transition_as(
                user,
                json!({ "procedureId": id, "to": to, "expectedVersion": version, "comment": comment }),
            )
            .await;
        assert_eq!(payload["errors"], json!([]), "to {to}: {payload}");
        assert_eq!(payload["replayed"], false, "{payload}");
        payload
    }

    /// A transition that must succeed; returns the new version. A gated one is requested by
    /// [`TestServer::po`] and approved by `po2` (and `po3` when it needs two approvals).
    pub async fn step(&self, id: &str, to: &str, version: i64, comment: Option<&str>) -> i64 {
        let payload = self
            .transition(
                json!({ "procedureId": id, "to": to, "expectedVersion": version, "comment": comment }),
            )
            .await;
        assert_eq!(
            payload["errors"],
            json!([]),
            "transition to {to}: {payload}"
        );
        let procedure = if payload["approvalRequest"].is_null() {
            payload["procedure"].clone()
        } else {
            assert!(payload["record"].is_null(), "gated: {payload}");
            let request = payload["approvalRequest"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut decided = Value::Null;
            for approver in [&self.po2, &self.po3] {
                decided = self.approve_as(approver, &request, None, None).await;
                assert_eq!(decided["errors"], json!([]), "approving {to}: {decided}");
                if decided["request"]["status"] != "PENDING" {
                    break;
                }
            }
            assert_eq!(decided["request"]["status"], "APPROVED", "{decided}");
            decided["procedure"].clone()
        };
        assert_eq!(procedure["state"]["key"], to, "{payload}");
        procedure["version"].as_i64().expect("version")
    }

    /// Walks a procedure whose data guards already hold from `hearing` to `released`,
    /// recording the passing user test that `built → user_tested` needs.
    pub async fn release(&self, id: &str, mut version: i64) -> i64 {
        for to in ["scheduled", "built", "user_tested", "released"] {
            if to == "user_tested" {
                self.pass_user_test(id).await;
            }
            version = self.step(id, to, version, None).await;
        }
        version
    }

    /// Runs `recordUserTest` as `user` with `input`; returns the payload (`userTest { id
    /// verdict heldOn … }`, `errors`).
    pub async fn record_user_test_as(&self, user: &TestUser, input: Value) -> Value {
        let data = self
            .data_as(
                user,
                "mutation($input: RecordUserTestInput!) { recordUserTest(input: $input) {
                   userTest { id heldOn participants tasksAttempted tasksCompleted completionRate
                              medianMinutes susScore findings verdict createdAt
                              recordedBy { email } procedure { id version } }
                   errors { code message path } } }",
                json!({ "input": input }),
            )
            .await;
        data["recordUserTest"].clone()
    }

    /// A sound user test of procedure `id` held on 2026-01-15 with `verdict`, as input.
    pub fn user_test_input(id: &str, verdict: &str) -> Value {
        json!({
            "procedureId": id, "heldOn": "2026-01-15", "participants": 5,
            "tasksAttempted": 10, "tasksCompleted": 8, "medianMinutes": 4.5,
            "susScore": 72.5, "findings": ["申請ボタンが見つけにくい"], "verdict": verdict,
        })
    }

    /// Records a passing user test of procedure `id` as `user`, which must succeed, so that
    /// `built → user_tested` is allowed (when the procedure is in `built` already).
    pub async fn pass_user_test_as(&self, user: &TestUser, id: &str) -> Value {
        let input = Self::user_test_input(id, "PASS");
        let payload = self.record_user_test_as(user, input).await;
        assert_eq!(payload["errors"], json!([]), "recordUserTest: {payload}");
        payload["userTest"].clone()
    }

    /// [`TestServer::pass_user_test_as`] as the default actor.
    pub async fn pass_user_test(&self, id: &str) -> Value {
        self.pass_user_test_as(&self.po, id).await
    }

    /// `approveRequest` as `user`, optionally as the substitute of the user `on_behalf_of`;
    /// returns the payload (`request` with [`REQUEST_FIELDS`], `procedure`, `errors`).
    pub async fn approve_as(
        &self,
        user: &TestUser,
        request: &str,
        on_behalf_of: Option<&str>,
        comment: Option<&str>,
    ) -> Value {
        self.decide_as(
            user,
            "approveRequest",
            json!({ "id": request, "onBehalfOf": on_behalf_of, "comment": comment }),
        )
        .await
    }

    /// `rejectRequest` as `user` with `comment`; returns the payload.
    pub async fn reject_as(&self, user: &TestUser, request: &str, comment: &str) -> Value {
        self.decide_as(
            user,
            "rejectRequest",
            json!({ "id": request, "comment": comment }),
        )
        .await
    }

    async fn decide_as(&self, user: &TestUser, mutation: &str, input: Value) -> Value {
        let input_type = match mutation {
            "approveRequest" => "ApproveRequestInput",
            _ => "RejectRequestInput",
        };
        let query = format!(
            "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{
               request {{ {REQUEST_FIELDS} }} procedure {{ id version state {{ key }} }}
               errors {{ code message path }} }} }}"
        );
        self.data_as(user, &query, json!({ "input": input })).await[mutation].clone()
    }

    /// `withdrawRequest` as `user`; returns the payload (`request`, `errors`).
    pub async fn withdraw_as(&self, user: &TestUser, request: &str) -> Value {
        let query = format!(
            "mutation($id: ID!) {{ withdrawRequest(input: {{ id: $id }}) {{
               request {{ {REQUEST_FIELDS} }} errors {{ code message path }} }} }}"
        );
        self.data_as(user, &query, json!({ "id": request })).await["withdrawRequest"].clone()
    }

    /// `myPendingApprovals` as `user`: the procedure codes of the requests, in the order given
    /// (each must be PENDING).
    pub async fn pending_codes(&self, user: &TestUser) -> Vec<String> {
        let data = self
            .data_as(
                user,
                "{ myPendingApprovals { status procedure { code } } }",
                json!({}),
            )
            .await;
        data["myPendingApprovals"]
            .as_array()
            .unwrap_or_else(|| panic!("no myPendingApprovals: {data}"))
            .iter()
            .map(|r| {
                assert_eq!(r["status"], "PENDING", "{r}");
                r["procedure"]["code"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    /// An approval request by id, read through `node` ([`REQUEST_FIELDS`]).
    pub async fn approval(&self, id: &str) -> Value {
        let query = format!(
            "query($id: ID!) {{ node(id: $id) {{ ... on ApprovalRequest {{ {REQUEST_FIELDS} }} }} }}"
        );
        self.data(&query, json!({ "id": id })).await["node"].clone()
    }

    /// The procedure's current version and how many history records it has.
    pub async fn snapshot(&self, id: &str) -> (i64, i64) {
        let data = self
            .data(
                "query($id: ID!) { procedure(id: $id) { version history { totalCount } } }",
                json!({ "id": id }),
            )
            .await;
        let p = &data["procedure"];
        (
            p["version"]
                .as_i64()
                .unwrap_or_else(|| panic!("no version: {data}")),
            p["history"]["totalCount"]
                .as_i64()
                .expect("history totalCount"),
        )
    }

    /// The full history of a procedure, oldest first.
    pub async fn history(&self, id: &str) -> Vec<Value> {
        let data = self
            .data(
                "query($id: ID!) { procedure(id: $id) { history(first: 500) { totalCount edges { node {
                   id from to transition actor comment procedureVersion workflowVersion at
                   fromState { key } toState { key labelEn } approvalRequest { id status }
                 } } } } }",
                json!({ "id": id }),
            )
            .await;
        let history = &data["procedure"]["history"];
        let nodes: Vec<Value> = history["edges"]
            .as_array()
            .expect("history edges")
            .iter()
            .map(|e| e["node"].clone())
            .collect();
        assert_eq!(history["totalCount"], json!(nodes.len()), "{history}");
        nodes
    }
}

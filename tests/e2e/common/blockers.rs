//! Fixtures of issue 11: law changes, milestones and dependencies made through the API (by the
//! project office unless a test names another user), each asserting that it succeeded, and the
//! payload-returning forms the tests that expect refusals call.

use serde_json::{Value, json};

use super::{TestServer, TestUser};

/// The fields tests read back from a law change.
pub const LAW_CHANGE_FIELDS: &str = "id code titleJa status version requestedOn \
     expectedEffectiveOn enactedOn notes ownerBureau { code } \
     history { from to on reason actor }";

/// What a blocker status change reports besides the blocker.
pub const UNBLOCK_FIELDS: &str = "unblocked { id code version state { key } } \
     stillBlocked { procedure { code state { key } } \
       blockers { __typename ... on LawChange { code } ... on Milestone { name } ... on Procedure { code } } }";

pub const ADD_DEPENDENCY: &str = "mutation($input: AddDependencyInput!) { addDependency(input: $input) {
    dependency { id reason open removedAt createdBy { email } from { code }
      on { __typename ... on LawChange { code } ... on Milestone { name } ... on Procedure { code } } }
    errors { code message path } } }";

impl TestServer {
    /// `createLawChange` as `user` with `input`; the payload.
    pub async fn create_law_change_as(&self, user: &TestUser, input: Value) -> Value {
        let query = format!(
            "mutation($input: CreateLawChangeInput!) {{ createLawChange(input: $input) {{
               lawChange {{ {LAW_CHANGE_FIELDS} }} errors {{ code message path }} }} }}"
        );
        self.data_as(user, &query, json!({ "input": input })).await["createLawChange"].clone()
    }

    /// A national law change `code` owned by `bureau`, made by the project office; it.
    pub async fn law_change(&self, code: &str, bureau: &str) -> Value {
        let payload = self
            .create_law_change_as(
                &self.po,
                json!({ "code": code, "titleJa": format!("{code} の改正"), "level": "NATIONAL_LAW",
                        "ministryJa": "環境省", "ministryEn": "Ministry of the Environment",
                        "ownerBureauCode": bureau }),
            )
            .await;
        assert_eq!(
            payload["errors"],
            json!([]),
            "createLawChange {code}: {payload}"
        );
        payload["lawChange"].clone()
    }

    /// `changeLawChangeStatus` as `user`; the payload (law change, unblocked, stillBlocked).
    pub async fn change_law_change_status_as(&self, user: &TestUser, input: Value) -> Value {
        let query = format!(
            "mutation($input: ChangeLawChangeStatusInput!) {{ changeLawChangeStatus(input: $input) {{
               lawChange {{ {LAW_CHANGE_FIELDS} }} {UNBLOCK_FIELDS} errors {{ code message path }} }} }}"
        );
        self.data_as(user, &query, json!({ "input": input })).await["changeLawChangeStatus"].clone()
    }

    /// Moves law change `id` from `version` to `status` (on `on`), as the project office; the
    /// payload, which must have no errors.
    pub async fn law_change_to(
        &self,
        id: &str,
        version: i64,
        status: &str,
        on: Option<&str>,
    ) -> Value {
        let payload = self
            .change_law_change_status_as(
                &self.po,
                json!({ "id": id, "expectedVersion": version, "status": status, "on": on,
                        "reason": format!("to {status}") }),
            )
            .await;
        assert_eq!(payload["errors"], json!([]), "to {status}: {payload}");
        payload
    }

    /// A PLANNED milestone `name`, made by the project office: `{ id name status version }`.
    pub async fn milestone(&self, name: &str) -> Value {
        let data = self
            .data(
                "mutation($input: CreateMilestoneInput!) { createMilestone(input: $input) {
                   milestone { id name status version } errors { code message path } } }",
                json!({ "input": { "name": name, "platform": "SAAS_E_APPLICATION",
                                   "plannedOn": "2027-03-01" } }),
            )
            .await;
        let payload = &data["createMilestone"];
        assert_eq!(
            payload["errors"],
            json!([]),
            "createMilestone {name}: {payload}"
        );
        payload["milestone"].clone()
    }

    /// `addDependency` as `user`: `procedure` needs `on`; the payload.
    pub async fn add_dependency_as(&self, user: &TestUser, procedure: &str, on: &str) -> Value {
        self.data_as(
            user,
            ADD_DEPENDENCY,
            json!({ "input": { "procedureId": procedure, "on": on, "reason": "needs it" } }),
        )
        .await["addDependency"]
            .clone()
    }

    /// A dependency that must be accepted (made by the project office); its id.
    pub async fn depends(&self, procedure: &str, on: &str) -> String {
        let payload = self.add_dependency_as(&self.po, procedure, on).await;
        assert_eq!(payload["errors"], json!([]), "addDependency: {payload}");
        payload["dependency"]["id"].as_str().unwrap().to_owned()
    }
}

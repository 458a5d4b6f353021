//! A fuzzer of every mutation's inputs, driven by introspection, so that the mutations later
//! issues add are covered without touching this file. For every mutation and every argument or
//! input field of a scalar type (String, ID, Int, Date, DateTime, FiscalQuarter and any new
//! scalar), it sends a request that is valid except for that one field, which carries a hostile
//! value: out-of-range years and offsets, NUL and control characters, a 1 MB string, 2^31,
//! negative numbers, ids of the wrong type. Every such request must be refused, and:
//! - never with HTTP 5xx, nor with INTERNAL, UNAVAILABLE or TIMEOUT;
//! - with no internal detail (SQL, file names, driver messages) in any message, and no message
//!   that echoes the megabyte back;
//! - for that field: a payload error at its path, or a GraphQL error naming it (or, for a
//!   variable that is not an `Int` at all, naming the scalar: async-graphql names no field there);
//! - with nothing written: a fingerprint of every table is the same before and after.
//!
//! The valid rest of each request comes from a small fixture (a bureau, a procedure whose
//! first step is allowed, a pending approval request, a delegation, a token) and from the
//! field's name and type; ids are chosen by the field's name (`procedureId` → a procedure,
//! `id` of `revokeToken` → a token). A later mutation whose ids this cannot guess is still
//! fuzzed, with a procedure's id where it knows no better.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::common::{TestServer, TestUser, both_backends, changed_tables, global_id, uuid_of};

both_backends!(every_hostile_mutation_input_is_refused_without_a_trace);

const INTROSPECTION: &str = r#"{ __schema {
  mutationType { fields { name args { name type { ...T } } } }
  types { name kind inputFields { name type { ...T } } enumValues { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// Words that betray an internal error reaching the client.
const LEAKS: [&str; 14] = [
    "sqlx",
    "sqlite",
    "postgres",
    "sqlstate",
    "constraint",
    "panicked",
    "returned from database",
    "too complex",
    "corrupt",
    ".rs:",
    "syntax error",
    "violates",
    "relation \"",
    "backtrace",
];

/// A field's type with its wrappers peeled: `[X!]!` is `{ name: X, list: true, required: true }`.
#[derive(Debug, Clone)]
struct FieldType {
    kind: String,
    name: String,
    list: bool,
    required: bool,
}

fn field_type(t: &Value) -> FieldType {
    let required = t["kind"] == "NON_NULL";
    let mut t = t;
    let mut list = false;
    while t["name"].is_null() {
        list |= t["kind"] == "LIST";
        t = &t["ofType"];
    }
    FieldType {
        kind: t["kind"].as_str().unwrap().to_owned(),
        name: t["name"].as_str().unwrap().to_owned(),
        list,
        required,
    }
}

/// Input object and enum definitions by name.
struct Types(BTreeMap<String, Value>);

impl Types {
    fn input_fields(&self, name: &str) -> Vec<(String, FieldType)> {
        self.0[name]["inputFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_owned(),
                    field_type(&f["type"]),
                )
            })
            .collect()
    }

    fn first_enum_value(&self, name: &str) -> Value {
        self.0[name]["enumValues"][0]["name"].clone()
    }
}

/// What the fixture made, for valid values of id fields.
struct Fixture {
    nodes: BTreeMap<&'static str, String>,
    users: BTreeMap<&'static str, String>,
    procedure_version: i64,
}

impl Fixture {
    /// The id an ID field of `mutation` most likely wants, by the field's name.
    fn id_for(&self, mutation: &str, field: &str) -> Value {
        if let Some(user) = self.users.get(field) {
            return json!(user);
        }
        let noun = if field == "id" {
            let start = mutation.find(|c: char| c.is_ascii_uppercase()).unwrap_or(0);
            mutation[start..].to_owned()
        } else {
            let stem = field.strip_suffix("Id").unwrap_or(field);
            stem[..1].to_uppercase() + &stem[1..]
        };
        let type_name = match noun.as_str() {
            "Token" => "ApiToken",
            "Request" => "ApprovalRequest",
            "OnBehalfOf" | "Delegate" => "User",
            "LawChangeStatus" => "LawChange",
            "MilestoneStatus" => "Milestone",
            "ReminderRuleEnabled" => "ReminderRule",
            other => other,
        };
        let id = self
            .nodes
            .get(type_name)
            .unwrap_or(&self.nodes["Procedure"]);
        json!(id)
    }

    /// A valid value for a field, from its name and type.
    fn valid(&self, types: &Types, mutation: &str, field: &str, t: &FieldType) -> Value {
        if t.list {
            return json!([]);
        }
        match (t.kind.as_str(), t.name.as_str()) {
            ("INPUT_OBJECT", name) => self.valid_object(types, mutation, name, None),
            ("ENUM", name) => types.first_enum_value(name),
            (_, "ID") => self.id_for(mutation, field),
            (_, "Int") if field == "expectedVersion" => json!(self.procedure_version),
            (_, "Int") => json!(1),
            (_, "Boolean") => json!(false),
            (_, "Date") if field == "endsOn" => json!("2027-01-31"),
            (_, "Date") => json!("2027-01-01"),
            (_, "DateTime") => json!("2027-06-01T00:00:00Z"),
            (_, "FiscalQuarter") => json!("FY2026-Q3"),
            _ => json!(match field {
                "code" if mutation.contains("Bureau") => "FUZZ",
                "code" if mutation.contains("LawChange") => "LAW-0990",
                "code" => "KANKYO-0990",
                "bureauCode" | "ownerBureauCode" => "KANKYO",
                "email" => "fuzz.user@e2e.rollout.test",
                "url" => "https://hooks.example.jp/fuzz",
                "to" => "scheduled",
                _ => "fuzz value",
            }),
        }
    }

    /// The required fields of input object `name` with valid values, and `fuzzed` (a field
    /// name and its value) whether required or not.
    fn valid_object(
        &self,
        types: &Types,
        mutation: &str,
        name: &str,
        fuzzed: Option<(&str, &Value)>,
    ) -> Value {
        let mut object = Map::new();
        for (field, t) in types.input_fields(name) {
            if let Some((f, value)) = fuzzed.filter(|(f, _)| *f == field) {
                object.insert(f.to_owned(), value.clone());
            } else if t.required {
                object.insert(field.clone(), self.valid(types, mutation, &field, &t));
            }
        }
        Value::Object(object)
    }
}

/// The hostile values for a scalar; each must be refused wherever it is sent.
fn hostile(scalar: &str, fixture: &Fixture) -> Vec<Value> {
    let wrong_type = global_id("Bureau", uuid_of("Bureau", &fixture.nodes["Bureau"]));
    match scalar {
        "Int" => vec![
            json!(2_147_483_648_u64),
            json!(-2_147_483_649_i64),
            json!(-1),
            json!(1.5),
        ],
        "Date" => [
            "+10000-01-01",
            "1899-12-31",
            "2201-01-01",
            "0000-01-01",
            "2026-02-30",
        ]
        .map(Value::from)
        .to_vec(),
        "DateTime" => [
            "9999-12-31T23:59:59-23:59",
            "2200-12-31T23:59:59-01:00",
            "1899-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "2026-01-01T00:00:60Z",
        ]
        .map(Value::from)
        .to_vec(),
        "FiscalQuarter" => ["FY10000-Q1", "FY1899-Q4", "FY2201-Q1", "FY2025-Q0"]
            .map(Value::from)
            .to_vec(),
        "ID" => vec![
            json!(""),
            json!("\u{0}"),
            json!(wrong_type),
            json!("x".repeat(100_000)),
        ],
        "Boolean" => vec![json!("true"), json!(1)],
        _ => vec![
            json!("a\u{0}b"),
            json!("\u{7}bell"),
            json!("\u{1b}[31mred"),
            json!("x".repeat(1_000_000)),
        ],
    }
}

async fn every_hostile_mutation_input_is_refused_without_a_trace(server: TestServer) {
    let fixture = fixture(&server).await;
    // Issue 13: user reviews come from the review intake identity alone.
    let intake = server
        .create_user("form@e-shinsei.e2e.rollout.test", "REVIEW_INTAKE", None)
        .await;
    let schema = server
        .data_as(&server.admin, INTROSPECTION, json!({}))
        .await;
    let types = Types(
        schema["__schema"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect(),
    );
    let fingerprinter = server.fingerprinter().await;
    let mutations = schema["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap();
    let mut sent = 0;
    for mutation in mutations {
        let name = mutation["name"].as_str().unwrap();
        let actor = match name {
            "submitUserReview" => &intake,
            other => actor_of(&server, other),
        };
        for arg in mutation["args"].as_array().unwrap() {
            let arg_name = arg["name"].as_str().unwrap();
            let arg_type = field_type(&arg["type"]);
            let query = format!(
                "mutation($v: {}) {{ {name}({arg_name}: $v) {{ errors {{ code message path }} }} }}",
                type_text(&arg["type"])
            );
            // (field inside the input object or the argument itself, its scalar)
            let targets: Vec<(Option<String>, String)> = if arg_type.kind == "INPUT_OBJECT" {
                types
                    .input_fields(&arg_type.name)
                    .into_iter()
                    .filter(|(_, t)| t.kind == "SCALAR" && !t.list)
                    .map(|(f, t)| (Some(f), t.name))
                    .collect()
            } else {
                vec![(None, arg_type.name.clone())]
            };
            for (field, scalar) in targets {
                let before = fingerprinter.take().await;
                let mut accepted = Vec::new();
                for value in hostile(&scalar, &fixture) {
                    let v = match &field {
                        Some(f) => {
                            let fuzzed = Some((f.as_str(), &value));
                            fixture.valid_object(&types, name, &arg_type.name, fuzzed)
                        }
                        None => value.clone(),
                    };
                    let fuzzed = field.as_deref().unwrap_or(arg_name);
                    let what = format!("{name}.{arg_name}.{fuzzed} = {}", short(&value));
                    let errors =
                        refusal(&server, actor, &query, json!({ "v": v }), name, &what).await;
                    if errors.is_empty() {
                        accepted.push(what);
                    } else {
                        assert!(
                            errors.iter().any(|e| about(e, fuzzed, &scalar)),
                            "{what}: refused for another reason: {}",
                            short(&Value::Array(errors))
                        );
                    }
                    sent += 1;
                }
                let changed = changed_tables(&before, &fingerprinter.take().await);
                assert!(
                    accepted.is_empty() && changed.is_empty(),
                    "hostile values accepted: {accepted:?}; tables changed: {changed:?}"
                );
            }
        }
    }
    fingerprinter.close().await;
    assert!(
        sent > 100,
        "only {sent} hostile requests were sent: is introspection complete?"
    );
}

/// Whether `error` is about the field `field` of scalar type `scalar`.
fn about(error: &Value, field: &str, scalar: &str) -> bool {
    let path_ends_at_field = error["path"]
        .as_array()
        .and_then(|p| p.last())
        .is_some_and(|last| last == field);
    let message = error["message"].as_str().unwrap_or_default();
    path_ends_at_field
        || message.contains(&format!(".{field}\""))
        || message.starts_with(&format!("Failed to parse \"{scalar}\""))
}

/// Sends one hostile request and checks how it was refused; returns the errors (top-level and
/// payload), none when it was accepted.
async fn refusal(
    server: &TestServer,
    actor: &TestUser,
    query: &str,
    variables: Value,
    mutation: &str,
    what: &str,
) -> Vec<Value> {
    let reply = loop {
        let reply = server
            .request(Some(&actor.token), &[], query, variables.clone())
            .await;
        if reply.status.as_u16() != 429 {
            break reply;
        }
        // The per-client rate limit: wait for the bucket rather than count it as a refusal.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(
        !reply.status.is_server_error(),
        "{what}: HTTP {} {}",
        reply.status,
        short(&reply.body)
    );
    let mut errors: Vec<Value> = reply.body["errors"].as_array().cloned().unwrap_or_default();
    let payload_errors = reply.body["data"][mutation]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    errors.extend(payload_errors);
    // `FUZZ_DEBUG=1 cargo test --test e2e input_fuzz -- --nocapture` shows every outcome.
    if std::env::var("FUZZ_DEBUG").is_ok() {
        eprintln!(
            "{what} => {} {}",
            reply.status,
            short(&Value::Array(errors.clone()))
        );
    }
    for error in &errors {
        let code = error["code"]
            .as_str()
            .or(error["extensions"]["code"].as_str());
        assert!(
            !matches!(code, None | Some("INTERNAL" | "UNAVAILABLE" | "TIMEOUT")),
            "{what}: {}",
            short(error)
        );
        let message = error["message"].as_str().unwrap_or_default().to_lowercase();
        let leak = LEAKS.iter().find(|word| message.contains(*word));
        assert!(
            leak.is_none(),
            "{what}: the message shows {leak:?}: {}",
            short(error)
        );
        assert!(
            message.len() < 2_000,
            "{what}: a message of {} bytes",
            message.len()
        );
    }
    errors
}

/// Who sends a mutation's requests: whoever may make it with the fixture's valid values, so
/// that the hostile value, not a permission, is what gets it refused. The project office works on
/// procedures and approvals (and so, most likely, on what later issues add); administrators
/// manage users, bureaus and others' tokens; `po2` decides `po`'s request.
fn actor_of<'a>(server: &'a TestServer, mutation: &str) -> &'a TestUser {
    match mutation {
        "createUser" | "updateUser" | "createBureau" | "revokeToken" => &server.admin,
        // Issue 12: only administrators manage webhook endpoints.
        "createWebhookEndpoint" | "updateWebhookEndpoint" => &server.admin,
        "approveRequest" | "rejectRequest" => &server.po2,
        _ => &server.po,
    }
}

fn type_text(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_text(&t["ofType"])),
        "LIST" => format!("[{}]", type_text(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

/// A value for a failure message, cut to a readable length.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}… ({} chars)", &text[..cut], text.chars().count()),
        None => text,
    }
}

/// A bureau, a procedure whose first step is allowed, a pending approval request, a
/// delegation, the viewer's token, and what later issues' mutations act on.
async fn fixture(server: &TestServer) -> Fixture {
    let bureau = server
        .create_bureau("KANKYO", "環境局", "Bureau of Environment")
        .await;
    let procedure = server
        .create_procedure(
            json!({ "code": "KANKYO-0001", "name": "手続 1", "bureauCode": "KANKYO",
            "category": "STANDARD", "authority": "TOKYO", "targetQuarter": "FY2026-Q3" }),
        )
        .await;
    let gated = server.simple_procedure("KANKYO", "KANKYO-0002").await;
    let requested = server
        .accepted_as(
            &server.po,
            gated["id"].as_str().unwrap(),
            "abolished",
            1,
            "fuzz fixture",
        )
        .await;
    let delegation = server
        .data_as(
            &server.po,
            "mutation($i: CreateDelegationInput!) { createDelegation(input: $i) { delegation { id } errors { code } } }",
            json!({ "i": { "delegateId": server.po3.id, "startsOn": "2027-01-01", "endsOn": "2027-01-31" } }),
        )
        .await;
    let tokens = server
        .data_as(&server.admin, "{ tokens { id user { email } } }", json!({}))
        .await;
    let token = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["user"]["email"] == server.viewer.email.as_str())
        .expect("the viewer's token");
    // Issue 10: an open task (version 1, like the procedure) for the task mutations' ids.
    let task = server
        .data(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } errors { code } } }",
            json!({ "i": { "title": "fuzz fixture", "procedureId": procedure["id"] } }),
        )
        .await;
    let id = |v: &Value| {
        v.as_str()
            .unwrap_or_else(|| panic!("no id: {v}"))
            .to_owned()
    };
    // Issue 11: a law change, a milestone and a dependency (all at version 1).
    let law = server.law_change("LAW-0001", "KANKYO").await;
    let milestone = server.milestone("fuzz fixture").await;
    let dependency = server.depends(&id(&procedure["id"]), &id(&law["id"])).await;
    // Issue 12: a reminder rule and a webhook endpoint (both at version 1).
    let rule = server
        .create_rule(
            &server.po,
            json!({ "name": "fuzz fixture", "schedule": "0 9 * * 1-5", "kind": "TASK_OVERDUE",
                    "recipients": { "projectOffice": true }, "channels": ["IN_APP"] }),
        )
        .await;
    let endpoint = server
        .data_as(
            &server.admin,
            "mutation { createWebhookEndpoint(input: { url: \"https://hooks.example.jp/fuzz\" }) { endpoint { id } errors { code } } }",
            json!({}),
        )
        .await;
    let nodes = BTreeMap::from([
        ("Bureau", id(&bureau["id"])),
        ("Procedure", id(&procedure["id"])),
        ("ApprovalRequest", id(&requested["approvalRequest"]["id"])),
        (
            "Delegation",
            id(&delegation["createDelegation"]["delegation"]["id"]),
        ),
        ("ApiToken", id(&token["id"])),
        ("User", server.viewer.id.clone()),
        ("Task", id(&task["createTask"]["task"]["id"])),
        ("LawChange", id(&law["id"])),
        ("Milestone", id(&milestone["id"])),
        ("Dependency", dependency),
        ("ReminderRule", id(&rule["rule"]["id"])),
        (
            "WebhookEndpoint",
            id(&endpoint["createWebhookEndpoint"]["endpoint"]["id"]),
        ),
    ]);
    let users = BTreeMap::from([("delegateId", server.po3.id.clone())]);
    Fixture {
        nodes,
        users,
        procedure_version: procedure["version"].as_i64().unwrap(),
    }
}

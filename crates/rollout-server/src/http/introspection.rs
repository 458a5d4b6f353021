//! What an introspection selection (`__schema`, `__type`) would return, counted before it runs:
//! [`SchemaShape`] holds the schema's full introspection result, taken once when the router is
//! built, and [`SchemaShape::count`] walks a selection over it, counting every value the
//! response would hold (each field 1, each list element 1 plus what is selected on it), exactly
//! as execution would produce them. The count is the introspection part of an operation's
//! complexity (`limits`), so a small document that nests `fields { type { fields … } }` is
//! refused with `LIMIT_EXCEEDED` instead of answering megabytes, while GraphiQL's standard
//! introspection query (about 5,700 values, 100 KB, on this schema) fits the default limit.
//!
//! The walk stops as soon as the count passes the cap it is given, so measuring a document
//! costs no more than the limit allows, however deep it nests. Lists are counted with
//! deprecated entries included (an upper bound when a query leaves them out); a `__type` whose
//! name is a variable without value counts as the largest type.
//!
//! Deliberately not here: the rest of the cost model (`limits`), and whether introspection is
//! allowed at all (the endpoint's setting).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Name, ObjectType, Schema, SubscriptionType, Variables};
use serde_json::Value;

/// The introspection result of a whole schema, types by name.
#[derive(Debug, Default)]
pub struct SchemaShape {
    schema: Value,
    types: HashMap<String, Value>,
}

/// The introspection object a JSON node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Schema,
    Type,
    Field,
    InputValue,
    EnumValue,
    Directive,
}

/// The kind of what `field` of a `parent` returns, when it is an object (or list of objects).
fn child(parent: Kind, field: &str) -> Option<Kind> {
    use Kind::*;
    match (parent, field) {
        (Schema, "types" | "queryType" | "mutationType" | "subscriptionType") => Some(Type),
        (Schema, "directives") => Some(Directive),
        (Type, "fields") => Some(Field),
        (Type, "interfaces" | "possibleTypes" | "ofType") => Some(Type),
        (Type, "enumValues") => Some(EnumValue),
        (Type, "inputFields") => Some(InputValue),
        (Field | Directive, "args") => Some(InputValue),
        (Field | InputValue, "type") => Some(Type),
        _ => None,
    }
}

/// Everything introspection can return, deprecated entries included.
const FULL_QUERY: &str = "{ __schema { description queryType { name } mutationType { name } subscriptionType { name }
  types { ...T } directives { name description locations isRepeatable args(includeDeprecated: true) { ...V } } } }
fragment T on __Type { kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...V } type { ...R } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...V } interfaces { ...R } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...R } }
fragment V on __InputValue { name description type { ...R } defaultValue isDeprecated deprecationReason }
fragment R on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }";

impl SchemaShape {
    /// Introspects `schema` (in memory, no IO); `None` if that fails, which is logged.
    pub fn of<Q, M, S>(schema: &Schema<Q, M, S>) -> Option<Self>
    where
        Q: ObjectType + 'static,
        M: ObjectType + 'static,
        S: SubscriptionType + 'static,
    {
        let response = futures::executor::block_on(schema.execute(FULL_QUERY));
        if !response.errors.is_empty() {
            tracing::error!(errors = ?response.errors, "cannot introspect the schema: introspection is not counted");
            return None;
        }
        let data = response.data.into_json().ok()?;
        Some(Self::from_json(data.get("__schema")?.clone()))
    }

    /// From the `__schema` object of an introspection result.
    fn from_json(schema: Value) -> Self {
        let types = schema["types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| Some((t["name"].as_str()?.to_owned(), t.clone())))
            .collect();
        Self { schema, types }
    }

    /// Values the response to `field` (a `__schema` or `__type` field) would hold, counting
    /// `field` itself; stops once past `cap`.
    pub fn count(
        &self,
        doc: &ExecutableDocument,
        variables: &Variables,
        field: &Field,
        cap: u64,
    ) -> u64 {
        let mut walk = Walk {
            shape: self,
            doc,
            visiting: HashSet::new(),
            total: 1,
            cap,
        };
        let set = &field.selection_set.node;
        match field.name.node.as_str() {
            "__schema" => walk.set(set, Kind::Schema, &self.schema),
            _ => match type_name(field, variables) {
                Some(name) => {
                    if let Some(ty) = self.types.get(&name) {
                        walk.set(set, Kind::Type, ty);
                    }
                }
                None => {
                    let start = walk.total;
                    let mut largest = start;
                    for ty in self.types.values() {
                        walk.total = start;
                        walk.set(set, Kind::Type, ty);
                        largest = largest.max(walk.total);
                        if largest > cap {
                            break;
                        }
                    }
                    walk.total = largest;
                }
            },
        }
        walk.total
    }
}

/// The `name` argument of `__type`, when the document or the variables give it.
fn type_name(field: &Field, variables: &Variables) -> Option<String> {
    let (_, value) = field.arguments.iter().find(|(n, _)| n.node == "name")?;
    let value = value
        .node
        .clone()
        .into_const_with(|var| variables.get(&var).cloned().ok_or(()))
        .ok()?;
    match value {
        async_graphql::Value::String(name) => Some(name),
        _ => None,
    }
}

struct Walk<'a> {
    shape: &'a SchemaShape,
    doc: &'a ExecutableDocument,
    /// Fragments being walked, to stop at cycles (which validation then refuses).
    visiting: HashSet<&'a str>,
    total: u64,
    cap: u64,
}

impl<'a> Walk<'a> {
    fn set(&mut self, set: &'a SelectionSet, kind: Kind, node: &'a Value) {
        // A type reference (`{kind, name}`) stands for the whole named type.
        let node = match (kind, node["name"].as_str()) {
            (Kind::Type, Some(name)) => self.shape.types.get(name).unwrap_or(node),
            _ => node,
        };
        for item in &set.items {
            if self.total > self.cap {
                return;
            }
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    self.total += 1;
                    let name = field.name.node.as_str();
                    let below = &field.selection_set.node;
                    match (node.get(name), child(kind, name)) {
                        (Some(Value::Array(items)), kind) => {
                            for item in items {
                                self.total += 1;
                                if let Some(kind) = kind {
                                    self.set(below, kind, item);
                                }
                            }
                        }
                        (Some(value @ Value::Object(_)), Some(kind)) => {
                            self.set(below, kind, value)
                        }
                        _ => {}
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.doc.fragments.get(&Name::new(name)) else {
                        continue;
                    };
                    if self.visiting.insert(name) {
                        self.set(&fragment.node.selection_set.node, kind, node);
                        self.visiting.remove(name);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.set(&inline.node.selection_set.node, kind, node);
                }
            }
        }
    }
}

//! What a GraphQL document would cost, measured on the parsed document before anything runs:
//! depth, complexity, aliases, and whether it uses introspection; and [`LimitExceeded`], the
//! error every limit of the endpoint reports.
//!
//! Measured here rather than with async-graphql's `limit_depth`/`limit_complexity` because those
//! are fixed when the schema is built (in rollout-graphql, which knows nothing of HTTP settings)
//! and report errors without a code or the limit's name. Complexity needs page sizes, which
//! async-graphql only knows from per-field annotations; here they come from the schema's own
//! SDL ([`CostModel`]): a field that takes `first` (or `last`) multiplies the cost of what is
//! below it by that argument, or by its default when absent.
//!
//! Introspection (`__schema`, `__type`) counts what it would return, exactly, from the schema's
//! own introspection result ([`SchemaShape`]), when the model has one.
//!
//! Not measured: `@skip`/`@include` (everything counts, as if included) and the real length of
//! plain lists (`bureaus`, `nextTransitions`), which count once: they are bounded by the data
//! (31 bureaus, a handful of transitions), not by the client.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType,
    Selection, SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Value, Variables};

use super::introspection::SchemaShape;
use super::settings::Limits;

/// The page size the API contract gives `first` when a request leaves it out.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// A limit was exceeded. Rendered as a GraphQL error with `extensions.code` `LIMIT_EXCEEDED`,
/// `extensions.limit` (the setting's name) and `extensions.max`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LimitExceeded {
    pub setting: &'static str,
    pub max: u64,
    pub message: String,
}

impl LimitExceeded {
    pub fn depth(actual: usize, max: usize) -> Self {
        Self::new(
            "max_depth",
            max as u64,
            format!("query depth {actual} exceeds the limit of {max}"),
        )
    }

    pub fn complexity(actual: u64, max: u64) -> Self {
        Self::new(
            "max_complexity",
            max,
            format!("query complexity {actual} exceeds the limit of {max}"),
        )
    }

    pub fn aliases(actual: usize, max: usize) -> Self {
        Self::new(
            "max_aliases",
            max as u64,
            format!("{actual} aliases exceed the limit of {max}"),
        )
    }

    pub fn batch(actual: usize, max: usize) -> Self {
        Self::new(
            "max_batch",
            max as u64,
            format!("a batch of {actual} operations exceeds the limit of {max}"),
        )
    }

    pub fn batching_disabled() -> Self {
        Self {
            setting: "max_batch",
            max: 0,
            message: "batch requests are disabled on this server (max_batch = 0)".to_owned(),
        }
    }

    pub fn body(max: usize) -> Self {
        Self::new(
            "max_body_bytes",
            max as u64,
            format!("the request body exceeds the limit of {max} bytes"),
        )
    }

    fn new(setting: &'static str, max: u64, text: String) -> Self {
        Self {
            setting,
            max,
            message: format!("{text} ({setting})"),
        }
    }
}

/// What the walk needs to know of one field of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldCost {
    /// The named type the field returns (lists and non-null unwrapped).
    returns: String,
    /// `Some(default page size)` when the field takes `first` or `last`.
    page: Option<u64>,
}

/// Field return types and page sizes, read once from the schema's SDL.
#[derive(Debug, Clone, Default)]
pub struct CostModel {
    roots: [String; 3],
    fields: HashMap<(String, String), FieldCost>,
    /// The schema's introspection, and where counting it may stop (past the complexity limit).
    introspection: Option<(Arc<SchemaShape>, u64)>,
}

impl CostModel {
    /// Reads `sdl`; `Err` carries the parser's message (a bug: the SDL is the schema's own).
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let doc = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut model = Self {
            roots: ["Query".into(), "Mutation".into(), "Subscription".into()],
            fields: HashMap::new(),
            introspection: None,
        };
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let roots = [
                        &schema.node.query,
                        &schema.node.mutation,
                        &schema.node.subscription,
                    ];
                    for (slot, name) in model.roots.iter_mut().zip(roots) {
                        if let Some(name) = name {
                            *slot = name.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Type(ty) => {
                    let fields = match &ty.node.kind {
                        TypeKind::Object(o) => &o.fields,
                        TypeKind::Interface(i) => &i.fields,
                        _ => continue,
                    };
                    for field in fields {
                        let field = &field.node;
                        let mut base = &field.ty.node.base;
                        while let BaseType::List(inner) = base {
                            base = &inner.base;
                        }
                        let BaseType::Named(returns) = base else {
                            continue;
                        };
                        let page = field
                            .arguments
                            .iter()
                            .find(|a| matches!(a.node.name.node.as_str(), "first" | "last"))
                            .map(|a| {
                                a.node
                                    .default_value
                                    .as_ref()
                                    .and_then(|v| count(&v.node))
                                    .unwrap_or(DEFAULT_PAGE_SIZE)
                            });
                        let key = (ty.node.name.node.to_string(), field.name.node.to_string());
                        model.fields.insert(
                            key,
                            FieldCost {
                                returns: returns.to_string(),
                                page,
                            },
                        );
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(model)
    }

    /// Counts introspection with `shape`, stopping past `max_complexity`.
    pub fn with_introspection(mut self, shape: SchemaShape, max_complexity: u64) -> Self {
        self.introspection = Some((Arc::new(shape), max_complexity));
        self
    }

    fn field(&self, parent: &str, name: &str) -> Option<&FieldCost> {
        self.fields.get(&(parent.to_owned(), name.to_owned()))
    }

    fn root(&self, ty: OperationType) -> &str {
        match ty {
            OperationType::Query => &self.roots[0],
            OperationType::Mutation => &self.roots[1],
            OperationType::Subscription => &self.roots[2],
        }
    }
}

/// What the operation a request would run costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub kind: OperationType,
    pub depth: usize,
    pub complexity: u64,
    /// Aliased fields in the whole document.
    pub aliases: usize,
    /// Whether it selects `__schema` or `__type`.
    pub introspection: bool,
}

impl Cost {
    /// The first of the depth, complexity and alias limits this operation exceeds, if any: the
    /// one check both POST /graphql and the WebSocket subscriptions make.
    pub fn exceeds(&self, limits: &Limits) -> Option<LimitExceeded> {
        if self.depth > limits.max_depth {
            Some(LimitExceeded::depth(self.depth, limits.max_depth))
        } else if self.complexity > limits.max_complexity {
            Some(LimitExceeded::complexity(
                self.complexity,
                limits.max_complexity,
            ))
        } else if self.aliases > limits.max_aliases {
            Some(LimitExceeded::aliases(self.aliases, limits.max_aliases))
        } else {
            None
        }
    }
}

/// Measures the operation `operation_name` selects, or `None` when none can be selected (the
/// executor then reports why, as a request error).
pub fn measure(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    model: &CostModel,
) -> Option<Cost> {
    let operation = select(doc, operation_name)?;
    let defaults: HashMap<&str, &Value> = operation
        .variable_definitions
        .iter()
        .filter_map(|v| {
            Some((
                v.node.name.node.as_str(),
                &v.node.default_value.as_ref()?.node,
            ))
        })
        .collect();
    let mut walk = Walk {
        doc,
        model,
        variables,
        defaults,
        fragments: HashMap::new(),
        visiting: HashSet::new(),
        introspection: false,
    };
    let (depth, complexity) = walk.selection_set(
        &operation.selection_set.node,
        Some(model.root(operation.ty)),
    );
    Some(Cost {
        kind: operation.ty,
        depth,
        complexity,
        aliases: count_aliases(doc),
        introspection: walk.introspection,
    })
}

fn select<'a>(doc: &'a ExecutableDocument, name: Option<&str>) -> Option<&'a OperationDefinition> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

/// A non-negative integer value, as page sizes are; negative ones count as 0.
fn count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_i64().map(|_| 0)),
        _ => None,
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    model: &'a CostModel,
    variables: &'a Variables,
    defaults: HashMap<&'a str, &'a Value>,
    /// `(depth, complexity)` of each fragment: a fragment's cost does not depend on where it is
    /// spread, so a document spreading fragments into fragments is walked in linear time.
    fragments: HashMap<&'a str, (usize, u64)>,
    /// Fragments being walked, to stop at cycles (which validation then refuses).
    visiting: HashSet<&'a str>,
    introspection: bool,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, parent: Option<&'a str>) -> (usize, u64) {
        let mut depth = 0;
        let mut complexity = 0_u64;
        for item in &set.items {
            let (d, c) = match &item.node {
                Selection::Field(field) => self.field(&field.node, parent),
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.as_str());
                    self.selection_set(&inline.node.selection_set.node, on.or(parent))
                }
            };
            depth = depth.max(d);
            complexity = complexity.saturating_add(c);
        }
        (depth, complexity)
    }

    fn field(&mut self, field: &'a Field, parent: Option<&'a str>) -> (usize, u64) {
        let name = field.name.node.as_str();
        if matches!(name, "__schema" | "__type") {
            self.introspection = true;
            let model = self.model;
            if let Some((shape, cap)) = &model.introspection {
                let (depth, _) = self.selection_set(&field.selection_set.node, None);
                return (
                    depth + 1,
                    shape.count(self.doc, self.variables, field, *cap),
                );
            }
        }
        let schema_field = parent.and_then(|p| self.model.field(p, name));
        let returns = schema_field.map(|f| f.returns.as_str());
        let (depth, below) = self.selection_set(&field.selection_set.node, returns);
        let page = self
            .page_size(field)
            .or(schema_field.and_then(|f| f.page))
            .unwrap_or(1);
        (depth + 1, page.saturating_mul(below).saturating_add(1))
    }

    /// The largest of the field's `first`/`last` arguments that has a value.
    fn page_size(&self, field: &Field) -> Option<u64> {
        field
            .arguments
            .iter()
            .filter(|(name, _)| matches!(name.node.as_str(), "first" | "last"))
            .filter_map(|(_, value)| {
                let resolved = value.node.clone().into_const_with(|var| {
                    self.variables
                        .get(&var)
                        .or_else(|| self.defaults.get(var.as_str()).copied())
                        .cloned()
                        .ok_or(())
                });
                resolved.ok().as_ref().and_then(count)
            })
            .max()
    }

    fn fragment(&mut self, name: &'a str) -> (usize, u64) {
        if let Some(&cost) = self.fragments.get(name) {
            return cost;
        }
        let Some(fragment) = self.doc.fragments.get(&Name::new(name)) else {
            return (0, 0);
        };
        if !self.visiting.insert(name) {
            return (0, 0);
        }
        let on = fragment.node.type_condition.node.on.node.as_str();
        let cost = self.selection_set(&fragment.node.selection_set.node, Some(on));
        self.visiting.remove(name);
        self.fragments.insert(name, cost);
        cost
    }
}

fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn in_set(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + in_set(&f.node.selection_set.node)
                }
                Selection::InlineFragment(i) => in_set(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = doc
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set.node))
        .sum();
    let fragments: usize = doc
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set.node))
        .sum();
    operations + fragments
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;

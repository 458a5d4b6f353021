//! Measurements against the committed `schema.graphql` (the real API), so the numbers in the
//! defaults' comments stay true.

use super::*;
use crate::http::settings::Limits;
use async_graphql::parser::parse_query;
use serde_json::json;

fn model() -> CostModel {
    CostModel::from_sdl(include_str!("../../../../schema.graphql")).expect("schema.graphql parses")
}

fn cost_with(query: &str, operation: Option<&str>, variables: serde_json::Value) -> Option<Cost> {
    let doc = parse_query(query).expect("test query parses");
    measure(&doc, operation, &Variables::from_json(variables), &model())
}

fn cost(query: &str) -> Cost {
    cost_with(query, None, json!({})).expect("one operation")
}

/// graphql-js `getIntrospectionQuery()` (what GraphiQL sends), with its nine nested `ofType`s
/// (eight built here, one in the fragment).
fn introspection_query() -> String {
    let mut type_ref = String::from("kind name");
    for _ in 0..8 {
        type_ref = format!("name kind ofType {{ {type_ref} }}");
    }
    format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }}
           types {{ ...FullType }} directives {{ name description locations args {{ ...InputValue }} }} }} }}
         fragment FullType on __Type {{ kind name description
           fields(includeDeprecated: true) {{ name description args {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason }}
           inputFields {{ ...InputValue }} interfaces {{ ...TypeRef }}
           enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }}
           possibleTypes {{ ...TypeRef }} }}
         fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue }}
         fragment TypeRef on __Type {{ kind name ofType {{ {type_ref} }} }}"
    )
}

#[test]
fn depth_counts_nested_fields_through_fragments() {
    assert_eq!(cost("{ __typename }").depth, 1);
    assert_eq!(cost("{ bureaus { code } }").depth, 2);
    let q = "{ procedures { edges { node { ...P } } } } fragment P on Procedure { history { edges { node { toState { key } } } } }";
    assert_eq!(cost(q).depth, 8);
    let q = "{ node(id: \"x\") { ... on Procedure { bureau { code } } } }";
    assert_eq!(cost(q).depth, 3);
    let introspection = cost(&introspection_query());
    assert_eq!(
        introspection.depth, 15,
        "the default max_depth must admit GraphiQL"
    );
    assert!(introspection.introspection);
    assert!(
        introspection.complexity < 1_000,
        "{}",
        introspection.complexity
    );
}

#[test]
fn paginated_fields_multiply_what_is_below_them() {
    // 1 + 10 × (edges 1 + node (1 + code 1))
    assert_eq!(
        cost("{ procedures(first: 10) { edges { node { code } } } }").complexity,
        31
    );
    // No `first`: the contract's default page of 50.
    assert_eq!(
        cost("{ procedures { edges { node { code } } } }").complexity,
        151
    );
    assert_eq!(
        cost("{ procedures(first: 0) { totalCount } }").complexity,
        1
    );
    assert_eq!(
        cost("{ procedures(first: -1) { totalCount } }").complexity,
        1
    );
    // Plain lists count once.
    assert_eq!(cost("{ bureaus { code nameJa } }").complexity, 3);
    // Nested pages multiply: 1 + 500 × (1 + (1 + (1 + 50 × (1 + (1 + 1)))))
    let q = "{ procedures(first: 500) { edges { node { history { edges { node { id } } } } } } }";
    assert_eq!(cost(q).complexity, 1 + 500 * (1 + (1 + (1 + 50 * 3))));
    assert!(cost(q).complexity > Limits::default().max_complexity);
    // Through a bureau, an interface and a fragment.
    let q = "{ node(id: \"x\") { ... on Bureau { ...B } } } fragment B on Bureau { procedures(first: 20) { totalCount } }";
    assert_eq!(cost(q).complexity, 1 + 1 + 20);
}

#[test]
fn page_sizes_come_from_variables_or_their_defaults() {
    let q = "query($n: Int) { procedures(first: $n) { totalCount } }";
    assert_eq!(cost_with(q, None, json!({ "n": 7 })).unwrap().complexity, 8);
    assert_eq!(cost_with(q, None, json!({})).unwrap().complexity, 51);
    let q = "query($n: Int = 3) { procedures(first: $n) { totalCount } }";
    assert_eq!(cost_with(q, None, json!({})).unwrap().complexity, 4);
}

#[test]
fn a_full_page_of_procedures_fits_the_default_complexity() {
    let fields = "id code name nameEn category authority annualApplications isPriority processCount \
                  platform version targetQuarter releasedOn createdAt updatedAt bureau { code } state { key kind }";
    let q =
        format!("{{ procedures(first: 500) {{ totalCount edges {{ node {{ {fields} }} }} }} }}");
    let c = cost(&q).complexity;
    assert!(c <= Limits::default().max_complexity, "{c}");
    assert_eq!(c, 1 + 500 * (1 + (1 + (1 + 20))));
}

#[test]
fn fragments_are_walked_once_and_cycles_end() {
    // Each fragment spreads the next one twice: 2^30 selections if expanded naively.
    let mut q = String::from("{ ...F0 } fragment F30 on Query { __typename }");
    for i in 0..30 {
        q.push_str(&format!(
            " fragment F{i} on Query {{ a{i}: bureaus {{ code }} ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    // Expanded naively this would not finish; walked once it is 31 fragments. The exact
    // complexity below proves each spread was costed by its fragment's known total.
    let c = cost(&q);
    assert_eq!(c.aliases, 30);
    let expected = (0..30).fold(1_u64, |below, _| 2 + 2 * below);
    assert_eq!(c.complexity, expected);
    assert_eq!(c.depth, 2);
    let cyclic =
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A bureaus { code } }";
    assert_eq!(cost(cyclic).complexity, 2);
}

#[test]
fn aliases_are_counted_in_the_whole_document() {
    let q =
        "{ a: bureaus { c: code } b: bureaus { code } } fragment F on Bureau { x: code y: nameJa }";
    assert_eq!(cost(q).aliases, 5);
    assert_eq!(cost("{ bureaus { code } }").aliases, 0);
}

#[test]
fn the_operation_is_chosen_by_name() {
    let q = "query A { bureaus { code } } mutation B { createBureau(input: { code: \"X\", nameJa: \"x\", nameEn: \"x\" }) { errors { code } } }";
    assert_eq!(
        cost_with(q, Some("A"), json!({})).unwrap().kind,
        OperationType::Query
    );
    assert_eq!(
        cost_with(q, Some("B"), json!({})).unwrap().kind,
        OperationType::Mutation
    );
    assert_eq!(cost_with(q, None, json!({})), None);
    assert_eq!(cost_with(q, Some("C"), json!({})), None);
    assert_eq!(
        cost("mutation { __typename }").kind,
        OperationType::Mutation
    );
    assert!(!cost("{ __typename }").introspection);
    assert!(cost("{ __type(name: \"Query\") { name } }").introspection);
}

#[test]
fn limit_messages_name_the_setting_and_value() {
    assert_eq!(
        LimitExceeded::depth(16, 15).to_string(),
        "query depth 16 exceeds the limit of 15 (max_depth)"
    );
    assert_eq!(
        LimitExceeded::complexity(30_000, 25_000).to_string(),
        "query complexity 30000 exceeds the limit of 25000 (max_complexity)"
    );
    assert_eq!(
        LimitExceeded::aliases(31, 30).to_string(),
        "31 aliases exceed the limit of 30 (max_aliases)"
    );
    let body = LimitExceeded::body(1024);
    assert_eq!((body.setting, body.max), ("max_body_bytes", 1024));
    assert_eq!(
        body.to_string(),
        "the request body exceeds the limit of 1024 bytes (max_body_bytes)"
    );
}

#[test]
fn exceeds_names_the_first_limit_broken_in_depth_complexity_alias_order() {
    let c = cost("{ a: workflow { name } b: workflow { name } }");
    let within = Limits {
        max_depth: c.depth,
        max_complexity: c.complexity,
        max_aliases: c.aliases,
        ..Limits::default()
    };
    assert_eq!(c.exceeds(&within), None, "{c:?} is exactly at every limit");
    let setting = |limits: Limits| c.exceeds(&limits).map(|l| l.setting);
    assert_eq!(
        setting(Limits {
            max_aliases: c.aliases - 1,
            ..within.clone()
        }),
        Some("max_aliases")
    );
    assert_eq!(
        setting(Limits {
            max_complexity: c.complexity - 1,
            max_aliases: 0,
            ..within.clone()
        }),
        Some("max_complexity")
    );
    assert_eq!(
        setting(Limits {
            max_depth: c.depth - 1,
            max_complexity: 0,
            max_aliases: 0,
            ..within
        }),
        Some("max_depth")
    );
}

//! `schema.graphql` at the workspace root is the committed contract; this test fails when the
//! schema the code builds differs from it. A deliberate change regenerates the file with
//! `ROLLOUT_UPDATE_SCHEMA=1 cargo test -p rollout-graphql --test schema_drift` and commits it.

use std::path::PathBuf;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema.graphql")
}

#[test]
fn schema_graphql_matches_the_code() {
    let built = rollout_graphql::sdl();
    let path = schema_path();
    if std::env::var_os("ROLLOUT_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &built).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != built {
        let first_difference = committed
            .lines()
            .zip(built.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || committed.lines().count().min(built.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "{} differs from the schema the code builds (first difference at line \
             {first_difference}).\nIf the change is deliberate, regenerate it with\n  \
             ROLLOUT_UPDATE_SCHEMA=1 cargo test -p rollout-graphql --test schema_drift\n\
             and commit the result.",
            path.display()
        );
    }
}

#[test]
fn sdl_is_stable_across_builds() {
    assert_eq!(rollout_graphql::sdl(), rollout_graphql::sdl());
}

//! `rollout schema`: prints the GraphQL SDL that the server executes (the committed
//! `schema.graphql` is compared with the same text by a test of the GraphQL crate).

pub fn run() {
    print!("{}", rollout_graphql::sdl());
}

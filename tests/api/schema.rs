//! schema.graphql must be what the code serves.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = storegraph::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is stale: regenerate it with `cargo run -- schema print > schema.graphql` \
         (and say in the commit message if the change breaks clients)"
    );
}

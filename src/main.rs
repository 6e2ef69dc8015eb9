//! The `storegraph` binary; see [`storegraph::cli`].

// The merged GraphQL Query and Mutation objects are deep types: laying out their
// resolver futures in an optimized build needs more than the default depth of 128.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> std::process::ExitCode {
    storegraph::cli::main().await
}

//! The `storegraph` binary; see [`storegraph::cli`].

// The merged GraphQL Query and Mutation objects are deep types: laying out their
// resolver futures in an optimized build needs more than the default depth of 128.
#![recursion_limit = "256"]

/// mimalloc instead of the system allocator: a GraphQL answer is thousands of small
/// allocations (one map per object, one string per field) made and freed on every
/// worker thread, which glibc's malloc served at about a third of the server's CPU time
/// in the storefront benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    storegraph::cli::main().await
}

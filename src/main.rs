//! The `storegraph` binary; see [`storegraph::cli`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    storegraph::cli::main().await
}

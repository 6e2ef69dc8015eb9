//! graphql-http's audit of the GraphQL-over-HTTP spec, run by Node against the real server.
//! The package is installed on first use (`.ci/run` installs it up front).

use std::path::Path;
use std::process::Command;

use crate::harness::TestApp;

fn audit_folder() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/http_audit"))
}

#[tokio::test]
async fn the_graphql_over_http_audit_finds_nothing() {
    let folder = audit_folder();
    if !folder.join("node_modules/graphql-http").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(folder)
            .status()
            .expect("npm must be installed to run the GraphQL-over-HTTP audit");
        assert!(status.success(), "npm ci failed");
    }
    let app = TestApp::start().await;
    let url = format!("{}/graphql", app.base);
    let output = tokio::process::Command::new("node")
        .arg("audit.mjs")
        .arg(&url)
        .current_dir(folder)
        .output()
        .await
        .expect("node must be installed to run the GraphQL-over-HTTP audit");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("a summary line");
    assert!(summary["ok"].as_u64().unwrap() > 40, "{stdout}");
    assert_eq!((summary["warn"].as_u64(), summary["error"].as_u64()), (Some(0), Some(0)), "{stdout}");
}

//! The command line, run as a user would run it.

use std::process::{Command, Output};

use serde_json::json;

use crate::fixtures::server::{demo_tokens, start_with, stop, stores, wait_ready};
use crate::harness::{STORE_CODES, TestApp, store_codes};

fn storegraph(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storegraph"))
        .args(args)
        .env("DATABASE_URL", &app.db_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_lifecycle_from_the_command_line() {
    let app = TestApp::start().await;

    let created = storegraph(&app, &["tenant", "create", "cli_shop", "--name", "CLI Shop"]);
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("t_cli_shop"));

    let again = storegraph(&app, &["tenant", "create", "cli_shop"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));

    let hostile = storegraph(&app, &["tenant", "create", "x'; DROP SCHEMA control; --"]);
    assert!(!hostile.status.success());
    assert!(stderr(&hostile).contains("not a valid tenant slug"), "{}", stderr(&hostile));

    let key = storegraph(&app, &["tenant", "key", "create", "cli_shop", "--role", "admin"]);
    assert!(key.status.success(), "{}", stderr(&key));
    let token = stdout(&key).trim().to_owned();
    assert!(token.starts_with("sg_"));
    assert_eq!(app.gql(&token, STORE_CODES, json!({})).await["data"]["tenant"]["slug"], "cli_shop");
    app.store(&token, "from-cli", None).await;
    assert_eq!(store_codes(&app.gql(&token, STORE_CODES, json!({})).await), ["from-cli"]);

    let bad_role = storegraph(&app, &["tenant", "key", "create", "cli_shop", "--role", "root"]);
    assert!(!bad_role.status.success());

    let list = storegraph(&app, &["tenant", "list"]);
    assert!(stdout(&list).contains("cli_shop") && stdout(&list).contains("CLI Shop"));
    let keys = storegraph(&app, &["tenant", "key", "list", "cli_shop"]);
    assert!(stdout(&keys).contains(&token[..10]));
    assert!(!stdout(&keys).contains(&token), "a listing must never show the token");

    let migrate = storegraph(&app, &["migrate"]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    assert!(stdout(&migrate).contains("cli_shop: up to date"), "{}", stdout(&migrate));

    // A storefront key, revoked from the command line by the id it was created with.
    let key = storegraph(&app, &["tenant", "key", "create", "cli_shop", "--role", "storefront", "--label", "pos"]);
    let storefront = stdout(&key).trim().to_owned();
    let id = stderr(&key).split_whitespace().find(|word| uuid::Uuid::parse_str(word).is_ok()).unwrap().to_owned();
    assert!(app.gql(&storefront, STORE_CODES, json!({})).await["errors"].is_null());
    let revoked = storegraph(&app, &["tenant", "key", "revoke", "cli_shop", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    // The revocation reaches the server's remembered lookups by a notification, a moment
    // after the other process commits it.
    let refused = app
        .gql_until(&storefront, STORE_CODES, json!({}), |body| {
            body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        })
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{refused}");
    assert!(!storegraph(&app, &["tenant", "key", "revoke", "cli_shop", &id]).status.success());
    assert!(stdout(&storegraph(&app, &["tenant", "key", "list", "cli_shop"])).contains("revoked"));

    // Suspended and resumed.
    assert!(storegraph(&app, &["tenant", "suspend", "cli_shop"]).status.success());
    let code = |body: &serde_json::Value| body["errors"][0]["extensions"]["code"].clone();
    let suspended = app.gql_until(&token, STORE_CODES, json!({}), |b| code(b) == "TENANT_SUSPENDED").await;
    assert_eq!(code(&suspended), "TENANT_SUSPENDED");
    assert!(storegraph(&app, &["tenant", "resume", "cli_shop"]).status.success());
    assert!(app.gql_until(&token, STORE_CODES, json!({}), |b| b["errors"].is_null()).await["errors"].is_null());
    assert!(!storegraph(&app, &["tenant", "suspend", "nobody_here"]).status.success());

    let refused = storegraph(&app, &["tenant", "drop", "cli_shop"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("--yes"));
    let dropped = storegraph(&app, &["tenant", "drop", "cli_shop", "--yes"]);
    assert!(dropped.status.success(), "{}", stderr(&dropped));
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 't_cli_shop'").await,
        0
    );
    let body = app.gql_until(&token, STORE_CODES, json!({}), |b| code(b) == "UNAUTHENTICATED").await;
    assert_eq!(code(&body), "UNAUTHENTICATED");

    let missing = storegraph(&app, &["tenant", "drop", "cli_shop", "--yes"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("no tenant"));
}

#[test]
fn schema_print_needs_no_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_storegraph"))
        .args(["schema", "print"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), storegraph::graphql::sdl());
}

/// Asserts that every row of `table` has its columns where the header has its own: each
/// header word starts a column, and each cell starts exactly there.
fn assert_aligned(table: &str) {
    let lines: Vec<Vec<char>> = table.lines().map(|line| line.chars().collect()).collect();
    let header = &lines[0];
    let starts: Vec<usize> = (1..header.len()).filter(|&i| header[i] != ' ' && header[i - 1] == ' ').collect();
    assert!(!starts.is_empty() && lines.len() > 2, "{table}");
    for row in &lines[1..] {
        for &start in &starts {
            assert!(
                row.get(start - 1) == Some(&' ') && row.get(start).is_some_and(|c| *c != ' '),
                "column at {start} misaligned:\n{table}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_and_key_lists_are_aligned_tables() {
    let app = TestApp::start().await;
    for (slug, name) in [("ab", "Café Ünïcode"), ("a_rather_long_tenant_slug_for_tables", "Long")] {
        assert!(storegraph(&app, &["tenant", "create", slug, "--name", name]).status.success());
    }
    for (role, label) in [("storefront", "web shop"), ("admin", "x")] {
        assert!(
            storegraph(&app, &["tenant", "key", "create", "ab", "--role", role, "--label", label]).status.success()
        );
    }
    let list = storegraph(&app, &["tenant", "list"]);
    assert!(stdout(&list).starts_with("SLUG"), "{}", stdout(&list));
    assert_aligned(&stdout(&list));
    let keys = storegraph(&app, &["tenant", "key", "list", "ab"]);
    assert!(stdout(&keys).starts_with("ID"), "{}", stdout(&keys));
    assert_aligned(&stdout(&keys));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_from_another_directory_uses_the_running_serve_cluster() {
    let root = std::env::temp_dir().join(format!("storegraph-test-cli-{}", uuid::Uuid::new_v4()));
    let (shop, elsewhere, state) = (root.join("shop"), root.join("elsewhere"), root.join("state"));
    std::fs::create_dir_all(&shop).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let http = reqwest::Client::new();
    // `serve --demo` as README says, from the shop's directory: its cluster in ./.storegraph.
    let serve = || {
        start_with(true, |command| {
            command.current_dir(&shop).env("XDG_STATE_HOME", &state);
        })
    };
    let from_elsewhere = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_storegraph"))
            .args(args)
            .current_dir(&elsewhere)
            .env("XDG_STATE_HOME", &state)
            .env_remove("DATABASE_URL")
            .env_remove("STOREGRAPH_DATA_DIR")
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let mut server = serve();
    wait_ready(&http, &mut server).await;
    let (admin, _) = demo_tokens(&server);

    let list = from_elsewhere(&["tenant", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(stdout(&list).contains("demo_apparel") && stdout(&list).contains("demo_electronics"), "{list:?}");
    let place = shop.join(".storegraph").display().to_string();
    assert!(stderr(&list).contains(&format!("using the embedded PostgreSQL cluster running in {place}")), "{list:?}");
    assert!(!elsewhere.join(".storegraph").exists(), "no second cluster");
    stop(server);

    // Started again with --demo: new tokens, said to replace the old ones, which stop working.
    let mut server = serve();
    wait_ready(&http, &mut server).await;
    let (new_admin, _) = demo_tokens(&server);
    assert_ne!(new_admin, admin);
    let said = std::iter::from_fn(|| server.lines.recv_timeout(std::time::Duration::from_secs(10)).ok())
        .any(|line| line.contains("REPLACE the ones an earlier `serve --demo` printed"));
    assert!(said, "the restart says the old tokens are replaced");
    let old = stores(&http, &server.base, &admin).await;
    assert_eq!(old["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{old}");
    assert_eq!(stores(&http, &server.base, &new_admin).await["data"]["tenant"]["slug"], "demo_apparel");
    stop(server);

    // With no serve running, a command starts a cluster of its own, and says so.
    let alone = from_elsewhere(&["tenant", "list"]);
    assert!(alone.status.success(), "{}", stderr(&alone));
    assert!(stderr(&alone).contains("for this command only: no storegraph serve is running"), "{alone:?}");
    assert!(!stdout(&alone).contains("demo_apparel"), "{alone:?}");
    let _ = std::fs::remove_dir_all(&root);
}

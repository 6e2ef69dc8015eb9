//! README.md's GraphQL examples, read from README.md itself and run as written, in its
//! order, over HTTP against a fresh demo (the tenants `serve --demo` makes): none may answer
//! an error or a userError, and an example followed directly by a JSON answer must answer
//! that data.
//!
//! What counts as an example: a ```graphql block, whose leading `# Name: value` comment
//! lines are the headers to send with it, and a ```sh block that curls `/graphql`, whose
//! `-H '…'` and `-d '…'` are its headers and body. A placeholder `<… admin token …>` or
//! `<… storefront token …>` stands for that token of `demo_apparel`, or of the demo tenant
//! it names.

use serde_json::{Value, json};
use storegraph::demo::DemoTenant;

use crate::harness::TestApp;

/// A fenced block of README.md: the line its fence opens on, its language and its text.
struct Block {
    line: usize,
    lang: String,
    text: String,
    /// Only blank lines separate it from the block before.
    follows_directly: bool,
}

/// An example request, and the data README shows it answering, if it shows any.
struct Example {
    line: usize,
    headers: Vec<(String, String)>,
    body: Value,
    expected: Option<Value>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    let mut only_blank_since_last = false;
    for (i, line) in readme.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (Some(_), Some("")) => {
                blocks.extend(open.take());
                only_blank_since_last = true;
            }
            (Some(block), _) => block.text.push_str(&format!("{line}\n")),
            (None, Some(lang)) => {
                let follows_directly = only_blank_since_last;
                open = Some(Block { line: i + 1, lang: lang.trim().to_owned(), text: String::new(), follows_directly });
            }
            (None, None) => only_blank_since_last &= line.trim().is_empty(),
        }
    }
    blocks
}

fn examples(readme: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    for block in blocks(readme) {
        let (headers, body) = match block.lang.as_str() {
            "graphql" => {
                let headers = block
                    .text
                    .lines()
                    .map_while(|line| line.strip_prefix("# ")?.split_once(": "))
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .collect();
                (headers, json!({ "query": block.text }))
            }
            "sh" if block.text.contains("curl") && block.text.contains("/graphql") => curl(&block.text),
            "json" if block.follows_directly => {
                if let Some(example) = examples.last_mut().filter(|e| e.expected.is_none()) {
                    let answer: Value = serde_json::from_str(&block.text)
                        .unwrap_or_else(|e| panic!("README.md:{}: the answer is not JSON: {e}", block.line));
                    example.expected = Some(answer["data"].clone());
                }
                continue;
            }
            _ => continue,
        };
        examples.push(Example { line: block.line, headers, body, expected: None });
    }
    examples
}

/// The headers (`-H '…'`) and body (`-d '…'`) of a curl command line.
fn curl(command: &str) -> (Vec<(String, String)>, Value) {
    let parts: Vec<&str> = command.split('\'').collect();
    let (mut headers, mut body) = (Vec::new(), Value::Null);
    for i in (1..parts.len()).step_by(2) {
        let flag = parts[i - 1].trim_end();
        if flag.ends_with("-H") {
            let (name, value) = parts[i].split_once(": ").expect("a header is `Name: value`");
            headers.push((name.to_owned(), value.to_owned()));
        } else if flag.ends_with("-d") {
            body = serde_json::from_str(parts[i]).expect("curl's body is JSON");
        }
    }
    (headers, body)
}

/// `value` with its `<… token …>` placeholder replaced by the demo token it names.
fn with_token(value: &str, tenants: &[DemoTenant]) -> String {
    let (Some(start), Some(end)) = (value.find('<'), value.find('>')) else { return value.to_owned() };
    let placeholder = &value[start..=end];
    let tenant = tenants.iter().find(|t| placeholder.contains(t.slug)).unwrap_or(&tenants[0]);
    let token = if placeholder.contains("storefront token") {
        &tenant.storefront_token
    } else if placeholder.contains("admin token") {
        &tenant.admin_token
    } else {
        panic!("README names no demo token in {placeholder}")
    };
    value.replace(placeholder, token)
}

/// Every non-empty `userErrors` list anywhere in `value`.
fn user_errors(value: &Value) -> Vec<&Value> {
    match value {
        Value::Object(fields) => fields
            .iter()
            .flat_map(|(name, field)| match field {
                Value::Array(errors) if name == "userErrors" && !errors.is_empty() => vec![field],
                _ => user_errors(field),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(user_errors).collect(),
        _ => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_examples_run_on_the_demo() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let examples = examples(&readme);
    assert!(examples.len() >= 5, "README's examples were not found ({} of them)", examples.len());
    assert!(examples.iter().any(|e| e.expected.is_some()), "README's example answer was not found");

    let app = TestApp::start().await;
    let tenants = storegraph::demo::provision(&app.db_url, &app.db).await.unwrap();
    for example in &examples {
        let headers: Vec<(String, String)> =
            example.headers.iter().map(|(name, value)| (name.clone(), with_token(value, &tenants))).collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let query = example.body["query"].as_str().unwrap_or_else(|| panic!("README.md:{}: no query", example.line));
        let (status, body) = app.post(&headers, query, example.body["variables"].clone()).await;
        let at = format!("README.md:{}", example.line);
        assert_eq!(status, 200, "{at}: {body}");
        assert!(body.get("errors").is_none(), "{at}: {body}");
        assert!(body["data"].as_object().is_some_and(|data| !data.is_empty()), "{at}: no data: {body}");
        assert!(user_errors(&body).is_empty(), "{at}: {body}");
        if let Some(expected) = &example.expected {
            assert_eq!(&body["data"], expected, "{at}: README shows another answer");
        }
    }
}

//! The category tree: building it, moving branches without cycles, products of subtrees.

use serde_json::{Value, json};

use crate::fixtures::{codes, product};
use crate::harness::{TestApp, TestTenant, error_code};

const CREATE: &str = "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) {
    category { id slug } userErrors { field code } } }";
const MOVE: &str = "mutation($input: CategoryMoveInput!) { categoryMove(input: $input) {
    category { id parent { slug } } userErrors { field code } } }";
const ASSIGN: &str = "mutation($input: CategoryProductsInput!) { categoryAssignProducts(input: $input) {
    category { slug } userErrors { field code } } }";

async fn category(app: &TestApp, t: &TestTenant, slug: &str, parent: Option<&str>) -> String {
    let body = app
        .gql(&t.admin, CREATE, json!({ "input": { "slug": slug, "name": slug.to_uppercase(), "parentId": parent }}))
        .await;
    assert_eq!(body["data"]["categoryCreate"]["userErrors"], json!([]), "{body}");
    body["data"]["categoryCreate"]["category"]["id"].as_str().unwrap().to_owned()
}

fn slugs(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_tree_is_built_and_moved_without_cycles() {
    let app = TestApp::start().await;
    let t = app.tenant("cat_tree").await;
    let clothing = category(&app, &t, "clothing", None).await;
    let tops = category(&app, &t, "tops", Some(&clothing)).await;
    let shirts = category(&app, &t, "shirts", Some(&tops)).await;
    let shoes = category(&app, &t, "shoes", None).await;

    let tree = "{ categories { slug children { slug children { slug ancestors { slug } parent { slug } } } } }";
    let body = app.gql(&t.storefront, tree, json!({})).await;
    let roots = &body["data"]["categories"];
    assert_eq!(slugs(roots), ["clothing", "shoes"], "{body}");
    assert_eq!(slugs(&roots[0]["children"]), ["tops"]);
    let leaf = &roots[0]["children"][0]["children"][0];
    assert_eq!(leaf["slug"], "shirts");
    assert_eq!(slugs(&leaf["ancestors"]), ["clothing", "tops"]);
    assert_eq!(leaf["parent"]["slug"], "tops");

    // Under itself, or under its own descendant: refused, nothing moves.
    for parent in [&clothing, &tops, &shirts] {
        let body = app.gql(&t.admin, MOVE, json!({ "input": { "id": clothing, "parentId": parent }})).await;
        assert_eq!(codes(&body, "categoryMove"), ["CATEGORY_CYCLE"], "{body}");
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cat_tree.categories WHERE parent_id IS NULL").await, 2);

    // A legal move takes the whole branch along; moving to the roots works too.
    let body = app.gql(&t.admin, MOVE, json!({ "input": { "id": tops, "parentId": shoes }})).await;
    assert_eq!(body["data"]["categoryMove"]["category"]["parent"]["slug"], "shoes", "{body}");
    let body = app
        .gql(&t.storefront, &format!("{{ category(id: \"{shirts}\") {{ ancestors {{ slug }} }} }}"), json!({}))
        .await;
    assert_eq!(slugs(&body["data"]["category"]["ancestors"]), ["shoes", "tops"]);
    let body = app.gql(&t.admin, MOVE, json!({ "input": { "id": tops, "parentId": null }})).await;
    assert_eq!(body["data"]["categoryMove"]["category"]["parent"], Value::Null);

    // Slugs are unique among siblings only.
    let body = app.gql(&t.admin, CREATE, json!({ "input": { "slug": "shoes", "name": "Again" }})).await;
    assert_eq!(codes(&body, "categoryCreate"), ["DUPLICATE"]);
    category(&app, &t, "shoes", Some(&clothing)).await;
    let body = app
        .gql(
            &t.admin,
            CREATE,
            json!({ "input": { "slug": "x", "name": "X", "parentId": "00000000-0000-0000-0000-000000000000" }}),
        )
        .await;
    assert_eq!(codes(&body, "categoryCreate"), ["NOT_FOUND"]);
    let body = app.gql(&t.storefront, CREATE, json!({ "input": { "slug": "y", "name": "Y" }})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn products_of_a_subtree() {
    let app = TestApp::start().await;
    let t = app.tenant("cat_prod").await;
    let clothing = category(&app, &t, "clothing", None).await;
    let shirts = category(&app, &t, "shirts", Some(&clothing)).await;
    let shirt = product(&app, &t, "shirt", "ACTIVE", &["SH-1"]).await;
    let coat = product(&app, &t, "coat", "ACTIVE", &["CO-1"]).await;
    let draft = product(&app, &t, "draft-shirt", "DRAFT", &["DS-1"]).await;
    let body = app
        .gql(&t.admin, ASSIGN, json!({ "input": { "categoryId": shirts, "productIds": [shirt["id"], draft["id"]] }}))
        .await;
    assert_eq!(codes(&body, "categoryAssignProducts"), Vec::<String>::new(), "{body}");
    app.gql(&t.admin, ASSIGN, json!({ "input": { "categoryId": clothing, "productIds": [coat["id"]] }})).await;

    let page = |id: &str, descendants: bool| {
        format!(
            "{{ category(id: \"{id}\") {{ products(includeDescendants: {descendants}) {{ totalCount edges {{ node {{ slug categories {{ slug }} }} }} }} }} }}"
        )
    };
    let names = |body: &Value| -> Vec<String> {
        body["data"]["category"]["products"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let body = app.gql(&t.storefront, &page(&clothing, true), json!({})).await;
    assert_eq!(names(&body), ["shirt", "coat"], "{body}");
    assert_eq!(body["data"]["category"]["products"]["totalCount"], 2);
    assert_eq!(body["data"]["category"]["products"]["edges"][0]["node"]["categories"], json!([{ "slug": "shirts" }]));
    assert_eq!(names(&app.gql(&t.storefront, &page(&clothing, false), json!({})).await), ["coat"]);
    // The admin also sees the draft; the storefront never does.
    assert_eq!(names(&app.gql(&t.admin, &page(&shirts, true), json!({})).await), ["shirt", "draft-shirt"]);
    assert_eq!(names(&app.gql(&t.storefront, &page(&shirts, true), json!({})).await), ["shirt"]);

    // The same through the products filter.
    let filtered =
        format!("{{ products(filter: {{ categoryId: \"{clothing}\" }}) {{ edges {{ node {{ slug }} }} }} }}");
    let body = app.gql(&t.storefront, &filtered, json!({})).await;
    assert_eq!(body["data"]["products"]["edges"].as_array().unwrap().len(), 2);

    // Unknown products are refused whole.
    let body = app.gql(&t.admin, ASSIGN, json!({ "input": { "categoryId": shirts, "productIds": [coat["id"], "00000000-0000-0000-0000-000000000000"] }})).await;
    assert_eq!(codes(&body, "categoryAssignProducts"), ["NOT_FOUND"]);
    assert_eq!(
        app.sql_count(&format!(
            "SELECT count(*) AS n FROM t_cat_prod.product_categories WHERE category_id = '{shirts}'"
        ))
        .await,
        2
    );
}

#[tokio::test]
async fn a_category_is_renamed_and_its_slug_stays_unique_among_siblings() {
    let app = TestApp::start().await;
    let t = app.tenant("cat_upd").await;
    let clothing = category(&app, &t, "clothing", None).await;
    let tops = category(&app, &t, "tops", Some(&clothing)).await;
    category(&app, &t, "shirts", Some(&clothing)).await;
    let update = "mutation($input: CategoryUpdateInput!) { categoryUpdate(input: $input) {
        category { slug name description position } userErrors { field code } } }";
    let body = app
        .gql(
            &t.admin,
            update,
            json!({ "input": { "id": tops, "name": "Tops & tees", "slug": "tops-tees", "position": 3 }}),
        )
        .await;
    assert_eq!(
        body["data"]["categoryUpdate"]["category"],
        json!({ "slug": "tops-tees", "name": "Tops & tees", "description": "", "position": 3 }),
        "{body}"
    );
    let taken = app.gql(&t.admin, update, json!({ "input": { "id": tops, "slug": "shirts" }})).await;
    assert_eq!(codes(&taken, "categoryUpdate"), ["DUPLICATE"]);
    let bad = app.gql(&t.admin, update, json!({ "input": { "id": tops, "slug": "Not A Slug", "name": " " }})).await;
    assert_eq!(codes(&bad, "categoryUpdate"), ["INVALID", "REQUIRED"]);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cat_upd.categories WHERE slug = 'tops-tees'").await, 1);
    let missing = app
        .gql(&t.admin, update, json!({ "input": { "id": "00000000-0000-0000-0000-000000000000", "name": "x" }}))
        .await;
    assert_eq!(codes(&missing, "categoryUpdate"), ["NOT_FOUND"]);
}

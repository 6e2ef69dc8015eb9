//! What a request costs in SQL statements, counted by the pool's statement watch.

use serde_json::json;

use crate::harness::{TestApp, TestTenant};

const PAGE: &str = "query($first: Int) { stores(first: $first) { totalCount edges { node { code name locale } } } }";

async fn cost(app: &TestApp, tenant: &TestTenant, first: i32) -> u64 {
    let before = app.db.statements();
    let body = app.gql(&tenant.storefront, PAGE, json!({ "first": first })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["stores"]["edges"].as_array().unwrap().len(), first.min(60) as usize);
    app.db.statements() - before
}

#[tokio::test]
async fn a_stores_page_costs_the_same_statements_at_any_size_and_one_more_to_switch_tenant() {
    // One connection, so which connection a request gets (and its remembered tenant) is known.
    let app = TestApp::one_connection().await;
    let a = app.tenant("stmt_a").await;
    let b = app.tenant("stmt_b").await;
    for i in 0..60 {
        app.store(&a.admin, &format!("s{i:02}"), None).await;
    }
    app.store(&b.admin, "only", None).await;

    // The connection serves tenant a already, and the token was looked up by the first
    // request: the page and its count.
    cost(&app, &a, 1).await;
    assert_eq!(cost(&app, &a, 5).await, 2);
    assert_eq!(cost(&app, &a, 50).await, 2);
    // After another tenant used the connection, the path statement comes back: 3.
    cost(&app, &b, 1).await;
    assert_eq!(cost(&app, &a, 50).await, 3);
    assert_eq!(cost(&app, &a, 50).await, 2);
}

#[tokio::test]
async fn a_connection_whose_cached_plans_went_stale_is_replaced() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

    let app = TestApp::one_connection().await;
    let a = app.tenant("stale_a").await;
    app.store(&a.admin, "main", None).await;
    assert!(app.gql(&a.storefront, PAGE, json!({ "first": 5 })).await["errors"].is_null());

    // A column changes type under the cached statement, as in the middle of a migration.
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    conn.batch_execute("ALTER TABLE t_stale_a.stores ALTER COLUMN name TYPE varchar(300)").await.unwrap();

    // At most one request fails on the stale plan; the connection is then dropped, and
    // requests succeed again on a fresh one.
    let first = app.gql(&a.storefront, PAGE, json!({ "first": 5 })).await;
    if !first["errors"].is_null() {
        assert_eq!(first["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{first}");
    }
    for _ in 0..3 {
        let body = app.gql(&a.storefront, PAGE, json!({ "first": 5 })).await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["stores"]["edges"][0]["node"]["name"], "Store main");
    }
}

#[tokio::test]
async fn a_statement_running_past_the_timeout_is_cancelled() {
    use std::time::{Duration, Instant};

    use diesel_async::RunQueryDsl;
    use storegraph::db::{Database, PoolConfig, tenant_connection};

    let app = TestApp::start().await;
    app.tenant("slow_a").await;
    let config = PoolConfig { statement_timeout: Duration::from_millis(200), ..PoolConfig::default() };
    let db = Database::connect(&app.db_url, &config).await.unwrap();
    let schema = app.tenant_row("slow_a").await.schema().unwrap();
    let mut conn = tenant_connection(&db.pool, &schema).await.unwrap();
    let started = Instant::now();
    let result = diesel::sql_query("SELECT pg_sleep(5)").execute(&mut *conn).await;
    let error = result.expect_err("the sleep should have been cancelled").to_string();
    assert!(error.contains("statement timeout"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The connection is still usable afterwards.
    assert_eq!(diesel::sql_query("SELECT 1").execute(&mut *conn).await.unwrap(), 1);
}

const STOREFRONT_PAGE: &str = "query($first: Int) { products(first: $first, store: \"main\") { edges { node {
    slug name price { amount currency } available
    variants { sku price { amount currency } priceSource inventory { available } attributes { attribute { code } values } }
    images { url alt }
    attributes { attribute { code name } values }
    categories { slug } } } } }";

#[tokio::test]
async fn a_storefront_page_with_everything_on_it_costs_the_same_statements_at_5_and_50() {
    let app = TestApp::one_connection().await;
    let t = app.tenant("stmt_page").await;
    app.store(&t.admin, "main", None).await;
    let definition = "mutation($input: AttributeDefinitionCreateInput!) { attributeDefinitionCreate(input: $input) { userErrors { code } } }";
    for input in [
        json!({ "code": "material", "name": "Material", "type": "SELECT", "options": [{ "value": "wool" }, { "value": "linen" }] }),
        json!({ "code": "weight", "name": "Weight", "type": "NUMBER" }),
    ] {
        assert_eq!(
            app.gql(&t.admin, definition, json!({ "input": input })).await["data"]["attributeDefinitionCreate"]["userErrors"],
            json!([])
        );
    }
    let category = app
        .gql(
            &t.admin,
            "mutation { categoryCreate(input: { slug: \"all\", name: \"All\" }) { category { id } } }",
            json!({}),
        )
        .await["data"]["categoryCreate"]["category"]["id"]
        .clone();
    let list = app
        .gql(
            &t.admin,
            "mutation { priceListCreate(input: { name: \"sale\", currency: \"EUR\" }) { priceList { id } } }",
            json!({}),
        )
        .await["data"]["priceListCreate"]["priceList"]["id"]
        .clone();
    let mut ids = Vec::new();
    for i in 0..55 {
        let product = crate::fixtures::product(
            &app,
            &t,
            &format!("p{i:02}"),
            "ACTIVE",
            &[&format!("P{i:02}-A"), &format!("P{i:02}-B")],
        )
        .await;
        ids.push(product["id"].clone());
        let values = json!({ "input": { "productId": product["id"], "values": [
            { "code": "material", "values": [if i % 2 == 0 { "wool" } else { "linen" }] }, { "code": "weight", "values": [format!("{i}.5")] } ] } });
        let body = app.gql(&t.admin, "mutation($input: ProductAttributesSetInput!) { productAttributesSet(input: $input) { userErrors { code } } }", values).await;
        assert_eq!(body["data"]["productAttributesSet"]["userErrors"], json!([]), "{body}");
        let stock = json!({ "input": { "sku": format!("P{i:02}-A"), "quantity": i, "reason": "count" } });
        app.gql(
            &t.admin,
            "mutation($input: InventorySetInput!) { inventorySet(input: $input) { userErrors { code } } }",
            stock,
        )
        .await;
        let entries =
            json!({ "input": { "priceListId": list, "entries": [{ "sku": format!("P{i:02}-B"), "amount": "7" }] } });
        app.gql(&t.admin, "mutation($input: PriceListEntriesSetInput!) { priceListEntriesSet(input: $input) { userErrors { code } } }", entries).await;
    }
    let assign = json!({ "input": { "categoryId": category, "productIds": ids } });
    app.gql(
        &t.admin,
        "mutation($input: CategoryProductsInput!) { categoryAssignProducts(input: $input) { userErrors { code } } }",
        assign,
    )
    .await;

    let mut costs = Vec::new();
    for first in [5, 50, 5, 50] {
        let before = app.db.statements();
        let body = app.gql(&t.storefront, STOREFRONT_PAGE, json!({ "first": first })).await;
        costs.push(app.db.statements() - before);
        assert!(body["errors"].is_null(), "{body}");
        let edges = body["data"]["products"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), first as usize);
        let node = &edges[3]["node"];
        assert_eq!(node["variants"][1]["price"], json!({ "amount": "7.00", "currency": "EUR" }));
        assert_eq!(node["variants"][1]["priceSource"], "PRICE_LIST");
        assert_eq!(node["variants"][0]["inventory"]["available"], 3);
        assert_eq!(node["attributes"][0]["values"], json!(["linen"]));
        assert_eq!(node["images"].as_array().unwrap().len(), 2);
        assert_eq!(node["categories"], json!([{ "slug": "all" }]));
    }
    // 6 statements per page whatever its size (the token lookup is remembered from the
    // first request): the page of products (with the store's visibility and text), the variants of all of them
    // with their effective prices, their stock, the images, the attribute values (of
    // products and variants together) and the categories. The tenant switch is skipped:
    // the one connection already serves this tenant; on a cold connection it adds one.
    assert_eq!(&costs[1..], &[6, 6, 6], "{costs:?}");
}

#[tokio::test]
async fn a_connection_is_replaced_after_its_share_of_tenant_switches() {
    use diesel::sql_types::Integer;
    use diesel_async::RunQueryDsl;
    use storegraph::db::{Database, PoolConfig, tenant_connection};

    #[derive(diesel::QueryableByName)]
    struct Backend {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }

    let app = TestApp::start().await;
    app.tenant("recycle_a").await;
    app.tenant("recycle_b").await;
    let a = app.tenant_row("recycle_a").await.schema().unwrap();
    let b = app.tenant_row("recycle_b").await.schema().unwrap();
    let config = PoolConfig { max_size: 1, switches_per_connection: 3, ..PoolConfig::default() };
    let db = Database::connect(&app.db_url, &config).await.unwrap();
    let backend = async |schema| {
        let mut conn = tenant_connection(&db.pool, schema).await.unwrap();
        let row: Backend = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result(&mut *conn).await.unwrap();
        row.pid
    };

    // The same tenant again and again never switches: one backend throughout.
    let first = backend(&a).await;
    for _ in 0..5 {
        assert_eq!(backend(&a).await, first);
    }
    // Switches two and three (the first set tenant a): the third retires the connection
    // once it is back in the pool, and the next checkout gets a new backend.
    assert_eq!(backend(&b).await, first);
    assert_eq!(backend(&a).await, first);
    let second = backend(&b).await;
    assert_ne!(second, first, "the third switch was served by the old backend");
    for _ in 0..3 {
        assert_eq!(backend(&b).await, second, "the fresh connection serves its tenant on");
    }
}

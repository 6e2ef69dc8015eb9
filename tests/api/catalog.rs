//! The catalog: products with variants and images, storefront visibility, validation,
//! per-tenant uniqueness and batched loading.

use serde_json::{Value, json};

use crate::fixtures::{PRODUCT_CREATE, product};
use crate::harness::{TestApp, error_code};

const PRODUCT_PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    products(first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { node { slug name basePrice { amount currency }
            variants { sku position price { amount currency } optionValues { name value } }
            images { url alt position } categories { slug } } } } }";

fn slugs(body: &Value) -> Vec<String> {
    body["data"]["products"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no products in {body}"))
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn products_come_back_with_variants_images_and_prices() {
    let app = TestApp::start().await;
    let t = app.tenant("cat_a").await;
    let created = product(&app, &t, "linen-shirt", "ACTIVE", &["SHIRT-S", "SHIRT-M"]).await;
    assert_eq!(created["basePrice"], json!({ "amount": "10.00", "currency": "EUR" }));
    assert_eq!(created["status"], "ACTIVE");

    let body = app
        .gql(&t.storefront, "{ product(slug: \"linen-shirt\") { name variants { sku price { amount } optionValues { name value } } images { url position } } }", json!({}))
        .await;
    let product = &body["data"]["product"];
    assert_eq!(
        product["variants"][0],
        json!({ "sku": "SHIRT-S", "price": { "amount": "10.00" }, "optionValues": [{ "name": "size", "value": "S" }] })
    );
    assert_eq!(product["variants"][1]["price"]["amount"], "12.50");
    assert_eq!(product["images"][1], json!({ "url": "https://img.example.com/linen-shirt/2.jpg", "position": 1 }));

    let body =
        app.gql(&t.storefront, "{ variant(sku: \"SHIRT-M\") { sku price { amount currency } } }", json!({})).await;
    assert_eq!(body["data"]["variant"], json!({ "sku": "SHIRT-M", "price": { "amount": "12.50", "currency": "EUR" } }));
}

#[tokio::test]
async fn storefronts_see_active_products_only() {
    let app = TestApp::start().await;
    let t = app.tenant("vis_a").await;
    product(&app, &t, "on-sale", "ACTIVE", &["A-1"]).await;
    product(&app, &t, "in-draft", "DRAFT", &["D-1"]).await;
    product(&app, &t, "withdrawn", "ARCHIVED", &["W-1"]).await;

    let list = "{ products(first: 50) { edges { node { slug } } } }";
    assert_eq!(slugs(&app.gql(&t.storefront, list, json!({})).await), ["on-sale"]);
    assert_eq!(slugs(&app.gql(&t.admin, list, json!({})).await), ["on-sale", "in-draft", "withdrawn"]);
    let filtered = "{ products(filter: { status: [DRAFT, ARCHIVED] }) { edges { node { slug } } } }";
    assert_eq!(slugs(&app.gql(&t.admin, filtered, json!({})).await), ["in-draft", "withdrawn"]);
    // A storefront cannot widen its view with a filter.
    assert_eq!(slugs(&app.gql(&t.storefront, filtered, json!({})).await), ["on-sale"]);

    for hidden in ["in-draft", "withdrawn"] {
        let body = app.gql(&t.storefront, &format!("{{ product(slug: \"{hidden}\") {{ slug }} }}"), json!({})).await;
        assert_eq!(body["data"]["product"], Value::Null, "{hidden}");
    }
    let body = app.gql(&t.storefront, "{ variant(sku: \"D-1\") { sku } }", json!({})).await;
    assert_eq!(body["data"]["variant"], Value::Null);
    let body = app.gql(&t.admin, "{ variant(sku: \"D-1\") { sku } }", json!({})).await;
    assert_eq!(body["data"]["variant"]["sku"], "D-1");
}

#[tokio::test]
async fn invalid_products_are_refused_whole() {
    let app = TestApp::start().await;
    let t = app.tenant("bad_a").await;
    product(&app, &t, "taken", "ACTIVE", &["TAKEN-1"]).await;
    let count = || {
        app.sql_count("SELECT (SELECT count(*) FROM t_bad_a.products) + (SELECT count(*) FROM t_bad_a.product_variants) + (SELECT count(*) FROM t_bad_a.product_images) AS n")
    };
    let before = count().await;

    let body = app
        .gql(
            &t.admin,
            PRODUCT_CREATE,
            json!({ "input": {
                "slug": "Not A Slug", "name": "", "basePrice": "-1", "currency": "EURO",
                "variants": [{ "sku": "X-1", "price": "1.23456" }, { "sku": "X-1" }, { "sku": "has space" }],
                "images": [{ "url": "ftp://nope" }],
            }}),
        )
        .await;
    let mut errors: Vec<(String, String)> = body["data"]["productCreate"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join("."),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    errors.sort();
    let expected = [
        ("input.basePrice", "NEGATIVE_PRICE"),
        ("input.currency", "INVALID_CURRENCY"),
        ("input.images.0.url", "INVALID"),
        ("input.name", "REQUIRED"),
        ("input.slug", "INVALID"),
        ("input.variants.0.price", "INVALID"),
        ("input.variants.1.sku", "DUPLICATE_SKU"),
        ("input.variants.2.sku", "INVALID"),
    ]
    .map(|(f, c)| (f.to_owned(), c.to_owned()));
    assert_eq!(errors, expected, "{body}");
    assert_eq!(body["data"]["productCreate"]["product"], Value::Null);

    // Conflicts with what exists roll the whole product back.
    let body = app
        .gql(&t.admin, PRODUCT_CREATE, json!({ "input": {
            "slug": "fresh", "name": "Fresh", "basePrice": "5", "currency": "EUR",
            "variants": [{ "sku": "NEW-1" }, { "sku": "TAKEN-1" }], "images": [{ "url": "https://img.example.com/x.jpg" }],
        }}))
        .await;
    assert_eq!(body["data"]["productCreate"]["userErrors"][0]["code"], "DUPLICATE_SKU", "{body}");
    let body = app
        .gql(
            &t.admin,
            PRODUCT_CREATE,
            json!({ "input": { "slug": "taken", "name": "Again", "basePrice": "5", "currency": "EUR" }}),
        )
        .await;
    assert_eq!(body["data"]["productCreate"]["userErrors"][0]["code"], "DUPLICATE", "{body}");
    assert_eq!(count().await, before);

    // A storefront token cannot create products at all.
    let body = app
        .gql(
            &t.storefront,
            PRODUCT_CREATE,
            json!({ "input": { "slug": "sneaky", "name": "S", "basePrice": "1", "currency": "EUR" }}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(count().await, before);
}

#[tokio::test]
async fn two_tenants_may_use_the_same_skus_and_slugs() {
    let app = TestApp::start().await;
    let a = app.tenant("sku_a").await;
    let b = app.tenant("sku_b").await;
    product(&app, &a, "tee", "ACTIVE", &["TEE-1", "TEE-2"]).await;
    product(&app, &b, "tee", "ACTIVE", &["TEE-1"]).await;
    let query = "{ variant(sku: \"TEE-2\") { sku } product(slug: \"tee\") { variants { sku } } }";
    let body = app.gql(&a.storefront, query, json!({})).await;
    assert_eq!(body["data"]["product"]["variants"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"]["variant"]["sku"], "TEE-2");
    let body = app.gql(&b.storefront, query, json!({})).await;
    assert_eq!(body["data"]["product"]["variants"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"]["variant"], Value::Null);
}

#[tokio::test]
async fn a_product_page_costs_the_same_statements_at_5_and_50_and_pages_both_ways() {
    let app = TestApp::one_connection().await;
    let t = app.tenant("page_cat").await;
    let mut all = Vec::new();
    for i in 0..55 {
        let slug = format!("p{i:02}");
        product(&app, &t, &slug, "ACTIVE", &[&format!("P{i:02}-A"), &format!("P{i:02}-B")]).await;
        all.push(slug);
    }
    let mut costs = Vec::new();
    for first in [5, 50, 5, 50] {
        let before = app.db.statements();
        let body = app.gql(&t.storefront, PRODUCT_PAGE, json!({ "first": first })).await;
        costs.push(app.db.statements() - before);
        let edges = body["data"]["products"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), first as usize);
        assert!(edges.iter().all(|e| e["node"]["variants"].as_array().unwrap().len() == 2
            && e["node"]["images"].as_array().unwrap().len() == 2));
    }
    // 4 statements per page whatever its size: the page of products, the variants, the
    // images and the categories of all of them (the token lookup is remembered from the
    // first request, and the tenant switch is skipped: the one connection already serves
    // this tenant).
    assert_eq!(&costs[1..], &[4, 4, 4], "{costs:?}");

    // Forwards and backwards in pages of 7: every product once, in creation order.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app.gql(&t.storefront, PRODUCT_PAGE, json!({ "first": 7, "after": after })).await;
        seen.extend(slugs(&body));
        let info = &body["data"]["products"]["pageInfo"];
        if info["hasNextPage"] == false {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(seen, all);
    let mut back: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let body = app.gql(&t.storefront, PRODUCT_PAGE, json!({ "last": 7, "before": before })).await;
        let mut page = slugs(&body);
        page.extend(back);
        back = page;
        let info = &body["data"]["products"]["pageInfo"];
        if info["hasPreviousPage"] == false {
            break;
        }
        before = info["startCursor"].clone();
    }
    assert_eq!(back, all);
}

#[tokio::test]
async fn product_search_matches_text_literally() {
    let app = TestApp::start().await;
    let t = app.tenant("search_a").await;
    product(&app, &t, "linen-shirt", "ACTIVE", &["LS-1"]).await;
    product(&app, &t, "wool-coat", "ACTIVE", &["WC-1"]).await;
    let search = |text: &str| {
        let query = format!("{{ products(filter: {{ search: {} }}) {{ edges {{ node {{ slug }} }} }} }}", json!(text));
        let app = &app;
        let token = t.storefront.clone();
        async move { slugs(&app.gql(&token, &query, json!({})).await) }
    };
    assert_eq!(search("SHIRT").await, ["linen-shirt"]);
    assert_eq!(search("coat").await, ["wool-coat"]);
    assert!(search("%").await.is_empty(), "a % in the search is a literal %");
    assert!(search("_").await.is_empty());
}

#[tokio::test]
async fn product_update_changes_what_it_names_and_archives() {
    let app = TestApp::start().await;
    let t = app.tenant("upd_cat").await;
    let created = product(&app, &t, "old-slug", "ACTIVE", &["U-1"]).await;
    product(&app, &t, "taken-slug", "ACTIVE", &["U-2"]).await;
    let update = "mutation($input: ProductUpdateInput!) { productUpdate(input: $input) {
        product { slug name status basePrice { amount currency } seoTitle } userErrors { field code } } }";

    let body = app
        .gql(
            &t.admin,
            update,
            json!({ "input": { "id": created["id"], "slug": "new-slug", "basePrice": "15.5", "seoTitle": "Buy it" }}),
        )
        .await;
    assert_eq!(
        body["data"]["productUpdate"]["product"],
        json!({ "slug": "new-slug", "name": "Product old-slug", "status": "ACTIVE",
                "basePrice": { "amount": "15.50", "currency": "EUR" }, "seoTitle": "Buy it" }),
        "{body}"
    );
    // Variants without their own price follow the base price.
    let body = app.gql(&t.storefront, "{ variant(sku: \"U-1\") { price { amount } } }", json!({})).await;
    assert_eq!(body["data"]["variant"]["price"]["amount"], "15.50");

    // Bad input and conflicts change nothing.
    for (input, code) in [
        (json!({ "id": created["id"], "slug": "taken-slug" }), "DUPLICATE"),
        (json!({ "id": created["id"], "basePrice": "-2" }), "NEGATIVE_PRICE"),
        (json!({ "id": created["id"], "name": " " }), "REQUIRED"),
        (json!({ "id": "00000000-0000-0000-0000-000000000000", "name": "X" }), "NOT_FOUND"),
    ] {
        let body = app.gql(&t.admin, update, json!({ "input": input })).await;
        assert_eq!(body["data"]["productUpdate"]["userErrors"][0]["code"], code, "{body}");
    }
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_upd_cat.products WHERE slug = 'new-slug' AND base_price = 15.5 AND name = 'Product old-slug'").await, 1);

    // Archived: gone from the storefront, still there for the admin; seoTitle cleared by null.
    let body = app
        .gql(&t.admin, update, json!({ "input": { "id": created["id"], "status": "ARCHIVED", "seoTitle": null }}))
        .await;
    assert_eq!(body["data"]["productUpdate"]["product"]["seoTitle"], Value::Null);
    let query = "{ product(slug: \"new-slug\") { status } }";
    assert_eq!(app.gql(&t.storefront, query, json!({})).await["data"]["product"], Value::Null);
    assert_eq!(app.gql(&t.admin, query, json!({})).await["data"]["product"]["status"], "ARCHIVED");
}

#[tokio::test]
async fn variants_and_images_are_added_changed_and_reordered() {
    let app = TestApp::start().await;
    let t = app.tenant("parts_a").await;
    let created = product(&app, &t, "jacket", "ACTIVE", &["J-S"]).await;
    let id = created["id"].clone();

    let add_variant = "mutation($input: ProductVariantCreateInput!) { productVariantCreate(input: $input) {
        variant { sku position price { amount } optionValues { name value } } userErrors { field code } } }";
    let body = app
        .gql(
            &t.admin,
            add_variant,
            json!({ "input": { "productId": id, "sku": "J-M", "price": "11",
            "optionValues": [{ "name": "size", "value": "M" }] }}),
        )
        .await;
    assert_eq!(
        body["data"]["productVariantCreate"]["variant"],
        json!({ "sku": "J-M", "position": 1, "price": { "amount": "11.00" }, "optionValues": [{ "name": "size", "value": "M" }] }),
        "{body}"
    );
    let body = app.gql(&t.admin, add_variant, json!({ "input": { "productId": id, "sku": "J-M" }})).await;
    assert_eq!(body["data"]["productVariantCreate"]["userErrors"][0]["code"], "DUPLICATE_SKU");

    let update_variant = "mutation($input: ProductVariantUpdateInput!) { productVariantUpdate(input: $input) {
        variant { sku price { amount } } userErrors { field code } } }";
    let variant_id =
        app.gql(&t.admin, "{ variant(sku: \"J-M\") { id } }", json!({})).await["data"]["variant"]["id"].clone();
    let body = app
        .gql(&t.admin, update_variant, json!({ "input": { "id": variant_id, "sku": "J-MEDIUM", "price": null }}))
        .await;
    assert_eq!(
        body["data"]["productVariantUpdate"]["variant"],
        json!({ "sku": "J-MEDIUM", "price": { "amount": "10.00" } }),
        "{body}"
    );
    let body = app.gql(&t.admin, update_variant, json!({ "input": { "id": variant_id, "price": "-1" }})).await;
    assert_eq!(body["data"]["productVariantUpdate"]["userErrors"][0]["code"], "NEGATIVE_PRICE");

    let images = "{ product(slug: \"jacket\") { images { id url position } } }";
    let image_ids = |body: &Value| -> Vec<Value> {
        body["data"]["product"]["images"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect()
    };
    let add_image =
        "mutation($input: ProductImageAddInput!) { productImageAdd(input: $input) { userErrors { code } } }";
    let body = app
        .gql(&t.admin, add_image, json!({ "input": { "productId": id, "url": "https://img.example.com/jacket/3.jpg" }}))
        .await;
    assert_eq!(body["data"]["productImageAdd"]["userErrors"], json!([]));
    let before = image_ids(&app.gql(&t.admin, images, json!({})).await);
    assert_eq!(before.len(), 3);

    let reorder = "mutation($input: ProductImagesReorderInput!) { productImagesReorder(input: $input) {
        product { images { id position } } userErrors { code } } }";
    let reversed: Vec<Value> = before.iter().rev().cloned().collect();
    let body = app.gql(&t.admin, reorder, json!({ "input": { "productId": id, "imageIds": reversed }})).await;
    let after: Vec<Value> = body["data"]["productImagesReorder"]["product"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(after, reversed, "{body}");
    let body = app
        .gql(&t.admin, reorder, json!({ "input": { "productId": id, "imageIds": [before[0], before[0], before[1]] }}))
        .await;
    assert_eq!(body["data"]["productImagesReorder"]["userErrors"][0]["code"], "INVALID");

    let remove = "mutation($input: ProductImageRemoveInput!) { productImageRemove(input: $input) {
        product { images { id } } userErrors { code } } }";
    let body = app.gql(&t.admin, remove, json!({ "input": { "id": reversed[0] }})).await;
    assert_eq!(body["data"]["productImageRemove"]["product"]["images"].as_array().unwrap().len(), 2, "{body}");
    let body = app.gql(&t.admin, remove, json!({ "input": { "id": reversed[0] }})).await;
    assert_eq!(body["data"]["productImageRemove"]["userErrors"][0]["code"], "NOT_FOUND");
    let body = app.gql(&t.storefront, remove, json!({ "input": { "id": reversed[1] }})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_while_products_are_inserted_has_no_duplicates_or_gaps() {
    let app = TestApp::start().await;
    let t = app.tenant("page_race").await;
    let mut initial = Vec::new();
    for i in 0..30 {
        let slug = format!("r{i:03}");
        product(&app, &t, &slug, "ACTIVE", &[&format!("R{i:03}")]).await;
        initial.push(slug);
    }
    // Another client keeps adding products while this one pages through.
    let writer = {
        let (app, t) = (&app, &t);
        async move {
            for i in 30..60 {
                product(app, t, &format!("r{i:03}"), "ACTIVE", &[&format!("R{i:03}")]).await;
            }
        }
    };
    let reader = async {
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let body = app.gql(&t.storefront, PRODUCT_PAGE, json!({ "first": 4, "after": after })).await;
            seen.extend(slugs(&body));
            let info = &body["data"]["products"]["pageInfo"];
            if info["hasNextPage"] == false {
                break seen;
            }
            after = info["endCursor"].clone();
        }
    };
    let ((), seen) = tokio::join!(writer, reader);

    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a product came twice: {seen:?}");
    // Every product that existed before paging began was seen, and in creation order.
    assert_eq!(&seen[..30], &initial[..], "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(sorted, seen, "pages must follow creation order");
}

const BULK: &str = "mutation($input: ProductBulkCreateInput!) { productBulkCreate(input: $input) {
    count results { product { slug variants { sku } } userErrors { field code } } userErrors { field code } } }";

fn bulk_item(slug: &str, skus: &[&str]) -> Value {
    json!({ "slug": slug, "name": slug, "basePrice": "5", "currency": "EUR",
            "variants": skus.iter().map(|s| json!({ "sku": s })).collect::<Vec<_>>() })
}

#[tokio::test]
async fn bulk_create_reports_per_item_errors_and_follows_its_policy() {
    let app = TestApp::start().await;
    let t = app.tenant("bulk_a").await;
    product(&app, &t, "existing", "ACTIVE", &["TAKEN"]).await;
    let items = json!([
        bulk_item("one", &["ONE-1", "ONE-2"]),
        bulk_item("two", &["ONE-2"]),
        bulk_item("Bad Slug", &["BAD-1"]),
        bulk_item("three", &["TAKEN"]),
        bulk_item("four", &["FOUR-1"]),
    ]);
    // REJECT_EVERYTHING (the default): any bad item and nothing is written.
    let body = app.gql(&t.admin, BULK, json!({ "input": { "products": items } })).await;
    let payload = &body["data"]["productBulkCreate"];
    assert_eq!(payload["count"], 0, "{body}");
    assert_eq!(
        payload["results"][1]["userErrors"],
        json!([{ "field": ["input", "products", "1", "variants", "0", "sku"], "code": "DUPLICATE_SKU" }])
    );
    assert_eq!(payload["results"][2]["userErrors"][0]["field"], json!(["input", "products", "2", "slug"]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bulk_a.products").await, 1);

    // REJECT_FAILED_ROWS: the good ones are written, the bad ones reported where they are,
    // including a SKU the catalog already has (found only when writing).
    let body =
        app.gql(&t.admin, BULK, json!({ "input": { "products": items, "errorPolicy": "REJECT_FAILED_ROWS" } })).await;
    let payload = &body["data"]["productBulkCreate"];
    assert_eq!(payload["count"], 2, "{body}");
    assert_eq!(
        payload["results"][0]["product"],
        json!({ "slug": "one", "variants": [{ "sku": "ONE-1" }, { "sku": "ONE-2" }] })
    );
    assert_eq!(
        payload["results"][3]["userErrors"],
        json!([{ "field": ["input", "products", "3", "variants"], "code": "DUPLICATE_SKU" }])
    );
    assert_eq!(payload["results"][4]["product"]["slug"], "four");
    assert_eq!(payload["userErrors"].as_array().unwrap().len(), 3);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bulk_a.products").await, 3);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_bulk_a.product_variants").await, 4);

    let empty = app.gql(&t.admin, BULK, json!({ "input": { "products": [] } })).await;
    assert_eq!(empty["data"]["productBulkCreate"]["userErrors"][0]["code"], "INVALID");
    let denied = app.gql(&t.storefront, BULK, json!({ "input": { "products": [bulk_item("x", &["X"])] } })).await;
    assert_eq!(error_code(&denied), "FORBIDDEN");
}

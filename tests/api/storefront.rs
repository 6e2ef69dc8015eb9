//! The catalog seen from a store: visibility, localized text, price overrides, the
//! precedence of prices, sorting and filtering, bundles and availability.

use serde_json::{Value, json};

use crate::fixtures::{PRODUCT_CREATE, product};
use crate::harness::{TestApp, TestTenant, error_code};

const STORE_PRODUCT_SET: &str = "mutation($input: StoreProductSetInput!) { storeProductSet(input: $input) {
    storeProduct { visible name priceOverride { amount currency } } userErrors { field code } } }";

const PRICE_LIST_CREATE: &str = "mutation($input: PriceListCreateInput!) { priceListCreate(input: $input) {
    priceList { id name } userErrors { field code } } }";

const ENTRIES_SET: &str = "mutation($input: PriceListEntriesSetInput!) { priceListEntriesSet(input: $input) {
    priceList { entries { price { amount currency } } } userErrors { field code } } }";

async fn store_with_currency(app: &TestApp, t: &TestTenant, code: &str, currency: &str) {
    let body = app
        .gql(
            &t.admin,
            crate::harness::STORE_CREATE,
            json!({ "input": { "code": code, "name": code, "defaultCurrency": currency } }),
        )
        .await;
    assert_eq!(body["data"]["storeCreate"]["userErrors"], json!([]), "{body}");
}

async fn set_in_store(app: &TestApp, t: &TestTenant, store: &str, product_id: &Value, fields: Value) -> Value {
    let mut input = json!({ "storeCode": store, "productId": product_id });
    input.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    app.gql(&t.admin, STORE_PRODUCT_SET, json!({ "input": input })).await["data"]["storeProductSet"].clone()
}

fn names(body: &Value) -> Vec<String> {
    body["data"]["products"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no products in {body}"))
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn in_store(app: &TestApp, token: &str, store: &str, query: &str, variables: Value) -> Value {
    app.post(&[("authorization", &format!("Bearer {token}")), ("x-store", store)], query, variables).await.1
}

#[tokio::test]
async fn a_store_shows_its_visible_active_products_with_its_own_text_and_prices() {
    let app = TestApp::start().await;
    let t = app.tenant("sf_view").await;
    store_with_currency(&app, &t, "fr", "EUR").await;
    store_with_currency(&app, &t, "us", "USD").await;
    let shirt = product(&app, &t, "shirt", "ACTIVE", &["SH-1"]).await;
    let hat = product(&app, &t, "hat", "ACTIVE", &["HAT-1"]).await;
    product(&app, &t, "draft", "DRAFT", &["DR-1"]).await;
    product(&app, &t, "old", "ARCHIVED", &["OLD-1"]).await;

    let set = set_in_store(&app, &t, "fr", &shirt["id"], json!({ "name": "Chemise", "priceOverride": "99.5" })).await;
    assert_eq!(set["storeProduct"]["priceOverride"], json!({ "amount": "99.50", "currency": "EUR" }), "{set}");
    let set = set_in_store(&app, &t, "us", &hat["id"], json!({ "visible": false })).await;
    assert_eq!(set["userErrors"], json!([]));

    let page = "query($store: String) { products(first: 10, store: $store) { totalCount edges { node { slug name price { amount currency } variants { sku price { amount currency } priceSource } } } } }";
    let fr = app.gql(&t.storefront, page, json!({ "store": "fr" })).await;
    assert_eq!(names(&fr), ["Chemise", "Product hat"], "{fr}");
    let chemise = &fr["data"]["products"]["edges"][0]["node"];
    assert_eq!(chemise["price"], json!({ "amount": "99.50", "currency": "EUR" }));
    assert_eq!(chemise["variants"][0]["priceSource"], "STORE_OVERRIDE");

    // The us store hides the hat and keeps the shirt's own name and price; the header
    // works like the argument.
    let us = in_store(&app, &t.storefront, "us", page, json!({})).await;
    assert_eq!(names(&us), ["Product shirt"], "{us}");
    assert_eq!(us["data"]["products"]["totalCount"], 1);
    assert_eq!(us["data"]["products"]["edges"][0]["node"]["price"], json!({ "amount": "10.00", "currency": "EUR" }));
    let hidden = in_store(
        &app,
        &t.storefront,
        "us",
        "{ product(slug: \"hat\") { slug } variant(sku: \"HAT-1\") { sku } }",
        json!({}),
    )
    .await;
    assert_eq!(hidden["data"], json!({ "product": null, "variant": null }), "{hidden}");

    // Drafts and archived products never reach a storefront, in any store.
    let all = app.gql(&t.storefront, page, json!({})).await;
    assert_eq!(names(&all), ["Product shirt", "Product hat"]);
    let draft = app
        .gql(&t.storefront, "{ product(slug: \"draft\") { slug } variant(sku: \"OLD-1\") { sku } }", json!({}))
        .await;
    assert_eq!(draft["data"], json!({ "product": null, "variant": null }));
    // The admin sees them, and every store's settings.
    let admin = app.gql(&t.admin, "{ product(slug: \"shirt\") { storeSettings { visible name } } }", json!({})).await;
    assert_eq!(admin["data"]["product"]["storeSettings"], json!([{ "visible": true, "name": "Chemise" }]));
    let denied = app.gql(&t.storefront, "{ product(slug: \"shirt\") { storeSettings { visible } } }", json!({})).await;
    assert_eq!(error_code(&denied), "FORBIDDEN");

    // Unknown stores and disagreeing store names are errors, not another store's view.
    let unknown = app.gql(&t.storefront, page, json!({ "store": "nope" })).await;
    assert_eq!(error_code(&unknown), "STORE_NOT_FOUND", "{unknown}");
    let clash = in_store(&app, &t.storefront, "us", page, json!({ "store": "fr" })).await;
    assert_eq!(error_code(&clash), "BAD_USER_INPUT");

    // Bad settings are refused and change nothing.
    let bad = set_in_store(&app, &t, "fr", &shirt["id"], json!({ "priceOverride": "-1", "name": "  " })).await;
    let codes: Vec<&str> = bad["userErrors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["NEGATIVE_PRICE", "REQUIRED"]);
    let missing = set_in_store(&app, &t, "nowhere", &shirt["id"], json!({ "visible": false })).await;
    assert_eq!(missing["userErrors"], json!([{ "field": ["input", "storeCode"], "code": "NOT_FOUND" }]));
    let fr = app.gql(&t.storefront, page, json!({ "store": "fr" })).await;
    assert_eq!(fr["data"]["products"]["edges"][0]["node"]["price"]["amount"], "99.50");
}

/// A tenant with stores eu (EUR) and us (USD), the product lamp (LAMP-A, LAMP-B at
/// 12.50) and six price lists with an entry for LAMP-A each: expired (1), future (2),
/// pos only (3), low (9, priority 1), high (8, priority 5, running) and us store (7, USD,
/// priority 10). Returns the tenant, the product and the lists' ids by name.
async fn priced_lamp(app: &TestApp) -> (TestTenant, Value, std::collections::HashMap<&'static str, Value>) {
    let t = app.tenant("sf_price").await;
    store_with_currency(app, &t, "eu", "EUR").await;
    store_with_currency(app, &t, "us", "USD").await;
    let p = product(app, &t, "lamp", "ACTIVE", &["LAMP-A", "LAMP-B"]).await;
    let stores = app.gql(&t.admin, "{ stores(first: 5) { edges { node { id code } } } }", json!({})).await;
    let us_id = stores["data"]["stores"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["code"] == "us")
        .unwrap()["node"]["id"]
        .clone();

    let day = chrono::Duration::days(1);
    let now = chrono::Utc::now();
    let lists = [
        ("expired", json!({ "priority": 100, "endsAt": (now - day).to_rfc3339() }), "1"),
        ("future", json!({ "priority": 100, "startsAt": (now + day).to_rfc3339() }), "2"),
        ("pos only", json!({ "priority": 90, "channel": "POS" }), "3"),
        ("low", json!({ "priority": 1 }), "9"),
        (
            "high",
            json!({ "priority": 5, "startsAt": (now - day).to_rfc3339(), "endsAt": (now + day).to_rfc3339() }),
            "8",
        ),
        ("us store", json!({ "priority": 10, "storeId": us_id, "currency": "USD" }), "7"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (name, extra, amount) in lists {
        let mut input = json!({ "name": name, "currency": "EUR" });
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let body = app.gql(&t.admin, PRICE_LIST_CREATE, json!({ "input": input })).await;
        assert_eq!(body["data"]["priceListCreate"]["userErrors"], json!([]), "{body}");
        let id = body["data"]["priceListCreate"]["priceList"]["id"].clone();
        let body = app
            .gql(
                &t.admin,
                ENTRIES_SET,
                json!({ "input": { "priceListId": id, "entries": [{ "sku": "LAMP-A", "amount": amount }] } }),
            )
            .await;
        assert_eq!(body["data"]["priceListEntriesSet"]["userErrors"], json!([]), "{body}");
        ids.insert(name, id);
    }
    (t, p, ids)
}

/// Both lamp variants' price and its source, in a store or none.
const PRICES: &str =
    "query($store: String) { variant(sku: \"LAMP-A\", store: $store) { price { amount currency } priceSource }
        b: variant(sku: \"LAMP-B\", store: $store) { price { amount currency } priceSource } }";

#[tokio::test]
async fn without_a_store_the_running_list_of_highest_priority_sets_the_price() {
    let app = TestApp::start().await;
    let (t, _, _) = priced_lamp(&app).await;
    let body = app.gql(&t.storefront, PRICES, json!({})).await;
    assert_eq!(
        body["data"]["variant"],
        json!({ "price": { "amount": "8.00", "currency": "EUR" }, "priceSource": "PRICE_LIST" }),
        "{body}"
    );
    assert_eq!(
        body["data"]["b"],
        json!({ "price": { "amount": "12.50", "currency": "EUR" }, "priceSource": "VARIANT_PRICE" })
    );
}

#[tokio::test]
async fn a_stores_own_list_outranks_the_others_there_in_its_currency() {
    let app = TestApp::start().await;
    let (t, _, _) = priced_lamp(&app).await;
    let body = app.gql(&t.storefront, PRICES, json!({ "store": "us" })).await;
    assert_eq!(body["data"]["variant"]["price"], json!({ "amount": "7.00", "currency": "USD" }));
    let body = app.gql(&t.storefront, PRICES, json!({ "store": "eu" })).await;
    assert_eq!(body["data"]["variant"]["price"]["amount"], "8.00");
}

#[tokio::test]
async fn switching_a_list_off_leaves_the_next_one() {
    let app = TestApp::start().await;
    let (t, _, ids) = priced_lamp(&app).await;
    let body = app.gql(&t.storefront, PRICES, json!({ "store": "eu" })).await;
    assert_eq!(body["data"]["variant"]["price"]["amount"], "8.00");
    let body = app
        .gql(
            &t.admin,
            "mutation($id: ID!) { priceListUpdate(input: { id: $id, active: false }) { userErrors { code } } }",
            json!({ "id": ids["high"] }),
        )
        .await;
    assert_eq!(body["data"]["priceListUpdate"]["userErrors"], json!([]));
    let body = app.gql(&t.storefront, PRICES, json!({ "store": "eu" })).await;
    assert_eq!(body["data"]["variant"]["price"]["amount"], "9.00");
}

#[tokio::test]
async fn a_store_override_beats_every_list_for_every_variant() {
    let app = TestApp::start().await;
    let (t, p, _) = priced_lamp(&app).await;
    set_in_store(&app, &t, "us", &p["id"], json!({ "priceOverride": "5" })).await;
    let body = app.gql(&t.storefront, PRICES, json!({ "store": "us" })).await;
    assert_eq!(
        body["data"]["variant"],
        json!({ "price": { "amount": "5.00", "currency": "USD" }, "priceSource": "STORE_OVERRIDE" })
    );
    assert_eq!(body["data"]["b"]["priceSource"], "STORE_OVERRIDE");
}

#[tokio::test]
async fn bad_price_list_input_is_refused_and_writes_nothing() {
    let app = TestApp::start().await;
    let (t, _, ids) = priced_lamp(&app).await;
    let day = chrono::Duration::days(1);
    let now = chrono::Utc::now();
    let before = app.sql_count("SELECT count(*) AS n FROM t_sf_price.price_lists").await;
    let bad = app.gql(&t.admin, PRICE_LIST_CREATE, json!({ "input": { "name": "low", "currency": "EUR" } })).await;
    assert_eq!(
        bad["data"]["priceListCreate"]["userErrors"],
        json!([{ "field": ["input", "name"], "code": "DUPLICATE" }])
    );
    let bad = app
        .gql(&t.admin, PRICE_LIST_CREATE, json!({ "input": { "name": "x", "currency": "EURO", "startsAt": now.to_rfc3339(), "endsAt": (now - day).to_rfc3339() } }))
        .await;
    assert_eq!(
        bad["data"]["priceListCreate"]["userErrors"],
        json!([{ "field": ["input", "currency"], "code": "INVALID_CURRENCY" }, { "field": ["input", "endsAt"], "code": "INVALID" }])
    );
    let bad = app
        .gql(&t.admin, ENTRIES_SET, json!({ "input": { "priceListId": ids["low"], "entries": [{ "sku": "LAMP-B", "amount": "4" }, { "sku": "NOPE", "amount": "1" }, { "sku": "LAMP-A", "amount": "-2" }] } }))
        .await;
    assert_eq!(
        bad["data"]["priceListEntriesSet"]["userErrors"],
        json!([{ "field": ["input", "entries", "2", "amount"], "code": "NEGATIVE_PRICE" }]),
        "{bad}"
    );
    let bad = app
        .gql(&t.admin, ENTRIES_SET, json!({ "input": { "priceListId": ids["low"], "entries": [{ "sku": "LAMP-B", "amount": "4" }, { "sku": "NOPE", "amount": "1" }] } }))
        .await;
    assert_eq!(
        bad["data"]["priceListEntriesSet"]["userErrors"],
        json!([{ "field": ["input", "entries", "1", "sku"], "code": "NOT_FOUND" }])
    );
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_sf_price.price_lists").await, before);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_sf_price.price_list_entries").await, 6);
    let denied =
        app.gql(&t.storefront, PRICE_LIST_CREATE, json!({ "input": { "name": "s", "currency": "EUR" } })).await;
    assert_eq!(error_code(&denied), "FORBIDDEN");
}

#[tokio::test]
async fn listings_sort_by_name_price_and_relevance_and_filter_by_price_type_and_stock() {
    let app = TestApp::start().await;
    let t = app.tenant("sf_sort").await;
    // Names and prices chosen so that every order differs from creation order.
    for (slug, name, price, kind) in [
        ("b-desk", "Oak desk", "300", "SIMPLE"),
        ("a-chair", "Desk chair", "120", "SIMPLE"),
        ("c-lamp", "Desk", "45", "SIMPLE"),
        ("d-ebook", "Guide to desks", "9", "VIRTUAL"),
    ] {
        let body = app
            .gql(
                &t.admin,
                PRODUCT_CREATE,
                json!({ "input": {
                "slug": slug, "name": name, "status": "ACTIVE", "productType": kind, "basePrice": price,
                "currency": "EUR", "variants": [{ "sku": slug.to_uppercase() }] } }),
            )
            .await;
        assert_eq!(body["data"]["productCreate"]["userErrors"], json!([]), "{body}");
    }
    let set = "mutation { inventorySet(input: { sku: \"A-CHAIR\", quantity: 3, reason: \"count\" }) { userErrors { code } } }";
    assert_eq!(app.gql(&t.admin, set, json!({})).await["data"]["inventorySet"]["userErrors"], json!([]));

    let q = "query($sort: ProductSortInput, $filter: ProductFilterInput, $first: Int, $after: String, $last: Int, $before: String) {
        products(sortBy: $sort, filter: $filter, first: $first, after: $after, last: $last, before: $before) {
            pageInfo { endCursor startCursor } edges { node { name available availableQuantity } } } }";
    let list = |sort: Value, filter: Value| {
        let app = &app;
        let token = t.storefront.clone();
        async move { names(&app.gql(&token, q, json!({ "sort": sort, "filter": filter })).await) }
    };
    assert_eq!(
        list(json!({ "field": "NAME" }), json!(null)).await,
        ["Desk", "Desk chair", "Guide to desks", "Oak desk"]
    );
    assert_eq!(
        list(json!({ "field": "PRICE", "direction": "DESC" }), json!(null)).await,
        ["Oak desk", "Desk chair", "Desk", "Guide to desks"]
    );
    // Relevance: the exact name, then a name starting with the search, then names that
    // contain it (equally relevant among themselves, in id order).
    let mut relevant = list(json!({ "field": "RELEVANCE", "direction": "DESC" }), json!({ "search": "desk" })).await;
    assert_eq!(relevant[..2], ["Desk", "Desk chair"]);
    relevant[2..].sort();
    assert_eq!(relevant[2..], ["Guide to desks", "Oak desk"]);
    assert_eq!(list(json!(null), json!({ "price": { "gte": "45", "lte": "120" } })).await, ["Desk chair", "Desk"]);
    assert_eq!(list(json!(null), json!({ "productType": ["VIRTUAL"] })).await, ["Guide to desks"]);
    // Available: the stocked chair and the virtual guide (virtual goods never run out).
    assert_eq!(list(json!({ "field": "NAME" }), json!({ "available": true })).await, ["Desk chair", "Guide to desks"]);
    assert_eq!(list(json!({ "field": "NAME" }), json!({ "available": false })).await, ["Desk", "Oak desk"]);
    let body = app.gql(&t.storefront, q, json!({ "sort": { "field": "NAME" }, "first": 2 })).await;
    assert_eq!(
        body["data"]["products"]["edges"][1]["node"],
        json!({ "name": "Desk chair", "available": true, "availableQuantity": 3 })
    );

    // Paging by price, forwards then backwards from the end, visits each product once.
    let sort = json!({ "field": "PRICE" });
    let first = app.gql(&t.storefront, q, json!({ "sort": sort, "first": 3 })).await;
    assert_eq!(names(&first), ["Guide to desks", "Desk", "Desk chair"]);
    let end = first["data"]["products"]["pageInfo"]["endCursor"].clone();
    let next = app.gql(&t.storefront, q, json!({ "sort": sort, "first": 3, "after": end })).await;
    assert_eq!(names(&next), ["Oak desk"]);
    let start = next["data"]["products"]["pageInfo"]["startCursor"].clone();
    let back = app.gql(&t.storefront, q, json!({ "sort": sort, "last": 2, "before": start })).await;
    assert_eq!(names(&back), ["Desk", "Desk chair"]);
    // A cursor only works with the order it came from; relevance needs a search.
    let wrong = app.gql(&t.storefront, q, json!({ "sort": { "field": "NAME" }, "first": 3, "after": end })).await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    let wrong = app.gql(&t.storefront, q, json!({ "sort": { "field": "RELEVANCE" } })).await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
}

#[tokio::test]
async fn bundles_are_made_of_other_products_variants_and_available_when_all_parts_are() {
    let app = TestApp::start().await;
    let t = app.tenant("sf_bundle").await;
    product(&app, &t, "camera", "ACTIVE", &["CAM"]).await;
    product(&app, &t, "lens", "ACTIVE", &["LENS"]).await;
    let body = app
        .gql(
            &t.admin,
            PRODUCT_CREATE,
            json!({ "input": {
            "slug": "kit", "name": "Camera kit", "status": "ACTIVE", "productType": "BUNDLE", "basePrice": "999",
            "currency": "EUR", "variants": [{ "sku": "KIT" }] } }),
        )
        .await;
    let kit = body["data"]["productCreate"]["product"]["id"].clone();
    let set = "mutation($input: ProductBundleSetInput!) { productBundleSet(input: $input) {
        product { bundleComponents { quantity variant { sku } } } userErrors { field code } } }";
    let body = app
        .gql(&t.admin, set, json!({ "input": { "productId": kit, "components": [{ "sku": "CAM" }, { "sku": "LENS", "quantity": 2 }] } }))
        .await;
    assert_eq!(body["data"]["productBundleSet"]["userErrors"], json!([]), "{body}");

    let q = "{ product(slug: \"kit\") { available availableQuantity bundleComponents { quantity variant { sku price { amount } } } } }";
    let body = app.gql(&t.storefront, q, json!({})).await;
    assert_eq!(
        body["data"]["product"]["bundleComponents"][1],
        json!({ "quantity": 2, "variant": { "sku": "LENS", "price": { "amount": "10.00" } } })
    );
    assert_eq!(body["data"]["product"]["available"], false);
    for (sku, quantity) in [("CAM", 5), ("LENS", 3)] {
        let m = format!(
            "mutation {{ inventorySet(input: {{ sku: \"{sku}\", quantity: {quantity}, reason: \"in\" }}) {{ userErrors {{ code }} }} }}"
        );
        app.gql(&t.admin, &m, json!({})).await;
    }
    let body = app.gql(&t.storefront, q, json!({})).await;
    assert_eq!(body["data"]["product"]["available"], true);
    assert_eq!(body["data"]["product"]["availableQuantity"], 1, "3 lenses make one kit of two: {body}");
    let listed = app
        .gql(
            &t.storefront,
            "{ products(filter: { available: true, productType: [BUNDLE] }) { edges { node { slug } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["products"]["edges"], json!([{ "node": { "slug": "kit" } }]));

    // Refused: a bundle inside a bundle, the same variant twice, unknown SKUs, non-bundles.
    let bad = app
        .gql(&t.admin, set, json!({ "input": { "productId": kit, "components": [{ "sku": "KIT" }, { "sku": "CAM" }, { "sku": "CAM" }, { "sku": "NOPE" }, { "sku": "LENS", "quantity": 0 }] } }))
        .await;
    assert_eq!(
        bad["data"]["productBundleSet"]["userErrors"],
        json!([{ "field": ["input", "components", "4", "quantity"], "code": "INVALID" }])
    );
    let bad = app
        .gql(&t.admin, set, json!({ "input": { "productId": kit, "components": [{ "sku": "KIT" }, { "sku": "CAM" }, { "sku": "CAM" }, { "sku": "NOPE" }] } }))
        .await;
    let codes: Vec<&str> = bad["data"]["productBundleSet"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["INVALID", "DUPLICATE", "NOT_FOUND"], "{bad}");
    let camera =
        app.gql(&t.admin, "{ product(slug: \"camera\") { id } }", json!({})).await["data"]["product"]["id"].clone();
    let bad =
        app.gql(&t.admin, set, json!({ "input": { "productId": camera, "components": [{ "sku": "LENS" }] } })).await;
    assert_eq!(
        bad["data"]["productBundleSet"]["userErrors"],
        json!([{ "field": ["input", "productId"], "code": "INVALID" }])
    );
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_sf_bundle.bundle_components").await, 2);
}

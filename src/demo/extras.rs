//! The parts of the demo catalogs that make each store different: localized names and
//! price overrides, hidden products, price lists (a running sale, a store's own list, a
//! launch price not yet valid), bundle contents and a second stock location.
//!
//! Steps are mutations with their inputs; a string `"@product:<slug>"` in an input stands
//! for that product's id and `"@list:<name>"` for the id of a price list made earlier.

use serde_json::{Value, json};

/// `storeProductSet`.
pub const STORE_PRODUCT_SET: &str =
    "mutation($input: StoreProductSetInput!) { storeProductSet(input: $input) { userErrors { field code message } } }";
/// `priceListCreate`.
pub const PRICE_LIST_CREATE: &str = "mutation($input: PriceListCreateInput!) { priceListCreate(input: $input) { priceList { id name } userErrors { field code message } } }";
/// `priceListEntriesSet`.
pub const PRICE_LIST_ENTRIES_SET: &str = "mutation($input: PriceListEntriesSetInput!) { priceListEntriesSet(input: $input) { userErrors { field code message } } }";
/// `productBundleSet`.
pub const BUNDLE_SET: &str = "mutation($input: ProductBundleSetInput!) { productBundleSet(input: $input) { userErrors { field code message } } }";
/// `locationCreate`.
pub const LOCATION_CREATE: &str =
    "mutation($input: LocationCreateInput!) { locationCreate(input: $input) { userErrors { field code message } } }";
/// `attributeDefinitionCreate`.
pub const ATTRIBUTE_CREATE: &str = "mutation($input: AttributeDefinitionCreateInput!) { attributeDefinitionCreate(input: $input) { userErrors { field code message } } }";
/// `productAttributesSet`.
pub const ATTRIBUTES_SET: &str = "mutation($input: ProductAttributesSetInput!) { productAttributesSet(input: $input) { userErrors { field code message } } }";
/// `inventorySet`.
pub const INVENTORY_SET: &str =
    "mutation($input: InventorySetInput!) { inventorySet(input: $input) { userErrors { field code message } } }";

/// The steps for the demo tenant `slug`, in order. `days(n)` is a time `n` days from now.
pub fn steps(slug: &str, days: impl Fn(i64) -> String) -> Vec<(&'static str, Value)> {
    match slug {
        "demo_apparel" => vec![
            (
                ATTRIBUTE_CREATE,
                json!({ "code": "material", "name": "Material", "type": "SELECT", "options": [
                { "value": "linen", "label": "Linen" }, { "value": "cotton", "label": "Cotton" }, { "value": "merino", "label": "Merino wool" },
                { "value": "wool", "label": "Wool" }, { "value": "denim", "label": "Denim" }, { "value": "nylon", "label": "Nylon" } ] }),
            ),
            (
                ATTRIBUTE_CREATE,
                json!({ "code": "fit", "name": "Fit", "type": "SELECT", "options": [
                { "value": "slim", "label": "Slim" }, { "value": "regular", "label": "Regular" }, { "value": "relaxed", "label": "Relaxed" } ] }),
            ),
            (ATTRIBUTE_CREATE, json!({ "code": "machine_washable", "name": "Machine washable", "type": "BOOLEAN" })),
            (
                ATTRIBUTES_SET,
                values("linen-shirt", &[("material", "linen"), ("fit", "relaxed"), ("machine_washable", "true")]),
            ),
            (
                ATTRIBUTES_SET,
                values("oxford-shirt", &[("material", "cotton"), ("fit", "slim"), ("machine_washable", "true")]),
            ),
            (
                ATTRIBUTES_SET,
                values("merino-sweater", &[("material", "merino"), ("fit", "regular"), ("machine_washable", "false")]),
            ),
            (
                ATTRIBUTES_SET,
                values("chino-trousers", &[("material", "cotton"), ("fit", "slim"), ("machine_washable", "true")]),
            ),
            (
                ATTRIBUTES_SET,
                values("rain-jacket", &[("material", "nylon"), ("fit", "regular"), ("machine_washable", "true")]),
            ),
            (
                ATTRIBUTES_SET,
                values("cotton-tee", &[("material", "cotton"), ("fit", "regular"), ("machine_washable", "true")]),
            ),
            (
                ATTRIBUTES_SET,
                values("wool-coat", &[("material", "wool"), ("fit", "regular"), ("machine_washable", "false")]),
            ),
            (
                ATTRIBUTES_SET,
                values("denim-jeans", &[("material", "denim"), ("fit", "slim"), ("machine_washable", "true")]),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "de", "productId": "@product:linen-shirt", "name": "Leinenhemd", "description": "Leinenhemd, gemacht für viele Sommer.", "priceOverride": "37.90" }),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "de", "productId": "@product:merino-sweater", "name": "Merino-Pullover", "priceOverride": "84.00" }),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "de", "productId": "@product:rain-jacket", "name": "Regenjacke", "priceOverride": "119.00" }),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "de", "productId": "@product:chino-trousers", "name": "Chinohose", "priceOverride": "55.00" }),
            ),
            // The wool coat is not sold in the US store.
            (STORE_PRODUCT_SET, json!({ "storeCode": "us", "productId": "@product:wool-coat", "visible": false })),
            (
                PRICE_LIST_CREATE,
                json!({ "name": "Winter sale", "currency": "USD", "priority": 10, "startsAt": days(-2), "endsAt": days(28) }),
            ),
            (
                PRICE_LIST_ENTRIES_SET,
                json!({ "priceListId": "@list:Winter sale", "entries": [
                { "sku": "WOOL-COAT-CAMEL-M", "amount": "199.00" }, { "sku": "WOOL-COAT-CHARCOAL-M", "amount": "199.00" },
                { "sku": "MERINO-SWEATER-GREY-M", "amount": "69.00" }, { "sku": "MERINO-SWEATER-GREEN-M", "amount": "69.00" } ] }),
            ),
            (
                PRICE_LIST_CREATE,
                json!({ "name": "Spring preview", "currency": "USD", "priority": 20, "startsAt": days(60) }),
            ),
            (
                PRICE_LIST_ENTRIES_SET,
                json!({ "priceListId": "@list:Spring preview", "entries": [
                { "sku": "COTTON-TEE-WHITE-M", "amount": "14.90" } ] }),
            ),
        ],
        _ => vec![
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "jp", "productId": "@product:aurora-laptop-14", "name": "オーロラ ラップトップ 14", "priceOverride": "159800" }),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "jp", "productId": "@product:pulse-phone", "name": "パルス フォン", "priceOverride": "109800" }),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "jp", "productId": "@product:echo-buds", "priceOverride": "22800" }),
            ),
            // Not sold in Japan.
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "jp", "productId": "@product:studio-headphones", "visible": false }),
            ),
            (
                STORE_PRODUCT_SET,
                json!({ "storeCode": "jp", "productId": "@product:work-from-anywhere-bundle", "visible": false }),
            ),
            (
                PRICE_LIST_CREATE,
                json!({ "name": "Black Friday", "currency": "GBP", "priority": 10, "startsAt": days(-1), "endsAt": days(6) }),
            ),
            (
                PRICE_LIST_ENTRIES_SET,
                json!({ "priceListId": "@list:Black Friday", "entries": [
                { "sku": "AURORA-LAPTOP-14-256GB", "amount": "899.00" }, { "sku": "ECHO-BUDS", "amount": "119.00" },
                { "sku": "STUDIO-HEADPHONES", "amount": "249.00" } ] }),
            ),
            (PRICE_LIST_CREATE, json!({ "name": "Shop counter", "currency": "GBP", "priority": 5, "channel": "POS" })),
            (
                PRICE_LIST_ENTRIES_SET,
                json!({ "priceListId": "@list:Shop counter", "entries": [
                { "sku": "VOLT-CHARGER-65W", "amount": "35.00" } ] }),
            ),
            (
                BUNDLE_SET,
                json!({ "productId": "@product:work-from-anywhere-bundle", "components": [
                { "sku": "AURORA-LAPTOP-14-256GB" }, { "sku": "ECHO-BUDS" }, { "sku": "VOLT-CHARGER-65W" } ] }),
            ),
            (LOCATION_CREATE, json!({ "code": "london-shop", "name": "London shop", "kind": "STORE" })),
            (
                INVENTORY_SET,
                json!({ "sku": "PULSE-PHONE-128GB", "locationCode": "london-shop", "quantity": 6, "reason": "demo stock" }),
            ),
            (
                INVENTORY_SET,
                json!({ "sku": "ECHO-BUDS", "locationCode": "london-shop", "quantity": 12, "reason": "demo stock" }),
            ),
        ],
    }
}

/// `productAttributesSet` input: one value per attribute of product `slug`.
fn values(slug: &str, pairs: &[(&str, &str)]) -> Value {
    let values: Vec<Value> = pairs.iter().map(|(code, value)| json!({ "code": code, "values": [value] })).collect();
    json!({ "productId": format!("@product:{slug}"), "values": values })
}

/// Replaces `"@product:<slug>"` and `"@list:<name>"` strings in `value` with ids.
pub fn resolve(value: &mut Value, lookup: &dyn Fn(&str) -> Option<Value>) {
    match value {
        Value::String(s) if s.starts_with('@') => {
            if let Some(id) = lookup(s) {
                *value = id;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, lookup)),
        Value::Object(fields) => fields.values_mut().for_each(|v| resolve(v, lookup)),
        _ => {}
    }
}

//! The demo catalogs: an apparel tenant whose products come in sizes and colours, and an
//! electronics tenant with storage options and bundles. Deterministic, so every demo
//! looks the same.

use serde_json::{Value, json};

const SIZES: &[&str] = &["S", "M", "L", "XL"];

/// `productCreate` inputs for the demo tenant `slug`.
pub fn products(slug: &str) -> Vec<Value> {
    match slug {
        "demo_apparel" => apparel(),
        _ => electronics(),
    }
}

fn apparel() -> Vec<Value> {
    let lines = [
        ("linen-shirt", "Linen Shirt", "39.90", &["white", "sand", "navy"][..]),
        ("oxford-shirt", "Oxford Shirt", "49.00", &["white", "blue"][..]),
        ("merino-sweater", "Merino Sweater", "89.00", &["grey", "green", "burgundy"][..]),
        ("chino-trousers", "Chino Trousers", "59.90", &["khaki", "navy"][..]),
        ("rain-jacket", "Rain Jacket", "129.00", &["yellow", "black"][..]),
        ("cotton-tee", "Cotton Tee", "19.90", &["white", "black", "red", "blue"][..]),
        ("wool-coat", "Wool Coat", "249.00", &["camel", "charcoal"][..]),
        ("denim-jeans", "Denim Jeans", "79.00", &["indigo", "black"][..]),
    ];
    let mut out = Vec::new();
    for (i, (slug, name, price, colours)) in lines.iter().enumerate() {
        let mut variants = Vec::new();
        for colour in colours.iter() {
            for (s, size) in SIZES.iter().enumerate() {
                variants.push(json!({
                    "sku": format!("{}-{}-{}", slug.to_uppercase(), colour.to_uppercase(), size),
                    "name": format!("{name} {colour} {size}"),
                    // The largest size costs a little more.
                    "price": (s == SIZES.len() - 1).then(|| bump_by(price, 5)),
                    "optionValues": [{ "name": "colour", "value": colour }, { "name": "size", "value": size }],
                }));
            }
        }
        out.push(json!({
            "slug": slug, "name": name, "productType": "CONFIGURABLE", "basePrice": price, "currency": "USD",
            "status": if i == 7 { "DRAFT" } else { "ACTIVE" },
            "description": format!("{name}, made to last. Available in {} colours.", colours.len()),
            "seoTitle": format!("{name} | Northwind Apparel"),
            "variants": variants,
            "images": colours.iter().map(|c| json!({
                "url": format!("https://images.example.com/apparel/{slug}-{c}.jpg"), "alt": format!("{name} in {c}") })).collect::<Vec<_>>(),
        }));
    }
    out
}

fn electronics() -> Vec<Value> {
    let devices = [
        ("aurora-laptop-14", "Aurora Laptop 14", "999.00", &["256GB", "512GB", "1TB"][..]),
        ("aurora-laptop-16", "Aurora Laptop 16", "1399.00", &["512GB", "1TB"][..]),
        ("pulse-phone", "Pulse Phone", "699.00", &["128GB", "256GB", "512GB"][..]),
        ("echo-buds", "Echo Buds", "149.00", &[][..]),
        ("studio-headphones", "Studio Headphones", "299.00", &[][..]),
        ("volt-charger-65w", "Volt Charger 65W", "39.00", &[][..]),
        ("smart-watch", "Smart Watch", "249.00", &["40mm", "44mm"][..]),
    ];
    let mut out = Vec::new();
    for (slug, name, price, storage) in devices {
        let variants: Vec<Value> = if storage.is_empty() {
            vec![json!({ "sku": slug.to_uppercase(), "name": name })]
        } else {
            storage
                .iter()
                .enumerate()
                .map(|(i, option)| {
                    json!({
                        "sku": format!("{}-{}", slug.to_uppercase(), option),
                        "name": format!("{name} {option}"),
                        "price": (i > 0).then(|| bump_by(price, 100 * i as u64)),
                        "optionValues": [{ "name": if option.ends_with("mm") { "size" } else { "storage" }, "value": option }],
                    })
                })
                .collect()
        };
        out.push(json!({
            "slug": slug, "name": name,
            "productType": if storage.is_empty() { "SIMPLE" } else { "CONFIGURABLE" },
            "basePrice": price, "currency": "GBP", "status": "ACTIVE",
            "description": format!("{name} by Voltline."),
            "variants": variants,
            "images": [{ "url": format!("https://images.example.com/electronics/{slug}.jpg"), "alt": name }],
        }));
    }
    out.push(json!({
        "slug": "work-from-anywhere-bundle", "name": "Work From Anywhere Bundle", "productType": "BUNDLE",
        "basePrice": "1149.00", "currency": "GBP", "status": "ACTIVE",
        "description": "Aurora Laptop 14, Echo Buds and a 65W charger, together for less.",
        "variants": [{ "sku": "BUNDLE-WFA", "name": "Work From Anywhere Bundle" }],
        "images": [{ "url": "https://images.example.com/electronics/bundle-wfa.jpg", "alt": "The bundle" }],
    }));
    out
}

/// `price` plus `amount` whole units, exactly.
fn bump_by(price: &str, amount: u64) -> String {
    let (units, cents) = price.split_once('.').unwrap_or((price, "00"));
    format!("{}.{cents}", units.parse::<u64>().unwrap_or(0) + amount)
}

/// The demo stock of a SKU: 0 to 24 units, the same every run (about one in eight sold out).
pub fn stock_of(sku: &str) -> u32 {
    let n = sku.bytes().fold(7u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b)));
    if n % 8 == 0 { 0 } else { n % 25 }
}

/// The demo category tree of a tenant: (slug, name, parent slug), parents first.
pub fn categories(tenant: &str) -> &'static [(&'static str, &'static str, Option<&'static str>)] {
    match tenant {
        "demo_apparel" => &[
            ("clothing", "Clothing", None),
            ("tops", "Tops", Some("clothing")),
            ("shirts", "Shirts", Some("tops")),
            ("knitwear", "Knitwear", Some("tops")),
            ("bottoms", "Bottoms", Some("clothing")),
            ("outerwear", "Outerwear", Some("clothing")),
        ],
        _ => &[
            ("computers", "Computers", None),
            ("laptops", "Laptops", Some("computers")),
            ("phones", "Phones", None),
            ("audio", "Audio", None),
            ("wearables", "Wearables", None),
            ("accessories", "Accessories", None),
            ("bundles", "Bundles", None),
        ],
    }
}

/// Which category each demo product is in: (product slug, category slug).
pub fn placements(tenant: &str) -> &'static [(&'static str, &'static str)] {
    match tenant {
        "demo_apparel" => &[
            ("linen-shirt", "shirts"),
            ("oxford-shirt", "shirts"),
            ("cotton-tee", "tops"),
            ("merino-sweater", "knitwear"),
            ("chino-trousers", "bottoms"),
            ("denim-jeans", "bottoms"),
            ("rain-jacket", "outerwear"),
            ("wool-coat", "outerwear"),
        ],
        _ => &[
            ("aurora-laptop-14", "laptops"),
            ("aurora-laptop-16", "laptops"),
            ("pulse-phone", "phones"),
            ("echo-buds", "audio"),
            ("studio-headphones", "audio"),
            ("smart-watch", "wearables"),
            ("volt-charger-65w", "accessories"),
            ("work-from-anywhere-bundle", "bundles"),
        ],
    }
}

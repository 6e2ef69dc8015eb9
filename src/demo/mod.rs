//! `serve --demo`: two demo tenants with stores, catalogs, customers, a loyalty program,
//! royalty rules, orders and fresh API keys, created through the same GraphQL API clients
//! use. Safe to run again: existing tenants, stores, products, customers and rules are
//! kept, and the previous demo keys are revoked in favour of new ones (the printed
//! instructions say so: tokens are stored hashed, so the old ones cannot be printed again).

use std::net::SocketAddr;

use anyhow::{Context as _, bail};

use crate::db::Database;
use crate::graphql::{AppSchema, Limits, build_schema};
use crate::tenancy::{self, Caller, ControlPlane, Credentials, ProvisionError, Role, Slug};

const DEMO_LABEL: &str = "demo";

/// A demo tenant and the tokens minted for it in this run.
pub struct DemoTenant {
    /// Its slug.
    pub slug: &'static str,
    /// An admin token.
    pub admin_token: String,
    /// A storefront token.
    pub storefront_token: String,
    /// Whether this run revoked the demo tokens an earlier run printed, so that the
    /// instructions can say the old ones stopped working.
    pub replaced_tokens: bool,
}

struct Spec {
    slug: &'static str,
    name: &'static str,
    stores: &'static [(&'static str, &'static str, &'static str, &'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    Spec {
        slug: "demo_apparel",
        name: "Northwind Apparel",
        stores: &[
            ("us", "Northwind US", "us.apparel.example", "en-US", "USD"),
            ("de", "Northwind Deutschland", "de.apparel.example", "de-DE", "EUR"),
        ],
    },
    Spec {
        slug: "demo_electronics",
        name: "Voltline Electronics",
        stores: &[
            ("uk", "Voltline UK", "uk.electronics.example", "en-GB", "GBP"),
            ("jp", "Voltline Japan", "jp.electronics.example", "ja-JP", "JPY"),
        ],
    },
];

mod catalog;
mod customers;
mod extras;
mod loyalty;
mod orders;
mod promotions;
mod royalty;

const PRODUCT_CREATE: &str = "mutation($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { field code message } } }";

const CATEGORY_CREATE: &str = "mutation($input: CategoryCreateInput!) { categoryCreate(input: $input) { category { id } userErrors { field code message } } }";

const CATEGORY_ASSIGN: &str = "mutation($input: CategoryProductsInput!) { categoryAssignProducts(input: $input) { userErrors { field code message } } }";

const STORE_CREATE: &str =
    "mutation($input: StoreCreateInput!) { storeCreate(input: $input) { store { code } userErrors { code message } } }";

/// Creates (or refreshes) the demo tenants on the database at `url`.
pub async fn provision(url: &str, db: &Database) -> anyhow::Result<Vec<DemoTenant>> {
    let control = ControlPlane::new(db.control.clone());
    let schema = build_schema(Limits::default());
    let mut out = Vec::new();
    for spec in SPECS {
        match tenancy::create_tenant(url, spec.slug, spec.name).await {
            Ok(_) | Err(ProvisionError::Exists(_)) => {}
            Err(e) => return Err(e).context("cannot create a demo tenant"),
        }
        let tenant = control.tenant_by_slug(&Slug::parse(spec.slug)?).await?.context("demo tenant vanished")?;
        let replaced_tokens = control.revoke_keys(&tenant, None, Some(DEMO_LABEL)).await? > 0;
        let (_, admin) = control.create_key(&tenant, Role::Admin, DEMO_LABEL, None).await?;
        let (_, storefront) = control.create_key(&tenant, Role::Storefront, DEMO_LABEL, None).await?;

        let credentials = Credentials { authorization: Some(format!("Bearer {}", admin.secret)), ..Default::default() };
        let caller = tenancy::resolve(&control, &db.pool, &credentials).await;
        if !matches!(caller, Caller::Tenant(_)) {
            bail!("the demo admin token did not resolve");
        }
        for (code, name, domain, locale, currency) in spec.stores {
            let input = serde_json::json!({
                "code": code, "name": name, "domain": domain, "locale": locale, "defaultCurrency": currency,
            });
            run(&schema, &caller, STORE_CREATE, input).await?;
        }
        // The catalog is made once: on a later run the products exist and nothing is added.
        let mut product_ids = std::collections::HashMap::new();
        for input in catalog::products(spec.slug) {
            if let Some(created) = run(&schema, &caller, PRODUCT_CREATE, input.clone()).await? {
                product_ids
                    .insert(input["slug"].as_str().unwrap_or_default().to_owned(), created["product"]["id"].clone());
                for sku in input["variants"].as_array().into_iter().flatten().filter_map(|v| v["sku"].as_str()) {
                    let stock =
                        serde_json::json!({ "sku": sku, "quantity": catalog::stock_of(sku), "reason": "demo stock" });
                    run(&schema, &caller, extras::INVENTORY_SET, stock).await?;
                }
            }
        }
        if !product_ids.is_empty() {
            let mut category_ids = std::collections::HashMap::new();
            for (slug, name, parent) in catalog::categories(spec.slug) {
                let parent_id = parent.and_then(|p| category_ids.get(p).cloned());
                let input = serde_json::json!({ "slug": slug, "name": name, "parentId": parent_id });
                if let Some(created) = run(&schema, &caller, CATEGORY_CREATE, input).await? {
                    category_ids.insert(*slug, created["category"]["id"].clone());
                }
            }
            for (product, category) in catalog::placements(spec.slug) {
                if let (Some(product), Some(category)) = (product_ids.get(*product), category_ids.get(category)) {
                    let input = serde_json::json!({ "categoryId": category, "productIds": [product] });
                    run(&schema, &caller, CATEGORY_ASSIGN, input).await?;
                }
            }
            let now = chrono::Utc::now();
            let days = |n: i64| (now + chrono::Duration::days(n)).to_rfc3339();
            let mut lists: std::collections::HashMap<String, serde_json::Value> = std::collections::HashMap::new();
            for (mutation, mut input) in extras::steps(spec.slug, days) {
                let lookup = |marker: &str| {
                    marker
                        .strip_prefix("@product:")
                        .and_then(|slug| product_ids.get(slug).cloned())
                        .or_else(|| marker.strip_prefix("@list:").and_then(|name| lists.get(name).cloned()))
                };
                extras::resolve(&mut input, &lookup);
                if let Some(created) = run(&schema, &caller, mutation, input).await?
                    && let Some(list) = created.get("priceList")
                {
                    lists.insert(list["name"].as_str().unwrap_or_default().to_owned(), list["id"].clone());
                }
            }
        }
        // Customers, with notes written by a staff member (X-Staff-Id on the admin key).
        let staff_credentials = Credentials { staff: Some(customers::DEMO_STAFF.to_owned()), ..credentials.clone() };
        let staff = tenancy::resolve(&control, &db.pool, &staff_credentials).await;
        if !matches!(staff, Caller::Tenant(_)) {
            bail!("the demo admin token did not resolve with a staff member");
        }
        customers::create(&schema, &caller, &staff, spec.slug).await?;
        // The loyalty program comes before the orders, so paid demo orders accrue points.
        loyalty::create(&schema, &caller).await?;
        // Royalty rules before the orders, so paying them allocates royalties.
        royalty::create(&schema, &caller, spec.slug).await?;
        let store_codes: Vec<&str> = spec.stores.iter().map(|s| s.0).collect();
        let currencies: Vec<(&str, &str)> = spec.stores.iter().map(|s| (s.0, s.4)).collect();
        promotions::create(&schema, &caller, &currencies).await?;
        orders::create(&schema, &staff, spec.slug, &store_codes).await?;
        out.push(DemoTenant {
            slug: spec.slug,
            admin_token: admin.secret,
            storefront_token: storefront.secret,
            replaced_tokens,
        });
    }
    Ok(out)
}

/// Runs a mutation through the schema as `caller`, returning its payload if it changed
/// something. A refusal for a duplicate (the demo ran before) is `None`; anything else is a
/// bug in the demo data.
async fn run(
    schema: &AppSchema,
    caller: &Caller,
    mutation: &str,
    input: serde_json::Value,
) -> anyhow::Result<Option<serde_json::Value>> {
    let request = async_graphql::Request::new(mutation)
        .variables(async_graphql::Variables::from_json(serde_json::json!({ "input": input })));
    let response = schema.execute(crate::graphql::request_with(request, caller.clone())).await;
    if !response.errors.is_empty() {
        bail!("demo data refused: {:?}", response.errors);
    }
    let data = response.data.into_json()?;
    let payload = data.as_object().and_then(|fields| fields.values().next()).cloned().unwrap_or_default();
    let errors = payload["userErrors"].as_array().cloned().unwrap_or_default();
    if errors.iter().any(|e| !matches!(e["code"].as_str(), Some("DUPLICATE" | "DUPLICATE_SKU" | "DOMAIN_TAKEN"))) {
        bail!("demo data refused: {errors:?}");
    }
    Ok(errors.is_empty().then_some(payload))
}

/// The headers GraphiQL starts with: the first demo tenant's admin token.
pub fn graphiql_headers(tenant: &DemoTenant) -> serde_json::Map<String, serde_json::Value> {
    let mut headers = serde_json::Map::new();
    headers.insert("Authorization".into(), format!("Bearer {}", tenant.admin_token).into());
    headers
}

/// Prints the demo tokens and how to use them.
pub fn print_instructions(tenants: &[DemoTenant], listen: SocketAddr) {
    println!("\nstoregraph demo: http://{listen}/graphiql (headers for {} filled in)\n", tenants[0].slug);
    for tenant in tenants {
        println!("tenant {}", tenant.slug);
        println!("  admin token:      {}", tenant.admin_token);
        println!("  storefront token: {}", tenant.storefront_token);
    }
    if tenants.iter().any(|tenant| tenant.replaced_tokens) {
        println!(
            "\nThe demo data is kept, but these tokens REPLACE the ones an earlier `serve --demo` printed \
             for this database: those no longer work (tokens are stored only as hashes and cannot be shown again)."
        );
    }
    println!(
        "\ntry:\n  curl -s http://{listen}/graphql -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    -d '{{\"query\":\"{{ tenant {{ slug name }} products(first: 3) {{ edges {{ node {{ name basePrice {{ amount currency }} variants {{ sku }} }} }} }} }}\"}}'\n",
        tenants[0].storefront_token
    );
}

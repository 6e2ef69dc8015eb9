//! `serve --demo`: two demo tenants with stores, catalogs, customers, a loyalty program,
//! royalty rules, orders and fresh API keys, created through the same GraphQL API clients
//! use. Safe to run again: existing tenants, stores, products, customers and rules are
//! kept, and the previous demo keys are revoked in favour of new ones (the printed
//! instructions say so: tokens are stored hashed, so the old ones cannot be printed again).

use std::collections::HashMap;
use std::net::SocketAddr;

use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::db::Database;
use crate::graphql::{AppSchema, Limits, build_schema};
use crate::tenancy::{self, Caller, ControlPlane, Credentials, ProvisionError, Role, Slug};

mod orders;

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

/// A demo tenant as its data file describes it: what to make, in the order it is made.
/// `@<kind>:<name>` strings in inputs stand for ids (see [`Session::resolve`]).
#[derive(Deserialize)]
struct Spec<'a> {
    slug: &'a str,
    name: String,
    /// `storeCreate` inputs.
    stores: Vec<Value>,
    /// `productCreate` inputs; each variant gets [`stock_of`] units.
    products: Vec<Value>,
    /// Made with the products, once: categories, attributes, store overrides, price lists…
    catalog: Vec<Step>,
    customers: Vec<Customer>,
    /// Royalty rules, made before the orders are paid so those orders carry allocations.
    royalty: Vec<Step>,
    /// A campaign and its coupons, made once; some demo orders use the coupons.
    promotions: Vec<Step>,
}

/// One mutation of the demo data: an operation of `operations.graphql` and its input.
#[derive(Deserialize)]
struct Step {
    operation: String,
    input: Value,
}

/// A demo customer: a `customerCreate` input, saved addresses and maybe a staff note.
#[derive(Deserialize)]
struct Customer {
    profile: Value,
    addresses: Vec<Value>,
    note: Option<String>,
}

const TENANTS: [&str; 2] = [include_str!("data/demo_apparel.json"), include_str!("data/demo_electronics.json")];

/// The loyalty program every demo tenant runs; set before the orders so they accrue points.
const LOYALTY: &str = include_str!("data/loyalty.json");

/// Every GraphQL operation the demo sends, run by name.
const OPERATIONS: &str = include_str!("operations.graphql");

/// The staff member the demo's notes and orders are by (sent as `X-Staff-Id`).
const DEMO_STAFF: &str = "demo.support";

/// Creates (or refreshes) the demo tenants on the database at `url`.
pub async fn provision(url: &str, db: &Database) -> anyhow::Result<Vec<DemoTenant>> {
    let control = ControlPlane::new(db.control.clone());
    let schema = build_schema(Limits::default());
    let mut out = Vec::new();
    for data in TENANTS {
        let spec: Spec<'static> = serde_json::from_str(data).context("bad demo data")?;
        match tenancy::create_tenant(url, spec.slug, &spec.name).await {
            Ok(_) | Err(ProvisionError::Exists(_)) => {}
            Err(e) => return Err(e).context("cannot create a demo tenant"),
        }
        let tenant = control.tenant_by_slug(&Slug::parse(spec.slug)?).await?.context("demo tenant vanished")?;
        let replaced_tokens = control.revoke_keys(&tenant, None, Some(DEMO_LABEL)).await? > 0;
        let (_, admin) = control.create_key(&tenant, Role::Admin, DEMO_LABEL, None).await?;
        let (_, storefront) = control.create_key(&tenant, Role::Storefront, DEMO_LABEL, None).await?;
        // The staff caller is the admin key with a staff member (X-Staff-Id).
        let credentials = Credentials { authorization: Some(format!("Bearer {}", admin.secret)), ..Default::default() };
        let staff_credentials = Credentials { staff: Some(DEMO_STAFF.to_owned()), ..credentials.clone() };
        let caller = tenancy::resolve(&control, &db.pool, &credentials).await;
        let staff = tenancy::resolve(&control, &db.pool, &staff_credentials).await;
        if !matches!((&caller, &staff), (Caller::Tenant(_), Caller::Tenant(_))) {
            bail!("the demo admin token did not resolve");
        }
        let mut session = Session { schema: &schema, ids: HashMap::new(), now: chrono::Utc::now() };
        session.fill(&caller, &spec).await?;
        session.customers(&caller, &staff, &spec.customers).await?;
        session.step(&caller, "loyaltyProgramSet", serde_json::from_str(LOYALTY)?).await?;
        // Ids of what an earlier run made, for the rules of this one.
        session.learn_ids(&caller).await?;
        for step in &spec.royalty {
            session.step(&caller, &step.operation, step.input.clone()).await?;
        }
        session.promotions(&caller, &spec.promotions).await?;
        let stores: Vec<&str> = spec.stores.iter().filter_map(|store| store["code"].as_str()).collect();
        orders::create(&mut session, &staff, spec.slug, &stores, &spec.promotions).await?;
        out.push(DemoTenant {
            slug: spec.slug,
            admin_token: admin.secret,
            storefront_token: storefront.secret,
            replaced_tokens,
        });
    }
    Ok(out)
}

/// The demo stock of a SKU: 0 to 24 units, the same every run (about one in eight sold out).
fn stock_of(sku: &str) -> u32 {
    let n = sku.bytes().fold(7u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b)));
    if n % 8 == 0 { 0 } else { n % 25 }
}

/// Sends one demo tenant's data through the schema, remembering the ids of what it made
/// so that later inputs can refer to them.
struct Session<'a> {
    schema: &'a AppSchema,
    /// Ids by `<kind>:<slug or name>`, e.g. `product:linen-shirt` or `priceList:Winter sale`.
    ids: HashMap<String, Value>,
    /// What `@days:<n>` counts from.
    now: chrono::DateTime<chrono::Utc>,
}

impl Session<'_> {
    /// Stores and, unless an earlier run made them, the catalog: products with stock, then
    /// the catalog steps.
    async fn fill(&mut self, caller: &Caller, spec: &Spec<'_>) -> anyhow::Result<()> {
        for store in &spec.stores {
            self.step(caller, "storeCreate", store.clone()).await?;
        }
        let mut created = false;
        for product in &spec.products {
            if self.step(caller, "productCreate", product.clone()).await?.is_some() {
                created = true;
                for sku in product["variants"].as_array().into_iter().flatten().filter_map(|v| v["sku"].as_str()) {
                    let stock = json!({ "sku": sku, "quantity": stock_of(sku), "reason": "demo stock" });
                    self.step(caller, "inventorySet", stock).await?;
                }
            }
        }
        if created {
            for step in &spec.catalog {
                self.step(caller, &step.operation, step.input.clone()).await?;
            }
        }
        Ok(())
    }

    /// Customers with their addresses, a LOGIN reported by the identity system and their
    /// note, written by `staff`. A customer whose email exists already is left as it is.
    async fn customers(&mut self, admin: &Caller, staff: &Caller, customers: &[Customer]) -> anyhow::Result<()> {
        for customer in customers {
            let Some(created) = self.step(admin, "customerCreate", customer.profile.clone()).await? else {
                continue;
            };
            let id = &created["customer"]["id"];
            for address in &customer.addresses {
                self.step(admin, "customerAddressCreate", json!({ "customerId": id, "address": address })).await?;
            }
            let login = json!({ "customerId": id, "kind": "LOGIN", "detail": "demo sign-in from the storefront" });
            self.step(admin, "customerActivityRecord", login).await?;
            if let Some(body) = &customer.note {
                self.step(staff, "customerNoteCreate", json!({ "customerId": id, "body": body })).await?;
            }
        }
        Ok(())
    }

    /// The promotion steps, unless an earlier run made their campaign.
    async fn promotions(&mut self, caller: &Caller, steps: &[Step]) -> anyhow::Result<()> {
        let data = self.read(caller, "campaignNames", json!({})).await?;
        let existing: Vec<&Value> =
            data["promotionCampaigns"]["edges"].as_array().into_iter().flatten().map(|e| &e["node"]["name"]).collect();
        if steps
            .iter()
            .any(|step| step.operation == "promotionCampaignCreate" && existing.contains(&&step.input["name"]))
        {
            return Ok(());
        }
        for step in steps {
            self.step(caller, &step.operation, step.input.clone()).await?;
        }
        Ok(())
    }

    /// Adds the ids of the tenant's categories and products, made by this run or an earlier one.
    async fn learn_ids(&mut self, caller: &Caller) -> anyhow::Result<()> {
        let data = self.read(caller, "knownIds", json!({})).await?;
        let mut categories: Vec<&Value> = data["categories"].as_array().into_iter().flatten().collect();
        while let Some(category) = categories.pop() {
            self.ids
                .insert(format!("category:{}", category["slug"].as_str().unwrap_or_default()), category["id"].clone());
            categories.extend(category["children"].as_array().into_iter().flatten());
        }
        for edge in data["products"]["edges"].as_array().into_iter().flatten() {
            let product = &edge["node"];
            self.ids.insert(format!("product:{}", product["slug"].as_str().unwrap_or_default()), product["id"].clone());
        }
        Ok(())
    }

    /// Runs `operation` with `input` (its markers resolved) as `caller`, returning its payload
    /// if it changed something and remembering the id of what it made. A refusal for a
    /// duplicate (the demo ran before) is `None`; anything else is a bug in the demo data.
    async fn step(&mut self, caller: &Caller, operation: &str, mut input: Value) -> anyhow::Result<Option<Value>> {
        self.resolve(&mut input)?;
        let data = self.read(caller, operation, json!({ "input": input })).await?;
        let payload = data.as_object().and_then(|fields| fields.values().next()).cloned().unwrap_or_default();
        let errors = payload["userErrors"].as_array().cloned().unwrap_or_default();
        if errors.iter().any(|e| !matches!(e["code"].as_str(), Some("DUPLICATE" | "DUPLICATE_SKU" | "DOMAIN_TAKEN"))) {
            bail!("demo data refused: {errors:?}");
        }
        if !errors.is_empty() {
            return Ok(None);
        }
        let key = input.get("slug").or_else(|| input.get("name")).and_then(Value::as_str);
        for (kind, made) in payload.as_object().into_iter().flatten() {
            if let (Some(key), Some(id)) = (key, made.get("id")) {
                self.ids.insert(format!("{kind}:{key}"), id.clone());
            }
        }
        Ok(Some(payload))
    }

    /// Runs the operation `name` of `operations.graphql` as `caller`, returning its data.
    async fn read(&self, caller: &Caller, name: &str, variables: Value) -> anyhow::Result<Value> {
        let request = async_graphql::Request::new(OPERATIONS)
            .operation_name(name)
            .variables(async_graphql::Variables::from_json(variables));
        let response = self.schema.execute(crate::graphql::request_with(request, caller.clone())).await;
        if !response.errors.is_empty() {
            bail!("demo {name} refused: {:?}", response.errors);
        }
        Ok(response.data.into_json()?)
    }

    /// Replaces the markers in `value`: `@days:<n>` with the time `n` days from now, any
    /// other `@<kind>:<name>` with the id of what this run (or [`Self::learn_ids`]) knows.
    fn resolve(&self, value: &mut Value) -> anyhow::Result<()> {
        match value {
            Value::String(s) if s.starts_with('@') => {
                *value = match s[1..].split_once(':') {
                    Some(("days", n)) => (self.now + chrono::Duration::days(n.parse()?)).to_rfc3339().into(),
                    Some((kind, name)) => self.ids.get(&format!("{kind}:{name}")).cloned().context(s.clone())?,
                    None => bail!("bad demo marker {s}"),
                }
            }
            Value::Array(items) => items.iter_mut().try_for_each(|v| self.resolve(v))?,
            Value::Object(fields) => fields.values_mut().try_for_each(|v| self.resolve(v))?,
            _ => {}
        }
        Ok(())
    }
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
